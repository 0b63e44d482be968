"""The job worker's warm-up at start and the jobs' runs on a Dask scheduler (kawasan serve/worker --scheduler)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import make_area, small_model


@pytest.fixture(autouse=True)
def _scheduler_setting_restored():
    """`kawasan serve/worker --scheduler` set KAWASAN_SCHEDULER for their job processes, in this process's
    environment; put it back after each test, or every later test's jobs would go to a cluster that is gone."""
    before = os.environ.get("KAWASAN_SCHEDULER")
    yield
    if before is None:
        os.environ.pop("KAWASAN_SCHEDULER", None)
    else:
        os.environ["KAWASAN_SCHEDULER"] = before


# ---------------------------------------------------------------------------------------------- warm-up

def test_the_warm_up_does_a_tiny_job_and_builds_its_area_once(tmp_path, monkeypatch):
    from kawasan.jobs import warmup
    from kawasan.sampledata import contoh

    before = set(Path(tempfile.gettempdir()).glob("kawasan-warm-up-*"))
    took = warmup.warm_up(tmp_path)
    area = tmp_path / "warm-up" / "area"
    man = json.loads((area / "manifest.json").read_text())
    assert man["kind"] == "kawasan.study_area" and man["grid"]["width"] == warmup.AREA_SIZE[0]
    assert took["run"] > 0 and took["total"] >= took["run"] + took["sites"]
    monkeypatch.setattr(contoh, "build_study_area", lambda *a, **k: pytest.fail("the area was built again"))
    assert warmup.warm_up(tmp_path)["area"] < took["area"] + 1
    assert set(Path(tempfile.gettempdir()).glob("kawasan-warm-up-*")) == before  # nothing left behind


def test_a_failed_warm_up_is_logged_and_the_worker_goes_on(monkeypatch, caplog):
    from kawasan.jobs import warmup

    monkeypatch.setattr(warmup, "warm_up", lambda: (_ for _ in ()).throw(OSError("disk full")))
    warmup.warm_up_quietly()
    assert "warm-up failed" in caplog.text and "disk full" in caplog.text


@pytest.mark.parametrize("raw,on", [("", True), ("1", True), ("on", True), ("0", False), ("off", False),
                                    ("false", False)])
def test_the_warm_up_setting(monkeypatch, raw, on):
    from kawasan.jobs import warmup

    monkeypatch.setenv("KAWASAN_WORKER_WARMUP", raw)
    assert warmup.enabled() is on
    assert warmup.enabled(False) is False and warmup.enabled(True) is True


def test_a_malformed_warm_up_setting_is_refused_by_serve_and_worker(runner, monkeypatch):
    from kawasan.cli.main import cli
    from kawasan.errors import InputError
    from kawasan.jobs import warmup

    monkeypatch.setenv("KAWASAN_WORKER_WARMUP", "maybe")
    with pytest.raises(InputError) as e:
        warmup.enabled()
    assert e.value.field == "KAWASAN_WORKER_WARMUP" and "maybe" in str(e.value)
    for args in (["worker"], ["serve", "--port", "8799"]):
        r = runner.invoke(cli, args)
        assert r.exit_code == 2 and "KAWASAN_WORKER_WARMUP" in r.output and "Traceback" not in r.output, args


def _capture_worker(monkeypatch):
    """run_worker without consuming: the huey it built, for its start-up hooks."""
    from kawasan.jobs import queue as q

    seen = {}
    real = q.make_huey

    def make(spec=None, **kw):
        h = real(spec, **kw)
        monkeypatch.setattr(h, "create_consumer", lambda **k: type("C", (), {"run": lambda self: None})())
        seen["huey"] = h
        return h
    monkeypatch.setattr(q, "make_huey", make)
    return seen


def test_the_worker_warms_each_job_process_up_unless_told_not_to(tmp_path, monkeypatch):
    from kawasan.cli.worker import run_worker

    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "home"))
    queue = f"sqlite:///{tmp_path / 'q.db'}"
    seen = _capture_worker(monkeypatch)
    run_worker(1, queue, quiet=True)
    assert "kawasan.warm_up" in seen["huey"]._startup
    run_worker(1, queue, quiet=True, warm=False)
    assert "kawasan.warm_up" not in seen["huey"]._startup


