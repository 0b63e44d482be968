"""Weight sensitivity of the site ranking: one-at-a-time changes, Monte Carlo, per-cell spread.

The WLC score of a site is S = sum_i w_i * m_i with m_i the site's mean of standardized
criterion i: the mean is linear, so the score of the whole site under other weights is
the same combination of the same means. Sensitivity therefore runs on the
(n_sites, n_criteria) matrix of site means and never recomputes a raster; only
:func:`score_spread` works per cell, and it needs the weights' covariance only.

Site order in this module: score descending, then id ascending (no area tie-break, unlike
:func:`kawasan.spatial.sites.ranking.rank_sites`); ranks are 1..n, unique, 1 = best.

All weights are normalised to sum 1 first. Every function returns plain Python types
(dicts, lists, ints, floats) that ``json.dumps`` accepts; ``ranks`` and ``rank_range``
are keyed by the integer site id (JSON turns the keys into strings).
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numba as nb
import numpy as np

from kawasan.errors import InputError, WeightsError
from kawasan.i18n import Message
from kawasan.spatial.sites.ranking import check_criteria, check_ids, check_weights, order_sites

#: Target coefficient of variation of the Monte Carlo weights (see :func:`default_concentration`).
TARGET_CV = 0.2


# --- validation ----------------------------------------------------------------------------------
def _check_int(value, name: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(Message("run.err.sensitivity.must_integer_got", name=name, minimum=minimum,
                                 value=value), field=name)
    if value < minimum:
        raise InputError(Message("run.err.sensitivity.must_integer_got_2", name=name, minimum=minimum,
                                 value=value), field=name)
    return int(value)


def _inputs(criteria_means, weights, ids):
    w = check_weights(weights)
    raw = np.asarray(criteria_means, dtype=float)
    n_sites = raw.shape[0] if raw.ndim == 2 else None
    if n_sites is None:
        raise InputError(Message("run.err.sensitivity.expected_d_array_n", raw_shape=raw.shape), field="criteria_means")
    sid = np.arange(n_sites, dtype=np.int64) if ids is None else check_ids(ids, n_sites)
    c = check_criteria(raw, sid, n_crit=w.size)
    return c, w, sid


# --- deterministic ---------------------------------------------------------------------------------
def site_scores(criteria_means, weights) -> np.ndarray:
    """WLC score per site: S = C @ w, (n_sites,), with w normalised to sum 1."""
    c, w, _ = _inputs(criteria_means, weights, None)
    return c @ w


def _ranking(scores: np.ndarray, sid: np.ndarray):
    order = order_sites(scores, sid)
    ranks = np.empty(sid.size, dtype=np.int64)
    ranks[order] = np.arange(1, sid.size + 1)
    return order, ranks


def oat_weights(weights, j: int, change: float) -> np.ndarray:
    """Weights after moving weight ``j`` by the relative ``change`` p, the others rescaled.

    w_j' = clip(w_j * (1 + p), 0, 1); w_i' = w_i * (1 - w_j') / (1 - w_j) for i != j, so
    the sum stays 1 and the others keep their ratios. If w_j = 1 (all others 0) the
    proportional rule is undefined and 1 - w_j' is shared equally by the others; with a
    single criterion the weight stays 1. A zero weight stays zero (no change).
    """
    w = check_weights(weights)
    p = float(change)
    if not (-1.0 < p < 1.0):
        raise InputError(Message("run.err.sensitivity.relative_weight_change_must", change=change),
                         field="changes")
    if isinstance(j, bool) or not isinstance(j, numbers.Integral) or not 0 <= j < w.size:
        raise InputError(Message("run.err.sensitivity.criterion_index_out_range", index=j, maximum=w.size - 1),
                         field="j")
    if w.size == 1:
        return w.copy()
    new_j = min(max(w[j] * (1.0 + p), 0.0), 1.0)
    rest = float(w.sum() - w[j])  # sum of the others, = 1 - w_j without its rounding
    if rest > 0.0:
        out = w * ((1.0 - new_j) / rest)
    else:
        out = np.full(w.size, (1.0 - new_j) / (w.size - 1))
    out[j] = new_j
    return out / out.sum()


def one_at_a_time(criteria_means, weights, names: Sequence[str], *, changes=(-0.2, -0.1, 0.1, 0.2), top_k: int = 5,
                  ids=None) -> dict:
    """One-at-a-time weight sensitivity of the site ranking.

    For each criterion j and each relative change p in ``changes`` (each in (-1, 1)),
    weight j becomes w_j' = clip(w_j (1 + p), 0, 1) and the others are rescaled
    proportionally, w_i' = w_i (1 - w_j') / (1 - w_j), so the weights still sum to 1
    (see :func:`oat_weights`). The sites are ranked by S = C @ w' (score descending, id
    ascending).

    Returns ``{"changes", "top_k", "base", "rows", "rank_range"}``: ``base`` holds the
    normalised weights, the top-k ids and every site's rank; each row holds
    ``criterion`` (name), ``change``, ``weights``, ``top_k`` (ids in rank order),
    ``entered`` / ``left`` (ids entering / leaving the base top k) and ``ranks``
    ({id: rank}); ``rank_range`` is {id: [min, max]} over the base ranking and all rows.
    ``ids`` defaults to the row positions 0..n-1.
    """
    c, w, sid = _inputs(criteria_means, weights, ids)
    k = _check_int(top_k, "top_k", minimum=1)
    names = _check_names(names, w.size)
    ch = _check_changes(changes)

    base_order, base_ranks = _ranking(c @ w, sid)
    base_top = [int(x) for x in sid[base_order[:k]]]
    lo = base_ranks.copy()
    hi = base_ranks.copy()
    rows = []
    for j, name in enumerate(names):
        for p in ch:
            row, ranks = _oat_row(c, w, sid, j, str(name), p, k, base_top)
            np.minimum(lo, ranks, out=lo)
            np.maximum(hi, ranks, out=hi)
            rows.append(row)
    return {
        "changes": ch,
        "top_k": k,
        "base": {"weights": [float(x) for x in w], "top_k": base_top, "ranks": _rank_map(sid, base_ranks)},
        "rows": rows,
        "rank_range": {int(s): [int(a), int(b)] for s, a, b in zip(sid, lo, hi)},
    }


def _check_names(names, n_weights: int) -> list:
    """The criterion names as a list (a single string is one name): one per weight, none repeated."""
    names = list(names) if not isinstance(names, str) else [names]
    if len(names) != n_weights:
        raise InputError(Message("run.err.sensitivity.expected_criterion_name_s", n_weights=n_weights,
                                 n_names=len(names)), field="names")
    if len(set(names)) != len(names):
        dup = next(x for x in names if names.count(x) > 1)
        raise InputError(Message("run.err.sensitivity.criterion_name_occurs_more", dup=dup), field="names")
    return names


def _check_changes(changes) -> list[float]:
    """The relative weight changes as floats, each a real number in (-1, 1) (not a bool)."""
    ch = []
    for p in changes:
        if isinstance(p, bool) or not isinstance(p, numbers.Real) or not (-1.0 < float(p) < 1.0):
            raise InputError(Message("run.err.sensitivity.relative_weight_change_must_2", value=p),
                             field="changes")
        ch.append(float(p))
    return ch


def _rank_map(sid: np.ndarray, ranks: np.ndarray) -> dict[int, int]:
    """{site id: rank} in the order of the sites."""
    return {int(s): int(r) for s, r in zip(sid, ranks)}


def _oat_row(c: np.ndarray, w: np.ndarray, sid: np.ndarray, j: int, name: str, p: float, k: int,
             base_top: list[int]) -> tuple[dict, np.ndarray]:
    """One row of the one-at-a-time table, and the sites' ranks in it: weight j changed by p (the others
    rescaled, :func:`oat_weights`), the sites ranked by S = C @ w', the top k and who entered or left it."""
    wj = oat_weights(w, j, p)
    order, ranks = _ranking(c @ wj, sid)
    top = [int(x) for x in sid[order[:k]]]
    row = {
        "criterion": name,
        "change": p,
        "weights": [float(x) for x in wj],
        "top_k": top,
        "entered": [x for x in top if x not in base_top],
        "left": [x for x in base_top if x not in top],
        "ranks": _rank_map(sid, ranks),
    }
    return row, ranks


