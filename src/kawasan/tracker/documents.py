"""Attached documents: type check (extension AND content), size limit, content-addressed store.

A file is accepted when its extension is one of :data:`ALLOWED` and its first bytes (and for
ZIP-based Office files, its members; for GeoJSON, its parsed content) match that extension. The
bytes are stored once under ``<files_dir>/<sha256[:2]>/<sha256>`` through a temporary file, fsync and
an atomic rename, so a failed upload leaves nothing half-written and two versions with the same bytes
share one file. Stored files are write-once: nothing but the garbage collector
(:meth:`kawasan.tracker.records.RecordsMixin.collect_garbage`) ever deletes one, and it deletes only
files no document row refers to, decided while no attach can run (issue 14 defect 1: a failed attach
used to delete a file a concurrent attach had just committed a reference to).
"""
from __future__ import annotations

import hashlib
import json
import os
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kawasan.errors import InputError, StorageError
from kawasan.i18n import Message

PDF = "application/pdf"
#: extension -> (media type, human description); the content check for each is in :func:`sniff`.
ALLOWED: dict[str, tuple[str, str]] = {
    ".pdf": (PDF, "PDF document"),
    ".png": ("image/png", "PNG image"),
    ".jpg": ("image/jpeg", "JPEG image"),
    ".jpeg": ("image/jpeg", "JPEG image"),
    ".tif": ("image/tiff", "TIFF image or GeoTIFF"),
    ".tiff": ("image/tiff", "TIFF image or GeoTIFF"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel workbook"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint deck"),
    ".odt": ("application/vnd.oasis.opendocument.text", "OpenDocument text"),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", "OpenDocument spreadsheet"),
    ".geojson": ("application/geo+json", "GeoJSON"),
    ".gpkg": ("application/geopackage+sqlite3", "GeoPackage"),
    ".kml": ("application/vnd.google-earth.kml+xml", "KML"),
    ".kmz": ("application/vnd.google-earth.kmz", "KMZ"),
    ".zip": ("application/zip", "ZIP archive of a shapefile (.shp inside)"),
}
_OOXML_PART = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
_ODF_MIME = {".odt": b"application/vnd.oasis.opendocument.text",
             ".ods": b"application/vnd.oasis.opendocument.spreadsheet"}
_GEOJSON_TYPES = {"FeatureCollection", "Feature", "Point", "MultiPoint", "LineString", "MultiLineString",
                  "Polygon", "MultiPolygon", "GeometryCollection"}


@dataclass(frozen=True)
class CheckedFile:
    path: Path
    filename: str
    media_type: str
    size_bytes: int
    sha256: str


def allowed_list() -> str:
    return ", ".join(sorted(ALLOWED))


def check_file(path: Path, max_bytes: int) -> CheckedFile:
    """Refuse a missing, empty, too large or mistyped file; return its size, type and SHA-256."""
    path = Path(path)
    src = str(path)
    if not path.is_file():
        raise InputError(Message("tracker.err.documents.file_found_expected_existing"), source=src)
    ext = path.suffix.lower()
    if ext not in ALLOWED:
        raise InputError(Message("tracker.err.documents.file_type_allowed_allowed",
                                 ext=ext or Message('tracker.err.documents.no_extension'), allowed=allowed_list()),
                         source=src, field="type")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(Message("tracker.err.documents.file_mb_above_limit", size_mb=size / 1048576,
                                 limit_mb=max_bytes / 1048576), source=src, field="size")
    if size == 0:
        raise InputError(Message("tracker.err.documents.file_empty"), source=src, field="size")
    problem = sniff(path, ext)
    if problem:
        raise InputError(Message("tracker.err.documents.content_although_name_ends", file_kind=ALLOWED[ext][1], ext=ext,
                                 problem=problem),
                         source=src, field="type")
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return CheckedFile(path, path.name, ALLOWED[ext][0], size, h.hexdigest())


