"""Storage of the licensing tracker: migrations match the models, append-only events, locks, bad URLs."""
from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from sqlalchemy import text

from kawasan.errors import StorageError
from kawasan.storage.db import Settings, current_revision, head_revision, make_engine, upgrade
from kawasan.storage.models import Base
from test_licensing_store_fixtures import pg_schema_url, settings, svc  # noqa: F401 (fixtures)


def test_migrations_create_exactly_the_models(settings):  # noqa: F811
    """alembic autogenerate compare: no difference between the migrated database and the models."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(settings)
    try:
        before, after = upgrade(engine, settings)
        assert before is None and after == head_revision()
        with engine.connect() as c:
            diff = compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata)
        assert diff == [], diff
        # running it again is a no-op
        assert upgrade(engine, settings) == (after, after)
    finally:
        engine.dispose()


def test_downgrade_removes_everything_and_upgrade_restores(settings):  # noqa: F811
    from alembic import command
    from sqlalchemy import inspect

    from kawasan.storage.db import alembic_config, writer

    engine = make_engine(settings)
    try:
        upgrade(engine, settings)
        with writer(engine).begin() as conn:
            command.downgrade(alembic_config(conn), "base")
        assert not set(inspect(engine).get_table_names()) & set(Base.metadata.tables)
        upgrade(engine, settings)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_first_use_migrates_and_creates_the_local_admin_on_sqlite(tmp_path):
    from kawasan.tracker import ProjectService

    s = ProjectService(Settings.in_folder(tmp_path / "fresh"))
    users = s.list_users()
    assert [u["username"] for u in users] == ["admin"] and users[0]["role"] == "administrator"
    assert current_revision(s.engine) == head_revision()
    with s.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    s.close()


def test_events_cannot_be_updated_or_deleted_in_the_database(svc):  # noqa: F811
    p = svc.create_project("Estate", "apht", date(2026, 1, 5))
    svc.update_stage(p["id"], "K1", "in_progress", on=date(2026, 1, 6))
    n = len(svc.history(p["id"]))
    for sql in ("UPDATE events SET reason = 'tampered'", "DELETE FROM events"):
        with pytest.raises(Exception) as e:
            with svc.engine.begin() as c:
                c.execute(text(sql))
        assert "append-only" in str(e.value)
    hist = svc.history(p["id"])
    assert len(hist) == n and all(h["reason"] != "tampered" for h in hist)


def test_locked_database_gives_storage_error_and_writes_nothing(svc, settings):  # noqa: F811
    p = svc.create_project("Estate", "apht", date(2026, 1, 5))
    before = svc.history(p["id"])
    if svc.embedded:
        path = settings.database_url.removeprefix("sqlite:///")
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # hold the write lock
    else:
        import psycopg

        from test_licensing_store_fixtures import _raw

        other = psycopg.connect(_raw(settings.database_url))
        other.execute("LOCK TABLE stages IN ACCESS EXCLUSIVE MODE")
    try:
        with pytest.raises(StorageError) as e:
            svc.update_stage(p["id"], "K1", "in_progress", on=date(2026, 1, 6))
        assert "locked" in str(e.value) and "Nothing was changed" in str(e.value)
    finally:
        other.rollback() if not svc.embedded else other.execute("ROLLBACK")
        other.close()
    assert svc.history(p["id"]) == before
    assert svc.state(p["id"])["stages"][0]["status"] == "not_started"
    # and once the lock is gone the same change goes through
    svc.update_stage(p["id"], "K1", "in_progress", on=date(2026, 1, 6))
    assert svc.state(p["id"])["stages"][0]["status"] == "in_progress"


def test_readers_are_not_blocked_by_a_writer_on_sqlite(tmp_path):
    from kawasan.tracker import ProjectService

    s = ProjectService(Settings.in_folder(tmp_path / "h", timeout_s=0.3), today=date(2026, 6, 1))
    pid = s.create_project("Estate", "apht", date(2026, 1, 5))["id"]
    other = sqlite3.connect(str(tmp_path / "h" / "kawasan.db"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        assert s.state(pid)["name"] == "Estate"  # WAL: reading while another program writes
    finally:
        other.execute("ROLLBACK")
        other.close()
        s.close()


@pytest.mark.parametrize("url, words", [
    ("postgresql+psycopg://nobody@127.0.0.1:1/nothing", "cannot use the database"),
    ("this is not a url", "not a database URL"),
    ("nosuchdialect://x/y", "cannot use this database URL"),
])
def test_unreachable_or_malformed_database_url(tmp_path, url, words):
    from kawasan.tracker import ProjectService

    with pytest.raises(StorageError) as e:
        s = ProjectService(Settings(database_url=url, files_dir=tmp_path / "d", timeout_s=1))
        s.list_projects()
    assert words in str(e.value)
    assert "nobody" not in str(e.value) or "***" not in url  # the URL is shown (password hidden)


def test_password_is_hidden_in_messages(tmp_path):
    from kawasan.tracker import ProjectService

    with pytest.raises(StorageError) as e:
        ProjectService(Settings(database_url="postgresql+psycopg://u:secret@127.0.0.1:1/x", files_dir=tmp_path,
                                timeout_s=1)).list_projects()
    assert "secret" not in str(e.value) and "***" in str(e.value)


def test_sqlite_in_an_unwritable_place(tmp_path):
    from kawasan.tracker import ProjectService

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError) as e:
        ProjectService(Settings(database_url=f"sqlite:///{blocker}/sub/kawasan.db", files_dir=tmp_path)).list_projects()
    assert "Nothing was changed" in str(e.value)


def test_a_file_that_is_not_a_database_is_a_storage_error(tmp_path):
    from kawasan.tracker import ProjectService

    bad = tmp_path / "kawasan.db"
    bad.write_bytes(b"this is a spreadsheet, not a database\n" * 200)
    with pytest.raises(StorageError) as e:
        ProjectService(Settings(database_url=f"sqlite:///{bad}", files_dir=tmp_path / "d")).list_projects()
    assert "not a database" in str(e.value) and "Nothing was changed" in str(e.value)


def test_database_from_a_newer_kawasan_is_refused(settings):  # noqa: F811
    engine = make_engine(settings)
    try:
        upgrade(engine, settings)
        with engine.begin() as c:
            c.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
        with pytest.raises(StorageError, match="newer kawasan"):
            upgrade(engine, settings)
    finally:
        engine.dispose()


def test_settings_from_env(monkeypatch, tmp_path):
    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "kh"))
    monkeypatch.delenv("KAWASAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("KAWASAN_FILES_DIR", raising=False)
    monkeypatch.setenv("KAWASAN_MAX_UPLOAD_MB", "2")
    s = Settings.from_env()
    assert s.database_url == f"sqlite:///{tmp_path / 'kh' / 'kawasan.db'}"
    assert s.files_dir == tmp_path / "kh" / "documents" and s.max_upload_bytes == 2 * 1024 * 1024
    monkeypatch.setenv("KAWASAN_MAX_UPLOAD_MB", "lots")
    with pytest.raises(StorageError, match="KAWASAN_MAX_UPLOAD_MB"):
        Settings.from_env()


def test_default_data_home_is_per_user(monkeypatch, tmp_path):
    from kawasan.storage.db import data_home

    monkeypatch.delenv("KAWASAN_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    import sys

    if sys.platform.startswith("linux"):
        assert data_home() == tmp_path / "xdg" / "kawasan"


def test_a_collision_at_commit_is_a_conflict_not_a_crash(settings):  # noqa: F811
    """Two writers inserting the same unique row at once: the loser gets a ConflictError, nothing half-written."""
    from datetime import datetime, timezone

    from sqlalchemy.orm import Session

    from kawasan.errors import ConflictError
    from kawasan.storage.db import storage_errors, writer
    from kawasan.storage.models import Agency

    engine = make_engine(settings)
    try:
        upgrade(engine, settings)
        now = datetime.now(timezone.utc)
        with Session(engine) as s, s.begin():
            s.add(Agency(code="DLH", name="first", kind="regency", created_at=now))
        with pytest.raises(ConflictError, match="at the same time"):
            with storage_errors(settings), Session(writer(engine)) as s, s.begin():
                s.add(Agency(code="DLH", name="second", kind="regency", created_at=now))
        with engine.connect() as c:
            assert c.execute(text("SELECT name FROM agencies")).scalars().all() == ["first"]
    finally:
        engine.dispose()
