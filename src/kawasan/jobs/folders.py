"""The server's data folder: where study areas, runs and saved models live.

Layout (the demo's, generalised): ``DATA/data`` is the demo's study area (``kawasan demo`` writes it),
``DATA/studyareas/<name>`` every other study area, ``DATA/runs/<name>`` run folders, and
``DATA/models/<name>.yaml`` models saved from the Analysis page (the same YAML the CLI reads).
The folder is ``KAWASAN_DATA_DIR`` (``kawasan serve --data DIR``, ``kawasan worker --data DIR``), default
``<KAWASAN_HOME>/data``.
Names are restricted to ``[a-z0-9][a-z0-9_-]*`` so no name can leave the folder.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

from kawasan.errors import InputError, NotFoundError
from kawasan.i18n import Message

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DEMO_AREA = "data"


def data_dir() -> Path:
    """``KAWASAN_DATA_DIR``, else ``<KAWASAN_HOME>/data``."""
    raw = (os.environ.get("KAWASAN_DATA_DIR") or "").strip()
    if raw:
        return Path(raw).expanduser()
    from kawasan.tracker import Settings

    return Settings.from_env().home / "data"


def check_name(name: str, field: str) -> str:
    """``name`` if it is a safe folder name, else an InputError naming ``field``."""
    if not isinstance(name, str) or not NAME.match(name):
        raise InputError(Message("jobs.err.folders.expected_name_lower_case", name=name), field=field)
    return name


def study_areas(root: Path) -> list[dict]:
    """The prepared study areas in ``root``: name, folder, title and whether the data is SYNTHETIC."""
    found = []
    candidates = [(DEMO_AREA, root / DEMO_AREA)]
    sa = root / "studyareas"
    if sa.is_dir():
        candidates += [(p.name, p) for p in sorted(sa.iterdir()) if NAME.match(p.name)]
    for name, folder in candidates:
        man = folder / "manifest.json"
        if not man.is_file():
            continue
        try:
            meta = json.loads(man.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        found.append({"name": name, "folder": folder, "title": meta.get("name") or meta.get("title") or name,
                      "synthetic": bool(meta.get("synthetic")), "warnings": meta.get("warnings") or []})
    return found


def study_area(root: Path, name: str) -> Path:
    """The folder of study area ``name`` (NotFoundError listing the known ones)."""
    check_name(name, "study_area")
    for sa in study_areas(root):
        if sa["name"] == name:
            return sa["folder"]
    known = ", ".join(s["name"] for s in study_areas(root)) or "none"
    raise NotFoundError(Message("jobs.err.folders.study_area_data_folder", name=name, known=known), source=str(root),
                        field="study_area")


def new_study_area_folder(root: Path, name: str) -> Path:
    check_name(name, "name")
    if any(s["name"] == name for s in study_areas(root)):
        raise InputError(Message("jobs.err.folders.study_area_exists_already", name=name), field="name")
    return root / "studyareas" / name


def run_folder(root: Path, name: str) -> Path:
    return root / "runs" / check_name(name, "run")


def models_folder(root: Path) -> Path:
    return root / "models"


def saved_models(root: Path) -> list[str]:
    folder = models_folder(root)
    return sorted(p.stem for p in folder.glob("*.yaml") if NAME.match(p.stem)) if folder.is_dir() else []


def model_file(root: Path, name: str) -> Path:
    return models_folder(root) / f"{check_name(name, 'name')}.yaml"
