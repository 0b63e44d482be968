"""Language of a request and the formatting of dates and numbers (Babel, CLDR data).

The language comes from the signed-in user's setting, else the ``kw_lang`` cookie, else Indonesian (the
browser's ``Accept-Language`` is not used: office computers often say English while their users read
Indonesian; the switch in the header changes it and persists). Dates read "4 Desember 2026" / "4 December 2026"; numbers
1.389,6 / 1,389.6. Texts are the message catalogues of :mod:`kawasan.i18n` (``*.web.json``).
"""
from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date
from babel.numbers import format_decimal

from kawasan.i18n import t

LANGS = ("id", "en")
DEFAULT = "id"
COOKIE = "kw_lang"


def pick_language(user_lang: str | None, cookie: str | None) -> str:
    for cand in (user_lang, cookie):
        if cand in LANGS:
            return cand
    return DEFAULT


def fmt_date(value, lang: str, *, short: bool = False) -> str:
    """"4 Desember 2026" / "4 December 2026" (short: "4 Des 2026"); a dash for nothing."""
    if value in (None, ""):
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, "d MMM y" if short else "d MMMM y", locale=lang)


def fmt_month(value: date, lang: str) -> str:
    """"Des 2026" / "Dec 2026"."""
    return format_date(value, "MMM y", locale=lang)


def fmt_datetime(value, lang: str) -> str:
    if not value:
        return "–"
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{fmt_date(value.date(), lang)} {value:%H:%M} UTC"


def fmt_number(value, lang: str, digits: int = 1) -> str:
    if value is None:
        return "–"
    return format_decimal(round(float(value), digits), locale=lang, format=None if digits else "#,##0")


def translator(lang: str):
    def _(key: str, **kw) -> str:
        return t(key, lang, **kw)
    return _
