"""XYZ map tiles (Web Mercator, 256 px, PNG or WebP) cut on demand from a run's and its study area's COGs.

rio-tiler's ``Reader.tile`` reads and reprojects the part of a Cloud-Optimized GeoTIFF under one tile
(from the overview that fits the zoom); this module only colours the values:

| layer | file | colouring |
|---|---|---|
| ``score``, ``criterion.<id>`` | ``score.tif``, ``criteria/<id>.tif`` | the report's score ramp over 0..1 |
| ``classes`` | ``classes.tif`` | the report's class palette, S1..N2 and "excluded by law" (grey) |
| ``constraints`` | ``constraints.tif`` (bitmask) | one colour per rule; a cell several rules exclude: the colour of its first rule hatched with black |
| ``spread`` | ``sites/score_spread.tif`` | white to purple over 0..max standard deviation of the score |
| ``hillshade`` | the study area's DEM | Lambertian hillshade (light from the north-west, 45°) |
| ``layer.<name>`` | a categorical raster of the study area | the file's colour table, else a palette by category |

NoData is transparent (the file's NoData, NaN, and for the classes code 0). A tile of the tile matrix that
the layer does not cover is a 404 (as in TiTiler); a tile outside the matrix or beyond the zoom limit is a
422. Same inputs, same bytes: colouring is table lookups and the encoders are deterministic.
"""
from __future__ import annotations

import hashlib
import math
import re
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from cachetools import LRUCache
from rio_tiler.errors import NoOverviewWarning

from kawasan.errors import InputError, NotFoundError
from kawasan.reports import maps as palette
from kawasan.i18n import Message

TILE_SIZE = 256
PNG_ZLEVEL = 3
#: how many zoom levels beyond the layer's native resolution may be asked (cells become visible squares)
OVERZOOM = 4
MAX_ZOOM = 24
FORMATS = {"png": ("PNG", "image/png"), "webp": ("WEBP", "image/webp")}
#: bumped when a colouring changes, so cached tiles and browsers' ETags change with it
STYLE_VERSION = "1"
SEVERAL_RULES = "#000000"
HATCH = 9  # pixels between the hatch lines of cells that several rules exclude
SPREAD_STOPS = [(0.0, "#f7f7f7"), (0.5, "#9e9ac8"), (1.0, "#3f007d")]
DIFF_STOPS = [(0.0, "#b2182b"), (0.25, "#ef8a62"), (0.5, "#f7f7f7"), (0.75, "#67a9cf"), (1.0, "#2166ac")]
#: colours of the standard land-cover and zoning categories (kawasan/spatial/ingest/categories.yaml)
CATEGORY_COLOURS = {
    "water": "#4682c8", "protected_forest": "#145a28", "production_forest": "#3c8c3c", "rice_field": "#aadc5a",
    "plantation": "#c8aa3c", "dry_fields": "#e6d28c", "shrub": "#b4be8c", "settlement": "#c83c3c",
    "industry": "#963caa", "unmapped": "#dddddd", "protected": "#1e6e32", "agriculture": "#dce678",
    "kpi": "#a03cc8", "plantation_forestry": "#78aa50", "none": "#f0f0f0", "low": "#ffe696", "medium": "#faa03c",
    "high": "#d2281e", "outside": "#f0f0f0",
}
# a study area's plain GeoTIFFs have no overviews: tiles at low zooms read more, which is measured, not warned
warnings.filterwarnings("ignore", category=NoOverviewWarning)
_LAYER = re.compile(r"^(score|classes|constraints|spread|hillshade|criterion\.[A-Za-z0-9_-]{1,64}"
                    r"|layer\.[A-Za-z0-9_-]{1,64})$")


def hex_rgba(colour: str, alpha: int = 255) -> tuple[int, int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16), alpha


def ramp_table(stops) -> np.ndarray:
    """256 RGBA colours along ``stops`` [(position 0..1, '#rrggbb')], for a lookup by ``round(v * 255)``."""
    pos = np.array([p for p, _ in stops], dtype=np.float64)
    cols = np.array([hex_rgba(c)[:3] for _, c in stops], dtype=np.float64)
    x = np.linspace(0.0, 1.0, 256)
    rgb = np.stack([np.interp(x, pos, cols[:, i]) for i in range(3)], axis=-1)
    return np.concatenate([np.rint(rgb), np.full((256, 1), 255.0)], axis=1).astype(np.uint8)


SCORE_TABLE = ramp_table(palette.SCORE_STOPS)
SPREAD_TABLE = ramp_table(SPREAD_STOPS)
DIFF_TABLE = ramp_table(DIFF_STOPS)


