"""JSON routes of the map under /api/v1: the data folder's list."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from kawasan.web.auth import Identity, current_user
from kawasan.web.map.common import data_folder

router = APIRouter(tags=["map"])


@router.get("/data", summary="The study areas and suitability runs of the server's data folder")
async def listing(request: Request, me: Identity = Depends(current_user)) -> dict:
    data = data_folder(request)
    return await run_in_threadpool(data.listing)
