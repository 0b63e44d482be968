"""Derive each stage's clock inputs (StageSnapshot) from its event log, the source of truth.

Rules, applied to the stage's ``stage.status`` events in effective-date order (ties by event id):

- ``started``: the first move into ``in_progress`` (or, when a stage skipped it, the first move
  into ``submitted``, ``clarification``, ``approved`` or ``rejected``); after a rejection the
  application is redone, so the move out of ``rejected`` starts it again;
- ``submitted``: the first move into ``submitted`` (the day the complete application was filed);
  a new submission after a rejection is a new application: its clock starts again from that day
  (``submitted``, ``clarification_days`` and ``clarification_answered`` start afresh);
- ``clarification_days``: working days spent in ``clarification`` (each interval closed by the next
  status event, an open one by ``today``);
- ``clarification_answered``: the first move into ``submitted`` after the latest clarification
  request (the day the answer was filed; a ``restart`` clock starts again on it);
- ``finished``: the date of the move into ``approved`` or ``waived`` when that is the current state;
- ``blocked_since`` and ``expected_unblock``: from the block event when the stage is blocked now.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

FINISHED = ("approved", "waived")
ACTIVE = ("submitted", "clarification", "approved", "rejected")


@dataclass(frozen=True)
class StatusChange:
    """One ``stage.status`` event reduced to what the clocks need."""

    on: date
    old: str | None
    new: str
    expected_unblock: date | None = None


def derive(changes: list[StatusChange], status: str, clarification_rule: str, calendar, today: date):
    """The StageSnapshot of one stage (see the module docstring for the rules)."""
    from kawasan.licensing import StageSnapshot, StageStatus

    started = submitted = finished = blocked_since = expected_unblock = answered = None
    clar_days = 0
    clar_open: date | None = None
    awaiting_answer = False
    rejected = False  # a rejection since the last submission: the next submission is a new application
    for ch in changes:
        if clar_open is not None:
            clar_days += calendar.working_days_between(clar_open, ch.on)
            clar_open = None
        if started is None and (ch.new == "in_progress" or ch.new in ACTIVE):
            started = ch.on
        if ch.old == "rejected" and ch.new in ("in_progress", "submitted"):
            started = ch.on
        if ch.new == "rejected":
            rejected, awaiting_answer = True, False
        if ch.new == "submitted":
            if submitted is None or rejected:
                submitted, rejected = ch.on, False
                clar_days, answered, awaiting_answer = 0, None, False
            if awaiting_answer:
                answered, awaiting_answer = ch.on, False
        if ch.new == "clarification":
            clar_open = ch.on
            awaiting_answer = True
        if ch.new in FINISHED:
            finished = ch.on
        if ch.new == "blocked":
            blocked_since, expected_unblock = ch.on, ch.expected_unblock
    if clar_open is not None and today > clar_open:
        clar_days += calendar.working_days_between(clar_open, today)
    if status not in FINISHED:
        finished = None
    if status != "blocked":
        blocked_since = expected_unblock = None
    del clarification_rule  # the rule is applied by kawasan.licensing.stage_clock from the template
    return StageSnapshot(status=StageStatus(status), started=started, submitted=submitted, finished=finished,
                         clarification_days=clar_days, blocked_since=blocked_since,
                         expected_unblock=expected_unblock, clarification_answered=answered)
