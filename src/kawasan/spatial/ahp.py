"""Analytic Hierarchy Process: criterion weights from pairwise comparisons.

A decision maker compares every pair of criteria ``(i, j)`` on Saaty's 1-9 scale
and writes the judgement ``a_ij`` ("how many times more important is i than j")
into a positive reciprocal matrix ``A`` (``a_ii = 1``, ``a_ji = 1 / a_ij``).
This module turns such a matrix into weights and says how consistent the
judgements are.

Formulas and sources
--------------------
Priority vector, eigenvector method (Saaty 1977, 1980)
    ``A w = lambda_max w``, ``w`` the principal right (Perron) eigenvector of ``A``
    normalised to ``sum(w) = 1``; ``lambda_max`` its eigenvalue. For a positive
    matrix Perron's theorem guarantees ``lambda_max`` real, simple and ``w > 0``;
    for a reciprocal matrix ``lambda_max >= n`` with equality iff ``A`` is
    consistent (``a_ij a_jk = a_ik``, i.e. ``a_ij = w_i / w_j``).
Priority vector, geometric-mean method (Crawford & Williams 1985)
    ``w_i = (prod_j a_ij) ** (1/n) / sum_k (prod_j a_kj) ** (1/n)``; the
    least-squares solution in log space. ``lambda_max`` is then estimated as
    ``mean_i((A w)_i / w_i)``.
Consistency index and ratio (Saaty 1977, 1980)
    ``CI = (lambda_max - n) / (n - 1)``, ``CR = CI / RI(n)`` with ``RI`` Saaty's
    random index (:data:`RANDOM_INDEX`). Judgements are "acceptably consistent"
    when ``CR <= 0.1``. For ``n <= 2`` every reciprocal matrix is consistent and
    ``CI = CR = 0``.
Most inconsistent judgement (Saaty 2003)
    ``eps_ij = a_ij w_j / w_i`` is 1 for a judgement that agrees with the
    weights; the pair with the largest ``eps_ij`` is the one to revise first.
    The value the weights imply for it is ``w_i / w_j``; :func:`suggest_revision`
    also tries each value of Saaty's scale (1/9 .. 9) in its place (and the
    reciprocal in ``a_ji``), recomputes the weights, and names the one giving
    the lowest CR.
Group judgements (Aczél & Saaty 1983)
    The element-wise (weighted) geometric mean ``g_ij = prod_k a_ij^(k) ** p_k``,
    ``sum_k p_k = 1``, is the only synthesis that keeps the result reciprocal
    (and unanimity, homogeneity).

References
----------
- Saaty, T.L. (1977). A scaling method for priorities in hierarchical structures.
  Journal of Mathematical Psychology 15(3), 234-281.
- Saaty, T.L. (1980). The Analytic Hierarchy Process. McGraw-Hill, New York.
- Saaty, T.L. (2003). Decision-making with the AHP: Why is the principal
  eigenvector necessary. European Journal of Operational Research 145(1), 85-91.
- Saaty, T.L. (2012). Decision Making for Leaders, 3rd ed. RWS Publications.
- Crawford, G. & Williams, C. (1985). A note on the analysis of subjective
  judgment matrices. Journal of Mathematical Psychology 29(4), 387-405.
- Aczél, J. & Saaty, T.L. (1983). Procedures for synthesizing ratio judgements.
  Journal of Mathematical Psychology 27(1), 93-102.
"""
from __future__ import annotations

import csv
import io
import math
import numbers
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from kawasan.errors import InconsistentJudgementsError, WeightsError
from kawasan.i18n import Message

__all__ = [
    "RANDOM_INDEX",
    "SAATY_MIN",
    "SAATY_MAX",
    "METHODS",
    "AHPResult",
    "parse_judgement",
    "validate_matrix",
    "ahp_weights",
    "group_matrix",
    "check_consistency",
    "read_matrix_csv",
    "most_inconsistent_pair",
    "suggest_revision",
    "SAATY_SCALE",
]

#: Saaty's random consistency index RI(n): the mean CI of many random reciprocal
#: matrices of order n with entries drawn from the 1/9..9 scale. Values as tabulated
#: in Saaty (1980), The Analytic Hierarchy Process, and reproduced for n = 1..15 in
#: Saaty (2012), Decision Making for Leaders. The dip at n = 12 (1.48 < 1.51) is in
#: the published table (sampling noise of the original simulation) and kept as is.
RANDOM_INDEX: dict[int, float] = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}

