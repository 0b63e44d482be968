"""Writing a study area's layers window by window (issue 15: `kawasan data prepare` on national grids).

The grid is cut into square windows of ``size`` cells (a multiple of the 512-cell COG block, default
4,096: 64 MiB of float32), row-major. A layer is produced one window at a time (a DEM reprojected onto
the window's grid, vectors burned with the window's transform) and written into a tiled GeoTIFF;
overviews are then built from that file and GDAL's GTiff driver copies it as a Cloud-Optimized GeoTIFF
(COPY_SRC_OVERVIEWS), the layout :func:`kawasan.spatial.rasters.write_cog` gives. Peak memory is a few
windows, not the grid.

A grid no larger than one window is written exactly as before: one array, :func:`rasters.write_cog`
(byte-identical to the whole-layer path; tests/test_ingest_windows.py).
"""
from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import rasterio
import rasterio.shutil
from rasterio.enums import Resampling
from rasterio.windows import Window

from kawasan.spatial import rasters
from kawasan.spatial.grid import Grid

WINDOW = 4096
BLOCK = 512
# bytes per cell of a window held at once while a layer is produced (float32 result, float32 warp
# buffer, the footprint, the mask, a halo'd copy for void filling)
BYTES_PER_WINDOW_CELL = 24


@dataclass(frozen=True)
class Win:
    """One window of the study grid: its offset and size in cells and its own grid."""
    row: int
    col: int
    height: int
    width: int
    grid: Grid

    @property
    def window(self) -> Window:
        return Window(self.col, self.row, self.width, self.height)

    @property
    def slices(self) -> tuple[slice, slice]:
        return slice(self.row, self.row + self.height), slice(self.col, self.col + self.width)


def sub_grid(grid: Grid, row: int, col: int, height: int, width: int) -> Grid:
    """The grid of the cells [row, row + height) x [col, col + width) of ``grid`` (cells may lie outside
    it: a window grown by a halo): the transform translated by whole cells, so cell edges coincide."""
    return Grid(grid.crs, grid.transform @ grid.transform.translation(col, row), width, height)


def plan_windows(grid: Grid, size: int = WINDOW) -> list[Win]:
    """The windows of ``size`` x ``size`` cells covering ``grid``, row-major (the last row and column of
    windows are cut at the grid's edge)."""
    if size < 1:
        raise ValueError(f"window size must be at least 1 cell; got {size}")
    out = []
    for row in range(0, grid.height, size):
        for col in range(0, grid.width, size):
            h, w = min(size, grid.height - row), min(size, grid.width - col)
            out.append(Win(row, col, h, w, sub_grid(grid, row, col, h, w)))
    return out


def grown(win: Win, halo: int, full: Grid) -> tuple[Grid, tuple[slice, slice]]:
    """The window grown by ``halo`` cells on every side, clipped to the grid, and the slices that take
    the window's own cells back out of an array on that grown grid."""
    r0, c0 = max(0, win.row - halo), max(0, win.col - halo)
    r1, c1 = min(full.height, win.row + win.height + halo), min(full.width, win.col + win.width + halo)
    g = sub_grid(full, r0, c0, r1 - r0, c1 - c0)
    return g, (slice(win.row - r0, win.row - r0 + win.height), slice(win.col - c0, win.col - c0 + win.width))


class Canvas:
    """The study grid cut into windows, and the boundary mask read back window by window."""

    def __init__(self, grid: Grid, size: int = WINDOW):
        self.grid = grid
        self.size = int(size)
        self.windows = plan_windows(grid, self.size)
        self._aoi: np.ndarray | None = None      # the whole mask when there is one window
        self._aoi_path: Path | None = None

    @property
    def single(self) -> bool:
        """One window holds the whole grid: layers are produced and written whole, as before."""
        return len(self.windows) == 1

    def set_mask(self, aoi_path: Path | None = None, whole: np.ndarray | None = None) -> None:
        """Where the boundary mask is read from: the whole array (one window), else the written aoi.tif."""
        self._aoi_path, self._aoi = (Path(aoi_path) if aoi_path else None), whole

    def inside(self, win: Win) -> np.ndarray:
        """Boolean mask of the boundary over ``win``."""
        if self._aoi is not None:
            return self._aoi[win.slices].astype(bool)
        with rasterio.open(self._aoi_path) as ds:
            return ds.read(1, window=win.window).astype(bool)

    def whole_inside(self) -> np.ndarray:
        """The whole mask (single-window grids only)."""
        return self._aoi.astype(bool)


