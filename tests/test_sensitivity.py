"""Weight sensitivity: one-at-a-time, Monte Carlo (Dirichlet) and the per-cell score spread."""
from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from kawasan.errors import InputError, WeightsError
from kawasan.spatial.sites import sensitivity as sens

WEIGHTS = st.integers(1, 6).flatmap(lambda m: st.lists(st.floats(0.05, 1.0), min_size=m, max_size=m))


def _criteria(n_sites, n_crit, seed=0):
    return np.random.default_rng(seed).random((n_sites, n_crit))


def _det_ranks(c, w, ids):
    s = c @ (np.asarray(w) / np.sum(w))
    order = np.lexsort((ids, -s))
    ranks = np.empty(len(ids), dtype=int)
    ranks[order] = np.arange(1, len(ids) + 1)
    return ranks


# --- site_scores / one-at-a-time ----------------------------------------------------------------
def test_site_scores_is_c_at_normalised_w():
    c = _criteria(4, 3)
    np.testing.assert_allclose(sens.site_scores(c, [2, 1, 1]), c @ [0.5, 0.25, 0.25])


@given(WEIGHTS, st.data())
def test_oat_weights_sum_to_one(w, data):
    j = data.draw(st.integers(0, len(w) - 1))
    p = data.draw(st.floats(-0.99, 0.99))
    base = np.array(w) / sum(w)
    got = sens.oat_weights(w, j, p)
    assert got.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.all(got >= 0)
    if len(w) > 1:
        assert got[j] == pytest.approx(min(base[j] * (1 + p), 1.0))
        others = np.delete(np.arange(len(w)), j)
        if got[j] < 1:   # the others keep their ratios
            np.testing.assert_allclose(got[others] / got[others].sum(), base[others] / base[others].sum())


def test_oat_weights_edge_cases():
    np.testing.assert_allclose(sens.oat_weights([1.0, 0.0, 0.0], 0, -0.2), [0.8, 0.1, 0.1])  # shared equally
    np.testing.assert_allclose(sens.oat_weights([0.7, 0.3], 0, 0.5), [1.0, 0.0])             # clipped at 1
    np.testing.assert_allclose(sens.oat_weights([0.0, 1.0], 0, 0.2), [0.0, 1.0])             # zero stays zero
    np.testing.assert_allclose(sens.oat_weights([2.0], 0, -0.5), [1.0])                      # single criterion


def test_one_at_a_time_example():
    # A is best on criterion "a", B on "b"; at 0.55 / 0.45 A leads, a -20 % change of "a"
    # (0.44 / 0.56) puts B first.
    c = np.array([[1.0, 0.0], [0.0, 1.0], [0.2, 0.2]])
    res = sens.one_at_a_time(c, [0.55, 0.45], ["a", "b"], top_k=1, ids=[10, 20, 30])
    json.dumps(res)
    assert res["changes"] == [-0.2, -0.1, 0.1, 0.2]
    assert len(res["rows"]) == 2 * 4
    assert res["base"]["top_k"] == [10]
    row = res["rows"][0]
    assert (row["criterion"], row["change"]) == ("a", -0.2)
    assert row["weights"] == pytest.approx([0.44, 0.56])
    assert row["top_k"] == [20] and row["entered"] == [20] and row["left"] == [10]
    assert row["ranks"] == {20: 1, 10: 2, 30: 3}
    assert res["rank_range"] == {10: [1, 2], 20: [1, 2], 30: [3, 3]}


@given(WEIGHTS, st.integers(1, 8), st.integers(1, 4))
def test_one_at_a_time_weights_sum_to_one(w, n_sites, k):
    c = _criteria(n_sites, len(w))
    res = sens.one_at_a_time(c, w, [f"c{i}" for i in range(len(w))], changes=(-0.5, -0.2, 0.3, 0.9), top_k=k)
    for row in res["rows"]:
        assert sum(row["weights"]) == pytest.approx(1.0, abs=1e-12)
        assert sorted(row["ranks"].values()) == list(range(1, n_sites + 1))
        assert len(row["top_k"]) == min(k, n_sites)
    for sid, (lo, hi) in res["rank_range"].items():
        assert 1 <= lo <= res["base"]["ranks"][sid] <= hi <= n_sites


