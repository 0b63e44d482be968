"""A chunk's view of a study area: the same layers, read only inside the chunk's haloed window.

:class:`WindowArea` is a :class:`~kawasan.spatial.studyarea.StudyArea` whose grid is the window's; the
in-memory engine (``engine.evaluate``) runs on it unchanged. Its :class:`WindowStore` reads

* rasters on the study grid by a windowed read (a COG serves only the tiles the window touches); a raster on
  another grid (``align: true``) is resampled onto the window's grid;
* vectors from the whole layer (read once per worker process and kept), cut to the features that touch the
  window; lines and points are burned in the whole grid's cell coordinates (``kernels.burn_segments`` with
  the window's offset), so a chunk burns exactly the cells the whole grid burns;
* categorical vector layers with the codes of the whole layer (its sorted values), not of the window's part.

Validation that concerns the whole layer (a missing file, no CRS, no feature at all, no overlap) is done once
by the coordinator on the whole layer (:func:`kawasan.spatial.chunked.engine.check_layers`); a window that
happens to hold no feature, or only NoData, is a normal case here, not an error.
"""
from __future__ import annotations

import json
import math
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
import rasterio
from rasterio import features
from rasterio.windows import Window

from kawasan.errors import VectorError
from kawasan.i18n import Message
from kawasan.spatial import kernels, rasters, vectors
from kawasan.spatial.grid import Grid
from kawasan.spatial.model import Model
from kawasan.spatial.studyarea import LayerStore, StudyArea


def window_grid(grid: Grid, row: int, col: int, height: int, width: int) -> Grid:
    """The sub-grid of ``grid`` starting at cell (row, col)."""
    return Grid(grid.crs, grid.transform @ grid.transform.translation(col, row), width, height)


class WindowArea(StudyArea):
    """The study area seen through one chunk's window (``grid`` is the window's grid)."""

    def __init__(self, root: Path, parent: Grid, manifest: dict, row: int, col: int, height: int, width: int,
                 counted: tuple[slice, slice], reach: int = 0):
        super().__init__(Path(root), window_grid(parent, row, col, height, width), manifest, {})
        self.parent = parent
        self.row, self.col = row, col
        self.counted = counted
        #: cells around the window whose vector features the window's rules may measure from (a setback
        #: selects its features on the window, then measures on the window grown by its reach)
        self.reach = reach

    def layer_store(self, model: Model) -> "WindowStore":
        return WindowStore(self, model)

    def outside_mask(self) -> np.ndarray | None:
        name = self.manifest.get("mask")
        if not name:
            return None
        arr, _ = read_window(self.root / name, self, categorical=True, allow_resample=False, layer_name="mask")
        return np.asarray(arr) == 0


def read_window(path: Path, area: WindowArea, *, categorical: bool, allow_resample: bool, band: int = 1,
                layer_name: str | None = None):
    """(array, nodata) of one band inside the window, with the NoData policy of ``rasters.read_on_grid``."""
    own = rasters.grid_of(path)
    if area.parent.differences(own):
        # not on the study grid: resampled onto the window's grid (the checks and messages are read_on_grid's)
        return rasters.read_on_grid(path, area.grid, categorical=categorical, allow_resample=allow_resample,
                                    band=band, layer_name=layer_name)
    win = Window(area.col, area.row, area.grid.width, area.grid.height)
    with rasters.block_cache(rasters._READ_CACHE_MB), rasterio.open(path) as ds:
        nodata = ds.nodatavals[band - 1]
        if categorical:
            return ds.read(band, window=win), nodata
        arr = np.empty(area.grid.shape, dtype=np.float32)
        ds.read(band, window=win, out=arr)
    if nodata is not None and not np.isnan(nodata):
        kernels.nodata_to_nan(arr, np.float32(nodata))
    return arr, np.nan


@lru_cache(maxsize=32)
def _whole_layer(path: str, layer: str | None, grid_json: str, name: str, stamp: tuple):
    """The whole vector layer in the grid CRS with a spatial index, read once per process (``stamp``, the
    file's size and modification time, makes a long-lived worker read a changed file again)."""
    gdf = vectors.read_features(path, layer=layer, grid=Grid.from_dict(json.loads(grid_json)), layer_name=name)
    gdf.sindex  # built once, queried by every chunk
    return gdf


