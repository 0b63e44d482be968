"""The map pages: the list of study areas and runs (/map) and a run's map (/map/runs/{run_id})."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from kawasan.web.auth import Identity, current_user
from kawasan.web.render import render

router = APIRouter()


@router.get("/map")
async def map_index(request: Request, me: Identity = Depends(current_user)):
    data = getattr(request.app.state, "data", None)
    listing = await run_in_threadpool(data.listing) if data is not None else None
    return render(request, "map_index.html", {"listing": listing})
