"""Issue 14, "Bad input", the web side: uploads that are not what they say and API payloads that are wrong.

Each case goes through the running app (the web tests' World, tests/web_fixtures.py) and must end with a 4xx:
for ``/api/v1`` the one JSON error shape ``{"error": {"code", "message", ...}}``, for a page the HTML error
page; no traceback text and no server temporary path in the body; and nothing written: every row of every
table of the database (SQLite, and PostgreSQL when a server is reachable) and every file of the document and
data folders compared before and after. The corpus of
files for the CLI is tests/malformed/ (tests/test_malformed.py). All data here is SYNTHETIC.
"""
from __future__ import annotations

import dataclasses
import io
import json
import re
import sqlite3
import tempfile
import zipfile
from pathlib import Path

import pytest
from fastapi.routing import APIRoute

from web_fixtures import DLH_STAGE, World

PDF = b"%PDF-1.4\n% synthetic\n%%EOF\n"
HUGE_ID = "99999999999999999999999"
TRACE = re.compile(r"Traceback|File \"/|\.py\", line \d")


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    from kawasan.jobs.queue import make_huey

    folder = tmp_path_factory.mktemp(f"web-malformed-{request.param}")
    w = World(request.param, folder)
    w.data = folder / "data"
    w.data.mkdir()
    w.app.state.web = dataclasses.replace(w.app.state.web, data_dir=w.data)
    w.app.state.queue = make_huey(f"sqlite:///{folder / 'queue.db'}")
    yield w
    w.close()


def _dump(world) -> dict[str, list[str]]:
    """Every row of every table (SQLite or PostgreSQL), sorted: equal dumps mean nothing was written."""
    import sqlalchemy as sa

    engine = sa.create_engine(world.settings.database_url)
    try:
        with engine.connect() as con:
            meta = sa.MetaData()
            meta.reflect(con)
            return {name: sorted(repr(tuple(row)) for row in con.execute(sa.select(table)))
                    for name, table in sorted(meta.tables.items())}
    finally:
        engine.dispose()


def _files(*roots: Path) -> dict:
    return {str(p): (p.stat().st_size, p.read_bytes()) for root in roots if root.exists()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _state(world):
    dump = _dump(world)
    assert len(dump) >= 5 and sum(map(len, dump.values())) >= 20, dump.keys()  # the seeded world is there
    return dump, _files(world.settings.files_dir, world.data), len(world.app.state.jobs.list())


#: a good one-feature boundary (SYNTHETIC), so that the new study area fails on its other file
BOUNDARY = json.dumps({"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"nama": "Barat"}, "geometry": {"type": "Polygon", "coordinates": [[
        [113.10, -7.82], [113.14, -7.82], [113.14, -7.765], [113.10, -7.765], [113.10, -7.82]]]}}]}).encode()

