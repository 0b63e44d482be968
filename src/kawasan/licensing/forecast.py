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
    order = np.array([index[s] for s in template.topological_order()], dtype=np.int64)
    preds = [np.array([index[p] for p in st.requires], dtype=np.int64) for st in template.stages]
    days = _Days(start, today, calendar)
    notes: list[str] = []
    clocks = {}
    rows = []
    for st in template.stages:
        snap = snapshots.get(st.id) or StageSnapshot()
        clocks[st.id] = stage_clock(st, snap, calendar, today)
        rows.append(_stage_row(st, snap, clocks[st.id], days, notes))

    def column(name: str) -> np.ndarray:
        return np.array([getattr(r, name) for r in rows], dtype=np.float64)

    net = cpm.Network(ids=ids, preds=preds, order=order, mode=np.array([r.mode for r in rows], dtype=np.int8),
                      start=column("start"), end=column("end"), floor=column("floor"),
                      low=column("low"), likely=column("likely"), high=column("high"))
    return _Built(net, notes, clocks)


class _Days:
    """The day arithmetic of one forecast: working-day offsets from the project start, today, and
    ``now`` (today's offset, never before the start)."""

    def __init__(self, start: date, today: date, calendar: WorkingCalendar):
        self.start, self.today, self.calendar = start, today, calendar
        self.now = max(self.off(today), 0)

    def off(self, d: date) -> int:
        """Working days from the project start to ``d`` (negative before the start)."""
        return int(self.calendar.offsets(self.start, [d])[0])


@dataclass
class _Row:
    """One stage's entries in the arrays of a :class:`cpm.Network`: mode, fixed start and end, earliest
    finish (floor) and the low/likely/high duration of the rest, in working days from the project start."""

    mode: int
    start: float = 0.0
    end: float = 0.0
    floor: float = 0.0
    low: float = 0.0
    likely: float = 0.0
    high: float = 0.0


def _pert(st) -> tuple[float, float, float]:
    """(low, likely, high) working days of a stage's planned duration: likely is the planned days
    rounded up, and low <= likely <= high."""
    dur = st.duration
    lo_, li_, hi_ = float(dur.low), float(math.ceil(dur.planned)), float(dur.high)
    return min(lo_, li_), li_, max(hi_, li_)


def _stage_row(st, snap: StageSnapshot, clock, days: _Days, notes: list) -> _Row:
    """A stage's row by its real state today (rules in the module doc): done stages are fixed,
    pending ones wait for ``now``, blocked ones for the day they are unblocked, running ones go on."""
    status = snap.status
    first = snap.started or snap.submitted
    if status == StageStatus.approved:
        fin = snap.finished or days.today
        begin = days.off(first or fin)
        return _Row(cpm.FIXED, start=begin, end=max(days.off(fin + timedelta(days=1)), begin))
    if status == StageStatus.waived:
        at = days.off(snap.finished + timedelta(days=1)) if snap.finished else 0  # done on its day, like approved
        return _Row(cpm.FIXED, start=at, end=at)
    lo_, li_, hi_ = _pert(st)
    if status in (StageStatus.not_started, StageStatus.rejected):
        return _Row(cpm.PENDING, floor=days.now, low=lo_, likely=li_, high=hi_)
    if status == StageStatus.blocked:
        return _blocked_row(st, snap, first, days, notes)
    # in_progress, submitted, clarification
    begin = days.off(first or days.today)
    dur = st.duration
    if dur.statutory_days is not None and snap.submitted is not None and status != StageStatus.in_progress:
        return _statutory_row(st, clock, begin, days, notes)
    extra = float(snap.clarification_days) if dur.statutory_days is None else 0.0
    return _Row(cpm.STARTED, start=begin, floor=days.now + 1, low=lo_ + extra, likely=li_ + extra, high=hi_ + extra)


def _blocked_row(st, snap: StageSnapshot, first: date | None, days: _Days, notes: list) -> _Row:
    """A blocked stage: it waits until the expected unblock day (not before ``now``; without one,
    DEFAULT_UNBLOCK_DAYS from now, with a note); a started one is delayed by the days it stays blocked."""
    if snap.expected_unblock is not None:
        unblock = days.off(snap.expected_unblock)
        if unblock < days.now:
            notes.append(Note("licensing.note.unblock_passed", stage=st.id, day=snap.expected_unblock.isoformat()))
            unblock = days.now
    else:
        unblock = days.now + DEFAULT_UNBLOCK_DAYS
        notes.append(Note("licensing.note.unblock_default", stage=st.id, days=DEFAULT_UNBLOCK_DAYS))
    lo_, li_, hi_ = _pert(st)
    if first is None:
        return _Row(cpm.PENDING, floor=unblock, low=lo_, likely=li_, high=hi_)
    since = days.off(snap.blocked_since) if snap.blocked_since else days.now
    shift = max(unblock - since, 0)
    return _Row(cpm.STARTED, start=days.off(first), floor=unblock + 1, low=lo_ + shift, likely=li_ + shift,
                high=hi_ + shift)


def _statutory_row(st, clock, begin: int, days: _Days, notes: list) -> _Row:
    """A submitted stage with a statutory period: approved on the deemed day once that has passed (like
    an approval recorded that day: EF = the day after); else it ends on its due day (an open
    clarification under the restart rule is assumed answered today); overdue, it may take up to the
    statutory period more from now."""
    statutory = st.duration.statutory_days
    if clock.deemed_approved is not None and clock.deemed_approved <= days.today:
        notes.append(Note("licensing.note.deemed", stage=st.id, day=clock.deemed_approved.isoformat(),
                          days=statutory))
        return _Row(cpm.FIXED, start=begin, end=max(days.off(clock.deemed_approved + timedelta(days=1)), begin),
                    floor=days.now + 1)
    due = clock.due
    if due is None:  # restart rule, clarification open: assume it is answered today
        due = days.calendar.add_working_days(days.today, statutory)
        notes.append(Note("licensing.note.clarification_open", stage=st.id, due=due.isoformat()))
    end = days.off(due + timedelta(days=1)) - begin
    if clock.overdue_days > 0:
        base = days.now + 1 - begin
        notes.append(Note("licensing.note.overdue", stage=st.id, days=clock.overdue_days,
                          due=clock.due.isoformat()))
        return _Row(cpm.STARTED, start=begin, floor=days.now + 1, low=base, likely=base, high=base + statutory)
    return _Row(cpm.STARTED, start=begin, floor=days.now + 1, low=end, likely=end, high=end)


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
