"""The ASGI entry point for servers (uvicorn workers): ``kawasan.web.asgi:create`` (a factory).

``KAWASAN_TODAY`` (YYYY-MM-DD) evaluates every clock and forecast as of that date instead of the system
date: the served demo uses it so its synthetic story stays as it was recorded.
"""
from __future__ import annotations

import os
from datetime import date

from kawasan.errors import InputError
from kawasan.i18n import Message


def today_from_env() -> date | None:
    raw = (os.environ.get("KAWASAN_TODAY") or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InputError(Message("web.err.asgi.expected_date_yyyy_mm", raw=raw), source="environment",
                         field="KAWASAN_TODAY") from None


def create():
    from kawasan.web.app import create_app

    return create_app(today=today_from_env())
