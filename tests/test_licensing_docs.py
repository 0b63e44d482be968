"""docs/reference/licensing-templates.md is checked against the code: fields, states, transitions, shipped stages."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from kawasan.licensing import (
    DEFAULT_UNBLOCK_DAYS,
    Agency,
    ChosenOption,
    Duration,
    LegalBasis,
    LocalText,
    OptionChoice,
    Overlap,
    Stage,
    StageChange,
    StageStatus,
    Template,
    TemplateOption,
    allowed_transitions,
    reason_required,
)
from kawasan.licensing.recording import DATE_GAP_WARNING_DAYS

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reference" / "licensing-templates.md"
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


@pytest.mark.parametrize("model", [Template, LocalText, Agency, Stage, LegalBasis, Duration, Overlap, StageChange,
                                   TemplateOption, OptionChoice, ChosenOption])
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


def test_shipped_templates_section_is_generated_from_the_templates():
    """Every stage, option, override and legal basis of the shipped templates, as scripts/gen_licensing_docs.py
    renders them from the YAML files: a template changed without regenerating the page fails here."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import gen_licensing_docs
    finally:
        sys.path.pop(0)
    assert gen_licensing_docs.replace(TEXT) == TEXT, "run scripts/gen_licensing_docs.py"
    for name in ("apht", "kawasan-industri"):
        assert f"### `{name}` version" in TEXT


def test_documented_constants():
    assert f"today + {DEFAULT_UNBLOCK_DAYS}" in TEXT
    assert f"more than {DATE_GAP_WARNING_DAYS} calendar" in TEXT
    for source in ("Kelley & Walker 1959", "Malcolm, Roseboom, Clark & Fazar 1959", "Vose 2008"):
        assert source in TEXT
