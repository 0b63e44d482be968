"""JSON and tile routes of the map under /api/v1: the data folder's list, a run's layers, its tiles."""
from __future__ import annotations

import hashlib
from enum import Enum

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from kawasan.web.auth import Identity, current_user
from kawasan.web.map import layers, runinfo, tiles, vectors
from kawasan.web.map.common import data_folder, run_entry
from kawasan.web.render import language

router = APIRouter(tags=["map"])
RUN_ID = Path(..., max_length=400, description="a run id from GET /api/v1/data (e.g. runs~apht)")
TILE_RESPONSES = {200: {"content": {"image/png": {}, "image/webp": {}}, "description": "the tile"},
                  304: {"description": "not modified (If-None-Match matched the ETag)"}}


class TileFormat(str, Enum):
    png = "png"
    webp = "webp"


@router.get("/data", summary="The study areas and suitability runs of the server's data folder")
async def listing(request: Request, me: Identity = Depends(current_user)) -> dict:
    data = data_folder(request)
    return await run_in_threadpool(data.listing)


@router.get("/runs/{run_id}", summary="A run: model, weights, rules with their legal basis, layers, extent")
def run_detail(request: Request, run_id: str = RUN_ID, me: Identity = Depends(current_user)) -> dict:
    entry = run_entry(request, run_id)
    return runinfo.describe(entry, data_folder(request), language(request))


