"""The map in a real browser (headless Debian Chromium through Playwright): the demo run's tiles load, a click
on an excluded cell names its rule, a drawn site gets its check, licensing starts from a site.

One server (uvicorn in a thread, the session's demo folder as its data folder, a seeded SYNTHETIC database)
serves the module. Screenshots go to test-artifacts/web/ (git-ignored); docs/images/ keeps copies of the best.
"""
from __future__ import annotations

import pytest

from browser_fixtures import (browser, needs_chromium, page, seeded_settings, served,  # noqa: F401 - fixtures
                              shot, sign_in)
from web_fixtures import TODAY

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory, demo_dir):
    from kawasan.web.app import create_app
    from kawasan.web.settings import WebSettings

    settings, ids, cleanup = seeded_settings(tmp_path_factory.mktemp("map-browser"))
    app = create_app(settings, WebSettings(data_dir=demo_dir), today=TODAY, background=False)
    with served(app) as url:
        yield {"url": url, "ids": ids, "app": app}
    cleanup()


def _shot(page, name: str) -> None:
    shot(page, name)


def _open_run(page, base: str, run_id: str = "runs~apht") -> None:
    page.goto(f"{base}/map/runs/{run_id}")
    page.wait_for_selector("#run-map[data-ready='1']")
    page.wait_for_load_state("networkidle")


def test_the_demo_run_opens_with_its_tiles_and_a_click_names_the_excluding_rule(server, page):
    tiles = []
    page.on("response", lambda r: tiles.append(r.status) if "/tiles/" in r.url else None)
    sign_in(page, server["url"], "viewer")
    page.goto(f"{server['url']}/map")
    page.click("a[href='/map/runs/runs~apht']")
    page.wait_for_selector("#run-map[data-ready='1']")
    page.wait_for_load_state("networkidle")
    assert tiles and all(s == 200 for s in tiles), tiles
    page.wait_for_selector(".tiles-classes img.leaflet-tile-loaded", state="attached")
    assert page.locator("#legend-body .legend-item").count() >= 1  # the classes (the hillshade has none)
    assert page.locator(".leaflet-control-scale").count() == 1
    box = page.locator("#run-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#cell-rules li")
    text = page.locator("#cell-body").inner_text()
    assert "LP2B" in text or "lp2b" in text.lower()
    assert page.locator("#cell-rules .tag").count() >= 1  # every rule with its certainty tag
    _shot(page, "map-run-click")


def test_a_site_is_selected_in_the_table_and_the_ranking_changes(server, page):
    sign_in(page, server["url"], "viewer")
    _open_run(page, server["url"])
    page.wait_for_selector("#sites-table tbody tr")
    first = page.locator("#sites-table tbody tr").first
    first.click()
    page.wait_for_selector("#site-explain dl.facts")
    assert page.locator("#stress-chart svg rect").count() > 0
    legend = page.locator("#stress-chart").inner_text()      # the catalogue placeholders are filled in
    assert legend.strip() and "{" not in legend, legend
    before = page.locator("#sites-table tbody tr td:nth-child(2)").all_inner_texts()
    page.select_option("#rank-by", "topsis")
    page.wait_for_function("document.querySelectorAll('#sites-table tbody tr').length > 0")
    page.wait_for_load_state("networkidle")
    after = page.locator("#sites-table tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(before) == sorted(after)
    _shot(page, "map-sites")


def test_a_drawn_polygon_gets_its_check_with_the_failing_parts_on_the_map(server, page):
    sign_in(page, server["url"], "viewer")
    _open_run(page, server["url"])
    page.click("#draw-site")
    box = page.locator("#run-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in ((-40, -30), (40, -30), (40, 30), (-40, 30)):
        page.mouse.click(cx + dx, cy + dy)
    page.mouse.click(cx - 40, cy - 30)  # back on the first vertex closes the polygon
    page.wait_for_selector("#check-rules tbody tr")
    assert page.locator("#check-verdict").inner_text()
    assert page.locator("#check-rules tr.fail").count() >= 1   # the middle of the demo is excluded
    assert page.locator("#run-map path.leaflet-interactive, #run-map path").count() > 0
    _shot(page, "map-check")


def test_licensing_starts_from_a_candidate_site_and_lands_on_its_project_page(server, page):
    sign_in(page, server["url"], "coord")
    _open_run(page, server["url"])
    page.wait_for_selector("#sites-table tbody tr")
    page.locator("#sites-table tbody tr").first.click()
    page.click("#start-from-site")
    page.fill("#licensing-dialog input[name=name]", "KIHT dari peta")
    page.click("#licensing-create")
    page.wait_for_url("**/projects/*")
    page.wait_for_selector("#project-site-map[data-ready='1']")
    assert page.locator("#project-site a[href='/map/runs/runs~apht']").count() == 1
    assert "SYNTHETIC" in page.locator("h1").inner_text()
    _shot(page, "map-project-site")


def test_two_runs_compare_side_by_side_swipe_and_difference(server, page):
    tiles = []
    page.on("response", lambda r: tiles.append((r.url, r.status)) if "/compare/" in r.url else None)
    sign_in(page, server["url"], "viewer")
    page.goto(f"{server['url']}/map/compare?a=runs~apht&b=runs~apht-switched")
    page.wait_for_selector("#map-diff[data-ready='1']")
    page.wait_for_load_state("networkidle")
    assert tiles and all(s == 200 for _, s in tiles), tiles
    # a tile is marked loaded a frame after its image arrives (and the swipe layer's tiles are the
    # same URLs as run B's, served from the browser's cache without a request): wait for the mark
    # rather than for the network to fall quiet
    for layer in ("score-a", "score-b"):
        page.wait_for_selector(f".tiles-{layer} img.leaflet-tile-loaded", state="attached")
    page.check("input[name=mode][value=swipe]")
    page.wait_for_selector(".tiles-swipe-b img.leaflet-tile-loaded", state="attached")
    assert page.locator("#fig-b").is_hidden()
    _shot(page, "map-compare")
