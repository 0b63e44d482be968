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


@router.get("/map/runs/{run_id}")
def run_map(request: Request, run_id: str, me: Identity = Depends(current_user)):
    from kawasan.web.map.common import data_folder, run_entry
    from kawasan.web.map.runinfo import describe
    from kawasan.web.render import language

    entry = run_entry(request, run_id)
    from kawasan.web.map.sites import template_for

    info = describe(entry, data_folder(request), language(request))
    info["template"] = template_for(entry)
    today = request.app.state.tracker.today()
    return render(request, "map_run.html", {"run": info, "basemap": request.app.state.web.basemap_url,
                                            "strings": map_strings(language(request)), "today": today.isoformat()})


def map_strings(lang: str) -> dict:
    """The texts the map's script shows, in the reader's language (the script has no catalogue of its own)."""
    from kawasan.i18n import catalogue

    cat = catalogue(lang)
    return {k[len("map.js."):]: v for k, v in cat.items() if k.startswith("map.js.")}
