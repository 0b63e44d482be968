"""Plumbing of the tracker service: settings, engine, transactions, the acting user, event rows.

Who acts: a username. The web app proves it (sign-in, API token); the CLI proves it on a shared
database (:attr:`Settings.shared`) with an API token or a password (``kawasan.cli.licensing._service``),
and on the local single-user embedded database takes ``--as`` / ``KAWASAN_USER`` as given. On a fresh
embedded (SQLite) database a local administrator ``admin`` is created on first use, so one person on a
laptop can work without any setup; a shared PostgreSQL database starts empty and its first user must be
an administrator (``kawasan user create NAME --admin``).
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from datetime import date, datetime, timezone

from sqlalchemy import func, select

from kawasan.errors import NotFoundError, PermissionDeniedError
from kawasan.storage.chain import RecordSession as Session
from kawasan.storage.db import Settings, ensure_migrated, make_engine, storage_errors, writer
from kawasan.storage.models import Event, User
from kawasan.i18n import Message, catalogued

LOCAL_ADMIN = "admin"
_bootstrapped: set[str] = set()
_boot_lock = threading.Lock()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(d) -> str | None:
    return d.isoformat() if d else None


def _utc(ts: datetime | None) -> str | None:
    """ISO 8601 in UTC; SQLite hands back naive datetimes, which were written as UTC."""
    if ts is None:
        return None
    return (ts.replace(tzinfo=timezone.utc) if ts.tzinfo is None else ts.astimezone(timezone.utc)).isoformat()


class TrackerBase:
    """Settings, engine, transactions and the acting user shared by the tracker's use cases."""

    def __init__(self, settings: Settings | None = None, *, today=None, user: str | None = None):
        """``today``: a date or a callable giving it (default the system date); ``user``: who acts when a
        method is not told (default: the local administrator on an embedded database, nobody otherwise)."""
        self.settings = settings or Settings.from_env()
        self.user = user
        self.engine = make_engine(self.settings)
        self._today = today

    # ------------------------------------------------------------------ plumbing

    def today(self) -> date:
        return self._today() if callable(self._today) else (self._today or date.today())

    @property
    def embedded(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def close(self) -> None:
        self.engine.dispose()

    def _ready(self) -> None:
        ensure_migrated(self.engine, self.settings)
        key = self.settings.database_url
        if key in _bootstrapped:
            return
        with _boot_lock:
            if key in _bootstrapped:
                return
            if self.embedded:
                with storage_errors(self.settings), Session(writer(self.engine)) as s, s.begin():
                    if s.scalar(select(func.count()).select_from(User)) == 0:
                        s.add(User(username=LOCAL_ADMIN, role="administrator", created_at=_now(),
                                   full_name="Local administrator (created automatically on a fresh embedded "
                                             "database)"))
                        s.flush()
                        s.add(self._event(None, "user.add", field="role", new=f"{LOCAL_ADMIN}:administrator",
                                          reason="fresh embedded database: local administrator", actor_name="system"))
            _bootstrapped.add(key)

    @contextmanager
    def _read(self):
        self._ready()
        with storage_errors(self.settings), Session(self.engine) as s, s.begin():
            yield s

    @contextmanager
    def _write(self):
        self._ready()
        with storage_errors(self.settings), Session(writer(self.engine), expire_on_commit=False) as s:
            with s.begin():
                yield s

    def _event(self, user: User | None, kind: str, *, project: int | None = None, stage: str | None = None,
               field: str | None = None, old=None, new=None, reason: str | None = None, on: date | None = None,
               detail: dict | None = None, actor_name: str | None = None) -> Event:
        return Event(recorded_at=_now(), effective_date=on or self.today(), user_id=user.id if user else None,
                     actor=actor_name or (user.username if user else "system"), project_id=project, stage_id=stage,
                     kind=kind, field=field, old_value=None if old is None else str(old),
                     new_value=None if new is None else str(new), reason=reason, detail=detail)

    def _actor(self, s: Session, username: str | None) -> User:
        username = username or self.user
        if not username:
            if self.embedded:
                username = LOCAL_ADMIN
            else:
                raise PermissionDeniedError(Message("tracker.err.base.say_who_acts_as"), field="user")
        user = s.scalar(select(User).where(User.username == username))
        if user is None:  # no list of the known names: whoever asks is nobody we know (issue 14 defect 8)
            raise NotFoundError(Message("tracker.err.base.unknown_user_administrator_adds", username=username),
                                source="users", field="user")
        return user

    @staticmethod
    def _require_admin(user: User, what: str) -> None:
        if user.role != "administrator":
            raise PermissionDeniedError(Message("tracker.err.base.user_may_only_administrator", username=user.username,
                                                role=user.role, action=catalogued(what, "tracker.action")),
                                        field="user")
