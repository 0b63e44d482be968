"""What a user sees on the map, analysis and regional-potential pages, in headless Chromium (Debian's, through
Playwright), on a copy of the session's demo (SYNTHETIC Kabupaten Contoh, its runs and its SYNTHETIC
economics table set) with a real ``kawasan worker`` process taking the jobs:

* the recent-jobs table follows the jobs live, in a second browser too (no reload): state, progress,
  finished with a map link, cancelled, interrupted;
* a design choice reads "pilihan rancangan" / "design choice" in its own colour, in the tables, the cell panel
  and a site check, and has its legend entry;
* the regional-potential page of the demo opens its choropleth, labelled synthetic, with no server path;
* no page overflows sideways at 390 px or 1366 px, in Indonesian and English; the pairwise matrix scrolls in
  its own box with a visible hint on a phone.

Screenshots go to test-artifacts/web/ (git-ignored); docs/images/ keeps copies of the best.
"""
from __future__ import annotations

import shutil

import pytest

from browser_fixtures import (browser, checked_page, demo_with_worker, needs_chromium,  # noqa: F401 - fixtures
                              new_page, shot, sign_in)

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_dir):
    folder = tmp_path_factory.mktemp("web-browser-mapui")
    data = folder / "demo"
    for part in ("data", "runs", "economics"):   # the demo as `kawasan serve --data <demo>` serves it
        shutil.copytree(demo_dir / part, data / part)
    with demo_with_worker(folder, data) as served_demo:
        yield served_demo


def _context(browser, width: int = 1366):
    return new_page(browser, width, tolerate_422=True)


@pytest.fixture
def page(browser):
    with checked_page(browser, tolerate_422=True) as pg:
        yield pg


def _shot(page, name: str, full: bool = False) -> None:
    shot(page, name, full=full)


def _set_lang(page, base: str, lang: str) -> None:
    page.context.add_cookies([{"name": "kw_lang", "value": lang, "url": base}])


# ------------------------------------------------------------------------------------------ live jobs
def test_the_jobs_table_follows_a_job_live_in_a_second_browser(server, browser, page):
    base = server["url"]
    ctx_b, other, errors_b = _context(browser)
    try:
        sign_in(page, base, "coord")
        sign_in(other, base, "viewer")
        page.goto(f"{base}/analysis?area=data&model=preset:apht")
        other.goto(f"{base}/analysis?area=data&model=preset:apht")
        other.evaluate("window.__sameDocument = 'yes'")          # gone if the page reloads
        page.check("#allow-inconsistent")
        page.wait_for_selector("#analysis[data-valid=yes]", timeout=15000)
        page.click("#run")
        page.wait_for_selector("#job[data-job]", timeout=15000)
        job = page.locator("#job").get_attribute("data-job")
        row = other.locator(f"#jobs tr[data-job='{job}']")
        row.wait_for(timeout=15000)                                # appears without a reload
        assert row.get_attribute("data-status") in ("queued", "running", "finished")
        other.wait_for_selector(f"#jobs tr[data-job='{job}'][data-status=finished] a.job-map", timeout=180000)
        link = row.locator("a.job-map").get_attribute("href")
        assert link.startswith("/map/runs/") and other.evaluate("window.__sameDocument") == "yes"
        assert float(row.locator("progress").evaluate("p => p.value")) == 1.0
        assert row.locator("td.job-status").inner_text().startswith("selesai")  # the page's language (id)
        other.locator("#jobs").scroll_into_view_if_needed()
        _shot(other, "analysis-jobs-live")
        # cancelled at once: the other browser sees it too
        page.wait_for_selector("#run:not([disabled])")
        page.click("#run")
        page.wait_for_selector(f"#job[data-job]:not([data-job='{job}'])", timeout=15000)   # no eval: the CSP
        second = page.locator("#job").get_attribute("data-job")
        page.click("#job-cancel")
        other.wait_for_selector(f"#jobs tr[data-job='{second}'][data-status=cancelled]", timeout=60000)
        # a job whose worker is gone (a restart) shows as interrupted
        jobs = server["app"].state.jobs
        ghost = jobs.submit("suitability", "apht · data (restart)", {"model_name": "apht"}, actor="coord")["id"]
        import socket

        jobs.start(ghost, worker=f"{socket.gethostname()}:999999999")
        assert ghost in jobs.mark_interrupted()
        other.wait_for_selector(f"#jobs tr[data-job='{ghost}'][data-status=interrupted]", timeout=20000)
        assert "terputus" in other.locator(f"#jobs tr[data-job='{ghost}'] td.job-status").inner_text()
        assert other.evaluate("window.__sameDocument") == "yes"
        assert not errors_b, errors_b
    finally:
        ctx_b.close()


