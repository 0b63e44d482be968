"""Map images for the report: rasters read decimated, coloured with numpy, vectors burned with
rasterio.features.rasterize, encoded as PNG by GDAL in memory (no plotting or imaging library).

Each ``*_map`` function returns a :class:`MapImage`: the PNG as a data: URI, the legend entries
(rendered in HTML by the template) and the text labels placed over the image (SVG overlay).
"""
from __future__ import annotations

import base64
import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from rasterio.enums import Resampling
from rasterio.errors import NotGeoreferencedWarning
from rasterio.features import rasterize
from rasterio.io import MemoryFile

MAX_PX = 1200     # longest side of a map image
MIN_PX = 600      # small grids are enlarged by an integer factor up to about this width

SCORE_STOPS = [(0.0, "#7f2704"), (0.25, "#e6550d"), (0.5, "#fdd49e"), (0.75, "#74c476"), (1.0, "#00441b")]
CLASS_COLOURS = {1: "#1a9641", 2: "#a6d96a", 3: "#ffffbf", 4: "#fdae61", 5: "#d7191c", 6: "#bdbdbd"}
CLASS_CODES = {1: "S1", 2: "S2", 3: "S3", 4: "N1", 5: "N2", 6: "excluded"}
RULE_COLOURS = ["#e41a1c", "#377eb8", "#984ea3", "#ff7f00", "#a65628", "#f781bf", "#4daf4a", "#999900",
                "#66c2a5", "#8da0cb", "#e78ac3", "#1b9e77"]
EXCLUDED_GREY = "#c8c8c8"
ROAD_STYLE = {"local": ("#8c8c8c", 1.0), "collector": ("#f08c00", 2.0), "arterial": ("#c8102e", 3.2)}
RIVER = "#2b7bba"
SETTLEMENT = "#7a3b2e"
PORT = "#08306b"
RAIL = "#333333"
SITE_OUTLINE = "#000000"


def hex_rgb(colour: str) -> np.ndarray:
    c = colour.lstrip("#")
    return np.array([int(c[i:i + 2], 16) / 255.0 for i in (0, 2, 4)], dtype=np.float32)


