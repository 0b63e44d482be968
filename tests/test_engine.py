"""The engine against an independent numpy oracle, its invariants, and its bad-input errors."""
from __future__ import annotations

import json
import random
import shutil

import numpy as np
import pytest
import rasterio
from affine import Affine
from scipy import ndimage

from conftest import CRS, H, LEFT, RES, TOP, W, make_area, small_model, write_raster
from kawasan.errors import (GridMismatchError, InconsistentJudgementsError, InputError, RasterError, VectorError,
                            WeightsError)
from kawasan.spatial.api import evaluate_model, run_suitability
from kawasan.spatial.model import model_from_dict


def evaluate(area, **over):
    return evaluate_model(model_from_dict(small_model(**over)), area, keep_criteria=True)


def oracle(area):
    """The small model computed independently with numpy/scipy (Horn slope, exact EDT, direct formulas)."""
    with rasterio.open(area / "dem.tif") as ds:
        dem = ds.read(1).astype(np.float64)
    p = np.pad(dem, 1, mode="edge")
    dzdx = ((p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2])) / (8 * RES)
    dzdy = ((p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:]) - (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:])) / (8 * RES)
    slope = 100 * np.hypot(dzdx, dzdy)
    road = np.zeros((H, W), bool)
    road[20, :] = True  # arterial along y = TOP - 20.5 * RES, i.e. through row 20's centres
    droad = np.minimum(ndimage.distance_transform_edt(~road) * RES, 600)
    lc = np.full((H, W), 7)
    lc[0:10] = 4
    lc[0:3] = 1
    land = np.select([lc == 7, lc == 4, lc == 1], [1.0, 0.2, 0.0])
    s_road = 1 - droad / 600
    s_slope = 1 - np.clip(slope / 30, 0, 1)
    score = 0.5 * s_road + 0.25 * s_slope + 0.25 * land
    village = np.zeros((H, W), bool)
    village[35:40, 55:60] = True
    dvil = ndimage.distance_transform_edt(~village) * RES
    excluded = (slope > 15) | (np.arange(H)[:, None] < 5) | (np.arange(W)[None, :] >= 40) | (dvil <= 300)
    return score, excluded, s_road, s_slope


def test_matches_independent_oracle(area):
    ev = evaluate(area)
    score, excluded, s_road, s_slope = oracle(area)
    np.testing.assert_allclose(ev.criteria["road"], s_road, atol=1e-5)
    np.testing.assert_allclose(ev.criteria["slope"], s_slope, atol=1e-4)
    assert np.array_equal(ev.reason != 0, excluded)
    expected = np.where(excluded, 0, score)
    np.testing.assert_allclose(ev.score, expected, atol=1e-4)
    cls = np.select([excluded, expected >= 0.8, expected >= 0.6, expected >= 0.4, expected >= 0.2], [6, 1, 2, 3, 4], 5)
    # classes may differ only where the score sits on a break within float32 tolerance
    assert (ev.classes != cls).sum() <= 2


def test_reason_bits_name_each_rule(area):
    ev = evaluate(area)
    bits = {o.id: o.bit for o in ev.constraints}
    assert np.all(ev.reason[0:5] & bits["flood"])
    assert np.all(ev.reason[:, 40:] & bits["kpi"])
    assert np.all(ev.reason[:, 46:49] & bits["slope15"])  # the ridge
    assert not np.any(ev.reason[10:30, 0:30])
    counts = {o.id: o.excluded_cells for o in ev.constraints}
    assert counts["flood"] == 5 * W and counts["kpi"] == 20 * H


def test_excluded_cells_are_never_suitable(area):
    ev = evaluate(area)
    ex = ev.reason != 0
    assert np.all(ev.classes[ex] == 6) and np.all(ev.score[ex] == 0)
    assert not np.any(np.isin(ev.classes[~ex], [6]))


def test_result_does_not_depend_on_criterion_or_constraint_order(area):
    base = evaluate(area)
    m = small_model()
    rng = random.Random(3)
    for _ in range(3):
        crit = list(m["criteria"])
        rng.shuffle(crit)
        cons = list(m["constraints"])
        rng.shuffle(cons)
        ev = evaluate(area, criteria=crit, constraints=cons)
        assert np.array_equal(ev.score, base.score, equal_nan=True)
        assert np.array_equal(ev.classes, base.classes)
        assert np.array_equal(ev.reason != 0, base.reason != 0)


