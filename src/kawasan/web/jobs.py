"""What the analysis pages share: the data folder, the job service, the queue, models by reference.

A model reference is ``preset:NAME`` (a built-in preset) or ``saved:NAME`` (a model saved from the
Analysis page, ``DATA/models/NAME.yaml``). The data folder is ``WebSettings.data_dir``
(``KAWASAN_DATA_DIR``), default ``<KAWASAN_HOME>/data``; the queue is ``KAWASAN_QUEUE`` (set by
``kawasan serve --queue``), default huey's SQLite file.
"""
from __future__ import annotations

from pathlib import Path

import yaml
from fastapi import Request

from kawasan.errors import InputError, NotFoundError
from kawasan.jobs import folders
from kawasan.jobs.queue import enqueue, make_huey
from kawasan.i18n import Message


def data_root(request: Request) -> Path:
    return getattr(request.app.state.web, "data_dir", None) or folders.data_dir()


def job_service(request: Request):
    return request.app.state.jobs


def queue(request: Request):
    """The huey instance of this app (made on first use from ``KAWASAN_QUEUE``)."""
    q = getattr(request.app.state, "queue", None)
    if q is None:
        q = request.app.state.queue = make_huey()
    return q


def start_job(request: Request, kind: str, title: str, params: dict, actor: str) -> dict:
    """Record a job and put it on the queue; the job is refused (nothing recorded) for a viewer."""
    svc = job_service(request)
    job = svc.submit(kind, title, params, actor=actor)
    svc.set_queue_id(job["id"], enqueue(queue(request), job["id"]))
    return svc.get(job["id"])


def model_refs(root: Path) -> list[dict]:
    """Presets and saved models, as the model chooser lists them."""
    from kawasan.spatial.presets import preset_names

    return ([{"ref": f"preset:{n}", "name": n, "kind": "preset"} for n in preset_names()]
            + [{"ref": f"saved:{n}", "name": n, "kind": "saved"} for n in folders.saved_models(root)])


def base_model(root: Path, ref: str) -> dict:
    """The model dict of a reference (not yet validated: the editor validates base + edits)."""
    from kawasan.spatial.presets import preset_names, preset_text

    kind, _, name = (ref or "").partition(":")
    if kind == "preset":
        if name not in preset_names():
            raise NotFoundError(Message("web.err.jobs.no_preset", name=name, presets=', '.join(preset_names())),
                                field="model")
        return yaml.safe_load(preset_text(name))
    if kind == "saved":
        path = folders.model_file(root, name)
        if not path.is_file():
            raise NotFoundError(Message("web.err.jobs.no_saved_model", name=name,
                                        saved=', '.join(folders.saved_models(root)) or Message('err.none')),
                                field="model")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise InputError(Message("web.err.jobs.saved_model_file_mapping"), source=str(path), field="model")
        return data
    raise InputError(Message("web.err.jobs.expected_preset_name_saved", ref=ref), field="model")
