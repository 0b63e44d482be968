"""The bounded EDT kernel (kawasan.spatial.edt) gives, on a chunk's core, exactly the float32 values of the
path it replaced: OpenCV's exact distance transform on the whole grid (or on the grown window), scaled and
clamped.

WHY these references. OpenCV's ``distanceTransform(DIST_L2, DIST_MASK_PRECISE)`` runs its own F&H code with
a correctly rounded float32 square root, EXCEPT when OpenCV has one thread or the image has fewer than
2**14 cells: then it calls Intel IPP, whose square root is up to 1 ulp off (sqrt(37) -> 6.0827622, not
6.0827627). So the OpenCV reference here is its exact path (2 threads, the mask padded with feature-free
cells to at least 130 x 130), and a second, independent reference is scipy's EDT: the exact squared
distance, whose float32 square root is the value expected.
"""
from __future__ import annotations

import cv2
import numba
import numpy as np
import pytest
from scipy import ndimage

from kawasan.spatial.edt import bounded_distance, reach_of
from kawasan.spatial.proximity import distance_to, distance_to_core


def opencv_reference(mask: np.ndarray, cell: float, max_distance: float) -> np.ndarray:
    """The path before the kernel: OpenCV's exact EDT of the whole mask, times the cell size, clamped."""
    h, w = mask.shape
    if not mask.any():
        return np.full((h, w), np.float32(max_distance))
    big = np.ones((max(h, 130), max(w, 130)), np.uint8)   # >= 2**14 cells: OpenCV's own (exact) code
    big[:h, :w] = 1 - mask
    threads = cv2.getNumThreads()
    cv2.setNumThreads(2)
    try:
        d = cv2.distanceTransform(big, cv2.DIST_L2, cv2.DIST_MASK_PRECISE, dstType=cv2.CV_32F)[:h, :w]
    finally:
        cv2.setNumThreads(threads)
    if cell != 1.0:
        d = d * np.float32(cell)
    return np.minimum(d, np.float32(max_distance))


def scipy_reference(mask: np.ndarray, cell: float, max_distance: float) -> np.ndarray:
    """float32 sqrt of the exact squared distance in cells (scipy), times the cell size, clamped."""
    if not mask.any():
        return np.full(mask.shape, np.float32(max_distance))
    d2 = np.rint(ndimage.distance_transform_edt(mask == 0) ** 2).astype(np.int64)
    return np.minimum(np.sqrt(d2.astype(np.float32)) * np.float32(cell), np.float32(max_distance))


def core_of_grown(mask, r0, r1, c0, c1, cell, max_distance):
    """bounded_distance of the core (r0:r1, c0:c1) measured on the core grown by the reach (clipped at the
    grid), as chunked.window.WindowStore.distance measures a chunk."""
    reach = reach_of(max_distance, cell)
    g0, g1 = max(0, r0 - reach), min(mask.shape[0], r1 + reach)
    h0, h1 = max(0, c0 - reach), min(mask.shape[1], c1 + reach)
    grown = np.ascontiguousarray(mask[g0:g1, h0:h1])
    out = np.full((r1 - r0, c1 - c0), np.nan, np.float32)
    return bounded_distance(grown, (slice(r0 - g0, r1 - g0), slice(c0 - h0, c1 - h0)), cell, max_distance, out)


def random_mask(rng, h, w, density):
    return (rng.random((h, w)) < density).astype(np.uint8)


def sparse_lines(rng, h, w):
    """A few one-cell-wide horizontal, vertical and diagonal lines (roads, rivers)."""
    m = np.zeros((h, w), np.uint8)
    m[rng.integers(h), :] = 1
    m[:, rng.integers(w)] = 1
    k = np.arange(min(h, w))
    m[k, k] = 1
    return m


CASES = [(cell, maxd) for cell in (1.0, 30.0, 12.5) for maxd in (3.0, 7.5, 40.0, 1000.0)]


