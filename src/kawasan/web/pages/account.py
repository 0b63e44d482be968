"""Sign-in, sign-out, the language switch, the account page (password, API tokens, calendar feed), the feed."""
from __future__ import annotations

import asyncio
import hmac
import secrets

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from kawasan.errors import AuthenticationError, PermissionDeniedError
from kawasan.web import i18n
from kawasan.web.api.common import RecordId
from kawasan.web.auth import PRE_COOKIE, SESSION_COOKIE, Identity, current_user, identify
from kawasan.web.calendar_feed import feed_ics
from kawasan.web.pages.common import back, svc, text
from kawasan.web.render import render
from kawasan.i18n import Message

router = APIRouter()
YEAR = 365 * 24 * 3600


def _secure(request: Request) -> bool:
    mode = request.app.state.web.secure_cookies
    return mode == "always" or (mode == "auto" and request.url.scheme == "https")


def _safe_next(raw: str | None) -> str:
    raw = raw or "/"
    return raw if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw else "/"


@router.get("/")
def home(request: Request):
    ident = identify(request)
    if ident is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse("/my-work" if ident.role == "agency_officer" else "/projects", status_code=303)


@router.get("/login")
def login_form(request: Request, next: str = "/"):
    pre = secrets.token_urlsafe(16)
    resp = render(request, "login.html", {"next": _safe_next(next), "pre": pre, "error": None})
    resp.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="lax", secure=_secure(request), max_age=3600)
    return resp


@router.post("/login")
async def login(request: Request):
    form = await request.form()
    pre = request.cookies.get(PRE_COOKIE) or ""
    if not pre or not hmac.compare_digest(pre, str(form.get("pre") or "")):
        raise PermissionDeniedError(Message("web.err.account.sign_form_out_date"),
                                    field="csrf_token")
    username, password = str(form.get("username") or "")[:64], str(form.get("password") or "")[:1024]
    nxt = _safe_next(str(form.get("next") or "/"))
    service = svc(request)
    try:
        user = await run_in_threadpool(service.authenticate, username, password)
    except AuthenticationError as e:
        failures = await run_in_threadpool(service.failed_logins, username)
        await asyncio.sleep(min(0.25 * (failures + 1), 2.0))  # each failure costs more time
        new_pre = secrets.token_urlsafe(16)
        resp = render(request, "login.html", {"next": nxt, "pre": new_pre, "error": _login_problem(e.message),
                                              "username": username}, status_code=401)
        resp.set_cookie(PRE_COOKIE, new_pre, httponly=True, samesite="lax", secure=_secure(request), max_age=3600)
        return resp
    secret, _csrf = await run_in_threadpool(service.create_session, user["username"],
                                            replaces=request.cookies.get(SESSION_COOKIE))
    target = nxt if nxt != "/" else ("/my-work" if user["role"] == "agency_officer" else "/projects")
    resp = RedirectResponse(target, status_code=303)
    resp.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax", secure=_secure(request), path="/")
    resp.delete_cookie(PRE_COOKIE)
    if user.get("language"):
        resp.set_cookie(i18n.COOKIE, user["language"], max_age=YEAR, samesite="lax", secure=_secure(request))
    return resp


def _login_problem(message: str) -> tuple[str, dict]:
    """The catalogue key (and values) of a refused sign-in, from the tracker's message key."""
    key = getattr(message, "key", "")
    if key == "accounts.err.account_locked_after_failed":
        return "web.login.locked", {"minutes": int(message.params["minutes"])}
    if key == "accounts.err.account_disabled_ask_administrator":
        return "web.login.disabled", {}
    return "web.login.wrong", {}


@router.post("/logout")
def logout(request: Request, me: Identity = Depends(current_user)):
    svc(request).end_session(request.cookies.get(SESSION_COOKIE))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.post("/lang")
async def set_language(request: Request):
    """The language switch: a cookie for everyone, and the user's setting when signed in (persists)."""
    form = await request.form()
    lang = str(form.get("lang") or "")
    if lang not in i18n.LANGS:
        lang = i18n.DEFAULT
    ident = await run_in_threadpool(identify, request)
    if ident is not None:
        sent = request.headers.get("x-csrf-token") or str(form.get("csrf_token") or "")
        if ident.via != "session" or not hmac.compare_digest(sent, ident.csrf or ""):
            raise PermissionDeniedError(Message("web.err.account.form_out_date_csrf"), field="csrf_token")
        await run_in_threadpool(svc(request).set_language, ident.username, lang)
    resp = RedirectResponse(_safe_next(str(form.get("next") or "/")), status_code=303)
    resp.set_cookie(i18n.COOKIE, lang, max_age=YEAR, samesite="lax", secure=_secure(request))
    return resp


@router.get("/account")
def account(request: Request, me: Identity = Depends(current_user), done: str | None = None):
    s = svc(request)
    return render(request, "account.html", {"tokens": s.list_tokens(me.username), "done": done, "new_token": None,
                                            "feed_url": None})


@router.post("/account/password")
async def account_password(request: Request, me: Identity = Depends(current_user)):
    form = await request.form()
    old, new = str(form.get("old_password") or ""), str(form.get("new_password") or "")
    if new != str(form.get("new_password2") or ""):
        from kawasan.errors import InputError

        raise InputError(Message("web.err.account.two_new_passwords_differ"), field="new_password2")
    s = svc(request)
    await run_in_threadpool(s.change_password, me.username, old, new)
    secret, _ = await run_in_threadpool(s.create_session, me.username)
    resp = back("/account", "web.account.password_changed")
    resp.set_cookie(SESSION_COOKIE, secret, httponly=True, samesite="lax", secure=_secure(request), path="/")
    return resp


@router.post("/account/tokens")
async def account_token(request: Request, me: Identity = Depends(current_user)):
    form = await request.form()
    purpose = "feed" if form.get("purpose") == "feed" else "api"
    s = svc(request)
    name = text(form, "name", max_length=128) or purpose
    tok = await run_in_threadpool(s.create_token, me.username, name, purpose=purpose, actor=me.username)
    feed_url = str(request.url_for("feed", token=tok["token"])) if purpose == "feed" else None
    tokens = await run_in_threadpool(s.list_tokens, me.username)
    return render(request, "account.html", {"tokens": tokens, "done": None,
                                            "new_token": tok if purpose == "api" else None, "feed_url": feed_url})


@router.post("/account/tokens/{token_id}/revoke")
def account_revoke(request: Request, token_id: RecordId, me: Identity = Depends(current_user)):
    svc(request).revoke_token(token_id, actor=me.username)
    return back("/account", "web.account.token_revoked")


@router.get("/calendar/{token}.ics", name="feed")
def feed(request: Request, token: str):
    """The user's deadlines as an iCalendar subscription (the secret token in the URL is the key)."""
    s = svc(request)
    user = s.resolve_token(token, purpose="feed")
    if user is None:
        raise AuthenticationError(Message("web.err.account.unknown_revoked_calendar_feed"),
                                  field="token")
    lang = user.get("language") or i18n.DEFAULT
    body = feed_ics(s.deadlines(user["username"]), lang, str(request.base_url).rstrip("/"))
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="kawasan-deadlines.ics"'})
