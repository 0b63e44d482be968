"""What the browser test modules share: Debian's Chromium through Playwright, the app served by uvicorn in a
thread, a page that fails its test on a script error, signing in, screenshots, and the demo served with a
real ``kawasan worker`` process taking the jobs.

A module imports the fixtures it uses by name (pytest finds a fixture in the module's namespace):
``from browser_fixtures import browser, page  # noqa: F401 - fixtures``.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from web_fixtures import TODAY, make_settings, password, seed_world

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "web"

needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                    reason="Debian's chromium is not installed (apt-get install -y chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(app):
    """``app`` served by uvicorn on a free loopback port in a thread: yields its address, stops it after."""
    import uvicorn

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "the test server did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        th.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu",
                                                              "--disable-background-networking"])
        yield b
        b.close()


def new_page(browser, width: int = 1366, *, tolerate_422: bool = False):
    """A fresh context (``width`` x 900, 844 on a phone) and page, and the list its script errors and console
    errors go to (a 422 answer, which a form page shows to the user, left out when ``tolerate_422``)."""
    ctx = browser.new_context(viewport={"width": width, "height": 900 if width > 500 else 844})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text)
          if m.type == "error" and not (tolerate_422 and "422" in m.text) else None)
    return ctx, pg, errors


@contextmanager
def checked_page(browser, *, tolerate_422: bool = False):
    """A page that fails the test when it had a script error or a blocked resource (CSP)."""
    ctx, pg, errors = new_page(browser, tolerate_422=tolerate_422)
    yield pg
    ctx.close()
    assert not errors, errors  # no script error, no resource blocked by the CSP


@pytest.fixture
def page(browser):
    with checked_page(browser) as pg:
        yield pg


def sign_in(page, base: str, user: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password(user))
    page.click("form[action='/login'] button")
    page.wait_for_load_state("networkidle")


def shot(page, name: str, *, full: bool = False) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def seeded_settings(folder: Path):
    """Database settings over a seeded SYNTHETIC world in ``folder``: (settings, ids, cleanup)."""
    from kawasan.tracker import ProjectService

    settings, cleanup = make_settings("sqlite", folder)
    svc = ProjectService(settings, today=TODAY, user="admin")
    ids = seed_world(svc)
    svc.close()
    return settings, ids, cleanup


@contextmanager
def demo_with_worker(folder: Path, data: Path, economics_dir: Path | None = None):
    """The app over the data folder ``data`` and a seeded database in ``folder``, served, with a real
    ``kawasan worker`` process (one job at a time) on a SQLite queue: yields
    ``{"url", "data", "app", "econ"}``; the worker is stopped after."""
    from kawasan.jobs.queue import make_huey
    from kawasan.web.app import create_app
    from kawasan.web.settings import WebSettings

    queue = f"sqlite:///{folder / 'queue.db'}"
    settings, _ids, cleanup = seeded_settings(folder)
    app = create_app(settings, WebSettings(data_dir=data, economics_dir=economics_dir), today=TODAY,
                     background=False)
    app.state.queue = make_huey(queue)
    env = {**os.environ, "KAWASAN_DATABASE_URL": settings.database_url, "KAWASAN_HOME": str(folder)}
    code = "import sys; from kawasan.cli.main import main; main(sys.argv[1:])"
    worker = subprocess.Popen([sys.executable, "-c", code, "worker", "--jobs", "1", "--queue", queue], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        with served(app) as url:
            yield {"url": url, "data": data, "app": app, "econ": economics_dir}
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        cleanup()
