"""Elevation onto the study grid: tiles mosaicked, voids filled, reprojected, checked for coverage.

Inputs: any GDAL-readable elevation rasters, typically SRTM 1 arc-second ``.hgt`` tiles (also
inside ``.zip``, every tile of the archive), Copernicus GLO-30 or DEMNAS GeoTIFF tiles, in any CRS.

Rules (docs/reference/prepare.md):

- **Mosaic and reprojection.** Each tile is warped onto the study grid on its own and the results
  are combined, the first tile given winning where tiles overlap (SRTM/Copernicus neighbours share
  their edge row, with equal values). Resampling is *bilinear* when the target cell is less than
  twice the source cell, and *average* when coarser (so a 90 m grid from 30 m tiles averages the
  9 source cells instead of sampling one); nearest-neighbour is never used for elevation.
- **Values.** A band's scale and offset (GDAL metadata) are applied: elevation = value x scale + offset.
- **Voids.** Cells inside a tile's footprint with no value (SRTM voids, -32768) are filled by
  GDAL's inverse-distance interpolation (``GDALFillNodata``; rasterio.fill.fillnodata) from valid
  cells up to ``max_fill_m`` away (default 3 km); larger voids stay NoData and are reported.
- **Coverage.** Cells of the boundary that no tile covers are counted; more than
  ``tolerance`` (default 0.1 %) of the boundary uncovered is refused with the area missing and the
  names of the 1-degree tiles that would cover it.
"""
from __future__ import annotations

import math
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import rasterio
from rasterio import features
from rasterio.enums import Resampling
from rasterio.errors import RasterioIOError
from rasterio.warp import reproject, transform_geom

from kawasan import guarded
from kawasan.errors import InputError, RasterError
from kawasan.i18n import Message
from kawasan.spatial.grid import Grid

NODATA = -9999.0


@dataclass
class DemResult:
    array: np.ndarray                       # float32 on the grid, NODATA where unknown
    tiles: list[dict] = field(default_factory=list)
    resampling: str = "bilinear"
    voids_filled_ha: float = 0.0
    voids_left_ha: float = 0.0
    covered_share: float = 1.0              # of the boundary
    notes: list[str] = field(default_factory=list)


def open_path(path: Path) -> str:
    """The GDAL path of a DEM file; a .zip is opened through /vsizip/ at its first raster member."""
    return open_paths(path)[0]


def open_paths(path: Path) -> list[str]:
    """The GDAL paths of a DEM file: the file itself, or every .hgt/GeoTIFF member of a .zip (/vsizip/)."""
    p = Path(path)
    if p.suffix.lower() == ".zip":
        try:
            with zipfile.ZipFile(p) as zf:
                members = [n for n in zf.namelist() if n.lower().endswith((".hgt", ".tif", ".tiff"))]
        except (zipfile.BadZipFile, OSError) as exc:
            raise RasterError(Message("prepare.err.dem.readable_zip_archive", exc=str(exc)), source=str(p)) from exc
        if not members:
            raise RasterError(Message("prepare.err.dem.zip_archive_hgt_geotiff"), source=str(p))
        return [f"/vsizip/{p}/{m}" for m in members]
    return [str(p)]


DEM_SUFFIXES = (".hgt", ".tif", ".tiff", ".zip")


def expand_paths(paths) -> list[Path]:
    """The DEM files named: a file as given, a folder as every .hgt/.tif/.zip file in it, a quoted
    wildcard (``'tiles/*.hgt'``) as the files it matches; each in sorted order."""
    import glob

    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.name.lower().endswith(DEM_SUFFIXES))
            if not found:
                raise RasterError(Message("prepare.err.dem.folder_dem_file_hgt"), source=str(p), field="dem")
            out += found
        elif not p.exists() and any(ch in str(raw) for ch in "*?["):
            found = sorted(Path(f) for f in glob.glob(str(raw)))
            if not found:
                raise RasterError(Message("prepare.err.dem.file_matches_this_pattern"), source=str(raw), field="dem")
            out += found
        else:
            out.append(p)
    return out


