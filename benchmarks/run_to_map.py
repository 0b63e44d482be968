#!/usr/bin/env python3
"""From "Run" on the Analysis page to the new run's map painted in the browser, on the demo (issue 13: < 15 s).

A real browser (Debian's Chromium through Playwright) signed in as a coordinator opens the Analysis page of
the demo (SYNTHETIC Kabupaten Contoh) with the ``kawasan-industri`` preset, changes the slope weight and
clicks **Run**. A real ``kawasan worker`` process (huey, SQLite queue, one job process) takes the job. The
clock runs from the click until:

1. **finished**: the page shows the finished job (its own poll, every 0.4 s) with the link to the new map;
2. **map painted**: the browser has followed that link (the page offers it; the click is the user's) and
   every tile of the map's default layers is loaded, every one of them from the new run, and two animation
   frames have passed (the tiles are on screen).

Each case starts a fresh worker process and measures its first job (the cold case) and a second one:

- **no warm-up** (``kawasan worker --no-warm-up``, the behaviour before): the worker is ready for jobs, the
  first job pays the imports, numba's cached kernels and GDAL's start;
- **warm-up** (the default now): the worker has done a tiny job's work at start (kawasan.jobs.warmup); the
  click comes after it said so, as it does for a server started before its users arrive.

Usage::

    .venv/bin/python benchmarks/run_to_map.py [--demo DIR]      # DIR: a `kawasan demo` folder, else built

The server is uvicorn in this process (a thread), the worker a child process, the browser a child process:
all on the same two cores. Results: benchmarks/_work/run_to_map/results.json and docs/performance.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

from machine import describe  # noqa: E402

WORK = HERE / "_work" / "run_to_map"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
USER, PASSWORD = "analyst", "benchmark-password"
GOAL_S = 15.0
CODE = "import sys; from kawasan.cli.main import main; main(sys.argv[1:])"


def demo_area(demo: Path | None, into: Path) -> None:
    """The demo's study area at into/data: from a `kawasan demo` folder, else generated (the same generator)."""
    if demo is not None:
        shutil.copytree(demo / "data", into / "data")
        return
    from kawasan.sampledata.contoh import build_study_area

    build_study_area(into / "data", seed=7)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app):
    import uvicorn

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=srv.run, daemon=True).start()
    while not srv.started:
        time.sleep(0.05)
    return srv, f"http://127.0.0.1:{port}"


def start_worker(queue: str, env: dict, warm: bool, log: Path) -> subprocess.Popen:
    """A fresh ``kawasan worker``; returns once it takes jobs (warm-up: once its job process said so)."""
    fh = log.open("w")
    proc = subprocess.Popen([sys.executable, "-c", CODE, "worker", "--jobs", "1", "--queue", queue,
                             "--warm-up" if warm else "--no-warm-up"], env=env, stdout=fh, stderr=fh,
                            start_new_session=True)
    wanted = "warmed up" if warm else "kawasan worker: up to"
    deadline = time.monotonic() + 300
    while wanted not in log.read_text(errors="replace"):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not get ready: {log.read_text()[:2000]}")
        time.sleep(0.1)
    time.sleep(1.0)  # the consumer's own start after the line (huey's loop, its first poll of the queue)
    return proc


