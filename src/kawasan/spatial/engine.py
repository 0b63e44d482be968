"""Evaluate a suitability model on a study area, in memory.

Flow: resolve weights -> constraints into a per-cell exclusion bitmask -> each
criterion measured (value, slope or bounded distance) and standardized to [0, 1]
-> folded into the score (WLC and fuzzy AND/OR/product/sum stream one criterion at
a time, so peak memory is the input layers plus two float32 grids; OWA and fuzzy
gamma need all standardized layers at once) -> excluded cells set to 0 and
classified S1..N2 / excluded.

Criteria are processed in sorted id order, so the result does not depend on the
order they are written in.
"""
from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from kawasan.errors import InputError, ModelError
from kawasan.i18n import Message
from kawasan.spatial import kernels
from kawasan.spatial.model import (Categories, Constraint, Criterion, Gaussian, Linear, Model, Piecewise, Ranges,
                                   Sigmoid, Triangular, label_text)
from kawasan.spatial.setbacks import SetbackReport, apply_setback
from kawasan.spatial.sources import PROXY, Source, missing_error
from kawasan.spatial.sources import resolve as resolve_source
from kawasan.spatial.studyarea import LayerStore, StudyArea, resolve_codes
from kawasan.spatial.weights import ResolvedWeights, resolve

Progress = Callable[[str, int, int], None]


@dataclass
class ConstraintOutcome:
    id: str
    bit: int
    status: str                   # "applied", "skipped" (layer missing) or "off" (switched off)
    excluded_cells: int = 0
    reason: str | None = None     # why skipped or off
    cause: str | None = None      # "layer_missing", "switched_off" or "off_in_model"
    read: dict | None = None      # the layer read: its own or a proxy (sources.Source.record)
    setback: SetbackReport | None = None


@dataclass
class Evaluation:
    """The in-memory result of a model on a study area."""

    model: Model
    area: StudyArea
    weights: ResolvedWeights
    score: np.ndarray             # float32 [0, 1], NaN = NoData, 0 where excluded
    classes: np.ndarray           # uint8 codes, see model.CLASS_CODES
    reason: np.ndarray            # uint8/uint16 bitmask of the constraints that exclude each cell
    constraints: list[ConstraintOutcome]
    criteria: dict[str, np.ndarray] = field(default_factory=dict)   # standardized layers when kept
    store: LayerStore | None = None
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    criteria_read: dict[str, dict] = field(default_factory=dict)    # criterion id -> the layer it read
    notices: list[dict] = field(default_factory=list)               # screening notices (skipped_notice)
    switches: dict[str, bool] = field(default_factory=dict)         # rules switched for this run

    @property
    def inputs(self) -> dict[str, dict]:
        """Layers read, with checksums (waits for the background hashing to finish)."""
        return self.store.inputs if self.store is not None else {}


def _noop(step: str, done: int, total: int) -> None:
    return None


def evaluate(model: Model, area: StudyArea, *, base_dir: Path = Path("."), allow_inconsistent: bool = False,
             keep_criteria: bool = False, progress: Progress = _noop, model_source: str = "<model>",
             switches: dict[str, bool] | None = None) -> Evaluation:
    """The model on the study area, in memory (the flow in the module docstring), in four steps: weights and
    the layer each criterion reads (:func:`_criteria_sources`), the constraints into the exclusion bitmask
    (:func:`_apply_constraints`), the criteria folded into the score (:func:`_combine_criteria`), and the
    score classified (:func:`_classify`)."""
    t_all = time.perf_counter()
    switches = dict(switches or {})
    model = with_switches(model, switches, source=model_source)
    t = time.perf_counter()
    weights = resolve(model, base_dir=base_dir, allow_inconsistent=allow_inconsistent, source=model_source)
    timings: dict[str, float] = {"weights": time.perf_counter() - t}
    store = area.layer_store(model)
    warnings: list[str] = []
    criteria, csources = _criteria_sources(model, store, weights, warnings, area.name, model_source)
    constraints = list(model.constraints)
    run = _Pass(model, store, area.grid, switches, progress, len(criteria) + len(constraints) + 1,
                _reason_grid(area.grid, len(constraints), model_source), warnings=warnings, timings=timings)
    run.bits = {con.id: 1 << i for i, con in enumerate(constraints)}
    run.uses = Counter(layer for item in [*constraints, *criteria] for layer in item.layers_read())
    # A distance or slope that a criterion measures anyway is measured once: the constraints on it
    # are applied to the criterion's raw measure before it is standardized (one EDT saved per pair).
    measured_by_criteria = {csources[c.id].key(c.measure) for c in criteria if c.measure != "value"}
    shared = _apply_constraints(run, constraints, measured_by_criteria)
    score, kept, criteria_read = _combine_criteria(run, criteria, csources, weights, shared, keep_criteria,
                                                   model_source)
    classes, outcomes = _classify(run, score, area, constraints)
    warnings.extend(w for w in store.warnings if w not in warnings)
    timings["total"] = time.perf_counter() - t_all
    progress(Message("run.progress.done"), run.total, run.total)
    return Evaluation(model, area, weights, score, classes, run.reason, outcomes, kept, store, timings, warnings,
                      criteria_read, run.notices, switches)


