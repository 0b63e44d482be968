"""The HTML pages: one router per screen, each route a few lines (parse, check, call the tracker, render)."""
from fastapi import APIRouter

from kawasan.web.pages import account, admin, analysis, docs, potential, projects, templates

router = APIRouter(include_in_schema=False)
for _m in (account, projects, templates, admin, docs, analysis, potential):
    router.include_router(_m.router)
