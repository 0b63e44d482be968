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


def _window_of(run: Run, name: str, win) -> np.ndarray:
    """The run raster ``name`` cut to the site's window (rows and columns of ``win``)."""
    r0, c0, h, w = int(win.row_off), int(win.col_off), int(win.height), int(win.width)
    return run.raster(name)[r0:r0 + h, c0:c0 + w]


def _constraint_basis(c: dict) -> Message:
    """The "basis" phrase of a constraint's verdict: its certainty and legal basis (or "no legal basis")."""
    return Message("run.note.sitecheck.basis", certainty=c.get("certainty"),
                   legal_basis=c.get("legal_basis") or Message("run.note.sitecheck.no_legal_basis"))


def _not_checked_row(c: dict, label) -> dict:
    """The row of a constraint the run did not apply (its data was missing or it was switched off)."""
    basis = _constraint_basis(c)
    return {"rule": c["id"], "label": label, "passed": None, "value": None, "unit": None,
            "legal_basis": c.get("legal_basis"), "certainty": c.get("certainty"),
            "message": Message("run.note.sitecheck.not_checked", label=label, basis=basis,
                               why=c.get("skipped_because") or Message("run.note.sitecheck.skipped"))}


def _applied_row(c: dict, label, reason: np.ndarray, cells: int, cell_ha: float) -> tuple[dict, int]:
    """The row of an applied constraint and the number of site cells it excludes.

    share failing = cells with the constraint's bit set / cells of the site (0 for an empty site).
    """
    basis = _constraint_basis(c)
    bad = int(np.count_nonzero(reason & reason.dtype.type(c["bit"])))
    share = bad / cells if cells else 0.0
    passed = bad == 0
    msg = (Message("run.note.sitecheck.passes", label=label, basis=basis) if passed else
           Message("run.note.sitecheck.fails", label=label, percent=share * 100, ha=bad * cell_ha, basis=basis))
    row = {"rule": c["id"], "label": label, "passed": passed, "value": round(share * 100, 2),
           "unit": Message("run.note.sitecheck.unit_failing"), "failing_ha": round(bad * cell_ha, 2),
           "legal_basis": c.get("legal_basis"), "certainty": c.get("certainty"), "message": msg}
    return row, bad


def _constraint_rows(run: Run, reason: np.ndarray, cells: int, cell_ha: float) -> tuple[list[dict], list[Message]]:
    """One row per constraint of the run, in the run's order, and what would have to change for those that fail."""
    rows, changes = [], []
    for c in run.constraint_bits:
        label = c.get("label") or c["id"]
        if c["status"] != "applied":
            rows.append(_not_checked_row(c, label))
            continue
        row, bad = _applied_row(c, label, reason, cells, cell_ha)
        rows.append(row)
        if not row["passed"]:
            changes.append(Message("run.note.sitecheck.remove_or_fix", ha=bad * cell_ha, label=label))
    return rows, changes


def _min_area_row(site_rules: dict, block_ha: float) -> tuple[dict, Message | None]:
    """The model's minimum-area rule: the largest block the rules leave (hectares) against ``min_area_ha``,
    and the change that would make it pass (None when it passes)."""
    need = float(site_rules["min_area_ha"])
    ok = block_ha >= need
    basis = Message("run.note.sitecheck.basis", legal_basis=site_rules.get("legal_basis") or "-",
                    certainty=site_rules.get("certainty"))
    row = {"rule": "min_area",
           "label": Message("run.note.sitecheck.min_area_label", need=need),
           "passed": ok, "value": round(block_ha, 2), "unit": Message("run.note.sitecheck.unit_block"),
           "legal_basis": site_rules.get("legal_basis"), "certainty": site_rules.get("certainty"),
           "message": Message("run.note.sitecheck.block_enough" if ok else "run.note.sitecheck.block_short",
                              ha=block_ha, need=need, basis=basis)}
    return row, (None if ok else Message("run.note.sitecheck.enlarge", ha=need - block_ha))


def _score_stats(score: np.ndarray, classes: np.ndarray, reason: np.ndarray, cells: int, cell_ha: float) -> dict:
    """Area of the site and of its cells no rule excludes (hectares), score statistics over those cells, and the
    share of the site's cells in each suitability class."""
    clean_ha = int(np.count_nonzero(reason == 0)) * cell_ha
    valid = score[np.isfinite(score) & (reason == 0)]
    return {"cells": cells, "area_ha": round(cells * cell_ha, 2), "area_passing_ha": round(clean_ha, 2),
            "score_mean": round(float(valid.mean()), 4) if valid.size else None,
            "score_min": round(float(valid.min()), 4) if valid.size else None,
            "score_max": round(float(valid.max()), 4) if valid.size else None,
            "class_shares": {str(k): round(float(v) / cells, 4) for k, v in
                             zip(*np.unique(classes, return_counts=True))} if cells else {}}


def _rank_among_extracted(run: Run, score_mean: float | None) -> dict | None:
    """Where the site would rank by mean score among the sites extracted from the run (1 + those scoring higher),
    or None when the run has no extracted sites or the site has no scored cell."""
    extracted = load_sites(run.folder)
    if not (extracted and score_mean is not None):
        return None
    better = sum(1 for s in extracted["sites"] if s["score_mean"] > score_mean)
    return {"would_rank": better + 1, "of": len(extracted["sites"]) + 1, "by": "score_mean"}


def _screening(run: Run) -> list[dict]:
    """The run's screening notes (rules that could not be checked fully), as the report shows them."""
    return [{k: n.get(k) for k in ("rule", "en", "id", "cause", "layer")}
            for n in run.manifest.get("screening") or []]


def check_site(site_path, run_dir, *, radius: float | None = None) -> dict:
    """Check the site at ``site_path`` against the run at ``run_dir``: a verdict per rule, the minimum area, the
    score statistics, the rank among extracted sites and what would have to change."""
    run: Run = open_run(run_dir)
    grid = run.grid
    geom, notes = load_site_geometry(site_path, grid, radius=radius)
    win, mask = _site_cells(geom, grid)
    cells = int(mask.sum())
    cell_ha = grid.cell_area / 10_000.0
    reason = _window_of(run, "constraints", win)[mask]
    score = _window_of(run, "score", win)[mask]
    classes = _window_of(run, "classes", win)[mask]
    rows, changes = _constraint_rows(run, reason, cells, cell_ha)
    block_ha = _largest_block(mask, _window_of(run, "constraints", win)) * cell_ha
    site_rules = run.site_rules
    if site_rules.get("min_area_ha"):
        row, change = _min_area_row(site_rules, block_ha)
        rows.append(row)
        if change is not None:
            changes.append(change)
    stats = _score_stats(score, classes, reason, cells, cell_ha)
    rank = _rank_among_extracted(run, stats["score_mean"])
    passes = all(r["passed"] is not False for r in rows)
    budget = site_rules.get("land_budget")
    if budget:
        from kawasan.spatial.sites.explain import land_budget

        stats["land_budget"] = land_budget(block_ha, budget)
    screening = _screening(run)
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
