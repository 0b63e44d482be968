"""The chunked path (kawasan.spatial.chunked) equals the in-memory path.

Chunks are small on purpose: smaller than the distance halos (so a window spans several chunks), with roads,
settlement buffers, setbacks and candidate sites crossing chunk borders; the demo's run goes through a
LocalCluster of several worker processes. Large runs are benchmarks (benchmarks/scale.py), not tests.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio

from conftest import make_area, small_model
from kawasan.cli.main import cli
from kawasan.errors import InputError, RasterError
from kawasan.spatial.api import evaluate_model, run_suitability, to_xarray
from kawasan.spatial.chunked import ChunkOptions, evaluate_chunked
from kawasan.spatial.chunked.plan import halo_cells, plan_blocks
from kawasan.spatial.model import model_from_dict
from kawasan.spatial.studyarea import open_study_area


def assert_same(a, b):
    """Scores within 1e-6 (NaN where NaN), identical classes and exclusion bitmasks and per-rule counts."""
    assert np.array_equal(np.isnan(a.score), np.isnan(b.score))
    ok = ~np.isnan(a.score)
    assert np.abs(a.score[ok] - b.score[ok]).max(initial=0.0) <= 1e-6
    assert np.array_equal(a.classes, b.classes)
    assert a.reason.dtype == b.reason.dtype and np.array_equal(a.reason, b.reason)
    assert [(o.id, o.status, o.excluded_cells) for o in a.constraints] == \
           [(o.id, o.status, o.excluded_cells) for o in b.constraints]
    assert a.weights.weights == b.weights.weights
    assert a.warnings == b.warnings


def test_plan_covers_the_grid_once_and_halo_is_the_reach():
    m = model_from_dict(small_model())
    # the road criterion reaches 600 m (20 cells), the village rule 300 m + 2 cells: halo 20 + 1
    assert halo_cells(m, (30.0, 30.0)) == 21
    blocks = plan_blocks((40, 60), 8, 21)
    seen = np.zeros((40, 60), int)
    for b in blocks:
        seen[b.core] += 1
        assert b.win_row <= b.row and b.win_row + b.win_height >= b.row + b.height
    assert (seen == 1).all()
    # a halo wider than the neighbouring chunks: the window spans several chunks, clipped at the grid
    assert blocks[0].win_height == 8 + 21 and blocks[0].win_width == 8 + 21


@pytest.mark.parametrize("chunks", [8, 13, 64])
def test_chunked_equals_in_memory_on_threads(area, chunks):
    m = model_from_dict(small_model())
    full = evaluate_model(m, area)
    part = evaluate_chunked(m, open_study_area(area, m), ChunkOptions(chunks=chunks, scheduler="threads"))
    assert_same(full, part)


def test_chunked_keeps_criteria_and_switches(area):
    m = model_from_dict(small_model())
    full = evaluate_model(m, area, keep_criteria=True, rules={"village": False})
    part = evaluate_model(m, area, keep_criteria=True, rules={"village": False}, chunks=16, scheduler="threads")
    assert_same(full, part)
    assert sorted(full.criteria) == sorted(part.criteria)
    for cid in full.criteria:
        np.testing.assert_allclose(part.criteria[cid], full.criteria[cid], atol=1e-6)


def test_demo_run_on_local_cluster_of_processes_equals_in_memory(demo_dir, tmp_path):
    """The kawasan-industri preset on the demo: every rule (setbacks included), 4 chunks of 1024 cells, each
    smaller than the preset's 40 km distance halo, on two worker processes; the run folders agree."""
    data = demo_dir / "data"
    a = run_suitability("kawasan-industri", data, tmp_path / "mem")
    b = run_suitability("kawasan-industri", data, tmp_path / "chunked", chunks=1024, scheduler="processes",
                        workers=2)
    for name in ("score.tif", "classes.tif", "constraints.tif"):
        with rasterio.open(tmp_path / "mem" / name) as x, rasterio.open(tmp_path / "chunked" / name) as y:
            u, v = x.read(1), y.read(1)
        if u.dtype.kind == "f":
            assert np.array_equal(np.isnan(u), np.isnan(v))
            assert np.nanmax(np.abs(u - v)) <= 1e-6
        else:
            assert np.array_equal(u, v), name
    ma, mb = a.manifest, b.manifest
    assert mb["chunked"]["chunks"] == 4 and mb["chunked"]["halo_cells"] > 1024
    for key in ("constraints", "criteria", "weights", "classes", "best_areas", "warnings", "inputs", "proxies"):
        assert ma[key] == mb[key], key
    for f in sorted((tmp_path / "mem" / "setbacks").iterdir()):
        assert f.read_bytes() == (tmp_path / "chunked" / "setbacks" / f.name).read_bytes()


