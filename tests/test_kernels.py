"""Kernels against independent numpy formulas, and their invariants (Hypothesis)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import ndimage

from kawasan.spatial import kernels
from kawasan.spatial.proximity import distance_to, slope

VALUES = arrays(np.float32, st.integers(1, 200),
               elements=st.one_of(st.floats(-1e6, 1e6, width=32), st.just(float('nan'))))
BOUNDS = st.tuples(st.floats(-1e4, 1e4), st.floats(1e-3, 1e4))


@given(VALUES, BOUNDS, st.booleans())
def test_linear_and_sigmoid_stay_in_unit_interval(a, lohi, inv):
    lo, span = lohi
    for fn in (kernels.std_linear, kernels.std_sigmoid):
        x = a.copy()
        fn(x, np.float32(lo), np.float32(lo + span), inv)
        ok = ~np.isnan(a)
        assert np.all((x[ok] >= 0) & (x[ok] <= 1))
        assert np.array_equal(np.isnan(x), np.isnan(a)), "NoData must stay NoData, never become a number"


@given(VALUES, st.floats(-1e4, 1e4), st.floats(1e-2, 1e4), st.booleans())
def test_gaussian_triangular_unit_interval(a, c, w, inv):
    x = a.copy()
    kernels.std_gaussian(x, np.float32(c), np.float32(w), inv)
    ok = ~np.isnan(a)
    assert np.all((x[ok] >= 0) & (x[ok] <= 1))
    y = a.copy()
    kernels.std_triangular(y, np.float32(c - w), np.float32(c), np.float32(c + w), inv)
    assert np.all((y[ok] >= 0) & (y[ok] <= 1))
    assert np.array_equal(np.isnan(y), np.isnan(a))


def test_linear_formula_and_cost_direction():
    a = np.array([-5, 0, 25, 50, 100, 200, np.nan], np.float32)
    kernels.std_linear(a, np.float32(0), np.float32(100), False)
    np.testing.assert_allclose(a[:6], [0, 0, 0.25, 0.5, 1, 1])
    b = np.array([0, 25, 100], np.float32)
    kernels.std_linear(b, np.float32(0), np.float32(100), True)
    np.testing.assert_allclose(b, [1, 0.75, 0])


def test_sigmoid_is_terrset_cosine_squared():
    x = np.linspace(0, 10, 11, dtype=np.float32)
    got = kernels.std_sigmoid(x.copy(), np.float32(2), np.float32(8), False)
    ref = np.where(x <= 2, 0, np.where(x >= 8, 1, np.cos((1 - (x - 2) / 6) * np.pi / 2) ** 2))
    np.testing.assert_allclose(got, ref, atol=1e-6)
    assert got[5] == pytest.approx(0.5, abs=1e-6)


def test_piecewise_and_ranges():
    x = np.array([-1, 0, 5, 10, 15, 30, np.nan], np.float32)
    got = kernels.std_piecewise(x.copy(), np.array([0, 10, 20], np.float32), np.array([0, 1, 0.5], np.float32), False)
    np.testing.assert_allclose(got[:6], [0, 0, 0.5, 1, 0.75, 0.5])
    assert np.isnan(got[6])
    r = kernels.std_ranges(np.array([1, 2, 14.9, 15, 50], np.float32), np.array([-np.inf, 2, 15], np.float32),
                           np.array([2, 15, np.inf], np.float32), np.array([0.2, 0.4, 0.6], np.float32), True)
    np.testing.assert_allclose(r, [0.8, 0.6, 0.6, 0.4, 0.4])


def test_lookup_maps_unknown_codes_to_nodata():
    codes = np.array([0, 1, 2, 9], np.uint8)
    lut = np.array([np.nan, 0.5, 1.0], np.float32)
    out = kernels.lookup(codes, lut, np.empty(4, np.float32))
    assert np.isnan(out[0]) and out[1] == 0.5 and out[2] == 1.0 and np.isnan(out[3])


def horn_reference(dem, res):
    p = np.pad(dem.astype(np.float64), 1, mode="edge")
    a, b, c = p[:-2, :-2], p[:-2, 1:-1], p[:-2, 2:]
    d, f = p[1:-1, :-2], p[1:-1, 2:]
    g, h, i = p[2:, :-2], p[2:, 1:-1], p[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * res)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8 * res)
    return 100 * np.hypot(dzdx, dzdy)


def test_slope_matches_horn_and_known_planes():
    rng = np.random.default_rng(1)
    dem = ndimage.gaussian_filter(rng.random((50, 70)) * 500, 3).astype(np.float32)
    np.testing.assert_allclose(slope(dem, (30.0, 30.0)), horn_reference(dem, 30.0), rtol=1e-4, atol=1e-3)
    plane = (np.arange(20, dtype=np.float32)[None, :] * 30 * 0.15).repeat(10, 0)  # 15 % eastwards
    np.testing.assert_allclose(slope(plane, (30.0, 30.0))[:, 1:-1], 15.0, rtol=1e-5)
    deg = slope(plane, (30.0, 30.0), degrees=True)
    np.testing.assert_allclose(deg[:, 1:-1], math.degrees(math.atan(0.15)), rtol=1e-5)


def test_slope_propagates_nodata():
    dem = np.ones((5, 5), np.float32)
    dem[2, 2] = np.nan
    s = slope(dem, (30.0, 30.0))
    assert np.isnan(s[1:4, 1:4]).all() and not np.isnan(s[0, 0])


@settings(max_examples=30, deadline=None)
@given(st.integers(5, 40), st.integers(5, 40), st.integers(0, 2**32 - 1), st.floats(30, 3000))
def test_distance_matches_scipy_exact_edt(h, w, seed, maxd):
    rng = np.random.default_rng(seed)
    mask = (rng.random((h, w)) < 0.05).astype(np.uint8)
    mask[rng.integers(h), rng.integers(w)] = 1
    got = distance_to(mask, (30.0, 30.0), maxd)
    ref = np.minimum(ndimage.distance_transform_edt(mask == 0) * 30.0, maxd)
    np.testing.assert_allclose(got, ref, rtol=1e-5, atol=1e-2)


def test_distance_without_features_is_max_and_rectangular_cells():
    assert np.all(distance_to(np.zeros((4, 4), np.uint8), (30, 30), 500) == 500)
    m = np.zeros((5, 5), np.uint8)
    m[0, 0] = 1
    d = distance_to(m, (10.0, 20.0), 1e6)
    assert d[0, 4] == pytest.approx(40.0) and d[4, 0] == pytest.approx(80.0)


@given(arrays(np.float32, (4, 3, 5), elements=st.floats(0, 1, width=32)),
       arrays(np.float64, 4, elements=st.floats(0.01, 1)))
def test_weighted_sum_and_streaming_agree(stack, w):
    w = (w / w.sum()).astype(np.float32)
    out = kernels.weighted_sum(stack, w, np.empty((3, 5), np.float32))
    acc = np.zeros((3, 5), np.float32)
    for i in range(4):
        kernels.accumulate(acc, stack[i].copy(), w[i], 0)
    np.testing.assert_allclose(out, acc, atol=1e-6)
    assert np.all(out >= -1e-6) and np.all(out <= 1 + 1e-5)


@given(arrays(np.float32, (3, 2, 4), elements=st.floats(0, 1, width=32)))
def test_owa_equal_order_weights_is_wlc_and_extremes_are_min_max(stack):
    cw = np.array([0.5, 0.3, 0.2])
    wlc = kernels.weighted_sum(stack, cw.astype(np.float32), np.empty((2, 4), np.float32))
    owa = kernels.owa(stack, cw, np.full(3, 1 / 3), np.empty((2, 4), np.float32))
    np.testing.assert_allclose(owa, wlc, atol=1e-5)
    eq = np.full(3, 1 / 3)
    orr = kernels.owa(stack, eq, np.array([1.0, 0, 0]), np.empty((2, 4), np.float32))
    andd = kernels.owa(stack, eq, np.array([0, 0, 1.0]), np.empty((2, 4), np.float32))
    np.testing.assert_allclose(orr, stack.max(0), atol=1e-6)
    np.testing.assert_allclose(andd, stack.min(0), atol=1e-6)


def test_finalize_excluded_is_never_suitable():
    score = np.array([0.9, 0.9, 0.7, 0.5, 0.3, 0.1, np.nan, np.nan], np.float32)
    reason = np.array([0, 1, 0, 0, 0, 0, 0, 4], np.uint8)
    cls = kernels.finalize(score, reason, np.array([0.8, 0.6, 0.4, 0.2], np.float32), np.empty(8, np.uint8))
    assert list(cls) == [1, 6, 2, 3, 4, 5, 0, 6]
    assert score[1] == 0 and score[7] == 0 and np.isnan(score[6])


# --- burning lines: an exact supercover, whatever GDAL's settings ------------------------------
COORD = st.floats(-3.0, 23.0, allow_nan=False).map(lambda v: round(v * 4) / 4)   # quarter cells: edges and corners too
SEGMENTS = st.lists(st.tuples(COORD, COORD, COORD, COORD), min_size=1, max_size=6)


def _cells_by_shapely(segs, h, w, shrink):
    """Cells whose box (shrunk by ``shrink`` cell units on every side; negative grows it) meets a segment."""
    import shapely

    lines = shapely.MultiLineString([[(a, b), (c, d)] for a, b, c, d in segs])
    rr, cc = np.mgrid[0:h, 0:w]
    boxes = shapely.box(cc.ravel() + shrink, rr.ravel() + shrink, cc.ravel() + 1 - shrink, rr.ravel() + 1 - shrink)
    return shapely.intersects(boxes, lines).reshape(h, w)


@given(SEGMENTS)
def test_burn_segments_is_the_exact_supercover(segs):
    """Every cell a segment passes through is burned, and no cell it does not even touch (pixel coordinates)."""
    h, w = 20, 20
    out = np.zeros((h, w), np.uint8)
    a = np.array(segs, dtype=np.float64).reshape(-1, 4)
    kernels.burn_segments(a[:, 0], a[:, 1], a[:, 2], a[:, 3], out)
    through = _cells_by_shapely(segs, h, w, 1e-9)    # the open cell holds a point of the segment
    touched = _cells_by_shapely(segs, h, w, -1e-9)   # the closed cell meets it
    assert not (through & (out == 0)).any(), "a cell the line passes through was not burned"
    assert not ((out == 1) & ~touched).any(), "a cell the line does not touch was burned"


@given(SEGMENTS, st.integers(1, 19))
def test_burn_segments_does_not_depend_on_the_window(segs, split):
    """Burning the top and bottom halves separately (shifted coordinates) gives the same cells as one pass."""
    a = np.array(segs, dtype=np.float64).reshape(-1, 4)
    whole = np.zeros((20, 20), np.uint8)
    kernels.burn_segments(a[:, 0], a[:, 1], a[:, 2], a[:, 3], whole)
    top = np.zeros((split, 20), np.uint8)
    kernels.burn_segments(a[:, 0], a[:, 1], a[:, 2], a[:, 3], top)
    bottom = np.zeros((20 - split, 20), np.uint8)
    kernels.burn_segments(a[:, 0], a[:, 1] - split, a[:, 2], a[:, 3] - split, bottom)
    assert np.array_equal(whole, np.vstack([top, bottom]))


def test_burn_segments_edges_corners_and_points():
    out = np.zeros((4, 4), np.uint8)
    # along the edge between rows 0 and 1: the cells below it (half-open cells), not both sides
    kernels.burn_segments(np.array([0.5]), np.array([1.0]), np.array([2.5]), np.array([1.0]), out)
    assert out[1, 0:3].all() and not out[0].any()
    out[:] = 0
    # a diagonal through the corners (1, 1) and (2, 2): the cells on the diagonal only
    kernels.burn_segments(np.array([0.5]), np.array([0.5]), np.array([2.5]), np.array([2.5]), out)
    assert out.sum() == 3 and out[0, 0] and out[1, 1] and out[2, 2]
    out[:] = 0
    kernels.burn_segments(np.array([3.2]), np.array([0.7]), np.array([3.2]), np.array([0.7]), out)   # a point
    assert out.sum() == 1 and out[0, 3]
    out[:] = 0
    kernels.burn_segments(np.array([-5.0]), np.array([-5.0]), np.array([-1.0]), np.array([9.0]), out)  # outside
    assert not out.any()


def test_burn_mask_ignores_gdal_block_cache_size():
    """The mask of lines is the same whatever GDAL_CACHEMAX the process has (GDAL's own all-touched
    rasterization works in swaths sized by it, and gave different cells: issue 11, item 1)."""
    import geopandas as gpd
    import rasterio
    from shapely.geometry import LineString

    from kawasan.spatial.grid import Grid
    from kawasan.spatial.vectors import burn_mask

    grid = Grid.from_bounds("EPSG:32749", 700000, 9150000, 30.0, 300, 200)
    rng = np.random.default_rng(3)
    lines = [LineString(rng.uniform([700000, 9144000], [709000, 9150000], size=(5, 2))) for _ in range(40)]
    gdf = gpd.GeoDataFrame(geometry=lines, crs="EPSG:32749")
    ref = burn_mask(gdf, grid).copy()
    assert ref.sum() > 1000
    for cache in (100, 5000, 64 * 2**20):
        with rasterio.Env(GDAL_CACHEMAX=cache):
            assert np.array_equal(burn_mask(gdf, grid), ref), cache
