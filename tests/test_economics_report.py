"""The economics HTML report, its SVG charts and the choropleth map."""
from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from kawasan.cli.main import cli
from kawasan.economics import potential as pt
from kawasan.economics import readiness as rd
from kawasan.errors import InputError
from kawasan.reports import choropleth, econcharts
from kawasan.reports.economics import build_economics_report, write_economics_report
from test_economics_potential import synthetic_sector_table

SVG_NS = "{http://www.w3.org/2000/svg}"
CHROMIUM = Path("/usr/bin/chromium")


class Collector(HTMLParser):
    """Ids, external references and the open/close balance of an HTML page."""

    VOID = {"meta", "br", "img", "input", "link", "hr", "col", "source", "area", "base", "wbr",
            "rect", "circle", "line", "path", "polygon", "stop"}

    def __init__(self):
        super().__init__()
        self.ids, self.external, self.stack, self.errors = set(), [], [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        for k in ("src", "href"):
            if k in a and a[k] and (a[k].startswith("http") or a[k].startswith("//")):
                self.external.append(a[k])
        if tag == "script" or tag == "link":
            self.external.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()


def parse(html: str) -> Collector:
    c = Collector()
    c.feed(html)
    return c


def svgs(html: str) -> list[ET.Element]:
    out, pos = [], 0
    while (i := html.find("<svg", pos)) >= 0:
        j = html.index("</svg>", i) + 6
        out.append(ET.fromstring(html[i:j]))
        pos = j
    return out


def boundaries():
    codes = ["3501", "3502", "3503", "3571"]
    return gpd.GeoDataFrame({"code": codes, "nama": ["Kabupaten A", "Kabupaten B", "Kabupaten C", "Kota D"]},
                            geometry=[box(112 + 0.2 * i, -8, 112.2 + 0.2 * i, -7.8) for i in range(4)], crs=4326)


def potential_run(sector_table=None, synthetic=()):
    regions = [rd.Region(c, n, "kota" if c[2] == "7" else "kabupaten")
               for c, n in zip(["3501", "3502", "3503", "3571"], ["Kabupaten A", "Kabupaten B", "Kabupaten C",
                                                                  "Kota D"])]
    vals = pd.DataFrame({"ipm": [70.0, 75.0, 68.0, np.nan], "gdp_growth": [0.03, 0.05, 0.01, 0.04]},
                        index=pd.Index([r.code for r in regions], name="code"))
    res = pt.compute_potential(rd.ReadinessResult(regions, vals, {"ipm": {"year": 2023, "method": "lf_sp2020"}},
                                                  {"ipm.csv": ["Kabupaten <Atlantis>"]}, ["a note"],
                                                  list(synthetic)),
                               min_coverage=0.9)
    return pt.PotentialRun(res, pt.PotentialInputs(ipm="ipm.csv"), boundaries(), sector_table)


# -- charts ---------------------------------------------------------------------------------------
def test_lq_bars_mark_basis_sectors_and_escape_text():
    svg = econcharts.lq_bars([{"label": "C <Industri>", "lq": 1.5}, {"label": "A", "lq": 0.5},
                              {"label": "B", "lq": float("nan")}], axis_label="LQ & more")
    root = ET.fromstring(str(svg))
    fills = [r.get("fill") for r in root.iter(f"{SVG_NS}rect")]
    assert fills == ["#1a9641", "#9e9e9e"]
    assert "C <Industri>" in "".join(root.itertext())
    widths = [float(r.get("width")) for r in root.iter(f"{SVG_NS}rect")]
    assert widths[0] == pytest.approx(3 * widths[1], rel=1e-3)      # bars proportional to LQ


def test_quadrant_chart_places_points_in_their_quadrant():
    rows = [{"label": "lead", "x": 2.0, "y": 1.5, "cls": "unggulan"},
            {"label": "lag", "x": 0.5, "y": 0.7, "cls": "tertinggal"}]
    root = ET.fromstring(str(econcharts.quadrant_chart(rows, x_label="SLQ", y_label="DLQ", x_split=1, y_split=1,
                                                       quadrant_text={"tr": "L"}, log=True)))
    lines = list(root.iter(f"{SVG_NS}line"))
    xs, ys = float(lines[0].get("x1")), float(lines[1].get("y1"))
    c = [(float(e.get("cx")), float(e.get("cy"))) for e in root.iter(f"{SVG_NS}circle")]
    assert c[0][0] > xs and c[0][1] < ys          # right of SLQ = 1, above DLQ = 1
    assert c[1][0] < xs and c[1][1] > ys


def test_stacked_bars_parts_add_up_to_the_total_tick():
    rows = [{"label": "C", "values": {"n": 5.0, "m": -2.0, "c": 3.0}, "total": 6.0}]
    root = ET.fromstring(str(econcharts.stacked_bars(rows, parts=[("n", "N"), ("m", "M"), ("c", "C")],
                                                     axis_label="change", total_label="actual")))
    bars = [r for r in root.iter(f"{SVG_NS}rect") if r.find(f"{SVG_NS}title") is not None]
    pos = sum(float(r.get("width")) for r in bars if float(r.get("x")) >= 0)
    widths = {r.find(f"{SVG_NS}title").text.split(":")[0].split(", ")[1]: float(r.get("width")) for r in bars}
    assert widths["N"] / widths["C"] == pytest.approx(5 / 3, rel=1e-2)
    tick = [ln for ln in root.iter(f"{SVG_NS}line") if ln.find(f"{SVG_NS}title") is not None][0]
    left_of_neg = min(float(r.get("x")) for r in bars)
    unit = widths["C"] / 3.0
    assert float(tick.get("x1")) == pytest.approx(left_of_neg + 2 * unit + 6 * unit, abs=0.3)
    assert pos > 0


def test_choropleth_classes_and_svg():
    cls, bounds = choropleth.classify({"a": 0.0, "b": 0.5, "c": 1.0, "d": None})
    assert cls == {"a": 0, "b": 2, "c": 4} and len(bounds) == 5
    svg = choropleth.choropleth_svg(boundaries(), {"3501": 0.1, "3502": 0.9}, labels={"3501": 2, "3502": 1},
                                    names={"3501": "Kabupaten A"}, title="T", legend_title="L", no_data="none")
    root = ET.fromstring(str(svg))
    paths = list(root.iter(f"{SVG_NS}path"))
    assert len(paths) == 4
    fills = {p.get("data-key"): p.get("fill") for p in paths}
    assert fills["3501"] == choropleth.CLASS_COLOURS[0] and fills["3502"] == choropleth.CLASS_COLOURS[4]
    assert fills["3503"] == fills["3571"] == choropleth.NO_DATA
    # projected shapes keep their order west to east
    firsts = [float(p.get("d")[1:].split(",")[0]) for p in paths]
    assert firsts == sorted(firsts)
    with pytest.raises(InputError, match="no region geometry"):
        choropleth.choropleth_svg(boundaries().iloc[:0], {})


def test_write_map_png_and_bad_suffix(tmp_path):
    p = choropleth.write_map(tmp_path / "m.png", boundaries(), {"3501": 0.2, "3502": 0.8})
    assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(InputError, match="expected .svg or .png"):
        choropleth.write_map(tmp_path / "m.gif", boundaries(), {})
    assert not (tmp_path / "m.gif").exists()


# -- the report -----------------------------------------------------------------------------------
def test_report_with_potential_and_multi_year_sectors_is_complete_and_offline(tmp_path):
    table = synthetic_sector_table()
    html = build_economics_report(potential=potential_run(table), region="Kabupaten Probolinggo",
                                  reference="Jawa Timur", shift_share_method="esteban_marquillas")
    c = parse(html)
    assert not c.errors and not c.stack, (c.errors, c.stack)
    assert c.external == []                                          # no network assets
    for i in ("potential", "ranking-chart", "ranking-table", "potential-map", "components", "sectors", "lq-chart",
              "quadrant-chart", "shift-share-chart", "klassen-chart", "method", "unmatched"):
        assert i in c.ids, i
    charts = svgs(html)
    assert len(charts) == 6                                          # ranking, map, LQ, quadrant, shift-share, Klassen
    assert "Kabupaten &lt;Atlantis&gt;" in html and "<Atlantis>" not in html
    assert "allocation effect" in html                               # the Esteban-Marquillas parts
    assert "coverage 0.50" in html                                   # Kota D lacks IPM: listed, unranked
    assert html.count('class="unscored"') == 0
    assert "synthetic-banner" not in c.ids


def test_report_shows_synthetic_inputs():
    html = build_economics_report(potential=potential_run(synthetic=["road_access of X comes from a SYNTHETIC area"]))
    c = parse(html)
    assert "synthetic-banner" in c.ids and "road_access of X comes from a SYNTHETIC area" in html


def test_report_single_year_and_sector_only_in_indonesian(tmp_path):
    table = synthetic_sector_table(years=[2023])
    out = write_economics_report(tmp_path / "r.html", sector_table=table, region="Kota Probolinggo", lang="id")
    html = out.read_text()
    c = parse(html)
    assert "single-year" in c.ids and "lq-chart" in c.ids and "quadrant-chart" not in c.ids
    assert "potential" not in c.ids
    assert "memerlukan dua tahun atau lebih" in html and 'lang="id"' in html
    assert len(svgs(html)) == 1


def test_report_bad_input():
    with pytest.raises(InputError, match="nothing to report"):
        build_economics_report()
    with pytest.raises(InputError, match="language"):
        build_economics_report(potential=potential_run(), lang="fr")


def test_cli_report_real_probolinggo(runner, shared_data, tmp_path):
    eco = shared_data / "economy"
    out = tmp_path / "econ.html"
    res = runner.invoke(cli, ["economy", "report", str(out), "--sectors", str(eco / "pdrb_17sector_2023_long.csv"),
                              "--region", "Kabupaten Probolinggo",
                              "--boundaries", str(shared_data / "boundaries" / "jatim_kabkota.geojson"),
                              "--pdrb", str(eco / "pdrb_total_jatim_2010_2023.csv"),
                              "--ipm", str(eco / "ipm_jatim_long.csv")])
    assert res.exit_code == 0, res.output
    html = out.read_text()
    c = parse(html)
    assert not c.errors and c.external == []
    assert {"lq-chart", "ranking-chart", "potential-map", "single-year"} <= c.ids
    assert html.count('data-key="35') == 38
    bad = runner.invoke(cli, ["economy", "report", str(tmp_path / "x.html")])
    assert bad.exit_code == 2 and "nothing to report" in bad.output
    bad = runner.invoke(cli, ["economy", "report", str(tmp_path / "x.html"), "--sectors",
                              str(eco / "pdrb_17sector_2023_long.csv"), "--region", "Kabupaten Atlantis"])
    assert bad.exit_code == 2 and "Atlantis" in bad.output and not (tmp_path / "x.html").exists()


def test_report_renders_in_headless_chromium(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed: the HTML structure is checked by the other tests instead")
    out = write_economics_report(tmp_path / "r.html", potential=potential_run(synthetic_sector_table()),
                                 region="Kabupaten Probolinggo")
    shot = tmp_path / "shot.png"
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                    "--window-size=1200,3000", out.as_uri()], check=True, timeout=120, capture_output=True)
    assert shot.exists() and shot.stat().st_size > 10_000
    dom = subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", out.as_uri()],
                         check=True, timeout=120, capture_output=True, text=True).stdout
    assert dom.count("<svg") == 6


