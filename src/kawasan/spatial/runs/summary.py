"""Summaries of a run for people: area per class and the best contiguous areas."""
from __future__ import annotations

import cv2
import numpy as np
from pyproj import Transformer

from kawasan.spatial import kernels
from kawasan.spatial.grid import Grid
from kawasan.spatial.model import CLASS_CODES


def class_table(classes: np.ndarray, grid: Grid, breaks) -> list[dict]:
    """Cells, hectares and share of the valid study area per class (S1..N2, excluded, nodata)."""
    return class_table_from_counts(kernels.histogram_u8(classes), grid, breaks)


def class_table_from_counts(counts: np.ndarray, grid: Grid, breaks) -> list[dict]:
    """:func:`class_table` from the cells per class code (a 256-bin histogram, summed over chunks or not)."""
    valid = int(counts[1:7].sum())
    cell_ha = grid.cell_area / 10_000.0
    rows = []
    lower = list(breaks) + [0.0]
    for code in (1, 2, 3, 4, 5, 6, 0):
        n = int(counts[code])
        row = {"code": code, "class": CLASS_CODES[code], "cells": n, "area_ha": round(n * cell_ha, 2),
               "share": round(n / valid, 6) if valid and code else None}
        if 1 <= code <= 5:
            row["score_min"] = lower[code - 1]
        rows.append(row)
    return rows


def best_areas(score: np.ndarray, classes: np.ndarray, grid: Grid, *, top: int = 5) -> list[dict]:
    """The largest 8-connected patches of the best class present (S1, else S2, else S3).

    A quick overview for the run summary; the site step (kawasan sites) does the full
    extraction with legal minimum areas, explanations and ranking.
    """
    for code in (1, 2, 3):
        mask = (classes == code).view(np.uint8)
        if mask.any():
            break
    else:
        return []
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8, ltype=cv2.CV_32S)
    if n <= 1:
        return []
    areas = stats[:, cv2.CC_STAT_AREA]
    sums = kernels.label_sums(labels, score, n)
    del labels
    return area_rows(code, areas[1:], sums[1:], centroids[1:], grid, top=top)


def area_rows(code: int, areas: np.ndarray, sums: np.ndarray, centroids: np.ndarray, grid: Grid, *,
              top: int = 5) -> list[dict]:
    """The ``top`` largest patches as summary rows, from per-patch cells, score sums and centroids (cell
    coordinates), the patches in labelling order (a tie in area keeps that order)."""
    order = np.argsort(-np.asarray(areas), kind="stable")[:top]
    to_ll = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True)
    out = []
    cell_ha = grid.cell_area / 10_000.0
    for lab in order:
        cx, cy = centroids[lab]
        t = grid.transform
        x, y = t.c + (cx + 0.5) * t.a, t.f + (cy + 0.5) * t.e
        lon, lat = to_ll.transform(x, y)
        cells = int(areas[lab])
        out.append({"class": CLASS_CODES[code], "area_ha": round(cells * cell_ha, 2),
                    "score_mean": round(float(sums[lab] / cells), 4),
                    "centroid": {"x": round(x, 1), "y": round(y, 1), "lon": round(lon, 6), "lat": round(lat, 6)}})
    return out
