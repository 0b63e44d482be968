#!/usr/bin/env python3
"""Study-area preparation benchmark: `kawasan data prepare` on a 60 km x 60 km area at 30 m.

Inputs (SYNTHETIC, generated once into benchmarks/_work/prepare/): a 60 km x 60 km boundary on the
north coast of East Java, an OSM PBF of realistic density (at least 200,000 ways; kawasan's fixture
generator), four 1-arc-second DEM tiles (3601 x 3601 cells each, GeoTIFF, as SRTM1 / Copernicus GLO-30
tiles are), and three agency layers (zoning, flood hazard, soil) as GeoJSON/GeoPackage.

In one run it measures, each in its own process (wall time and peak RSS from os.wait4):

1. ``kawasan data prepare`` end to end (boundary, grid, DEM, OSM, agency layers, COG/GPKG writing),
   with the stage timings from the workspace manifest;
2. the DEM step against the GDAL command-line chain a GIS officer would use: ``gdalwarp`` (mosaic +
   reproject + bilinear to the same grid) then ``gdal_fillnodata.py`` (the same void filling), and checks
   that both DEMs agree;
3. the OSM step against the osmium command-line chain (``benchmarks/osm.py``, same generator and size).

Needs Debian's gdal-bin and osmium-tool for the peers:  apt-get install -y gdal-bin osmium-tool
Run:  .venv/bin/python benchmarks/prepare.py [--km 60] [--repeat 1]
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

from machine import describe  # benchmarks/machine.py (this folder is on sys.path)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "_work" / "prepare"
PY = sys.executable
CRS = "EPSG:32749"
CENTER = (745000.0, 9130000.0)    # UTM 49S, near Probolinggo's coast
CONES = [(113.05, -8.05, 2000.0), (113.45, -8.10, 2400.0)]


def _paths(km: int) -> dict:
    d = WORK / f"{km}km"
    return {"dir": d, "boundary": d / "boundary.geojson", "pbf": d / "area_synthetic.osm.pbf", "dem": d / "dem",
            "agency": d / "agency", "stamp": d / "inputs.json"}


def generate(km: int) -> dict:
    """Make the SYNTHETIC inputs (once; reused while inputs.json exists)."""
    import geopandas as gpd
    import shapely
    from shapely.geometry import box

    from kawasan.sampledata.agency_fixture import write_agency_layers
    from kawasan.sampledata.dem_tiles import write_tiles
    from kawasan.sampledata.osm_fixture import write_synthetic_pbf
    from kawasan.spatial.ingest.osm import extract_osm

    p = _paths(km)
    if p["stamp"].exists():
        return json.loads(p["stamp"].read_text())
    shutil.rmtree(p["dir"], ignore_errors=True)
    p["dir"].mkdir(parents=True)
    half = km * 500.0
    sq = gpd.GeoSeries([box(CENTER[0] - half, CENTER[1] - half, CENTER[0] + half, CENTER[1] + half)], crs=CRS)
    wgs = sq.to_crs("EPSG:4326").iloc[0]
    gpd.GeoDataFrame({"nama": [f"Kabupaten Bench {km} km (synthetic)"]}, geometry=[wgs],
                     crs="EPSG:4326").to_file(p["boundary"], driver="GeoJSON")
    t = time.perf_counter()
    stats = write_synthetic_pbf(p["pbf"], wgs, seed=5, sea_side="north")
    t_pbf = time.perf_counter() - t
    coast = wgs.bounds[3] - 0.12 * (wgs.bounds[3] - wgs.bounds[1])
    t = time.perf_counter()
    tiles = write_tiles(p["dem"], wgs.bounds, arcsec=1, seed=5, coast_lat=coast, cones=CONES,
                        void=(113.2, -7.95, 0.01))
    t_dem = time.perf_counter() - t
    osm = extract_osm(p["pbf"], clip=wgs, checksum=False)
    art = shapely.union_all(list(osm.roads[osm.roads["class"] == "arterial"].geometry))
    layers = write_agency_layers(p["agency"], wgs, coast_lat=coast, cones=CONES, corridors=art)
    info = {"km": km, "ways": stats["ways"], "nodes": stats["nodes"], "pbf_bytes": stats["bytes"],
            "tiles": [str(x) for x in tiles], "layers": {k: str(v) for k, v in layers.items()},
            "seconds": {"pbf": round(t_pbf, 1), "dem": round(t_dem, 1)}}
    p["stamp"].write_text(json.dumps(info, indent=1))
    return info


def timed(cmd: list[str], *, env=None) -> dict:
    """Run cmd in its own process; wall seconds and peak RSS (MB) of it and its children."""
    t = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({code}):\n{err[-3000:]}")
    return {"wall_s": wall, "peak_mb": ru.ru_maxrss / 1024.0, "stdout": out}


def run_kawasan(info: dict, out: Path) -> dict:
    shutil.rmtree(out, ignore_errors=True)
    p = _paths(info["km"])
    cmd = [ROOT / ".venv" / "bin" / "kawasan", "data", "prepare", "--boundary", p["boundary"], "--osm", p["pbf"],
           "--resolution", "30", "--out", out, "--json",
           "--layer", f"zoning={info['layers']['zoning']}:POLA_RUANG",
           "--layer", f"hazard_flood={info['layers']['hazard_flood']}:KELAS",
           "--layer", f"soil={info['layers']['soil']}:JENIS_TANAH"]
    for tile in info["tiles"]:
        cmd += ["--dem", tile]
    r = timed(cmd)
    man = json.loads(r["stdout"])
    r["stages"] = man["timings_s"]
    r["grid"] = man["grid"]
    r["counts"] = {k: v.get("feature_count") for k, v in man["layers"].items() if v["kind"] == "vector"}
    return r


def run_gdal_dem(info: dict, grid: dict, out: Path) -> dict:
    """gdalwarp to the same grid (bilinear, like kawasan at 30 m from 1") + gdal_fillnodata.py (3 km)."""
    out.mkdir(parents=True, exist_ok=True)
    warped, filled = out / "dem_warped.tif", out / "dem_filled.tif"
    for f in (warped, filled):
        f.unlink(missing_ok=True)
    l, b, r, t = grid["bounds"]
    res = grid["resolution"][0]
    warp = ["gdalwarp", "-q", "-t_srs", CRS, "-te", l, b, r, t, "-tr", res, res, "-r", "bilinear",
            "-dstnodata", "-9999", "-ot", "Float32", "-wo", "NUM_THREADS=ALL_CPUS", "-multi",
            "-co", "TILED=YES", "-co", "COMPRESS=ZSTD", *info["tiles"], warped]
    fill = ["gdal_fillnodata.py", "-q", "-md", str(int(3000 / res)), "-si", "0", warped, filled,
            "-co", "TILED=YES", "-co", "COMPRESS=ZSTD"]
    a = timed(warp)
    c = timed(fill)
    return {"wall_s": a["wall_s"] + c["wall_s"], "peak_mb": max(a["peak_mb"], c["peak_mb"]),
            "warp_s": a["wall_s"], "fill_s": c["wall_s"], "path": str(filled)}


def compare_dem(a: Path, b: Path) -> dict:
    import numpy as np
    import rasterio

    with rasterio.open(a) as x, rasterio.open(b) as y:
        u, v = x.read(1), y.read(1)
    ok = (u != -9999) & (v != -9999)
    d = np.abs(u[ok].astype(np.float64) - v[ok])
    return {"cells_compared": int(ok.sum()), "max_abs_m": float(d.max()), "mean_abs_m": float(d.mean()),
            "p999_abs_m": float(np.quantile(d, 0.999))}


def machine() -> str:
    return describe()


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_gen"]:
        # inputs are generated in a child process: a child forked from a parent that grew large would
        # report the parent's peak memory as its own (Linux keeps the high-water mark across exec)
        generate(int(argv[2]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--km", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--skip-osm-peer", action="store_true")
    a = ap.parse_args(argv)
    print(f"machine: {machine()}")
    if not _paths(a.km)["stamp"].exists():
        subprocess.run([PY, __file__, "_gen", "--km", str(a.km)], check=True)
    info = json.loads(_paths(a.km)["stamp"].read_text())
    print(f"inputs (SYNTHETIC): {a.km} km x {a.km} km, PBF {info['ways']:,} ways / {info['nodes']:,} nodes "
          f"({info['pbf_bytes'] / 2**20:.1f} MB), {len(info['tiles'])} DEM tiles of 3601 x 3601, 3 agency layers")
    best = None
    for _ in range(a.repeat):
        r = run_kawasan(info, _paths(a.km)["dir"] / "workspace")
        best = r if best is None or r["wall_s"] < best["wall_s"] else best
    g = best["grid"]
    print(f"\nkawasan data prepare: {best['wall_s']:.2f} s wall, peak {best['peak_mb']:.0f} MB; grid "
          f"{g['width']} x {g['height']} at 30 m")
    print("  stages (s): " + ", ".join(f"{k} {v:.2f}" for k, v in best["stages"].items()))
    print("  vector features: " + ", ".join(f"{k} {v:,}" for k, v in best["counts"].items()))
    if shutil.which("gdalwarp") and shutil.which("gdal_fillnodata.py"):
        gd = None
        for _ in range(a.repeat):
            x = run_gdal_dem(info, g, _paths(a.km)["dir"] / "gdal")
            gd = x if gd is None or x["wall_s"] < gd["wall_s"] else gd
        k_dem = best["stages"]["dem"]
        print(f"\nDEM step: kawasan {k_dem:.2f} s (mosaic, reproject, fill voids, coverage check, write COG) vs "
              f"gdalwarp {gd['warp_s']:.2f} s + gdal_fillnodata.py {gd['fill_s']:.2f} s = {gd['wall_s']:.2f} s "
              f"(peak {gd['peak_mb']:.0f} MB): ratio {gd['wall_s'] / k_dem:.2f}x")
        cmp = compare_dem(_paths(a.km)["dir"] / "workspace" / "dem.tif", Path(gd["path"]))
        print(f"  DEMs agree: max |diff| {cmp['max_abs_m']:.3f} m, mean {cmp['mean_abs_m']:.4f} m, "
              f"99.9th pct {cmp['p999_abs_m']:.3f} m over {cmp['cells_compared']:,} cells")
    else:
        print("\nDEM peer skipped: gdalwarp / gdal_fillnodata.py not installed (apt-get install -y gdal-bin)")
    if not a.skip_osm_peer:
        print(f"\nOSM step (benchmarks/osm.py: the same generator, a {a.km} km PBF):", flush=True)
        r = subprocess.run([PY, str(HERE / "osm.py"), "--km", str(a.km), "--repeat", str(a.repeat)], text=True)
        if r.returncode != 0:
            print(f"  benchmarks/osm.py failed ({r.returncode})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