@dataclass(frozen=True)
class Canvas:
    """The pixel grid of a map image over the run's grid (downsampled or enlarged)."""

    width: int
    height: int
    transform: Affine
    crs: object
    grid: object

    @classmethod
    def for_grid(cls, grid, max_px: int = MAX_PX, min_px: int = MIN_PX) -> "Canvas":
        return cls.for_window(grid, 0, 0, grid.width, grid.height, max_px=max_px, min_px=min_px)

    @classmethod
    def for_window(cls, grid, col0: int, row0: int, cols: int, rows: int, *, max_px: int = MAX_PX,
                   min_px: int = MIN_PX) -> "Canvas":
        """A canvas over grid cells [row0:row0+rows, col0:col0+cols]: shrunk to at most max_px on its longest
        side, or enlarged by an integer factor when narrower than min_px."""
        f = min(max_px / cols, max_px / rows) if max(cols, rows) > max_px else 1.0
        if f == 1.0 and cols < min_px:
            f = float(max(1, min(math.ceil(min_px / cols), max_px // max(cols, rows))))
        out_w, out_h = max(1, round(cols * f)), max(1, round(rows * f))
        origin = grid.transform @ Affine.translation(col0, row0)
        return cls(out_w, out_h, origin @ Affine.scale(cols / out_w, rows / out_h), grid.crs, grid)

    @classmethod
    def around(cls, grid, bounds, *, pad: float = 0.25, min_cells: int = 60) -> "Canvas":
        """A canvas zoomed on bounds (x0, y0, x1, y1), padded, at least min_cells wide, clipped to the grid."""
        inv = ~grid.transform
        c0, r0 = inv @ (bounds[0], bounds[3])
        c1, r1 = inv @ (bounds[2], bounds[1])
        c0, c1, r0, r1 = min(c0, c1), max(c0, c1), min(r0, r1), max(r0, r1)
        p = max(c1 - c0, r1 - r0) * pad + 2
        c0, c1, r0, r1 = c0 - p, c1 + p, r0 - p, r1 + p
        cols, rows = max(c1 - c0, min_cells), max(r1 - r0, min_cells * 0.6)
        cx, cy = (c0 + c1) / 2, (r0 + r1) / 2
        cols, rows = min(cols, grid.width), min(rows, grid.height)
        col0 = int(round(min(max(cx - cols / 2, 0), grid.width - cols)))
        row0 = int(round(min(max(cy - rows / 2, 0), grid.height - rows)))
        cols, rows = int(round(cols)), int(round(rows))
        return cls.for_window(grid, col0, row0, max(1, min(cols, grid.width - col0)),
                              max(1, min(rows, grid.height - row0)))

    @property
    def pixel_size(self) -> float:
        """Map units (metres) per image pixel, horizontally."""
        return abs(self.transform.a)

    def to_pixel(self, x: float, y: float) -> tuple[float, float]:
        col, row = ~self.transform @ (x, y)
        return float(col), float(row)


@dataclass
class MapImage:
    key: str
    png: bytes
    width: int
    height: int
    pixel_size: float
    legend: list[dict] = field(default_factory=list)
    labels: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


# -- reading -----------------------------------------------------------------------------
def read_band(path: Path, canvas: Canvas, *, resampling=Resampling.nearest, as_float: bool = True) -> np.ndarray:
    """Band 1 of a raster on the canvas: float32 with NaN for NoData, or the raw codes with NoData as 0."""
    from rasterio.vrt import WarpedVRT

    from rasterio.windows import Window

    shape = (canvas.height, canvas.width)
    with rasterio.open(path) as ds:
        same = (ds.crs == canvas.crs and ds.width == canvas.grid.width and ds.height == canvas.grid.height
                and ds.transform.almost_equals(canvas.grid.transform))
        if same:
            col0, row0 = ~ds.transform @ (canvas.transform.c, canvas.transform.f)
            col1, row1 = ~ds.transform @ (canvas.transform @ (canvas.width, canvas.height))
            win = Window(round(col0), round(row0), round(col1 - col0), round(row1 - row0))
            arr = ds.read(1, window=win, out_shape=shape, resampling=resampling, masked=True)
        else:
            with WarpedVRT(ds, crs=canvas.crs, transform=canvas.transform, width=canvas.width,
                           height=canvas.height, resampling=resampling) as vrt:
                arr = vrt.read(1, masked=True)
    if as_float:
        return np.ma.filled(arr.astype(np.float32), np.nan)
    return np.ma.filled(arr, 0)


def read_vector(path: Path, crs):
    """A vector layer in the map CRS, or None when it is missing or unreadable (the report goes on)."""
    if not path.exists():
        return None
    try:
        import geopandas as gpd

        gdf = gpd.read_file(path)
    except Exception:  # noqa: BLE001 - a broken optional layer only leaves it off the map
        return None
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if gdf.crs is None or gdf.empty:
        return None
    return gdf.to_crs(crs) if gdf.crs != crs else gdf


# -- colouring ---------------------------------------------------------------------------
def ramp(values: np.ndarray, stops=SCORE_STOPS) -> np.ndarray:
    pos = np.array([p for p, _ in stops], dtype=np.float32)
    cols = np.stack([hex_rgb(c) for _, c in stops])
    v = np.clip(np.nan_to_num(values, nan=0.0), pos[0], pos[-1])
    return np.stack([np.interp(v, pos, cols[:, i]) for i in range(3)], axis=-1).astype(np.float32)


def hillshade(dem: np.ndarray, cell: float, azimuth: float = 315.0, altitude: float = 45.0,
              z: float = 2.0) -> np.ndarray:
    """Lambertian hillshade 0..1 (light from the north-west); NaN cells get the flat value."""
    d = dem.astype(np.float64)
    if np.isnan(d).all():
        return np.full(d.shape, math.sin(math.radians(altitude)), dtype=np.float32)
    d = np.where(np.isnan(d), np.nanmean(d), d)
    if min(d.shape) < 2:
        return np.full(d.shape, math.sin(math.radians(altitude)), dtype=np.float32)
    g_row, g_col = np.gradient(d * z, cell, cell)
    dzdx, dzdy = g_col, -g_row                      # rows run south, so north is -row
    az, alt = math.radians(azimuth), math.radians(altitude)
    light = np.array([math.sin(az) * math.cos(alt), math.cos(az) * math.cos(alt), math.sin(alt)])
    norm = np.sqrt(dzdx ** 2 + dzdy ** 2 + 1.0)
    shade = (-dzdx * light[0] - dzdy * light[1] + light[2]) / norm
    return np.clip(shade, 0.0, 1.0).astype(np.float32)


def terrain_tint(dem: np.ndarray) -> np.ndarray:
    """Hypsometric tint: sea blue below 0 m, green lowlands to brown and pale uplands."""
    land = dem[np.isfinite(dem) & (dem > 0)]
    top = float(np.percentile(land, 99)) if land.size else 1.0
    rel = np.clip(np.nan_to_num(dem, nan=0.0) / max(top, 1.0), 0, 1)
    img = ramp(rel, [(0.0, "#b7d7a8"), (0.3, "#e3e2a4"), (0.65, "#c9a877"), (1.0, "#f1ece4")])
    img[np.nan_to_num(dem, nan=1.0) <= 0] = hex_rgb("#a6cbe3")
    img[np.isnan(dem)] = 1.0
    return img


def blend(img: np.ndarray, mask: np.ndarray, colour: str, alpha: float = 1.0) -> None:
    if mask.any():
        img[mask] = img[mask] * (1.0 - alpha) + hex_rgb(colour) * alpha


def burn(img: np.ndarray, canvas: Canvas, geoms, colour: str, *, width_px: float = 1.0, alpha: float = 1.0,
         outline: bool = False) -> np.ndarray:
    """Draw geometries onto the image: lines (buffered to width_px), polygon fills or outlines."""
    import shapely

    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if outline:
        geoms = [g.boundary for g in geoms]
    if width_px > 1.0 and geoms:
        geoms = list(shapely.buffer(np.array(geoms, dtype=object), width_px * canvas.pixel_size / 2.0))
    geoms = [g for g in geoms if not g.is_empty]
    if not geoms:
        return np.zeros((canvas.height, canvas.width), dtype=bool)
    mask = rasterize(((g, 1) for g in geoms), out_shape=(canvas.height, canvas.width),
                     transform=canvas.transform, fill=0, all_touched=True, dtype="uint8").astype(bool)
    blend(img, mask, colour, alpha)
    return mask


def encode_png(img: np.ndarray) -> bytes:
    arr = (np.clip(img, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8).transpose(2, 0, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile() as mf:
            with mf.open(driver="PNG", width=arr.shape[2], height=arr.shape[1], count=3, dtype="uint8",
                         ZLEVEL=6) as ds:
                ds.write(arr)
            return mf.read()
