"""Issue 14, defect 5: no CSV kawasan writes can run as a formula in a spreadsheet (OWASP's rule).

Every CSV writer of the product is exercised with names such as ``=cmd|' /C calc'!A0`` and
``=HYPERLINK(...)``: the six ``economy ... --csv`` commands, the run's setback tables and the web app's
portfolio and stage exports (those also in ``tests/test_web_escaping.py``). A plain negative number stays
a number. ``test_every_csv_writer_is_listed`` fails when a new writer appears in the code without going
through :mod:`kawasan.csvout`.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kawasan.cli.main import cli
from kawasan.csvout import FORMULA_START, dataframe_csv, safe_cell, to_csv
from kawasan.economics.sectors import SECTOR_CODES

SRC = Path(__file__).resolve().parents[1] / "src" / "kawasan"
EVIL = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://example.invalid/?x","klik")', "@SUM(1+1)*cmd|' /C calc'!A0",
        "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def _is_plain_number(cell: str) -> bool:
    return re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", cell) is not None


def _assert_safe(text: str) -> list[str]:
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    for c in cells:
        assert not c.startswith(FORMULA_START) or _is_plain_number(c), repr(c)
    return cells


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.sampled_from(EVIL)))
@settings(max_examples=300, deadline=None)
def test_safe_cell_never_starts_a_formula(value):
    cell = safe_cell(value)
    text = str(cell)
    assert not text.startswith(FORMULA_START) or _is_plain_number(text)
    if isinstance(value, str) and cell != value:
        assert cell == "'" + value      # only an apostrophe is added, nothing is lost


def test_plain_numbers_stay_numbers_and_formulas_do_not():
    assert safe_cell(-3.5) == -3.5 and safe_cell("-3.5") == "-3.5" and safe_cell("+62") == "+62"
    assert safe_cell("-1e-3") == "-1e-3" and safe_cell(True) == "True" and safe_cell(float("nan")) == ""
    for evil in EVIL:
        assert safe_cell(evil) == "'" + evil
    text = to_csv(["a", "=b"], [[EVIL[0], -1], ["ok", None]])
    assert _assert_safe(text) == ["a", "'=b", "'" + EVIL[0], "-1", "ok", ""]
    df = pd.DataFrame({"region": EVIL[:2], "value": [-1.5, 2.0], "n": [-1, 2]})
    back = pd.read_csv(io.StringIO(dataframe_csv(df)))
    assert list(back["region"]) == ["'" + e for e in EVIL[:2]]
    assert list(back["value"]) == [-1.5, 2.0] and list(back["n"]) == [-1, 2]


@pytest.fixture(scope="module")
def evil_table(tmp_path_factory):
    """A SYNTHETIC table whose region names are formula payloads (and one plain region as reference)."""
    d = tmp_path_factory.mktemp("evil")
    rng = np.random.default_rng(3)
    regions = [EVIL[0], EVIL[1], "@SUM(1+1)", "Provinsi P"]
    rows = [(r, s, y, round(float(rng.uniform(10, 1000)), 2)) for r in regions
            for y in range(2019, 2024) for s in SECTOR_CODES]
    pd.DataFrame(rows, columns=["region", "sector", "year", "value"]).to_csv(d / "synthetic.csv", index=False)
    return d / "synthetic.csv"


@pytest.mark.parametrize("args", [["lq", "--reference", "Provinsi P"], ["dlq", "--reference", "Provinsi P"],
                                  ["shiftshare", "--reference", "Provinsi P"], ["klassen", "--reference", "Provinsi P"],
                                  ["specialization", "--reference", "Provinsi P"], ["growth", "--by", "sector"]])
def test_every_economy_csv_is_safe(runner, evil_table, tmp_path, args):
    out = tmp_path / "out.csv"
    res = runner.invoke(cli, ["economy", args[0], str(evil_table), *args[1:], "--csv", str(out)])
    assert res.exit_code == 0, res.output
    cells = _assert_safe(out.read_text(encoding="utf-8"))
    if args[0] != "growth":
        assert any(c.startswith("'=cmd") for c in cells), cells[:20]
    if args[0] == "shiftshare":       # shifts are negative for some sectors: still plain numbers
        assert any(_is_plain_number(c) and c.startswith("-") for c in cells)


def test_setback_tables_are_safe(tmp_path):
    from kawasan.spatial.runs.folder import _write_setback_table

    rows = [{"feature": 1, "osm_id": 5, "name": EVIL[0], "class": "river", "decided_by": EVIL[1],
             "basis": "@x", "proxy": False, "rural_m": 50.0, "urban_m": -1.0, "length_m": 10.0, "area_m2": None}]
    rel = _write_setback_table(tmp_path, "river_setback", rows)
    cells = _assert_safe((tmp_path / rel).read_text(encoding="utf-8"))
    assert "'" + EVIL[0] in cells and "-1.0" in cells


def test_web_exports_use_the_one_writer():
    from kawasan.web import exports

    assert exports.safe_cell is safe_cell and exports.to_csv is to_csv
    text = exports.stages_csv({"stages": [{
        "id": "G1", "name": {"en": EVIL[0]}, "agency": "@A", "status": "pending", "due": None,
        "deemed_approved": None, "overdue_days": -3, "legal_basis": {"citation": EVIL[1], "tag": "U"},
        "reason": "+x"}]}, "en")
    cells = _assert_safe(text)
    assert "-3" in cells and "'" + EVIL[0] in cells


WRITERS = {   # every module that writes CSV itself, and what makes it safe
    "csvout.py": "safe_cell",
    "spatial/runs/folder.py": "safe_cell",
    "spatial/screening/run.py": "safe_cell",
    "web/planimport.py": "never an output",   # an in-memory copy re-read by the importer
}
USERS = {"cli/economy.py": "dataframe_csv", "web/exports.py": "from kawasan.csvout import"}


def test_every_csv_writer_is_listed():
    """A csv.writer, DictWriter or DataFrame.to_csv anywhere in the product must be in WRITERS (and be safe)."""
    found = set()
    for p in SRC.rglob("*.py"):
        rel = p.relative_to(SRC).as_posix()
        if rel.startswith("sampledata/"):   # SYNTHETIC inputs generated from fixed names, not exports
            continue
        text = p.read_text(encoding="utf-8")
        if re.search(r"csv\.writer\(|csv\.DictWriter\(|\.to_csv\(", text):
            found.add(rel)
            assert rel in WRITERS, f"{rel} writes CSV without being listed here"
            assert WRITERS[rel] in text, f"{rel} does not use {WRITERS[rel]}"
    assert found == set(WRITERS)
    for rel, marker in USERS.items():
        assert marker in (SRC / rel).read_text(encoding="utf-8"), rel
