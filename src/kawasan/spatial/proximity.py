"""Bounded Euclidean distance to features.

Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, "Distance
transforms of sampled functions", Theory of Computing 8) as implemented by OpenCV's
``distanceTransform(DIST_L2, DIST_MASK_PRECISE)``: the fastest measured kernel in
../shared/perf/ANCHORS.md (0.8 s for 1e8 cells on 2 threads). Distances are in map
units (cell count x cell size) and clamped at ``max_distance``: every criterion
declares a finite maximum, which also bounds the halo for chunked processing.
Cells on rectangular (non-square) grids fall back to scipy's exact EDT with sampling.
"""
from __future__ import annotations

import cv2
import numpy as np

from kawasan.spatial import kernels


def distance_to(mask: np.ndarray, res: tuple[float, float], max_distance: float, out: np.ndarray | None = None) -> np.ndarray:
    """Distance (map units) from every cell to the nearest cell where ``mask`` is non-zero, clamped at max_distance.

    ``mask`` is uint8 holding only 0 and 1 (1 = feature); it is used as scratch and restored.
    With no feature at all every cell gets ``max_distance``
    (nothing within reach). ``out`` (float32, same shape, C-contiguous) is filled and returned.
    """
    if out is None:
        out = np.empty(mask.shape, dtype=np.float32)
    if not mask.any():
        out.fill(np.float32(max_distance))
        return out
    rx, ry = res
    # OpenCV measures to the nearest zero cell: flip the 0/1 mask in place (it is a temporary)
    # instead of allocating an inverted copy; it is flipped back before returning.
    np.bitwise_xor(mask, 1, out=mask)
    src = mask
    if abs(rx - ry) <= 1e-9 * max(rx, ry):
        cv2.distanceTransform(src, cv2.DIST_L2, cv2.DIST_MASK_PRECISE, dst=out, dstType=cv2.CV_32F)
        if rx != 1.0:
            np.multiply(out, np.float32(rx), out=out)
    else:
        from scipy import ndimage

        out[...] = ndimage.distance_transform_edt(src, sampling=(ry, rx)).astype(np.float32)
    np.bitwise_xor(mask, 1, out=mask)
    np.minimum(out, np.float32(max_distance), out=out)
    return out


def slope(dem: np.ndarray, res: tuple[float, float], out: np.ndarray | None = None, *, degrees: bool = False) -> np.ndarray:
    """Slope of a DEM in percent (default) or degrees; see kernels.slope_percent for the formula."""
    if out is None:
        out = np.empty(dem.shape, dtype=np.float32)
    kernels.slope_percent(dem, float(res[0]), float(res[1]), out)
    if degrees:
        kernels.percent_to_degrees(out)
    return out
