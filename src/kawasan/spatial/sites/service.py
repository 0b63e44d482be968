"""Use cases on a run folder: extract, explain and rank candidate sites; write them atomically.

Output: RUN/sites/ with sites.gpkg (grid CRS), sites.geojson (WGS84, RFC 7946) and sites.json
(explanations, ranks, the rules used). The folder is built aside and moved into place.
"""
from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import geopandas as gpd
import numpy as np

from kawasan.errors import InputError
from kawasan.fileio import publish, recover, temp_sibling, write_text_atomic
from kawasan.geopackage import write_layer
from kawasan.i18n import Message
from kawasan.spatial.sites import ranking
from kawasan.spatial.sites import criteria as sitecriteria
from kawasan.spatial.sites.explain import explain
from kawasan.spatial.runs.read import Run, open_run
from kawasan.spatial.sites.candidates import ExtractRules, extract

SITES_KIND = "kawasan.sites"


def default_rules(run: Run, area_rule: str | None = None, **over) -> ExtractRules:
    rules = area_option(run, area_rule) if area_rule else run.site_rules
    min_area = over.pop("min_area_ha", None) or rules.get("min_area_ha")
    if min_area is None:
        raise InputError(Message("run.err.siteservice.run_s_model_site"),
                         source=str(run.folder), field="sites.min_area_ha")
    max_area = over.pop("max_area_ha", None) or rules.get("max_area_ha")
    return ExtractRules(min_area_ha=float(min_area), max_area_ha=max_area,
                        **{k: v for k, v in over.items() if v is not None})


def area_option(run: Run, oid: str) -> dict:
    """One of the smaller areas the law allows in stated conditions (the model's sites.options)."""
    options = {o["id"]: o for o in run.site_rules.get("options") or []}
    if oid not in options:
        raise InputError(Message("run.err.siteservice.site_area_option_this", option=oid,
                                 options=', '.join(options) or Message("err.none")),
                         source=str(run.folder), field="--area-rule")
    return {**options[oid], "land_budget": run.site_rules.get("land_budget")}


def extract_sites(run_dir, *, method: str = "mean", admin: list[dict] | None = None, write: bool = True,
                  area_rule: str | None = None, scheduler: str | None = None, workers: int | None = None,
                  chunks: int | None = None, **rule_overrides) -> dict:
    """Extract, explain and rank the sites of a run. ``scheduler``/``workers``/``chunks`` label the sites chunk
    by chunk on Dask (kawasan.spatial.chunked.sites; the same sites); a grid too large for memory does so by
    itself."""
    from kawasan.spatial.chunked import ChunkOptions
    from kawasan.spatial.chunked.sites import extract_chunked, sites_fit_in_memory

    run = open_run(run_dir)
    rules = default_rules(run, area_rule, **rule_overrides)
    options = ChunkOptions(chunks=chunks, scheduler=scheduler, workers=workers)
    options.check()
    warnings = _check_admin_layers(run, admin or [])   # before any work: units of another region are refused
    if options.requested or not sites_fit_in_memory(run.grid):
        sites, notes = extract_chunked(run, rules, options, spill_dir=run.folder.parent)
    else:
        sites, notes = extract(run, rules)
    notes = warnings + notes
    infos = explain(run, sites, admin=admin)
    means_source = _complete_criteria_means(run, sites, infos, notes)
    names = sorted(run.weights)
    w = np.array([run.weights[n] for n in names], dtype=float)
    _rank_in_place(infos, names, w, method, run)
    result = {
        "kind": SITES_KIND, "format_version": 1, "run": str(run.folder.resolve()),
        "synthetic": bool(run.manifest.get("synthetic")),
        "rules": rules.describe(), "legal_basis": area_option(run, area_rule) if area_rule else run.site_rules,
        **({"area_rule": area_rule} if area_rule else {}), "rank_method": method,
        "criteria": names, "weights": [float(x) for x in w], "criteria_means_source": means_source,
        "warnings": warnings, "notes": notes, "sites": infos,
    }
    if write:
        _write(run, sites, result)
    return result


def _check_admin_layers(run: Run, admin: list[dict]) -> list[str]:
    """Refuse administrative units that miss the study area; warnings when they cover part of it (admincheck)."""
    from kawasan.spatial import vectors
    from kawasan.spatial.sites import admin as admincheck

    warnings = []
    for spec in admin:
        path = Path(spec["path"])
        warnings += admincheck.check_admin(run, path, vectors.read_features(path, grid=run.grid))
    return warnings