def test_a_real_worker_is_warm_before_its_first_job(tmp_path):
    """``kawasan worker`` with the warm-up on: the tiny area appears under KAWASAN_HOME before any job was
    queued, and a job queued afterwards finishes."""
    from kawasan.jobs.queue import enqueue, make_huey
    from kawasan.tracker import ProjectService, Settings
    from kawasan.tracker.jobs import JobService

    home = tmp_path / "home"
    settings = Settings.in_folder(home)
    ProjectService(settings).close()
    queue = f"sqlite:///{tmp_path / 'queue.db'}"
    env = {**os.environ, "KAWASAN_DATABASE_URL": settings.database_url, "KAWASAN_HOME": str(home),
           "KAWASAN_WORKER_WARMUP": "1"}
    code = "import sys; from kawasan.cli.main import main; main(sys.argv[1:])"
    proc = subprocess.Popen([sys.executable, "-c", code, "worker", "--jobs", "1", "--queue", queue], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    svc = JobService(settings)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not (home / "warm-up" / "area" / "manifest.json").is_file():
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
            time.sleep(0.2)
        assert (home / "warm-up" / "area" / "manifest.json").is_file()
        area = tmp_path / "area"
        make_area(area)
        job = svc.submit("suitability", "after warm-up",
                         {"data": str(area), "out": str(tmp_path / "runs" / "r1"), "model": small_model(),
                          "model_name": "test-model", "rules": {}}, actor="admin")
        svc.set_queue_id(job["id"], enqueue(make_huey(queue), job["id"]))
        while time.monotonic() < deadline and svc.get(job["id"])["status"] not in ("finished", "failed"):
            time.sleep(0.1)
        assert svc.get(job["id"])["status"] == "finished"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=30)
        svc.close()


# ---------------------------------------------------------------------------------------------- Dask scheduler

def test_a_jobs_run_uses_the_configured_dask_scheduler(tmp_path, monkeypatch):
    from distributed import LocalCluster

    from kawasan.jobs.runners import run_suitability_job

    area = tmp_path / "area"
    make_area(area)
    params = {"data": str(area), "out": str(tmp_path / "runs" / "dask"), "model": small_model(),
              "model_name": "test-model", "rules": {}}
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as cluster:
        monkeypatch.setenv("KAWASAN_SCHEDULER", cluster.scheduler_address)
        out = run_suitability_job(params, lambda f, s: None)
    man = json.loads((tmp_path / "runs" / "dask" / "manifest.json").read_text())
    assert out["run"] == "dask"
    assert man["chunked"]["scheduler"] == "address" and man["chunked"]["chunks"] >= 1, man.get("chunked")
    monkeypatch.delenv("KAWASAN_SCHEDULER")
    params["out"] = str(tmp_path / "runs" / "local")
    run_suitability_job(params, lambda f, s: None)
    assert "chunked" not in json.loads((tmp_path / "runs" / "local" / "manifest.json").read_text())


def test_serve_and_worker_pass_the_scheduler_to_the_jobs_and_check_it(tmp_path, monkeypatch):
    from distributed import LocalCluster

    from kawasan.cli.worker import run_worker
    from kawasan.jobs.runners import job_scheduler

    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KAWASAN_SCHEDULER", raising=False)
    _capture_worker(monkeypatch)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        run_worker(1, f"sqlite:///{tmp_path / 'q.db'}", quiet=True, warm=False, scheduler=cluster.scheduler_address)
        assert os.environ["KAWASAN_SCHEDULER"] == cluster.scheduler_address  # the job processes inherit it
        assert job_scheduler(check=True) == cluster.scheduler_address


def test_a_bad_or_silent_scheduler_is_refused_before_anything_starts(runner, monkeypatch):
    from kawasan.cli.main import cli

    monkeypatch.delenv("KAWASAN_SCHEDULER", raising=False)
    for args in (["worker", "--scheduler", "nonsense"], ["serve", "--port", "8799", "--scheduler", "nonsense"]):
        r = runner.invoke(cli, args)
        assert r.exit_code == 2 and "--scheduler" in r.output and "nonsense" in r.output, (args, r.output)
        assert "Traceback" not in r.output
    monkeypatch.delenv("KAWASAN_SCHEDULER", raising=False)
    r = runner.invoke(cli, ["worker", "--no-warm-up", "--scheduler", "tcp://127.0.0.1:1"])
    assert r.exit_code != 0 and "does not answer" in r.output and "Traceback" not in r.output
    monkeypatch.setenv("KAWASAN_SCHEDULER", "nonsense")
    r = runner.invoke(cli, ["serve", "--port", "8799"])
    assert r.exit_code == 2 and "KAWASAN_SCHEDULER" in r.output
