"""Fetch the OpenStreetMap extract and the DEM tiles that cover a boundary (needs internet; opt-in).

This is the only network code in kawasan, and nothing runs at import time. ``fetch_area``:

1. reads the boundary (``read_boundary``) and widens it by ``buffer_m`` (so that distances near
   the edge are right once ``kawasan data prepare`` builds the grid);
2. OpenStreetMap: reads the extract index (Geofabrik ``index-v1.json``; cached for
   ``index_max_age_days``), picks the *smallest* extract whose polygon covers the boundary
   (geodesic area on WGS84; a warning when it does not cover the buffer too), and downloads
   its ``.osm.pbf``, verified against the published ``.md5``;
3. DEM: lists the one-degree tiles that intersect the widened area (named after their
   south-west corner), skips those absent from the source's tile list (open sea has no tile)
   and downloads the rest; a tile the server does not have (404) is reported, not fatal;
4. links (or copies) the files from the cache into ``<out>/osm/`` and ``<out>/dem/`` and
   writes ``<out>/fetch.json`` with URLs, sizes, SHA-256, checksum verdicts, what is missing
   and the ``kawasan data prepare`` command to run next.

Every file is downloaded into the cache first (``--cache``, default ``KAWASAN_CACHE_DIR`` or the
user's cache folder) through a ``.part`` file, resumable with HTTP Range; the output folder
only ever receives complete, verified files, each placed by an atomic rename.
"""
from __future__ import annotations

import json
import math
import os
import shlex
import shutil
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from kawasan import __version__
from kawasan.errors import InputError
from kawasan.i18n import Message
from kawasan.fileio import write_text_atomic
from kawasan.spatial.ingest.fetch_http import (
    DownloadError, Fetched, HttpSettings, NotAvailable, Progress, cache_path, cached, download, fetch_text,
    parse_digest,
)
from kawasan.spatial.ingest.fetch_sources import DemSource, Sources, load_sources, tiles_for

TILE_LIST_MAX_AGE_DAYS = 30     # tile lists and remembered 'no such tile' answers are re-checked after this
M_PER_DEGREE = 111_320.0


def default_cache_dir() -> Path:
    """KAWASAN_CACHE_DIR, else the platform's user cache folder + kawasan/downloads."""
    env = os.environ.get("KAWASAN_CACHE_DIR")
    if env:
        return Path(env)
    if sys.platform.startswith("win") and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "kawasan" / "downloads"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kawasan" / "downloads"


def widen(area, buffer_m: float):
    """``area`` (EPSG:4326) grown by at least ``buffer_m`` metres in every direction.

    One degree of latitude is about 111.32 km; a degree of longitude shrinks with cos(latitude).
    The buffer in degrees uses the longitude scale at the latitude farthest from the equator, so
    it is never smaller than ``buffer_m`` (a little larger north-south).
    """
    if buffer_m <= 0:
        return area
    lat = max(abs(area.bounds[1]), abs(area.bounds[3]))
    deg = buffer_m / (M_PER_DEGREE * max(math.cos(math.radians(min(lat, 89.0))), 0.01))
    return area.buffer(deg, quad_segs=4)


