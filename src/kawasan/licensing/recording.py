"""Plausibility of a recorded date: is it far from every other date the project has?

A change recorded without a date is dated today; a project started long ago then gets a
stage that "happened" years after everything else, and its forecast runs from there. The
tracker does not refuse such a date (it may be true) but says so.

Rule (a kawasan design choice, not law): a date is *isolated* when every other recorded
status change of the project, and the project start, lies more than
:data:`DATE_GAP_WARNING_DAYS` calendar days away from it. The nearest of those dates is
reported with the gap, so the user can see which neighbour it is far from.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

DATE_GAP_WARNING_DAYS = 180
"""Calendar days (about half a year) beyond which a recorded date is called far from its neighbours."""


def isolated_date(day: date, recorded: Iterable[date], start: date) -> tuple[date, int] | None:
    """``(nearest date, gap in calendar days)`` when ``day`` is isolated (rule in the module doc), else None."""
    neighbours = [start, *recorded]
    nearest = min(neighbours, key=lambda d: (abs((day - d).days), d))
    gap = abs((day - nearest).days)
    return (nearest, gap) if gap > DATE_GAP_WARNING_DAYS else None