def test_long_labels_and_legends_stay_inside_the_charts():
    long = "Perdagangan Besar dan Eceran; Reparasi Mobil dan Sepeda Motor"
    parts = [(f"p{i}", f"a rather long legend entry number {i}") for i in range(6)]
    charts = [econcharts.stacked_bars([{"label": long, "values": {"p0": 1.0, "p3": -0.5}, "total": 0.5}],
                                      parts=parts, axis_label="x", total_label="score"),
              econcharts.lq_bars([{"label": long, "lq": 1.2}], axis_label="LQ")]
    for svg in charts:
        root = ET.fromstring(str(svg))
        width = float(root.get("viewBox").split()[2])
        height = float(root.get("viewBox").split()[3])
        for el in root.iter():
            if el.tag in (f"{SVG_NS}text", f"{SVG_NS}rect"):
                x, y = float(el.get("x", 0)), float(el.get("y", 0))
                if el.tag == f"{SVG_NS}text" and el.get("text-anchor") != "end":
                    x += len("".join(t for t in [el.text or ""])) * 6.6 if el.get("text-anchor") is None else 0
                assert -1 <= x <= width + 1 and 0 <= y <= height, (el.tag, x, y, el.text)
            if el.tag == f"{SVG_NS}text" and el.get("text-anchor") == "end":
                shown = el.text if el.find(f"{SVG_NS}title") is None else el.find(f"{SVG_NS}title").tail
                assert float(el.get("x")) - 6.6 * len(shown or "") >= -1, shown


