"""Named, documented, configurable limits on what kawasan accepts.

Each limit protects the machine and the record from an input that is far beyond any real case (a
licensing plan of 131,000 stages, a 50 MB model description, a forecast needing 75 GiB). A value over
a limit is refused before any work starts, with a message that names the limit, the value found, the
limit and the environment variable that raises it: ``KAWASAN_LIMIT_<NAME>`` (upper case), for
example ``KAWASAN_LIMIT_PLAN_STAGES=5000``. The defaults are design choices of kawasan, not law; they
are listed in ``docs/reference/limits.md`` (a test checks the page against :data:`LIMITS`).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

from kawasan.errors import InputError
from kawasan.i18n import Message, each_language, format_number, t

MIB = 1024 ** 2
GIB = 1024 ** 3


@dataclass(frozen=True)
class Limit:
    """One limit: its name, default, unit and why it exists."""

    name: str
    default: float
    unit: str
    why: str

    @property
    def env(self) -> str:
        """The environment variable that overrides the default."""
        return f"KAWASAN_LIMIT_{self.name.upper()}"


LIMITS: dict[str, Limit] = {lim.name: lim for lim in (
    Limit("input_file_bytes", 512 * MIB, "bytes",
          "a text file read whole (model, template, weights, AHP matrix, plan or economic table)"),
    Limit("model_file_bytes", 1 * MIB, "bytes",
          "a model file; a run folder keeps a copy of its model, so a huge description would be copied "
          "into every run"),
    Limit("model_text_chars", 20_000, "characters",
          "one text field of a model (name, description, legal basis, note)"),
    Limit("plan_stages", 2_000, "stages",
          "the stages of one licensing template or imported plan (the largest built-in has about 40)"),
    Limit("forecast_memory_bytes", 2 * GIB, "bytes",
          "the memory of one Monte Carlo forecast: stages x runs x 8 bytes x 4 arrays"),
    Limit("max_distance_m", 200_000, "metres",
          "a criterion's max_distance or a setback: 200 km is wider than any regency's study area"),
    Limit("site_radius_m", 50_000, "metres", "the radius of a point site in sites check"),
)}


def limit(name: str) -> float:
    """The value of limit ``name``: ``KAWASAN_LIMIT_<NAME>`` when set (a positive finite number), else the default."""
    lim = LIMITS[name]
    raw = os.environ.get(lim.env)
    if raw is None or not raw.strip():
        return lim.default
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise InputError(Message("err.limits.expected_positive_finite_number", unit=Message(f"err.limits.unit.{lim.unit}"), raw=raw), source=lim.env)
    return value


def check_limit(name: str, value: float, *, source: str | None = None, field: str | None = None,
                error: type[InputError] = InputError, what: str = "") -> None:
    """Refuse ``value`` over limit ``name`` with a message naming the limit and how to raise it; ``what``
    (for example "1,000,000 runs x 10,000 stages need", a :class:`~kawasan.i18n.Message` to read in both
    languages) comes before the amount."""
    allowed = limit(name)
    if value > allowed:
        raise error(over_limit(name, value, allowed, what), source=source, field=field)


def over_limit(name: str, value: float, allowed: float, what: str = "") -> Message:
    """The message of a value over limit ``name``: the value, the limit, why it exists and how to raise it."""
    lim = LIMITS[name]
    parts = dict(amount=_amount(value, lim.unit), name=name, allowed=_amount(allowed, lim.unit),
                 why=Message(f"err.limits.why.{name}"), env=lim.env)
    if what:
        return Message("err.limits.exceeds_limit_set_raise", subject=what, **parts)
    return Message("err.limits.exceeds_limit", **parts)


def _amount(value: float, unit: str):
    """1234567 bytes -> '1.2 MiB (1,234,567 bytes)'; 2000 stages -> '2,000 stages': in each language, the unit
    in its words and the number with its separators (1.234.567 bita)."""
    def written(lang: str) -> str:
        word = t(f"err.limits.unit.{unit}", lang)
        if unit == "bytes" and value >= MIB:
            scale, binary = (GIB, "GiB") if value >= GIB else (MIB, "MiB")
            return f"{format_number(value / scale, ',.1f', lang)} {binary} ({format_number(value, ',.0f', lang)} {word})"
        if value >= 1e15:
            return f"{format_number(value, 'g', lang)} {word}"
        spec = ",.0f" if float(value).is_integer() else ",g"
        return f"{format_number(value, spec, lang)} {word}"
    return each_language(written)
