"""New study area from the browser: uploads checked to be what they say, the feature picked, nothing written
on a refusal, ``data prepare`` as a job whose warnings are shown and whose uploads are removed afterwards.

Inputs are SYNTHETIC (kawasan.sampledata): a two-unit boundary, one DEM tile and a small OSM PBF.
"""
from __future__ import annotations

import dataclasses
import zipfile

import geopandas as gpd
import pytest
from shapely.geometry import box

from web_fixtures import World

BOX = (113.10, -7.82, 113.18, -7.765)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    from kawasan.sampledata.dem_tiles import write_tiles
    from kawasan.sampledata.osm_fixture import write_synthetic_pbf

    root = tmp_path_factory.mktemp("newarea-inputs")
    west = box(BOX[0], BOX[1], (BOX[0] + BOX[2]) / 2, BOX[3])
    east = box((BOX[0] + BOX[2]) / 2, BOX[1], BOX[2], BOX[3])
    units = gpd.GeoDataFrame({"nama": ["Kecamatan Barat", "Kecamatan Timur"], "kode": ["1", "2"]},
                             geometry=[west, east], crs="EPSG:4326")
    units.to_file(root / "units.geojson", driver="GeoJSON")
    (root / "shp").mkdir()
    units.to_file(root / "shp" / "units.shp")
    with zipfile.ZipFile(root / "units.zip", "w") as z:
        for p in (root / "shp").iterdir():
            z.write(p, p.name)
    dem = write_tiles(root / "dem", BOX, arcsec=3, seed=3, coast_lat=-7.76, cones=[(113.17, -7.87, 400.0)])
    write_synthetic_pbf(root / "area.osm.pbf", box(*BOX), seed=2, target_ways=800)
    (root / "fake.osm.pbf").write_text("this is not a PBF file")
    (root / "fake.tif").write_text("not a raster")
    return {"root": root, "units": root / "units.geojson", "zip": root / "units.zip", "dem": dem[0],
            "osm": root / "area.osm.pbf", "fake_pbf": root / "fake.osm.pbf", "fake_tif": root / "fake.tif"}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from kawasan.jobs.queue import make_huey

    folder = tmp_path_factory.mktemp("web-newarea")
    w = World("sqlite", folder)
    w.root = folder / "data"
    w.root.mkdir()
    w.app.state.web = dataclasses.replace(w.app.state.web, data_dir=w.root)
    w.app.state.queue = make_huey(f"sqlite:///{folder / 'queue.db'}")
    yield w
    w.close()


def _post(world, role, data, files):
    return world.clients[role].post("/api/v1/analysis/studyareas", data=data, files=files,
                                    headers={"X-CSRF-Token": world.csrf[role] or ""})


def _f(path, name=None):
    return (name or path.name, path.read_bytes(), "application/octet-stream")


def _nothing_written(world, name):
    assert not (world.root / "studyareas" / name).exists()
    uploads = world.root / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []


@pytest.mark.parametrize("case", ["no-feature", "fake-pbf", "fake-dem", "not-a-boundary", "bad-name", "outside"])
def test_an_upload_that_is_not_what_it_says_is_refused_and_nothing_is_written(world, inputs, case):
    data = {"name": f"bad-{case}", "feature": "Kecamatan Barat"}
    files = [("boundary", _f(inputs["units"]))]
    field = {"no-feature": "where", "fake-pbf": "osm", "fake-dem": "dem", "not-a-boundary": None,
             "bad-name": "name", "outside": "boundary"}[case]
    if case == "no-feature":
        data["feature"] = "Kecamatan Utara"
    elif case == "fake-pbf":
        files.append(("osm", _f(inputs["fake_pbf"])))
    elif case == "fake-dem":
        files.append(("dem", _f(inputs["fake_tif"])))
    elif case == "not-a-boundary":
        files = [("boundary", _f(inputs["fake_tif"], "units.geojson"))]
    elif case == "bad-name":
        data["name"] = "../etc"
    elif case == "outside":
        files, data["boundary_path"] = [], "../../../etc/passwd"
    before = len(world.app.state.jobs.list())
    r = _post(world, "coord", data, files)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["message"] and (field is None or err["field"] == field), err
    if case == "no-feature":
        assert "Kecamatan Barat" in err["message"] and "Kecamatan Timur" in err["message"]  # the names to pick from
    assert len(world.app.state.jobs.list()) == before
    _nothing_written(world, data["name"] if case != "bad-name" else "etc")


def test_a_viewer_cannot_prepare(world, inputs):
    r = _post(world, "viewer", {"name": "by-viewer", "feature": "Kecamatan Barat"},
              [("boundary", _f(inputs["units"]))])
    assert r.status_code == 403
    _nothing_written(world, "by-viewer")


def test_upload_prepare_as_a_job_and_see_the_warnings(world, inputs):
    from kawasan.jobs.runners import run_job

    r = _post(world, "coord", {"name": "barat", "feature": "Kecamatan Barat", "resolution": "60"},
              [("boundary", _f(inputs["units"])), ("dem", _f(inputs["dem"])), ("osm", _f(inputs["osm"]))])
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["kind"] == "prepare" and job["status"] == "queued" and "Kecamatan Barat" in job["title"]
    assert not (world.root / "studyareas" / "barat").exists()  # the request only queued it
    assert run_job(job["id"], world.app.state.jobs) == "finished"
    done = world.clients["viewer"].get(f"/api/v1/jobs/{job['id']}").json()
    assert done["status"] == "finished" and done["links"]["analysis"] == "/analysis?area=barat"
    assert done["result"]["warnings"], done  # e.g. the optional layers no agency file gave
    assert (world.root / "studyareas" / "barat" / "manifest.json").is_file()
    assert list((world.root / "uploads").iterdir()) == []  # the uploads went with the job
    page = world.clients["viewer"].get("/analysis/new-area").text
    assert done["result"]["warnings"][0][:30] in page.replace("&#39;", "'").replace("&#34;", '"')
    areas = world.clients["viewer"].get("/api/v1/analysis/studyareas").json()["items"]
    assert "barat" in [a["name"] for a in areas]
    again = _post(world, "coord", {"name": "barat", "feature": "Kecamatan Barat"}, [("boundary", _f(inputs["units"]))])
    assert again.status_code == 422 and again.json()["error"]["field"] == "name"


def test_a_zipped_shapefile_and_a_file_on_the_server(world, inputs):
    import shutil

    r = _post(world, "coord", {"name": "timur-zip", "feature": "Kecamatan Timur"}, [("boundary", _f(inputs["zip"]))])
    assert r.status_code == 202, r.text
    (world.root / "incoming").mkdir(exist_ok=True)
    shutil.copy(inputs["units"], world.root / "incoming" / "units.geojson")
    r = _post(world, "coord", {"name": "timur-server", "where": "kode = '2'", "boundary_path": "units.geojson"}, [])
    assert r.status_code == 202, r.text
    page = world.clients["coord"].get("/analysis/new-area").text
    assert 'value="units.geojson"' in page  # offered in the server-file list
