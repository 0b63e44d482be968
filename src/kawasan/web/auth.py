"""Who is asking: the session cookie (pages, and the API from the same browser) or a personal API token
(``Authorization: Bearer kwt_...``, scripts); and the CSRF check on every state-changing cookie request.

A request made with the session cookie that changes anything (POST, PUT, PATCH, DELETE) must carry the
session's CSRF token, in the form field ``csrf_token`` or the header ``X-CSRF-Token``. Requests with an
API token carry no cookie, so they need none. The sign-in form has its own pre-session token
(double-submit cookie ``kw_pre``).
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from kawasan.errors import AuthenticationError, PermissionDeniedError
from kawasan.i18n import Bilingual, Message, each_language, t
from kawasan.licensing.labels import role_label

SESSION_COOKIE = "kw_session"
PRE_COOKIE = "kw_pre"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Identity:
    user: dict
    csrf: str | None  # None for an API token (no cookie, no CSRF)
    via: str  # "session" or "token"

    @property
    def username(self) -> str:
        return self.user["username"]

    @property
    def role(self) -> str:
        return self.user["role"]


def service(request: Request):
    return request.app.state.tracker


def identify(request: Request) -> Identity | None:
    """The caller, from a bearer token or the session cookie; cached on the request."""
    if hasattr(request.state, "identity"):
        return request.state.identity
    svc = service(request)
    ident = None
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        user = svc.resolve_token(auth[7:].strip(), purpose="api")
        if user is None:
            raise AuthenticationError(Message("web.err.auth.api_token_unknown_revoked"), field="authorization")
        ident = Identity(user, None, "token")
    else:
        found = svc.resolve_session(request.cookies.get(SESSION_COOKIE))
        if found is not None:
            ident = Identity(found[0], found[1], "session")
    request.state.identity = ident
    return ident


def optional_user(request: Request) -> Identity | None:
    return identify(request)


async def current_user(request: Request) -> Identity:
    """The signed-in caller (else 401; pages redirect to the sign-in page), CSRF-checked for changes."""
    ident = await run_in_threadpool(identify, request)
    if ident is None:
        raise AuthenticationError(Message("web.err.auth.sign_first_session_cookie"), field="session")
    if request.method in UNSAFE and ident.via == "session":
        sent = request.headers.get("x-csrf-token")
        if sent is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get("csrf_token")
        if not sent or not hmac.compare_digest(str(sent), ident.csrf or ""):
            raise PermissionDeniedError(Message("web.err.auth.form_out_date_did"), field="csrf_token")
    return ident


def require_roles(*roles: str):
    """A dependency: the caller must have one of ``roles`` (the service checks again, per object)."""
    async def dep(ident: Identity = Depends(current_user)) -> Identity:
        if ident.role not in roles:
            raise PermissionDeniedError(Message("web.err.auth.needs_role_you", roles=_either(roles),
                                                role=each_language(lambda lang: role_label(ident.role, lang))),
                                        field="role")
        return ident
    dep.roles = roles
    return dep


admin_only = require_roles("administrator")
coordinators = require_roles("administrator", "coordinator")


def _either(roles) -> Bilingual:
    """"administrator or coordinator" in each language, the roles by their names."""
    def written(lang: str) -> str:
        names = [role_label(r, lang) for r in roles]
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {t('web.valid.or', lang)} {names[-1]}"
    return each_language(written)
