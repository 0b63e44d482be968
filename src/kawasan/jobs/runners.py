"""Doing a job in the worker: parameters from the database, the domain code, progress and cancellation.

A job's parameters (``jobs.params``) hold absolute paths the web app resolved inside its data folder,
and, for a suitability run, the whole model (so the run is the model the user saw, even if a saved
model changes later). The outputs are written atomically by the domain code: a failed or cancelled
job leaves no run folder and no study area behind, only its temporary folder, which is removed.

Progress: the engine calls ``progress(label, step, total)`` once per constraint and criterion; the
run is 0..0.9 of the bar, the candidate-site extraction 0.9..1. A preparation reports named steps
(boundary, mask, dem, osm, one per agency layer), each a share of the bar. At every step the worker
records the fraction and, when the job's cancellation was asked, raises :class:`JobCancelled`.
"""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from kawasan.errors import KawasanError
from kawasan.i18n import Message
from kawasan.tracker.jobs import JobCancelled, JobService

log = logging.getLogger("kawasan.jobs")
RUN_SHARE = 0.9  # of the progress bar: the suitability run; the rest is the candidate-site extraction


def run_job(job_id: int, service: JobService | None = None) -> str:
    """Do job ``job_id`` (called by the huey task); returns its final status."""
    svc = service or JobService()
    job = None
    try:
        job = svc.start(job_id)
        if job is None:
            return "skipped"  # cancelled while queued, or taken by another worker
        tick = _ticker(svc, job_id)
        try:
            result = RUNNERS[job["kind"]](job["params"], tick)
        except JobCancelled:
            _clean(job["params"])
            svc.cancelled(job_id)
            return "cancelled"
        except KawasanError as e:
            _clean(job["params"])
            svc.fail(job_id, str(e), result=error_texts(e))
            return "failed"
        except Exception as e:  # noqa: BLE001 - a job never kills the worker; the reason is stored for the page
            log.exception("job %s failed", job_id)
            _clean(job["params"])
            why = Message("jobs.err.internal", error_type=type(e).__name__, detail=str(e))
            svc.fail(job_id, str(why), result=error_texts(why))
            return "failed"
        svc.finish(job_id, result)
        return "finished"
    finally:
        _remove_uploads(_quiet_get(svc, job_id))
        if service is None:
            svc.close()


def _quiet_get(svc: JobService, job_id: int) -> dict | None:
    try:
        return svc.get(job_id)
    except KawasanError:
        return None


def _remove_uploads(job: dict | None) -> None:
    """The uploaded files of a preparation (``params['cleanup']``, a folder under DATA/uploads) go when it ends."""
    if job is None or job["status"] in ("queued", "running"):
        return  # still to do, or done by another worker
    folder = (job.get("params") or {}).get("cleanup")
    if folder and Path(folder).parent.name == "uploads":
        shutil.rmtree(folder, ignore_errors=True)


def _ticker(svc: JobService, job_id: int):
    """``tick(fraction, step)``: record progress; raise JobCancelled when the job's cancellation was asked."""
    def tick(fraction: float, step: str) -> None:
        if svc.progress(job_id, fraction, step):
            raise JobCancelled(job_id)
    return tick


def error_texts(error) -> dict:
    """What a failed job stores beside its English ``error``: the error in every language
    (``{"error_text": {"en": ..., "id": ...}}``), for the page and the API to show in the reader's language."""
    from kawasan.i18n import LANGUAGES, text_in

    return {"error_text": {lang: error.text(lang) if isinstance(error, KawasanError) else text_in(error, lang)
                           for lang in LANGUAGES}}