def fetch_area(boundary: str | Path, out: str | Path, *, where: str | None = None, assume_crs: str | None = None,
               dissolve: bool = False, sources: str | Path | None = None, dem: str | None = None,
               osm: bool = True, cache: str | Path | None = None, refresh: bool = False,
               buffer_m: float | None = None, progress: Progress | None = None) -> dict:
    """Download what ``kawasan data prepare`` needs for ``boundary`` into ``out``; return the summary
    written to ``<out>/fetch.json`` (see docs/reference/data-sources.md for its keys).

    dem: the name of a DEM source in the sources file (default: its ``default_dem``), or "none".
    buffer_m: metres around the boundary (default: the sources file's ``buffer_m``); give
        ``kawasan data prepare --buffer`` the same value.
    Raises InputError (bad boundary, sources file or choice), DownloadError (network, HTTP,
    checksum), each naming the file or URL.
    """
    from kawasan.spatial.ingest.boundary import read_boundary

    cfg = load_sources(sources)
    src_label = str(sources) if sources else "packaged sources.yaml"
    out = Path(out)
    dem_name, buffer = _check_request(cfg, src_label, dem, osm, out, buffer_m)
    bnd = read_boundary(boundary, where=where, assume_crs=assume_crs, dissolve=dissolve)
    area = bnd.to_wgs84()
    wide = widen(area, buffer)
    cache_dir = _cache_folder(cache)
    http = _http_settings(cfg)
    warnings: list[str] = []

    osm_part = _fetch_osm(cfg, area, wide, cache_dir, http, refresh, progress, warnings) if osm else None
    dem_part = _fetch_dem(cfg, dem_name, area, wide, cache_dir, http, refresh, progress, warnings) \
        if dem_name != "none" else None

    # everything is in the cache and verified: place it in the output folder
    _place_fetched(out, osm_part, dem_part)
    summary = {
        "kind": "kawasan.fetch",
        "format_version": 1,
        "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "kawasan_version": __version__,
        "boundary": {**bnd.describe(), "bbox_wgs84": _bbox(area)},
        "area": {"buffer_m": buffer, "bbox_wgs84": _bbox(wide)},
        "sources_file": src_label,
        "cache": str(cache_dir),
        "osm": osm_part,
        "dem": dem_part,
        "warnings": warnings,
    }
    summary["next_command"] = next_command(boundary, out, summary, where=where, assume_crs=assume_crs,
                                           dissolve=dissolve, buffer_m=buffer_m)
    write_text_atomic(out / "fetch.json", json.dumps(summary, indent=2, ensure_ascii=False))
    return summary


def _check_request(cfg: Sources, src_label: str, dem: str | None, osm: bool, out: Path,
                   buffer_m: float | None) -> tuple[str, float]:
    """The DEM source name (the sources file's default when None) and the buffer in metres (the sources file's
    when None), after checking: a known DEM source or "none", something to fetch, an output that is not a
    file, a buffer within 0-100 000 m."""
    dem_name = cfg.default_dem if dem is None else dem
    if dem_name != "none" and dem_name not in cfg.dem:
        raise InputError(Message("fetch.err.fetch.unknown_dem_source_sources", dem_name=dem_name,
                                 src_label=src_label, available=', '.join([*cfg.dem, 'none'])), field="--dem")
    if not osm and dem_name == "none":
        raise InputError(Message("fetch.err.fetch.nothing_fetch_osm_dem"), field="--dem")
    if out.exists() and not out.is_dir():
        raise InputError(Message("fetch.err.fetch.output_must_folder_file"), source=str(out))
    if buffer_m is not None and not (0 <= buffer_m <= 100_000):
        raise InputError(Message("fetch.err.fetch.buffer_m_outside_m", buffer_m=buffer_m), field="--buffer")
    return dem_name, (cfg.buffer_m if buffer_m is None else float(buffer_m))


def _cache_folder(cache: str | Path | None) -> Path:
    """The download cache (``--cache``, else :func:`default_cache_dir`), created if missing."""
    cache_dir = Path(cache) if cache else default_cache_dir()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(Message("fetch.err.fetch.cannot_create_cache_folder", exc=str(exc)),
                         source=str(cache_dir), field="--cache") from exc
    return cache_dir


def _http_settings(cfg: Sources) -> HttpSettings:
    """HTTP settings from the sources file: user agent (with this version), timeout, retries and their wait."""
    return HttpSettings(user_agent=cfg.user_agent.replace("{version}", __version__), timeout=cfg.timeout_s,
                        retries=cfg.retries, retry_wait=cfg.retry_wait_s)


def _place_fetched(out: Path, osm_part: dict | None, dem_part: dict | None) -> None:
    """Place the verified files from the cache into ``<out>/osm/`` and ``<out>/dem/``; each part's record
    gets the placed file's path instead of its cache entry."""
    out.mkdir(parents=True, exist_ok=True)
    if osm_part:
        osm_part["path"] = _place(osm_part.pop("_cache"), out / "osm" / osm_part.pop("_file"), out)
    if dem_part:
        for tile in dem_part["tiles"]:
            if "_cache" in tile:
                tile["path"] = _place(tile.pop("_cache"), out / "dem" / tile.pop("_file"), out)


# --------------------------------------------------------------------------------------------- OSM

