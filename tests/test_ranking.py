"""Site ranking: TOPSIS against hand arithmetic, the tie rule, area weighting, validation."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kawasan.errors import InputError, WeightsError
from kawasan.spatial.sites.ranking import METHODS, RankedSite, rank_sites, topsis


def test_topsis_hand_computed():
    # Three sites, two benefit criteria, weights 1:1 (normalised to 0.5, 0.5).
    #   x = [[3, 4], [4, 0], [0, 3]]; column norms sqrt(9+16+0) = 5 and sqrt(16+0+9) = 5
    #   r = x / 5 = [[0.6, 0.8], [0.8, 0.0], [0.0, 0.6]]
    #   v = 0.5 r = [[0.3, 0.4], [0.4, 0.0], [0.0, 0.3]]
    #   ideal A+ = (0.4, 0.4), anti-ideal A- = (0.0, 0.0)
    #   site 0: d+ = sqrt(0.1² + 0²) = 0.1,        d- = sqrt(0.3² + 0.4²) = 0.5, C = 0.5 / 0.6 = 5/6
    #   site 1: d+ = sqrt(0² + 0.4²) = 0.4,        d- = sqrt(0.4² + 0²) = 0.4,  C = 0.4 / 0.8 = 0.5
    #   site 2: d+ = sqrt(0.4² + 0.1²) = sqrt(0.17), d- = 0.3,                 C = 0.3 / (0.3 + sqrt(0.17))
    x = np.array([[3.0, 4.0], [4.0, 0.0], [0.0, 3.0]])
    got = topsis(x, [1.0, 1.0])
    want = [5 / 6, 0.5, 0.3 / (0.3 + math.sqrt(0.17))]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    ranked = rank_sites([10, 11, 12], [1, 1, 1], [0, 0, 0], x, [1, 1], method="topsis")
    assert [r.id for r in ranked] == [10, 11, 12]
    assert ranked[0] == RankedSite(id=10, rank=1, value=pytest.approx(5 / 6))


def test_topsis_unequal_weights_hand_computed():
    # Same matrix, w = (0.8, 0.2): v = [[0.48, 0.16], [0.64, 0], [0, 0.12]]; A+ = (0.64, 0.16), A- = (0, 0)
    #   site 0: d+ = 0.16,                 d- = sqrt(0.48² + 0.16²) = sqrt(0.256)
    #   site 1: d+ = 0.16,                 d- = 0.64
    #   site 2: d+ = sqrt(0.64² + 0.04²),  d- = 0.12
    x = np.array([[3.0, 4.0], [4.0, 0.0], [0.0, 3.0]])
    d0m, d2p = math.sqrt(0.256), math.sqrt(0.64 ** 2 + 0.04 ** 2)
    want = [d0m / (0.16 + d0m), 0.64 / 0.8, 0.12 / (0.12 + d2p)]
    np.testing.assert_allclose(topsis(x, [0.8, 0.2]), want, rtol=1e-12)


def test_topsis_degenerate_cases():
    # every row equal: ideal == anti-ideal, d+ = d- = 0, each row is the ideal -> closeness 1
    np.testing.assert_array_equal(topsis(np.full((3, 2), 0.4), [0.3, 0.7]), [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(topsis([[0.2, 0.9]], [1, 1]), [1.0])        # a single site
    # an all-zero column stays 0 (no division by zero, no NaN)
    got = topsis([[0.0, 1.0], [0.0, 0.5]], [0.5, 0.5])
    np.testing.assert_allclose(got, [1.0, 0.0])
    assert topsis(np.zeros((0, 3)), [1, 1, 1]).shape == (0,)
    with pytest.raises(InputError, match="TOPSIS expects values >= 0"):
        topsis([[0.5, -0.1]], [1, 1])


@given(arrays(float, st.tuples(st.integers(1, 12), st.integers(1, 5)), elements=st.floats(0, 1)),
       st.data())
def test_topsis_properties(x, data):
    n_crit = x.shape[1]
    w = np.array(data.draw(st.lists(st.floats(0.01, 1), min_size=n_crit, max_size=n_crit)))
    c = topsis(x, w)
    assert np.all((c >= 0) & (c <= 1))
    # vector normalisation: scaling a column by a positive factor changes nothing
    scale = np.array(data.draw(st.lists(st.floats(0.5, 4), min_size=n_crit, max_size=n_crit)))
    np.testing.assert_allclose(topsis(x * scale, w), c, atol=1e-9)
    # a row that is the column-wise maximum is the ideal: closeness 1
    best = np.vstack([x, x.max(axis=0)])
    assert topsis(best, w)[-1] == pytest.approx(1.0)


def test_tie_rule_value_then_area_then_id():
    ids = [5, 3, 9, 1]
    score = [0.7, 0.7, 0.7, 0.9]
    area = [10.0, 20.0, 20.0, 1.0]
    c = np.full((4, 2), 0.5)
    got = rank_sites(ids, area, score, c, [0.5, 0.5])
    # 0.9 first; among the 0.7s the larger area (20 ha: ids 3 and 9, smaller id first), then id 5
    assert [(r.id, r.rank) for r in got] == [(1, 1), (3, 2), (9, 3), (5, 4)]
    # identical TOPSIS values: the same rule applies, ranks stay unique
    got = rank_sites(ids, area, score, c, [0.5, 0.5], method="topsis")
    assert [r.id for r in got] == [3, 9, 5, 1]
    assert [r.rank for r in got] == [1, 2, 3, 4]


def test_mean_and_area_weighted():
    ids, area, score = [1, 2, 3], [2.0, 10.0, 5.0], [0.9, 0.6, 0.5]
    c = np.array([[0.9, 0.9], [0.6, 0.6], [0.5, 0.5]])
    by_mean = rank_sites(ids, area, score, c, [1, 1], method="mean")
    assert [r.id for r in by_mean] == [1, 2, 3]
    assert [r.value for r in by_mean] == [0.9, 0.6, 0.5]
    by_total = rank_sites(ids, area, score, c, [1, 1], method="area_weighted")
    # total suitability = score_mean * area_ha: 1.8, 6.0, 2.5
    assert [r.id for r in by_total] == [2, 3, 1]
    assert [r.value for r in by_total] == pytest.approx([6.0, 2.5, 1.8])


def test_zero_sites():
    for m in METHODS:
        assert rank_sites([], [], [], np.zeros((0, 2)), [0.5, 0.5], method=m) == []


@pytest.mark.parametrize("kwargs, exc, pattern", [
    (dict(method="best"), InputError, "mean, area_weighted, topsis"),
    (dict(weights=[0.5, -0.5]), WeightsError, r"weight 1 .* -0.5"),
    (dict(weights=[0.0, 0.0]), WeightsError, "all weights are zero"),
    (dict(weights=[0.5, float("nan")]), WeightsError, "weight 1"),
    (dict(weights=[0.3, 0.3, 0.4]), InputError, "2 criterion column.* 3 weight"),
    (dict(ids=[1, 2]), InputError, "expected 2 value"),
    (dict(ids=[1, 1, 2]), InputError, "site id 1 occurs more than once"),
    (dict(area_ha=[1.0, 2.0]), InputError, "expected 3 value"),
    (dict(area_ha=[1.0, -2.0, 3.0]), InputError, "site id 8 has area_ha = -2"),
    (dict(score_mean=[0.1, float("nan"), 0.3]), InputError, "site id 8 has score_mean = nan"),
    (dict(criteria_means=[[0.1, 0.2], [0.3, float("nan")], [0.5, 0.6]]), InputError,
     "site id 8 has nan for criterion 1"),
    (dict(criteria_means=[[0.1, 0.2], [0.3, 0.4]]), InputError, "expected 3 row"),
    (dict(criteria_means=[0.1, 0.2, 0.3]), InputError, "2-D"),
])
def test_validation(kwargs, exc, pattern):
    args = dict(ids=[7, 8, 9], area_ha=[1.0, 2.0, 3.0], score_mean=[0.1, 0.2, 0.3],
                criteria_means=[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], weights=[0.5, 0.5], method="mean")
    args.update(kwargs)
    method = args.pop("method")
    with pytest.raises(exc, match=pattern):
        rank_sites(**args, method=method)


def test_weights_are_normalised():
    c = np.array([[0.2, 0.9], [0.8, 0.1]])
    a = rank_sites([1, 2], [1, 1], [0, 0], c, [1, 3], method="topsis")
    b = rank_sites([1, 2], [1, 1], [0, 0], c, [0.25, 0.75], method="topsis")
    assert a == b