@dataclass
class _Pass:
    """What the steps of one :func:`evaluate` share: the model and its layers, the grids they write (the
    exclusion bitmask, one float32 scratch grid), and what they report (outcomes, notices, warnings, timings)."""

    model: Model
    store: LayerStore
    grid: object
    switches: dict[str, bool]
    progress: Progress
    total: int
    reason: np.ndarray
    scratch: np.ndarray = None
    bits: dict[str, int] = field(default_factory=dict)
    uses: Counter = field(default_factory=Counter)
    outcomes: dict[str, ConstraintOutcome] = field(default_factory=dict)
    notices: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    step: int = 0
    combine_started: float = 0.0

    def __post_init__(self) -> None:
        if self.scratch is None:
            self.scratch = np.empty(self.grid.shape, dtype=np.float32)

    def used(self, item) -> None:
        """Each input is dropped right after its last use, so later steps touch less fresh memory."""
        for layer in item.layers_read():
            self.uses[layer] -= 1
            if self.uses[layer] == 0:
                self.store.drop(layer)

    def begin(self, message: Message) -> float:
        """Report the next step's progress; its start time."""
        self.progress(message, self.step, self.total)
        self.step += 1
        return time.perf_counter()


def _criteria_sources(model: Model, store: LayerStore, weights: ResolvedWeights, warnings: list[str],
                      area_name: str, model_source: str) -> tuple[list[Criterion], dict[str, Source]]:
    """The criteria in sorted id order and the layer each reads (its own, else a fallback).

    A criterion none of whose layers exists is an error unless the model marks its layer optional; then it
    is skipped and the remaining global weights are rescaled proportionally to sum 1 (w_i' = w_i / sum of
    kept w), in ``weights``."""
    criteria = sorted(model.criteria, key=lambda c: c.id)
    csources: dict[str, Source] = {}
    skipped = []
    for c in criteria:
        src = resolve_source(c, store)
        if src is None:
            if model.layers[c.layer].optional:
                skipped.append(c)
                continue
            raise missing_error(c, store, "criterion")
        csources[c.id] = src
    if skipped:
        criteria = [c for c in criteria if c not in skipped]
        _rescale_without(skipped, criteria, weights, warnings, area_name, model_source)
    for cid, src in csources.items():
        _note_source(model.criterion(cid), src, warnings, "criterion")
    return criteria, csources


def _rescale_without(skipped: list[Criterion], criteria: list[Criterion], weights: ResolvedWeights,
                     warnings: list[str], area_name: str, model_source: str) -> None:
    """Weights without the ``skipped`` criteria: w_i' = w_i / sum of kept w (refused if nothing is kept)."""
    if not criteria:
        raise InputError(Message("run.err.engine.every_layer_missing",
                                 criteria=", ".join(f"{c.id} ({c.layer})" for c in skipped)), source=area_name)
    kept = sum(weights.weights[c.id] for c in criteria)
    if kept <= 0:
        raise InputError(Message("run.err.engine.kept_zero_weight", criteria=", ".join(c.id for c in criteria)),
                         source=model_source, field="weights")
    for c in skipped:
        warnings.append(Message("run.note.engine.criterion_skipped", criterion=c.id, layer=c.layer,
                                weight=weights.weights[c.id]))
    weights.skipped = {c.id: weights.weights[c.id] for c in skipped}
    weights.weights = {c.id: weights.weights[c.id] / kept for c in criteria}


