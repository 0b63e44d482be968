"""Indonesian working days: weekends, national holidays, joint leave, administrator overrides.

Rule: a day is a working day when it is Monday to Friday and neither a national holiday
(hari libur nasional) nor a joint leave day (cuti bersama), unless an administrator listed
it as an extra holiday (then it is not) or as an extra working day (then it is, even on a
weekend or holiday; the workday override wins).

Holidays come from the maintained ``holidays`` package (vacanza/holidays):
``holidays.country_holidays("ID", categories=("public", "government"))``. Its ``public``
category holds the national holidays (Keppres / SKB 3 Menteri), its ``government``
category the cuti bersama decreed for civil servants (ASN) by the yearly SKB 3 Menteri and
Keppres, e.g. "Cuti Bersama Hari Raya Idul Fitri". Licensing agencies are government
offices, so joint leave days are not working days for them. Islamic holidays of years
without a decree are the package's estimates (labelled "perkiraan"); an administrator
corrects them with ``extra_holidays`` / ``extra_workdays``.

Counting convention (the one SLA texts use: "within N working days after ..."): the day
after ``d`` is day 1, so ``add_working_days(d, n)`` is the n-th working day after ``d``
and ``working_days_between(a, b)`` counts the working days ``x`` with ``a < x <= b`` (for
``b < a``: minus those in ``[b, a)``); the two are inverse:
``working_days_between(d, add_working_days(d, n)) == n``.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import holidays as _holidays
import numpy as np

from kawasan.errors import InputError
from kawasan.i18n import Message

CATEGORIES = ("public", "government")
ADMIN_LABEL = "Ditetapkan administrator / set by an administrator"


def _as_date(value, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(Message("licensing.err.not_a_date", value=value), field=field) from None


def _beyond(d: date, n: int) -> InputError:
    return InputError(Message("licensing.err.beyond_calendar", days=int(n), day=d.isoformat()), field="duration")


class WorkingCalendar:
    """Working days of Indonesian government offices.

    ``extra_holidays``: dates (or ``(date, name)`` pairs) an administrator declares closed,
    e.g. a regional holiday or a late decree. ``extra_workdays``: dates declared open.
    """

    def __init__(self, extra_holidays: Iterable = (), extra_workdays: Iterable = ()):
        self._extra: dict[date, str] = {}
        for item in extra_holidays:
            if isinstance(item, (tuple, list)):
                d, name = item[0], (item[1] if len(item) > 1 else ADMIN_LABEL)
            else:
                d, name = item, ADMIN_LABEL
            self._extra[_as_date(d, "extra_holidays")] = str(name) or ADMIN_LABEL
        self._workdays = frozenset(_as_date(d, "extra_workdays") for d in extra_workdays)
        self._years: tuple[int, int] | None = None
        self._days = np.empty(0, dtype=np.int64)  # sorted ordinals of working days in the covered years
        self._lib: dict[int, dict[date, str]] = {}

    # ------------------------------------------------------------------ holidays
    def _library_year(self, year: int) -> dict[date, str]:
        if year not in self._lib:
            h = _holidays.country_holidays("ID", years=year, categories=CATEGORIES, language="id")
            self._lib[year] = {d: n for d, n in h.items()}
        return self._lib[year]

    def holidays(self, year: int) -> dict[date, str]:
        """Closed days of ``year`` with their names: national holidays, joint leave, administrator days.

        Workday overrides are removed. Weekends are not listed.
        """
        out = dict(self._library_year(year))
        out.update({d: n for d, n in self._extra.items() if d.year == year})
        return {d: out[d] for d in sorted(out) if d not in self._workdays}

    def is_working_day(self, d: date) -> bool:
        d = _as_date(d, "date")
        if d in self._workdays:
            return True
        if d.weekday() >= 5 or d in self._extra:
            return False
        return d not in self._library_year(d.year)

    # ------------------------------------------------------------------ index of working days
    def _cover(self, lo: int, hi: int) -> None:
        """Make the working-day index cover the years lo..hi (inclusive)."""
        if self._years and self._years[0] <= lo and hi <= self._years[1]:
            return
        if self._years:
            lo, hi = min(lo, self._years[0]), max(hi, self._years[1])
        first, last = date(lo, 1, 1).toordinal(), date(hi, 12, 31).toordinal()
        ords = np.arange(first, last + 1, dtype=np.int64)
        weekday = (ords - 1) % 7  # date.fromordinal(1) is a Monday
        ok = weekday < 5
        closed = set()
        for y in range(lo, hi + 1):
            closed.update(self._library_year(y))
        closed.update(self._extra)
        if closed:
            idx = np.array([c.toordinal() - first for c in closed if first <= c.toordinal() <= last], dtype=np.int64)
            ok[idx] = False
        if self._workdays:
            idx = np.array([w.toordinal() - first for w in self._workdays if first <= w.toordinal() <= last],
                           dtype=np.int64)
            ok[idx] = True
        self._days = ords[ok]
        self._years = (lo, hi)

    def _ensure(self, d: date, span: int = 0) -> None:
        # span: working days needed on either side; ~250 working days a year
        pad = span // 240 + 2
        self._cover(max(1, d.year - pad), min(9998, d.year + pad))

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (the day after ``d`` counts as day 1); n < 0 goes back.

        ``n == 0`` returns ``d`` itself.
        """
        d = _as_date(d, "date")
        n = int(n)
        if n == 0:
            return d
        self._ensure(d, abs(n))
        o = d.toordinal()
        if n > 0:
            i = int(np.searchsorted(self._days, o, side="right")) + n - 1
        else:
            i = int(np.searchsorted(self._days, o, side="left")) + n
        if not 0 <= i < len(self._days):
            raise _beyond(d, n)
        return date.fromordinal(int(self._days[i]))

    def working_days_between(self, a: date, b: date) -> int:
        """Working days ``x`` with ``a < x <= b``; when ``b < a``, minus the working days in ``[b, a)``.

        Either way ``working_days_between(d, add_working_days(d, n)) == n`` for every n.
        """
        a, b = _as_date(a, "date"), _as_date(b, "date")
        self._cover(max(1, min(a.year, b.year) - 1), min(9998, max(a.year, b.year) + 1))
        if b < a:
            return -int(np.searchsorted(self._days, a.toordinal(), side="left")
                        - np.searchsorted(self._days, b.toordinal(), side="left"))
        return int(np.searchsorted(self._days, b.toordinal(), side="right")
                   - np.searchsorted(self._days, a.toordinal(), side="right"))

    # ------------------------------------------------------------------ offsets (used by the forecast)
    def offsets(self, origin: date, days: Iterable[date]) -> np.ndarray:
        """For each date, the number of working days in [origin, day): negative before ``origin``."""
        origin = _as_date(origin, "start")
        days = list(days)
        years = [origin.year] + [x.year for x in days]
        self._cover(max(1, min(years) - 1), min(9998, max(years) + 1))
        base = np.searchsorted(self._days, origin.toordinal(), side="left")
        pos = np.searchsorted(self._days, np.array([x.toordinal() for x in days], dtype=np.int64), side="left")
        return (pos - base).astype(np.int64)

    def day_at(self, origin: date, offset: int) -> date:
        """The working day with ``offset`` working days in [origin, it): offset 0 is the first working day >= origin."""
        origin = _as_date(origin, "start")
        self._ensure(origin, abs(int(offset)))
        base = int(np.searchsorted(self._days, origin.toordinal(), side="left"))
        i = base + int(offset)
        while i >= len(self._days) or i < 0:
            lo, hi = self._years
            if lo <= 1 and hi >= 9998:  # the whole calendar is covered: the day does not exist
                raise _beyond(origin, offset)
            self._cover(max(1, lo - 5), min(9998, hi + 5))
            base = int(np.searchsorted(self._days, origin.toordinal(), side="left"))
            i = base + int(offset)
        return date.fromordinal(int(self._days[i]))
