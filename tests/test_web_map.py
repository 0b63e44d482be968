"""The map routes on the demo's data folder: the list of study areas and runs, role rules, bad ids."""
from __future__ import annotations

import json

import pytest

from map_fixtures import MapWorld

SIGNED = ("admin", "coord", "coord_b", "dlh", "dlh_b", "dpm", "viewer")


@pytest.fixture(scope="module")
def world(demo_dir, tmp_path_factory):
    w = MapWorld(tmp_path_factory.mktemp("map-web"), demo_dir)
    yield w
    w.close()


def test_the_data_folder_lists_the_demo_study_area_and_its_runs(world):
    body = world.clients["viewer"].get("/api/v1/data").json()
    assert [a["id"] for a in body["study_areas"]] == ["data"]
    assert [r["id"] for r in body["runs"]] == ["runs~apht", "runs~apht-switched", "runs~kawasan-industri"]
    assert all(r["study_area_id"] == "data" and r["synthetic"] for r in body["runs"])
    assert "/" not in json.dumps(body["runs"][0]["id"])  # ids, never local paths
    assert str(world.data_dir) not in json.dumps(body)


def test_the_map_index_links_each_run_to_its_map_page(world):
    page = world.clients["viewer"].get("/map")
    assert page.status_code == 200
    for rid in ("runs~apht", "runs~kawasan-industri"):
        assert f'href="/map/runs/{rid}"' in page.text
    assert "SINTETIS" in page.text  # Indonesian by default, the synthetic label shown


def _looking_urls(world) -> dict:
    """A URL for every reading route of the map (MAP_ROUTES)."""
    z, x, y = _centre_tile(world)
    run = "/api/v1/runs/runs~apht"
    return {
        ("GET", "/map"): "/map",
        ("GET", "/api/v1/data"): "/api/v1/data",
        ("GET", "/map/runs/{run_id}"): "/map/runs/runs~apht",
        ("GET", "/api/v1/runs/{run_id}"): run,
        ("GET", "/api/v1/runs/{run_id}/tiles/{layer}/{z}/{x}/{y}.{fmt}"): f"{run}/tiles/score/{z}/{x}/{y}.png",
        ("GET", "/api/v1/runs/{run_id}/vectors/{name}.geojson"): f"{run}/vectors/boundary.geojson?z=10",
        ("GET", "/api/v1/runs/{run_id}/point"): f"{run}/point?lon=113.07&lat=-7.76",
        ("GET", "/api/v1/runs/{run_id}/sites"): f"{run}/sites?by=topsis",
        ("GET", "/map/compare"): "/map/compare?a=runs~apht&b=runs~kawasan-industri",
        ("GET", "/api/v1/areas/{area_id}"): "/api/v1/areas/data",
        ("GET", "/api/v1/areas/{area_id}/tiles/{layer}/{z}/{x}/{y}.{fmt}"): f"/api/v1/areas/data/tiles/hillshade/{z}/{x}/{y}.png",
        ("GET", "/api/v1/areas/{area_id}/vectors/{name}.geojson"): "/api/v1/areas/data/vectors/roads.geojson?z=9",
        ("GET", "/api/v1/compare/{run_a}/{run_b}/tiles/{z}/{x}/{y}.{fmt}"):
            f"/api/v1/compare/runs~apht/runs~kawasan-industri/tiles/{z}/{x}/{y}.png",
        ("GET", "/api/v1/runs/{run_id}/files"): f"{run}/files",
        ("GET", "/api/v1/runs/{run_id}/files/{name}"): f"{run}/files/model.yaml",
    }


def test_every_reading_route_of_the_map_is_in_the_role_table(world):
    from map_fixtures import MAP_ROUTES

    reading = {k for k in MAP_ROUTES if k[0] == "GET"}
    assert reading == set(_looking_urls(world))


@pytest.mark.parametrize("role", SIGNED)
def test_every_signed_in_role_may_look(world, role):
    for route, url in _looking_urls(world).items():
        assert world.clients[role].get(url).status_code == 200, (role, route)


def test_signed_out_is_refused(world):
    for (_m, path), url in _looking_urls(world).items():
        r = world.clients["anon"].get(url, follow_redirects=False)
        if path.startswith("/api/"):
            assert r.status_code == 401 and set(r.json()) == {"error"}, url
        else:
            assert r.status_code == 303, url


