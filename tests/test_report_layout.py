"""The HTML reports laid out in a real browser (headless Debian Chromium through Playwright's Python API).

The run report (both presets of the demo) and the economics report (the real East Java regencies from
../shared/data, and a two-year province-beside-Indonesia table for the sector charts), in Bahasa Indonesia
and English, at 1366 and 1920 px wide and printed on A4: no table wider than its box, no text cut in a cell,
every SVG text inside its chart, no two chart labels on top of each other, no horizontal scrolling of the
page. Screenshots and PDFs are kept in test-artifacts/report-layout/ (git-ignored).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kawasan.cli.main import cli

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "report-layout"
WIDTHS = (1366, 1920)
A4_CSS_PX = 718          # 210 mm - 2 x 14 mm page margins at 96 px per inch

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="Debian's chromium is not installed (apt-get install -y chromium)")

# Everything the browser is asked, in one script: a list of problems, each naming the element.
PROBLEMS_JS = r"""
() => {
  const out = [];
  const name = (el) => {
    const id = el.closest('[id]');
    return (id ? '#' + id.id + ' ' : '') + el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined
      ? '.' + String(el.className).trim().split(/\s+/).join('.') : '');
  };
  const docW = document.documentElement.scrollWidth, winW = document.documentElement.clientWidth;
  if (docW > winW + 1) out.push(`the page scrolls sideways: ${docW} px of content in ${winW} px`);
  for (const t of document.querySelectorAll('table.data')) {
    const box = t.parentElement;
    const w = t.getBoundingClientRect().width, room = box.clientWidth;
    if (w > room + 1) out.push(`${name(t)} is ${Math.round(w)} px wide in a box of ${room} px`);
  }
  for (const c of document.querySelectorAll('table.data td, table.data th')) {
    if (c.scrollWidth > c.clientWidth + 1) out.push(`text cut in ${name(c)}: "${c.textContent.trim().slice(0, 60)}"`);
  }
  for (const s of document.querySelectorAll('svg.chart')) {
    const vb = s.viewBox.baseVal;
    const boxes = [];
    const toChart = s.getScreenCTM().inverse();
    for (const t of s.querySelectorAll('text')) {
      const r = t.getBBox();
      if (!r.width) continue;
      const m = toChart.multiply(t.getScreenCTM());      // the text's own transform (a rotated axis title)
      const pts = [[r.x, r.y], [r.x + r.width, r.y], [r.x, r.y + r.height], [r.x + r.width, r.y + r.height]]
        .map(([x, y]) => [m.a * x + m.c * y + m.e, m.b * x + m.d * y + m.f]);
      const xs = pts.map(p => p[0]), ys = pts.map(p => p[1]);
      const b = {x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs),
                 height: Math.max(...ys) - Math.min(...ys)};
      if (b.x < vb.x - 0.5 || b.y < vb.y - 0.5 || b.x + b.width > vb.x + vb.width + 0.5 ||
          b.y + b.height > vb.y + vb.height + 0.5)
        out.push(`${name(s)}: "${t.textContent.trim().slice(0, 40)}" leaves the chart (${b.x.toFixed(1)},` +
                 `${b.y.toFixed(1)} ${b.width.toFixed(1)}x${b.height.toFixed(1)} in ${vb.width}x${vb.height})`);
      if (t.closest('svg.chart') === s && (t.classList.contains('point-label') || t.classList.contains('corner')))
        boxes.push([t, b]);
    }
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, p] = boxes[i], [c, q] = boxes[j];
      const ix = Math.min(p.x + p.width, q.x + q.width) - Math.max(p.x, q.x);
      const iy = Math.min(p.y + p.height, q.y + q.height) - Math.max(p.y, q.y);
      if (ix > 0.5 && iy > 0.5)
        out.push(`${name(s)}: labels "${a.textContent.trim()}" and "${c.textContent.trim()}" overlap`);
    }
  }
  return out;
}
"""


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu",
                                                               "--disable-background-networking"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def reports(demo_dir, tmp_path_factory):
    """(name, path) of every report to check: run reports of both presets and the economics reports, both languages."""
    out = []
    tmp = tmp_path_factory.mktemp("report-layout")
    shutil.rmtree(ARTIFACTS, ignore_errors=True)      # this run's pictures only
    runner = CliRunner()
    for preset, lang in (("kawasan-industri", "id"), ("apht", "en")):   # each preset, each language
        if True:
            path = tmp / f"run-{preset}-{lang}.html"
            r = runner.invoke(cli, ["report", str(demo_dir / "runs" / preset), "--lang", lang, "--out", str(path)])
            assert r.exit_code == 0, r.output
            out.append((f"run-{preset}-{lang}", path))
    # a deep folder: the report names its input files, and a long path must wrap wherever the checkout lives
    deep = tmp / "a_deeply_nested_folder_of_the_regency_planning_office" / "economics_tables_as_received_2026"
    deep.mkdir(parents=True)
    sector_table = deep / "pdrb_province_beside_indonesia.csv"
    shutil.copy(Path(__file__).parent / "data" / "economics" / "pdrb_province_beside_indonesia.csv", sector_table)
    for lang in ("id", "en"):
        path = tmp / f"economy-sectors-{lang}.html"
        r = runner.invoke(cli, ["--lang", lang, "economy", "report", str(path), "--sectors", str(sector_table),
                                "--region", "Provinsi Contoh", "--reference", "Indonesia"])
        assert r.exit_code == 0, r.output
        out.append((f"economy-sectors-{lang}", path))
    shared = Path(__file__).resolve().parents[2] / "shared" / "data"
    if (shared / "economy").is_dir():
        d = shared
        for lang in ("id",):
            path = tmp / f"economy-jatim-{lang}.html"
            r = runner.invoke(cli, [
                "--lang", lang, "economy", "potential", "--boundaries", str(d / "boundaries" / "jatim_kabkota.geojson"),
                "--pdrb", str(d / "economy" / "pdrb_total_jatim_2010_2023.csv"),
                "--population", str(d / "economy" / "population_jatim_2010_2023_long.csv"),
                "--ipm", str(d / "economy" / "ipm_jatim_long.csv"),
                "--sectors", str(d / "economy" / "pdrb_17sector_2023_long.csv"), "--kind", "kabupaten",
                "--stress", "200", "--report", str(path)])
            assert r.exit_code == 0, r.output
            out.append((f"economy-jatim-{lang}", path))
    return out


def _problems(page) -> list[str]:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    return page.evaluate(PROBLEMS_JS)


@pytest.mark.parametrize("width", WIDTHS)
def test_reports_fit_the_screen(browser, reports, width):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found = []
    for name, path in reports:
        page = browser.new_page(viewport={"width": width, "height": 1000})
        page.goto(path.as_uri())
        found += [f"{name} at {width} px: {p}" for p in _problems(page)]
        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
        page.close()
    assert not found, "\n".join(found)


def test_reports_fit_an_a4_page(browser, reports):
    """Printed on A4 (the print style sheet, the page's width in CSS pixels): nothing wider than the page."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found = []
    for name, path in reports:
        page = browser.new_page(viewport={"width": A4_CSS_PX, "height": 1000})
        page.emulate_media(media="print")
        page.goto(path.as_uri())
        found += [f"{name} on A4: {p}" for p in _problems(page)]
        page.pdf(path=str(ARTIFACTS / f"{name}-a4.pdf"), format="A4")
        page.close()
    assert not found, "\n".join(found)


def test_truncations_say_so(reports):
    """A chart that shows part of the list says how many it left out; label columns are not cut."""
    by_name = dict(reports)
    if "economy-jatim-id" not in by_name:
        pytest.skip("../shared/data is not present")
    html = by_name["economy-jatim-id"].read_text(encoding="utf-8")
    assert 'id="stress-truncated"' in html and "4 wilayah lainnya ada di tabel peringkat" in html
    assert "Kabupaten Probolinggo" in html.split('id="stress-p-chart"')[1].split("</figure>")[0]
