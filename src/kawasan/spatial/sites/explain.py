"""Explain candidate sites: what is there, what makes it good, where it is.

Per site: area; score mean/min/max; the mean of each standardized criterion (what makes it
good); the share of each land-cover and zoning class; distances from the site's edge to the
nearest arterial road, port, settlement and river (shapely, in the grid CRS); slope statistics
(Horn, from the DEM); and the administrative units it overlaps when boundary layers are given.
Everything is read in the site's own window, so the cost follows the sites, not the grid.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import rasterio
from pyproj import Transformer
from rasterio.windows import Window

from kawasan.errors import InputError, VectorError
from kawasan.i18n import Message
from kawasan.spatial import kernels, vectors
from kawasan.spatial.runs.read import Run
from kawasan.spatial.sites.candidates import Site

# distance key -> the (layer path, feature filter) pairs whose features count: the study-area layers the
# presets and the demo use. A toll road is reached only at its gates; a filter attribute a layer lacks (an
# earlier workspace without 'entry') is left out of the filter.
PROXIMITY = {
    "arterial_road": [("roads.gpkg", {"class": ["arterial"], "entry": ["any"]}), ("toll_gates.gpkg", None)],
    "port": [("ports.gpkg", None)],
    "settlement": [("settlements.gpkg", None)],
    "river": [("rivers.gpkg", None)],
}
SHARE_LAYERS = {"landcover": "landcover.tif", "zoning": "zoning.tif"}


def explain(run: Run, sites: list[Site], *, admin: list[dict] | None = None) -> list[dict]:
    """One record per site: area, score statistics, criterion means, class shares, slope, distances to roads,
    ports, settlements and rivers, administrative units, and the run's land budget, screening and proxies."""
    grid = run.grid
    area_dir = run.study_area
    study = _study_manifest(area_dir)
    cell_ha = grid.cell_area / 10_000.0
    crit_paths = run.criteria_paths()
    to_ll = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True)
    near = {k: _features([(area_dir / path, where) for path, where in sources], grid)
            for k, sources in PROXIMITY.items()}
    screening, proxies = _run_notes(run)
    budget = run.site_rules.get("land_budget")
    admins = [_admin_layer(a, grid) for a in (admin or [])]
    # Many or large sites: read each layer once; a few small ones: read only their windows.
    whole = sum(s.window.width * s.window.height for s in sites) > 0.2 * grid.width * grid.height
    # layer by layer (one full layer in memory at a time, each file opened once), site by site inside
    scores = _site_scores(run, sites, whole)
    crit_means = _criteria_means(crit_paths, sites, whole)
    shares = _class_shares(area_dir, study, sites, whole)
    slopes = _slope_stats(area_dir / "dem.tif", sites, grid)
    geoms = [s.geometry for s in sites]
    distances = {k: _nearest(gdf, geoms) for k, gdf in near.items()}
    out = []
    for i, s in enumerate(sites):
        info = {**_site_summary(s, scores[s.id], cell_ha, to_ll), "criteria_means": crit_means[s.id], **shares[s.id]}
        info["slope_percent"] = slopes[i]
        info["distance_m"] = {k: (round(float(d[i]), 1) if d is not None else None) for k, d in distances.items()}
        info["admin"] = [_admin_overlap(layer, s.geometry) for layer in admins]
        _add_run_notes(info, budget, screening, proxies)
        out.append(info)
    return out


def _run_notes(run: Run) -> tuple[list[dict], list[dict]]:
    """The run's screening notes (rules not fully checked) and proxies (rules that read a stand-in for their
    legal layer), as each site's record repeats them."""
    screening = [{k: n.get(k) for k in ("rule", "en", "id", "cause", "layer")}
                 for n in run.manifest.get("screening") or []]
    proxies = [{k: pr.get(k) for k in ("kind", "id", "layer", "instead_of", "note", "note_id")}
               for pr in run.manifest.get("proxies") or []]
    return screening, proxies


def _site_scores(run: Run, sites: list[Site], whole: bool) -> dict:
    """Site id -> (mean, min, max) of the score over the site's cells (NaN ignored); the score held in memory
    when the run has it, else read from its file (the run's own error when it has none)."""
    score_path = run.output("score")
    if "score" not in run._cache and (score_path is None or not score_path.exists()):
        run.raster("score")         # the run's own error: the run has no score raster
    return {s.id: (np.nanmean(v), np.nanmin(v), np.nanmax(v)) for s, v in
            (_site_values(run._cache["score"], sites) if "score" in run._cache
             else _site_values(score_path, sites, whole))}


