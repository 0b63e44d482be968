"""Thematic rasters of Kabupaten Contoh: land cover, spatial-plan zoning, soil, hazards.

Each class is a rule on the terrain (elevation, slope, distance to rivers and
sea, the volcano's share ``cone``), broken up by seeded noise patches, then
overridden by the mapped features (water, existing industry, settlements). Rules
are applied lowest priority first.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from kawasan.sampledata.noise import fbm

LANDCOVER = {1: "water", 2: "protected_forest", 3: "production_forest", 4: "rice_field",
             5: "plantation", 6: "dry_fields", 7: "shrub", 8: "settlement", 9: "industry"}
ZONING = {1: "protected", 2: "agriculture", 3: "settlement", 4: "kpi", 5: "plantation_forestry",
          6: "water"}
SOIL = {1: "aluvial", 2: "latosol", 3: "mediteran", 4: "andosol", 5: "regosol"}
HAZARD = {0: "none", 1: "low", 2: "medium", 3: "high"}


@dataclass
class Inputs:
    xs: np.ndarray
    ys: np.ndarray
    res: float
    dem: np.ndarray
    slope: np.ndarray  # percent
    sea: np.ndarray
    water: np.ndarray  # sea, lakes and wide rivers
    lakes: np.ndarray
    dist_sea: np.ndarray
    dist_river: np.ndarray
    near_order: np.ndarray  # Strahler order of the nearest river cell
    bed: np.ndarray  # bed elevation of the nearest river cell
    cone: np.ndarray
    estates: np.ndarray
    industry: np.ndarray
    settled: np.ndarray  # rasterized settlement polygons
    settle_zone: np.ndarray  # settlement polygons plus their planned growth


def landcover(rng: np.random.Generator, t: Inputs) -> np.ndarray:
    """Land cover; see :data:`LANDCOVER` for the codes."""
    ext = (len(t.xs) * t.res, len(t.ys) * t.res)
    n1 = fbm(rng, t.xs, t.ys, ext, 3000.0, 3)
    n2 = fbm(rng, t.xs, t.ys, ext, 2000.0, 3)
    n3 = fbm(rng, t.xs, t.ys, ext, 5000.0, 2)
    land, e, s = ~t.sea, t.dem, t.slope
    lc = np.zeros(e.shape, np.uint8)
    lc[land] = 6  # tegalan / ladang
    lc[land & (e > 40) & (e < 800) & (n1 > 0.2)] = 5  # sugar cane, coffee
    lc[land & (e <= 40) & (n1 > 1.0)] = 5
    lc[land & (n2 > 1.2) & (e < 1500)] = 7  # semak belukar
    fringe = land & (t.dist_sea <= max(250.0, t.res))
    lc[fringe & (n3 > -0.5)] = 7
    rice = land & ~fringe & (e < 150) & (s < 5) & (t.dist_river < 1800.0 + 900.0 * n3)
    lc[rice] = 4
    lc[land & (e > 500 + 120 * n1) & (e < 1000 + 150 * n2)] = 3
    lc[land & (s > 30) & (e > 200)] = 3
    lc[land & ((e >= 1000 + 150 * n2) | ((s > 45) & (e > 400)))] = 2  # hutan lindung
    lc[land & (e > e[land].max() - 150)] = 7  # bare volcanic sand around the summit
    # the plan puts industrial estates mostly on dry land; a few rice fields remain
    # inside them (the usual LP2B conflict an analysis has to catch)
    dry = t.estates & (lc == 4) & (n2 > -0.9)
    lc[dry] = np.where(n1[dry] > 0, 6, 7)
    lc[t.water] = 1
    lc[t.industry & ~t.water] = 9
    lc[t.settled] = 8
    return lc


def zoning(lc: np.ndarray, t: Inputs) -> np.ndarray:
    """Spatial-plan (RTRW) zones; see :data:`ZONING`."""
    land = ~t.sea
    z = np.zeros(lc.shape, np.uint8)
    z[land] = 2
    z[land & ((np.isin(lc, (3, 5)) & (t.dem > 100)) | ((t.dem > 600) & (lc != 2)))] = 5
    z[t.settle_zone & land] = 3
    z[t.estates & land] = 4
    setback = np.where(t.near_order >= 2, 100.0, 50.0)  # sempadan sungai
    protect = (lc == 2) | (t.dist_river <= np.maximum(setback, 0.5 * t.res))
    protect |= t.dist_sea <= max(100.0, t.res)  # sempadan pantai
    protect |= t.slope > 40.0
    if t.lakes.any():
        protect |= ndimage.distance_transform_edt(~t.lakes, sampling=t.res) <= max(50.0, t.res)
    z[protect & land] = 1
    z[t.water] = 6
    return z


def soil(rng: np.random.Generator, t: Inputs) -> np.ndarray:
    """Soil order (FAO-style Indonesian names); see :data:`SOIL`."""
    ext = (len(t.xs) * t.res, len(t.ys) * t.res)
    n = fbm(rng, t.xs, t.ys, ext, 6000.0, 3)
    land, e = ~t.sea, t.dem
    hand = e - t.bed
    so = np.zeros(e.shape, np.uint8)
    so[land] = 2  # latosol
    so[land & (e > 80) & (t.cone < 0.05) & (n > -0.2)] = 3  # mediteran on the older hills
    cone = t.cone * (1.0 + 0.25 * n)
    so[land & (cone > 0.3)] = 4  # andosol on the volcano
    so[land & ((e > 1700) | ((cone > 0.12) & (t.dist_river < 400)))] = 5  # young volcanic deposits
    alluvial = (e < 60 + 20 * n) | ((t.dist_river < 500.0 + 300.0 * t.near_order) & (e < 300) & (hand < 8))
    so[land & alluvial] = 1
    so[land & (t.dist_sea < 400.0)] = 5  # coastal sands
    so[t.lakes] = 0
    return so


def flood_hazard(t: Inputs) -> np.ndarray:
    """Flood hazard 0-3: low-lying coast and the floodplains of the larger rivers.

    ``hand`` is the height above the bed of the nearest river cell; high hazard is
    the coast below 2.5 m, water, and the low banks of rivers of order >= 2 in
    the lowlands.
    """
    land, e = ~t.sea, t.dem
    hand = e - t.bed
    o = np.maximum(t.near_order.astype(float), 1.0)
    d = t.dist_river
    hz = np.zeros(e.shape, np.uint8)
    hz[(e < 15) | ((d < 500 * o) & (hand < 8)) | ((t.slope < 1) & (e < 40))] = 1
    hz[(e < 5) | ((d < 250 * o) & (hand < 5))] = 2
    lowland = (e < 150) | (t.slope < 3)
    hz[(e < 2.5) | ((t.near_order >= 2) & (d < 120 * o) & (hand < 3) & lowland) | t.water] = 3
    hz[~land] = 255
    return hz


def landslide_hazard(so: np.ndarray, t: Inputs) -> np.ndarray:
    """Landslide hazard 0-3 from the (lightly smoothed) slope and the soil."""
    s = ndimage.gaussian_filter(t.slope, 1.0)
    hz = np.zeros(s.shape, np.uint8)
    hz[s >= 8] = 1
    hz[s >= 15] = 2
    hz[(s >= 30) | ((s >= 25) & np.isin(so, (4, 5)))] = 3
    hz[t.water] = 0
    hz[t.sea] = 255
    return hz
