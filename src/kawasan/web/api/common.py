"""Helpers of the API routers: the service, pagination."""
from __future__ import annotations

from fastapi import Query, Request

MAX_PER_PAGE = 200


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
