"""Atomic file and folder writes: nothing half-written is left behind, nothing stored is lost.

Every output of kawasan (study areas, run folders, site folders, JSON results) is written
under a hidden temporary name next to its target and moved into place only when complete.
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path


def publish(tmp: Path, out: Path) -> None:
    """Move a finished temporary folder to ``out``.

    A previous ``out`` (already checked by the caller as replaceable) is renamed aside first and
    deleted only after the new folder is in place; if the move fails the old one is put back.
    """
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(out, old)
    try:
        os.replace(tmp, out)
    except OSError:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a text file (UTF-8) through a temporary sibling and an atomic rename."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write a file through a temporary sibling and an atomic rename."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def check_replaceable(out: Path, kind: str, what: str) -> None:
    """Refuse ``out`` unless it is absent, an empty folder, or an earlier output of the same ``kind``.

    ``kind`` is the ``"kind"`` of the ``manifest.json`` an earlier output holds (for example
    ``kawasan.study_area``); ``what`` names it for the message.
    """
    import json

    from kawasan.errors import OutputError

    out = Path(out)
    if not out.exists():
        return
    if not out.is_dir():
        raise OutputError("exists and is not a folder; choose another output folder", source=str(out))
    if not any(out.iterdir()):
        return
    try:
        found = json.loads((out / "manifest.json").read_text(encoding="utf-8")).get("kind")
    except (OSError, ValueError, AttributeError):
        found = None
    if found != kind:
        raise OutputError(f"is not empty and is not a {what} (no manifest.json with \"kind\": \"{kind}\"); "
                          "refusing to overwrite it", source=str(out))