# --- Monte Carlo ------------------------------------------------------------------------------------
def default_concentration(weights) -> float:
    """Dirichlet concentration c giving the weights a coefficient of variation of about 20 %.

    With alpha = c * w the Dirichlet has mean w and var_i = w_i (1 - w_i) / (c + 1), so
    CV_i^2 = (1 - w_i) / (w_i (c + 1)): small weights vary relatively more. Their
    weight-weighted mean is sum_i w_i CV_i^2 = (m - 1) / (c + 1), m = number of positive
    weights, whatever the weights are; setting it to 0.2^2 gives

        c = (m - 1) / 0.2^2 - 1 = 25 (m - 1) - 1,

    and with equal weights every CV is exactly 20 % (m = 10: c = 224). With a single
    positive weight the draws are constant whatever c is; c = 24 (the m = 2 value) is
    reported then.
    """
    w = check_weights(weights)
    m = int(np.count_nonzero(w))
    return round(max(m - 1, 1) / TARGET_CV ** 2, 9) - 1.0  # round: 1 / 0.2**2 is 24.999999999999996 in floats


def _check_concentration(concentration, w) -> float:
    if concentration is None:
        return default_concentration(w)
    if isinstance(concentration, bool) or not isinstance(concentration, numbers.Real) \
            or not math.isfinite(float(concentration)) or float(concentration) <= 0:
        raise InputError(Message("run.err.sensitivity.concentration_must_finite_number",
                                 concentration=concentration), field="concentration")
    return float(concentration)


