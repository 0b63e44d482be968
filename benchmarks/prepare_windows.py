#!/usr/bin/env python3
"""Peak memory of `kawasan data prepare` on large grids: by windows (issue 15) against the whole-layer path.

Inputs (SYNTHETIC, generated once per size into benchmarks/_work/prepare_windows/): a 0.9 x 0.9 degree
boundary on the north coast of East Java, one 3-arc-second DEM tile with a void, an OSM PBF (kawasan's
fixture generator, 3,000 ways) and two agency layers (zoning, flood hazard). The resolution is chosen so
that the grid is SIDE x SIDE cells (about 5 m for 20,000): the memory of a prepare depends on the cells,
not on the metres.

Each prepare runs in its own process; wall time and peak RSS come from os.wait4. ``--baseline-src DIR``
runs the same prepare with another kawasan source tree (the whole-layer path before issue 15, e.g.
``git archive 7c47f8d src | tar -x -C /tmp/before``) on the sizes given by ``--baseline-sides``.

Run:  .venv/bin/python benchmarks/prepare_windows.py --sides 10000 20000 \
          --baseline-src /tmp/before/src --baseline-sides 10000
Results: benchmarks/_work/prepare_windows/results.json and a Markdown table on stdout.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "_work" / "prepare_windows"
BOX = (113.02, -7.95, 113.92, -7.05)      # lon/lat, inside the 1-degree tile S08E113
CONES = [(113.3, -7.6, 1800.0)]
COAST = -7.08

RUN = """
import json, sys
from pathlib import Path
from kawasan.spatial.ingest import agency as ag
from kawasan.spatial.ingest.prepare import PrepareRequest, prepare
a = json.loads(sys.argv[1])
layers = [ag.LayerArg("zoning", Path(a["zoning"]), "POLA_RUANG"),
          ag.LayerArg("hazard_flood", Path(a["flood"]), "KELAS")]
r = prepare(PrepareRequest(boundary=Path(a["boundary"]), out=Path(a["out"]), resolution=a["res"], buffer_m=100.0,
                           dem=[Path(p) for p in a["dem"]], osm=Path(a["osm"]), layers=layers))
g = r.manifest["grid"]
print(json.dumps({"width": g["width"], "height": g["height"], "memory": r.manifest["memory_estimate"],
                  "timings": r.manifest["timings_s"]}))
"""


def generate() -> dict:
    """The SYNTHETIC inputs (once; reused while inputs.json exists)."""
    stamp = WORK / "inputs.json"
    if stamp.exists():
        return json.loads(stamp.read_text())
    import geopandas as gpd
    from shapely.geometry import box

    from kawasan.sampledata.agency_fixture import write_agency_layers
    from kawasan.sampledata.dem_tiles import write_tiles
    from kawasan.sampledata.osm_fixture import write_synthetic_pbf

    WORK.mkdir(parents=True, exist_ok=True)
    poly = box(*BOX)
    gpd.GeoDataFrame({"nama": ["Wilayah Uji (SINTETIS)"]}, geometry=[poly], crs="EPSG:4326").to_file(
        WORK / "boundary.geojson", driver="GeoJSON")
    dem = write_tiles(WORK / "dem", BOX, arcsec=3, seed=4, coast_lat=COAST, cones=CONES, void=(113.4, -7.5, 0.01))
    write_synthetic_pbf(WORK / "area_synthetic.osm.pbf", poly, seed=4, target_ways=3000)
    layers = write_agency_layers(WORK / "agency", poly, coast_lat=COAST, cones=CONES, cell_deg=0.02,
                                 kpi_windows=((113.2, 113.6),))
    inputs = {"boundary": str(WORK / "boundary.geojson"), "dem": [str(p) for p in dem],
              "osm": str(WORK / "area_synthetic.osm.pbf"), "zoning": str(layers["zoning"]),
              "flood": str(layers["hazard_flood"])}
    stamp.write_text(json.dumps(inputs))
    return inputs


def resolution_for(side: int) -> float:
    """The resolution (m) giving a grid of about ``side`` cells across the box (UTM 49S)."""
    from pyproj import Transformer

    t = Transformer.from_crs("EPSG:4326", "EPSG:32749", always_xy=True)
    xs, ys = t.transform([BOX[0], BOX[2], BOX[0], BOX[2]], [BOX[1], BOX[1], BOX[3], BOX[3]])
    extent = max(max(xs) - min(xs), max(ys) - min(ys)) + 200.0
    return round(extent / side, 4)


def measure(src: Path, inputs: dict, side: int, label: str) -> dict:
    """One prepare with the kawasan under ``src``, in its own process: wall time, peak RSS, grid size."""
    out = WORK / f"ws-{label}-{side}"
    shutil.rmtree(out, ignore_errors=True)
    args = {**inputs, "out": str(out), "res": resolution_for(side)}
    env = {**os.environ, "PYTHONPATH": str(src)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", RUN, json.dumps(args)], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    stdout, stderr = proc.stdout.read(), proc.stderr.read()
    res = {"label": label, "side": side, "wall_s": round(wall, 1), "peak_rss_mib": round(usage.ru_maxrss / 1024),
           "exit": os.waitstatus_to_exitcode(status)}
    if res["exit"] == 0:
        res.update(json.loads(stdout.strip().splitlines()[-1]))
    else:
        res["error"] = (stderr or stdout).strip().splitlines()[-1:] or [""]
    shutil.rmtree(out, ignore_errors=True)
    return res


def load() -> str:
    with open("/proc/loadavg", encoding="ascii") as fh:
        return " ".join(fh.read().split()[:3])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sides", type=int, nargs="+", default=[10000, 20000])
    ap.add_argument("--baseline-src", type=Path, default=None)
    ap.add_argument("--baseline-sides", type=int, nargs="*", default=[10000])
    a = ap.parse_args()
    inputs = generate()
    rows = []
    for side in a.sides:
        if a.baseline_src and side in a.baseline_sides:
            rows.append(measure(a.baseline_src, inputs, side, "whole layers (before)") | {"load": load()})
            print(rows[-1], flush=True)
        rows.append(measure(ROOT / "src", inputs, side, "by windows") | {"load": load()})
        print(rows[-1], flush=True)
    (WORK / "results.json").write_text(json.dumps(rows, indent=1))
    print("\n| grid (cells) | path | wall (s) | peak RSS (MiB) | windows | load (1/5/15 min) |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        grid = f"{r.get('width', r['side']):,} x {r.get('height', r['side']):,}"
        wins = r.get("memory", {}).get("windows", "-")
        print(f"| {grid} | {r['label']} | {r['wall_s']} | {r['peak_rss_mib']:,} | {wins} | {r['load']} |"
              + (f" error: {r['error']}" if r.get("error") else ""))


if __name__ == "__main__":
    main()
