"""Rank candidate sites by mean suitability, total suitability or TOPSIS.

A candidate site is a contiguous polygon extracted from the suitability raster. For
ranking, each site is described by its id, its area (ha), its mean WLC score and the
mean of each standardized criterion over the site (``criteria_means``, one row per
site, one column per criterion, values in [0, 1], higher is better: after
standardization every criterion is a benefit).

Methods (``METHODS``):

``mean``
    value = score_mean, the site's mean suitability.
``area_weighted``
    value = score_mean * area_ha, the site's *total* suitability (suitability-hectares):
    the integral of the score over the site, so a large fairly good site can outrank a
    small excellent one.
``topsis``
    value = the TOPSIS closeness coefficient of the site's criterion means
    (Hwang & Yoon 1981, see :func:`topsis`).

Ties are broken deterministically: sites are sorted by value (descending), then by
area (larger first), then by id (smaller first). Tied sites share nothing: ranks are
always 1..n and unique, rank 1 being the best. Values are compared exactly as floats;
no rounding tolerance is applied.

Hwang, C.-L. & Yoon, K. (1981) Multiple Attribute Decision Making: Methods and
Applications. Lecture Notes in Economics and Mathematical Systems 186, Springer.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kawasan.errors import InputError, WeightsError
from kawasan.i18n import Message

METHODS = ("mean", "area_weighted", "topsis")


@dataclass(frozen=True)
class RankedSite:
    """One site in a ranking: ``rank`` 1 is the best; ``value`` is what the method ranks by."""

    id: int
    rank: int
    value: float


# --- validation (shared with kawasan.spatial.sites.sensitivity) ------------------------------------
def check_weights(weights, n_crit: int | None = None, *, field: str = "weights") -> np.ndarray:
    """Weights as a float64 vector normalised to sum 1.

    Refuses a non-1-D or wrongly sized vector, NaN / infinite or negative entries and
    all-zero weights (:class:`WeightsError`).
    """
    w = np.asarray(weights, dtype=float)
    if w.ndim != 1:
        raise WeightsError(Message("run.err.ranking.weights_must_d_vector", w_shape=w.shape),
                           field=field)
    if n_crit is not None and w.size != n_crit:
        raise WeightsError(Message("run.err.ranking.expected_weight_s_one", n_crit=n_crit, w_size=w.size), field=field)
    if w.size == 0:
        raise WeightsError(Message("run.err.ranking.expected_at_least_one"), field=field)
    bad = np.flatnonzero(~np.isfinite(w))
    if bad.size:
        i = int(bad[0])
        raise WeightsError(Message("run.err.ranking.weight_index_from_expected", index=i, value=w[i]), field=field)
    neg = np.flatnonzero(w < 0)
    if neg.size:
        i = int(neg[0])
        raise WeightsError(Message("run.err.ranking.weight_index_from_expected_2", index=i, value=w[i]), field=field)
    total = float(w.sum())
    if total <= 0:
        raise WeightsError(Message("run.err.ranking.all_weights_are_zero"), field=field)
    return w / total


def check_ids(ids, n: int) -> np.ndarray:
    """Site ids as an int64 vector of length ``n``; integer-valued and unique."""
    raw = np.asarray(ids)
    if raw.ndim != 1 or raw.size != n:
        raise InputError(Message("run.err.ranking.expected_site_id_s", site_count=n, raw_size=raw.size,
                                 raw_shape=raw.shape), field="ids")
    if raw.size == 0:
        return np.zeros(0, dtype=np.int64)
    if raw.dtype.kind == "b" or raw.dtype.kind not in "iuf":
        raise InputError(Message("run.err.ranking.site_ids_must_integers", raw_dtype=raw.dtype), field="ids")
    if raw.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(raw) | (raw != np.round(raw)))
        if bad.size:
            raise InputError(Message("run.err.ranking.site_id_at_position", position=int(bad[0]), value=raw[bad[0]]),
                             field="ids")
    out = raw.astype(np.int64)
    uniq, counts = np.unique(out, return_counts=True)
    if np.any(counts > 1):
        raise InputError(Message("run.err.ranking.site_id_occurs_more", site=int(uniq[counts > 1][0])), field="ids")
    return out


def check_vector(values, n: int, ids: np.ndarray, *, field: str, nonnegative: bool = False) -> np.ndarray:
    """A per-site float vector of length ``n``: finite (NaN refused naming the site id)."""
    v = np.asarray(values, dtype=float)
    if v.ndim != 1 or v.size != n:
        raise InputError(Message("run.err.ranking.expected_value_s_one", site_count=n, v_size=v.size, v_shape=v.shape),
                         field=field)
    bad = np.flatnonzero(~np.isfinite(v))
    if bad.size:
        k = int(bad[0])
        raise InputError(Message("run.err.ranking.site_id_expected_finite", site=int(ids[k]), field=field,
                                 value=v[k]), field=field)
    if nonnegative:
        neg = np.flatnonzero(v < 0)
        if neg.size:
            k = int(neg[0])
            raise InputError(Message("run.err.ranking.site_id_expected_number", site=int(ids[k]), field=field,
                                     value=v[k]), field=field)
    return v


def check_criteria(criteria_means, ids: np.ndarray | None = None, *, field: str = "criteria_means",
                   n_crit: int | None = None) -> np.ndarray:
    """The (n_sites, n_crit) matrix of criterion means as float64; NaN / inf refused naming site id and criterion."""
    c = np.asarray(criteria_means, dtype=float)
    if c.ndim != 2:
        raise InputError(Message("run.err.ranking.expected_d_array_n", c_shape=c.shape), field=field)
    if n_crit is not None and c.shape[1] != n_crit:
        raise InputError(Message("run.err.ranking.criterion_column_s_but", field=field, n_columns=c.shape[1],
                                 n_crit=n_crit), field=field)
    if ids is not None and c.shape[0] != len(ids):
        raise InputError(Message("run.err.ranking.expected_row_s_criterion", n_sites=len(ids), n_rows=c.shape[0]),
                         field=field)
    bad = np.argwhere(~np.isfinite(c))
    if bad.size:
        r, j = (int(x) for x in bad[0])
        sid = int(ids[r]) if ids is not None else r
        label = Message("run.err.ranking.label_site") if ids is not None else Message("run.err.ranking.label_row")
        raise InputError(Message("run.err.ranking.criterion_index_from_expected", label=label, site=sid,
                                 value=c[r, j], index=j),
                         field=field)
    return c


def order_sites(values: np.ndarray, ids: np.ndarray, area: np.ndarray | None = None) -> np.ndarray:
    """Row indices in rank order: value descending, then area descending (if given), then id ascending."""
    keys = [ids] if area is None else [ids, -area]
    keys.append(-values)
    return np.lexsort(tuple(keys))


# --- TOPSIS ------------------------------------------------------------------------------------
def topsis(matrix, weights) -> np.ndarray:
    """TOPSIS closeness coefficient per row of ``matrix`` (Hwang & Yoon 1981), all criteria benefits.

    1. Vector normalisation: r_ij = x_ij / sqrt(sum_k x_kj^2); an all-zero column stays 0.
    2. Weighting: v_ij = w_j * r_ij, with the weights normalised to sum 1.
    3. Ideal A+_j = max_i v_ij, anti-ideal A-_j = min_i v_ij (every criterion is a benefit).
    4. Distances d+_i = sqrt(sum_j (v_ij - A+_j)^2), d-_i = sqrt(sum_j (v_ij - A-_j)^2).
    5. Closeness C_i = d-_i / (d+_i + d-_i), in [0, 1], 1 = at the ideal.

    Degenerate case: d+_i = d-_i = 0 happens only when the ideal equals the anti-ideal,
    i.e. every row is the same in the weighted space (or there is a single row). Such a
    row *is* the ideal point, so C_i = 1 (the limit of d- / (0 + d-) for a row at the
    ideal), not 0.5.

    ``matrix`` is (n_rows, n_crit), finite and >= 0 (vector normalisation assumes
    non-negative values, as standardized criteria are); zero rows give an empty result.
    """
    w = check_weights(weights)
    x = check_criteria(matrix, n_crit=w.size, field="matrix")
    neg = np.argwhere(x < 0)
    if neg.size:
        r, j = (int(v) for v in neg[0])
        raise InputError(Message("run.err.ranking.row_criterion_index_from", row=r, value=x[r, j], index=j),
                         field="matrix")
    if x.shape[0] == 0:
        return np.zeros(0)
    norm = np.sqrt(np.sum(x * x, axis=0))
    r = np.divide(x, norm, out=np.zeros_like(x), where=norm > 0)
    v = r * w
    ideal = v.max(axis=0)
    anti = v.min(axis=0)
    d_plus = np.sqrt(np.sum((v - ideal) ** 2, axis=1))
    d_minus = np.sqrt(np.sum((v - anti) ** 2, axis=1))
    den = d_plus + d_minus
    return np.divide(d_minus, den, out=np.ones_like(den), where=den > 0)


# --- ranking -------------------------------------------------------------------------------------
def rank_sites(ids, area_ha, score_mean, criteria_means, weights, *, method: str = "mean") -> list[RankedSite]:
    """Rank sites, best first; see the module docstring for the methods and the tie rule.

    ids: (n,) unique integers; area_ha: (n,) >= 0; score_mean: (n,) finite;
    criteria_means: (n, n_crit) finite; weights: (n_crit,) >= 0, not all zero
    (normalised to sum 1). Zero sites give an empty list.
    """
    if method not in METHODS:
        raise InputError(Message("run.err.ranking.unknown_ranking_method_expected", method=method,
                                 methods=', '.join(METHODS)), field="method")
    raw_ids = np.asarray(ids)
    n = int(raw_ids.size) if raw_ids.ndim == 1 else -1
    if n < 0:
        raise InputError(Message("run.err.ranking.site_ids_must_d", raw_ids_shape=raw_ids.shape), field="ids")
    sid = check_ids(raw_ids, n)
    area = check_vector(area_ha, n, sid, field="area_ha", nonnegative=True)
    score = check_vector(score_mean, n, sid, field="score_mean")
    w = check_weights(weights)
    c = check_criteria(criteria_means, sid, n_crit=w.size)
    if n == 0:
        return []
    if method == "mean":
        value = score
    elif method == "area_weighted":
        value = score * area
    else:
        value = topsis(c, w)
    order = order_sites(value, sid, area)
    return [RankedSite(id=int(sid[k]), rank=r + 1, value=float(value[k])) for r, k in enumerate(order)]