def tile_name(lon: int, lat: int) -> str:
    """SRTM-style name of the 1-degree tile whose south-west corner is (lon, lat), e.g. S08E113."""
    return f"{'S' if lat < 0 else 'N'}{abs(lat):02d}{'W' if lon < 0 else 'E'}{abs(lon):03d}"


def prepare_dem(paths: list[Path], grid: Grid, aoi: np.ndarray, *, assume_crs: str | None = None,
                max_fill_m: float = 3000.0, tolerance: float = 0.001, boundary_wgs84=None) -> DemResult:
    """Mosaic ``paths`` onto ``grid``; ``aoi`` is the boundary mask (bool) used for the coverage check."""
    if not paths:
        raise InputError(Message("prepare.err.dem.dem_file_given"), field="dem")
    paths = expand_paths(paths)
    res_m = grid.res[0]
    acc = np.full(grid.shape, np.nan, dtype=np.float32)
    footprint = np.zeros(grid.shape, dtype=np.uint8)
    tiles, methods = [], set()
    buf = np.empty(grid.shape, dtype=np.float32)
    for path, gpath in [(p, g) for p in paths for g in open_paths(Path(p))]:
        try:
            src = rasterio.open(gpath)
        except RasterioIOError as exc:
            raise RasterError(Message("prepare.err.dem.readable_elevation_raster_srtm", exc=str(exc)),
                              source=str(path)) from exc
        with src, guarded.guard(path, RasterError, "elevation raster"):
            crs = src.crs
            if crs is None:
                if not assume_crs:
                    raise RasterError(Message("prepare.err.dem.dem_crs_give_with"),
                                      source=str(path))
                crs = rasterio.crs.CRS.from_user_input(assume_crs)
            if src.count < 1:
                raise RasterError(Message("prepare.err.dem.file_raster_band"), source=str(path))
            src_res = _source_res_m(src, crs)
            method = Resampling.average if res_m >= 2.0 * src_res else Resampling.bilinear
            methods.add(method.name)
            nodata = src.nodata
            data = src.read(1, masked=False).astype(np.float32, copy=False)
            if nodata is not None:
                data = np.where(data == np.float32(nodata), np.nan, data)
            # SRTM marks voids -32768 even when a file forgets to declare it; +-inf is no elevation either
            data[(data <= -32767) | np.isinf(data)] = np.nan
            if not np.isfinite(data).any():
                raise RasterError("the DEM holds no finite elevation (every cell is NoData, NaN or infinite); "
                                  "expected heights in metres", source=str(path))
            # a band with a scale/offset (integers holding decimetres, say) stores (z - offset) / scale
            scale, offset = (src.scales or (1.0,))[0], (src.offsets or (0.0,))[0]
            if (scale not in (None, 1.0)) or (offset not in (None, 0.0)):
                data = data * np.float32(1.0 if scale is None else scale) + np.float32(offset or 0.0)
            buf.fill(np.nan)
            reproject(data, buf, src_transform=src.transform, src_crs=crs, src_nodata=np.nan,
                      dst_transform=grid.transform, dst_crs=grid.crs, dst_nodata=np.nan, resampling=method,
                      init_dest_nodata=True, num_threads=2)
            fp = _footprint(src, crs, grid)
            footprint |= fp
            take = np.isnan(acc) & ~np.isnan(buf)
            acc[take] = buf[take]
            lo, hi = (float(np.nanmin(data)), float(np.nanmax(data))) if np.isfinite(data).any() else (None, None)
            tiles.append({"path": str(path), **({"member": gpath.split(".zip/", 1)[-1]} if gpath != str(path) else {}),
                          "crs": _crs_str(crs), "width": src.width, "height": src.height,
                          "resolution_m": round(src_res, 2), "min": lo, "max": hi,
                          "cells_on_grid": int(np.count_nonzero(fp))})
    del buf
    foot = footprint.astype(bool)
    cell_ha = grid.cell_area / 1e4
    # coverage of the boundary
    aoi_cells = int(np.count_nonzero(aoi))
    uncovered = aoi & ~foot
    n_unc = int(np.count_nonzero(uncovered))
    share = 1.0 - n_unc / aoi_cells if aoi_cells else 0.0
    if aoi_cells and n_unc / aoi_cells > tolerance:
        need = _missing_tiles(uncovered, grid)
        tiles = Message("prepare.err.dem.tiles_needed", tiles=", ".join(need)) if need else ""
        raise RasterError(Message("prepare.err.dem.partial_cover", percent=share * 100, km2=n_unc * cell_ha / 100,
                                  ha=n_unc * cell_ha, tiles=tiles),
                          source=", ".join(str(p) for p in paths), field="dem")
    # voids inside the footprint
    voids = foot & np.isnan(acc)
    n_void = int(np.count_nonzero(voids))
    filled_ha = left_ha = 0.0
    notes = []
    if n_void:
        from rasterio.fill import fillnodata

        sentinel = np.float32(-3.0e38)   # never a valid elevation; cells still holding it were not reached
        valid = (~np.isnan(acc)).astype(np.uint8)
        filled = fillnodata(np.where(np.isnan(acc), sentinel, acc), mask=valid,
                            max_search_distance=max(1.0, max_fill_m / res_m), smoothing_iterations=0)
        got = voids & (filled > -1.0e38)
        acc[got] = filled[got]
        n_left = int(np.count_nonzero(foot & np.isnan(acc)))
        filled_ha = (n_void - n_left) * cell_ha
        left_ha = n_left * cell_ha
        notes.append(Message("prepare.note.dem.ha_dem_voids_filled", filled_ha=filled_ha, max_fill_m=max_fill_m))
        if n_left:
            n_in = int(np.count_nonzero(aoi & foot & np.isnan(acc)))
            where = (Message("prepare.note.dem.voids_inside", ha=n_in * cell_ha, percent=n_in / aoi_cells * 100)
                     if n_in and aoi_cells else Message("prepare.note.dem.voids_in_buffer"))
            notes.append(Message("prepare.note.dem.voids_left", ha=left_ha, max_fill_m=max_fill_m, where=where))
    if n_unc:
        notes.append(Message("prepare.note.dem.ha_boundary_outside_every", v1=n_unc * cell_ha,
                             v2=tolerance * 100))
    out = np.where(np.isnan(acc), np.float32(NODATA), acc).astype(np.float32)
    return DemResult(out, tiles, "/".join(sorted(methods)), filled_ha, left_ha, share, notes)


