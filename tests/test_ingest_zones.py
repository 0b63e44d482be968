"""A SYNTHETIC study area straddling the UTM 48S / 49S border (108 degrees E, West Java / Central Java):
`kawasan data prepare` puts it in one equal-area CRS; no seam, no site counted twice or cut at the zone
border, and areas within 0.1 % of the geodesic area (pyproj.Geod) at both ends."""
from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
import rasterio
from pyproj import CRS, Geod, Transformer
from shapely.geometry import box

from kawasan.sampledata.dem_tiles import write_tiles
from kawasan.spatial.ingest import agency as ag
from kawasan.spatial.ingest import gridplan
from kawasan.spatial.ingest.prepare import PrepareRequest, prepare

# a 176 km x 22 km strip across the 48S / 49S border at 108 E
STRIP = (107.2, -7.0, 108.8, -6.8)
BORDER_LON = 108.0
# site blocks: one across the border, one at each end (lon/lat)
BLOCKS = {"across": (107.95, -6.96, 108.05, -6.86), "west": (107.25, -6.96, 107.33, -6.88),
          "east": (108.68, -6.96, 108.76, -6.88)}
GEOD = Geod(ellps="WGS84")


def shp_transform(fn, geom):
    return shapely.transform(geom, lambda x, y: np.asarray(fn(x, y)), interleaved=False)
RES = 200.0


def _geodesic_ha(poly_lonlat) -> float:
    area, _ = GEOD.geometry_area_perimeter(poly_lonlat.segmentize(0.002))
    return abs(area) / 1e4


def _projected_ha(poly_lonlat, crs) -> float:
    fwd = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform
    return shp_transform(fwd, poly_lonlat.segmentize(0.002)).area / 1e4


@pytest.fixture(scope="module")
def strip(tmp_path_factory):
    root = tmp_path_factory.mktemp("zones")
    gpd.GeoDataFrame({"nama": ["Jalur Uji (SINTETIS)"]}, geometry=[box(*STRIP)], crs="EPSG:4326").to_file(
        root / "strip.geojson", driver="GeoJSON")
    gpd.GeoDataFrame({"id": list(range(len(BLOCKS)))}, geometry=[box(*b) for b in BLOCKS.values()],
                     crs="EPSG:4326").to_file(root / "blocks.geojson", driver="GeoJSON")
    dem = write_tiles(root / "dem", STRIP, arcsec=3, seed=5)
    req = PrepareRequest(boundary=root / "strip.geojson", out=root / "ws", resolution=RES, buffer_m=1000.0,
                         dem=dem, layers=[ag.LayerArg("blocks", root / "blocks.geojson", None)])
    res = prepare(req)
    return res.out, res.manifest


def test_windows_change_nothing_across_zones(strip, tmp_path):
    """896 x 121 cells, wider than a GDAL warp block: windows of 100 and of 300 give the same rasters byte for
    byte; against the whole-grid warp the DEM differs by under 0.2 m (GDAL's approximate transformer, within
    0.125 source cell, places its exact points per warped extent: the whole grid, or the VRT's blocks), every
    other layer not at all."""
    out, man = strip
    root = out.parent

    def windowed(size):
        req = PrepareRequest(boundary=root / "strip.geojson", out=tmp_path / f"w{size}", resolution=RES,
                             buffer_m=1000.0, dem=sorted((root / "dem").glob("*.tif")),
                             layers=[ag.LayerArg("blocks", root / "blocks.geojson", None)], window=size)
        return prepare(req).manifest

    def shas(m):
        return {n: e["sha256"] for n, e in m.items() if e["path"].endswith(".tif")}
    w100, w300 = windowed(100), windowed(300)
    assert w100["memory_estimate"]["windows"] == 18 and w300["memory_estimate"]["windows"] == 3
    assert shas(w100["layers"]) == shas(w300["layers"])
    whole = shas(man["layers"])
    assert {n: v for n, v in shas(w100["layers"]).items() if n != "dem"} == {n: v for n, v in whole.items()
                                                                               if n != "dem"}
    with rasterio.open(out / "dem.tif") as a, rasterio.open(tmp_path / "w100" / "dem.tif") as b:
        assert np.abs(a.read(1) - b.read(1)).max() < 0.2


