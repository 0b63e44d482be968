"""API: the model editor (check, save), suitability runs started as jobs, and the jobs themselves.

Every route parses, calls the domain (:mod:`kawasan.spatial.modeledit`) or the job service, and answers;
errors come in the one shape of :mod:`kawasan.web.errors` with the field the editor shows them beside.
Starting or cancelling a job, and saving a model, need a role other than viewer.
"""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import yaml

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from kawasan.errors import InputError
from kawasan.jobs import folders
from kawasan.spatial import modeledit
from kawasan.tracker.jobs import RUNNERS
from kawasan.web.auth import Identity, current_user, require_roles
from kawasan.web.jobs import base_model, data_root, job_service, model_refs, start_job
from kawasan.web.render import language
from kawasan.i18n import Message

router = APIRouter(tags=["analysis"])
runners = require_roles(*RUNNERS)


class EditsIn(BaseModel):
    """A model (``preset:NAME`` or ``saved:NAME``) and the edits made to it (see kawasan.spatial.modeledit)."""

    model_config = ConfigDict(extra="forbid")
    model: str = Field(max_length=200, examples=["preset:kawasan-industri"])
    edits: dict = Field(default_factory=dict)


class SaveIn(EditsIn):
    name: str = Field(max_length=64, examples=["ki-road-heavy"])


class RunIn(EditsIn):
    study_area: str = Field(max_length=64, examples=["data"])
    run: str | None = Field(None, max_length=64, description="name of the run folder (default: model and time)")


def _edited(request: Request, body: EditsIn, name: str | None = None) -> tuple[dict, dict]:
    edits = dict(body.edits)
    if name:
        edits["name"] = name
    model = modeledit.apply_edits(base_model(data_root(request), body.model), edits, source=body.model)
    return model, modeledit.check(model, allow_inconsistent=bool(edits.get("allow_inconsistent")), source=body.model)


@router.get("/analysis/models")
def list_models(request: Request, me: Identity = Depends(current_user)):
    """The presets and the saved models."""
    return {"items": model_refs(data_root(request))}


@router.get("/analysis/studyareas")
def list_study_areas(request: Request, me: Identity = Depends(current_user)):
    """The study areas in the server's data folder."""
    return {"items": [{k: v for k, v in sa.items() if k != "folder"} for sa in folders.study_areas(data_root(request))]}


@router.post("/analysis/check")
def check(request: Request, body: EditsIn, me: Identity = Depends(current_user)):
    """Validate the edited model; its global weights and the AHP numbers (λmax, CI, CR) of the top level."""
    return _edited(request, body)[1]


@router.post("/analysis/models", status_code=201)
def save_model(request: Request, body: SaveIn, me: Identity = Depends(runners)):
    """Save the edited model as ``DATA/models/NAME.yaml`` (the file ``kawasan suitability run`` reads)."""
    from kawasan.fileio import write_text_atomic

    name = folders.check_name(body.name, "name")
    model, _ = _edited(request, body, name)
    path = folders.model_file(data_root(request), name)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, yaml.safe_dump(model, sort_keys=False, allow_unicode=True))
    return {"name": name, "ref": f"saved:{name}", "yaml": f"/analysis/models/{name}.yaml"}


@router.post("/analysis/runs", status_code=202)
async def start_run(request: Request, body: RunIn, me: Identity = Depends(runners)):
    """Start a suitability run of the edited model on a study area, as a job; answers the queued job."""
    def submit():
        root = data_root(request)
        area = folders.study_area(root, body.study_area)
        model, _ = _edited(request, body)
        name = body.run or f"{model['name']}-{datetime.now(timezone.utc).strftime('%Y%m%d-%H%M%S')}"
        out = folders.run_folder(root, name)
        if out.exists():
            raise InputError(Message("web.err.analysis.run_exists_already_choose", name=name), field="run")
        rules = (body.edits or {}).get("rules") or {}
        params = {"data": str(area), "out": str(out), "model": model, "model_name": model["name"],
                  "model_ref": body.model, "rules": rules, "study_area": body.study_area,
                  "allow_inconsistent": bool((body.edits or {}).get("allow_inconsistent"))}
        return start_job(request, "suitability", f"{model['name']} · {body.study_area}", params, me.username)

    return await run_in_threadpool(submit)


