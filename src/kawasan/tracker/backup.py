"""Backup and restore of the licensing record: one portable, versioned, checksummed archive (``kawasan db backup``).

The archive is a ZIP file (format ``kawasan-backup``, version :data:`FORMAT_VERSION`) holding

- ``tables/<table>.jsonl``: every row of every table (except ``web_sessions``: sign-ins are not carried over),
  one JSON object per line, columns by name, in id order; dates ``YYYY-MM-DD``, timestamps ISO 8601 in UTC
  with microseconds, JSON columns as JSON;
- ``documents/<sha256>``: the bytes of every stored document a row refers to;
- ``manifest.json``, written last: the format and its version, the schema revision, the kawasan version, the
  number of rows per table, the head hash of every event chain, and the SHA-256 of every other member.

It does not depend on the database: an SQLite backup restores into PostgreSQL and back. The same record gives
the same bytes (members in a fixed order with a fixed date; no wall-clock time inside). Restore checks every
checksum and the event chains of the archive before it changes anything, refuses a database that already
holds a record unless told to replace it, writes the documents first (write-once, by content) and all rows in
one transaction, so a failure leaves the target as it was. Backups hold password and token hashes: keep them
as safe as the database (administrators only).
"""
from __future__ import annotations

import hashlib
import json
import os
import uuid
import zipfile
import zlib
from datetime import date, datetime, timezone
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Boolean, Date, DateTime, func, insert, select, text

from kawasan.errors import InputError, OutputError
from kawasan.storage import chain
from kawasan.storage.db import current_revision, head_revision, upgrade
from kawasan.storage.guard import drop_guard, install_guard
from kawasan.storage.models import Base, Document, Event, User
from kawasan.tracker import documents as docs
from kawasan.tracker.base import LOCAL_ADMIN, TrackerBase
from kawasan.i18n import Message

FORMAT = "kawasan-backup"
FORMAT_VERSION = 1
#: tables in the order they are restored (a row only refers to rows of tables before it)
TABLES = ("agencies", "users", "api_tokens", "calendar_days", "templates", "projects", "stages", "events",
          "obstacles", "documents", "forecasts")
SKIPPED = ("web_sessions",)
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _encode(v):
    if isinstance(v, datetime):
        utc = v.replace(tzinfo=timezone.utc) if v.tzinfo is None else v.astimezone(timezone.utc)
        return utc.isoformat(timespec="microseconds")
    if isinstance(v, date):
        return v.isoformat()
    return v


