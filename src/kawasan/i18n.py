"""User-facing text in Bahasa Indonesia and English, and the one way numbers and dates are written.

Messages live in JSON catalogues (kawasan/locales/<lang>.json, plus one file per domain named
<lang>.<domain>.json, e.g. en.licensing.json), keyed by a stable id, with str.format placeholders.
The language comes from ``--lang`` or ``KAWASAN_LANG`` (default English). A key missing in one
language falls back to English; tests/test_i18n.py checks that both catalogues have the same keys
and placeholders, and tests/test_glossary.py that the Indonesian uses the glossary's terms.

Numbers and dates are formatted here and only here, by Babel (CLDR data), for the CLI, the reports
and the web app alike:

==========  ==================  ==================
            Bahasa Indonesia    English
==========  ==================  ==================
number      1.389,6             1,389.6
date        4 Desember 2026     4 December 2026
short date  4 Des 2026          4 Dec 2026
==========  ==================  ==================

A number placed in a message is written the same way: with a format spec (``{area:,.1f}``) the digits
are Python's (same rounding in both languages), the separators the language's; ``g`` specs (``{ha:g}``)
and a fraction without a spec (``{value}`` holding 1530.5) are grouped too (1.530,5 / 1,530.5). A whole
number without a spec (``{year}``, ``{row}``, ``{port}``, or 10000.0 held as a float) is written as its
plain digits.
"""
from __future__ import annotations

import json
import math
import os
import re
import string
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from numbers import Integral, Number, Real

from babel.dates import format_date
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

LANGUAGES = ("en", "id")
NOTHING = "–"   # what a missing number or date reads as


# ------------------------------------------------------------------------------------------ catalogues
@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language: <lang>.json merged with every <lang>.<domain>.json.

    A key defined in two files is an error (each domain owns its own keys).
    """
    folder = resources.files("kawasan.locales")
    names = sorted(f.name for f in folder.iterdir()
                   if f.name == f"{lang}.json" or (f.name.startswith(f"{lang}.") and f.name.endswith(".json")))
    merged: dict[str, str] = {}
    for name in names:
        part = json.loads(folder.joinpath(name).read_text(encoding="utf-8"))
        clash = sorted(set(part) & set(merged))
        if clash:
            raise RuntimeError(f"message keys defined twice in kawasan/locales ({name}): {', '.join(clash[:5])}")
        merged.update(part)
    return merged


def current_language(explicit: str | None = None) -> str:
    lang = (explicit or os.environ.get("KAWASAN_LANG") or "en").lower()[:2]
    return lang if lang in LANGUAGES else "en"


def t(key: str, lang: str = "en", **kw) -> str:
    """The message ``key`` in ``lang`` with its placeholders filled (numbers and dates for the language)."""
    text = catalogue(lang).get(key) or catalogue("en")[key]
    return _formatter(lang).vformat(text, (), kw) if kw else text


def has(key: str) -> bool:
    """Whether the catalogues define ``key``."""
    return key in catalogue("en")


def pick(value, lang: str):
    """A ``{"en": ..., "id": ...}`` label in ``lang`` (English when that language is missing); other values as
    they are."""
    if isinstance(value, (Message, Bilingual)):
        return value.text(lang)
    if isinstance(value, dict) and ("en" in value or "id" in value):
        return value.get(lang) or value.get("en") or value.get("id")
    return value


class Message(str):
    """An English text that can also be shown in the other language: it *is* the English ``str`` (code, logs and
    JSON that treat it as text keep working) and carries its catalogue key and values (``text(lang)``)."""

    key: str
    params: dict

    def __new__(cls, key: str, **params):
        msg = super().__new__(cls, t(key, "en", **{k: pick(v, "en") for k, v in params.items()}))
        msg.key, msg.params = key, params
        return msg

    def text(self, lang: str = "en") -> str:
        return t(self.key, lang, **{k: pick(v, lang) for k, v in self.params.items()})

    def __reduce__(self):        # pickled (a worker process's error) as its key and values, not its English
        return (_message, (self.key, self.params))


class Bilingual(str):
    """A text already written in each language (``{"en": ..., "id": ...}``), e.g. messages of a library joined or
    cleaned up by kawasan: it *is* the English ``str`` and ``text(lang)`` gives the other language, as a
    :class:`Message` does."""

    texts: dict

    def __new__(cls, texts: dict):
        obj = super().__new__(cls, texts.get("en") or next(iter(texts.values()), ""))
        obj.texts = dict(texts)
        return obj

    def text(self, lang: str = "en") -> str:
        return self.texts.get(lang) or str(self)

    def __reduce__(self):
        return (Bilingual, (self.texts,))


def each_language(make) -> Bilingual:
    """``make(lang)`` for every language, as one :class:`Bilingual` text."""
    return Bilingual({lang: make(lang) for lang in LANGUAGES})


def _message(key: str, params: dict) -> Message:
    return Message(key, **params)


def text_in(value, lang: str) -> str:
    """Any user-facing value in ``lang``: a :class:`Message` (or anything with ``text(lang)``), a bilingual
    ``{"en", "id"}`` dict, or plain text (shown as it is)."""
    if hasattr(value, "text") and callable(value.text) and isinstance(value, str):
        return value.text(lang)
    return str(pick(value, lang))


def from_english(text: str, keys) -> Message | None:
    """The :class:`Message` of ``keys`` whose English template reads ``text`` (simple ``{name}`` placeholders
    only), for text that was stored as English, e.g. a job's step in the database; None when none matches."""
    for key in keys:
        template = catalogue("en").get(key, "")
        names = re.findall(r"\{(\w+)\}", template)
        if re.search(r"\{\w+[:!]", template):
            continue
        pattern = "".join(f"(?P<{part}>.+?)" if i % 2 else re.escape(part)
                          for i, part in enumerate(re.split(r"\{(\w+)\}", template)))
        if len(set(names)) != len(names):
            continue
        m = re.fullmatch(pattern, text)
        if m:
            return Message(key, **m.groupdict())
    return None


