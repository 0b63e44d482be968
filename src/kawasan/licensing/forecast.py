"""Forecast of a licensing project from today's real stage states: CPM plus PERT Monte Carlo.

How each stage enters the network (offsets in working days from the project start; see
:mod:`kawasan.licensing.cpm` for the CPM and Beta-PERT formulas and their sources):

* ``approved``: real dates (ES = its start, or submission, or finish; EF = the day after
  its finish).
* ``waived``: no longer holds anything up: zero duration at the end of its waiver date if
  given (like an approval that day), otherwise at the project start.
* ``not_started`` and ``rejected`` (the application has to be redone): waits for its
  prerequisites and cannot start before today.
* ``in_progress``: real start; elapsed + remaining, i.e. EF = start + duration, but not
  before the end of today.
* ``submitted`` / ``clarification`` on a statutory stage: EF = the day after the statutory
  due date of :func:`~kawasan.licensing.clocks.stage_clock` (a clarification pauses or
  restarts the clock as the template says; an open clarification under the restart rule
  is assumed answered today). When the deemed-approval ("fiktif positif") day has passed
  the stage counts as approved on that day. An overdue statutory stage without deemed
  approval finishes at the earliest at the end of today and, in the Monte Carlo, within at
  most one more statutory period: its remaining time is Beta-PERT(1, 1, statutory days)
  working days (documented overrun assumption, not law).
* ``submitted`` / ``clarification`` on an estimated stage: as in progress, plus the
  working days already spent in clarification.
* ``blocked``: nothing happens until the blocker is expected to be resolved
  (``expected_unblock``; without one, today + :data:`DEFAULT_UNBLOCK_DAYS` working days,
  and a blocker whose expected day has passed is assumed resolved today). A blocked stage
  that had started is stretched by the blocked time; one that had not started cannot
  start before the unblock day.

A template that still has options (not yet made concrete for a project) is forecast with
its default choices (:func:`kawasan.licensing.variants.choose_variant`), and a note says so.

Durations: statutory days are fixed; estimates use ``likely`` in the deterministic CPM and
Beta-PERT(min, likely, max) in the Monte Carlo. Deterministic durations are whole working
days (likely rounded up). P50 and P80 are the 50th and 80th percentiles of the simulated
finish, rounded up to whole working days, as calendar dates. Fixed seed: same inputs, same
answer.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from kawasan.errors import InputError
from kawasan.i18n import Message
from kawasan.licensing import cpm
from kawasan.licensing.calendar import WorkingCalendar
from kawasan.licensing.clocks import StageSnapshot, stage_clock
from kawasan.licensing.notes import Note, codes
from kawasan.licensing.states import StageStatus
from kawasan.licensing.templates import Template

DEFAULT_UNBLOCK_DAYS = 20
"""Working days a blocker without an expected resolution date is assumed to last (from today)."""

DEFAULT_RUNS = 10_000


@dataclass
class StageForecast:
    id: str
    es: int
    ef: int
    ls: int
    lf: int
    slack: int
    critical: bool
    start_date: date
    finish_date: date
    status: StageStatus
    agency: str = ""
    duration: int = 0
    actual: bool = False  # True when start and finish are real dates (approved / waived)
    due: date | None = None
    deemed_approved: date | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "es": self.es, "ef": self.ef, "ls": self.ls, "lf": self.lf, "slack": self.slack,
                "critical": self.critical, "start_date": self.start_date.isoformat(),
                "finish_date": self.finish_date.isoformat(), "status": self.status.value, "agency": self.agency,
                "duration": self.duration, "actual": self.actual,
                "due": self.due.isoformat() if self.due else None,
                "deemed_approved": self.deemed_approved.isoformat() if self.deemed_approved else None}


@dataclass
class Forecast:
    finish: date
    critical_path: list[str]
    p50: date
    p80: date
    stages: list[StageForecast]
    start: date | None = None
    today: date | None = None
    finish_offset: int = 0
    p50_offset: int = 0
    p80_offset: int = 0
    runs: int = 0
    seed: int = 0
    template: str = ""
    notes: list[str] = field(default_factory=list)

    def stage(self, stage_id: str) -> StageForecast:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise KeyError(stage_id)

    def to_dict(self) -> dict:
        """The JSON object of ``kawasan project forecast --json``."""
        return {"finish": self.finish.isoformat(), "critical_path": list(self.critical_path),
                "p50": self.p50.isoformat(), "p80": self.p80.isoformat(),
                "stages": [s.to_dict() for s in self.stages],
                "start": self.start.isoformat() if self.start else None,
                "today": self.today.isoformat() if self.today else None,
                "finish_offset": self.finish_offset, "p50_offset": self.p50_offset, "p80_offset": self.p80_offset,
                "unit": "working days from the project start",
                "method": {"cpm": "Kelley & Walker 1959", "uncertainty": "Beta-PERT Monte Carlo (Malcolm et al. 1959; "
                           "Vose 2008)", "runs": self.runs, "seed": self.seed},
                "template": self.template, "notes": [str(n) for n in self.notes], "note_codes": codes(self.notes)}


@dataclass
class _Built:
    net: cpm.Network
    notes: list[str]
    clocks: dict


def build_network(template: Template, snapshots: dict[str, StageSnapshot] | None, start: date, today: date,
                  calendar: WorkingCalendar) -> _Built:
    """Translate the template and today's real states into a :class:`cpm.Network` (rules in the module doc)."""
    snapshots = dict(snapshots or {})
    unknown = sorted(set(snapshots) - set(template.ids))
    if unknown:
        raise InputError(Message("licensing.err.unknown_stages", unknown=", ".join(unknown), template=template.name,
                                 ids=", ".join(template.ids)), field="stage")
    ids = template.ids
    index = {s: i for i, s in enumerate(ids)}
    n = len(ids)
    order = np.array([index[s] for s in template.topological_order()], dtype=np.int64)
    preds = [np.array([index[p] for p in st.requires], dtype=np.int64) for st in template.stages]
    mode = np.zeros(n, dtype=np.int8)
    s_arr, e_arr, floor = np.zeros(n), np.zeros(n), np.zeros(n)
    low, likely, high = np.zeros(n), np.zeros(n), np.zeros(n)
    notes: list[str] = []
    clocks = {}

    def off(d: date) -> int:
        return int(calendar.offsets(start, [d])[0])

    now = max(off(today), 0)
    for i, st in enumerate(template.stages):
        snap = snapshots.get(st.id) or StageSnapshot()
        dur = st.duration
        lo_, li_, hi_ = float(dur.low), float(math.ceil(dur.planned)), float(dur.high)
        lo_, hi_ = min(lo_, li_), max(hi_, li_)
        clock = stage_clock(st, snap, calendar, today)
        clocks[st.id] = clock
        status = snap.status
        first = snap.started or snap.submitted
        if status == StageStatus.approved:
            fin = snap.finished or today
            begin = first or fin
            mode[i], s_arr[i] = cpm.FIXED, off(begin)
            e_arr[i] = max(off(fin + timedelta(days=1)), s_arr[i])
            continue
        if status == StageStatus.waived:
            at = off(snap.finished + timedelta(days=1)) if snap.finished else 0  # done on its day, like approved
            mode[i], s_arr[i], e_arr[i] = cpm.FIXED, at, at
            continue
        if status in (StageStatus.not_started, StageStatus.rejected):
            mode[i], floor[i] = cpm.PENDING, now
            low[i], likely[i], high[i] = lo_, li_, hi_
            continue
        if status == StageStatus.blocked:
            if snap.expected_unblock is not None:
                unblock = off(snap.expected_unblock)
                if unblock < now:
                    notes.append(Note("licensing.note.unblock_passed", stage=st.id,
                                      day=snap.expected_unblock.isoformat()))
                    unblock = now
            else:
                unblock = now + DEFAULT_UNBLOCK_DAYS
                notes.append(Note("licensing.note.unblock_default", stage=st.id, days=DEFAULT_UNBLOCK_DAYS))
            if first is None:
                mode[i], floor[i] = cpm.PENDING, unblock
                low[i], likely[i], high[i] = lo_, li_, hi_
            else:
                since = off(snap.blocked_since) if snap.blocked_since else now
                shift = max(unblock - since, 0)
                mode[i], s_arr[i], floor[i] = cpm.STARTED, off(first), unblock + 1
                low[i], likely[i], high[i] = lo_ + shift, li_ + shift, hi_ + shift
            continue
        # in_progress, submitted, clarification
        begin = first or today
        mode[i], s_arr[i], floor[i] = cpm.STARTED, off(begin), now + 1
        if dur.statutory_days is not None and snap.submitted is not None and status != StageStatus.in_progress:
            if clock.deemed_approved is not None and clock.deemed_approved <= today:
                # approved on the deemed day, like an approval recorded that day (EF = the day after)
                mode[i], e_arr[i] = cpm.FIXED, max(off(clock.deemed_approved + timedelta(days=1)), s_arr[i])
                notes.append(Note("licensing.note.deemed", stage=st.id, day=clock.deemed_approved.isoformat(),
                                  days=dur.statutory_days))
                continue
            due = clock.due
            if due is None:  # restart rule, clarification open: assume it is answered today
                due = calendar.add_working_days(today, dur.statutory_days)
                notes.append(Note("licensing.note.clarification_open", stage=st.id, due=due.isoformat()))
            end = off(due + timedelta(days=1)) - s_arr[i]
            if clock.overdue_days > 0:
                base = now + 1 - s_arr[i]
                low[i], likely[i], high[i] = base, base, base + dur.statutory_days
                notes.append(Note("licensing.note.overdue", stage=st.id, days=clock.overdue_days,
                                  due=clock.due.isoformat()))
            else:
                low[i] = likely[i] = high[i] = end
            continue
        extra = float(snap.clarification_days) if dur.statutory_days is None else 0.0
        low[i], likely[i], high[i] = lo_ + extra, li_ + extra, hi_ + extra
    net = cpm.Network(ids=ids, preds=preds, order=order, mode=mode, start=s_arr, end=e_arr, floor=floor,
                      low=low, likely=likely, high=high)
    return _Built(net, notes, clocks)