def test_dataset_carries_cf_spatial_ref(area, tmp_path):
    import rioxarray  # noqa: F401

    m = model_from_dict(small_model())
    ds = to_xarray(evaluate_model(m, area))
    assert ds.rio.crs.to_epsg() == 32749
    assert "spatial_ref" in ds.coords and ds["score"].attrs.get("grid_mapping", ds["score"].encoding.get(
        "grid_mapping", "spatial_ref")) == "spatial_ref"
    assert ds.rio.transform() == open_study_area(area, m).grid.transform
    ds["score"].rio.to_raster(tmp_path / "score.tif")
    with rasterio.open(tmp_path / "score.tif") as r:
        assert r.crs.to_epsg() == 32749 and r.transform == ds.rio.transform()
    from kawasan.spatial.api import open_run_dataset

    res = run_suitability(m, area, tmp_path / "run")
    lazy = open_run_dataset(tmp_path / "run", chunks=16)
    assert lazy.rio.crs.to_epsg() == 32749 and lazy["classes"].chunks is not None
    assert np.array_equal(lazy["classes"].values, res.evaluation.classes)


def test_grid_too_large_for_memory_goes_to_chunks_by_itself(area, monkeypatch):
    import kawasan.spatial.api as api

    m = model_from_dict(small_model())
    monkeypatch.setattr(api, "fits_in_memory", lambda model, grid: False)
    ev = evaluate_model(m, area)
    assert "does not fit in the memory available" in ev.warnings[0] and ev.timings["chunks"] >= 1
    assert "tidak muat dalam memori" in ev.warnings[0].text("id")      # a catalogue note, in both languages
    monkeypatch.undo()
    full = evaluate_model(m, area)
    assert np.array_equal(full.classes, ev.classes)


def test_a_large_run_folder_is_written_in_chunks_by_default_with_the_same_results(area, tmp_path, monkeypatch):
    """From CHUNKED_FROM_CELLS cells a run folder is written on the chunked path (faster there, the same
    pixels and summary), without a warning; below it, or without a run folder, the in-memory path runs."""
    from kawasan.spatial.chunked import engine as chunked_engine

    m = model_from_dict(small_model())
    small = run_suitability(m, area, tmp_path / "small")
    assert "chunked" not in small.manifest
    monkeypatch.setattr(chunked_engine, "CHUNKED_FROM_CELLS", 1000)      # the fixture's grid is 60 x 40 cells
    large = run_suitability(m, area, tmp_path / "large")
    assert large.manifest["chunked"]["reason"] == "faster" and large.manifest["chunked"]["written_by_windows"]
    assert large.manifest["warnings"] == small.manifest["warnings"]
    assert large.evaluation.score is None                                 # no grid held: the dataset reads the folder
    assert np.array_equal(large.dataset["classes"].values, small.dataset["classes"].values)
    for key in ("classes", "best_areas", "constraints"):
        assert large.manifest[key] == small.manifest[key], key
    for name in ("score.tif", "classes.tif", "constraints.tif"):
        with rasterio.open(tmp_path / "small" / name) as x, rasterio.open(tmp_path / "large" / name) as y:
            assert np.array_equal(x.read(1), y.read(1), equal_nan=True), name
    assert "chunks" not in evaluate_model(m, area).timings                # no run folder: in memory
    asked = run_suitability(m, area, tmp_path / "asked", chunks=16)
    assert asked.manifest["chunked"]["reason"] == "asked"


