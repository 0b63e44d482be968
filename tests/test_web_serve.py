"""kawasan serve: several worker processes share sessions (PostgreSQL, else SQLite); bad options exit 2."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx  # starlette.testclient itself uses httpx2 (tests extra)
import pytest

from web_fixtures import make_settings, password, seed_world


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database(tmp_path):
    from kawasan.tracker import ProjectService

    try:
        settings, cleanup = make_settings("postgresql", tmp_path)
    except pytest.skip.Exception:
        settings, cleanup = make_settings("sqlite", tmp_path)
    svc = ProjectService(settings, user="admin")
    seed_world(svc)
    svc.close()
    yield settings
    cleanup()


def test_two_workers_share_the_sign_in(database):
    port = _free_port()
    env = {**os.environ, "KAWASAN_DATABASE_URL": database.database_url, "KAWASAN_FILES_DIR": str(database.files_dir),
           "KAWASAN_TODAY": "2026-06-01", "KAWASAN_FORECAST_REFRESH_MINUTES": "0"}
    kawasan = Path(sys.executable).with_name("kawasan")
    proc = subprocess.Popen([str(kawasan), "serve", "--port", str(port), "--workers", "2"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        with httpx.Client(base_url=base) as c:
            pre = re.search(r'name="pre" value="([^"]+)"', c.get("/login").text).group(1)
            r = c.post("/login", data={"username": "coord", "password": password("coord"), "pre": pre, "next": "/"})
            assert r.status_code == 303
            # new connections spread over both workers; every one knows the session from the database
            for _ in range(12):
                with httpx.Client(base_url=base, cookies=c.cookies) as fresh:
                    me = fresh.get("/api/v1/me", headers={"Connection": "close"})
                    assert me.status_code == 200 and me.json()["username"] == "coord"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "Started server process" in out and out.count("Started server process") == 2


def test_bad_options_exit_2(runner):
    from kawasan.cli.main import cli

    r = runner.invoke(cli, ["serve", "--today", "2026-13-40"])
    assert r.exit_code == 2 and "--today" in r.output
    r = runner.invoke(cli, ["serve", "--workers", "0"])
    assert r.exit_code == 2 and "--workers" in r.output
    r = runner.invoke(cli, ["serve", "--data", "/no/such/folder"])
    assert r.exit_code == 2 and "--data" in r.output and "/no/such/folder" in r.output


def test_a_data_folder_that_is_not_a_folder_is_refused_before_the_server_starts(monkeypatch, tmp_path):
    from kawasan.errors import InputError
    from kawasan.web.settings import WebSettings

    monkeypatch.setenv("KAWASAN_DATA_DIR", str(tmp_path / "missing"))
    with pytest.raises(InputError, match="KAWASAN_DATA_DIR"):
        WebSettings.from_env()
    monkeypatch.setenv("KAWASAN_DATA_DIR", str(tmp_path))
    assert WebSettings.from_env().data_dir == tmp_path.resolve()


def test_demo_serves_its_licensing_database(monkeypatch, tmp_path):
    import kawasan.cli.serve as serve_mod
    from kawasan.cli.demo import _serve_demo

    seen = {}
    monkeypatch.setattr(serve_mod, "run_server", lambda host, port, workers, today=None, data_dir=None: seen.update(
        host=host, port=port, workers=workers, today=today, url=os.environ["KAWASAN_DATABASE_URL"],
        data_dir=data_dir))
    monkeypatch.setenv("KAWASAN_DATABASE_URL", "sqlite:///elsewhere.db")  # restored afterwards, as is:
    monkeypatch.setenv("KAWASAN_FILES_DIR", "elsewhere")
    _serve_demo(tmp_path / "licensing", "127.0.0.1", 8123, data_dir=tmp_path)
    assert seen["port"] == 8123 and seen["today"] == "2025-06-02"
    assert seen["data_dir"] == tmp_path  # the demo's folder is the map's data folder
    assert seen["url"].endswith(str((tmp_path / "licensing" / "kawasan.db").resolve()))