def _complete_criteria_means(run: Run, sites, infos: list[dict], notes: list[str]) -> str:
    """Fill each site's criteria_means for the criteria the run kept no raster of (a default run keeps none),
    recomputed from the model and the study area; say where the means come from. When they cannot be
    recomputed, every site carries the reason (criteria_means_missing) and so do the notes."""
    missing = sitecriteria.missing_criteria(run)
    if not missing or not sites:
        return sitecriteria.SOURCE_RASTERS if not missing else sitecriteria.SOURCE_RECOMPUTED
    try:
        means = sitecriteria.recompute_means(run, sites, missing)
    except sitecriteria.MeansUnavailable as exc:
        why = Message("run.note.siteservice.means_unavailable", criteria=", ".join(missing), why=exc.args[0])
        notes.append(Message("run.note.siteservice.means_needed", why=why))
        for i in infos:
            i["criteria_means_missing"] = why
        return "unavailable"
    for i in infos:
        i["criteria_means"] = dict(sorted({**i["criteria_means"], **means[i["id"]]}.items()))
    return sitecriteria.SOURCE_RECOMPUTED


def _rank_in_place(infos: list[dict], names: list[str], w: np.ndarray, method: str, run: Run) -> None:
    """Set rank and rank_value on each site explanation and sort them by rank."""
    crit = np.array([[i["criteria_means"].get(n, np.nan) for n in names] for i in infos], dtype=float).reshape(
        len(infos), len(names))
    if infos and np.isnan(crit).any():
        if method == "topsis":
            raise InputError(Message("run.err.siteservice.topsis_no_means", why=_why_no_means(infos)),
                             source=str(run.folder))
        crit = np.nan_to_num(crit)
    ranked = ranking.rank_sites([i["id"] for i in infos], [i["area_ha"] for i in infos],
                                [i["score_mean"] for i in infos], crit, w, method=method)
    by_id = {r.id: r for r in ranked}
    for i in infos:
        i["rank"] = by_id[i["id"]].rank
        i["rank_value"] = round(float(by_id[i["id"]].value), 6)
    infos.sort(key=lambda i: i["rank"])


