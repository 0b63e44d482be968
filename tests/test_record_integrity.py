"""Tamper evidence of the licensing record (issue 14 defect 3): hash chain, replay of states, triggers, db verify.

Each test first shows the attack of the issue (a rewrite that the append-only triggers do not stop for whoever
owns the table), then that ``db verify`` reports the first broken link and ``db upgrade`` puts the guard back.
"""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import text

from kawasan.cli.main import cli
from kawasan.storage import chain
from test_licensing_store_fixtures import pg_schema_url, settings, svc  # noqa: F401 (fixtures)

START = date(2026, 1, 5)


def _pdf(folder, name="ukl.pdf", body=b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"):
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_bytes(body)
    return p


def _populate(svc, tmp_path):  # noqa: F811
    pid = svc.create_project("KIHT Contoh (synthetic)", "apht", START, regency="Kabupaten Contoh")["id"]
    svc.update_stage(pid, "K1", "in_progress", on=date(2026, 1, 6))
    svc.block_stage(pid, "K1", reason="lahan belum bebas", on=date(2026, 1, 8), obstacle="sengketa", owner="BPN")
    svc.unblock_stage(pid, "K1", on=date(2026, 1, 9))
    svc.attach(pid, "K1", _pdf(tmp_path / "in"), name="Masterplan")
    svc.create_project("KI Kedua (synthetic)", "apht", START, regency="Kabupaten Contoh")
    return pid


def _raw(svc, sql, **params):  # noqa: F811
    """A write straight into the database, as someone holding its login would do it."""
    with svc.engine.begin() as c:
        c.execute(text(sql), params)


def _drop_guard(svc):  # noqa: F811
    if svc.embedded:
        _raw(svc, "DROP TRIGGER events_no_update")
    else:
        _raw(svc, "ALTER TABLE events DISABLE TRIGGER events_append_only")


def test_a_fresh_record_verifies_and_every_chain_is_recomputable(svc, tmp_path):  # noqa: F811
    pid = _populate(svc, tmp_path)
    res = svc.verify_record()
    assert res["ok"], res["problems"]
    assert {c["project"] for c in res["chains"]} == {None, pid, pid + 1}
    assert res["documents"] == 1 and res["events"] == len(svc.history(pid)) + len(svc.history(pid + 1)) + \
        next(c["events"] for c in res["chains"] if c["project"] is None)
    # the stored hashes are exactly the documented formula over the stored fields
    from kawasan.storage.models import Event

    head = chain.GENESIS
    with svc._read() as s:
        for e in s.query(Event).filter(Event.project_id == pid).order_by(Event.id):
            head = chain.link(head, e)
            assert e.chain_hash == head
    assert next(c["head"] for c in res["chains"] if c["project"] == pid) == head


def test_canonical_json_is_fixed():
    fields = {"actor": "admin", "detail": {"b": 1, "a": [1, "x"]}, "effective_date": date(2026, 1, 6),
              "field": "status", "kind": "stage.status", "new_value": "in_progress", "old_value": "not_started",
              "project_id": 3, "reason": None, "stage_id": "K1", "user_id": 1,
              "recorded_at": __import__("datetime").datetime(2026, 1, 6, 8, 0, 0, 5)}
    assert chain.canonical(fields) == (
        '{"actor":"admin","detail":{"a":[1,"x"],"b":1},"effective_date":"2026-01-06","field":"status",'
        '"kind":"stage.status","new_value":"in_progress","old_value":"not_started","project_id":3,"reason":null,'
        '"recorded_at":"2026-01-06T08:00:00.000005Z","stage_id":"K1","user_id":1,"v":1}')
    import hashlib

    assert chain.link(chain.GENESIS, fields) == hashlib.sha256(
        (chain.GENESIS + "\n" + chain.canonical(fields)).encode()).hexdigest()


def test_a_rewritten_event_is_the_first_broken_link(svc, tmp_path):  # noqa: F811
    pid = _populate(svc, tmp_path)
    target = next(e for e in svc.history(pid) if e["kind"] == "stage.block")
    _drop_guard(svc)
    _raw(svc, "UPDATE events SET reason = 'rewritten' WHERE id = :i", i=target["id"])  # the attack succeeds ...
    res = svc.verify_record()  # ... and is evident
    assert not res["ok"]
    kinds = [p["check"] for p in res["problems"]]
    assert kinds[0] == "guard" and "events_" in res["problems"][0]["message"]
    broken = [p for p in res["problems"] if p["check"] == "chain"]
    assert len(broken) == 1 and broken[0]["project"] == pid and broken[0]["event"] == target["id"]
    assert f"event {target['id']}" in broken[0]["message"]


def test_a_deleted_event_breaks_the_chain_and_the_replay(svc, tmp_path):  # noqa: F811
    pid = _populate(svc, tmp_path)
    events = svc.history(pid)
    victim = next(e for e in events if e["kind"] == "stage.unblock")
    after = [e for e in events if e["id"] > victim["id"]][0]
    if svc.embedded:
        _raw(svc, "DROP TRIGGER events_no_delete")
    else:
        _raw(svc, "ALTER TABLE events DISABLE TRIGGER events_append_only")
    _raw(svc, "DELETE FROM events WHERE id = :i", i=victim["id"])
    res = svc.verify_record()
    chains = [p for p in res["problems"] if p["check"] == "chain"]
    assert chains and chains[0]["event"] == after["id"]
    states = [p for p in res["problems"] if p["check"] == "state"]
    assert states and states[0]["stage"] == "K1" and "blocked" in states[0]["message"]


def test_a_direct_update_of_a_stage_is_evident(svc, tmp_path):  # noqa: F811
    pid = _populate(svc, tmp_path)
    _raw(svc, "UPDATE stages SET status = 'approved' WHERE project_id = :p AND stage_id = 'K2'", p=pid)
    res = svc.verify_record()
    assert [p["check"] for p in res["problems"]] == ["state"]
    assert res["problems"][0]["stage"] == "K2" and "'approved'" in res["problems"][0]["message"]


def test_missing_document_bytes_and_rows_are_evident(svc, tmp_path):  # noqa: F811
    pid = _populate(svc, tmp_path)
    doc = svc.documents(pid)[0]
    blob = svc.document_path(doc["sha256"])
    blob.write_bytes(b"%PDF-1.4 tampered")
    res = svc.verify_record()
    assert [p["document"] for p in res["problems"]] == [doc["id"]] and "do not hash" in res["problems"][0]["message"]
    assert svc.verify_record(read_bytes=False)["ok"]
    blob.unlink()
    assert "missing" in svc.verify_record(read_bytes=False)["problems"][0]["message"]
    _raw(svc, "DELETE FROM documents")
    res = svc.verify_record()
    assert [p["check"] for p in res["problems"]] == ["documents"] and "no such document row" in \
        res["problems"][0]["message"]


def test_migration_0003_back_fills_the_same_chain(settings, tmp_path):  # noqa: F811
    """Down to 0002 (no chain column), up again: the back-fill gives every event the hash it had."""
    from alembic import command

    from kawasan.storage.db import alembic_config, upgrade, writer
    from kawasan.tracker import ProjectService

    s = ProjectService(settings, today=date(2026, 6, 1), user="admin")
    try:
        if not s.embedded:
            s.add_user("admin", "administrator")
        _populate(s, tmp_path)
        with s.engine.connect() as c:
            before = c.execute(text("SELECT id, chain_hash FROM events ORDER BY id")).all()
        with writer(s.engine).connect() as conn:
            raw = conn.connection.dbapi_connection
            if s.embedded:   # outside the transaction: SQLite ignores the pragma inside one
                raw.execute("PRAGMA foreign_keys = OFF")
            with conn.begin():
                command.downgrade(alembic_config(conn), "0002")
            if s.embedded:
                raw.execute("PRAGMA foreign_keys = ON")
        with s.engine.connect() as c:
            assert "chain_hash" not in [col["name"] for col in __import__("sqlalchemy").inspect(c).get_columns("events")]
        repairs: list[str] = []
        upgrade(s.engine, settings, repairs=repairs)
        assert repairs == []  # the migration re-installed the triggers itself
        with s.engine.connect() as c:
            assert c.execute(text("SELECT id, chain_hash FROM events ORDER BY id")).all() == before
        assert s.verify_record()["ok"]
    finally:
        s.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def kw(request, tmp_path, monkeypatch, runner):
    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KAWASAN_FILES_DIR", raising=False)
    if request.param == "sqlite":
        monkeypatch.setenv("KAWASAN_DATABASE_URL", f"sqlite:///{tmp_path / 'home' / 'kawasan.db'}")
    else:
        monkeypatch.setenv("KAWASAN_DATABASE_URL", request.getfixturevalue("pg_schema_url")[0])
    from kawasan.tracker import ProjectService

    svc = ProjectService(user="admin", today=date(2026, 6, 1))
    if not svc.embedded:
        svc.add_user("admin", "administrator")
    _populate(svc, tmp_path)

    def run(*args):
        return runner.invoke(cli, [str(a) for a in args])

    run.svc = svc
    yield run
    svc.close()


def test_cli_verify_reports_and_upgrade_repairs_the_guard(kw):
    r = kw("db", "verify")
    assert r.exit_code == 0, r.output
    assert "sound" in r.output
    _drop_guard(kw.svc)
    _raw(kw.svc, "UPDATE events SET actor = 'admin2' WHERE id = (SELECT max(id) FROM events)")
    r = kw("db", "verify", "--json")
    assert r.exit_code == 1, r.output
    res = json.loads(r.stdout)
    assert not res["ok"] and [p["check"] for p in res["problems"]][:2] == ["guard", "chain"]
    r = kw("db", "verify")
    assert r.exit_code == 1 and "NOT sound" in r.output and "first broken link" in r.output
    r = kw("--lang", "id", "db", "verify")
    assert r.exit_code == 1 and "TIDAK utuh" in r.output
    r = kw("db", "upgrade")
    assert r.exit_code == 0, r.output
    assert "events_" in r.output and ("re-created" in r.output or "enabled" in r.output)
    r = kw("db", "upgrade", "--json")
    assert json.loads(r.stdout)["repaired"] == []
    res = json.loads(kw("db", "verify", "--json").stdout)
    assert [p["check"] for p in res["problems"]] == ["chain"]  # the guard is back; the rewrite stays evident
