"""kawasan data prepare by windows (issue 15): a grid cut into small windows gives the same layers, cell for
cell and byte for byte, as the same grid prepared whole; the window writer lays out the same COG."""
from __future__ import annotations

import hashlib
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_bounds
from shapely.geometry import LineString, Polygon

from kawasan.errors import InputError
from kawasan.spatial import rasters
from kawasan.spatial.grid import Grid
from kawasan.spatial.ingest import agency as ag
from kawasan.spatial.ingest import windows
from kawasan.spatial.ingest.prepare import PrepareRequest, prepare
from test_ingest_prepare import BOX, inputs  # noqa: F401  (the module's SYNTHETIC inputs fixture)

# a raster layer of classes and one of fractional values, a line layer, a protected-forest mask
EXTRA = (113.09, -7.83, 113.19, -7.755)


@pytest.fixture(scope="module")
def extra_layers(tmp_path_factory):
    root = tmp_path_factory.mktemp("extra")
    rng = np.random.default_rng(1)
    t = from_bounds(*EXTRA, 80, 60)
    with rasterio.open(root / "risk.tif", "w", driver="GTiff", width=80, height=60, count=1, dtype="uint8",
                       crs="EPSG:4326", transform=t, nodata=0) as ds:
        ds.write(rng.integers(1, 4, (60, 80)).astype("uint8"), 1)
    with rasterio.open(root / "erosion.tif", "w", driver="GTiff", width=80, height=60, count=1, dtype="float32",
                       crs="EPSG:4326", transform=t, nodata=-1) as ds:
        ds.write((rng.random((60, 80)) * 10).astype("float32"), 1)
    gpd.GeoDataFrame({"id": [1, 2]}, geometry=[LineString([(113.1, -7.8), (113.17, -7.77)]),
                                               LineString([(113.12, -7.82), (113.13, -7.76)])],
                     crs="EPSG:4326").to_file(root / "pipes.geojson")
    gpd.GeoDataFrame({"id": [1]}, geometry=[Polygon([(113.11, -7.81), (113.14, -7.81), (113.14, -7.79)])],
                     crs="EPSG:4326").to_file(root / "forest.geojson")
    return root


def _request(inputs, extra, out, window=None):  # noqa: F811
    layers = [ag.LayerArg("zoning", inputs["zoning"], "POLA_RUANG"),
              ag.LayerArg("hazard_flood", inputs["hazard_flood"], "KELAS"),
              ag.LayerArg("soil", inputs["soil"], "JENIS_TANAH"),
              ag.LayerArg("risk_flood", extra / "risk.tif", None),
              ag.LayerArg("erosion", extra / "erosion.tif", None),
              ag.LayerArg("pipes", extra / "pipes.geojson", None),
              ag.LayerArg("protected_forest", extra / "forest.geojson", None)]
    return PrepareRequest(boundary=inputs["regency"], out=out, resolution=30.0, buffer_m=1000.0,
                          dem=[inputs["dem"][0]], osm=inputs["osm"], layers=layers, window=window)


@pytest.fixture(scope="module")
def whole_and_windowed(inputs, extra_layers, tmp_path_factory):  # noqa: F811
    root = tmp_path_factory.mktemp("windows")
    whole = prepare(_request(inputs, extra_layers, root / "whole"))
    small = prepare(_request(inputs, extra_layers, root / "w64", window=64))
    odd = prepare(_request(inputs, extra_layers, root / "w100", window=100))
    return whole, small, odd


def _rasters(result) -> dict[str, str]:
    return {n: e["sha256"] for n, e in result.manifest["layers"].items() if e["path"].endswith(".tif")}


def test_small_windows_give_the_same_rasters_byte_for_byte(whole_and_windowed):
    whole, small, odd = whole_and_windowed
    assert whole.manifest["memory_estimate"]["windows"] == 1
    assert small.manifest["memory_estimate"]["windows"] > 20 and small.manifest["memory_estimate"]["window"] == 64
    ref = _rasters(whole)
    assert {"aoi", "dem", "landcover", "zoning", "soil_cells", "risk_flood", "erosion", "pipes_cells",
            "protected_forest"} <= set(ref)
    assert _rasters(small) == ref and _rasters(odd) == ref


