"""The Analysis page: choose a study area and a model, edit weights, switches and thresholds, save the model,
start the run as a job and follow its progress (the page's script calls /api/v1/analysis and /api/v1/jobs)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from kawasan.errors import KawasanError, NotFoundError
from kawasan.jobs import folders
from kawasan.spatial.model import model_from_dict
from kawasan.spatial.modeledit import editor_view
from kawasan.i18n import Message, t
from kawasan.tracker.jobs import RUNNERS, STATES
from kawasan.web.api.analysis import _public
from kawasan.web.auth import Identity, current_user
from kawasan.web.jobs import base_model, data_root, job_service, model_refs
from kawasan.web.render import language, render

router = APIRouter()


@router.get("/analysis")
def analysis(request: Request, area: str | None = Query(None, max_length=64),
             model: str | None = Query(None, max_length=200), me: Identity = Depends(current_user)):
    root = data_root(request)
    areas = folders.study_areas(root)
    models = model_refs(root)
    area = area or (areas[0]["name"] if areas else None)
    ref = model or (models[0]["ref"] if models else None)
    view, model_error = None, None
    try:
        view = editor_view(model_from_dict(base_model(root, ref), source=ref), language(request))
    except KawasanError as e:  # a saved model that no longer validates: say so, keep the page usable
        model_error = e
    jobs = [_public(j, language(request)) for j in job_service(request).list(kind="suitability", limit=10)]
    return render(request, "analysis.html", {
        "areas": areas, "area": area, "models": models, "ref": ref, "view": view, "model_error": model_error,
        "jobs": jobs, "can_run": me.role in RUNNERS, "data_dir": str(root),
        "page_data": {"model": ref, "area": area, "view": view, "can_run": me.role in RUNNERS,
                      "states": {s: t(f"web.analysis.state.{s}", language(request)) for s in STATES}}})


@router.get("/analysis/models/{name}.yaml")
def model_yaml(request: Request, name: str, me: Identity = Depends(current_user)):
    """A saved model as the YAML file the CLI reads (``kawasan suitability run NAME.yaml DATA OUT``)."""
    path = folders.model_file(data_root(request), name)
    if not path.is_file():
        raise NotFoundError(Message("web.err.analysis.no_saved_model", name=name), field="name")
    return Response(path.read_bytes(), media_type="application/yaml",
                    headers={"Content-Disposition": f'attachment; filename="{name}.yaml"'})


@router.get("/analysis/new-area")
def new_area(request: Request, me: Identity = Depends(current_user)):
    """Upload a boundary and its data (or pick files in DATA/incoming); ``data prepare`` runs as a job."""
    from kawasan.web.newarea import max_upload_bytes

    root = data_root(request)
    incoming = root / "incoming"
    server_files = sorted(str(p.relative_to(incoming)) for p in incoming.rglob("*") if p.is_file()) \
        if incoming.is_dir() else []
    jobs = [_public(j, language(request)) for j in job_service(request).list(kind="prepare", limit=10)]
    return render(request, "analysis_newarea.html", {
        "jobs": jobs, "can_run": me.role in RUNNERS, "server_files": server_files[:500],
        "incoming": str(incoming), "limit_mb": max_upload_bytes() // 1048576,
        "page_data": {"states": {s: t(f"web.analysis.state.{s}", language(request)) for s in STATES}}})