def test_chunked_refuses_in_memory_layers_and_tiny_chunks(area):
    m = model_from_dict(small_model())
    with pytest.raises(InputError, match="at least 8 cells"):
        evaluate_model(m, area, chunks=4)
    import xarray as xr

    dem = xr.DataArray(np.ones((4, 4), np.float32), dims=("y", "x"),
                       coords={"y": [3.5, 2.5, 1.5, 0.5], "x": [0.5, 1.5, 2.5, 3.5]}, attrs={"crs": "EPSG:32749"})
    one = model_from_dict({"name": "one", "layers": {"dem": {"path": "dem.tif"}},
                           "criteria": [{"id": "h", "layer": "dem", "transform": {"type": "linear", "low": 0,
                                                                                  "high": 2}}],
                           "weights": {"method": "direct", "values": {"h": 1}}})
    with pytest.raises(InputError, match="in-memory layers"):
        evaluate_model(one, {"dem": dem}, chunks=8)


def test_cli_bad_chunk_options_exit_2(runner, area, tmp_path):
    (tmp_path / "m.json").write_text(json.dumps(small_model()))
    base = ["suitability", "run", str(tmp_path / "m.json"), "--data", str(area)]
    r = runner.invoke(cli, [*base, "--out", str(tmp_path / "o1"), "--chunks", "4"])
    assert r.exit_code == 2 and "--chunks" in r.output and "at least 8" in r.output
    r = runner.invoke(cli, [*base, "--out", str(tmp_path / "o2"), "--scheduler", "fast"])
    assert r.exit_code == 2 and "unknown scheduler 'fast'" in r.output
    r = runner.invoke(cli, [*base, "--out", str(tmp_path / "o3"), "--workers", "0"])
    assert r.exit_code == 2 and "--workers" in r.output and "0" in r.output
    r = runner.invoke(cli, [*base, "--out", str(tmp_path / "o4"), "--scheduler", "tcp://127.0.0.1:9"])
    assert r.exit_code == 2 and "cannot reach the Dask scheduler" in r.output
    assert not any(p.name.startswith((".o", "o")) for p in tmp_path.iterdir() if p.name != "m.json")


def test_error_in_a_worker_reaches_the_cli_with_its_file(runner, area, tmp_path):
    (tmp_path / "m.json").write_text(json.dumps(small_model()))
    (area / "landcover.tif").write_bytes(b"not a tiff")
    r = runner.invoke(cli, ["suitability", "run", str(tmp_path / "m.json"), "--data", str(area), "--out",
                            str(tmp_path / "out"), "--chunks", "16", "--scheduler", "processes", "--workers", "2"])
    assert r.exit_code == 2, r.output
    assert "landcover.tif" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "out").exists()


def test_cli_chunked_run_writes_the_same_run(runner, area, tmp_path):
    (tmp_path / "m.json").write_text(json.dumps(small_model()))
    base = ["suitability", "run", str(tmp_path / "m.json"), "--data", str(area), "--json"]
    r1 = runner.invoke(cli, [*base, "--out", str(tmp_path / "a")])
    r2 = runner.invoke(cli, [*base, "--out", str(tmp_path / "b"), "--chunks", "10", "--scheduler", "threads",
                             "--workers", "2"])
    assert r1.exit_code == 0 and r2.exit_code == 0, r2.output
    m2 = json.loads(r2.output)
    assert m2["chunked"] == {"chunk_cells": 10, "chunks": 24, "halo_cells": 21, "scheduler": "threads",
                             "workers": 2, "reason": "asked", "spilled_to_disk": False, "written_by_windows": True}
    with rasterio.open(tmp_path / "a" / "classes.tif") as x, rasterio.open(tmp_path / "b" / "classes.tif") as y:
        assert np.array_equal(x.read(1), y.read(1))