class WindowStore(LayerStore):
    """Loads a model's layers inside one chunk's window (see the module docstring)."""

    area: WindowArea

    def __init__(self, area: WindowArea, model: Model):
        super().__init__(area, model)
        self.counted = area.counted

    def _record(self, name, spec, p) -> None:   # the coordinator records and hashes each input once
        self._inputs.setdefault(name, {"layer": name, "path": str(p), "kind": spec.kind, "type": spec.type})

    def raster(self, name: str):
        if name not in self._rasters:
            spec = self.model.layers[name]
            p = self.area.path(spec)
            self._rasters[name] = read_window(p, self.area, categorical=spec.type == "categorical",
                                              allow_resample=self.model.align, band=spec.band, layer_name=name)
            self._record(name, spec, p)
        return self._rasters[name]

    def whole_vector(self, name: str):
        spec = self.model.layers[name]
        p = self.area.path(spec)
        self._record(name, spec, p)
        g = self.area.parent
        st = p.stat() if p.exists() else None
        stamp = (st.st_size, st.st_mtime_ns) if st else ()
        return _whole_layer(str(p), spec.layer, json.dumps(g.to_dict()), name, stamp)

    def vector(self, name: str):
        """The features of the whole layer that touch the window grown by ``area.reach`` cells (the layer's
        columns, its CRS)."""
        if name not in self._vectors:
            import shapely

            gdf = self.whole_vector(name)
            l, b, r, t = self.area.grid.bounds
            m = self.area.reach * max(self.area.grid.res)
            hits = gdf.sindex.query(shapely.box(l - m, b - m, r + m, t + m))
            self._vectors[name] = gdf.iloc[np.sort(hits)]
        return self._vectors[name]

    def basis_of(self, name: str, where: dict | None) -> dict[str, dict[str, int]]:
        """Counted over the whole layer, as the in-memory run does."""
        spec = self.model.layers[name]
        if not where or spec.kind != "vector":
            return {}
        window_part = self._vectors.get(name)
        self._vectors[name] = self.whole_vector(name)
        try:
            return super().basis_of(name, where)
        finally:
            if window_part is None:
                self._vectors.pop(name)
            else:
                self._vectors[name] = window_part

    def codes(self, name: str):
        spec = self.model.layers[name]
        if spec.kind == "raster":
            return super().codes(name)
        key = f"{name}#codes"
        if key not in self._rasters:
            if not spec.attribute:
                raise VectorError(Message("run.err.studyarea.categorical_vector_layer_needs"),
                                  source=str(self.area.path(spec)), field=f"layers.{name}.attribute")
            whole = self.whole_vector(name)
            if spec.attribute not in whole.columns:
                raise VectorError(Message("run.err.studyarea.attribute", spec_attribute=spec.attribute),
                                  source=str(self.area.path(spec)),
                                  field=f"layers.{name}.attribute")
            values = sorted(whole[spec.attribute].astype(str).unique())   # the whole layer's codes
            codes = {v: i + 1 for i, v in enumerate(values)}
            arr = vectors.burn_codes(self.vector(name), self.area.grid, spec.attribute, codes,
                                     label=str(self.area.path(spec)))
            self._rasters[key] = (arr, 0)
            self._legends = getattr(self, "_legends", {})
            self._legends[name] = {c: v for v, c in codes.items()}
        arr, nodata = self._rasters[key]
        return arr, nodata, self._legends[name]

    def feature_mask(self, name: str, where: dict | None) -> np.ndarray:
        spec = self.model.layers[name]
        if spec.kind == "vector" and where:
            # "no feature matches" is decided on the whole layer (by the coordinator), never on a window
            gdf = self.vector(name)
            missing = [a for a in where if a not in gdf.columns]
            if missing:
                raise VectorError(Message("run.err.studyarea.attribute", spec_attribute=missing[0]),
                                  source=str(self.area.path(spec)),
                                  field=f"where.{missing[0]}")
            sel = np.ones(len(gdf), dtype=bool)
            for attr, vals in where.items():
                sel &= gdf[attr].astype(str).isin([str(v) for v in vals]).to_numpy()
            return self.burn(gdf[sel])
        return super().feature_mask(name, where)

    def burn(self, gdf) -> np.ndarray:
        """``vectors.burn_mask`` for the window, in the whole grid's cell coordinates."""
        return burn_window(gdf, self.area.parent, self.area.row, self.area.col, self._mask_buffer())

    # -- the measures that need cells beyond the chunk: measured on a grown window, cut back to the chunk --

    def grown(self, cells: int) -> tuple["WindowStore", tuple[slice, slice]]:
        """A store on this window grown by ``cells`` on every side (clipped at the grid), and where this
        window lies inside it. It shares this store's warnings and input records; its buffers are the
        process's reusable ones (:func:`reusable`), so a chunk allocates no new grown grid per measure."""
        a, p = self.area, self.area.parent
        h, w = a.grid.shape
        r0, c0 = max(0, a.row - cells), max(0, a.col - cells)
        r1, c1 = min(p.height, a.row + h + cells), min(p.width, a.col + w + cells)
        area = WindowArea(a.root, p, a.manifest, r0, c0, r1 - r0, c1 - c0, (slice(None), slice(None)))
        store = _GrownStore(area, self.model)
        store.warnings, store._inputs = self.warnings, self._inputs
        return store, (slice(a.row - r0, a.row - r0 + h), slice(a.col - c0, a.col - c0 + w))

    def distance(self, sources, res, max_distance, out):
        """The whole grid's bounded distance on this window: the features are drawn on the window grown by
        the reach, ``halo = ceil(max_distance / smaller cell side) + 1`` (a feature farther than that is beyond
        reach for every cell of the window, so it cannot change the clamped distance), and the distance is
        computed for the window's own cells only (``proximity.distance_to_core``)."""
        store, inner = self.grown(reach_cells(max_distance, res))
        return _core_distance(store, store.features_mask(sources), inner, res, max_distance, out)

    def distance_to_features(self, gdf, res, max_distance, out):
        """:meth:`distance` to the features of ``gdf`` (a setback class)."""
        store, inner = self.grown(reach_cells(max_distance, res))
        return _core_distance(store, store.burn(gdf), inner, res, max_distance, out)

    def slope(self, name, res, out, *, degrees):
        """Horn's 3 x 3 slope needs one cell around the window: measured on the window grown by one cell."""
        from kawasan.spatial.proximity import slope

        store, inner = self.grown(1)
        dem, _ = store.raster(name)
        s = slope(dem, res, out=reusable("slope", store.area.grid.shape, np.float32), degrees=degrees)
        out[...] = s[inner]
        return out


