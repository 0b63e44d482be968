"""An existing (revision 0001) database upgrades in place to what the web app needs, SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from test_licensing_store_fixtures import pg_schema_url, settings  # noqa: F401 (fixtures)


def _old_database(settings):  # noqa: F811
    """A database at revision 0001 holding an administrator, an officer of DLH (agency without regency,
    as 0001 created them), one project of one regency and its events."""
    from kawasan.storage.db import make_engine, upgrade

    engine = make_engine(settings)
    upgrade(engine, settings, "0001")
    now = "2026-01-05 08:00:00"
    with engine.begin() as c:
        c.execute(text("INSERT INTO agencies (code, name, kind, regency, created_at) VALUES "
                       "('DLH', 'Dinas Lingkungan Hidup', 'regency', NULL, :t), ('BPN', 'BPN', 'national', NULL, :t)"),
                  {"t": now})
        c.execute(text("INSERT INTO users (username, role, agency_id, regency, created_at) VALUES "
                       "('admin', 'administrator', NULL, NULL, :t), "
                       "('dlh', 'agency_officer', (SELECT id FROM agencies WHERE code = 'DLH'), NULL, :t)"), {"t": now})
    engine.dispose()


def test_an_old_database_upgrades_in_place(settings):  # noqa: F811
    from kawasan.tracker import ProjectService, upgrade_database

    _old_database(settings)
    svc = ProjectService(settings, today=date(2026, 6, 1))
    try:
        # a project made on the old schema: its regency tells the migration whom DLH serves
        from kawasan.storage.db import make_engine

        engine = make_engine(settings)
        with engine.begin() as c:
            c.execute(text("INSERT INTO projects (name, regency, template_name, template_version, template_body, "
                           "start_date, created_at) VALUES ('Old', 'Kabupaten Contoh', 'x', '1', '{}', '2026-01-05', "
                           "'2026-01-05 08:00:00')"))
        engine.dispose()
        before, after, _ = upgrade_database(settings)
        from kawasan.storage.db import head_revision

        assert before == "0001" and after == head_revision()
        agencies = {a["code"]: a for a in svc.list_agencies()}
        assert agencies["DLH"]["regency"] == "Kabupaten Contoh"  # regency-level: the one regency of the database
        assert agencies["BPN"]["regency"] is None  # national: serves everyone
        users = {u["username"]: u for u in svc.list_users()}
        assert users["dlh"]["agency_regency"] == "Kabupaten Contoh" and not users["dlh"]["has_password"]
        svc.set_password("dlh", "a-long-password", actor="admin")
        assert svc.authenticate("dlh", "a-long-password")["username"] == "dlh"
        # the same code may now exist once per regency
        svc.add_agency("DLH", "DLH Lain", regency="Kabupaten Lain", actor="admin")
        with pytest.raises(Exception):
            svc.add_agency("DLH", "again", regency="Kabupaten Lain", actor="admin")
    finally:
        svc.close()


def test_downgrade_and_upgrade_again(settings):  # noqa: F811
    from kawasan.storage.db import make_engine, upgrade

    engine = make_engine(settings)
    try:
        upgrade(engine, settings)
        from alembic import command

        from kawasan.storage.db import alembic_config, writer

        with writer(engine).begin() as conn:
            command.downgrade(alembic_config(conn), "0001")
        from kawasan.storage.db import head_revision

        assert upgrade(engine, settings)[1] == head_revision()
    finally:
        engine.dispose()