# (id, kind, method, url, request keywords; "{pa}", "{stage}", "{doc}" are filled in)
API = "/api/v1"
P = API + "/projects/{pa}"
CASES = [
    # document upload (API and page)
    ("doc-pdf-name-zip-bytes", "api", "POST", P + "/stages/{stage}/documents",
     {"files": {"file": ("rencana.pdf", _zip_bytes(), "application/pdf")}}),
    ("doc-empty-file", "api", "POST", P + "/stages/{stage}/documents",
     {"files": {"file": ("kosong.pdf", b"", "application/pdf")}}),
    ("doc-over-the-limit", "api", "POST", P + "/stages/{stage}/documents",
     {"files": {"file": ("besar.pdf", PDF + b"\0" * (25 * 1024 * 1024), "application/pdf")}}),
    ("doc-name-dotdot-exe", "api", "POST", P + "/stages/{stage}/documents",
     {"files": {"file": ("../../etc/evil.exe", b"MZ\x90\x00", "application/octet-stream")}}),
    ("doc-no-filename", "api", "POST", P + "/stages/{stage}/documents",
     {"files": {"file": ("", PDF, "application/pdf")}}),
    ("doc-page-pdf-name-zip-bytes", "page", "POST", "/projects/{pa}/documents",
     {"data": {"stage": "{stage}"}, "files": {"file": ("rencana.pdf", _zip_bytes(), "application/pdf")}}),
    ("doc-page-unknown-stage", "page", "POST", "/projects/{pa}/documents",
     {"data": {"stage": "<script>alert(1)</script>"}, "files": {"file": ("a.pdf", PDF, "application/pdf")}}),
    # plan CSV import
    ("plan-binary", "api", "POST", API + "/templates/import",
     {"data": {"name": "biner"}, "files": {"file": ("rencana.csv", bytes(range(256)) * 4, "text/csv")}}),
    ("plan-utf16-no-bom", "api", "POST", API + "/templates/import",
     {"data": {"name": "utf16"}, "files": {"file": ("rencana.csv", "id,name,agency,duration_days,requires\nS1,Survei,"
                                                    "BAPPEDA,10,\n".encode("utf-16-le"), "text/csv")}}),
    ("plan-empty", "api", "POST", API + "/templates/import",
     {"data": {"name": "kosong"}, "files": {"file": ("rencana.csv", b"", "text/csv")}}),
    ("plan-deep-quotes", "api", "POST", API + "/templates/import",
     {"data": {"name": "dalam"}, "files": {"file": ("rencana.csv", b"id,name,agency,duration_days,requires\n"
                                                    + b'"' * 100_001 + b"\n", "text/csv")}}),
    ("plan-bad-name", "api", "POST", API + "/templates/import",
     {"data": {"name": "../../apht"}, "files": {"file": ("rencana.csv", b"id,name,agency,duration_days,requires\n"
                                                         b"S1,Survei,BAPPEDA,10,\n", "text/csv")}}),
    ("plan-page-binary", "page", "POST", "/templates/import",
     {"data": {"name": "biner-halaman"}, "files": {"file": ("rencana.csv", b"\x00\xff" * 500, "text/csv")}}),
    # new study area
    ("area-fake-pbf", "api", "POST", API + "/analysis/studyareas",
     {"data": {"name": "palsu", "feature": "Barat"},
      "files": [("boundary", ("b.geojson", BOUNDARY, "application/geo+json")),
                ("osm", ("area.osm.pbf", b"not a PBF", "application/octet-stream"))]}),
    ("area-boundary-not-json", "api", "POST", API + "/analysis/studyareas",
     {"data": {"name": "bukan-json", "where": "1=1"}, "files": [("boundary", ("b.geojson", b"{not json",
                                                                              "application/geo+json"))]}),
    # JSON payloads
    ("json-wrong-types", "api", "POST", API + "/projects",
     {"json": {"name": 12, "template": ["apht"], "start": True}}),
    ("json-nan", "api", "POST", P + "/whatif",
     {"content": b'{"shorten": {"K1": NaN}}'}),
    ("json-infinity", "api", "POST", P + "/whatif",
     {"content": b'{"shorten": {"K1": Infinity}}'}),
    ("json-huge-string", "api", "POST", API + "/projects",
     {"json": {"name": "x" * 1_000_000, "template": "apht", "start": "2026-01-05"}}),
    ("json-deeply-nested", "api", "POST", API + "/projects",
     {"content": ('{"name": "dalam", "template": "apht", "start": "2026-01-05", "site_geometry": '
                  + _nested(100_000) + "}").encode()}),
    ("json-nested-geometry", "api", "POST", API + "/projects",
     {"json": {"name": "geometri", "template": "apht", "start": "2026-01-05",
               "site_geometry": {"type": "Polygon", "coordinates": [[[[[[1]]]]]]}}}),
    ("json-unknown-field", "api", "POST", API + "/projects",
     {"json": {"name": "asing", "template": "apht", "start": "2026-01-05", "owner": "root"}}),
    ("json-date-0001", "api", "POST", API + "/projects",
     {"json": {"name": "tahun satu", "template": "apht", "start": "0001-01-01"}}),
    ("json-date-9999", "api", "POST", API + "/projects",
     {"json": {"name": "tahun 9999", "template": "apht", "start": "9999-12-31"}}),
    ("json-target-9999", "api", "PUT", P + "/target", {"json": {"target": "9999-12-31"}}),
    ("json-stage-on-0001", "api", "POST", P + "/stages/{stage}/status",
     {"json": {"status": "submitted", "on": "0001-01-01"}}),
    ("json-injection-template", "api", "POST", API + "/projects",
     {"json": {"name": "injeksi", "template": "apht'; DROP TABLE projects; --", "start": "2026-01-05"}}),
    ("json-injection-stage", "api", "POST", P + "/stages/K1' OR '1'='1/status", {"json": {"status": "submitted"}}),
    ("json-not-json", "api", "POST", API + "/projects", {"content": b"{'name': 'python dict'}"}),
    ("json-not-utf8", "api", "POST", API + "/projects", {"content": b'{"name": "\xff\xfe"}'}),
    ("json-array-body", "api", "POST", API + "/projects", {"content": b"[1, 2, 3]"}),
    ("json-huge-version", "api", "POST", P + "/stages/{stage}/status",
     {"json": {"status": "submitted", "expected_version": 10 ** 30}}),
    ("json-huge-id", "api", "POST", API + "/obstacles/" + HUGE_ID + "/resolve", {"json": {"resolution": "x"}}),
    ("page-whatif-shorten-nan", "page", "POST", "/projects/{pa}/whatif", {"data": {"shorten_K1": "NaN"}}),
    ("page-whatif-shorten-inf", "page", "POST", "/projects/{pa}/whatif", {"data": {"shorten_K1": "Infinity"}}),
    ("page-form-date-9999", "page", "POST", "/projects/{pa}/stages/{stage}/status",
     {"data": {"status": "submitted", "on": "9999-12-31"}}),
    ("page-form-huge-version", "page", "POST", "/projects/{pa}/stages/{stage}/status",
     {"data": {"status": "submitted", "expected_version": "9" * 40}}),
]


