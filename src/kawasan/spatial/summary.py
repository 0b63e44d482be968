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
    counts = kernels.histogram_u8(classes)
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
    areas = stats[1:, cv2.CC_STAT_AREA]
    order = np.argsort(-areas, kind="stable")[:top] + 1
    sums = kernels.label_sums(labels, score, n)
    del labels
    to_ll = Transformer.from_crs(grid.crs, "EPSG:4326", always_xy=True)
    out = []
    cell_ha = grid.cell_area / 10_000.0
    for lab in order:
        cx, cy = centroids[lab]
        t = grid.transform
        x, y = t.c + (cx + 0.5) * t.a, t.f + (cy + 0.5) * t.e
        lon, lat = to_ll.transform(x, y)
        cells = int(stats[lab, cv2.CC_STAT_AREA])
        out.append({"class": CLASS_CODES[code], "area_ha": round(cells * cell_ha, 2),
                    "score_mean": round(float(sums[lab] / cells), 4),
                    "centroid": {"x": round(x, 1), "y": round(y, 1), "lon": round(lon, 6), "lat": round(lat, 6)}})
    return out
