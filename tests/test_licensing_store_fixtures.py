"""Fixtures shared by the licensing storage/service/CLI tests: one database per test, SQLite and PostgreSQL.

PostgreSQL: the server at postgresql+psycopg://postgres@127.0.0.1:5432/test (override with
KAWASAN_TEST_PG_URL; set it to "off" to skip). Each test gets a fresh schema (search_path), dropped
afterwards, so parallel runs never collide. Without a reachable server the PostgreSQL variants are
skipped with the reason.
"""
from __future__ import annotations

import os
import uuid
from datetime import date
from urllib.parse import quote

import pytest

from kawasan.storage.db import Settings

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TODAY = date(2026, 6, 1)
_pg_state: dict = {}


def pg_base_url() -> str:
    """The PostgreSQL server URL for tests, or pytest.skip with the reason."""
    url = os.environ.get("KAWASAN_TEST_PG_URL", PG_DEFAULT)
    if url.strip().lower() == "off":
        pytest.skip("PostgreSQL tests are switched off (KAWASAN_TEST_PG_URL=off)")
    if "ok" not in _pg_state:
        import psycopg

        try:
            with psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3) as c:
                c.execute("select 1")
            _pg_state["ok"] = True
        except Exception as e:  # noqa: BLE001 - any failure means: no server to test against
            _pg_state["ok"] = False
            _pg_state["why"] = str(e).strip().splitlines()[0] if str(e).strip() else repr(e)
    if not _pg_state["ok"]:
        pytest.skip(f"no PostgreSQL server reachable at {url} ({_pg_state['why']}); set KAWASAN_TEST_PG_URL "
                    "to a server URL (or 'off')")
    return url


def _raw(url: str) -> str:
    return url.replace("+psycopg", "")


@pytest.fixture
def pg_schema_url(tmp_path):
    """A fresh PostgreSQL schema for one test: yields the SQLAlchemy URL that selects it; dropped afterwards."""
    import psycopg

    base = pg_base_url()
    schema = f"kawasan_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_raw(base), autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    try:
        yield base + sep + "options=" + quote(f"-csearch_path={schema}"), schema
    finally:
        with psycopg.connect(_raw(base), autocommit=True) as c:
            c.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                      f"AND query LIKE '%{schema}%'")
            c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request, tmp_path):
    """Settings of a fresh database (SQLite file in tmp_path, or a fresh PostgreSQL schema)."""
    if request.param == "sqlite":
        yield Settings.in_folder(tmp_path / "home", timeout_s=0.3)
    else:
        url, _schema = request.getfixturevalue("pg_schema_url")
        yield Settings(database_url=url, files_dir=tmp_path / "home" / "documents", home=tmp_path / "home",
                       timeout_s=0.5)


@pytest.fixture
def svc(settings):
    """A ProjectService on a fresh database with an administrator 'admin' (automatic on SQLite), today fixed."""
    from kawasan.tracker import ProjectService

    s = ProjectService(settings, today=TODAY, user="admin")
    if not s.embedded:
        s.add_user("admin", "administrator")
    yield s
    s.close()


def test_pg_fixture_gives_an_isolated_schema(pg_schema_url):
    from sqlalchemy import text

    from kawasan.storage.db import make_engine

    url, schema = pg_schema_url
    engine = make_engine(Settings(database_url=url, files_dir="unused"))
    try:
        with engine.connect() as c:
            assert c.execute(text("select current_schema()")).scalar() == schema
    finally:
        engine.dispose()