#: the status of each case: 422 (input refused) unless named here
STATUS = {"doc-page-unknown-stage": 404, "json-injection-template": 404, "json-injection-stage": 404,
          "json-deeply-nested": 400, "json-not-utf8": 400}


def _fill(value, world):
    if isinstance(value, str):
        return value.format(pa=world.ids["pa"], stage=DLH_STAGE, doc=world.ids["document"])
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


def test_the_corpus_is_large_enough():
    names = [c[0] for c in CASES + MAP_CASES + MAP_JSON_CASES]
    assert len(names) >= 25 and len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_malformed_request_is_refused_cleanly(world, case):
    name, kind, method, url, kw = case
    kw = {k: _fill(v, world) if k == "data" else v for k, v in kw.items()}
    client, csrf = world.clients["coord"], world.csrf["coord"]
    headers = {"X-CSRF-Token": csrf}
    if "content" in kw:
        headers["Content-Type"] = "application/json"
    if kind == "page":
        kw["data"] = {**kw.get("data", {}), "csrf_token": csrf}
    before = _state(world)
    r = client.request(method, _fill(url, world), headers=headers, follow_redirects=False, **kw)
    assert r.status_code == STATUS.get(name, 422), (r.status_code, r.text[:500])
    assert not TRACE.search(r.text) and tempfile.gettempdir() + "/" not in r.text, r.text[:2000]
    if kind == "api":
        err = r.json()["error"]
        assert set(r.json()) == {"error"} and err["code"] and err["message"], r.text[:500]
    else:
        assert r.headers["content-type"].startswith("text/html") and "<html" in r.text.lower(), r.text[:500]
    assert _state(world) == before, name


def _int_path_routes(app) -> list[tuple[str, APIRoute]]:
    """Every page route (not /api) with an integer path parameter, with its full path (FastAPI keeps the
    included routers nested, as kawasan.web.app.route_table walks them)."""
    out = []

    def walk(routes, prefix: str) -> None:
        for r in routes:
            if hasattr(r, "original_router"):
                walk(r.original_router.routes, prefix + r.include_context.prefix)
            elif isinstance(r, APIRoute) and not (prefix + r.path).startswith("/api/") \
                    and any(p.field_info.annotation is int for p in r.dependant.path_params):
                out.append((prefix + r.path, r))

    walk(app.router.routes, "")
    return out


def test_every_page_route_with_an_integer_id_refuses_a_huge_one(world):
    routes = _int_path_routes(world.app)
    assert len(routes) >= 10, [p for p, _ in routes]  # the project, stage, obstacle, document... pages
    client, csrf = world.clients["admin"], world.csrf["admin"]
    for path, route in routes:
        ints = {p.name for p in route.dependant.path_params if p.field_info.annotation is int}
        url = re.sub(r"\{(\w+)\}", lambda m: HUGE_ID if m.group(1) in ints else "K1", path)
        for method in sorted(route.methods - {"HEAD"}):
            before = _state(world)
            r = client.request(method, url, data={"csrf_token": csrf} if method == "POST" else None,
                               follow_redirects=False)
            assert r.status_code in (404, 422), (method, url, r.status_code, r.text[:300])
            assert r.headers["content-type"].startswith("text/html") and not TRACE.search(r.text), (method, url)
            assert _state(world) == before, (method, url)


# ---- the map's site check upload (on the session's demo folder: its run runs~apht) ----------------------

RUN = "/api/v1/runs/runs~apht"


def _gpkg_without_layer(folder: Path) -> bytes:
    """A true GeoPackage (written by GDAL) whose only layer is then dropped: the file is right, the site is not."""
    import geopandas as gpd
    from shapely.geometry import box

    path = folder / "empty.gpkg"
    gpd.GeoDataFrame({"n": [1]}, geometry=[box(113.1, -7.8, 113.11, -7.79)], crs="EPSG:4326").to_file(
        path, driver="GPKG", layer="site")
    con = sqlite3.connect(path)
    with con:
        for table in ("gpkg_geometry_columns", "gpkg_contents"):
            con.execute(f"DELETE FROM {table} WHERE table_name = 'site'")
        con.execute("DROP TABLE site")
    con.close()
    return path.read_bytes()


