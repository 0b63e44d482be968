"""The study grid: the one alignment authority of a study area.

Every raster a run reads is checked against (or resampled onto) one :class:`Grid`;
every vector layer is rasterized onto it. A grid is a CRS, an affine transform
(north-up, square or rectangular cells) and a shape.
"""
from __future__ import annotations

from dataclasses import dataclass

from affine import Affine
from rasterio.crs import CRS

from kawasan.errors import GridMismatchError
from kawasan.i18n import Message


@dataclass(frozen=True)
class Grid:
    """A north-up raster grid.

    Attributes
    ----------
    crs: the coordinate reference system (must be projected for distances and slope)
    transform: affine transform from (col, row) to (x, y) of the upper-left cell corner
    width, height: number of columns and rows
    """

    crs: CRS
    transform: Affine
    width: int
    height: int

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_bounds(cls, crs: str | CRS, left: float, top: float, res: float, width: int, height: int) -> "Grid":
        return cls(CRS.from_user_input(crs), Affine(res, 0.0, left, 0.0, -res, top), int(width), int(height))

    @classmethod
    def from_dict(cls, d: dict) -> "Grid":
        t = d["transform"]
        return cls(CRS.from_user_input(d["crs"]), Affine(*t[:6]), int(d["width"]), int(d["height"]))

    def to_dict(self) -> dict:
        epsg = self.crs.to_epsg()
        return {
            "crs": f"EPSG:{epsg}" if epsg else self.crs.to_wkt(),
            "transform": list(self.transform)[:6],
            "width": self.width,
            "height": self.height,
            "resolution": list(self.res),
            "bounds": list(self.bounds),
        }

    # -- properties -------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        return (self.height, self.width)

    @property
    def res(self) -> tuple[float, float]:
        return (abs(self.transform.a), abs(self.transform.e))

    @property
    def cell_area(self) -> float:
        """Area of one cell in square CRS units (m² for a metric CRS)."""
        return self.res[0] * self.res[1]

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top)."""
        left, top = self.transform.c, self.transform.f
        right = left + self.transform.a * self.width
        bottom = top + self.transform.e * self.height
        return (min(left, right), min(bottom, top), max(left, right), max(bottom, top))

    @property
    def is_north_up(self) -> bool:
        return self.transform.b == 0 and self.transform.d == 0 and self.transform.a > 0 and self.transform.e < 0

    def check_usable(self, source: str) -> None:
        """Refuse grids the engine cannot measure distances or slopes on."""
        if not self.is_north_up:
            raise GridMismatchError(
                Message("run.err.grid.grid_must_north_up", transform=tuple(self.transform)[:6]),
                source=source,
            )
        if not self.crs or not self.crs.is_projected:
            raise GridMismatchError(
                Message("run.err.grid.grid_crs_must_projected", crs=self.crs),
                source=source,
            )

    # -- comparison -------------------------------------------------------------------
    def differences(self, other: "Grid", *, tol: float = 1e-6) -> list[str]:
        """Human-readable list of how ``other`` differs from this grid (empty when aligned)."""
        out = []
        if self.crs != other.crs:
            out.append(Message("run.note.grid.crs", other=other.crs.to_string() or str(other.crs),
                               own=self.crs.to_string()))
        if any(abs(a - b) > tol * max(1.0, abs(b)) for a, b in zip(other.res, self.res)):
            out.append(Message("run.note.grid.resolution", other=other.res, own=self.res))
        ox, oy = other.transform.c, other.transform.f
        if abs(ox - self.transform.c) > tol * max(1.0, abs(ox)) or abs(oy - self.transform.f) > tol * max(1.0, abs(oy)):
            out.append(Message("run.note.grid.origin", ox=ox, oy=oy, grid_x=self.transform.c, grid_y=self.transform.f))
        if other.shape != self.shape:
            out.append(Message("run.note.grid.shape", rows=other.height, cols=other.width, own_rows=self.height,
                               own_cols=self.width))
        return out

    def overlaps(self, bounds: tuple[float, float, float, float]) -> bool:
        l, b, r, t = self.bounds
        return not (bounds[2] <= l or bounds[0] >= r or bounds[3] <= b or bounds[1] >= t)

    def padded(self, cells: int) -> "Grid":
        """The same grid grown by ``cells`` on every side."""
        t = self.transform
        return Grid(
            self.crs,
            Affine(t.a, 0.0, t.c - cells * t.a, 0.0, t.e, t.f - cells * t.e),
            self.width + 2 * cells,
            self.height + 2 * cells,
        )

    def coords(self):
        """Cell-centre x and y coordinate vectors (for xarray)."""
        import numpy as np

        t = self.transform
        xs = t.c + (np.arange(self.width) + 0.5) * t.a
        ys = t.f + (np.arange(self.height) + 0.5) * t.e
        return xs, ys
