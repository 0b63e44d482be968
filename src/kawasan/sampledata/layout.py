"""Where people and industry are in Kabupaten Contoh: town, port, estates, villages.

All positions are fractions of the extent or derived from the terrain; sizes are
metres (clipped to at least a couple of cells). Local coordinates are metres east
of the left edge (``x``) and south of the top edge (``y``).

* **town** (kota kecamatan) -- a blob of 4-6 km² on the plain about 40 % of the way
  east, its centre as close to the coast as its size allows.
* **port** -- the shore cell nearest to a point just east of the town.
* **estates** -- two designated industrial blocks (KPI) on the coastal plain,
  defined as bands of distance from the sea between two meridians: block A east of
  the port (which holds the small existing industrial area) and block B in the
  west. Each has a *core* that villages keep clear of, so the demo has land far
  enough from houses for an estate.
* **villages** -- 20-40 blobs placed by rejection sampling: on land, away from the
  shore, rivers, steep ground and the estate cores, a minimum spacing apart, more
  likely on the plain than in the hills. Names are made-up Javanese-style
  ``Desa <prefix><suffix>`` combinations.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage
from shapely.geometry import Polygon

_PREFIX = ["Sumber", "Karang", "Tegal", "Wono", "Kali", "Sido", "Banyu", "Rejo", "Jati", "Pandan",
           "Sari", "Tanjung", "Gondang", "Kebon", "Randu", "Ngadi", "Watu", "Sukor", "Pakis", "Bulu",
           "Krajan", "Ketapang", "Mojo", "Tirto"]
_SUFFIX = ["jati", "rejo", "mulyo", "sari", "asri", "agung", "anyar", "kerto", "wangi", "harjo",
           "kidul", "wetan", "lor", "kulon", "makmur", "arum", "joyo", "tengah"]


@dataclass
class Settlement:
    name: str
    kind: str  # "town" | "village"
    population: int
    centre: tuple[float, float]  # local (x, y) metres
    polygon: Polygon  # local coordinates


@dataclass
class Layout:
    town: Settlement
    villages: list[Settlement]
    port: tuple[float, float]
    estates: np.ndarray  # bool: designated industrial blocks (before excluding water etc.)
    cores: np.ndarray  # bool: estate cores kept clear of villages
    industry: np.ndarray  # bool: the existing industrial area
    hamlets: list[tuple[float, float]] = field(default_factory=list)

    @property
    def settlements(self) -> list[Settlement]:
        return [self.town, *self.villages]


def blob(rng: np.random.Generator, cx: float, cy: float, radius: float, n: int = 36,
         rough: float = 0.18) -> Polygon:
    """An irregular roundish polygon: a circle perturbed by a few random harmonics."""
    th = np.linspace(0.0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in (2, 3, 4, 5):
        r += rng.uniform(0, rough / (k - 1)) * np.cos(k * th + rng.uniform(0, 2 * np.pi))
    return Polygon(np.column_stack([cx + radius * r * np.cos(th), cy + radius * r * np.sin(th)]))


class _Ground:
    """The terrain the layout reads, with the extent (m) and a cell lookup."""

    def __init__(self, xs, ys, res, sea, dist_sea, dist_river, slope, dem):
        self.xs, self.ys, self.res = xs, ys, res
        self.sea, self.dist_sea, self.dist_river, self.slope, self.dem = sea, dist_sea, dist_river, slope, dem
        self.lx, self.ly = len(xs) * res, len(ys) * res
        self.h, self.w = sea.shape
        self.land = ~sea
        self.X = np.broadcast_to(xs[None, :], sea.shape)

    def cell(self, x: float, y: float) -> tuple[int, int]:
        """(row, column) of the cell holding local (x, y), clamped to the grid."""
        return min(max(int(y // self.res), 0), self.h - 1), min(max(int(x // self.res), 0), self.w - 1)

    def band(self, x0, x1, d0, d1) -> np.ndarray:
        """Land between meridians x0 and x1 at a distance from the sea in [d0, d1)."""
        return self.land & (self.X >= x0) & (self.X < x1) & (self.dist_sea >= d0) & (self.dist_sea < d1)


@dataclass
class _Clearance:
    """What villages and hamlets keep clear of: estate cores and estates (distances, m), steep ground
    (slope smoothed over ~150 m), each other (``spacing``) and the cores (``gap``)."""
    d_core: np.ndarray
    d_estate: np.ndarray
    smooth_slope: np.ndarray
    gap: float
    spacing: float


def make_layout(rng: np.random.Generator, *, xs, ys, res, sea, dist_sea, dist_river, slope, dem) -> Layout:
    """Town, port, estates, villages and hamlets of the module docstring, drawn from ``rng`` in that order."""
    g = _Ground(xs, ys, res, sea, dist_sea, dist_river, slope, dem)
    town, rt = _town(rng, g)
    port = _port(g, town.centre)
    estates, cores, industry = _estate_blocks(g, town.centre[0])
    clear = _Clearance(d_core=ndimage.distance_transform_edt(~cores, sampling=res),
                       d_estate=ndimage.distance_transform_edt(~estates, sampling=res),
                       smooth_slope=ndimage.gaussian_filter(slope, max(150.0 / res, 0.5)),
                       gap=min(2200.0, 0.04 * g.lx), spacing=min(2600.0, 0.045 * g.lx))
    land_km2 = g.land.sum() * res * res / 1e6
    n_target = int(np.clip(round(rng.uniform(28, 36) * land_km2 / 2100.0), 3, 40))
    centres = [(town.centre[0], town.centre[1], rt)]
    villages = _villages(rng, g, clear, n_target, centres)
    hamlets = _hamlets(rng, g, clear, 4 * n_target, centres)
    return Layout(town, villages, port, estates, cores, industry, hamlets)


def _town(rng: np.random.Generator, g: _Ground) -> tuple[Settlement, float]:
    """The town: 4-6 km² (scaled down on a small map) about 40 % of the way east, its centre as near the coast
    as keeps its edge >= 600 m from the shore; ~9,000-12,000 people per km². Returns it and its radius."""
    res, lx, ly = g.res, g.lx, g.ly
    area_t = rng.uniform(4.0e6, 6.0e6) * min(1.0, lx * ly / (60e3 * 40.2e3))
    rt = max(np.sqrt(area_t / np.pi), 3 * res)
    xt = lx * (0.40 + 0.03 * rng.uniform(-1, 1))
    col = g.cell(xt, 0)[1]
    rows = np.nonzero(g.land[:, col] & (g.dist_sea[:, col] >= 1.25 * rt + max(600.0, 2 * res)))[0]
    yt = (rows[0] + 0.5) * res
    town_poly = blob(rng, xt, yt, rt, 48, 0.15)
    pop_t = int(round(town_poly.area / 1e6 * rng.uniform(9000, 12000), -2))
    return Settlement("Kota Contoh", "town", pop_t, (xt, yt), town_poly), rt


def _port(g: _Ground, town_centre) -> tuple[float, float]:
    """The shore cell (land within 1.5 cells of the sea) nearest to a point 2 % of the width east of the town."""
    xt, yt = town_centre
    shore = g.land & (g.dist_sea <= 1.5 * g.res)
    rr, cc = np.nonzero(shore)
    px = xt + 0.02 * g.lx
    k = int(np.argmin((g.xs[cc] - px) ** 2 + (g.ys[rr] - yt) ** 2))
    return float(g.xs[cc[k]]), float(g.ys[rr[k]])


def _estate_blocks(g: _Ground, xt: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(estates, cores, industry): block A east of the town and block B in the west as bands of distance from
    the sea, their cores, and the existing industrial area in block A off the river banks (sempadan sungai)."""
    lx, ly, res, band = g.lx, g.ly, g.res, g.band
    estates = band(xt + 0.045 * lx, xt + 0.175 * lx, max(0.0125 * ly, 2 * res), 0.125 * ly)
    estates |= band(0.10 * lx, 0.20 * lx, 0.04 * ly, 0.12 * ly)
    cores = band(xt + 0.075 * lx, xt + 0.145 * lx, 0.05 * ly, 0.10 * ly)
    cores |= band(0.125 * lx, 0.175 * lx, 0.06 * ly, 0.10 * ly)
    industry = band(xt + 0.045 * lx, xt + 0.066 * lx, max(0.0125 * ly, 2 * res), max(0.04 * ly, 4 * res))
    industry &= g.dist_river > max(100.0, 0.5 * res)  # not on a river bank (sempadan sungai)
    return estates, cores, industry


