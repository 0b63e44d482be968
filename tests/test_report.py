"""The HTML report of a run: every section, real map images, inline charts, both languages, no network."""
from __future__ import annotations

import base64
import json
import re
import shutil

import numpy as np
import pytest

from kawasan.cli.main import cli
from kawasan.errors import InputError
from kawasan.reports.builder import build_report, write_report

SECTIONS = ("summary", "study-area", "suitability", "exclusions", "criteria", "sites", "stress-test",
            "legal-basis", "manifest")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A kawasan-industri run on a small synthetic Kabupaten Contoh, with sites and a stress test."""
    from kawasan.sampledata.contoh import build_study_area
    from kawasan.spatial.api import run_suitability
    from kawasan.spatial.sites.service import extract_sites, stress_test

    root = tmp_path_factory.mktemp("report")
    build_study_area(root / "data", seed=7, width=300, height=200, res=200.0)
    run = root / "run"
    run_suitability("kawasan-industri", root / "data", run, write_criteria=True)
    res = extract_sites(run, min_area_ha=8, min_width_cells=1)
    assert res["sites"], "the fixture needs at least one candidate site"
    stress_test(run, n=200)
    return run


@pytest.fixture(scope="module")
def apht_run(run_dir):
    """An apht run (AHP weights) on the same study area, without sites."""
    from kawasan.spatial.api import run_suitability

    run = run_dir.parent / "apht"
    run_suitability("apht", run_dir.parent / "data", run, write_criteria=True)
    return run


@pytest.fixture(scope="module")
def html_en(run_dir):
    return build_report(run_dir, lang="en")


def _pngs(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)]


def _decode(png: bytes):
    """The PNG decoded by GDAL's PNG driver: (bands, rows, cols) uint8."""
    import warnings

    from rasterio.errors import NotGeoreferencedWarning
    from rasterio.io import MemoryFile

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with MemoryFile(png) as mf, mf.open() as ds:
            assert ds.driver == "PNG"
            return ds.read()


def test_every_section_and_the_synthetic_banner(html_en):
    for sid in SECTIONS:
        assert f'<section id="{sid}"' in html_en, sid
    assert 'class="synthetic-banner"' in html_en
    assert "SYNTHETIC DATA" in html_en
    for heading in ("Study area", "Suitability", "Candidate sites", "Stress test of the weights",
                    "Legal basis of every rule", "Run manifest", "Criteria and weights"):
        assert heading in html_en


def test_one_real_png_per_map(html_en):
    pngs = _pngs(html_en)
    assert len(pngs) == 4                       # study area, suitability, constraints, sites
    for png in pngs:
        assert png.startswith(PNG_MAGIC)
        arr = _decode(png)
        assert arr.shape[0] == 3 and 50 < arr.shape[2] <= 1200 and 30 < arr.shape[1] <= 1200
        colours = np.unique(arr.reshape(3, -1).T, axis=0)
        assert len(colours) > 20, "a map image is (nearly) one colour"
        assert arr.std() > 5
    for key in ("study_area", "suitability", "constraints", "sites"):
        assert f'id="map-{key}"' in html_en
    # each map has a legend, a km scale bar and a north arrow in its overlay
    assert html_en.count('<ul class="legend">') >= 4
    assert html_en.count('<svg class="overlay"') == 4
    assert len(re.findall(r">\d+(\.\d+)? k?m</text>", html_en)) >= 4


def test_charts_are_inline_svg(html_en):
    assert html_en.count('<svg class="chart"') == 2
    assert "Probability of staying in the top 5" in html_en
    assert "Rank range under the weight draws" in html_en
    assert "One weight at a time" in html_en
    assert re.search(r'<table class="data oat">', html_en)


def test_legal_basis_certainty_sites_and_inputs(run_dir, html_en):
    man = json.loads((run_dir / "manifest.json").read_text())
    from markupsafe import escape

    for c in man["constraints"]:
        assert str(escape(c["legal_basis"])) in html_en, c["id"]
        assert f'<span class="tag cert-{c["certainty"].replace(" ", "-")}">{c["certainty"]}</span>' in html_en
        assert f'id="rule-{c["id"]}"' in html_en
    assert "verified in the cited source" in html_en
    assert "unverified: check the official text" in html_en
    sites = json.loads((run_dir / "sites" / "sites.json").read_text())["sites"]
    for s in sites:
        assert f'id="site-{s["id"]}"' in html_en
    assert "Strongest:" in html_en
    assert man["inputs"][0]["sha256"] in html_en
    assert "no consistency ratio" in html_en     # kawasan-industri: published weights, given directly
    assert man["software"]["gdal"] in html_en


def test_ahp_consistency_table(apht_run):
    html = build_report(apht_run, lang="en")
    man = json.loads((apht_run / "manifest.json").read_text())
    ahp = [lv for lv in man["weights"]["levels"] if lv.get("method") == "ahp"]
    assert ahp
    assert "AHP consistency" in html and "λ<sub>max</sub>" in html
    assert f"{ahp[0]['cr']:.4f}" in html and f"{ahp[0]['lambda_max']:.4f}" in html
    assert "consistent (CR &lt;= 0.10)" in html
    # no sites yet: both site sections say what to run
    assert f"kawasan sites extract {apht_run}" in html
    assert "The stress test needs candidate sites" in html