def bitmask_dtype(nbits: int) -> type:
    """The exclusion bitmask's type: the smallest unsigned integer with one bit per constraint (32 at most)."""
    return np.uint8 if nbits <= 8 else np.uint16 if nbits <= 16 else np.uint32


def _reason_grid(grid, nbits: int, model_source: str) -> np.ndarray:
    """The exclusion bitmask, one bit per constraint (:func:`bitmask_dtype`; refused beyond 32)."""
    if nbits > 32:
        raise ModelError(Message("run.err.engine.most_constraints_supported",
                                 count=nbits), source=model_source, field="constraints")
    return np.zeros(grid.shape, dtype=bitmask_dtype(nbits))


def _apply_constraints(run: _Pass, constraints: list[Constraint],
                       measured_by_criteria: set) -> dict[tuple, list[tuple[Constraint, Source]]]:
    """Each constraint into its bit of ``run.reason``: off, skipped (layer missing and allowed to be), applied,
    or left for the criterion that measures the same distance or slope; returns those left, by measure."""
    shared: dict[tuple, list[tuple[Constraint, Source]]] = {}
    for con in constraints:
        bit = run.bits[con.id]
        t = run.begin(Message("run.progress.constraint", id=con.id))
        if not con.enabled:
            _switched_off(run, con, bit)
            continue
        src = resolve_source(con, run.store)
        if src is None:
            _skip_missing(run, con, bit)
            continue
        _note_source(con, src, run.warnings, "constraint")
        if con.rule not in ("setback",) and con.measure != "value" and src.key(con.measure) in measured_by_criteria:
            shared.setdefault(src.key(con.measure), []).append((con, src))
            continue
        report = None
        if con.rule == "setback":
            report = apply_setback(con, src.layer, src.where, run.store, run.grid, run.scratch, run.reason, bit,
                                   run.warnings)
        else:
            _apply_constraint(con, src, run.store, run.grid, run.scratch, run.reason, bit)
        run.used(con)
        run.outcomes[con.id] = ConstraintOutcome(con.id, bit, "applied", read=src.record(run.store), setback=report)
        run.timings[f"constraint:{con.id}"] = time.perf_counter() - t
    return shared


def _switched_off(run: _Pass, con: Constraint, bit: int) -> None:
    """A constraint off for this run (switched) or in the model: recorded, with its notice."""
    cause = "switched_off" if con.id in run.switches else "off_in_model"
    why = Message("run.note.engine.switched_off" if con.id in run.switches else "run.note.engine.off_in_model")
    run.outcomes[con.id] = ConstraintOutcome(con.id, bit, "off", reason=why, cause=cause)
    _notice(con, run.notices, why, cause)
    run.used(con)


def _skip_missing(run: _Pass, con: Constraint, bit: int) -> None:
    """A constraint whose layer (and fallbacks) is missing: skipped where the model allows it, else refused."""
    if not (con.skip_if_missing or run.model.layers[con.layer].optional):
        raise missing_error(con, run.store, "constraint")
    why = Message("run.note.engine.layer_not_provided", layer=con.layer,
                  fallback=Message("run.note.engine.nor_fallback", layers=", ".join(f.layer for f in con.fallback))
                  if con.fallback else "")
    run.outcomes[con.id] = ConstraintOutcome(con.id, bit, "skipped", reason=why, cause="layer_missing")
    run.warnings.append(Message("run.note.engine.constraint_skipped", constraint=con.id, why=why))
    _notice(con, run.notices, why, "layer_missing")
    run.used(con)


#: the streamed aggregations: kernels.accumulate's mode and the score's start value
_STREAMED = {"wlc": (0, 0.0), "and": (1, np.inf), "or": (2, -np.inf), "product": (3, 1.0), "sum": (4, 1.0)}