def concrete(template: Template) -> tuple[Template, list[str]]:
    """The template itself, or its default variant (and a note) when its options were not chosen."""
    if not template.options:
        return template, []
    from kawasan.licensing.variants import choose_variant

    variant = choose_variant(template)
    chosen = ", ".join(f"{c.key}={c.value}" for c in variant.chosen)
    return variant, [Note("licensing.note.options_default", chosen=chosen)]


FORECAST_ARRAYS = 4   # sampled durations, early starts, early finishes, and one temporary of the same shape


def forecast_memory(stages: int, runs: int) -> int:
    """Bytes the Monte Carlo forecast holds at once: stages x runs x 8 bytes (float64) x FORECAST_ARRAYS."""
    return stages * runs * 8 * FORECAST_ARRAYS


def check_forecast_memory(stages: int, runs: int) -> None:
    """Refuse, before any array is allocated, a forecast over the limit ``forecast_memory_bytes``."""
    from kawasan.limits import check_limit

    check_limit("forecast_memory_bytes", forecast_memory(stages, runs), field="runs",
                what=f"{runs:,} runs x {stages:,} stages need")


def forecast(template: Template, snapshots: dict[str, StageSnapshot] | None, start: date, today: date,
             calendar: WorkingCalendar | None = None, *, runs: int = DEFAULT_RUNS, seed: int = 0) -> Forecast:
    """CPM schedule, critical path, and P50/P80 completion dates of a project on ``today``."""
    if runs < 1:
        raise InputError(Message("licensing.err.runs", runs=runs), field="runs")
    if seed < 0:
        raise InputError(Message("licensing.err.seed", seed=seed), field="seed")
    calendar = calendar or WorkingCalendar()
    template, defaulted = concrete(template)
    built = build_network(template, snapshots, start, today, calendar)
    built.notes[:0] = defaulted
    net = built.net
    check_forecast_memory(len(net.likely), runs)
    es, ef = cpm.forward(net, net.likely)
    ls, lf, slack = cpm.backward(net, es, ef)
    path = cpm.critical_path(net, es, ef, slack)
    on_path = set(path)
    finish_off = int(round(ef.max()))
    _, ef_runs = cpm.forward(net, cpm.sample_durations(net, runs, seed))
    finish_runs = ef_runs.max(axis=0)
    q50, q80 = np.quantile(finish_runs, [0.5, 0.8])
    p50_off, p80_off = int(math.ceil(q50 - 1e-9)), int(math.ceil(q80 - 1e-9))

    def end_date(offset: int) -> date:
        # offset 0 (nothing left to do, e.g. every stage waived without a date): the start, not the day before
        return calendar.day_at(start, max(offset, 1) - 1)

    snaps = snapshots or {}
    stages = []
    for i, st in enumerate(template.stages):
        snap = snaps.get(st.id) or StageSnapshot()
        e, f = int(round(es[i])), int(round(ef[i]))
        actual = net.mode[i] == cpm.FIXED and snap.status in (StageStatus.approved, StageStatus.waived)
        if actual and snap.finished:
            sd = snap.started or snap.submitted or snap.finished
            fd = snap.finished
        else:
            sd = calendar.day_at(start, e)
            fd = end_date(f) if f > e else sd
        clock = built.clocks[st.id]
        stages.append(StageForecast(
            id=st.id, es=e, ef=f, ls=int(round(ls[i])), lf=int(round(lf[i])), slack=int(round(slack[i])),
            critical=st.id in on_path, start_date=sd, finish_date=fd, status=snap.status, agency=st.agency,
            duration=f - e, actual=bool(actual), due=clock.due, deemed_approved=clock.deemed_approved))
    return Forecast(finish=end_date(finish_off), critical_path=path, p50=end_date(p50_off), p80=end_date(p80_off),
                    stages=stages, start=start, today=today, finish_offset=finish_off, p50_offset=p50_off,
                    p80_offset=p80_off, runs=runs, seed=seed, template=template.name, notes=built.notes)