class LayerWriter:
    """A COG written window by window: ``write(win, array)`` for every window, then ``close()``.

    Windows go into a tiled, ZSTD-compressed GeoTIFF beside the target; ``close`` builds its overviews
    (average for continuous values, nearest for codes, as write_cog) and copies it as a COG with the
    creation options of :func:`rasters.write_cog`."""

    def __init__(self, path: Path, grid: Grid, dtype, *, nodata=None, tags: dict | None = None,
                 categorical: bool = False, descriptions: str | None = None):
        self.path, self.grid, self.dtype = Path(path), grid, np.dtype(dtype)
        self.nodata, self.tags, self.categorical, self.descriptions = nodata, tags or {}, categorical, descriptions
        self.part = self.path.with_name(self.path.name + ".part.tif")
        profile = dict(driver="GTiff", width=grid.width, height=grid.height, count=1, dtype=self.dtype.name,
                       crs=grid.crs, transform=grid.transform, tiled=True, blockxsize=BLOCK, blockysize=BLOCK,
                       compress="ZSTD", zstd_level=1, BIGTIFF="IF_SAFER")
        if nodata is not None:
            profile["nodata"] = nodata
        self._ds = rasterio.open(self.part, "w", **profile)

    def write(self, win: Win, array: np.ndarray) -> None:
        self._ds.write(np.asarray(array, dtype=self.dtype), 1, window=win.window)

    def close(self) -> None:
        ds, self._ds = self._ds, None
        try:
            if self.tags:
                ds.update_tags(**{k: str(v) for k, v in self.tags.items()})
            if self.descriptions:
                ds.set_band_description(1, self.descriptions)
            ds.close()
            factors = rasters.overview_factors(self.grid.width, self.grid.height)
            with rasters.block_cache(rasters.WRITE_CACHE_MB):
                if factors:
                    with rasterio.open(self.part, "r+") as ds:
                        ds.build_overviews(factors, Resampling.nearest if self.categorical else Resampling.average)
                rasterio.shutil.copy(self.part, self.path, **_cog_options(self.dtype))
        finally:
            if ds is not None and not ds.closed:
                ds.close()
            if self.part.exists():
                os.remove(self.part)

    def abort(self) -> None:
        if self._ds is not None:
            self._ds.close()
            self._ds = None
        if self.part.exists():
            os.remove(self.part)


def _cog_options(dtype: np.dtype) -> dict:
    """The GTiff creation options write_cog uses for a COG (ZSTD level 1 with a predictor)."""
    predictor = 3 if dtype.kind == "f" else 2
    return dict(driver="GTiff", tiled=True, blockxsize=BLOCK, blockysize=BLOCK, compress="ZSTD",
                COPY_SRC_OVERVIEWS="YES", num_threads="ALL_CPUS", BIGTIFF="IF_SAFER", predictor=predictor,
                zstd_level=1)


@dataclass
class Written:
    """What writing a layer learnt on the way: cells per value inside the boundary (categorical layers)."""
    counts_inside: Counter


def write_layer(path: Path, canvas: Canvas, produce: Callable[[Win], np.ndarray], dtype, *, nodata=None,
                tags: dict | None = None, categorical: bool = False, descriptions: str | None = None,
                count_inside: Callable[[Win, np.ndarray], np.ndarray] | None = None) -> Written:
    """Produce ``produce(win)`` for every window of ``canvas`` and write the layer as a COG at ``path``.

    One window: the array is written whole with :func:`rasters.write_cog` (as the whole-layer path did).
    Several: :class:`LayerWriter`. ``count_inside(win, array)``, when given, is the mask of the cells to
    count (the boundary): the cells of each value under it are counted."""
    counts: Counter = Counter()
    if canvas.single:
        win = canvas.windows[0]
        array = np.asarray(produce(win), dtype=dtype)
        if count_inside is not None:
            _count(counts, array, count_inside(win, array))
        rasters.write_cog(path, array, canvas.grid, nodata=nodata, tags=tags, categorical=categorical,
                          descriptions=descriptions)
        return Written(counts)
    writer = LayerWriter(path, canvas.grid, dtype, nodata=nodata, tags=tags, categorical=categorical,
                         descriptions=descriptions)
    try:
        for win in canvas.windows:
            array = produce(win)
            if count_inside is not None:
                _count(counts, array, count_inside(win, array))
            writer.write(win, array)
    except BaseException:
        writer.abort()
        raise
    writer.close()
    return Written(counts)


def _count(counts: Counter, array: np.ndarray, inside: np.ndarray) -> None:
    vals, n = np.unique(array[inside], return_counts=True)
    for v, k in zip(vals.tolist(), n.tolist()):
        counts[v] += k


class ShapeIndex:
    """Shapes to burn, with an R-tree (shapely STRtree) so that each window burns only those that reach it.

    ``within(grid)`` gives the ``(geometry, value)`` pairs whose bounding box meets ``grid``'s, in their
    original order (where polygons overlap, the later one wins, as when the whole list is burned)."""

    def __init__(self, pairs):
        import shapely

        self.pairs = list(pairs)
        self._tree = shapely.STRtree([g for g, _ in self.pairs]) if self.pairs else None

    def __len__(self) -> int:
        return len(self.pairs)

    def within(self, grid: Grid) -> list:
        if self._tree is None:
            return []
        import shapely

        hits = np.sort(self._tree.query(shapely.box(*grid.bounds)))
        return [self.pairs[i] for i in hits]


def window_memory(size: int = WINDOW) -> int:
    """Bytes a window holds while a layer is produced (``BYTES_PER_WINDOW_CELL`` per cell)."""
    return size * size * BYTES_PER_WINDOW_CELL


def cells_for(halo_m: float, res: float) -> int:
    """A distance in metres as whole cells, rounded up."""
    return int(math.ceil(halo_m / res)) if halo_m > 0 else 0