def joined(items, sep: str = ", ") -> dict[str, str]:
    """A list for a message placeholder whose items may be catalogue words (``Message``, bilingual dicts): the
    list joined in each language, as a bilingual ``{"en", "id"}`` dict that :func:`pick` reads."""
    items = list(items)
    return {lang: sep.join(text_in(i, lang) for i in items) for lang in LANGUAGES}


def catalogued(text, group: str):
    """A caller's plain English word (a file kind such as "model file", an action such as "add users") as the
    catalogue's :class:`Message` ``<group>.<words_joined_by_underscores>`` when the catalogues have one, so
    it reads in both languages; anything else (a Message already, an unknown word) as it is."""
    if not isinstance(text, str) or isinstance(text, Message) or not text:
        return text
    key = f"{group}.{re.sub(r'[^a-z0-9]+', '_', text.lower()).strip('_')}"
    return Message(key) if has(key) else text


# ------------------------------------------------------------------------------------------ numbers
@lru_cache(maxsize=None)
def _symbols(lang: str) -> dict[str, str]:
    return {".": get_decimal_symbol(lang), ",": get_group_symbol(lang)}


def fmt_number(value, lang: str = "en", digits: int = 1, *, group: bool = True) -> str:
    """A number with ``digits`` decimals and the language's separators (1.389,6 / 1,389.6); "–" for None or NaN.

    The digits are rounded as Python's ``format`` rounds them (half to even on the exact binary value), so both
    languages show the same digits; Babel writes them with the language's symbols.
    """
    if value is None:
        return NOTHING
    x = float(value)
    if x != x:
        return NOTHING
    if _plain_symbols(lang):   # the fast path (a 100,000-row table): Python's digits, the language's symbols
        return localize_digits(format(x, f"{',' if group else ''}.{digits}f"), lang)
    exact = Decimal(format(x, f".{digits}f"))
    pattern = ("#,##0" if group else "0") + ("." + "0" * digits if digits else "")
    return format_decimal(exact, format=pattern, locale=lang, decimal_quantization=False)


@lru_cache(maxsize=None)
def _plain_symbols(lang: str) -> bool:
    """Whether Babel writes ``lang``'s numbers as Python does up to the two separators (a plain "-" for minus,
    groups of three): then :func:`fmt_number` swaps the separators instead of calling Babel per number
    (``tests/test_i18n.py`` checks the two agree)."""
    from babel.numbers import get_minus_sign_symbol

    probe = Decimal("-1234567.25")
    return get_minus_sign_symbol(lang) == "-" and \
        format_decimal(probe, format="#,##0.00", locale=lang, decimal_quantization=False) == \
        localize_digits("-1,234,567.25", lang)


def fmt_int(value, lang: str = "en") -> str:
    """A whole number with the language's thousands separator (10.000 / 10,000)."""
    return fmt_number(value, lang, 0)


def fmt_percent(share, lang: str = "en", digits: int = 1) -> str:
    """A share of 1 as a percentage with a space before the sign, as both languages write it ("1,6 %")."""
    if share is None or (isinstance(share, float) and share != share):
        return NOTHING
    return f"{fmt_number(float(share) * 100.0, lang, digits)} %"


