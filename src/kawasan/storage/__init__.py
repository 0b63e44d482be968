"""Persistence of the licensing tracker: SQLAlchemy models, Alembic migrations, engine settings.

The database URL comes from ``KAWASAN_DATABASE_URL``; by default an SQLite file
``kawasan.db`` in the per-user data folder (see :func:`kawasan.storage.db.data_home`).
Nothing outside this package writes SQL.
"""
from kawasan.storage.db import Settings, data_home, make_engine, upgrade

__all__ = ["Settings", "data_home", "make_engine", "upgrade"]