def test_weights_sum_to_one_and_hierarchy(area):
    m = small_model()
    m["criteria"][0]["group"] = "access"
    m["criteria"][1]["group"] = "access"
    m["weights"] = {"method": "ahp", "criteria": ["access", "land"], "matrix": [[1, 3], ["1/3", 1]],
                    "groups": {"access": {"method": "direct", "values": {"road": 1, "slope": 1}}}}
    ev = evaluate_model(model_from_dict(m), area)
    w = ev.weights.weights
    assert sum(w.values()) == pytest.approx(1.0)
    assert w["land"] == pytest.approx(0.25) and w["road"] == pytest.approx(0.375) and w["slope"] == pytest.approx(0.375)


def test_group_ahp_geometric_mean(area):
    m = small_model()
    m["weights"] = {"method": "ahp", "criteria": ["road", "slope", "land"], "matrices": [
        {"name": "Bappeda", "matrix": [[1, 4, 4], ["1/4", 1, 1], ["1/4", 1, 1]]},
        {"name": "DLH", "matrix": [[1, 1, 1], [1, 1, 1], [1, 1, 1]]},
    ]}
    ev = evaluate_model(model_from_dict(m), area)
    # geometric mean of 4 and 1 is 2: weights 2:1:1
    assert ev.weights.weights["road"] == pytest.approx(0.5, abs=1e-6)
    assert ev.weights.levels[0]["method"] == "group_ahp" and len(ev.weights.levels[0]["members"]) == 2


def test_inconsistent_ahp_refused_unless_allowed(area):
    m = small_model()
    m["weights"] = {"method": "ahp", "criteria": ["road", "slope", "land"],
                    "matrix": [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]}
    with pytest.raises(InconsistentJudgementsError, match="allow-inconsistent"):
        evaluate_model(model_from_dict(m), area)
    ev = evaluate_model(model_from_dict(m), area, allow_inconsistent=True)
    assert ev.weights.levels[0]["cr"] > 0.1


@pytest.mark.parametrize("values, words", [({"road": -1, "slope": 1, "land": 1}, "non-negative"),
                                           ({"road": 0, "slope": 0, "land": 0}, "all weights are zero"),
                                           ({"road": 1, "slope": 1}, "missing ['land']"),
                                           ({"road": 1, "slope": 1, "land": 1, "port": 1}, "unknown ['port']")])
def test_bad_direct_weights(area, values, words):
    with pytest.raises(WeightsError, match=words.replace("[", r"\[").replace("]", r"\]")):
        evaluate(area, weights={"method": "direct", "values": values})


def test_owa_neutral_equals_wlc_and_fuzzy(area):
    wlc = evaluate(area)
    owa = evaluate(area, aggregation={"method": "owa", "risk": 1.0})
    np.testing.assert_allclose(owa.score, wlc.score, atol=1e-5)
    pess = evaluate(area, aggregation={"method": "owa", "risk": 5.0})
    ok = wlc.reason == 0
    assert np.all(pess.score[ok] <= wlc.score[ok] + 1e-6)
    fand = evaluate(area, aggregation={"method": "fuzzy", "operator": "and"})
    stack = np.stack([fand.criteria[k] for k in ("land", "road", "slope")])
    np.testing.assert_allclose(fand.score[ok], stack.min(0)[ok], atol=1e-6)
    forr = evaluate(area, aggregation={"method": "fuzzy", "operator": "or"})
    np.testing.assert_allclose(forr.score[ok], stack.max(0)[ok], atol=1e-6)
    fsum = evaluate(area, aggregation={"method": "fuzzy", "operator": "sum"})
    np.testing.assert_allclose(fsum.score[ok], (1 - np.prod(1 - stack, 0))[ok], atol=1e-5)
    gam = evaluate(area, aggregation={"method": "fuzzy", "operator": "gamma", "gamma": 0.0})
    np.testing.assert_allclose(gam.score[ok], np.prod(stack, 0)[ok], atol=1e-5)


def test_nodata_propagates_never_as_zero(area):
    with rasterio.open(area / "dem.tif", "r+") as ds:
        dem = ds.read(1)
        dem[25:28, 5:8] = -9999
        ds.write(dem, 1)
    ev = evaluate(area)
    assert np.all(np.isnan(ev.score[25:28, 5:8]))
    assert np.all(ev.classes[25:28, 5:8] == 0)
    assert not np.isnan(ev.score[15, 15])


