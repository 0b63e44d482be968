"""kawasan data prepare on odd but plausible inputs (review of issue 4): multi-layer GeoPackages, repaired
polygons that come back as collections, DEM scale/offset and zipped tiles, standard layers without classes,
agency polygons under OSM vector names, grid CRS and memory options. All inputs SYNTHETIC."""
from __future__ import annotations

import json
import zipfile

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from shapely.geometry import MultiPolygon, Point, Polygon, box

from kawasan.cli.main import cli
from kawasan.errors import InputError, VectorError
from kawasan.spatial.ingest import agency as ag
from kawasan.spatial.ingest.boundary import read_boundary
from kawasan.spatial.ingest.dem import prepare_dem
from kawasan.spatial.ingest.gridplan import check_fits, plan_grid

BOX = (113.10, -7.82, 113.18, -7.765)
XM = (BOX[0] + BOX[2]) / 2


def _grid(res=100.0):
    b = read_boundary_box().to_crs("EPSG:32749")
    return plan_grid(b.bounds, "EPSG:32749", res, 0.0)


def read_boundary_box():
    from pyproj import CRS

    from kawasan.spatial.ingest.boundary import Boundary

    return Boundary(box(*BOX), CRS.from_epsg(4326), "box", "<test>")


@pytest.fixture()
def regency(tmp_path):
    p = tmp_path / "regency.geojson"
    gpd.GeoDataFrame({"nama": ["Kabupaten Uji"]}, geometry=[box(*BOX)], crs="EPSG:4326").to_file(p)
    return p


# -- multi-layer GeoPackages ---------------------------------------------------------------------
def _multilayer(tmp_path):
    p = tmp_path / "batas.gpkg"
    gpd.GeoDataFrame({"nama": ["Kantor Bupati"]}, geometry=[Point(113.14, -7.79)], crs="EPSG:4326").to_file(
        p, layer="kantor", driver="GPKG")
    gpd.GeoDataFrame({"nama": ["Kabupaten Uji"]}, geometry=[box(*BOX)], crs="EPSG:4326").to_file(
        p, layer="kabupaten", driver="GPKG")
    gpd.GeoDataFrame({"nama": ["Kecamatan Barat"]}, geometry=[box(BOX[0], BOX[1], XM, BOX[3])],
                     crs="EPSG:4326").to_file(p, layer="kecamatan", driver="GPKG")
    return p


def test_boundary_in_a_geopackage_with_several_layers(tmp_path):
    p = _multilayer(tmp_path)
    with pytest.raises(VectorError) as e:           # two polygon layers: which one is refused, listing them
        read_boundary(p)
    msg = str(e.value)
    assert "3 layers" in msg and "kantor (Point)" in msg and "kabupaten (Polygon)" in msg and "|" in msg
    assert read_boundary(f"{p}|kabupaten").name == "Kabupaten Uji"
    assert read_boundary(f"{p}|layername=kecamatan").name == "Kecamatan Barat"
    assert read_boundary(p, layer="kecamatan").name == "Kecamatan Barat"
    with pytest.raises(VectorError, match="has no layer 'desa'.*kecamatan"):
        read_boundary(f"{p}|desa")
    # one polygon layer beside a point layer: that one is read, and said so
    q = tmp_path / "one.gpkg"
    gpd.GeoDataFrame({"nama": ["Kantor"]}, geometry=[Point(113.14, -7.79)], crs="EPSG:4326").to_file(
        q, layer="kantor", driver="GPKG")
    gpd.GeoDataFrame({"nama": ["Kabupaten Uji"]}, geometry=[box(*BOX)], crs="EPSG:4326").to_file(
        q, layer="kabupaten", driver="GPKG")
    b = read_boundary(q)
    assert b.name == "Kabupaten Uji" and any("kabupaten" in n for n in b.notes)