# --- candidate sites across chunks ------------------------------------------------------------------------
def _blob_run(folder, seed=0, shape=(180, 240), origin=(700000.0, 9150000.0)):
    """A run folder whose classes are random blobs (hundreds of components of every size, holes, slivers)."""
    from affine import Affine

    from scipy import ndimage

    from conftest import write_raster
    from kawasan.spatial.runs.folder import RUN_KIND

    folder.mkdir()
    rng = np.random.default_rng(seed)
    noise = ndimage.gaussian_filter(rng.random(shape), 3.0)
    score = ((noise - noise.min()) / (noise.max() - noise.min())).astype(np.float32)
    classes = np.digitize(score, [0.35, 0.5, 0.6, 0.7])[::1].astype(np.uint8)
    classes = (5 - classes).astype(np.uint8)                  # 1 (S1) for the highest scores .. 5 (N2)
    reason = (rng.random(shape) < 0.01).astype(np.uint8)      # scattered excluded cells: holes not filled
    classes[reason == 1] = 6
    score[reason == 1] = 0
    tr = Affine(30.0, 0, origin[0], 0, -30.0, origin[1])
    write_raster(folder / "score.tif", score, nodata=np.nan, transform=tr)
    write_raster(folder / "classes.tif", classes, nodata=0, transform=tr)
    write_raster(folder / "constraints.tif", reason, transform=tr)
    h, w = shape
    manifest = {"kind": RUN_KIND, "study_area": {"grid": {"crs": "EPSG:32749", "transform": list(tr)[:6],
                                                          "width": w, "height": h}},
                "outputs": [{"path": f"{r}.tif", "role": r} for r in ("score", "classes", "constraints")]}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def test_no_area_large_enough_is_said_as_in_memory_in_both_languages(tmp_path):
    """The chunked extract names the minimum area and the smaller patches found, as the in-memory one does
    (it once passed names its message does not hold, and failed with a KeyError instead of the note)."""
    from kawasan.spatial.chunked.sites import extract_chunked
    from kawasan.spatial.runs.read import open_run
    from kawasan.spatial.sites.candidates import ExtractRules, extract

    run = open_run(_blob_run(tmp_path / "run"))
    rules = ExtractRules(min_area_ha=50_000.0)
    a, notes_a = extract(run, rules)
    b, notes_b = extract_chunked(run, rules, ChunkOptions(chunks=13, scheduler="threads"))
    assert a == b == []
    note = next(n for n in notes_b if n.key == "run.note.sites.contiguous_area_suitable_cells")
    assert note in notes_a
    assert note.startswith("no contiguous area of suitable cells reaches 50,000 ha (")
    assert "mencapai 50.000 ha (ditemukan " in note.text("id")


@pytest.mark.parametrize("over", [
    {"min_area_ha": 0.5, "min_class": "S2"},
    {"min_area_ha": 0.09, "min_class": "S3", "min_width_cells": 1, "fill_holes_ha": 0.5},
    {"min_area_ha": 2.0, "min_score": 0.55, "max_area_ha": 60.0, "min_compactness": 0.2},
])
def test_sites_across_chunks_equal_in_memory(tmp_path, over):
    from kawasan.spatial.chunked.sites import extract_chunked
    from kawasan.spatial.runs.read import open_run
    from kawasan.spatial.sites.candidates import ExtractRules, extract

    run = open_run(_blob_run(tmp_path / "run"))
    rules = ExtractRules(**over)
    a, notes_a = extract(run, rules)
    assert len(a) > 20
    for chunks in (13, 50):      # 13: below the site halo (3 + hole cells + 2), sites span many chunks
        b, notes_b = extract_chunked(run, rules, ChunkOptions(chunks=chunks, scheduler="threads"))
        assert notes_a == notes_b
        assert [(s.id, s.cells, tuple(s.window.flatten())) for s in a] == \
               [(s.id, s.cells, tuple(s.window.flatten())) for s in b]
        for x, y in zip(a, b):
            assert np.array_equal(x.mask, y.mask) and x.geometry.equals(y.geometry)


def test_sites_extract_cli_chunked_equals_in_memory(runner, demo_dir, tmp_path):
    """kawasan sites extract --chunks on the demo run through worker processes: the same sites.json."""
    import shutil

    run = tmp_path / "run"
    shutil.copytree(demo_dir / "runs" / "kawasan-industri", run)
    r1 = runner.invoke(cli, ["sites", "extract", str(run), "--min-area-ha", "5", "--json"])
    r2 = runner.invoke(cli, ["sites", "extract", str(run), "--min-area-ha", "5", "--json", "--chunks", "300",
                             "--scheduler", "processes", "--workers", "2"])
    assert r1.exit_code == 0 and r2.exit_code == 0, r2.output
    assert json.loads(r1.output) == json.loads(r2.output) and len(json.loads(r1.output)) > 1