#: Saaty's fundamental scale runs from 1/9 to 9.
SAATY_MIN = 1.0 / 9.0
SAATY_MAX = 9.0

METHODS = ("eigenvector", "geometric_mean")

_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_JUDGEMENT_RE = re.compile(rf"^\s*({_NUMBER})\s*(?:/\s*({_NUMBER})\s*)?$")


# -- result -------------------------------------------------------------------------
@dataclass(frozen=True)
class AHPResult:
    """Weights and consistency of one pairwise comparison matrix.

    Attributes
    ----------
    criteria: criterion names, in matrix order
    weights: priority vector, positive, summing to 1
    lambda_max: principal eigenvalue (eigenvector method) or its estimate
        ``mean((A w) / w)`` (geometric-mean method)
    ci: consistency index ``(lambda_max - n) / (n - 1)``; 0 for n <= 2
    cr: consistency ratio ``ci / RANDOM_INDEX[n]``; 0 for n <= 2
    method: ``"eigenvector"`` or ``"geometric_mean"``
    matrix: the validated judgement matrix (rows as tuples), kept so that
        :func:`check_consistency` can name the most inconsistent judgement;
        not part of :meth:`to_dict`
    """

    criteria: tuple[str, ...]
    weights: tuple[float, ...]
    lambda_max: float
    ci: float
    cr: float
    method: str
    matrix: tuple[tuple[float, ...], ...] | None = field(default=None, repr=False, compare=False)

    def consistent(self, threshold: float = 0.1) -> bool:
        """True when ``cr <= threshold`` (Saaty's rule of thumb: 0.1)."""
        return bool(self.cr <= threshold)

    def weight_of(self, criterion: str) -> float:
        """The weight of one criterion by name."""
        try:
            return self.weights[self.criteria.index(criterion)]
        except ValueError:
            raise WeightsError(
                Message("run.err.ahp.unknown_criterion_matrix", criterion=criterion,
                        criteria=', '.join(self.criteria))
            ) from None

    def to_dict(self) -> dict:
        """JSON-ready summary (keys: criteria, weights, lambda_max, ci, cr, method, consistent)."""
        return {
            "criteria": list(self.criteria),
            "weights": [float(w) for w in self.weights],
            "lambda_max": float(self.lambda_max),
            "ci": float(self.ci),
            "cr": float(self.cr),
            "method": self.method,
            "consistent": self.consistent(),
        }


# -- helpers --------------------------------------------------------------------------
def _fmt(x: float) -> str:
    """Show a judgement the way a user writes it: 3, 1/3, else 4 significant digits."""
    x = float(x)
    if not math.isfinite(x):
        return str(x)
    if x > 0:
        k = round(x)
        if k >= 1 and abs(x - k) <= 1e-9 * k:
            return str(int(k))
        k = round(1.0 / x)
        if k >= 2 and abs(1.0 / x - k) <= 1e-9 * k:
            return f"1/{int(k)}"
    return f"{x:.4g}"


def _cell(criteria: Sequence[str], i: int, j: int) -> str:
    return f"({criteria[i]}, {criteria[j]})"


def _src(source) -> str | None:
    return None if source is None else os.fspath(source) if isinstance(source, os.PathLike) else str(source)


# -- parsing --------------------------------------------------------------------------
def parse_judgement(value, *, source=None, field=None) -> float:
    """Read one pairwise judgement.

    Accepts real numbers (not booleans) and strings such as ``"3"``, ``"1/3"``,
    ``"0.333"`` or ``" 1 / 5 "``. Anything else (empty, text, ``"1/0"``, NaN or
    infinity, ``"0,333"``) raises :class:`WeightsError` naming the value. The sign
    and range are *not* checked here; :func:`validate_matrix` does that with the
    criterion names at hand.
    """
    source = _src(source)
    expected = Message("run.err.ahp.expected_number")
    if isinstance(value, (bool, np.bool_)):
        raise WeightsError(Message("run.err.ahp.judgement_number", value=value, expected=expected),
                           source=source, field=field)
    if isinstance(value, numbers.Real):
        x = float(value)
    elif isinstance(value, str):
        m = _JUDGEMENT_RE.match(value)
        if not m:
            shown = value.strip() or "(empty)"
            raise WeightsError(Message("run.err.ahp.cannot_read_judgement", shown=shown, expected=expected),
                               source=source, field=field)
        num = float(m.group(1))
        if m.group(2) is None:
            x = num
        else:
            den = float(m.group(2))
            if den == 0.0:
                raise WeightsError(
                    Message("run.err.ahp.judgement_divides_by_zero", value=value.strip(), expected=expected),
                                   source=source, field=field
                )
            x = num / den
    else:
        raise WeightsError(
            Message("run.err.ahp.judgement_number_2", value=value, type=type(value).__name__, expected=expected),
                           source=source, field=field
        )
    if not math.isfinite(x):
        raise WeightsError(Message("run.err.ahp.judgement_finite_number", value=value, expected=expected),
                           source=source, field=field)
    return x