def test_agency_layer_in_a_geopackage_with_several_layers(tmp_path, regency, runner):
    p = tmp_path / "rtrw.gpkg"
    gpd.GeoDataFrame({"NAMA": ["Jalan"]}, geometry=[Point(113.14, -7.79)], crs="EPSG:4326").to_file(
        p, layer="jalan", driver="GPKG")
    gpd.GeoDataFrame({"POLA_RUANG": ["Kawasan Peruntukan Industri", "Kawasan Pertanian"]},
                     geometry=[box(BOX[0], BOX[1], XM, BOX[3]), box(XM, BOX[1], BOX[2], BOX[3])],
                     crs="EPSG:4326").to_file(p, layer="pola_ruang", driver="GPKG")
    grid = _grid()
    # the only layer holding the attribute is taken
    layer = ag.prepare_layer(ag.parse_layer_arg(f"zoning={p}:POLA_RUANG"), grid)
    assert layer.kind == "categorical" and {4, 2} <= set(np.unique(layer.array).tolist())
    # PATH|LAYER:ATTRIBUTE
    arg = ag.parse_layer_arg(f"zoning={p}|pola_ruang:POLA_RUANG")
    assert (arg.path, arg.layer, arg.attribute) == (p, "pola_ruang", "POLA_RUANG")
    # without an attribute both layers could be meant: refused with the layers
    res = runner.invoke(cli, ["data", "prepare", "--boundary", str(regency), "--layer", f"roads={p}",
                              "--resolution", "100", "--buffer", "0", "--out", str(tmp_path / "ws"), "--json"])
    assert res.exit_code == 2, res.output
    err = json.loads(next(line for line in res.output.splitlines() if line.startswith("{")))
    assert "jalan (Point)" in err["message"] and "pola_ruang" in err["message"]
    assert not (tmp_path / "ws").exists()
    res = runner.invoke(cli, ["data", "prepare", "--boundary", str(regency), "--layer", f"roads={p}|jalan",
                              "--resolution", "100", "--buffer", "0", "--out", str(tmp_path / "ws"), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["layers"]["roads"]["feature_count"] == 1


# -- geometry repair -----------------------------------------------------------------------------
def test_a_polygon_repaired_into_a_collection_keeps_its_area(tmp_path):
    """make_valid turns a polygon with a spike into GeometryCollection(Polygon, LineString): the polygon
    (here the high-hazard zone) must stay, not be dropped with the collection."""
    spike = Polygon([(BOX[0], BOX[1]), (XM, BOX[1]), (XM, BOX[3]), (XM + 0.02, BOX[3]), (XM, BOX[3]),
                     (BOX[0], BOX[3])])
    assert not spike.is_valid and shapely.make_valid(spike).geom_type == "GeometryCollection"
    p = tmp_path / "banjir.geojson"
    gpd.GeoDataFrame({"KELAS": ["Tinggi", "Rendah"]}, geometry=[spike, box(XM, BOX[1], BOX[2], BOX[3])],
                     crs="EPSG:4326").to_file(p)
    grid = _grid()
    layer = ag.prepare_layer(ag.LayerArg("hazard_flood", p, "KELAS"), grid)
    codes, counts = np.unique(layer.array, return_counts=True)
    got = dict(zip(codes.tolist(), counts.tolist()))
    assert got.get(3, 0) > 0.4 * got.get(1, 0) > 0, got
    assert any("repaired" in n for n in layer.notes)
    assert set(layer.gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    # the same as a mask (protected forest without an attribute)
    mask = ag.prepare_layer(ag.LayerArg("protected_forest", p, None), grid)
    assert mask.array.sum() > 0.9 * (layer.array != 255).sum()


def test_a_geometry_collection_of_polygons_in_the_file_is_burned(tmp_path):
    gc = shapely.GeometryCollection([box(BOX[0], BOX[1], XM, BOX[3]), box(XM + 0.01, BOX[1], XM + 0.02, BOX[3])])
    p = tmp_path / "lp2b.geojson"
    gpd.GeoDataFrame({"id": [1]}, geometry=[gc], crs="EPSG:4326").to_file(p)
    layer = ag.prepare_layer(ag.LayerArg("lp2b", p, None), _grid())
    assert layer.kind == "mask" and layer.array.sum() > 0


# -- standard category layers need classes -------------------------------------------------------
def test_standard_layer_without_an_attribute_is_refused(tmp_path):
    """A file of only the high-hazard polygons, given without its class attribute, used to become a mask
    whose 1s were read as 'low' hazard: the 'not high hazard' rule then excluded nothing."""
    p = tmp_path / "rawan_tinggi.geojson"
    gpd.GeoDataFrame({"KET": ["tinggi"]}, geometry=[box(BOX[0], BOX[1], XM, BOX[3])], crs="EPSG:4326").to_file(p)
    for name in ("hazard_flood", "zoning", "landcover", "soil"):
        with pytest.raises(VectorError, match="category layer.*attributes: KET"):
            ag.prepare_layer(ag.LayerArg(name, p, None), _grid())
    layer = ag.prepare_layer(ag.LayerArg("hazard_flood", p, "KET"), _grid())
    assert 3 in np.unique(layer.array)


def test_a_hazard_index_is_not_taken_for_hazard_classes(tmp_path):
    p = tmp_path / "indeks.geojson"
    gpd.GeoDataFrame({"INDEKS": [0.85, 0.2]}, geometry=[box(BOX[0], BOX[1], XM, BOX[3]),
                                                        box(XM, BOX[1], BOX[2], BOX[3])], crs="EPSG:4326").to_file(p)
    with pytest.raises(VectorError, match="fractional numbers.*category layer"):
        ag.prepare_layer(ag.LayerArg("hazard_landslide", p, "INDEKS"), _grid())
    # mapped explicitly, it is classes
    layer = ag.prepare_layer(ag.LayerArg("hazard_landslide", p, "INDEKS"), _grid(),
                             mapping={"0.85": "high", "0.2": "low"})
    assert set(np.unique(layer.array).tolist()) >= {1, 3}
    # any other name keeps a continuous raster
    assert ag.prepare_layer(ag.LayerArg("erosion", p, "INDEKS"), _grid()).kind == "continuous"


def test_map_categories_match_standard_names_in_any_case():
    codes, cats, unmatched = ag._code_values("zoning", ["A", "B"], {"A": "KPI", "B": "4"})
    assert codes == {"A": 4, "B": 4} and not unmatched


def test_production_forest_zoning_is_not_kpi():
    table = ag.standard_tables()["zoning"]
    assert ag.match_category("Kawasan Hutan Tanaman Industri", table) == "plantation_forestry"
    assert ag.match_category("Kawasan Peruntukan Industri", table) == "kpi"
    assert ag.match_category("Kawasan Suaka Alam", table) == "protected"


# -- agency polygons under an OSM vector name ------------------------------------------------------
def test_agency_settlement_polygons_are_written_as_the_vector_the_presets_read(tmp_path, regency, runner):
    p = tmp_path / "permukiman.geojson"
    gpd.GeoDataFrame({"kind": ["town", "village"]},
                     geometry=[box(113.11, -7.80, 113.12, -7.79),
                               MultiPolygon([box(113.15, -7.81, 113.155, -7.805),
                                             box(113.16, -7.81, 113.165, -7.805)])],
                     crs="EPSG:4326").to_file(p)
    out = tmp_path / "ws"
    res = runner.invoke(cli, ["data", "prepare", "--boundary", str(regency), "--layer", f"settlements={p}",
                              "--resolution", "100", "--buffer", "0", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    man = json.loads(res.output)
    assert man["layers"]["settlements"]["path"] == "settlements.gpkg" and (out / "settlements.gpkg").exists()
    assert man["layers"]["settlements"]["feature_count"] == 2
    assert man["layers"]["settlements_cells"]["path"] == "settlements_cells.tif"
    gdf = gpd.read_file(out / "settlements.gpkg")
    assert sorted(gdf["kind"]) == ["town", "village"] and gdf.crs.to_epsg() == 32749


# -- DEM ------------------------------------------------------------------------------------------
def _dem_values(tmp_path, name, z, *, dtype, nodata, scale=None, offset=None, crs="EPSG:4326"):
    step = 1 / 1200
    tr = Affine(step, 0, 113.0, 0, -step, -7.7)
    p = tmp_path / name
    with rasterio.open(p, "w", driver="GTiff", width=z.shape[1], height=z.shape[0], count=1, dtype=dtype,
                       crs=crs, transform=tr, nodata=nodata) as ds:
        ds.write(z.astype(dtype), 1)
        if scale is not None:
            ds.scales = (scale,)
            ds.offsets = (offset,)
    return p


def test_dem_scale_and_offset_are_applied(tmp_path):
    grid = _grid(100.0)
    inside = np.ones(grid.shape, bool)
    z = np.fromfunction(lambda r, c: 50.0 + 0.5 * r + 0.25 * c, (300, 300))
    plain = _dem_values(tmp_path, "plain.tif", z, dtype="float64", nodata=-1e30)
    stored = np.round((z - 100.0) / 0.25)
    scaled = _dem_values(tmp_path, "scaled.tif", stored, dtype="int16", nodata=-32768, scale=0.25, offset=100.0)
    a = prepare_dem([plain], grid, inside).array
    b = prepare_dem([scaled], grid, inside).array
    ok = a != -9999
    assert ok.mean() > 0.99
    assert np.allclose(a[ok], b[ok], atol=0.2), (a[ok].mean(), b[ok].mean())


def test_a_zip_with_several_tiles_reads_them_all(tmp_path):
    from kawasan.sampledata.dem_tiles import write_tiles

    bounds = (112.95, -8.05, 113.05, -7.95)       # the corner of four 1-degree tiles
    paths = write_tiles(tmp_path / "t", bounds, arcsec=3, seed=1,
                        hgt=("S08E112", "S08E113", "S09E112", "S09E113"))
    zp = tmp_path / "srtm.zip"
    with zipfile.ZipFile(zp, "w") as zf:
        for p in paths:
            zf.write(p, p.name)
    from pyproj import CRS

    from kawasan.spatial.ingest.boundary import Boundary

    b = Boundary(box(*bounds), CRS.from_epsg(4326), "corner", "<test>").to_crs("EPSG:32749")
    grid = plan_grid(b.bounds, "EPSG:32749", 90.0, 0.0)
    res = prepare_dem([zp], grid, np.ones(grid.shape, bool))
    assert len(res.tiles) == 4 and sorted(t["member"] for t in res.tiles) == sorted(p.name for p in paths)
    assert res.covered_share == 1.0


def test_dem_folder_and_wildcard_stand_for_their_tiles(tmp_path, runner):
    from kawasan.sampledata.dem_tiles import write_tiles

    bounds = (112.95, -7.9, 113.05, -7.8)          # across two tiles
    write_tiles(tmp_path / "tiles", bounds, arcsec=3, seed=1)
    b = tmp_path / "b.geojson"
    gpd.GeoDataFrame({"nama": ["Dua"]}, geometry=[box(*bounds)], crs="EPSG:4326").to_file(b)
    for dem in (str(tmp_path / "tiles"), str(tmp_path / "tiles" / "*_synthetic.tif")):
        out = tmp_path / "ws"
        res = runner.invoke(cli, ["data", "prepare", "--boundary", str(b), "--dem", dem, "--resolution", "90",
                                  "--buffer", "0", "--out", str(out), "--json"])
        assert res.exit_code == 0, res.output
        man = json.loads(res.output)
        assert len([s for s in man["sources"] if s["role"] == "dem"]) == 2
        assert man["layers"]["dem"]["covered_share"] == 1.0
    (tmp_path / "empty").mkdir()
    res = runner.invoke(cli, ["data", "prepare", "--boundary", str(b), "--dem", str(tmp_path / "empty"),
                              "--out", str(tmp_path / "ws2")])
    assert res.exit_code == 2 and "holds no DEM file" in res.output and not (tmp_path / "ws2").exists()


# -- grid options ---------------------------------------------------------------------------------
def test_grid_crs_must_be_metres_with_an_epsg_code():
    with pytest.raises(InputError, match="in metres.*foot"):
        plan_grid((0, 0, 1000, 1000), "EPSG:2263", 30.0, 0.0)
    with pytest.raises(InputError, match="no EPSG code"):
        plan_grid((0, 0, 1000, 1000), "+proj=tmerc +lon_0=113 +k=0.9999 +x_0=200000 +y_0=1500000 +ellps=WGS84 "
                  "+units=m +no_defs", 30.0, 0.0)
    assert plan_grid((200000, 800000, 201000, 801000), "EPSG:23836", 30.0, 0.0).to_dict()["crs"] == "EPSG:23836"


def test_bad_resolution_buffer_and_memory_limit_are_refused(tmp_path, regency, runner):
    for res_ in (float("nan"), float("inf"), 0.0):
        with pytest.raises(InputError, match="resolution"):
            plan_grid((0, 0, 1000, 1000), "EPSG:32749", res_, 0.0)
    with pytest.raises(InputError, match="cells a side"):     # used to overflow in the memory check
        plan_grid((0, 0, 1000, 1000), "EPSG:32749", 1e-300, 0.0)
    with pytest.raises(InputError, match="buffer"):
        plan_grid((0, 0, 1000, 1000), "EPSG:32749", 30.0, float("nan"))
    with pytest.raises(InputError, match="memory limit"):
        check_fits(plan_grid((0, 0, 1000, 1000), "EPSG:32749", 30.0, 0.0), limit_bytes=0)
    for v in ("-1", "0"):
        res = runner.invoke(cli, ["data", "prepare", "--boundary", str(regency), "--max-memory-gb", v,
                                  "--out", str(tmp_path / "ws")])
        assert res.exit_code == 2 and "max-memory-gb" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "ws").exists()


def test_agency_roads_without_the_class_the_presets_select_by_are_flagged(tmp_path, regency, runner):
    from shapely.geometry import LineString

    p = tmp_path / "jalan.geojson"
    gpd.GeoDataFrame({"FUNGSI": ["Arteri Primer"]}, geometry=[LineString([(113.10, -7.80), (113.18, -7.79)])],
                     crs="EPSG:4326").to_file(p)
    res = runner.invoke(cli, ["data", "prepare", "--boundary", str(regency), "--layer", f"roads={p}",
                              "--resolution", "100", "--buffer", "0", "--out", str(tmp_path / "ws"), "--json"])
    assert res.exit_code == 0, res.output
    man = json.loads(res.output)
    assert man["layers"]["roads"]["origin"] == "agency"
    assert any("attribute 'class'" in w for w in man["warnings"])


def test_an_unknown_assume_crs_is_refused_not_a_traceback(tmp_path, runner):
    p = tmp_path / "noprj.shp"
    gpd.GeoDataFrame({"nama": ["X"]}, geometry=[box(*BOX)], crs="EPSG:4326").to_file(p)
    p.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match="assume-crs"):
        read_boundary(p, assume_crs="EPSG:99999")
    res = runner.invoke(cli, ["data", "prepare", "--boundary", str(p), "--assume-crs", "EPSG:99999",
                              "--out", str(tmp_path / "ws"), "--json"])
    assert res.exit_code == 2 and "EPSG:99999" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "ws").exists()


def test_an_attribute_named_fid_does_not_break_the_geopackage(tmp_path, regency, runner):
    p = tmp_path / "pelabuhan.geojson"
    gpd.GeoDataFrame({"FID": ["a", "b"], "nama": ["P1", "P2"], "NAMA": ["x", "y"], "geom": ["g", "h"]},
                     geometry=[Point(113.12, -7.80), Point(113.15, -7.79)], crs="EPSG:4326").to_file(p)
    out = tmp_path / "ws"
    res = runner.invoke(cli, ["data", "prepare", "--boundary", str(regency), "--layer", f"ports={p}",
                              "--resolution", "100", "--buffer", "0", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    gdf = gpd.read_file(out / "ports.gpkg")
    assert sorted(gdf["FID_src"]) == ["a", "b"] and sorted(gdf["nama"]) == ["P1", "P2"]
    assert sorted(gdf["NAMA_src"]) == ["x", "y"] and sorted(gdf["geom_src"]) == ["g", "h"]


def test_voids_left_say_how_much_of_the_boundary_they_take(tmp_path):
    grid = _grid(100.0)
    inside = np.ones(grid.shape, bool)
    z = np.fromfunction(lambda r, c: 50.0 + 0.5 * r + 0.25 * c, (300, 300))
    z[:, :150] = -1e30                                  # no data over the western half of the tile
    p = _dem_values(tmp_path, "half.tif", z, dtype="float64", nodata=-1e30)
    res = prepare_dem([p], grid, inside, max_fill_m=500.0)
    note = next(n for n in res.notes if "stay NoData" in n)
    assert "inside the boundary" in note and "%" in note


def test_preparing_again_keeps_the_runs_inside_the_workspace(tmp_path, regency, runner):
    """The summary suggests `--out WORKSPACE/runs/apht`; preparing the workspace again must not delete them."""
    out = tmp_path / "ws"
    args = ["data", "prepare", "--boundary", str(regency), "--resolution", "100", "--buffer", "0", "--out", str(out)]
    assert runner.invoke(cli, args).exit_code == 0
    (out / "runs" / "apht").mkdir(parents=True)
    (out / "runs" / "apht" / "manifest.json").write_text("{}")
    (out / "catatan.txt").write_text("notes")
    (out / "aoi.tif.aux.xml").write_text("<stale statistics/>")
    res = runner.invoke(cli, [*args, "--json"])
    assert res.exit_code == 0, res.output
    man = json.loads(res.output)
    assert (out / "runs" / "apht" / "manifest.json").read_text() == "{}"
    assert (out / "catatan.txt").read_text() == "notes"
    assert not (out / "aoi.tif.aux.xml").exists()           # a sidecar of the old layer goes with it
    assert man["kept"] == ["catatan.txt", "runs"] and any("kept from the earlier" in w for w in man["warnings"])
    assert json.loads((out / "manifest.json").read_text())["kept"] == ["catatan.txt", "runs"]
    # a failed preparation leaves the earlier workspace and its runs as they were
    res = runner.invoke(cli, [*args, "--dem", str(tmp_path / "missing.tif")])
    assert res.exit_code == 2
    assert (out / "runs" / "apht" / "manifest.json").exists() and (out / "catatan.txt").exists()


def test_a_layer_outside_the_area_says_where_it_lies(tmp_path):
    p = tmp_path / "salah_prj.shp"        # lon/lat numbers under a UTM .prj: lands near the false origin
    gpd.GeoDataFrame({"KELAS": ["Tinggi"]}, geometry=[box(113.10, -7.82, 113.14, -7.765)],
                     crs="EPSG:32749").to_file(p)
    with pytest.raises(VectorError) as e:
        ag.prepare_layer(ag.LayerArg("hazard_flood", p, "KELAS"), _grid())
    msg = str(e.value)
    assert "inside the study grid" in msg and "lat -85.5" in msg and "lon 113.0" in msg and "CRS" in msg


def test_a_raster_given_as_an_agency_layer_is_named_as_such(tmp_path):
    z = np.ones((10, 10))
    p = _dem_values(tmp_path, "inarisk_banjir.tif", z, dtype="uint8", nodata=0)
    with pytest.raises(VectorError, match="it is a raster.*vector file"):
        ag.prepare_layer(ag.LayerArg("hazard_flood", p, None), _grid())


def test_an_override_layer_with_an_attribute_warns_that_all_of_it_is_burned(tmp_path, regency, runner):
    p = tmp_path / "kawasan_hutan.geojson"
    gpd.GeoDataFrame({"FUNGSI": ["HL", "HP"]}, geometry=[box(BOX[0], BOX[1], XM, BOX[3]),
                                                        box(XM, BOX[1], BOX[2], BOX[3])], crs="EPSG:4326").to_file(p)
    lc = tmp_path / "tutupan.geojson"
    gpd.GeoDataFrame({"PL": ["Sawah"]}, geometry=[box(*BOX)], crs="EPSG:4326").to_file(lc)
    res = runner.invoke(cli, ["data", "prepare", "--boundary", str(regency), "--layer", f"landcover={lc}:PL",
                              "--layer", f"protected_forest={p}:FUNGSI", "--resolution", "100", "--buffer", "0",
                              "--out", str(tmp_path / "ws"), "--json"])
    assert res.exit_code == 0, res.output
    man = json.loads(res.output)
    assert any("whatever its 'FUNGSI'" in w for w in man["warnings"])
