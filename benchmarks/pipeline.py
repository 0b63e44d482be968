#!/usr/bin/env python3
"""End-to-end suitability pipeline benchmark: kawasan vs a GDAL command-line chain vs
xarray-spatial vs the sum of the fastest known kernels, plus the weighted-combination
step vs a memory-bandwidth floor. See benchmarks/README.md.

Run with the project venv:  .venv/bin/python benchmarks/pipeline.py [--size 2000]

The top level of this file imports only the standard library: the same file is run
in three interpreters (the project venv, Debian's python3 is not used for it, the
xarray-spatial venv) through hidden sub-commands ("_gen", "_kawasan", "_kernels",
"_xrs", "_wsum", "_compare"), each in its own process so that its wall time and peak
RSS (os.wait4 rusage, which includes waited-for grandchildren) are measured alone.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "_work"
VENV_PY = ROOT / ".venv" / "bin" / "python"
XRS_VENV = WORK / "venv-xrs"
XRS_PY = XRS_VENV / "bin" / "python"
SYS_PY = "/usr/bin/python3"
GDAL_BIN = Path("/usr/bin")

# --- the pipeline, shared by every contender -------------------------------------------------
CRS = "EPSG:32749"
RES = 30.0
LEFT, TOP = 400000.0, 9300000.0
GEN_VERSION = 3
SEED = 42
# criterion id -> (layer, max_distance m); cost criteria, linear 0 .. max_distance
DIST = {"road": ("roads", 5000.0), "river": ("rivers", 3000.0), "settlement": ("settlements", 10000.0)}
SLOPE_FULL = 30.0      # slope criterion: linear cost 0 .. 30 %
SLOPE_MAX = 15.0       # constraint: slope <= 15 %
HAZARD_MAX = 0.7       # constraint: hazard index <= 0.7
LANDCOVER = {1: "water", 2: "forest", 3: "plantation", 4: "irrigated_rice", 5: "dry_fields", 6: "shrub",
             7: "settlement", 8: "industry"}
LC_SHARES = [0.03, 0.20, 0.20, 0.15, 0.15, 0.17, 0.05, 0.05]
LAND_SCORE = {1: 0.0, 2: 0.2, 3: 0.5, 4: 0.1, 5: 0.8, 6: 1.0, 7: 0.0, 8: 0.9}
SOIL = {1: "aluvial", 2: "latosol", 3: "mediteran", 4: "andosol", 5: "regosol"}
SOIL_SCORE = {1: 0.85, 2: 0.70, 3: 0.55, 4: 0.40, 5: 0.25}
EXCLUDE_LC = [1]       # constraint: not on water
WEIGHTS = {"land": 0.15, "river": 0.10, "road": 0.25, "settlement": 0.15, "slope": 0.25, "soil": 0.10}
BREAKS = [0.8, 0.6, 0.4, 0.2]
# input file -> (dtype, role)
INPUTS = {"dem": "float32", "hazard": "float32", "landcover": "uint8", "soil": "uint8",
          "roads": "uint8", "rivers": "uint8", "settlements": "uint8"}
CONTENDERS = ("kernels", "kawasan", "zstd", "chunked", "gdal", "xrs", "wsum")


# --- small helpers ---------------------------------------------------------------------------
def _now() -> float:
    return time.perf_counter()


def _hwm_rss() -> tuple[float, float]:
    """(VmHWM, VmRSS) of this process in MB."""
    hwm = rss = 0.0
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
            elif line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
    return hwm, rss


def _dump(path, obj) -> None:
    Path(path).write_text(json.dumps(obj, indent=2, default=float))


def _median_time(fn, k: int) -> tuple[float, list[float]]:
    ts = []
    for _ in range(k):
        t = _now()
        fn()
        ts.append(_now() - t)
    return statistics.median(ts), ts


def load_line() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def cpu_stat() -> tuple[float, float]:
    """(busy, steal) CPU seconds of the whole machine since boot, from /proc/stat."""
    with open("/proc/stat") as fh:
        f = [int(x) for x in fh.readline().split()[1:]]
    tck = os.sysconf("SC_CLK_TCK")
    user, nice, system, idle, iowait, irq, softirq, steal = (f + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / tck, steal / tck


def wait_quiet(limit_s: float, threshold: float = 0.3) -> float:
    """Wait (at most limit_s) until other processes use less than `threshold` cores over 2 s; return the wait."""
    t0 = _now()
    while _now() - t0 < limit_s:
        b0, _ = cpu_stat()
        time.sleep(2.0)
        b1, _ = cpu_stat()
        if (b1 - b0) / 2.0 < threshold:
            break
    return _now() - t0


def measure(cmd, *, log: Path, env=None, timeout: float | None = None, cwd=None) -> dict:
    """Run cmd; wall time and peak RSS (wait4 rusage: the child and its waited-for descendants), its CPU
    time and minor faults, and the CPU that other processes used meanwhile (busy machine CPU minus the child's)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as lf:
        lf.write(("\n$ " + " ".join(map(str, cmd)) + "\n").encode())
        lf.flush()
        b0, st0 = cpu_stat()
        t0 = _now()
        p = subprocess.Popen([str(c) for c in cmd], stdout=lf, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                             start_new_session=True)
        timed_out = threading.Event()

        def _kill():
            timed_out.set()
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

        timer = threading.Timer(timeout, _kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            if timer:
                timer.cancel()
        wall = _now() - t0
        b1, st1 = cpu_stat()
        p.returncode = os.waitstatus_to_exitcode(status)
    own = ru.ru_utime + ru.ru_stime
    return {"wall_s": wall, "peak_rss_mb": ru.ru_maxrss / 1024, "user_s": ru.ru_utime, "sys_s": ru.ru_stime,
            "minflt": ru.ru_minflt, "other_cpu_s": max(0.0, (b1 - b0) - own), "steal_s": st1 - st0,
            "rc": p.returncode, "timed_out": timed_out.is_set()}


# ============================================================================================
# _gen: synthetic inputs
# ============================================================================================
def role_gen(a) -> None:
    import cv2
    import numpy as np
    import rasterio
    from affine import Affine

    n = a.size
    out = Path(a.data)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    cv2.setNumThreads(2)

    def smooth_noise(wavelengths_m, amps):
        acc = np.zeros((n, n), np.float32)
        for lm, amp in zip(wavelengths_m, amps):
            L = max(2, int(round(lm / RES)))
            m = n // L + 4
            coarse = rng.random((m, m), dtype=np.float32)
            up = cv2.resize(coarse, (m * L, m * L), interpolation=cv2.INTER_CUBIC)
            acc += np.float32(amp) * up[L:L + n, L:L + n]
            del up
        return acc

    def normalise(x, hi):
        lo_, hi_ = float(x.min()), float(x.max())
        x -= np.float32(lo_)
        x *= np.float32(hi / (hi_ - lo_))
        return x

    def walks(frac, step, turn_sd, length_cells):
        canvas = np.zeros((n, n), np.uint8)
        target = frac * n * n
        per = None
        count = 0
        while count < target:
            k = 1 if per is None else max(1, int(0.6 * (target - count) / per))
            before = count
            for _ in range(k):
                steps = max(4, int(length_cells / step))
                head = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.normal(0, turn_sd, steps))
                x0, y0 = rng.uniform(0, n, 2)
                xs = x0 + np.concatenate([[0], np.cumsum(step * np.cos(head))])
                ys = y0 + np.concatenate([[0], np.cumsum(step * np.sin(head))])
                pts = np.stack([xs, ys], axis=1).round().astype(np.int32)
                cv2.polylines(canvas, [pts], False, 1, 1, cv2.LINE_8)
            count = cv2.countNonZero(canvas)
            per = max(1.0, (count - before) / k) if per is None else 0.5 * per + 0.5 * max(1.0, (count - before) / k)
        return canvas

    def blobs(frac, rmin, rmax):
        canvas = np.zeros((n, n), np.uint8)
        target = frac * n * n
        count = 0
        per = None
        while count < target:
            k = 1 if per is None else max(1, int(0.6 * (target - count) / per))
            before = count
            for _ in range(k):
                r = int(round(np.exp(rng.uniform(np.log(rmin), np.log(rmax)))))
                cx, cy = (int(v) for v in rng.integers(0, n, 2))
                cv2.circle(canvas, (cx, cy), r, 1, -1, cv2.LINE_8)
            count = cv2.countNonZero(canvas)
            got = max(1.0, (count - before) / k)
            per = got if per is None else 0.5 * per + 0.5 * got
        return canvas

    def classes_from(field, shares):
        sample = field[:: max(1, n // 1000), :: max(1, n // 1000)]
        th = np.quantile(sample, np.cumsum(shares)[:-1]).astype(np.float32)
        codes = np.ones((n, n), np.uint8)
        for t in th:
            codes += (field > t).view(np.uint8)
        return codes

    transform = Affine(RES, 0, LEFT, 0, -RES, TOP)

    def write(name, arr, nodata=None):
        prof = dict(driver="GTiff", width=n, height=n, count=1, dtype=arr.dtype, crs=CRS, transform=transform,
                    nodata=nodata, tiled=True, blockxsize=512, blockysize=512, BIGTIFF="IF_SAFER")
        with rasterio.open(out / f"{name}.tif", "w", **prof) as ds:
            ds.write(arr, 1)

    t0 = _now()
    # DEM: six smooth noise octaves (wavelength halving, amplitude halving), 0 .. 2400 m
    dem = normalise(smooth_noise([40000, 20000, 10000, 5000, 2500, 1250], [1, .6, .36, .216, .13, .078]), 2400.0)
    write("dem", dem, nodata=-9999.0)
    dem_min, dem_max = float(dem.min()), float(dem.max())
    # hazard index 0..1: low ground plus noise
    hz = smooth_noise([8000, 4000, 2000], [1, .5, .25])
    normalise(hz, 1.0)
    dn = dem * np.float32(1 / 2400.0)
    np.subtract(np.float32(1.0), dn, out=dn)
    dn *= dn
    hz *= np.float32(0.45)
    dn *= np.float32(0.55)
    hz += dn
    del dn
    normalise(hz, 1.0)
    write("hazard", hz)
    del hz, dem
    roads = walks(0.005, 20.0, 0.15, n * 0.8)
    write("roads", roads)
    rivers = walks(0.005, 8.0, 0.45, n * 0.6)
    write("rivers", rivers)
    sett = blobs(0.037, 3, 40)
    write("settlements", sett)
    lc = classes_from(smooth_noise([8000, 4000, 2000, 1000], [1, .5, .25, .125]), LC_SHARES)
    lc[sett != 0] = 7
    lc[rivers != 0] = 1
    write("landcover", lc, nodata=0)
    soil = classes_from(smooth_noise([16000, 8000, 4000], [1, .5, .25]), [0.2] * 5)
    write("soil", soil, nodata=0)
    stats = {"roads_frac": float(np.count_nonzero(roads)) / n / n, "rivers_frac": float(np.count_nonzero(rivers)) / n / n,
             "settlements_frac": float(np.count_nonzero(sett)) / n / n, "dem_min": dem_min, "dem_max": dem_max,
             "landcover_share": {LANDCOVER[c]: float(v) / n / n for c, v in enumerate(np.bincount(lc.reshape(-1), minlength=9)) if c},
             "gen_seconds": _now() - t0}
    manifest = {
        "kind": "kawasan.study_area", "format_version": 1, "name": f"Benchmark area {n}x{n} (synthetic)", "synthetic": True,
        "grid": {"crs": CRS, "transform": [RES, 0, LEFT, 0, -RES, TOP], "width": n, "height": n},
        "layers": {
            "dem": {"path": "dem.tif", "kind": "raster", "type": "continuous"},
            "hazard": {"path": "hazard.tif", "kind": "raster", "type": "continuous"},
            "landcover": {"path": "landcover.tif", "kind": "raster", "type": "categorical",
                          "categories": {str(k): v for k, v in LANDCOVER.items()}},
            "soil": {"path": "soil.tif", "kind": "raster", "type": "categorical",
                     "categories": {str(k): v for k, v in SOIL.items()}},
            "roads": {"path": "roads.tif", "kind": "raster", "type": "categorical"},
            "rivers": {"path": "rivers.tif", "kind": "raster", "type": "categorical"},
            "settlements": {"path": "settlements.tif", "kind": "raster", "type": "categorical"},
        },
    }
    _dump(out / "manifest.json", manifest)
    _dump(out / "stats.json", stats)
    _dump(out / "params.json", {"size": n, "seed": SEED, "gen_version": GEN_VERSION, "res": RES, "crs": CRS})


def model_dict() -> dict:
    crit = []
    for cid, (layer, maxd) in DIST.items():
        crit.append({"id": cid, "layer": layer, "measure": "distance", "max_distance": maxd, "direction": "cost",
                     "transform": {"type": "linear", "low": 0, "high": maxd}})
    crit.append({"id": "slope", "layer": "dem", "measure": "slope_percent", "direction": "cost",
                 "transform": {"type": "linear", "low": 0, "high": SLOPE_FULL}})
    crit.append({"id": "land", "layer": "landcover",
                 "transform": {"type": "categories", "values": {LANDCOVER[k]: v for k, v in LAND_SCORE.items()}}})
    crit.append({"id": "soil", "layer": "soil",
                 "transform": {"type": "categories", "values": {SOIL[k]: v for k, v in SOIL_SCORE.items()}}})
    return {
        "name": "bench-pipeline",
        "description": "benchmarks/pipeline.py: three distances, slope, two reclasses, three constraints, WLC",
        "layers": {
            "dem": {"path": "dem.tif"}, "hazard": {"path": "hazard.tif"},
            "landcover": {"path": "landcover.tif", "type": "categorical"},
            "soil": {"path": "soil.tif", "type": "categorical"},
            "roads": {"path": "roads.tif", "type": "categorical"},
            "rivers": {"path": "rivers.tif", "type": "categorical"},
            "settlements": {"path": "settlements.tif", "type": "categorical"},
        },
        "criteria": crit,
        "constraints": [
            {"id": "slope_max", "layer": "dem", "rule": "max_value", "measure": "slope_percent", "limit": SLOPE_MAX},
            {"id": "hazard_max", "layer": "hazard", "rule": "max_value", "limit": HAZARD_MAX},
            {"id": "no_water", "layer": "landcover", "rule": "exclude_categories",
             "values": [LANDCOVER[c] for c in EXCLUDE_LC]},
        ],
        "weights": {"method": "direct", "values": WEIGHTS},
        "aggregation": {"method": "wlc"},
        "classes": {"breaks": BREAKS},
    }


def role_calib(a) -> None:
    """First touch of fresh memory, twice: this VM hands freed pages back to its host, so touching
    memory that was free for a few seconds is far slower than touching it again."""
    import numpy as np

    gb = 1.0
    out = {}
    time.sleep(5)
    for tag in ("cold", "warm"):
        t = _now()
        x = np.ones(int(gb * 2**30) // 8)
        out[f"{tag}_s_per_gb"] = (_now() - t) / gb
        del x
    _dump(a.trace, out)


# ============================================================================================
# _kawasan: run_suitability with light tracing (time and VmHWM per internal call)
# ============================================================================================
def role_kawasan(a) -> None:
    t_start = _now()
    import kawasan.spatial.api as api
    from kawasan.spatial import engine, kernels, rasters, studyarea
    from kawasan.spatial.runs import folder as runfolder
    t_import = _now() - t_start
    import threading as _th

    events: list[dict] = []
    tl = _th.local()

    def wrap(owner, name, label):
        f = getattr(owner, name)

        def w(*args, **kw):
            h0, _ = _hwm_rss()
            ts = _now()
            d = getattr(tl, "depth", 0)
            tl.depth = d + 1
            try:
                return f(*args, **kw)
            finally:
                tl.depth = d
                h1, r1 = _hwm_rss()
                main = _th.current_thread() is _th.main_thread()
                events.append({"name": label if main else label + " [background thread]", "t": ts - t_start,
                               "dur": _now() - ts, "depth": d, "hwm0": h0, "hwm1": h1, "rss1": r1, "main": main})

        setattr(owner, name, w)

    wrap(rasters, "read_on_grid", "read raster")
    wrap(studyarea, "sha256_of", "sha256 of input")
    wrap(studyarea.LayerStore, "feature_mask", "feature mask")
    wrap(studyarea.LayerStore, "distance", "distance (cv2 EDT + clamp)")
    wrap(studyarea.LayerStore, "distance_to_features", "distance to features (cv2 EDT + clamp)")
    wrap(studyarea.LayerStore, "slope", "slope")
    for k in ("std_linear", "lookup", "accumulate", "finalize", "mark_outside", "mark_codes"):
        wrap(kernels, k, f"kernels.{k}")
    wrap(engine, "resolve", "weights")
    wrap(runfolder, "write_cog", "write COG")
    wrap(runfolder, "class_table", "class table")
    wrap(runfolder, "best_areas", "best areas (components)")
    wrap(api, "evaluate", "evaluate")
    wrap(api, "write_run", "write run folder")
    steps = []

    def progress(step, done, total):
        h, r = _hwm_rss()
        steps.append({"step": step, "t": _now() - t_start, "hwm": h, "rss": r})

    from kawasan.spatial.chunked import engine as chunked_engine

    chunked_engine.CHUNKED_FROM_CELLS = float("inf")   # this contender is the in-memory path, whatever the grid
    t0 = _now()
    res = api.run_suitability(a.model, a.data, a.out, compress=a.compress, progress=progress)
    t_run = _now() - t0
    hwm, rss = _hwm_rss()
    _dump(a.trace, {"t_import": t_import, "t_run": t_run, "hwm_mb": hwm, "events": events, "steps": steps,
                    "timings": res.manifest["timings"], "software": res.manifest["software"]})


# ============================================================================================
# _kernels: the fastest known kernel for each step, timed alone
# ============================================================================================
def _nb_overlay():
    import numba as nb
    import numpy as np

    @nb.njit(parallel=True, nogil=True)
    def overlay(dr, dv, ds, sl, land, soil, hz, lc, lcx, prm, w, brk, score, classes, reason):
        """Fused: standardize (distances in cells -> m, linear cost), constraints, WLC, classes."""
        h, wd = sl.shape
        res, m_r, m_v, m_s, s_full, s_max, h_max = prm[0], prm[1], prm[2], prm[3], prm[4], prm[5], prm[6]
        for r in nb.prange(h):
            for c in range(wd):
                bits = 0
                x = sl[r, c]
                if x > s_max:
                    bits |= 1
                if hz[r, c] > h_max:
                    bits |= 2
                if lcx[lc[r, c]]:
                    bits |= 4
                reason[r, c] = bits
                if bits:
                    score[r, c] = 0.0
                    classes[r, c] = 6
                    continue
                s1 = 1.0 - min(dr[r, c] * res / m_r, 1.0)
                s2 = 1.0 - min(dv[r, c] * res / m_v, 1.0)
                s3 = 1.0 - min(ds[r, c] * res / m_s, 1.0)
                s4 = 1.0 - min(max(x / s_full, 0.0), 1.0)
                v = w[0] * s1 + w[1] * s2 + w[2] * s3 + w[3] * s4 + w[4] * land[r, c] + w[5] * soil[r, c]
                score[r, c] = v
                if v != v:
                    classes[r, c] = 0
                elif v >= brk[0]:
                    classes[r, c] = 1
                elif v >= brk[1]:
                    classes[r, c] = 2
                elif v >= brk[2]:
                    classes[r, c] = 3
                elif v >= brk[3]:
                    classes[r, c] = 4
                else:
                    classes[r, c] = 5

    @nb.njit(parallel=True, nogil=True)
    def slope_nb(dem, inv8r, out):
        h, w = dem.shape
        for r in nb.prange(h):
            r0 = r - 1 if r > 0 else 0
            r2 = r + 1 if r < h - 1 else h - 1
            for c in range(w):
                c0 = c - 1 if c > 0 else 0
                c2 = c + 1 if c < w - 1 else w - 1
                gx = (dem[r0, c2] + 2.0 * dem[r, c2] + dem[r2, c2]) - (dem[r0, c0] + 2.0 * dem[r, c0] + dem[r2, c0])
                gy = (dem[r2, c0] + 2.0 * dem[r2, c] + dem[r2, c2]) - (dem[r0, c0] + 2.0 * dem[r0, c] + dem[r0, c2])
                out[r, c] = 100.0 * inv8r * np.sqrt(gx * gx + gy * gy)

    @nb.njit(parallel=True, nogil=True)
    def lookup_nb(codes, lut, out):
        fc = codes.reshape(-1)
        fo = out.reshape(-1)
        for i in nb.prange(fc.size):
            fo[i] = lut[fc[i]]

    return overlay, slope_nb, lookup_nb


def slope_numpy(dem, res, out, block=32):
    """Horn slope in percent, numpy vectorised in row blocks (edge replication)."""
    import numpy as np

    h, w = dem.shape
    k = np.float32(100.0 / (8.0 * res))
    for r0 in range(0, h, block):
        r1 = min(h, r0 + block)
        rows = np.clip(np.arange(r0 - 1, r1 + 1), 0, h - 1)
        win = dem[rows[0]:rows[-1] + 1]
        if r0 == 0 or r1 == h:
            win = dem[rows]
        p = np.empty((win.shape[0], w + 2), np.float32)
        p[:, 1:-1] = win
        p[:, 0] = win[:, 0]
        p[:, -1] = win[:, -1]
        top, mid, bot = p[:-2], p[1:-1], p[2:]
        gx = top[:, 2:] + bot[:, 2:]
        gx += mid[:, 2:]
        gx += mid[:, 2:]
        gx -= top[:, :-2]
        gx -= bot[:, :-2]
        gx -= mid[:, :-2]
        gx -= mid[:, :-2]
        gy = bot[:, :-2] + bot[:, 2:]
        gy += bot[:, 1:-1]
        gy += bot[:, 1:-1]
        gy -= top[:, :-2]
        gy -= top[:, 2:]
        gy -= top[:, 1:-1]
        gy -= top[:, 1:-1]
        gx *= gx
        gy *= gy
        gx += gy
        o = out[r0:r1]
        np.sqrt(gx, out=o)
        o *= k
    return out


def role_kernels(a) -> None:
    """Two measurements in one process:
    pass: the pipeline once, step after step, each step allocating its outputs (as a real run would,
          so first-touch page faults are included);
    warm: each step again k times into preallocated buffers (median): the kernels' own speed.
    For slope (numpy row blocks / numba) and the reclass (numpy take / cv2.LUT / numba) the faster counts."""
    import cv2
    import numba
    import numpy as np
    import rasterio

    cv2.setNumThreads(2)
    numba.set_num_threads(2)
    k = a.k
    data, out_dir = Path(a.data), Path(a.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    overlay, slope_nb, lookup_nb = _nb_overlay()
    # warm-up (JIT compile) on a tiny grid: not timed
    t = np.zeros((8, 8), np.float32)
    u = np.zeros((8, 8), np.uint8)
    lcx = np.zeros(256, np.bool_)
    prm0 = np.array([RES, 1, 1, 1, SLOPE_FULL, SLOPE_MAX, HAZARD_MAX], np.float32)
    overlay(t, t, t, t, t, t, t, u, lcx, prm0, np.ones(6, np.float32), np.array(BREAKS, np.float32), t.copy(),
            u.copy(), u.copy())
    slope_nb(t, np.float32(1.0), t.copy())
    lookup_nb(u, np.zeros(256, np.float32), t.copy())

    with rasterio.open(data / "dem.tif") as ds:
        prof = ds.profile
        shape = (ds.height, ds.width)
    lut_land = np.full(256, np.nan, np.float32)
    for c, v in LAND_SCORE.items():
        lut_land[c] = v
    lut_soil = np.full(256, np.nan, np.float32)
    for c, v in SOIL_SCORE.items():
        lut_soil[c] = v
    lcx = np.zeros(256, np.bool_)
    lcx[EXCLUDE_LC] = True
    prm = np.array([RES, DIST["road"][1], DIST["river"][1], DIST["settlement"][1], SLOPE_FULL, SLOPE_MAX, HAZARD_MAX],
                   np.float32)
    w = np.array([WEIGHTS["road"], WEIGHTS["river"], WEIGHTS["settlement"], WEIGHTS["slope"], WEIGHTS["land"],
                  WEIGHTS["soil"]], np.float32)
    brk = np.array(BREAKS, np.float32)
    E = lambda dt: np.empty(shape, dt)  # noqa: E731

    # -- the step functions; each takes preallocated outputs
    def read_all(arrs):
        for name in INPUTS:
            with rasterio.open(data / f"{name}.tif") as ds:
                ds.read(1, out=arrs[name])

    def edt(mask, d):
        src = np.equal(mask, 0).view(np.uint8)
        cv2.distanceTransform(src, cv2.DIST_L2, cv2.DIST_MASK_PRECISE, dst=d, dstType=cv2.CV_32F)

    lut_variants = {
        "numpy take": lambda codes, lut, o: np.take(lut, codes, out=o),
        "cv2.LUT": lambda codes, lut, o: cv2.LUT(codes, lut, dst=o),
        "numba": lambda codes, lut, o: lookup_nb(codes, lut, o),
    }
    slope_variants = {
        "numpy row blocks": lambda dem, o: slope_numpy(dem, RES, o),
        "numba": lambda dem, o: slope_nb(dem, np.float32(1.0 / (8 * RES)), o),
    }

    def write_all(res):
        for name, arr in res.items():
            p = dict(prof, dtype=arr.dtype, nodata=(np.nan if arr.dtype == np.float32 else None), tiled=True,
                     blockxsize=512, blockysize=512, compress=None, BIGTIFF="IF_SAFER")
            with rasterio.open(out_dir / f"{name}.tif", "w", **p) as ds:
                ds.write(arr, 1)

    # -- warm: buffers allocated once, each step median of k
    arrs = {name: E(dt) for name, dt in INPUTS.items()}
    warm, detail = {}, {}
    warm["read inputs (rasterio, 7 layers)"], detail["read"] = _median_time(lambda: read_all(arrs), k)
    dist = {cid: E(np.float32) for cid in DIST}
    for cid, (layer, _) in DIST.items():
        warm[f"distance {cid} (cv2 EDT, 2 thr)"], detail[f"dist_{cid}"] = _median_time(
            lambda: edt(arrs[layer], dist[cid]), k)
    sl = E(np.float32)
    t_sl = {}
    for name, fn in slope_variants.items():
        t_sl[name], detail[f"slope {name}"] = _median_time(lambda: fn(arrs["dem"], sl), k)
    best_slope = min(t_sl, key=t_sl.get)
    slope_variants[best_slope](arrs["dem"], sl)
    warm[f"slope % ({best_slope})"] = t_sl[best_slope]
    land, soil = E(np.float32), E(np.float32)
    t_lut = {}
    for name, fn in lut_variants.items():
        t_lut[name], detail[f"lut {name}"] = _median_time(
            lambda: (fn(arrs["landcover"], lut_land, land), fn(arrs["soil"], lut_soil, soil)), k)
    best_lut = min(t_lut, key=t_lut.get)
    warm[f"reclass x2 ({best_lut})"] = t_lut[best_lut]
    res = {"score": E(np.float32), "classes": E(np.uint8), "constraints": E(np.uint8)}
    ov = lambda: overlay(dist["road"], dist["river"], dist["settlement"], sl, land, soil, arrs["hazard"],  # noqa: E731
                         arrs["landcover"], lcx, prm, w, brk, res["score"], res["classes"], res["constraints"])
    warm["standardize + constraints + WLC + classes (numba fused)"], detail["overlay"] = _median_time(ov, k)
    warm["write 3 outputs (uncompressed GTiff)"], detail["write"] = _median_time(lambda: write_all(res), k)
    del arrs, dist, sl, land, soil, res

    # -- pass: the same pipeline once, fresh allocations, fastest variants
    time.sleep(3)
    pas = {}
    t = _now()
    arrs = {name: E(dt) for name, dt in INPUTS.items()}
    read_all(arrs)
    pas["read inputs"] = _now() - t
    dist = {}
    for cid, (layer, _) in DIST.items():
        t = _now()
        dist[cid] = E(np.float32)
        edt(arrs[layer], dist[cid])
        pas[f"distance {cid}"] = _now() - t
    t = _now()
    sl = E(np.float32)
    slope_variants[best_slope](arrs["dem"], sl)
    pas["slope %"] = _now() - t
    t = _now()
    land, soil = E(np.float32), E(np.float32)
    lut_variants[best_lut](arrs["landcover"], lut_land, land)
    lut_variants[best_lut](arrs["soil"], lut_soil, soil)
    pas["reclass x2"] = _now() - t
    t = _now()
    res = {"score": E(np.float32), "classes": E(np.uint8), "constraints": E(np.uint8)}
    overlay(dist["road"], dist["river"], dist["settlement"], sl, land, soil, arrs["hazard"], arrs["landcover"], lcx,
            prm, w, brk, res["score"], res["classes"], res["constraints"])
    pas["overlay"] = _now() - t
    t = _now()
    write_all(res)
    pas["write 3 outputs"] = _now() - t
    _dump(a.trace, {"steps": warm, "sum_s": sum(warm.values()), "pass_steps": pas, "pass_sum_s": sum(pas.values()),
                    "slope_variants_s": t_sl, "lut_variants_s": t_lut, "detail": detail, "repeats": k,
                    "numba_threads": numba.get_num_threads(), "cv2_threads": cv2.getNumThreads()})


# ============================================================================================
# _wsum: weighted combination vs a memory-bandwidth floor
# ============================================================================================
def role_wsum(a) -> None:
    import numba as nb
    import numpy as np

    from kawasan.spatial import kernels

    nb.set_num_threads(2)

    @nb.njit(parallel=True, nogil=True)
    def floor6(l0, l1, l2, l3, l4, l5, out):
        f0, f1, f2, f3, f4, f5 = l0.reshape(-1), l1.reshape(-1), l2.reshape(-1), l3.reshape(-1), l4.reshape(-1), l5.reshape(-1)
        fo = out.reshape(-1)
        for i in nb.prange(fo.size):
            fo[i] = f0[i] + f1[i] + f2[i] + f3[i] + f4[i] + f5[i]

    @nb.njit(parallel=True, nogil=True)
    def triad(x, y, z, s):
        for i in nb.prange(x.size):
            x[i] = y[i] + s * z[i]

    @nb.njit(parallel=True, nogil=True)
    def fill_random(x, seed):
        # cheap, parallel fill with values in [0, 1): not timed
        for i in nb.prange(x.size):
            h = (i * 2654435761 + seed * 97531) & 0xFFFFFF
            x[i] = h / 16777216.0

    n = a.size
    k = a.k
    stack = np.empty((6, n, n), np.float32)
    for i in range(6):
        fill_random(stack[i].reshape(-1), i + 1)
    w = np.array([0.25, 0.25, 0.15, 0.15, 0.1, 0.1], np.float32)
    out = np.empty((n, n), np.float32)
    score = np.empty((n, n), np.float32)
    # compile / warm
    small = np.zeros((6, 4, 4), np.float32)
    kernels.weighted_sum(small, w, small[0].copy())
    kernels.accumulate(small[0].copy(), small[1], np.float32(0.5), 0)
    floor6(*[small[i] for i in range(6)], small[0].copy())
    triad(small[0].reshape(-1), small[1].reshape(-1), small[2].reshape(-1), np.float32(0.5))

    # one untimed full-size call of each, so that every output page is faulted in before timing
    kernels.weighted_sum(stack, w, out)
    score.fill(0.0)
    kernels.accumulate(score, stack[0], w[0], 0)
    floor6(*[stack[i] for i in range(6)], out)
    triad(stack[0].reshape(-1), stack[1].reshape(-1), stack[2].reshape(-1), np.float32(0.5))
    t_ws, ws_all = _median_time(lambda: kernels.weighted_sum(stack, w, out), k)
    ref = out[:: 97, :: 89].copy()

    def acc():
        score.fill(0.0)
        for i in range(6):
            kernels.accumulate(score, stack[i], w[i], 0)

    def acc_only():
        for i in range(6):
            kernels.accumulate(score, stack[i], w[i], 0)

    t_acc, acc_all = _median_time(acc, k)
    maxdiff = float(np.max(np.abs(score[:: 97, :: 89] - ref)))
    t_acc_only, _ = _median_time(acc_only, k)
    t_floor, floor_all = _median_time(lambda: floor6(*[stack[i] for i in range(6)], out), k)
    x, y, z = stack[3].reshape(-1), stack[4].reshape(-1), stack[5].reshape(-1)
    t_triad, _ = _median_time(lambda: triad(x, y, z, np.float32(0.5)), k)
    cells = n * n
    bw = 12.0 * cells / t_triad / 1e9            # STREAM triad convention: 2 reads + 1 write, 4 bytes each
    floor_bw = 28.0 * cells / (bw * 1e9)         # 6 layers read + 1 written
    acc_bw = 72.0 * cells / (bw * 1e9)           # 6 x (score + layer read, score written)
    _dump(a.trace, {"cells": cells, "repeats": k, "weighted_sum_s": t_ws, "weighted_sum_all": ws_all,
                    "accumulate6_s": t_acc, "accumulate6_all": acc_all, "accumulate6_without_fill_s": t_acc_only,
                    "floor_kernel_s": t_floor, "floor_kernel_all": floor_all, "triad_s": t_triad,
                    "triad_bandwidth_GBps": bw, "floor_from_bandwidth_s": floor_bw,
                    "accumulate_pattern_floor_s": acc_bw, "accumulate_vs_weighted_sum_maxdiff": maxdiff,
                    "numba_threads": nb.get_num_threads()})


# ============================================================================================
# _xrs: the pipeline with xarray-spatial (runs in benchmarks/_work/venv-xrs)
# ============================================================================================
def role_xrs(a) -> None:
    steps: dict[str, float] = {}
    trace = Path(a.trace)
    t_all = _now()

    def done(name, t):
        steps[name] = _now() - t
        h, r = _hwm_rss()
        _dump(trace, {"steps": steps, "hwm_mb": h, "elapsed_s": _now() - t_all, "complete": False})

    t = _now()
    import numpy as np
    import rioxarray
    import xarray as xr
    import xrspatial
    from xrspatial import mcda, proximity, reclassify, slope
    done("import", t)
    data, out = Path(a.data), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    t = _now()
    lay = {name: rioxarray.open_rasterio(data / f"{name}.tif").squeeze("band", drop=True).load() for name in INPUTS}
    done("read inputs (rioxarray)", t)
    crs = lay["dem"].rio.crs
    crit = {}
    for cid, (layer, maxd) in DIST.items():
        t = _now()
        d = proximity(lay[layer], max_distance=maxd)
        done(f"proximity {cid}", t)
        t = _now()
        crit[cid] = mcda.standardize(d.fillna(maxd), "linear", direction="lower_is_better", bounds=(0.0, maxd))
        del d
        done(f"standardize {cid}", t)
    t = _now()
    deg = slope(lay["dem"], boundary="nearest")
    pct = np.tan(np.radians(deg)) * 100.0
    del deg
    done("slope % (slope + tan)", t)
    t = _now()
    crit["slope"] = mcda.standardize(pct, "linear", direction="lower_is_better", bounds=(0.0, SLOPE_FULL))
    done("standardize slope", t)
    t = _now()
    crit["land"] = mcda.standardize(lay["landcover"], "categorical", mapping=LAND_SCORE)
    crit["soil"] = mcda.standardize(lay["soil"], "categorical", mapping=SOIL_SCORE)
    done("reclass x2 (mcda.standardize categorical)", t)
    t = _now()
    wlc = mcda.wlc(xr.Dataset({k: v.astype("float32") for k, v in crit.items()}), WEIGHTS)
    del crit
    done("wlc", t)
    t = _now()
    m_slope = pct > SLOPE_MAX
    m_haz = lay["hazard"] > HAZARD_MAX
    m_lc = lay["landcover"].isin(EXCLUDE_LC)
    score = mcda.constrain(wlc, [m_slope, m_haz, m_lc], fill=0.0).astype("float32")
    del wlc
    reason = (m_slope.astype("uint8") + m_haz.astype("uint8") * 2 + m_lc.astype("uint8") * 4).astype("uint8")
    done("constraints (mcda.constrain + bitmask)", t)
    t = _now()
    lo = [float(np.nextafter(np.float32(b), np.float32(-np.inf))) for b in sorted(BREAKS)]
    cls = reclassify(score, bins=lo + [np.inf], new_values=[5, 4, 3, 2, 1])
    classes = xr.where(reason > 0, 6, cls).astype("uint8")
    done("classes (reclassify)", t)
    t = _now()
    for name, arr in (("score", score), ("classes", classes), ("constraints", reason)):
        arr = arr.rio.write_crs(crs)
        arr.attrs = {}
        arr.rio.to_raster(out / f"{name}.tif", tiled=True, blockxsize=512, blockysize=512)
    done("write 3 outputs (rioxarray)", t)
    h, r = _hwm_rss()
    _dump(trace, {"steps": steps, "hwm_mb": h, "elapsed_s": _now() - t_all, "complete": True,
                  "versions": {"xarray-spatial": xrspatial.__version__, "xarray": xr.__version__,
                               "rioxarray": rioxarray.__version__, "numpy": np.__version__,
                               "python": sys.version.split()[0]}})


# ============================================================================================
# _compare: do the contenders compute the same pipeline? (decimated sample)
# ============================================================================================
def role_compare(a) -> None:
    import numpy as np
    import rasterio

    step = max(1, a.size // 1000)
    dirs = json.loads(a.dirs)

    def rd(p):
        with rasterio.open(p) as ds:
            return ds.read(1)[::step, ::step].copy()

    sample = {}
    for name, d in dirs.items():
        d = Path(d)
        if not (d / "score.tif").exists():
            continue
        sample[name] = {k: rd(d / f"{k}.tif") for k in ("score", "classes", "constraints")}
    res = {}
    ref = sample.get("kawasan")
    for name, s in sample.items():
        exc = s["constraints"] != 0
        r = {"excluded_frac": float(exc.mean()),
             "class_share": {str(c): float(v) / exc.size for c, v in enumerate(np.bincount(s["classes"].reshape(-1), minlength=7))},
             "score_mean": float(np.nanmean(s["score"]))}
        if ref is not None and name != "kawasan":
            rexc = ref["constraints"] != 0
            r["excluded_agree"] = float((exc == rexc).mean())
            r["bitmask_agree"] = float((s["constraints"] == ref["constraints"]).mean())
            both = ~exc & ~rexc & np.isfinite(s["score"]) & np.isfinite(ref["score"])
            x, y = s["score"][both].astype(np.float64), ref["score"][both].astype(np.float64)
            r["score_corr"] = float(np.corrcoef(x, y)[0, 1]) if x.size > 2 else None
            r["score_max_abs_diff"] = float(np.max(np.abs(x - y))) if x.size else None
            r["score_mean_abs_diff"] = float(np.mean(np.abs(x - y))) if x.size else None
            r["class_agree"] = float((s["classes"] == ref["classes"]).mean())
        res[name] = r
    _dump(a.trace, {"decimation": step, "sample_cells": int(next(iter(sample.values()))["score"].size) if sample else 0,
                    "contenders": res})


# ============================================================================================
# the driver
# ============================================================================================
def _env(unset_openblas: bool, *, gdal: bool = False) -> dict:
    env = dict(os.environ)
    if unset_openblas:
        env.pop("OPENBLAS_CORETYPE", None)
        env.pop("OPENBLAS_L2_SIZE", None)
    if gdal:   # Debian's GDAL and python3: keep the venv's and rasterio's settings out
        for k in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "GDAL_DATA", "PROJ_LIB", "PROJ_DATA"):
            env.pop(k, None)
    return env


def _run(cmd, **kw) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw).stdout.strip()
    except Exception as exc:  # noqa: BLE001 - informational only
        return f"? ({exc.__class__.__name__})"


def machine_info() -> dict:
    cpu = "?"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = 0.0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_gb = int(line.split()[1]) / 1024 / 1024
    venv = _run([str(VENV_PY), "-c", "import json,sys,numpy,numba,rasterio,cv2,scipy,kawasan;"
                 "print(json.dumps({'python':sys.version.split()[0],'numpy':numpy.__version__,'numba':numba.__version__,"
                 "'rasterio':rasterio.__version__,'gdal (rasterio)':rasterio.__gdal_version__,'opencv':cv2.__version__,"
                 "'scipy':scipy.__version__,'kawasan':kawasan.__version__}))"])
    try:
        venv_v = json.loads(venv)
    except ValueError:
        venv_v = {"error": venv}
    info = {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem_gb, 1), "kernel": platform.release(),
            "project_venv": venv_v,
            "debian_gdal": _run([str(GDAL_BIN / "gdalinfo"), "--version"]),
            "debian_python": _run([SYS_PY, "-c", "import sys,numpy;print(sys.version.split()[0],'numpy',numpy.__version__)"]),
            "git_commit": _run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"]),
            "git_dirty_files": len([x for x in _run(["git", "-C", str(ROOT), "status", "--porcelain"]).splitlines() if x]),
            "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
            "OPENBLAS_L2_SIZE": os.environ.get("OPENBLAS_L2_SIZE")}
    if XRS_PY.exists():
        xv = _run([str(XRS_PY), "-c", "import json,sys,numpy,xarray,rioxarray,xrspatial,numba;print(json.dumps("
                   "{'python':sys.version.split()[0],'xarray-spatial':xrspatial.__version__,'xarray':xarray.__version__,"
                   "'rioxarray':rioxarray.__version__,'numpy':numpy.__version__,'numba':numba.__version__}))"])
        try:
            info["xrs_venv"] = json.loads(xv)
        except ValueError:
            info["xrs_venv"] = {"error": xv}
    return info


def ensure_data(size: int, log: Path) -> Path:
    d = WORK / f"data-{size}"
    want = {"size": size, "seed": SEED, "gen_version": GEN_VERSION, "res": RES, "crs": CRS}
    pj = d / "params.json"
    if pj.exists() and all((d / f"{n}.tif").exists() for n in INPUTS):
        try:
            if json.loads(pj.read_text()) == want:
                return d
        except ValueError:
            pass
    if d.exists():
        shutil.rmtree(d)
    print(f"generating inputs {size} x {size} into {d} ...", flush=True)
    r = measure([VENV_PY, __file__, "_gen", "--size", size, "--data", d], log=log)
    if r["rc"] != 0:
        sys.exit(f"input generation failed; see {log}")
    print(f"  done in {r['wall_s']:.1f} s", flush=True)
    return d


def gdal_chain(data: Path, out: Path) -> list[tuple[str, list]]:
    py = SYS_PY
    calc = [py, GDAL_BIN / "gdal_calc.py", "--quiet", "--overwrite", "--hideNoData"]
    tiled = ["--co", "TILED=YES", "--co", "BLOCKXSIZE=512", "--co", "BLOCKYSIZE=512"]
    steps = []
    for cid, (layer, maxd) in DIST.items():
        steps.append((f"gdal_proximity.py {cid}", [py, GDAL_BIN / "gdal_proximity.py", "-q", data / f"{layer}.tif",
                                                   out / f"d_{cid}.tif", "-distunits", "GEO", "-maxdist", str(maxd),
                                                   "-ot", "Float32", "-nodata", "-1", "-co", "TILED=YES"]))
    steps.append(("gdaldem slope -p", [GDAL_BIN / "gdaldem", "slope", "-q", "-p", "-compute_edges", data / "dem.tif",
                                       out / "slope.tif", "-co", "TILED=YES"]))
    for cid, (layer, maxd) in DIST.items():
        steps.append((f"gdal_calc standardize {cid}",
                      calc + ["-A", out / f"d_{cid}.tif", f"--outfile={out / f's_{cid}.tif'}", "--type=Float32",
                              f"--calc=where(A<0,0,1-minimum(A/{maxd},1))"]))
    steps.append(("gdal_calc standardize slope",
                  calc + ["-A", out / "slope.tif", f"--outfile={out / 's_slope.tif'}", "--type=Float32",
                          f"--calc=1-clip(A/{SLOPE_FULL},0,1)"]))
    for cid, layer, table in (("land", "landcover", LAND_SCORE), ("soil", "soil", SOIL_SCORE)):
        lut = ["nan"] * 256
        for c, v in table.items():
            lut[c] = repr(float(v))
        steps.append((f"gdal_calc reclass {cid}",
                      calc + ["-A", data / f"{layer}.tif", f"--outfile={out / f's_{cid}.tif'}", "--type=Float32",
                              f"--calc=array([{','.join(lut)}],dtype=float32)[A]"]))
    lc_expr = "+".join(f"(C=={c})" for c in EXCLUDE_LC)
    steps.append(("gdal_calc constraints",
                  calc + ["-A", out / "slope.tif", "-B", data / "hazard.tif", "-C", data / "landcover.tif",
                          f"--outfile={out / 'constraints.tif'}", "--type=Byte", *tiled,
                          f"--calc=(A>{SLOPE_MAX})*1+(B>{HAZARD_MAX})*2+(({lc_expr})>0)*4"]))
    order = ["land", "river", "road", "settlement", "slope", "soil"]
    letters = "ABCDEF"
    expr = "+".join(f"{WEIGHTS[c]}*{letters[i]}" for i, c in enumerate(order))
    args = []
    for i, c in enumerate(order):
        args += [f"-{letters[i]}", out / f"s_{c}.tif"]
    steps.append(("gdal_calc weighted sum + mask",
                  calc + args + ["-G", out / "constraints.tif", f"--outfile={out / 'score.tif'}", "--type=Float32", *tiled,
                                 f"--calc=where(G>0,0,{expr})"]))
    b = BREAKS
    steps.append(("gdal_calc classes",
                  calc + ["-A", out / "score.tif", "-B", out / "constraints.tif", f"--outfile={out / 'classes.tif'}",
                          "--type=Byte", *tiled,
                          f"--calc=where(B>0,6,where(A>={b[0]},1,where(A>={b[1]},2,where(A>={b[2]},3,where(A>={b[3]},4,5)))))"]))
    return steps


def _median_tree(items: list):
    """Median of numbers leaf by leaf across repeats (dicts recursively); other values from the last repeat."""
    last = items[-1]
    if isinstance(last, dict):
        return {k: _median_tree([it[k] for it in items if isinstance(it, dict) and k in it]) for k in last}
    if isinstance(last, (int, float)) and not isinstance(last, bool) and all(
            isinstance(it, (int, float)) and not isinstance(it, bool) for it in items):
        return statistics.median(items)
    return last


def drop_caches_of_writes() -> None:
    os.sync()


def fmt_s(x) -> str:
    return "—" if x is None else (f"{x:.2f}" if x < 100 else f"{x:.0f}")


def fmt_gb(mb) -> str:
    return "—" if mb is None else f"{mb / 1024:.2f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=10000, help="grid is SIZE x SIZE cells at 30 m (default 10000)")
    ap.add_argument("--skip", default="", help=f"comma list of contenders to skip: {','.join(CONTENDERS)}")
    ap.add_argument("--repeat", type=int, default=1, help="runs per contender (median wall, max peak RSS)")
    ap.add_argument("--kernel-repeat", type=int, default=3, help="repeats of each kernel step inside _kernels/_wsum")
    ap.add_argument("--xrs-timeout", type=float, default=900.0, help="seconds before the xarray-spatial run is killed")
    ap.add_argument("--compress", default="NONE", help="kawasan COG codec for the main run (default NONE)")
    ap.add_argument("--kawasan-cli", action="store_true", help="time the kawasan CLI instead of the traced API driver")
    ap.add_argument("--chunked-scheduler", default="threads",
                    help="--scheduler of the chunked contender (threads, processes or an address; default threads)")
    ap.add_argument("--unset-openblas", action="store_true",
                    help="unset OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE for the contender processes only")
    ap.add_argument("--wait-quiet", type=float, default=60.0,
                    help="before each contender wait up to this many seconds for other processes to go quiet (0: no wait)")
    ap.add_argument("--tag", default="", help="suffix for the run folder (_work/run-SIZE-TAG) and results file")
    ap.add_argument("--results", default=None, help="results JSON (default _work/results[-TAG].json)")
    a = ap.parse_args(argv)
    skip = {s.strip() for s in a.skip.split(",") if s.strip()}
    bad = skip - set(CONTENDERS)
    if bad:
        ap.error(f"unknown contender(s) in --skip: {sorted(bad)}")
    WORK.mkdir(parents=True, exist_ok=True)
    suffix = f"-{a.tag}" if a.tag else ""
    a.results = a.results or str(WORK / f"results{suffix}.json")
    run_dir = WORK / f"run-{a.size}{suffix}"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    log = run_dir / "log.txt"
    env = _env(a.unset_openblas)
    results: dict = {"size": a.size, "cells": a.size * a.size, "res_m": RES, "crs": CRS, "repeat": a.repeat,
                     "started": time.strftime("%Y-%m-%d %H:%M:%S"), "load": {"start": _run(["uptime"])},
                     "openblas_unset_for_contenders": a.unset_openblas, "contenders": {}}
    print(f"== kawasan pipeline benchmark: {a.size} x {a.size} cells at {RES:g} m ({CRS}); repeat {a.repeat}")
    print(f"   start: {results['load']['start']}")
    print(f"   OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')!r} "
          f"({'unset for the contenders' if a.unset_openblas else 'left as is; no step here uses BLAS'})", flush=True)
    results["machine"] = machine_info()

    data = ensure_data(a.size, log)
    results["inputs"] = json.loads((data / "stats.json").read_text())
    model_path = run_dir / "model.yaml"
    model_path.write_text("# written by benchmarks/pipeline.py (JSON is valid YAML)\n" + json.dumps(model_dict(), indent=2))
    in_bytes = 0
    for name, dt in INPUTS.items():
        in_bytes += a.size * a.size * (4 if dt == "float32" else 1)
    budget_mb = (in_bytes + 2 * 4 * a.size * a.size) / 2**20
    results["memory_budget_mb"] = budget_mb
    results["inputs_in_memory_mb"] = in_bytes / 2**20
    # page cache: read every input once
    for name in INPUTS:
        with open(data / f"{name}.tif", "rb") as fh:
            while fh.read(1 << 24):
                pass

    outs = {k: run_dir / f"out-{k}" for k in ("kernels", "kawasan", "zstd", "chunked", "gdal", "xrs")}
    cal = run_dir / "calib.json"
    if measure([VENV_PY, __file__, "_calib", "--trace", cal], log=log, env=env)["rc"] == 0:
        results["first_touch"] = json.loads(cal.read_text())
        ft = results["first_touch"]
        print(f"   first touch of fresh memory: {ft['cold_s_per_gb']:.2f} s/GB after 5 s idle, "
              f"{ft['warm_s_per_gb']:.2f} s/GB right after (this VM returns freed pages to its host)", flush=True)

    def note(label, r):
        extra = " TIMEOUT" if r.get("timed_out") else (f" rc={r['rc']}" if r.get("rc") else "")
        print(f"   {label:<34} wall {r['wall_s']:8.2f} s   peak RSS {r['peak_rss_mb'] / 1024:6.2f} GB   "
              f"user {r.get('user_s', 0):6.1f} sys {r.get('sys_s', 0):5.1f} s   other procs {r.get('other_cpu_s', 0):5.1f} "
              f"CPU-s, steal {r.get('steal_s', 0):.1f} s{extra}   [{load_line()}]", flush=True)

    def repeated(label, fn):
        runs = []
        for i in range(a.repeat):
            drop_caches_of_writes()
            waited = wait_quiet(a.wait_quiet) if a.wait_quiet > 0 else 0.0
            r = fn(i)
            r["waited_for_quiet_s"] = waited
            note(label + (f" #{i + 1}" if a.repeat > 1 else ""), r)
            runs.append(r)
            if r.get("rc") or r.get("timed_out"):
                break
        best = dict(runs[-1])
        traces = [r["trace"] for r in runs if isinstance(r.get("trace"), dict)]
        if len(traces) > 1:
            best["trace"] = _median_tree(traces)
        for key in ("user_s", "sys_s", "minflt", "other_cpu_s", "steal_s"):
            if all(key in r for r in runs):
                best[key] = statistics.median(r[key] for r in runs)
        best["wall_s"] = statistics.median(r["wall_s"] for r in runs)
        best["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
        best["runs"] = [{k: r.get(k) for k in ("wall_s", "peak_rss_mb", "user_s", "sys_s", "minflt", "other_cpu_s",
                                              "steal_s", "waited_for_quiet_s", "rc", "timed_out")} for r in runs]
        return best

    # warm-up: numba's on-disk cache of kawasan kernels and the import path, on a tiny grid (not timed)
    if not {"kawasan", "zstd"} <= skip:
        small = ensure_data(256, log)
        r = measure([VENV_PY, __file__, "_kawasan", "--model", model_path, "--data", small, "--out",
                     run_dir / "warmup", "--compress", "NONE", "--trace", run_dir / "warmup.json"], log=log, env=env)
        results["kawasan_baseline"] = {"wall_s": r["wall_s"], "peak_rss_mb": r["peak_rss_mb"],
                                       "note": "256 x 256 warm-up run: interpreter + imports + fixed overhead"}
        print(f"   warm-up kawasan 256x256: {r['wall_s']:.2f} s, peak RSS {r['peak_rss_mb']:.0f} MB (fixed overhead)")

    print("-- contenders", flush=True)
    C = results["contenders"]
    if "kernels" not in skip:
        def f(i):
            tr = run_dir / "kernels.json"
            r = measure([VENV_PY, __file__, "_kernels", "--data", data, "--out", outs["kernels"], "--trace", tr,
                         "--k", a.kernel_repeat], log=log, env=env)
            if r["rc"] == 0:
                r["trace"] = json.loads(tr.read_text())
            return r
        C["kernels"] = repeated("fastest-kernel pieces (process)", f)

    def kawasan_run(out, compress, tag):
        def f(i):
            if out.exists():
                shutil.rmtree(out)
            tr = run_dir / f"{tag}.json"
            if a.kawasan_cli:
                cmd = [ROOT / ".venv" / "bin" / "kawasan", "suitability", "run", model_path, "--data", data, "--out", out,
                       "--compress", compress.lower()]
            else:
                cmd = [VENV_PY, __file__, "_kawasan", "--model", model_path, "--data", data, "--out", out,
                       "--compress", compress, "--trace", tr]
            r = measure(cmd, log=log, env=env)
            if r["rc"] == 0:
                if a.kawasan_cli:
                    r["trace"] = {"timings": json.loads((out / "manifest.json").read_text())["timings"]}
                else:
                    r["trace"] = json.loads(tr.read_text())
            return r
        return f

    if "kawasan" not in skip:
        C["kawasan"] = repeated(f"kawasan (COG {a.compress})", kawasan_run(outs["kawasan"], a.compress, "kawasan"))
    if "zstd" not in skip and a.compress.upper() != "ZSTD":
        C["kawasan_zstd"] = repeated("kawasan (COG ZSTD, default)", kawasan_run(outs["zstd"], "ZSTD", "kawasan-zstd"))

    if "chunked" not in skip:     # issue 15: the chunked path on the same grid, through the CLI as a user runs it
        def chunked(i):
            out = outs["chunked"]
            if out.exists():
                shutil.rmtree(out)
            cmd = [ROOT / ".venv" / "bin" / "kawasan", "suitability", "run", model_path, "--data", data, "--out", out,
                   "--compress", a.compress.lower(), "--scheduler", a.chunked_scheduler]
            r = measure(cmd, log=log, env=env)
            if r["rc"] == 0:
                r["trace"] = {"timings": json.loads((out / "manifest.json").read_text())["timings"]}
            return r
        C["chunked"] = repeated(f"kawasan chunked (--scheduler {a.chunked_scheduler}, COG {a.compress})", chunked)

    if "gdal" not in skip:
        if not (GDAL_BIN / "gdal_calc.py").exists():
            print("   GDAL chain: /usr/bin/gdal_calc.py missing (apt-get install gdal-bin python3-gdal); skipped")
        else:
            genv = _env(a.unset_openblas, gdal=True)

            def f(i):
                out = outs["gdal"]
                if out.exists():
                    shutil.rmtree(out)
                out.mkdir(parents=True)
                steps, wall, peak, rc = {}, 0.0, 0.0, 0
                tot = dict.fromkeys(("user_s", "sys_s", "minflt", "other_cpu_s", "steal_s"), 0.0)
                for name, cmd in gdal_chain(data, out):
                    r = measure(cmd, log=log, env=genv)
                    steps[name] = {"wall_s": r["wall_s"], "peak_rss_mb": r["peak_rss_mb"]}
                    wall += r["wall_s"]
                    peak = max(peak, r["peak_rss_mb"])
                    for key in tot:
                        tot[key] += r[key]
                    if r["rc"]:
                        rc = r["rc"]
                        print(f"   GDAL step failed: {name}; see {log}")
                        break
                return {"wall_s": wall, "peak_rss_mb": peak, "rc": rc, "timed_out": False, "steps": steps, **tot,
                        "note": "13 commands run one after another; wall = sum, peak = largest step"}
            C["gdal"] = repeated("GDAL command-line chain", f)

    if "xrs" not in skip:
        if not XRS_PY.exists():
            print(f"   xarray-spatial: {XRS_PY} missing (see README); skipped")
        else:
            def f(i):
                out = outs["xrs"]
                if out.exists():
                    shutil.rmtree(out)
                tr = run_dir / "xrs.json"
                if tr.exists():
                    tr.unlink()
                r = measure([XRS_PY, __file__, "_xrs", "--data", data, "--out", out, "--trace", tr], log=log, env=env,
                            timeout=a.xrs_timeout)
                if tr.exists():
                    r["trace"] = json.loads(tr.read_text())
                return r
            C["xrs"] = repeated("xarray-spatial", f)

    if "wsum" not in skip:
        def f(i):
            tr = run_dir / "wsum.json"
            r = measure([VENV_PY, __file__, "_wsum", "--size", a.size, "--trace", tr, "--k", max(7, a.kernel_repeat)],
                        log=log, env=env)
            if r["rc"] == 0:
                r["trace"] = json.loads(tr.read_text())
            return r
        C["wsum"] = repeated("weighted combination vs floor", f)

    # agreement
    dirs = {k: str(outs[k]) for k in ("kawasan", "gdal", "xrs", "kernels")}
    tr = run_dir / "compare.json"
    r = measure([VENV_PY, __file__, "_compare", "--size", a.size, "--dirs", json.dumps(dirs), "--trace", tr], log=log)
    results["agreement"] = json.loads(tr.read_text()) if r["rc"] == 0 else {"error": f"see {log}"}
    results["load"]["end"] = _run(["uptime"])
    report(results, a)
    Path(a.results).write_text(json.dumps(results, indent=2, default=str))
    print(f"\nresults: {a.results}   logs: {log}")
    return 0


# --- reporting -------------------------------------------------------------------------------
def _ok(x) -> bool:
    return x is not None and x.get("rc", 0) == 0 and not x.get("timed_out")


def report(R: dict, a) -> None:
    C = R["contenders"]
    ka, gd, xr_, kn, ws, kz, ch = (C.get(k) for k in ("kawasan", "gdal", "xrs", "kernels", "wsum", "kawasan_zstd",
                                                       "chunked"))
    ratios, goals = {}, []
    k_wall = ka["wall_s"] if _ok(ka) else None
    k_inproc = None
    if _ok(ka) and "t_run" in ka.get("trace", {}):
        k_inproc = ka["trace"]["t_run"]
    if k_wall and _ok(gd):
        ratios["gdal_over_kawasan"] = gd["wall_s"] / k_wall
        goals.append(("faster than the GDAL chain", ">= 5x", f"{ratios['gdal_over_kawasan']:.1f}x",
                      ratios["gdal_over_kawasan"] >= 5))
    if _ok(ch) and _ok(gd):
        ratios["gdal_over_chunked"] = gd["wall_s"] / ch["wall_s"]
        goals.append(("issue 15: chunked path faster than the GDAL chain", ">= 5x",
                      f"{ratios['gdal_over_chunked']:.2f}x", ratios["gdal_over_chunked"] >= 5))
    if _ok(ch) and k_wall:
        ratios["kawasan_over_chunked"] = k_wall / ch["wall_s"]
        goals.append(("issue 15: chunked throughput vs the in-memory path", ">= 1x",
                      f"{ratios['kawasan_over_chunked']:.2f}x", ratios["kawasan_over_chunked"] >= 1))
    if k_wall and xr_ is not None:
        if _ok(xr_):
            ratios["xrs_over_kawasan"] = xr_["wall_s"] / k_wall
            goals.append(("faster than xarray-spatial", ">= 10x", f"{ratios['xrs_over_kawasan']:.1f}x",
                          ratios["xrs_over_kawasan"] >= 10))
        elif xr_.get("timed_out"):
            lb = xr_["wall_s"] / k_wall
            ratios["xrs_over_kawasan_lower_bound"] = lb
            goals.append(("faster than xarray-spatial", ">= 10x", f"> {lb:.1f}x (xrs timed out)", True if lb >= 10 else None))
    if k_wall and _ok(kn):
        s = kn["trace"]["sum_s"]
        ratios["kawasan_over_kernel_sum"] = k_wall / s
        if k_inproc:
            ratios["kawasan_run_suitability_over_kernel_sum"] = k_inproc / s
        goals.append(("within 1.5x of fastest-kernel sum (warm kernels)", "<= 1.5x",
                      f"{ratios['kawasan_over_kernel_sum']:.2f}x (process); "
                      + (f"{k_inproc / s:.2f}x (run_suitability only)" if k_inproc else ""),
                      ratios["kawasan_over_kernel_sum"] <= 1.5))
        ps = kn["trace"].get("pass_sum_s")
        if ps:
            ratios["kawasan_over_kernel_pass"] = k_wall / ps
            goals.append(("(info) within 1.5x of one cold pass of the fastest kernels", "<= 1.5x",
                          f"{k_wall / ps:.2f}x (pass {ps:.2f} s)", k_wall / ps <= 1.5))
    if _ok(ws):
        t = ws["trace"]
        ratios["accumulate6_over_floor"] = t["accumulate6_s"] / t["floor_kernel_s"]
        ratios["weighted_sum_over_floor"] = t["weighted_sum_s"] / t["floor_kernel_s"]
        ratios["floor_kernel_over_bandwidth_floor"] = t["floor_kernel_s"] / t["floor_from_bandwidth_s"]
        goals.append(("WLC step within 2x of floor: engine path (accumulate x6)", "<= 2x",
                      f"{ratios['accumulate6_over_floor']:.2f}x", ratios["accumulate6_over_floor"] <= 2))
        goals.append(("WLC step within 2x of floor: kernels.weighted_sum", "<= 2x",
                      f"{ratios['weighted_sum_over_floor']:.2f}x", ratios["weighted_sum_over_floor"] <= 2))
    if _ok(ka):
        ratios["kawasan_peak_over_budget"] = ka["peak_rss_mb"] / R["memory_budget_mb"]
        goals.append(("peak RSS <= inputs + two float32 grids", f"<= {R['memory_budget_mb'] / 1024:.2f} GB",
                      f"{ka['peak_rss_mb'] / 1024:.2f} GB ({ratios['kawasan_peak_over_budget']:.2f}x)",
                      ka["peak_rss_mb"] <= R["memory_budget_mb"]))
        base = (R.get("kawasan_baseline") or {}).get("peak_rss_mb")
        if base:
            ratios["kawasan_peak_over_budget_plus_fixed_overhead"] = ka["peak_rss_mb"] / (R["memory_budget_mb"] + base)
            goals.append(("(info) peak RSS <= budget + fixed overhead of a 256x256 run",
                          f"<= {(R['memory_budget_mb'] + base) / 1024:.2f} GB",
                          f"{ka['peak_rss_mb'] / 1024:.2f} GB ({ratios['kawasan_peak_over_budget_plus_fixed_overhead']:.2f}x)",
                          ka["peak_rss_mb"] <= R["memory_budget_mb"] + base))
    R["ratios"] = ratios
    R["goals"] = [{"goal": g, "target": t, "measured": m, "pass": p} for g, t, m, p in goals]

    print("\n== per-step detail")
    if _ok(ka):
        tr = ka.get("trace", {})
        print(f"kawasan: process {ka['wall_s']:.2f} s = imports {tr.get('t_import', 0):.2f} s + run_suitability "
              f"{tr.get('t_run', 0):.2f} s + interpreter start/exit; manifest timings:")
        print("   " + ", ".join(f"{k} {v:.2f}" for k, v in tr.get("timings", {}).items()))
        if tr.get("events"):
            agg: dict[str, list] = {}
            for e in tr["events"]:
                agg.setdefault(e["name"], [0, 0.0])
                agg[e["name"]][0] += 1
                agg[e["name"]][1] += e["dur"]
            print("   traced calls (inclusive s, count): " + ", ".join(
                f"{k} {v[1]:.2f} ({v[0]})" for k, v in sorted(agg.items(), key=lambda kv: -kv[1][1])))
            R["kawasan_trace_summary"] = {k: {"count": v[0], "seconds": v[1]} for k, v in agg.items()}
            final = tr.get("hwm_mb") or max(e["hwm1"] for e in tr["events"])
            cands = [e for e in tr["events"] if e["hwm0"] < final - 1 <= e["hwm1"] and e.get("main", True)]
            if cands:
                e = max(cands, key=lambda e: e["depth"])
                print(f"   peak RSS {final / 1024:.2f} GB reached inside '{e['name']}' at t={e['t']:.1f} s "
                      f"(RSS before it {e['hwm0'] / 1024:.2f} GB)")
                R["kawasan_peak_during"] = e["name"]
            steps = tr.get("steps", [])
            if steps:
                print("   HWM at progress steps: " + ", ".join(f"{s['step']} {s['hwm'] / 1024:.2f}" for s in steps))
    if _ok(kn):
        t = kn["trace"]
        print("fastest kernels, warm (median of %d, buffers reused): " % t["repeats"]
              + ", ".join(f"{k} {v:.3f}" for k, v in t["steps"].items()) + f"; sum {t['sum_s']:.2f} s")
        print("   variants: slope " + ", ".join(f"{k} {v:.3f}" for k, v in t["slope_variants_s"].items())
              + "; reclass x2 " + ", ".join(f"{k} {v:.3f}" for k, v in t["lut_variants_s"].items()))
        print("   one cold pass (fresh allocations): " + ", ".join(f"{k} {v:.2f}" for k, v in t["pass_steps"].items())
              + f"; sum {t['pass_sum_s']:.2f} s")
    if gd:
        print("GDAL chain: " + ", ".join(f"{k} {v['wall_s']:.1f}" for k, v in gd.get("steps", {}).items()))
    if xr_ and xr_.get("trace"):
        print("xarray-spatial: " + ", ".join(f"{k} {v:.1f}" for k, v in xr_["trace"]["steps"].items())
              + ("" if xr_["trace"].get("complete") else "  (INCOMPLETE)"))
    if _ok(ws):
        t = ws["trace"]
        print(f"weighted combination, 6 x {t['cells']:.0e} float32: weighted_sum {t['weighted_sum_s']:.3f} s, "
              f"accumulate x6 {t['accumulate6_s']:.3f} s (without the initial fill {t['accumulate6_without_fill_s']:.3f}), "
              f"floor kernel {t['floor_kernel_s']:.3f} s, triad bandwidth {t['triad_bandwidth_GBps']:.1f} GB/s -> "
              f"bytes-moved floor {t['floor_from_bandwidth_s']:.3f} s (accumulate's own traffic floor "
              f"{t['accumulate_pattern_floor_s']:.3f} s)")
    ag = R.get("agreement", {}).get("contenders", {})
    if ag:
        print(f"agreement with kawasan (every {R['agreement']['decimation']}th row/col, {R['agreement']['sample_cells']} cells):")
        for k, v in ag.items():
            s = f"   {k:<8} excluded {v['excluded_frac'] * 100:5.2f} %"
            if "score_corr" in v:
                s += (f"; excluded-mask agree {v['excluded_agree'] * 100:.3f} %, bitmask agree {v['bitmask_agree'] * 100:.3f} %, "
                      f"score r {v['score_corr']:.6f}, |diff| mean {v['score_mean_abs_diff']:.2e} max {v['score_max_abs_diff']:.2e}, "
                      f"class agree {v['class_agree'] * 100:.2f} %")
            print(s)

    m = R["machine"]
    pv = m.get("project_venv", {})
    xv = m.get("xrs_venv", {})
    print("\n== Markdown for docs/performance.md\n")
    print(f"Whole pipeline, {R['size']:,} x {R['size']:,} cells at {R['res_m']:g} m ({R['crs']}): three bounded distances, "
          f"slope (percent), two reclasses, three constraints, WLC of six criteria, classes; inputs and outputs as "
          f"GeoTIFF files (inputs in the OS cache; kawasan writes COGs with `--compress {a.compress}`). "
          f"Measured by `benchmarks/pipeline.py` on {R['started']}, repeat {R['repeat']}.\n")
    print("| contender | wall s | peak RSS GB | CPU user + sys s | vs kawasan |")
    print("|---|---:|---:|---:|---:|")
    rows = [("kawasan (`run_suitability`, one process)" if not a.kawasan_cli else "kawasan CLI", ka),
            ("kawasan, default ZSTD COGs", kz),
            (f"kawasan chunked path (CLI, `--scheduler {a.chunked_scheduler}`)", ch),
            ("GDAL command-line chain (gdal_proximity.py, gdaldem, gdal_calc.py; 13 processes)", gd),
            (f"xarray-spatial {xv.get('xarray-spatial', '?')} + rioxarray", xr_),
            ("sum of the fastest kernels, warm (median per step, buffers reused)", kn),
            ("the fastest kernels, one cold pass (fresh allocations)", "pass")]
    for label, r in rows:
        if r == "pass":
            if not _ok(kn):
                continue
            wall, peak, cpu, tag = kn["trace"]["pass_sum_s"], None, "—", ""
        elif r is None:
            continue
        else:
            wall = r["trace"]["sum_s"] if r is kn and _ok(kn) else r["wall_s"]
            peak = None if r is kn else r["peak_rss_mb"]
            cpu = "—" if r is kn else f"{r.get('user_s', 0):.1f} + {r.get('sys_s', 0):.1f}"
            tag = " (timed out)" if r.get("timed_out") else (" (failed)" if r.get("rc") else "")
        vs = f"{wall / k_wall:.2f}x" if k_wall else "—"
        print(f"| {label}{tag} | {fmt_s(wall)} | {fmt_gb(peak)} | {cpu} | {vs} |")
    if _ok(ws):
        t = ws["trace"]
        print(f"\nWeighted combination of 6 float32 layers of {t['cells']:,} cells: `kernels.weighted_sum` "
              f"{t['weighted_sum_s']:.3f} s, streaming `kernels.accumulate` x6 {t['accumulate6_s']:.3f} s; floor "
              f"(numba, same reads/write, plain sum) {t['floor_kernel_s']:.3f} s; STREAM-like triad "
              f"{t['triad_bandwidth_GBps']:.1f} GB/s gives {t['floor_from_bandwidth_s']:.3f} s for 28 bytes per cell.")
    ft = R.get("first_touch")
    if ft:
        print(f"\nThis VM returns freed memory to its host: touching fresh memory costs {ft['cold_s_per_gb']:.2f} s/GB "
              f"(sys time) when it was free for a few seconds, {ft['warm_s_per_gb']:.2f} s/GB right after; "
              f"so a contender's sys time is mostly first-touch page faults, and its size varies from run to run.")
    print(f"\nPeak-memory budget: inputs in memory {R['inputs_in_memory_mb'] / 1024:.2f} GB (2 float32 + 5 uint8 layers) "
          f"+ two float32 grids = {R['memory_budget_mb'] / 1024:.2f} GB"
          + (f"; fixed overhead of a 256 x 256 run {R['kawasan_baseline']['peak_rss_mb'] / 1024:.2f} GB." if R.get("kawasan_baseline") else "."))
    print("\n| goal | target | measured | result |")
    print("|---|---|---|---|")
    for g in R["goals"]:
        res = "PASS" if g["pass"] else ("MISS" if g["pass"] is False else "n/a")
        print(f"| {g['goal']} | {g['target']} | {g['measured']} | {res} |")
    print(f"\nMachine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GiB RAM, Linux {m['kernel']}; "
          f"load at start `{R['load']['start'].split('load average:')[-1].strip()}`, at end "
          f"`{R['load']['end'].split('load average:')[-1].strip()}`. "
          f"Python {pv.get('python')}, numpy {pv.get('numpy')}, numba {pv.get('numba')}, rasterio {pv.get('rasterio')} "
          f"(GDAL {pv.get('gdal (rasterio)')}), opencv {pv.get('opencv')}; Debian {m['debian_gdal']}; "
          f"xarray-spatial {xv.get('xarray-spatial')} (Python {xv.get('python')}, numpy {xv.get('numpy')}, "
          f"rioxarray {xv.get('rioxarray')}); kawasan {pv.get('kawasan')} at {m['git_commit']}"
          f"{' (+ uncommitted changes)' if m['git_dirty_files'] else ''}.")


def _roles(argv) -> bool:
    if not argv or not argv[0].startswith("_"):
        return False
    role = argv[0]
    p = argparse.ArgumentParser(prog=f"pipeline.py {role}")
    for opt, kw in (("--size", dict(type=int)), ("--data", {}), ("--out", {}), ("--model", {}), ("--trace", {}),
                    ("--compress", dict(default="NONE")), ("--k", dict(type=int, default=3)), ("--dirs", {})):
        p.add_argument(opt, **kw)
    a = p.parse_args(argv[1:])
    {"_gen": role_gen, "_calib": role_calib, "_kawasan": role_kawasan, "_kernels": role_kernels, "_wsum": role_wsum, "_xrs": role_xrs,
     "_compare": role_compare}[role](a)
    return True


if __name__ == "__main__":
    if not _roles(sys.argv[1:]):
        sys.exit(main())
