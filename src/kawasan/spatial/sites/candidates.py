"""Candidate sites: contiguous areas of suitable cells, of legal size, explained.

Extraction rule (documented in docs/reference/sites.md):

1. suitable cells: class S1..``min_class`` (default S2), or score >= ``min_score``; never an excluded cell;
2. slivers: a morphological opening with a ``min_width_cells`` x ``min_width_cells`` square (default 3,
   i.e. 90 m at 30 m) removes parts of a site narrower than that;
3. holes: enclosed gaps of at most ``fill_holes_ha`` (default 1 ha, and never more than a tenth of the
   minimum area) that contain no excluded cell are filled (a slightly less suitable pocket is part
   of the site; land excluded by law never is);
4. 8-connected components (OpenCV) of at least ``min_area_ha`` (the model's legal minimum:
   50 ha in one expanse for kawasan-industri, PP 20/2024 Article 49, counted as gross area: the site's cells
   are land no rule excludes) and at most ``max_area_ha`` survive;
5. survivors are polygonized in their own bounding window (fast on national grids) and may be
   filtered by Polsby-Popper compactness 4 pi A / P^2 (1 for a circle).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import cv2
import numpy as np
import rasterio
from rasterio import features
from rasterio.windows import Window
from shapely.geometry import shape
from shapely.ops import unary_union

from kawasan.errors import InputError
from kawasan.i18n import Message
from kawasan.spatial import kernels
from kawasan.spatial.model import CLASS_CODES
from kawasan.spatial.runs.read import Run

CLASS_BY_NAME = {v: k for k, v in CLASS_CODES.items() if 1 <= k <= 5}


@dataclass
class ExtractRules:
    min_area_ha: float
    max_area_ha: float | None = None
    min_class: str = "S2"
    min_score: float | None = None
    min_compactness: float | None = None
    min_width_cells: int = 3
    fill_holes_ha: float = 1.0

    def describe(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


@dataclass
class Site:
    id: int
    cells: int
    window: Window
    mask: np.ndarray               # bool mask of the site's cells inside its window
    geometry: object               # shapely (Multi)Polygon in the grid CRS
    attrs: dict = field(default_factory=dict)


def suitable_mask(run: Run, rules: ExtractRules) -> np.ndarray:
    classes = run.raster("classes")
    if rules.min_score is not None:
        if not 0.0 <= rules.min_score <= 1.0:
            raise InputError(Message("run.err.sites.min_score_must_lie", rules_min_score=rules.min_score),
                             field="min_score")
        score = run.raster("score")
        return ((score >= rules.min_score) & (classes >= 1) & (classes <= 5)).view(np.uint8)
    if rules.min_class not in CLASS_BY_NAME:
        raise InputError(Message("run.err.sites.unknown_class_expected_one", rules_min_class=rules.min_class),
                         field="min_class")
    top = CLASS_BY_NAME[rules.min_class]
    return ((classes >= 1) & (classes <= top)).view(np.uint8)


def area_limits(rules: ExtractRules, cell_ha: float, notes: list) -> tuple[int, int | None]:
    """The smallest and the largest site in cells, for the in-memory and the chunked extraction alike.

    min_cells = ceil(min_area_ha / cell_ha), or 1 with a note when the minimum is smaller than one cell;
    max_cells = floor(max_area_ha / cell_ha), None without a maximum. A minimum that is not positive, or a
    maximum below the minimum, is an InputError naming the field."""
    if rules.min_area_ha <= 0:
        raise InputError(Message("run.err.sites.minimum_area_must_positive",
                                 rules_min_area_ha=rules.min_area_ha), field="min_area_ha")
    min_cells = math.ceil(rules.min_area_ha / cell_ha - 1e-9)
    if rules.min_area_ha < cell_ha:
        notes.append(Message("run.note.sites.minimum_area_ha_smaller", rules_min_area_ha=rules.min_area_ha,
                             cell_ha=cell_ha))
        min_cells = 1
    max_cells = None
    if rules.max_area_ha is not None:
        if rules.max_area_ha < rules.min_area_ha:
            raise InputError(Message("run.err.sites.max_area_ha_below", rules_max_area_ha=rules.max_area_ha,
                                     rules_min_area_ha=rules.min_area_ha), field="max_area_ha")
        max_cells = math.floor(rules.max_area_ha / cell_ha + 1e-9)
    return min_cells, max_cells


def extract(run: Run, rules: ExtractRules) -> tuple[list[Site], list[str]]:
    """The candidate sites of a run and the notes on how the rules were applied."""
    grid = run.grid
    cell_ha = grid.cell_area / 10_000.0
    notes: list[str] = []
    min_cells, max_cells = area_limits(rules, cell_ha, notes)
    mask = suitable_mask(run, rules)
    if rules.min_width_cells > 1:
        k = np.ones((rules.min_width_cells, rules.min_width_cells), np.uint8)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, k)
    fill_cells = int(min(rules.fill_holes_ha, rules.min_area_ha / 10.0) / cell_ha)
    if fill_cells >= 1:
        mask = _fill_small_holes(mask, run.raster("constraints"), fill_cells)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero((areas >= min_cells) & ((areas <= max_cells) if max_cells else True)) + 1
    if len(keep) == 0:
        notes.append(Message("run.note.sites.contiguous_area_suitable_cells",
                             min_area_ha=rules.min_area_ha, n_more=n - 1))
    sites = []
    for lab in keep:
        x, y, w, h = (int(v) for v in stats[lab, :4])
        win = Window(x, y, w, h)
        sub = labels[y:y + h, x:x + w] == lab
        site = compact_site(len(sites) + 1, int(stats[lab, cv2.CC_STAT_AREA]), win, sub, grid, rules)
        if site is not None:
            sites.append(site)
    return sites, notes


def compact_site(number: int, cells: int, win: Window, sub: np.ndarray, grid, rules: ExtractRules) -> Site | None:
    """Site ``number`` made of the cells ``sub`` of window ``win``: its polygon and its compactness
    (Polsby-Popper, 4 pi A / P^2); None when less compact than ``rules.min_compactness``. Numbers follow the
    sites kept, so they run 1..n whatever is left out (the in-memory and the chunked extraction alike)."""
    geom = _polygonize(sub, grid, win)
    site = Site(number, cells, win, sub, geom)
    site.attrs["compactness"] = polsby_popper(geom)
    if rules.min_compactness is not None and site.attrs["compactness"] < rules.min_compactness:
        return None
    return site


def _fill_small_holes(mask: np.ndarray, reason: np.ndarray, max_cells: int) -> np.ndarray:
    """Fill enclosed background components of at most max_cells that hold no excluded cell."""
    inv = (mask == 0).view(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(inv, connectivity=4, ltype=cv2.CV_32S)
    h, w = mask.shape
    x, y, ww, hh, area = (stats[:, i] for i in range(5))
    small = (area <= max_cells) & (x > 0) & (y > 0) & (x + ww < w) & (y + hh < h)
    small[0] = False
    cand = np.flatnonzero(small)
    if cand.size == 0:
        return mask
    excluded = kernels.label_any(lab, reason.view(np.uint8) if reason.dtype == np.uint8 else (reason != 0).view(np.uint8), n)
    fill = np.zeros(n, dtype=bool)
    fill[cand[~excluded[cand]]] = True
    out = mask.copy()
    out[fill[lab]] = 1
    return out


def _polygonize(sub: np.ndarray, grid, win: Window):
    transform = rasterio.windows.transform(win, grid.transform)
    polys = [shape(g) for g, v in features.shapes(sub.view(np.uint8), mask=sub, transform=transform,
                                                    connectivity=8) if v == 1]
    return unary_union(polys)


def polsby_popper(geom) -> float:
    """Compactness 4 pi A / P^2 (Polsby & Popper 1991): 1 for a circle, about 0.785 for a square."""
    return float(4 * math.pi * geom.area / geom.length ** 2) if geom.length > 0 else 0.0