@pytest.mark.parametrize("cell,cells_reach", CASES)
@pytest.mark.parametrize("seed", range(6))
def test_core_of_a_grown_window_equals_opencv_on_the_whole_grid(seed, cell, cells_reach):
    rng = np.random.default_rng(seed)
    h, w = (int(x) for x in rng.integers(20, 140, 2))
    mask = random_mask(rng, h, w, [0.0005, 0.01, 0.2][seed % 3]) if seed % 2 else sparse_lines(rng, h, w)
    maxd = cells_reach * cell
    ref = opencv_reference(mask, cell, maxd)
    assert np.array_equal(ref, scipy_reference(mask, cell, maxd))
    for _ in range(4):
        r0, r1 = sorted(int(x) for x in rng.choice(h + 1, 2, replace=False))
        c0, c1 = sorted(int(x) for x in rng.choice(w + 1, 2, replace=False))
        got = core_of_grown(mask, r0, r1, c0, c1, cell, maxd)
        assert np.array_equal(got, ref[r0:r1, c0:c1]), (r0, r1, c0, c1)
    assert np.array_equal(distance_to(mask, (cell, cell), maxd), ref)


def test_empty_mask_is_max_distance_everywhere():
    mask = np.zeros((50, 60), np.uint8)
    out = core_of_grown(mask, 10, 20, 5, 55, 30.0, 300.0)
    assert np.all(out == np.float32(300.0))
    assert np.all(distance_to(mask, (30.0, 30.0), 300.0) == np.float32(300.0))


def test_features_only_in_the_halo_are_measured():
    mask = np.zeros((60, 60), np.uint8)
    mask[5, 30] = 1            # 15 rows above the core (20:40, 20:40), inside its 21-cell halo
    mask[30, 57] = 1           # 18 columns right of the core's last column
    got = core_of_grown(mask, 20, 40, 20, 40, 1.0, 20.0)
    assert got[0, 10] == np.float32(15.0)
    assert got[10, 19] == np.float32(18.0)
    assert np.array_equal(got, opencv_reference(mask, 1.0, 20.0)[20:40, 20:40])


def test_chunk_smaller_than_the_halo_and_one_cell_edges():
    rng = np.random.default_rng(7)
    mask = random_mask(rng, 80, 90, 0.003)
    ref = opencv_reference(mask, 30.0, 900.0)     # reach 31 cells, larger than the chunks below
    for r0, r1, c0, c1 in [(40, 43, 40, 45), (0, 1, 0, 90), (79, 80, 0, 90), (0, 80, 0, 1), (0, 80, 89, 90),
                           (0, 1, 0, 1), (79, 80, 89, 90), (35, 36, 50, 51)]:
        assert np.array_equal(core_of_grown(mask, r0, r1, c0, c1, 30.0, 900.0), ref[r0:r1, c0:c1])
    row = random_mask(rng, 1, 300, 0.01)
    col = np.ascontiguousarray(row.T)
    assert np.array_equal(distance_to(row, (1.0, 1.0), 50.0), opencv_reference(row, 1.0, 50.0))
    assert np.array_equal(distance_to(col, (1.0, 1.0), 50.0), opencv_reference(col, 1.0, 50.0))


def test_distances_beyond_4096_cells_stay_exact():
    """A reach above 4096 cells: squared distances above 2**24, where OpenCV adds float32(dx^2) and
    float32(dy^2), each rounded; the kernel forms the value the same way."""
    mask = np.zeros((3, 9000), np.uint8)
    mask[0, 0] = 1
    got = distance_to(mask, (1.0, 1.0), 9000.0)
    assert np.array_equal(got, opencv_reference(mask, 1.0, 9000.0))


def test_core_with_rectangular_cells_is_scipy_cut_to_the_core():
    rng = np.random.default_rng(3)
    mask = random_mask(rng, 40, 50, 0.01)
    whole = distance_to(mask, (10.0, 20.0), 250.0)
    out = np.empty((10, 20), np.float32)
    distance_to_core(mask, (slice(5, 15), slice(25, 45)), (10.0, 20.0), 250.0, out)
    assert np.array_equal(out, whole[5:15, 25:45])
    ref = np.minimum(ndimage.distance_transform_edt(mask == 0, sampling=(20.0, 10.0)).astype(np.float32),
                     np.float32(250.0))
    assert np.array_equal(whole, ref)


def test_same_bytes_with_one_and_two_threads():
    rng = np.random.default_rng(11)
    mask = random_mask(rng, 700, 900, 0.0005)        # several column and row blocks per thread
    before = numba.get_num_threads()
    try:
        runs = []
        for threads in (1, 2):
            numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))
            runs.append((distance_to(mask, (30.0, 30.0), 3000.0).tobytes(),
                         core_of_grown(mask, 100, 600, 300, 800, 30.0, 3000.0).tobytes()))
    finally:
        numba.set_num_threads(before)
    assert runs[0] == runs[1]
