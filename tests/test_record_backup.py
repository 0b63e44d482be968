"""kawasan db backup / db restore: a populated record round-trips between SQLite and PostgreSQL, checksummed,
all or nothing, and db verify passes on the restored copy."""
from __future__ import annotations

import json
import zipfile
from datetime import date

import pytest
from sqlalchemy import text

from kawasan.cli.main import cli
from kawasan.errors import InputError, OutputError
from kawasan.storage.db import Settings
from kawasan.tracker import ProjectService
from test_licensing_store_fixtures import pg_schema_url  # noqa: F401 (fixture)

TODAY = date(2026, 6, 1)


def _settings(kind, tmp_path, name, request):
    if kind == "sqlite":
        return Settings.in_folder(tmp_path / name, timeout_s=5)
    url = request.getfixturevalue("pg_schema_url")[0] if name == "a" else _second_schema(request)
    return Settings(database_url=url, files_dir=tmp_path / name / "documents", home=tmp_path / name, timeout_s=5)


def _second_schema(request):
    """A second fresh PostgreSQL schema in the same test (the fixture gives one)."""
    import uuid
    from urllib.parse import quote

    import psycopg

    import test_licensing_store_fixtures as fx

    base = fx.pg_base_url()
    schema = f"kawasan_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(fx._raw(base), autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')

    def drop():
        with psycopg.connect(fx._raw(base), autocommit=True) as c:
            c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    request.addfinalizer(drop)
    return base + ("&" if "?" in base else "?") + "options=" + quote(f"-csearch_path={schema}")


def _service(settings):
    svc = ProjectService(settings, today=TODAY, user="admin")
    if not svc.embedded and not svc.has_users():
        svc.add_user("admin", "administrator")
    return svc


def _populate(svc, tmp_path):
    pid = svc.create_project("KIHT Contoh (synthetic)", "apht", date(2026, 1, 5), regency="Kabupaten Contoh")["id"]
    svc.update_stage(pid, "K1", "in_progress", on=date(2026, 1, 6))
    svc.block_stage(pid, "K1", reason="sengketa lahan", on=date(2026, 1, 9), obstacle="waris", owner="BPN")
    pdf = tmp_path / "masterplan.pdf"
    pdf.write_bytes(b"%PDF-1.4\nmasterplan \xe2\x80\x94 synthetic\n%%EOF\n")
    svc.attach(pid, "K1", pdf, name="Masterplan")
    svc.attach(pid, "K2", pdf, name="Salinan")
    svc.add_user("dlh", "agency_officer", agency="DLH", regency="Kabupaten Contoh")
    svc.set_password("dlh", "a-long-password", actor="admin")
    token = svc.create_token("dlh", "laptop", actor="dlh")["token"]
    svc.add_calendar_day(date(2026, 8, 18), description="cuti bersama daerah (synthetic)", actor="admin")
    return pid, token


def _dump(svc):
    """Everything a user can see of the record, for comparison."""
    pid = svc.list_projects()[0]["id"]
    return {"projects": svc.list_projects(), "history": svc.history(pid), "documents": svc.documents(pid),
            "users": svc.list_users(), "agencies": svc.list_agencies(), "state": svc.state(pid, today=TODAY)}


@pytest.mark.parametrize("source,target", [("sqlite", "sqlite"), ("sqlite", "postgresql"),
                                           ("postgresql", "sqlite")])
def test_round_trip(source, target, tmp_path, request):
    a = _service(_settings(source, tmp_path, "a", request))
    b = _service(_settings(target, tmp_path, "b", request)) if target == "postgresql" else \
        ProjectService(_settings(target, tmp_path, "b", request), today=TODAY, user="admin")
    try:
        pid, token = _populate(a, tmp_path)
        res = a.backup(tmp_path / "record.kawasan.zip")
        assert res["documents"] == 1 and res["tables"]["events"] == a.verify_record()["events"]
        if target == "postgresql":  # the fixture made 'admin' in the target: restore needs an empty database
            with pytest.raises(OutputError, match="already holds a record"):
                b.restore(tmp_path / "record.kawasan.zip")
            b.restore(tmp_path / "record.kawasan.zip", replace=True, actor="admin")
        else:
            b.restore(tmp_path / "record.kawasan.zip")
        assert _dump(b) == _dump(a)
        assert b.verify_record()["ok"]
        assert b.verify_record()["chains"] == a.verify_record()["chains"]
        doc = b.documents(pid)[0]
        assert b.document(pid, doc["id"])[1].read_bytes() == a.document(pid, doc["id"])[1].read_bytes()
        assert b.authenticate("dlh", "a-long-password")["username"] == "dlh"
        assert b.resolve_token(token)["username"] == "dlh"
        b.update_stage(pid, "K2", "in_progress", on=date(2026, 1, 12))  # new ids continue after the restored ones
        assert b.verify_record()["ok"]
        b.backup(tmp_path / "again.zip")
    finally:
        a.close()
        b.close()


def test_the_same_record_gives_the_same_bytes(tmp_path):
    a = ProjectService(Settings.in_folder(tmp_path / "a"), today=TODAY)
    try:
        _populate(a, tmp_path)
        one, two = a.backup(tmp_path / "1.zip"), a.backup(tmp_path / "2.zip")
        assert one["sha256"] == two["sha256"]
        b = ProjectService(Settings.in_folder(tmp_path / "b"), today=TODAY)
        b.restore(tmp_path / "1.zip")
        assert b.backup(tmp_path / "3.zip")["sha256"] == one["sha256"]
        b.close()
    finally:
        a.close()


