"""A chunked run's outputs written window by window, so the coordinator never holds a whole grid.

Flow (``kawasan suitability run`` on the chunked path with a run folder):

1. :class:`TiledOutputs` opens one tiled, uncompressed GeoTIFF per output (score, classes, constraint
   bitmask, and each criterion when asked) in the run's spill folder; each chunk's core is written into its
   window as the chunk arrives (in any order: a window is a window), and the cells per class are counted;
2. :func:`cog_from_file` makes each COG from its tiled file (overviews built into the file, then GDAL's GTiff
   driver copies it with COPY_SRC_OVERVIEWS, as ``rasters.write_cog`` does from memory; a bounded block
   cache): the same pixels, the same tags, whatever order the chunks came in, so the run folder is
   byte-identical run to run and whatever the number of workers;
3. :func:`best_areas_by_strips` finds the run summary's largest patches of the best class by strips of rows
   read from the files (8-connected labels per strip, merged across strip borders), with the numbers of
   ``summary.best_areas`` on the whole grid.

Memory on the coordinator: one chunk in transit, GDAL's block cache, and one strip (rows x grid width).
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import rasterio
from rasterio.windows import Window

from kawasan.spatial import kernels, rasters
from kawasan.spatial.chunked.plan import Block
from kawasan.spatial.grid import Grid
from kawasan.spatial.runs.summary import area_rows

#: rows per strip of the best-areas pass (a strip is STRIP_ROWS x width cells: uint8 + float32 + int32 labels)
STRIP_ROWS = 512
#: GDAL block cache while writing (MiB): whole tiles are written, a small cache suffices
CACHE_MB = 128


class TiledOutputs:
    """Tiled GeoTIFFs receiving a run's outputs chunk by chunk (see the module docstring)."""

    def __init__(self, folder: Path, grid: Grid, reason_dtype) -> None:
        self.folder, self.grid, self.reason_dtype = Path(folder), grid, np.dtype(reason_dtype)
        self.counts = np.zeros(256, dtype=np.int64)
        self.paths: dict[str, Path] = {}
        self._files: dict[str, rasterio.io.DatasetWriter] = {}
        self._open("score", np.float32, np.nan)
        self._open("classes", np.uint8, 0)
        self._open("constraints", reason_dtype, None)

    def _open(self, role: str, dtype, nodata) -> rasterio.io.DatasetWriter:
        path = self.folder / f"{role.replace('/', '-')}.tif"
        g = self.grid
        ds = rasterio.open(path, "w", driver="GTiff", width=g.width, height=g.height, count=1,
                           dtype=np.dtype(dtype).name, crs=g.crs, transform=g.transform, nodata=nodata, tiled=True,
                           blockxsize=512, blockysize=512, BIGTIFF="IF_SAFER", SPARSE_OK="TRUE")
        self.paths[role], self._files[role] = path, ds
        return ds

    def write(self, block: Block, score: np.ndarray, classes: np.ndarray, reason: np.ndarray,
              criteria: dict[str, np.ndarray]) -> None:
        """Write one chunk's core into every output's window; count its cells per class."""
        win = Window(block.col, block.row, block.width, block.height)
        with rasters.block_cache(CACHE_MB):
            self._files["score"].write(score, 1, window=win)
            self._files["classes"].write(classes, 1, window=win)
            self._files["constraints"].write(reason, 1, window=win)
            for cid, arr in criteria.items():
                role = f"criterion/{cid}"
                ds = self._files.get(role) or self._open(role, np.float32, np.nan)
                ds.write(arr, 1, window=win)
        self.counts += kernels.histogram_u8(classes)

    def close(self) -> None:
        for ds in self._files.values():
            ds.close()
        self._files.clear()

    @property
    def criteria(self) -> dict[str, Path]:
        return {role.split("/", 1)[1]: p for role, p in self.paths.items() if role.startswith("criterion/")}


def cog_from_file(src: Path, path: Path, *, nodata=None, tags: dict | None = None, categorical: bool = False,
                  compress: str = "ZSTD", descriptions: str | None = None) -> None:
    """Write the tiled GeoTIFF ``src`` as a COG at ``path`` (the layout and options of ``rasters.write_cog``).

    As ``write_cog`` does with its in-memory dataset: the tags, band description and overviews (average
    for continuous values, nearest for codes; ``rasters.overview_factors``) are added to ``src`` itself,
    then GDAL's GTiff driver copies it with COPY_SRC_OVERVIEWS, which lays the file out as a COG in one
    pass (GDAL's COG driver would write a temporary copy first). Memory: GDAL's block cache."""
    from rasterio.enums import Resampling

    with rasters.block_cache(CACHE_MB), rasterio.Env(GDAL_NUM_THREADS="ALL_CPUS"):
        with rasterio.open(src, "r+") as ds:
            rasters.label_dataset(ds, nodata=nodata, tags=tags, descriptions=descriptions)
            factors = rasters.overview_factors(ds.width, ds.height)
            if factors:
                ds.build_overviews(factors, Resampling.nearest if categorical else Resampling.average)
            kind = "f" if ds.dtypes[0].startswith("float") else "i"
        rasterio.shutil.copy(src, path, **rasters.cog_copy_options(compress, kind))