class _GrownStore(WindowStore):
    """A chunk's window grown for one distance or slope; its mask buffer is the process's reusable one."""

    def _mask_buffer(self) -> np.ndarray:
        return reusable("mask", self.area.grid.shape, np.uint8)


def _core_distance(store: "WindowStore", mask: np.ndarray, inner: tuple[slice, slice], res, max_distance, out):
    """``proximity.distance_to_core`` of the grown ``store``'s ``mask`` for the window ``inner``, into ``out``;
    its first pass uses the process's reusable grown-window buffer (at least core rows x grown columns)."""
    from kawasan.spatial.proximity import distance_to_core

    scratch = reusable("distance", store.area.grid.shape, np.float32)
    return distance_to_core(mask, inner, res, max_distance, out, scratch)


def reach_cells(max_distance: float, res: tuple[float, float]) -> int:
    """Cells a bounded distance of ``max_distance`` map units can reach: ceil(max_distance / smaller side) + 1."""
    return max(1, math.ceil(float(max_distance) / min(res) - 1e-9) + 1)


_BUFFERS = threading.local()


def reusable(name: str, shape: tuple[int, int], dtype) -> np.ndarray:
    """A C-contiguous ``shape`` array on a per-thread buffer ``name`` that only ever grows.

    A worker evaluates chunk after chunk: its grown windows are about the same size each time, so the
    buffer is allocated (and its pages faulted in) once per process, not once per measure. Contents are
    whatever the last user left: the caller fills it."""
    pool = getattr(_BUFFERS, "pool", None)
    if pool is None:
        pool = _BUFFERS.pool = {}
    dt = np.dtype(dtype)
    n = int(shape[0]) * int(shape[1])
    buf = pool.get((name, dt.str))
    if buf is None or buf.size < n:
        buf = pool[(name, dt.str)] = np.empty(n, dtype=dt)
    return buf[:n].reshape(shape)