@router.get("/jobs", tags=["jobs"])
def list_jobs(request: Request, kind: str | None = Query(None, max_length=32),
              me: Identity = Depends(current_user)):
    """The latest 50 analysis jobs, newest first (every signed-in role sees them)."""
    return {"items": [_public(j, language(request), _data_root(request)) for j in job_service(request).list(kind=kind)]}


@router.get("/jobs/{job_id}", tags=["jobs"])
def get_job(request: Request, job_id: int, me: Identity = Depends(current_user)):
    """One job: status, progress (0..1), the step running, its result (run name) or error."""
    return _public(job_service(request).get(job_id), language(request), _data_root(request))


@router.post("/jobs/{job_id}/cancel", tags=["jobs"])
def cancel_job(request: Request, job_id: int, me: Identity = Depends(runners)):
    """Cancel a queued job, or ask a running one to stop at its next step."""
    return _public(job_service(request).cancel(job_id, actor=me.username), language(request), _data_root(request))


def _data_root(request: Request):
    from kawasan.web.jobs import data_root

    return Path(data_root(request)).resolve()


#: The steps the suitability engine reports (stored in English with the job, shown in the reader's language).
ENGINE_STEPS = ("run.progress.constraint", "run.progress.criterion", "run.progress.combine", "run.progress.done",
                "chunked.progress.chunk")


def step_text(step: str, lang: str) -> str:
    """The step a job is at, for people reading ``lang``: the worker's own steps (``start``, ``boundary``,
    ``layer zoning``, ``candidate sites``, ...) through the catalogue (``jobs.step.<step>``), others as they are."""
    from kawasan.errors import label_text
    from kawasan.i18n import from_english, has, t

    key = "jobs.step." + step.replace(" ", "_")
    if has(key):
        return t(key, lang)
    engine_step = from_english(step, ENGINE_STEPS)
    return engine_step.text(lang) if engine_step is not None else label_text(step, lang)


def _public(job: dict, lang: str = "en", data_root=None) -> dict:
    """A job without its server paths and full model (the page needs the names, not the folders); a failed
    job's ``error`` in ``lang`` (the request's language) when the worker stored it in every language. The map
    link names the run by its id in the data folder (``runs~NAME``: the folder's path under it), as the map does;
    ``links.run`` is its description for the page's own map (bounds, checksum of its score tiles)."""
    from kawasan.spatial.runs.catalog import entry_id

    p = job.get("params") or {}
    out = {k: v for k, v in job.items() if k != "params"}
    out["params"] = {k: p[k] for k in ("model_name", "model_ref", "study_area", "rules") if k in p}
    res = dict(job.get("result") or {})
    folder = res.pop("folder", None)
    texts = res.pop("error_text", None) or {}
    if out.get("error") and texts.get(lang):
        out["error"] = texts[lang]
    if out.get("step"):
        out["step"] = step_text(out["step"], lang)
    out["result"] = res or None
    if job["kind"] == "suitability" and job["status"] == "finished" and res.get("run"):
        run_id = res["run"]
        if folder and data_root is not None and data_root in Path(folder).resolve().parents:
            run_id = entry_id(data_root, Path(folder).resolve())
        out["links"] = {"map": f"/map/runs/{run_id}", "run": f"/api/v1/runs/{run_id}"}
    if job["kind"] == "prepare" and job["status"] == "finished" and res.get("study_area"):
        out["links"] = {"analysis": f"/analysis?area={res['study_area']}"}
    return out


@router.post("/analysis/studyareas", status_code=202)
async def new_study_area(request: Request, me: Identity = Depends(runners)):
    """A new study area: multipart form with ``name``, the boundary (``boundary`` file or ``boundary_path`` in
    DATA/incoming) and its feature (``feature`` name or ``where`` filter), optional ``dem`` files (or
    ``dem_path``), ``osm`` (or ``osm_path``), agency layers (``layer_name`` with ``layer_file`` or
    ``layer_path``, in the same order) and ``resolution`` (m). Every file is checked, then ``data prepare``
    runs as a job (202, the queued job). Nothing is written when a check fails."""
    from kawasan.web import newarea

    newarea.check_declared_size(request.headers.get("content-length"))
    form = await request.form(max_files=newarea.MAX_FILES)
    return await run_in_threadpool(_submit_area, request, form, me.username)


