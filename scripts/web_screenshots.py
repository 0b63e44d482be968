"""Screenshots of the web app for the README and the guides (docs/images/web-*.png).

Usage: python scripts/web_screenshots.py   (needs Debian's chromium and the test extras)

Builds the demo's SYNTHETIC licensing project in a temporary folder (the same story as `kawasan demo`,
as of its fixed date), serves it on a free loopback port and photographs the main pages at 1366 x 820
in Indonesian, as each role sees them.
"""
from __future__ import annotations

import socket
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images"
ACCOUNTS = {"admin": "demo-admin-2025", "tim-investasi": "demo-koordinator", "dlh-contoh": "demo-petugas-dlh",
            "kemenperin": "demo-pemantau"}


def serve(folder: Path):
    import uvicorn

    from kawasan.tracker import ProjectService, Settings
    from kawasan.tracker.demo import DEMO_TODAY, seed_demo_project
    from kawasan.web.app import create_app

    settings = Settings.in_folder(folder)
    svc = ProjectService(settings, today=DEMO_TODAY)
    site = {"type": "Polygon", "coordinates": [[[113.20, -7.80], [113.215, -7.80], [113.215, -7.787],
                                                 [113.207, -7.782], [113.20, -7.80]]]}
    pid = seed_demo_project(svc, site={"id": 5, "area_ha": 84.0}, geometry=site)
    for user, pw in ACCOUNTS.items():
        svc.set_password(user, pw, actor="admin")
    svc.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(settings, today=DEMO_TODAY, background=False), host="127.0.0.1",
                                        port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    while not srv.started:
        time.sleep(0.05)
    return srv, f"http://127.0.0.1:{port}", pid


def main() -> None:
    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        srv, base, pid = serve(Path(tmp))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                        args=["--headless", "--no-sandbox", "--disable-gpu",
                                              "--disable-background-networking"])

            def shots(user: str, pages: list[tuple[str, str, str | None]]) -> None:
                ctx = browser.new_context(viewport={"width": 1366, "height": 820})
                page = ctx.new_page()
                page.goto(f"{base}/login")
                page.fill("input[name=username]", user)
                page.fill("input[name=password]", ACCOUNTS[user])
                page.click("form[action='/login'] button")
                page.wait_for_load_state("networkidle")
                for path, name, anchor in pages:
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    if anchor:
                        page.evaluate(f"document.querySelector('{anchor}').scrollIntoView()")
                    if name == "web-whatif":  # resolve the demo's blocker (whichever stage it is) by a date
                        page.locator("input[name^=resolve_]").first.fill("2025-07-01")
                        page.click("#run-whatif")
                        page.wait_for_load_state("networkidle")
                        page.locator("#whatif-result").scroll_into_view_if_needed()
                    page.screenshot(path=str(OUT / f"{name}.png"))
                    print("wrote", OUT / f"{name}.png")
                ctx.close()

            shots("dlh-contoh", [("/my-work", "web-my-work", None)])
            shots("tim-investasi", [("/projects", "web-portfolio", None), (f"/projects/{pid}", "web-project", None),
                                    (f"/projects/{pid}", "web-project-stages", "#stages"),
                                    (f"/projects/{pid}/whatif", "web-whatif", None)])
            shots("admin", [("/admin/users", "web-admin-users", None), ("/templates/apht", "web-template", None)])
            browser.close()
        srv.should_exit = True
        time.sleep(0.5)


if __name__ == "__main__":
    main()
