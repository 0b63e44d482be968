"""The documented PostgreSQL set-up (docs/deployment.md): migrations as an owner role, the application as a role
that may only INSERT and SELECT events (issue 14 defect 3), tested on a fresh database of the local server."""
from __future__ import annotations

import uuid
from datetime import date

import pytest
from sqlalchemy import text

import test_licensing_store_fixtures as fx
from kawasan.cli.main import cli
from kawasan.storage.db import Settings


@pytest.fixture
def two_roles():
    """A fresh database owned by a new owner role, and a new application role; all dropped afterwards."""
    import psycopg

    base = fx.pg_base_url()
    tag = uuid.uuid4().hex[:10]
    owner, app, db = f"kw_owner_{tag}", f"kw_app_{tag}", f"kw_roles_{tag}"
    admin = psycopg.connect(fx._raw(base), autocommit=True)
    admin.execute(f"CREATE ROLE {owner} LOGIN")
    admin.execute(f"CREATE ROLE {app} LOGIN")
    admin.execute(f"CREATE DATABASE {db} OWNER {owner}")
    host = base.split("@", 1)[1].split("/", 1)[0]

    def url(role):
        return f"postgresql+psycopg://{role}@{host}/{db}"

    try:
        yield url(owner), url(app), app
    finally:
        admin.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'")
        admin.execute(f"DROP DATABASE IF EXISTS {db}")
        admin.execute(f"DROP ROLE IF EXISTS {app}")
        admin.execute(f"DROP ROLE IF EXISTS {owner}")
        admin.close()


def test_the_application_role_cannot_rewrite_history(two_roles, tmp_path, monkeypatch, runner):
    from kawasan.tracker import ProjectService

    owner_url, app_url, app = two_roles
    for k in ("KAWASAN_USER", "KAWASAN_TOKEN", "KAWASAN_FILES_DIR", "KAWASAN_SHARED"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "home"))
    # 1. the owner migrates and grants
    r = runner.invoke(cli, ["db", "upgrade"], env={"KAWASAN_DATABASE_URL": owner_url})
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["db", "grant", app], env={"KAWASAN_DATABASE_URL": owner_url})
    assert r.exit_code == 0, r.output
    assert "GRANT SELECT, INSERT ON TABLE events" in r.output
    # 2. the application works as usual
    files = tmp_path / "documents"
    svc = ProjectService(Settings(database_url=app_url, files_dir=files, timeout_s=5), today=date(2026, 6, 1),
                         user="admin")
    try:
        svc.add_user("admin", "administrator")
        pid = svc.create_project("KIHT Contoh (synthetic)", "apht", date(2026, 1, 5))["id"]
        svc.update_stage(pid, "K1", "in_progress", on=date(2026, 1, 6))
        pdf = tmp_path / "a.pdf"
        pdf.write_bytes(b"%PDF-1.4\nroles\n%%EOF\n")
        svc.attach(pid, "K1", pdf)
        svc.create_token("admin", "ops")
        assert svc.verify_record()["ok"]
        svc.backup(tmp_path / "b.zip")
        # 3. ... but cannot touch the event log, nor switch its guard off
        refused = {
            "UPDATE": "UPDATE events SET reason = 'rewritten'",
            "DELETE": "DELETE FROM events",
            "TRUNCATE": "TRUNCATE events",
            "DISABLE TRIGGER": "ALTER TABLE events DISABLE TRIGGER events_append_only",
            "DISABLE TRIGGER ALL": "ALTER TABLE events DISABLE TRIGGER ALL",
            "DROP TRIGGER": "DROP TRIGGER events_append_only ON events",
            "ALTER": "ALTER TABLE events ADD COLUMN x integer",
            "DROP TABLE": "DROP TABLE events CASCADE",
        }
        for what, sql in refused.items():
            with pytest.raises(Exception, match="permission denied|must be owner") as e:
                with svc.engine.begin() as c:
                    c.execute(text(sql))
            assert "permission denied" in str(e.value) or "must be owner" in str(e.value), what
        with svc.engine.connect() as c:  # a GRANT to itself is only a warning: check the privilege it would give
            c.execute(text(f"GRANT UPDATE ON events TO {app}"))
            assert not c.execute(text("SELECT has_table_privilege(current_user, 'events', 'UPDATE') OR "
                                      "has_table_privilege(current_user, 'events', 'DELETE')")).scalar()
        assert len(svc.history(pid)) == 3 and svc.verify_record()["ok"]
        # the application cannot migrate or restore over the record either (the owner does)
        from kawasan.errors import KawasanError

        with pytest.raises(KawasanError):
            svc.restore(tmp_path / "b.zip", replace=True)
        assert svc.verify_record()["ok"] and len(svc.history(pid)) == 3
    finally:
        svc.close()
    # 4. the owner can still repair: db upgrade finds the guard in place
    r = runner.invoke(cli, ["db", "upgrade", "--json"], env={"KAWASAN_DATABASE_URL": owner_url})
    assert r.exit_code == 0 and '"repaired": []' in r.output


def test_grant_refuses_bad_role_names_and_sqlite(tmp_path, monkeypatch, runner):
    for k in ("KAWASAN_DATABASE_URL", "KAWASAN_USER", "KAWASAN_TOKEN", "KAWASAN_SHARED"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "home"))
    r = runner.invoke(cli, ["db", "grant", "kawasan_app"])
    assert r.exit_code == 2 and "PostgreSQL only" in r.output
    from kawasan.errors import InputError
    from kawasan.storage.roles import app_grants

    for bad in ('x"; DROP TABLE events; --', "Kawasan", "", "a b"):
        with pytest.raises(InputError, match="not allowed"):
            app_grants(bad)
