"""kawasan screen: a model over a province, per regency (kawasan.spatial.screening.run)."""
from __future__ import annotations

import csv
import json

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from kawasan.cli.main import cli

CLASSES = ["nodata", "S1", "S2", "S3", "N1", "N2", "excluded"]


@pytest.fixture(scope="module")
def demo_regions(tmp_path_factory):
    """The demo's grid cut into three SYNTHETIC regencies, and a fourth far outside it."""
    x0, y0, x1, y1 = 700000.0, 9109800.0, 760000.0, 9150000.0
    w = (x1 - x0) / 3
    geoms = [box(x0 + i * w, y0, x0 + (i + 1) * w, y1) for i in range(3)] + [box(900000, 9000000, 910000, 9010000)]
    path = tmp_path_factory.mktemp("regions") / "regions.geojson"
    gpd.GeoDataFrame({"kode": ["35.01", "35.02", "35.03", "35.04"],
                      "nama": ["Kabupaten Barat", "Kabupaten Tengah", "Kabupaten Timur", "Kabupaten Jauh"]},
                     geometry=geoms, crs="EPSG:32749").to_crs("EPSG:4326").to_file(path)
    return path


def test_screen_demo_per_regency(runner, demo_dir, demo_regions, tmp_path, shared_data):
    out = tmp_path / "screen"
    r = runner.invoke(cli, ["screen", "kawasan-industri", "--boundaries", str(demo_regions), "--data",
                            str(demo_dir / "data"), "--out", str(out), "--pdrb",
                            str(shared_data / "economy" / "pdrb_total_jatim_2010_2023.csv")])
    assert r.exit_code == 0, r.output
    assert "Kabupaten Jauh (3504): outside the study area" in r.output
    res = json.loads((out / "screen.json").read_text())
    rows = {x["name"]: x for x in res["regencies"]}
    assert len(rows) == 4 and rows["Kabupaten Jauh"]["status"] == "outside_study_area"
    assert [m["name"] for m in res["missing"]] == ["Kabupaten Jauh"]
    run = json.loads((out / "run" / "manifest.json").read_text())
    total = 0.0
    for name in ("Kabupaten Barat", "Kabupaten Tengah", "Kabupaten Timur"):
        x = rows[name]
        assert x["status"] == "ok"
        assert abs(sum(x[f"{c}_ha"] for c in CLASSES) - x["area_ha"]) < 0.1
        total += x["area_ha"]
    # the three regencies tile the grid: their class hectares add up to the run's
    for c in run["classes"]:
        assert abs(sum(rows[n][f"{c['class']}_ha"] for n in ("Kabupaten Barat", "Kabupaten Tengah",
                                                              "Kabupaten Timur")) - c["area_ha"]) < 0.5
    # every candidate site is counted once, in one regency
    assert sum(x.get("sites", 0) for x in rows.values()) == len(res["sites"]) > 0
    assert abs(sum(x.get("site_ha", 0) for x in rows.values()) - sum(s["area_ha"] for s in res["sites"])) < 0.1
    # land and economy together: the combined rank orders the combined score
    ranked = sorted((x for x in rows.values() if x.get("combined_rank")), key=lambda x: x["combined_rank"])
    assert [x["combined_score"] for x in ranked] == sorted((x["combined_score"] for x in ranked), reverse=True)
    assert res["combined_rank"]["certainty"] == "design"
    with open(out / "screen.csv", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == 4 and all(t["data"] == "SYNTHETIC" for t in table)
    layers = gpd.list_layers(out / "screen.gpkg")["name"].tolist()
    assert layers == ["regencies", "sites"]
    for lang, word in (("id", "SINTETIS"), ("en", "SYNTHETIC")):
        html = (out / f"report-{lang}.html").read_text(encoding="utf-8")
        assert word in html and "<svg" in html and "Kabupaten Jauh" in html and "http" not in html.split("<svg")[0]


def test_screen_bad_input_exit_2(runner, demo_dir, demo_regions, tmp_path):
    base = ["screen", "kawasan-industri", "--data", str(demo_dir / "data")]
    nocode = tmp_path / "nocode.geojson"
    gpd.GeoDataFrame({"nama": ["A"]}, geometry=[box(0, 0, 1, 1)], crs="EPSG:4326").to_file(nocode)
    r = runner.invoke(cli, [*base, "--boundaries", str(nocode), "--out", str(tmp_path / "o1")])
    assert r.exit_code == 2 and "nocode.geojson" in r.output and "code" in r.output
    r = runner.invoke(cli, [*base, "--boundaries", str(demo_regions), "--out", str(tmp_path / "o2"),
                            "--land-weight", "2"])
    assert r.exit_code == 2 and "--land-weight" in r.output
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep")
    r = runner.invoke(cli, [*base, "--boundaries", str(demo_regions), "--out", str(other)])
    assert r.exit_code == 2 and (other / "mine.txt").read_text() == "keep"
    assert not any(p.name.startswith(".o") for p in tmp_path.iterdir())
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "manifest.json").write_text(json.dumps({"kind": "kawasan.screen"}))
    r = runner.invoke(cli, [*base, "--boundaries", str(demo_regions), "--out", str(earlier)])
    assert r.exit_code == 2 and "earlier" in r.output and "--overwrite" in r.output
    assert (earlier / "manifest.json").exists()
    dup = tmp_path / "dup.geojson"
    gpd.GeoDataFrame({"kode": ["35.01", "35.01"], "nama": ["A", "B"]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
                     crs="EPSG:4326").to_file(dup)
    r = runner.invoke(cli, [*base, "--boundaries", str(dup), "--out", str(tmp_path / "o3")])
    assert r.exit_code == 2 and "dup.geojson" in r.output and "share one code" in r.output


def test_screen_api_refusals_name_the_value_in_both_languages(demo_dir, demo_regions, tmp_path):
    """The Python API's own checks (the command line's option ranges catch the land weight first)."""
    from kawasan.errors import InputError, OutputError
    from kawasan.spatial.screening.run import ScreenRequest, screen

    req = ScreenRequest("kawasan-industri", demo_dir / "data", demo_regions, tmp_path / "o", land_weight=1.5)
    with pytest.raises(InputError) as e:
        screen(req)
    assert e.value.field == "--land-weight" and "got 1.5" in str(e.value)
    assert e.value.message.text("id") == "bobot lahan harus di antara 0 dan 1; yang diberikan 1,5"
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "manifest.json").write_text(json.dumps({"kind": "kawasan.screen"}))
    with pytest.raises(OutputError) as e:
        screen(ScreenRequest("kawasan-industri", demo_dir / "data", demo_regions, earlier))
    assert "--overwrite" in e.value.message.text("id") and str(earlier) == e.value.source