def test_a_boundary_in_one_zone_keeps_its_utm_zone():
    crs, scheme = gridplan.choose_crs((113.1, -7.8, 113.2, -7.7), (113.15, -7.75))
    assert scheme == "utm" and crs.to_epsg() == 32749


def test_a_boundary_across_zones_gets_one_equal_area_crs(strip):
    out, man = strip
    proj = man["projection"]
    assert proj["scheme"] == "equal_area" and proj["utm_zones"] == [48, 49]
    assert proj["max_area_scale_error"] < 1e-8
    assert proj["max_distance_scale_error"] < 1e-4      # a 0.2 degree latitude span: a few parts per million
    crs = CRS.from_user_input(man["crs"])
    assert crs.to_epsg() is None and "Albers" in crs.name
    with rasterio.open(out / "dem.tif") as ds:
        assert CRS.from_user_input(ds.crs.to_wkt()).equals(crs)


def test_the_equal_area_crs_is_deterministic():
    a = gridplan.equal_area_crs(STRIP)
    assert a.to_wkt() == gridplan.equal_area_crs(STRIP).to_wkt()


def test_areas_within_a_tenth_of_a_percent_of_the_geodesic_area_at_both_ends(strip):
    _, man = strip
    crs = CRS.from_user_input(man["crs"])
    for name, b in BLOCKS.items():
        poly = box(*b)
        assert _projected_ha(poly, crs) == pytest.approx(_geodesic_ha(poly), rel=1e-3), name
    # the single zone of the strip's centre (48S) would miss at the east end: why the scheme exists
    east = box(*BLOCKS["east"])
    assert abs(_projected_ha(east, "EPSG:32748") / _geodesic_ha(east) - 1) > 1e-3


