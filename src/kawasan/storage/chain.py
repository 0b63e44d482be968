"""Hash chain of the event log: every event carries a SHA-256 linked to the previous event of its project.

Each project has its own chain (events without a project, such as a user added, form the chain of
project ``None``), in the order of the event ids. An event's ``chain_hash`` is

    chain_hash_i = SHA-256( chain_hash_{i-1} || "\\n" || canonical_json(event_i) )

with ``chain_hash_0`` = :data:`GENESIS` (64 zeros) for the first event of a chain, and
``canonical_json`` the event's fields (everything but its id and its hash) as JSON with sorted
keys, no insignificant white space, UTF-8, timestamps in UTC to the microsecond, dates ISO 8601,
and a format number ``"v": 1`` (:func:`canonical`). Changing, removing or reordering any event
changes every later hash of its chain, so ``kawasan db verify`` finds the first broken link.
A hash chain makes tampering evident, not impossible: whoever can rewrite the whole table can
recompute the chain, which is why the documented PostgreSQL set-up lets the application only
INSERT and SELECT events and why ``db verify --json`` prints the head of each chain (write it
down, or keep the backup archives, to anchor it). Design: a linked-hash log as in RFC 6962 section
2.1 (Certificate Transparency) without the Merkle tree, since one project's log is short.

Writers compute the hash in the transaction that inserts the event (:class:`RecordSession`), after
taking the chain's lock: on PostgreSQL a transaction-level advisory lock per project; on SQLite every
writer already holds the database's write lock (``BEGIN IMMEDIATE``).
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timezone
from typing import Any, Mapping

from sqlalchemy import event as sa_event, select, text
from sqlalchemy.orm import Session

GENESIS = "0" * 64
FORMAT = 1
#: The event columns that are hashed, in the canonical JSON's (sorted) order of keys.
FIELDS = ("actor", "detail", "effective_date", "field", "kind", "new_value", "old_value", "project_id", "reason",
          "recorded_at", "stage_id", "user_id")
_PG_LOCK_CLASS = 4242014  # first key of the advisory lock (the second is the project id, 0 for none)


def _value(v: Any) -> Any:
    if isinstance(v, datetime):
        utc = v.replace(tzinfo=timezone.utc) if v.tzinfo is None else v.astimezone(timezone.utc)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(v, date):
        return v.isoformat()
    return v


def canonical(fields: Mapping[str, Any]) -> str:
    """The canonical JSON of an event's :data:`FIELDS` (a mapping or an object with those attributes)."""
    get = fields.get if isinstance(fields, Mapping) else (lambda k: getattr(fields, k))
    body = {k: _value(get(k)) for k in FIELDS}
    body["v"] = FORMAT
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def link(previous: str, fields: Mapping[str, Any]) -> str:
    """The chain hash of an event whose predecessor in its chain has hash ``previous``."""
    return hashlib.sha256(f"{previous}\n{canonical(fields)}".encode("utf-8")).hexdigest()


def _lock(conn, project_id: int | None) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k, :p)"), {"k": _PG_LOCK_CLASS, "p": project_id or 0})


def _head(conn, events_table, project_id: int | None) -> str:
    col = events_table.c.project_id
    where = col.is_(None) if project_id is None else col == project_id
    q = select(events_table.c.chain_hash).where(where).order_by(events_table.c.id.desc()).limit(1)
    return conn.execute(q).scalar() or GENESIS


class RecordSession(Session):
    """A session that gives every new event its chain hash when it is flushed (see the module docstring)."""


@sa_event.listens_for(RecordSession, "before_flush")
def _chain_new_events(session: Session, _flush_context, _instances) -> None:
    from sqlalchemy import inspect

    from kawasan.storage.models import Event

    new = [o for o in session.new if isinstance(o, Event) and o.chain_hash is None]
    if not new:
        return
    new.sort(key=lambda o: inspect(o).insert_order)  # the order the unit of work inserts them (ids ascending)
    conn = session.connection()
    heads: dict[int | None, str] = {}
    for pid in sorted({o.project_id for o in new}, key=lambda p: -1 if p is None else p):
        _lock(conn, pid)  # in a fixed order, so two writers never wait for each other's second lock
        heads[pid] = _head(conn, Event.__table__, pid)
    for o in new:
        o.chain_hash = heads[o.project_id] = link(heads[o.project_id], o)
