"""A run's candidate sites on the map, the check of a proposed site, and a licensing project started from one.

- ``GET .../sites?by=``: the extracted sites ranked by mean, area-weighted mean or TOPSIS (in memory: the
  run's files are not rewritten), each with its explanation, and the stress test's P(top k) and rank range.
- ``POST .../check`` (a GeoJSON geometry in WGS 84 drawn on the map, or a point and a radius) and
  ``POST .../check/upload`` (a GeoJSON, GeoPackage or zipped Shapefile): the site judged rule by rule
  (:func:`kawasan.spatial.sites.check.check_site`), with its outline and the failing parts as GeoJSON.
- ``POST .../licensing``: a tracker project carrying the site's geometry, the run id and checksum and the
  check's result; the template follows the run's preset (APHT for ``apht``, else the general estate).
"""
from __future__ import annotations

import json
import shutil
import tempfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path as FsPath
from typing import Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from kawasan.errors import InputError, NotFoundError
from kawasan.spatial.runs.catalog import Entry
from kawasan.web.auth import Identity, current_user
from kawasan.web.map.api import RUN_ID
from kawasan.web.map.common import run_entry
from kawasan.web.render import certainty_of, language
from kawasan.web.uploads import saved_upload
from kawasan.i18n import Message

router = APIRouter(tags=["map"])
#: the licensing template a run's preset calls for (others: the general estate)
PRESET_TEMPLATES = {"apht": "apht", "kawasan-industri": "kawasan-industri"}
DEFAULT_TEMPLATE = "kawasan-industri"
MAX_SITE_UPLOAD = 50 * 1024 * 1024
MAX_RADIUS_M = 20_000.0


class PointSite(BaseModel):
    lon: float = Field(..., ge=-180, le=180)
    lat: float = Field(..., ge=-90, le=90)


class CheckRequest(BaseModel):
    """A site to check: a GeoJSON Polygon/MultiPolygon in WGS 84, or a point with a radius in metres."""

    geometry: dict | None = Field(None, description="GeoJSON geometry (WGS 84) of the site")
    point: PointSite | None = None
    radius_m: float | None = Field(None, gt=0, le=MAX_RADIUS_M)


class LicensingRequest(BaseModel):
    """A licensing project from a candidate site (``site_id``) or a checked site (``geometry`` or ``point`` with
    ``radius_m``)."""

    name: str = Field(..., min_length=1, max_length=255)
    start: date
    regency: str | None = Field(None, max_length=128)
    template: str | None = Field(None, max_length=128, description="default: the run's preset")
    site_id: int | None = Field(None, ge=0)
    geometry: dict | None = None
    point: PointSite | None = None
    radius_m: float | None = Field(None, gt=0, le=MAX_RADIUS_M)


# ---- sites ---------------------------------------------------------------------------------------

@router.get("/runs/{run_id}/sites", summary="The run's candidate sites ranked by mean, area-weighted mean or TOPSIS, "
                                            "with each site's explanation and the stress test's P(top k)")
def run_sites(request: Request, by: Literal["mean", "area_weighted", "topsis"] = Query("mean"),
              run_id: str = RUN_ID, me: Identity = Depends(current_user)) -> dict:
    from kawasan.spatial.sites.service import ranked_sites

    entry = run_entry(request, run_id)
    res = ranked_sites(entry.path, by)
    lang = language(request)
    labels = {c["id"]: (c.get("label_id") if lang == "id" else None) or c.get("label") or c["id"]
              for c in entry.manifest.get("criteria", [])}
    stress = _stress(entry)
    return {"run_id": entry.id, "rank_method": res["rank_method"], "synthetic": bool(res.get("synthetic")),
            "criteria": [{"id": c, "label": labels.get(c, c)} for c in res["criteria"]],
            "weights": res["weights"], "rules": _public_rules(res.get("rules") or {}),
            "notes": res.get("notes") or [], "sites": res["sites"], "stress": stress}


def _public_rules(rules: dict) -> dict:
    return {k: v for k, v in rules.items() if not isinstance(v, str) or not v.startswith("/")}