# --- Monte Carlo ------------------------------------------------------------------------------------
def test_default_concentration_formula():
    # c = 25 (m - 1) - 1: equal weights then have CV = sqrt((1 - w) / (w (c + 1))) = 20 % each
    assert sens.default_concentration([0.1] * 10) == 224.0
    assert sens.default_concentration([0.5, 0.5, 0.0]) == 24.0
    d = sens.draw_weights([0.25] * 4, n=40000, seed=1)
    np.testing.assert_allclose(d.std(axis=0) / d.mean(axis=0), 0.2, rtol=0.03)
    # weight-weighted mean of the squared CVs is 0.04 whatever the weights
    w = np.array([0.5, 0.3, 0.15, 0.05])
    c = sens.default_concentration(w)
    assert np.sum(w * (1 - w) / (w * (c + 1))) == pytest.approx(0.04)


@given(WEIGHTS, st.one_of(st.none(), st.floats(10, 1e6)), st.integers(0, 2 ** 32))
def test_draws_sum_to_one_and_are_positive(w, conc, seed):
    d = sens.draw_weights(w, n=200, concentration=conc, seed=seed)
    assert d.shape == (200, len(w))
    np.testing.assert_allclose(d.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(d > 0)
    res = sens.monte_carlo(_criteria(3, len(w)), w, n=50, concentration=conc, seed=seed)
    assert sum(res["weights_mean"]) == pytest.approx(1.0, abs=1e-12)
    assert all(x > 0 for x in res["weights_mean"])


def test_zero_weight_stays_zero():
    d = sens.draw_weights([0.5, 0.0, 0.5], n=100)
    assert np.all(d[:, 1] == 0) and np.all(d[:, [0, 2]] > 0)
    np.testing.assert_array_equal(sens.draw_weights([0.0, 3.0], n=5), np.tile([0.0, 1.0], (5, 1)))


@given(st.integers(2, 5), st.integers(1, 12), st.integers(1, 4), st.integers(0, 1000))
def test_huge_concentration_gives_the_deterministic_ranking(n_crit, n_sites, k, seed):
    rng = np.random.default_rng(seed)
    c = rng.integers(0, 11, (n_sites, n_crit)) / 10.0
    w = rng.integers(1, 10, n_crit).astype(float)
    s = np.sort(c @ (w / w.sum()))
    assume(n_sites == 1 or np.min(np.diff(s)) > 1e-4)
    ids = rng.permutation(np.arange(100, 100 + n_sites))
    res = sens.monte_carlo(c, w, n=100, concentration=1e12, seed=seed, top_k=k, ids=ids)
    want = _det_ranks(c, w, ids)
    for site, r in zip(res["sites"], want):
        assert site["rank_min"] == site["rank_max"] == site["rank_base"] == r
        assert site["p_top_k"] == (1.0 if r <= k else 0.0)


@given(st.integers(1, 5), st.integers(1, 10), st.integers(0, 2 ** 32), st.data())
def test_dominant_site_is_always_first(n_crit, n_others, seed, data):
    rng = np.random.default_rng(seed)
    others = rng.random((n_others, n_crit)) * 0.9
    margin = data.draw(st.floats(0.01, 0.1))
    c = np.vstack([others, others.max(axis=0) + margin])
    w = data.draw(st.lists(st.floats(0.0, 1.0), min_size=n_crit, max_size=n_crit))
    assume(sum(w) > 0.01)
    conc = data.draw(st.one_of(st.none(), st.floats(0.5, 1e4)))
    mc = sens.monte_carlo(c, w, n=200, concentration=conc, seed=seed, top_k=1)
    dom = mc["sites"][-1]
    assert dom["p_top_k"] == 1.0 and dom["rank_min"] == dom["rank_max"] == dom["rank_base"] == 1
    oat = sens.one_at_a_time(c, w, [str(i) for i in range(n_crit)], top_k=1)
    assert oat["rank_range"][n_others] == [1, 1]
    assert all(row["top_k"] == [n_others] for row in oat["rows"])


def test_reproducible_with_seed():
    c, w = _criteria(30, 4), [0.4, 0.3, 0.2, 0.1]
    a = sens.monte_carlo(c, w, n=300, seed=7)
    b = sens.monte_carlo(c, w, n=300, seed=7)
    other = sens.monte_carlo(c, w, n=300, seed=8)
    assert a == b
    assert a["weights_mean"] != other["weights_mean"]
    assert [s["score_mean"] for s in a["sites"]] != [s["score_mean"] for s in other["sites"]]


def test_monte_carlo_output():
    c, w = _criteria(20, 3, seed=3), [0.5, 0.3, 0.2]
    ids = list(range(100, 120))
    res = sens.monte_carlo(c, w, n=500, seed=1, top_k=3, ids=ids)
    json.loads(json.dumps(res))
    assert res["n"] == 500 and res["seed"] == 1 and res["top_k"] == 3
    assert res["concentration"] == 49.0
    assert [s["id"] for s in res["sites"]] == ids
    # exactly top_k sites are in the top k in each draw
    assert sum(s["p_top_k"] for s in res["sites"]) == pytest.approx(3.0)
    cov = np.array(res["weights_cov"])
    assert cov.shape == (3, 3)
    np.testing.assert_allclose(cov.sum(axis=1), 0.0, atol=1e-12)   # the weights sum to 1 in every draw
    for s, row in zip(res["sites"], c):
        assert s["rank_min"] <= s["rank_p05"] <= s["rank_median"] <= s["rank_p95"] <= s["rank_max"]
        assert s["score_mean"] == pytest.approx(row @ res["weights_mean"])
        assert s["score_std"] == pytest.approx(np.sqrt(row @ cov @ row), rel=1e-6)
    empty = sens.monte_carlo(np.zeros((0, 3)), w, n=10)
    assert empty["sites"] == [] and len(empty["weights_mean"]) == 3


def test_ties_break_by_id():
    c = np.array([[0.5, 0.5], [0.5, 0.5], [0.1, 0.1]])
    res = sens.monte_carlo(c, [0.5, 0.5], n=20, ids=[9, 4, 1], top_k=1)
    ranks = {s["id"]: (s["rank_min"], s["rank_max"]) for s in res["sites"]}
    assert ranks == {4: (1, 1), 9: (2, 2), 1: (3, 3)}


@pytest.mark.parametrize("kwargs, exc, pattern", [
    (dict(n=0), InputError, "n must be an integer >= 1"),
    (dict(top_k=0), InputError, "top_k must be an integer >= 1"),
    (dict(concentration=0.0), InputError, "concentration must be a finite number > 0"),
    (dict(concentration=float("nan")), InputError, "concentration"),
    (dict(seed=-1), InputError, "seed"),
    (dict(weights=[0.5, -0.1]), WeightsError, "weight 1"),
    (dict(weights=[0.5, 0.3, 0.2]), InputError, "2 criterion column.* 3 weight"),
    (dict(criteria_means=[[0.1, float("nan")], [0.2, 0.3]]), InputError, "site id 5 has nan for criterion 1"),
    (dict(ids=[5, 5]), InputError, "occurs more than once"),
])
def test_monte_carlo_validation(kwargs, exc, pattern):
    args = dict(criteria_means=[[0.1, 0.2], [0.2, 0.3]], weights=[0.5, 0.5], ids=[5, 6])
    args.update(kwargs)
    with pytest.raises(exc, match=pattern):
        sens.monte_carlo(args.pop("criteria_means"), args.pop("weights"), **args)


@pytest.mark.parametrize("kwargs, pattern", [
    (dict(changes=(0.1, 1.0)), r"\(-1, 1\).*1.0"),
    (dict(changes=(-1.0,)), r"\(-1, 1\)"),
    (dict(top_k=0), "top_k"),
    (dict(names=["a"]), "expected 2 criterion name"),
    (dict(names=["a", "a"]), "'a' occurs more than once"),
])
def test_one_at_a_time_validation(kwargs, pattern):
    args = dict(names=["a", "b"])
    args.update(kwargs)
    with pytest.raises(InputError, match=pattern):
        sens.one_at_a_time([[0.1, 0.2], [0.2, 0.3]], [0.5, 0.5], args.pop("names"), **args)


# --- score_spread ------------------------------------------------------------------------------------
@given(st.integers(1, 4), st.integers(1, 6), st.integers(1, 6), st.integers(0, 2 ** 32))
def test_score_spread_matches_brute_force(n_crit, h, w_, seed):
    rng = np.random.default_rng(seed)
    grids = [rng.random((h, w_)).astype(np.float32) for _ in range(n_crit)]
    grids[0][0, 0] = np.nan
    weights = rng.random(n_crit) + 0.05
    draws = sens.draw_weights(weights, n=300, seed=seed % 1000)
    cov = np.cov(draws, rowvar=False, ddof=0).reshape(n_crit, n_crit)
    got = sens.score_spread(grids, cov)
    assert got.dtype == np.float32 and got.shape == (h, w_)
    stack = np.stack([g.astype(float) for g in grids], axis=-1)          # (h, w, n_crit)
    brute = (stack @ draws.T).std(axis=-1)                                # scores per cell per draw
    assert np.isnan(got[0, 0]) and np.isnan(brute[0, 0])
    np.testing.assert_allclose(got, brute, rtol=1e-5, atol=1e-7)


def test_score_spread_monte_carlo_cov_and_inplace():
    rng = np.random.default_rng(2)
    grids = [rng.random((7, 9)).astype(np.float32) for _ in range(3)]
    grids[2][3, 4] = np.nan
    res = sens.monte_carlo(np.zeros((1, 3)), [0.2, 0.3, 0.5], n=200)
    cov = np.array(res["weights_cov"])
    want = sens.score_spread(grids, cov)
    assert np.isnan(want[3, 4]) and np.count_nonzero(np.isnan(want)) == 1
    s = np.array([g[0, 0] for g in grids], dtype=float)
    assert want[0, 0] == pytest.approx(np.sqrt(s @ cov @ s), rel=1e-6)
    out = grids[1].copy()
    alias = [grids[0], out, grids[2]]
    got = sens.score_spread(alias, cov, out=out)                # out may be one of the inputs
    assert got is out
    np.testing.assert_array_equal(got, want)
    zero = sens.score_spread(grids, np.zeros((3, 3)))
    assert np.nanmax(zero) == 0.0


@pytest.mark.parametrize("grids, cov, exc, pattern", [
    ([], np.eye(1), InputError, "non-empty list"),
    ([np.zeros((2, 2), np.float32), np.zeros((2, 3), np.float32)], np.eye(2), InputError, "raster 1"),
    ([np.zeros((2, 2), np.float32)], np.eye(2), WeightsError, r"shape \(2, 2\); expected \(1, 1\)"),
    ([np.zeros((2, 2), np.float32)] * 2, [[1.0, 0.5], [0.0, 1.0]], WeightsError, "not symmetric"),
    ([np.zeros((2, 2), np.float32)] * 2, [[1.0, 2.0], [2.0, 1.0]], WeightsError, "negative eigenvalue"),
    ([np.zeros((2, 2), np.float32)] * 2, [[1.0, np.nan], [np.nan, 1.0]], WeightsError, "finite"),
])
def test_score_spread_validation(grids, cov, exc, pattern):
    with pytest.raises(exc, match=pattern):
        sens.score_spread(grids, cov)
    with pytest.raises(InputError, match="out must be"):
        sens.score_spread([np.zeros((2, 2), np.float32)], np.eye(1), out=np.zeros((2, 2)))