@pytest.mark.shared_data
def test_screen_east_java_real_boundaries_synthetic_terrain(runner, shared_data, tmp_path):
    """The 38 real regencies and cities of East Java (../shared/data) on SYNTHETIC terrain and OSM generated
    over the province (500 m cells to stay small), joined to the real PDRB and IPM tables."""
    from kawasan.sampledata.dem_tiles import write_tiles
    from kawasan.sampledata.osm_fixture import write_synthetic_pbf
    from kawasan.spatial.ingest.boundary import read_boundary

    bfile = shared_data / "boundaries" / "jatim_kabkota.geojson"
    wgs = read_boundary(bfile, None, None, dissolve=True).to_wgs84()
    write_synthetic_pbf(tmp_path / "jatim.osm.pbf", wgs, seed=2, target_ways=3000, sea_side="north")
    dem = write_tiles(tmp_path / "dem", wgs.bounds, arcsec=30, seed=2, coast_lat=-6.9,
                      cones=[(112.95, -7.94, 2100.0), (113.57, -7.97, 2600.0), (111.2, -7.6, 3200.0)])
    args = ["data", "prepare", "--boundary", str(bfile), "--dissolve", "--osm", str(tmp_path / "jatim.osm.pbf"),
            "--resolution", "500", "--out", str(tmp_path / "ws")]
    for p in dem:
        args += ["--dem", str(p)]
    r = runner.invoke(cli, args)
    assert r.exit_code == 0, r.output
    out = tmp_path / "screen"
    r = runner.invoke(cli, ["screen", "kawasan-industri", "--boundaries", str(bfile), "--data", str(tmp_path / "ws"),
                            "--out", str(out), "--pdrb", str(shared_data / "economy" / "pdrb_total_jatim_2010_2023.csv"),
                            "--ipm", str(shared_data / "economy" / "ipm_jatim_long.csv")])
    assert r.exit_code == 0, r.output
    res = json.loads((out / "screen.json").read_text())
    assert res["synthetic"] and len(res["regencies"]) == 38
    ok = [x for x in res["regencies"] if x["status"] == "ok"]
    assert len(ok) + len(res["missing"]) == 38 and len(ok) >= 30
    assert sum(x["sites"] for x in ok) == len(res["sites"]) > 0
    ranked = [x for x in ok if x.get("combined_rank")]
    assert len(ranked) >= 30 and min(x["combined_rank"] for x in ranked) == 1
    assert all(x.get("economy_rank") for x in ranked)
    surabaya = next(x for x in res["regencies"] if x["name"] == "Kota Surabaya")
    assert surabaya["economy_rank"] == 1     # the real PDRB and IPM: Surabaya leads East Java's economy
    assert np.isfinite([x["land_score"] for x in ok]).all()


def _output_bytes(folder) -> dict:
    """Every file under ``folder`` by relative path -> bytes; the two manifests without their clock fields
    (``created``, ``timings``: the documented exceptions of "same inputs, same bytes")."""
    files = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            files[p.relative_to(folder).as_posix()] = p.read_bytes()
    for name in ("manifest.json", "run/manifest.json"):
        manifest = json.loads(files.pop(name))
        assert manifest.pop("created")
        manifest.pop("timings", None)
        files[name] = json.dumps(manifest, sort_keys=True).encode()
    return files


def test_screen_same_inputs_same_bytes(runner, demo_dir, demo_regions, tmp_path, shared_data):
    """Two screenings of the same inputs write the same files, byte for byte: screen.csv, screen.json, the
    GeoPackage (its gpkg_contents.last_change is not the clock), the reports and the run's rasters."""
    outputs = []
    for name in ("a", "b"):
        out = tmp_path / name
        r = runner.invoke(cli, ["screen", "kawasan-industri", "--boundaries", str(demo_regions), "--data",
                                str(demo_dir / "data"), "--out", str(out), "--pdrb",
                                str(shared_data / "economy" / "pdrb_total_jatim_2010_2023.csv")])
        assert r.exit_code == 0, r.output
        outputs.append(_output_bytes(out))
    a, b = outputs
    assert {"screen.csv", "screen.json", "screen.gpkg", "report-en.html", "report-id.html"} <= set(a)
    assert sorted(a) == sorted(b)
    assert [name for name in a if a[name] != b[name]] == []