def _criteria_means(crit_paths: dict, sites: list[Site], whole: bool) -> dict:
    """Site id -> {criterion id: mean of the standardized criterion over the site's cells}, criteria sorted."""
    crit_means = {s.id: {} for s in sites}
    for cid, path in sorted(crit_paths.items()):
        for s, v in _site_values(path, sites, whole):
            crit_means[s.id][cid] = round(float(np.nanmean(v)), 4)
    return crit_means


def _class_shares(area_dir: Path, study: dict, sites: list[Site], whole: bool) -> dict:
    """Site id -> {"landcover_shares": ..., "zoning_shares": ...}: the share of each class of the study area's
    land-cover and zoning rasters (those it has) over the site's cells."""
    shares = {s.id: {} for s in sites}
    for key, fname in SHARE_LAYERS.items():
        if (area_dir / fname).exists():
            legend = study.get(key, {}).get("categories", {})
            for s, v in _site_values(area_dir / fname, sites, whole):
                shares[s.id][f"{key}_shares"] = _shares(v, legend)
    return shares


def _site_summary(s: Site, score: tuple, cell_ha: float, to_ll: Transformer) -> dict:
    """The head of a site's record: id, area (cells x cell area), score mean/min/max, compactness, and the
    centroid in the grid CRS and in longitude/latitude (WGS 84)."""
    mean, lo, hi = score
    c = s.geometry.centroid
    lon, lat = to_ll.transform(c.x, c.y)
    return {
        "id": s.id,
        "area_ha": round(s.cells * cell_ha, 2),
        "cells": s.cells,
        "score_mean": round(float(mean), 4),
        "score_min": round(float(lo), 4),
        "score_max": round(float(hi), 4),
        "compactness": round(s.attrs.get("compactness", 0.0), 4),
        "centroid": {"x": round(c.x, 1), "y": round(c.y, 1), "lon": round(lon, 6), "lat": round(lat, 6)},
    }


def _add_run_notes(info: dict, budget: dict | None, screening: list[dict], proxies: list[dict]) -> None:
    """Add to a site's record the run's land budget applied to its area, and the run's screening and proxies
    (each only when the run has one)."""
    if budget:
        info["land_budget"] = land_budget(info["area_ha"], budget)
    if screening:
        info["screening"] = screening
    if proxies:
        info["proxies"] = proxies      # rules of the run that read a stand-in for their legal layer


def land_budget(gross_ha: float, budget: dict) -> dict:
    """How a site's gross area divides: industrial plots at most plots_target (plots_max) of it, green space
    and roads at least their shares (the model's sites.land_budget)."""
    return {"gross_ha": round(gross_ha, 2),
            "plots_target_ha": round(gross_ha * budget["plots_target"], 2),
            "plots_max_ha": round(gross_ha * budget["plots_max"], 2),
            "green_min_ha": round(gross_ha * budget["green_min"], 2),
            "roads_min_ha": round(gross_ha * budget["roads_min"], 2)}


def _study_manifest(area_dir: Path) -> dict:
    p = area_dir / "manifest.json"
    if not p.exists():
        return {}
    try:
        return json.loads(p.read_text(encoding="utf-8")).get("layers", {})
    except ValueError:
        return {}


def _features(sources, grid):
    """The features of every (path, where) source, in the grid CRS (None when there are none)."""
    import pandas as pd

    parts = []
    for path, where in sources:
        if not path.exists():
            continue
        try:
            gdf = vectors.read_features(path, grid=grid)
        except VectorError:
            continue
        for attr, vals in (where or {}).items():
            if attr in gdf.columns:
                gdf = gdf[gdf[attr].astype(str).isin([str(v) for v in vals])]
        if len(gdf):
            parts.append(gdf[["geometry"]])
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


def _site_values(source, sites: list[Site], whole: bool = True):
    """Yield (site, the layer's values on the site's cells) for every site, in order.

    ``source`` is a path (opened once for all sites: the whole band read when ``whole``, else each site's
    window) or an array of the whole grid already in memory."""
    if isinstance(source, np.ndarray):
        for s in sites:
            r, c = s.window.row_off, s.window.col_off
            yield s, source[r:r + s.window.height, c:c + s.window.width][s.mask]
        return
    with rasterio.open(source) as ds:
        if whole:
            arr = ds.read(1)
            yield from _site_values(arr, sites)
            return
        for s in sites:
            yield s, ds.read(1, window=s.window)[s.mask]