def _text_zip_named(name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(name, "this is plain text, not a Shapefile part")
    return buf.getvalue()


MAP_CASES = [
    ("site-geojson-not-json", "site.geojson", lambda tmp: b"{type: Polygon, coordinates: [}", {}),
    ("site-geojson-empty-collection", "site.geojson",
     lambda tmp: b'{"type": "FeatureCollection", "features": []}', {}),
    ("site-geojson-nan-coordinates", "site.geojson",
     lambda tmp: b'{"type": "Polygon", "coordinates": [[[NaN, 1], [2, 2], [3, 1], [NaN, 1]]]}', {}),
    ("site-zip-plain-text", "site.zip", lambda tmp: b"PK\x03\x04 but then only plain text", {}),
    ("site-zip-of-text-shp", "site.zip", lambda tmp: _text_zip_named("site.shp"), {}),
    ("site-gpkg-no-layer", "site.gpkg", _gpkg_without_layer, {}),
    ("site-radius-nan", "site.geojson",
     lambda tmp: b'{"type": "Point", "coordinates": [113.1, -7.8]}', {"radius_m": "NaN"}),
]


@pytest.fixture(scope="module")
def map_world(demo_dir, tmp_path_factory):
    from map_fixtures import MapWorld

    w = MapWorld(tmp_path_factory.mktemp("map-malformed"), demo_dir)
    yield w
    w.close()


@pytest.mark.parametrize("case", MAP_CASES, ids=[c[0] for c in MAP_CASES])
def test_a_malformed_site_upload_is_refused_cleanly(map_world, tmp_path, case):
    _, filename, make, data = case
    body = make(tmp_path)
    before = _dump(map_world), _files(map_world.data_dir, map_world.settings.files_dir)
    r = map_world.clients["coord"].post(f"{RUN}/check/upload", headers={"X-CSRF-Token": map_world.csrf["coord"]},
                                        files={"file": (filename, body)}, data=data)
    assert r.status_code == 422, (r.status_code, r.text[:500])
    assert set(r.json()) == {"error"} and r.json()["error"]["message"] and not TRACE.search(r.text), r.text[:500]
    assert tempfile.gettempdir() + "/" not in r.text, r.text[:500]  # the server's folders are not the user's business
    assert (_dump(map_world), _files(map_world.data_dir, map_world.settings.files_dir)) == before


def test_an_error_message_names_the_upload_not_the_server_folder():
    from kawasan.web.errors import without_temp_paths

    tmp = tempfile.gettempdir()
    msg = f"not a readable vector file ('/vsizip/{tmp}/kawasan-upload-x1/site.zip' not recognized); also {tmp}/a/b.gpkg"
    assert without_temp_paths(msg) == "not a readable vector file ('site.zip' not recognized); also b.gpkg"
    assert without_temp_paths("row 3: 'abc' is not a number") == "row 3: 'abc' is not a number"


MAP_JSON_CASES = [
    ("check-point-nan", "check", b'{"point": {"lon": NaN, "lat": -7.8}, "radius_m": 100}'),
    ("check-radius-infinity", "check", b'{"point": {"lon": 113.1, "lat": -7.8}, "radius_m": Infinity}'),
    ("check-geometry-nested", "check", b'{"geometry": {"type": "Polygon", "coordinates": [[[[[[1]]]]]]}}'),
    ("licensing-geometry-nested", "licensing",
     b'{"name": "dalam", "start": "2026-06-01", "geometry": {"type": "Polygon", "coordinates": [[[[[[1]]]]]]}}'),
    ("licensing-start-9999", "licensing", b'{"name": "jauh", "start": "9999-12-31", "site_id": 1}'),
]


@pytest.mark.parametrize("case", MAP_JSON_CASES, ids=[c[0] for c in MAP_JSON_CASES])
def test_a_malformed_site_payload_is_refused_cleanly(map_world, case):
    _, action, body = case
    before = _dump(map_world), _files(map_world.data_dir, map_world.settings.files_dir)
    r = map_world.clients["coord"].post(f"{RUN}/{action}", content=body, headers={
        "X-CSRF-Token": map_world.csrf["coord"], "Content-Type": "application/json"})
    assert r.status_code == 422, (r.status_code, r.text[:500])
    assert set(r.json()) == {"error"} and r.json()["error"]["message"] and not TRACE.search(r.text), r.text[:500]
    assert (_dump(map_world), _files(map_world.data_dir, map_world.settings.files_dir)) == before