def test_no_network_assets(html_en):
    for attr in re.findall(r'\b(?:src|href)\s*=\s*"([^"]*)"', html_en):
        assert not attr.startswith(("http://", "https://", "//")), attr
    assert "<link" not in html_en
    assert "@import" not in html_en
    assert re.search(r"<script[^>]+src", html_en) is None


def test_indonesian_report(run_dir):
    html = build_report(run_dir, lang="id")
    assert '<html lang="id">' in html
    for heading in ("Wilayah studi", "Kesesuaian lahan", "Calon lokasi", "Uji sensitivitas bobot",
                    "Dasar hukum setiap aturan", "Manifes analisis", "Kriteria dan bobot"):
        assert heading in html
    assert "DATA SINTETIS" in html
    assert "KPI" in html


def test_report_without_sites_says_how_to_extract(run_dir, tmp_path):
    bare = tmp_path / "bare"
    shutil.copytree(run_dir, bare, ignore=shutil.ignore_patterns("sites", "report-*"))
    html = build_report(bare, lang="en")
    assert f"kawasan sites extract {bare}" in html
    assert "kawasan sites sensitivity" not in html or "needs candidate sites" in html
    assert len(_pngs(html)) == 3
    for sid in SECTIONS:
        assert f'<section id="{sid}"' in html


def test_report_without_sensitivity_says_how_to_run_it(run_dir, tmp_path):
    part = tmp_path / "part"
    shutil.copytree(run_dir, part)
    (part / "sites" / "sensitivity.json").unlink()
    html = build_report(part, lang="en")
    assert f"kawasan sites sensitivity {part}" in html
    assert '<svg class="chart"' not in html


def test_report_when_no_site_passes(run_dir, tmp_path):
    from kawasan.spatial.sites.service import extract_sites

    none = tmp_path / "none"
    shutil.copytree(run_dir, none)
    assert extract_sites(none, min_area_ha=1e7, min_width_cells=1)["sites"] == []
    html = build_report(none, lang="en")
    assert "No site passed the extraction rules" in html
    assert "There are no sites to stress-test." in html
    assert len(_pngs(html)) == 3


def test_write_report_default_path_is_atomic(run_dir):
    path = write_report(run_dir, lang="id")
    assert path == run_dir / "report-id.html"
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(run_dir.glob(".report-id.html.tmp-*"))


def test_not_a_run_folder(tmp_path):
    with pytest.raises(InputError):
        build_report(tmp_path)


def test_cli_writes_the_report(runner, run_dir, tmp_path):
    out = tmp_path / "r" / "report.html"
    res = runner.invoke(cli, ["report", str(run_dir), "--lang", "id", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists() and "Laporan ditulis" in res.output


def test_cli_exit_2_for_a_folder_that_is_not_a_run(runner, tmp_path):
    (tmp_path / "x.txt").write_text("hello")
    res = runner.invoke(cli, ["report", str(tmp_path)])
    assert res.exit_code == 2
    assert "manifest.json" in res.output


def test_cli_pdf_without_weasyprint_exits_2(runner, run_dir, tmp_path):
    try:
        import weasyprint  # noqa: F401
    except Exception:  # noqa: BLE001
        pass
    else:
        pytest.skip("WeasyPrint is installed here")
    out = tmp_path / "p.html"
    res = runner.invoke(cli, ["report", str(run_dir), "--pdf", "--out", str(out)])
    assert res.exit_code == 2
    assert "PDF engine is not installed" in res.output and "WeasyPrint" in res.output
    assert not out.exists()


def test_cli_pdf_with_weasyprint(runner, run_dir, tmp_path):
    pytest.importorskip("weasyprint", reason="the optional PDF engine (pip install 'kawasan[pdf]') is not installed")
    out = tmp_path / "p.html"
    res = runner.invoke(cli, ["report", str(run_dir), "--pdf", "--out", str(out)])
    assert res.exit_code == 0, res.output
    pdf = out.with_suffix(".pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 50_000


def test_map_labels_stay_inside_and_do_not_overlap():
    """Real port files put many long names close together (ports_kemenhub_2017 near Paiton)."""
    from kawasan.reports.charts import map_overlay

    labels = [{"x": 595.0, "y": 100.0, "text": "PT. SEMEN INDONESIA (PERSERO) TBK TERSUS", "kind": "place"},
              {"x": 597.0, "y": 104.0, "text": "PT. SEMEN BOSOWA MAROS", "kind": "place"},
              {"x": 3.0, "y": 300.0, "text": "Pelabuhan Kiri", "kind": "place"},
              {"x": 300.0, "y": 300.0, "text": "Tengah", "kind": "place"}]
    svg = str(map_overlay(600, 400, 30.0, labels, "N"))
    assert svg.count("PT. SEMEN") == 2          # shortened text + its full-name tooltip; the second is dropped
    assert "PT. SEMEN BOSOWA" not in svg
    assert "<title>PT. SEMEN INDONESIA (PERSERO) TBK TERSUS</title>" in svg and "…" in svg
    assert 'text-anchor="end"' in svg and 'text-anchor="start"' in svg and 'text-anchor="middle"' in svg