@dataclass
class _Candidate:
    """An accepted village with its centre and radius (for the spacing of the next ones)."""
    settlement: Settlement
    centre: tuple[float, float]
    radius: float


def _villages(rng: np.random.Generator, g: _Ground, clear: _Clearance, n_target: int, centres: list) -> list:
    """Up to ``n_target`` villages by rejection sampling (6,000 tries); each accepted one joins ``centres``."""
    villages: list[Settlement] = []
    names = _names(rng, 60)
    for _ in range(6000):
        if len(villages) >= n_target:
            break
        v = _village_candidate(rng, g, clear, centres, f"Desa {names[len(villages)]}")
        if v is not None:
            villages.append(v)
            centres.append((v.centre[0], v.centre[1], v.radius))
    return [v.settlement for v in villages]


def _village_candidate(rng: np.random.Generator, g: _Ground, clear: _Clearance, centres: list, name: str):
    """One try: a random point and radius (280-520 m), kept with probability 1 below 150 m elevation, 0.45
    below 600 m, else 0.2; refused at sea or near the shore, steep ground (> 12 %), above 1,100 m, near a
    river, an estate or its core, another settlement, or when its blob leaves the map."""
    x, y = rng.uniform(0, g.lx), rng.uniform(0, g.ly)
    rv = max(rng.uniform(280.0, 520.0), 1.6 * g.res)
    r, c = g.cell(x, y)
    e = g.dem[r, c]
    p_accept = 1.0 if e < 150 else (0.45 if e < 600 else 0.2)
    if rng.uniform() > p_accept:
        return None
    if (g.sea[r, c] or g.dist_sea[r, c] < rv + 500 or clear.smooth_slope[r, c] > 12.0 or e > 1100
            or g.dist_river[r, c] < 150 or clear.d_estate[r, c] < rv + 600 or clear.d_core[r, c] < rv + clear.gap):
        return None
    if any(np.hypot(x - a, y - b) < clear.spacing + ra + rv for a, b, ra in centres):
        return None
    poly = blob(rng, x, y, rv, 28, 0.2)
    bx0, by0, bx1, by1 = poly.bounds
    if bx0 < 0 or by0 < 0 or bx1 > g.lx or by1 > g.ly:
        return None
    pop = int(round(poly.area / 1e6 * rng.uniform(5000, 9000), -1))
    return _Candidate(Settlement(name, "village", pop, (x, y), poly), (x, y), rv)