# -- validation -----------------------------------------------------------------------
def _check_criteria(criteria, source) -> tuple[str, ...]:
    if isinstance(criteria, str):
        raise WeightsError(Message("run.err.ahp.criteria_must_sequence_names"), source=source)
    names = []
    for k, c in enumerate(criteria):
        if not isinstance(c, str) or not c.strip():
            raise WeightsError(Message("run.err.ahp.criterion_name_empty_text", number=k + 1, name=c), source=source)
        names.append(c.strip())
    seen: dict[str, int] = {}
    for k, c in enumerate(names):
        if c in seen:
            raise WeightsError(
                Message("run.err.ahp.criterion_appears_twice_positions", criterion=c, first=seen[c] + 1, second=k + 1),
                source=source,
            )
        seen[c] = k
    return tuple(names)


def _to_array(matrix, source) -> np.ndarray:
    """A 2-D float64 array from an array or nested rows (cells may be strings like "1/3")."""
    if isinstance(matrix, np.ndarray) and matrix.dtype.kind in "iuf":
        a = np.array(matrix, dtype=np.float64)
        if a.ndim != 2:
            raise WeightsError(
                Message("run.err.ahp.matrix_dimension_s_pairwise", a_ndim=a.ndim),
                source=source,
            )
        return a
    try:
        rows = [list(r) for r in matrix]
    except TypeError:
        raise WeightsError(
            Message("run.err.ahp.matrix_must_square_table"), source=source
        ) from None
    widths = {len(r) for r in rows}
    if len(widths) > 1:
        raise WeightsError(
            Message("run.err.ahp.matrix_rows_have_different", lengths=', '.join((str(len(r)) for r in rows))),
            source=source,
        )
    out = np.empty((len(rows), widths.pop() if widths else 0), dtype=np.float64)
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            out[i, j] = parse_judgement(v, source=source, field=f"row {i + 1}, column {j + 1}")
    return out


def validate_matrix(matrix, criteria, *, source=None, rtol=0.02) -> np.ndarray:
    """Check a pairwise comparison matrix and return it as an exact reciprocal array.

    Rules (each failure raises :class:`WeightsError` naming the cell by criterion names
    and, through ``source``, the file):

    - square, ``n x n`` with ``n == len(criteria) >= 1``;
    - criterion names non-empty and unique;
    - every cell finite and ``> 0``;
    - diagonal ``a_ii == 1``;
    - every cell on Saaty's scale ``[1/9, 9]`` (relative tolerance ``rtol``, so a
      rounded ``0.11`` for 1/9 passes);
    - reciprocal: ``|a_ij * a_ji - 1| <= rtol``, so ``0.333`` is accepted for 1/3
      and ``0.14`` for 1/7.

    Cells may be numbers or strings (parsed with :func:`parse_judgement`). The
    returned float64 array keeps the upper triangle as given, sets the diagonal to
    1 and replaces the lower triangle by exact reciprocals ``1 / a_ij``, so the
    rounding of typed-in reciprocals cannot leak into the weights.
    """
    source = _src(source)
    names = _check_criteria(criteria, source)
    a = _to_array(matrix, source)
    _check_square(a, names, source)
    _check_positive(a, names, source)
    _check_diagonal(a, names, source)
    _check_on_scale(a, names, source, rtol)
    _check_reciprocal(a, names, source, rtol)
    return _exact_reciprocal(a)


