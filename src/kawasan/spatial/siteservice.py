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
from kawasan.spatial import ranking
from kawasan.spatial.explain import explain
from kawasan.spatial.runfolder import publish
from kawasan.spatial.runs import Run, open_run
from kawasan.spatial.sites import ExtractRules, extract

SITES_KIND = "kawasan.sites"


def default_rules(run: Run, **over) -> ExtractRules:
    rules = run.site_rules
    min_area = over.pop("min_area_ha", None) or rules.get("min_area_ha")
    if min_area is None:
        raise InputError("the run's model has no site rules (sites.min_area_ha); give --min-area-ha",
                         source=str(run.folder), field="sites.min_area_ha")
    max_area = over.pop("max_area_ha", None) or rules.get("max_area_ha")
    return ExtractRules(min_area_ha=float(min_area), max_area_ha=max_area,
                        **{k: v for k, v in over.items() if v is not None})


def extract_sites(run_dir, *, method: str = "mean", admin: list[dict] | None = None, write: bool = True,
                  **rule_overrides) -> dict:
    run = open_run(run_dir)
    rules = default_rules(run, **rule_overrides)
    sites, notes = extract(run, rules)
    infos = explain(run, sites, admin=admin)
    names = sorted(run.weights)
    crit = np.array([[i["criteria_means"].get(n, np.nan) for n in names] for i in infos], dtype=float).reshape(
        len(infos), len(names))
    w = np.array([run.weights[n] for n in names], dtype=float)
    if infos and np.isnan(crit).any():
        if method == "topsis":
            raise InputError("TOPSIS needs the per-criterion rasters; re-run the suitability with --criteria",
                             source=str(run.folder))
        crit = np.nan_to_num(crit)
    ranked = ranking.rank_sites([i["id"] for i in infos], [i["area_ha"] for i in infos],
                                [i["score_mean"] for i in infos], crit, w, method=method)
    by_id = {r.id: r for r in ranked}
    for i in infos:
        i["rank"] = by_id[i["id"]].rank
        i["rank_value"] = round(float(by_id[i["id"]].value), 6)
    infos.sort(key=lambda i: i["rank"])
    result = {
        "kind": SITES_KIND, "format_version": 1, "run": str(run.folder.resolve()),
        "synthetic": bool(run.manifest.get("synthetic")),
        "rules": rules.describe(), "legal_basis": run.site_rules, "rank_method": method,
        "criteria": names, "weights": [float(x) for x in w], "notes": notes, "sites": infos,
    }
    if write:
        _write(run, sites, result)
    return result


def _write(run: Run, sites, result: dict) -> None:
    out = run.folder / "sites"
    tmp = run.folder / f".sites.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        rows = {s.id: s for s in sites}
        records = [{"id": i["id"], "rank": i["rank"], "area_ha": i["area_ha"], "score_mean": i["score_mean"],
                    "geometry": rows[i["id"]].geometry} for i in result["sites"]]
        gdf = gpd.GeoDataFrame(records, geometry="geometry", crs=run.grid.crs) if records else \
            gpd.GeoDataFrame({"id": [], "rank": [], "area_ha": [], "score_mean": []}, geometry=[], crs=run.grid.crs)
        gdf.to_file(tmp / "sites.gpkg", layer="sites", driver="GPKG")
        gdf.to_crs("EPSG:4326").to_file(tmp / "sites.geojson", driver="GeoJSON")
        (tmp / "sites.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        publish(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def load_sites(run_dir) -> dict | None:
    p = Path(run_dir) / "sites" / "sites.json"
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None


def rerank(run_dir, method: str) -> dict:
    """Rank the already extracted sites of a run by another method (rewrites sites.json only)."""
    run = open_run(run_dir)
    res = load_sites(run.folder)
    if res is None:
        raise InputError("no extracted sites yet; run kawasan sites extract first", source=str(run.folder))
    infos = res["sites"]
    names = res["criteria"]
    crit = np.array([[i["criteria_means"].get(n, np.nan) for n in names] for i in infos], dtype=float).reshape(
        len(infos), len(names))
    if method == "topsis" and np.isnan(crit).any():
        raise InputError("TOPSIS needs the per-criterion rasters; re-run the suitability with --criteria",
                         source=str(run.folder))
    ranked = ranking.rank_sites([i["id"] for i in infos], [i["area_ha"] for i in infos],
                                [i["score_mean"] for i in infos], np.nan_to_num(crit),
                                np.array(res["weights"], dtype=float), method=method)
    by_id = {r.id: r for r in ranked}
    for i in infos:
        i["rank"] = by_id[i["id"]].rank
        i["rank_value"] = round(float(by_id[i["id"]].value), 6)
    infos.sort(key=lambda i: i["rank"])
    res["rank_method"] = method
    path = run.folder / "sites" / "sites.json"
    tmp = path.with_name(f".sites.json.tmp-{uuid.uuid4().hex[:8]}")
    tmp.write_text(json.dumps(res, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return res
