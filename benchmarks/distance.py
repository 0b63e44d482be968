#!/usr/bin/env python3
"""Bounded distances: OpenCV's exact EDT on a grown window vs kawasan.spatial.edt on the core only.

For the three distance criteria of benchmarks/pipeline.py (roads 5 km, rivers 3 km, settlements 10 km at 30 m)
on its generated inputs (``_work/data-SIZE``, written by ``pipeline.py _gen``), times in one process:

* **chunk**: one CHUNK x CHUNK chunk inside the grid (its window grown by the reach, as
  ``chunked.window.WindowStore.distance`` grows it): ``cv2.distanceTransform(DIST_L2, DIST_MASK_PRECISE)``
  on the grown window, scaled, clamped, and the core cut out (the path before branch ``edt``) vs
  ``edt.bounded_distance`` on the grown mask for the core only;
* **whole**: the whole SIZE x SIZE grid, OpenCV vs ``edt.bounded_distance`` with the grid as its core.

Each figure is the median of ``--repeat`` runs (JIT compilation excluded): wall seconds and CPU seconds
(user + system of the process, all threads), and the ratio OpenCV / edt. Both give the same float32 values;
the script checks it on every measured case (with ``--threads 1`` OpenCV runs Intel IPP's transform, up to
1 ulp off in the root, 2 after the scaling: then the difference is shown, not an error).

Usage: PYTHONPATH=src .venv/bin/python benchmarks/distance.py [--size 10000 --chunk 2048 --repeat 5 --threads 2]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import machine  # noqa: E402
import pipeline  # noqa: E402  (its DIST table and RES: the criteria measured here)


def opencv_core(grown, inner, cell, max_distance):
    """The path before branch edt: OpenCV's EDT on the whole grown window, scaled, clamped, core cut out."""
    import cv2
    import numpy as np

    np.bitwise_xor(grown, 1, out=grown)     # OpenCV measures to zero cells; flipped in place, as before
    d = cv2.distanceTransform(grown, cv2.DIST_L2, cv2.DIST_MASK_PRECISE, dstType=cv2.CV_32F)
    np.bitwise_xor(grown, 1, out=grown)
    np.multiply(d, np.float32(cell), out=d)
    np.minimum(d, np.float32(max_distance), out=d)
    return np.ascontiguousarray(d[inner])


def edt_core(grown, inner, cell, max_distance):
    """kawasan.spatial.edt: the same distances, computed for the core only."""
    import numpy as np

    from kawasan.spatial.edt import bounded_distance

    out = np.empty((inner[0].stop - inner[0].start, inner[1].stop - inner[1].start), np.float32)
    return bounded_distance(grown, inner, cell, max_distance, out)


def timed(fn, repeat):
    """(median wall s, median CPU s, last result) of ``repeat`` calls of ``fn``."""
    walls, cpus, res = [], [], None
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        res = fn()
        cpus.append(time.process_time() - c)
        walls.append(time.perf_counter() - w)
    return statistics.median(walls), statistics.median(cpus), res


def grown_window(mask, row, col, size, reach):
    """The chunk (row, col, size) grown by ``reach`` cells (clipped at the grid) and where the chunk lies in it."""
    import numpy as np

    h, w = mask.shape
    r0, c0 = max(0, row - reach), max(0, col - reach)
    r1, c1 = min(h, row + size + reach), min(w, col + size + reach)
    grown = np.ascontiguousarray(mask[r0:r1, c0:c1])
    return grown, (slice(row - r0, row - r0 + size), slice(col - c0, col - c0 + size))


def compare(label, grown, inner, cell, maxd, repeat):
    """One table row: both kernels on the same case, checked equal."""
    import numpy as np

    edt_core(grown[:8, :8].copy(), (slice(0, 8), slice(0, 8)), cell, maxd)   # JIT compile outside the timing
    cw, cc, a = timed(lambda: opencv_core(grown, inner, cell, maxd), repeat)
    ew, ec, b = timed(lambda: edt_core(grown, inner, cell, maxd), repeat)
    same = np.array_equal(a, b)
    ulps = int(np.abs(a.view(np.int32).astype(np.int64) - b.view(np.int32)).max())
    verdict = "yes" if same else f"NO: {ulps} ulp"
    print(f"| {label} | {grown.shape[0]} x {grown.shape[1]} | {cw:.3f} | {cc:.3f} | {ew:.3f} | {ec:.3f} | "
          f"{cw / ew:.2f} | {cc / ec:.2f} | {verdict} |", flush=True)
    return same


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=10000, help="grid of benchmarks/pipeline.py (_work/data-SIZE)")
    ap.add_argument("--chunk", type=int, default=2048, help="chunk side in cells (the chunked engine's default)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per figure (median)")
    ap.add_argument("--threads", type=int, default=2, help="OpenCV and numba threads")
    ap.add_argument("--skip-whole", action="store_true", help="time the chunks only")
    a = ap.parse_args(argv)

    import cv2
    import numba
    import rasterio

    from kawasan.spatial.edt import reach_of

    cv2.setNumThreads(a.threads)
    numba.set_num_threads(a.threads)
    data = HERE / "_work" / f"data-{a.size}"
    print(f"machine: {machine.describe()}; threads {a.threads}; repeat {a.repeat}; {time.strftime('%H:%M:%S')}")
    print("| case | window | OpenCV wall s | OpenCV CPU s | edt wall s | edt CPU s | wall ratio | CPU ratio | equal |")
    print("|---|---|---|---|---|---|---|---|---|")
    ok = True
    row = col = (a.size // 2) // a.chunk * a.chunk        # an interior chunk: a full halo on every side
    for cid, (layer, maxd) in pipeline.DIST.items():
        with rasterio.open(data / f"{layer}.tif") as ds:
            mask = (ds.read(1) != 0).view("uint8")
        reach = reach_of(maxd, pipeline.RES)
        grown, inner = grown_window(mask, row, col, a.chunk, reach)
        ok &= compare(f"{cid} {maxd / 1000:g} km, chunk {a.chunk}", grown, inner, pipeline.RES, maxd, a.repeat)
        if not a.skip_whole:
            whole = (slice(0, a.size), slice(0, a.size))
            ok &= compare(f"{cid} {maxd / 1000:g} km, whole grid", mask, whole, pipeline.RES, maxd, a.repeat)
    if not ok and a.threads == 1:
        print("OpenCV with one thread runs Intel IPP's transform, whose square root can be 1 ulp off (2 after "
              "the scaling by the cell size; tests/test_distance_kernel.py); with 2 threads it runs its own code.")
        return 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
