"""kawasan data prepare on a small SYNTHETIC area: grid, DEM, OSM, agency layers, workspace, bad input."""
from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from shapely.geometry import Polygon, box

from kawasan.cli.main import cli
from kawasan.errors import InputError, RasterError, VectorError
from kawasan.sampledata.agency_fixture import bowtie, write_agency_layers
from kawasan.sampledata.dem_tiles import write_tiles
from kawasan.spatial.ingest import agency as ag
from kawasan.spatial.ingest.boundary import read_boundary
from kawasan.spatial.ingest.gridplan import check_fits, plan_grid, utm_crs_for

# a 9 km x 6 km SYNTHETIC regency on the north coast of East Java (lon/lat)
BOX = (113.10, -7.82, 113.18, -7.765)
CONES = [(113.17, -7.87, 400.0)]
COAST = -7.76


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Boundary file (two units), one DEM tile (GeoTIFF) plus an .hgt copy, a small OSM PBF, agency layers."""
    from kawasan.sampledata.osm_fixture import write_synthetic_pbf

    root = tmp_path_factory.mktemp("inputs")
    poly = box(*BOX)
    west = box(BOX[0], BOX[1], (BOX[0] + BOX[2]) / 2, BOX[3])
    east = box((BOX[0] + BOX[2]) / 2, BOX[1], BOX[2], BOX[3])
    gpd.GeoDataFrame({"nama": ["Kecamatan Barat", "Kecamatan Timur"], "kode": ["1", "2"]}, geometry=[west, east],
                     crs="EPSG:4326").to_file(root / "units.geojson", driver="GeoJSON")
    gpd.GeoDataFrame({"nama": ["Kabupaten Uji"]}, geometry=[poly], crs="EPSG:4326").to_file(
        root / "regency.geojson", driver="GeoJSON")
    dem = write_tiles(root / "dem", BOX, arcsec=3, seed=3, coast_lat=COAST, cones=CONES,
                      void=(113.12, -7.79, 0.004))
    hgt = write_tiles(root / "hgt", BOX, arcsec=3, seed=3, coast_lat=COAST, cones=CONES, hgt=("S08E113",))
    write_synthetic_pbf(root / "area.osm.pbf", poly, seed=2, target_ways=3000)
    layers = write_agency_layers(root / "agency", poly, coast_lat=COAST, cones=CONES,
                                 kpi_windows=((113.11, 113.17),), cell_deg=0.002)
    return {"root": root, "units": root / "units.geojson", "regency": root / "regency.geojson", "dem": dem,
            "hgt": hgt, "osm": root / "area.osm.pbf", **layers}


def _args(inputs, out, *extra):
    return ["data", "prepare", "--boundary", str(inputs["units"]), "--where", "nama = 'Kecamatan Barat'",
            "--resolution", "60", "--buffer", "1000", "--out", str(out), *extra]


def _full(inputs):
    return ["--dem", str(inputs["dem"][0]), "--osm", str(inputs["osm"]),
            "--layer", f"zoning={inputs['zoning']}:POLA_RUANG",
            "--layer", f"hazard_flood={inputs['hazard_flood']}:KELAS",
            "--layer", f"hazard_landslide={inputs['hazard_landslide']}:KELAS",
            "--layer", f"soil={inputs['soil']}:JENIS_TANAH"]


# -- grid -------------------------------------------------------------------------------------
@pytest.mark.parametrize("lon,lat,epsg", [
    (95.3, 5.55, 32646),     # Banda Aceh: zone 46 north
    (98.7, 3.6, 32647),      # Medan
    (104.7, -2.98, 32748),   # Palembang: zone 48 south
    (106.8, -6.2, 32748),    # Jakarta
    (113.2, -7.75, 32749),   # Probolinggo
    (116.1, -8.6, 32750),    # Mataram
    (119.4, -5.1, 32750),    # Makassar
    (124.8, 1.5, 32651),     # Manado: north of the equator
    (128.2, -3.7, 32752),    # Ambon
    (140.7, -2.5, 32754),    # Jayapura: zone 54
])
def test_utm_zone_for_indonesia(lon, lat, epsg):
    assert utm_crs_for(lon, lat).to_epsg() == epsg


def test_grid_is_snapped_and_buffered():
    g = plan_grid((700012.3, 9100007.0, 705990.0, 9104001.0), "EPSG:32749", 30.0, 1000.0)
    l, b, r, t = g.bounds
    assert l <= 700012.3 - 1000 and r >= 705990 + 1000 and b <= 9100007 - 1000 and t >= 9104001 + 1000
    for v in (l, b, r, t):
        assert v % 30.0 == 0
    assert g.res == (30.0, 30.0)


def test_geographic_grid_crs_refused():
    with pytest.raises(InputError, match="projected CRS"):
        plan_grid((0, 0, 1, 1), "EPSG:4326", 30.0, 0.0)


def test_a_grid_larger_than_memory_is_planned_by_windows_and_a_tiny_limit_refused():
    g = plan_grid((0, 9_000_000, 600_000, 9_600_000), "EPSG:32749", 10.0, 0.0)   # 60,000 x 60,000 cells
    est = check_fits(g, limit_bytes=8 << 30, halo=100)
    assert est["prepare_bytes"] > 8 << 30                  # the whole grid would not fit ...
    assert est["window"] == 4096 and est["window_bytes"] <= 8 << 30 and est["windows"] == 15 * 15
    small = check_fits(g, limit_bytes=200 << 20, halo=100)  # ... and less memory gives smaller windows
    assert small["window"] < 4096 and small["window"] % 512 == 0 and small["window_bytes"] <= 200 << 20
    with pytest.raises(InputError) as e:
        check_fits(g, limit_bytes=1 << 20, halo=100)
    assert e.value.field == "max_memory" and "512 x 512 cells" in str(e.value) and "--max-memory-gb" in str(e.value)


# -- boundary ---------------------------------------------------------------------------------
def test_boundary_where_picks_one_feature(inputs):
    b = read_boundary(inputs["units"], "nama = 'Kecamatan Timur'")
    assert b.name == "Kecamatan Timur" and b.crs.to_epsg() == 4326


def test_boundary_matching_nothing_lists_the_names(inputs):
    with pytest.raises(VectorError) as e:
        read_boundary(inputs["units"], "nama = 'Kecamatan Utara'")
    assert "Kecamatan Barat" in str(e.value) and "Kecamatan Timur" in str(e.value)


def test_boundary_matching_several_lists_them_and_dissolve_merges(inputs):
    with pytest.raises(VectorError, match="2 features match.*Kecamatan Barat, Kecamatan Timur"):
        read_boundary(inputs["units"], "nama LIKE 'Kecamatan%'")
    b = read_boundary(inputs["units"], "nama LIKE 'Kecamatan%'", dissolve=True)
    assert abs(b.geometry.area - box(*BOX).area) < 1e-9


def test_boundary_bad_where_names_the_fields(inputs):
    with pytest.raises(InputError, match="fields: .*nama"):
        read_boundary(inputs["units"], "name_of_unit = 'x'")


def test_boundary_without_crs_is_refused_unless_assumed(inputs, tmp_path, runner):
    p = tmp_path / "nocrs.geojson"
    # a GeoJSON with a projected-looking "crs": null member is read as EPSG:4326 by GDAL; a Shapefile
    # without .prj has no CRS at all
    gpd.GeoDataFrame({"nama": ["X"]}, geometry=[box(*BOX)]).to_file(tmp_path / "nocrs.shp")
    res = runner.invoke(cli, ["data", "prepare", "--boundary", str(tmp_path / "nocrs.shp"), "--out",
                              str(tmp_path / "ws")])
    assert res.exit_code == 2 and "no CRS" in res.output and "--assume-crs" in res.output
    assert not (tmp_path / "ws").exists()
    b = read_boundary(tmp_path / "nocrs.shp", assume_crs="EPSG:4326")
    assert b.notes and "assumed EPSG:4326" in b.notes[0]
    assert not p.exists()


# -- the workspace ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def workspace(inputs, tmp_path_factory):
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("ws") / "barat"
    res = CliRunner().invoke(cli, _args(inputs, out, *_full(inputs), "--json"))
    assert res.exit_code == 0, res.output
    return out, json.loads(res.output)


def test_workspace_manifest(workspace):
    out, man = workspace
    assert man["kind"] == "kawasan.study_area"
    assert man["crs"] == "EPSG:32749" and man["grid"]["crs"] == "EPSG:32749"
    assert man["synthetic"] is True and "SYNTHETIC" in man["notice"]
    assert man["boundary"]["name"] == "Kecamatan Barat"
    assert json.loads((out / "manifest.json").read_text()) == man
    for name in ("dem", "landcover", "zoning", "hazard_flood", "hazard_landslide", "soil", "aoi"):
        entry = man["layers"][name]
        assert (out / entry["path"]).exists() and len(entry["sha256"]) == 64
    for name in ("roads", "settlements", "rivers"):
        assert man["layers"][name]["kind"] == "vector" and man["layers"][name]["feature_count"] > 0
    roles = {s["role"] for s in man["sources"]}
    assert {"boundary", "dem", "osm", "layer:zoning"} <= roles
    assert all(s.get("sha256") for s in man["sources"])


def test_rasters_share_one_grid_and_the_mask_is_the_boundary(workspace):
    out, man = workspace
    g = man["grid"]
    for name, e in man["layers"].items():
        if e["kind"] != "raster":
            continue
        with rasterio.open(out / e["path"]) as ds:
            assert (ds.width, ds.height) == (g["width"], g["height"]), name
            assert list(ds.transform)[:6] == g["transform"], name
            assert ds.crs.to_epsg() == 32749
    with rasterio.open(out / "aoi.tif") as ds:
        aoi = ds.read(1)
    # the boundary is 4 km x 6 km, the grid adds 1 km on every side
    inside_km2 = aoi.sum() * 0.0036
    west = read_boundary(Path(man["sources"][0]["path"]), "nama = 'Kecamatan Barat'")
    assert abs(inside_km2 - west.to_crs("EPSG:32749").area / 1e6) / inside_km2 < 0.03
    assert aoi[0].sum() == 0 and aoi[:, 0].sum() == 0


def test_agency_categories_are_matched_to_the_standard_tables(workspace):
    out, man = workspace
    assert man["layers"]["zoning"]["categories"]["4"] == "kpi"
    assert set(man["layers"]["hazard_flood"]["categories"].values()) <= {"none", "low", "medium", "high"}
    assert "kpi" in man["layers"]["zoning"]["area_ha_in_boundary"]
    assert man["layers"]["hazard_flood"]["ordinal"] is True


def test_dem_voids_filled_and_reported(workspace):
    out, man = workspace
    assert man["layers"]["dem"]["voids_filled_ha"] > 0
    assert any("voids filled" in w for w in man["warnings"])
    with rasterio.open(out / "dem.tif") as ds:
        dem = ds.read(1)
    assert (dem != -9999).all()


def test_both_presets_run_on_the_workspace(workspace, runner, tmp_path):
    out, _ = workspace
    for preset in ("kawasan-industri", "apht"):
        res = runner.invoke(cli, ["suitability", "run", preset, "--data", str(out), "--out", str(tmp_path / preset),
                                  "--json"])
        assert res.exit_code == 0, res.output
        run = json.loads(res.output)
        with rasterio.open(tmp_path / preset / "classes.tif") as ds:
            classes = ds.read(1)
        with rasterio.open(out / "aoi.tif") as ds:
            aoi = ds.read(1).astype(bool)
        assert (classes[~aoi] == 0).all(), "cells in the buffer must be NoData"
        assert (classes[aoi] > 0).mean() > 0.95
        excluded = sum(c["excluded_ha"] for c in run["constraints"] if c.get("excluded_ha"))
        assert excluded > 0


def test_missing_layers_are_reported_with_the_criteria_they_affect(inputs, tmp_path, runner):
    out = tmp_path / "ws"
    res = runner.invoke(cli, _args(inputs, out, "--dem", str(inputs["dem"][0]), "--osm", str(inputs["osm"]), "--json"))
    assert res.exit_code == 0, res.output
    man = json.loads(res.output)
    missing = {m["layer"]: m for m in man["missing"]}
    assert {"zoning", "soil", "hazard_flood", "hazard_landslide"} <= set(missing)
    soil = {(u["preset"], u["kind"], u["id"], u["effect"]) for u in missing["soil"]["needed_by"]}
    assert ("kawasan-industri", "criterion", "soil", "skipped") in soil
    # the run skips the soil criterion and shares its weight, and skips the hazard constraints
    res = runner.invoke(cli, ["suitability", "run", "kawasan-industri", "--data", str(out), "--out",
                              str(tmp_path / "run"), "--json"])
    assert res.exit_code == 0, res.output
    run = json.loads(res.output)
    assert "soil" not in run["weights"]["global"] and "soil" in run["weights"]["skipped"]
    assert abs(sum(run["weights"]["global"].values()) - 1.0) < 1e-9
    assert any("criterion 'soil' skipped" in w for w in run["warnings"])
    assert any("not_high_flood" in w and "skipped" in w for w in run["warnings"])


def test_agency_landcover_replaces_osm_and_protected_forest_overrides_it(inputs, tmp_path, runner):
    lc = tmp_path / "tutupan.geojson"
    west = box(BOX[0], BOX[1], (BOX[0] + BOX[2]) / 2, BOX[3])
    halves = [box(BOX[0], BOX[1], 113.12, BOX[3]), box(113.12, BOX[1], 113.14, BOX[3])]
    gpd.GeoDataFrame({"KELAS": ["Sawah Irigasi", "Semak Belukar"]}, geometry=halves, crs="EPSG:4326").to_file(lc)
    hl = tmp_path / "hutan_lindung.geojson"
    gpd.GeoDataFrame({"x": [1]}, geometry=[box(113.13, -7.80, 113.135, -7.79)], crs="EPSG:4326").to_file(hl)
    res = runner.invoke(cli, _args(inputs, tmp_path / "ws", "--dem", str(inputs["dem"][0]),
                                   "--layer", f"landcover={lc}:KELAS", "--layer", f"protected_forest={hl}", "--json"))
    assert res.exit_code == 0, res.output
    man = json.loads(res.output)
    cats = man["layers"]["landcover"]["categories"]
    assert cats["4"] == "rice_field" and cats["7"] == "shrub" and cats["2"] == "protected_forest"
    assert man["layers"]["landcover"]["origin"] == "agency"
    assert man["layers"]["landcover"]["area_ha_in_boundary"]["protected_forest"] > 0
    assert west.area > 0


def test_unmatched_values_are_kept_reported_and_can_be_mapped(inputs, tmp_path, runner):
    z = tmp_path / "rtrw.geojson"
    parts = [box(BOX[0], BOX[1], 113.12, BOX[3]), box(113.12, BOX[1], 113.14, BOX[3])]
    gpd.GeoDataFrame({"POLA": ["Kawasan Peruntukan Industri", "Kawasan Pariwisata"]}, geometry=parts,
                     crs="EPSG:4326").to_file(z)
    res = runner.invoke(cli, _args(inputs, tmp_path / "a", "--layer", f"zoning={z}:POLA", "--json"))
    man = json.loads(res.output)
    assert man["layers"]["zoning"]["categories"]["100"] == "Kawasan Pariwisata"
    assert any("Kawasan Pariwisata" in w and "--map zoning=" in w for w in man["warnings"])
    m = tmp_path / "map.csv"
    m.write_text("value,category\nKawasan Pariwisata,settlement\n")
    res = runner.invoke(cli, _args(inputs, tmp_path / "b", "--layer", f"zoning={z}:POLA", "--map", f"zoning={m}",
                                   "--json"))
    man = json.loads(res.output)
    assert man["layers"]["zoning"]["categories"]["3"] == "settlement"
    assert "Kawasan Pariwisata" not in man["layers"]["zoning"]["categories"].values()
    assert set(man["layers"]["zoning"]["area_ha_in_boundary"]) == {"settlement", "kpi"}


@pytest.mark.parametrize("value,table,expected", [
    ("Kawasan Peruntukan Industri", "zoning", "kpi"), ("HUTAN LINDUNG", "zoning", "protected"),
    ("Permukiman Perkotaan", "zoning", "settlement"), ("Pertanian Tanaman Pangan", "zoning", "agriculture"),
    ("Tinggi", "hazard_flood", "high"), ("Sangat Tinggi", "hazard_landslide", "high"),
    ("sedang", "hazard_flood", "medium"), ("3", "hazard_flood", "high"), ("0", "hazard_flood", "none"),
    ("Sawah Irigasi Teknis", "landcover", "rice_field"), ("Hutan Produksi", "landcover", "production_forest"),
    ("Tanah Aluvial", "soil", "aluvial"),
])
def test_category_matching(value, table, expected):
    assert ag.match_category(value, ag.vocabulary(table)) == expected


def test_invalid_geometry_is_repaired_and_reported(inputs, tmp_path, runner):
    z = tmp_path / "zoning_bad.geojson"
    gpd.GeoDataFrame({"POLA": ["Kawasan Peruntukan Industri", "Hutan Lindung"]},
                     geometry=[bowtie(113.12, -7.79, 0.005), box(113.13, -7.80, 113.14, -7.79)],
                     crs="EPSG:4326").to_file(z)
    res = runner.invoke(cli, _args(inputs, tmp_path / "ws", "--layer", f"zoning={z}:POLA", "--json"))
    assert res.exit_code == 0, res.output
    man = json.loads(res.output)
    assert any("1 invalid geometry repaired" in w for w in man["warnings"])
    src = [s for s in man["sources"] if s["role"] == "layer:zoning"][0]
    assert src["repaired"] == 1


def test_lines_and_points_are_kept_as_vectors_and_burned(inputs, tmp_path, runner):
    from shapely.geometry import LineString, Point

    pipes = tmp_path / "pipa.gpkg"
    gpd.GeoDataFrame({"jenis": ["PDAM"]}, geometry=[LineString([(113.105, -7.80), (113.135, -7.78)])],
                     crs="EPSG:4326").to_crs("EPSG:23839").to_file(pipes)
    ports = tmp_path / "ports.geojson"
    gpd.GeoDataFrame({"name": ["A", "broken"]}, geometry=[Point(113.12, -7.77), Point(113.12, -1009.0)],
                     crs="EPSG:4326").to_file(ports)
    res = runner.invoke(cli, _args(inputs, tmp_path / "ws", "--layer", f"water_main={pipes}",
                                   "--layer", f"ports={ports}", "--json"))
    assert res.exit_code == 0, res.output
    man = json.loads(res.output)
    assert man["layers"]["water_main"]["geometry"] == "LineString"
    assert man["layers"]["water_main_cells"]["area_ha_in_boundary"]["water_main"] > 0
    assert man["layers"]["ports"]["feature_count"] == 1
    assert any("impossible coordinates" in w for w in man["warnings"])


def test_srtm_hgt_tiles_are_read(inputs, tmp_path, runner):
    res = runner.invoke(cli, _args(inputs, tmp_path / "ws", "--dem", str(inputs["hgt"][0]), "--json"))
    assert res.exit_code == 0, res.output
    man = json.loads(res.output)
    tile = [s for s in man["sources"] if s["role"] == "dem"][0]
    assert tile["path"].endswith("S08E113.hgt") and tile["crs"] == "EPSG:4326" and tile["max"] > 100
    with rasterio.open(tmp_path / "ws" / "dem.tif") as a, rasterio.open(inputs["dem"][0]) as b:
        assert a.read(1).max() > 50
    assert b.closed


def test_dem_average_resampling_when_coarser(inputs, tmp_path, runner):
    res = runner.invoke(cli, ["data", "prepare", "--boundary", str(inputs["regency"]), "--dem", str(inputs["hgt"][0]),
                              "--resolution", "300", "--buffer", "0", "--out", str(tmp_path / "ws"), "--json"])
    man = json.loads(res.output)
    assert man["layers"]["dem"]["resampling"] == "average"


# -- bad input: exit 2, nothing written ---------------------------------------------------------
def _nothing_written(out: Path):
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.tmp")]


def test_dem_not_covering_the_boundary_says_how_much_is_missing(inputs, tmp_path, runner):
    big = tmp_path / "big.geojson"
    gpd.GeoDataFrame({"nama": ["Besar"]}, geometry=[box(112.9, -7.82, 113.18, -7.765)], crs="EPSG:4326").to_file(big)
    out = tmp_path / "ws"
    res = runner.invoke(cli, ["data", "prepare", "--boundary", str(big), "--dem", str(inputs["dem"][0]),
                              "--resolution", "90", "--out", str(out)])
    assert res.exit_code == 2
    assert "the DEM covers" in res.output and "km²" in res.output and "S08E112" in res.output
    _nothing_written(out)


def test_dem_without_crs_refused_unless_assumed(inputs, tmp_path, runner):
    src = inputs["dem"][0]
    p = tmp_path / "nocrs.tif"
    with rasterio.open(src) as ds:
        prof = ds.profile
        data = ds.read(1)
        transform = ds.transform
    prof.update(crs=None)
    with rasterio.Env(GDAL_PAM_ENABLED="NO"):
        with rasterio.open(p, "w", **prof) as ds:
            ds.write(data, 1)
    assert transform is not None
    out = tmp_path / "ws"
    res = runner.invoke(cli, _args(inputs, out, "--dem", str(p)))
    assert res.exit_code == 2 and "the DEM has no CRS" in res.output
    _nothing_written(out)
    res = runner.invoke(cli, _args(inputs, out, "--dem", str(p), "--assume-crs", "EPSG:4326", "--json"))
    assert res.exit_code == 0, res.output


def test_unreadable_dem_is_refused(inputs, tmp_path, runner):
    p = tmp_path / "S08E113.hgt"
    p.write_bytes(b"not an elevation file")
    res = runner.invoke(cli, _args(inputs, tmp_path / "ws", "--dem", str(p)))
    assert res.exit_code == 2 and str(p) in res.output
    _nothing_written(tmp_path / "ws")


def test_corrupt_pbf_is_refused(inputs, tmp_path, runner):
    p = tmp_path / "broken.osm.pbf"
    p.write_bytes(inputs["osm"].read_bytes()[:5000])
    out = tmp_path / "ws"
    res = runner.invoke(cli, _args(inputs, out, "--osm", str(p)))
    assert res.exit_code == 2 and "broken.osm.pbf" in res.output
    _nothing_written(out)


def test_unknown_attribute_lists_the_attributes(inputs, tmp_path, runner):
    out = tmp_path / "ws"
    res = runner.invoke(cli, _args(inputs, out, "--dem", str(inputs["dem"][0]),
                                   "--layer", f"zoning={inputs['zoning']}:ZONA"))
    assert res.exit_code == 2
    assert "has no attribute 'ZONA'" in res.output and "POLA_RUANG" in res.output
    _nothing_written(out)


def test_every_missing_input_is_named_at_once(inputs, tmp_path, runner):
    """Several missing files: the message names all of them, and nothing is written (issue 11.5)."""
    out = tmp_path / "ws"
    res = runner.invoke(cli, _args(inputs, out, "--dem", str(tmp_path / "a.hgt"), "--osm", str(tmp_path / "b.pbf"),
                                   "--layer", f"zoning={tmp_path / 'c.shp'}:POLA", "--map",
                                   f"zoning={tmp_path / 'd.csv'}"))
    assert res.exit_code == 2
    for name in ("a.hgt", "b.pbf", "c.shp", "d.csv"):
        assert name in res.output, name
    assert "4 inputs" in res.output
    assert not out.exists()


def test_layer_argument_errors(inputs, tmp_path, runner):
    for bad, needle in [("zoning", "NAME=PATH"), ("9x=a.shp", "letters, digits"),
                        (f"zoning={tmp_path / 'nope.shp'}", "file not found")]:
        res = runner.invoke(cli, _args(inputs, tmp_path / "ws", "--layer", bad))
        assert res.exit_code == 2 and needle in res.output, bad
    res = runner.invoke(cli, _args(inputs, tmp_path / "ws", "--layer", f"dem={inputs['zoning']}"))
    assert res.exit_code == 2 and "reserved" in res.output
    res = runner.invoke(cli, _args(inputs, tmp_path / "ws", "--map", f"zoning={inputs['zoning']}"))
    assert res.exit_code == 2


def test_grid_too_large_refused_by_the_cli(inputs, tmp_path, runner):
    out = tmp_path / "ws"
    res = runner.invoke(cli, _args(inputs, out, "--max-memory-gb", "0.0001", "--json"))
    assert res.exit_code == 2 and "needs about" in res.output
    err = json.loads(res.output.strip().splitlines()[-1])
    assert err["field"] == "max_memory"
    _nothing_written(out)


def test_foreign_output_folder_is_never_overwritten(inputs, tmp_path, runner):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    res = runner.invoke(cli, _args(inputs, out))
    assert res.exit_code == 2 and "refusing to overwrite" in res.output
    assert (out / "notes.txt").read_text() == "keep me"


def test_an_earlier_workspace_is_replaced_only_when_the_new_one_is_complete(inputs, tmp_path, runner):
    out = tmp_path / "ws"
    assert runner.invoke(cli, _args(inputs, out)).exit_code == 0
    before = (out / "manifest.json").read_text()
    res = runner.invoke(cli, _args(inputs, out, "--layer", f"zoning={inputs['zoning']}:ZONA"))
    assert res.exit_code == 2
    assert (out / "manifest.json").read_text() == before
    res = runner.invoke(cli, _args(inputs, out, "--dem", str(inputs["dem"][0])))
    assert res.exit_code == 0 and "dem" in json.loads((out / "manifest.json").read_text())["layers"]


def _next_command(output: str) -> list[str]:
    import shlex

    line = next(ln for ln in output.splitlines() if ln.startswith("Next: "))
    return shlex.split(line[line.index("kawasan "):])[1:]


def test_human_summary_lists_layers_and_next_step(inputs, tmp_path, runner):
    """Every command the summary prints runs as printed (issue 11.5), paths with spaces included."""
    out = tmp_path / "my work" / "ws"
    res = runner.invoke(cli, _args(inputs, out, "--dem", str(inputs["dem"][0]), "--osm", str(inputs["osm"])))
    assert res.exit_code == 0, res.output
    assert "Kecamatan Barat" in res.output and "EPSG:32749" in res.output
    args = _next_command(res.output)
    assert args[:3] == ["suitability", "run", "apht"]
    run = runner.invoke(cli, args)
    assert run.exit_code == 0, run.output
    # a boundary-only workspace: no preset can run yet, so the suggestion is the download (and it parses)
    res = runner.invoke(cli, _args(inputs, tmp_path / "my work" / "bare"))
    assert res.exit_code == 0, res.output
    assert "lacks" in res.output and "landcover" in res.output
    args = _next_command(res.output)
    assert args[:2] == ["data", "fetch"]
    ctx = cli.make_context("kawasan", list(args[:1]))
    fetch = cli.commands["data"].commands["fetch"]
    fctx = fetch.make_context("fetch", list(args[2:]), parent=ctx)
    assert Path(fctx.params["boundary"]).exists() and fctx.params["where"] == "nama = 'Kecamatan Barat'"
    res = runner.invoke(cli, ["--lang", "id", *_args(inputs, tmp_path / "ws2")])
    assert "Wilayah studi ditulis" in res.output


def test_polygon_mask_layer(inputs, tmp_path):
    from kawasan.spatial.ingest.gridplan import plan_grid as pg

    b = read_boundary(inputs["regency"]).to_crs("EPSG:32749")
    grid = pg(b.bounds, "EPSG:32749", 100.0, 0.0)
    p = tmp_path / "lp2b.geojson"
    gpd.GeoDataFrame({"id": [1]}, geometry=[Polygon([(113.11, -7.81), (113.13, -7.81), (113.13, -7.79)])],
                     crs="EPSG:4326").to_file(p)
    layer = ag.prepare_layer(ag.LayerArg("lp2b", p, None), grid)
    assert layer.kind == "mask" and set(np.unique(layer.array)) == {0, 1}


# -- the reference page matches the code -----------------------------------------------------------
DOC = Path(__file__).resolve().parents[1] / "docs" / "reference" / "prepare.md"


def test_reference_category_tables_are_current():
    text = DOC.read_text()
    begin = text.index("<!-- categories:begin")
    block = text[text.index("-->", begin) + 4: text.index("<!-- categories:end -->")]
    assert block == ag.category_tables_markdown(), "docs/reference/prepare.md category tables are stale"


def test_reference_documents_every_manifest_key(workspace):
    _, man = workspace
    text = DOC.read_text()
    for key in man:
        assert f"`{key}`" in text, f"manifest key {key} not documented in docs/reference/prepare.md"
    for key in man["boundary"]:
        assert f"`{key}`" in text, key


def test_a_value_the_workspace_declares_but_lacks_is_beyond_reach_not_an_error(workspace, tmp_path, runner):
    """A kecamatan without a town: the trade-centre criterion counts every cell as beyond reach.

    Without a town_centres layer (an earlier workspace) the criterion falls back to the towns of the
    settlements layer, says it read a proxy, and there are none here."""
    import shutil

    import pyogrio

    out, man = workspace
    ws = tmp_path / "ws"
    shutil.copytree(out, ws)
    for f in ws.glob("town_centres.*"):
        f.unlink()
    gdf = pyogrio.read_dataframe(ws / "settlements.gpkg")
    gdf = gdf[gdf["kind"] != "town"]
    (ws / "settlements.gpkg").unlink()
    pyogrio.write_dataframe(gdf, ws / "settlements.gpkg", layer="settlements", driver="GPKG")
    assert json.loads((ws / "manifest.json").read_text())["layers"]["settlements"]["vocabulary"]["kind"] == [
        "town", "village"]
    res = runner.invoke(cli, ["suitability", "run", "kawasan-industri", "--data", str(ws), "--out",
                              str(tmp_path / "run"), "--json"])
    assert res.exit_code == 0, res.output
    run = json.loads(res.output)
    assert any("no features matching {'kind': ['town']}" in w for w in run["warnings"])
    assert {"kind": "criterion", "id": "trade_centre", "layer": "settlements"}.items() <= next(
        p for p in run["proxies"] if p["id"] == "trade_centre").items()
    # a value outside the declared vocabulary is still refused as a likely typo
    model = tmp_path / "m.yaml"
    text = runner.invoke(cli, ["suitability", "show", "kawasan-industri"]).output.replace(
        "kind: [town]", "kind: [towm]")
    model.write_text(text)
    res = runner.invoke(cli, ["suitability", "run", str(model), "--data", str(ws), "--out", str(tmp_path / "r2")])
    assert res.exit_code == 2 and "no features matching" in res.output


# -- issue 10: raster agency layers, legal-status tables, road status and toll gates from OSM ---------
def _raster_4326(path, arr, bounds, *, nodata=None, dtype=None):
    """A GeoTIFF in EPSG:4326 over ``bounds`` (lon/lat), the way InaRISK publishes its rasters."""
    from rasterio.transform import from_bounds

    h, w = arr.shape
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=1, dtype=dtype or arr.dtype,
                       crs="EPSG:4326", transform=from_bounds(*bounds, w, h), nodata=nodata) as ds:
        ds.write(arr.astype(dtype or arr.dtype), 1)


def test_raster_agency_layers_are_classed_resampled_and_checked_for_coverage(inputs, tmp_path, runner):
    """An InaRISK-style risk GeoTIFF (classes 1-3, NoData where no risk) in another CRS, finer than the grid:
    matched to the standard classes and resampled by mode; one that misses the area is refused."""
    wide = (BOX[0] - 0.01, BOX[1] - 0.01, BOX[2] + 0.01, BOX[3] + 0.01)
    n = 500                                   # ~20 m cells: finer than the 60 m grid
    risk = np.full((n, n), 1, np.uint8)
    risk[:, : n // 2] = 3                     # the western half: high risk
    risk[: n // 3, :] = 0                     # NoData in the north (no risk mapped there)
    _raster_4326(tmp_path / "risiko_banjir.tif", risk, wide, nodata=0)
    out = tmp_path / "ws"
    res = runner.invoke(cli, _args(inputs, out, "--layer", f"risk_flood={tmp_path / 'risiko_banjir.tif'}", "--json"))
    assert res.exit_code == 0, res.output
    man = json.loads(res.output)
    entry = man["layers"]["risk_flood"]
    assert entry["categories"]["3"] == "high" and entry["categories"]["1"] == "low" and entry.get("ordinal")
    src = next(s for s in man["sources"] if s["role"] == "layer:risk_flood")
    assert src["kind"] == "raster" and src["resampling"] == "mode" and src["crs"] == "EPSG:4326"
    assert any("NoData in the raster" in w for w in man["warnings"])
    from pyproj import Transformer

    with rasterio.open(out / "risk_flood.tif") as ds:
        arr = ds.read(1)
        row = arr.shape[0] - 3                                  # a southern row, inside the raster's data
        xs = ds.transform.c + (np.arange(ds.width) + 0.5) * ds.transform.a
        ys = np.full(xs.shape, ds.transform.f + (row + 0.5) * ds.transform.e)
    lon = Transformer.from_crs(man["crs"], "EPSG:4326", always_xy=True).transform(xs, ys)[0]
    split = (wide[0] + wide[2]) / 2
    assert set(np.unique(arr[row][lon < split - 0.002])) == {3}       # high west of the split
    assert set(np.unique(arr[row][lon > split + 0.002])) == {1}       # low east of it
    # a raster that covers only part of the boundary is refused, naming the share
    part = (BOX[0] - 0.01, BOX[1] - 0.01, BOX[0] + (BOX[2] - BOX[0]) / 4, BOX[3] + 0.01)   # half the unit
    _raster_4326(tmp_path / "setengah.tif", risk, part, nodata=0)
    res = runner.invoke(cli, _args(inputs, tmp_path / "ws2", "--layer", f"risk_flood={tmp_path / 'setengah.tif'}"))
    assert res.exit_code == 2 and "covers only" in res.output and "setengah.tif" in res.output
    # a fractional risk index under a category name is refused: a class raster is needed
    _raster_4326(tmp_path / "indeks.tif", np.linspace(0, 1, n * n).reshape(n, n).astype(np.float32), wide)
    res = runner.invoke(cli, _args(inputs, tmp_path / "ws3", "--layer", f"risk_flood={tmp_path / 'indeks.tif'}"))
    assert res.exit_code == 2 and "fractional" in res.output and "--map" in res.output
    # a raster takes no attribute
    res = runner.invoke(cli, _args(inputs, tmp_path / "ws4", "--layer",
                                   f"risk_flood={tmp_path / 'risiko_banjir.tif'}:KELAS"))
    assert res.exit_code == 2 and "takes no attribute" in res.output


def test_a_raster_layer_without_crs_takes_the_assumed_one_whole_or_by_windows(inputs, tmp_path, runner):
    """A class raster whose file has no CRS, prepared with --assume-crs EPSG:4326: the same cells as the same
    raster with its CRS written in, whether the grid is prepared whole or by windows (the whole-grid warp
    once ignored the assumed CRS and gave a layer of NoData only)."""
    from rasterio.transform import from_bounds

    wide = (BOX[0] - 0.01, BOX[1] - 0.01, BOX[2] + 0.01, BOX[3] + 0.01)
    risk = np.full((300, 300), 1, np.uint8)
    risk[:, :150] = 3
    _raster_4326(tmp_path / "with_crs.tif", risk, wide, nodata=0)
    with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open(
            tmp_path / "no_crs.tif", "w", driver="GTiff", width=300, height=300, count=1, dtype="uint8",
            transform=from_bounds(*wide, 300, 300), nodata=0) as ds:
        ds.write(risk, 1)
    res = runner.invoke(cli, _args(inputs, tmp_path / "ref", "--layer", f"risk_flood={tmp_path / 'with_crs.tif'}"))
    assert res.exit_code == 0, res.output
    with rasterio.open(tmp_path / "ref" / "risk_flood.tif") as ds:
        expected = ds.read(1)
    assert set(np.unique(expected)) >= {1, 3}
    res = runner.invoke(cli, _args(inputs, tmp_path / "whole", "--layer", f"risk_flood={tmp_path / 'no_crs.tif'}",
                                   "--assume-crs", "EPSG:4326"))
    assert res.exit_code == 0, res.output
    from kawasan.spatial.ingest.prepare import PrepareRequest, prepare

    windowed = prepare(PrepareRequest(boundary=inputs["units"], where="nama = 'Kecamatan Barat'",
                                      out=tmp_path / "w32", resolution=60.0, buffer_m=1000.0, assume_crs="EPSG:4326",
                                      layers=[ag.LayerArg("risk_flood", tmp_path / "no_crs.tif", None)], window=32))
    assert windowed.manifest["memory_estimate"]["windows"] > 1
    for out in (tmp_path / "whole", tmp_path / "w32"):
        with rasterio.open(out / "risk_flood.tif") as ds:
            assert np.array_equal(ds.read(1), expected), out.name


@pytest.mark.parametrize("value, table, expected", [
    ("HPT", "kawasan_hutan", "limited_production"), ("Hutan Produksi Terbatas", "kawasan_hutan", "limited_production"),
    ("Hutan Produksi yang dapat Dikonversi", "kawasan_hutan", "convertible_production"),
    ("HP", "kawasan_hutan", "production"), ("Hutan Lindung", "kawasan_hutan", "protection"),
    ("Taman Nasional", "kawasan_hutan", "conservation"), ("APL", "kawasan_hutan", "non_forest"),
    ("KRB III", "volcano_krb", "krb_iii"), ("Kawasan Rawan Bencana II", "volcano_krb", "krb_ii"),
    ("KRB I", "volcano_krb", "krb_i"), ("Tinggi", "risk_flood", "high"),
])
def test_legal_status_categories(value, table, expected):
    assert ag.match_category(value, ag.vocabulary(table)) == expected


def test_forest_status_lp2b_mask_and_osm_road_status_toll_gates_power(inputs, tmp_path, runner):
    """kawasan_hutan polygons with their function, an LP2B file without attribute (a mask), and the roads,
    toll gates and power lines OpenStreetMap gives."""
    west = box(BOX[0], BOX[1], (BOX[0] + BOX[2]) / 2, BOX[3])
    mid = (BOX[1] + BOX[3]) / 2
    south, north = box(BOX[0], BOX[1], BOX[2], mid), box(BOX[0], mid, BOX[2], BOX[3])
    gpd.GeoDataFrame({"FUNGSI": ["Hutan Produksi", "APL"]}, geometry=[south, north], crs="EPSG:4326").to_file(
        tmp_path / "kh.geojson", driver="GeoJSON")
    gpd.GeoDataFrame({"id": [1]}, geometry=[west.buffer(-0.01)], crs="EPSG:4326").to_file(
        tmp_path / "lp2b.geojson", driver="GeoJSON")
    out = tmp_path / "ws"
    res = runner.invoke(cli, _args(inputs, out, "--dem", str(inputs["dem"][0]), "--osm", str(inputs["osm"]),
                                   "--layer", f"kawasan_hutan={tmp_path / 'kh.geojson'}:FUNGSI",
                                   "--layer", f"lp2b={tmp_path / 'lp2b.geojson'}", "--json"))
    assert res.exit_code == 0, res.output
    man = json.loads(res.output)
    assert {"production", "non_forest"} <= set(man["layers"]["kawasan_hutan"]["area_ha_in_boundary"])
    assert man["layers"]["lp2b"]["categories"]["1"] == "lp2b"
    roads = gpd.read_file(out / "roads.gpkg")
    assert {"status", "status_source", "entry"} <= set(roads.columns)
    by_ref = roads[roads["ref"] == "AH 2"]
    assert len(by_ref) and set(by_ref["status"]) == {"national"} and set(by_ref["status_source"]) == {"ref"}
    trunk = roads[roads["highway"] == "trunk"]
    assert set(trunk["status"]) == {"national"} and set(trunk["status_source"]) == {"OSM highway class (proxy)"}
    toll = roads[roads["highway"] == "motorway"]
    assert len(toll) and set(toll["entry"]) == {"gates"} and set(roads[roads["highway"] != "motorway"]["entry"]) == {"any"}
    gates = gpd.read_file(out / "toll_gates.gpkg")
    assert len(gates) >= 1 and set(gates["kind"]) == {"junction"}
    assert gates.geometry.distance(toll.geometry.union_all()).max() < 1.0      # the gates are on the toll road
    power = gpd.read_file(out / "power_lines.gpkg")
    assert set(power["voltage_kv"]) == {150.0}                                 # the 20 kV minor line is left out
    # the presets read them: the APHT arterial rule reports where the status of its roads came from
    run = runner.invoke(cli, ["suitability", "run", "apht", "--data", str(out), "--out", str(tmp_path / "run"),
                              "--json"])
    assert run.exit_code == 0, run.output
    rule = next(c for c in json.loads(run.output)["constraints"] if c["id"] == "on_national_arterial")
    assert rule["read"]["role"] == "source" and rule["read"]["also"] == ["toll_gates"]
    assert set(rule["read"]["basis"]["status"]) <= {"ref", "OSM highway class (proxy)"}
    forest = next(c for c in json.loads(run.output)["constraints"] if c["id"] == "not_state_forest")
    assert forest["read"]["layer"] == "kawasan_hutan" and forest["excluded_ha"] > 0