def _check_square(a: np.ndarray, names: tuple[str, ...], source) -> None:
    """Refuse an empty or non-square matrix, or one whose size ``n`` is not the number of criteria."""
    rows, cols = a.shape
    if rows == 0 or cols == 0:
        raise WeightsError(Message("run.err.ahp.matrix_empty_needs_at"), source=source)
    if rows != cols:
        raise WeightsError(
            Message("run.err.ahp.matrix_x_pairwise_comparison", rows=rows, cols=cols), source=source
        )
    n = rows
    if n != len(names):
        raise WeightsError(
            Message("run.err.ahp.matrix_x_but_criteria", size=n, n_criteria=len(names), criteria=', '.join(names)),
            source=source
        )


def _check_positive(a: np.ndarray, names: tuple[str, ...], source) -> None:
    """Refuse the first cell (row by row) that is not finite or not ``> 0``."""
    n = len(a)
    for i in range(n):
        for j in range(n):
            x = a[i, j]
            if not math.isfinite(x):
                raise WeightsError(Message("run.err.ahp.cell_finite_number", cell=_cell(names, i, j), value=x),
                                   source=source)
            if x <= 0:
                raise WeightsError(
                    Message("run.err.ahp.cell_judgements_must_positive", cell=_cell(names, i, j), value=_fmt(x)),
                    source=source,
                )


def _check_diagonal(a: np.ndarray, names: tuple[str, ...], source) -> None:
    """Refuse a diagonal cell other than 1 (``|a_ii - 1| > 1e-9``): a criterion compared with itself."""
    for i in range(len(a)):
        if abs(a[i, i] - 1.0) > 1e-9:
            raise WeightsError(
                Message("run.err.ahp.diagonal_cell_criterion_compared", cell=_cell(names, i, i), value=_fmt(a[i, i])),
                source=source,
            )


def _check_on_scale(a: np.ndarray, names: tuple[str, ...], source, rtol: float) -> None:
    """Refuse a cell outside Saaty's scale: ``a_ij < (1/9)(1 - rtol)`` or ``a_ij > 9 (1 + rtol)`` (Saaty 1980)."""
    n = len(a)
    lo, hi = SAATY_MIN * (1.0 - rtol), SAATY_MAX * (1.0 + rtol)
    for i in range(n):
        for j in range(n):
            x = a[i, j]
            if x < lo or x > hi:
                raise WeightsError(
                    Message("run.err.ahp.cell_outside_saaty_s", cell=_cell(names, i, j), value=_fmt(x)), source=source
                )


def _check_reciprocal(a: np.ndarray, names: tuple[str, ...], source, rtol: float) -> None:
    """Refuse the first pair ``i < j`` that is not reciprocal: ``|a_ij * a_ji - 1| > rtol``."""
    n = len(a)
    for i in range(n):
        for j in range(i + 1, n):
            if abs(a[i, j] * a[j, i] - 1.0) > rtol + 1e-12:
                raise WeightsError(
                    Message("run.err.ahp.cell_but_expected_ji", cell=_cell(names, i, j), value=_fmt(a[i, j]),
                            mirror_cell=_cell(names, j, i), mirror=_fmt(a[j, i]), expected=_fmt(1.0 / a[i, j])),
                    source=source,
                )


def _exact_reciprocal(a: np.ndarray) -> np.ndarray:
    """The upper triangle of ``a`` as given, 1 on the diagonal, ``a_ji = 1 / a_ij`` below."""
    n = len(a)
    out = np.ones((n, n), dtype=np.float64)
    iu = np.triu_indices(n, k=1)
    out[iu] = a[iu]
    out[(iu[1], iu[0])] = 1.0 / a[iu]
    return out


# -- weights --------------------------------------------------------------------------
def _principal_eigenvector(a: np.ndarray) -> tuple[np.ndarray, float]:
    """Perron eigenpair of a positive matrix: numpy.linalg.eig, checked; power iteration as fallback."""
    vals, vecs = np.linalg.eig(a)
    k = int(np.argmax(vals.real))
    lam = float(vals[k].real)
    v = vecs[:, k].real
    v = v / v.sum()
    if np.all(v > 0) and abs(vals[k].imag) <= 1e-9 * max(1.0, abs(lam)):
        return v, lam
    return _power_iteration(a)