def _stress(entry: Entry) -> dict | None:
    p = entry.path / "sites" / "sensitivity.json"
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    mc = data.get("monte_carlo") or {}
    return {"n": mc.get("n"), "top_k": mc.get("top_k"), "seed": mc.get("seed"),
            "sites": [{k: s.get(k) for k in ("id", "p_top_k", "rank_base", "rank_min", "rank_max", "rank_p05",
                                             "rank_p95", "rank_median")} for s in mc.get("sites", [])],
            "method_note": data.get("method_note")}


# ---- site check ------------------------------------------------------------------------------------

@contextmanager
def _site_file(body: CheckRequest | LicensingRequest):
    """The site of a request as a GeoJSON file (WGS 84) in a private temporary folder, and its radius."""
    if body.geometry is not None:
        if not isinstance(body.geometry, dict) or body.geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise InputError(Message("web.err.sites.expected_geojson_polygon_multipolygon"), field="geometry")
        feature, radius = {"type": "Feature", "properties": {}, "geometry": body.geometry}, None
    elif body.point is not None:
        if body.radius_m is None:
            raise InputError(Message("web.err.sites.point_needs_radius_metres"), field="radius_m")
        feature = {"type": "Feature", "properties": {},
                   "geometry": {"type": "Point", "coordinates": [body.point.lon, body.point.lat]}}
        radius = body.radius_m
    else:
        raise InputError(Message("web.err.sites.expected_site_geometry_point"), field="geometry")
    folder = FsPath(tempfile.mkdtemp(prefix="kawasan-site-"))
    try:
        path = folder / "site.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
        yield path, radius
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def check_file(entry: Entry, path: FsPath, radius: float | None, lang: str, shown_as: str) -> dict:
    """The check of the site in ``path`` with its outline and failing parts in WGS 84, without local paths."""
    import geopandas as gpd
    from shapely.geometry import mapping, shape

    from kawasan.i18n import text_in
    from kawasan.spatial.runs.read import open_run
    from kawasan.spatial.sites.check import check_site, failing_areas, load_site_geometry

    result = check_site(path, entry.path, radius=radius)
    run = open_run(entry.path)
    geom, _ = load_site_geometry(path, run.grid, radius=radius)
    failing = failing_areas(geom, entry.path)
    bits = {int(c["bit"]): c["id"] for c in run.constraint_bits if c.get("bit")}
    outline = gpd.GeoSeries([geom], crs=run.grid.crs).to_crs(4326).iloc[0]
    parts = gpd.GeoSeries([shape(g) for g, _ in failing], crs=run.grid.crs).to_crs(4326) if failing else []
    result["site"] = shown_as
    result["run"] = entry.id
    result["notes"] = [text_in(n, lang) for n in result.get("notes", [])]
    for row in result["constraints"]:
        row["certainty_tag"] = certainty_of(row.get("certainty"))
        item = next((c for c in run.constraint_bits if c["id"] == row["rule"]), None)
        if item and lang == "id":
            row["label"] = item.get("label_id") or row["label"]
            row["legal_basis"] = item.get("legal_basis_id") or row.get("legal_basis")
    result["outline"] = mapping(outline)
    result["failing"] = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": mapping(g),
         "properties": {"rules": [rid for b, rid in sorted(bits.items()) if v & b]}}
        for g, (_, v) in zip(parts, failing)]}
    return result


@router.post("/runs/{run_id}/check", summary="Check a site drawn on the map (GeoJSON, WGS 84) or a point and radius "
                                              "against the run's rules: rule by rule, failing parts as GeoJSON")
async def check_drawn(request: Request, body: CheckRequest, run_id: str = RUN_ID,
                      me: Identity = Depends(current_user)) -> dict:
    entry = run_entry(request, run_id)
    lang = language(request)

    def work():
        with _site_file(body) as (path, radius):
            return check_file(entry, path, radius, lang, "drawn" if body.geometry else "point")

    return await run_in_threadpool(work)


@router.post("/runs/{run_id}/check/upload", summary="Check an uploaded site (GeoJSON, GeoPackage or zipped "
                                                     "Shapefile; points need radius_m) against the run's rules")