def test_the_new_area_jobs_table_follows_preparations_live(server, page):
    """A preparation recorded elsewhere (here straight in the job service, as a worker records it) appears on
    an open New study area page, then finishes with its warnings and the link to analyse the area."""
    base = server["url"]
    sign_in(page, base, "viewer")
    page.goto(f"{base}/analysis/new-area")
    page.evaluate("window.__sameDocument = 'yes'")
    jobs = server["app"].state.jobs
    job = jobs.submit("prepare", "prepare · kota-baru", {"study_area": "kota-baru"}, actor="coord")["id"]
    page.wait_for_selector(f"#jobs tr[data-job='{job}'][data-status=queued]", timeout=20000)
    jobs.start(job)
    jobs.finish(job, {"study_area": "kota-baru", "warnings": ["land cover class 99 is not mapped (SYNTHETIC)"]})
    row = page.locator(f"#jobs tr[data-job='{job}'][data-status=finished]")
    row.wait_for(timeout=20000)
    assert "class 99" in row.locator("li").inner_text()
    assert row.locator("a.job-link").get_attribute("href") == "/analysis?area=kota-baru"
    assert page.evaluate("window.__sameDocument") == "yes"


# ------------------------------------------------------------------------------------------ design choice
def _background(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("e => getComputedStyle(e).backgroundColor")


def test_a_design_choice_shows_as_a_design_choice_everywhere(server, page):
    base = server["url"]
    sign_in(page, base, "viewer")
    page.goto(f"{base}/analysis?area=data&model=preset:apht")
    design = page.locator("#constraints .tag[data-certainty=design]")
    assert design.count() >= 1 and design.first.inner_text() == "pilihan rancangan"
    assert "bukan aturan hukum" in design.first.get_attribute("title")
    legend = page.locator("#certainty-legend")
    legend.locator("summary").click()
    assert legend.locator(".tag.c-design").inner_text() == "pilihan rancangan"
    colours = {c: _background(page, f"#certainty-legend .tag.c-{c}") for c in ("design", "U", "V", "P")}
    assert len(set(colours.values())) == 4, colours   # its own colour: not law (V, P), not unverified (U)
    page.locator("#constraints").scroll_into_view_if_needed()
    _shot(page, "analysis-design-choice")
    # the run's map: the tables, the cell panel and a site check
    page.goto(f"{base}/map/runs/runs~apht")
    page.wait_for_selector("#run-map[data-ready='1']")
    assert page.locator("#rules .tag[data-certainty=design]").count() >= 1
    cell = page.evaluate("() => { const e = KW.cert('V; design', 'design'); return [e.className, e.textContent]; }")
    assert cell == ["tag c-design", "V; pilihan rancangan"]
    w, s, e, n = page.evaluate("JSON.parse(document.getElementById('run-data').dataset.json).bounds")
    lat, lon = round((s + n) / 2, 5), round((w + e) / 2, 5)   # the middle of the demo (where rules exclude)
    page.fill("#point-form input[name=lat]", str(lat))
    page.fill("#point-form input[name=lon]", str(lon))
    page.fill("#point-form input[name=radius_m]", "800")
    page.click("#point-form button")
    page.wait_for_selector("#check-rules tbody tr", timeout=30000)
    tags = page.locator("#check-rules .tag[data-certainty=design]")
    assert tags.count() >= 1 and "pilihan rancangan" in tags.first.inner_text()
    assert page.locator("#check-rules .tag").count() == page.locator("#check-rules tbody tr").count()
    _shot(page, "map-check-design-choice")
    _set_lang(page, base, "en")
    page.goto(f"{base}/map/runs/runs~apht")
    assert page.locator("#rules .tag[data-certainty=design]").first.inner_text() == "design choice"


# ------------------------------------------------------------------------------------------ potential
def test_the_demo_table_set_opens_the_potential_map_labelled_synthetic(server, page):
    base = server["url"]
    sign_in(page, base, "viewer")
    page.goto(f"{base}/potential?stress=200")
    page.wait_for_selector("#potential-map[data-loaded]", timeout=30000)
    assert page.locator("#potential-map").get_attribute("data-loaded") == "9"
    assert page.locator("#potential-map path.leaflet-interactive").count() == 9
    assert page.locator("#tableset-synthetic").is_visible() and "DATA SINTETIS" in page.locator("#tableset-synthetic").inner_text()
    assert "Contoh Raya (SINTETIS)" in page.locator("#tableset").inner_text()   # the page's language: id
    html = page.content()
    assert str(server["data"]) not in html and "/tmp/" not in html
    _shot(page, "potential-map-demo", full=True)
    page.locator("#ranking tbody tr").first.locator("a").click()
    page.wait_for_selector("#lq-chart svg", timeout=30000)
    assert page.locator("#tableset-synthetic").is_visible()


# ------------------------------------------------------------------------------------------ phone and desktop
PAGES = ("/map", "/map/runs/runs~apht", "/map/compare?a=runs~apht&b=runs~apht-switched",
         "/analysis?area=data&model=preset:apht", "/analysis?area=data&model=preset:kawasan-industri",
         "/analysis/new-area", "/potential?stress=100", "/potential/regions/9901?stress=100")

#: Text that sticks out of the window, outside any box that scrolls sideways (a table's box, the map).
OVERFLOW_JS = """() => {
  const W = window.innerWidth, out = [];
  const scrolls = (e) => { for (let p = e.parentElement; p; p = p.parentElement) {
      const s = getComputedStyle(p); if (["auto", "scroll"].includes(s.overflowX) || p.classList.contains("leaflet-container")) return true; }
    return false; };
  for (const e of document.querySelectorAll("main *, header *")) {
    if (!e.childNodes.length || ![...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    if ((r.right > W + 1 || r.left < -1) && !scrolls(e)) out.push(e.tagName + ": " + e.textContent.trim().slice(0, 40));
    const s = getComputedStyle(e);
    if (["hidden", "clip"].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1 && !e.closest(".leaflet-container"))
      out.push("clipped " + e.tagName + ": " + e.textContent.trim().slice(0, 40));
  }
  return {scroll: document.documentElement.scrollWidth, inner: W, cut: out.slice(0, 10)};
}"""


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("width", [390, 1366])
def test_no_page_overflows_sideways_and_no_text_is_cut(server, browser, width, lang):
    base = server["url"]
    ctx, pg, errors = _context(browser, width)
    try:
        sign_in(pg, base, "coord")
        _set_lang(pg, base, lang)
        problems = {}
        for url in PAGES:
            pg.goto(base + url)
            pg.wait_for_load_state("networkidle")
            assert pg.locator("html").get_attribute("lang") == lang
            got = pg.evaluate(OVERFLOW_JS)
            if got["scroll"] > got["inner"] or got["cut"]:
                problems[url] = got
            if width == 390 and lang == "id":
                _shot(pg, "phone-" + url.strip("/").split("?")[0].replace("/", "-").replace("~", "-"), full=True)
        assert not problems, problems   # every page: no sideways scroll, no text out of the window or clipped
        assert not errors, errors
    finally:
        ctx.close()


def test_the_pairwise_matrix_scrolls_in_its_box_with_a_hint_on_a_phone(server, browser):
    base = server["url"]
    ctx, pg, errors = _context(browser, 390)
    try:
        sign_in(pg, base, "coord")
        pg.goto(f"{base}/analysis?area=data&model=preset:apht")
        assert pg.locator("#ahp-matrix").is_visible()
        assert pg.locator("#matrix-hint").is_visible() and "geser" in pg.locator("#matrix-hint").inner_text()
        box = pg.locator("#matrix-box")
        sw, cw = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
        assert sw > cw and cw <= 390   # wider than the phone: it scrolls inside its box
        last = pg.locator("#matrix-box input.pair").last
        last.scroll_into_view_if_needed()
        assert box.evaluate("b => b.scrollLeft") > 0 and last.is_visible()
        assert pg.evaluate("document.documentElement.scrollWidth <= innerWidth")
        last.fill("2")                                  # still usable: the check answers
        pg.wait_for_selector("#analysis[data-valid]", timeout=15000)
        pg.locator("#ahp-matrix").scroll_into_view_if_needed()
        _shot(pg, "analysis-matrix-phone")
        pg.set_viewport_size({"width": 1366, "height": 900})
        assert pg.locator("#matrix-hint").is_hidden()
        assert not errors, errors
    finally:
        ctx.close()
