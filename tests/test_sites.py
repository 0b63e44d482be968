"""Candidate sites: extraction rules, explanation, ranking output, and checking a proposed site."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point, Polygon, box

from conftest import CRS, LEFT, RES, TOP, small_model
from kawasan.cli.main import cli
from kawasan.errors import InputError
from kawasan.spatial.api import run_suitability
from kawasan.spatial.model import model_from_dict
from kawasan.spatial.sites.check import check_site
from kawasan.spatial.sites.service import extract_sites
from kawasan.spatial.sites.candidates import polsby_popper


@pytest.fixture
def run(area, tmp_path):
    m = small_model(sites={"min_area_ha": 5, "legal_basis": "test rule", "certainty": "design"})
    out = tmp_path / "run"
    run_suitability(model_from_dict(m), area, out, write_criteria=True)
    return out


def test_extract_finds_the_suitable_block(run):
    res = extract_sites(run)
    assert res["sites"], res["notes"]
    s = res["sites"][0]
    # suitable land: rows 5..39, columns 0..39 minus the village buffer and the ridge; S1/S2 near the road
    assert s["area_ha"] >= 5 and s["rank"] == 1
    assert set(s["criteria_means"]) == {"land", "road", "slope"}
    assert all(0 <= v <= 1 for v in s["criteria_means"].values())
    assert s["distance_m"]["arterial_road"] == pytest.approx(0.0, abs=RES)
    assert s["landcover_shares"] and abs(sum(s["landcover_shares"].values()) - 1) < 1e-6
    assert s["slope_percent"]["max"] <= 15 + 1e-3
    assert s["score_min"] >= 0.6  # S2 or better by default
    files = {p.name for p in (run / "sites").iterdir()}
    assert files == {"sites.gpkg", "sites.geojson", "sites.json"}
    gj = gpd.read_file(run / "sites" / "sites.geojson")
    assert gj.crs.to_epsg() == 4326 and len(gj) == len(res["sites"])
    gp = gpd.read_file(run / "sites" / "sites.gpkg")
    assert gp.crs.to_epsg() == 32749
    assert gp.geometry.area.sum() / 1e4 == pytest.approx(sum(s["area_ha"] for s in res["sites"]), rel=1e-6)


def test_minimum_area_and_empty_result_is_explained(run):
    res = extract_sites(run, min_area_ha=10_000)
    assert res["sites"] == [] and "no contiguous area" in res["notes"][0]
    tiny = extract_sites(run, min_area_ha=0.01, min_width_cells=1)
    assert "smaller than one cell" in tiny["notes"][0]
    with pytest.raises(InputError, match="max_area_ha"):
        extract_sites(run, min_area_ha=5, max_area_ha=1)


def test_slivers_and_min_score(run):
    strict = extract_sites(run, min_score=0.9, min_width_cells=1)
    loose = extract_sites(run, min_score=0.5, min_width_cells=1)
    assert sum(s["area_ha"] for s in strict["sites"]) <= sum(s["area_ha"] for s in loose["sites"])
    assert all(s["score_min"] >= 0.9 - 1e-6 for s in strict["sites"])


def test_ranking_methods_and_cli_json(run, runner):
    r = runner.invoke(cli, ["sites", "extract", str(run), "--min-class", "S3", "--json", "--min-width-cells", "1",
                            "--min-area-ha", "1"])
    assert r.exit_code == 0, r.output
    sites = json.loads(r.output)
    assert {"id", "area_ha", "score_mean", "rank"} <= set(sites[0])
    assert [s["rank"] for s in sites] == list(range(1, len(sites) + 1))
    for method in ("area_weighted", "topsis"):
        r = runner.invoke(cli, ["sites", "rank", str(run), "--by", method, "--json"])
        assert r.exit_code == 0, r.output
        ranked = json.loads(r.output)
        assert sorted(s["id"] for s in ranked) == sorted(s["id"] for s in sites)
        gp = gpd.read_file(run / "sites" / "sites.gpkg")
        assert dict(zip(gp["id"], gp["rank"])) == {s["id"]: s["rank"] for s in ranked}
        assert not [p for p in (run / "sites").iterdir() if p.name.startswith(".")]


def test_polsby_popper():
    assert polsby_popper(Point(0, 0).buffer(100, 256)) == pytest.approx(1.0, abs=1e-3)
    assert polsby_popper(box(0, 0, 1, 1)) == pytest.approx(np.pi / 4)


def site_file(tmp_path, geom, crs=CRS, name="site.gpkg"):
    p = tmp_path / name
    gpd.GeoDataFrame({"name": ["proposed"]}, geometry=[geom], crs=crs).to_file(p)
    return p


def test_check_passing_and_failing_sites(run, tmp_path):
    good = box(LEFT + 5 * RES, TOP - 30 * RES, LEFT + 30 * RES, TOP - 10 * RES)
    res = check_site(site_file(tmp_path, good), run)
    assert res["passes"] is True
    assert {"rule", "passed", "value", "legal_basis"} <= set(res["constraints"][0])
    # straddles the flood zone (rows 0..4) and the non-KPI zone (columns >= 40)
    bad = box(LEFT + 30 * RES, TOP - 20 * RES, LEFT + 50 * RES, TOP - 0 * RES)
    res = check_site(site_file(tmp_path, bad, name="bad.gpkg"), run)
    assert res["passes"] is False
    rows = {r["rule"]: r for r in res["constraints"]}
    assert rows["flood"]["passed"] is False and rows["flood"]["value"] == pytest.approx(25.0, abs=0.1)
    assert rows["kpi"]["passed"] is False and rows["kpi"]["value"] == pytest.approx(50.0, abs=0.1)
    assert "Permenperin 30/2020 [V]" in rows["slope15"]["message"]
    assert res["what_would_have_to_change"]


def test_check_point_with_radius_in_other_crs(run, tmp_path):
    from pyproj import Transformer
    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(LEFT + 20 * RES, TOP - 20 * RES)
    p = site_file(tmp_path, Point(lon, lat), crs="EPSG:4326", name="pt.geojson")
    with pytest.raises(InputError, match="--radius"):
        check_site(p, run)
    res = check_site(p, run, radius=150)
    assert any("reprojected" in n for n in res["notes"]) and res["score"]["area_ha"] == pytest.approx(7.07, abs=0.6)


def test_check_repairs_self_intersecting_polygon(run, tmp_path):
    x, y = LEFT + 20 * RES, TOP - 20 * RES
    bow = Polygon([(x - 200, y - 200), (x + 200, y + 200), (x + 200, y - 200), (x - 200, y + 200)])
    res = check_site(site_file(tmp_path, bow), run)
    assert any("repaired" in n for n in res["notes"])


def test_check_outside_study_area_exits_2(run, tmp_path, runner):
    far = site_file(tmp_path, box(0, 0, 100, 100), name="far.gpkg")
    r = runner.invoke(cli, ["sites", "check", str(far), "--run", str(run)])
    assert r.exit_code == 2 and "outside the study area" in r.output
    r = runner.invoke(cli, ["sites", "check", str(far), "--run", str(tmp_path)])
    assert r.exit_code == 2 and "manifest.json" in r.output


def test_admin_units_from_real_probolinggo_boundaries(shared_data, tmp_path):
    """Sites on the demo grid fall inside the real Probolinggo kecamatan (the demo grid overlaps it)."""
    from kawasan.sampledata.contoh import build_study_area

    data = tmp_path / "data"
    build_study_area(data, seed=7)
    out = tmp_path / "run"
    run_suitability("kawasan-industri", data, out, write_criteria=True)
    res = extract_sites(out, admin=[{"path": shared_data / "boundaries" / "probolinggo_kab_kecamatan.geojson"}])
    named = [s["admin"][0]["main"] for s in res["sites"] if s["admin"][0]["main"]]
    assert named, "at least one demo site should fall inside a real Probolinggo kecamatan"
    assert all(u["share"] <= 1.0 for s in res["sites"] for u in s["admin"][0]["units"])


def test_sensitivity_cli_and_spread_map(run, runner):
    import rasterio

    extract_sites(run, min_class="S3", min_area_ha=1, min_width_cells=1)
    r = runner.invoke(cli, ["sites", "sensitivity", str(run), "-n", "200", "--seed", "3", "--json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.output)
    mc = res["monte_carlo"]
    assert mc["n"] == 200 and mc["seed"] == 3
    assert all(0 <= s["p_top_k"] <= 1 and s["rank_min"] <= s["rank_max"] for s in mc["sites"])
    assert res["one_at_a_time"]["rows"] and "exact" in res["method_note"]
    with rasterio.open(run / "sites" / "score_spread.tif") as ds:
        spread = ds.read(1)
    assert np.nanmax(spread) > 0 and np.nanmin(spread) >= 0
    again = json.loads(runner.invoke(cli, ["sites", "sensitivity", str(run), "-n", "200", "--seed", "3",
                                           "--json", "--no-map"]).output)
    assert again["monte_carlo"]["sites"] == mc["sites"]


def test_sensitivity_before_extract_is_a_clear_error(area, tmp_path, runner):
    out = tmp_path / "r2"
    run_suitability(model_from_dict(small_model(sites={"min_area_ha": 5})), area, out)
    r = runner.invoke(cli, ["sites", "sensitivity", str(out)])
    assert r.exit_code == 2 and "kawasan sites extract" in r.output


def test_explanation_steps_for_all_sites_at_once(tmp_path):
    """explain's batched steps give what the per-site computations give: the nearest feature's distance
    (one spatial-index query for all sites), slope read with one cell around a site at the grid's edge
    (NaN beyond it, as a boundless read), each file opened once."""
    import rasterio
    from affine import Affine
    from rasterio.windows import Window

    from conftest import write_raster
    from kawasan.spatial import kernels
    from kawasan.spatial.sites import explain
    from kawasan.spatial.grid import Grid
    from kawasan.spatial.sites.candidates import Site

    rng = np.random.default_rng(5)
    roads = gpd.GeoDataFrame(geometry=[Point(LEFT + x, TOP - y).buffer(5) for x, y in rng.random((300, 2)) * 3000],
                             crs=CRS)
    tr = Affine(RES, 0, LEFT, 0, -RES, TOP)
    dem = (rng.random((50, 60)) * 40).astype(np.float32)
    dem[10, 0] = -9999.0
    write_raster(tmp_path / "dem.tif", dem, nodata=-9999.0, transform=tr)
    grid = Grid(rasterio.crs.CRS.from_user_input(CRS), tr, 60, 50)
    sites = []
    for i, (r, c, h, w) in enumerate([(0, 0, 12, 9), (20, 30, 7, 7), (43, 52, 7, 8)], 1):
        mask = rng.random((h, w)) < 0.7
        mask[0, 0] = True
        x0, y0 = LEFT + c * RES, TOP - r * RES
        sites.append(Site(i, int(mask.sum()), Window(c, r, w, h), mask, box(x0, y0 - h * RES, x0 + w * RES, y0)))
    near = explain._nearest(roads, [s.geometry for s in sites])
    assert near.tolist() == [float(roads.distance(s.geometry).min()) for s in sites]
    assert explain._nearest(None, [s.geometry for s in sites]) is None
    stats = explain._slope_stats(tmp_path / "dem.tif", sites, grid)
    with rasterio.open(tmp_path / "dem.tif") as ds:
        for s, got in zip(sites, stats):
            w = s.window
            pad = Window(w.col_off - 1, w.row_off - 1, w.width + 2, w.height + 2)
            d = ds.read(1, window=pad, boundless=True, fill_value=np.nan).astype(np.float32)
            d[d == ds.nodata] = np.nan
            sl = kernels.slope_percent(d, RES, RES, np.empty_like(d))[1:-1, 1:-1][s.mask]
            sl = sl[np.isfinite(sl)]
            assert got == {"mean": round(float(sl.mean()), 2), "max": round(float(sl.max()), 2),
                           "p90": round(float(np.percentile(sl, 90)), 2),
                           "share_above_15": round(float((sl > 15).mean()), 4)}
    assert explain._slope_stats(tmp_path / "none.tif", sites, grid) == [None, None, None]
