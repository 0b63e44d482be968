"""The document store's garbage collector and the lock that keeps it away from running attaches.

Stored documents are write-once files named by their SHA-256 (:mod:`kawasan.tracker.documents`). A file
becomes garbage when no ``documents`` row refers to it: an attach that failed after writing it, or a kill
between the write and the commit. :meth:`RecordsMixin.collect_garbage` (``kawasan db gc``) deletes such
files, and the temporary files of writes killed half way, while it holds the store lock exclusively,
so no attach can add a reference between its reading of the references and its deleting of a file:

- PostgreSQL: every attach takes a transaction-level *shared* advisory lock before it writes a file, the
  collector the *exclusive* one for its whole run (``pg_advisory_xact_lock_shared`` / ``pg_advisory_xact_lock``).
- SQLite: every attach and the collector are write transactions (``BEGIN IMMEDIATE``), which run one at a time.
"""
from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select, text

from kawasan.storage.models import Document
from kawasan.tracker import documents as docs
from kawasan.tracker.base import TrackerBase

_STORE_LOCK = 4242015  # advisory lock key of the document store (PostgreSQL)
#: temporary files younger than this are left alone: an upload may still be writing them (seconds)
TEMP_GRACE_S = 3600


def _is_temp(name: str) -> bool:
    return name.startswith(docs.TEMP_PREFIX) or (name.startswith(".") and ".tmp-" in name)


def store_files(files_dir: Path):
    """(path, kind) of every file in the store's two-hex-digit folders: kind ``blob``, ``temp`` or ``other``."""
    root = Path(files_dir)
    if not root.is_dir():
        return
    for sub in sorted(root.iterdir()):
        if not (sub.is_dir() and len(sub.name) == 2 and all(c in "0123456789abcdef" for c in sub.name)):
            continue
        for f in sorted(sub.iterdir()):
            if not f.is_file():
                continue
            if docs.is_blob_name(f.name) and f.name.startswith(sub.name):
                yield f, "blob"
            elif _is_temp(f.name):
                yield f, "temp"
            else:
                yield f, "other"


class RecordsMixin(TrackerBase):
    """The store lock and ``collect_garbage``."""

    def _hold_store(self, s, *, exclusive: bool) -> None:
        """Take the document store lock for the rest of the transaction (see the module docstring)."""
        conn = s.connection()
        if conn.dialect.name == "postgresql":
            fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
            conn.execute(text(f"SELECT {fn}(:k)"), {"k": _STORE_LOCK})

    def grant_app_role(self, role: str) -> list[str]:
        """Give the PostgreSQL role ``role`` the application's privileges (:mod:`kawasan.storage.roles`); run by the
        owner of the database after every upgrade. Returns the statements run."""
        from kawasan.storage.db import storage_errors, writer
        from kawasan.storage.roles import grant_app_role

        self._ready()
        with storage_errors(self.settings), writer(self.engine).begin() as conn:
            return grant_app_role(conn, role)

    def collect_garbage(self, *, actor: str | None = None, dry_run: bool = False,
                        temp_grace_s: float = TEMP_GRACE_S) -> dict:
        """Delete stored files no document refers to, and temporary files older than ``temp_grace_s``.

        Returns ``removed`` (number), ``bytes`` (their size), ``kept`` (referenced files), ``files`` (the
        removed paths) and ``dry_run``. Administrators only; recorded as a ``store.gc`` event."""
        now = time.time()
        with self._write() as s:
            user = self._actor(s, actor)
            self._require_admin(user, "remove unreferenced files from the document store")
            self._hold_store(s, exclusive=True)
            referenced = set(s.scalars(select(Document.sha256).distinct()))
            removed, kept, size = [], 0, 0
            for path, kind in store_files(self.settings.files_dir):
                if kind == "blob" and path.name in referenced:
                    kept += 1
                    continue
                if kind == "other" or (kind == "temp" and now - path.stat().st_mtime < temp_grace_s):
                    continue
                size += path.stat().st_size
                removed.append(path)
                if not dry_run:
                    path.unlink()
            if removed and not dry_run:
                s.add(self._event(user, "store.gc", field="documents", new=f"{len(removed)} files",
                                  detail={"removed": len(removed), "bytes": size}))
        return {"removed": len(removed), "bytes": size, "kept": kept, "files": [str(p) for p in removed],
                "dry_run": dry_run}
