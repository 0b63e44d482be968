"""Check a proposed site against the law, rule by rule, with the number behind each verdict.

The site (a polygon, or a point with a radius) is reprojected to the run's grid, repaired if
invalid, and rasterized (cell centres inside; every touched cell for a site smaller than a cell).
For each constraint of the run: the share and area of the site's cells that the rule excludes,
with its legal basis and certainty; then the model's minimum area, the score statistics, where the
site would rank among the extracted sites, and what would have to change.
"""
from __future__ import annotations

import math

import numpy as np
import rasterio
from rasterio import features
from shapely import make_valid
from shapely.geometry import box

from kawasan import guarded
from kawasan.errors import InputError
from kawasan.i18n import Message
from kawasan.limits import check_limit
from kawasan.spatial import vectors
from kawasan.spatial.runs.read import Run, open_run
from kawasan.spatial.sites.service import load_sites


def load_site_geometry(path, grid, *, radius: float | None = None) -> tuple[object, list[str]]:
    """The site as one polygon in the grid CRS, and notes on what was done to it (readable in either language)."""
    notes = []
    gdf = vectors.read_features(path, layer_name="site")
    if gdf.crs != grid.crs:
        notes.append(Message("check.reprojected", src=gdf.crs.to_string(), dst=grid.crs.to_string()))
        gdf = gdf.to_crs(grid.crs)
    kinds = set(gdf.geom_type)
    if kinds <= {"Point", "MultiPoint"}:
        if radius is None or not math.isfinite(radius) or radius <= 0:
            raise InputError(Message("run.err.sitecheck.site_file_point_s"),
                             source=str(path), field="radius")
        check_limit("site_radius_m", radius, field="radius")
        with guarded.guard(path, InputError, "site file"):
            geom = gdf.geometry.buffer(radius).union_all()
        notes.append(Message("check.buffered", radius=radius))
    else:
        polys = gdf[gdf.geom_type.isin(["Polygon", "MultiPolygon"])]
        if polys.empty:
            raise InputError(Message("run.err.sitecheck.expected_polygon_s_point", kinds=sorted(kinds)),
                             source=str(path))
        invalid = int((~polys.geometry.is_valid).sum())
        if invalid:
            notes.append(Message("check.repaired", count=invalid))
        with guarded.guard(path, InputError, "site file"):
            geom = make_valid(polys.geometry.union_all())
            geom = geom if geom.geom_type in ("Polygon", "MultiPolygon") else geom.buffer(0)
    if geom.is_empty or geom.area <= 0:
        raise InputError(Message("run.err.sitecheck.site_area"), source=str(path))
    if not geom.intersects(box(*grid.bounds)):
        raise InputError(Message("run.err.sitecheck.site_lies_outside_study",
                                 site_bounds=tuple((round(v, 1) for v in geom.bounds)),
                                 grid_bounds=tuple((round(v, 1) for v in grid.bounds)),
                                 crs=grid.crs.to_string()),
                         source=str(path))
    if not box(*grid.bounds).contains(geom):
        notes.append(Message("check.partly_outside"))
        geom = geom.intersection(box(*grid.bounds))
    return geom, notes


def _site_cells(geom, grid):
    l, b, r, t = geom.bounds
    tr = grid.transform
    c0 = max(0, int(np.floor((l - tr.c) / tr.a)))
    c1 = min(grid.width, int(np.ceil((r - tr.c) / tr.a)))
    r0 = max(0, int(np.floor((t - tr.f) / tr.e)))
    r1 = min(grid.height, int(np.ceil((b - tr.f) / tr.e)))
    win = rasterio.windows.Window(c0, r0, max(1, c1 - c0), max(1, r1 - r0))
    wt = rasterio.windows.transform(win, grid.transform)
    shape = (int(win.height), int(win.width))
    mask = features.geometry_mask([geom], shape, wt, invert=True)
    if not mask.any():
        mask = features.geometry_mask([geom], shape, wt, invert=True, all_touched=True)
    return win, mask