def _clean(params: dict) -> None:
    """Remove the temporary siblings a stopped job left (``.NAME.tmp-*``); the target itself is never touched."""
    out = params.get("out")
    if not out:
        return
    out = Path(out)
    for tmp in out.parent.glob(f".{out.name}.tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True)


SCHEDULER_ENV = "KAWASAN_SCHEDULER"


def job_scheduler(*, check: bool = False) -> str | None:
    """Where the jobs' runs compute: ``KAWASAN_SCHEDULER`` (``kawasan serve --scheduler``/``kawasan worker
    --scheduler``: a Dask scheduler's address, or threads/processes), None for in the job process. With
    ``check``, a malformed value is refused and an address that does not answer within 10 s is an error."""
    raw = (os.environ.get(SCHEDULER_ENV) or "").strip() or None
    if raw is None or not check:
        return raw
    from kawasan.errors import InputError, StorageError
    from kawasan.i18n import Message
    from kawasan.spatial.chunked import ChunkOptions

    try:
        ChunkOptions(scheduler=raw).check()
    except InputError:
        raise InputError(Message("jobs.err.scheduler_unknown", value=raw), field=f"--scheduler ({SCHEDULER_ENV})") \
            from None
    if raw not in ("threads", "processes"):
        from distributed import Client

        try:
            Client(raw, timeout=10).close()
        except Exception as e:  # noqa: BLE001 - every connection failure means the same to the user
            raise StorageError(Message("jobs.err.scheduler_silent", address=raw, reason=f"{type(e).__name__}: {e}"),
                               field=f"--scheduler ({SCHEDULER_ENV})") from None
    return raw


def run_suitability_job(params: dict, tick) -> dict:
    """A suitability run into ``params['out']``, then its candidate sites; returns what the page links to."""
    from kawasan.spatial.api import run_suitability
    from kawasan.spatial.model import model_from_dict
    from kawasan.spatial.sites.service import extract_sites

    model = model_from_dict(params["model"], source=f"model:{params.get('model_name', 'model')}")
    tick(0.0, "start")

    def progress(label: str, step: int, total: int) -> None:
        tick(RUN_SHARE * step / max(total, 1), label)

    out = Path(params["out"])
    scheduler = job_scheduler()
    result = run_suitability(model, params["data"], out, allow_inconsistent=bool(params.get("allow_inconsistent")),
                             write_criteria=True, progress=progress, rules=params.get("rules") or None,
                             scheduler=scheduler)
    sites = None
    if model.sites is not None:  # a model without site rules makes a run only (the CLI asks for --min-area-ha)
        tick(RUN_SHARE, "candidate sites")
        sites = len(extract_sites(out, scheduler=scheduler).get("sites", []))
    man = result.manifest or {}
    return {"run": out.name, "folder": str(out), "sites": sites, "warnings": list(man.get("warnings") or [])}


PREPARE_STEPS = ("boundary", "mask", "dem", "osm")


def run_prepare_job(params: dict, tick) -> dict:
    """``data prepare`` into ``params['out']``; returns the new study area's name and the prepare warnings."""
    from kawasan.spatial.ingest.agency import LayerArg
    from kawasan.spatial.ingest.prepare import PrepareRequest, prepare

    layers = [LayerArg(name=la["name"], path=Path(la["path"]), attribute=la.get("attribute"), layer=la.get("layer"))
              for la in params.get("layers") or []]
    req = PrepareRequest(boundary=Path(params["boundary"]), out=Path(params["out"]), where=params.get("where"),
                         dissolve=bool(params.get("dissolve")), resolution=float(params.get("resolution") or 30.0),
                         dem=[Path(p) for p in params.get("dem") or []],
                         osm=Path(params["osm"]) if params.get("osm") else None, layers=layers)
    steps = [*PREPARE_STEPS, *(f"layer {la.name}" for la in layers)]

    def progress(step: str) -> None:
        done = steps.index(step) if step in steps else 0
        tick(done / (len(steps) + 1), step)

    result = prepare(req, progress)
    man = result.manifest
    return {"study_area": Path(result.out).name, "folder": str(result.out), "warnings": list(man.get("warnings") or []),
            "missing": man.get("missing") or {}}


RUNNERS = {"suitability": run_suitability_job, "prepare": run_prepare_job}


def sweep_interrupted(svc: JobService) -> list[int]:
    """Mark the running jobs of stopped processes ``interrupted`` and remove what they left: the temporary
    sibling of their output and their uploads (called by a worker at start and once a minute)."""
    ids = svc.mark_interrupted()
    for jid in ids:
        job = _quiet_get(svc, jid)
        if job is not None:
            _clean(job.get("params") or {})
            _remove_uploads(job)
    return ids