def test_missing_criterion_layer_and_skipped_constraint(area):
    (area / "zoning.tif").unlink()
    ev = evaluate(area)
    kpi = next(o for o in ev.constraints if o.id == "kpi")
    assert kpi.status == "skipped" and "zoning" in kpi.reason
    (area / "dem.tif").unlink()
    with pytest.raises(InputError, match="dem.tif"):
        evaluate(area)


def test_corrupt_raster(area):
    (area / "landcover.tif").write_bytes(b"II*\x00garbage" * 10)
    with pytest.raises(RasterError, match="landcover.tif.*not a readable raster"):
        evaluate(area)


def test_other_crs_refused_or_aligned(area):
    with rasterio.open(area / "landcover.tif") as ds:
        lc = ds.read(1)
    # same cells, expressed in UTM 50S coordinates: a different CRS
    from rasterio.warp import calculate_default_transform, reproject
    dst_crs = "EPSG:32750"
    tr, w, h = calculate_default_transform(CRS, dst_crs, W, H, LEFT, TOP - H * RES, LEFT + W * RES, TOP)
    out = np.zeros((h, w), np.uint8)
    reproject(lc, out, src_transform=Affine(RES, 0, LEFT, 0, -RES, TOP), src_crs=CRS, dst_transform=tr,
              dst_crs=dst_crs, resampling=0, dst_nodata=0)
    write_raster(area / "landcover.tif", out, nodata=0, crs=dst_crs, transform=tr)
    with pytest.raises(GridMismatchError, match="CRS EPSG:32750 instead of EPSG:32749"):
        evaluate(area)
    ev = evaluate(area, align=True)
    assert ev.criteria["land"][20, 20] == pytest.approx(1.0)  # shrub survives the round trip


def test_shifted_grid_lists_the_difference(area):
    lc = np.full((H, W), 7, np.uint8)
    write_raster(area / "landcover.tif", lc, nodata=0, transform=Affine(RES, 0, LEFT + 15, 0, -RES, TOP))
    with pytest.raises(GridMismatchError, match="origin"):
        evaluate(area)


def test_layer_outside_study_area(area):
    lc = np.full((H, W), 7, np.uint8)
    write_raster(area / "landcover.tif", lc, nodata=0, transform=Affine(RES, 0, LEFT + 1e5, 0, -RES, TOP))
    with pytest.raises(RasterError, match="does not overlap the study area"):
        evaluate(area)
    import geopandas as gpd
    from shapely.geometry import LineString
    gpd.GeoDataFrame({"class": ["arterial"]}, geometry=[LineString([(0, 0), (10, 10)])], crs=CRS).to_file(
        area / "roads.gpkg", layer="roads")
    shutil.copy(area / "zoning.tif", area / "landcover.tif")  # restore a valid categorical raster on the grid
    with pytest.raises(VectorError, match="roads.gpkg.*does not overlap"):
        evaluate(area, criteria=[small_model()["criteria"][0]], weights={"method": "direct", "values": {"road": 1}})


def test_all_nodata_layer(area):
    write_raster(area / "dem.tif", np.full((H, W), -9999, np.float32), nodata=-9999.0)
    with pytest.raises(RasterError, match="only NoData"):
        evaluate(area)


def test_unknown_category_name(area):
    m = small_model()
    m["constraints"][1]["values"] = ["very_high"]
    with pytest.raises(InputError, match="unknown category 'very_high'.*3=high"):
        evaluate_model(model_from_dict(m), area)


def test_vector_filter_matches_nothing(area):
    m = small_model()
    m["criteria"][0]["where"] = {"class": ["toll"]}
    with pytest.raises(VectorError, match="no features matching"):
        evaluate_model(model_from_dict(m), area)
    m["criteria"][0]["where"] = {"kelas": ["arterial"]}
    with pytest.raises(VectorError, match="no attribute 'kelas'"):
        evaluate_model(model_from_dict(m), area)