def _largest_block(mask: np.ndarray, reason: np.ndarray) -> int:
    """Cells in the largest 8-connected block of the site that no rule excludes."""
    import cv2

    ok = (mask & (reason == 0)).view(np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(ok, connectivity=8)
    return int(stats[1:, cv2.CC_STAT_AREA].max()) if n > 1 else 0


def check_site(site_path, run_dir, *, radius: float | None = None) -> dict:
    run: Run = open_run(run_dir)
    grid = run.grid
    geom, notes = load_site_geometry(site_path, grid, radius=radius)
    win, mask = _site_cells(geom, grid)
    r0, c0, h, w = int(win.row_off), int(win.col_off), int(win.height), int(win.width)
    cells = int(mask.sum())
    cell_ha = grid.cell_area / 10_000.0
    reason = run.raster("constraints")[r0:r0 + h, c0:c0 + w][mask]
    score = run.raster("score")[r0:r0 + h, c0:c0 + w][mask]
    classes = run.raster("classes")[r0:r0 + h, c0:c0 + w][mask]
    rows, changes = [], []
    for c in run.constraint_bits:
        label = c.get("label") or c["id"]
        basis = Message("run.note.sitecheck.basis", certainty=c.get("certainty"),
                        legal_basis=c.get("legal_basis") or Message("run.note.sitecheck.no_legal_basis"))
        if c["status"] != "applied":
            rows.append({"rule": c["id"], "label": label, "passed": None, "value": None, "unit": None,
                         "legal_basis": c.get("legal_basis"), "certainty": c.get("certainty"),
                         "message": Message("run.note.sitecheck.not_checked", label=label, basis=basis,
                                            why=c.get("skipped_because") or Message("run.note.sitecheck.skipped"))})
            continue
        bad = int(np.count_nonzero(reason & reason.dtype.type(c["bit"])))
        share = bad / cells if cells else 0.0
        passed = bad == 0
        msg = (Message("run.note.sitecheck.passes", label=label, basis=basis) if passed else
               Message("run.note.sitecheck.fails", label=label, percent=share * 100, ha=bad * cell_ha, basis=basis))
        rows.append({"rule": c["id"], "label": label, "passed": passed, "value": round(share * 100, 2),
                     "unit": Message("run.note.sitecheck.unit_failing"), "failing_ha": round(bad * cell_ha, 2),
                     "legal_basis": c.get("legal_basis"), "certainty": c.get("certainty"), "message": msg})
        if not passed:
            changes.append(Message("run.note.sitecheck.remove_or_fix", ha=bad * cell_ha, label=label))
    clean_ha = int(np.count_nonzero(reason == 0)) * cell_ha
    block_ha = _largest_block(mask, run.raster("constraints")[r0:r0 + h, c0:c0 + w]) * cell_ha
    site_rules = run.site_rules
    if site_rules.get("min_area_ha"):
        need = float(site_rules["min_area_ha"])
        ok = block_ha >= need
        basis = Message("run.note.sitecheck.basis", legal_basis=site_rules.get("legal_basis") or "-",
                        certainty=site_rules.get("certainty"))
        rows.append({"rule": "min_area",
                     "label": Message("run.note.sitecheck.min_area_label", need=need),
                     "passed": ok, "value": round(block_ha, 2), "unit": Message("run.note.sitecheck.unit_block"),
                     "legal_basis": site_rules.get("legal_basis"), "certainty": site_rules.get("certainty"),
                     "message": Message("run.note.sitecheck.block_enough" if ok else "run.note.sitecheck.block_short",
                                        ha=block_ha, need=need, basis=basis)})
        if not ok:
            changes.append(Message("run.note.sitecheck.enlarge", ha=need - block_ha))
    valid = score[np.isfinite(score) & (reason == 0)]
    stats = {"cells": cells, "area_ha": round(cells * cell_ha, 2), "area_passing_ha": round(clean_ha, 2),
             "score_mean": round(float(valid.mean()), 4) if valid.size else None,
             "score_min": round(float(valid.min()), 4) if valid.size else None,
             "score_max": round(float(valid.max()), 4) if valid.size else None,
             "class_shares": {str(k): round(float(v) / cells, 4) for k, v in
                              zip(*np.unique(classes, return_counts=True))} if cells else {}}
    rank = None
    extracted = load_sites(run.folder)
    if extracted and stats["score_mean"] is not None:
        better = sum(1 for s in extracted["sites"] if s["score_mean"] > stats["score_mean"])
        rank = {"would_rank": better + 1, "of": len(extracted["sites"]) + 1, "by": "score_mean"}
    passes = all(r["passed"] is not False for r in rows)
    budget = site_rules.get("land_budget")
    if budget:
        from kawasan.spatial.sites.explain import land_budget

        stats["land_budget"] = land_budget(block_ha, budget)
    screening = [{k: n.get(k) for k in ("rule", "en", "id", "cause", "layer")}
                 for n in run.manifest.get("screening") or []]
    return {"passes": passes, "site": str(site_path), "run": str(run.folder), "notes": notes,
            **({"screening": screening} if screening else {}),
            "synthetic": bool(run.manifest.get("synthetic")), "constraints": rows, "score": stats,
            "rank_among_extracted": rank, "what_would_have_to_change": changes}


def failing_areas(geom, run_dir) -> list[tuple[dict, int]]:
    """The parts of a site (a polygon in the run's CRS, as :func:`load_site_geometry` returns it) that some rule
    excludes, as (GeoJSON geometry in the run's CRS, exclusion bitmask) pairs, one per connected group of
    cells with the same rules (cell edges, 4-connected)."""
    run: Run = open_run(run_dir)
    win, mask = _site_cells(geom, run.grid)
    r0, c0, h, w = int(win.row_off), int(win.col_off), int(win.height), int(win.width)
    reason = run.raster("constraints")[r0:r0 + h, c0:c0 + w]
    failing = mask & (reason != 0)
    if not failing.any():
        return []
    wt = rasterio.windows.transform(win, run.grid.transform)
    values = reason.astype(np.int32 if reason.dtype.itemsize < 4 else np.int64)
    if values.dtype == np.int64:  # rasterio.features.shapes takes at most 32-bit integers
        values = values.astype(np.float32)
    return [(g, int(v)) for g, v in features.shapes(values, mask=failing, transform=wt, connectivity=4)]