def draw_weights(weights, *, n: int = 1000, concentration: float | None = None, seed: int = 0) -> np.ndarray:
    """``n`` weight vectors from Dirichlet(c * w), an (n, n_crit) array whose rows sum to 1.

    Mean w, var_i = w_i (1 - w_i) / (c + 1). A criterion with weight 0 stays 0 in every
    draw (the Dirichlet with alpha_i = 0 is degenerate at 0). numpy.random.default_rng(seed).
    """
    w = check_weights(weights)
    n = _check_int(n, "n", minimum=1)
    seed = _check_int(seed, "seed", minimum=0)
    c = _check_concentration(concentration, w)
    return _draw(w, n, c, np.random.default_rng(seed))


def _draw(w: np.ndarray, n: int, c: float, rng) -> np.ndarray:
    pos = np.flatnonzero(w > 0)
    out = np.zeros((n, w.size))
    if pos.size == 1:
        out[:, pos[0]] = 1.0
        return out
    d = rng.dirichlet(c * w[pos], size=n)
    out[:, pos] = d / d.sum(axis=1, keepdims=True)
    return out


def monte_carlo(criteria_means, weights, *, n: int = 1000, concentration: float | None = None, seed: int = 0,
                top_k: int = 5, ids=None) -> dict:
    """Monte Carlo weight sensitivity: ``n`` Dirichlet weight draws around ``weights``.

    Draws W ~ Dirichlet(c * w) (see :func:`draw_weights`; ``concentration`` c defaults to
    :func:`default_concentration`, about 20 % CV), scores S = W @ C^T, (n, n_sites), and
    ranks each draw (score descending, id ascending). Per site, in input order: ``p_top_k``
    (share of draws with rank <= top_k), ``rank_base`` (rank under ``weights``),
    ``rank_min`` / ``rank_max``, ``rank_median`` / ``rank_p05`` / ``rank_p95`` (numpy's
    linear-interpolation percentiles of the n ranks), ``score_mean`` and ``score_std``.
    ``weights_mean`` and ``weights_cov`` are the draws' mean and covariance. All moments
    divide by n (ddof = 0), so score_std = sqrt(s^T weights_cov s) exactly, as in
    :func:`score_spread`. ``ids`` defaults to the row positions 0..n-1.
    """
    c, w, sid = _inputs(criteria_means, weights, ids)
    n = _check_int(n, "n", minimum=1)
    seed = _check_int(seed, "seed", minimum=0)
    k = _check_int(top_k, "top_k", minimum=1)
    conc = _check_concentration(concentration, w)
    draws = _draw(w, n, conc, np.random.default_rng(seed))
    w_mean = draws.mean(axis=0)
    dev = draws - w_mean
    w_cov = dev.T @ dev / n
    out = {"n": n, "seed": seed, "concentration": conc, "top_k": k, "weights": [float(x) for x in w],
           "weights_mean": [float(x) for x in w_mean], "weights_cov": [[float(x) for x in r] for r in w_cov],
           "sites": []}
    m = sid.size
    if m == 0:
        return out

    scores = draws @ c.T                                    # (n, m)
    by_id = np.argsort(sid, kind="stable")                  # columns in id order: a stable sort breaks ties by id
    order = np.argsort(-scores[:, by_id], axis=1, kind="stable")
    ranks = np.empty((n, m), dtype=np.int32)
    np.put_along_axis(ranks, by_id[order], np.arange(1, m + 1, dtype=np.int32)[None, :], axis=1)
    _, base_ranks = _ranking(c @ w, sid)

    p_top = (ranks <= k).mean(axis=0)
    r_min = ranks.min(axis=0)
    r_max = ranks.max(axis=0)
    p05, med, p95 = np.percentile(ranks, [5.0, 50.0, 95.0], axis=0)
    s_mean = scores.mean(axis=0)
    s_std = scores.std(axis=0)
    out["sites"] = [
        {"id": int(sid[i]), "p_top_k": float(p_top[i]), "rank_base": int(base_ranks[i]),
         "rank_min": int(r_min[i]), "rank_max": int(r_max[i]), "rank_median": float(med[i]),
         "rank_p05": float(p05[i]), "rank_p95": float(p95[i]),
         "score_mean": float(s_mean[i]), "score_std": float(s_std[i])}
        for i in range(m)
    ]
    return out


