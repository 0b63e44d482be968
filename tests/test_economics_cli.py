"""kawasan economy lq|dlq|shiftshare|klassen|specialization|growth, and the reference doc checked against them."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kawasan.cli.main import cli
from kawasan.economics.sectors import SECTOR_CODES
from kawasan.economics.tables import header_mapping

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "reference" / "economics.md"
COMMANDS = ["lq", "dlq", "shiftshare", "klassen", "specialization", "growth"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """A synthetic (labelled) 3-region x 5-year table and a population file."""
    d = tmp_path_factory.mktemp("econ")
    rng = np.random.default_rng(7)
    rows = [(r, s, y, round(float(rng.uniform(10, 1000)), 2)) for r in ("Kabupaten A", "Kabupaten B", "Provinsi P")
            for y in range(2019, 2024) for s in SECTOR_CODES]
    pd.DataFrame(rows, columns=["region", "sector", "year", "value"]).to_csv(d / "synthetic.csv", index=False)
    pd.DataFrame([(r, y, 1000 + i) for i, r in enumerate(("Kabupaten A", "Kabupaten B", "Provinsi P"))
                  for y in range(2019, 2024)], columns=["wilayah", "tahun", "jiwa"]).to_csv(d / "pop.csv", index=False)
    return d


def run(runner, *args):
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_lq_probolinggo_real_json(runner, shared_data):
    r = run(runner, "economy", "lq", shared_data / "economy" / "pdrb_17sector_2023_long.csv",
            "--region", "Kabupaten Probolinggo", "--reference", "Jawa Timur", "--year", "2023", "--json")
    assert r.exit_code == 0, r.output
    recs = json.loads(r.output)
    assert [x["sector"] for x in recs] == list(SECTOR_CODES)
    assert all(x["region"] == "Kabupaten Probolinggo" and isinstance(x["lq"], float) for x in recs)
    assert {x["sector"]: round(x["lq"], 3) for x in recs}["A"] == 3.111


def test_lq_human_output_in_indonesian(runner, shared_data):
    r = run(runner, "--lang", "id", "economy", "lq", shared_data / "economy" / "pdrb_17sector_2023_long.csv",
            "--region", "Kabupaten Probolinggo", "--reference", "Jawa Timur")
    assert r.exit_code == 0
    assert "Location quotient Kabupaten Probolinggo terhadap Jawa Timur, 2023" in r.output
    assert "Lapangan usaha" in r.output and "basis" in r.output


def test_klassen_regional_real_east_java(runner, shared_data, tmp_path):
    e = shared_data / "economy"
    out = tmp_path / "k.csv"
    r = run(runner, "economy", "klassen", e / "pdrb_total_jatim_2010_2023.csv", "--price-basis", "ADHK2010",
            "--type", "regional", "--population", e / "population_jatim_2010_2023_long.csv", "--json", "--csv", out)
    assert r.exit_code == 0, r.output
    recs = json.loads(r.output)
    assert len(recs) == 38 and {x["quadrant"] for x in recs} <= {"I", "II", "III", "IV"}
    assert len(pd.read_csv(out)) == 38


@pytest.mark.parametrize("args", [
    ["lq", "--region", "Kabupaten A", "--reference", "Provinsi P"],
    ["dlq", "--reference", "Provinsi P", "--start", "2019", "--end", "2023"],
    ["dlq", "--growth", "cagr", "--slq", "mean"],
    ["shiftshare", "--reference", "Provinsi P"],
    ["shiftshare", "--method", "esteban_marquillas"],
    ["shiftshare", "--method", "arcelus", "--series"],
    ["shiftshare", "--dynamic", "--region", "Kabupaten B"],
    ["klassen", "--reference", "Provinsi P"],
    ["specialization", "--reference", "Provinsi P"],
    ["specialization", "--localization"],
    ["growth", "--by", "sector"],
])
def test_commands_human_and_json(runner, sample, args):
    f = sample / "synthetic.csv"
    human = run(runner, "economy", args[0], f, *args[1:])
    assert human.exit_code == 0, human.output
    js = run(runner, "economy", args[0], f, *args[1:], "--json")
    assert js.exit_code == 0, js.output
    recs = json.loads(js.output)
    assert recs and all("region" in x and "sector" in x for x in recs)


def test_shiftshare_json_adds_up(runner, sample):
    r = run(runner, "economy", "shiftshare", sample / "synthetic.csv", "--region", "Kabupaten A", "--reference",
            "Provinsi P", "--start", "2019", "--end", "2023", "--json")
    for x in json.loads(r.output):
        assert x["national_share"] + x["industry_mix"] + x["competitive_shift"] == pytest.approx(x["change"])


def test_csv_output_written_atomically(runner, sample, tmp_path):
    out = tmp_path / "lq.csv"
    r = run(runner, "economy", "lq", sample / "synthetic.csv", "--reference", "Provinsi P", "--csv", out)
    assert r.exit_code == 0 and out.exists()
    assert list(pd.read_csv(out).columns[:4]) == ["region", "sector", "year", "lq"]
    assert not list(tmp_path.glob(".*tmp*"))


@pytest.mark.parametrize("args", [["lq"], ["dlq"], ["shiftshare"], ["klassen"], ["specialization"], ["growth"],
                                  ["klassen", "--type", "regional"], ["specialization", "--localization"]])
def test_csv_into_a_missing_folder_creates_it(runner, sample, tmp_path, args):
    # issue 11.7: `economy lq ... --csv results/lq.csv` failed when results/ did not exist
    out = tmp_path / "results" / "deeper" / "out.csv"
    r = run(runner, "economy", args[0], sample / "synthetic.csv", *args[1:], "--csv", out)
    assert r.exit_code == 0, r.output
    assert out.exists() and len(pd.read_csv(out)) > 0
    assert not list(out.parent.glob(".*tmp*"))


def test_csv_where_a_file_blocks_the_folder_exit_2(runner, sample, tmp_path):
    (tmp_path / "results").write_text("not a folder")
    r = run(runner, "economy", "lq", sample / "synthetic.csv", "--csv", tmp_path / "results" / "lq.csv")
    assert r.exit_code == 2 and "cannot create the folder" in r.output and "--csv" in r.output
    r = run(runner, "economy", "lq", sample / "synthetic.csv", "--csv", tmp_path)
    assert r.exit_code == 2 and "is a folder" in r.output


def _bad(tmp_path, rows, extra=""):
    p = tmp_path / "bad.csv"
    p.write_text("region,sector,year,value" + extra + "\n" + "\n".join(rows) + "\n")
    return p


def _good_rows(region="Kab. X", year=2023, value=10.0):
    return [f'{region},"{s}",{year},{value}' for s in SECTOR_CODES]


@pytest.mark.parametrize("case,expect", [
    ("missing", ["Kabupaten X", "2023", "missing sector", "B"]),
    ("negative", ["negative value -5", "Kabupaten X", "'C'", "2023"]),
    ("duplicate", ["duplicated rows", "Kabupaten X", "'C'", "2023", "10"]),
    ("total", ["stated total (PDRB) 200.00", "170.00", "+30.00", "Kabupaten X", "2023"]),
    ("text", ["value 'abc' is not a number", "Kabupaten X", "'C'", "2023"]),
    ("unknown", ["'Pariwisata'", "not a BPS lapangan usaha", "Kabupaten X", "2023"]),
])
def test_bad_input_exit_2_names_region_sector_year_value(runner, tmp_path, case, expect):
    rows = _good_rows()
    if case == "missing":
        rows = [r for r in rows if ',"B",' not in r]
    elif case == "negative":
        rows = [r.replace("10.0", "-5") if ',"C",' in r else r for r in rows]
    elif case == "duplicate":
        rows.append('Kab. X,"C",2023,10.0')
    elif case == "total":
        rows.append("Kab. X,PDRB,2023,200")
    elif case == "text":
        rows = [r.replace("10.0", "abc") if ',"C",' in r else r for r in rows]
    elif case == "unknown":
        rows.append("Kab. X,Pariwisata,2023,3")
    r = run(runner, "economy", "lq", _bad(tmp_path, rows), "--json")
    assert r.exit_code == 2
    err = json.loads(r.output.strip().splitlines()[-1])
    assert err["error"] == "TableError"
    for word in expect:
        assert word in err["message"], (word, err["message"])


def test_bad_input_mixed_price_basis_and_units(runner, tmp_path):
    rows = [r + ",ADHK2010" for r in _good_rows()]
    rows[3] = rows[3].replace("ADHK2010", "ADHB")
    r = run(runner, "economy", "lq", _bad(tmp_path, rows, ",price_basis"))
    assert r.exit_code == 2 and "mixed price bases" in r.output and "Kabupaten X" in r.output
    rows = [r + ",juta rupiah" for r in _good_rows()]
    rows[3] = rows[3].replace("juta rupiah", "miliar rupiah")
    r = run(runner, "economy", "lq", _bad(tmp_path, rows, ",satuan"))
    assert r.exit_code == 2 and "mixed units" in r.output and "'million IDR'" in r.output


def test_bad_region_and_years_exit_2(runner, sample):
    f = sample / "synthetic.csv"
    r = run(runner, "economy", "lq", f, "--region", "Kabupaten Z")
    assert r.exit_code == 2 and "region 'Kabupaten Z' is not in the table" in r.output
    r = run(runner, "economy", "shiftshare", f, "--start", "2023", "--end", "2019")
    assert r.exit_code == 2 and "must come after" in r.output
    r = run(runner, "economy", "lq", f, "--year", "1990")
    assert r.exit_code == 2 and "no values for year 1990" in r.output
    r = run(runner, "economy", "lq", sample / "absent.csv")
    assert r.exit_code == 2 and "file not found" in r.output


# --------------------------------------------------------------------------------------------- the doc


def test_doc_lists_every_command_and_every_json_field(runner, sample):
    text = DOC.read_text()
    for cmd in COMMANDS:
        assert f"### `kawasan economy {cmd}`" in text, cmd
    sections = dict(re.findall(r"### `kawasan economy (\w+)`\n(.*?)(?=\n### |\n## |\Z)", text, flags=re.S))
    f = sample / "synthetic.csv"
    runs = {
        "lq": [[]], "dlq": [[]], "growth": [[], ["--by", "region"]],
        "shiftshare": [["--method", m] for m in ("classic", "esteban_marquillas", "arcelus")]
        + [["--dynamic", "--method", m] for m in ("classic", "esteban_marquillas", "arcelus")],
        "klassen": [[], ["--type", "regional", "--population", sample / "pop.csv"]],
        "specialization": [[], ["--localization"]],
    }
    for cmd, variants in runs.items():
        documented = set(re.findall(r"`([A-Za-z_]+)`", sections[cmd]))
        for extra in variants:
            r = run(runner, "economy", cmd, f, *extra, "--json")
            assert r.exit_code == 0, r.output
            fields = set().union(*(rec.keys() for rec in json.loads(r.output)))
            missing = sorted(fields - documented)
            assert not missing, f"docs/reference/economics.md, {cmd} {extra}: fields not documented: {missing}"


def test_doc_header_mapping_matches_the_data_file():
    text = DOC.read_text()
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| (`.*`) \|$", text, flags=re.M))
    m = header_mapping()
    for role, names in m["roles"].items():
        assert role in rows, role
        assert re.findall(r"`([^`]+)`", rows[role]) == names, role
    unit_rows = dict(re.findall(r"^\| `([a-z_]+)` \| ([A-Za-z ]+) \|$", text, flags=re.M))
    for word, unit in m["units"].items():
        assert unit_rows.get(word) == unit, word
    price_rows = dict(re.findall(r"^\| `(ADHK2010|ADHB)` \| (`.*`) \|$", text, flags=re.M))
    for basis, words in m["price_bases"].items():
        assert re.findall(r"`([^`]+)`", price_rows[basis]) == words, basis


def test_doc_sector_table_matches_code():
    from kawasan.economics.sectors import SECTORS_17

    text = DOC.read_text()
    for s in SECTORS_17:
        assert f"| `{s.code}` | {s.name_id} | {s.name_en} |" in text, s.code


def test_guide_commands_exist():
    from click import Group

    guide = (ROOT / "docs" / "guide-economics.md").read_text()
    blocks = "\n".join(re.findall(r"```bash\n(.*?)```", guide, flags=re.S))
    used = set(re.findall(r"kawasan (?:--lang [a-z]+ )?economy ([a-z]+)", blocks))
    assert used >= {"lq", "dlq", "shiftshare", "klassen"}
    group = cli.commands["economy"]
    assert isinstance(group, Group)
    assert used <= set(group.commands), used - set(group.commands)


def test_partial_flag(runner, tmp_path):
    p = _bad(tmp_path, ['Kab. X,"C",2023,30', "Kab. X,PDRB,2023,100", 'Prov Y,"C",2023,300', "Prov Y,PDRB,2023,2000"])
    r = run(runner, "economy", "lq", p, "--reference", "Prov Y")
    assert r.exit_code == 2 and "missing sectors" in r.output and "--partial" in r.output
    r = run(runner, "economy", "lq", p, "--reference", "Prov Y", "--partial", "--json")
    assert r.exit_code == 0, r.output
    lq = {x["sector"]: x["lq"] for x in json.loads(r.output)}
    assert lq == {"C": pytest.approx((30 / 100) / (300 / 2000))}


def test_guide_figures_match_the_real_data(shared_data):
    """The numbers docs/guide-economics.md quotes for Kabupaten Probolinggo come out of the real BPS files."""
    from kawasan.economics import (
        average_growth, klassen_regional, location_quotient, read_population, read_table, specialization,
    )

    guide = (ROOT / "docs" / "guide-economics.md").read_text()
    e = shared_data / "economy"
    s = read_table(e / "pdrb_17sector_2023_long.csv")
    lq = location_quotient(s, "Kabupaten Probolinggo", "Jawa Timur", 2023).set_index("sector")
    assert f"LQ {lq.loc['A', 'lq']:.2f}" in guide and f"LQ {lq.loc['D', 'lq']:.2f}" in guide
    assert f"LQ {lq.loc['C', 'lq']:.2f}" in guide
    assert f"{lq.loc['C', 'share'] * 100:.1f} %" in guide and f"{lq.loc['C', 'reference_share'] * 100:.1f} %" in guide
    sp = specialization(s, "Kabupaten Probolinggo", "Jawa Timur").iloc[0]
    assert f"({sp['krugman']:.2f} for" in guide and f"({sp['herfindahl']:.2f} against {sp['herfindahl_reference']:.2f}" in guide
    t = read_table(e / "pdrb_total_jatim_2010_2023.csv", price_basis="ADHK2010")
    k = klassen_regional(t, read_population(e / "population_jatim_2010_2023_long.csv"), None, 2011, 2023)
    k = k.set_index("region").loc["Kabupaten Probolinggo"]
    assert k["quadrant"] == "IV" and "quadrant IV over 2011-2023" in guide
    assert f"{k['growth'] * 100:.2f} % a year" in guide and f"{k['reference_growth'] * 100:.2f} % for" in guide
    assert f"Rp {k['per_capita']:.1f} million against" in guide and f"Rp {k['reference_level']:.1f} million" in guide
    g = average_growth(t, 2010, 2023, by=("region",)).set_index("region").loc["Kabupaten Probolinggo"]
    assert f"grew {g['cagr'] * 100:.2f} % a year" in guide


@pytest.mark.parametrize("page", ["guide-economics.md", "reference/economics.md", "performance.md"])
def test_economics_pages_links_resolve(page):
    p = ROOT / "docs" / page
    for link in re.findall(r"\]\(([^)#]+)", p.read_text()):
        if not link.startswith("http"):
            assert (p.parent / link).resolve().exists(), f"{page}: broken link {link}"


def _zero_sector_table(path):
    """Two regions x two years; sector B is 0 everywhere (no LQ, no growth, so no DLQ class nor Klassen quadrant)."""
    rows = [(r, s, y, 0.0 if s == "B" else 100.0 + 10 * i + (y - 2022) * (5 + i))
            for r in ("Kabupaten A", "Provinsi P") for y in (2022, 2023) for i, s in enumerate(SECTOR_CODES)]
    pd.DataFrame(rows, columns=["region", "sector", "year", "value"]).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("cmd", ["lq", "dlq", "klassen"])
def test_human_output_with_a_sector_without_class(runner, tmp_path, cmd):
    # pandas >= 3 stores a missing quadrant/label as NaN: the table printed "nan" classes or crashed (KeyError)
    f = _zero_sector_table(tmp_path / "z.csv")
    r = run(runner, "economy", cmd, f, "--region", "Kabupaten A", "--reference", "Provinsi P")
    assert r.exit_code == 0, r.output
    line = next(ln for ln in r.output.splitlines() if ln.startswith("│ B "))
    assert "nan" not in line.lower() and "basis" not in line.lower() and line.rstrip("│ ").endswith("-")


def test_single_region_table_needs_a_reference(runner, tmp_path):
    # the default reference (sum of all regions) of a one-region table is the region itself: every LQ was 1
    rows = [("Kabupaten A", s, 2023, 10.0 + i) for i, s in enumerate(SECTOR_CODES)]
    f = tmp_path / "one.csv"
    pd.DataFrame(rows, columns=["region", "sector", "year", "value"]).to_csv(f, index=False)
    r = run(runner, "economy", "lq", f)
    assert r.exit_code == 2
    assert "one region ('Kabupaten A')" in r.output and "--reference" in r.output