def _power_iteration(a: np.ndarray, tol: float = 1e-12, max_iter: int = 100_000) -> tuple[np.ndarray, float]:
    """Power iteration ``w <- A w / sum(A w)`` until the change is below ``tol``."""
    n = a.shape[0]
    w = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        aw = a @ w
        w_new = aw / aw.sum()
        if np.max(np.abs(w_new - w)) < tol:
            w = w_new
            break
        w = w_new
    lam = float(np.mean((a @ w) / w))
    return w, lam


def ahp_weights(matrix, criteria, *, method="eigenvector", source=None) -> AHPResult:
    """Weights and consistency of a pairwise comparison matrix.

    ``method="eigenvector"`` (Saaty 1977, 1980): ``w`` is the principal right
    eigenvector of ``A`` normalised to sum 1, ``lambda_max`` its eigenvalue
    (``numpy.linalg.eig``; the eigenvalue of largest real part, which Perron's
    theorem makes real and simple with a positive eigenvector).

    ``method="geometric_mean"`` (Crawford & Williams 1985): ``w_i`` proportional to
    ``(prod_j a_ij) ** (1/n)``; ``lambda_max = mean_i((A w)_i / w_i)``.

    Both: ``CI = (lambda_max - n) / (n - 1)``, ``CR = CI / RANDOM_INDEX[n]``
    (Saaty 1980), both 0 for ``n <= 2``; CI is clipped at 0 against round-off.
    The matrix is first checked with :func:`validate_matrix` (errors name ``source``).
    At most 15 criteria (the extent of the random-index table).
    """
    source = _src(source)
    if method not in METHODS:
        raise WeightsError(
            Message("run.err.ahp.unknown_ahp_method_expected", method=method, methods=', '.join(METHODS)),
                           source=source, field="method"
        )
    a = validate_matrix(matrix, criteria, source=source)
    names = _check_criteria(criteria, source)
    n = a.shape[0]
    if n > max(RANDOM_INDEX):
        raise WeightsError(
            Message("run.err.ahp.criteria_compared_ahp_consistency", criteria_count=n, maximum=max(RANDOM_INDEX)),
            source=source,
        )
    if n == 1:
        w = np.ones(1)
        lam = 1.0
    elif method == "eigenvector":
        w, lam = _principal_eigenvector(a)
    else:
        g = np.exp(np.log(a).mean(axis=1))
        w = g / g.sum()
        lam = float(np.mean((a @ w) / w))
    if n <= 2:
        ci = cr = 0.0
    else:
        ci = max(0.0, (lam - n) / (n - 1))
        cr = ci / RANDOM_INDEX[n]
    return AHPResult(
        criteria=names,
        weights=tuple(float(x) for x in w),
        lambda_max=float(lam),
        ci=float(ci),
        cr=float(cr),
        method=method,
        matrix=tuple(tuple(float(x) for x in row) for row in a),
    )


# -- group decisions ------------------------------------------------------------------
def group_matrix(matrices: list[np.ndarray], *, weights=None) -> np.ndarray:
    """Aggregate several decision makers' matrices by the element-wise geometric mean.

    ``g_ij = prod_k a_ij^(k) ** p_k`` with ``p_k = weights[k] / sum(weights)``
    (equal ``p_k = 1/m`` when ``weights`` is None). Aczél & Saaty (1983) show this is
    the synthesis that keeps reciprocity: ``g_ji = 1 / g_ij``. The result's lower
    triangle is set to the exact reciprocals of its upper triangle.

    Each matrix must be square, of the same order, positive, finite and reciprocal
    (within 2 %); otherwise :class:`WeightsError` names the decision maker (1-based)
    and the cell. As in :func:`validate_matrix`, the upper triangle is authoritative.
    """
    arrays = _decision_matrices(matrices)
    p = _decision_maker_weights(weights, len(arrays))
    logs = np.tensordot(p, np.log(np.stack(arrays)), axes=1)
    return _reciprocal_from_logs(logs)


def _decision_matrices(matrices) -> list[np.ndarray]:
    """Each decision maker's matrix as a float array, checked with :func:`_check_decision_matrix`."""
    try:
        mats = list(matrices)
    except TypeError:
        raise WeightsError(Message("run.err.ahp.group_matrix_needs_list")) from None
    if not mats:
        raise WeightsError(Message("run.err.ahp.group_matrix_needs_at"))
    arrays: list[np.ndarray] = []
    for k, m in enumerate(mats, start=1):
        arrays.append(_check_decision_matrix(m, k, arrays[0] if arrays else None))
    return arrays