def _files(form, key: str) -> list:
    return [f for f in form.getlist(key) if getattr(f, "filename", None)]


def _texts(form, key: str) -> list[str]:
    return [str(v).strip() for v in form.getlist(key) if isinstance(v, str) and str(v).strip()]


def _one(form, up_key: str, path_key: str, root, tmp, field: str, *, required: bool):
    from kawasan.web import newarea

    ups, paths = _files(form, up_key), _texts(form, path_key)
    if len(ups) + len(paths) > 1:
        raise InputError(Message("web.err.analysis.give_one_file_upload"), field=field)
    if ups:
        return newarea.save(ups[0], tmp, field)
    if paths:
        return newarea.server_file(root, paths[0], field)
    if required:
        raise InputError(Message("web.err.analysis.file_required"), field=field)
    return None


def _submit_area(request: Request, form, actor: str) -> dict:
    from kawasan.web import newarea

    root = data_root(request)
    name = str(form.get("name") or "").strip()
    out = folders.new_study_area_folder(root, name)
    res_raw = str(form.get("resolution") or "").strip()
    try:
        resolution = float(res_raw) if res_raw else 30.0
    except ValueError:
        raise InputError(Message("web.err.analysis.expected_number_metres_got", raw=res_raw),
                         field="resolution") from None
    if not 5 <= resolution <= 1000:
        raise InputError(Message("web.err.analysis.expected_m_got", resolution=resolution), field="resolution")
    job_service(request)._ready()  # an unreachable database is refused before any file is written
    tmp = newarea.staging(root)
    try:
        boundary = _one(form, "boundary", "boundary_path", root, tmp, "boundary", required=True)
        where = newarea.boundary_filter(boundary, str(form.get("feature") or "").strip() or None,
                                        str(form.get("where") or "").strip() or None)
        title = newarea.check_boundary(boundary, where)
        dem = [newarea.save(f, tmp, "dem") for f in _files(form, "dem")]
        dem += [newarea.server_file(root, p, "dem_path") for p in _texts(form, "dem_path")]
        for d in dem:
            newarea.check_dem(d)
        osm = _one(form, "osm", "osm_path", root, tmp, "osm", required=False)
        if osm is not None:
            newarea.check_osm(osm)
        layers = _layers(form, root, tmp)
        final = newarea.publish(tmp)

        def moved(p):
            return str(final / p.name) if p is not None and tmp in p.parents else (str(p) if p else None)

        params = {"boundary": moved(boundary), "where": where, "resolution": resolution,
                  "dem": [moved(d) for d in dem], "osm": moved(osm),
                  "layers": [{"name": n, "path": moved(p), "attribute": a} for n, p, a in layers],
                  "out": str(out), "study_area": name, "cleanup": str(final)}
    except Exception:
        newarea.discard(tmp)
        raise
    try:
        return start_job(request, "prepare", f"{name} · {title}", params, actor)
    except Exception:
        newarea.discard(final)
        raise


def _layers(form, root, tmp) -> list[tuple[str, object, str | None]]:
    """Agency layer rows: ``layer_name`` with ``layer_file`` (upload) or ``layer_path`` (server), and the
    optional ``layer_attribute`` (the field holding the classes), matched by position; empty rows skipped."""
    from kawasan.web import newarea

    names = [str(v).strip() for v in form.getlist("layer_name")]
    attrs = [str(v).strip() for v in form.getlist("layer_attribute")]
    files = list(form.getlist("layer_file"))
    paths = [str(v).strip() for v in form.getlist("layer_path")]
    out = []
    for i, name in enumerate(names):
        up = files[i] if i < len(files) and getattr(files[i], "filename", None) else None
        rel = paths[i] if i < len(paths) and paths[i] else None
        if not name and up is None and rel is None:
            continue
        name = newarea.check_layer_name(name)
        if (up is None) == (rel is None):
            raise InputError(Message("web.err.analysis.layer_give_one_file", name=name), field="layer_file")
        p = newarea.save(up, tmp, "layer_file") if up is not None else newarea.server_file(root, rel, "layer_path")
        newarea.check_layer(p, name)
        out.append((name, p, (attrs[i] if i < len(attrs) else "") or None))
    return out