def _shares(codes: np.ndarray, legend: dict) -> dict:
    vals, counts = np.unique(codes, return_counts=True)
    total = counts.sum()
    return {legend.get(str(int(v)), str(int(v))): round(float(n) / total, 4) for v, n in zip(vals, counts)}


def _slope_stats(dem_path: Path, sites: list[Site], grid) -> list[dict | None]:
    """Per site, slope statistics in percent (Horn's 3 x 3, ``kernels.slope_percent``) on its cells: mean,
    max, 90th percentile and the share above 15 %. The DEM is opened once; each site's window is read with
    one cell around it (NaN beyond the grid's edge, as the whole grid's edge has no neighbour)."""
    if not dem_path.exists():
        return [None] * len(sites)
    out = []
    with rasterio.open(dem_path) as ds:
        for s in sites:
            dem = _padded_read(ds, s.window)
            sl = kernels.slope_percent(dem, float(grid.res[0]), float(grid.res[1]), np.empty_like(dem))
            sl = sl[1:-1, 1:-1][s.mask]
            sl = sl[np.isfinite(sl)]
            out.append(None if sl.size == 0 else
                       {"mean": round(float(sl.mean()), 2), "max": round(float(sl.max()), 2),
                        "p90": round(float(np.percentile(sl, 90)), 2),
                        "share_above_15": round(float((sl > 15).mean()), 4)})
    return out


def _padded_read(ds, w: Window) -> np.ndarray:
    """float32 band 1 on ``w`` grown by one cell, NaN outside the dataset and on its NoData."""
    r0, c0 = int(w.row_off) - 1, int(w.col_off) - 1
    h, wd = int(w.height) + 2, int(w.width) + 2
    dem = np.full((h, wd), np.nan, dtype=np.float32)
    rr0, cc0 = max(0, r0), max(0, c0)
    rr1, cc1 = min(ds.height, r0 + h), min(ds.width, c0 + wd)
    if rr1 > rr0 and cc1 > cc0:
        part = ds.read(1, window=Window(cc0, rr0, cc1 - cc0, rr1 - rr0)).astype(np.float32)
        if ds.nodata is not None:
            part[part == np.float32(ds.nodata)] = np.nan
        dem[rr0 - r0:rr1 - r0, cc0 - c0:cc1 - c0] = part
    return dem


def _nearest(gdf, geoms: list) -> np.ndarray | None:
    """Per geometry, the distance to the nearest feature of ``gdf`` (None: no features): one query of the
    layer's spatial index for all sites (GEOS distance, the same value as ``gdf.distance(g).min()``)."""
    if gdf is None:
        return None
    out = np.full(len(geoms), np.nan)
    if not geoms:
        return out
    (which, _), dist = gdf.sindex.nearest(geoms, return_all=False, return_distance=True)
    out[which] = dist
    return out


def _admin_layer(spec: dict, grid) -> dict:
    path = Path(spec["path"])
    gdf = vectors.read_features(path, grid=grid)
    name_field = spec.get("name_field") or next((c for c in ("nama", "name", "NAME", "Nama") if c in gdf.columns), None)
    if name_field is None or name_field not in gdf.columns:
        raise InputError(Message("run.err.explain.name_field_give_one",
                                 columns=', '.join((c for c in gdf.columns if c != 'geometry'))),
                         source=str(path), field="name_field")
    code_field = spec.get("code_field") or next((c for c in ("kode", "code", "KODE") if c in gdf.columns), None)
    gdf = gdf.assign(geometry=gdf.geometry.make_valid())
    return {"layer": spec.get("label") or path.stem, "gdf": gdf, "name": name_field, "code": code_field}


def _admin_overlap(layer: dict, geom) -> dict:
    gdf = layer["gdf"]
    hits = gdf.iloc[np.sort(gdf.sindex.query(geom, predicate="intersects"))]   # the units it touches, in order
    units = []
    for _, row in hits.iterrows():
        share = row.geometry.intersection(geom).area / geom.area if geom.area else 0.0
        if share > 0:
            units.append({"name": str(row[layer["name"]]),
                          **({"code": str(row[layer["code"]])} if layer["code"] else {}),
                          "share": round(float(share), 4)})
    units.sort(key=lambda u: -u["share"])
    return {"layer": layer["layer"], "units": units, "main": units[0]["name"] if units else None}
