"""Province-wide screening: one model over a province or island, summarised per regency.

``screen(...)`` (CLI: ``kawasan screen``) runs, on one study area covering the whole province:

1. the suitability model (``api.run_suitability``; in chunks on Dask when asked or when the grid does not
   fit in memory) into ``OUT/run``;
2. the candidate sites of legal size (``sites.extract`` or its chunked twin, the model's minimum area and
   its legal basis; their mean score, without the per-site explanations of ``kawasan sites extract``),
   written as the ``sites`` layer of ``screen.gpkg``;
3. per regency, reading the run's rasters strip by strip (``STRIP_ROWS`` rows at a time, so memory does not
   grow with the province): hectares per suitability class, hectares excluded per rule (a cell excluded
   by several rules counts under each), hectares of NoData; the number and hectares of candidate sites
   (a site belongs to the regency holding its representative point) and the best site's mean score;
4. with PDRB or IPM tables, the regional-potential ranking (``economics.potential``) joined on the BPS code,
   and a combined rank of land and economy.

Regencies are never dropped: one outside the study grid, or with only NoData cells, is listed with
``status`` saying why, and no numbers.

Combined rank (a design choice of this tool, not a rule of law; shown as such in the outputs):
``land = (site_ha - min) / (max - min)`` over the regencies with data (every one 1 when all are equal),
``combined = land_weight * land + (1 - land_weight) * potential_score`` (the potential score is already
in [0, 1] with min-max normalisation); rank 1 is the highest, ties share the better rank.
"""
from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kawasan.errors import InputError
from kawasan.i18n import Message
from kawasan.fileio import check_replaceable, publish
from kawasan.spatial.model import CLASS_CODES

KIND = "kawasan.screen"
STRIP_ROWS = 1024
CLASS_NAMES = [CLASS_CODES[k] for k in range(1, 7)]          # S1 .. N2, excluded
NAME_COLUMNS = ("nama", "name", "namobj", "region", "wilayah")


@dataclass
class ScreenRequest:
    model: str | Path
    data: str | Path
    boundaries: str | Path
    out: str | Path
    pdrb: str | Path | None = None
    ipm: str | Path | None = None
    reference: str = "Jawa Timur"
    land_weight: float = 0.5
    scheduler: str | None = None
    workers: int | None = None
    chunks: int | None = None
    overwrite: bool = False


