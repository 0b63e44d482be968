"""Indonesian working days and statutory clocks.

Reference dates:
* 2026: SKB 3 Menteri on national holidays and cuti bersama 2026 (Menteri Agama,
  Menteri Ketenagakerjaan, Menteri PANRB, signed September 2025), as listed at
  https://web.archive.org/web/20260605113344/https://www.detik.com/hikmah/khazanah/d-8346579/libur-nasional-dan-cuti-bersama-2026-cek-jadwalnya-di-sini :
  Idul Fitri 1447 H on Saturday 21 and Sunday 22 March 2026; Nyepi Thursday 19 March;
  cuti bersama on 18 March (Nyepi), 20, 23 and 24 March (Idul Fitri), 16 February
  (Imlek), 15 May (Kenaikan), 28 May (Idul Adha) and 24 December (Natal).
* 2025: SKB 3 Menteri on national holidays and cuti bersama 2025,
  https://web.archive.org/web/20250413193349/https://setkab.go.id/pemerintah-tetapkan-hari-libur-nasional-dan-cuti-bersama-tahun-2025/ :
  Idul Fitri 1446 H on 31 March and 1 April 2025, cuti bersama 2, 3, 4 and 7 April 2025.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kawasan.errors import InputError
from kawasan.licensing import StageSnapshot, WorkingCalendar, builtin_template, stage_clock

CAL = WorkingCalendar()


@pytest.mark.parametrize("d", ["2026-03-18", "2026-03-19", "2026-03-20", "2026-03-23", "2026-03-24",
                               "2026-02-16", "2026-05-15", "2026-05-28", "2026-12-24", "2026-12-25",
                               "2026-08-17", "2025-03-31", "2025-04-01", "2025-04-02", "2025-04-03",
                               "2025-04-04", "2025-04-07", "2025-01-01"])
def test_closed_days(d):
    assert not CAL.is_working_day(date.fromisoformat(d))


@pytest.mark.parametrize("d", ["2026-03-17", "2026-03-25", "2025-04-08", "2026-11-27"])
def test_open_days(d):
    assert CAL.is_working_day(date.fromisoformat(d))


def test_weekends_closed():
    assert not CAL.is_working_day(date(2026, 11, 28)) and not CAL.is_working_day(date(2026, 11, 29))


def test_holiday_names_include_joint_leave():
    h = CAL.holidays(2026)
    assert "Cuti Bersama" in h[date(2026, 3, 23)] and "Idul Fitri" in h[date(2026, 3, 23)]
    assert "Idul Fitri" in h[date(2026, 3, 21)]
    assert sum("Cuti Bersama" in n for n in h.values()) == 8  # SKB 2026: eight cuti bersama days


def test_lebaran_2026_counting():
    # Tuesday 17 March 2026: the next working day is Wednesday 25 March (18-24 all closed)
    assert CAL.add_working_days(date(2026, 3, 17), 1) == date(2026, 3, 25)
    assert CAL.working_days_between(date(2026, 3, 17), date(2026, 3, 25)) == 1
    assert CAL.add_working_days(date(2026, 3, 25), -1) == date(2026, 3, 17)
    # 2025: from Thursday 27 March, day 1 is Tuesday 8 April (28 Mar cuti Nyepi, 31 Mar-7 Apr Lebaran)
    assert CAL.add_working_days(date(2025, 3, 27), 1) == date(2025, 4, 8)


def test_plain_week_counting():
    assert CAL.add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 30)  # Friday -> Monday
    assert CAL.add_working_days(date(2026, 11, 28), 1) == date(2026, 11, 30)  # Saturday -> Monday
    assert CAL.add_working_days(date(2026, 11, 30), 0) == date(2026, 11, 30)
    assert CAL.working_days_between(date(2026, 11, 23), date(2026, 11, 30)) == 5
    assert CAL.working_days_between(date(2026, 11, 30), date(2026, 11, 23)) == -5


def test_administrator_overrides():
    cal = WorkingCalendar(extra_holidays=[date(2026, 11, 30), ("2026-12-01", "Hari jadi Kabupaten")],
                          extra_workdays=["2026-12-24"])
    assert not cal.is_working_day(date(2026, 11, 30))
    assert cal.holidays(2026)[date(2026, 12, 1)] == "Hari jadi Kabupaten"
    assert cal.is_working_day(date(2026, 12, 24)) and date(2026, 12, 24) not in cal.holidays(2026)
    assert cal.add_working_days(date(2026, 11, 27), 1) == date(2026, 12, 2)
    # a Saturday made a working day
    cal2 = WorkingCalendar(extra_workdays=[date(2026, 11, 28)])
    assert cal2.add_working_days(date(2026, 11, 27), 1) == date(2026, 11, 28)


def test_bad_dates():
    with pytest.raises(InputError, match="'2026-13-01' is not a date; expected YYYY-MM-DD"):
        WorkingCalendar(extra_holidays=["2026-13-01"])
    with pytest.raises(InputError, match="expected YYYY-MM-DD"):
        CAL.add_working_days("27/11/2026", 3)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)), st.integers(-400, 400))
def test_add_and_between_are_inverse(d, n):
    e = CAL.add_working_days(d, n)
    assert CAL.working_days_between(d, e) == n
    if n > 0:
        assert CAL.is_working_day(e) and e > d
    if n < 0:
        assert CAL.is_working_day(e) and e < d


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)), st.integers(0, 40))
def test_between_counts_days_one_by_one(a, k):
    b = a + timedelta(days=k)
    naive = sum(CAL.is_working_day(a + timedelta(days=i)) for i in range(1, k + 1))
    assert CAL.working_days_between(a, b) == naive


# ----------------------------------------------------------------------------- clocks

G = builtin_template("kawasan-industri")
K = builtin_template("apht")


def test_clock_of_an_oss_stage_with_deemed_approval():
    g3 = G.stage("G3")  # 25 working days, fiktif positif, clarification restarts
    snap = StageSnapshot("submitted", started=date(2026, 10, 1), submitted=date(2026, 10, 5))
    c = stage_clock(g3, snap, CAL, date(2026, 10, 20))
    assert c.statutory and c.due == CAL.add_working_days(date(2026, 10, 5), 25) == date(2026, 11, 9)
    assert c.deemed_approved == date(2026, 11, 10) and c.overdue_days == 0
    late = stage_clock(g3, snap, CAL, date(2026, 11, 16))
    assert late.overdue_days == 5


def test_clock_restart_and_pause():
    g3 = G.stage("G3")
    open_q = StageSnapshot("clarification", submitted=date(2026, 10, 5), clarification_days=3)
    c = stage_clock(g3, open_q, CAL, date(2026, 10, 20))
    assert c.due is None and c.deemed_approved is None and c.paused_days == 3
    answered = StageSnapshot("submitted", submitted=date(2026, 10, 5), clarification_days=3,
                             clarification_answered=date(2026, 10, 22))
    c = stage_clock(g3, answered, CAL, date(2026, 10, 23))
    assert c.due == CAL.add_working_days(date(2026, 10, 22), 25)
    paused = g3.model_copy(update={"clarification": "pause"})
    c = stage_clock(paused, answered, CAL, date(2026, 10, 23))
    assert c.due == CAL.add_working_days(date(2026, 10, 5), 28) and c.paused_days == 3
    c = stage_clock(paused, StageSnapshot("clarification", submitted=date(2026, 10, 5), clarification_days=3),
                    CAL, date(2026, 10, 23))
    assert c.due == CAL.add_working_days(date(2026, 10, 5), 28) and c.deemed_approved is None


def test_clock_without_statute_or_submission():
    assert stage_clock(G.stage("G6"), StageSnapshot("submitted", submitted=date(2026, 1, 5)), CAL,
                       date(2026, 6, 1)).due is None
    c = stage_clock(G.stage("G3"), StageSnapshot("in_progress", started=date(2026, 1, 5)), CAL, date(2026, 6, 1))
    assert c.due is None and c.statutory
    assert stage_clock(G.stage("G3"), None, CAL, date(2026, 6, 1)).due is None


def test_clock_of_decided_stage():
    g3 = G.stage("G3")
    late = StageSnapshot("approved", submitted=date(2026, 10, 5), finished=date(2026, 11, 20))
    c = stage_clock(g3, late, CAL, date(2026, 12, 1))
    assert c.overdue_days == CAL.working_days_between(date(2026, 11, 9), date(2026, 11, 20))
    assert c.deemed_approved == date(2026, 11, 10)  # legally approved before the late decision
    on_time = StageSnapshot("approved", submitted=date(2026, 10, 5), finished=date(2026, 11, 2))
    c = stage_clock(g3, on_time, CAL, date(2026, 12, 1))
    assert c.overdue_days == 0 and c.deemed_approved is None


def test_no_deemed_approval_where_the_law_gives_none():
    k4 = K.stage("K2")  # statutory 25 days but fiktif positif not provided by the KKPR articles read
    c = stage_clock(k4, StageSnapshot("submitted", submitted=date(2026, 10, 5)), CAL, date(2026, 12, 1))
    assert c.due is not None and c.deemed_approved is None and c.overdue_days > 0


def test_snapshot_validation():
    with pytest.raises(Exception, match="unknown stage status"):
        StageSnapshot("done")
    with pytest.raises(ValueError):
        StageSnapshot("submitted", clarification_days=-1)


def test_decision_without_a_date_is_not_counted_late():
    g3 = G.stage("G3")
    c = stage_clock(g3, StageSnapshot("rejected", submitted=date(2026, 1, 5)), CAL, date(2026, 12, 1))
    assert c.due is not None and c.overdue_days == 0 and c.deemed_approved is None


def test_days_beyond_the_calendar_are_a_clear_error_not_a_hang():
    cal = WorkingCalendar()
    for n in (10**7, -10**7):
        with pytest.raises(InputError, match="outside the calendar"):
            cal.add_working_days(date(2026, 1, 5), n)
    with pytest.raises(InputError, match="outside the calendar"):
        cal.day_at(date(2026, 1, 5), 10**7)
