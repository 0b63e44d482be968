"""The lean path of the map's tile routes: a tile this process has already rendered, for a caller it has
already signed in, is answered before FastAPI's routing and dependency stack.

A GET of ``/api/v1/runs/{run_id}/tiles/{layer}/{z}/{x}/{y}.{fmt}`` or ``/api/v1/areas/{area_id}/tiles/...``
is answered here when all of these hold, and otherwise goes on to the route unchanged (which then signs the
caller in, checks the tile and renders it, with the one error shape for every refusal):

1. the caller's session cookie or API token is in the identity cache (:mod:`kawasan.web.identities`: signed
   in by a route of this process a few seconds ago, no account change since); every role may look at tiles;
2. the run or study area, its layer and the tile are valid (the same checks as the route);
3. the tile is in the tile cache (the same key as the route: the source's tag with the run's checksum, layer,
   z/x/y, format); or the client sent the tile's ETag in ``If-None-Match`` (304, no body).

The answer is the route's: the same body, ``ETag``, ``Cache-Control`` and content type; the security headers
are added by the middleware around this one. The routes themselves stay in ``/openapi.json``.
"""
from __future__ import annotations

import re

from kawasan.web.auth import cached_identity
from kawasan.web.map import layers, tiles

_TILE = re.compile(r"^/api/v1/(runs|areas)/([^/]{1,400})/tiles/([^/]{1,80})/(\d{1,3})/(\d{1,10})/(\d{1,10})"
                   r"\.(png|webp)$")
_KIND = {"runs": "run", "areas": "study_area"}


class _Headers(dict):
    """The request's headers by lower-case name (the last one wins, as the lean path needs no lists)."""

    @classmethod
    def of(cls, scope) -> "_Headers":
        return cls((k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in scope.get("headers") or ())


def cached_tile(app, path: str, headers) -> tuple[int, list, bytes] | None:
    """(status, headers, body) of a tile request answerable without the routes, else None."""
    m = _TILE.match(path)
    if m is None or cached_identity(app, headers) is None:
        return None
    kind, entry_id, layer, z, x, y, fmt = m.groups()
    z, x, y = int(z), int(x), int(y)
    data = getattr(app.state, "data", None)
    if data is None:
        return None
    try:
        tiles.check_tile(z, x, y)
        source = layers.cached_tile_source(data.get(entry_id, _KIND[kind]), layer)
    except Exception:  # noqa: BLE001 - any refusal or fault: the route answers it, in the one error shape
        return None
    key = (source.tag, layer, z, x, y, fmt)
    etag = tiles.tile_etag(key)
    out = [(b"etag", etag.encode()), (b"cache-control", tiles.TILE_CACHE_CONTROL.encode())]
    if tiles.etag_matches(etag, headers.get("if-none-match", "")):
        return 304, out, b""
    body = app.state.tiles.peek(key)
    if body is None:
        return None
    out += [(b"content-type", tiles.FORMATS[fmt][1].encode()), (b"content-length", str(len(body)).encode())]
    return 200, out, body


class TileFastPath:
    """ASGI middleware: cached tiles and 304s for signed-in callers, everything else to the app."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "GET" and "/tiles/" in scope["path"]:
            app = scope.get("app")
            found = cached_tile(app, scope["path"], _Headers.of(scope)) if app is not None else None
            if found is not None:
                status, headers, body = found
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