def test_a_server_without_a_configured_data_folder_uses_the_home_one(tmp_path):
    """No --data: the map pages and the analysis jobs share KAWASAN_HOME/data (created, empty at first)."""
    from kawasan.jobs.folders import data_dir

    w = MapWorld(tmp_path, None)
    try:
        r = w.clients["viewer"].get("/api/v1/data")
        assert r.status_code == 200 and r.json()["runs"] == [] and r.json()["study_areas"] == []
        assert data_dir().is_dir()
        page = w.clients["viewer"].get("/map").text
        assert "kawasan serve --data DIR" in page and 'id="runs"' not in page
    finally:
        w.close()


# ---- the run's map: detail, tiles, vectors, click query -----------------------------------------------

APHT = "/api/v1/runs/runs~apht"


def _centre_tile(world, z=12):
    import morecantile

    w, s, e, n = world.clients["viewer"].get(APHT).json()["bounds"]
    t = morecantile.tms.get("WebMercatorQuad").tile((w + e) / 2, (s + n) / 2, z)
    return t.z, t.x, t.y


def test_the_run_detail_lists_its_layers_rules_and_extent(world):
    body = world.clients["viewer"].get(APHT).json()
    ids = [item["id"] for item in body["layers"]]
    assert ids[:3] == ["score", "classes", "constraints"]
    assert {"hillshade", "layer.landcover", "layer.zoning", "spread"} <= set(ids)
    assert any(i.startswith("criterion.") for i in ids)
    rule = next(c for c in body["constraints"] if c["id"] == "not_lp2b")
    assert rule["legal_basis"] and rule["certainty"]
    w, s, e, n = body["bounds"]
    assert -180 < w < e < 180 and -90 < s < n < 90
    classes = next(i for i in body["layers"] if i["id"] == "classes")["legend"]["items"]
    assert len(classes) == 6 and classes[-1]["colour"] == "#bdbdbd"  # the report's "excluded by law" grey


@pytest.mark.parametrize("layer", ["score", "classes", "constraints", "hillshade", "layer.landcover", "spread",
                                   "criterion.slope"])
def test_every_kind_of_layer_renders_a_png_tile(world, layer):
    z, x, y = _centre_tile(world)
    r = world.clients["viewer"].get(f"{APHT}/tiles/{layer}/{z}/{x}/{y}.png")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png" and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert r.headers["etag"] and "private" in r.headers["cache-control"]


def test_a_tile_is_the_same_bytes_every_time_and_webp_works(world):
    z, x, y = _centre_tile(world)
    c = world.clients["viewer"]
    world.app.state.tiles._lru.clear()
    a = c.get(f"{APHT}/tiles/classes/{z}/{x}/{y}.png").content
    world.app.state.tiles._lru.clear()
    assert c.get(f"{APHT}/tiles/classes/{z}/{x}/{y}.png").content == a
    r = c.get(f"{APHT}/tiles/score/{z}/{x}/{y}.webp")
    assert r.headers["content-type"] == "image/webp" and r.content[:4] == b"RIFF"


def test_nodata_is_transparent_and_classes_use_the_report_palette(world):
    import io

    import numpy as np
    from rasterio.io import MemoryFile

    z, x, y = _centre_tile(world, 9)  # a zoom where the tile reaches beyond the study area
    png = world.clients["viewer"].get(f"{APHT}/tiles/classes/{z}/{x}/{y}.png").content
    with MemoryFile(io.BytesIO(png)) as mem, mem.open() as ds:
        rgba = ds.read()
    assert rgba.shape[0] == 4
    alpha = rgba[3]
    assert (alpha == 0).any() and (alpha == 255).any()
    colours = {tuple(int(v) for v in rgba[:3, i, j]) for i, j in zip(*np.nonzero(alpha == 255))}
    palette = {(0x1a, 0x96, 0x41), (0xa6, 0xd9, 0x6a), (0xff, 0xff, 0xbf), (0xfd, 0xae, 0x61), (0xd7, 0x19, 0x1c),
               (0xbd, 0xbd, 0xbd)}
    assert colours <= palette and (0xbd, 0xbd, 0xbd) in colours