def _check_decision_matrix(m, k: int, first: np.ndarray | None) -> np.ndarray:
    """Decision maker ``k``'s (1-based) matrix: numeric, square, of ``first``'s order, positive, finite and
    reciprocal within 2 % (``|a_ij a_ji - 1| <= 0.02``); a WeightsError names ``k`` and the cell otherwise."""
    try:
        a = np.array(m, dtype=np.float64)
    except (TypeError, ValueError):
        raise WeightsError(Message("run.err.ahp.matrix_decision_maker_numeric", matrix=k)) from None
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise WeightsError(Message("run.err.ahp.matrix_decision_maker_shape", matrix=k, shape=a.shape))
    if first is not None and a.shape != first.shape:
        raise WeightsError(
            Message("run.err.ahp.matrix_decision_maker_x", matrix=k, rows=a.shape[0], columns=a.shape[1],
                    first_rows=first.shape[0], first_columns=first.shape[1])
        )
    bad = ~np.isfinite(a) | (a <= 0)
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise WeightsError(
            Message("run.err.ahp.matrix_decision_maker_cell", matrix=k, row=i + 1, column=j + 1, value=a[i, j])
        )
    dev = np.abs(a * a.T - 1.0)
    if (dev > 0.02 + 1e-12).any():
        i, j = map(int, np.argwhere(dev > 0.02 + 1e-12)[0])
        raise WeightsError(
            Message("run.err.ahp.matrix_decision_maker_cell_2", matrix=k, row=i + 1, column=j + 1,
                    value=_fmt(a[i, j]), mirror=_fmt(a[j, i]), expected=_fmt(1.0 / a[i, j]))
        )
    return a


def _decision_maker_weights(weights, m: int) -> np.ndarray:
    """The exponents ``p_k = weights[k] / sum(weights)`` of :func:`group_matrix`; ``1/m`` each when None.

    ``weights`` must be ``m`` finite numbers, none negative, with a positive sum.
    """
    if weights is None:
        return np.full(m, 1.0 / m)
    try:
        p = np.array(list(weights), dtype=np.float64)
    except (TypeError, ValueError):
        raise WeightsError(Message("run.err.ahp.decision_maker_weights_must"), field="weights") from None
    if p.shape != (m,):
        raise WeightsError(
            Message("run.err.ahp.decision_maker_weights_given", n_weights=p.size, n_matrices=m), field="weights"
        )
    if not np.all(np.isfinite(p)) or np.any(p < 0) or p.sum() <= 0:
        raise WeightsError(
            Message("run.err.ahp.decision_maker_weights_must_2"), field="weights"
        )
    return p / p.sum()


def _reciprocal_from_logs(logs: np.ndarray) -> np.ndarray:
    """``g_ij = exp(logs_ij)`` above the diagonal, 1 on it and the exact reciprocal ``g_ji = 1 / g_ij`` below."""
    n = logs.shape[0]
    g = np.ones((n, n))
    iu = np.triu_indices(n, k=1)
    upper = np.exp(logs[iu])
    g[iu] = upper
    g[(iu[1], iu[0])] = 1.0 / upper
    return g


# -- consistency ----------------------------------------------------------------------
def most_inconsistent_pair(matrix, weights) -> tuple[int, int, float]:
    """The judgement that deviates most from the weights (Saaty 2003).

    ``eps_ij = a_ij * w_j / w_i`` is 1 when judgement ``a_ij`` agrees with ``w_i / w_j``.
    Returns ``(i, j, eps_ij)`` for the ordered pair ``i != j`` with the largest
    ``eps_ij`` (always ``>= 1`` for a reciprocal matrix, since ``eps_ji = 1 / eps_ij``);
    ties go to the first pair in row-major order. For a 1 x 1 matrix: ``(0, 0, 1.0)``.
    """
    a = np.asarray(matrix, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64).ravel()
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise WeightsError(Message("run.err.ahp.matrix_shape_must_square", a_shape=a.shape))
    if w.shape[0] != a.shape[0]:
        raise WeightsError(Message("run.err.ahp.weights_given_x_matrix", n_weights=w.shape[0], size=a.shape[0]))
    if not np.all(w > 0) or not np.all(np.isfinite(w)):
        raise WeightsError(Message("run.err.ahp.weights_must_finite_positive"))
    n = a.shape[0]
    if n == 1:
        return (0, 0, 1.0)
    eps = a * w[None, :] / w[:, None]
    np.fill_diagonal(eps, -np.inf)
    i, j = divmod(int(np.argmax(eps)), n)
    return (i, j, float(eps[i, j]))