def test_area_straddling_a_utm_zone_border(tmp_path):
    """A study area across 108 degrees E (the border of UTM zones 48S and 49S), on one grid in zone 49S: the
    chunked sites equal the in-memory ones (none counted twice or cut at the zone border or a chunk border),
    and each site's hectares (cells x cell area) differ from its geodesic area by the transverse Mercator
    scale error the design states (k^2, Snyder 1987 eq. 8-11), under 0.2 % at 3 degrees from the meridian."""
    from pyproj import Geod, Transformer
    from shapely.ops import transform as reproject

    from kawasan.spatial.chunked.sites import extract_chunked
    from kawasan.spatial.runs.read import open_run
    from kawasan.spatial.sites.candidates import ExtractRules, extract

    # x = 168,499 m is 108 E at 7 S in zone 49S; the grid spans about 3.6 km either side of it
    run = open_run(_blob_run(tmp_path / "run", seed=3, origin=(164900.0, 9228800.0)))
    to_ll = Transformer.from_crs("EPSG:32749", "EPSG:4326", always_xy=True)
    lon_left, _ = to_ll.transform(164900.0, 9226000.0)
    lon_right, _ = to_ll.transform(164900.0 + 240 * 30, 9226000.0)
    assert lon_left < 108.0 < lon_right
    rules = ExtractRules(min_area_ha=1.0)
    a, _ = extract(run, rules)
    b, _ = extract_chunked(run, rules, ChunkOptions(chunks=40, scheduler="threads"))
    assert [(s.id, s.cells) for s in a] == [(s.id, s.cells) for s in b]
    crossing = [s for s in b if s.geometry.bounds[0] < 168499 < s.geometry.bounds[2]]
    assert crossing, "a site crosses the zone border"
    geod = Geod(ellps="WGS84")
    for s in b:
        ll = reproject(lambda x, y: to_ll.transform(x, y), s.geometry)
        true_ha = abs(geod.geometry_area_perimeter(ll)[0]) / 10_000.0
        grid_ha = s.cells * 0.09
        lon, lat = to_ll.transform(s.geometry.centroid.x, s.geometry.centroid.y)
        k = 0.9996 / np.sqrt(1 - (np.cos(np.radians(lat)) * np.sin(np.radians(lon - 111.0))) ** 2)
        assert abs(grid_ha / true_ha - k * k) < 2e-4, (s.id, grid_ha, true_ha, k * k)
        assert abs(grid_ha / true_ha - 1) < 2e-3


def test_running_cluster_by_its_address(area):
    """--scheduler ADDRESS: a running Dask scheduler (here a LocalCluster started by the test) runs the chunks."""
    from distributed import LocalCluster

    m = model_from_dict(small_model())
    full = evaluate_model(m, area)
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as cluster:
        part = evaluate_model(m, area, chunks=12, scheduler=cluster.scheduler_address)
    assert_same(full, part)


def test_chunks_side_by_side_in_threads_each_once_and_never_more_than_asked():
    """The threads executor runs every job once, at most ``side`` at a time, and yields as they finish."""
    import threading
    import time

    from kawasan.spatial.chunked import cluster

    lock, now, peak = threading.Lock(), [0], [0]

    def job(i):
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        time.sleep(0.01 * (i % 3))
        with lock:
            now[0] -= 1
        return i

    assert sorted(cluster._in_process(job, range(20), 2)) == list(range(20)) and peak[0] == 2
    peak[0] = 0
    assert list(cluster._in_process(job, range(5), 1)) == list(range(5)) and peak[0] == 1
    first = next(cluster._in_process(job, range(100), 2))         # the consumer stops early: no hang
    assert first in range(3)


