#!/usr/bin/env python3
"""Scale benchmark: the chunked path (kawasan.spatial.chunked, on Dask) on a SYNTHETIC Java-sized study area.

One command, one run:

1. generates a SYNTHETIC study area of WIDTH x HEIGHT cells at 30 m (default 40,000 x 12,000, Java's extent)
   chunk by chunk (every layer a smooth function of the global cell position, written by 2048-row strips into
   tiled GeoTIFFs), so the generator's memory does not depend on the grid; the layers and the model are those
   of benchmarks/pipeline.py (three bounded distances, slope, two reclasses, three constraints, WLC);
2. on the COMPARE x COMPARE grid (default 10,000, the largest the in-memory path is measured on): the in-memory
   path, the chunked path with 2 worker processes, and the GDAL command-line chain of benchmarks/pipeline.py;
3. on the Java-sized grid: the chunked path with 1 and with 2 worker processes.

Each run is its own process (wall time and peak RSS from os.wait4, which covers its worker processes); the
chunked runs also report the peak RSS of their busiest worker (getrusage inside each chunk's task).

Usage: .venv/bin/python benchmarks/scale.py [--width 40000 --height 12000 --compare 10000 --chunks 2048]
Results: benchmarks/_work/scale/results.json and a Markdown table on stdout (for docs/performance.md).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import machine  # noqa: E402
import pipeline  # noqa: E402  (standard library at import time: its model, GDAL chain and measure())

WORK = HERE / "_work" / "scale"
STRIP = 2048
GEN_VERSION = 1


# --- the synthetic layers: smooth functions of the global cell position ---------------------------
def _hash01(i, j, seed):
    """A deterministic pseudo-random value in [0, 1) per integer lattice point (a 64-bit mix of i, j, seed)."""
    import numpy as np

    x = (i.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ (j.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F))
    x ^= np.uint64(seed * 0x165667B19E3779F9 & 0xFFFFFFFFFFFFFFFF)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def value_noise(r0, c0, h, w, spacing, seed):
    """Value noise: lattice values every ``spacing`` cells, smoothstep-interpolated, for rows r0.., cols c0...

    Separable: the lattice rows the strip needs are interpolated along x first (a few rows x w), then
    each cell blends two of those rows; only lattice points are hashed."""
    import numpy as np

    rows = np.arange(r0, r0 + h) / spacing
    cols = np.arange(c0, c0 + w) / spacing
    i0, j0 = np.floor(rows).astype(np.int64), np.floor(cols).astype(np.int64)
    fy, fx = rows - i0, cols - j0
    fy, fx = fy * fy * (3 - 2 * fy), fx * fx * (3 - 2 * fx)
    li = np.arange(i0.min(), i0.max() + 2)
    lj = np.arange(j0.min(), j0.max() + 2)
    lattice = _hash01(li[:, None], lj[None, :], seed)               # (rows of lattice, cols of lattice)
    jj = j0 - lj[0]
    along_x = (lattice[:, jj] * (1 - fx) + lattice[:, jj + 1] * fx).astype(np.float32)   # (lattice rows, w)
    ii = i0 - li[0]
    fy = fy.astype(np.float32)[:, None]
    out = along_x[ii]
    out *= 1 - fy
    out += along_x[ii + 1] * fy
    return out


def fractal(r0, c0, h, w, seed, octaves=((1333, 1.0), (667, 0.6), (333, 0.36), (167, 0.22), (83, 0.13), (42, 0.08))):
    total = sum(a for _, a in octaves)
    return sum(a * value_noise(r0, c0, h, w, s, seed + k) for k, (s, a) in enumerate(octaves)) / total


def strip_layers(r0, h, width):
    """Every layer for rows r0 .. r0 + h of the whole width (float32 / uint8 arrays)."""
    import numpy as np

    elev = fractal(r0, 0, h, width, 42)
    dem = ((elev - 0.2) / 0.6).clip(0, 1) ** 2 * 2400.0
    hazard = (0.75 * (1 - elev) + 0.25 * value_noise(r0, 0, h, width, 50, 7)).clip(0, 1)
    lc_noise = fractal(r0, 0, h, width, 101, ((200, 1.0), (60, 0.5), (20, 0.25)))
    cuts = np.cumsum(pipeline.LC_SHARES)[:-1]
    q = np.quantile(np.linspace(0.25, 0.75, 1001), cuts)     # shares on the noise's typical range
    landcover = (np.searchsorted(q, lc_noise) + 1).astype(np.uint8)
    landcover[elev < 0.27] = 1                                  # low ground: water
    soil = (np.searchsorted([0.4, 0.47, 0.53, 0.6], fractal(r0, 0, h, width, 202, ((400, 1.0), (100, 0.4)))) + 1
            ).astype(np.uint8)
    roads = (np.abs(fractal(r0, 0, h, width, 303, ((700, 1.0), (150, 0.3))) - 0.5) < 0.0025).astype(np.uint8)
    rivers = (np.abs(fractal(r0, 0, h, width, 404, ((900, 1.0), (200, 0.4))) - 0.5) < 0.002).astype(np.uint8)
    settlements = (value_noise(r0, 0, h, width, 25, 505) > 0.93).astype(np.uint8)
    return {"dem": dem.astype(np.float32), "hazard": hazard.astype(np.float32), "landcover": landcover,
            "soil": soil, "roads": roads, "rivers": rivers, "settlements": settlements}


def role_gen(a) -> None:
    """Write the layers strip by strip (memory: one strip of every layer)."""
    import rasterio
    from affine import Affine

    data = Path(a.data)
    data.mkdir(parents=True, exist_ok=True)
    transform = Affine(pipeline.RES, 0, pipeline.LEFT, 0, -pipeline.RES, pipeline.TOP)
    profile = dict(driver="GTiff", width=a.width, height=a.height, count=1, crs=pipeline.CRS, transform=transform,
                   tiled=True, blockxsize=512, blockysize=512, compress="ZSTD", zstd_level=1, BIGTIFF="YES")
    files = {}
    try:
        for name, dtype in pipeline.INPUTS.items():
            nodata = -9999.0 if dtype == "float32" else (0 if name in ("landcover", "soil") else None)
            files[name] = rasterio.open(data / f"{name}.tif", "w", dtype=dtype, nodata=nodata, **profile)
        for r0 in range(0, a.height, STRIP):
            h = min(STRIP, a.height - r0)
            for name, arr in strip_layers(r0, h, a.width).items():
                files[name].write(arr, 1, window=rasterio.windows.Window(0, r0, a.width, h))
    finally:
        for f in files.values():
            f.close()
    manifest = {"kind": "kawasan.study_area", "format_version": 1, "synthetic": True,
                "name": f"SYNTHETIC scale benchmark {a.width} x {a.height}",
                "notice": "SYNTHETIC data generated by benchmarks/scale.py; not a real place.",
                "grid": {"crs": pipeline.CRS, "transform": list(transform)[:6], "width": a.width, "height": a.height},
                "layers": {"landcover": {"path": "landcover.tif", "kind": "raster", "type": "categorical",
                                         "categories": {str(k): v for k, v in pipeline.LANDCOVER.items()}},
                           "soil": {"path": "soil.tif", "kind": "raster", "type": "categorical",
                                    "categories": {str(k): v for k, v in pipeline.SOIL.items()}}}}
    (data / "manifest.json").write_text(json.dumps(manifest, indent=2))
    (data / "params.json").write_text(json.dumps(_params(a.width, a.height)))


def _params(w, h) -> dict:
    return {"width": w, "height": h, "gen_version": GEN_VERSION, "strip": STRIP}


def role_run(a) -> None:
    """One suitability run (in-memory or chunked) of the pipeline model; its manifest timings to a file."""
    from kawasan.spatial.api import run_suitability
    from kawasan.spatial.chunked import engine as chunked_engine

    chunked_engine.CHUNKED_FROM_CELLS = float("inf")   # "memory" is the in-memory path, whatever the grid
    t = time.perf_counter()
    kw = {} if a.mode == "memory" else {"scheduler": a.scheduler, "workers": a.workers, "chunks": a.chunks}
    res = run_suitability(a.model, a.data, a.out, compress="ZSTD", overwrite=True, **kw)
    Path(a.trace).write_text(json.dumps({"wall_inside_s": time.perf_counter() - t, "timings": res.manifest["timings"],
                                         "chunked": res.manifest.get("chunked")}))


# --- the driver --------------------------------------------------------------------------------------
def ensure(width, height, log) -> Path:
    d = WORK / f"data-{width}x{height}"
    pj = d / "params.json"
    if pj.exists() and json.loads(pj.read_text()) == _params(width, height):
        return d
    shutil.rmtree(d, ignore_errors=True)
    print(f"generating SYNTHETIC inputs {width} x {height} into {d} ...", flush=True)
    r = pipeline.measure([pipeline.VENV_PY, __file__, "_gen", "--width", width, "--height", height, "--data", d],
                         log=log)
    if r["rc"] != 0:
        sys.exit(f"input generation failed; see {log}")
    print(f"  {r['wall_s']:.0f} s, generator peak RSS {r['peak_rss_mb'] / 1024:.2f} GiB", flush=True)
    return d


def kawasan_run(data: Path, mode: str, workers: int, chunks: int, log: Path, scheduler: str = "processes") -> dict:
    out = WORK / f"run-{data.name}-{mode}-{workers}"
    model = WORK / "model.json"
    model.write_text(json.dumps(pipeline.model_dict()))
    trace = WORK / f"trace-{data.name}-{mode}-{workers}.json"
    trace.unlink(missing_ok=True)
    r = pipeline.measure([pipeline.VENV_PY, __file__, "_run", "--mode", mode, "--workers", workers, "--chunks",
                          chunks, "--model", model, "--data", data, "--out", out, "--trace", trace,
                          "--scheduler", scheduler], log=log)
    if r["rc"] != 0:
        return {"error": f"exit {r['rc']}; see {log}", **r}
    r.update(json.loads(trace.read_text()))
    shutil.rmtree(out, ignore_errors=True)
    return r


def gdal_run(data: Path, log: Path) -> dict:
    out = WORK / "gdal-out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    total, peak, user, system = 0.0, 0.0, 0.0, 0.0
    for label, cmd in pipeline.gdal_chain(data, out):
        r = pipeline.measure(cmd, log=log, env=pipeline._env(False, gdal=True))
        if r["rc"] != 0:
            return {"error": f"{label} failed; see {log}"}
        total += r["wall_s"]
        peak = max(peak, r["peak_rss_mb"])
        user += r.get("user_s") or 0.0
        system += r.get("sys_s") or 0.0
    shutil.rmtree(out, ignore_errors=True)
    return {"wall_s": total, "peak_rss_mb": peak, "user_s": user, "sys_s": system}


def _sides(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def _load() -> str:
    """The 1, 5 and 15 minute load averages (the machine is shared: results mean something only as ratios)."""
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--width", type=int, default=40000)
    p.add_argument("--height", type=int, default=12000)
    p.add_argument("--compare", type=int, default=10000, help="side of the grid run in memory and chunked (0: skip)")
    p.add_argument("--chunks", type=_sides, default=[2048],
                   help="cells per chunk side; several (2048,4096) run the COMPARE grid chunked with each, the "
                        "Java-sized grid with the first")
    p.add_argument("--schedulers", type=lambda t: [x for x in t.split(",") if x], default=["processes"],
                   help="schedulers of the chunked runs on the COMPARE grid: processes, threads or both")
    p.add_argument("--no-gdal", action="store_true", help="skip the GDAL command-line chain")
    a = p.parse_args(argv)
    WORK.mkdir(parents=True, exist_ok=True)
    log = WORK / "log.txt"
    R = {"machine": machine.describe(), "cores": os.cpu_count(), "chunks": a.chunks, "runs": []}
    print(f"load average at start: {_load()}", flush=True)
    print(R["machine"], flush=True)

    def record(label, cells, r):
        r = {"label": label, "cells": cells, **r, "load_after": _load()}
        if "error" not in r:
            r["cells_per_s"] = cells / r["wall_s"]
        R["runs"].append(r)
        (WORK / "results.json").write_text(json.dumps(R, indent=2))
        peak_w = (r.get("timings") or {}).get("worker_peak_rss_mb")
        print(f"  {label}: {r.get('wall_s', float('nan')):.1f} s, {r.get('cells_per_s', 0) / 1e6:.1f} M cells/s, "
              f"CPU {r.get('user_s') or 0:.1f} + {r.get('sys_s') or 0:.1f} s, "
              f"peak RSS {r.get('peak_rss_mb', 0) / 1024:.2f} GiB"
              + (f", busiest worker {peak_w / 1024:.2f} GiB" if peak_w else "") + (f" ({r['error']})" if 'error' in r else "")
              + f"; load after {r['load_after']}",
              flush=True)

    if a.compare:
        d = ensure(a.compare, a.compare, log)
        n = a.compare * a.compare
        record(f"in-memory {a.compare}x{a.compare}", n, kawasan_run(d, "memory", 1, a.chunks[0], log))
        for sched in a.schedulers:
            for size in a.chunks:
                what = "2 worker processes" if sched == "processes" else "threads (one process, 2 kernel threads)"
                record(f"chunked {a.compare}x{a.compare}, {what}, chunks {size}", n,
                       kawasan_run(d, "chunked", 2, size, log, sched))
        if not a.no_gdal:
            record(f"GDAL chain {a.compare}x{a.compare}", n, gdal_run(d, log))
    if a.width and a.height:
        d = ensure(a.width, a.height, log)
        n = a.width * a.height
        for w in (1, 2):
            record(f"chunked {a.width}x{a.height}, {w} worker(s)", n, kawasan_run(d, "chunked", w, a.chunks[0], log))
    print(json.dumps(R["runs"], indent=1)[:200] + " ... (benchmarks/_work/scale/results.json)")
    return 0


def _roles(argv) -> bool:
    if len(argv) > 1 and argv[1] == "_gen":
        q = argparse.ArgumentParser()
        q.add_argument("_r"); q.add_argument("--width", type=int); q.add_argument("--height", type=int)
        q.add_argument("--data")
        role_gen(q.parse_args(argv[1:]))
        return True
    if len(argv) > 1 and argv[1] == "_run":
        q = argparse.ArgumentParser()
        q.add_argument("_r"); q.add_argument("--mode"); q.add_argument("--workers", type=int)
        q.add_argument("--chunks", type=int); q.add_argument("--model"); q.add_argument("--data")
        q.add_argument("--out"); q.add_argument("--trace"); q.add_argument("--scheduler", default="processes")
        role_run(q.parse_args(argv[1:]))
        return True
    return False


if __name__ == "__main__":
    if not _roles(sys.argv):
        sys.exit(main())
