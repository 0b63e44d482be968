"""API: the caller's account and tokens, templates, users, agencies, the working calendar."""
from __future__ import annotations

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile

from kawasan.errors import NotFoundError
from kawasan.web import schemas
from kawasan.web.api.common import Page, RecordId, svc
from kawasan.web.auth import Identity, admin_only, coordinators, current_user
from kawasan.web.uploads import saved_upload
from kawasan.i18n import Message

router = APIRouter()


@router.get("/me", tags=["account"])
def me_(me: Identity = Depends(current_user)):
    return me.user


@router.post("/me/password", tags=["account"])
def change_password(request: Request, body: schemas.PasswordChangeIn, me: Identity = Depends(current_user)):
    """Change your own password (proving the old one); every session of yours ends."""
    return svc(request).change_password(me.username, body.old_password, body.new_password)


@router.get("/me/tokens", tags=["account"])
def tokens(request: Request, me: Identity = Depends(current_user)):
    return svc(request).list_tokens(me.username)


@router.post("/me/tokens", status_code=201, tags=["account"])
def create_token(request: Request, body: schemas.TokenIn, me: Identity = Depends(current_user)):
    """A personal API token for scripts, shown once in ``token`` (only its hash is stored)."""
    return svc(request).create_token(me.username, body.name, purpose="api", actor=me.username)


@router.delete("/me/tokens/{token_id}", tags=["account"])
def revoke_token(request: Request, token_id: RecordId, me: Identity = Depends(current_user)):
    return svc(request).revoke_token(token_id, actor=me.username)


@router.get("/templates", tags=["templates"])
def templates(request: Request, me: Identity = Depends(current_user)):
    return svc(request).list_templates()


@router.get("/templates/{name}", tags=["templates"])
def template(request: Request, name: str, me: Identity = Depends(current_user)):
    """A template by name (built-in or registered): stages, agencies, prerequisites, legal basis."""
    return _template_by_name(svc(request), name).model_dump(mode="json")


def _template_by_name(service, name: str):
    known = {t["name"] for t in service.list_templates()}
    if name not in known:  # a name, never a path on the server
        raise NotFoundError(Message("web.err.directory.unknown_template_known", name=name,
                                    known=', '.join(sorted(known))), source="templates",
                            field="name")
    return service.resolve_template(name)


@router.post("/templates/import", status_code=201, tags=["templates"])
def import_plan(request: Request, file: UploadFile = File(...), name: str = Form(..., min_length=1, max_length=128),
                me: Identity = Depends(coordinators)):
    """Register a team's plan CSV (id,name,agency,duration_days,requires) as a template; errors name the row."""
    from kawasan.web.planimport import import_plan as read_plan

    s = svc(request)
    with saved_upload(file, 5 * 1024 * 1024) as path:
        tpl = read_plan(path, name)
    return s.register_template(tpl, source=f"upload:{file.filename}", actor=me.username)


@router.get("/users", tags=["administration"])
def users(request: Request, page: Page = Depends(), me: Identity = Depends(admin_only)):
    return page.of(svc(request).list_users())


@router.post("/users", status_code=201, tags=["administration"])
def create_user(request: Request, body: schemas.UserIn, me: Identity = Depends(admin_only)):
    s = svc(request)
    if body.password is not None:
        from kawasan.tracker.accounts import check_password_quality

        check_password_quality(body.password, body.username)
    res = s.add_user(body.username, body.role, agency=body.agency, regency=body.regency, full_name=body.full_name,
                     actor=me.username)
    if body.password is not None:
        s.set_password(body.username, body.password, actor=me.username)
        res["has_password"] = True
    return res


@router.patch("/users/{username}", tags=["administration"])
def update_user(request: Request, username: str, body: schemas.UserUpdateIn, me: Identity = Depends(admin_only)):
    return svc(request).update_user(username, role=body.role, agency=body.agency, regency=body.regency,
                                    full_name=body.full_name, disabled=body.disabled, actor=me.username)


@router.post("/users/{username}/password", tags=["administration"])
def reset_password(request: Request, username: str, body: schemas.PasswordIn, me: Identity = Depends(admin_only)):
    return svc(request).set_password(username, body.password, actor=me.username)


@router.get("/agencies", tags=["administration"])
def agencies(request: Request, page: Page = Depends(), me: Identity = Depends(current_user)):
    return page.of(svc(request).list_agencies())


@router.post("/agencies", status_code=201, tags=["administration"])
def add_agency(request: Request, body: schemas.AgencyIn, me: Identity = Depends(admin_only)):
    return svc(request).add_agency(body.code, body.name, kind=body.kind, regency=body.regency, actor=me.username)


@router.patch("/agencies/{agency_id}", tags=["administration"])
def update_agency(request: Request, agency_id: RecordId, body: schemas.AgencyUpdateIn,
                  me: Identity = Depends(admin_only)):
    return svc(request).update_agency(agency_id, name=body.name, kind=body.kind, regency=body.regency,
                                      actor=me.username)


@router.get("/calendar", tags=["administration"])
def calendar(request: Request, year: int | None = Query(None, ge=1900, le=2200), me: Identity = Depends(current_user)):
    """The holidays of a year: national holidays and joint leave (cuti bersama) plus the administrators' days."""
    return calendar_days(svc(request), year)


def calendar_days(service, year: int | None) -> dict:
    year = year or service.today().year
    hol = service.calendar().holidays(year)
    items = hol.items() if isinstance(hol, dict) else [(d, "") for d in hol]
    rows = [{"day": d.isoformat(), "name": str(n), "origin": "national"} for d, n in sorted(items)]
    rows += [{"day": d["day"], "name": d["description"] or d["kind"], "origin": "administrator-" + d["kind"]}
             for d in service.calendar_days() if d["day"].startswith(str(year))]
    return {"year": year, "days": sorted(rows, key=lambda r: r["day"])}


@router.post("/calendar", status_code=201, tags=["administration"])
def add_calendar_day(request: Request, body: schemas.CalendarDayIn, me: Identity = Depends(admin_only)):
    return svc(request).add_calendar_day(body.day, kind=body.kind, description=body.description, actor=me.username)

