"""Helpers of the page routers: the service, form reading, redirects with a flash message."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse

from kawasan.errors import InputError
from kawasan.i18n import Message


def svc(request: Request):
    return request.app.state.tracker


def back(url: str, message_key: str | None = None) -> RedirectResponse:
    """303 to ``url`` (a path of this site), with a message key the page shows once."""
    if not url.startswith("/") or url.startswith("//"):
        url = "/"
    if message_key:
        url += ("&" if "?" in url else "?") + "done=" + quote(message_key)
    return RedirectResponse(url, status_code=303)


def text(form, name: str, *, required: bool = False, max_length: int = 2000) -> str | None:
    value = str(form.get(name) or "").strip()
    if required and not value:
        raise InputError(Message("web.err.common.field_required"), field=name)
    if len(value) > max_length:
        raise InputError(Message("web.err.common.at_most_characters", max_length=max_length), field=name)
    return value or None


def day(form, name: str) -> date | None:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(Message("web.err.common.date_yyyy_mm_dd", raw=raw), field=name) from None


def number(form, name: str, lo: int = 1, hi: int = 2**31 - 1) -> int | None:
    """A whole number of a form from ``lo`` to ``hi`` (by default a record's version or id: the database's
    INTEGER), or None when the field is empty."""
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise InputError(Message("web.err.common.whole_number", raw=raw), field=name) from None
    if not lo <= value <= hi:
        raise InputError(Message("web.err.common.expected_whole_number_from", raw=raw[:20], lo=lo, hi=hi), field=name)
    return value