def test_report_has_the_stress_test_when_asked():
    run = potential_run()
    pt.weight_stress(run.result, n=200, top_k=2)
    html = build_economics_report(potential=run)
    c = parse(html)
    assert {"stress-test", "stress-p-chart", "stress-rank-chart"} <= c.ids and not c.errors
    assert "stress-test" not in parse(build_economics_report(potential=potential_run())).ids


def test_regional_klassen_of_the_real_regencies(runner, shared_data, tmp_path):
    eco = shared_data / "economy"
    inputs = pt.PotentialInputs(boundaries=shared_data / "boundaries" / "jatim_kabkota.geojson",
                                pdrb=eco / "pdrb_total_jatim_2010_2023.csv",
                                population=eco / "population_jatim_2010_2023_long.csv")
    run = pt.potential_from_files(inputs)
    kl = pt.regional_klassen(run).set_index("code")
    assert len(kl) == 38 and list(kl["start"].unique()) == [2018]
    assert kl.loc["3515", "quadrant"] == "I"          # Sidoarjo: fast growth, high PDRB per capita
    assert kl.loc["3526", "quadrant"] == "IV"         # Bangkalan: shrinking PDRB, low per capita
    html = build_economics_report(potential=run)
    c = parse(html)
    assert {"regional-klassen", "regional-klassen-chart"} <= c.ids and not c.errors
    assert pt.regional_klassen(pt.potential_from_files(pt.PotentialInputs(
        boundaries=inputs.boundaries, pdrb=inputs.pdrb))) is None                 # needs population


