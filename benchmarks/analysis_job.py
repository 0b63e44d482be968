"""From "Run" on the Analysis page to the finished job, on the demo (issue 13's goal: the new map under 15 s).

What it measures, in one run on this machine:

- **job**: the web API call that starts a run (``POST /api/v1/analysis/runs``, the preset with one weight
  changed) until ``GET /api/v1/jobs/{id}`` says finished, with a real ``kawasan worker`` process on huey's
  SQLite queue: queueing, the worker picking the job up, the suitability run with its criteria rasters,
  the candidate sites, and the page's poll interval (400 ms) as the browser sees it;
- **direct** (the peer): the same model, the same writes and the same site extraction called in one
  process (what ``kawasan suitability run`` + ``kawasan sites extract`` do), so the ratio job/direct is
  the cost of running it as a job.

Each is repeated ``--repeat`` times (the first job also pays the worker's first imports and numba cache
load); medians are printed with the machine. Usage::

    .venv/bin/python benchmarks/analysis_job.py [--demo kawasan-demo] [--repeat 5] [--queue sqlite|redis://...]
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe

POLL = 0.4  # the page's poll interval (static/analysis.js)


def build_demo(folder: Path) -> Path:
    from click.testing import CliRunner

    from kawasan.cli.main import cli

    r = CliRunner().invoke(cli, ["demo", "--out", str(folder), "--no-serve"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", type=Path, default=None, help="an existing `kawasan demo` folder (default: build one)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--queue", default=None, help="sqlite (default, a file in the work folder) or a Redis URL")
    args = ap.parse_args()

    from fastapi.testclient import TestClient

    from kawasan.jobs.queue import make_huey
    from kawasan.tracker import ProjectService, Settings
    from kawasan.web.app import create_app
    from kawasan.web.settings import WebSettings

    work = Path(tempfile.mkdtemp(prefix="kawasan-bench-jobs-"))
    demo = args.demo or build_demo(work / "demo")
    data = work / "data"
    shutil.copytree(demo / "data", data / "data")
    settings = Settings.in_folder(work / "home")
    svc = ProjectService(settings)
    svc.add_user("analyst", "coordinator", regency="Kabupaten Contoh (SYNTHETIC)", actor="admin")
    svc.set_password("analyst", "benchmark-password", actor="admin")
    token = svc.create_token("analyst", "bench", actor="analyst")["token"]
    svc.close()
    queue = args.queue or f"sqlite:///{work / 'queue.db'}"
    app = create_app(settings, WebSettings(data_dir=data), background=False)
    app.state.queue = make_huey(queue)
    env = {**os.environ, "KAWASAN_DATABASE_URL": settings.database_url, "KAWASAN_HOME": str(work / "home")}
    code = "import sys; from kawasan.cli.main import main; main(sys.argv[1:])"
    worker = subprocess.Popen([sys.executable, "-c", code, "worker", "--jobs", "1", "--queue", queue], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    edits = {"weights": {"method": "direct", "values": {"slope": 80, "land_use": 8.21, "soil": 5.04,
                                                        "main_road": 35.26, "river": 3.56, "trade_centre": 12.66}}}
    job_s, direct_s = [], []
    try:
        with TestClient(app) as client:
            h = {"Authorization": f"Bearer {token}"}
            for i in range(args.repeat):
                t0 = time.perf_counter()
                r = client.post("/api/v1/analysis/runs", headers=h, json={
                    "model": "preset:kawasan-industri", "edits": edits, "study_area": "data", "run": f"job-{i}"})
                assert r.status_code == 202, r.text
                jid = r.json()["id"]
                while True:
                    j = client.get(f"/api/v1/jobs/{jid}", headers=h).json()
                    if j["status"] not in ("queued", "running"):
                        break
                    time.sleep(POLL)
                assert j["status"] == "finished", j
                job_s.append(time.perf_counter() - t0)
        from kawasan.jobs.runners import run_suitability_job
        from kawasan.spatial.modeledit import apply_edits
        from kawasan.web.jobs import base_model

        model = apply_edits(base_model(data, "preset:kawasan-industri"), edits)
        for i in range(args.repeat):
            t0 = time.perf_counter()
            run_suitability_job({"model": model, "model_name": model["name"], "data": str(data / "data"),
                                 "out": str(data / "runs" / f"direct-{i}")}, lambda f, s: None)
            direct_s.append(time.perf_counter() - t0)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    print(describe())
    print(f"queue: {queue.split(':')[0]}, repeats: {args.repeat}")
    print(f"job (Run -> finished, polled every {POLL} s): first {job_s[0]:.2f} s, median {statistics.median(job_s):.2f} s, "
          f"max {max(job_s):.2f} s")
    print(f"direct (same work in-process):        first {direct_s[0]:.2f} s, median {statistics.median(direct_s):.2f} s")
    print(f"ratio job/direct (medians): {statistics.median(job_s) / statistics.median(direct_s):.2f}x")


if __name__ == "__main__":
    main()
