"""API: projects, stages, obstacles, documents, forecasts, what-if, history, My work."""
from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response

from kawasan.licensing import Scenario
from kawasan.web import exports, schemas
from kawasan.web.api.common import Page, RecordId, svc
from kawasan.web.auth import Identity, coordinators, current_user
from kawasan.web.uploads import saved_upload

router = APIRouter(tags=["projects"])


@router.get("/my-work")
def my_work(request: Request, page: Page = Depends(), me: Identity = Depends(current_user)):
    """The stages that need the caller's action, overdue first, then by due date."""
    return page.of(svc(request).my_work(me.username))


@router.get("/projects")
def list_projects(request: Request, regency: str | None = Query(None, max_length=128),
                  template: str | None = Query(None, max_length=128), status: str | None = Query(None, max_length=16),
                  page: Page = Depends(), me: Identity = Depends(current_user)):
    """The portfolio: every project with progress, blocked/overdue stages, P50/P80 and their change."""
    res = svc(request).portfolio(regency=regency, template=template, status=status)
    return {**page.of(res["projects"]), "counts": res["counts"], "today": res["today"]}


@router.post("/projects", status_code=201)
def create_project(request: Request, body: schemas.ProjectIn, me: Identity = Depends(coordinators)):
    return svc(request).create_project(body.name, body.template, body.start, regency=body.regency,
                                       site_geometry=body.site_geometry, actor=me.username)


@router.get("/projects.csv", response_class=Response)
def portfolio_csv(request: Request, me: Identity = Depends(current_user)):
    return Response(exports.portfolio_csv(svc(request).portfolio()), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="portfolio.csv"'})


@router.get("/sites.geojson")
def sites(request: Request, me: Identity = Depends(current_user)):
    """The project sites as GeoJSON (WGS84) with each project's id, name and status."""
    return svc(request).sites()


@router.get("/projects/{pid}")
def project(request: Request, pid: RecordId, me: Identity = Depends(current_user)):
    """The project's stages with state, agency, clocks, legal basis and obstacles (as of today)."""
    return svc(request).current(pid, parts=("state",))["state"]


@router.put("/projects/{pid}/target")
def set_target(request: Request, pid: RecordId, body: schemas.TargetIn, me: Identity = Depends(current_user)):
    return svc(request).set_target(pid, body.target, actor=me.username)


@router.get("/projects/{pid}/forecast")
def forecast(request: Request, pid: RecordId, me: Identity = Depends(current_user)):
    """The stored current forecast (CPM, P50/P80 of 10,000 Monte Carlo runs, seed 0) and its summary."""
    body = svc(request).current(pid, parts=("summary", "forecast"))
    return {**body["forecast"], "summary": body["summary"]}


@router.get("/projects/{pid}/forecast/history")
def forecast_history(request: Request, pid: RecordId, page: Page = Depends(), me: Identity = Depends(current_user)):
    return page.of(svc(request).forecast_history(pid))


@router.post("/projects/{pid}/whatif")
def whatif(request: Request, pid: RecordId, body: schemas.WhatIfIn, me: Identity = Depends(current_user)):
    """The forecast under a scenario beside today's; nothing is saved."""
    scen = Scenario(parallel=[tuple(p) for p in body.parallel], shorten=body.shorten, resolve=body.resolve)
    return svc(request).whatif(pid, scen, runs=body.runs, seed=0)


@router.get("/projects/{pid}/history")
def history(request: Request, pid: RecordId, stage: str | None = Query(None, max_length=64), page: Page = Depends(),
            me: Identity = Depends(current_user)):
    """The append-only event log: who, when, from, to, why."""
    return page.of(svc(request).history(pid, stage))


@router.get("/projects/{pid}/stages.csv", response_class=Response)
def stages_csv(request: Request, pid: RecordId, lang: str = Query("en", pattern="^(id|en)$"),
               me: Identity = Depends(current_user)):
    return Response(exports.stages_csv(svc(request).state(pid), lang), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="project-{pid}-stages.csv"'})


@router.post("/projects/{pid}/stages/{sid}/status")
def stage_status(request: Request, pid: RecordId, sid: str, body: schemas.StageStatusIn,
                 me: Identity = Depends(current_user)):
    """Move a stage to a new state (legal transitions only; the caller must hold the stage)."""
    return svc(request).update_stage(pid, sid, body.status, reason=body.reason, on=body.on,
                                     expected_version=body.expected_version, actor=me.username)


@router.post("/projects/{pid}/stages/{sid}/block")
def stage_block(request: Request, pid: RecordId, sid: str, body: schemas.StageBlockIn,
                me: Identity = Depends(current_user)):
    return svc(request).block_stage(pid, sid, reason=body.reason, on=body.on, expected_unblock=body.expected_unblock,
                                    obstacle=body.obstacle, owner=body.owner,
                                    expected_version=body.expected_version, actor=me.username)


@router.post("/projects/{pid}/stages/{sid}/unblock")
def stage_unblock(request: Request, pid: RecordId, sid: str, body: schemas.StageUnblockIn,
                  me: Identity = Depends(current_user)):
    return svc(request).unblock_stage(pid, sid, reason=body.reason, on=body.on, to=body.to,
                                      expected_version=body.expected_version, actor=me.username)


@router.get("/projects/{pid}/obstacles")
def obstacles(request: Request, pid: RecordId, open_only: bool = False, page: Page = Depends(),
              me: Identity = Depends(current_user)):
    return page.of(svc(request).obstacles(pid, open_only=open_only))


@router.post("/projects/{pid}/stages/{sid}/obstacles", status_code=201)
def add_obstacle(request: Request, pid: RecordId, sid: str, body: schemas.ObstacleIn,
                 me: Identity = Depends(current_user)):
    return svc(request).add_obstacle(pid, sid, body.description, owner=body.owner, on=body.on,
                                     expected_resolution=body.expected_resolution, actor=me.username)


@router.post("/obstacles/{oid}/resolve")
def resolve_obstacle(request: Request, oid: RecordId, body: schemas.ObstacleResolveIn,
                     me: Identity = Depends(current_user)):
    return svc(request).resolve_obstacle(oid, body.resolution, on=body.on, actor=me.username)


@router.get("/projects/{pid}/documents")
def documents(request: Request, pid: RecordId, page: Page = Depends(), me: Identity = Depends(current_user)):
    return page.of(svc(request).documents(pid))


@router.post("/projects/{pid}/stages/{sid}/documents", status_code=201)
def upload_document(request: Request, pid: RecordId, sid: str, file: UploadFile = File(...),
                    name: str | None = Form(None, max_length=255), me: Identity = Depends(current_user)):
    """Attach a file to a stage (the tracker's size and type rules; the same name makes a new version)."""
    s = svc(request)
    with saved_upload(file, s.settings.max_upload_bytes) as path:
        res = s.attach(pid, sid, path, name=name or None, actor=me.username)
    res.pop("stored_at", None)
    return res


@router.get("/projects/{pid}/documents/{doc_id}", response_class=FileResponse)
def download_document(request: Request, pid: RecordId, doc_id: RecordId, me: Identity = Depends(current_user)):
    """The document's bytes, as an attachment (never shown inline)."""
    return document_response(svc(request), pid, doc_id)


def document_response(service, pid: int, doc_id: int) -> FileResponse:
    from kawasan.web.uploads import clean_name

    meta, path = service.document(pid, doc_id)
    return FileResponse(path, media_type=meta["media_type"], filename=clean_name(meta["filename"]),
                        content_disposition_type="attachment",
                        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})