SAATY_SCALE = tuple([1.0 / k for k in range(9, 1, -1)] + [float(k) for k in range(1, 10)])


def suggest_revision(result: AHPResult) -> dict | None:
    """The most inconsistent judgement and the value of Saaty's scale that, written in its place, gives
    the lowest consistency ratio (None for fewer than 3 criteria, where every matrix is consistent, for a
    fully consistent matrix (every a_ij = w_i / w_j, so no judgement is "most inconsistent"), or without the
    matrix).

    Keys: ``pair`` [criterion i, criterion j], ``judgement`` (a_ij now), ``implied`` (w_i / w_j),
    ``off_by`` (eps_ij), ``suggested`` (the scale value), ``suggested_text`` (as a user writes it:
    ``3``, ``1/3``), ``cr_now`` and ``cr_suggested`` (the weights recomputed with the same method).
    """
    if result.matrix is None or len(result.criteria) < 3:
        return None
    a = np.array(result.matrix, dtype=np.float64)
    i, j, eps = most_inconsistent_pair(a, result.weights)
    if abs(eps - 1.0) < 1e-9:
        return None

    def cr_with(v: float) -> float:
        b = a.copy()
        b[i, j], b[j, i] = v, 1.0 / v
        return ahp_weights(b, result.criteria, method=result.method).cr

    crs = [cr_with(v) for v in SAATY_SCALE]
    k = int(np.argmin(crs))
    return {
        "pair": [result.criteria[i], result.criteria[j]],
        "judgement": float(a[i, j]),
        "judgement_text": _fmt(a[i, j]),
        "implied": float(result.weights[i] / result.weights[j]),
        "off_by": float(eps),
        "suggested": float(SAATY_SCALE[k]),
        "suggested_text": _fmt(SAATY_SCALE[k]),
        "cr_now": float(result.cr),
        "cr_suggested": float(crs[k]),
    }


def check_consistency(result: AHPResult, *, allow_inconsistent: bool, source=None, threshold=0.1) -> None:
    """Refuse judgements whose consistency ratio exceeds ``threshold`` (Saaty 1980: 0.1).

    Raises :class:`InconsistentJudgementsError` when ``result.cr > threshold`` and
    ``allow_inconsistent`` is false. The message gives the CR, the threshold, the most
    inconsistent judgement (largest ``eps_ij = a_ij w_j / w_i``, see
    :func:`most_inconsistent_pair`) with the ratio the weights imply, and how to
    override (``--allow-inconsistent``). Returns None otherwise.
    """
    if result.cr <= threshold or allow_inconsistent:
        return None
    worst = revision = ""
    if result.matrix is not None and len(result.criteria) > 1:
        i, j, eps = most_inconsistent_pair(result.matrix, result.weights)
        ci_, cj = result.criteria[i], result.criteria[j]
        implied = result.weights[i] / result.weights[j]
        worst = Message("run.err.ahp.inconsistent_worst", row_criterion=ci_, column_criterion=cj, judgement=_fmt(result.matrix[i][j]),
                        implied=float(implied), factor=float(eps))
        hint = suggest_revision(result)
        if hint is not None and hint["cr_suggested"] < result.cr:
            revision = Message("run.err.ahp.inconsistent_revision", text=hint["suggested_text"],
                               cr=float(hint["cr_suggested"]))
    raise InconsistentJudgementsError(Message("run.err.ahp.inconsistent", cr=float(result.cr),
                                              threshold=float(threshold), worst=worst, revision=revision),
                                      source=_src(source))


