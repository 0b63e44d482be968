"""The legal-status and hazard layers of Kabupaten Contoh (all SYNTHETIC), as the agencies publish them.

* **kawasan_hutan** (KLHK forest area by function): conservation forest around the volcano summit,
  protection forest where the land cover is protected forest, limited production forest on steep
  production forest, production forest elsewhere in the forest land cover, plus a block of production
  forest that has been cleared (dry fields or shrub in the land cover: the land-cover proxy misses it)
  and convertible production forest (HPK) on the plain; forest land cover outside the kawasan hutan
  (community forest) is left out of it (the proxy wrongly catches it). Codes of categories.yaml.
* **lp2b** / **lsd**: protected food farmland (LP2B, in the RTRW) and protected rice fields (LSD, the
  ATR/BPN map): most rice fields near rivers, not all, and not the same ones.
* **risk_flood** / **risk_landslide**: InaRISK-style risk classes (hazard x exposure): a high hazard is a
  high risk only where people, farms or plantations are exposed (within 1.5 km for floods, 3 km for
  landslides).
* **volcano_krb**: Badan Geologi volcanic danger zones I-III, rings of the volcano's share ``cone``.
* **power lines**: a SUTET 500 kV line from a coastal power plant inland to the south-west edge, and a
  SUTT 150 kV line from the plant to the town.
"""
from __future__ import annotations

import numpy as np
from scipy import ndimage
from shapely.geometry import LineString

from kawasan.sampledata.noise import fbm

KAWASAN_HUTAN = {1: "conservation", 2: "protection", 3: "limited_production", 4: "production",
                 5: "convertible_production", 6: "non_forest"}
KRB = {0: "outside", 1: "krb_i", 2: "krb_ii", 3: "krb_iii"}


def kawasan_hutan(rng: np.random.Generator, lc: np.ndarray, t) -> np.ndarray:
    """Forest area by function (0 at sea)."""
    ext = (len(t.xs) * t.res, len(t.ys) * t.res)
    n1 = fbm(rng, t.xs, t.ys, ext, 2500.0, 3)
    n2 = fbm(rng, t.xs, t.ys, ext, 4000.0, 2)
    land, e = ~t.sea, t.dem
    kh = np.zeros(lc.shape, np.uint8)
    kh[land] = 6
    forest = (lc == 2) | (lc == 3)
    kh[land & (lc == 3)] = 4
    kh[land & (lc == 3) & (t.slope > 25)] = 3
    kh[land & (lc == 2)] = 2
    # a cleared block of state production forest (teak felled; dry fields and shrub now)
    kh[land & ~forest & np.isin(lc, (6, 7)) & (e > 250) & (e < 700) & (n1 > 0.9)] = 4
    # convertible production forest (HPK) on the plain
    kh[land & ~forest & (e > 60) & (e < 250) & (n2 > 1.4) & ~t.settled] = 5
    # community forest outside the kawasan hutan
    kh[land & (lc == 3) & (e < 500) & (n1 < -0.8)] = 6
    kh[land & (t.cone > 0.62)] = 1
    return kh


def farmland_masks(rng: np.random.Generator, lc: np.ndarray, t) -> tuple[np.ndarray, np.ndarray]:
    """(lp2b, lsd) masks: 1 inside, 0 outside, 255 at sea."""
    ext = (len(t.xs) * t.res, len(t.ys) * t.res)
    n1 = fbm(rng, t.xs, t.ys, ext, 3000.0, 3)
    n2 = fbm(rng, t.xs, t.ys, ext, 2000.0, 3)
    rice = lc == 4
    lp2b = rice & ((t.dist_river < 1500.0) | (n1 > 0.3)) & (n1 > -0.6)
    lsd = rice & (t.dist_river < 2500.0) & (n2 > -0.4)
    out = []
    for m in (lp2b, lsd):
        a = m.astype(np.uint8)
        a[t.sea] = 255
        out.append(a)
    return out[0], out[1]


def risk(hazard: np.ndarray, lc: np.ndarray, t, reach: float = 1500.0) -> np.ndarray:
    """Risk classes 0-3 from a hazard raster (0-3, 255 NoData) and exposure: people, farms and plantations
    within ``reach`` metres."""
    exposed_cells = t.settled | np.isin(lc, (4, 5))
    near = ndimage.distance_transform_edt(~exposed_cells, sampling=t.res) <= reach
    r = np.where(hazard == 255, 255, 0).astype(np.uint8)
    valid = hazard != 255
    r[valid & (hazard >= 1)] = 1
    r[valid & (((hazard == 3) & ~near) | ((hazard == 2) & near))] = 2
    r[valid & (hazard == 3) & near] = 3
    return r


def volcano_krb(t) -> np.ndarray:
    krb = np.zeros(t.cone.shape, np.uint8)
    krb[t.cone > 0.30] = 1
    krb[t.cone > 0.45] = 2
    krb[t.cone > 0.58] = 3
    krb[t.sea] = 0
    return krb


def power_lines(layout, sea: np.ndarray, res: float, extent: tuple[float, float]) -> tuple[list, tuple]:
    """[(voltage_kv, name, LineString in local metres)], and the power plant's local (x, y)."""
    lx, ly = extent
    tx, ty = layout.town.centre
    px, py = layout.port
    # the plant: on the shore 6 % of the width east of the port (a coastal coal plant)
    rows, cols = np.nonzero(~sea)
    target_x = min(px + 0.06 * lx, lx - 2 * res)
    k = int(np.argmin(np.abs((cols + 0.5) * res - target_x) * 1e3 + (rows + 0.5) * res))
    plant = ((cols[k] + 0.5) * res, (rows[k] + 0.5) * res + 600.0)
    sutet = LineString([plant, (plant[0] - 0.10 * lx, plant[1] + 0.35 * ly), (0.25 * lx, 0.75 * ly),
                        (0.0, 0.90 * ly)])
    sutt = LineString([plant, ((plant[0] + tx) / 2, max(plant[1], ty) + 0.05 * ly), (tx, ty + 400.0)])
    return [(500, "SUTET 500 kV Contoh (SYNTHETIC)", sutet), (150, "SUTT 150 kV Contoh (SYNTHETIC)", sutt)], plant
