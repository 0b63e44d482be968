"""The append-only guard of the event log: database triggers that refuse UPDATE, DELETE (and TRUNCATE).

The initial migration (0001) installs them; :func:`guard_problems` says which are missing or switched
off (``ALTER TABLE events DISABLE TRIGGER``), :func:`install_guard` puts back whatever is missing and
switches disabled ones on again (``kawasan db upgrade`` does it and says so; it needs the owner of the
table on PostgreSQL). The names and bodies here are those of migration 0001.
"""
from __future__ import annotations

from sqlalchemy import text

from kawasan.i18n import Message

SQLITE_TRIGGERS = {
    "events_no_update": "CREATE TRIGGER events_no_update BEFORE UPDATE ON events "
                        "BEGIN SELECT RAISE(ABORT, 'events are append-only: an event is never updated'); END",
    "events_no_delete": "CREATE TRIGGER events_no_delete BEFORE DELETE ON events "
                        "BEGIN SELECT RAISE(ABORT, 'events are append-only: an event is never deleted'); END",
}
PG_FUNCTION = ("CREATE OR REPLACE FUNCTION kawasan_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
               "BEGIN RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP; END $$")
PG_TRIGGERS = {
    "events_append_only": "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
                          "FOR EACH ROW EXECUTE FUNCTION kawasan_events_append_only()",
    "events_no_truncate": "CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events "
                          "FOR EACH STATEMENT EXECUTE FUNCTION kawasan_events_append_only()",
}


def _pg_triggers(conn) -> dict[str, str]:
    """name -> tgenabled ('O' on, 'D' disabled, 'R'/'A' replica/always) of the user triggers on events."""
    rows = conn.execute(text("SELECT t.tgname, t.tgenabled FROM pg_trigger t WHERE NOT t.tgisinternal "
                             "AND t.tgrelid = to_regclass('events')")).all()
    return {name: (flag.decode() if isinstance(flag, bytes) else str(flag)) for name, flag in rows}


def guard_problems(conn) -> list[str]:
    """What is wrong with the guard, one sentence per missing or disabled trigger (empty: all in place)."""
    if conn.dialect.name == "sqlite":
        have = {r[0] for r in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'")).all()}
        return [Message("record.guard.trigger_missing", trigger=name) for name in SQLITE_TRIGGERS if name not in have]
    if conn.dialect.name == "postgresql":
        have = _pg_triggers(conn)
        out = []
        for name in PG_TRIGGERS:
            if name not in have:
                out.append(Message("record.guard.trigger_missing", trigger=name))
            elif have[name] == "D":
                out.append(Message("record.guard.trigger_disabled", trigger=name))
        return out
    return []


def install_guard(conn) -> list[str]:
    """Create the missing triggers and enable disabled ones; returns what was done (one sentence each)."""
    done = []
    if conn.dialect.name == "sqlite":
        for problem in guard_problems(conn):
            name = problem.split()[1]
            conn.execute(text(SQLITE_TRIGGERS[name]))
            done.append(Message("record.guard.trigger_recreated", trigger=name))
    elif conn.dialect.name == "postgresql":
        have = _pg_triggers(conn)
        if any(name not in have for name in PG_TRIGGERS):
            conn.execute(text(PG_FUNCTION))
        for name, ddl in PG_TRIGGERS.items():
            if name not in have:
                conn.execute(text(ddl))
                done.append(Message("record.guard.trigger_recreated", trigger=name))
            elif have[name] == "D":
                conn.execute(text(f"ALTER TABLE events ENABLE TRIGGER {name}"))
                done.append(Message("record.guard.trigger_enabled", trigger=name))
    return done


def drop_guard(conn) -> None:
    """Remove the triggers (a migration that rewrites events, such as the chain back-fill, does it and re-installs)."""
    if conn.dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
    elif conn.dialect.name == "postgresql":
        for name in PG_TRIGGERS:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {name} ON events"))
