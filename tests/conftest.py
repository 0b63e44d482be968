"""Shared fixtures: a tiny hand-built study area, a minimal model, the CLI runner."""
from __future__ import annotations

import json
import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from click.testing import CliRunner
from shapely.geometry import LineString, Point, box

CRS = "EPSG:32749"
RES = 30.0
LEFT, TOP = 700000.0, 9150000.0
H, W = 40, 60
SHARED = Path(__file__).resolve().parents[1].parent / "shared"

if os.environ.get("PYTEST_XDIST_WORKER"):
    # pytest-xdist's workers (./dev test runs two) start with COLUMNS=80 and LINES=24 in their environment; a
    # run without -n has neither. The CLI fits its tables to COLUMNS, so the tests would see them wrapped
    # at 80 columns in one mode and not in the other. Tests that want a terminal width set it themselves.
    for _var in ("COLUMNS", "LINES"):
        os.environ.pop(_var, None)


def write_raster(path, arr, *, nodata=None, crs=CRS, transform=None, dtype=None):
    transform = transform or Affine(RES, 0, LEFT, 0, -RES, TOP)
    with rasterio.open(path, "w", driver="GTiff", width=arr.shape[1], height=arr.shape[0], count=1,
                       dtype=dtype or arr.dtype, crs=crs, transform=transform, nodata=nodata) as ds:
        ds.write(arr.astype(dtype or arr.dtype), 1)


def make_area(root: Path, *, dem=None) -> Path:
    """A 60 x 40 cell (1.8 x 1.2 km) study area at 30 m in UTM 49S.

    dem: a tilted plane rising 2 % eastwards plus a steep ridge in columns 45-50.
    landcover: 7 shrub everywhere, 4 irrigated_rice in rows 0-9, 1 water in rows 0-2.
    zoning: 4 kpi in columns 0-39, 2 agriculture elsewhere.
    hazard_flood: 3 (high) in rows 0-4, else 0. roads: one arterial along row 20, one local along column 10.
    settlements: one village polygon in the south-east corner.
    """
    root.mkdir(parents=True, exist_ok=True)
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    if dem is None:
        dem = 10 + xx * RES * 0.02
        dem[:, 45:50] += (xx[:, 45:50] - 44) * 15.0
        dem[:, 50:] += 75.0
    write_raster(root / "dem.tif", dem.astype(np.float32), nodata=-9999.0)
    lc = np.full((H, W), 7, np.uint8)
    lc[0:10] = 4
    lc[0:3] = 1
    write_raster(root / "landcover.tif", lc, nodata=0)
    zon = np.full((H, W), 2, np.uint8)
    zon[:, :40] = 4
    write_raster(root / "zoning.tif", zon, nodata=0)
    hz = np.zeros((H, W), np.uint8)
    hz[0:5] = 3
    write_raster(root / "hazard_flood.tif", hz, nodata=255)
    y20 = TOP - 20.5 * RES
    roads = gpd.GeoDataFrame(
        {"class": ["arterial", "local"], "status": ["national", "regency"]},
        geometry=[LineString([(LEFT, y20), (LEFT + W * RES, y20)]),
                  LineString([(LEFT + 10.5 * RES, TOP), (LEFT + 10.5 * RES, TOP - H * RES)])],
        crs=CRS,
    )
    roads.to_file(root / "roads.gpkg", layer="roads")
    village = box(LEFT + 55 * RES, TOP - 40 * RES, LEFT + 60 * RES, TOP - 35 * RES)
    gpd.GeoDataFrame({"name": ["Desa Uji"], "kind": ["village"]}, geometry=[village], crs=CRS).to_file(
        root / "settlements.gpkg", layer="settlements")
    gpd.GeoDataFrame({"name": ["Pelabuhan Uji"]}, geometry=[Point(LEFT + 5 * RES, TOP - 1 * RES)], crs=CRS).to_file(
        root / "ports.gpkg", layer="ports")
    manifest = {
        "kind": "kawasan.study_area", "format_version": 1, "name": "Test area (synthetic)", "synthetic": True,
        "grid": {"crs": CRS, "transform": [RES, 0, LEFT, 0, -RES, TOP], "width": W, "height": H},
        "layers": {
            "dem": {"path": "dem.tif", "kind": "raster", "type": "continuous"},
            "landcover": {"path": "landcover.tif", "kind": "raster", "type": "categorical",
                          "categories": {"1": "water", "4": "irrigated_rice", "7": "shrub"}},
            "zoning": {"path": "zoning.tif", "kind": "raster", "type": "categorical",
                       "categories": {"2": "agriculture", "4": "kpi"}},
            "hazard_flood": {"path": "hazard_flood.tif", "kind": "raster", "type": "categorical",
                             "categories": {"0": "none", "1": "low", "2": "medium", "3": "high"}},
        },
    }
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


