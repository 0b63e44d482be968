"""A recorded date far from every other date of the project (kawasan.licensing.recording)."""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from kawasan.licensing.recording import DATE_GAP_WARNING_DAYS, isolated_date

START = date(2025, 1, 6)


def test_far_from_the_start_and_from_the_other_changes():
    assert isolated_date(date(2026, 12, 1), [], START) == (START, (date(2026, 12, 1) - START).days)
    assert isolated_date(START + timedelta(days=DATE_GAP_WARNING_DAYS), [], START) is None
    assert isolated_date(START + timedelta(days=DATE_GAP_WARNING_DAYS + 1), [], START) == (
        START, DATE_GAP_WARNING_DAYS + 1)
    recorded = [date(2025, 5, 5), date(2025, 6, 13)]
    assert isolated_date(date(2025, 9, 1), recorded, START) is None  # 80 days after the last change
    assert isolated_date(date(2026, 9, 1), recorded, START) == (date(2025, 6, 13), 445)


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.lists(st.dates(date(2020, 1, 1), date(2030, 12, 31)),
                                                                max_size=6))
def test_the_nearest_neighbour_decides(day, recorded):
    far = isolated_date(day, recorded, START)
    gaps = [abs((day - d).days) for d in [START, *recorded]]
    assert (far is None) == (min(gaps) <= DATE_GAP_WARNING_DAYS)
    if far:
        assert far[1] == min(gaps)