def test_the_manifest_is_the_same_whatever_the_window(whole_and_windowed):
    whole, small, _ = whole_and_windowed

    def comparable(m):
        m = json.loads(json.dumps(m, default=str))
        for key in ("created", "timings_s", "memory_estimate"):
            m.pop(key)
        for e in m["layers"].values():
            if e["path"].endswith(".gpkg"):
                e.pop("sha256")       # a GeoPackage records when it was written
        return m
    a, b = comparable(whole.manifest), comparable(small.manifest)
    assert a == b
    dem = a["layers"]["dem"]
    assert dem["voids_filled_ha"] > 0          # the DEM void was filled across window borders alike
    assert a["layers"]["landcover"]["area_ha_in_boundary"]


def test_vectors_are_the_same_whatever_the_window(whole_and_windowed):
    whole, small, _ = whole_and_windowed
    for name, e in whole.manifest["layers"].items():
        if e["path"].endswith(".gpkg"):
            a = gpd.read_file(whole.out / e["path"])
            b = gpd.read_file(small.out / e["path"])
            assert a.equals(b), name


def test_windowed_prepare_is_deterministic(inputs, extra_layers, whole_and_windowed, tmp_path):  # noqa: F811
    _, small, _ = whole_and_windowed
    again = prepare(_request(inputs, extra_layers, tmp_path / "again", window=64))
    assert _rasters(again) == _rasters(small)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("dtype, categorical", [(np.uint8, True), (np.uint16, True), (np.float32, False)])
def test_the_window_writer_lays_out_the_cog_write_cog_does(tmp_path, dtype, categorical):
    grid = Grid.from_bounds("EPSG:32749", 500_000, 9_100_000, 30, 1500, 1100)   # overviews 2 and 4
    arr = (np.random.default_rng(0).random(grid.shape) * 200).astype(dtype)
    tags = {"LAYER": "x", "STUDY_AREA": "uji"}
    rasters.write_cog(tmp_path / "whole.tif", arr, grid, nodata=255 if categorical else -9999.0, tags=tags,
                      categorical=categorical, descriptions="x")
    windows.write_layer(tmp_path / "windows.tif", windows.Canvas(grid, 512), lambda w: arr[w.slices], dtype,
                        nodata=255 if categorical else -9999.0, tags=tags, categorical=categorical,
                        descriptions="x")
    assert not list(tmp_path.glob("*.part.tif"))
    with rasterio.open(tmp_path / "windows.tif") as ds:
        assert ds.overviews(1) == [2, 4] and ds.profile["blockxsize"] == 512 and ds.tags()["LAYER"] == "x"
        assert np.array_equal(ds.read(1), arr)
    if categorical:   # nearest overviews: the same file
        assert _sha(tmp_path / "whole.tif") == _sha(tmp_path / "windows.tif")
    else:             # average overviews: GDAL sums a file's blocks in another order than a memory raster
        for level in (0, 1):
            with rasterio.open(tmp_path / "whole.tif", OVERVIEW_LEVEL=level) as a, \
                    rasterio.open(tmp_path / "windows.tif", OVERVIEW_LEVEL=level) as b:
                np.testing.assert_allclose(a.read(1), b.read(1), rtol=1e-6)


def test_windows_cover_the_grid_once():
    grid = Grid.from_bounds("EPSG:32749", 0, 1000, 10, 130, 70)
    seen = np.zeros(grid.shape, int)
    for w in windows.plan_windows(grid, 32):
        seen[w.slices] += 1
        assert w.grid.transform.c == grid.transform.c + w.col * 10 and w.grid.shape == (w.height, w.width)
    assert (seen == 1).all()
    with pytest.raises(ValueError):
        windows.plan_windows(grid, 0)


@pytest.mark.parametrize("window", [4, 0, -64, 64.5, True])
def test_a_bad_window_size_is_refused(inputs, extra_layers, tmp_path, window):  # noqa: F811
    with pytest.raises(InputError) as e:
        prepare(_request(inputs, extra_layers, tmp_path / "ws", window=window))
    assert e.value.field == "window" and str(window) in str(e.value)
    assert not (tmp_path / "ws").exists()


@pytest.mark.parametrize("lang, words", [("en", "SYNTHETIC inputs: DEM"), ("id", "Masukan SINTETIS: DEM")])
def test_the_synthetic_notice_reads_in_the_language(inputs, runner, tmp_path, lang, words):  # noqa: F811
    from kawasan.cli.main import cli

    res = runner.invoke(cli, ["--lang", lang, "data", "prepare", "--boundary", str(inputs["regency"]),
                              "--dem", str(inputs["dem"][0]), "--resolution", "60", "--buffer", "500",
                              "--out", str(tmp_path / "ws")], prog_name="kawasan")
    assert res.exit_code == 0, res.output
    assert words in res.output
    assert "SYNTHETIC" in json.loads((tmp_path / "ws" / "manifest.json").read_text())["notice"]