def small_model(**over) -> dict:
    """A minimal valid model over make_area's layers; keyword overrides replace top-level keys."""
    m = {
        "name": "test-model",
        "layers": {
            "dem": {"path": "dem.tif"},
            "landcover": {"path": "landcover.tif", "type": "categorical"},
            "zoning": {"path": "zoning.tif", "type": "categorical"},
            "hazard_flood": {"path": "hazard_flood.tif", "type": "categorical"},
            "roads": {"path": "roads.gpkg"},
            "settlements": {"path": "settlements.gpkg"},
        },
        "criteria": [
            {"id": "road", "layer": "roads", "measure": "distance", "where": {"class": ["arterial"]},
             "max_distance": 600, "direction": "cost", "transform": {"type": "linear", "low": 0, "high": 600}},
            {"id": "slope", "layer": "dem", "measure": "slope_percent", "direction": "cost",
             "transform": {"type": "linear", "low": 0, "high": 30}},
            {"id": "land", "layer": "landcover",
             "transform": {"type": "categories", "values": {"shrub": 1.0, "irrigated_rice": 0.2, "water": 0.0}}},
        ],
        "constraints": [
            {"id": "slope15", "layer": "dem", "rule": "max_value", "measure": "slope_percent", "limit": 15,
             "legal_basis": "Permenperin 30/2020", "certainty": "V"},
            {"id": "flood", "layer": "hazard_flood", "rule": "exclude_categories", "values": ["high"]},
            {"id": "kpi", "layer": "zoning", "rule": "require_categories", "values": ["kpi"], "skip_if_missing": True},
            {"id": "village", "layer": "settlements", "rule": "exclude_within", "distance": 300},
        ],
        "weights": {"method": "direct", "values": {"road": 2, "slope": 1, "land": 1}},
    }
    m.update(over)
    return m


@pytest.fixture(autouse=True, scope="session")
def _isolated_home(tmp_path_factory):
    """No test writes to the real per-user data folder: KAWASAN_HOME (and the XDG/HOME fallbacks the
    tracker would use without it) point at a temporary folder for the whole session.
    KAWASAN_DATABASE_URL is cleared so a developer's own server is never touched."""
    import os

    home = tmp_path_factory.mktemp("kawasan-home")
    saved = {k: os.environ.get(k) for k in ("KAWASAN_HOME", "XDG_DATA_HOME", "KAWASAN_DATABASE_URL",
                                            "KAWASAN_FILES_DIR", "KAWASAN_USER")}
    os.environ["KAWASAN_HOME"] = str(home / "kawasan")
    os.environ["XDG_DATA_HOME"] = str(home / "xdg")
    for k in ("KAWASAN_DATABASE_URL", "KAWASAN_FILES_DIR", "KAWASAN_USER"):
        os.environ.pop(k, None)
    yield home
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def area(tmp_path) -> Path:
    return make_area(tmp_path / "area")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """``kawasan demo --no-serve`` built once per session (about 25 s), shared by the tests that need it.

    Treat it as read-only: a test that changes files copies it first (shutil.copytree)."""
    from kawasan.cli.main import cli

    out = tmp_path_factory.mktemp("session-demo") / "kawasan-demo"
    r = CliRunner().invoke(cli, ["demo", "--out", str(out), "--no-serve"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    (out.parent / "demo-output.txt").write_text(r.output.replace(str(out), "kawasan-demo"))
    return out


@pytest.fixture(scope="session")
def shared_data() -> Path:
    d = SHARED / "data"
    if not d.is_dir():
        pytest.skip("../shared/data is not present (a fresh clone has no shared folder); this test reads real data from it")
    return d


from hypothesis import settings as _hyp_settings  # noqa: E402

# numba compiles a kernel on first use, which would trip Hypothesis' per-example deadline.
_hyp_settings.register_profile("kawasan", deadline=None, max_examples=60)
_hyp_settings.load_profile("kawasan")
