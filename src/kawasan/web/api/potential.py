"""API: the regional potential of the configured table set (the same numbers as ``kawasan economy potential``)."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from kawasan.errors import NotFoundError
from kawasan.web.auth import Identity, current_user
from kawasan.web.potential import compute, economics_dir, map_geojson, options, public, tableset_info
from kawasan.web.render import language
from kawasan.i18n import Message

router = APIRouter(tags=["potential"])


def folder_or_404(request: Request):
    folder = economics_dir(request)
    if folder is None:
        raise NotFoundError(Message("web.err.potential.economics_table_set_configured"), field="economics_dir")
    return folder


@router.get("/potential")
async def potential(request: Request, me: Identity = Depends(current_user)):
    """The ranking as ``kawasan economy potential --json``: options ``year``, ``sector``, ``kind``, ``stress``,
    ``top_k`` and direct weights ``w_<component>`` (none: equal weights)."""
    folder, opts = folder_or_404(request), options(request)
    run = await run_in_threadpool(compute, folder, opts)
    ts = run.tableset
    return {"tableset": tableset_info(ts, language(request)), **public(run.result.to_dict(), ts.folder, ts.files)}


@router.get("/potential/map.geojson")
async def potential_map(request: Request, me: Identity = Depends(current_user)):
    """The regions in WGS84 with score, rank and the map's colour class (same options as /potential)."""
    folder, opts = folder_or_404(request), options(request)
    run = await run_in_threadpool(compute, folder, opts)
    return map_geojson(run, language(request))