def _source_res_m(src, crs) -> float:
    rx = abs(src.transform.a)
    if crs.is_geographic:
        lat = (src.bounds.top + src.bounds.bottom) / 2.0
        return rx * 111_320.0 * max(0.05, math.cos(math.radians(lat)))
    return rx


def _footprint(src, crs, grid: Grid) -> np.ndarray:
    """Cells of the grid inside the tile's extent (its bounds polygon warped to the grid CRS)."""
    b = src.bounds
    ring = _densified_box(b.left, b.bottom, b.right, b.top, 32)
    geom = transform_geom(crs, grid.crs, {"type": "Polygon", "coordinates": [ring]})
    return features.rasterize([(geom, 1)], out_shape=grid.shape, transform=grid.transform, dtype="uint8")


def _densified_box(l, b, r, t, n):
    xs = np.linspace(l, r, n)
    ys = np.linspace(b, t, n)
    ring = ([(x, b) for x in xs] + [(r, y) for y in ys[1:]] + [(x, t) for x in xs[::-1][1:]]
            + [(l, y) for y in ys[::-1][1:]])
    return [list(p) for p in ring]


def _missing_tiles(mask: np.ndarray, grid: Grid, limit: int = 30) -> list[str]:
    """Names of the 1-degree tiles covering the cells in ``mask`` (sampled)."""
    from pyproj import Transformer

    rows, cols = np.nonzero(mask)
    if rows.size == 0:
        return []
    step = max(1, rows.size // 20000)
    rows, cols = rows[::step], cols[::step]
    xs = grid.transform.c + (cols + 0.5) * grid.transform.a
    ys = grid.transform.f + (rows + 0.5) * grid.transform.e
    lon, lat = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True).transform(xs, ys)
    names = sorted({tile_name(int(math.floor(a)), int(math.floor(b))) for a, b in zip(lon, lat)})
    return names[:limit]


def _crs_str(crs) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()
