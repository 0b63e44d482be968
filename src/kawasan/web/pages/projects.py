"""My work, the portfolio, a project (stages, timeline, obstacles, documents, history, forms), what-if."""
from __future__ import annotations

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from kawasan.licensing import allowed_transitions
from kawasan.tracker.portfolio import FORECAST_RUNS
from kawasan.web import exports
from kawasan.web.api.common import RecordId
from kawasan.web.api.projects import document_response
from kawasan.web.auth import Identity, current_user
from kawasan.web.gantt import timeline
from kawasan.web.pages.common import back, day, number, svc, text
from kawasan.web.render import language, render
from kawasan.web.scenario import from_form, overlap_options
from kawasan.web.uploads import saved_upload

router = APIRouter()


PER_PAGE = 50


def _page_of(items: list, page: int) -> tuple[list, dict]:
    pages = max(1, -(-len(items) // PER_PAGE))
    page = min(page, pages)
    return items[(page - 1) * PER_PAGE:page * PER_PAGE], {"page": page, "pages": pages, "total": len(items)}


@router.get("/my-work")
def my_work(request: Request, me: Identity = Depends(current_user), done: str | None = None,
            page: int = Query(1, ge=1, le=100_000)):
    items, pager = _page_of(svc(request).my_work(me.username), page)
    for it in items:
        it["actions"] = [s.value for s in allowed_transitions(it["status"]) if s.value != "blocked"] \
            if it["status"] != "blocked" else []
    return render(request, "my_work.html", {"items": items, "done": done, "pager": pager})


@router.get("/projects")
def portfolio(request: Request, me: Identity = Depends(current_user),
              regency: str | None = Query(None, max_length=128), template: str | None = Query(None, max_length=128),
              status: str | None = Query(None, max_length=16), page: int = Query(1, ge=1, le=100_000)):
    res = svc(request).portfolio(regency=regency or None, template=template or None, status=status or None)
    res["projects"], pager = _page_of(res["projects"], page)
    return render(request, "portfolio.html", {"p": res, "pager": pager,
                                              "f": {"regency": regency or "", "template": template or "",
                                                    "status": status or ""},
                                              "basemap": request.app.state.web.basemap_url})


@router.get("/projects.csv")
def portfolio_csv(request: Request, me: Identity = Depends(current_user)):
    return Response(exports.portfolio_csv(svc(request).portfolio()), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="portfolio.csv"'})


@router.get("/projects/{pid}")
def project(request: Request, pid: RecordId, me: Identity = Depends(current_user), done: str | None = None):
    s = svc(request)
    body = s.current(pid)
    state, fc = body["state"], body["forecast"]
    mine = s.actable_stages(pid, me.username)
    finish_of = {f["id"]: f["finish_date"] for f in fc["stages"]}
    for st in state["stages"]:
        st["can_act"] = st["id"] in mine
        st["forecast_finish"] = finish_of.get(st["id"])
        st["actions"] = [x.value for x in allowed_transitions(st["status"]) if x.value != "blocked"] \
            if st["status"] != "blocked" else []
        st["critical"] = st["id"] in fc["critical_path"]
    by_agency: dict[str, list] = {}
    for st in state["stages"]:
        by_agency.setdefault(st["agency"], []).append(st)
    history = s.history(pid)
    history.reverse()
    return render(request, "project.html", {
        "st": state, "fc": fc, "summary": body["summary"], "by_agency": by_agency, "gantt": timeline(fc),
        "documents": s.documents(pid), "history": history, "done": done,
        "week": s.forecast_history(pid)[-8:]})


@router.get("/projects/{pid}/stages.csv")
def stages_csv(request: Request, pid: RecordId, me: Identity = Depends(current_user)):
    return Response(exports.stages_csv(svc(request).state(pid), language(request)),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="project-{pid}-stages.csv"'})


@router.post("/projects/{pid}/stages/{sid}/status")
async def stage_status(request: Request, pid: RecordId, sid: str, me: Identity = Depends(current_user)):
    form = await request.form()
    await run_in_threadpool(svc(request).update_stage, pid, sid, text(form, "status", required=True, max_length=32),
                            reason=text(form, "reason"), on=day(form, "on"),
                            expected_version=number(form, "expected_version"), actor=me.username)
    return back(_return_to(form, pid), "web.done.stage_updated")


@router.post("/projects/{pid}/stages/{sid}/block")
async def stage_block(request: Request, pid: RecordId, sid: str, me: Identity = Depends(current_user)):
    form = await request.form()
    await run_in_threadpool(svc(request).block_stage, pid, sid, reason=text(form, "reason", required=True),
                            on=day(form, "on"), expected_unblock=day(form, "expected_unblock"),
                            obstacle=text(form, "obstacle"), owner=text(form, "owner", max_length=255),
                            expected_version=number(form, "expected_version"), actor=me.username)
    return back(_return_to(form, pid), "web.done.stage_blocked")


@router.post("/projects/{pid}/stages/{sid}/unblock")
async def stage_unblock(request: Request, pid: RecordId, sid: str, me: Identity = Depends(current_user)):
    form = await request.form()
    await run_in_threadpool(svc(request).unblock_stage, pid, sid, reason=text(form, "reason"), on=day(form, "on"),
                            expected_version=number(form, "expected_version"), actor=me.username)
    return back(_return_to(form, pid), "web.done.stage_unblocked")


@router.post("/projects/{pid}/obstacles")
async def add_obstacle(request: Request, pid: RecordId, me: Identity = Depends(current_user)):
    form = await request.form()
    sid = text(form, "stage", required=True, max_length=64)
    await run_in_threadpool(svc(request).add_obstacle, pid, sid, text(form, "description", required=True),
                            owner=text(form, "owner", required=True, max_length=255), on=day(form, "on"),
                            expected_resolution=day(form, "expected_resolution"), actor=me.username)
    return back(f"/projects/{pid}#obstacles", "web.done.obstacle_added")


@router.post("/projects/{pid}/obstacles/{oid}/resolve")
async def resolve_obstacle(request: Request, pid: RecordId, oid: RecordId, me: Identity = Depends(current_user)):
    form = await request.form()
    await run_in_threadpool(svc(request).resolve_obstacle, oid, text(form, "resolution", required=True),
                            on=day(form, "on"), actor=me.username)
    return back(f"/projects/{pid}#obstacles", "web.done.obstacle_resolved")


@router.post("/projects/{pid}/documents")
async def upload(request: Request, pid: RecordId, file: UploadFile = File(...), me: Identity = Depends(current_user)):
    form = await request.form()
    s = svc(request)
    sid = text(form, "stage", required=True, max_length=64)

    def attach():
        with saved_upload(file, s.settings.max_upload_bytes) as path:
            return s.attach(pid, sid, path, name=text(form, "name", max_length=255), actor=me.username)

    await run_in_threadpool(attach)
    return back(f"/projects/{pid}#documents", "web.done.document_uploaded")


@router.get("/projects/{pid}/documents/{doc_id}")
def download(request: Request, pid: RecordId, doc_id: RecordId, me: Identity = Depends(current_user)):
    return document_response(svc(request), pid, doc_id)


@router.get("/projects/{pid}/whatif")
def whatif_form(request: Request, pid: RecordId, me: Identity = Depends(current_user)):
    return _whatif_page(request, pid, None, None)


@router.post("/projects/{pid}/whatif")
async def whatif_run(request: Request, pid: RecordId, me: Identity = Depends(current_user)):
    """Run a scenario; nothing is saved."""
    form = await request.form()
    s = svc(request)
    state = await run_in_threadpool(s.state, pid)
    scen = from_form(form, [x["id"] for x in state["stages"]])
    res = await run_in_threadpool(lambda: s.whatif(pid, scen, runs=FORECAST_RUNS, seed=0))
    return _whatif_page(request, pid, res, form)


def _whatif_page(request: Request, pid: int, result: dict | None, form):
    s = svc(request)
    body = s.current(pid, parts=("state", "forecast"))
    state = body["state"]
    tpl = s.project_template(pid)
    chosen = {"parallel": set(form.getlist("parallel")) if form else set(),
              "values": {k: v for k, v in form.items()} if form else {}}
    return render(request, "whatif.html", {"st": state, "fc": body["forecast"], "result": result,
                                           "options": overlap_options(state, tpl), "chosen": chosen,
                                           "gantt": timeline(result["variant"]) if result else None})


def _return_to(form, pid: int) -> str:
    where = str(form.get("return_to") or "")
    return "/my-work" if where == "my-work" else f"/projects/{pid}"
