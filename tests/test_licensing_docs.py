"""docs/reference/licensing-templates.md is checked against the code: fields, states, transitions, shipped stages."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kawasan.licensing import (
    DEFAULT_UNBLOCK_DAYS,
    Agency,
    Duration,
    LegalBasis,
    LocalText,
    Overlap,
    Stage,
    StageStatus,
    Template,
    allowed_transitions,
    builtin_names,
    builtin_template,
    reason_required,
)

DOC = Path(__file__).resolve().parents[1] / "docs" / "reference" / "licensing-templates.md"
TEXT = DOC.read_text(encoding="utf-8")


def section(heading: str) -> str:
    """The text under a markdown heading up to the next heading of the same or higher level."""
    m = re.search(rf"^(#+) {re.escape(heading)}\s*$", TEXT, flags=re.M)
    assert m, f"heading {heading!r} missing from {DOC.name}"
    level = len(m.group(1))
    rest = TEXT[m.end():]
    nxt = re.search(rf"^#{{1,{level}}} ", rest, flags=re.M)
    return rest[: nxt.start()] if nxt else rest


def first_column(text: str) -> list[str]:
    return re.findall(r"^\| `([A-Za-z_]+)` \|", text, flags=re.M)


@pytest.mark.parametrize("model", [Template, LocalText, Agency, Stage, LegalBasis, Duration, Overlap])
def test_every_field_documented_and_nothing_else(model):
    documented = first_column(section(f"`{model.__name__}`"))
    assert documented == list(model.model_fields), (
        f"{model.__name__}: documented {documented}, code has {list(model.model_fields)} (same order expected)")


def test_transition_table_matches_the_data():
    rows = re.findall(r"^\| `([a-z_]+)` \| (.+?) \|$", section("Stage states and transitions"), flags=re.M)
    table = {old: ([] if cell.strip() == "–" else re.findall(r"`([a-z_]+)`", cell)) for old, cell in rows}
    assert list(table) == [s.value for s in StageStatus]
    for old, new in table.items():
        assert new == [s.value for s in allowed_transitions(old)], old
    m = re.search(r"Reason required on entry: (.+)\.", TEXT)
    assert set(re.findall(r"`([a-z_]+)`", m.group(1))) == {s.value for s in StageStatus if reason_required(s)}


@pytest.mark.parametrize("name", builtin_names())
def test_shipped_template_tables_match(name):
    t = builtin_template(name)
    rows = re.findall(r"^\| ([A-Z]\d+) \| (.+?) \| (.+?) \| (.+?) \| (.+?) \| (.+?) \| (yes|no) \| (pause|restart) \|$",
                      section(f"`{name}` (REGULATIONS.md section {'3.3' if name == 'kawasan-industri' else '2.4'})"),
                      flags=re.M)
    assert [r[0] for r in rows] == t.ids
    for sid, name_en, agency, req, dur, tag, deemed, clar in rows:
        s = t.stage(sid)
        d = s.duration
        expect = (f"{d.statutory_days} statutory" if d.statutory_days is not None
                  else f"{d.min:g} / {d.likely:g} / {d.max:g} estimate")
        assert (name_en, agency, req, dur, tag, deemed, clar) == (
            s.name.en, s.agency, ", ".join(s.requires) or "–", expect, s.legal_basis.tag,
            "yes" if s.deemed_approval else "no", s.clarification), sid


def test_documented_constants():
    assert f"today + {DEFAULT_UNBLOCK_DAYS}" in TEXT
    for source in ("Kelley & Walker 1959", "Malcolm, Roseboom, Clark & Fazar 1959", "Vose 2008"):
        assert source in TEXT