# --- per-cell spread -----------------------------------------------------------------------------------
@nb.njit(parallel=True, cache=True, nogil=True, fastmath=False)
def _spread_kernel(grids, cov, out):
    h, w = out.shape
    m = len(grids)
    for r in nb.prange(h):
        s = np.empty(m)
        for c in range(w):
            bad = False
            for i in range(m):
                v = grids[i][r, c]
                if v != v:
                    bad = True
                    break
                s[i] = v
            if bad:
                out[r, c] = np.nan
                continue
            var = 0.0
            for i in range(m):
                acc = cov[i, i] * s[i]
                for j in range(i + 1, m):
                    acc += 2.0 * cov[i, j] * s[j]
                var += s[i] * acc
            out[r, c] = math.sqrt(var) if var > 0.0 else 0.0
    return out


def score_spread(criteria: Sequence[np.ndarray], weights_cov, out: np.ndarray | None = None) -> np.ndarray:
    """Per-cell standard deviation of the WLC score under a weight distribution, float32.

    The score is linear in the weights, S = w^T s with s the cell's standardized criterion
    values, so Var(S) = s^T Cov(w) s exactly: sd = sqrt(sum_i Cov_ii s_i^2 + 2 sum_{i<j}
    Cov_ij s_i s_j), accumulated in float64 per cell (a negative rounding residue gives 0).
    NaN (NoData) where any criterion is NaN.

    ``criteria``: one 2-D raster per criterion, all the same shape (float32 expected;
    other dtypes or non-contiguous arrays are converted, which copies them).
    ``weights_cov``: (n_crit, n_crit) symmetric positive semi-definite, e.g. the
    ``weights_cov`` of :func:`monte_carlo`. The kernel runs cell by cell (numba, parallel
    over rows) and allocates nothing but ``out``; ``out`` (float32, same shape) may be
    one of the criterion rasters, each cell being read in full before it is written.
    """
    if isinstance(criteria, np.ndarray) or len(criteria) == 0:
        raise InputError(Message("run.err.sensitivity.expected_non_empty_list"), field="criteria")
    grids = tuple(np.ascontiguousarray(g, dtype=np.float32) for g in criteria)
    shape = grids[0].shape
    for i, g in enumerate(grids):
        if g.ndim != 2 or g.shape != shape:
            raise InputError(Message("run.err.sensitivity.criterion_raster_index_from", index=i, raster_shape=g.shape,
                                     shape=shape), field="criteria")
    cov = np.asarray(weights_cov, dtype=float)
    m = len(grids)
    if cov.shape != (m, m):
        raise WeightsError(Message("run.err.sensitivity.weights_cov_shape_expected", shape=cov.shape, n_criteria=m),
                           field="weights_cov")
    if not np.all(np.isfinite(cov)):
        i, j = (int(x) for x in np.argwhere(~np.isfinite(cov))[0])
        raise WeightsError(Message("run.err.sensitivity.weights_cov_expected_finite", row=i, column=j, value=cov[i, j]),
                           field="weights_cov")
    scale = float(np.abs(cov).max()) if cov.size else 0.0
    tol = 1e-9 * scale
    if np.any(np.abs(cov - cov.T) > tol):
        i, j = (int(x) for x in np.argwhere(np.abs(cov - cov.T) > tol)[0])
        raise WeightsError(Message("run.err.sensitivity.weights_cov_symmetric_but", row=i, column=j, value=cov[i, j],
                                   mirror=cov[j, i]),
                           field="weights_cov")
    low = float(np.linalg.eigvalsh(cov).min()) if scale > 0 else 0.0
    if low < -1e-9 * scale:
        raise WeightsError(Message("run.err.sensitivity.weights_cov_negative_eigenvalue", low=low), field="weights_cov")
    if out is None:
        out = np.empty(shape, dtype=np.float32)
    elif not isinstance(out, np.ndarray) or out.dtype != np.float32 or out.shape != shape \
            or not out.flags.c_contiguous or not out.flags.writeable:
        raise InputError(Message("run.err.sensitivity.out_must_writeable_c", shape=shape,
                                 dtype=getattr(out, 'dtype', type(out).__name__),
                                 out_shape=getattr(out, 'shape', '')), field="out")
    return _spread_kernel(grids, np.ascontiguousarray(cov), out)