def _fetch_osm(cfg: Sources, area, wide, cache_dir, http, refresh, progress, warnings) -> dict:
    src = cfg.osm
    index = _read_index(src.index_url, cache_dir, http, src.index_max_age_days, refresh, progress, warnings)
    feature = choose_extract(index, area, wide, src.index_url, extract=src.extract, warnings=warnings)
    props = feature["properties"]
    urls = props.get("urls") or {}
    url = urls.get(src.url_key)
    if not url:
        raise InputError(Message("fetch.err.fetch.extract_urls_index", extract=props.get('id'),
                                 url_key=src.url_key, available=', '.join(urls) or Message("err.none")),
                         source=src.index_url, field="osm.url_key")
    target = cache_path(cache_dir, url)
    hit = None if refresh else cached(target, url)
    if hit is None:
        check = _expected_checksum(src.checksum, url, http)
        got = download(url, target, http, checksum=check, progress=progress, label=Path(target).name)
    else:
        got = hit
    return {"source": src.title, "index_url": src.index_url,
            "extract": {"id": props.get("id"), "name": props.get("name"), "parent": props.get("parent")},
            **got.to_dict(), "attribution": src.attribution, "licence": src.licence,
            "_cache": got.path, "_file": target.name}


def _fresh_or_stale(url, cache_dir, http, max_age_days, refresh, progress, warnings, label):
    """A cached copy younger than ``max_age_days``, else a new download, else (download failed) an
    older cached copy with a warning. Raises the DownloadError when there is no copy at all."""
    target = cache_path(cache_dir, url)
    hit = None if refresh else cached(target, url, max_age_s=max_age_days * 86400)
    if hit is not None:
        return hit
    try:
        return download(url, target, http, progress=progress, label=label)
    except DownloadError as exc:
        stale = cached(target, url)
        if stale is None:
            raise
        warnings.append(Message("fetch.note.fetch.could_refresh_used_copy", label=label,
                                exc_message=exc.message,
                                stale_fetched_at=stale.fetched_at))
        return stale