def test_quadrant_corner_texts_share_the_top_edge_without_overlap():
    # the Klassen corner texts "II advanced, depressed (maju tapi tertekan)" and "I prime (...)" ran into each other;
    # each corner now wraps within half the plot, so nothing is cut (tests/test_report_layout.py measures it in a browser)
    from kawasan.reports import svgtext

    long = {"tl": "II advanced, depressed (maju tapi tertekan)", "tr": "I prime (maju & cepat tumbuh)",
            "bl": "IV lagging (relatif tertinggal)", "br": "III potential (sedang tumbuh) " * 2}
    root = ET.fromstring(str(econcharts.quadrant_chart([{"label": "a", "x": 1.0, "y": 2.0, "cls": "I"}], x_label="x",
                                                       y_label="y", x_split=0, y_split=0, quadrant_text=long)))
    plot = next(r for r in root.iter(f"{SVG_NS}rect"))
    half = float(plot.get("width")) / 2
    corners = [e for e in root.iter(f"{SVG_NS}text") if e.get("class") == "corner"]
    assert len(corners) == 4
    for e in corners:
        lines = [ts.text for ts in e.iter(f"{SVG_NS}tspan")]
        assert all(svgtext.text_px(line, 12, bold=True) <= half - 10 for line in lines), lines
        assert " ".join(lines) in {" ".join(v.split()) for v in long.values()}     # the whole text, wrapped


