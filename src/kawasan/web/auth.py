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
    """The caller, from a bearer token or the session cookie; cached on the request, and for a few seconds
    in the app's identity cache (:mod:`kawasan.web.identities`) so that most requests read no database."""
    if hasattr(request.state, "identity"):
        return request.state.identity
    ident = None
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        user = _lookup(request, "token", auth[7:].strip())
        if user is None:
            raise AuthenticationError(Message("web.err.auth.api_token_unknown_revoked"), field="authorization")
        ident = Identity(user[0], None, "token")
    else:
        found = _lookup(request, "session", request.cookies.get(SESSION_COOKIE))
        if found is not None:
            ident = Identity(found[0], found[1], "session")
    request.state.identity = ident
    return ident


def cached_identity(app, headers) -> Identity | None:
    """The caller of a request from the identity cache alone (no database), or None when it is not cached;
    ``headers`` is a mapping of the request's lower-case header names (the lean tile path uses this)."""
    cache = getattr(app.state, "identities", None)
    if cache is None:
        return None
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        kind, secret = "token", auth[7:].strip()
    else:
        kind, secret = "session", _cookie(headers.get("cookie", ""), SESSION_COOKIE)
    if not secret or len(secret) > 200:
        return None
    found = cache.get(cache.key(kind, secret))
    if found is None:
        return None
    return Identity(found[0], found[1], kind)


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        k, _, v = part.strip().partition("=")
        if k == name:
            return v.strip('"') or None
    return None


def _lookup(request: Request, kind: str, secret: str | None) -> tuple[dict, str | None] | None:
    """(user, csrf) of a session or API token secret: from the identity cache, else from the database."""
    if not secret or len(secret) > 200:
        return None
    svc = service(request)
    cache = getattr(request.app.state, "identities", None)
    key = cache.key(kind, secret) if cache is not None else None
    if cache is not None:
        found = cache.get(key)
        if found is not None:
            return found
        generation = cache.generation()
    if kind == "token":
        user = svc.resolve_token(secret, purpose="api")
        found = None if user is None else (user, None)
    else:
        found = svc.resolve_session(secret)
    if found is not None and cache is not None:
        cache.put(key, found[0], found[1], generation)
    return found


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
