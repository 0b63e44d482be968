"""Helpers of the API routers: the service, pagination."""
from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request

MAX_PER_PAGE = 200

#: a project, obstacle, document, token or agency number in a path: a bigger one is a typo, and would overflow
#: the database's INTEGER (found by schemathesis: a 500 instead of a 404/422)
RecordId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def svc(request: Request):
    return request.app.state.tracker


class Page:
    """``?page=1&per_page=50``: a slice of a list with its total."""

    def __init__(self, page: int = Query(1, ge=1, le=1_000_000),
                 per_page: int = Query(50, ge=1, le=MAX_PER_PAGE)):
        self.page, self.per_page = page, per_page

    def of(self, items: list) -> dict:
        start = (self.page - 1) * self.per_page
        return {"items": items[start:start + self.per_page], "page": self.page, "per_page": self.per_page,
                "total": len(items)}
