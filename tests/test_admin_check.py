"""`sites extract --admin` with units of another region (issue 11, item 12): refused when they miss the
study area, a loud warning when they cover part of it, and a warning for real names on synthetic data."""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import box

from conftest import CRS, H, LEFT, RES, TOP, W, small_model
from kawasan.cli.main import cli
from kawasan.errors import InputError
from kawasan.spatial.api import run_suitability
from kawasan.spatial.model import model_from_dict
from kawasan.spatial.sites.service import extract_sites

RIGHT, BOTTOM = LEFT + W * RES, TOP - H * RES


@pytest.fixture
def run(area, tmp_path):
    out = tmp_path / "run"
    run_suitability(model_from_dict(small_model(sites={"min_area_ha": 5})), area, out)
    return out


def _units(path, boxes, names):
    gpd.GeoDataFrame({"nama": names}, geometry=boxes, crs=CRS).to_file(path)
    return path


def test_units_elsewhere_are_refused_with_both_extents(run, tmp_path, runner):
    far = _units(tmp_path / "far.geojson", [box(LEFT + 5e5, TOP - 1e3, LEFT + 5e5 + 1e3, TOP)], ["Desa Jauh"])
    r = runner.invoke(cli, ["sites", "extract", str(run), "--admin", str(far)])
    assert r.exit_code == 2 and "does not overlap the study area" in r.output and "far.geojson" in r.output


def test_units_around_but_not_on_the_area_are_refused(run, tmp_path, runner):
    # two units beyond opposite corners: their extent spans the study area, their shapes do not touch it
    corners = [box(LEFT - 600, TOP, LEFT - 300, TOP + 300), box(RIGHT + 300, BOTTOM - 300, RIGHT + 600, BOTTOM)]
    ring = _units(tmp_path / "ring.geojson", corners, ["Desa A", "Desa B"])
    with pytest.raises(InputError, match="do not overlap the study area of the run") as err:
        extract_sites(run, admin=[{"path": ring}])
    msg = str(err.value)
    assert msg.count("lon ") == 2 and "EPSG:32749" in msg, "both extents, in the grid CRS and lon/lat"
    r = runner.invoke(cli, ["sites", "extract", str(run), "--admin", str(ring)])
    assert r.exit_code == 2 and "do not overlap" in r.output
    assert not (run / "sites").exists(), "nothing written"


def test_partial_cover_warns_loudly_and_json_stays_clean(run, tmp_path, runner):
    half = _units(tmp_path / "half.geojson", [box(LEFT, BOTTOM, LEFT + W * RES / 2, TOP)], ["Desa Kiri"])
    res = extract_sites(run, admin=[{"path": half}])
    assert any("cover only 50.0 %" in w for w in res["warnings"])
    r = runner.invoke(cli, ["sites", "extract", str(run), "--admin", str(half)])
    assert r.exit_code == 0 and "WARNING" in r.output and "cover only 50.0 %" in r.output
    r = runner.invoke(cli, ["sites", "extract", str(run), "--admin", str(half), "--json"])
    assert r.exit_code == 0 and "cover only" in r.stderr
    assert isinstance(json.loads(r.stdout), list)


def test_real_names_on_a_synthetic_area_are_flagged(run, tmp_path, area):
    whole = _units(tmp_path / "whole.geojson", [box(LEFT - 100, BOTTOM - 100, RIGHT + 100, TOP + 100)], ["Desa Nyata"])
    res = extract_sites(run, admin=[{"path": whole}])
    assert not any("cover only" in w for w in res["warnings"])
    assert any("SYNTHETIC" in w and "real places" in w for w in res["warnings"])
    own = _units(area / "kecamatan.geojson", [box(LEFT - 100, BOTTOM - 100, RIGHT + 100, TOP + 100)], ["Kec. Uji"])
    assert extract_sites(run, admin=[{"path": own}])["warnings"] == [], "the study area's own (synthetic) units"
