"""A study area: a folder of layers on one grid, described by ``manifest.json``.

Made by ``kawasan demo`` (synthetic) or ``kawasan data prepare``; any folder of
GeoTIFFs and vector files also works, in which case the grid is taken from the
first raster layer the model names. Layers are loaded lazily and once.
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kawasan.errors import InputError, RasterError, VectorError
from kawasan.fileio import recover
from kawasan.i18n import Message
from kawasan.spatial import kernels, rasters, vectors
from kawasan.spatial.grid import Grid
from kawasan.spatial.model import LayerSpec, Model

MANIFEST = "manifest.json"
#: Category names an earlier kawasan used, and their names now. A model or study area using either is read,
#: with a warning (OpenStreetMap's landuse=paddy is any rice field, irrigated or rain-fed).
RENAMED_CATEGORIES = {"irrigated_rice": "rice_field"}


def sha256_of(path: Path, chunk: int = 1 << 22) -> str:
    """SHA-256 of a file (or of every file in a folder, in name order)."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        with open(f, "rb") as fh:
            while True:
                b = fh.read(chunk)
                if not b:
                    break
                h.update(b)
    return h.hexdigest()


_digests: dict = {}
_digests_lock = threading.Lock()
#: how many file digests :func:`sha256_unchanged` remembers (a few per layer of each study area served)
DIGESTS_KEPT = 512


def sha256_unchanged(path: Path) -> str:
    """:func:`sha256_of` of a file, remembered in this process while the file keeps its identity (its path
    and :func:`_identity`, the key :func:`layer_digest` persists across runs): a rewrite changes the size or
    a time, a replacement by rename the inode, so the digest is computed again; a folder is always hashed
    anew. The map's cell click uses this instead of re-reading every layer of the run on every click."""
    path = Path(path)
    if path.is_dir():
        return sha256_of(path)
    key = (str(path), *_identity(os.stat(path)))
    with _digests_lock:
        found = _digests.get(key)
    if found is None:
        found = sha256_of(path)
        with _digests_lock:
            if len(_digests) >= DIGESTS_KEPT:
                _digests.pop(next(iter(_digests)))
            _digests[key] = found
    return found


#: the study area's remembered layer digests: a sidecar of its manifest (``data prepare`` counts it as the
#: workspace's own file and replaces it with the workspace)
DIGEST_CACHE = MANIFEST + ".digests"
#: a digest is remembered across runs only for a file whose last change (mtime and ctime) was this long
#: before it was hashed: a file rewritten in place within the file system's timestamp granularity of an
#: earlier write keeps its size, times and inode, and must not be trusted (git's "racy" rule)
SETTLED_NS = 2_000_000_000
_cache_lock = threading.Lock()


def layer_digest(path: Path, root: Path) -> str:
    """:func:`sha256_of` of a layer file, remembered across runs in the study area's :data:`DIGEST_CACHE`.

    An entry holds the file's identity when it was hashed: device, inode, size, modification and change
    times in ns. Any write changes the size or a time, a replacement by rename changes the inode, and a copy
    with its times kept (``cp -p``, ``rsync -t``) still changes the ctime, which no program can set back:
    then the file is hashed again. Only settled files are remembered (:data:`SETTLED_NS`). A folder is
    always hashed anew. A cache that cannot be read or written (a read-only study area) is no error: the
    digest is then computed every time."""
    path = Path(path)
    if path.is_dir():
        return sha256_of(path)
    cache, key = Path(root) / DIGEST_CACHE, str(path.resolve())
    ident = _identity(os.stat(path))
    known = _read_digests(cache).get(key)
    if isinstance(known, dict) and known.get("identity") == ident and isinstance(known.get("sha256"), str):
        return known["sha256"]
    started = time.time_ns()
    digest = sha256_of(path)
    settled = started - max(ident[3], ident[4]) > SETTLED_NS
    if settled and _identity(os.stat(path)) == ident:
        _remember(cache, key, {"identity": ident, "sha256": digest})
    return digest


