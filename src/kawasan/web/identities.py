"""An in-process cache of who a session cookie or an API token belongs to, so that a map's tile requests
(dozens a second per user) do not each read the database to sign the caller in.

What is cached: the digest (SHA-256) of the secret -> the user's view, the session's CSRF token, and when
the entry was made, for at most ``ttl`` seconds (``KAWASAN_IDENTITY_CACHE_SECONDS``, default 10; 0 turns the
cache off). An entry is dropped at once when this process commits any change to users, agencies, sessions or
tokens (:func:`kawasan.tracker.accounts.accounts_generation` moves on): a revoked token, a disabled user, a
changed role or password, a sign-out are seen by the next request of this process.

The security trade-off: a change made by *another* process (the CLI's ``kawasan user disable``, another
``kawasan serve --workers`` process, a second server on the same database) is seen here only when the entry
expires, so a revoked token or a disabled account may keep working for up to ``ttl`` seconds on this
process. A session's idle and absolute timeouts are likewise checked against the database at most every
``ttl`` seconds (a change of ``KAWASAN_SESSION_IDLE_MINUTES`` or ``KAWASAN_SESSION_MAX_HOURS`` drops the
cached sessions at once).
"""
from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass

from cachetools import LRUCache

from kawasan.tracker.accounts import accounts_generation, session_limits

DEFAULT_TTL = 10.0
MAX_ENTRIES = 4096


@dataclass(frozen=True)
class _Entry:
    user: dict
    csrf: str | None
    expires: float
    generation: int
    limits: tuple | None  # a session's (idle, absolute) timeouts when it was cached: a change drops it


class IdentityCache:
    """secret digest -> (user, csrf) for ``ttl`` seconds, dropped when this process changes any account."""

    def __init__(self, ttl: float = DEFAULT_TTL, size: int = MAX_ENTRIES, clock=time.monotonic):
        self.ttl = float(ttl)
        self._lru: LRUCache = LRUCache(maxsize=max(size, 1))
        self._lock = threading.Lock()
        self._clock = clock
        self.hits = self.misses = 0

    @staticmethod
    def key(kind: str, secret: str) -> str:
        return kind + ":" + hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()

    def generation(self) -> int:
        """Take this before reading the database; hand it to :meth:`put` (a change meanwhile wins)."""
        return accounts_generation()

    def get(self, key: str) -> tuple[dict, str | None] | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            e = self._lru.get(key)
            if (e is None or e.expires <= self._clock() or e.generation != accounts_generation()
                    or (e.limits is not None and e.limits != session_limits())):
                if e is not None:
                    self._lru.pop(key, None)
                self.misses += 1
                return None
            self.hits += 1
        return dict(e.user), e.csrf

    def put(self, key: str, user: dict, csrf: str | None, generation: int) -> None:
        """Keep a lookup made when the accounts were at ``generation``; not kept if they changed since."""
        if self.ttl <= 0 or generation != accounts_generation():
            return
        with self._lock:
            limits = session_limits() if key.startswith("session:") else None
            self._lru[key] = _Entry(dict(user), csrf, self._clock() + self.ttl, generation, limits)

    def clear(self) -> None:
        with self._lock:
            self._lru.clear()
