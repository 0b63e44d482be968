"""The data folder a server holds: its study areas and suitability runs, found by their manifests.

A data folder is any folder; ``kawasan demo`` writes one (``DIR/data`` is the study area, ``DIR/runs/<preset>``
the runs). Every folder up to :data:`MAX_DEPTH` levels below the root whose ``manifest.json`` says
``"kind": "kawasan.study_area"`` or ``"kind": "kawasan.run"`` is listed; hidden folders (``.name``, the
temporary siblings of an atomic write) are not, and a study area or run is not searched further.

Each entry has an **id that is safe in a URL**: its path below the root with ``~`` between the parts
(``runs~apht``). A part made of other characters than ``A-Z a-z 0-9 . _ -`` is written as a slug plus the
first 8 hex digits of its SHA-1, so every folder name gets a distinct, stable id. An id is only ever looked
up among the entries found by the scan, never joined to a path, so ``..`` or an absolute path cannot reach
outside the root.

The run's checksum (``Run.checksum``) is the SHA-256 of its ``manifest.json``: a run folder is written
atomically and its manifest carries the time it was written, so a new run in the same folder has a new
checksum (the web app's tile ETags and caches are keyed by it).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from kawasan.errors import InputError, NotFoundError
from kawasan.i18n import Message
from kawasan.spatial.runs.folder import RUN_KIND

STUDY_AREA_KIND = "kawasan.study_area"
MANIFEST = "manifest.json"
#: how deep below the root the scan looks (``DIR/runs/<preset>`` is depth 2; a tree of regencies one more)
MAX_DEPTH = 4
#: the most folders one scan visits (a data folder pointed at ``/`` by mistake still answers quickly)
MAX_FOLDERS = 20_000
_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]{0,400}$")


@dataclass(frozen=True)
class Entry:
    """One study area or run of the data folder."""

    id: str
    kind: str            # "study_area" or "run"
    path: Path
    name: str
    synthetic: bool
    created: str | None
    checksum: str        # SHA-256 of manifest.json
    manifest: dict = field(repr=False, compare=False)

    def summary(self) -> dict:
        """The entry as the list shows it (no local paths: the server's folders are not the client's business)."""
        out = {"id": self.id, "kind": self.kind, "name": self.name, "synthetic": self.synthetic,
               "created": self.created, "checksum": self.checksum}
        if self.kind == "run":
            m = self.manifest
            out["model"] = (m.get("model") or {}).get("name")
            out["study_area"] = (m.get("study_area") or {}).get("name")
            out["study_area_id"] = None
        return out


def part_id(name: str) -> str:
    """One folder name as an id part: itself when safe, else a slug and 8 hex digits of its SHA-1."""
    if _SAFE_PART.match(name) and name not in (".", ".."):
        return name
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-._")[:40] or "x"
    return f"{slug}-{hashlib.sha1(name.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"


def entry_id(root: Path, folder: Path) -> str:
    return "~".join(part_id(p) for p in folder.relative_to(root).parts) or "."


def _read_manifest(folder: Path) -> tuple[dict, str] | None:
    p = folder / MANIFEST
    try:
        raw = p.read_bytes()
        manifest = json.loads(raw)
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(manifest, dict) or manifest.get("kind") not in (STUDY_AREA_KIND, RUN_KIND):
        return None
    return manifest, hashlib.sha256(raw).hexdigest()


def _entry(root: Path, folder: Path, manifest: dict, checksum: str) -> Entry:
    kind = "run" if manifest["kind"] == RUN_KIND else "study_area"
    if kind == "run":
        name = f"{(manifest.get('model') or {}).get('name', folder.name)} · {folder.name}"
    else:
        name = str(manifest.get("name") or folder.name)
    return Entry(id=entry_id(root, folder), kind=kind, path=folder, name=name,
                 synthetic=bool(manifest.get("synthetic", False)), created=manifest.get("created"),
                 checksum=checksum, manifest=manifest)


class DataFolder:
    """The study areas and runs under ``root``; the scan is repeated when asked (:meth:`refresh`) and cached
    otherwise, keyed by the modification times of the folders it read."""

    def __init__(self, root: str | Path):
        root = Path(root)
        if not root.is_dir():
            raise InputError(Message("run.err.catalog.expected_existing_folder_study"), source=str(root),
                             field="data_dir")
        self.root = root.resolve()
        self._entries: dict[str, Entry] | None = None
        self._stamp: tuple | None = None

    # -- scanning -------------------------------------------------------------------------------------
    def _scan(self) -> tuple[dict[str, Entry], tuple]:
        found: dict[str, Entry] = {}
        stamp: list = []
        todo = [(self.root, 0)]
        visited = 0
        while todo and visited < MAX_FOLDERS:
            folder, depth = todo.pop()
            visited += 1
            read = _read_manifest(folder)
            try:
                stamp.append((str(folder), folder.stat().st_mtime_ns,
                              (folder / MANIFEST).stat().st_mtime_ns if read else 0))
            except OSError:
                continue
            if read is not None:
                entry = _entry(self.root, folder, *read)
                found.setdefault(entry.id, entry)
                continue
            if depth >= MAX_DEPTH:
                continue
            try:
                children = sorted((d for d in os.scandir(folder) if not d.name.startswith(".")
                                   and d.is_dir(follow_symlinks=False)), key=lambda d: d.name, reverse=True)
            except OSError:
                continue
            todo.extend((Path(d.path), depth + 1) for d in children)
        return dict(sorted(found.items())), tuple(stamp)

    def _current(self) -> dict[str, Entry]:
        if self._entries is None or not self._unchanged():
            self._entries, self._stamp = self._scan()
        return self._entries

    def _unchanged(self) -> bool:
        for path, mtime, man in self._stamp or ():  # os.stat on strings: this runs on every map tile request
            try:
                if os.stat(path).st_mtime_ns != mtime or (man and os.stat(os.path.join(path, MANIFEST)).st_mtime_ns
                                                          != man):
                    return False
            except OSError:
                return False
        return True

    def refresh(self) -> None:
        self._entries = None

    # -- queries --------------------------------------------------------------------------------------
    def entries(self) -> list[Entry]:
        return list(self._current().values())

    def study_areas(self) -> list[Entry]:
        return [e for e in self.entries() if e.kind == "study_area"]

    def runs(self) -> list[Entry]:
        return [e for e in self.entries() if e.kind == "run"]

    def get(self, entry_id: str, kind: str | None = None) -> Entry:
        """The entry with this id (and kind); :class:`NotFoundError` for any other id, well-formed or not."""
        if not isinstance(entry_id, str) or not _ID.match(entry_id) or ".." in entry_id.split("~"):
            raise NotFoundError(Message("run.err.catalog.expected_study_area_run",
                                        entry=entry_id),
                                field="id")
        entry = self._current().get(entry_id)
        if entry is None or (kind and entry.kind != kind):
            what = Message({"run": "run.err.catalog.kind_run", "study_area": "run.err.catalog.kind_study_area"}
                           .get(kind or "", "run.err.catalog.kind_either"))
            raise NotFoundError(Message("run.err.catalog.server_data_folder",
                                        what=what, entry=entry_id), field="id")
        return entry

    def run(self, run_id: str) -> Entry:
        return self.get(run_id, "run")

    def study_area(self, area_id: str) -> Entry:
        return self.get(area_id, "study_area")

    def study_area_of(self, run: Entry) -> Entry | None:
        """The study area a run was computed on, when it is in this data folder (matched by its path)."""
        path = (run.manifest.get("study_area") or {}).get("path")
        if not path:
            return None
        try:
            target = Path(path).resolve()
        except OSError:
            return None
        return next((e for e in self.study_areas() if e.path == target), None)

    def listing(self) -> dict:
        """Study areas with their runs, for the list page and ``GET /api/v1/data``."""
        areas = self.study_areas()
        runs = []
        for r in self.runs():
            s = r.summary()
            sa = self.study_area_of(r)
            s["study_area_id"] = sa.id if sa else None
            runs.append(s)
        return {"study_areas": [a.summary() for a in areas], "runs": runs}