def test_run_folder_contract(area, tmp_path):
    out = tmp_path / "run"
    res = run_suitability(model_from_dict(small_model()), area, out, write_criteria=True)
    man = json.loads((out / "manifest.json").read_text())
    roles = {o["role"] for o in man["outputs"]}
    assert {"score", "classes", "constraints", "criterion", "manifest"} <= roles
    for o in man["outputs"]:
        assert (out / o["path"]).exists(), o
    assert all(len(i["sha256"]) == 64 for i in man["inputs"])
    assert man["weights"]["global"] == pytest.approx({"road": 0.5, "slope": 0.25, "land": 0.25})
    assert man["constraints"][0]["legal_basis"] == "Permenperin 30/2020" and man["constraints"][0]["certainty"] == "V"
    assert man["software"]["gdal"] and man["timings"]["total"] > 0
    with rasterio.open(out / "score.tif") as ds:
        assert ds.dtypes[0] == "float32" and ds.crs.to_epsg() == 32749
        assert ds.overviews(1) or ds.width < 512  # COG overviews only when larger than one block
        assert ds.profile.get("tiled") or ds.block_shapes[0][0] > 1
        np.testing.assert_array_equal(ds.read(1), res.evaluation.score)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary folders left behind"
    ds = res.dataset
    assert set(ds.data_vars) >= {"score", "classes", "excluded_by"} and ds.attrs["crs"] == "EPSG:32749"


def test_failed_run_leaves_nothing_and_keeps_previous(area, tmp_path):
    out = tmp_path / "run"
    run_suitability(model_from_dict(small_model()), area, out)
    before = (out / "score.tif").read_bytes()
    (area / "landcover.tif").write_bytes(b"broken")
    with pytest.raises(RasterError):
        run_suitability(model_from_dict(small_model()), area, out, overwrite=True)
    assert (out / "score.tif").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["area", "run"]


def test_refuses_to_overwrite_foreign_folder(area, tmp_path):
    from kawasan.errors import OutputError
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("do not lose me")
    with pytest.raises(OutputError, match="not a kawasan run folder"):
        run_suitability(model_from_dict(small_model()), area, out)
    assert (out / "notes.txt").read_text() == "do not lose me"


def test_grid_from_first_raster_without_manifest(area):
    (area / "manifest.json").unlink()
    m = small_model()
    for k in ("landcover", "zoning", "hazard_flood"):
        m["layers"][k]["categories"] = {7: "shrub", 4: "irrigated_rice", 1: "water", 3: "high", 2: "agriculture"}
    m["layers"]["zoning"]["categories"] = {4: "kpi", 2: "agriculture"}
    m["layers"]["hazard_flood"]["categories"] = {3: "high", 0: "none"}
    ev = evaluate_model(model_from_dict(m), area)
    assert ev.area.grid.shape == (H, W)
    assert (ev.classes == 1).any()


def test_xarray_in_xarray_out(area):
    """Notebook use: layers as xarray DataArrays / GeoDataFrames give the same result as files."""
    import geopandas as gpd
    import xarray as xr

    from kawasan.spatial.api import to_xarray
    from kawasan.spatial.grid import Grid

    grid = Grid.from_bounds(CRS, LEFT, TOP, RES, W, H)
    xs, ys = grid.coords()

    def da(name, dtype=None):
        with rasterio.open(area / f"{name}.tif") as ds:
            a = ds.read(1)
            return xr.DataArray(a, coords={"y": ys, "x": xs}, dims=("y", "x"),
                                attrs={"crs": CRS, "nodata": ds.nodata})

    m = small_model()
    m["layers"]["landcover"]["categories"] = {7: "shrub", 4: "irrigated_rice", 1: "water"}
    m["layers"]["zoning"]["categories"] = {4: "kpi", 2: "agriculture"}
    m["layers"]["hazard_flood"]["categories"] = {3: "high", 0: "none"}
    layers = {k: da(k) for k in ("dem", "landcover", "zoning", "hazard_flood")}
    layers["roads"] = gpd.read_file(area / "roads.gpkg")
    layers["settlements"] = gpd.read_file(area / "settlements.gpkg").to_crs("EPSG:4326")
    ev_mem = evaluate_model(model_from_dict(m), layers)
    ev_file = evaluate(area)
    np.testing.assert_allclose(ev_mem.score, ev_file.score, atol=1e-4)
    out = to_xarray(ev_mem)
    assert out["score"].dims == ("y", "x") and np.allclose(out["x"].values, xs)


