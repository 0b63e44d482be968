"""The map: the data folder's study areas and runs, raster tiles, vector layers, cell queries, sites, site
checks and comparisons (issue 13, part A). ``api_router`` goes under /api/v1, ``pages_router`` serves /map."""
from fastapi import APIRouter

from kawasan.web.map import api, pages, sites
from kawasan.web.schemas import ERROR_RESPONSES

api_router = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)   # the one error shape, documented
api_router.include_router(api.router)
api_router.include_router(sites.router)
pages_router = APIRouter(include_in_schema=False)
pages_router.include_router(pages.router)
