"""Same inputs, same bytes (issue 11, item 1).

The demo once gave a different APHT result run to run: the arterial-road mask came out of GDAL's
all-touched rasterization, which works in row swaths sized by the process-wide GDAL block cache, and
the COG writer threads had left that cache at 128 bytes (rasterio takes an integer GDAL_CACHEMAX as
bytes and does not restore it from a worker thread), depending on thread timing. Lines are now
burned by kawasan's own kernel and the cache is only changed from the main thread.

Here: the demo's APHT run repeated in this process (after the writer threads of earlier runs) and in
three processes at once gives the demo's own bytes. scripts/repeat_demo.py repeats whole demos.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio import features

from kawasan.spatial.api import run_suitability
from kawasan.spatial.sites.service import extract_sites, stress_test

ROOT = Path(__file__).resolve().parents[1]


def _repeat_demo():
    spec = importlib.util.spec_from_file_location("repeat_demo", ROOT / "scripts" / "repeat_demo.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


COMPARED = (".tif", ".json", ".gpkg")   # the report (HTML) is written by the demo only


def _assert_same(ref: Path, out: Path) -> None:
    problems = _repeat_demo().compare_trees(ref, out, only=COMPARED)
    assert not problems, "\n".join(problems)


def _run_like_the_demo(data: Path, out: Path) -> None:
    run_suitability("apht", data, out, write_criteria=True)
    extract_sites(out)
    stress_test(out, n=1000, seed=0)


def test_apht_run_repeated_in_process_gives_the_demo_bytes(demo_dir, tmp_path):
    ref = demo_dir / "runs" / "apht"
    # an earlier run in the same process, as in the demo: its COG writer threads ran before
    run_suitability("kawasan-industri", demo_dir / "data", tmp_path / "ki", write_criteria=True)
    for i in range(10):
        out = tmp_path / f"apht-{i}"
        _run_like_the_demo(demo_dir / "data", out)
        _assert_same(ref, out)


WORKER = """
import sys
from pathlib import Path
from kawasan.spatial.api import run_suitability
from kawasan.spatial.sites.service import extract_sites, stress_test
data, out, times = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
for i in range(times):
    run = out / f"apht-{i}"
    run_suitability("apht", data, run, write_criteria=True)
    extract_sites(run)
    stress_test(run, n=1000, seed=0)
"""


def test_apht_run_in_three_processes_at_once_gives_the_demo_bytes(demo_dir, tmp_path):
    """Three processes on a 2-core CI machine: the runs compete for the CPU, the threads interleave."""
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(demo_dir / "data"), str(tmp_path / f"p{k}"), "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for k in range(3)]
    for p in procs:
        output, _ = p.communicate(timeout=600)
        assert p.returncode == 0, output.decode()[-3000:]
    for k in range(3):
        for i in range(2):
            _assert_same(demo_dir / "runs" / "apht", tmp_path / f"p{k}" / f"apht-{i}")


def test_a_run_leaves_gdal_block_cache_as_it_was(demo_dir, tmp_path):
    """GDAL's own all-touched rasterization depends on the process's block cache size: it gives the
    same cells before and after a run (whose COGs are written by worker threads)."""
    import geopandas as gpd

    from kawasan.spatial.studyarea import open_study_area

    grid = open_study_area(demo_dir / "data").grid
    roads = gpd.read_file(demo_dir / "data" / "roads.gpkg")

    def gdal_burn():
        return features.rasterize(((g, 1) for g in roads.geometry), out_shape=grid.shape, transform=grid.transform,
                                  all_touched=True, dtype="uint8")

    before = gdal_burn()
    run_suitability("apht", demo_dir / "data", tmp_path / "run")
    assert np.array_equal(gdal_burn(), before), "a run changed the process's GDAL block cache"


def test_compare_trees_sees_a_changed_cell_and_masks_timings(tmp_path):
    """The comparison itself can fail: one changed raster cell, one changed JSON value are reported;
    timestamps, timings and the folder's own path are not."""
    import json

    mod = _repeat_demo()
    a, b = tmp_path / "a", tmp_path / "b"
    for d, cell, created, value in ((a, 1.0, "2025-01-01", 1), (b, 2.0, "2026-02-02", 1)):
        d.mkdir()
        arr = np.zeros((4, 4), np.float32)
        arr[2, 2] = cell
        with rasterio.open(d / "x.tif", "w", driver="GTiff", width=4, height=4, count=1, dtype="float32") as ds:
            ds.write(arr, 1)
        (d / "m.json").write_text(json.dumps({"created": created, "timings": {"total": value * 3.3},
                                              "run": str(d / "run"), "value": value}))
    assert mod.compare_trees(a, b) == ["x.tif: GeoTIFF bytes differ"]
    (b / "m.json").write_text(json.dumps({"created": "x", "timings": {}, "run": str(b / "run"), "value": 2}))
    assert "m.json: JSON differs beyond timestamps, timings and folder paths" in mod.compare_trees(a, b)


@pytest.mark.parametrize("name", ["sites.gpkg"])
def test_site_geopackage_bytes_repeat_for_the_same_run(demo_dir, tmp_path, name):
    """The GeoPackage's last_change is the run's creation time, not the clock: re-extracting the sites
    of one run gives the same bytes."""
    import shutil

    run = tmp_path / "apht"
    shutil.copytree(demo_dir / "runs" / "apht", run)
    first = (run / "sites" / name).read_bytes()
    extract_sites(run)
    assert (run / "sites" / name).read_bytes() == first
