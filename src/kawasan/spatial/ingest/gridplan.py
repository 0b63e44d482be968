"""Choosing the study grid: UTM zone, snapped bounds, buffer, and a memory check.

UTM zone (Snyder 1987, *Map Projections: A Working Manual*, USGS PP 1395, p. 57): zone
``floor((lon + 180) / 6) + 1`` of the boundary's centroid; the southern hemisphere (EPSG:327zz)
when the centroid's latitude is below 0, else the northern (EPSG:326zz). Indonesia spans zones 46
(Aceh, 95 degrees E) to 54 (Papua, 141 degrees E) on both sides of the equator. A boundary that
straddles a zone edge is still projected into its centroid's zone; the scale error at 3 degrees
outside a zone's central meridian stays below 0.1 %.

Grid: the boundary's bounds in that CRS, grown by a buffer (so distances near the edge see
roads, rivers and towns just outside the regency) and snapped outwards to whole multiples of the
resolution, so that two study areas prepared at the same resolution in the same zone align.
"""
from __future__ import annotations

import math
import os

from affine import Affine
from pyproj import CRS
from rasterio.crs import CRS as RioCRS

from kawasan.errors import InputError
from kawasan.i18n import Message
from kawasan.spatial.grid import Grid

# Bytes per cell held at the peak of `kawasan data prepare` (float32 DEM + float32 warp buffer +
# category rasters and the mask) and of a suitability run (inputs, two float32 grids, a reason grid).
PREPARE_BYTES_PER_CELL = 20
RUN_BYTES_PER_CELL = 24
MAX_SIDE = 2**31 - 1      # GDAL's raster width/height are 32-bit integers


def utm_crs_for(lon: float, lat: float) -> CRS:
    """The WGS 84 / UTM CRS whose zone holds (lon, lat)."""
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise InputError(Message("prepare.err.gridplan.longitude_latitude_cannot_choose", lon=lon, lat=lat))
    zone = min(60, int(math.floor((lon + 180.0) / 6.0)) + 1)
    return CRS.from_epsg((32700 if lat < 0 else 32600) + zone)


def plan_grid(bounds: tuple[float, float, float, float], crs, resolution: float, buffer_m: float) -> Grid:
    """A north-up grid covering ``bounds`` (in ``crs``) plus ``buffer_m``, snapped to ``resolution``."""
    if not (0 < resolution < math.inf):
        raise InputError(Message("prepare.err.gridplan.resolution_must_positive_number", resolution=resolution),
                         field="resolution")
    if not (0 <= buffer_m < math.inf):
        raise InputError(Message("prepare.err.gridplan.buffer_must_zero_more", buffer_m=buffer_m), field="buffer")
    c = CRS.from_user_input(crs)
    if not c.is_projected:
        raise InputError(Message("prepare.err.gridplan.study_grid_needs_projected", c_name=c.name),
                         field="crs")
    units = {(ax.unit_name or "").lower() for ax in c.axis_info}
    if not units <= {"metre", "meter", "m"}:
        raise InputError(Message("prepare.err.gridplan.study_grid_needs_projected_2", c_name=c.name,
                                 v2=', '.join(sorted(units))), field="crs")
    epsg = c.to_epsg()
    if not epsg:
        raise InputError(Message("prepare.err.gridplan.grid_crs_epsg_code", c_name=c.name), field="crs")
    left, bottom, right, top = bounds
    left = math.floor((left - buffer_m) / resolution) * resolution
    bottom = math.floor((bottom - buffer_m) / resolution) * resolution
    right = math.ceil((right + buffer_m) / resolution) * resolution
    top = math.ceil((top + buffer_m) / resolution) * resolution
    width = int(round((right - left) / resolution))
    height = int(round((top - bottom) / resolution))
    if max(width, height) > MAX_SIDE:
        side = max(right - left, top - bottom)
        raise InputError(Message("prepare.err.gridplan.grid_x_cells_at", v1=float(width), v2=float(height),
                                 resolution=resolution, MAX_SIDE=MAX_SIDE,
                                 v5=side / 100000.0), field="resolution")
    rio = RioCRS.from_epsg(epsg)
    return Grid(rio, Affine(resolution, 0.0, left, 0.0, -resolution, top), width, height)


def available_memory() -> int:
    """Bytes of memory available to this process (MemAvailable on Linux, else physical memory)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 8 << 30


def check_fits(grid: Grid, *, limit_bytes: int | None = None) -> dict:
    """Refuse a grid whose preparation would not fit in memory (a suitability run on it runs in chunks).

    Returns the estimate (cells, bytes for prepare and for a run, the limit). The limit is the
    memory available now (or ``limit_bytes``); the message names the size and a resolution that fits.
    """
    cells = grid.width * grid.height
    need_prepare = cells * PREPARE_BYTES_PER_CELL
    need_run = cells * RUN_BYTES_PER_CELL
    limit = int(limit_bytes if limit_bytes is not None else available_memory())
    if limit <= 0:
        raise InputError(Message("prepare.err.gridplan.memory_limit_must_positive", limit=limit), field="max_memory")
    est = {"cells": cells, "width": grid.width, "height": grid.height, "prepare_bytes": need_prepare,
           "run_bytes": need_run, "limit_bytes": limit}
    need = need_prepare   # a suitability run no longer needs the grid in memory: it runs in chunks (issue 15)
    if need > limit:
        res = grid.res[0]
        factor = math.sqrt(need / (0.8 * limit))
        suggest = _nice_resolution(res * factor)
        raise InputError(
            Message("prepare.err.gridplan.grid_x_cells_million", grid_width=grid.width,
                    grid_height=grid.height, v3=cells / 1000000.0, res=res, v5=need / 2 ** 30,
                    v6=limit / 2 ** 30, suggest=suggest), field="resolution")
    return est


def _nice_resolution(r: float) -> float:
    for step in (10, 15, 20, 25, 30, 50, 60, 75, 90, 100, 120, 150, 200, 250, 300, 500, 1000, 2000, 5000):
        if step >= r:
            return float(step)
    return float(math.ceil(r / 1000.0) * 1000)