@dataclass(frozen=True)
class Style:
    """How a layer's values become colours: ``ramp`` (lo..hi through ``table``), ``codes`` (one colour per
    code), ``bits`` (one colour per bit, black for several), ``hillshade``."""

    kind: str
    table: np.ndarray | None = None
    lo: float = 0.0
    hi: float = 1.0
    codes: dict | None = None        # code -> RGBA
    resampling: str = "nearest"


@dataclass(frozen=True)
class TileSource:
    """One tile layer: its file, how it is coloured, and a tag that changes when the file does."""

    layer: str
    path: Path
    style: Style
    tag: str


def check_layer_name(layer: str) -> str:
    if not isinstance(layer, str) or not _LAYER.match(layer):
        raise NotFoundError(Message("web.err.tiles.expected_layer_like_score", layer=layer), field="layer")
    return layer


def check_tile(z: int, x: int, y: int) -> None:
    """The tile must be in the Web Mercator tile matrix: 0 <= z <= MAX_ZOOM, 0 <= x, y < 2^z."""
    if not 0 <= z <= MAX_ZOOM:
        raise InputError(Message("web.err.tiles.expected_zoom_from_got", max_zoom=MAX_ZOOM, zoom=z), field="z")
    n = 1 << z
    for name, v in (("x", x), ("y", y)):
        if not 0 <= v < n:
            raise InputError(Message("web.err.tiles.expected_from_at_zoom", name=name, last=n - 1, zoom=z, value=v),
                             field=name)


def colourize(values: np.ma.MaskedArray, style: Style, *, pixel_m: float = 1.0, origin=(0, 0)) -> np.ndarray:
    """RGBA uint8 (4, h, w) of one band; masked and non-finite cells transparent. ``origin`` is the global
    pixel position of the tile's corner (x * 256, y * 256), so hatching runs on across tiles."""
    data = np.asarray(values.data, dtype=np.float64)
    valid = ~np.ma.getmaskarray(values) & np.isfinite(data)
    h, w = data.shape
    out = np.zeros((h, w, 4), np.uint8)
    if style.kind == "ramp":
        span = (style.hi - style.lo) or 1.0
        idx = np.clip(np.rint((np.where(valid, data, style.lo) - style.lo) / span * 255.0), 0, 255).astype(np.uint8)
        out[...] = style.table[idx]
    elif style.kind == "codes":
        codes = np.where(valid, data, -1).astype(np.int64)
        for code, rgba in style.codes.items():
            out[codes == int(code)] = rgba
        valid &= np.isin(codes, [int(c) for c in style.codes])
    elif style.kind == "bits":
        bits = np.where(valid, data, 0).astype(np.int64)
        valid &= bits != 0
        lowest = bits & -bits
        for bit, rgba in style.codes.items():
            out[lowest == int(bit)] = rgba
        several = (bits & (bits - 1)) != 0
        cols, rows = np.meshgrid(np.arange(w) + origin[0], np.arange(h) + origin[1])
        stripe = ((cols + rows) % HATCH) < HATCH // 3
        out[several & valid & stripe] = hex_rgba(SEVERAL_RULES)
    elif style.kind == "hillshade":
        shade = palette.hillshade(np.where(valid, data, np.nan).astype(np.float32), max(pixel_m, 1e-6))
        grey = np.rint(shade * 255.0).astype(np.uint8)
        out[..., 0] = out[..., 1] = out[..., 2] = grey
        out[..., 3] = 255
    else:  # pragma: no cover - styles are built in this module
        raise ValueError(style.kind)
    out[~valid] = 0
    return np.moveaxis(out, -1, 0)


_local = threading.local()
_limits: dict = {}
_limits_lock = threading.Lock()
#: open readers per thread (a rasterio dataset is not shared between threads); the oldest closes beyond this
READERS_PER_THREAD = 32


def _reader(path: Path):
    """This thread's open rio-tiler Reader of ``path`` (reopened when the file changed) and its zoom limit."""
    from rio_tiler.io import Reader

    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    readers = getattr(_local, "readers", None)
    if readers is None:
        readers = _local.readers = {}
    src = readers.get(key)
    if src is None:
        while len(readers) >= READERS_PER_THREAD:
            readers.pop(next(iter(readers))).close()
        src = readers[key] = Reader(str(path))
    with _limits_lock:
        limit = _limits.get(key)
    if limit is None:
        limit = min(MAX_ZOOM, src.maxzoom + OVERZOOM)
        with _limits_lock:
            _limits[key] = limit
    return src, limit


def read_tile(path: Path, z: int, x: int, y: int, *, resampling: str = "nearest", buffer: float = 0.0):
    """The band under tile (z, x, y) as a masked array; 404/422 for a tile outside the layer or too deep."""
    from rio_tiler.errors import TileOutsideBounds

    src, limit = _reader(Path(path))
    if z > limit:
        raise InputError(Message("web.err.tiles.expected_zoom_at_most", limit=limit, cell=_cell_text(src), zoom=z),
                         field="z")
    try:
        img = src.tile(x, y, z, tilesize=TILE_SIZE, indexes=1, resampling_method=resampling, buffer=buffer or None)
    except TileOutsideBounds:
        raise NotFoundError(Message("web.err.tiles.tile_outside_extent", zoom=z, tile_x=x, tile_y=y), field="tile") from None
    return img.array[0]


