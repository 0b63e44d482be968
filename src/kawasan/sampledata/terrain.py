"""Synthetic terrain of Kabupaten Contoh: sea, coastal plain, foothills and a volcano.

The elevation model is a sum of smooth analytic landforms and seeded fractal noise
(:mod:`kawasan.sampledata.noise`), all positioned as fractions of the extent:

* **coastline** -- a reference line about 14 % of the height below the north edge,
  displaced by 1-D noise (bays and capes) and, per cell, by 2-D noise (inlets).
  Only the sea connected to the north edge and the largest land mass are kept.
* **coastal plain** -- rises slowly (about 2 m/km, then faster) away from the
  coast, with a few metres of long-wavelength undulation and a little short-wave
  noise that makes the rivers meander.
* **foothills** -- rolling hills (fractal noise stretched north-south) of up to a
  few hundred metres, fading in from the middle of the extent towards the south.
* **volcano** -- a stratovolcano in the south-east, ``peak * exp(-(r/rs)**1.17)``
  (concave flanks, steep summit), with a summit crater and radial gullies
  (noise in polar coordinates) on its middle slopes.
* **erosion** -- the same landforms evaluated on a coarse grid are eroded by the
  stream-power law (:mod:`kawasan.sampledata.erosion`); the erosion, interpolated
  by bicubic spline, cuts valleys into the fine-grid surface.
* **sea floor** -- depth grows with distance from land (a shallow shelf).

Hydrological conditioning and river carving follow in :mod:`kawasan.sampledata.hydro`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage
from scipy.interpolate import RectBivariateSpline

from kawasan.sampledata.erosion import erode
from kawasan.sampledata.noise import fbm, fbm1d, smoothstep


@dataclass
class Terrain:
    xs: np.ndarray  # cell-centre offsets east of the left edge (m), shape (W,)
    ys: np.ndarray  # cell-centre offsets south of the top edge (m), shape (H,)
    res: float
    extent: tuple[float, float]  # (lx, ly) in metres
    elev: np.ndarray  # float64 elevation (m), before hydrological conditioning
    sea: np.ndarray  # bool
    coast_y: np.ndarray  # reference coastline per column, metres south of the top edge
    dist_sea: np.ndarray  # metres from each land cell to the nearest sea cell (0 at sea)
    volcano: tuple[float, float, float]  # (x, y, peak height of the cone) in metres
    cone: np.ndarray  # 0..1, the volcano's share of the landscape (1 at the summit)


def rng_for(seed: int, stage: int) -> np.random.Generator:
    """An independent random stream per generation stage (stable when stages change)."""
    return np.random.default_rng([int(seed), int(stage)])


def make_terrain(seed: int, width: int, height: int, res: float) -> Terrain:
    lx, ly = width * res, height * res
    xs = (np.arange(width) + 0.5) * res
    ys = (np.arange(height) + 0.5) * res

    # erosion on a coarse grid of about 240 columns
    cs = max(lx / 240.0, res)
    cxs = np.arange(0.5 * cs, lx, cs)
    cys = np.arange(0.5 * cs, ly, cs)
    coarse = _landforms(seed, cxs, cys, (lx, ly))
    csea = _clean_sea(coarse["dc"] < 0)
    eroded = erode(np.where(csea, -1.0, coarse["elev"]), csea, cs)
    cut = np.where(csea, 0.0, eroded - coarse["elev"])
    cut = ndimage.gaussian_filter(cut, 0.9)
    cut = RectBivariateSpline(cys, cxs, cut, kx=3, ky=3, s=0)(ys, xs)

    f = _landforms(seed, xs, ys, (lx, ly))
    sea = _clean_sea(f["dc"] < 0)
    land = ~sea
    # valleys are cut into the uplands only; the plain keeps its own gentle drainage
    elev = np.maximum(f["elev"] + np.minimum(cut, 0.0) * smoothstep(40.0, 200.0, f["elev"]), 0.3)

    rng = rng_for(seed, 2)
    dist_land = ndimage.distance_transform_edt(sea, sampling=res)
    depth = 1.0 + 0.004 * dist_land + 1.5 * fbm(rng, xs, ys, (lx, ly), 6000.0, 2)
    elev = np.where(sea, -np.clip(depth, 1.0, 80.0), elev)
    dist_sea = ndimage.distance_transform_edt(land, sampling=res)
    return Terrain(xs, ys, float(res), (lx, ly), elev, sea, f["coast_y"], dist_sea, f["volcano"], f["cone"])


def _landforms(seed: int, xs: np.ndarray, ys: np.ndarray, ext: tuple[float, float]) -> dict:
    """Raw (uneroded) land elevation at the given cell centres; same values for any grid."""
    rng = rng_for(seed, 1)
    lx, ly = ext
    X = xs[None, :]
    Y = ys[:, None]

    bays = fbm1d(rng, xs, lx, 0.25 * lx, 3)
    coast_y = ly * np.clip(0.145 + 0.035 * (bays - bays.mean()), 0.07, 0.23)  # sea ~ 14.5 % of the area
    dc = Y - coast_y[None, :] + 0.022 * ly * fbm(rng, xs, ys, ext, 0.1 * lx, 3)
    dcl = np.maximum(dc, 0.0)

    # coastal plain
    elev = 0.5 + 0.0022 * dcl + 170.0 * (dcl / ly) ** 2.5
    elev += 5.0 * smoothstep(0.0, 6000.0, dcl) * fbm(rng, xs, ys, ext, 8000.0, 4)
    elev += 0.8 * smoothstep(0.0, 2000.0, dcl) * fbm(rng, xs, ys, ext, 1500.0, 3)

    # volcano
    xv = lx * (0.70 + 0.03 * rng.uniform(-1, 1))
    yv = ly * (0.86 + 0.02 * rng.uniform(-1, 1))
    peak = float(rng.uniform(1850.0, 2100.0))
    rs = 0.089 * lx
    dx, dy = X - xv, Y - yv
    r = np.hypot(dx, dy)
    cone = np.exp(-((r / rs) ** 1.17))
    cone -= 0.035 * np.exp(-((r / (0.09 * rs)) ** 2))  # summit crater
    # gullies (barrancos) start below the summit and fade out on the lower slopes
    ring = smoothstep(0.15 * rs, 0.6 * rs, r) * (1.0 - smoothstep(1.5 * rs, 3.0 * rs, r))
    volcano = peak * np.clip(cone, 0, None) + 70.0 * ring * _radial_noise(rng, np.arctan2(dy, dx), r, rs)
    volcano += 25.0 * np.sqrt(np.clip(cone, 0, 1)) * fbm(rng, xs, ys, ext, 2500.0, 3)
    cone = np.clip(cone, 0.0, 1.0)

    # foothills
    south = smoothstep(0.42 * ly, 0.92 * ly, Y)
    relief = fbm(rng, xs, ys, ext, 0.08 * lx, 4, persistence=0.45, stretch=1.6)
    hills = south * np.clip(380.0 + 170.0 * relief, 0, None) * (1.0 - 0.6 * np.clip(cone * 3.0, 0, 1))
    hills += 6.0 * south * fbm(rng, xs, ys, ext, 600.0, 2)  # texture below the erosion grid scale

    elev = elev + hills + volcano
    return {"elev": elev, "dc": dc, "coast_y": coast_y, "cone": cone, "volcano": (xv, yv, peak)}


def _clean_sea(sea0: np.ndarray) -> np.ndarray:
    """Sea connected to the north edge; everything not on the main land mass is sea."""
    lab, n = ndimage.label(sea0)
    top = np.unique(lab[0][lab[0] > 0])
    sea = np.isin(lab, top)
    lab, n = ndimage.label(~sea)
    if n > 1:
        sizes = ndimage.sum_labels(np.ones_like(lab), lab, index=np.arange(1, n + 1))
        sea = lab != (int(np.argmax(sizes)) + 1)
    return sea


def _radial_noise(rng: np.random.Generator, theta: np.ndarray, r: np.ndarray, rs: float) -> np.ndarray:
    """Noise in polar coordinates around the cone: ridges and gullies radiating outwards."""
    nt, nr = 40, 12
    lattice = rng.standard_normal((nt, nr))
    lattice = np.concatenate([lattice[-3:], lattice, lattice[:3]], axis=0)  # periodic in theta
    ti = (theta + np.pi) / (2 * np.pi) * nt + 3
    ri = np.clip(r / (0.6 * rs), 0, nr - 1)
    return ndimage.map_coordinates(lattice, [ti, ri], order=3, mode="nearest")
