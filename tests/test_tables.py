"""CLI tables at 80 columns (issue 11, item 10): no number cut, no text cut, nothing wider than the terminal.

Commands run as in an 80-column terminal (TTY_COMPATIBLE, COLUMNS=80, NO_COLOR); every value the command
gives in --json must appear whole in the table, and no line may be longer than 80 characters.
"""
from __future__ import annotations

import json
import re

import pytest
from rich.console import Console

from kawasan.cli.main import cli
from kawasan.cli.output import Table

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TERMINAL_80 = {"TTY_COMPATIBLE": "1", "COLUMNS": "80", "NO_COLOR": "1", "LINES": "50"}


def in_terminal(runner, args):
    r = runner.invoke(cli, [str(a) for a in args], env=TERMINAL_80, catch_exceptions=False)
    assert r.exit_code == 0, r.output
    text = "\n".join(line.split("\r")[-1] for line in ANSI.sub("", r.output).splitlines())
    wide = [line for line in text.splitlines() if len(line) > 80 and ("│" in line or "┃" in line or "  " in line.strip())]
    assert not wide, "table lines wider than 80 columns:\n" + "\n".join(wide)
    return text


def _words(text: str) -> set[str]:
    return set(re.findall(r"\S+", text))


def render(table: Table, width: int) -> str:
    con = Console(width=width, record=True, highlight=False, soft_wrap=True, color_system=None)
    con.print(table)
    return con.export_text()


def test_helper_keeps_numbers_whole_and_wraps_text():
    t = Table(title="t")
    for col in ("rank", "area ha", "settlement m", "where"):
        t.add_column(col, justify="left" if col == "where" else "right")
    t.add_row("1", "1,164.2", "12,345", "Desa Sumberkerang, Kecamatan Gending; Kelurahan Panggungrejo")
    for width in (120, 80, 50, 30):
        out = render(t, width)
        assert max(len(line) for line in out.splitlines()) <= width, out
        for value in ("1,164.2", "12,345", "Sumberkerang,", "Panggungrejo"):
            assert value in _words(out), (width, value, out)
        assert "…" not in out


def test_helper_prints_records_when_columns_cannot_fit():
    t = Table(title="t")
    for i in range(8):
        t.add_column(f"column number {i}", justify="right")
    t.add_row(*[f"{10 ** 6 + i:,}" for i in range(8)])
    out = render(t, 60)
    assert "┃" not in out and all(f"{10 ** 6 + i:,}" in out for i in range(8))
    assert max(len(line) for line in out.splitlines()) <= 60


@pytest.fixture
def run_with_sites(demo_dir, tmp_path):
    import shutil

    out = tmp_path / "apht"
    shutil.copytree(demo_dir / "runs" / "apht", out)
    return out


@pytest.mark.parametrize("method", ["mean", "area_weighted", "topsis"])
def test_sites_rank_at_80_columns_shows_what_it_ranks_by(runner, run_with_sites, method):
    text = in_terminal(runner, ["sites", "rank", run_with_sites, "--by", method])
    sites = json.loads(runner.invoke(cli, ["sites", "rank", str(run_with_sites), "--by", method, "--json"]).output)
    words = _words(text)
    for s in sites:
        assert f"{s['area_ha']:,.1f}" in words and f"{s['score_mean']:.3f}" in words
        if method == "topsis":
            assert f"{s['rank_value']:.4f}" in words, "the TOPSIS closeness it ranked by is shown"
        if s["distance_m"]["settlement"] is not None:
            assert f"{s['distance_m']['settlement']:,.0f}" in words
    assert ("closeness" in words) == (method == "topsis")
    assert "cell centres" in text and "site's edge" in text, "the edge vs cell-centre note is printed"


def test_sensitivity_ahp_and_run_summary_at_80_columns(runner, run_with_sites, demo_dir, tmp_path):
    text = in_terminal(runner, ["sites", "sensitivity", run_with_sites, "-n", "100", "--no-map"])
    assert "P(top" in text
    in_terminal(runner, ["suitability", "run", "apht", "--data", demo_dir / "data", "--out", tmp_path / "r"])
    csv = tmp_path / "w.csv"
    names = ["arterial_road", "port", "labour", "slope", "land_use"]
    csv.write_text("," + ",".join(names) + "\n" + "\n".join(
        n + "," + ",".join("1" if i == j else ("3" if i < j else "1/3") for j in range(5)) for i, n in enumerate(names)))
    text = in_terminal(runner, ["ahp", csv])
    assert "Most inconsistent judgement" in text


def test_template_legal_basis_is_whole_at_80_columns(runner):
    """`template show apht`: the legal basis used to be cut at 80 characters mid-word."""
    from kawasan.licensing import builtin_template

    text = in_terminal(runner, ["template", "show", "apht"])
    flat = " ".join(text.split())
    for st in builtin_template("apht").stages:
        assert " ".join(st.legal_basis.text("en").split()) in flat, st.id


def test_economy_growth_numbers_whole_at_80_columns(runner, shared_data):
    table = shared_data / "economy" / "pdrb_17sector_2023_long.csv"
    pdrb = shared_data / "economy" / "pdrb_total_jatim_2010_2023.csv"
    text = in_terminal(runner, ["economy", "growth", pdrb, "--price-basis", "ADHK2010"])
    recs = json.loads(runner.invoke(cli, ["economy", "growth", str(pdrb), "--price-basis", "ADHK2010", "--json"]).output)
    assert recs and table.exists()
    words = _words(text)
    numbers = [w for w in words if re.fullmatch(r"-?[\d,]+\.\d+", w)]
    assert numbers, text[:500]
    assert f"{recs[0]['cagr'] * 100:.2f}" in words or any(f"{r.get('cagr', 0) * 100:.2f}" in words for r in recs), \
        "the growth rates are printed whole"
    cells = _words("\n".join(line for line in text.splitlines() if "│" in line))
    cut = [w for w in cells if re.fullmatch(r"-?[\d,]*\d[\d,]*\.?", w) and w.endswith((",", "."))]
    assert not cut, f"numbers cut at a separator: {cut[:5]}"


# commands that print no table: what they print is already a file format, or files are their output
NO_TABLE = {
    "demo": "a walkthrough; its outputs are files (run folders, reports, a database)",
    "serve": "runs the web server until stopped; the web app has its own JSON API",
    "worker": "runs analysis jobs until stopped; their state is in the web app and its JSON API",
    "report": "writes an HTML report",
    "economy report": "writes an HTML report",
    "suitability presets": "prints one preset name per line",
    "suitability show": "prints the preset as YAML",
    "suitability schema": "prints JSON Schema",
}


def test_every_command_that_prints_a_table_has_json():
    import click

    def walk(cmd, path):
        if isinstance(cmd, click.Group):
            for name, sub in sorted(cmd.commands.items()):
                yield from walk(sub, path + [name])
        else:
            yield " ".join(path), cmd

    missing = [name for name, cmd in walk(cli, []) if name not in NO_TABLE
               and "--json" not in {o for p in cmd.params for o in getattr(p, "opts", [])}]
    assert not missing, f"commands without --json: {missing}"