# --- outputs written by windows -------------------------------------------------------------------------
def test_chunked_run_folder_is_byte_identical_whatever_the_workers(area, tmp_path):
    """The coordinator writes each chunk into tiled files as it arrives (in any order) and makes the COGs
    from them: the same bytes run to run, on 1 or 2 worker processes or on threads; the pixels and the
    summary are the in-memory run's."""
    m = model_from_dict(small_model())
    mem = run_suitability(m, area, tmp_path / "mem")
    runs = {"one": dict(scheduler="processes", workers=1), "two": dict(scheduler="processes", workers=2),
            "threads": dict(scheduler="threads"), "again": dict(scheduler="threads"),
            "serial": dict(scheduler="threads", workers=2)}      # one chunk at a time, 2 kernel threads
    made = {k: run_suitability(m, area, tmp_path / k, chunks=10, **kw) for k, kw in runs.items()}
    from rio_cogeo.cogeo import cog_validate

    for name in ("score.tif", "classes.tif", "constraints.tif"):
        valid, errors, _ = cog_validate(str(tmp_path / "two" / name), strict=True)
        assert valid, (name, errors)
        first = (tmp_path / "one" / name).read_bytes()
        assert all((tmp_path / k / name).read_bytes() == first for k in runs), name
        with rasterio.open(tmp_path / "mem" / name) as x, rasterio.open(tmp_path / "one" / name) as y:
            assert np.array_equal(x.read(1), y.read(1), equal_nan=True), name
            assert x.overviews(1) == y.overviews(1) and x.tags() == y.tags(), name
            assert x.descriptions == y.descriptions and x.dtypes == y.dtypes, name
    for key in ("classes", "best_areas", "constraints"):
        assert made["two"].manifest[key] == mem.manifest[key], key
    assert made["two"].manifest["chunked"]["written_by_windows"] is True
    assert made["two"].evaluation.score is None and not list(tmp_path.glob("kawasan-chunks-*"))


@pytest.mark.parametrize("strip", [1, 7, 64])
def test_best_areas_by_strips_equals_whole_grid(tmp_path, monkeypatch, strip):
    """Hundreds of blobs crossing strip borders (a strip as thin as one row): the same largest patches,
    areas, score means and centroids, ties in the same order, as summary.best_areas on the whole grid."""
    from affine import Affine
    from scipy import ndimage

    from conftest import write_raster
    from kawasan.spatial.chunked import outputs
    from kawasan.spatial.grid import Grid
    from kawasan.spatial.runs.summary import best_areas

    rng = np.random.default_rng(3)
    score = ndimage.gaussian_filter(rng.random((150, 170)), 2.0).astype(np.float32)
    score = (score - score.min()) / (score.max() - score.min())
    classes = (5 - np.digitize(score, [0.3, 0.45, 0.55, 0.62])).astype(np.uint8)
    classes[rng.random(classes.shape) < 0.003] = 0
    score[classes == 0] = np.nan
    tr = Affine(30.0, 0, 700000.0, 0, -30.0, 9150000.0)
    write_raster(tmp_path / "score.tif", score, nodata=np.nan, transform=tr)
    write_raster(tmp_path / "classes.tif", classes, nodata=0, transform=tr)
    grid = Grid.from_dict({"crs": "EPSG:32749", "transform": list(tr)[:6], "width": 170, "height": 150})
    monkeypatch.setattr(outputs, "STRIP_ROWS", strip)
    counts = np.bincount(classes.ravel(), minlength=256)
    whole = best_areas(score, classes, grid, top=400)
    assert len(whole) > 20
    assert outputs.best_areas_by_strips(tmp_path / "classes.tif", tmp_path / "score.tif", counts, grid,
                                        top=400) == whole
    classes[classes == 1] = 2            # no S1: the best class present is S2
    write_raster(tmp_path / "classes.tif", classes, nodata=0, transform=tr)
    counts = np.bincount(classes.ravel(), minlength=256)
    assert outputs.best_areas_by_strips(tmp_path / "classes.tif", tmp_path / "score.tif", counts, grid) == \
        best_areas(score, classes, grid)


@pytest.mark.parametrize("size", [1, 5, 16, 33, 64, 170])
def test_best_areas_from_chunk_patches_equal_whole_grid(size):
    """Each chunk labels its own S1 patches; merged across chunk borders (sides and corners, chunks as small as
    one cell) they give summary.best_areas of the whole grid: areas, score means, centroids, tie order."""
    from affine import Affine
    from scipy import ndimage

    from kawasan.spatial.chunked import outputs
    from kawasan.spatial.chunked.plan import plan_blocks
    from kawasan.spatial.grid import Grid
    from kawasan.spatial.runs.summary import best_areas

    rng = np.random.default_rng(5)
    score = ndimage.gaussian_filter(rng.random((150, 170)), 2.0).astype(np.float32)
    score = (score - score.min()) / (score.max() - score.min())
    classes = (5 - np.digitize(score, [0.3, 0.45, 0.55, 0.62])).astype(np.uint8)
    classes[rng.random(classes.shape) < 0.003] = 0
    classes[40:44, :] = 1                     # one patch across every chunk of four rows of chunks
    classes[[60, 61], [100, 101]] = 1         # touching only diagonally (a corner between chunks when size=1)
    score[classes == 0] = np.nan
    tr = Affine(30.0, 0, 700000.0, 0, -30.0, 9150000.0)
    grid = Grid.from_dict({"crs": "EPSG:32749", "transform": list(tr)[:6], "width": 170, "height": 150})
    parts = [outputs.chunk_patches(classes[b.core], score[b.core], b)
             for b in plan_blocks(classes.shape, size, 0)]
    rng.shuffle(parts)                        # chunks arrive in any order
    whole = best_areas(score, classes, grid, top=400)
    assert len(whole) > 20
    assert outputs.best_areas_from_patches(parts, 1, grid, top=400) == whole


