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
from rasterio.windows import Window
from rasterio.warp import reproject, transform_geom

from kawasan import guarded
from kawasan.errors import InputError, RasterError
from kawasan.i18n import Message
from kawasan.spatial.grid import Grid

NODATA = -9999.0


@dataclass
class DemResult:
    array: np.ndarray | None                # float32 on the grid, NODATA where unknown (None when windowed)
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


@dataclass
class Tile:
    """One elevation raster, checked and described, ready to be warped onto any window of the grid."""
    path: Path
    gpath: str                      # the GDAL path (a /vsizip/ member for a tile inside a .zip)
    crs: object
    method: Resampling
    info: dict                      # the manifest's entry (cells_on_grid added as windows are counted)
    outline: dict | None = None     # the tile's extent in the grid CRS (GeoJSON polygon, densified)


def prepare_dem(paths: list[Path], grid: Grid, aoi: np.ndarray, *, assume_crs: str | None = None,
                max_fill_m: float = 3000.0, tolerance: float = 0.001, boundary_wgs84=None) -> DemResult:
    """Mosaic ``paths`` onto ``grid``; ``aoi`` is the boundary mask (bool) used for the coverage check.

    The whole grid in one window (:class:`DemMosaic` does the same window by window)."""
    from kawasan.spatial.ingest.windows import Canvas

    canvas = Canvas(grid, size=max(grid.width, grid.height, 1))
    canvas.set_mask(whole=np.asarray(aoi))
    mosaic = DemMosaic(paths, canvas, assume_crs=assume_crs, max_fill_m=max_fill_m, tolerance=tolerance)
    array = mosaic.window(canvas.windows[0])
    return mosaic.result(array)


