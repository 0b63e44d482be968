"""What-if ("percepatan"): what would bring the completion date forward.

A :class:`Scenario` combines three levers and is compared with the base forecast under
the same calendar, today and Monte Carlo seed:

* ``parallel=[(a, b), ...]``: let stage b start without waiting for its prerequisite a.
  Allowed only where the template says the law allows it (``b.may_overlap`` names a, with
  its legal basis and certainty tag, which the result repeats in ``notes``); otherwise a
  :class:`TemplateError` says why. b keeps its other prerequisites and inherits a's, so it
  still cannot start before a could; the stages that required b now also require a, so
  nothing downstream skips a.
* ``shorten={stage: days}``: the stage takes ``days`` fewer working days (statutory days,
  or min, likely and max alike; never below zero). For a stage already running the
  remaining time shrinks by the same amount.
* ``resolve={stage: date}``: the blocker of a blocked stage is resolved on that date.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date

from kawasan.errors import InputError, TemplateError
from kawasan.i18n import Message
from kawasan.licensing.calendar import WorkingCalendar, _as_date
from kawasan.licensing.clocks import StageSnapshot
from kawasan.licensing.forecast import DEFAULT_RUNS, Forecast, concrete, forecast
from kawasan.licensing.notes import Note, codes
from kawasan.licensing.states import StageStatus
from kawasan.licensing.templates import Duration, Template, text_dict


@dataclass
class Scenario:
    parallel: list[tuple[str, str]] = field(default_factory=list)
    shorten: dict[str, float] = field(default_factory=dict)
    resolve: dict[str, date] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.parallel or self.shorten or self.resolve)


@dataclass
class WhatIf:
    base: Forecast
    variant: Forecast
    days_saved: int
    newly_critical: list[str]
    no_longer_critical: list[str]
    notes: list[str]

    def to_dict(self) -> dict:
        return {"base": self.base.to_dict(), "variant": self.variant.to_dict(), "days_saved": self.days_saved,
                "finish_before": self.base.finish.isoformat(), "finish_after": self.variant.finish.isoformat(),
                "p80_before": self.base.p80.isoformat(), "p80_after": self.variant.p80.isoformat(),
                "newly_critical": list(self.newly_critical), "no_longer_critical": list(self.no_longer_critical),
                "notes": [str(n) for n in self.notes], "note_codes": codes(self.notes)}


def _shorter(d: Duration, days: float) -> Duration:
    if d.statutory_days is not None:
        return d.model_copy(update={"statutory_days": max(0, int(round(d.statutory_days - days)))})
    return d.model_copy(update={"min": max(0.0, d.min - days), "likely": max(0.0, d.likely - days),
                                "max": max(0.0, d.max - days)})


def apply_scenario(template: Template, snapshots: dict[str, StageSnapshot] | None, scenario: Scenario
                   ) -> tuple[Template, dict[str, StageSnapshot], list[str]]:
    """The template and snapshots of the variant, and notes explaining each change."""
    snaps = {k: replace(v) for k, v in (snapshots or {}).items()}
    stages = {s.id: s for s in template.stages}
    notes: list[str] = []
    notes += _run_in_parallel(template, stages, scenario.parallel)
    notes += _shorten_stages(template, stages, scenario.shorten)
    notes += _resolve_blockers(template, snaps, scenario.resolve)
    new_tpl = template.model_copy(update={"stages": [stages[s.id] for s in template.stages]})
    return new_tpl, snaps, notes


def _run_in_parallel(template: Template, stages: dict, pairs) -> list[str]:
    """Lever ``parallel``: for each pair, the later stage no longer waits for the earlier (updates ``stages``).

    A pair given twice (in either order) is applied once. Returns one note per pair applied, with the legal basis.
    """
    notes: list[str] = []
    seen: set[frozenset] = set()
    for pair in pairs:
        if len(pair) != 2:
            raise InputError(Message("licensing.err.parallel_pair", pair=pair), field="parallel")
        a, b = (str(x) for x in pair)
        if frozenset((a, b)) in seen:  # the same pair given twice (either order): already applied
            continue
        seen.add(frozenset((a, b)))
        first, second, allow = _allowed_overlap(template, stages, a, b)
        _overlap(stages, first, second)
        notes.append(Note("licensing.note.parallel", second=second, first=first, basis=text_dict(allow.basis),
                          tag=allow.tag))
    return notes


def _allowed_overlap(template: Template, stages: dict, a: str, b: str):
    """(first, second, allowance): which of ``a``, ``b`` directly requires the other, and the template's
    ``may_overlap`` entry that lets it start early; a TemplateError when there is no direct link or no basis."""
    template.stage(a), template.stage(b)  # NotFoundError for unknown ids
    if a in stages[b].requires:
        first, second = a, b
    elif b in stages[a].requires:
        first, second = b, a
    else:
        raise TemplateError(Message("licensing.err.parallel_not_direct", first=a, second=b),
                            source=f"template {template.name}", field="parallel")
    allow = next((o for o in stages[second].may_overlap if o.stage == first), None)
    if allow is None:
        raise TemplateError(Message("licensing.err.parallel_no_basis", first=first, second=second),
                            source=f"template {template.name}", field="parallel")
    return first, second, allow


def _overlap(stages: dict, first: str, second: str) -> None:
    """``second`` stops requiring ``first`` but inherits its prerequisites; what required ``second`` now also
    requires ``first``, so nothing downstream skips it (updates ``stages``)."""
    cur = stages[second]
    inherited = [p for p in stages[first].requires if p not in cur.requires and p != second]
    new_req = [p for p in cur.requires if p != first] + inherited
    stages[second] = cur.model_copy(update={"requires": new_req})
    # what came after `second` still waits for `first` (it did so through `second` before)
    for sid, st in list(stages.items()):
        if second in st.requires and first not in st.requires:
            stages[sid] = st.model_copy(update={"requires": [*st.requires, first]})


def _shorten_stages(template: Template, stages: dict, shorten: dict) -> list[str]:
    """Lever ``shorten``: each stage's duration less its days (:func:`_shorter`; updates ``stages``), one note each.

    The days must be a finite number, not negative; an InputError names the stage otherwise.
    """
    notes: list[str] = []
    for sid, days in shorten.items():
        st = template.stage(sid)
        try:
            days = float(days)
            if not math.isfinite(days):  # NaN or Infinity (a JSON or CSV input may hold them): not a count of days
                raise ValueError(days)
        except (TypeError, ValueError):
            raise InputError(Message("licensing.err.shorten_not_number", stage=sid, days=days), field="shorten") from None
        if days < 0:
            raise InputError(Message("licensing.err.shorten_negative", stage=sid, days=days), field="shorten")
        stages[sid] = stages[sid].model_copy(update={"duration": _shorter(stages[sid].duration, days)})
        kind = "statutory" if st.duration.statutory_days is not None else "estimate"
        notes.append(Note(f"licensing.note.shorten_{kind}", stage=sid, days=days))
    return notes


def _resolve_blockers(template: Template, snaps: dict, resolve: dict) -> list[str]:
    """Lever ``resolve``: a blocked stage's blocker is resolved on the date given (updates ``snaps``).

    A stage that is not blocked is left as it is, with a note saying so.
    """
    notes: list[str] = []
    for sid, when in resolve.items():
        template.stage(sid)
        when = _as_date(when, "resolve")
        snap = snaps.get(sid)
        if snap is None or snap.status != StageStatus.blocked:
            notes.append(Note("licensing.note.not_blocked", stage=sid,
                              status=snap.status.value if snap else "not_started"))
            continue
        snaps[sid] = replace(snap, expected_unblock=when)
        notes.append(Note("licensing.note.resolved", stage=sid, day=when.isoformat()))
    return notes


def whatif(template: Template, snapshots: dict[str, StageSnapshot] | None, start: date, today: date,
           calendar: WorkingCalendar | None, scenario: Scenario, *, runs: int = DEFAULT_RUNS, seed: int = 0) -> WhatIf:
    """Base and variant forecasts, the working days saved and the change in the critical path."""
    calendar = calendar or WorkingCalendar()
    template, _ = concrete(template)
    base = forecast(template, snapshots, start, today, calendar, runs=runs, seed=seed)
    tpl2, snaps2, notes = apply_scenario(template, snapshots, scenario)
    variant = forecast(tpl2, snaps2, start, today, calendar, runs=runs, seed=seed)
    before, after = set(base.critical_path), set(variant.critical_path)
    crit_b = {s.id for s in base.stages if s.slack == 0 and s.status not in (StageStatus.approved, StageStatus.waived)}
    crit_a = {s.id for s in variant.stages if s.slack == 0 and s.status not in (StageStatus.approved, StageStatus.waived)}
    ids = template.ids
    newly = [s for s in ids if (s in after or s in crit_a) and s not in before and s not in crit_b]
    gone = [s for s in ids if s in before and s not in after and s not in crit_a]
    return WhatIf(base=base, variant=variant, days_saved=base.finish_offset - variant.finish_offset,
                  newly_critical=newly, no_longer_critical=gone, notes=notes + variant.notes)
