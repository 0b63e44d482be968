"""Bounded Euclidean distance to features.

Exact Euclidean distance transform (Felzenszwalb & Huttenlocher 2012, "Distance transforms of sampled
functions", Theory of Computing 8) on square cells: :func:`kawasan.spatial.edt.bounded_distance`, which gives
the values of OpenCV's exact ``distanceTransform(DIST_L2, DIST_MASK_PRECISE)`` path and computes them only
for the cells asked for (a chunk's core, not its grown window). Distances are in map units (cell count x cell
size) and clamped at ``max_distance``: every criterion declares a finite maximum, which also bounds the halo
for chunked processing. Cells on rectangular (non-square) grids fall back to scipy's exact EDT with sampling.
"""
from __future__ import annotations

import numpy as np

from kawasan.spatial import edt, kernels


def distance_to(mask: np.ndarray, res: tuple[float, float], max_distance: float, out: np.ndarray | None = None) -> np.ndarray:
    """Distance (map units) from every cell to the nearest cell where ``mask`` is non-zero, clamped at max_distance.

    ``mask`` is uint8 holding only 0 and 1 (1 = feature). With no feature at all every cell gets
    ``max_distance`` (nothing within reach). ``out`` (float32, same shape) is filled and returned.
    """
    if out is None:
        out = np.empty(mask.shape, dtype=np.float32)
    return distance_to_core(mask, (slice(None), slice(None)), res, max_distance, out)


def distance_to_core(mask: np.ndarray, core: tuple[slice, slice], res: tuple[float, float], max_distance: float,
                     out: np.ndarray, scratch: np.ndarray | None = None) -> np.ndarray:
    """:func:`distance_to` for the cells ``mask[core]`` only, into ``out`` (the core's shape).

    ``mask`` is the core grown by the reach where the grid allows (``chunked.window.reach_cells``): a
    feature farther out cannot be within ``max_distance`` of the core. Square cells: the bounded kernel on
    the core only (``scratch``, float32, at least core rows x ``mask`` columns, holds its first pass);
    rectangular cells: scipy's EDT with sampling on the whole mask, cut to the core.
    """
    if not mask.any():
        out.fill(np.float32(max_distance))
        return out
    rx, ry = res
    if abs(rx - ry) <= 1e-9 * max(rx, ry):
        return edt.bounded_distance(mask, core, float(rx), max_distance, out, scratch)
    from scipy import ndimage

    d = ndimage.distance_transform_edt(mask == 0, sampling=(ry, rx))[core]
    np.minimum(d.astype(np.float32), np.float32(max_distance), out=out)
    return out


def slope(dem: np.ndarray, res: tuple[float, float], out: np.ndarray | None = None, *, degrees: bool = False) -> np.ndarray:
    """Slope of a DEM in percent (default) or degrees; see kernels.slope_percent for the formula."""
    if out is None:
        out = np.empty(dem.shape, dtype=np.float32)
    kernels.slope_percent(dem, float(res[0]), float(res[1]), out)
    if degrees:
        kernels.percent_to_degrees(out)
    return out