class DemMosaic:
    """The DEM of a study grid, produced window by window (docs/reference/prepare.md, module docstring).

    Built in two passes: the constructor checks every tile and the coverage of the boundary (tile
    outlines rasterized per window, cheap); :meth:`window` then mosaics, reprojects and fills one
    window, grown by the void-filling reach (``ceil(max_fill_m / resolution)`` cells) so that a void
    near the window's edge is filled from the same cells as on the whole grid. A grid in one window is
    read and warped exactly as the whole-grid path always did (each tile read whole).
    """

    def __init__(self, paths: list[Path], canvas, *, assume_crs: str | None = None, max_fill_m: float = 3000.0,
                 tolerance: float = 0.001):
        if not paths:
            raise InputError(Message("prepare.err.dem.dem_file_given"), field="dem")
        self.paths = expand_paths(paths)
        self.canvas, self.grid = canvas, canvas.grid
        self.max_fill_m, self.tolerance = max_fill_m, tolerance
        self.res_m = self.grid.res[0]
        self.halo = 0 if canvas.single else int(math.ceil(max(1.0, max_fill_m / self.res_m)))
        self.tiles = [t for p in self.paths for t in _open_tiles(Path(p), self.res_m, assume_crs)]
        for tile in self.tiles:
            tile.outline = _outline(tile, self.grid)
        self.filled = self.left = self.left_inside = 0
        self.aoi_cells = self.uncovered = 0
        self._check_coverage()

    # -- pass 1: coverage ----------------------------------------------------------------------
    def _check_coverage(self) -> None:
        """Count the boundary's cells that no tile covers; refuse beyond ``tolerance`` (naming the tiles)."""
        sample: list[tuple[np.ndarray, object]] = []
        for win in self.canvas.windows:
            inside = self.canvas.inside(win)
            foot = np.zeros(win.grid.shape, np.uint8)
            for tile in self.tiles:
                fp = _footprint_of(tile, win.grid)
                tile.info["cells_on_grid"] = tile.info.get("cells_on_grid", 0) + int(np.count_nonzero(fp))
                foot |= fp
            uncovered = inside & ~foot.astype(bool)
            self.aoi_cells += int(np.count_nonzero(inside))
            n = int(np.count_nonzero(uncovered))
            self.uncovered += n
            if n:
                sample.append((uncovered, win.grid))
        cell_ha = self.grid.cell_area / 1e4
        share = self.covered_share
        if self.aoi_cells and self.uncovered / self.aoi_cells > self.tolerance:
            need = sorted({name for mask, g in sample for name in _missing_tiles(mask, g)})[:30]
            tiles = Message("prepare.err.dem.tiles_needed", tiles=", ".join(need)) if need else ""
            raise RasterError(Message("prepare.err.dem.partial_cover", percent=share * 100,
                                      km2=self.uncovered * cell_ha / 100, ha=self.uncovered * cell_ha, tiles=tiles),
                              source=", ".join(str(p) for p in self.paths), field="dem")

    @property
    def covered_share(self) -> float:
        return 1.0 - self.uncovered / self.aoi_cells if self.aoi_cells else 0.0

    # -- pass 2: one window ----------------------------------------------------------------------
    def window(self, win) -> np.ndarray:
        """float32 elevation over ``win`` (NODATA where unknown), voids filled up to ``max_fill_m``."""
        from kawasan.spatial.ingest.windows import grown

        g, core = grown(win, self.halo, self.grid)
        acc, foot = self._mosaic(g)
        self._fill_voids(acc, foot, core, self.canvas.inside(win))
        out = acc[core]
        return np.where(np.isnan(out), np.float32(NODATA), out).astype(np.float32)

    def _mosaic(self, g: Grid) -> tuple[np.ndarray, np.ndarray]:
        """Every tile warped onto ``g``, the first tile given winning where tiles overlap; and their footprint."""
        acc = np.full(g.shape, np.nan, dtype=np.float32)
        footprint = np.zeros(g.shape, dtype=np.uint8)
        buf = np.empty(g.shape, dtype=np.float32) if self.canvas.single else None
        for tile in self.tiles:
            fp = _footprint_of(tile, g)
            if not fp.any() and not self.canvas.single:     # a tile away from this window
                continue
            with rasterio.open(tile.gpath) as src, guarded.guard(tile.path, RasterError, "elevation raster"):
                data, transform = _read_clean(src, tile, None if self.canvas.single else g)
            if data is None:
                continue
            if self.canvas.single:
                buf.fill(np.nan)
                reproject(data, buf, src_transform=transform, src_crs=tile.crs, src_nodata=np.nan,
                          dst_transform=g.transform, dst_crs=g.crs, dst_nodata=np.nan, resampling=tile.method,
                          init_dest_nodata=True, num_threads=2)
            else:
                buf = warp_window(data, transform, tile.crs, np.nan, self.grid, g, tile.method)
            footprint |= fp
            take = np.isnan(acc) & ~np.isnan(buf)
            acc[take] = buf[take]
        return acc, footprint.astype(bool)

    def _fill_voids(self, acc: np.ndarray, foot: np.ndarray, core, inside: np.ndarray) -> None:
        """GDAL's inverse-distance fill (rasterio.fill.fillnodata) of the voids inside the tiles' footprint,
        up to ``max_fill_m``; counts, over the window's own cells, what was filled and what is left."""
        voids = foot & np.isnan(acc)
        n_void = int(np.count_nonzero(voids[core]))
        if not voids.any():
            return
        from rasterio.fill import fillnodata

        sentinel = np.float32(-3.0e38)   # never a valid elevation; cells still holding it were not reached
        valid = (~np.isnan(acc)).astype(np.uint8)
        filled = fillnodata(np.where(np.isnan(acc), sentinel, acc), mask=valid,
                            max_search_distance=max(1.0, self.max_fill_m / self.res_m), smoothing_iterations=0)
        got = voids & (filled > -1.0e38)
        acc[got] = filled[got]
        left = foot[core] & np.isnan(acc[core])
        n_left = int(np.count_nonzero(left))
        self.filled += n_void - n_left
        self.left += n_left
        self.left_inside += int(np.count_nonzero(left & inside))

    # -- the report ------------------------------------------------------------------------------
    def result(self, array: np.ndarray | None = None) -> DemResult:
        """The DemResult once every window is written (``array`` only when produced whole)."""
        cell_ha = self.grid.cell_area / 1e4
        filled_ha, left_ha = self.filled * cell_ha, self.left * cell_ha
        notes = []
        if self.filled or self.left:
            notes.append(Message("prepare.note.dem.ha_dem_voids_filled", filled_ha=filled_ha,
                                 max_fill_m=self.max_fill_m))
        if self.left:
            n_in = self.left_inside
            where = (Message("prepare.note.dem.voids_inside", ha=n_in * cell_ha, percent=n_in / self.aoi_cells * 100)
                     if n_in and self.aoi_cells else Message("prepare.note.dem.voids_in_buffer"))
            notes.append(Message("prepare.note.dem.voids_left", ha=left_ha, max_fill_m=self.max_fill_m, where=where))
        if self.uncovered:
            notes.append(Message("prepare.note.dem.ha_boundary_outside_every", hectares=self.uncovered * cell_ha,
                                 tolerance=self.tolerance * 100))
        methods = {t.method.name for t in self.tiles}
        return DemResult(array, [t.info for t in self.tiles], "/".join(sorted(methods)), filled_ha, left_ha,
                         self.covered_share, notes)


