"""Settings of the web app (environment variables; the database ones are the tracker's).

| variable | meaning | default |
|---|---|---|
| ``KAWASAN_SESSION_IDLE_MINUTES`` | a session ends after this many minutes without a request | 120 |
| ``KAWASAN_SESSION_MAX_HOURS`` | a session ends this many hours after sign-in, used or not | 12 |
| ``KAWASAN_SECURE_COOKIES`` | ``auto`` (Secure when the request came over HTTPS), ``always`` or ``never`` | auto |
| ``KAWASAN_BASEMAP_URL`` | an XYZ tile URL for a base map under the project sites (none: no base map, works offline) | none |
| ``KAWASAN_FORECAST_REFRESH_MINUTES`` | how often the server refreshes stale stored forecasts in the background (0: never) | 10 |
| ``KAWASAN_DATA_DIR`` | the data folder: study areas and suitability runs the map pages list, where analysis jobs write runs and saved models (``kawasan serve --data DIR``, ``kawasan worker --data DIR``) | ``<KAWASAN_HOME>/data`` |
| ``KAWASAN_TILE_CACHE`` | how many rendered map tiles the server keeps in memory (0: none) | 2048 |
| ``KAWASAN_IDENTITY_CACHE_SECONDS`` | how long the server may reuse who a session or API token belongs to without reading the database (0: read it on every request); a change made in this server process is seen at once, one made elsewhere (CLI, another worker) after at most this long | 10 |
| ``KAWASAN_ECONOMICS_DIR`` | the regional-potential table set (``kawasan serve --economics``; see kawasan.economics.tableset) | none |
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kawasan.errors import InputError
from kawasan.i18n import Message


def _number(name: str, default: float, *, minimum: float = 0) -> float:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InputError(Message("web.err.settings.expected_number", raw=raw), source="environment",
                         field=name) from None
    if value < minimum:
        raise InputError(Message("web.err.settings.expected_number_at_least", minimum=minimum, raw=raw),
                         source="environment", field=name)
    return value


@dataclass(frozen=True)
class WebSettings:
    secure_cookies: str = "auto"
    basemap_url: str | None = None
    refresh_minutes: float = 10.0
    data_dir: Path | None = None
    tile_cache: int = 2048
    economics_dir: Path | None = None
    identity_seconds: float = 10.0

    @classmethod
    def from_env(cls) -> "WebSettings":
        secure = (os.environ.get("KAWASAN_SECURE_COOKIES") or "auto").strip().lower()
        if secure not in ("auto", "always", "never"):
            raise InputError(Message("web.err.settings.expected_auto_always_never", secure=secure),
                             source="environment",
                             field="KAWASAN_SECURE_COOKIES")
        basemap = (os.environ.get("KAWASAN_BASEMAP_URL") or "").strip() or None
        if basemap and not (basemap.startswith("https://") or basemap.startswith("http://")
                            or basemap.startswith("/")) or (basemap and "{z}" not in basemap):
            raise InputError(Message("web.err.settings.expected_xyz_tile_url", basemap=basemap),
                             source="environment", field="KAWASAN_BASEMAP_URL")
        data = (os.environ.get("KAWASAN_DATA_DIR") or "").strip()
        if data and not Path(data).is_dir():
            raise InputError(Message("web.err.settings.expected_existing_folder_study", data=data),
                             source="environment", field="KAWASAN_DATA_DIR")
        econ = (os.environ.get("KAWASAN_ECONOMICS_DIR") or "").strip()
        return cls(secure_cookies=secure, basemap_url=basemap,
                   refresh_minutes=_number("KAWASAN_FORECAST_REFRESH_MINUTES", 10.0),
                   data_dir=Path(data).resolve() if data else None,
                   tile_cache=int(_number("KAWASAN_TILE_CACHE", 2048)),
                   economics_dir=Path(econ).expanduser() if econ else None,
                   identity_seconds=_number("KAWASAN_IDENTITY_CACHE_SECONDS", 10.0))