def one_run(page, base: str, weight: str) -> dict:
    """Click Run on the Analysis page; seconds until the finished job, and until the new map is painted."""
    page.goto(f"{base}/analysis?area=data&model=preset:kawasan-industri")
    page.fill("input.w[data-node=slope]", weight)
    page.wait_for_selector("#analysis[data-valid=yes]", timeout=30000)
    page.wait_for_timeout(500)  # the page's own check of the edited model (debounced) has settled
    page.wait_for_selector("#analysis[data-valid=yes]", timeout=30000)
    t0 = time.perf_counter()
    page.click("#run")
    page.wait_for_selector("#job[data-status=finished]", timeout=300000)
    t1 = time.perf_counter()
    href = page.locator("#job-map").get_attribute("href")
    run_id = href.rsplit("/", 1)[1]
    page.click("#job-map")
    try:
        _wait_painted(page, run_id)
    except Exception:
        imgs = page.evaluate("() => [...document.querySelectorAll('img')].map((i) => [i.src, i.className])")
        raise RuntimeError(f"the map of {run_id} did not paint: page {page.url}, images {imgs[:12]}") from None
    t2 = time.perf_counter()
    tiles = page.evaluate("(rid) => [...document.querySelectorAll('.leaflet-tile-pane img.leaflet-tile-loaded')]"
                          ".filter((i) => i.src.includes(rid + '/tiles/')).length", run_id)
    return {"run": run_id, "finished_s": round(t1 - t0, 2), "map_s": round(t2 - t1, 2),
            "total_s": round(t2 - t0, 2), "tiles": tiles}


def _wait_painted(page, run_id: str) -> None:
    """Every tile of the new run on the map is loaded and decoded, and two frames have been drawn since."""
    page.wait_for_function(
        """(rid) => {
             const imgs = [...document.querySelectorAll('.leaflet-tile-pane img.leaflet-tile')];
             const ours = imgs.filter((i) => i.src.includes(rid + '/tiles/'));
             return ours.length > 0 && ours.every((i) => i.classList.contains('leaflet-tile-loaded')
                                                     && i.complete && i.naturalWidth > 0);
           }""", arg=run_id, timeout=60000, polling=50)
    page.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", type=Path, default=None, help="an existing `kawasan demo` folder (default: build one)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    from kawasan.jobs.queue import make_huey
    from kawasan.tracker import ProjectService, Settings
    from kawasan.web.app import create_app
    from kawasan.web.settings import WebSettings

    WORK.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kawasan-bench-run-to-map-"))
    data = work / "data"
    demo_area(args.demo, data)
    home = work / "home"
    settings = Settings.in_folder(home)
    svc = ProjectService(settings)
    svc.add_user(USER, "coordinator", regency="Kabupaten Contoh (SYNTHETIC)", actor="admin")
    svc.set_password(USER, PASSWORD, actor="admin")
    svc.close()
    queue = f"sqlite:///{work / 'queue.db'}"
    app = create_app(settings, WebSettings(data_dir=data), background=False)
    app.state.queue = make_huey(queue)
    env = {**os.environ, "KAWASAN_DATABASE_URL": settings.database_url, "KAWASAN_HOME": str(home)}
    results = {"machine": describe(), "started": time.strftime("%Y-%m-%d %H:%M:%S"), "goal_s": GOAL_S, "cases": {}}
    srv, base = serve(app)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox",
                                                                        "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(f"{base}/login")
            page.fill("input[name=username]", USER)
            page.fill("input[name=password]", PASSWORD)
            page.click("form[action='/login'] button")
            page.wait_for_load_state("networkidle")
            for case, warm in (("no warm-up", False), ("warm-up", True)):
                t = time.perf_counter()
                worker = start_worker(queue, env, warm, WORK / f"worker-{'warm' if warm else 'cold'}.log")
                ready = time.perf_counter() - t
                try:
                    runs = [one_run(page, base, w) for w in ("80", "70")]
                finally:
                    os.killpg(worker.pid, signal.SIGTERM)
                    worker.wait(timeout=30)
                results["cases"][case] = {"worker_ready_s": round(ready, 1), "runs": runs,
                                          "load_average": os.getloadavg()}
                for i, r in enumerate(runs):
                    print(f"   {case:11s} job {i + 1}: Run -> finished {r['finished_s']:.1f} s, -> map painted "
                          f"{r['total_s']:.1f} s ({r['tiles']} tiles of the new run)  [worker ready after "
                          f"{ready:.1f} s; load {os.getloadavg()[0]:.1f}]", flush=True)
            browser.close()
    finally:
        srv.should_exit = True
        shutil.rmtree(work, ignore_errors=True)
    (WORK / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(describe())
    print(f"   results: {WORK / 'results.json'}")


if __name__ == "__main__":
    main()