def _write(run: Run, sites, result: dict) -> None:
    out = run.folder / "sites"
    recover(out)
    tmp = temp_sibling(out)
    tmp.mkdir()
    try:
        rows = {s.id: s for s in sites}
        records = [{"id": i["id"], "rank": i["rank"], "area_ha": i["area_ha"], "score_mean": i["score_mean"],
                    "geometry": rows[i["id"]].geometry} for i in result["sites"]]
        gdf = gpd.GeoDataFrame(records, geometry="geometry", crs=run.grid.crs) if records else \
            gpd.GeoDataFrame({"id": [], "rank": [], "area_ha": [], "score_mean": []}, geometry=[], crs=run.grid.crs)
        write_layer(gdf, tmp / "sites.gpkg", "sites", last_change=run.manifest.get("created"))
        gdf.to_crs("EPSG:4326").to_file(tmp / "sites.geojson", driver="GeoJSON")
        (tmp / "sites.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        publish(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load_sites(run_dir) -> dict | None:
    p = Path(run_dir) / "sites" / "sites.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None


def ranked_sites(run_dir, method: str) -> dict:
    """The extracted sites of a run ranked by ``method`` (mean, area_weighted, topsis) in memory; nothing
    is written (``rerank`` writes the new ranks into the run's site files)."""
    return _ranked(open_run(run_dir), method)


def _ranked(run, method: str) -> dict:
    """The run's extracted sites with their ranks by ``method`` (an InputError when none were extracted)."""
    res = load_sites(run.folder)
    if res is None:
        raise InputError(Message("err.no_sites_yet"), source=str(run.folder))
    _rank_in_place(res["sites"], res["criteria"], np.array(res["weights"], dtype=float), method, run)
    res["rank_method"] = method
    return res


def rerank(run_dir, method: str) -> dict:
    """Rank the already extracted sites of a run by another method.

    sites.json and the rank attribute of sites.gpkg / sites.geojson are rewritten together: a copy of the
    sites folder is updated and exchanged with it in one step (:func:`kawasan.fileio.publish`), so a kill
    leaves either the three old files or the three new ones."""
    run = open_run(run_dir)
    res = _ranked(run, method)
    folder = run.folder / "sites"
    recover(folder)
    ranks = {i["id"]: i["rank"] for i in res["sites"]}
    tmp = temp_sibling(folder)          # a new sites folder, exchanged with the old one in one step
    try:
        shutil.copytree(folder, tmp)
        for name, driver in (("sites.gpkg", "GPKG"), ("sites.geojson", "GeoJSON")):
            path = tmp / name
            if path.exists():
                gdf = gpd.read_file(path)
                gdf["rank"] = gdf["id"].map(ranks).astype("int64")
                path.unlink()
                if driver == "GPKG":
                    write_layer(gdf.sort_values("rank"), path, "sites", last_change=run.manifest.get("created"))
                else:
                    gdf.sort_values("rank").to_file(path, driver=driver)
        (tmp / "sites.json").write_text(json.dumps(res, indent=2, ensure_ascii=False), encoding="utf-8")
        publish(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return res


def stress_test(run_dir, *, n: int = 1000, seed: int = 0, top_k: int = 5, changes=(-0.2, -0.1, 0.1, 0.2),
                concentration: float | None = None, spread_map: bool = True) -> dict:
    """One-at-a-time and Monte Carlo weight sensitivity of the extracted sites' ranking.

    Runs on the site-level criterion means (exact for WLC, since a site's mean score is
    sum_i w_i mean_i); writes RUN/sites/sensitivity.json and, from the per-criterion rasters,
    RUN/sites/score_spread.tif (per-cell standard deviation of the score under the weight draws).
    """
    from kawasan.spatial.sites import sensitivity
    from kawasan.spatial.rasters import write_cog

    run = open_run(run_dir)
    res = load_sites(run.folder)
    if res is None:
        raise InputError(Message("err.no_sites_yet"), source=str(run.folder))
    names = res["criteria"]
    infos = sorted(res["sites"], key=lambda i: i["id"])
    ids = [i["id"] for i in infos]
    crit = np.array([[i["criteria_means"].get(n_, np.nan) for n_ in names] for i in infos], dtype=float).reshape(
        len(infos), len(names))
    if infos and np.isnan(crit).any():
        raise InputError(Message("run.err.siteservice.no_means", why=_why_no_means(infos)), source=str(run.folder))
    w = np.array(res["weights"], dtype=float)
    out = {"kind": "kawasan.sensitivity", "format_version": 1, "run": str(run.folder.resolve()),
           "synthetic": res.get("synthetic", False), "criteria": names, "ids": ids,
           "method_note": _method_note(run.manifest)}
    if infos:
        out["one_at_a_time"] = sensitivity.one_at_a_time(crit, w, names, changes=tuple(changes), top_k=top_k, ids=ids)
        out["monte_carlo"] = sensitivity.monte_carlo(crit, w, n=n, concentration=concentration, seed=seed,
                                                     top_k=top_k, ids=ids)
    else:
        out["notes"] = ["no sites to stress-test"]
    sites_dir = run.folder / "sites"
    if spread_map and infos:
        paths = run.criteria_paths()
        if set(paths) >= set(names):
            import rasterio

            layers = []
            for n_ in names:
                with rasterio.open(paths[n_]) as ds:
                    layers.append(ds.read(1))
            cov = np.array(out["monte_carlo"]["weights_cov"], dtype=float)
            spread = sensitivity.score_spread(layers, cov)
            del layers
            tmp = sites_dir / f".score_spread.tmp-{uuid.uuid4().hex[:8]}.tif"
            write_cog(tmp, spread, run.grid, nodata=np.nan, tags={"ROLE": "score_spread"},
                      descriptions="standard deviation of the score under the Monte Carlo weights")
            tmp.replace(sites_dir / "score_spread.tif")
            out["score_spread"] = "score_spread.tif"
        else:
            out.setdefault("notes", []).append(
                "no score-spread map (score_spread.tif): it is drawn cell by cell from the criterion rasters, which "
                "this run did not keep (run the suitability with --criteria); the site results above are complete")
    write_text_atomic(sites_dir / "sensitivity.json",
                      json.dumps(out, indent=2, ensure_ascii=False, default=_jsonable))
    return out


def _why_no_means(infos: list[dict]) -> str:
    """Why the sites lack criterion means, as recorded when they were extracted."""
    why = next((i["criteria_means_missing"] for i in infos if i.get("criteria_means_missing")), None)
    return why or ("the sites were extracted before kawasan recomputed criterion means for runs without --criteria; "
                   "extract them again (kawasan sites extract), or re-run the suitability with --criteria")


def _jsonable(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o).__name__)


def _method_note(manifest: dict) -> Message:
    agg = manifest["model"].get("aggregation", {}).get("method", "wlc")
    if agg == "wlc":
        return Message("run.note.siteservice.stress_exact")
    return Message("run.note.siteservice.stress_approximation", method=agg)