def _combine_criteria(run: _Pass, criteria: list[Criterion], csources: dict[str, Source],
                      weights: ResolvedWeights, shared: dict, keep_criteria: bool,
                      model_source: str) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, dict]]:
    """Each criterion measured, standardized to [0, 1] and folded into the score; the input layers are then
    released. Returns the score, the kept standardized layers and the layer each criterion read.

    WLC and fuzzy AND/OR/product/sum stream one criterion at a time into the score (kernels.accumulate); OWA
    and fuzzy gamma need every standardized layer at once (:func:`_stacked_score`)."""
    agg = run.model.aggregation
    stacked = agg.method == "owa" or (agg.method == "fuzzy" and agg.operator == "gamma")
    w = np.array([weights.weights[c.id] for c in criteria], dtype=np.float32)
    kept: dict[str, np.ndarray] = {}
    criteria_read: dict[str, dict] = {}
    if stacked:
        stack = np.empty((len(criteria),) + run.grid.shape, dtype=np.float32)
        score = np.empty(run.grid.shape, dtype=np.float32)
    else:
        mode, start = _STREAMED[agg.method if agg.method == "wlc" else agg.operator]
        score = np.full(run.grid.shape, start, dtype=np.float32)
    for k, crit in enumerate(criteria):
        t = run.begin(Message("run.progress.criterion", id=crit.id))
        src = csources[crit.id]
        target = stack[k] if stacked else run.scratch
        _criterion_layer(run, crit, src, target, shared, model_source)
        criteria_read[crit.id] = src.record(run.store)
        run.used(crit)
        if keep_criteria:
            kept[crit.id] = target.copy()
        if not stacked:
            kernels.accumulate(score, target, np.float32(w[k]), mode)
        run.timings[f"criterion:{crit.id}"] = time.perf_counter() - t
    run.store.release()  # the input layers are no longer needed
    run.combine_started = run.begin(Message("run.progress.combine"))
    if stacked:
        _stacked_score(agg, stack, w, score)
        del stack
    elif agg.method == "fuzzy" and agg.operator == "sum":
        np.subtract(np.float32(1.0), score, out=score)
    return score, kept, criteria_read


def _criterion_layer(run: _Pass, crit: Criterion, src: Source, target: np.ndarray, shared: dict,
                     model_source: str) -> None:
    """One criterion's standardized layer into ``target``; the constraints left for its measure
    (:func:`_apply_constraints`) are marked on its raw measure first, measured to the farthest reach."""
    with_constraints = shared.pop(src.key(crit.measure), []) if crit.measure != "value" else []
    if not with_constraints:
        _standardize(crit, src, run.store, run.grid, target, model_source)
        return
    reach = max([float(crit.max_distance or 0.0)] + [_reach(c, run.grid) for c, _ in with_constraints])
    _measure(crit, src, run.store, run.grid, target, reach)
    for con, csrc in with_constraints:
        _mark(con, target, run.reason, run.bits[con.id])
        run.used(con)
        run.outcomes[con.id] = ConstraintOutcome(con.id, run.bits[con.id], "applied", read=csrc.record(run.store))
    if crit.measure == "distance":
        np.minimum(target, np.float32(crit.max_distance), out=target)
    _standardize(crit, src, run.store, run.grid, target, model_source, measured=True)


def _stacked_score(agg, stack: np.ndarray, w: np.ndarray, score: np.ndarray) -> None:
    """OWA (kernels.owa, with the order weights of :func:`_order_weights`) or fuzzy gamma,
    ``prod^(1 - g) x (1 - prod(1 - x))^g`` (Zimmermann & Zysno 1980), from every standardized layer."""
    if agg.method == "owa":
        kernels.owa(stack, w.astype(np.float64), _order_weights(agg, stack.shape[0]), score)
        return
    g = float(agg.gamma)
    prod = np.prod(stack, axis=0, dtype=np.float32)
    alg_sum = 1.0 - np.prod(1.0 - stack, axis=0, dtype=np.float32)
    np.multiply(np.power(prod, 1.0 - g), np.power(alg_sum, g), out=score)


def _classify(run: _Pass, score: np.ndarray, area: StudyArea,
              constraints: list[Constraint]) -> tuple[np.ndarray, list[ConstraintOutcome]]:
    """Excluded cells to 0 and every cell classified (kernels.finalize); cells outside the study boundary (the
    grid's buffer) are NoData, excluded by nothing; the cells each applied constraint excludes are counted
    (a cell may be excluded by several rules). Returns the classes and the outcomes in the model's order."""
    grid = run.grid
    # classes reuse the scratch grid's memory (a uint8 grid fits in a float32 one): no new allocation
    classes = run.scratch.reshape(-1).view(np.uint8)[: grid.width * grid.height].reshape(grid.shape)
    kernels.finalize(score, run.reason, np.array(run.model.classes.breaks, dtype=np.float32), classes)
    outside = area.outside_mask()
    if outside is not None:
        score[outside] = np.nan
        classes[outside] = 0
        run.reason[outside] = 0
    run.timings["combine_classify"] = time.perf_counter() - run.combine_started
    outcomes = [run.outcomes[c.id] for c in constraints]
    for o in outcomes:
        if o.status == "applied":
            o.excluded_cells = int(np.count_nonzero(run.reason & run.reason.dtype.type(o.bit)))
    return classes, outcomes


