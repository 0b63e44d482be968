"""Concurrent writers on the licensing record (a moderate size; the 20-writer proof is scripts/record_stress.py,
its figures in docs/reliability.md): zero lost updates, zero lost documents, every refusal a conflict."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import test_licensing_store_fixtures as fx

ROOT = Path(__file__).resolve().parents[1]


def _stress():
    spec = importlib.util.spec_from_file_location("record_stress", ROOT / "scripts" / "record_stress.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def clean_env(monkeypatch):
    for k in ("KAWASAN_HOME", "KAWASAN_DATABASE_URL", "KAWASAN_FILES_DIR", "KAWASAN_USER", "KAWASAN_TOKEN",
              "KAWASAN_DB_TIMEOUT", "KAWASAN_SHARED", "KAWASAN_LANG"):
        monkeypatch.setenv(k, "x")  # monkeypatch restores each afterwards (the script writes os.environ)
        monkeypatch.delenv(k)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_six_writers_through_the_service(backend, clean_env):
    url = fx.pg_base_url() if backend == "postgresql" else fx.PG_DEFAULT
    res = _stress().run(backend, "service", writers=6, ops=2, pg_url=url)
    assert res["failures"] == [], res
    assert res["changes_accepted"] + res["changes_conflict"] == 12 and res["changes_accepted"] >= 4
    assert res["lost_updates"] == 0 and res["lost_documents"] == 0 and res["verify_ok"]


def test_three_writers_through_the_cli(clean_env):
    res = _stress().run("sqlite", "cli", writers=3, ops=1)
    assert res["failures"] == [], res
    assert res["integrity_check"] == "ok" and res["attaches_accepted"] == 3
