"""Language of a request.

The language comes from the signed-in user's setting, else the ``kw_lang`` cookie, else Indonesian (the
browser's ``Accept-Language`` is not used: office computers often say English while their users read
Indonesian; the switch in the header changes it and persists). Texts are the message catalogues of
:mod:`kawasan.i18n` (``*.web.json``); dates ("4 Desember 2026") and numbers (1.389,6) are written by its
functions, re-exported here for the pages, as in the CLI and the reports.
"""
from __future__ import annotations

from kawasan.i18n import fmt_date, fmt_datetime, fmt_month, fmt_number, t  # noqa: F401 (the one formatting)

LANGS = ("id", "en")
DEFAULT = "id"
COOKIE = "kw_lang"


def pick_language(user_lang: str | None, cookie: str | None) -> str:
    for cand in (user_lang, cookie):
        if cand in LANGS:
            return cand
    return DEFAULT


def translator(lang: str):
    def _(key: str, **kw) -> str:
        return t(key, lang, **kw)
    return _