def screen(req: ScreenRequest, progress=None) -> dict:
    """Run the screening (see the module docstring); returns the result written as ``OUT/screen.json``."""
    say = progress or (lambda step: None)
    if not 0.0 <= req.land_weight <= 1.0:
        raise InputError(Message("screen.err.land_weight", value=req.land_weight), field="--land-weight")
    out = Path(req.out)
    check_replaceable(out, KIND, "kawasan screening")
    if out.exists() and any(out.iterdir()) and not req.overwrite:
        from kawasan.errors import OutputError

        raise OutputError(Message("screen.err.earlier_screening"), source=str(out))
    regions = read_regions(req.boundaries)
    from kawasan.spatial.api import run_suitability

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{uuid.uuid4().hex[:8]}")
    tmp.mkdir()
    try:
        say("suitability")
        run = run_suitability(req.model, req.data, tmp / "run", scheduler=req.scheduler, workers=req.workers,
                              chunks=req.chunks)
        say("sites")
        sites = candidate_sites(tmp / "run", req)
        say("regencies")
        rows = regency_table(tmp / "run", run.manifest, regions, sites)
        potential = None
        if req.pdrb or req.ipm:
            say("potential")
            potential = _potential(req)
            _join_potential(rows, potential, req.land_weight)
        result = _result(req, run.manifest, sites, rows, potential)
        _write(tmp, result, regions, sites, created=run.manifest["created"])
        publish(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return result


def read_regions(path):
    """The regency boundaries: GeoDataFrame with ``code`` (4-digit BPS) and ``name`` (VectorError/TableError
    naming the file when unreadable or without such columns; ``read_boundaries`` refuses two regions with one
    code)."""
    from kawasan.economics.readiness import _pick, read_boundaries

    gdf, _gaz = read_boundaries(path)
    name = _pick(gdf.columns, NAME_COLUMNS, str(path), "name")
    gdf = gdf.assign(name=gdf[name].astype(str)).reset_index(drop=True)
    return gdf[["code", "name", "geometry"]]


def regency_table(run_dir: Path, manifest: dict, regions, sites: dict) -> list[dict]:
    """Per regency: hectares per class and per excluding rule, sites and the best site's score."""
    import rasterio
    from rasterio import features
    from rasterio.windows import Window

    from kawasan.spatial.grid import Grid

    grid = Grid.from_dict(manifest["study_area"]["grid"])
    cell_ha = grid.cell_area / 10_000.0
    zones = regions.to_crs(grid.crs)
    n = len(zones)
    bits = [(c["id"], int(c["bit"])) for c in manifest["constraints"] if c.get("status") == "applied"]
    cls_cells = np.zeros((n + 1, 7), dtype=np.int64)
    rule_cells = np.zeros((n + 1, len(bits)), dtype=np.int64)
    shapes = [(g, i + 1) for i, g in enumerate(zones.geometry)]
    with rasterio.open(run_dir / "classes.tif") as cls_ds, rasterio.open(run_dir / "constraints.tif") as rs_ds:
        for r0 in range(0, grid.height, STRIP_ROWS):
            h = min(STRIP_ROWS, grid.height - r0)
            win = Window(0, r0, grid.width, h)
            zone = features.rasterize(shapes, out_shape=(h, grid.width), fill=0, dtype="int32",
                                      transform=rasterio.windows.transform(win, grid.transform))
            classes = cls_ds.read(1, window=win)
            reason = rs_ds.read(1, window=win)
            cls_cells += np.bincount((zone.ravel().astype(np.int64) * 7 + classes.ravel()),
                                     minlength=(n + 1) * 7).reshape(n + 1, 7)
            for j, (_, bit) in enumerate(bits):
                hit = (reason & reason.dtype.type(bit)) != 0
                rule_cells[:, j] += np.bincount(zone[hit], minlength=n + 1)
    site_rows = _sites_by_regency(run_dir, zones, sites)
    rows = []
    for i, reg in enumerate(zones.itertuples()):
        c = cls_cells[i + 1]
        inside = int(c.sum())
        row = {"code": reg.code, "name": reg.name, "cells": inside, "area_ha": round(inside * cell_ha, 2)}
        if inside == 0:
            row["status"] = "outside_study_area"
        elif c[1:].sum() == 0:
            row["status"] = "no_data"
        else:
            row["status"] = "ok"
        if row["status"] == "ok":
            row["nodata_ha"] = round(int(c[0]) * cell_ha, 2)
            for k, label in enumerate(CLASS_NAMES, start=1):
                row[f"{label}_ha"] = round(int(c[k]) * cell_ha, 2)
            for j, (cid, _) in enumerate(bits):
                row[f"excluded_{cid}_ha"] = round(int(rule_cells[i + 1, j]) * cell_ha, 2)
            s = site_rows.get(i, [])
            row["sites"] = len(s)
            row["site_ha"] = round(sum(x["area_ha"] for x in s), 2)
            row["best_site_score"] = max((x["score_mean"] for x in s), default=None)
            row["best_site_id"] = max(s, key=lambda x: x["score_mean"])["id"] if s else None
        rows.append(row)
    return rows


def candidate_sites(run_dir: Path, req: ScreenRequest) -> dict:
    """The run's candidate sites of legal size (the model's minimum area), with area and mean score only:
    ``sites.extract`` (or its chunked twin) without the per-site explanations, which a screening does not
    need. Returns {"rules": ..., "notes": [...], "sites": [{"id", "cells", "area_ha", "score_mean"}],
    "geometries": [...]}."""
    import rasterio

    from kawasan.spatial.chunked import ChunkOptions
    from kawasan.spatial.chunked.sites import extract_chunked, sites_fit_in_memory
    from kawasan.spatial.runs.read import open_run
    from kawasan.spatial.sites.service import default_rules
    from kawasan.spatial.sites.candidates import extract

    run = open_run(run_dir)
    rules = default_rules(run)
    options = ChunkOptions(chunks=req.chunks, scheduler=req.scheduler, workers=req.workers)
    if options.requested or not sites_fit_in_memory(run.grid):
        found, notes = extract_chunked(run, rules, options, spill_dir=run_dir.parent)
    else:
        found, notes = extract(run, rules)
    cell_ha = run.grid.cell_area / 10_000.0
    rows = []
    with rasterio.open(run.output("score")) as ds:
        for st in found:
            score = ds.read(1, window=st.window)
            rows.append({"id": st.id, "cells": st.cells, "area_ha": round(st.cells * cell_ha, 2),
                         "score_mean": round(float(np.nanmean(score[st.mask])), 4)})
    return {"rules": rules.describe(), "notes": notes, "sites": rows, "geometries": [st.geometry for st in found],
            "crs": run.grid.crs}


def _sites_by_regency(run_dir: Path, zones, sites: dict) -> dict[int, list[dict]]:
    """Regency index -> the sites whose representative point lies in it (each site in one regency only)."""
    import geopandas as gpd

    if not sites["sites"]:
        return {}
    info = {s["id"]: s for s in sites["sites"]}
    gdf = gpd.GeoDataFrame({"id": [s["id"] for s in sites["sites"]]}, geometry=sites["geometries"],
                           crs=sites["crs"]).to_crs(zones.crs)
    pts = gpd.GeoDataFrame({"id": gdf["id"].astype(int)}, geometry=gdf.geometry.representative_point(),
                           crs=gdf.crs)
    hit = gpd.sjoin(pts, zones.reset_index(names="zone")[["zone", "geometry"]], how="left", predicate="within")
    hit = hit[~hit.index.duplicated(keep="first")]
    out: dict[int, list[dict]] = {}
    for sid, zone in zip(hit["id"], hit["zone"]):
        if zone == zone:   # not NaN: the site's point lies in a regency
            out.setdefault(int(zone), []).append(info[int(sid)])
            info[int(sid)]["regency_code"] = zones["code"].iloc[int(zone)]
    return out


def _potential(req: ScreenRequest):
    from kawasan.economics.potential import PotentialInputs, potential_from_files

    return potential_from_files(PotentialInputs(boundaries=req.boundaries, pdrb=req.pdrb, ipm=req.ipm,
                                                reference=req.reference)).result


def _join_potential(rows: list[dict], potential, land_weight: float) -> None:
    """Add the economy score and rank (by BPS code) and the combined land-and-economy rank."""
    by_code = {str(r["code"]): r for r in potential.records()}
    ok = [r for r in rows if r["status"] == "ok"]
    ha = np.array([r["site_ha"] for r in ok], dtype=float)
    span = ha.max() - ha.min() if ha.size else 0.0
    for r, h in zip(ok, ha):
        r["land_score"] = round(float((h - ha.min()) / span) if span > 0 else 1.0, 6)
    for r in rows:
        p = by_code.get(str(r["code"]))
        r["economy_score"] = None if p is None or p["score"] is None else round(float(p["score"]), 6)
        r["economy_rank"] = None if p is None else p["rank"]
        if r["status"] == "ok" and r["economy_score"] is not None:
            r["combined_score"] = round(land_weight * r["land_score"] + (1 - land_weight) * r["economy_score"], 6)
    scored = sorted((r for r in rows if r.get("combined_score") is not None), key=lambda r: -r["combined_score"])
    for k, r in enumerate(scored):
        prev = scored[k - 1] if k else None
        r["combined_rank"] = prev["combined_rank"] if prev and prev["combined_score"] == r["combined_score"] else k + 1


def _result(req: ScreenRequest, manifest: dict, sites: dict, rows: list[dict], potential) -> dict:
    site_rules = manifest.get("sites") or {}
    return {
        "kind": KIND, "format_version": 1,
        "synthetic": bool(manifest.get("synthetic")),
        **({"notice": manifest.get("notice")} if manifest.get("synthetic") else {}),
        "model": manifest["model"]["name"], "study_area": manifest["study_area"]["name"],
        "boundaries": str(Path(req.boundaries)), "run": "run",
        "site_rule": {"min_area_ha": sites["rules"]["min_area_ha"],
                      "legal_basis": site_rules.get("legal_basis"), "legal_basis_id": site_rules.get("legal_basis_id"),
                      "certainty": site_rules.get("certainty")},
        "constraints": [{"id": c["id"], "label": c["label"], "label_id": c["label_id"],
                         "legal_basis": c.get("legal_basis"), "certainty": c.get("certainty")}
                        for c in manifest["constraints"] if c.get("status") == "applied"],
        "economy": None if potential is None else {
            "components": potential.scored, "weights": potential.weights, "normalisation": potential.normalisation},
        "combined_rank": None if potential is None else {
            "land_weight": req.land_weight, "economy_weight": round(1 - req.land_weight, 6),
            "basis": "design choice of kawasan (not a legal rule): land = min-max of candidate-site hectares; "
                     "economy = the regional-potential score", "certainty": "design"},
        "missing": [{"code": r["code"], "name": r["name"], "status": r["status"]} for r in rows if r["status"] != "ok"],
        "regencies": rows,
        "sites": sites["sites"],
        "site_notes": sites["notes"],
    }


def _write(folder: Path, result: dict, regions, sites: dict, *, created: str) -> None:
    """screen.json, screen.csv, screen.gpkg (regency polygons with the table) and the two reports; the
    clock time (``created``, the run's) only in manifest.json, so the others repeat byte for byte."""
    import csv

    import geopandas as gpd

    from kawasan.csvout import safe_cell
    from kawasan.geopackage import write_layer
    from kawasan.spatial.screening.report import write_reports

    manifest = {"kind": KIND, "format_version": 1, "created": created}
    (folder / "manifest.json").write_text(json.dumps(manifest) + "\n", encoding="utf-8")
    (folder / "screen.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    rows = [({"data": "SYNTHETIC"} if result.get("synthetic") else {}) | r for r in result["regencies"]]
    cols = list(dict.fromkeys(k for r in rows for k in r))
    with open(folder / "screen.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: safe_cell(r.get(k)) for k in cols})   # region names from a user's file: formula-safe
    table = gpd.GeoDataFrame([{k: r.get(k) for k in cols} for r in rows], geometry=list(regions.geometry),
                             crs=regions.crs)
    write_layer(table, folder / "screen.gpkg", "regencies")   # last_change fixed: same inputs, same bytes
    site_cols = ["id", "regency_code", "area_ha", "score_mean"]
    site_layer = gpd.GeoDataFrame([{k: r.get(k) for k in site_cols} for r in sites["sites"]] or
                                  {k: [] for k in site_cols}, geometry=sites["geometries"], crs=sites["crs"])
    if result.get("synthetic"):
        site_layer["data"] = "SYNTHETIC"
    write_layer(site_layer, folder / "screen.gpkg", "sites")
    write_reports(folder, result, regions)