async def check_upload(request: Request, file: UploadFile = File(...), radius_m: float | None = Form(None),
                       run_id: str = RUN_ID, me: Identity = Depends(current_user)) -> dict:
    entry = run_entry(request, run_id)
    lang = language(request)
    if radius_m is not None and not 0 < radius_m <= MAX_RADIUS_M:
        raise InputError(Message("web.err.sites.expected_radius_from_m", max_radius=MAX_RADIUS_M, radius_m=radius_m),
                         field="radius_m")
    suffix = FsPath(file.filename or "").suffix.lower()
    if suffix not in (".geojson", ".json", ".gpkg", ".zip"):
        raise InputError(Message("web.err.sites.expected_geojson_geojson_geopackage", filename=file.filename),
                         source=file.filename, field="file")

    def work():
        with saved_upload(file, MAX_SITE_UPLOAD) as path:
            _looks_like(path, suffix, file.filename)
            return check_file(entry, path, radius_m, lang, FsPath(path).name)

    return await run_in_threadpool(work)


def _looks_like(path: FsPath, suffix: str, name: str | None) -> None:
    """An upload must be what its name says: a GeoPackage is SQLite, a .zip is a zip, GeoJSON is JSON."""
    head = path.read_bytes()[:16]
    ok = {".gpkg": head.startswith(b"SQLite format 3"), ".zip": head.startswith(b"PK\x03\x04"),
          ".geojson": head.lstrip()[:1] in (b"{", b"["), ".json": head.lstrip()[:1] in (b"{", b"[")}[suffix]
    if not ok:
        raise InputError(Message("web.err.sites.content_does_not_match_name", suffix=suffix[1:]),
                         source=name, field="file")


# ---- licensing from a site --------------------------------------------------------------------------

def _candidate_geometry(entry: Entry, site_id: int) -> dict:
    p = entry.path / "sites" / "sites.geojson"
    try:
        fc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise NotFoundError(Message("web.err.sites.run_has_extracted_sites"), field="site_id") from None
    for f in fc.get("features", []):
        if int((f.get("properties") or {}).get("id", -1)) == site_id:
            return f["geometry"]
    raise NotFoundError(Message("web.err.sites.run_has_candidate_site", site_id=site_id), field="site_id")


def template_for(entry: Entry) -> str:
    model = (entry.manifest.get("model") or {}).get("name") or ""
    return PRESET_TEMPLATES.get(model, DEFAULT_TEMPLATE)


@router.post("/runs/{run_id}/licensing", status_code=201,
             summary="Start a licensing project from a candidate site or a checked site: the project keeps the site "
                     "geometry, the run id and the check result; the template follows the run's preset")
async def start_licensing(request: Request, body: LicensingRequest, run_id: str = RUN_ID,
                          me: Identity = Depends(current_user)) -> JSONResponse:
    entry = run_entry(request, run_id)
    lang = language(request)
    svc = request.app.state.tracker

    def work() -> dict:
        if body.site_id is not None:
            geometry = _candidate_geometry(entry, body.site_id)
            req = CheckRequest(geometry=geometry)
        else:
            req = CheckRequest(geometry=body.geometry, point=body.point, radius_m=body.radius_m)
        with _site_file(req) as (path, radius):
            check = check_file(entry, path, radius, lang, "candidate" if body.site_id is not None else "checked")
        site = check["outline"] if body.site_id is None else geometry
        origin = {"run_id": entry.id, "run_checksum": entry.checksum, "site_id": body.site_id,
                  "model": (entry.manifest.get("model") or {}).get("name"), "synthetic": entry.synthetic,
                  "check": {"passes": check["passes"], "score": check["score"],
                            "constraints": [{k: r.get(k) for k in ("rule", "label", "passed", "value", "unit",
                                                                    "failing_ha", "legal_basis", "certainty")}
                                            for r in check["constraints"]],
                            "what_would_have_to_change": check["what_would_have_to_change"]}}
        name = body.name + (" (SYNTHETIC)" if entry.synthetic and "SYNTHETIC" not in body.name.upper() else "")
        return svc.create_project(name, body.template or template_for(entry), body.start, regency=body.regency,
                                  site_geometry=site, site_origin=origin, actor=me.username)

    project = await run_in_threadpool(work)
    return JSONResponse({"id": project["id"], "url": f"/projects/{project['id']}", "template":
                         project.get("template")}, status_code=201)