def with_switches(model: Model, switches: dict[str, bool], *, source: str = "<model>") -> Model:
    """A copy of ``model`` with the named constraints switched on (True) or off (False) for one run."""
    if not switches:
        return model
    ids = [c.id for c in model.constraints]
    unknown = sorted(set(switches) - set(ids))
    if unknown:
        raise ModelError(Message("run.err.engine.constraint_called_model_constraints",
                                 names=', '.join(repr(u) for u in unknown), model=model.name,
                                 constraints=', '.join(ids)), source=source, field="--rule")
    copy = model.model_copy(deep=True)
    for c in copy.constraints:
        if c.id in switches:
            c.enabled = bool(switches[c.id])
    return copy


def _notice(con: Constraint, notices: list[dict], why: str, cause: str) -> None:
    """A rule whose absence changes what the whole run means says so (e.g. screening before the RTRW check)."""
    if con.skipped_notice is not None:
        notices.append({"rule": con.id, "en": label_text(con.skipped_notice, "en"),
                        "id": label_text(con.skipped_notice, "id"), "why": why, "cause": cause,
                        "layer": con.layer})


def _note_source(item, src: Source, warnings: list[str], kind: str) -> None:
    """Extra features a rule could not count are a warning; a proxy is recorded with the rule itself
    (its ``read``, the manifest's ``proxies``) and shown under it in the summary and the report."""
    for layer in src.missing_also:
        warnings.append(Message(f"run.note.engine.{kind}_also_missing", item=item.id, layer=layer))


def _order_weights(agg, n: int) -> np.ndarray:
    """Order weights v_1..v_n (v_1 for the largest value).

    From a RIM quantifier Q(p) = p**alpha (Yager 1996): v_j = (j/n)^alpha - ((j-1)/n)^alpha.
    alpha < 1 is optimistic (towards OR), alpha = 1 is neutral (WLC), alpha > 1 pessimistic (towards AND).
    """
    if agg.order_weights is not None:
        v = np.array(agg.order_weights, dtype=np.float64)
        return v / v.sum()
    j = np.arange(1, n + 1, dtype=np.float64)
    return (j / n) ** agg.risk - ((j - 1) / n) ** agg.risk


def _measure(item: Criterion | Constraint, src: Source, store: LayerStore, grid, out: np.ndarray,
             max_distance: float) -> np.ndarray:
    """Raw measure of a criterion or constraint, read from ``src``, into ``out`` (float32, NaN = NoData)."""
    spec = store.model.layers[src.layer]
    if item.measure == "distance":
        return store.distance(src.features(), grid.res, max_distance, out)
    if item.measure in ("slope_percent", "slope_degrees"):
        return store.slope(src.layer, grid.res, out, degrees=item.measure == "slope_degrees")
    if spec.type == "categorical":
        codes, nodata, _ = store.codes(src.layer)
        lut = np.arange(max(int(codes.max()), 0) + 1, dtype=np.float32)
        if nodata is not None and 0 <= int(nodata) < lut.size:
            lut[int(nodata)] = np.nan
        return kernels.lookup(codes, lut, out)
    arr, _ = store.raster(src.layer)
    out[...] = arr
    return out


def _apply_constraint(con: Constraint, source: Source, store: LayerStore, grid, scratch, reason, bit) -> None:
    b = reason.dtype.type(bit)
    spec = store.model.layers[source.layer]
    src = str(store.area.path(spec))
    if con.rule in ("exclude_categories", "require_categories"):
        if spec.kind == "vector" and spec.type != "categorical":
            raise ModelError(Message("run.err.engine.constraint_rule_needs_categorical",
                                     constraint=con.id, rule=con.rule, layer=source.layer),
                             field=f"layers.{source.layer}")
        codes, nodata, legend = store.codes(source.layer)
        wanted = resolve_codes(source.values, legend, source=src, field=f"constraints.{con.id}.values",
                               warnings=store.warnings)
        size = max(int(codes.max()), max(wanted), int(nodata) if nodata is not None else 0) + 1
        flags = np.zeros(size, dtype=np.bool_)
        flags[[c for c in wanted if c >= 0]] = True
        if con.rule == "require_categories":
            flags = ~flags  # everything not listed (NoData included: not known to be in the zone) is excluded
        elif nodata is not None:
            flags[int(nodata)] = False
        kernels.mark_codes(codes, flags, reason, b)
    else:
        _mark(con, _measure(con, source, store, grid, scratch, _reach(con, grid)), reason, bit)


