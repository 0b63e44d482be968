"""Criterion means of candidate sites for a run that did not keep its criterion rasters.

A site's explanation ("what makes it good") and the weight stress test need, for each criterion,
the mean of its standardized value over the site's cells. A run made with ``--criteria`` has the
rasters; a default run does not, so the criteria are recomputed here from the run's model and
its study area, on the smallest window that holds every site plus the reach each criterion needs
(its ``max_distance`` for a distance, one cell for a slope), with the same engine as the run:

    mean_i(site) = (1 / |cells|) * sum over the site's cells of s_i(cell)

where s_i is criterion i standardized to 0..1. Distances are exact in the window because every
feature within ``max_distance`` of a site cell lies inside it. The inputs must be those the run
read: each layer's SHA-256 is compared with the run manifest's, and a changed layer is reported
instead of being used.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from rasterio.windows import Window

from kawasan.errors import KawasanError
from kawasan.i18n import LANGUAGES, Message
from kawasan.spatial import rasters, vectors
from kawasan.spatial.engine import evaluate
from kawasan.spatial.grid import Grid
from kawasan.spatial.model import Model, model_from_dict
from kawasan.spatial.runs.read import Run
from kawasan.spatial.sites.candidates import Site
from kawasan.spatial.studyarea import StudyArea, open_study_area, sha256_unchanged

SOURCE_RASTERS = "criteria rasters of the run"
SOURCE_RECOMPUTED = "recomputed at extraction from the run's model and study area"


class MeansUnavailable(Exception):
    """The criterion means cannot be recomputed; the message says why, for the site list's notes."""


def missing_criteria(run: Run) -> list[str]:
    """The run's weighted criteria that have no criterion raster in the run folder."""
    have = run.criteria_paths()
    return sorted(c for c in run.weights if c not in have)


def recompute_means(run: Run, sites: list[Site], criteria: list[str]) -> dict[int, dict[str, float]]:
    """{site id: {criterion: mean standardized value}} for ``criteria``, rounded as explain() rounds.

    Raises MeansUnavailable when the study area is gone or a layer differs from the one the run read.
    """
    if not sites or not criteria:
        return {s.id: {} for s in sites}
    model = _criteria_model(run, criteria)
    area = _open_area(run, model)
    window = _window(run.grid, sites, model)
    sub = _sub_area(area, model, window)
    try:
        ev = evaluate(model, sub, keep_criteria=True, model_source=f"{run.folder}/manifest.json")
    except KawasanError as exc:
        raise MeansUnavailable(Message("run.err.sitecriteria.criteria_could_recomputed",
                                       error={lang: exc.text(lang) for lang in LANGUAGES})) from exc
    out = {}
    for s in sites:
        r0, c0 = s.window.row_off - window.row_off, s.window.col_off - window.col_off
        h, w = s.window.height, s.window.width
        out[s.id] = {cid: round(float(np.nanmean(ev.criteria[cid][r0:r0 + h, c0:c0 + w][s.mask])), 4)
                     for cid in criteria if cid in ev.criteria}
    return out


def _criteria_model(run: Run, criteria: list[str]) -> Model:
    """The run's model reduced to the criteria to recompute: no constraints, no site rules, equal direct
    weights (a criterion's standardized value does not depend on the weights)."""
    data = dict(run.manifest["model"])
    data["criteria"] = [{k: v for k, v in c.items() if k != "group"} for c in data["criteria"] if c["id"] in criteria]
    data["constraints"] = []
    data["weights"] = {"method": "direct", "values": {c: 1.0 for c in criteria}}
    data["aggregation"] = {"method": "wlc"}
    data.pop("sites", None)
    return model_from_dict(data, source=f"{run.folder}/manifest.json")


def _open_area(run: Run, model: Model) -> StudyArea:
    root = run.study_area
    if not root.is_dir():
        raise MeansUnavailable(Message("run.err.sitecriteria.study_area_run_any",
                                       root=root))
    area = open_study_area(root, model)
    recorded = {i["layer"]: i.get("sha256") for i in run.manifest.get("inputs", [])}
    for name in sorted({c.layer for c in model.criteria}):
        p = area.path(model.layers[name])
        if not p.exists():
            raise MeansUnavailable(Message("run.err.sitecriteria.layer_run_missing",
                                           layer=name, path=p))
        if recorded.get(name) and sha256_unchanged(p) != recorded[name]:
            raise MeansUnavailable(Message("run.err.sitecriteria.layer_changed_since_run",
                                           layer=name, path=p))
    return area


def _reach_cells(model: Model, grid: Grid) -> int:
    """Cells of margin around the sites: the farthest distance any criterion measures, or 1 for a slope."""
    cell = min(abs(grid.res[0]), abs(grid.res[1]))
    reach = 0
    for c in model.criteria:
        if c.measure == "distance":
            reach = max(reach, math.ceil(float(c.max_distance or 0.0) / cell) + 2)
        elif c.measure in ("slope_percent", "slope_degrees"):
            reach = max(reach, 1)
    return reach


def _window(grid: Grid, sites: list[Site], model: Model) -> Window:
    """The union of the sites' windows, grown by the criteria's reach and clipped to the grid."""
    m = _reach_cells(model, grid)
    r0 = max(min(s.window.row_off for s in sites) - m, 0)
    c0 = max(min(s.window.col_off for s in sites) - m, 0)
    r1 = min(max(s.window.row_off + s.window.height for s in sites) + m, grid.height)
    c1 = min(max(s.window.col_off + s.window.width for s in sites) + m, grid.width)
    return Window(c0, r0, c1 - c0, r1 - r0)


def _sub_area(area: StudyArea, model: Model, window: Window) -> StudyArea:
    """The study area cut to ``window``, its layers read into memory (only the window of an aligned raster)."""
    import xarray as xr

    g = area.grid
    sub = Grid(g.crs, g.transform @ Affine.translation(window.col_off, window.row_off), int(window.width),
               int(window.height))
    rows = slice(window.row_off, window.row_off + window.height)
    cols = slice(window.col_off, window.col_off + window.width)
    memory = {}
    for name in sorted({c.layer for c in model.criteria}):
        spec = model.layers[name]
        p = area.path(spec)
        if spec.kind == "vector":
            memory[name] = vectors.read_features(p, layer=spec.layer, grid=g, layer_name=name)
            continue
        categorical = spec.type == "categorical"
        if not g.differences(rasters.grid_of(p)):
            with rasterio.open(p) as ds:
                arr = ds.read(spec.band, window=window)
                nodata = ds.nodatavals[spec.band - 1]
        else:   # a layer the run resampled onto the grid (align: true): the same resampling, then the window
            full, nodata = rasters.read_on_grid(p, g, categorical=categorical, allow_resample=model.align,
                                                band=spec.band, layer_name=name)
            arr = np.array(full[rows, cols])
        memory[name] = xr.DataArray(arr, dims=("y", "x"), attrs={} if nodata is None else {"nodata": nodata})
    manifest = {k: v for k, v in area.manifest.items() if k not in ("mask", "grid")}
    return StudyArea(Path(area.root), sub, manifest, memory)
