"""The map pages: the list of study areas and runs (/map) and a run's map (/map/runs/{run_id})."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
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
    from kawasan.web.map.downloads import downloads
    from kawasan.web.map.sites import template_for

    info = describe(entry, data_folder(request), language(request))
    info["template"] = template_for(entry)
    today = request.app.state.tracker.today()
    others = [r.id for r in data_folder(request).runs() if r.id != entry.id]
    return render(request, "map_run.html", {"run": info, "basemap": request.app.state.web.basemap_url,
                                            "strings": map_strings(language(request)), "today": today.isoformat(),
                                            "files": list(downloads(entry)), "others": others})


def map_strings(lang: str) -> dict:
    """The texts the map's script shows, in the reader's language (the script has no catalogue of its own)."""
    from kawasan.i18n import catalogue

    cat = catalogue(lang)
    return {k[len("map.js."):]: v for k, v in cat.items() if k.startswith("map.js.")}


@router.get("/map/compare")
def compare(request: Request, a: str = Query(..., max_length=400), b: str = Query(..., max_length=400),
            me: Identity = Depends(current_user)):
    from kawasan.web.map.common import data_folder, run_entry
    from kawasan.web.map.runinfo import describe
    from kawasan.web.render import language

    lang = language(request)
    ra, rb = (describe(run_entry(request, rid), data_folder(request), lang) for rid in (a, b))
    return render(request, "map_compare.html", {"a": ra, "b": rb, "basemap": request.app.state.web.basemap_url,
                                                "strings": map_strings(lang)})
