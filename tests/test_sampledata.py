"""Tests of the synthetic study area Kabupaten Contoh (kawasan.sampledata).

Most checks run on a small version (300 x 200 cells of 200 m, the same 60 x 40 km
extent) and again, marked slow, on the default 2000 x 1340 grid of 30 m.
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import rasterio
import shapely
from rasterio import features
from scipy import ndimage
from shapely.geometry import Point

from kawasan.errors import OutputError
from kawasan.sampledata import contoh
from kawasan.sampledata.contoh import build_study_area
from kawasan.spatial.grid import Grid

SMALL = {"width": 300, "height": 200, "res": 200.0}
RASTERS = {"dem": "float32", "landcover": "uint8", "zoning": "uint8", "soil": "uint8",
           "hazard_flood": "uint8", "hazard_landslide": "uint8", "risk_flood": "uint8", "risk_landslide": "uint8",
           "volcano_krb": "uint8", "kawasan_hutan": "uint8", "lp2b": "uint8", "lsd": "uint8"}
NODATA = {"dem": -9999.0, "landcover": 0, "zoning": 0, "soil": 0, "hazard_flood": 255, "hazard_landslide": 255,
          "risk_flood": 255, "risk_landslide": 255, "volcano_krb": None, "kawasan_hutan": 0, "lp2b": 255, "lsd": 255}
CODES = {"landcover": set(range(1, 10)), "zoning": set(range(1, 7)), "soil": set(range(1, 6)),
         "hazard_flood": {0, 1, 2, 3}, "hazard_landslide": {0, 1, 2, 3}, "risk_flood": {0, 1, 2, 3},
         "risk_landslide": {0, 1, 2, 3}, "volcano_krb": {0, 1, 2, 3}, "kawasan_hutan": set(range(1, 7)),
         "lp2b": {0, 1}, "lsd": {0, 1}}
VECTORS = {"roads": "LineString", "railways": "LineString", "rivers": "LineString", "ports": "Point",
           "settlements": "Polygon", "boundary": "Polygon", "toll_gates": "Point", "lakes": "Polygon",
           "coastline": "LineString", "power_lines": "LineString", "town_centres": "Point"}
LC_WATER, LC_PROTECTED, LC_RICE, LC_SETTLEMENT = 1, 2, 4, 8
KPI = 4


class Area:
    """A built study area with its layers loaded."""

    def __init__(self, folder: Path, seconds: float):
        self.folder = folder
        self.seconds = seconds
        self.manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        self.r = {}
        for name in RASTERS:
            with rasterio.open(folder / f"{name}.tif") as src:
                self.r[name] = src.read(1)
                self.transform = src.transform
        self.res = self.transform.a
        self.shape = self.r["dem"].shape
        self.v = {name: pyogrio.read_dataframe(folder / f"{name}.gpkg") for name in VECTORS}
        gy, gx = np.gradient(self.r["dem"].astype(float), self.res)
        self.slope = 100.0 * np.hypot(gx, gy)

    def burn(self, geoms, all_touched=False) -> np.ndarray:
        return features.rasterize(((g, 1) for g in geoms), out_shape=self.shape, transform=self.transform,
                                  all_touched=all_touched, dtype="uint8").astype(bool)

    def rc(self, x, y):
        t = self.transform
        col = (np.asarray(x, dtype=float) - t.c) / t.a
        row = (np.asarray(y, dtype=float) - t.f) / t.e
        return (np.clip(np.floor(row).astype(int), 0, self.shape[0] - 1),
                np.clip(np.floor(col).astype(int), 0, self.shape[1] - 1))

    def ha(self, mask) -> float:
        return float(mask.sum()) * self.res * self.res / 1e4


def _build(folder: Path, **kw) -> Area:
    t0 = time.perf_counter()
    build_study_area(folder, **kw)
    return Area(folder, time.perf_counter() - t0)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Area:
    return _build(tmp_path_factory.mktemp("contoh") / "small", **SMALL)


@pytest.fixture(scope="module")
def default(tmp_path_factory) -> Area:
    return _build(tmp_path_factory.mktemp("contoh") / "default")


@pytest.fixture(scope="module", params=["small", pytest.param("default", marks=pytest.mark.slow)])
def study(request) -> Area:
    return request.getfixturevalue(request.param)


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# -- files, manifest, metadata --------------------------------------------------------------
def test_manifest_lists_every_file_with_its_sha256(study):
    m = study.manifest
    assert m["kind"] == "kawasan.study_area" and m["format_version"] == 1
    assert m["name"] == "Kabupaten Contoh" and m["synthetic"] is True and m["seed"] == 7
    assert "SYNTHETIC" in m["notice"] and "seed 7" in m["notice"]
    files = {p.name for p in study.folder.iterdir()} - {"manifest.json"}
    assert {e["path"] for e in m["layers"].values()} == files
    assert set(m["layers"]) == set(RASTERS) | set(VECTORS)
    for name, entry in m["layers"].items():
        assert entry["sha256"] == hashlib.sha256((study.folder / entry["path"]).read_bytes()).hexdigest(), name
    h, w = study.shape
    res = study.res
    assert m["grid"] == Grid.from_bounds("EPSG:32749", 700000.0, 9150000.0, res, w, h).to_dict()
    text = (study.folder / "manifest.json").read_text(encoding="utf-8")
    assert text == json.dumps(m, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_manifest_describes_layers(small):
    layers = small.manifest["layers"]
    assert layers["dem"]["type"] == "continuous" and layers["dem"]["unit"] == "m"
    assert layers["landcover"]["categories"]["1"] == "water"
    assert layers["landcover"]["categories"]["4"] == "rice_field"
    assert layers["zoning"]["categories"]["4"] == "kpi"
    for name, geom in VECTORS.items():
        assert layers[name]["kind"] == "vector" and layers[name]["layer"] == name
        assert layers[name]["geometry"] == geom
    assert layers["roads"]["attributes"]["class"] == ["arterial", "collector", "local"]
    assert set(layers["roads"]["attributes"]["status"]) <= {"national", "provincial", "regency"}
    assert layers["railways"]["attributes"]["class"] == ["railway"]
    assert layers["settlements"]["attributes"]["kind"] == ["town", "village"]
    assert layers["rivers"]["fields"] == {"order": "int", "kind": "str", "name": "str", "catchment_km2": "float"}


def test_rasters_are_on_the_grid_tiled_and_marked_synthetic(small):
    h, w = small.shape
    assert (h, w) == (SMALL["height"], SMALL["width"])
    for name, dtype in RASTERS.items():
        with rasterio.open(small.folder / f"{name}.tif") as src:
            assert src.crs.to_epsg() == 32749
            assert src.transform == rasterio.Affine(200.0, 0, 700000.0, 0, -200.0, 9150000.0)
            assert (src.height, src.width, src.count) == (h, w, 1)
            assert src.dtypes[0] == dtype and src.nodata == NODATA[name]
            assert src.profile["tiled"] and src.block_shapes[0] == (256, 256)
            assert src.compression.name.lower() == "deflate"
            tags = src.tags()
            assert tags["SYNTHETIC"] == "yes" and "synthetic" in tags["DESCRIPTION"]
            assert "DATETIME" not in " ".join(tags)


def test_vectors_have_contract_layers_and_attributes(small):
    for name, geom in VECTORS.items():
        path = small.folder / f"{name}.gpkg"
        assert pyogrio.list_layers(path)[:, 0].tolist() == [name]
        info = pyogrio.read_info(path)
        assert info["crs"] == "EPSG:32749" and info["geometry_type"] == geom and info["features"] > 0
        assert "synthetic" in info["layer_metadata"]["DESCRIPTION"]
    v = small.v
    assert set(v["roads"]["class"]) == {"arterial", "collector", "local"}
    assert set(v["roads"]["status"]) <= {"national", "provincial", "regency"}
    assert (v["roads"].loc[v["roads"]["class"] == "arterial", "status"] == "national").all()
    assert set(v["railways"]["class"]) == {"railway"}
    assert v["rivers"]["order"].dtype.kind == "i" and v["rivers"]["order"].min() >= 1
    assert v["ports"]["name"].tolist() == ["Pelabuhan Contoh"]
    assert v["boundary"]["name"].tolist() == ["Kabupaten Contoh (synthetic)"]
    assert v["settlements"]["population"].dtype.kind == "i"
    # reading must not leave files (e.g. GDAL .aux.xml) next to the layers
    assert {p.name for p in small.folder.iterdir()} == {"manifest.json"} | {
        e["path"] for e in small.manifest["layers"].values()}


def test_categorical_rasters_use_only_declared_codes(study):
    for name, codes in CODES.items():
        values = set(np.unique(study.r[name]).tolist())
        assert values <= codes | {NODATA[name]}, (name, values - codes)
    assert set(np.unique(study.r["landcover"]).tolist()) == CODES["landcover"]  # every class occurs
    assert set(np.unique(study.r["zoning"]).tolist()) == CODES["zoning"]


# -- determinism -----------------------------------------------------------------------------
def test_same_seed_is_byte_identical_and_another_seed_differs(small, tmp_path):
    again = tmp_path / "again"
    build_study_area(again, **SMALL)
    assert _digests(again) == _digests(small.folder)
    other = tmp_path / "other"
    build_study_area(other, seed=8, **SMALL)
    with rasterio.open(other / "dem.tif") as src:
        assert not np.array_equal(src.read(1), small.r["dem"])
    assert json.loads((other / "manifest.json").read_text())["seed"] == 8


# -- output folder handling --------------------------------------------------------------------
def test_replaces_an_earlier_study_area_and_refuses_other_folders(tmp_path):
    out = tmp_path / "area"
    out.mkdir()
    (out / "manifest.json").write_text('{"kind": "kawasan.study_area"}')
    (out / "stale.txt").write_text("old")
    manifest = build_study_area(out, **SMALL)
    assert manifest == out.absolute() / "manifest.json"
    assert not (out / "stale.txt").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["area"]  # no temporary folders left

    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    with pytest.raises(OutputError) as err:
        build_study_area(foreign, **SMALL)
    assert "mine" in str(err.value)
    assert (foreign / "notes.txt").read_text() == "keep me"

    empty = tmp_path / "empty"
    empty.mkdir()
    build_study_area(empty, **SMALL)
    assert (empty / "manifest.json").exists()


def test_failed_run_leaves_nothing(tmp_path, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(contoh, "write_vector", boom)
    with pytest.raises(RuntimeError):
        build_study_area(tmp_path / "area", **SMALL)
    assert list(tmp_path.iterdir()) == []


# -- realism ------------------------------------------------------------------------------------
def test_dem_is_plausible_with_sea_in_the_north(study):
    dem = study.r["dem"]
    sea = dem <= 0
    assert 1200.0 < dem.max() < 3000.0
    assert -200.0 < dem.min() < 0.0
    assert 0.10 <= sea.mean() <= 0.20
    assert sea[0].mean() > 0.9 and not sea[-1].any()
    rows = np.nonzero(sea)[0]
    assert rows.mean() < 0.2 * study.shape[0]
    # the volcano is in the south-east, the plain in the north is low and gentle
    peak_row, peak_col = np.unravel_index(np.argmax(dem), dem.shape)
    assert peak_row > 0.6 * study.shape[0] and peak_col > 0.5 * study.shape[1]
    plain = ~sea & (np.arange(study.shape[0])[:, None] < 0.35 * study.shape[0])
    assert np.median(dem[plain]) < 60 and np.median(study.slope[plain]) < 3
    assert (study.r["landcover"][sea] == LC_WATER).all()


def test_dem_max_at_default_size(default):
    assert 1500.0 <= default.r["dem"].max() <= 3000.0


def test_rivers_flow_downhill_to_the_sea(study):
    dem = study.r["dem"]
    rivers = study.v["rivers"]
    assert len(rivers) >= 20
    ends_at_sea = 0
    for geom in rivers.geometry:
        xy = np.asarray(geom.coords)
        z = dem[study.rc(xy[:, 0], xy[:, 1])]
        assert z[-1] < z[0]
        assert (np.diff(z) <= 1e-3).mean() >= 0.95
        if z[-1] <= 0:
            ends_at_sea += 1
        else:  # a tributary ends where it joins another river
            d = rivers.geometry.distance(Point(xy[-1]))
            assert (d < 1e-6).sum() >= 2
    assert ends_at_sea >= 5
    highest = rivers.loc[rivers["order"] == rivers["order"].max()]
    for geom in highest.geometry:
        x, y = geom.coords[-1]
        assert dem[study.rc(x, y)] <= 0
    # rivers rise in the upland
    starts = np.array([g.coords[0] for g in rivers.geometry])
    assert dem[study.rc(starts[:, 0], starts[:, 1])].max() > 500


def test_arterial_road_on_land_across_the_regency(study):
    roads = study.v["roads"]
    art = roads[roads["class"] == "arterial"]
    assert len(art) >= 1
    minx, _, maxx, _ = art.total_bounds
    assert maxx - minx >= 0.9 * study.shape[1] * study.res
    for geom in art.geometry:  # one road from west to east, not doubling back
        assert geom.is_simple and geom.length < 1.5 * study.shape[1] * study.res
        assert geom.coords[0][0] < geom.coords[-1][0]
    dem = study.r["dem"]
    for geom in art.geometry:
        pts = [geom.interpolate(d) for d in np.arange(0, geom.length, study.res / 2)]
        z = dem[study.rc([p.x for p in pts], [p.y for p in pts])]
        assert (z > 0).all()
    # the roads form one connected network
    union = shapely.unary_union(list(roads.geometry.buffer(0.01)))
    assert union.geom_type == "Polygon"
    # local and collector roads keep to land too, and to passable slopes
    burn = study.burn(roads.geometry)
    assert (dem[burn] > 0).mean() > 0.99
    assert np.median(study.slope[burn]) < 10
    rail = study.v["railways"]
    assert rail.total_bounds[2] - rail.total_bounds[0] >= 0.9 * study.shape[1] * study.res
    assert (dem[study.burn(rail.geometry)] > 0).all()


def test_kpi_zone_on_gentle_dry_land(study):
    kpi = study.r["zoning"] == KPI
    assert 1000 <= study.ha(kpi) <= 10000
    assert (study.r["dem"][kpi] > 0).all()
    assert not (study.r["landcover"][kpi] == LC_WATER).any()
    assert (study.slope[kpi] < 15).mean() >= 0.9
    # on the coastal plain, within reach of the arterial road
    rows = np.nonzero(kpi)[0]
    assert rows.max() < 0.45 * study.shape[0]
    roads = study.v["roads"]
    art = study.burn(roads[roads["class"] == "arterial"].geometry, all_touched=True)
    d_art = ndimage.distance_transform_edt(~art, sampling=study.res)
    assert np.median(d_art[kpi]) < 3000
    # the existing industrial area is inside the KPI, near the port
    industry = study.r["landcover"] == 9
    assert industry.any() and (kpi[industry]).mean() > 0.9
    port = study.v["ports"].geometry.iloc[0]
    ir, ic = np.nonzero(industry)
    x = study.transform.c + (ic + 0.5) * study.res
    y = study.transform.f - (ir + 0.5) * study.res
    assert np.hypot(x - port.x, y - port.y).min() < 3000


def test_protected_forest_above_rice(study):
    dem, lc = study.r["dem"], study.r["landcover"]
    assert dem[lc == LC_PROTECTED].mean() > dem[lc == LC_RICE].mean() + 500
    assert np.median(study.slope[lc == LC_RICE]) < 3
    flood, slide = study.r["hazard_flood"], study.r["hazard_landslide"]
    assert study.slope[slide == 3].mean() > study.slope[slide == 0].mean()
    assert dem[flood == 3].mean() < dem[(flood == 0)].mean()


def test_settlement_cells_match_settlement_polygons(study):
    st = study.v["settlements"]
    assert (st["kind"] == "town").sum() == 1
    assert 20 <= (st["kind"] == "village").sum() <= 40
    assert st["name"].is_unique and (st["population"] > 0).all()
    town = st[st["kind"] == "town"].geometry.iloc[0]
    assert 2e6 <= town.area <= 8e6
    burned = study.burn(st.geometry)
    assert np.array_equal(burned, study.r["landcover"] == LC_SETTLEMENT)
    dem = study.r["dem"]
    for geom in st.geometry:
        mask = study.burn([geom])
        assert mask.any() and (dem[mask] > 0).all()
        assert np.median(study.slope[mask]) < 15
    # the town is near the coast and the arterial road
    roads = study.v["roads"]
    assert roads[roads["class"] == "arterial"].distance(town).min() < 500
    boundary = study.v["boundary"].geometry.iloc[0]
    assert boundary.contains(town.centroid)


def test_port_on_the_coast(study):
    port = study.v["ports"].geometry.iloc[0]
    sea = study.r["dem"] <= 0
    d = ndimage.distance_transform_edt(~sea, sampling=study.res)
    assert d[study.rc(port.x, port.y)] <= 2 * study.res


def _suitable(study: Area) -> np.ndarray:
    """Land an industrial-estate screening would keep (without the KPI requirement)."""
    lc = study.r["landcover"]
    d_settle = ndimage.distance_transform_edt(lc != LC_SETTLEMENT, sampling=study.res)
    return ((study.slope <= 15) & (study.r["hazard_flood"] != 3) & (study.r["hazard_landslide"] != 3)
            & (d_settle >= 2000) & ~np.isin(lc, (LC_WATER, LC_PROTECTED, LC_RICE, LC_SETTLEMENT))
            & (study.r["dem"] > 0))


def test_suitability_analysis_finds_sites(study):
    ok = _suitable(study)
    assert study.ha(ok & (study.r["zoning"] == KPI)) >= 300
    roads = study.v["roads"]
    art = study.burn(roads[roads["class"] == "arterial"].geometry, all_touched=True)
    near = ndimage.distance_transform_edt(~art, sampling=study.res) <= 1000
    assert study.ha(ok & near) >= 100
    assert study.ha(ok & near & (study.r["zoning"] != KPI)) > 0


@pytest.mark.slow
def test_default_size_is_fast_enough(default):
    assert default.shape == (1340, 2000)
    assert default.seconds < 60


def test_agency_layers_are_byte_identical_run_to_run(tmp_path):
    """The synthetic agency layers (GeoJSON, Shapefile, GeoPackage) carry no clock time: the same seed, the
    same bytes (the GeoPackage's timestamps come from the fixed OGR_CURRENT_DATE)."""
    import hashlib

    from shapely.geometry import box

    from kawasan.sampledata.agency_fixture import write_agency_layers

    def digests(folder):
        paths = write_agency_layers(folder, box(113.0, -7.9, 113.1, -7.8), coast_lat=-7.82,
                                    cones=[(113.05, -7.88, 400.0)], seed=3)
        files = sorted(p for p in folder.iterdir() if p.is_file())
        assert paths["zoning"] in files
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}

    first = digests(tmp_path / "a")
    import time
    time.sleep(1.1)  # a clock-stamped file would now differ
    assert digests(tmp_path / "b") == first