def warp_window(data: np.ndarray, transform, crs, nodata, full: Grid, g: Grid, method: Resampling) -> np.ndarray:
    """``data`` (float32, on ``transform`` in ``crs``) resampled onto ``g``, a window of the study grid ``full``.

    GDAL's warper interpolates source coordinates linearly between exact points while the error stays
    under 0.125 source cell (gdalwarp's ``-et``); where those points fall depends on the extent being
    warped, so a window warped on its own could pick other source cells than the whole grid. The data is
    warped through a WarpedVRT of the whole study grid instead, and the window read from it: the VRT warps
    its own fixed blocks, so a cell's value is the same whatever the window (tests/test_ingest_windows.py).
    """
    from rasterio.io import MemoryFile
    from rasterio.vrt import WarpedVRT

    inv = ~full.transform
    col, row = inv @ (g.transform.c, g.transform.f)
    window = Window(int(round(col)), int(round(row)), g.width, g.height)
    with MemoryFile() as mem:
        with mem.open(driver="GTiff", width=data.shape[1], height=data.shape[0], count=1, dtype="float32",
                      crs=crs, transform=transform, nodata=nodata) as ds:
            ds.write(np.asarray(data, np.float32), 1)
        with mem.open() as src, WarpedVRT(src, crs=full.crs, transform=full.transform, width=full.width,
                                           height=full.height, resampling=method, src_nodata=nodata,
                                           nodata=nodata, dtype="float32") as vrt:
            return vrt.read(1, window=window)


def _open_tiles(path: Path, res_m: float, assume_crs: str | None) -> list[Tile]:
    """The tiles of one DEM file (every member of a .zip), each checked: readable, a CRS (or
    ``assume_crs``), a band, finite heights somewhere; resampling chosen from its cell size."""
    out = []
    for gpath in open_paths(path):
        try:
            src = rasterio.open(gpath)
        except RasterioIOError as exc:
            raise RasterError(Message("prepare.err.dem.readable_elevation_raster_srtm", exc=str(exc)),
                              source=str(path)) from exc
        with src, guarded.guard(path, RasterError, "elevation raster"):
            crs = src.crs
            if crs is None:
                if not assume_crs:
                    raise RasterError(Message("prepare.err.dem.dem_crs_give_with"), source=str(path))
                crs = rasterio.crs.CRS.from_user_input(assume_crs)
            if src.count < 1:
                raise RasterError(Message("prepare.err.dem.file_raster_band"), source=str(path))
            src_res = _source_res_m(src, crs)
            method = Resampling.average if res_m >= 2.0 * src_res else Resampling.bilinear
            tile = Tile(Path(path), gpath, crs, method, {})
            lo, hi = _tile_range(src, tile)
            if lo is None:
                raise RasterError(Message("prepare.err.dem.no_finite_elevation"), source=str(path))
            tile.info = {"path": str(path), **({"member": gpath.split(".zip/", 1)[-1]} if gpath != str(path) else {}),
                         "crs": _crs_str(crs), "width": src.width, "height": src.height,
                         "resolution_m": round(src_res, 2), "min": lo, "max": hi}
        out.append(tile)
    return out


