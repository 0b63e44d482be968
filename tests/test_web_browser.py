"""The web app in a real browser: headless Debian Chromium driven by Playwright's Python API.

One server (uvicorn in a thread, over a seeded SYNTHETIC database) and one browser serve every test of
this module. Screenshots of the main pages are saved under test-artifacts/web/ (git-ignored); the
README and the guides use copies of a few of them (docs/images/).
"""
from __future__ import annotations

import re

import pytest

from browser_fixtures import (ARTIFACTS, browser, needs_chromium, page,  # noqa: F401 - fixtures
                              seeded_settings, served, shot, sign_in)
from web_fixtures import DLH_STAGE, DPM_STAGE, TODAY

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from kawasan.web.app import create_app
    from kawasan.web.settings import WebSettings

    settings, ids, cleanup = seeded_settings(tmp_path_factory.mktemp("web-browser"))
    app = create_app(settings, WebSettings(), today=TODAY, background=False)
    with served(app) as url:
        yield {"url": url, "ids": ids, "app": app}
    cleanup()


def _shot(page, name: str) -> None:
    shot(page, name, full=True)


def _p80(page) -> str:
    return page.locator("ul.facts li", has_text="P80").locator("strong").inner_text()


def test_officer_sees_my_work_approves_a_stage_and_the_forecast_moves(server, page):
    base, pid = server["url"], server["ids"]["pa"]
    sign_in(page, base, "dlh")
    assert page.url.endswith("/my-work")
    row = page.locator("tr", has_text=DLH_STAGE)
    assert row.count() == 1 and "DLH" in row.inner_text()
    _shot(page, "officer-my-work")
    page.goto(f"{base}/projects/{pid}")
    bar = page.locator(f"figure.gantt rect.bar:has(title:text-matches('^{DLH_STAGE}:'))")  # DLH's bar
    bar_before = (bar.get_attribute("x"), bar.get_attribute("width"), bar.get_attribute("class"))
    assert page.locator(f"#stage-{DPM_STAGE} details.act").count() == 0  # DPMPTSP's stage: no form for DLH
    page.goto(f"{base}/my-work")
    row = page.locator("tr", has_text=DLH_STAGE)
    row.locator("details.act summary").click()
    row.locator("select[name=status]").select_option("approved")
    row.locator("button[data-action=status]").click()
    page.wait_for_load_state("networkidle")
    assert "/my-work" in page.url and page.locator(".flash").count() == 1
    page.goto(f"{base}/projects/{pid}")
    assert "Disetujui" in page.locator(f"#stage-{DLH_STAGE}").inner_text()
    bar = page.locator(f"figure.gantt rect.bar:has(title:text-matches('^{DLH_STAGE}:'))")
    bar_after = (bar.get_attribute("x"), bar.get_attribute("width"), bar.get_attribute("class"))
    assert bar_after != bar_before and "actual" in bar_after[2]  # the forecast moved: DLH's stage now ends today
    _shot(page, "officer-project-after-approval")


def test_coordinator_filters_opens_records_an_obstacle_and_runs_a_whatif(server, page):
    base, pid = server["url"], server["ids"]["pa"]
    sign_in(page, base, "coord")
    assert page.url.endswith("/projects")
    assert page.locator("table.portfolio tbody tr").count() == 2
    page.locator("#sites-map .leaflet-interactive").first.wait_for(timeout=10000)  # the site drawn by Leaflet
    _shot(page, "coordinator-portfolio")
    page.select_option("select[name=regency]", "Kabupaten Contoh")
    page.click("form.filters button")
    page.wait_for_load_state("networkidle")
    assert page.locator("table.portfolio tbody tr").count() == 1
    page.click("table.portfolio tbody tr a")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/projects/{pid}")
    page.click("#obstacles ~ details.act summary")
    page.select_option("#obstacle-form select[name=stage]", DPM_STAGE)
    page.fill("#obstacle-form input[name=description]", "Berkas PKKPR kurang peta (SYNTHETIC)")
    page.fill("#obstacle-form input[name=owner]", "DPMPTSP")
    page.click("#obstacle-form button")
    page.wait_for_load_state("networkidle")
    assert "Berkas PKKPR kurang peta" in page.content()
    _shot(page, "coordinator-project")
    page.goto(f"{base}/projects/{pid}/whatif")
    page.fill("input[name=shorten_K7]", "20")
    page.click("#run-whatif")
    page.wait_for_load_state("networkidle")
    result = page.locator("#whatif-result")
    assert result.count() == 1 and re.search(r"(Lebih cepat|tidak berubah)", result.inner_text())
    _shot(page, "coordinator-whatif")


def test_language_switch_persists(server, page):
    base = server["url"]
    sign_in(page, base, "viewer")
    assert "Portofolio proyek" in page.content()
    page.click("button.lang[value=en]")
    page.wait_for_load_state("networkidle")
    assert "Project portfolio" in page.content()
    page.goto(f"{base}/projects/{server['ids']['pa']}")
    assert "Stages by agency" in page.content() and re.search(r"\d{1,2} (January|February|March|April|May|June|July|"
                                                              r"August|September|October|November|December) \d{4}",
                                                              page.content())
    _shot(page, "viewer-project-en")
    page.click("button.lang[value=id]")
    page.wait_for_load_state("networkidle")
    assert "Tahap per instansi" in page.content()


def test_viewer_sees_no_action_and_a_forged_post_is_refused(server, page):
    base, pid = server["url"], server["ids"]["pa"]
    sign_in(page, base, "viewer")
    page.goto(f"{base}/projects/{pid}")
    assert page.locator("details.act").count() == 0 and page.locator("form[action*='/stages/']").count() == 0
    r = page.request.post(f"{base}/projects/{pid}/stages/{DPM_STAGE}/status", form={"status": "in_progress"},
                          max_redirects=0)
    assert r.status == 403
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.content()).group(1)
    r = page.request.post(f"{base}/projects/{pid}/stages/{DPM_STAGE}/status", form={"status": "in_progress",
                                                                           "csrf_token": token}, max_redirects=0)
    assert r.status == 403  # the right token, the wrong role: the service refuses
    page.goto(f"{base}/projects/{pid}")
    assert "Belum dimulai" in page.locator(f"#stage-{DPM_STAGE}").inner_text()


@pytest.mark.parametrize("width", [1366, 390])
def test_main_pages_render_at_desk_and_phone_width(server, browser, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    page = ctx.new_page()
    sign_in(page, server["url"], "admin")
    for path, name in (("/my-work", "my-work"), ("/projects", "portfolio"), (f"/projects/{server['ids']['pa']}",
                                                                             "project"),
                       ("/templates/apht", "template"), ("/admin/users", "admin-users"), ("/account", "account")):
        page.goto(server["url"] + path)
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at {width}px"
        page.screenshot(path=str(ARTIFACTS / f"admin-{name}-{width}.png"), full_page=True)
    ctx.close()