def _cell_text(src) -> str:
    try:
        return f"{abs(src.dataset.res[0]):g} x {abs(src.dataset.res[1]):g} {src.crs.linear_units or 'units'}"
    except Exception:  # noqa: BLE001 - only a message
        return "coarse"


def tile_ground_metres(z: int, y: int) -> float:
    """The ground size of one pixel of tile row ``y`` at zoom ``z`` (Web Mercator scaled by cos(latitude))."""
    n = 1 << z
    lat = math.atan(math.sinh(math.pi * (1 - 2 * (y + 0.5) / n)))
    return 2 * math.pi * 6378137.0 / (n * TILE_SIZE) * math.cos(lat)


def encode(rgba: np.ndarray, fmt: str) -> bytes:
    from rio_tiler.utils import render

    driver = FORMATS[fmt][0]
    # PNG: zlib level 3 (GDAL's default is 6): tiles about 10 % larger, encoded about twice as fast
    options = {"lossless": True} if driver == "WEBP" else {"zlevel": PNG_ZLEVEL}
    return render(rgba[:3], rgba[3], img_format=driver, **options)


def render_tile(source: TileSource, z: int, x: int, y: int, fmt: str = "png") -> bytes:
    """The coloured tile of ``source`` as PNG or WebP bytes."""
    check_tile(z, x, y)
    if fmt not in FORMATS:
        raise InputError(Message("web.err.tiles.expected_png_webp_got", fmt=fmt), field="format")
    buffer = 1.0 if source.style.kind == "hillshade" else 0.0
    band = read_tile(source.path, z, x, y, resampling=source.style.resampling, buffer=buffer)
    pad = int(buffer)
    rgba = colourize(band, source.style, pixel_m=tile_ground_metres(z, y),
                     origin=(x * TILE_SIZE - pad, y * TILE_SIZE - pad))
    if buffer:
        rgba = rgba[:, 1:-1, 1:-1]
    return encode(np.ascontiguousarray(rgba), fmt)


def render_difference(a: TileSource, b: TileSource, z: int, x: int, y: int, fmt: str = "png") -> bytes:
    """Score of run B minus score of run A under one tile: red where B is lower, blue where higher,
    -0.5..+0.5 over the ramp (a cell NoData in either run is transparent)."""
    check_tile(z, x, y)
    if fmt not in FORMATS:
        raise InputError(Message("web.err.tiles.expected_png_webp_got", fmt=fmt), field="format")
    sa = read_tile(a.path, z, x, y)
    sb = read_tile(b.path, z, x, y)
    diff = np.ma.masked_array(sb.data.astype(np.float64) - sa.data.astype(np.float64),
                              mask=np.ma.getmaskarray(sa) | np.ma.getmaskarray(sb))
    return encode(colourize(diff, Style("ramp", DIFF_TABLE, -0.5, 0.5)), fmt)


TILE_CACHE_CONTROL = "private, max-age=3600, must-revalidate"


def tile_etag(key: tuple) -> str:
    """The strong ETag of a tile: SHA-256 of its cache key (source tag with the run's checksum, layer, z/x/y,
    format), quoted, 32 hex digits."""
    return '"' + hashlib.sha256(":".join(map(str, key)).encode()).hexdigest()[:32] + '"'


def etag_matches(etag: str, if_none_match: str) -> bool:
    """RFC 9110 If-None-Match: a list of entity tags (or ``*``) that includes ours."""
    sent = if_none_match.strip()
    return bool(sent) and (sent == "*" or etag in [s.strip() for s in sent.split(",")])


class TileCache:
    """A bounded, thread-safe LRU of rendered tiles keyed by (source tag, layer, z, x, y, format)."""

    def __init__(self, size: int):
        self.size = size
        self._lru: LRUCache = LRUCache(maxsize=max(size, 1))
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def peek(self, key: tuple) -> bytes | None:
        """The cached tile, or None (nothing rendered; counts as a hit when found)."""
        if self.size <= 0:
            return None
        with self._lock:
            found = self._lru.get(key)
            if found is not None:
                self.hits += 1
            return found

    def get_or_render(self, key: tuple, render) -> bytes:
        if self.size <= 0:
            return render()
        with self._lock:
            found = self._lru.get(key)
            if found is not None:
                self.hits += 1
                return found
            self.misses += 1
        data = render()
        with self._lock:
            self._lru[key] = data
        return data