def test_an_etag_the_client_has_answers_304(world):
    z, x, y = _centre_tile(world)
    c = world.clients["viewer"]
    first = c.get(f"{APHT}/tiles/score/{z}/{x}/{y}.png")
    again = c.get(f"{APHT}/tiles/score/{z}/{x}/{y}.png", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == first.headers["etag"]
    other = c.get(f"{APHT}/tiles/classes/{z}/{x}/{y}.png")
    assert other.headers["etag"] != first.headers["etag"]


def test_the_tile_cache_is_bounded(demo_dir, tmp_path):
    w = MapWorld(tmp_path, demo_dir, tile_cache=3)
    try:
        z, x, y = _centre_tile(w)
        for dx in range(6):
            assert w.clients["viewer"].get(f"{APHT}/tiles/score/{z}/{x + dx - 3}/{y}.png").status_code in (200, 404)
        assert len(w.app.state.tiles._lru) <= 3
    finally:
        w.close()


@pytest.mark.parametrize("url, status, field", [
    (APHT + "/tiles/score/3/8/1.png", 422, "x"),          # outside the tile grid at zoom 3
    (APHT + "/tiles/score/25/1/1.png", 422, "z"),         # beyond any zoom
    (APHT + "/tiles/score/23/1/1.png", 422, "z"),         # beyond this layer's limit
    (APHT + "/tiles/score/12/0/0.png", 404, "tile"),      # in the grid, outside the run's extent
    (APHT + "/tiles/nothing/12/0/0.png", 404, "layer"),
    (APHT + "/tiles/criterion.nope/12/0/0.png", 404, "layer"),
    (APHT + "/tiles/score/12/0/0.gif", 422, None),
    ("/api/v1/runs/runs~nope/tiles/score/12/0/0.png", 404, "id"),
    ("/api/v1/runs/..~..~etc/tiles/score/12/0/0.png", 404, "id"),
    (APHT + "/vectors/nothing.geojson", 404, "name"),
    (APHT + "/point?lon=0&lat=0", 422, "lon/lat"),
    (APHT + "/point?lon=500&lat=0", 422, None),
])
def test_bad_tile_requests_get_the_one_error_shape(world, url, status, field):
    r = world.clients["viewer"].get(url)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["message"] and (field is None or err.get("field") == field), err


def test_vector_layers_are_simplified_for_the_zoom(world):
    c = world.clients["viewer"]
    low = c.get(f"{APHT}/vectors/roads.geojson?z=8").json()
    high = c.get(f"{APHT}/vectors/roads.geojson?z=15").json()
    count = lambda fc: sum(len(f["geometry"]["coordinates"]) for f in fc["features"])  # noqa: E731
    assert low["type"] == "FeatureCollection" and len(low["features"]) == len(high["features"])
    assert count(low) < count(high)
    lon, lat = high["features"][0]["geometry"]["coordinates"][0]
    assert 90 < lon < 130 and -12 < lat < 8  # WGS 84, in Indonesia
    sites = c.get(f"{APHT}/vectors/sites.geojson?z=12").json()
    assert sites["features"] and {"id", "rank", "score_mean"} <= set(sites["features"][0]["properties"])


def test_a_click_on_an_excluded_cell_names_each_rule_with_its_legal_basis(world):
    c = world.clients["viewer"]
    w, s, e, n = c.get(APHT).json()["bounds"]
    q = c.get(f"{APHT}/point", params={"lon": (w + e) / 2, "lat": (s + n) / 2}).json()
    assert q["class"] == "excluded" and q["excluded"]
    lp2b = next(r for r in q["excluded_by"] if r["id"] == "not_lp2b")
    assert lp2b["legal_basis"] and lp2b["certainty"] and lp2b["certainty_tag"] in ("V", "P", "U", "NOT FOUND", "–")
    crit = {x["id"]: x for x in q["criteria"]}
    assert crit["slope"]["raw"] is not None and 0 <= crit["slope"]["standardized"] <= 1
    assert crit["land_use"]["raw_category"]  # a category name, not only its code
    assert crit["arterial_road"]["raw_beyond"] is True  # measured only up to the criterion's max distance
    assert q["synthetic"] is True


def test_the_run_map_page_carries_the_run_and_its_strings(world):
    page = world.clients["viewer"].get("/map/runs/runs~apht")
    assert page.status_code == 200
    assert 'id="run-map"' in page.text and "/static/map_run.js" in page.text
    assert "leaflet.js" in page.text and "unpkg" not in page.text and "cdn" not in page.text.lower()
    assert world.clients["viewer"].get("/map/runs/runs~nope").status_code == 404


# ---- compare and downloads -----------------------------------------------------------------------------

def test_the_difference_of_two_runs_is_a_tile_and_zero_for_a_run_with_itself(world):
    import io

    import numpy as np
    from rasterio.io import MemoryFile

    z, x, y = _centre_tile(world, 11)
    c = world.clients["viewer"]
    diff = c.get(f"/api/v1/compare/runs~apht/runs~apht-switched/tiles/{z}/{x}/{y}.png")
    same = c.get(f"/api/v1/compare/runs~apht/runs~apht/tiles/{z}/{x}/{y}.png")
    assert diff.status_code == 200 and same.status_code == 200 and diff.content != same.content
    with MemoryFile(io.BytesIO(same.content)) as mem, mem.open() as ds:
        rgba = ds.read()
    opaque = rgba[3] == 255
    assert opaque.any()
    from kawasan.web.map.tiles import DIFF_TABLE

    middle = tuple(int(v) for v in DIFF_TABLE[128][:3])  # a difference of 0 (the ramp's middle, near white)
    assert set(map(tuple, rgba[:3, opaque].T.tolist())) == {middle} and min(middle) > 240
    assert c.get(f"/api/v1/compare/runs~apht/runs~nope/tiles/{z}/{x}/{y}.png").status_code == 404


def test_the_compare_page_shows_both_runs_weights(world):
    page = world.clients["viewer"].get("/map/compare", params={"a": "runs~apht", "b": "runs~kawasan-industri"})
    assert page.status_code == 200 and 'id="compare-weights"' in page.text
    assert world.clients["viewer"].get("/map/compare", params={"a": "runs~apht", "b": "../x"}).status_code == 404


def test_the_downloads_of_a_run(world):
    c = world.clients["viewer"]
    names = [f["name"] for f in c.get(f"{APHT}/files").json()["files"]]
    assert {"report-en.html", "score.tif", "classes.tif", "constraints.tif", "sites.gpkg", "sites.geojson",
            "model.json", "model.yaml"} <= set(names)
    r = c.get(f"{APHT}/files/sites.gpkg")
    assert r.status_code == 200 and r.content[:15] == b"SQLite format 3" and "attachment" in r.headers[
        "content-disposition"]
    import yaml

    model = yaml.safe_load(c.get(f"{APHT}/files/model.yaml").text)
    assert model["name"] == "apht" and model["criteria"]
    assert c.get(f"{APHT}/files/..%2Fmanifest.json").status_code == 404
    assert c.get(f"{APHT}/files/manifest.json").status_code == 404


def test_no_inline_script_or_style_on_the_map_pages(world):
    import re

    c = world.clients["viewer"]
    for path in ("/map", "/map/runs/runs~apht", "/map/compare?a=runs~apht&b=runs~kawasan-industri"):
        html = c.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert " style=" not in html, path


def test_a_study_area_has_its_own_layers_and_tiles(world):
    c = world.clients["viewer"]
    body = c.get("/api/v1/areas/data").json()
    ids = [i["id"] for i in body["layers"]]
    assert ids[0] == "hillshade" and "layer.landcover" in ids and "score" not in ids
    assert "roads" in body["vectors"] and "sites" not in body["vectors"] and body["synthetic"] is True
    z, x, y = _centre_tile(world)
    r = c.get(f"/api/v1/areas/data/tiles/layer.zoning/{z}/{x}/{y}.png")
    assert r.status_code == 200 and r.content[:4] == b"\x89PNG"
    r = c.get(f"/api/v1/areas/data/tiles/score/{z}/{x}/{y}.png")
    assert r.status_code == 404 and r.json()["error"]["field"] == "layer"
    assert c.get("/api/v1/areas/runs~apht").status_code == 404   # a run is not a study area