def _reach(con: Constraint, grid) -> float:
    """How far a distance must be measured for the constraint to decide (two cells beyond its distance)."""
    return float(con.distance) + 2 * max(grid.res) if con.distance is not None else 0.0


def _mark(con: Constraint, values: np.ndarray, reason: np.ndarray, bit: int) -> None:
    """OR ``bit`` into ``reason`` where the measured ``values`` break the rule (NaN never does)."""
    b = reason.dtype.type(bit)
    f32 = np.float32
    if con.rule == "exclude_within":
        kernels.mark_outside(values, np.nextafter(f32(con.distance), f32(np.inf)), f32(np.inf), reason, b)
    elif con.rule == "exclude_beyond":
        kernels.mark_outside(values, f32(-np.inf), f32(con.distance), reason, b)
    elif con.rule == "max_value":
        kernels.mark_outside(values, f32(-np.inf), f32(con.limit), reason, b)
    else:
        kernels.mark_outside(values, f32(con.limit), f32(np.inf), reason, b)


def _standardize(crit: Criterion, source: Source, store: LayerStore, grid, out: np.ndarray, model_source: str, *,
                 measured: bool = False) -> None:
    """Measure (unless ``measured``: ``out`` already holds the raw measure) and standardize one criterion
    into ``out`` (values in [0, 1], NaN = NoData)."""
    tr = crit.transform
    inv = crit.direction == "cost"
    if isinstance(tr, Categories):
        codes, nodata, legend = store.codes(source.layer)
        src = str(store.area.path(store.model.layers[source.layer]))
        lo, hi = tr.scale
        keys = resolve_codes(list(tr.values.keys()), legend, source=src,
                             field=f"criteria.{crit.id}.transform.values", warnings=store.warnings)
        size = max(int(codes.max()), max(keys), int(nodata) if nodata is not None else 0) + 1
        fill = np.nan if tr.unlisted == "nodata" else (float(tr.unlisted) - lo) / (hi - lo)
        lut = np.full(size, fill, dtype=np.float32)
        for code, v in zip(keys, tr.values.values()):
            lut[code] = (v - lo) / (hi - lo)
        if inv:
            lut = 1.0 - lut
        if nodata is not None and 0 <= int(nodata) < size:
            lut[int(nodata)] = np.nan
        kernels.lookup(codes, lut, out)
        return
    if not measured:
        _measure(crit, source, store, grid, out, float(crit.max_distance or 0.0))
    f32 = np.float32
    if isinstance(tr, Sigmoid):
        kernels.std_sigmoid(out, f32(tr.low), f32(tr.high), inv)
    elif isinstance(tr, Linear):
        kernels.std_linear(out, f32(tr.low), f32(tr.high), inv)
    elif isinstance(tr, Gaussian):
        kernels.std_gaussian(out, f32(tr.center), f32(tr.width), inv)
    elif isinstance(tr, Triangular):
        kernels.std_triangular(out, f32(tr.low), f32(tr.peak), f32(tr.high), inv)
    elif isinstance(tr, Piecewise):
        xs = np.array([p[0] for p in tr.points], dtype=np.float32)
        ys = np.array([p[1] for p in tr.points], dtype=np.float32)
        kernels.std_piecewise(out, xs, ys, inv)
    elif isinstance(tr, Ranges):
        lo, hi = tr.scale
        lows = np.array([-np.inf if r.min is None else r.min for r in tr.ranges], dtype=np.float32)
        highs = np.array([np.inf if r.max is None else r.max for r in tr.ranges], dtype=np.float32)
        scores = np.array([(r.score - lo) / (hi - lo) for r in tr.ranges], dtype=np.float32)
        kernels.std_ranges(out, lows, highs, scores, inv)
    else:  # pragma: no cover - the schema admits no other transform
        raise ModelError(Message("run.err.engine.unsupported_transform",
                                 type=type(tr).__name__), source=model_source)
