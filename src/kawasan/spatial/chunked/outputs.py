"""A chunked run's outputs written window by window, so the coordinator never holds a whole grid.

Flow (``kawasan suitability run`` on the chunked path with a run folder):

1. :class:`TiledOutputs` opens one tiled, uncompressed GeoTIFF per output (score, classes, constraint
   bitmask, and each criterion when asked) in the run's spill folder; each chunk's core is written into its
   window as the chunk arrives (in any order: a window is a window), and the cells per class are counted.
   Where the grid's sides and the chunk's side are even, the first overview level (factor 2) is computed
   from each chunk as it arrives (:func:`half_resolution`, the cells GDAL's ``build_overviews`` gives) and
   written by windows into ``<file>.ovr``, the external overview file GDAL opens with the raster;
2. :func:`cog_from_file` makes each COG from its tiled file (overviews built into the file, or the further
   levels built from the ``.ovr`` file's half-resolution grid, a quarter of the cells; then GDAL's GTiff
   driver copies it with COPY_SRC_OVERVIEWS, as ``rasters.write_cog`` does from memory; a bounded block
   cache): the same pixels, the same tags, whatever order the chunks came in, so the run folder is
   byte-identical run to run and whatever the number of workers, and the same bytes either way;
3. the run summary's largest patches of the best class (``summary.best_areas``, the same numbers): each chunk
   labels its own core's patches of S1 as it is evaluated (:func:`chunk_patches`, in the worker, on cells
   already in its cache) and the coordinator merges the patches that touch across chunk borders
   (:func:`best_areas_from_patches`); where the grid holds no S1 cell, :func:`best_areas_by_strips` reads the
   class grid back by strips of rows for the best class present (S2, else S3).

Memory on the coordinator: one chunk in transit, GDAL's block cache, each chunk's patches (the labels on its
core's four edges and a few numbers per patch) and, without S1, one strip (rows x grid width).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numba as nb
import numpy as np
import rasterio
from affine import Affine
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

    def __init__(self, folder: Path, grid: Grid, reason_dtype, chunk: int = 1) -> None:
        self.folder, self.grid, self.reason_dtype = Path(folder), grid, np.dtype(reason_dtype)
        self.counts = np.zeros(256, dtype=np.int64)
        #: each chunk's patches of :data:`PATCH_CODE` (None once a chunk came without them)
        self.patches: list[Patches] | None = []
        self.paths: dict[str, Path] = {}
        self._files: dict[str, rasterio.io.DatasetWriter] = {}
        self._halves: dict[str, rasterio.io.DatasetWriter] = {}
        self.halves = halves_by_chunk(grid, chunk)
        self._open("score", np.float32, np.nan)
        self._open("classes", np.uint8, 0)
        self._open("constraints", reason_dtype, None)

    def _open(self, role: str, dtype, nodata) -> rasterio.io.DatasetWriter:
        path = self.folder / f"{role.replace('/', '-')}.tif"
        g = self.grid
        ds = _tiled(path, g.width, g.height, dtype, nodata, crs=g.crs, transform=g.transform)
        self.paths[role], self._files[role] = path, ds
        if self.halves:
            self._halves[role] = _tiled(Path(f"{path}.ovr"), g.width // 2, g.height // 2, dtype, nodata, crs=g.crs,
                                        transform=g.transform @ Affine.scale(2))
        return ds

    def _write(self, role: str, arr: np.ndarray, block: Block) -> None:
        """One chunk's core into the role's file, and its half-resolution cells into the role's ``.ovr``."""
        self._files[role].write(arr, 1, window=Window(block.col, block.row, block.width, block.height))
        half = self._halves.get(role)
        if half is not None:
            small = half_resolution(arr, categorical=role in ("classes", "constraints"))
            half.write(small, 1, window=Window(block.col // 2, block.row // 2, small.shape[1], small.shape[0]))

    def write(self, block: Block, score: np.ndarray, classes: np.ndarray, reason: np.ndarray,
              criteria: dict[str, np.ndarray], patches: "Patches | None" = None) -> None:
        """Write one chunk's core into every output's window; count its cells per class; keep its patches."""
        if patches is None:
            self.patches = None
        elif self.patches is not None:
            self.patches.append(patches)
        with rasters.block_cache(CACHE_MB):
            self._write("score", score, block)
            self._write("classes", classes, block)
            self._write("constraints", reason, block)
            for cid, arr in criteria.items():
                role = f"criterion/{cid}"
                if role not in self._files:
                    self._open(role, np.float32, np.nan)
                self._write(role, arr, block)
        self.counts += kernels.histogram_u8(classes)

    def close(self) -> None:
        for ds in [*self._files.values(), *self._halves.values()]:
            ds.close()
        self._files.clear()
        self._halves.clear()

    def best_areas(self, *, top: int = 5) -> list[dict]:
        """``summary.best_areas`` of the written grid: from the chunks' patches where the best class present is
        :data:`PATCH_CODE` and every chunk sent its patches, else by strips read back from the files."""
        code = best_code(self.counts)
        if code is None:
            return []
        if code == PATCH_CODE and self.patches is not None:
            return best_areas_from_patches(self.patches, code, self.grid, top=top)
        return best_areas_by_strips(self.paths["classes"], self.paths["score"], self.counts, self.grid, top=top)

    @property
    def criteria(self) -> dict[str, Path]:
        return {role.split("/", 1)[1]: p for role, p in self.paths.items() if role.startswith("criterion/")}


def _tiled(path: Path, width: int, height: int, dtype, nodata, **georef) -> rasterio.io.DatasetWriter:
    """A tiled (512 x 512), uncompressed, sparse GeoTIFF open for writing by windows."""
    return rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=1, dtype=np.dtype(dtype).name,
                         nodata=nodata, tiled=True, blockxsize=512, blockysize=512, BIGTIFF="IF_SAFER",
                         SPARSE_OK="TRUE", **georef)


def halves_by_chunk(grid: Grid, chunk: int) -> bool:
    """Whether each chunk can give its own cells of the first overview level (factor 2): the grid has
    overviews (``rasters.overview_factors``) and its sides and the chunk's side are even, so every chunk
    starts on an even row and column and GDAL's factor-2 level takes exactly 2 x 2 cells, never across a
    chunk border. On an odd side GDAL's ratio is width / ceil(width / 2), not 2: the level is then built on
    the whole file, as before."""
    return (chunk % 2 == 0 and grid.width % 2 == 0 and grid.height % 2 == 0
            and bool(rasters.overview_factors(grid.width, grid.height)))


def half_resolution(arr: np.ndarray, *, categorical: bool) -> np.ndarray:
    """The factor-2 overview of an even-sided grid, cell for cell as GDAL's ``build_overviews`` makes it.

    Codes (nearest): the top-left cell of each 2 x 2 block, ``arr[0::2, 0::2]``. Values (average): the mean
    of the block's non-NaN cells, summed in double precision in GDAL's order, rows first,
    ``((a00 + a01) + (a10 + a11)) / n``, rounded to float32; NaN where the block holds none (GDAL 3.10,
    ``GDALResampleChunk_AverageOrRMS``; checked against GDAL in tests/test_chunked_overviews.py)."""
    if categorical:
        return np.ascontiguousarray(arr[0::2, 0::2])
    out = np.empty((arr.shape[0] // 2, arr.shape[1] // 2), dtype=np.float32)
    _average_2x2(arr, out)
    return out


@nb.njit(cache=True, nogil=True)
def _average_2x2(a, out):
    """out[i, j] = mean of the non-NaN cells of a[2i:2i+2, 2j:2j+2] (see :func:`half_resolution`).

    Serial on purpose: it runs on the coordinator while a chunk's parallel kernels run in another thread,
    and numba's workqueue threading layer does not take concurrent callers."""
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            top = 0.0
            bottom = 0.0
            n = 0
            for dy in range(2):
                row = 0.0
                for dx in range(2):
                    v = a[2 * i + dy, 2 * j + dx]
                    if v == v:
                        row += v
                        n += 1
                if dy == 0:
                    top = row
                else:
                    bottom = row
            out[i, j] = (top + bottom) / n if n > 0 else np.nan


def cog_from_file(src: Path, path: Path, *, nodata=None, tags: dict | None = None, categorical: bool = False,
                  compress: str = "ZSTD", descriptions: str | None = None) -> None:
    """Write the tiled GeoTIFF ``src`` as a COG at ``path`` (the layout and options of ``rasters.write_cog``).

    As ``write_cog`` does with its in-memory dataset: the tags, band description and overviews (average
    for continuous values, nearest for codes; ``rasters.overview_factors``) are added to ``src`` itself,
    then GDAL's GTiff driver copies it with COPY_SRC_OVERVIEWS, which lays the file out as a COG in one
    pass (GDAL's COG driver would write a temporary copy first). Where the chunks wrote the first level
    into ``src.ovr`` (:class:`TiledOutputs`), GDAL builds only the further levels, from that file (each
    level from the one before, as it does on the whole file). Memory: GDAL's block cache."""
    from rasterio.enums import Resampling

    method = Resampling.nearest if categorical else Resampling.average
    ovr = Path(f"{src}.ovr")
    with rasters.block_cache(CACHE_MB), rasterio.Env(GDAL_NUM_THREADS="ALL_CPUS"):
        if ovr.exists():
            with rasterio.open(ovr, "r+") as half:
                further = [f // 2 for f in rasters.overview_factors(2 * half.width, 2 * half.height)[1:]]
                if further:
                    half.build_overviews(further, method)
        with rasterio.open(src, "r+") as ds:
            rasters.label_dataset(ds, nodata=nodata, tags=tags, descriptions=descriptions)
            factors = rasters.overview_factors(ds.width, ds.height)
            if factors and not ovr.exists():
                ds.build_overviews(factors, method)
            kind = "f" if ds.dtypes[0].startswith("float") else "i"
        rasterio.shutil.copy(src, path, **rasters.cog_copy_options(compress, kind))


#: the class whose patches each chunk labels as it is evaluated (S1: the best class whenever any cell has it)
PATCH_CODE = 1


def best_code(counts: np.ndarray) -> int | None:
    """The best class present (S1, else S2, else S3) from the cells per class code, or None."""
    return next((c for c in (1, 2, 3) if counts[c] > 0), None)


@dataclass
class Patches:
    """One chunk's 8-connected patches of one class: per patch (labels 1..n of its core, stored from index 0)
    its cells, score sum, sums of its cells' whole-grid column and row indices and its first 2 x 2 block of
    the whole grid; and the labels on the core's four edges (0: no patch), for the merge across borders."""

    block: Block
    cells: np.ndarray
    sums: np.ndarray
    sx: np.ndarray
    sy: np.ndarray
    first: np.ndarray
    top: np.ndarray
    bottom: np.ndarray
    left: np.ndarray
    right: np.ndarray


def chunk_patches(classes: np.ndarray, score: np.ndarray, block: Block, code: int = PATCH_CODE) -> Patches:
    """The 8-connected patches of ``code`` in one chunk's core (``classes`` and ``score`` are the core's)."""
    mask = (classes == code).view(np.uint8)
    n, labels, stats, cent = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S)
    area = stats[1:, cv2.CC_STAT_AREA].astype(np.int64)
    return Patches(block, area, kernels.label_sums(labels, np.ascontiguousarray(score), n)[1:],
                   np.rint(cent[1:, 0] * area).astype(np.int64) + block.col * area,
                   np.rint(cent[1:, 1] * area).astype(np.int64) + block.row * area,
                   first_blocks(labels, n, block.row, block.col)[1:],
                   labels[0].copy(), labels[-1].copy(), labels[:, 0].copy(), labels[:, -1].copy())


def best_areas_from_patches(parts: list[Patches], code: int, grid: Grid, *, top: int = 5) -> list[dict]:
    """``summary.best_areas`` from every chunk's :class:`Patches`.

    Each chunk's labels get a global offset (chunks in plan order); patches touching across a chunk border
    are paired (8-connectivity): along each vertical border, a chunk's right column against its neighbour's
    left column; along each border between two bands of chunks, the band's whole bottom row against the next
    band's whole top row, which also pairs the diagonal neighbours across a corner. The pairs are merged as
    in :func:`best_areas_by_strips`."""
    parts = sorted(parts, key=lambda p: p.block.index)
    offsets = np.cumsum([0] + [p.cells.size for p in parts])

    def glob(labels: np.ndarray, i: int) -> np.ndarray:
        return np.where(labels > 0, labels.astype(np.int64) + offsets[i], 0)

    pa: list = []
    pb: list = []
    at = {(p.block.row, p.block.col): i for i, p in enumerate(parts)}
    bands: dict[int, list[int]] = {}
    for i, p in enumerate(parts):
        bands.setdefault(p.block.row, []).append(i)
        j = at.get((p.block.row, p.block.col + p.block.width))
        if j is not None:
            _touch(glob(p.right, i), glob(parts[j].left, j), pa, pb)
    def band_row(band: list[int], edge: str) -> np.ndarray:
        """A band of chunks' top or bottom edge across the whole grid, in global labels."""
        ordered = sorted(band, key=lambda i: parts[i].block.col)
        return np.concatenate([glob(getattr(parts[i], edge), i) for i in ordered])

    rows = sorted(bands)
    for upper, lower in zip(rows, rows[1:]):
        _touch(band_row(bands[upper], "bottom"), band_row(bands[lower], "top"), pa, pb)
    cat = [np.concatenate([getattr(p, f) for p in parts]) for f in ("cells", "sums", "sx", "sy", "first")]
    return _merged_areas(code, *cat, pa, pb, int(offsets[-1]), grid, top=top)


def best_areas_by_strips(classes_path: Path, score_path: Path, counts: np.ndarray, grid: Grid, *,
                         top: int = 5) -> list[dict]:
    """``summary.best_areas`` from the files, by strips of :data:`STRIP_ROWS` rows.

    The best class present (S1, else S2, else S3) comes from the cells per class. Each strip's 8-connected
    patches are labelled (OpenCV) with their cells, score sum (``kernels.label_sums``), cell-coordinate sums
    (from OpenCV's centroids: sum = centroid x cells, an integer) and the first 2 x 2 block they touch; patches
    touching across a strip border (the cell below and its two diagonal neighbours) are merged
    (:func:`_merged_areas`).
    """
    code = best_code(counts)
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
            first.append(first_blocks(labels, n, r0, 0)[1:])
            glob = np.where(labels[0] > 0, labels[0] + base, 0)
            if prev_row is not None:
                _touch(prev_row, glob, pa, pb)
            prev_row = np.where(labels[-1] > 0, labels[-1] + base, 0)
            base += n - 1
    cells, sums, sx, sy, first = (np.concatenate(x) for x in (cells, sums, sx, sy, first))
    return _merged_areas(code, cells, sums, sx, sy, first, pa, pb, base, grid, top=top)


def _merged_areas(code: int, cells, sums, sx, sy, first, pa: list, pb: list, base: int, grid: Grid, *,
                  top: int) -> list[dict]:
    """Patches 1..base (their cells, score sums, coordinate sums and first 2 x 2 blocks) merged along the
    touching pairs (pa[k], pb[k]) by connected components of the touching graph (scipy.sparse.csgraph, the
    union-find merge); the merged patches are put in OpenCV's whole-grid labelling order (their first 2 x 2
    block, see ``chunked.sites``), so ties in area rank as ``summary.best_areas`` ranks them."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    if base == 0:
        return []
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


@nb.njit(cache=True, nogil=True, fastmath=False)
def first_blocks(labels, n, row, col):
    """Per label 0..n-1 of a rectangle starting at grid cell (``row``, ``col``): its first (raster order)
    2 x 2 block of the whole grid, as (block row, block column); the largest int64 for a label with no cell.
    One pass over the rectangle (numba). Serial: it runs in a chunk's thread or beside the COG writers'
    threads."""
    big = np.iinfo(np.int64).max
    first = np.full((n, 2), big, dtype=np.int64)
    for r in range(labels.shape[0]):
        br = (r + row) // 2
        for c in range(labels.shape[1]):
            lab = labels[r, c]
            bc = (c + col) // 2
            if lab > 0 and (br < first[lab, 0] or (br == first[lab, 0] and bc < first[lab, 1])):
                first[lab, 0] = br
                first[lab, 1] = bc
    return first


def _touch(up: np.ndarray, down: np.ndarray, pa: list, pb: list) -> None:
    """Pairs of labels touching between two consecutive rows (8-connectivity), both non-zero."""
    for d in (-1, 0, 1):
        x = up[max(0, -d):len(up) - max(0, d)]
        y = down[max(0, d):len(down) - max(0, -d)]
        ok = (x > 0) & (y > 0)
        pa.append(x[ok].astype(np.int64))
        pb.append(y[ok].astype(np.int64))