def _tile_range(src, tile: Tile, rows: int = 1024) -> tuple[float | None, float | None]:
    """The lowest and highest elevation of a tile (after NoData, voids and scale/offset), read in strips."""
    lo = hi = None
    for r in range(0, src.height, rows):
        data, _ = _read_clean(src, tile, None, Window(0, r, src.width, min(rows, src.height - r)))
        if data is not None and np.isfinite(data).any():
            a, b = float(np.nanmin(data)), float(np.nanmax(data))
            lo, hi = (a, b) if lo is None else (min(lo, a), max(hi, b))
    return lo, hi


def _read_clean(src, tile: Tile, g: Grid | None, window: Window | None = None):
    """Heights of ``src`` (the whole tile, the cells covering grid ``g`` plus a margin, or ``window``) as
    float32 with NaN for NoData, SRTM voids (<= -32767) and infinities, scale and offset applied; and
    their transform. (None, None) when ``g`` lies outside the tile."""
    if g is not None:
        window = _source_window(src, tile.crs, g)
        if window is None:
            return None, None
    data = src.read(1, masked=False, window=window).astype(np.float32, copy=False)
    nodata = src.nodata
    if nodata is not None:
        data = np.where(data == np.float32(nodata), np.nan, data)
    # SRTM marks voids -32768 even when a file forgets to declare it; +-inf is no elevation either
    data[(data <= -32767) | np.isinf(data)] = np.nan
    # a band with a scale/offset (integers holding decimetres, say) stores (z - offset) / scale
    scale, offset = (src.scales or (1.0,))[0], (src.offsets or (0.0,))[0]
    if (scale not in (None, 1.0)) or (offset not in (None, 0.0)):
        data = data * np.float32(1.0 if scale is None else scale) + np.float32(offset or 0.0)
    return data, (src.window_transform(window) if window is not None else src.transform)


def _source_window(src, crs, g: Grid, margin: int = 2) -> Window | None:
    """The tile's cells under grid ``g`` (its bounds in the tile's CRS, densified), grown by ``margin`` cells
    for the resampling kernel, clipped to the tile; None when they do not meet."""
    from rasterio.warp import transform_bounds
    from rasterio.windows import from_bounds

    left, bottom, right, top = transform_bounds(g.crs, crs, *g.bounds, densify_pts=21)
    w = from_bounds(left, bottom, right, top, transform=src.transform)
    c0, r0 = int(math.floor(w.col_off)) - margin, int(math.floor(w.row_off)) - margin
    c1 = int(math.ceil(w.col_off + w.width)) + margin
    r1 = int(math.ceil(w.row_off + w.height)) + margin
    c0, r0, c1, r1 = max(0, c0), max(0, r0), min(src.width, c1), min(src.height, r1)
    if c1 <= c0 or r1 <= r0:
        return None
    return Window(c0, r0, c1 - c0, r1 - r0)


def _outline(tile: Tile, grid: Grid) -> dict:
    """The tile's bounds as a polygon in the grid CRS (32 points a side, so that it follows the projection)."""
    with rasterio.open(tile.gpath) as src:
        b = src.bounds
    ring = _densified_box(b.left, b.bottom, b.right, b.top, 32)
    return transform_geom(tile.crs, grid.crs, {"type": "Polygon", "coordinates": [ring]})


def _footprint_of(tile: Tile, g: Grid) -> np.ndarray:
    """Cells of grid ``g`` (the study grid or a window) inside the tile's extent."""
    return features.rasterize([(tile.outline, 1)], out_shape=g.shape, transform=g.transform, dtype="uint8")


def _source_res_m(src, crs) -> float:
    rx = abs(src.transform.a)
    if crs.is_geographic:
        lat = (src.bounds.top + src.bounds.bottom) / 2.0
        return rx * 111_320.0 * max(0.05, math.cos(math.radians(lat)))
    return rx


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