def _hamlets(rng: np.random.Generator, g: _Ground, clear: _Clearance, n: int, centres: list) -> list:
    """Up to ``n`` hamlets (dusun), extra road ends for the local network: rejection sampling like villages
    (kept with probability 1 below 150 m, else 0.4), half the spacing from settlements and each other."""
    hamlets: list[tuple[float, float]] = []
    for _ in range(6000):
        if len(hamlets) >= n:
            break
        x, y = rng.uniform(0, g.lx), rng.uniform(0, g.ly)
        r, c = g.cell(x, y)
        if rng.uniform() > (1.0 if g.dem[r, c] < 150 else 0.4):
            continue
        if (g.sea[r, c] or g.dist_sea[r, c] < 400 or clear.smooth_slope[r, c] > 15.0 or g.dem[r, c] > 1200
                or clear.d_core[r, c] < 800 or g.dist_river[r, c] < 100):
            continue
        if any(np.hypot(x - a, y - b) < 0.5 * clear.spacing + ra for a, b, ra in centres):
            continue
        if any(np.hypot(x - a, y - b) < 0.5 * clear.spacing for a, b in hamlets):
            continue
        hamlets.append((x, y))
    return hamlets


def _names(rng: np.random.Generator, n: int) -> list[str]:
    pairs = [p + s for p in _PREFIX for s in _SUFFIX if not p.lower().endswith(s)]
    pick = rng.permutation(len(pairs))[:n]
    return [pairs[i] for i in pick]