def localize_digits(text: str, lang: str) -> str:
    """Separators of a number already written the English way (1,389.6) swapped for the language's."""
    sym = _symbols(lang)
    if sym == {".": ".", ",": ","}:
        return text
    return text.translate(str.maketrans({".": sym["."], ",": sym[","]}))


_SIMPLE_SPEC = re.compile(r"^(?P<group>,)?(?:\.(?P<digits>\d+))?(?P<kind>[fd]?)$")


def format_number(value, spec: str, lang: str = "en") -> str:
    """``format(value, spec)`` written for the language ("–" for None or NaN): ``format_number(1389.6, ",.1f", "id")``
    is "1.389,6"."""
    if value is None or (isinstance(value, float) and value != value):
        return NOTHING
    return _format_number(value, spec, lang)


_G_SPEC = re.compile(r"^(?P<head>[^.,_]*?)(?P<tail>(?:\.\d+)?[gG])$")


def _format_number(value, spec: str, lang: str) -> str:
    m = _SIMPLE_SPEC.match(spec)
    if m and (m["digits"] is not None or m["kind"] == "d" or isinstance(value, int)):
        digits = int(m["digits"] or 0)
        return fmt_number(value, lang, digits, group=bool(m["group"]))
    return localize_digits(format(value, _grouped_g(spec)), lang)   # widths, g/e/% formats: Python's text,
    #                                                                 the language's symbols


def _grouped_g(spec: str) -> str:
    """A ``g`` spec with thousands grouping (``g`` -> ``,g``, ``.3g`` -> ``,.3g``): a number written in its
    shortest form still reads 1.530,5 / 1,530.5, never 1530,5. Other specs as they are."""
    m = _G_SPEC.match(spec)
    return f"{m['head']},{m['tail']}" if m else spec


def certainty_tag(tag: str | None, lang: str = "en") -> str:
    """A certainty tag as shown ("V", "P; U"; "design" reads "rancangan" and "NOT FOUND" "TIDAK DITEMUKAN" in
    Indonesian); each part of a combined tag is shown in turn."""
    if not tag:
        return ""
    return "; ".join(t(f"certainty.tag.{p.strip()}", lang) if has(f"certainty.tag.{p.strip()}") else p.strip()
                     for p in str(tag).split(";"))


# ------------------------------------------------------------------------------------------ dates
def _as_date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def fmt_date(value, lang: str = "en", *, short: bool = False) -> str:
    """"4 Desember 2026" / "4 December 2026" (short: "4 Des 2026" / "4 Dec 2026"); "–" for nothing.

    Takes a date, a datetime or an ISO text (YYYY-MM-DD...)."""
    d = _as_date(value)
    if d is None:
        return NOTHING
    return format_date(d, "d MMM y" if short else "d MMMM y", locale=lang)


def fmt_month(value, lang: str = "en") -> str:
    """"Des 2026" / "Dec 2026"."""
    d = _as_date(value)
    return NOTHING if d is None else format_date(d, "MMM y", locale=lang)


def fmt_datetime(value, lang: str = "en") -> str:
    """"4 Desember 2026 09:30 UTC": the date for the language, the time in 24 hours (stored times are UTC)."""
    if not value:
        return NOTHING
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value            # a time written by something else (a hand-made manifest): shown as it is
    if value.utcoffset():
        value = value.astimezone(timezone.utc)
    return f"{fmt_date(value.date(), lang)} {value:%H:%M} UTC"


# ------------------------------------------------------------------------------------------ messages
class _LocaleFormatter(string.Formatter):
    """str.format for one language: a number with a format spec and a date are written for the language."""

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang

    def format_field(self, value, format_spec):
        if isinstance(value, Number) and not isinstance(value, bool) and format_spec:
            return _format_number(value, format_spec, self.lang)
        if isinstance(value, Real) and not isinstance(value, Integral) and not format_spec:
            if math.isfinite(value) and float(value).is_integer():
                return str(int(value))      # a whole number held as a float reads as an int does: its digits
            return _format_number(value, ",", self.lang)   # {value} of a float: shortest digits, grouped
        if isinstance(value, (date, datetime)) and format_spec in ("", "short"):
            return fmt_date(value, self.lang, short=format_spec == "short")
        return super().format_field(value, format_spec)


@lru_cache(maxsize=None)
def _formatter(lang: str) -> _LocaleFormatter:
    return _LocaleFormatter(lang)