def burn_window(gdf, grid: Grid, row: int, col: int, out: np.ndarray) -> np.ndarray:
    """The window (``row``, ``col``, ``out.shape``) of ``vectors.burn_mask(gdf, grid)``.

    Lines and points: the same segments in the same whole-grid coordinates, clipped at the window.
    Polygons: their cell centres, rasterized on the window's grid. The rule "polygons that cover no cell
    centre at all burn their outlines" is decided on the polygons that touch the window, each tested against
    the whole grid (:func:`_covers_a_centre`).
    """
    import shapely

    out.fill(0)
    parts = vectors._simple_parts(np.asarray(gdf.geometry.values, dtype=object))
    kinds = shapely.get_type_id(parts)
    polygons = parts[kinds == 3]
    lines = parts[(kinds == 1) | (kinds == 2)]
    points = parts[kinds == 0]
    if polygons.size:
        sub = window_grid(grid, row, col, out.shape[0], out.shape[1])
        features.rasterize(((g, 1) for g in polygons), out=out, transform=sub.transform, dtype="uint8")
        if polygons.size == parts.size and _covers_a_centre(polygons, grid):
            return out
        lines = np.concatenate([lines, shapely.get_rings(polygons)])
    if lines.size:
        xy, index = shapely.get_coordinates(lines, return_index=True)
        u, v = vectors._pixel_coords(xy, grid)
        same = index[1:] == index[:-1]
        kernels.burn_segments(u[:-1][same], v[:-1][same], u[1:][same], v[1:][same], out, row, col)
    if points.size:
        u, v = vectors._pixel_coords(shapely.get_coordinates(points), grid)
        kernels.burn_segments(u, v, u, v, out, row, col)
    return out


def _covers_a_centre(polygons: np.ndarray, grid: Grid) -> bool:
    """Whether any of ``polygons`` holds a cell centre of ``grid`` (GDAL's default rasterization rule).

    Quick test first: the centre of the cell under each polygon's representative point; then each polygon
    rasterized on its own bounding window, smallest first, until one burns a cell.
    """
    import shapely
    from rasterio.windows import from_bounds

    inv = ~grid.transform
    t = grid.transform
    pts = shapely.get_coordinates(shapely.point_on_surface(polygons))
    cols = np.floor(inv.a * pts[:, 0] + inv.c)
    rows = np.floor(inv.e * pts[:, 1] + inv.f)
    cx, cy = t.c + (cols + 0.5) * t.a, t.f + (rows + 0.5) * t.e
    inside = (cols >= 0) & (cols < grid.width) & (rows >= 0) & (rows < grid.height)
    if np.any(inside & shapely.contains_xy(polygons, cx, cy)):
        return True
    for g in sorted(polygons, key=lambda p: p.area):
        win = from_bounds(*g.bounds, transform=grid.transform).round_offsets("floor").round_lengths("ceil")
        r0, c0 = max(0, int(win.row_off)), max(0, int(win.col_off))
        r1 = min(grid.height, int(win.row_off + win.height) + 1)
        c1 = min(grid.width, int(win.col_off + win.width) + 1)
        if r1 <= r0 or c1 <= c0:
            continue
        sub = window_grid(grid, r0, c0, r1 - r0, c1 - c0)
        if features.rasterize([(g, 1)], out_shape=sub.shape, transform=sub.transform, dtype="uint8").any():
            return True
    return False
