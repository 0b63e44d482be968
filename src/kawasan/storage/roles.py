"""PostgreSQL privileges of the application role: everything it needs, and on the event log only INSERT and SELECT.

The documented set-up (docs/deployment.md) has two roles: the *owner* owns the database and its tables and
runs migrations, restores and ``kawasan db upgrade``; the *application* role, which the web app and the CLI
use day to day, gets the grants below (``kawasan db grant ROLE``, run by the owner after every upgrade).
Only the owner of a table may ``ALTER TABLE ... DISABLE TRIGGER``, ``DROP TRIGGER`` or change grants, so the
application role can neither switch off the append-only guard nor UPDATE, DELETE or TRUNCATE events.
"""
from __future__ import annotations

import re

from sqlalchemy import text

from kawasan.errors import InputError
from kawasan.storage.models import Base
from kawasan.i18n import Message

_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")
#: tables the application may only add to and read (the append-only record)
APPEND_ONLY = ("events",)


def app_grants(role: str) -> list[str]:
    """The GRANT/REVOKE statements that make ``role`` the application role of the current schema."""
    if not _ROLE.fullmatch(role or ""):
        raise InputError(Message("record.err.roles.role_name_allowed_expected", role=role), field="role")
    q = f'"{role}"'
    out = [f"GRANT USAGE ON SCHEMA current_schema_placeholder TO {q}"]
    for name in sorted(Base.metadata.tables):
        if name in APPEND_ONLY:
            out.append(f"REVOKE ALL ON TABLE {name} FROM {q}")
            out.append(f"GRANT SELECT, INSERT ON TABLE {name} TO {q}")
        else:
            out.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE {name} TO {q}")
    out.append(f"GRANT SELECT ON TABLE alembic_version TO {q}")
    out.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA current_schema_placeholder TO {q}")
    return out


def grant_app_role(conn, role: str) -> list[str]:
    """Apply :func:`app_grants` in the connection's current schema; returns the statements run."""
    if conn.dialect.name != "postgresql":
        raise InputError(Message("record.err.roles.roles_exist_postgresql_only"),
                         field="database")
    schema = conn.execute(text("SELECT current_schema()")).scalar()
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar()
    if not exists:
        raise InputError(Message("record.err.roles.there_postgresql_role_create", role=role), field="role")
    done = []
    for stmt in app_grants(role):
        stmt = stmt.replace("current_schema_placeholder", f'"{schema}"')
        conn.execute(text(stmt))
        done.append(stmt)
    return done
