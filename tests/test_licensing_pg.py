"""PostgreSQL specifics of the licensing storage (skipped with a reason when no server is reachable)."""
from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import text

import test_licensing_store_fixtures as fx
from kawasan.storage.db import Settings, head_revision, make_engine, upgrade
from test_licensing_store_fixtures import pg_schema_url  # noqa: F401 (fixture)


def test_truncate_of_the_event_log_is_refused(pg_schema_url, tmp_path):  # noqa: F811
    from kawasan.tracker import ProjectService

    url, _ = pg_schema_url
    svc = ProjectService(Settings(database_url=url, files_dir=tmp_path), today=date(2026, 6, 1), user="boss")
    try:
        svc.add_user("boss", "administrator")
        svc.create_project("E", "apht", date(2026, 1, 5))
        with pytest.raises(Exception, match="append-only"):
            with svc.engine.begin() as c:
                c.execute(text("TRUNCATE events CASCADE"))
        assert len(svc.history(1)) == 1
    finally:
        svc.close()


def test_two_processes_migrating_a_fresh_database_take_turns(pg_schema_url, tmp_path):  # noqa: F811
    url, _ = pg_schema_url
    results, errors = [], []

    def migrate():
        s = Settings(database_url=url, files_dir=tmp_path, timeout_s=10)
        engine = make_engine(s)
        try:
            results.append(upgrade(engine, s)[1])
        except Exception as e:  # noqa: BLE001 - collected and asserted below
            errors.append(e)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=migrate) for _ in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors and results == [head_revision()] * 2


def test_switched_off_or_unreachable_server_skips_with_a_reason(monkeypatch):
    monkeypatch.setenv("KAWASAN_TEST_PG_URL", "off")
    with pytest.raises(pytest.skip.Exception, match="switched off"):
        fx.pg_base_url()
    monkeypatch.setenv("KAWASAN_TEST_PG_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    monkeypatch.setattr(fx, "_pg_state", {})
    with pytest.raises(pytest.skip.Exception, match="no PostgreSQL server reachable"):
        fx.pg_base_url()


def test_attachment_under_a_lock_leaves_no_file_and_no_row(pg_schema_url, tmp_path):  # noqa: F811
    """The blob is stored before the commit; when the commit fails (lock timeout) no row refers to it, and the file
    stays for the garbage collector (a failed attach never deletes a file: another attach may have committed a
    reference to the same bytes, issue 14 defect 1)."""
    import psycopg

    from kawasan.errors import StorageError
    from kawasan.tracker import ProjectService

    url, _ = pg_schema_url
    files = tmp_path / "files"
    svc = ProjectService(Settings(database_url=url, files_dir=files, timeout_s=0.5), today=date(2026, 6, 1),
                         user="boss")
    try:
        svc.add_user("boss", "administrator")
        pid = svc.create_project("E", "apht", date(2026, 1, 5))["id"]
        pdf = tmp_path / "a.pdf"
        pdf.write_bytes(b"%PDF-1.4\nlocked\n")
        with psycopg.connect(fx._raw(url)) as other:
            other.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")
            with pytest.raises(StorageError, match="locked"):
                svc.attach(pid, "K1", pdf)
            other.rollback()
        assert svc.documents(pid) == [] and len([p for p in files.rglob("*") if p.is_file()]) == 1
        assert svc.collect_garbage()["removed"] == 1 and not [p for p in files.rglob("*") if p.is_file()]
        assert svc.attach(pid, "K1", pdf)["version"] == 1
        assert svc.verify_record()["ok"]
    finally:
        svc.close()