def _read_index(url, cache_dir, http, max_age_days, refresh, progress, warnings) -> dict:
    hit = _fresh_or_stale(url, cache_dir, http, max_age_days, refresh, progress, warnings,
                          Message("fetch.note.fetch.label_index"))
    try:
        data = json.loads(Path(hit.path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        Path(hit.path).unlink(missing_ok=True)
        raise InputError(Message("fetch.err.fetch.extract_index_json_deleted", exc=str(exc)), source=url) from exc
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise InputError(Message("fetch.err.fetch.extract_index_geojson_featurecollection"),
                         source=url, field="features")
    return data


def choose_extract(index: dict, area, wide, index_url: str, *, extract: str | None = None,
                   warnings: list | None = None) -> dict:
    """The smallest extract (geodesic area of its polygon) that covers the boundary ``area``.

    When that extract does not also cover the widened area ``wide`` a warning names the smallest
    one that would (usually its parent, a much larger download); the choice stays the small one,
    so a 5 km margin never turns a regional download into a continental one. ``extract`` picks one by id.
    """
    import shapely
    from pyproj import Geod
    from shapely.geometry import shape

    feats = [f for f in index["features"] if isinstance(f, dict) and isinstance(f.get("properties"), dict)]
    if extract:
        for f in feats:
            if f["properties"].get("id") == extract:
                return f
        ids = sorted(str(f["properties"].get("id")) for f in feats)
        raise InputError(Message("fetch.err.fetch.extract_index_extracts_e", extract=extract, count=len(ids),
                                 examples=', '.join(ids[:15])), source=index_url, field="osm.extract")
    geod = Geod(ellps="WGS84")
    covering = []
    aminx, aminy, amaxx, amaxy = area.bounds
    for f in feats:
        g = f.get("geometry")
        if not g:
            continue
        try:
            shp = shape(g)
        except (KeyError, ValueError, TypeError, AttributeError):
            continue
        minx, miny, maxx, maxy = shp.bounds
        if minx > aminx or miny > aminy or maxx < amaxx or maxy < amaxy:
            continue
        if not shp.is_valid:
            shp = shapely.make_valid(shp)
        if shp.covers(area):
            covering.append((abs(geod.geometry_area_perimeter(shp)[0]), shp.covers(wide), f))
    if not covering:
        b = ", ".join(f"{v:.3f}" for v in area.bounds)
        raise InputError(Message("fetch.err.fetch.extract_index_covers_boundary", bounds=b),
                         source=index_url)
    covering.sort(key=lambda c: c[0])
    size, wide_ok, best = covering[0]
    if not wide_ok and warnings is not None:
        larger = next((c[2]["properties"].get("id") for c in covering if c[1]), None)
        hint = Message("fetch.note.fetch.larger_extract", extract=larger) if larger else ""
        warnings.append(Message("fetch.note.fetch.extract_covers_boundary_but",
                                extract=best['properties'].get('id'), hint=hint))
    return best


def _expected_checksum(rule, url, http) -> dict:
    curl = rule.checksum_url(url)
    if curl is None:
        return {"kind": "none", "expected": None}
    try:
        text = fetch_text(curl, http)
    except NotAvailable as exc:
        raise DownloadError(Message("fetch.err.fetch.checksum_file_missing_http", exc_status=exc.status,
                                    rule_kind=rule.kind, url=url), source=curl) from None
    return {"kind": rule.kind, "expected": parse_digest(text, rule.kind, curl), "url": curl}


# --------------------------------------------------------------------------------------------- DEM

def _fetch_dem(cfg: Sources, name: str, area, wide, cache_dir, http, refresh, progress, warnings) -> dict:
    from shapely.geometry import box
    from shapely.ops import unary_union

    src: DemSource = cfg.dem[name]
    tiles = tiles_for(wide, cfg.max_tiles)
    listed = _tile_list(src, cache_dir, http, refresh, progress, warnings) if src.tile_list else None
    tile_http = HttpSettings(**{**http.__dict__, "missing_status": tuple(src.missing_status)})
    rows, have = [], []
    for lat, lon in tiles:
        tname, url, fname = src.tile_name(lat, lon), src.tile_url(lat, lon), src.tile_file(lat, lon)
        row = {"name": tname, "lat": lat, "lon": lon, "url": url}
        if listed is not None and tname not in listed:
            rows.append({**row, "status": "missing", "http_status": None,
                         "reason": "not in the source's tile list (open sea has no tile)"})
            continue
        target = cache_path(cache_dir, url)
        if src.compression == "gzip" and target.suffix == ".gz":
            target = target.with_suffix("")
        absent = target.with_name(target.name + ".missing.json")
        hit = None if refresh else cached(target, url)
        if hit is None:
            known = None if refresh else _known_missing(absent, url)
            if known:
                rows.append({**row, "status": "missing", "http_status": known["status"],
                             "reason": f"HTTP {known['status']}: the source has no such "
                                                                   f"tile, usually open sea (answer of "
                                                                   f"{known['checked_at']}, cached)"})
                continue
            try:
                check = _expected_checksum(src.checksum, url, tile_http)
                hit = download(url, target, tile_http, checksum=check, compression=src.compression,
                               progress=progress, label=tname)
            except NotAvailable as exc:
                _write_missing(absent, url, exc.status)
                rows.append({**row, "status": "missing", "http_status": exc.status,
                             "reason": f"HTTP {exc.status}: the source has no such "
                                                                   "tile (usually open sea)"})
                continue
        rows.append({**row, **_tile_dict(hit), "_cache": hit.path, "_file": fname})
        have.append(box(lon, lat, lon + 1, lat + 1))
    missing = [r["name"] for r in rows if r["status"] == "missing"]
    if not have:
        raise DownloadError(Message("fetch.err.fetch.none_dem_tile_s", tile_count=len(tiles), missing=', '.join(missing),
                                    name=name),
                            source=src.url)
    covered = unary_union(have)
    share_without = 1.0 - area.intersection(covered).area / area.area if area.area > 0 else 0.0
    if share_without > 1e-9:
        warnings.append(Message("fetch.note.fetch.boundary_dem_tile_kawasan", percent=share_without * 100,
                                name=name, missing=', '.join(missing)))
    return {"source": name, "title": src.title, "tiles": rows, "missing": missing,
            "boundary_share_without_tile": round(share_without, 6),
            "attribution": src.attribution, "licence": src.licence}


def _known_missing(record: Path, url: str) -> dict | None:
    """A 'no such tile' answer remembered from an earlier run (for TILE_LIST_MAX_AGE_DAYS)."""
    try:
        rec = json.loads(record.read_text(encoding="utf-8"))
        age = time.time() - datetime.fromisoformat(rec["checked_at"]).timestamp()
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return rec if rec.get("url") == url and age <= TILE_LIST_MAX_AGE_DAYS * 86400 else None


def _write_missing(record: Path, url: str, status: int) -> None:
    record.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(record, json.dumps({"url": url, "status": status, "checked_at":
                                          datetime.now(timezone.utc).isoformat(timespec="seconds")}))


def _tile_dict(hit: Fetched) -> dict:
    d = hit.to_dict()
    d.pop("url")
    return d


def _tile_list(src: DemSource, cache_dir, http, refresh, progress, warnings) -> set[str] | None:
    """Names in the source's tile list: one per line, possibly as a path or with an extension.

    The list only saves requests: when it cannot be read (and no older copy is cached) every tile
    is requested and the server's 404 marks the sea tiles, with a warning."""
    url = src.tile_list
    try:
        hit = _fresh_or_stale(url, cache_dir, http, TILE_LIST_MAX_AGE_DAYS, refresh, progress, warnings,
                              Message("fetch.note.fetch.label_tile_list"))
    except DownloadError as exc:
        warnings.append(Message("fetch.note.fetch.could_read_tile_list", url=url, exc_message=exc.message))
        return None
    names = set()
    for line in Path(hit.path).read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line:
            continue
        base = line.rstrip("/").rsplit("/", 1)[-1]
        for ext in (".tif", ".hgt.gz", ".hgt", ".zip"):
            if base.endswith(ext):
                base = base[: -len(ext)]
        names.add(base)
    return names


# --------------------------------------------------------------------------------------------- output

def _place(cached_file: Path, dest: Path, out: Path) -> str:
    """Put a verified cache file at ``dest`` (hard link when possible, else a copy), atomically."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    cached_file = Path(cached_file)
    if dest.exists():
        try:
            if os.path.samefile(dest, cached_file):
                return dest.relative_to(out).as_posix()
        except OSError:
            pass
    tmp = dest.with_name(f".{dest.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        try:
            os.link(cached_file, tmp)
        except OSError:
            shutil.copyfile(cached_file, tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest.relative_to(out).as_posix()


def _bbox(geom) -> list[float]:
    return [round(v, 6) for v in geom.bounds]


def boundary_arguments(boundary, *, where=None, assume_crs=None, dissolve=False) -> list[str]:
    """The ``--boundary`` options of a printed ``kawasan data ...`` command, quoted (shared by the commands
    that ``data fetch`` and ``data prepare`` suggest next)."""
    parts = ["--boundary", quote_argument(str(boundary))]
    if where:
        parts += ["--where", quote_argument(where)]
    if assume_crs:
        parts += ["--assume-crs", quote_argument(assume_crs)]
    if dissolve:
        parts.append("--dissolve")
    return parts


def quote_argument(v: str) -> str:
    """``v`` as it pastes into a shell: bare when it needs no quoting, else in double quotes where possible
    (they also work in cmd.exe and PowerShell), else POSIX single quotes."""
    if shlex.quote(v) == v:
        return v
    if not any(c in v for c in '"$`\\!'):
        return f'"{v}"'
    return shlex.quote(v)


def next_command(boundary, out: Path, summary: dict, *, where=None, assume_crs=None, dissolve=False,
                 buffer_m=None) -> str:
    """The ``kawasan data prepare`` command that uses what was fetched (quoted for a POSIX shell;
    double quotes where possible, which also work in cmd.exe and PowerShell)."""
    q = quote_argument
    parts = ["kawasan", "data", "prepare", *boundary_arguments(boundary, where=where, assume_crs=assume_crs,
                                                               dissolve=dissolve)]
    dem = summary.get("dem")
    if dem:
        for t in dem["tiles"]:
            if t.get("path"):
                parts += ["--dem", q(str(out / t["path"]))]
    osm = summary.get("osm")
    if osm:
        parts += ["--osm", q(str(out / osm["path"]))]
    if buffer_m is not None:
        parts += ["--buffer", f"{buffer_m:g}"]
    parts += ["--out", q(str(out / "study-area"))]
    return " ".join(parts)