@pytest.mark.parametrize("row,col", [(0, 0), (1, 0), (512, 0), (3, 7), (2048, 4095)])
def test_first_blocks_equal_the_sorted_ones(row, col):
    """The one-pass first 2 x 2 block per label equals a sort over every labelled cell."""
    import cv2

    from kawasan.spatial.chunked.outputs import first_blocks

    rng = np.random.default_rng(row + col)
    mask = (rng.random((97, 131)) < 0.45).astype(np.uint8)
    n, labels = cv2.connectedComponents(mask, connectivity=8, ltype=cv2.CV_32S)
    assert n > 50
    expected = np.full((n, 2), np.iinfo(np.int64).max, dtype=np.int64)
    rr, cc = np.nonzero(labels)
    key = ((rr + row) // 2).astype(np.int64) * (1 << 31) + (cc + col) // 2
    order = np.lexsort((key, labels[rr, cc]))
    lab_s, key_s = labels[rr, cc][order], key[order]
    starts = np.flatnonzero(np.r_[True, lab_s[1:] != lab_s[:-1]])
    expected[lab_s[starts], 0] = key_s[starts] >> 31
    expected[lab_s[starts], 1] = key_s[starts] & ((1 << 31) - 1)
    assert np.array_equal(first_blocks(labels, n, row, col), expected)


def test_chunked_errors_name_the_value_in_both_languages(area, tmp_path, monkeypatch):
    """The chunked path's own refusals: the value, the option, and the user's language."""
    from kawasan.errors import ModelError, VectorError
    from kawasan.spatial.chunked.sites import extract_chunked
    from kawasan.spatial.runs.read import open_run
    from kawasan.spatial.sites.candidates import ExtractRules

    m = model_from_dict(small_model())
    with pytest.raises(InputError) as e:
        evaluate_model(m, area, chunks=5)
    assert e.value.field == "--chunks" and "sisi satu potongan minimal 8 sel; yang diberikan 5" in \
        e.value.message.text("id")
    with pytest.raises(InputError, match="--workers must be at least 1; got 0"):
        evaluate_model(m, area, chunks=16, workers=0)
    big = small_model()
    big["constraints"] = [{"id": f"c{i}", "layer": "dem", "rule": "max_value", "limit": 1000 + i}
                          for i in range(33)]
    with pytest.raises(ModelError, match="at most 32 constraints are supported; got 33"):
        evaluate_model(model_from_dict(big), area, chunks=16, scheduler="threads")
    wrong = small_model()
    next(c for c in wrong["criteria"] if c["id"] == "road")["where"] = {"class": ["no-such-class"]}
    with pytest.raises(VectorError, match="has no features matching"):
        evaluate_model(model_from_dict(wrong), area, chunks=16, scheduler="threads")
    run_suitability(m, area, tmp_path / "run")
    run = open_run(tmp_path / "run")
    for rules, text in ((ExtractRules(min_area_ha=0), "the minimum area must be positive; got 0"),
                        (ExtractRules(min_area_ha=1, min_score=1.5), "min_score must lie in [0, 1]; got 1.5"),
                        (ExtractRules(min_area_ha=1, min_class="S9"), "unknown class 'S9'")):
        with pytest.raises(InputError) as e:
            extract_chunked(run, rules, ChunkOptions(chunks=16, scheduler="threads"))
        assert text in str(e.value)