def test_no_seam_at_the_zone_border(strip):
    out, man = strip
    crs = CRS.from_user_input(man["crs"])
    with rasterio.open(out / "aoi.tif") as ds:
        aoi = ds.read(1)
        t = ds.transform
    with rasterio.open(out / "dem.tif") as ds:
        dem = ds.read(1)
        nodata = ds.nodata
    x, _ = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(BORDER_LON, -6.9)
    col = int((x - t.c) // t.a)
    rows = np.nonzero(aoi[:, col])[0]
    assert rows.size > 50                                    # the boundary runs on across the border
    # every row inside the boundary is inside on both sides of the border column too
    assert np.array_equal(aoi[rows, col - 1], aoi[rows, col]) and np.array_equal(aoi[rows, col + 1], aoi[rows, col])
    near = dem[rows, col - 3:col + 4]
    assert (near != nodata).all()
    # the step across the border column is no larger than the steps beside it (no offset, no gap)
    steps = np.abs(np.diff(near, axis=1))
    assert steps[:, 3].mean() <= 3 * steps[:, [0, 1, 4, 5]].mean() + 1e-3


def _model(man):
    from kawasan.spatial.model import model_from_dict

    cats = man["layers"]["blocks"]["categories"]
    inside = [v for k, v in cats.items() if k != "0"]
    return model_from_dict({
        "name": "zones", "layers": {"dem": {"path": "dem.tif"},
                                    "blocks": {"path": "blocks.tif", "type": "categorical"}},
        "criteria": [{"id": "h", "layer": "dem", "transform": {"type": "linear", "low": -100, "high": 5000}}],
        "constraints": [{"id": "in_block", "layer": "blocks", "rule": "require_categories", "values": inside}],
        "weights": {"method": "direct", "values": {"h": 1}}})


def test_sites_across_the_border_are_counted_once_and_measured_right(strip, tmp_path):
    from kawasan.spatial.api import run_suitability
    from kawasan.spatial.runs.read import open_run
    from kawasan.spatial.sites.candidates import ExtractRules, extract

    out, man = strip
    run_suitability(_model(man), out, tmp_path / "run")
    sites, _ = extract(open_run(tmp_path / "run"), ExtractRules(min_area_ha=10.0, min_score=0.0, fill_holes_ha=0))
    assert len(sites) == len(BLOCKS)                        # one per block: the one across the border too
    crs = CRS.from_user_input(man["crs"])
    back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform
    x_border, _ = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(BORDER_LON, -6.9)
    across = [s for s in sites if s.geometry.bounds[0] < x_border < s.geometry.bounds[2]]
    assert len(across) == 1 and across[0].geometry.geom_type == "Polygon"
    for s in sites:
        cell_ha = s.cells * RES * RES / 1e4
        geodesic = _geodesic_ha(shp_transform(back, s.geometry.segmentize(RES / 4)))
        assert cell_ha == pytest.approx(geodesic, rel=1e-3)
        block_ha = min(_geodesic_ha(box(*b)) for b in BLOCKS.values())
        assert cell_ha > 0.8 * block_ha
    assert json.loads((out / "manifest.json").read_text())["projection"]["scheme"] == "equal_area"
    assert math.isfinite(man["boundary"]["area_km2"])


def test_the_chunked_path_finds_the_same_sites_across_the_border(strip, tmp_path):
    """Chunks of 32 cells: each site (about 55 cells a side) spans several chunks and is still one site, as
    in memory."""
    from kawasan.spatial.api import run_suitability
    from kawasan.spatial.chunked.cluster import ChunkOptions
    from kawasan.spatial.chunked.sites import extract_chunked
    from kawasan.spatial.runs.read import open_run
    from kawasan.spatial.sites.candidates import ExtractRules, extract

    out, man = strip
    rules = ExtractRules(min_area_ha=10.0, min_score=0.0, fill_holes_ha=0)
    run_suitability(_model(man), out, tmp_path / "mem")
    run_suitability(_model(man), out, tmp_path / "chunked", chunks=32, scheduler="threads")
    whole, _ = extract(open_run(tmp_path / "mem"), rules)
    parts, _ = extract_chunked(open_run(tmp_path / "chunked"), rules, ChunkOptions(chunks=32, scheduler="threads"))
    assert len(parts) == len(whole) == len(BLOCKS)
    assert sorted(s.cells for s in parts) == sorted(s.cells for s in whole)
    assert sorted(round(s.geometry.area) for s in parts) == sorted(round(s.geometry.area) for s in whole)


@pytest.mark.parametrize("lang, words", [("en", "spans UTM zones 48 to 49: one equal-area CRS"),
                                         ("id", "melintasi zona UTM 48 sampai 49: satu CRS luas-sama")])
def test_the_command_names_the_scheme_and_the_windows(strip, runner, tmp_path, lang, words):
    from kawasan.cli.main import cli

    root = strip[0].parent
    res = runner.invoke(cli, ["--lang", lang, "data", "prepare", "--boundary", str(root / "strip.geojson"),
                              "--resolution", "200", "--buffer", "1000", "--max-memory-gb", "0.0015",
                              "--out", str(tmp_path / "ws")], prog_name="kawasan")
    assert res.exit_code == 0, res.output
    assert words in res.output and "kawasan equal-area: Albers 108E" in res.output
    assert "PROJCRS" not in res.output and "PROJCS" not in res.output      # the CRS by name, not its WKT
    man = json.loads((tmp_path / "ws" / "manifest.json").read_text())
    assert man["memory_estimate"]["windows"] > 1                           # 1.5 MB: windows of 512 cells
    assert ("windows of 512 x 512 cells" if lang == "en" else "jendela berukuran 512 x 512 sel") in res.output