def _rewrite(src, dst, change):
    """A copy of the archive with ``change(name, data) -> data`` applied and the manifest's checksums refreshed."""
    import hashlib

    with zipfile.ZipFile(src) as z:
        members = {n: z.read(n) for n in z.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    members = {n: change(n, d) for n, d in members.items()}
    manifest["sha256"] = {n: hashlib.sha256(d).hexdigest() for n, d in members.items()}
    with zipfile.ZipFile(dst, "w") as z:
        for n, d in members.items():
            z.writestr(n, d)
        z.writestr("manifest.json", json.dumps(manifest))


@pytest.fixture
def archive(tmp_path):
    a = ProjectService(Settings.in_folder(tmp_path / "a"), today=TODAY)
    _populate(a, tmp_path)
    a.backup(tmp_path / "good.zip")
    a.close()
    return tmp_path / "good.zip"


def _empty(tmp_path):
    return ProjectService(Settings.in_folder(tmp_path / "target"), today=TODAY)


def test_a_damaged_archive_changes_nothing(archive, tmp_path):
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 3] ^= 0xFF
    (tmp_path / "damaged.zip").write_bytes(bytes(raw))
    b = _empty(tmp_path)
    with pytest.raises(InputError):
        b.restore(tmp_path / "damaged.zip")
    assert b.list_projects() == [] and not list((tmp_path / "target" / "documents").rglob("*"))
    b.close()


def test_a_rewritten_event_in_the_archive_is_refused_whole(archive, tmp_path):
    """Checksums recomputed by whoever edited the archive: the event chain still tells, and nothing is loaded."""
    def change(name, data):
        return data.replace(b"sengketa lahan", b"tidak ada masalah") if name == "tables/events.jsonl" else data

    _rewrite(archive, tmp_path / "edited.zip", change)
    b = _empty(tmp_path)
    with pytest.raises(InputError, match="does not verify"):
        b.restore(tmp_path / "edited.zip")
    assert b.list_projects() == [] and [u["username"] for u in b.list_users()] == ["admin"]
    assert b.verify_record()["ok"]
    b.close()


@pytest.mark.parametrize("what,words", [
    ("not a zip", "not a readable backup"),
    ("no manifest", "no manifest.json"),
    ("other format", "not a kawasan backup"),
    ("future version", "format version 99"),
    ("missing table", "differ from its manifest"),
    ("wrong count", "the manifest says"),
])
def test_bad_archives_are_clear_errors(archive, tmp_path, what, words):
    bad = tmp_path / "bad.zip"
    if what == "not a zip":
        bad.write_bytes(b"%PDF-1.4 not an archive")
    elif what == "no manifest":
        with zipfile.ZipFile(bad, "w") as z:
            z.writestr("tables/events.jsonl", b"")
    else:
        with zipfile.ZipFile(archive) as z:
            members = {n: z.read(n) for n in z.namelist()}
        manifest = json.loads(members["manifest.json"])
        if what == "other format":
            manifest["format"] = "something-else"
        elif what == "future version":
            manifest["format_version"] = 99
        elif what == "missing table":
            members.pop("tables/obstacles.jsonl")
        elif what == "wrong count":
            manifest["tables"]["obstacles"] = 7
        members["manifest.json"] = json.dumps(manifest).encode()
        with zipfile.ZipFile(bad, "w") as z:
            for n, d in members.items():
                z.writestr(n, d)
    b = _empty(tmp_path)
    with pytest.raises(InputError, match=words):
        b.restore(bad)
    assert b.list_projects() == []
    b.close()


def test_cli_backup_restore_verify(tmp_path, monkeypatch, runner):
    for k in ("KAWASAN_USER", "KAWASAN_TOKEN", "KAWASAN_DATABASE_URL", "KAWASAN_FILES_DIR", "KAWASAN_SHARED"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "a"))
    a = ProjectService(today=TODAY)
    _populate(a, tmp_path)
    a.close()
    out = tmp_path / "backups" / "kawasan-2026-06-01.zip"
    r = runner.invoke(cli, ["db", "backup", str(out)])
    assert r.exit_code == 0 and "Backup written" in r.output and out.is_file()
    r = runner.invoke(cli, ["db", "backup", str(out)])
    assert r.exit_code == 2 and "exists" in r.output
    r = runner.invoke(cli, ["db", "backup", str(out), "--overwrite", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["documents"] == 1
    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "b"))
    r = runner.invoke(cli, ["--lang", "id", "db", "restore", str(out)])
    assert r.exit_code == 0 and "dipulihkan" in r.output
    assert runner.invoke(cli, ["db", "verify"]).exit_code == 0
    r = runner.invoke(cli, ["db", "restore", str(out)])
    assert r.exit_code == 2 and "already holds a record" in r.output and "--replace" in r.output
    r = runner.invoke(cli, ["db", "restore", str(out), "--replace", "--json"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["db", "restore", str(tmp_path / "none.zip")])
    assert r.exit_code == 2 and "file not found" in r.output
    r = runner.invoke(cli, ["db", "backup", str(tmp_path / "x.zip"), "--as", "dlh"])
    assert r.exit_code == 2 and "administrator" in r.output
    with ProjectService(today=TODAY).engine.connect() as c:
        assert c.execute(text("PRAGMA integrity_check")).scalar() == "ok"
