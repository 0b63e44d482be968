"""One naming convention for the SLQ x DLQ classes and the Klassen quadrants, the same in both languages and in
every output (CLI tables, --json, CSV, the report and its charts), and the Indonesian words of the economics and
potential catalogues (issue 10.13, 10.15)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kawasan.cli.main import cli
from kawasan.economics.classes import KLASSEN_LABELS, KLASSEN_QUADRANTS, LQ_CLASS_RULES, LQ_CLASSES
from kawasan.economics.indicators import classify_quadrant, klassen_regional
from kawasan.economics.sectors import SECTOR_CODES
from kawasan.economics.tables import RegionalTable
from kawasan.i18n import catalogue

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "src" / "kawasan" / "locales"


def run(runner, *args):
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def four_classes(tmp_path_factory):
    """SYNTHETIC: region R against N over 2020-2022, built so that sectors A, B, C, D fall in the four SLQ x DLQ
    classes (A basis and gaining, B not basis and gaining, C basis and losing ground, D neither)."""
    growth_r = {"A": 1.30, "B": 1.30, "C": 0.90, "D": 0.90}
    share_r = {"A": 3.0, "B": 0.5, "C": 3.0, "D": 0.5}
    rows = []
    for y, k in ((2020, 0), (2021, 1), (2022, 2)):
        for s in SECTOR_CODES:
            rows.append(("N", s, y, 100.0))
            rows.append(("R", s, y, 10.0 * share_r.get(s, 1.0) * growth_r.get(s, 1.0) ** k))
    path = tmp_path_factory.mktemp("classes") / "four.csv"
    pd.DataFrame(rows, columns=["region", "sector", "year", "value"]).to_csv(path, index=False)
    return path


def test_rules_of_the_four_classes():
    q = classify_quadrant([2.0, 0.5, 2.0, 0.5, 1.0, 1.0], [2.0, 2.0, 0.5, 0.5, 1.0, 1.5])
    assert list(q) == ["unggulan", "andalan", "prospektif", "tertinggal", "tertinggal", "andalan"]
    assert tuple(LQ_CLASS_RULES) == LQ_CLASSES


@pytest.mark.parametrize("lang", ["en", "id"])
def test_class_names_are_the_same_words_in_both_languages(lang):
    cat = catalogue(lang)
    for code in LQ_CLASSES:
        assert cat[f"econ.lq_class.{code}"].startswith(code + " ("), code
    for variant in KLASSEN_LABELS:
        for q in KLASSEN_QUADRANTS:
            assert cat[f"econ.klassen.{variant}.{q}"].startswith(q + " ")
    # the Indonesian Klassen names appear in the English labels too
    for variant in KLASSEN_LABELS:
        for q in KLASSEN_QUADRANTS:
            name_id = catalogue("id")[f"econ.klassen.{variant}.{q}"].split(" ", 1)[1]
            assert name_id in catalogue("en")[f"econ.klassen.{variant}.{q}"]


def test_every_output_uses_the_same_class_codes(runner, four_classes, tmp_path):
    args = ["economy", "dlq", four_classes, "--region", "R", "--reference", "N", "--start", "2020", "--end", "2022"]
    js = json.loads(run(runner, *args, "--json", "--csv", tmp_path / "dlq.csv").output)
    got = {r["sector"]: r["quadrant"] for r in js}
    assert [got[s] for s in "ABCD"] == list(LQ_CLASSES)
    assert dict(zip(*pd.read_csv(tmp_path / "dlq.csv")[["sector", "quadrant"]].to_numpy().T))["B"] == "andalan"
    for lang in ("en", "id"):
        out = runner.invoke(cli, ["--lang", lang, *map(str, args)], env={"COLUMNS": "250"}).output
        for code in LQ_CLASSES:
            assert catalogue(lang)[f"econ.lq_class.{code}"] in out, (lang, code)
        assert "leading" not in out and "declining" not in out and "prospective" not in out
    report = tmp_path / "r.html"
    r = run(runner, "--lang", "id", "economy", "report", report, "--sectors", four_classes, "--region", "R",
            "--reference", "N", "--start", "2020", "--end", "2022")
    assert r.exit_code == 0, r.output
    html = report.read_text(encoding="utf-8")
    chart = html.split('id="quadrant-chart"', 1)[1].split("</figure>", 1)[0]
    for code in LQ_CLASSES:
        assert re.search(rf">{code}<", chart), code                 # the chart's corner names
        assert catalogue("id")[f"econ.lq_class.{code}"] in html       # the table below it
    assert "prospective" not in html and "declining" not in html


def test_the_reference_doc_states_the_convention_and_the_other_reading():
    text = (ROOT / "docs" / "reference" / "economics.md").read_text()
    section = text.split("### `kawasan economy dlq`", 1)[1].split("### `kawasan economy shiftshare`", 1)[0]
    assert "| ≤ 1 | > 1 | `andalan` |" in section and "| > 1 | ≤ 1 | `prospektif` |" in section
    assert "kompasiana.com" in section and "The other reading" in section and "swap `andalan` and `prospektif`" \
        in section


def _regions():
    rows = [(r, "TOTAL", y, v * (1 + g) ** (y - 2020)) for r, v, g in (("A", 500.0, 0.06), ("B", 100.0, 0.02),
                                                                       ("C", 300.0, 0.05)) for y in (2020, 2021)]
    return RegionalTable.from_frame(pd.DataFrame(rows, columns=["region", "sector", "year", "value"]))


def test_regional_klassen_says_what_its_level_is():
    t = _regions()
    pop = pd.DataFrame([(r, y, p) for r, p in (("A", 10.0), ("B", 1.0), ("C", 10.0)) for y in (2020, 2021)],
                       columns=["region", "year", "population"])
    assert set(klassen_regional(t, pop)["level_basis"]) == {"per_capita"}
    k = klassen_regional(t).set_index("region")
    assert set(k["level_basis"]) == {"total_pdrb"} and np.isnan(k.loc["A", "per_capita"])
    assert k.loc["A", "label"] == KLASSEN_LABELS["regional"][k.loc["A", "quadrant"]]


@pytest.mark.parametrize("lang,marker", [("en", "total PDRB, not per capita"), ("id", "PDRB total, bukan per kapita")])
def test_regional_klassen_without_population_is_labelled_everywhere(runner, tmp_path, lang, marker):
    f = tmp_path / "totals.csv"
    _regions().data.to_csv(f, index=False)
    human = run(runner, "--lang", lang, "economy", "klassen", f, "--type", "regional")
    assert human.exit_code == 0, human.output
    assert human.output.count(marker) >= 2            # title and level column (and the note)
    assert "--population" in human.output
    js = json.loads(run(runner, "economy", "klassen", f, "--type", "regional", "--json").output)
    assert {r["level_basis"] for r in js} == {"total_pdrb"}
    pop = tmp_path / "pop.csv"
    pd.DataFrame([(r, y, 10) for r in "ABC" for y in (2020, 2021)], columns=["wilayah", "tahun", "jiwa"]).to_csv(
        pop, index=False)
    with_pop = run(runner, "--lang", lang, "economy", "klassen", f, "--type", "regional", "--population", pop)
    assert marker not in with_pop.output


# ------------------------------------------------------------------------------------------- Indonesian words


def _texts(domain):
    return json.loads((LOCALES / f"id.{domain}.json").read_text(encoding="utf-8"))


def test_indonesian_words_of_the_economics_and_potential_catalogues():
    eco, pot = _texts("economics"), _texts("potential")
    words = " ".join(list(eco.values()) + list(pot.values()))
    assert pot["potential.col.p_top_k"] == "P({top_k} teratas)"
    assert "Galat" not in words and "galat" not in words
    for english in ("billion IDR", "million IDR", "trillion IDR", " Rp ", "juta Rp", "triliun Rp", "P(top"):
        assert english not in words, english
    assert eco["econ.unit.billion_idr"] == "miliar rupiah" and eco["econ.unit.million_idr"] == "juta rupiah"
    assert "REGULATIONS.md" not in words
    assert "REGULATIONS.md" not in " ".join(json.loads((LOCALES / f"en.{d}.json").read_text()).get(k, "")
                                             for d in ("economics", "potential")
                                             for k in json.loads((LOCALES / f"en.{d}.json").read_text()))


def test_potential_stress_column_in_indonesian():
    from kawasan.i18n import t

    assert t("potential.col.p_top_k", "id", top_k=5) == "P(5 teratas)"
    assert t("potential.col.p_top_k", "en", top_k=5) == "P(top 5)"
