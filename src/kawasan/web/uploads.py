"""Uploads stream to a private temporary folder under the size limit, under a cleaned name (the name a
user sent never becomes a path), and are handed to the tracker, which checks type and content."""
from __future__ import annotations

import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath, PureWindowsPath

from fastapi import UploadFile

from kawasan.errors import InputError
from kawasan.i18n import Message

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def clean_name(name: str | None, default: str = "upload") -> str:
    """The last part of ``name`` with only letters, digits, '.', '_' and '-' (never '..', never empty)."""
    base = PureWindowsPath(PurePosixPath(name or "").name).name
    base = _SAFE.sub("_", base).strip("._") or default
    return base[-120:]


@contextmanager
def saved_upload(upload: UploadFile, max_bytes: int, field: str = "file"):
    """The upload written to a temporary file (removed afterwards); refused beyond ``max_bytes``."""
    if upload is None or not upload.filename:
        raise InputError(Message("web.err.uploads.choose_file_upload"), field=field)
    folder = Path(tempfile.mkdtemp(prefix="kawasan-upload-"))
    try:
        target = folder / clean_name(upload.filename)
        size = 0
        with target.open("wb") as out:
            while chunk := upload.file.read(1 << 20):
                size += len(chunk)
                if size > max_bytes:
                    raise InputError(Message("web.err.uploads.file_larger_than_limit", limit_mb=max_bytes / 1048576),
                                     source=upload.filename, field=field)
                out.write(chunk)
        yield target
    finally:
        shutil.rmtree(folder, ignore_errors=True)