@pytest.mark.parametrize("maxd", [200, 600])
def test_shared_distance_between_constraint_and_criterion(area, maxd):
    """A constraint on the same features as a criterion reuses its distance; both stay exact."""
    m = small_model()
    m["criteria"][0]["max_distance"] = maxd
    m["criteria"][0]["transform"]["high"] = maxd
    m["constraints"].append({"id": "near_road", "layer": "roads", "rule": "exclude_beyond", "distance": 300,
                             "where": {"class": ["arterial"]}})
    ev = evaluate_model(model_from_dict(m), area, keep_criteria=True)
    road = np.zeros((H, W), bool)
    road[20, :] = True
    d = ndimage.distance_transform_edt(~road) * RES
    bit = next(o.bit for o in ev.constraints if o.id == "near_road")
    assert np.array_equal((ev.reason & bit) != 0, d > 300)
    np.testing.assert_allclose(ev.criteria["road"], 1 - np.minimum(d, maxd) / maxd, atol=1e-5)
    assert [o.id for o in ev.constraints] == [c["id"] for c in m["constraints"]]


@pytest.mark.parametrize("categorical", [False, True])
def test_a_gdal_build_without_mem_datasets_writes_the_cog_through_a_temporary_file(tmp_path, monkeypatch,
                                                                                 categorical):
    """Where GDAL refuses to open a MEM dataset, write_cog goes through a temporary tiled GeoTIFF and GDAL's
    COG driver: a valid COG with the same pixels, tags and overviews, and no temporary file left."""
    from rasterio.errors import RasterioIOError
    from rio_cogeo.cogeo import cog_validate

    from kawasan.spatial import rasters
    from kawasan.spatial.grid import Grid

    real_open = rasterio.open
    refused = []

    def no_mem(path, *a, **k):
        if str(path).startswith("MEM:::"):
            refused.append(path)
            raise RasterioIOError("MEM datasets are not allowed here")
        return real_open(path, *a, **k)

    monkeypatch.setattr(rasters.rasterio, "open", no_mem)
    grid = Grid.from_bounds(CRS, LEFT, TOP, RES, 1300, 700)
    rng = np.random.default_rng(1)
    arr = rng.integers(0, 7, (700, 1300), dtype=np.uint8) if categorical else rng.random((700, 1300), dtype=np.float32)
    p = tmp_path / "out.tif"
    rasters.write_cog(p, arr, grid, nodata=0, categorical=categorical, tags={"ROLE": "x"})
    monkeypatch.undo()
    assert refused and cog_validate(str(p), strict=True)[0] and not list(tmp_path.glob("*.part.tif"))
    with rasterio.open(p) as ds:
        np.testing.assert_array_equal(ds.read(1), arr)
        assert ds.tags()["ROLE"] == "x" and len(ds.overviews(1)) == len(rasters.overview_factors(1300, 700))


def test_outputs_are_valid_cogs(tmp_path):
    """Every raster a run writes passes rio-cogeo's strict COG validation, with and without overviews."""
    from rio_cogeo.cogeo import cog_validate

    from kawasan.spatial.grid import Grid
    from kawasan.spatial.rasters import overview_factors, write_cog

    assert overview_factors(10000, 10000) == [2, 4, 8, 16, 32] and overview_factors(512, 300) == []
    for w, h in ((1300, 700), (60, 40)):
        grid = Grid.from_bounds(CRS, LEFT, TOP, RES, w, h)
        rng = np.random.default_rng(0)
        for name, arr, cat, comp in (("f", rng.random((h, w), dtype=np.float32), False, "ZSTD"),
                                     ("c", rng.integers(0, 7, (h, w), dtype=np.uint8), True, "DEFLATE"),
                                     ("n", rng.random((h, w), dtype=np.float32), False, "NONE")):
            p = tmp_path / f"{name}{w}.tif"
            write_cog(p, arr, grid, nodata=0, categorical=cat, compress=comp, tags={"ROLE": name})
            valid, errors, _ = cog_validate(str(p), strict=True)
            assert valid, (p, errors)
            with rasterio.open(p) as ds:
                np.testing.assert_array_equal(ds.read(1), arr)
                assert ds.crs.to_epsg() == 32749 and ds.transform == grid.transform
                assert ds.tags()["ROLE"] == name
                assert len(ds.overviews(1)) == len(overview_factors(w, h))
