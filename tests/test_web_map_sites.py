"""Sites on the map: ranked lists, the check of a drawn, uploaded or point site, licensing started from a site."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from map_fixtures import MapWorld

RUN = "/api/v1/runs/runs~apht"


@pytest.fixture(scope="module")
def world(demo_dir, tmp_path_factory):
    w = MapWorld(tmp_path_factory.mktemp("map-sites"), demo_dir)
    yield w
    w.close()


def _post(world, role, url, **kw):
    csrf = world.csrf[role]
    return world.clients[role].post(url, headers={"X-CSRF-Token": csrf} if csrf else {}, **kw)


def _top_site(world) -> dict:
    return world.clients["viewer"].get(f"{RUN}/sites").json()["sites"][0]


def _square(lon, lat, d=0.004) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d],
                                                [lon - d, lat + d], [lon - d, lat - d]]]}


@pytest.mark.parametrize("by", ["mean", "area_weighted", "topsis"])
def test_the_sites_are_ranked_by_each_method_without_rewriting_the_run(world, demo_dir, by):
    before = (demo_dir / "runs" / "apht" / "sites" / "sites.json").read_bytes()
    body = world.clients["viewer"].get(f"{RUN}/sites", params={"by": by}).json()
    assert body["rank_method"] == by and body["sites"]
    assert [s["rank"] for s in body["sites"]] == sorted(s["rank"] for s in body["sites"])
    assert {"area_ha", "score_mean", "criteria_means", "landcover_shares", "distance_m"} <= set(body["sites"][0])
    assert body["stress"]["top_k"] and all(0 <= s["p_top_k"] <= 1 for s in body["stress"]["sites"])
    assert (demo_dir / "runs" / "apht" / "sites" / "sites.json").read_bytes() == before


def test_an_unknown_ranking_method_is_refused(world):
    r = world.clients["viewer"].get(f"{RUN}/sites", params={"by": "best"})
    assert r.status_code == 422 and set(r.json()) == {"error"}


def test_a_drawn_candidate_site_passes_and_a_drawn_excluded_area_fails_rule_by_rule(world):
    top = _top_site(world)
    good = _post(world, "viewer", f"{RUN}/check",
                 json={"point": {"lon": top["centroid"]["lon"], "lat": top["centroid"]["lat"]}, "radius_m": 60})
    assert good.status_code == 200, good.text
    w, s, e, n = world.clients["viewer"].get(RUN).json()["bounds"]
    bad = _post(world, "viewer", f"{RUN}/check", json={"geometry": _square((w + e) / 2, (s + n) / 2)}).json()
    assert bad["passes"] is False and bad["run"] == "runs~apht" and "/" not in bad["site"]
    failing = [r for r in bad["constraints"] if r["passed"] is False]
    assert failing and all(r["legal_basis"] is not None or r["certainty"] for r in failing)
    assert all(r["certainty_tag"] for r in bad["constraints"])
    assert bad["failing"]["features"] and bad["failing"]["features"][0]["properties"]["rules"]
    assert bad["outline"]["type"] in ("Polygon", "MultiPolygon") and bad["what_would_have_to_change"]


def test_an_uploaded_geojson_gpkg_and_zipped_shapefile_are_checked(world, tmp_path):
    import geopandas as gpd
    from shapely.geometry import shape

    top = _top_site(world)
    geom = _square(top["centroid"]["lon"], top["centroid"]["lat"], 0.002)
    gdf = gpd.GeoDataFrame({"name": ["x"]}, geometry=[shape(geom)], crs=4326)
    gdf.to_file(tmp_path / "s.gpkg", driver="GPKG")
    gdf.to_file(tmp_path / "s.shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for ext in ("shp", "shx", "dbf", "prj"):
            z.write(tmp_path / f"s.{ext}", f"s.{ext}")
    uploads = [("s.geojson", json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": geom}]}).encode()),
        ("s.gpkg", (tmp_path / "s.gpkg").read_bytes()), ("s.zip", buf.getvalue())]
    results = []
    for name, data in uploads:
        r = _post(world, "viewer", f"{RUN}/check/upload", files={"file": (name, data)})
        assert r.status_code == 200, (name, r.text)
        results.append(r.json()["score"]["area_ha"])
    assert max(results) - min(results) < 0.5  # the same site whatever the format


@pytest.mark.parametrize("payload, field", [
    ({"geometry": {"type": "LineString", "coordinates": [[113, -7.8], [113.1, -7.8]]}}, "geometry"),
    ({"point": {"lon": 113.0, "lat": -7.8}}, "radius_m"),
    ({}, "geometry"),
    ({"geometry": _square(10.0, 50.0)}, None),               # outside the study area
    ({"point": {"lon": 113.0, "lat": -7.8}, "radius_m": -5}, None),
])
def test_bad_sites_are_refused_in_the_one_error_shape(world, payload, field):
    r = _post(world, "viewer", f"{RUN}/check", json=payload)
    assert r.status_code == 422, r.text
    assert set(r.json()) == {"error"} and (field is None or r.json()["error"]["field"] == field)


@pytest.mark.parametrize("name, data", [("site.gpkg", b"this is not a geopackage"), ("site.zip", b"{}"),
                                        ("site.geojson", b"\x00\x01binary"), ("site.exe", b"MZ")])
def test_an_upload_that_is_not_what_it_says_is_refused(world, name, data):
    r = _post(world, "viewer", f"{RUN}/check/upload", files={"file": (name, data)})
    assert r.status_code == 422 and set(r.json()) == {"error"}, r.text


def test_licensing_starts_from_a_candidate_site_with_the_run_and_the_check(world):
    top = _top_site(world)
    r = _post(world, "coord", f"{RUN}/licensing", json={"name": "KIHT from the map", "start": "2026-06-01",
                                                         "site_id": top["id"], "regency": "Kabupaten Contoh"})
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert r.json()["url"] == f"/projects/{pid}" and r.json()["template"] == "apht"
    state = world.svc.state(pid)
    assert state["site_geometry"]["type"] in ("Polygon", "MultiPolygon")
    origin = state["site_origin"]
    assert origin["run_id"] == "runs~apht" and origin["site_id"] == top["id"]
    assert origin["check"]["constraints"] and origin["check"]["passes"] in (True, False)
    assert "SYNTHETIC" in state["name"]
    page = world.clients["coord"].get(f"/projects/{pid}")
    assert 'href="/map/runs/runs~apht"' in page.text


def test_a_viewer_may_check_but_not_start_licensing(world):
    top = _top_site(world)
    r = _post(world, "viewer", f"{RUN}/licensing", json={"name": "x", "start": "2026-06-01", "site_id": top["id"]})
    assert r.status_code == 403 and set(r.json()) == {"error"}
    before = len(world.svc.portfolio()["projects"])
    r = _post(world, "coord", f"{RUN}/licensing", json={"name": "x", "start": "2026-06-01", "site_id": 99999})
    assert r.status_code == 404
    assert len(world.svc.portfolio()["projects"]) == before  # nothing written