def _identity(st: os.stat_result) -> list[int]:
    """What changes when a file's bytes may have: [device, inode, size, mtime ns, ctime ns]."""
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


def _read_digests(cache: Path) -> dict:
    try:
        found = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _remember(cache: Path, key: str, entry: dict) -> None:
    """Add one entry to the cache file (written whole, then renamed into place); entries of files that no
    longer exist are dropped. Concurrent runs may lose each other's entry: it is computed again next time."""
    with _cache_lock:
        found = {k: v for k, v in _read_digests(cache).items() if os.path.exists(k)}
        found[key] = entry
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        try:
            tmp.write_text(json.dumps(found, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(tmp, cache)
        except OSError:
            tmp.unlink(missing_ok=True)


@dataclass
class StudyArea:
    root: Path
    grid: Grid
    manifest: dict = field(default_factory=dict)
    memory: dict = field(default_factory=dict)   # in-memory layers (numpy/xarray/GeoDataFrame) by layer name

    @property
    def name(self) -> str:
        return self.manifest.get("name", self.root.name)

    @property
    def synthetic(self) -> bool:
        return bool(self.manifest.get("synthetic", False))

    def manifest_entry(self, spec: LayerSpec) -> dict:
        for entry in self.manifest.get("layers", {}).values():
            if entry.get("path") == spec.path:
                return entry
        return {}

    def path(self, spec: LayerSpec) -> Path:
        p = Path(spec.path)
        return p if p.is_absolute() else self.root / p

    def outside_mask(self) -> np.ndarray | None:
        """True for cells outside the study boundary, from the manifest's ``mask`` raster (1 inside, 0 outside).

        A prepared study area's grid extends beyond the boundary by a buffer so that distances and
        slopes near the edge are right; results are reported only inside the boundary.
        """
        name = self.manifest.get("mask")
        if not name:
            return None
        p = self.root / name
        if not p.exists():
            raise RasterError(Message("run.err.studyarea.study_area_mask_named"), source=str(p), field="mask")
        arr, _ = rasters.read_on_grid(p, self.grid, categorical=True, allow_resample=False, layer_name="mask")
        return np.asarray(arr) == 0

    def layer_store(self, model: Model) -> "LayerStore":
        """The store the engine loads this area's layers through (a chunk's window brings its own)."""
        return LayerStore(self, model)

    def legend(self, spec: LayerSpec) -> dict[int, str]:
        """Category code -> name, from the model's layer spec or the study-area manifest."""
        if spec.categories:
            return dict(spec.categories)
        cats = self.manifest_entry(spec).get("categories") or {}
        return {int(k): str(v) for k, v in cats.items()}


def open_study_area(data_dir: str | Path, model: Model | None = None) -> StudyArea:
    root = Path(data_dir)
    recover(root)                # a study area a killed data prepare left set aside is put back
    if not root.is_dir():
        raise InputError(Message("err.no_study_area"), source=str(root))
    man_path = root / MANIFEST
    manifest = {}
    if man_path.exists():
        try:
            manifest = json.loads(man_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InputError(Message("run.err.studyarea.valid_json", error=str(exc)), source=str(man_path)) from exc
    if "grid" in manifest:
        try:
            grid = Grid.from_dict(manifest["grid"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(Message("run.err.studyarea.invalid_grid_description_expected", error=str(exc)),
                             source=str(man_path), field="grid") from exc
    else:
        if model is None:
            raise InputError(Message("run.err.studyarea.manifest_json_with_grid"),
                             source=str(root))
        first = next((s for s in model.layers.values() if s.kind == "raster" and (root / s.path).exists()), None)
        if first is None:
            raise RasterError(Message("run.err.studyarea.raster_layer_model_exists"), source=str(root))
        grid = rasters.grid_of(root / first.path)
    grid.check_usable(str(man_path if manifest else root))
    return StudyArea(root, grid, manifest)


class LayerStore:
    """Loads each layer of a model once, on demand, onto the study grid."""

    def __init__(self, area: StudyArea, model: Model):
        self.area = area
        self.model = model
        self._rasters: dict[str, tuple[np.ndarray, object]] = {}
        self._vectors: dict[str, object] = {}
        self._inputs: dict[str, dict] = {}
        self._hashes: dict[str, object] = {}
        self._pool = None
        self.warnings: list[str] = []

    @property
    def inputs(self) -> dict[str, dict]:
        """Every layer read, with its SHA-256 (computed in a background thread while the run computes)."""
        for name, fut in list(self._hashes.items()):
            self._inputs[name]["sha256"] = fut.result()
            del self._hashes[name]
        if self._pool is not None and not self._hashes:
            self._pool.shutdown()
            self._pool = None
        return self._inputs

    def _record(self, name: str, spec: LayerSpec, p: Path) -> None:
        if name not in self._inputs:
            from concurrent.futures import ThreadPoolExecutor

            self._inputs[name] = {"layer": name, "path": str(p), "kind": spec.kind, "type": spec.type}
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kawasan-sha256")
            self._hashes[name] = self._pool.submit(layer_digest, p, self.area.root)

    def release(self) -> None:
        """Drop the loaded layers (checksums still complete in the background)."""
        self._rasters.clear()
        self._vectors.clear()
        self._mask = None

    def drop(self, name: str) -> None:
        """Drop one layer after its last use."""
        self._rasters.pop(name, None)
        self._rasters.pop(f"{name}#codes", None)
        self._vectors.pop(name, None)

    #: The part of the grid that cell counts cover (a chunk's window counts only its core, not its halo).
    counted: tuple = (slice(None), slice(None))

    def burn(self, gdf) -> np.ndarray:
        """uint8 mask of ``gdf``'s features on the study grid, drawn into the shared mask buffer."""
        return vectors.burn_mask(gdf, self.area.grid, out=self._mask_buffer())

    def _mask_buffer(self) -> np.ndarray:
        """One uint8 grid reused for every feature mask (only one distance is measured at a time)."""
        if getattr(self, "_mask", None) is None:
            self._mask = np.empty(self.area.grid.shape, dtype=np.uint8)
        return self._mask

    def exists(self, name: str) -> bool:
        return name in self.area.memory or self.area.path(self.model.layers[name]).exists()

    def unavailable(self, name: str, where: dict | None = None) -> str | None:
        """Why layer ``name`` cannot serve a rule with feature filter ``where`` (None: it can)."""
        if not self.exists(name):
            return Message("run.note.studyarea.not_provided")
        spec = self.model.layers[name]
        if where and spec.kind == "vector":
            gdf = self.vector(name)
            absent = [a for a in where if a not in gdf.columns]
            if absent:
                return Message("run.note.studyarea.no_attributes", names=", ".join(repr(a) for a in absent))
        return None

    def basis_of(self, name: str, where: dict | None) -> dict[str, dict[str, int]]:
        """Where the filtered attributes of the selected features come from.

        A vector layer may carry, beside an attribute ``X``, a column ``X_source`` saying how each feature's
        ``X`` was found (``kawasan data prepare`` writes ``status_source`` for roads: from ``ref``, an agency
        layer, or a road-class proxy). Returns {attribute: {source: features}} for the features ``where``
        selects; empty when the layer has no such column.
        """
        spec = self.model.layers[name]
        if not where or spec.kind != "vector":
            return {}
        gdf = self.vector(name)
        sel = np.ones(len(gdf), dtype=bool)
        for attr, vals in where.items():
            if attr in gdf.columns:
                sel &= gdf[attr].astype(str).isin([str(v) for v in vals]).to_numpy()
        out = {}
        for attr in where:
            col = f"{attr}_source"
            if col in gdf.columns:
                counts = gdf.loc[sel, col].fillna("unknown").astype(str).value_counts()
                out[attr] = {str(k): int(v) for k, v in sorted(counts.items())}
        return out

    def distance(self, sources: list[tuple[str, dict | None]], res: tuple[float, float], max_distance: float,
                 out: np.ndarray) -> np.ndarray:
        """Bounded distance to the features of ``sources`` into ``out`` (``proximity.distance_to``).

        A step of its own so that a chunk's store (``chunked.window``) can measure it on a window grown by
        the reach and keep only the chunk: the one measure that needs cells beyond the chunk."""
        from kawasan.spatial.proximity import distance_to

        return distance_to(self.features_mask(sources), res, max_distance, out=out)

    def distance_to_features(self, gdf, res: tuple[float, float], max_distance: float,
                             out: np.ndarray) -> np.ndarray:
        """Bounded distance to the features of ``gdf`` (a setback class) into ``out``; see :meth:`distance`."""
        from kawasan.spatial.proximity import distance_to

        return distance_to(self.burn(gdf), res, max_distance, out=out)

    def slope(self, name: str, res: tuple[float, float], out: np.ndarray, *, degrees: bool) -> np.ndarray:
        """Slope of the DEM ``name`` into ``out`` (``proximity.slope``: Horn's 3 x 3, one cell of context)."""
        from kawasan.spatial.proximity import slope

        dem, _ = self.raster(name)
        return slope(dem, res, out=out, degrees=degrees)

    def features_mask(self, sources: list[tuple[str, dict | None]]) -> np.ndarray:
        """uint8 mask (1 = a feature of any of ``sources``, each a (layer, where) pair) for one distance."""
        first, *more = sources
        mask = self.feature_mask(*first)
        if more:
            union = mask.copy()      # the next masks are drawn into the same buffer
            for name, where in more:
                np.bitwise_or(union, self.feature_mask(name, where), out=union)
            mask[...] = union
        return mask

    def raster(self, name: str):
        """(array, nodata) for a raster layer; float32 with NaN for continuous layers."""
        if name not in self._rasters and name in self.area.memory:
            self._rasters[name] = _memory_raster(name, self.area.memory[name], self.model.layers[name], self.area.grid)
            self._inputs[name] = {"layer": name, "path": "<memory>", "kind": "raster", "type": self.model.layers[name].type}
        if name not in self._rasters:
            spec = self.model.layers[name]
            p = self.area.path(spec)
            arr, nodata = rasters.read_on_grid(p, self.area.grid, categorical=spec.type == "categorical",
                                               allow_resample=self.model.align, band=spec.band, layer_name=name)
            self._record(name, spec, p)
            self._rasters[name] = (arr, nodata)
        return self._rasters[name]

    def vector(self, name: str):
        if name not in self._vectors and name in self.area.memory:
            gdf = self.area.memory[name]
            if gdf.crs is None:
                raise VectorError(Message("run.err.studyarea.geodataframe_crs"), source=f"<memory:{name}>")
            self._vectors[name] = gdf.to_crs(self.area.grid.crs) if gdf.crs != self.area.grid.crs else gdf
            self._inputs[name] = {"layer": name, "path": "<memory>", "kind": "vector", "type": self.model.layers[name].type}
        if name not in self._vectors:
            spec = self.model.layers[name]
            p = self.area.path(spec)
            gdf = vectors.read_features(p, layer=spec.layer, grid=self.area.grid, layer_name=name)
            self._record(name, spec, p)
            self._vectors[name] = gdf
        return self._vectors[name]

    def codes(self, name: str):
        """(codes, nodata, legend) for a categorical layer (vector polygons are burned by attribute)."""
        spec = self.model.layers[name]
        if spec.kind == "raster":
            arr, nodata = self.raster(name)
            return arr, nodata, self.area.legend(spec)
        key = f"{name}#codes"
        if key not in self._rasters:
            if not spec.attribute:
                raise VectorError(Message("run.err.studyarea.categorical_vector_layer_needs"),
                                  source=str(self.area.path(spec)), field=f"layers.{name}.attribute")
            gdf = self.vector(name)
            if spec.attribute not in gdf.columns:
                raise VectorError(Message("run.err.studyarea.attribute", spec_attribute=spec.attribute),
                                  source=str(self.area.path(spec)),
                                  field=f"layers.{name}.attribute")
            values = sorted(gdf[spec.attribute].astype(str).unique())
            codes = {v: i + 1 for i, v in enumerate(values)}
            arr = vectors.burn_codes(gdf, self.area.grid, spec.attribute, codes, label=str(self.area.path(spec)))
            self._rasters[key] = (arr, 0)
            self._legends = getattr(self, "_legends", {})
            self._legends[name] = {c: v for v, c in codes.items()}
        arr, nodata = self._rasters[key]
        return arr, nodata, self._legends[name]

    def feature_mask(self, name: str, where: dict | None) -> np.ndarray:
        """uint8 mask (1 = feature) for distance measures."""
        spec = self.model.layers[name]
        if spec.kind == "vector":
            gdf = self.vector(name)
            if where:
                for attr in where:
                    if attr not in gdf.columns:
                        raise VectorError(
                            Message("run.err.studyarea.attribute_available", attr=attr,
                                    columns=', '.join((c for c in gdf.columns if c != 'geometry'))),
                            source=str(self.area.path(spec)), field=f"where.{attr}")
                sel = np.ones(len(gdf), dtype=bool)
                for attr, vals in where.items():
                    sel &= gdf[attr].astype(str).isin([str(v) for v in vals]).to_numpy()
                gdf = gdf[sel]
                if gdf.empty:
                    # A value the layer's declared vocabulary knows (a prepared workspace declares e.g.
                    # settlements kind town/village) may simply be absent from this area: every cell is
                    # then beyond reach. Any other value is more likely a typo and is refused.
                    vocab = self.area.manifest_entry(spec).get("vocabulary") or {}
                    known = all(attr in vocab and {str(v) for v in vals} <= {str(x) for x in vocab[attr]}
                                for attr, vals in where.items())
                    if not known:
                        raise VectorError(Message("run.err.studyarea.features_matching", where=where),
                                          source=str(self.area.path(spec)))
                    self.warnings.append(Message("run.note.studyarea.no_features_matching", layer=name,
                                                 where=where))
                    out = self._mask_buffer()
                    out.fill(0)
                    return out
            return self.burn(gdf)
        out = self._mask_buffer()
        if spec.type == "categorical":
            arr, nodata, legend = self.codes(name)
            top = int(arr.max())
            if where:
                vals = [v for vs in where.values() for v in vs]
                wanted = resolve_codes(vals, legend, source=str(self.area.path(spec)), field="where",
                                       warnings=self.warnings)
                flags = np.zeros(max(top, *wanted) + 1, dtype=np.bool_)
                flags[[c for c in wanted if c >= 0]] = True
            else:
                flags = np.ones(top + 1, dtype=np.bool_)
                flags[0] = False
            if nodata is not None and 0 <= int(nodata) < flags.size:
                flags[int(nodata)] = False
            return kernels.codes_to_mask(arr, flags, out)
        arr, _ = self.raster(name)
        return kernels.nonzero_finite_mask(arr, out)


def _memory_raster(name: str, value, spec: LayerSpec, grid: Grid):
    """An in-memory raster (numpy array or xarray DataArray on the grid) as (array, nodata)."""
    arr = np.asarray(getattr(value, "values", value))
    if arr.shape != grid.shape:
        raise RasterError(Message("run.err.studyarea.shape_expected_grid_s", arr_shape=arr.shape,
                                  grid_shape=grid.shape), source=f"<memory:{name}>")
    nodata = getattr(value, "attrs", {}).get("_FillValue", getattr(value, "attrs", {}).get("nodata"))
    if spec.type == "categorical":
        if not np.issubdtype(arr.dtype, np.integer):
            raise RasterError(Message("run.err.studyarea.categorical_layer_must_hold", arr_dtype=arr.dtype),
                              source=f"<memory:{name}>")
        return arr, nodata
    out = arr.astype(np.float32, copy=True)
    if nodata is not None and not np.isnan(nodata):
        out[out == np.float32(nodata)] = np.nan
    if not np.isfinite(out).any():
        raise RasterError(Message("run.err.studyarea.only_nodata"), source=f"<memory:{name}>")
    return out, np.nan


def grid_from_dataarray(da) -> Grid:
    """The grid of an xarray DataArray with regular 1-D x/y cell-centre coordinates and a CRS in attrs['crs']
    (or rioxarray's .rio.crs)."""
    from affine import Affine
    from rasterio.crs import CRS

    crs = da.attrs.get("crs")
    if crs is None and hasattr(da, "rio"):
        crs = da.rio.crs
    if crs is None:
        raise InputError(Message("run.err.studyarea.dataarray_crs_set_da"), source="<memory>")
    xs, ys = np.asarray(da["x"]), np.asarray(da["y"])
    if xs.size < 2 or ys.size < 2:
        raise InputError(Message("run.err.studyarea.need_at_least_x"), source="<memory>")
    dx, dy = float(xs[1] - xs[0]), float(ys[1] - ys[0])
    if not (np.allclose(np.diff(xs), dx) and np.allclose(np.diff(ys), dy)) or dy >= 0:
        raise InputError(Message("run.err.studyarea.x_y_coordinates_must"), source="<memory>")
    return Grid(CRS.from_user_input(crs), Affine(dx, 0, xs[0] - dx / 2, 0, dy, ys[0] - dy / 2), xs.size, ys.size)


def memory_study_area(layers: dict, *, grid: Grid | None = None, name: str = "in-memory study area",
                      synthetic: bool = False) -> StudyArea:
    """A study area from in-memory layers: xarray DataArrays / numpy arrays (rasters) and GeoDataFrames (vectors)."""
    if grid is None:
        da = next((v for v in layers.values() if hasattr(v, "dims") and hasattr(v, "coords")), None)
        if da is None:
            raise InputError(Message("run.err.studyarea.give_grid_at_least"),
                             source="<memory>")
        grid = grid_from_dataarray(da)
    grid.check_usable("<memory>")
    return StudyArea(Path("."), grid, {"name": name, "synthetic": synthetic}, dict(layers))


def resolve_codes(values, legend: dict[int, str], *, source: str, field: str,
                  warnings: list[str] | None = None) -> list[int]:
    """Turn category names or codes into integer codes, refusing names the legend does not know.

    A category renamed since an earlier kawasan (``RENAMED_CATEGORIES``) is found under either name, and a
    warning saying so is added to ``warnings``.
    """
    by_name = {v: k for k, v in legend.items()}
    both_ways = {**RENAMED_CATEGORIES, **{new: old for old, new in RENAMED_CATEGORIES.items()}}
    out = []
    for v in values:
        if isinstance(v, int) or (isinstance(v, str) and v.strip().lstrip("-").isdigit()):
            out.append(int(v))
        elif v in by_name:
            out.append(by_name[v])
        elif both_ways.get(v) in by_name:
            other = both_ways[v]
            out.append(by_name[other])
            if warnings is not None:
                old, new = (v, other) if v in RENAMED_CATEGORIES else (other, v)
                text = (f"category '{old}' is now called '{new}' (a rice field, irrigated or rain-fed); "
                        f"'{v}' in {field} was read as code {by_name[other]} of {source}"
                        + ("; re-run kawasan data prepare (or kawasan demo) to update the study area"
                           if v == new else "; rename it in the model"))
                if text not in warnings:
                    warnings.append(text)
        else:
            known = ", ".join(f"{k}={n}" for k, n in sorted(legend.items())) or "none (give integer codes)"
            raise InputError(Message("run.err.studyarea.unknown_category_layer_s", category=v, known=known),
                             source=source, field=field)
    return out
