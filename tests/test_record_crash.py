"""Crash safety of the record (a small run of scripts/record_crash.py; the documented run kills 20 times each):
after SIGKILLs inside a stage-update burst and a document-upload burst, SQLite passes integrity_check, the database
holds exactly the acknowledged changes plus at most the one in flight, and db verify passes."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("what", ["updates", "uploads"])
def test_kills_inside_a_burst_leave_a_sound_record(what, monkeypatch):
    for k in ("KAWASAN_HOME", "KAWASAN_DATABASE_URL", "KAWASAN_FILES_DIR", "KAWASAN_DB_TIMEOUT"):
        monkeypatch.setenv(k, "x")
        monkeypatch.delenv(k)  # restored afterwards; the script sets them for its run
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    spec = importlib.util.spec_from_file_location("record_crash", ROOT / "scripts" / "record_crash.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    res = mod.run(what, "sqlite", kills=2, seed=1, max_delay=1.0)
    assert res["failures"] == [], res
    assert res["in_flight_committed"] <= res["kills"]
    sys.modules.pop("record_stress", None)
