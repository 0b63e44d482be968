"""One cell of a finished run explained: score, class, every criterion's raw measure and standardized value,
and every rule that excludes the cell with its legal basis and certainty tag.

The score, class, exclusion bits and standardized criteria are read from the run's rasters (one pixel each).
A run keeps no raw measures (distances, slopes, categories before standardization), so they are measured
again with the engine's own code on a small window of the run's study area around the cell: the window is
the cell grown by the reach of the farthest criterion (its ``max_distance`` plus two cells, one cell for a
slope), so a distance up to ``max_distance`` is exact and a farther one is reported as "beyond". The layers
must be those the run read (their SHA-256 is checked, as for the site criteria); when the study area is gone
or changed the raw values are left out with the reason.
"""
from __future__ import annotations

import math

import numpy as np
import rasterio
from rasterio.windows import Window

from kawasan.errors import InputError, KawasanError
from kawasan.i18n import Message
from kawasan.spatial import engine
from kawasan.spatial.runs.read import Run
from kawasan.spatial.sites.criteria import MeansUnavailable, _criteria_model, _open_area, _sub_area
from kawasan.spatial.sources import resolve as resolve_source
from kawasan.spatial.studyarea import LayerStore


def cell_of(run: Run, x: float, y: float) -> tuple[int, int]:
    """(row, col) of the point (x, y) in the run's CRS; InputError when it is outside the grid."""
    col, row = ~run.grid.transform * (x, y)
    r, c = int(math.floor(row)), int(math.floor(col))
    if not (0 <= r < run.grid.height and 0 <= c < run.grid.width):
        raise InputError(Message("run.err.cellquery.point_outside_run_grid",
                                 point_x=x, point_y=y), field="lon/lat")
    return r, c


def _pixel(path, row: int, col: int) -> float | int | None:
    with rasterio.open(path) as ds:
        v = ds.read(1, window=Window(col, row, 1, 1))[0, 0]
        nodata = ds.nodata
    if isinstance(v, np.floating):
        return None if not np.isfinite(v) or (nodata is not None and v == nodata) else float(v)
    return None if nodata is not None and v == nodata else int(v)


def raw_measures(run: Run, row: int, col: int) -> tuple[dict[str, dict], str | None]:
    """{criterion: {"value", "beyond", "category"}} measured on a window around the cell, and why not
    (None when measured). ``beyond``: a distance at or past the criterion's ``max_distance``, where the engine
    stops measuring; ``category``: the category name of a categorical layer's code."""
    ids = sorted(run.weights)
    if not ids:
        return {}, None
    try:
        model = _criteria_model(run, ids)
        area = _open_area(run, model)
    except (MeansUnavailable, KawasanError) as exc:
        return {}, str(exc)
    cell = min(abs(run.grid.res[0]), abs(run.grid.res[1]))
    reach = max([math.ceil(float(c.max_distance or 0.0) / cell) + 2 if c.measure == "distance" else 1
                 for c in model.criteria] + [1])
    r0, c0 = max(row - reach, 0), max(col - reach, 0)
    r1, c1 = min(row + reach + 1, run.grid.height), min(col + reach + 1, run.grid.width)
    sub = _sub_area(area, model, Window(c0, r0, c1 - c0, r1 - r0))
    store = LayerStore(sub, model)
    out: dict[str, dict] = {}
    scratch = np.empty(sub.grid.shape, dtype=np.float32)
    try:
        for crit in model.criteria:
            src = resolve_source(crit, store)
            if src is None:
                continue
            limit = float(crit.max_distance or 0.0)
            values = engine._measure(crit, src, store, sub.grid, scratch, limit)
            v = float(values[row - r0, col - c0])
            entry = {"value": v if math.isfinite(v) else None,
                     "beyond": crit.measure == "distance" and (not math.isfinite(v) or (limit > 0 and v >= limit))}
            if model.layers[src.layer].type == "categorical" and math.isfinite(v):
                legend = store.codes(src.layer)[2] or {}
                entry["category"] = legend.get(int(v), legend.get(str(int(v))))
            out[crit.id] = entry
    except KawasanError as exc:
        return out, str(exc)
    return out, None


def query_cell(run: Run, x: float, y: float, *, raw: bool = True) -> dict:
    """Everything the run knows about the cell at (x, y) (the run's CRS)."""
    row, col = cell_of(run, x, y)
    score = _pixel(run.output("score"), row, col)
    code = _pixel(run.output("classes"), row, col) or 0
    codes = next((o.get("codes") for o in run.manifest.get("outputs", []) if o.get("role") == "classes"), {}) or {}
    bits = _pixel(run.output("constraints"), row, col) or 0
    standardized = {cid: _pixel(p, row, col) for cid, p in run.criteria_paths().items()}
    measured, why = raw_measures(run, row, col) if raw else ({}, "not asked")
    criteria = []
    for c in run.manifest.get("criteria", []):
        m = measured.get(c["id"]) or {}
        criteria.append({"id": c["id"], "label": c.get("label"), "label_id": c.get("label_id"),
                         "weight": c.get("weight"), "measure": c.get("measure"), "layer": c.get("layer"),
                         "raw": _rounded(m.get("value")), "raw_beyond": bool(m.get("beyond")),
                         "raw_category": m.get("category"), "standardized": _rounded(standardized.get(c["id"]))})
    excluded_by = [{"id": c["id"], "label": c.get("label"), "label_id": c.get("label_id"), "bit": c["bit"],
                    "legal_basis": c.get("legal_basis"), "legal_basis_id": c.get("legal_basis_id"),
                    "certainty": c.get("certainty"), "certainty_meaning": c.get("certainty_meaning"),
                    "source": c.get("source")}
                   for c in run.constraint_bits if c.get("bit") and int(bits) & int(c["bit"])]
    return {"row": row, "col": col, "x": x, "y": y, "score": _rounded(score), "class_code": int(code),
            "class": codes.get(str(int(code)), "nodata"), "excluded": bool(excluded_by),
            "excluded_by": excluded_by, "criteria": criteria, "raw_note": why,
            "synthetic": bool(run.manifest.get("synthetic"))}


def _rounded(v):
    return None if v is None else round(float(v), 4)
