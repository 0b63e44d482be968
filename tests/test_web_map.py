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


@pytest.mark.parametrize("role", SIGNED)
def test_every_signed_in_role_may_look(world, role):
    assert world.clients[role].get("/api/v1/data").status_code == 200
    assert world.clients[role].get("/map").status_code == 200


def test_signed_out_is_refused(world):
    r = world.clients["anon"].get("/api/v1/data")
    assert r.status_code == 401 and set(r.json()) == {"error"}
    assert world.clients["anon"].get("/map", follow_redirects=False).status_code == 303


def test_a_server_without_a_data_folder_says_so(tmp_path):
    w = MapWorld(tmp_path, None)
    try:
        r = w.clients["viewer"].get("/api/v1/data")
        assert r.status_code == 404 and "--data" in r.json()["error"]["message"]
        assert "kawasan serve --data DIR" in w.clients["viewer"].get("/map").text
    finally:
        w.close()
