"""Alembic environment of the licensing database.

kawasan runs Alembic programmatically (kawasan.storage.db.upgrade); the caller passes an open
connection in ``config.attributes["connection"]``. Run standalone, the URL comes from
KAWASAN_DATABASE_URL (or the default embedded database).
"""
from __future__ import annotations

from alembic import context

from kawasan.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from kawasan.storage.db import Settings, make_engine, writer

    engine = make_engine(Settings.from_env())
    with writer(engine).begin() as conn:
        _run(conn)
