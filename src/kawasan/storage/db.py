"""Engine, settings and migrations of the licensing database.

Settings (environment variables, all optional):

| variable | meaning | default |
|---|---|---|
| ``KAWASAN_HOME`` | the data folder (database file, stored documents) | per-user data folder, see :func:`data_home` |
| ``KAWASAN_DATABASE_URL`` | SQLAlchemy URL of the database | ``sqlite:///<KAWASAN_HOME>/kawasan.db`` |
| ``KAWASAN_FILES_DIR`` | where attached documents are stored (by SHA-256) | ``<KAWASAN_HOME>/documents`` |
| ``KAWASAN_MAX_UPLOAD_MB`` | size limit of one attached document in MB | 25 |
| ``KAWASAN_DB_TIMEOUT`` | seconds to wait for a lock (SQLite busy timeout, PostgreSQL lock and connect timeout) | 5 |
| ``KAWASAN_SHARED`` | ``1`` marks an SQLite database as shared by several people (a PostgreSQL one always is) | 0 |

SQLite (the embedded default) runs in WAL mode, so readers never block the one writer and
the writer never blocks readers; foreign keys are enforced; every write transaction starts
with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of failing half way.
PostgreSQL (``postgresql+psycopg://user@host:5432/db``) is the choice for a shared server.
Migrations (Alembic, scripts in ``kawasan/storage/migrations``) are applied automatically on
first use and by ``kawasan db upgrade``.
"""
from __future__ import annotations

import os
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import Engine, make_url

from kawasan.errors import ConflictError, StorageError
from kawasan.i18n import Message

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_lock = threading.Lock()
_migrated: set[str] = set()


def data_home() -> Path:
    """The per-user data folder: ``KAWASAN_HOME`` if set, else the platform's user data folder.

    Linux: ``$XDG_DATA_HOME/kawasan`` (``~/.local/share/kawasan``); macOS:
    ``~/Library/Application Support/kawasan``; Windows: ``%LOCALAPPDATA%\\kawasan``.
    """
    env = os.environ.get("KAWASAN_HOME")
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "kawasan"