def sniff(path: Path, ext: str) -> str | None:
    """None when the content matches the extension, else what is wrong."""
    with path.open("rb") as f:
        head = f.read(4096)
    if ext == ".pdf":
        return None if head.startswith(b"%PDF-") else "it does not start with %PDF-"
    if ext == ".png":
        return None if head.startswith(b"\x89PNG\r\n\x1a\n") else "no PNG signature"
    if ext in (".jpg", ".jpeg"):
        return None if head.startswith(b"\xff\xd8\xff") else "no JPEG signature"
    if ext in (".tif", ".tiff"):
        return None if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+") else "no TIFF signature"
    if ext == ".gpkg":
        if not head.startswith(b"SQLite format 3\x00"):
            return "not an SQLite database"
        return None if head[68:72] in (b"GPKG", b"GP10", b"GP11") else "an SQLite file without the GeoPackage id"
    if ext == ".kml":
        text = head.lstrip(b"\xef\xbb\xbf").lstrip()
        return None if text.startswith(b"<?xml") or text.startswith(b"<kml") else "not XML"
    if ext in (".docx", ".xlsx", ".pptx", ".odt", ".ods", ".kmz", ".zip"):
        if not head.startswith(b"PK\x03\x04"):
            return "not a ZIP container"
        try:
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
                if ext in _OOXML_PART:
                    ok = "[Content_Types].xml" in names and any(n.startswith(_OOXML_PART[ext]) for n in names)
                    return None if ok else f"a ZIP without the {_OOXML_PART[ext]} part of an Office file"
                if ext in _ODF_MIME:
                    ok = "mimetype" in names and z.read("mimetype").strip() == _ODF_MIME[ext]
                    return None if ok else "a ZIP without the OpenDocument mimetype"
                if ext == ".kmz":
                    return None if any(n.lower().endswith(".kml") for n in names) else "no .kml inside"
                return None if any(n.lower().endswith(".shp") for n in names) else "no .shp inside"
        except zipfile.BadZipFile as e:
            return f"a damaged ZIP ({e})"
    if ext == ".geojson":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            return f"not valid JSON ({e})"
        if not isinstance(data, dict) or data.get("type") not in _GEOJSON_TYPES:
            return "JSON without a GeoJSON 'type' (FeatureCollection, Feature or a geometry)"
        return None
    return "no content check for this type"  # pragma: no cover - every ALLOWED extension has one above


def blob_path(files_dir: Path, sha256: str) -> Path:
    return Path(files_dir) / sha256[:2] / sha256


#: the prefix of a file being written into the store (the garbage collector removes old ones left by a kill)
TEMP_PREFIX = ".tmp-"


def is_blob_name(name: str) -> bool:
    """Whether a file name in the store is a stored document (64 lower-case hex digits)."""
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


def store(checked: CheckedFile, files_dir: Path) -> Path:
    """Copy the file into the store (write-once: an existing file with these bytes is kept); returns its path."""
    target = blob_path(files_dir, checked.sha256)
    if target.is_file():
        return target
    data = checked.path.read_bytes()
    if hashlib.sha256(data).hexdigest() != checked.sha256:
        raise InputError(Message("tracker.err.documents.file_changed_while_was"), source=str(checked.path))
    return write_blob(data, checked.sha256, files_dir)


def write_blob(data: bytes, sha256: str, files_dir: Path) -> Path:
    """Store ``data`` (whose SHA-256 is ``sha256``) unless a file with these bytes is already there.

    The bytes are written to a temporary file in the same folder, flushed to disk (fsync), renamed into
    place and the folder flushed, so the file is whole on disk before the database commits a reference."""
    target = blob_path(files_dir, sha256)
    if target.is_file():
        return target
    tmp = target.with_name(f"{TEMP_PREFIX}{sha256[:16]}-{uuid.uuid4().hex[:8]}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)  # a concurrent writer of the same bytes renames an identical file: harmless
        _fsync_dir(target.parent)
    except OSError as e:
        raise StorageError(Message("tracker.err.documents.cannot_write_document_store", reason=e.strerror or e),
                           source=str(files_dir)) from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open a folder; the rename is still atomic
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
