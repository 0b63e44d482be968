"""Statutory clocks of a stage: due date, deemed-approval date, overdue and paused days.

Rules (all counts in working days of :class:`~kawasan.licensing.calendar.WorkingCalendar`):

* Only a stage with ``duration.statutory_days`` has a legal clock. It starts on the
  ``submitted`` date (the day the complete application was filed); the day after counts
  as day 1, so ``due = add_working_days(clock_start, statutory_days + paused_days)``.
* Clarification, rule ``pause``: the working days spent in clarification
  (``snapshot.clarification_days``, including a clarification still open today) are added
  to the deadline.
* Clarification, rule ``restart`` (the OSS-RBA practice: "a clarification request restarts
  the SLA clock from zero", REGULATIONS.md 3.2 [V]): the clock starts again on
  ``snapshot.clarification_answered`` (the day the answer was filed) with the full
  statutory days. While a clarification is open the restarted clock has not begun, so
  there is no due date. Without ``clarification_answered`` the clock falls back to the
  pause rule.
* Deemed approval (OSS "fiktif positif"): for a stage whose template says
  ``deemed_approval: true``, silence past the due date counts as approval on the next
  working day after ``due``. It is reported for a stage waiting on the agency
  (``submitted``), and for a stage approved only after that date (it was legally approved
  earlier). A clarification stops it.
* Overdue days: working days after ``due`` up to today (or up to the decision day for a
  decided stage); zero when on time.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kawasan.licensing.calendar import WorkingCalendar
from kawasan.licensing.states import StageStatus, parse_status
from kawasan.licensing.templates import Stage
from kawasan.i18n import Message


@dataclass
class StageSnapshot:
    """The real state of one stage today, as the storage layer derives it from the events.

    ``clarification_days``: working days spent in clarification so far (an open
    clarification counted up to today). ``clarification_answered``: the day the last
    clarification was answered (restarts a ``restart`` clock). ``blocked_since`` and
    ``expected_unblock`` describe an open blocker.
    """

    status: StageStatus = StageStatus.not_started
    started: date | None = None
    submitted: date | None = None
    finished: date | None = None
    clarification_days: int = 0
    blocked_since: date | None = None
    expected_unblock: date | None = None
    clarification_answered: date | None = None

    def __post_init__(self):
        self.status = parse_status(self.status)
        if self.clarification_days < 0:
            raise ValueError(Message("licensing.err.clocks.clarification_days_must"))


@dataclass(frozen=True)
class StageClock:
    due: date | None
    deemed_approved: date | None
    overdue_days: int
    paused_days: int
    statutory: bool

    def to_dict(self) -> dict:
        return {"due": self.due.isoformat() if self.due else None,
                "deemed_approved": self.deemed_approved.isoformat() if self.deemed_approved else None,
                "overdue_days": self.overdue_days, "paused_days": self.paused_days, "statutory": self.statutory}


_DECIDED = (StageStatus.approved, StageStatus.rejected, StageStatus.waived)


def stage_clock(stage: Stage, snapshot: StageSnapshot | None, calendar: WorkingCalendar, today: date) -> StageClock:
    """The statutory clock of ``stage`` given its real state ``snapshot`` on ``today``."""
    snap = snapshot or StageSnapshot()
    sla = stage.duration.statutory_days
    paused = int(snap.clarification_days)
    if sla is None or snap.submitted is None:
        return StageClock(None, None, 0, paused, sla is not None)
    status = snap.status
    restart = stage.clarification == "restart" and snap.clarification_answered is not None
    if stage.clarification == "restart" and status == StageStatus.clarification:
        # the restarted clock begins when the answer is filed: no due date while the question is open
        return StageClock(None, None, 0, paused, True)
    if restart:
        due = calendar.add_working_days(snap.clarification_answered, sla)
    else:
        due = calendar.add_working_days(snap.submitted, sla + paused)
    end = snap.finished if status in _DECIDED else today  # a decision without a date: not counted as late
    overdue = 0 if end is None or status == StageStatus.waived else max(0, calendar.working_days_between(due, end))
    deemed = None
    if stage.deemed_approval:
        deemed_day = calendar.add_working_days(due, 1)
        if status == StageStatus.submitted:
            deemed = deemed_day
        elif status == StageStatus.approved and snap.finished is not None and snap.finished >= deemed_day:
            deemed = deemed_day
    return StageClock(due, deemed, overdue, paused, True)
