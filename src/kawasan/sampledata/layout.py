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


def make_layout(rng: np.random.Generator, *, xs, ys, res, sea, dist_sea, dist_river, slope, dem) -> Layout:
    lx, ly = len(xs) * res, len(ys) * res
    h, w = sea.shape
    land = ~sea
    X = np.broadcast_to(xs[None, :], sea.shape)

    def cell(x, y):
        return min(max(int(y // res), 0), h - 1), min(max(int(x // res), 0), w - 1)

    # -- town: centre on the plain, its edge a few hundred metres from the shore ------
    area_t = rng.uniform(4.0e6, 6.0e6) * min(1.0, lx * ly / (60e3 * 40.2e3))
    rt = max(np.sqrt(area_t / np.pi), 3 * res)
    xt = lx * (0.40 + 0.03 * rng.uniform(-1, 1))
    col = cell(xt, 0)[1]
    rows = np.nonzero(land[:, col] & (dist_sea[:, col] >= 1.25 * rt + max(600.0, 2 * res)))[0]
    yt = (rows[0] + 0.5) * res
    town_poly = blob(rng, xt, yt, rt, 48, 0.15)
    pop_t = int(round(town_poly.area / 1e6 * rng.uniform(9000, 12000), -2))
    town = Settlement("Kota Contoh", "town", pop_t, (xt, yt), town_poly)

    # -- port: nearest shore cell to a point just east of the town -----------------
    shore = land & (dist_sea <= 1.5 * res)
    rr, cc = np.nonzero(shore)
    px = xt + 0.02 * lx
    k = int(np.argmin((xs[cc] - px) ** 2 + (ys[rr] - yt) ** 2))
    port = (float(xs[cc[k]]), float(ys[rr[k]]))

    # -- estates (KPI blocks) and their cores ----------------------------------------
    def band(x0, x1, d0, d1):
        return land & (X >= x0) & (X < x1) & (dist_sea >= d0) & (dist_sea < d1)

    estates = band(xt + 0.045 * lx, xt + 0.175 * lx, max(0.0125 * ly, 2 * res), 0.125 * ly)
    estates |= band(0.10 * lx, 0.20 * lx, 0.04 * ly, 0.12 * ly)
    cores = band(xt + 0.075 * lx, xt + 0.145 * lx, 0.05 * ly, 0.10 * ly)
    cores |= band(0.125 * lx, 0.175 * lx, 0.06 * ly, 0.10 * ly)
    industry = band(xt + 0.045 * lx, xt + 0.066 * lx, max(0.0125 * ly, 2 * res), max(0.04 * ly, 4 * res))
    industry &= dist_river > max(100.0, 0.5 * res)  # not on a river bank (sempadan sungai)

    # -- villages --------------------------------------------------------------------
    d_core = ndimage.distance_transform_edt(~cores, sampling=res)
    d_estate = ndimage.distance_transform_edt(~estates, sampling=res)
    smooth_slope = ndimage.gaussian_filter(slope, max(150.0 / res, 0.5))
    land_km2 = land.sum() * res * res / 1e6
    n_target = int(np.clip(round(rng.uniform(28, 36) * land_km2 / 2100.0), 3, 40))
    gap = min(2200.0, 0.04 * lx)  # clear distance from estate cores
    spacing = min(2600.0, 0.045 * lx)
    centres = [(xt, yt, rt)]
    villages: list[Settlement] = []
    names = _names(rng, 60)
    for _ in range(6000):
        if len(villages) >= n_target:
            break
        x, y = rng.uniform(0, lx), rng.uniform(0, ly)
        rv = max(rng.uniform(280.0, 520.0), 1.6 * res)
        r, c = cell(x, y)
        e = dem[r, c]
        p_accept = 1.0 if e < 150 else (0.45 if e < 600 else 0.2)
        if rng.uniform() > p_accept:
            continue
        if (sea[r, c] or dist_sea[r, c] < rv + 500 or smooth_slope[r, c] > 12.0 or e > 1100
                or dist_river[r, c] < 150 or d_estate[r, c] < rv + 600 or d_core[r, c] < rv + gap):
            continue
        if any(np.hypot(x - a, y - b) < spacing + ra + rv for a, b, ra in centres):
            continue
        poly = blob(rng, x, y, rv, 28, 0.2)
        bx0, by0, bx1, by1 = poly.bounds
        if bx0 < 0 or by0 < 0 or bx1 > lx or by1 > ly:
            continue
        pop = int(round(poly.area / 1e6 * rng.uniform(5000, 9000), -1))
        villages.append(Settlement(f"Desa {names[len(villages)]}", "village", pop, (x, y), poly))
        centres.append((x, y, rv))

    # -- hamlets (dusun): extra road ends for the local network ----------------------
    hamlets = []
    for _ in range(6000):
        if len(hamlets) >= 4 * n_target:
            break
        x, y = rng.uniform(0, lx), rng.uniform(0, ly)
        r, c = cell(x, y)
        if rng.uniform() > (1.0 if dem[r, c] < 150 else 0.4):
            continue
        if (sea[r, c] or dist_sea[r, c] < 400 or smooth_slope[r, c] > 15.0 or dem[r, c] > 1200
                or d_core[r, c] < 800 or dist_river[r, c] < 100):
            continue
        if any(np.hypot(x - a, y - b) < 0.5 * spacing + ra for a, b, ra in centres):
            continue
        if any(np.hypot(x - a, y - b) < 0.5 * spacing for a, b in hamlets):
            continue
        hamlets.append((x, y))
    return Layout(town, villages, port, estates, cores, industry, hamlets)


def _names(rng: np.random.Generator, n: int) -> list[str]:
    pairs = [p + s for p in _PREFIX for s in _SUFFIX if not p.lower().endswith(s)]
    pick = rng.permutation(len(pairs))[:n]
    return [pairs[i] for i in pick]
