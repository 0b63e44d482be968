"""Critical path method over a stage network, vectorised over Monte Carlo runs.

Critical path method (Kelley, J. E. & Walker, M. R., 1959, "Critical-path planning and
scheduling", Proc. Eastern Joint Computer Conference, 160-173). Times are in working days
from the project start (offset 0 = the first working day on or after the start date).

Forward pass, in topological order, for a stage i with duration d_i and prerequisites P(i):

    ES_i = max(floor_i, max_{p in P(i)} EF_p)        (floor_i: today, an unblock day, 0)
    EF_i = ES_i + d_i

Stages that have really started keep their real start (ES_i fixed) and cannot finish
before today (EF_i = max(ES_i + d_i, floor_i)); finished or waived stages keep their real
dates. Project finish T = max_i EF_i.

Backward pass, in reverse topological order, over the successors S(i) that still wait for
their prerequisites (a stage already started or finished no longer depends on its
predecessors' timing):

    LF_i = min(T, min_{s in S(i)} LS_s),   LS_i = LF_i - (EF_i - ES_i),   slack_i = LF_i - EF_i

A finished or waived stage is history: LS = ES, LF = EF and its slack is 0.

The critical path is the chain of zero-slack stages traced back from the stage that
finishes last, each step taking the prerequisite whose EF equals the stage's ES.

The forward pass takes a duration matrix of shape (n_stages, runs) and does one numpy
max per stage over all runs at once, so 10,000 Monte Carlo runs cost about as much as a
few hundred vector operations.

PERT (Malcolm, D. G., Roseboom, J. H., Clark, C. E. & Fazar, W., 1959, "Application of a
technique for research and development program evaluation", Operations Research 7(5),
646-669) gives the three-point estimate a (min), m (most likely), b (max). kawasan draws
each estimated duration from the Beta-PERT distribution (Vose, D., 2008, "Risk Analysis:
A Quantitative Guide", 3rd ed., Wiley, section 9.1.4):

    alpha = 1 + 4 (m - a) / (b - a),   beta = 1 + 4 (b - m) / (b - a)
    X = a + (b - a) * Beta(alpha, beta),  mean (a + 4m + b) / 6

Stages with a = b (statutory deadlines, real dates) are constants.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PENDING, STARTED, FIXED = 0, 1, 2
PERT_LAMBDA = 4.0


@dataclass
class Network:
    """A stage network ready for CPM: topology, real-state constraints and duration ranges.

    ``mode``: PENDING (waits for prerequisites), STARTED (real start, running) or FIXED
    (real start and finish). ``start``: the real ES of STARTED/FIXED stages. ``end``: the
    real EF of FIXED stages. ``floor``: earliest ES of a PENDING stage, earliest EF of a
    STARTED stage. ``low``/``likely``/``high``: duration range (from ES) in working days.
    """

    ids: list[str]
    preds: list[np.ndarray]
    order: np.ndarray
    mode: np.ndarray
    start: np.ndarray
    end: np.ndarray
    floor: np.ndarray
    low: np.ndarray
    likely: np.ndarray
    high: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)

    def succs(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in self.ids]
        for i, ps in enumerate(self.preds):
            for p in ps:
                out[int(p)].append(i)
        return out


def forward(net: Network, durations: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ES and EF for a duration array of shape (n,) or (n, runs)."""
    d = np.asarray(durations, dtype=float)
    es = np.empty_like(d)
    ef = np.empty_like(d)
    for i in net.order:
        m = net.mode[i]
        if m == FIXED:
            es[i] = net.start[i]
            ef[i] = net.end[i]
        elif m == STARTED:
            es[i] = net.start[i]
            ef[i] = np.maximum(net.start[i] + d[i], net.floor[i])
        else:
            ps = net.preds[i]
            if len(ps) == 0:
                es[i] = net.floor[i]
            elif len(ps) == 1:
                es[i] = np.maximum(ef[ps[0]], net.floor[i])
            else:
                es[i] = np.maximum(ef[ps].max(axis=0), net.floor[i])
            ef[i] = es[i] + d[i]
    return es, ef


def backward(net: Network, es: np.ndarray, ef: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """LS, LF and slack of a deterministic (1-D) forward pass."""
    finish = float(ef.max()) if len(ef) else 0.0
    lf = np.full(net.n, finish)
    ls = np.empty(net.n)
    succs = net.succs()
    for i in net.order[::-1]:
        waiting = [s for s in succs[i] if net.mode[s] == PENDING]
        if waiting:
            lf[i] = min(finish, min(ls[s] for s in waiting))
        ls[i] = lf[i] - (ef[i] - es[i])
    # a finished (or waived) stage is history: it has no float left (LS = ES, LF = EF, slack 0)
    done = net.mode == FIXED
    ls[done], lf[done] = es[done], ef[done]
    return ls, lf, lf - ef


def critical_path(net: Network, es: np.ndarray, ef: np.ndarray, slack: np.ndarray, tol: float = 1e-9) -> list[str]:
    """Stage ids of the critical path, in order (ties go to the earlier stage in the template)."""
    if net.n == 0:
        return []
    finish = ef.max()
    ends = [i for i in range(net.n) if abs(ef[i] - finish) <= tol and abs(slack[i]) <= tol]
    if not ends:
        return []
    cur = min(ends)
    path = [cur]
    while net.mode[cur] == PENDING:
        cands = [int(p) for p in net.preds[cur] if abs(ef[p] - es[cur]) <= tol and abs(slack[p]) <= tol]
        if not cands:
            break
        cur = min(cands)
        path.append(cur)
    return [net.ids[i] for i in reversed(path)]


def sample_durations(net: Network, runs: int, seed: int = 0) -> np.ndarray:
    """Durations of shape (n, runs): Beta-PERT where low < high, the constant ``likely`` elsewhere."""
    rng = np.random.default_rng(seed)
    out = np.repeat(net.likely[:, None].astype(float), runs, axis=1)
    var = np.flatnonzero((net.high - net.low) > 1e-12)
    if len(var):
        a, m, b = net.low[var], net.likely[var], net.high[var]
        span = b - a
        alpha = 1.0 + PERT_LAMBDA * (m - a) / span
        beta = 1.0 + PERT_LAMBDA * (b - m) / span
        x = rng.beta(alpha[:, None], beta[:, None], size=(len(var), runs))
        out[var] = a[:, None] + span[:, None] * x
    return out