# -- CSV ------------------------------------------------------------------------------
def _delimiter(text: str) -> str:
    """Comma, unless the header line has no comma but semicolons (spreadsheet locales) or tabs."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    if "," in first:
        return ","
    if ";" in first:
        return ";"
    if "\t" in first:
        return "\t"
    return ","


def read_matrix_csv(path) -> tuple[np.ndarray, tuple[str, ...]]:
    """Read a pairwise comparison matrix from CSV.

    Layout: the header row holds the criterion names after a first cell that may be
    empty or any label; each following row starts with a criterion name (same names,
    same order as the header) followed by its judgements (``3``, ``1/3``, ``0.333``)::

        ,slope,road,flood
        slope,1,3,5
        road,1/3,1,2
        flood,1/5,1/2,1

    UTF-8 (a BOM is tolerated) or UTF-16 with a byte-order mark; comma-separated, or semicolon/tab-separated when the
    header has no comma. Blank lines are ignored. The matrix is checked with
    :func:`validate_matrix`. Every problem raises :class:`WeightsError` with the file
    as ``source`` and the row/column in the message. Returns the validated matrix
    (exact reciprocals in the lower triangle) and the criterion names.
    """
    src = _src(path)
    if not Path(path).exists():
        raise WeightsError(Message("err.ahp_not_found"), source=src)
    from kawasan import guarded

    # UTF-8 (a BOM is tolerated) or UTF-16 with its byte-order mark, like the other table readers
    text = guarded.read_text(path, error=WeightsError, what="AHP matrix file")
    rows = _csv_records(text, src) if text.strip() else []
    if not rows:      # nothing, or only delimiters (",,,"): no header either way
        raise WeightsError(Message("run.err.ahp.file_empty_expected_header"), source=src)
    header_line, header = rows[0]
    names = header[1:]
    names_t = _header_criteria(header_line, names, src)
    body = rows[1:]
    _check_body_rows(body, names, len(header), src)
    matrix = _body_judgements(body, names, src)
    return validate_matrix(matrix, names_t, source=src), names_t


def _csv_records(text: str, src) -> list[tuple[int, list[str]]]:
    """The non-blank CSV records of ``text`` as (line number, stripped cells), delimiter from :func:`_delimiter`."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[tuple[int, list[str]]] = []
    try:
        for rec in reader:
            if not any(c.strip() for c in rec):
                continue
            rows.append((reader.line_num, [c.strip() for c in rec]))
    except csv.Error as e:
        raise WeightsError(Message("run.err.ahp.malformed_csv_at_line", line=reader.line_num, error=str(e)),
                           source=src) from None
    return rows


def _header_criteria(header_line: int, names: list[str], src) -> tuple[str, ...]:
    """The criterion names of the header (after its first cell): at least one, none empty, no repeats."""
    if not names:
        raise WeightsError(
            Message("run.err.ahp.line_header_criterion_names", header_line=header_line), source=src
        )
    for k, c in enumerate(names):
        if not c:
            raise WeightsError(Message("run.err.ahp.line_column_header_criterion", header_line=header_line,
                                       column=k + 2), source=src)
    return _check_criteria(names, src)


def _check_body_rows(body: list[tuple[int, list[str]]], names: list[str], width: int, src) -> None:
    """Refuse a row of another width than the header, a row count other than the criteria, a row misnamed."""
    for line, rec in body:
        if len(rec) != width:
            label = f" ({rec[0]})" if rec and rec[0] else ""
            raise WeightsError(
                Message("run.err.ahp.line_cells_but_header", line=line, label=label, n_cells=len(rec), width=width,
                        n_criteria=len(names)),
                source=src,
            )
    if len(body) != len(names):
        raise WeightsError(
            Message("run.err.ahp.header_names_criteria_but", n_criteria=len(names), criteria=', '.join(names),
                    n_rows=len(body)),
            source=src,
        )
    for k, (line, rec) in enumerate(body):
        if rec[0] != names[k]:
            raise WeightsError(
                Message("run.err.ahp.line_row_named_but", line=line, row=k + 1, name=rec[0], expected=names[k]),
                source=src,
            )


def _body_judgements(body: list[tuple[int, list[str]]], names: list[str], src) -> np.ndarray:
    """The judgements of the body rows (after each row's name) as an ``n x n`` float64 array."""
    matrix = np.empty((len(names), len(names)), dtype=np.float64)
    for i, (line, rec) in enumerate(body):
        for j, cell in enumerate(rec[1:]):
            matrix[i, j] = parse_judgement(
                cell, source=src, field=f"line {line}, row {names[i]}, column {names[j]}"
            )
    return matrix
