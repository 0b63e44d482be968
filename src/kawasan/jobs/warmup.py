"""Warm a job worker up when it starts, so the first analysis job does not pay for it.

A fresh worker process spends seconds before its first job can compute anything: importing the geospatial
stack (rasterio/GDAL, pyogrio, geopandas, scipy, xarray), loading numba's cached kernels into memory and
opening GDAL's drivers. :func:`warm_up` does exactly the work of a job, on a tiny study area: a suitability
run of the ``kawasan-industri`` preset with its criteria rasters, then the candidate sites, into a temporary
folder that is removed. The tiny study area (SYNTHETIC Kabupaten Contoh, 400 x 270 cells) is generated once
into ``<KAWASAN_HOME>/warm-up/area`` and reused by every later start.

``kawasan worker`` (and ``kawasan serve --jobs N``, which starts one) runs it in each job process as huey's
start-up hook, before the process takes a job; ``--no-warm-up`` or ``KAWASAN_WORKER_WARMUP=0`` skips it.
A failed warm-up is logged and ignored: the worker works, only its first job is slower.
"""
from __future__ import annotations

import fcntl
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

log = logging.getLogger("kawasan.jobs")
AREA_SIZE = (400, 270)  # cells; the smallest Kabupaten Contoh that has every layer (lakes, ports, ...)
PRESET = "kawasan-industri"
ENV = "KAWASAN_WORKER_WARMUP"


def enabled(flag: bool | None = None) -> bool:
    """The --warm-up/--no-warm-up flag when given, else ``KAWASAN_WORKER_WARMUP`` (default on)."""
    if flag is not None:
        return flag
    raw = (os.environ.get(ENV) or "1").strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    from kawasan.errors import InputError
    from kawasan.i18n import Message

    raise InputError(Message("jobs.err.warmup_flag", value=raw), source="environment", field=ENV)


def warm_up_area(home: Path) -> Path:
    """The tiny study area under ``home`` (generated once; a lock keeps parallel workers from racing)."""
    from kawasan.sampledata.contoh import build_study_area

    folder = Path(home) / "warm-up"
    folder.mkdir(parents=True, exist_ok=True)
    area = folder / "area"
    with open(folder / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (area / "manifest.json").is_file():
                build_study_area(area, seed=7, width=AREA_SIZE[0], height=AREA_SIZE[1])
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return area


def warm_up(home: Path | None = None) -> dict:
    """Run one tiny job's work in this process; returns the seconds of each step (imports, area, run, sites)."""
    t0 = time.perf_counter()
    from kawasan.spatial.api import run_suitability
    from kawasan.spatial.sites.service import extract_sites
    from kawasan.tracker import Settings

    t1 = time.perf_counter()
    area = warm_up_area(home or Settings.from_env().home)
    t2 = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="kawasan-warm-up-"))
    try:
        run_suitability(PRESET, area, tmp / "run", write_criteria=True)
        t3 = time.perf_counter()
        extract_sites(tmp / "run")
        t4 = time.perf_counter()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"imports": t1 - t0, "area": t2 - t1, "run": t3 - t2, "sites": t4 - t3, "total": t4 - t0}


def warm_up_quietly() -> None:
    """:func:`warm_up`, logged; never raises (the worker must start even if this fails)."""
    try:
        took = warm_up()
    except Exception:  # noqa: BLE001 - a warm-up is an optimisation; the first job will show any real problem
        log.exception("worker warm-up failed; the first job will be slower")
        return
    log.info("worker warmed up in %.1f s (%s)", took["total"],
             ", ".join(f"{k} {v:.1f} s" for k, v in took.items() if k != "total"))
    import sys

    from kawasan.i18n import current_language, t

    print(t("jobs.warmed_up", current_language(None), pid=os.getpid(), seconds=f"{took['total']:.1f}"),
          file=sys.stderr, flush=True)