def tile_response(request: Request, key: tuple, render) -> Response:
    """The tile with a strong ETag (run checksum + layer + z/x/y + format): 304 when the client has it."""
    etag = tiles.tile_etag(key)
    headers = {"ETag": etag, "Cache-Control": tiles.TILE_CACHE_CONTROL}
    if tiles.etag_matches(etag, request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    body = request.app.state.tiles.get_or_render(key, render)
    return Response(body, media_type=tiles.FORMATS[key[-1]][1], headers=headers)


@router.get("/runs/{run_id}/tiles/{layer}/{z}/{x}/{y}.{fmt}", responses=TILE_RESPONSES, response_class=Response,
            summary="One XYZ tile (Web Mercator, 256 px) of a run's layer: score, classes, constraints, spread, "
                    "hillshade, criterion.<id> or layer.<name> (GET /api/v1/runs/{run_id} lists them)")
def run_tile(request: Request, layer: str = Path(..., max_length=80), z: int = Path(...), x: int = Path(...),
             y: int = Path(...), fmt: TileFormat = Path(...), run_id: str = RUN_ID,
             me: Identity = Depends(current_user)) -> Response:
    tiles.check_tile(z, x, y)
    entry = run_entry(request, run_id)
    source = layers.cached_tile_source(entry, layer)
    key = (source.tag, layer, z, x, y, fmt.value)
    return tile_response(request, key, lambda: tiles.render_tile(source, z, x, y, fmt.value))


@router.get("/runs/{run_id}/point", summary="One cell of a run: score, class, each criterion raw and standardized, "
                                            "and every rule that excludes it with its legal basis and certainty")
def run_point(request: Request, lon: float = Query(..., ge=-180, le=180), lat: float = Query(..., ge=-90, le=90),
              run_id: str = RUN_ID, me: Identity = Depends(current_user)) -> dict:
    from rasterio.warp import transform as warp

    from kawasan.spatial.runs.cell import query_cell
    from kawasan.spatial.runs.read import open_run

    entry = run_entry(request, run_id)
    run = open_run(entry.path)
    xs, ys = warp("EPSG:4326", run.grid.crs, [lon], [lat])
    out = query_cell(run, xs[0], ys[0])
    out.update(lon=lon, lat=lat)
    return runinfo.localise_point(out, language(request), run.manifest.get("class_labels"))


@router.get("/runs/{run_id}/vectors/{name}.geojson", response_class=Response,
            responses={200: {"content": {"application/geo+json": {}}}},
            summary="A vector layer of the run's map (study-area layers, candidate sites) as GeoJSON in WGS 84, "
                    "simplified for the zoom z")
def run_vector(request: Request, name: str = Path(..., max_length=80), z: int = Query(12, ge=0, le=tiles.MAX_ZOOM),
               run_id: str = RUN_ID, me: Identity = Depends(current_user)) -> Response:
    return _vector_response(request, run_entry(request, run_id), name, z)


def _vector_response(request: Request, entry, name: str, z: int) -> Response:
    path = vectors.vector_path(entry, name)
    st = path.stat()
    key = (entry.checksum, f"vector:{name}:{st.st_mtime_ns}:{st.st_size}", z, 0, 0, "geojson")
    etag_of = ":".join(map(str, key))
    etag = '"' + hashlib.sha256(etag_of.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=3600, must-revalidate"}
    if etag in [s.strip() for s in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    body = request.app.state.tiles.get_or_render(key, lambda: vectors.geojson(path, z))
    return Response(body, media_type="application/geo+json", headers=headers)


@router.get("/runs/{run_id}/files", summary="The downloads of a run: report, rasters, sites, model")
def run_files(request: Request, run_id: str = RUN_ID, me: Identity = Depends(current_user)) -> dict:
    from kawasan.web.map.downloads import downloads

    entry = run_entry(request, run_id)
    files = downloads(entry)
    return {"files": [{"name": n, "url": f"/api/v1/runs/{entry.id}/files/{n}",
                       "bytes": p.stat().st_size if p is not None else None} for n, p in files.items()]}


@router.get("/runs/{run_id}/files/{name}", response_class=Response,
            summary="Download one file of a run (a name from GET /api/v1/runs/{run_id}/files)")
def run_file(request: Request, name: str = Path(..., max_length=120), run_id: str = RUN_ID,
             me: Identity = Depends(current_user)) -> Response:
    from fastapi.responses import FileResponse

    from kawasan.web.map.downloads import download_body

    entry = run_entry(request, run_id)
    body, media = download_body(entry, name)
    disposition = {"Content-Disposition": f'attachment; filename="{entry.id}-{name}"'}
    if isinstance(body, bytes):
        return Response(body, media_type=media, headers=disposition)
    return FileResponse(body, media_type=media, headers=disposition)


@router.get("/compare/{run_a}/{run_b}/tiles/{z}/{x}/{y}.{fmt}", responses=TILE_RESPONSES, response_class=Response,
            summary="One XYZ tile of the difference of two runs' scores (B minus A; blue higher in B, red lower)")
def compare_tile(request: Request, run_a: str = Path(..., max_length=400, description="run A (a run id)"),
                 run_b: str = Path(..., max_length=400, description="run B (a run id)"), z: int = Path(...),
                 x: int = Path(...), y: int = Path(...), fmt: TileFormat = Path(...),
                 me: Identity = Depends(current_user)) -> Response:
    tiles.check_tile(z, x, y)
    a = layers.cached_tile_source(run_entry(request, run_a), "score")
    b = layers.cached_tile_source(run_entry(request, run_b), "score")
    key = (a.tag + b.tag, "diff", z, x, y, fmt.value)
    return tile_response(request, key, lambda: tiles.render_difference(a, b, z, x, y, fmt.value))


AREA_ID = Path(..., max_length=400, description="a study area id from GET /api/v1/data (e.g. data)")


@router.get("/areas/{area_id}", summary="A study area: extent, tile layers (hillshade, land cover, zoning...) and "
                                        "vector layers")
def area_detail(request: Request, area_id: str = AREA_ID, me: Identity = Depends(current_user)) -> dict:
    from kawasan.web.map.common import area_entry

    return runinfo.describe_area(area_entry(request, area_id), language(request))


@router.get("/areas/{area_id}/tiles/{layer}/{z}/{x}/{y}.{fmt}", responses=TILE_RESPONSES, response_class=Response,
            summary="One XYZ tile of a study area's layer: hillshade or layer.<name>")
def area_tile(request: Request, layer: str = Path(..., max_length=80), z: int = Path(...), x: int = Path(...),
              y: int = Path(...), fmt: TileFormat = Path(...), area_id: str = AREA_ID,
              me: Identity = Depends(current_user)) -> Response:
    from kawasan.web.map.common import area_entry

    tiles.check_tile(z, x, y)
    source = layers.cached_tile_source(area_entry(request, area_id), layer)
    key = (source.tag, layer, z, x, y, fmt.value)
    return tile_response(request, key, lambda: tiles.render_tile(source, z, x, y, fmt.value))


@router.get("/areas/{area_id}/vectors/{name}.geojson", response_class=Response,
            responses={200: {"content": {"application/geo+json": {}}}},
            summary="A vector layer of a study area as GeoJSON in WGS 84, simplified for the zoom z")
def area_vector(request: Request, name: str = Path(..., max_length=80),
                z: int = Query(12, ge=0, le=tiles.MAX_ZOOM), area_id: str = AREA_ID,
                me: Identity = Depends(current_user)) -> Response:
    from kawasan.web.map.common import area_entry

    return _vector_response(request, area_entry(request, area_id), name, z)