def test_report_sector_without_class_shows_a_dash_not_nan():
    from kawasan.economics.tables import RegionalTable

    t = synthetic_sector_table()
    d = t.data.copy()
    d.loc[d["sector"] == "B", "value"] = 0.0                           # no LQ, no DLQ: no SLQ x DLQ class
    table = RegionalTable.from_frame(d, unit="billion IDR", price_basis="ADHK2010", source="synthetic")
    html = build_economics_report(sector_table=table, region="Kabupaten Probolinggo", reference="Jawa Timur")
    assert ">nan<" not in html.lower()


def test_quadrant_axis_of_positive_values_has_no_negative_tick():
    # the regional Klassen chart showed PDRB per capita down to -15.75 (the 10 % padding below the smallest value)
    rows = [{"label": "a", "x": -1.0, "y": 5.0, "cls": "I"}, {"label": "b", "x": 3.0, "y": 300.0, "cls": "IV"}]
    root = ET.fromstring(str(econcharts.quadrant_chart(rows, x_label="g", y_label="pc", x_split=2.0, y_split=40.0,
                                                       quadrant_text={})))
    ticks = [e.text for e in root.iter(f"{SVG_NS}text") if e.get("fill") == "#555555"]
    y_ticks = ticks[3:]
    assert ticks[0].startswith("-") and not any(t.startswith("-") for t in y_ticks)


def test_regional_klassen_with_a_province_row_in_the_totals(shared_data, tmp_path):
    # BPS tables of all kabupaten/kota end with the province: its row made the report's Klassen section fail
    # ("no population for region 'Jawa Timur'") and would have counted the province twice in the reference
    eco = shared_data / "economy"
    d = pd.read_csv(eco / "pdrb_total_jatim_2010_2023.csv")
    prov = d.groupby(["tahun", "harga", "komponen"], as_index=False)["nilai_juta_rp"].sum()
    prov["kode_bps"], prov["nama"] = 3500, "Jawa Timur"
    f = tmp_path / "with_province.csv"
    pd.concat([d, prov[d.columns]]).to_csv(f, index=False)
    kw = dict(boundaries=shared_data / "boundaries" / "jatim_kabkota.geojson",
              population=eco / "population_jatim_2010_2023_long.csv")
    plain = pt.regional_klassen(pt.potential_from_files(pt.PotentialInputs(pdrb=eco / "pdrb_total_jatim_2010_2023.csv",
                                                                          **kw)))
    with_prov = pt.regional_klassen(pt.potential_from_files(pt.PotentialInputs(pdrb=f, **kw)))
    assert len(with_prov) == 38 and "Jawa Timur" not in set(with_prov["region"])
    assert with_prov["quadrant"].tolist() == plain["quadrant"].tolist()
    assert with_prov["reference_growth"].iloc[0] == pytest.approx(plain["reference_growth"].iloc[0])


def test_report_refuses_a_start_after_the_end(tmp_path):
    # --start 2023 --end 2019 wrote a report of "2019 only" as if a single year had been asked for
    with pytest.raises(InputError, match="start year 2023 comes after the end year 2019"):
        build_economics_report(sector_table=synthetic_sector_table(), region="Kabupaten Probolinggo",
                               reference="Jawa Timur", start=2023, end=2019)
