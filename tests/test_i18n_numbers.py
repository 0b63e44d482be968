"""Every number placed in a catalogue message is written for the language: in Indonesian 1.530,5, never
1,530.5 or 1530.5 (kawasan.i18n's message formatter; ``{x:g}``, ``{x:,.2f}`` and a bare ``{x}`` holding a
fraction alike)."""
from __future__ import annotations

import re
import string

import pytest

from kawasan.i18n import _formatter, catalogue

SAMPLE_FRACTION = 1530.5
SAMPLE_WHOLE = 1530
# Written by Python or English rules: a decimal point or a comma grouping (1530.5, 1,530.5, 1,530, 1.53e+03).
ENGLISH = re.compile(r"(?<![\d.,])(1,530|1530\.\d|1\.53e)")
# Without grouping (1530,5 or 1530 for 1530.5): allowed only where the catalogue's spec asks for no grouping on
# a value that stays small or is a coordinate (a percent, a score, degrees, metres east) - listed here.
UNGROUPED = re.compile(r"(?<![\d.,])153[01](?![\d.])")
SMALL_OR_COORDINATE = {"percent", "share", "probability", "off", "factor", "growth", "coverage", "minimum",
                       "easting", "northing", "point_x", "point_y", "lat", "lon", "lat0", "lat1", "lon0", "lon1",
                       "ci", "cr", "lmax", "hhi", "score", "mean", "min", "max", "weight",
                       "area_east", "area_west", "area_north", "area_south",
                       "raster_east", "raster_west", "raster_north", "raster_south"}


def _fields(text: str) -> list[tuple[str, str, str | None]] | None:
    """(name, spec, conversion) of each placeholder; None for a text that is not a message template (a help
    text quoting JSON)."""
    try:
        parsed = [(f, spec, conv) for _lit, f, spec, conv in string.Formatter().parse(text) if f is not None]
    except ValueError:
        return None
    return parsed if all(f.isidentifier() for f, _s, _c in parsed) else None


def _samples(fields) -> dict:
    """A value per placeholder: text where it is ever shown with !r or !s ({path!r}), a whole number where a
    spec takes only those (0x{byte:02x}, {count:d}), else a fraction."""
    values = {}
    for f, spec, conv in fields:
        if conv or isinstance(values.get(f), str):
            values[f] = "teks"
        elif spec and spec[-1] in "xXobcd":
            values[f] = SAMPLE_WHOLE
        else:
            values.setdefault(f, SAMPLE_FRACTION)
    return values


def _render(key: str, values: dict) -> str:
    """The Indonesian message as kawasan.i18n.t fills it (a placeholder may be called ``key``)."""
    return _formatter("id").vformat(catalogue("id")[key], (), values)


def _numeric_messages():
    for key, text in sorted(catalogue("id").items()):
        fields = _fields(text)
        if fields:
            yield key, fields


def test_numeric_messages_are_found():
    keys = dict(_numeric_messages())
    assert len(keys) > 500
    assert ("min_area_ha", "g", None) in keys["run.note.sites.contiguous_area_suitable_cells"]


def test_every_number_in_an_indonesian_message_is_written_the_indonesian_way():
    wrong = []
    for key, fields in _numeric_messages():
        values = _samples(fields)
        text = _render(key, values)
        if ENGLISH.search(text):
            wrong.append(f"{key}: {text}")
        if _ungrouped(key, fields, values):
            wrong.append(f"{key} (no grouping): {text}")
    assert wrong == [], "\n".join(wrong[:40])


def _ungrouped(key: str, fields, values) -> bool:
    """Whether a placeholder that should be grouped is written without grouping (each in turn holds the
    sample, the others 7)."""
    for f, spec, conv in fields:
        if isinstance(values[f], str) or f in SMALL_OR_COORDINATE or (spec and spec[-1] in "xXobc"):
            continue
        alone = {g: values[g] if g == f or isinstance(values[g], str) else 7 for g in values}
        if UNGROUPED.search(_render(key, alone)):
            return True
    return False


@pytest.mark.parametrize("value, spec, en, id_", [
    (1530.5, "{x}", "1,530.5", "1.530,5"),
    (1530.5, "{x:g}", "1,530.5", "1.530,5"),
    (0.25, "{x:g}", "0.25", "0,25"),
    (1530, "{x}", "1530", "1530"),                   # a whole number without a spec: a year, a row, a port
    (1530.5, "{x:,.2f}", "1,530.50", "1.530,50"),
    (1234567.0, "{x:.3g}", "1.23e+06", "1,23e+06"),
])
def test_the_formatter_writes_numbers_per_language(value, spec, en, id_):
    assert _formatter("en").format(spec, x=value) == en
    assert _formatter("id").format(spec, x=value) == id_
