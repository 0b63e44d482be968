"""Administration: users, agencies and the working-day calendar (administrators only)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from kawasan.errors import InputError
from kawasan.web.api.common import RecordId
from kawasan.web.api.directory import calendar_days
from kawasan.web.auth import Identity, admin_only
from kawasan.web.pages.common import back, day, svc, text
from kawasan.web.render import render
from kawasan.i18n import Message

router = APIRouter(prefix="/admin")
ROLES = ("administrator", "coordinator", "agency_officer", "viewer")
KINDS = ("regency", "province", "national", "system", "private", "other")


@router.get("/users")
def users(request: Request, me: Identity = Depends(admin_only), done: str | None = None):
    s = svc(request)
    return render(request, "admin_users.html", {"users": s.list_users(), "agencies": s.list_agencies(),
                                                "roles": ROLES, "done": done})


@router.post("/users")
async def create_user(request: Request, me: Identity = Depends(admin_only)):
    form = await request.form()
    s = svc(request)
    username = text(form, "username", required=True, max_length=64)
    password = str(form.get("password") or "")

    def run():
        from kawasan.tracker.accounts import check_password_quality

        check_password_quality(password, username)
        s.add_user(username, text(form, "role", required=True, max_length=32), agency=text(form, "agency", max_length=64),
                   regency=text(form, "regency", max_length=128), full_name=text(form, "full_name", max_length=255),
                   actor=me.username)
        s.set_password(username, password, actor=me.username)

    await run_in_threadpool(run)
    return back("/admin/users", "web.done.user_created")


@router.post("/users/{username}")
async def update_user(request: Request, username: str, me: Identity = Depends(admin_only)):
    form = await request.form()
    action = str(form.get("action") or "update")
    s = svc(request)
    if action == "password":
        await run_in_threadpool(s.set_password, username, str(form.get("password") or ""), actor=me.username)
        return back("/admin/users", "web.done.password_set")
    if action in ("disable", "enable"):
        await run_in_threadpool(lambda: s.update_user(username, disabled=action == "disable", actor=me.username))
        return back("/admin/users", "web.done.user_updated")
    if action != "update":
        raise InputError(Message("web.err.admin.unknown_action", action=action), field="action")
    await run_in_threadpool(lambda: s.update_user(
        username, role=text(form, "role", max_length=32), agency=str(form.get("agency") or "").strip(),
        regency=str(form.get("regency") or "").strip(), full_name=text(form, "full_name", max_length=255),
        actor=me.username))
    return back("/admin/users", "web.done.user_updated")


@router.get("/agencies")
def agencies(request: Request, me: Identity = Depends(admin_only), done: str | None = None):
    return render(request, "admin_agencies.html", {"agencies": svc(request).list_agencies(), "kinds": KINDS,
                                                   "done": done})


@router.post("/agencies")
async def add_agency(request: Request, me: Identity = Depends(admin_only)):
    form = await request.form()
    await run_in_threadpool(lambda: svc(request).add_agency(
        text(form, "code", required=True, max_length=64), text(form, "name", required=True, max_length=255),
        kind=text(form, "kind", max_length=16) or "regency", regency=text(form, "regency", max_length=128),
        actor=me.username))
    return back("/admin/agencies", "web.done.agency_saved")


@router.post("/agencies/{agency_id}")
async def update_agency(request: Request, agency_id: RecordId, me: Identity = Depends(admin_only)):
    form = await request.form()
    await run_in_threadpool(lambda: svc(request).update_agency(
        agency_id, name=text(form, "name", max_length=255), kind=text(form, "kind", max_length=16),
        regency=str(form.get("regency") or "").strip(), actor=me.username))
    return back("/admin/agencies", "web.done.agency_saved")


@router.get("/calendar")
def calendar(request: Request, me: Identity = Depends(admin_only), year: int | None = Query(None, ge=1900, le=2200),
             done: str | None = None):
    return render(request, "admin_calendar.html", {"cal": calendar_days(svc(request), year), "done": done})


@router.post("/calendar")
async def add_day(request: Request, me: Identity = Depends(admin_only)):
    form = await request.form()
    d = day(form, "day")
    if d is None:
        raise InputError(Message("web.err.admin.give_day_yyyy_mm"), field="day")
    kind = "workday" if form.get("kind") == "workday" else "holiday"
    await run_in_threadpool(lambda: svc(request).add_calendar_day(d, kind=kind,
                                                                  description=text(form, "description",
                                                                                   max_length=255),
                                                                  actor=me.username))
    return back(f"/admin/calendar?year={d.year}", "web.done.day_added")

