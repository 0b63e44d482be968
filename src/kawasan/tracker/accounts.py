"""Sign-in for the web app and scripts: passwords, server-side sessions, personal API tokens, feed tokens.

- Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106); at least
  :data:`MIN_PASSWORD_LENGTH` characters. No account has a password until an administrator sets one
  (``kawasan user set-password``); ``kawasan user create --admin`` makes the first administrator.
- Failed sign-ins count per account: after :data:`LOCK_AFTER` failures in a row the account is locked
  for :data:`LOCK_MINUTES` minutes (the web layer also slows each failed attempt). A success resets it.
- A session is a random 256-bit secret in the browser's cookie; the database keeps only its SHA-256,
  with a CSRF token and the times that drive the idle and absolute timeouts (settings
  ``KAWASAN_SESSION_IDLE_MINUTES`` and ``KAWASAN_SESSION_MAX_HOURS``). Sessions live in the database so
  every worker process of a server shares them.
- API and feed tokens are random secrets shown once; only their SHA-256 is stored, with a short hint.
- :func:`accounts_generation` counts the committed changes of this process to users, agencies, sessions and
  tokens (not the last-seen/last-used times), so a cache of who a secret belongs to (the web app's
  identity cache) can drop what it knows the moment an account or token is changed or revoked here.
"""
from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime, timedelta, timezone

import itertools
import threading

from sqlalchemy import delete, event, select, update

from kawasan.errors import AuthenticationError, InputError, NotFoundError, PermissionDeniedError
from kawasan.storage.chain import RecordSession
from kawasan.storage.models import Agency, ApiToken, User, WebSession
from kawasan.tracker.base import TrackerBase, _now, _utc
from kawasan.i18n import Message

MIN_PASSWORD_LENGTH = 10
LOCK_AFTER = 5
LOCK_MINUTES = 15
TOKEN_PURPOSES = ("api", "feed")
_LAST_SEEN_STEP = timedelta(seconds=60)  # a session's last-seen time is written at most once a minute


# ------------------------------------------------------------------ account changes (for identity caches)

_ACCOUNT_TABLES = (User, Agency, ApiToken, WebSession)
#: session.info key: the transaction only refreshes last-seen/last-used times (who a secret is stays the same)
HOUSEKEEPING = "kawasan_accounts_housekeeping"
_TOUCHED = "kawasan_accounts_touched"
_generation = itertools.count(1)
_current_generation = [0]
_generation_lock = threading.Lock()


def accounts_generation() -> int:
    """A number that grows with every committed change of this process to users, agencies, sessions or
    tokens; an identity cached under an older number may be stale (another process's changes are not seen:
    such a cache also needs a time limit)."""
    return _current_generation[0]


def bump_accounts_generation() -> int:
    """Mark the accounts as changed (called after a commit that touched them; also usable by a restore)."""
    with _generation_lock:
        _current_generation[0] = next(_generation)
        return _current_generation[0]


@event.listens_for(RecordSession, "after_flush")
def _note_account_rows(session, _flush_context) -> None:
    if session.info.get(HOUSEKEEPING):
        return
    for obj in itertools.chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, _ACCOUNT_TABLES):
            session.info[_TOUCHED] = True
            return


@event.listens_for(RecordSession, "do_orm_execute")
def _note_account_statements(state) -> None:
    if (state.is_update or state.is_delete) and not state.session.info.get(HOUSEKEEPING):
        mapper = state.bind_mapper
        if mapper is None or mapper.class_ in _ACCOUNT_TABLES:
            state.session.info[_TOUCHED] = True


@event.listens_for(RecordSession, "after_commit")
def _bump_after_commit(session) -> None:
    if session.info.pop(_TOUCHED, False):
        bump_accounts_generation()


@event.listens_for(RecordSession, "after_rollback")
def _forget_after_rollback(session) -> None:
    session.info.pop(_TOUCHED, None)


def _hasher():
    from argon2 import PasswordHasher

    return PasswordHasher()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _aware(ts: datetime | None) -> datetime | None:
    if ts is None:
        return None
    return ts.replace(tzinfo=timezone.utc) if ts.tzinfo is None else ts