def best_areas_by_strips(classes_path: Path, score_path: Path, counts: np.ndarray, grid: Grid, *,
                         top: int = 5) -> list[dict]:
    """``summary.best_areas`` from the files, by strips of :data:`STRIP_ROWS` rows.

    The best class present (S1, else S2, else S3) comes from the cells per class. Each strip's 8-connected
    patches are labelled (OpenCV) with their cells, score sum (``kernels.label_sums``), cell-coordinate sums
    (from OpenCV's centroids: sum = centroid x cells, an integer) and the first 2 x 2 block they touch; patches
    touching across a strip border (the cell below and its two diagonal neighbours) are merged by connected
    components of the touching graph. Merged patches are put in OpenCV's whole-grid labelling order (their
    first 2 x 2 block, see ``chunked.sites``), so ties in area rank as ``summary.best_areas`` ranks them.
    """
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    from kawasan.spatial.chunked.sites import _first_blocks

    code = next((c for c in (1, 2, 3) if counts[c] > 0), None)
    if code is None:
        return []
    cells, sums, sx, sy, first, pa, pb = [], [], [], [], [], [], []
    base, prev_row = 0, None
    with rasterio.open(classes_path) as cds, rasterio.open(score_path) as sds:
        for r0 in range(0, grid.height, STRIP_ROWS):
            h = min(STRIP_ROWS, grid.height - r0)
            win = Window(0, r0, grid.width, h)
            mask = (cds.read(1, window=win) == code).view(np.uint8)
            n, labels, stats, cent = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S)
            area = stats[1:, cv2.CC_STAT_AREA].astype(np.int64)
            cells.append(area)
            sums.append(kernels.label_sums(labels, sds.read(1, window=win), n)[1:])
            sx.append(np.rint(cent[1:, 0] * area).astype(np.int64))
            sy.append(np.rint(cent[1:, 1] * area).astype(np.int64) + r0 * area)
            first.append(_first_blocks(labels, n, r0, 0)[1:])
            glob = np.where(labels[0] > 0, labels[0] + base, 0)
            if prev_row is not None:
                _touch(prev_row, glob, pa, pb)
            prev_row = np.where(labels[-1] > 0, labels[-1] + base, 0)
            base += n - 1
    if base == 0:
        return []
    cells, sums, sx, sy, first = (np.concatenate(x) for x in (cells, sums, sx, sy, first))
    a = np.concatenate(pa) if pa else np.zeros(0, np.int64)
    b = np.concatenate(pb) if pb else np.zeros(0, np.int64)
    graph = coo_matrix((np.ones(a.size, dtype=np.int8), (a - 1, b - 1)), shape=(base, base))
    m, comp = connected_components(graph, directed=False)
    tot = np.zeros(m, np.int64)
    np.add.at(tot, comp, cells)
    ssum = np.zeros(m)
    np.add.at(ssum, comp, sums)
    csx, csy = np.zeros(m, np.int64), np.zeros(m, np.int64)
    np.add.at(csx, comp, sx)
    np.add.at(csy, comp, sy)
    key = first[:, 0] * (1 << 31) + first[:, 1]
    ckey = np.full(m, np.iinfo(np.int64).max)
    np.minimum.at(ckey, comp, key)
    order = np.argsort(ckey, kind="stable")           # OpenCV's whole-grid label order
    cent = np.stack([csx / tot, csy / tot], axis=1)
    return area_rows(code, tot[order], ssum[order], cent[order], grid, top=top)


def _touch(up: np.ndarray, down: np.ndarray, pa: list, pb: list) -> None:
    """Pairs of labels touching between two consecutive rows (8-connectivity), both non-zero."""
    for d in (-1, 0, 1):
        x = up[max(0, -d):len(up) - max(0, d)]
        y = down[max(0, d):len(down) - max(0, -d)]
        ok = (x > 0) & (y > 0)
        pa.append(x[ok].astype(np.int64))
        pb.append(y[ok].astype(np.int64))