def _bool_env(name: str, default: bool) -> bool:
    raw = (os.environ.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise StorageError(Message("record.err.db.expected_true_false_yes", raw=raw), source="environment", field=name)


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise StorageError(Message("record.err.db.expected_number_got", raw=raw), source="environment",
                           field=name) from None
    if value <= 0:
        raise StorageError(Message("record.err.db.expected_positive_number_got", raw=raw), source="environment",
                           field=name)
    return value


@dataclass(frozen=True)
class Settings:
    """Where the tracker keeps its data; :meth:`from_env` reads the environment variables."""

    database_url: str
    files_dir: Path
    max_upload_bytes: int = 25 * 1024 * 1024
    timeout_s: float = 5.0
    home: Path = field(default_factory=data_home)
    shared_flag: bool = False

    @property
    def shared(self) -> bool:
        """Whether several people use this database, so the CLI must prove who acts (issue 14 defect 2):
        always for a server database, for SQLite when ``KAWASAN_SHARED=1``."""
        return self.shared_flag or not self.database_url.lower().startswith("sqlite")

    @classmethod
    def from_env(cls) -> "Settings":
        home = data_home()
        url = os.environ.get("KAWASAN_DATABASE_URL") or f"sqlite:///{home / 'kawasan.db'}"
        files = Path(os.environ.get("KAWASAN_FILES_DIR") or home / "documents").expanduser()
        mb = _float_env("KAWASAN_MAX_UPLOAD_MB", 25.0)
        return cls(database_url=url, files_dir=files, max_upload_bytes=int(mb * 1024 * 1024),
                   timeout_s=_float_env("KAWASAN_DB_TIMEOUT", 5.0), home=home,
                   shared_flag=_bool_env("KAWASAN_SHARED", False))

    @classmethod
    def in_folder(cls, folder: Path, **kw) -> "Settings":
        """An embedded database and document store inside ``folder`` (used by the demo and tests)."""
        folder = Path(folder)
        return cls(database_url=f"sqlite:///{folder / 'kawasan.db'}", files_dir=folder / "documents",
                   home=folder, **kw)

    @property
    def safe_url(self) -> str:
        return safe_url(self.database_url)


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is shown as given (it has no parsable password)
        return url


def make_engine(settings: Settings) -> Engine:
    """An engine for ``settings.database_url`` with the pragmas and timeouts described above."""
    try:
        url = make_url(settings.database_url)
    except exc.ArgumentError as e:
        raise StorageError(Message("record.err.db.database_url_expected_e", detail=e),
                           source="KAWASAN_DATABASE_URL", field=None) from None
    timeout = settings.timeout_s
    if url.get_backend_name() == "sqlite":
        db = url.database
        if db and db != ":memory:" and not db.startswith("file:"):
            try:
                Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StorageError(Message("record.err.db.cannot_create_folder_database", detail=e),
                                   source=safe_url(settings.database_url)) from None
        engine = create_engine(url, connect_args={"timeout": timeout})
        _sqlite_events(engine, timeout)
        return engine
    try:
        engine = create_engine(url, connect_args={"connect_timeout": max(1, int(round(timeout)))},
                               pool_pre_ping=True)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as e:
        raise StorageError(Message("record.err.db.cannot_use_database_url", detail=e),
                           source=safe_url(settings.database_url)) from None
    if url.get_backend_name() == "postgresql":
        @event.listens_for(engine, "connect")
        def _pg_connect(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute(f"SET lock_timeout = {int(timeout * 1000)}")
            cur.close()
            dbapi_conn.commit()
    return engine


def _sqlite_events(engine: Engine, timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _begin)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        cur.execute("PRAGMA foreign_keys = ON")
        try:
            cur.execute("PRAGMA journal_mode = WAL")
        except Exception:  # noqa: BLE001 - a locked fresh file keeps its journal mode; WAL is set next time
            pass
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def writer(engine: Engine) -> Engine:
    """The same engine, but SQLite transactions take the write lock at once (BEGIN IMMEDIATE)."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


@contextmanager
def storage_errors(settings: Settings):
    """Turn database failures into a :class:`StorageError` that says what happened and that nothing changed."""
    try:
        yield
    except exc.OperationalError as e:
        raise _storage_error(e, settings) from None
    except exc.InterfaceError as e:
        raise _storage_error(e, settings) from None
    except exc.IntegrityError as e:
        first = str(e.orig).strip().splitlines()[0] if str(e.orig).strip() else repr(e.orig)
        raise ConflictError(Message("record.err.db.change_collides_with_one", detail=first),
                            source=settings.safe_url) from None
    except exc.ProgrammingError as e:
        if "does not exist" in str(e.orig) or "no such table" in str(e.orig):
            raise StorageError(Message("record.err.db.database_migrated_run_kawasan", detail=e.orig),
                               source=settings.safe_url) from None
        low = str(e.orig).lower()
        if "permission denied" in low or "must be owner" in low:
            first = str(e.orig).strip().splitlines()[0]
            raise StorageError(Message("record.err.db.database_login_may_do", detail=first),
                               source=settings.safe_url) from None
        raise
    except exc.DatabaseError as e:  # e.g. SQLite "file is not a database": a damaged or foreign file
        raise _storage_error(e, settings) from None


def _storage_error(e: Exception, settings: Settings) -> StorageError:
    raw = str(getattr(e, "orig", e)).strip()
    text = raw.splitlines()[0] if raw else repr(e)
    low = text.lower()
    if any(w in low for w in ("locked", "lock timeout", "could not obtain lock", "canceling statement due to lock")):
        return StorageError(Message("record.err.db.database_locked_another_program", timeout_s=settings.timeout_s,
                                    detail=text), source=settings.safe_url)
    return StorageError(Message("record.err.db.cannot_use_database_nothing", detail=text),
                        source=settings.safe_url)


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, settings: Settings, revision: str = "head",
            repairs: list[str] | None = None) -> tuple[str | None, str]:
    """Apply the migrations up to ``revision``; returns (revision before, revision after).

    At the head revision it also puts back the append-only triggers of the event log when someone removed or
    disabled them (:func:`kawasan.storage.guard.install_guard`); what it did is appended to ``repairs``."""
    from alembic import command
    from alembic.script import ScriptDirectory

    with storage_errors(settings):
        before = current_revision(engine)
        known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
        if before is not None and before not in known:
            raise StorageError(Message("record.err.db.database_at_revision_which", revision=before),
                               source=settings.safe_url)
        if engine.dialect.name == "sqlite":
            _upgrade_sqlite(engine, revision, settings, repairs)
        else:
            with writer(engine).begin() as conn:
                if conn.dialect.name == "postgresql":  # two processes migrating one schema take turns
                    conn.exec_driver_sql("SET LOCAL lock_timeout = '120s'")  # a migration may take a while
                    conn.exec_driver_sql("SELECT pg_advisory_xact_lock(4242005, hashtext(current_schema()))")
                command.upgrade(alembic_config(conn), revision)
                _repair_guard(conn, revision, repairs)
        after = current_revision(engine)
    with _lock:
        _migrated.add(settings.database_url)
    return before, after


def _repair_guard(conn, revision: str, repairs: list[str] | None) -> None:
    from kawasan.storage.guard import install_guard

    if revision == "head" or revision == head_revision():
        done = install_guard(conn)
        if repairs is not None:
            repairs.extend(done)


def _upgrade_sqlite(engine: Engine, revision: str, settings: Settings, repairs: list[str] | None = None) -> None:
    """Migrations on SQLite rebuild tables to alter them (Alembic batch mode), which needs foreign keys off
    while it runs (they cannot change inside a transaction); afterwards every reference is checked."""
    from alembic import command

    with engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
        raw = conn.connection.dbapi_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                command.upgrade(alembic_config(conn), revision)
                _repair_guard(conn, revision, repairs)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StorageError(Message("record.err.db.migration_would_leave_broken", count=len(broken),
                                               first=broken[0]), source=settings.safe_url)
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def ensure_migrated(engine: Engine, settings: Settings) -> None:
    """Upgrade to head on first use in this process (a no-op when already current)."""
    if settings.database_url in _migrated:
        return
    with storage_errors(settings):
        current = current_revision(engine)
    if current != head_revision():
        upgrade(engine, settings)
    with _lock:
        _migrated.add(settings.database_url)