def _decoder(col):
    if isinstance(col.type, DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(col.type, Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    if isinstance(col.type, Boolean):
        return lambda v: None if v is None else bool(v)
    return lambda v: v


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _member(z: zipfile.ZipFile, name: str, data: bytes, sums: dict, compress: bool = True) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    z.writestr(info, data)
    sums[name] = _sha(data)


class _Record(NamedTuple):
    """What :meth:`BackupMixin.backup` reads in one snapshot: each table as JSON lines and its row count, the
    documents' hashes, the event chains' problems and heads, the last event's time and the schema revision."""
    tables: dict[str, bytes]
    counts: dict[str, int]
    hashes: list[str]
    problems: list[str]
    heads: dict
    as_of: datetime | None
    revision: str | None


def _check_backup_target(path: Path, overwrite: bool) -> None:
    """``path`` may be written: it does not exist (or ``overwrite``) and is not a folder; an OutputError otherwise."""
    if path.exists() and not overwrite:
        raise OutputError(Message("tracker.err.backup.file_exists_give_another"), source=str(path))
    if path.exists() and path.is_dir():
        raise OutputError(Message("tracker.err.backup.folder_give_name_archive"), source=str(path))


def _table_lines(s, name: str) -> tuple[bytes, int]:
    """Table ``name`` as JSON lines (one row each, keys sorted, in primary-key order) and its number of rows."""
    t = Base.metadata.tables[name]
    rows = s.execute(select(t).order_by(*t.primary_key.columns)).mappings().all()
    data = b"".join(json.dumps({k: _encode(v) for k, v in r.items()}, ensure_ascii=False,
                               sort_keys=True).encode("utf-8") + b"\n" for r in rows)
    return data, len(rows)


def _manifest(record: _Record, document_bytes: int, sums: dict[str, str]) -> dict:
    """The archive's ``manifest.json``: format, versions, row counts, chain heads and every member's SHA-256."""
    from kawasan import __version__

    return {"format": FORMAT, "format_version": FORMAT_VERSION, "kawasan_version": __version__,
            "schema_revision": record.revision, "as_of": _encode(record.as_of), "tables": record.counts,
            "skipped_tables": list(SKIPPED), "documents": len(record.hashes), "document_bytes": document_bytes,
            "chains": {str(k): v[1] for k, v in sorted(record.heads.items(), key=_chain_key)},
            "sha256": sums}


class BackupMixin(TrackerBase):
    """``backup`` and ``restore`` (see the module docstring)."""

    # ------------------------------------------------------------------ backup

    def backup(self, path: Path, *, actor: str | None = None, overwrite: bool = False) -> dict:
        """Write the whole record to the archive ``path`` (through a temporary file and a rename)."""
        path = Path(path)
        _check_backup_target(path, overwrite)
        record = self._read_record(actor)
        if record.problems:
            raise InputError(Message("tracker.err.backup.record_does_verify_backup", problem=record.problems[0]),
                             source=self.settings.safe_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
        try:
            with zipfile.ZipFile(tmp, "w", allowZip64=True) as z:
                self._write_members(z, record)
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as e:
            raise OutputError(Message("tracker.err.backup.cannot_write_backup_nothing", reason=e.strerror or e),
                              source=str(path)) from None
        finally:
            if tmp.exists():
                tmp.unlink()
        return {"file": str(path), "bytes": path.stat().st_size, "tables": record.counts,
                "documents": len(record.hashes), "schema_revision": record.revision,
                "sha256": _sha(path.read_bytes())}

    def _read_record(self, actor: str | None) -> _Record:
        """Every table's rows, the documents' hashes and the event chains, read in one snapshot by an administrator."""
        with self._read() as s:
            if s.connection().dialect.name == "postgresql":
                s.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))  # one snapshot of every table
            self._require_admin(self._actor(s, actor), "back up the database (it holds password hashes)")
            tables, counts = {}, {}
            for name in TABLES:
                tables[name], counts[name] = _table_lines(s, name)
            hashes = sorted(set(s.scalars(select(Document.sha256))))
            events = s.scalars(select(Event).order_by(Event.id)).all()
            problems, heads = chain_check(events)
            as_of = s.scalar(select(func.max(Event.recorded_at)))
            revision = current_revision(self.engine)
        return _Record(tables=tables, counts=counts, hashes=hashes, problems=problems, heads=heads, as_of=as_of,
                       revision=revision)

    def _write_members(self, z: zipfile.ZipFile, record: _Record) -> None:
        """The tables, then the documents' bytes (stored, not compressed), then the manifest with their checksums."""
        sums: dict[str, str] = {}
        for name in TABLES:
            _member(z, f"tables/{name}.jsonl", record.tables[name], sums)
        size = 0
        for h in record.hashes:
            data = self._document_bytes(h)
            size += len(data)
            _member(z, f"documents/{h}", data, sums, compress=False)
        manifest = _manifest(record, size, sums)
        _member(z, "manifest.json", json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8"), {})

    def _document_bytes(self, h: str) -> bytes:
        """The stored bytes of the document with SHA-256 ``h``; an InputError when they are missing or altered."""
        blob = docs.blob_path(self.settings.files_dir, h)
        try:
            data = blob.read_bytes()
        except OSError as e:
            raise InputError(Message("tracker.err.backup.bytes_stored_document_missing", reason=e.strerror),
                             source=str(blob)) from None
        if _sha(data) != h:
            raise InputError(Message("tracker.err.backup.stored_document_does_hash"),
                             source=str(blob))
        return data

    # ------------------------------------------------------------------ restore

    def restore(self, path: Path, *, actor: str | None = None, replace: bool = False) -> dict:
        """Load the archive ``path`` into this (empty, or with ``replace`` any) database; all or nothing."""
        manifest, members = read_archive(Path(path))
        revision = manifest["schema_revision"]
        current = current_revision(self.engine)
        if current is None and revision:
            upgrade(self.engine, self.settings, revision)  # a fresh database takes the archive's schema first
            current = revision
        if current != revision:
            raise InputError(Message("tracker.err.backup.archive_has_schema_revision", revision=revision,
                                     current=current, head_revision=head_revision()), source=str(path),
                             field="schema_revision")
        for name in sorted(k for k in members if k.startswith("documents/")):
            docs.write_blob(members[name], name.split("/", 1)[1], self.settings.files_dir)
        counts = self._load_rows(manifest, members, actor=actor, replace=replace, source=str(path))
        if revision != head_revision():
            upgrade(self.engine, self.settings)
        return {"file": str(path), "tables": counts, "documents": manifest["documents"],
                "schema_revision": revision, "database": self.settings.safe_url}

    def _load_rows(self, manifest: dict, members: dict, *, actor, replace: bool, source: str) -> dict:
        from sqlalchemy.orm import Session

        from kawasan.storage.db import storage_errors, writer

        with storage_errors(self.settings), Session(writer(self.engine)) as s, s.begin():
            conn = s.connection()
            held = _record_size(conn)
            if held and not replace:
                raise OutputError(Message("tracker.err.backup.database_already_holds_record", held=held),
                                  source=self.settings.safe_url)
            if held:
                self._require_admin(self._actor(s, actor), "replace the whole record")
            _clear(conn)
            counts = {}
            for name in TABLES:
                t = Base.metadata.tables[name]
                decode = {c.name: _decoder(c) for c in t.columns}
                rows = []
                for line in members[f"tables/{name}.jsonl"].decode("utf-8").splitlines():
                    raw = json.loads(line)
                    if set(raw) != set(decode):
                        raise InputError(Message("tracker.err.backup.table_columns_differ_from", name=name,
                                                 columns=sorted(raw), expected_columns=sorted(decode)),
                                         source=source, field=name)
                    rows.append({k: decode[k](v) for k, v in raw.items()})
                if rows:
                    conn.execute(insert(t), rows)
                counts[name] = len(rows)
                if counts[name] != manifest["tables"].get(name):
                    raise InputError(Message("tracker.err.backup.table_holds_rows_manifest", name=name,
                                             rows=counts[name], manifest_rows=manifest['tables'].get(name)),
                                     source=source, field=name)
            _reset_sequences(conn)
            problems, _heads = chain_check(s.scalars(select(Event).order_by(Event.id)).all())
            if problems:
                raise InputError(Message("tracker.err.backup.archive_event_log_broken", problem=problems[0]),
                                 source=source)
        return counts


def _chain_key(kv):
    return -1 if kv[0] is None else kv[0]


def chain_check(events) -> tuple[list[str], dict]:
    """The chain problems (messages) and heads of a list of events in id order."""
    from kawasan.tracker.integrity import check_chains

    problems, heads = check_chains(events)
    return [p.message for p in problems], heads


def read_archive(path: Path) -> tuple[dict, dict[str, bytes]]:
    """The manifest and every member of a backup archive, after checking its format and every checksum."""
    src = str(path)
    if not path.is_file():
        raise InputError(Message("tracker.err.backup.file_found_expected_backup"), source=src)
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            if "manifest.json" not in names:
                raise InputError(Message("tracker.err.backup.kawasan_backup_manifest_json"), source=src)
            manifest = json.loads(z.read("manifest.json").decode("utf-8"))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise InputError(Message("tracker.err.backup.kawasan_backup_format",
                                         format_name=manifest.get('format') if isinstance(manifest, dict) else None),
                                 source=src, field="format")
            if manifest.get("format_version") != FORMAT_VERSION:
                raise InputError(Message("tracker.err.backup.backup_format_version_supported",
                                         version=manifest.get('format_version'), supported=FORMAT_VERSION), source=src,
                                 field="format_version")
            sums = manifest.get("sha256") or {}
            expected = {f"tables/{t}.jsonl" for t in TABLES}
            if not expected <= set(sums) or set(sums) != set(names) - {"manifest.json"}:
                raise InputError(Message("tracker.err.backup.archive_members_differ"),
                                 source=src, field="manifest")
            members = {}
            for name in sorted(sums):
                data = z.read(name)
                if _sha(data) != sums[name]:
                    raise InputError(Message("tracker.err.backup.member_does_match_checksum", name=name),
                                     source=src, field=name)
                members[name] = data
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as e:
        raise InputError(Message("tracker.err.backup.readable_backup_archive_damaged", detail=e), source=src) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(Message("tracker.err.backup.manifest_valid_json", detail=e), source=src,
                         field="manifest.json") from None
    for name, data in members.items():
        if name.startswith("documents/") and _sha(data) != name.split("/", 1)[1]:
            raise InputError(Message("tracker.err.backup.member_named_sha_bytes", name=name), source=src, field=name)
        if not (name.startswith("documents/") or name in expected):
            raise InputError(Message("tracker.err.backup.unexpected_member", name=name), source=src, field=name)
    return manifest, members


def _record_size(conn) -> str:
    """'' when the database holds no record (at most the automatic local administrator of a fresh embedded
    database), else what it holds, for the message."""
    counts = {name: conn.execute(select(func.count()).select_from(Base.metadata.tables[name])).scalar()
              for name in TABLES}
    users = conn.execute(select(User.username, User.password_hash)).all()
    automatic = (conn.dialect.name == "sqlite" and len(users) == 1 and users[0][0] == LOCAL_ADMIN
                 and not users[0][1])
    held = {k: v for k, v in counts.items() if v and not (automatic and k in ("users", "events") and v == 1)}
    return ", ".join(f"{v} {k}" for k, v in held.items())


def _clear(conn) -> None:
    """Delete every row (the tables in reverse order); the append-only guard is lifted for this transaction only."""
    tables = [*SKIPPED, *TABLES[::-1]]
    has_events = conn.execute(select(func.count()).select_from(Event)).scalar()
    if has_events:
        drop_guard(conn)
    for name in tables:
        conn.execute(Base.metadata.tables[name].delete())
    if has_events:
        install_guard(conn)


def _reset_sequences(conn) -> None:
    """PostgreSQL: every id sequence continues after the restored ids."""
    if conn.dialect.name != "postgresql":
        return
    for name in TABLES:
        t = Base.metadata.tables[name]
        pk = list(t.primary_key.columns)
        if len(pk) == 1 and pk[0].autoincrement in (True, "auto") and pk[0].type.python_type is int:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', '{pk[0].name}'), "
                              f"COALESCE((SELECT max({pk[0].name}) FROM {name}), 0) + 1, false)"))