def _minutes_env(name: str, default: float) -> timedelta:
    raw = os.environ.get(name)
    try:
        value = float(raw) if raw not in (None, "") else default
    except ValueError:
        raise InputError(Message("accounts.err.expected_number_got", raw=raw), source="environment",
                         field=name) from None
    if value <= 0:
        raise InputError(Message("accounts.err.expected_positive_number_got", raw=raw), source="environment",
                         field=name)
    return timedelta(minutes=value)


def session_limits() -> tuple[timedelta, timedelta]:
    """(idle timeout, absolute timeout) of a web session, from the environment (default 120 min, 12 h)."""
    idle = _minutes_env("KAWASAN_SESSION_IDLE_MINUTES", 120)
    absolute = _minutes_env("KAWASAN_SESSION_MAX_HOURS", 12) * 60
    return idle, absolute


def check_password_quality(password: str, username: str | None = None) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(Message("accounts.err.password_needs_at_least", min_length=MIN_PASSWORD_LENGTH),
                         field="password")
    if len(password) > 1024:
        raise InputError(Message("accounts.err.password_may_have_at"), field="password")
    if username and password.strip().casefold() == username.strip().casefold():
        raise InputError(Message("accounts.err.password_may_user_name"), field="password")


class AccountsMixin(TrackerBase):
    """Passwords, sign-in, sessions and tokens of the tracker's users."""

    # ------------------------------------------------------------------ passwords

    def set_password(self, username: str, password: str, *, actor: str | None = None) -> dict:
        """Set a user's password (an administrator for anyone); ends the user's sessions and lock-out."""
        check_password_quality(password, username)
        digest = _hasher().hash(password)
        with self._write() as s:
            user = self._actor(s, actor)
            target = s.scalar(select(User).where(User.username == username))
            if target is None:
                raise NotFoundError(Message("accounts.err.unknown_user", username=username), source="users",
                                    field="username")
            if user.id != target.id:
                self._require_admin(user, "set another user's password")
            target.password_hash = digest
            target.failed_logins, target.locked_until = 0, None
            s.execute(delete(WebSession).where(WebSession.user_id == target.id))
            s.add(self._event(user, "user.password", field="password", new=username,
                              reason="password set" if user.id != target.id else "password changed"))
            return {"username": username, "password_set": True}

    def change_password(self, username: str, old: str, new: str) -> dict:
        """A user changes their own password, proving the old one."""
        self.authenticate(username, old)
        return self.set_password(username, new, actor=username)

    def authenticate(self, username: str, password: str) -> dict:
        """The user, when ``password`` is theirs and the account is usable; else AuthenticationError.

        Every refusal says the same for an unknown user and a wrong password (no user names are disclosed)."""
        from argon2.exceptions import InvalidHashError, VerificationError

        now = _now()
        username = (username or "").strip()
        with self._write() as s:
            u = s.scalar(select(User).where(User.username == username)) if username else None
            if u is None or not u.password_hash:
                _hasher().hash(password or "x")  # the same work as a real check: timing tells nothing
                raise AuthenticationError(Message("accounts.err.wrong_user_name_password"), field="password")
            locked = _aware(u.locked_until)
            if locked and locked > now:
                minutes = max(1, int((locked - now).total_seconds() // 60) + 1)
                raise AuthenticationError(Message("accounts.err.account_locked_after_failed", attempts=LOCK_AFTER,
                                                  minutes=minutes), field="username")
            try:
                _hasher().verify(u.password_hash, password or "")
                ok = True
            except (VerificationError, InvalidHashError):
                ok = False
            if not ok:
                u.failed_logins = (u.failed_logins or 0) + 1
                if u.failed_logins >= LOCK_AFTER:
                    u.locked_until = now + timedelta(minutes=LOCK_MINUTES)
                    u.failed_logins = 0
                    s.add(self._event(u, "user.lock", field="locked_until", new=_utc(u.locked_until),
                                      reason=f"{LOCK_AFTER} failed sign-ins"))
        if not ok:  # the failure count is committed above; now refuse
            raise AuthenticationError(Message("accounts.err.wrong_user_name_password"), field="password")
        with self._write() as s:
            u = s.scalar(select(User).where(User.username == username))
            if u.disabled:
                raise AuthenticationError(Message("accounts.err.account_disabled_ask_administrator"), field="username")
            if u.failed_logins or u.locked_until:
                u.failed_logins, u.locked_until = 0, None
            if _hasher().check_needs_rehash(u.password_hash):
                u.password_hash = _hasher().hash(password)
            return self._user_view(u)

    def prove_identity(self, *, token: str | None = None, username: str | None = None,
                       password: str | None = None) -> str:
        """Who acts, proven with the web app's credentials: a personal API token, or a username and password.

        Returns the username; raises AuthenticationError when the token is not live, the password is wrong, or
        a token and a username name two different people. Used by the CLI on a shared database."""
        if token:
            owner = self.resolve_token(token.strip(), purpose="api")
            if owner is None:
                raise AuthenticationError(Message("accounts.err.kawasan_token_live_api"),
                                          source="KAWASAN_TOKEN", field="token")
            if username and username != owner["username"]:
                raise AuthenticationError(Message("accounts.err.kawasan_token_belongs_drop", owner=owner['username'],
                                                  username=username),
                                          source="KAWASAN_TOKEN", field="user")
            return owner["username"]
        if username and password is not None:
            return self.authenticate(username, password)["username"]
        raise AuthenticationError(Message("accounts.err.database_shared_prove_who"),
                                  field="user")

    def has_users(self) -> bool:
        """Whether the database has any user yet (a fresh shared database has none until its first administrator)."""
        with self._read() as s:
            return s.scalar(select(User.id).limit(1)) is not None

    def failed_logins(self, username: str) -> int:
        with self._read() as s:
            return s.scalar(select(User.failed_logins).where(User.username == (username or "").strip())) or 0

    @staticmethod
    def _user_view(u: User) -> dict:
        return {"id": u.id, "username": u.username, "full_name": u.full_name, "role": u.role,
                "agency": u.agency.code if u.agency else None,
                "agency_regency": u.agency.regency if u.agency else None,
                "regency": u.regency, "language": u.language}

    # ------------------------------------------------------------------ sessions

    def create_session(self, username: str, *, replaces: str | None = None) -> tuple[str, str]:
        """A new session for a signed-in user: (cookie secret, CSRF token). ``replaces``: the session the
        browser had before signing in, ended here (the id changes at sign-in: no session fixation)."""
        secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = _now()
        with self._write() as s:
            u = s.scalar(select(User).where(User.username == username))
            if u is None:
                raise NotFoundError(Message("accounts.err.unknown_user", username=username), source="users",
                                    field="username")
            if replaces:
                s.execute(delete(WebSession).where(WebSession.id == _digest(replaces)))
            s.add(WebSession(id=_digest(secret), user_id=u.id, csrf_token=csrf, created_at=now, last_seen_at=now))
        return secret, csrf

    def resolve_session(self, secret: str | None) -> tuple[dict, str] | None:
        """(user, CSRF token) of a live session, or None when it is unknown, expired or its user disabled."""
        if not secret or len(secret) > 200:
            return None
        idle, absolute = session_limits()
        now = _now()
        with self._read() as s:
            row = s.get(WebSession, _digest(secret))
            if row is None:
                return None
            u = s.get(User, row.user_id)
            created, seen = _aware(row.created_at), _aware(row.last_seen_at)
            expired = now - created > absolute or now - seen > idle or u is None or u.disabled
            view, csrf = (None if expired else self._user_view(u)), row.csrf_token
        if expired:
            self.end_session(secret)
            return None
        if now - seen > _LAST_SEEN_STEP:
            with self._write() as s:
                s.info[HOUSEKEEPING] = True
                s.execute(update(WebSession).where(WebSession.id == _digest(secret)).values(last_seen_at=now))
        return view, csrf

    def end_session(self, secret: str | None) -> None:
        if not secret:
            return
        with self._write() as s:
            s.execute(delete(WebSession).where(WebSession.id == _digest(secret)))

    def set_language(self, username: str, language: str) -> None:
        if language not in ("id", "en"):
            raise InputError(Message("accounts.err.unknown_language_expected_id", language=language), field="lang")
        with self._write() as s:
            s.execute(update(User).where(User.username == username).values(language=language))

    # ------------------------------------------------------------------ tokens

    def create_token(self, username: str, name: str, *, purpose: str = "api", actor: str | None = None) -> dict:
        """A new secret for ``username`` (shown once in ``token``); a new feed token revokes the old one."""
        if purpose not in TOKEN_PURPOSES:
            raise InputError(Message("accounts.err.unknown_token_purpose_expected", purpose=purpose), field="purpose")
        name = (name or "").strip() or purpose
        if len(name) > 128:
            raise InputError(Message("accounts.err.token_name_may_have"), field="name")
        secret = ("kwt_" if purpose == "api" else "kwf_") + secrets.token_urlsafe(32)
        with self._write() as s:
            user = self._actor(s, actor or username)
            owner = s.scalar(select(User).where(User.username == username))
            if owner is None:
                raise NotFoundError(Message("accounts.err.unknown_user", username=username), source="users",
                                    field="username")
            if owner.id != user.id:
                raise PermissionDeniedError(Message("accounts.err.token_created_owner_only"), field="username")
            if purpose == "feed":
                s.execute(update(ApiToken).where(ApiToken.user_id == owner.id, ApiToken.purpose == "feed",
                                                 ApiToken.revoked_at.is_(None)).values(revoked_at=_now()))
            tok = ApiToken(user_id=owner.id, purpose=purpose, name=name, token_hash=_digest(secret),
                           hint=secret[:8], created_at=_now())
            s.add(tok)
            s.flush()
            s.add(self._event(user, "token.create", field=purpose, new=f"{name} ({tok.hint}...)"))
            return {**_token_dict(tok), "token": secret}

    def list_tokens(self, username: str, *, purpose: str | None = None) -> list[dict]:
        with self._read() as s:
            q = select(ApiToken).join(User, User.id == ApiToken.user_id).where(User.username == username)
            if purpose:
                q = q.where(ApiToken.purpose == purpose)
            return [_token_dict(t) for t in s.scalars(q.order_by(ApiToken.id))]

    def revoke_token(self, token_id: int, *, actor: str) -> dict:
        """Revoke a token: its owner, or an administrator."""
        with self._write() as s:
            user = self._actor(s, actor)
            tok = s.get(ApiToken, token_id)
            if tok is None or (tok.user_id != user.id and user.role != "administrator"):
                raise NotFoundError(Message("accounts.err.no_token_with_id", token_id=token_id), source="tokens",
                                    field="token")
            if tok.revoked_at is None:
                tok.revoked_at = _now()
                s.add(self._event(user, "token.revoke", field=tok.purpose, old=f"{tok.name} ({tok.hint}...)"))
            return _token_dict(tok)

    def resolve_token(self, secret: str | None, *, purpose: str = "api") -> dict | None:
        """The user a live token belongs to, or None (unknown, revoked, other purpose, user disabled)."""
        if not secret or len(secret) > 200:
            return None
        now = _now()
        with self._read() as s:
            tok = s.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
            if tok is None or tok.revoked_at is not None or tok.purpose != purpose:
                return None
            u = s.get(User, tok.user_id)
            if u is None or u.disabled:
                return None
            view = self._user_view(u)
            stale = tok.last_used_at is None or now - _aware(tok.last_used_at) > _LAST_SEEN_STEP
            tid = tok.id
        if stale:
            with self._write() as s:
                s.info[HOUSEKEEPING] = True
                s.execute(update(ApiToken).where(ApiToken.id == tid).values(last_used_at=now))
        return view


def _token_dict(t: ApiToken) -> dict:
    return {"id": t.id, "purpose": t.purpose, "name": t.name, "hint": t.hint, "created_at": _utc(t.created_at),
            "last_used_at": _utc(t.last_used_at), "revoked_at": _utc(t.revoked_at)}


__all__ = ["AccountsMixin", "accounts_generation", "bump_accounts_generation", "MIN_PASSWORD_LENGTH", "LOCK_AFTER", "LOCK_MINUTES", "session_limits",
           "check_password_quality"]
