"""create_app: the FastAPI application with its middleware, routers, static files and error handlers."""
from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from kawasan import __version__
from kawasan.tracker import ProjectService, Settings
from kawasan.web import errors
from kawasan.web.settings import WebSettings

log = logging.getLogger("kawasan.web")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:{tiles}; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")


class SecurityHeaders:
    """Pure ASGI middleware: the security headers and the cache policy on every response that has not set
    them (static files may be cached for an hour, everything else is no-store unless the route says)."""

    def __init__(self, app, csp: str):
        self.app = app
        common = [("content-security-policy", csp), ("x-content-type-options", "nosniff"),
                  ("x-frame-options", "DENY"), ("referrer-policy", "same-origin"),
                  ("cross-origin-opener-policy", "same-origin"),
                  ("permissions-policy", "camera=(), microphone=(), geolocation=()")]
        self._static = [(k.encode(), v.encode()) for k, v in common + [("cache-control", "public, max-age=3600")]]
        self._other = [(k.encode(), v.encode()) for k, v in common + [("cache-control", "no-store")]]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        defaults = self._static if scope["path"].startswith("/static/") else self._other

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                have = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in defaults if k not in have]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _refresher(svc: ProjectService, minutes: float, stop: threading.Event) -> None:
    """Keep the stored forecasts current in the background (a new day makes every one of them stale)."""
    while not stop.is_set():
        try:
            n = svc.refresh_forecasts()
            if n:
                log.info("refreshed %d stored forecasts", n)
        except Exception:  # noqa: BLE001 - a failed refresh is retried next time; pages refresh on read anyway
            log.exception("background forecast refresh failed")
        stop.wait(minutes * 60)


def create_app(settings: Settings | None = None, web: WebSettings | None = None, *, today=None,
               background: bool = True) -> FastAPI:
    """The web app over the tracker on ``settings`` (default: the environment). ``today`` fixes the date
    (demo, tests); ``background`` runs the forecast refresher thread."""
    web = web or WebSettings.from_env()
    svc = ProjectService(settings, today=today)
    from kawasan.tracker.jobs import JobService

    jobs = JobService(settings)
    app = FastAPI(title="kawasan", version=__version__, lifespan=_lifespan(svc, jobs, web, background),
                  docs_url=None, redoc_url=None,
                  description="The licensing tracker of kawasan: projects, stages, obstacles, documents, "
                              "forecasts, templates, users. Sign in with the session cookie (pages) or a "
                              "personal API token: `Authorization: Bearer kwt_...`.")
    _set_state(app, svc, jobs, web)
    errors.install(app)
    _add_middleware(app, _content_security_policy(web))
    _add_routes(app)
    return app


def _lifespan(svc: ProjectService, jobs, web: WebSettings, background: bool):
    """The app's lifespan: the forecast refresher thread runs while the app does (when ``background`` and a
    refresh interval is set); the tracker and the job service are closed at the end."""
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        stop = threading.Event()
        if background and web.refresh_minutes > 0:
            threading.Thread(target=_refresher, args=(svc, web.refresh_minutes, stop), daemon=True,
                             name="kawasan-forecast-refresh").start()
        yield
        stop.set()
        svc.close()
        jobs.close()
    return lifespan


def _set_state(app: FastAPI, svc: ProjectService, jobs, web: WebSettings) -> None:
    """What the routes reach through ``app.state``: tracker, jobs, web settings, data folder, tile and
    identity caches."""
    app.state.tracker = svc
    app.state.jobs = jobs
    app.state.web = web
    app.state.data = _data_folder(web)
    from kawasan.web.map.tiles import TileCache

    app.state.tiles = TileCache(web.tile_cache)
    from kawasan.web.identities import IdentityCache

    app.state.identities = IdentityCache(web.identity_seconds)


def _content_security_policy(web: WebSettings) -> str:
    """The CSP header: :data:`CSP`, with the configured base map's host (``{s}`` as ``*``) allowed to serve images."""
    tiles = ""
    if web.basemap_url and web.basemap_url.startswith("http"):  # the configured base map's host may serve images
        from urllib.parse import urlsplit

        u = urlsplit(web.basemap_url)
        tiles = f" {u.scheme}://{u.netloc.replace('{s}', '*')}"
    return CSP.format(tiles=tiles)


def _add_middleware(app: FastAPI, csp: str) -> None:
    """The tile fast path inside the security headers (the last added runs first)."""
    from kawasan.web.map.fastpath import TileFastPath

    app.add_middleware(TileFastPath)  # cached tiles and 304s without the routing stack (inside the headers)
    app.add_middleware(SecurityHeaders, csp=csp)


def _add_routes(app: FastAPI) -> None:
    """The static files, then the routers: API, map API, pages, map pages (in that order)."""
    static = str(resources.files("kawasan.web").joinpath("static"))
    app.mount("/static", StaticFiles(directory=static), name="static")
    from kawasan.web.api import router as api_router
    from kawasan.web.map import api_router as map_api, pages_router as map_pages
    from kawasan.web.pages import router as pages_router

    app.include_router(api_router)
    app.include_router(map_api)
    app.include_router(pages_router)
    app.include_router(map_pages)


def route_table(app: FastAPI) -> list[tuple[str, str]]:
    """Every (method, path) the app answers (pages and API, not the static files), for the role-matrix test
    and the reference docs. Walks the included routers (FastAPI keeps them nested)."""
    out: set[tuple[str, str]] = set()

    def walk(routes, prefix: str) -> None:
        for r in routes:
            if hasattr(r, "original_router"):
                walk(r.original_router.routes, prefix + r.include_context.prefix)
            elif getattr(r, "methods", None):
                for m in r.methods - {"HEAD"}:
                    out.add((m, prefix + r.path))

    walk(app.router.routes, "")
    return sorted(out, key=lambda x: (x[1], x[0]))


def _data_folder(web: WebSettings):
    """The one data folder of the server: the map pages list its study areas and runs, analysis jobs write into
    it. ``KAWASAN_DATA_DIR`` (``kawasan serve --data``) when set, else ``<KAWASAN_HOME>/data`` (created)."""
    from kawasan.jobs.folders import data_dir
    from kawasan.spatial.runs.catalog import DataFolder

    root = web.data_dir
    if root is None:
        root = data_dir()
        root.mkdir(parents=True, exist_ok=True)
    return DataFolder(root)
