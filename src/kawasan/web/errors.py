"""One mapping from errors to answers: a KawasanError's ``http_status`` gives the status, and every 4xx
and 5xx has one shape: ``{"error": {"code", "message", "field"?}}`` for the API, an HTML error page for
the pages. A 500 never shows a stack trace: the answer carries a reference id the server log also has.
"""
from __future__ import annotations

import logging
import re
import secrets

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kawasan.errors import KawasanError

log = logging.getLogger("kawasan.web")

_HTTP_CODES = {400: "bad_request", 401: "authentication", 403: "permission_denied", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
               422: "input", 429: "too_many_requests", 500: "internal", 503: "storage"}


def error_code(exc: KawasanError) -> str:
    """``NotFoundError`` -> ``not_found``; ``InputError`` -> ``input``."""
    name = re.sub(r"Error$", "", type(exc).__name__)
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() or "kawasan"


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/api/", "/calendar/")) or path == "/openapi.json"


def error_body(code: str, message: str, field: str | None = None, **extra) -> dict:
    err = {"code": code, "message": message}
    if field:
        err["field"] = field
    err.update(extra)
    return {"error": err}


def render_error(request: Request, status: int, code: str, message: str, field: str | None = None,
                 reference: str | None = None):
    if wants_json(request):
        extra = {"reference": reference} if reference else {}
        return JSONResponse(error_body(code, message, field, **extra), status_code=status)
    if status == 401:
        return RedirectResponse(f"/login?next={_safe_next(request)}", status_code=303)
    from kawasan.i18n import catalogue
    from kawasan.web.render import render

    title_key = f"web.error.{code}" if f"web.error.{code}" in catalogue("en") else "web.error.other"
    return render(request, "error.html", {"title_key": title_key, "status": status, "code": code, "message": message, "field": field,
                                          "reference": reference}, status_code=status)


def _safe_next(request: Request) -> str:
    from urllib.parse import quote

    path = request.url.path if request.method == "GET" else "/"
    return quote(path if path.startswith("/") and not path.startswith("//") else "/", safe="/")


async def kawasan_error(request: Request, exc: KawasanError):
    """A KawasanError as its status and the one error shape, the message in the request's language (the user's
    setting, else the language cookie, else Indonesian: :func:`kawasan.web.render.language`)."""
    from kawasan.i18n import text_in
    from kawasan.web.render import language

    message = text_in(exc.message, language(request))
    return render_error(request, exc.http_status, error_code(exc), without_temp_paths(str(message)), exc.field)


def without_temp_paths(message: str) -> str:
    """The message with every path in the server's temporary folder (where uploads are checked) cut to its
    file name: a library's error about an upload names the server's folder, which is no business of the user."""
    import tempfile

    root = re.escape(tempfile.gettempdir().rstrip("/"))
    return re.sub(rf"(?:/vsi\w+/)?{root}/[^\s'\"]*", lambda m: m.group(0).rsplit("/", 1)[-1] or "upload",
                  message)


async def validation_error(request: Request, exc: RequestValidationError):
    """A request that does not fit its model (FastAPI/pydantic): the first problem, its field named, in the
    request's language."""
    from kawasan.web.render import language

    errs = exc.errors()
    first = errs[0] if errs else {}
    loc = [str(x) for x in first.get("loc", []) if x not in ("body", "query", "path", "form")]
    field = ".".join(loc) or None
    msg = validation_text(first, language(request))
    return render_error(request, 422, "input", f"{field + ': ' if field else ''}{msg}", field)


#: The values of pydantic's error context that its messages name, as the catalogue's placeholders.
_VALIDATION_CONTEXT = ("min_length", "max_length", "actual_length", "ge", "gt", "le", "lt", "multiple_of",
                       "expected", "pattern", "class_name")


def validation_text(err: dict, lang: str) -> str:
    """The text of one pydantic error in ``lang``: pydantic's own English, else the catalogue's
    ``web.valid.<type>`` (the error types kawasan's models can produce: missing, wrong types, ranges, lengths,
    choices, dates, JSON) with the values of the error's context; a type without a text stays English."""
    from kawasan.i18n import has, t, text_in

    english = err.get("msg") or "invalid input"
    key = f"web.valid.{err.get('type')}"
    if lang == "en" or not has(key):
        return english
    ctx = err.get("ctx") or {}
    values = {k: ctx[k] for k in _VALIDATION_CONTEXT if k in ctx}
    if "expected" in values:      # pydantic lists choices as "'a', 'b' or 'c'"
        values["expected"] = str(values["expected"]).replace(" or ", f" {t('web.valid.or', lang)} ")
    if err.get("type") == "value_error":
        cause = ctx.get("error")
        values["error"] = text_in(cause.args[0], lang) if getattr(cause, "args", None) else str(cause or "")
    return t(key, lang, **values)


async def http_error(request: Request, exc: StarletteHTTPException):
    """An HTTP error of the framework (unknown path, wrong method, ...): its standard phrase in the request's
    language; a detail of our own as it is."""
    from http import HTTPStatus

    from kawasan.i18n import has, t
    from kawasan.web.render import language

    code = _HTTP_CODES.get(exc.status_code, "http")
    message = exc.detail if isinstance(exc.detail, str) else code
    try:
        standard = message == HTTPStatus(exc.status_code).phrase
    except ValueError:
        standard = False
    if standard and has(f"web.err.http.{exc.status_code}"):
        message = t(f"web.err.http.{exc.status_code}", language(request))
    return render_error(request, exc.status_code, code, message)


async def unexpected_error(request: Request, exc: Exception):
    from kawasan.i18n import t
    from kawasan.web.render import language

    ref = secrets.token_hex(6)
    log.exception("unexpected error, reference %s, %s %s", ref, request.method, request.url.path)
    try:
        lang = language(request)
    except Exception:   # the request itself is what broke: the web app's language
        lang = "id"
    return render_error(request, 500, "internal", t("web.err.unexpected", lang, reference=ref), reference=ref)


def install(app) -> None:
    app.add_exception_handler(KawasanError, kawasan_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)


__all__ = ["install", "error_body", "error_code"]
