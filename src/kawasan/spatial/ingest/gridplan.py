"""Choosing the study grid: UTM zone, snapped bounds, buffer, and a memory check.

UTM zone (Snyder 1987, *Map Projections: A Working Manual*, USGS PP 1395, p. 57): zone
``floor((lon + 180) / 6) + 1`` of the boundary's centroid; the southern hemisphere (EPSG:327zz)
when the centroid's latitude is below 0, else the northern (EPSG:326zz). Indonesia spans zones 46
(Aceh, 95 degrees E) to 54 (Papua, 141 degrees E) on both sides of the equator. A boundary that
lies inside one zone keeps that zone: Indonesian regencies stay in the zone their agencies use.

Across zones (issue 15): a boundary whose longitudes cross a zone edge (Java spans 48S-50S, the
country 46-54) is projected into one Albers equal-area conic CRS centred on it (Snyder 1987,
pp. 98-103), the standard parallels at 1/6 and 5/6 of its latitude span (Deetz and Adams' rule,
Snyder p. 99), the latitude of origin and central meridian at the middle of its bounds. Areas are
exact (areal scale 1 everywhere, so hectares from cell counts are right at both ends); distances
have a scale error ``max(|k - 1|, |1/k - 1|)`` (k the scale along the parallel, 1/k along the
meridian) that grows with the latitude span only: 0.018 % over Java, 0.62 % over the whole country.
One grid in one CRS has no zone border inside it: no seam, no site counted twice or cut. A
boundary symmetric about the equator (n = 0, the cone becomes a cylinder) uses Lambert's
cylindrical equal-area with the same standard parallel. ``projection_report`` measures both errors
with pyproj's ``get_factors`` over the boundary's bounds; the manifest records them.

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
MIN_WINDOW = 16           # cells a side of the smallest window data prepare writes by


def utm_crs_for(lon: float, lat: float) -> CRS:
    """The WGS 84 / UTM CRS whose zone holds (lon, lat)."""
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise InputError(Message("prepare.err.gridplan.longitude_latitude_cannot_choose", lon=lon, lat=lat))
    zone = utm_zone(lon)
    return CRS.from_epsg((32700 if lat < 0 else 32600) + zone)


def utm_zone(lon: float) -> int:
    """The UTM zone number (1-60) of a longitude: ``floor((lon + 180) / 6) + 1`` (Snyder 1987, p. 57)."""
    return min(60, int(math.floor((lon + 180.0) / 6.0)) + 1)


def zones_of(bounds_wgs84: tuple[float, float, float, float]) -> list[int]:
    """The UTM zones a (west, south, east, north) box spans, west to east."""
    west, _, east, _ = bounds_wgs84
    return list(range(utm_zone(west), utm_zone(east) + 1))


def equal_area_crs(bounds_wgs84: tuple[float, float, float, float]) -> CRS:
    """An Albers equal-area CRS centred on a (west, south, east, north) box (see the module docstring).

    Parameters are rounded to 0.001 degree so the same boundary always gives the same CRS."""
    from pyproj.crs import GeographicCRS, ProjectedCRS
    from pyproj.crs.coordinate_operation import (AlbersEqualAreaConversion,
                                                 LambertCylindricalEqualAreaConversion)

    west, south, east, north = bounds_wgs84
    span = north - south
    lat1, lat2 = round(south + span / 6.0, 3), round(north - span / 6.0, 3)
    lat0, lon0 = round((south + north) / 2.0, 3), round((west + east) / 2.0, 3)
    wgs84 = GeographicCRS(datum="WGS84")
    if abs(lat1 + lat2) < 1e-3:     # a cone with n = (sin lat1 + sin lat2) / 2 = 0 is a cylinder
        conv = LambertCylindricalEqualAreaConversion(latitude_first_parallel=abs(lat1), longitude_natural_origin=lon0)
        return ProjectedCRS(conv, name=f"kawasan equal-area: Lambert cylindrical {lon0:g}E ts {abs(lat1):g}",
                            geodetic_crs=wgs84)
    conv = AlbersEqualAreaConversion(lat1, lat2, latitude_false_origin=lat0, longitude_false_origin=lon0)
    return ProjectedCRS(conv, name=f"kawasan equal-area: Albers {lon0:g}E {lat1:g}/{lat2:g}", geodetic_crs=wgs84)


def choose_crs(bounds_wgs84: tuple[float, float, float, float], centre: tuple[float, float]) -> tuple[CRS, str]:
    """The study CRS of a boundary and its scheme: ``"utm"`` (the centre's zone) when the boundary lies in
    one zone, ``"equal_area"`` (:func:`equal_area_crs`) when it crosses a zone edge."""
    if len(zones_of(bounds_wgs84)) > 1:
        return equal_area_crs(bounds_wgs84), "equal_area"
    return utm_crs_for(*centre), "utm"


def projection_report(crs, bounds_wgs84: tuple[float, float, float, float], scheme: str, n: int = 21) -> dict:
    """The scheme, the UTM zones spanned and the largest scale errors of ``crs`` over the box, from pyproj's
    ``Proj.get_factors`` on an n x n lattice: area ``|a - 1|`` (a the areal scale) and distance
    ``max(|h - 1|, |k - 1|)`` (h, k the meridional and parallel scales), as fractions."""
    import numpy as np
    from pyproj import Proj

    west, south, east, north = bounds_wgs84
    lon, lat = np.meshgrid(np.linspace(west, east, n), np.linspace(south, north, n))
    f = Proj(CRS.from_user_input(crs)).get_factors(lon.ravel(), lat.ravel())
    dist = np.maximum(np.abs(np.asarray(f.meridional_scale) - 1), np.abs(np.asarray(f.parallel_scale) - 1))
    return {"scheme": scheme, "utm_zones": zones_of(bounds_wgs84),
            "max_area_scale_error": float(f"{float(np.max(np.abs(np.asarray(f.areal_scale) - 1))):.3g}"),
            "max_distance_scale_error": float(f"{float(np.max(dist)):.3g}")}


def plan_grid(bounds: tuple[float, float, float, float], crs, resolution: float, buffer_m: float, *,
              require_epsg: bool = True) -> Grid:
    """A north-up grid covering ``bounds`` (in ``crs``) plus ``buffer_m``, snapped to ``resolution``.

    ``require_epsg=False`` admits a CRS without an EPSG code (the equal-area CRS of :func:`equal_area_crs`,
    recorded in the manifest as WKT)."""
    if not (0 < resolution < math.inf):
        raise InputError(Message("prepare.err.gridplan.resolution_must_positive_number", resolution=resolution),
                         field="resolution")
    if not (0 <= buffer_m < math.inf):
        raise InputError(Message("prepare.err.gridplan.buffer_must_zero_more", buffer_m=buffer_m), field="buffer")
    c = CRS.from_user_input(crs)
    if not c.is_projected:
        raise InputError(Message("prepare.err.gridplan.study_grid_needs_projected", crs=c.name),
                         field="crs")
    units = {(ax.unit_name or "").lower() for ax in c.axis_info}
    if not units <= {"metre", "meter", "m"}:
        raise InputError(Message("prepare.err.gridplan.study_grid_needs_projected_2", crs=c.name,
                                 units=', '.join(sorted(units))), field="crs")
    epsg = c.to_epsg()
    if not epsg and require_epsg:
        raise InputError(Message("prepare.err.gridplan.grid_crs_epsg_code", crs=c.name), field="crs")
    left, bottom, right, top = bounds
    left = math.floor((left - buffer_m) / resolution) * resolution
    bottom = math.floor((bottom - buffer_m) / resolution) * resolution
    right = math.ceil((right + buffer_m) / resolution) * resolution
    top = math.ceil((top + buffer_m) / resolution) * resolution
    width = int(round((right - left) / resolution))
    height = int(round((top - bottom) / resolution))
    if max(width, height) > MAX_SIDE:
        side = max(right - left, top - bottom)
        raise InputError(Message("prepare.err.gridplan.grid_x_cells_at", width=float(width), height=float(height),
                                 resolution=resolution, max_side=MAX_SIDE,
                                 min_resolution=side / 100000.0), field="resolution")
    rio = RioCRS.from_epsg(epsg) if epsg else RioCRS.from_wkt(c.to_wkt())
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


def check_fits(grid: Grid, *, limit_bytes: int | None = None, halo: int = 0, window: int | None = None) -> dict:
    """The memory plan of ``kawasan data prepare`` on ``grid``: the window size its layers are written by.

    A grid that fits in one window of ``windows.WINDOW`` cells is prepared whole, as before; a larger one
    window by window, so the peak is a window grown by ``halo`` cells on each side (the DEM's void-filling
    reach), ``PREPARE_BYTES_PER_CELL`` bytes a cell, whatever the grid. The window shrinks (by 512-cell
    blocks, down to 512) until that fits ``limit_bytes`` (default: the memory available now); below that
    the limit is refused, naming what one window needs. ``window`` imposes the window size (at least
    ``MIN_WINDOW`` cells; tests use small windows on small grids). Returns the estimate (cells, bytes for a whole
    prepare and for an in-memory run, the window, the bytes a window needs, the limit).
    """
    from kawasan.spatial.ingest.windows import BLOCK, WINDOW

    cells = grid.width * grid.height
    limit = int(limit_bytes if limit_bytes is not None else available_memory())
    if limit <= 0:
        raise InputError(Message("prepare.err.gridplan.memory_limit_must_positive", limit=limit), field="max_memory")
    if window is not None:
        if isinstance(window, bool) or not isinstance(window, int) or not MIN_WINDOW <= window <= MAX_SIDE:
            raise InputError(Message("prepare.err.gridplan.window_size", window=window, least=MIN_WINDOW),
                             field="window")
    else:
        window = WINDOW
        while window > BLOCK and _window_bytes(grid, window, halo) > 0.8 * limit:
            window -= BLOCK
    need = _window_bytes(grid, window, halo)
    est = {"cells": cells, "width": grid.width, "height": grid.height,
           "prepare_bytes": cells * PREPARE_BYTES_PER_CELL, "run_bytes": cells * RUN_BYTES_PER_CELL,
           "window": window, "windows": math.ceil(grid.height / window) * math.ceil(grid.width / window),
           "window_bytes": need, "limit_bytes": limit}
    if need > limit:
        raise InputError(Message("prepare.err.gridplan.window_does_not_fit", window=window, need_gb=need / 2 ** 30,
                                 available_gb=limit / 2 ** 30), field="max_memory")
    return est


def _window_bytes(grid: Grid, window: int, halo: int) -> int:
    """Bytes held while one window (grown by ``halo`` cells a side, never beyond the grid) is prepared."""
    h = min(grid.height, window + 2 * halo)
    w = min(grid.width, window + 2 * halo)
    return h * w * PREPARE_BYTES_PER_CELL


