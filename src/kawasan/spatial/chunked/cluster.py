"""Where the chunks run: in this process (threads), on a local Dask cluster (processes) or on a running one.

* ``threads`` (the default): one process, no Dask. Where numba's threading layer takes concurrent callers
  (``omp`` or ``tbb``; numba picks one of them when it can load it) and ``workers`` is not given, one chunk
  per core runs side by side, each in its own thread with one kernel thread: the serial parts of a chunk
  (GDAL reads, burning, Python) no longer leave a core idle. Under numba's ``workqueue`` layer, which aborts
  on concurrent callers, or with ``workers`` (kernel threads per chunk), chunks run one after another and
  each chunk's kernels use ``workers`` (default: every) core. Starting a
  ``distributed.LocalCluster`` here (scheduler, worker, event loop, its sampling profiler and memory monitor)
  cost measurable CPU for nothing a single process needs (docs/performance.md, "Overheads cut"). It is the
  default because on one machine it measured faster than worker processes in CPU and in wall time: no
  process imports kawasan again and no chunk's grids travel between processes;
* ``processes``: a ``distributed.LocalCluster`` of ``workers`` processes (default: one per
  core), each running one chunk at a time with cores / workers kernel threads;
* ``ADDRESS`` (``tcp://host:8786``): a running ``dask-scheduler`` and its workers; every worker must have
  kawasan installed and see the study-area folder at the same path (shared storage).
"""
from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass

from kawasan.errors import InputError
from kawasan.i18n import Message


@dataclass
class ChunkOptions:
    """How a run is cut and where it runs (``kawasan suitability run --chunks --scheduler --workers``)."""

    chunks: int | None = None        # cells per chunk side (None: DEFAULT_CHUNK)
    scheduler: str | None = None     # "threads", "processes" or a scheduler address
    workers: int | None = None       # worker processes (processes) or kernel threads (threads)

    @property
    def requested(self) -> bool:
        """Whether the chunked path was asked for (``--chunks`` or ``--scheduler``)."""
        return self.chunks is not None or self.scheduler is not None

    def check(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise InputError(Message("chunked.err.workers_min", workers=self.workers), field="--workers")
        s = self.scheduler
        if s is not None and s not in ("threads", "processes") and "://" not in s and ":" not in s:
            raise InputError(Message("chunked.err.unknown_scheduler", scheduler=s), field="--scheduler")


@contextmanager
def open_executor(options: ChunkOptions):
    """Yield ``(run_all, threads)``: ``run_all(fn, jobs)`` yields ``fn(job)`` results as they finish;
    ``threads`` is how many kernel threads each chunk may use."""
    options.check()
    sched = options.scheduler or "threads"
    if sched == "threads":
        cores = os.cpu_count() or 1
        side = cores if options.workers is None and cores > 1 and concurrent_kernels() else 1
        yield (lambda fn, jobs: _in_process(fn, jobs, side)), (options.workers or cores) if side == 1 else 1
        return
    with _dask_executor(options, sched) as pair:
        yield pair


def concurrent_kernels() -> bool:
    """Whether numba's threading layer in use takes parallel kernels called from several threads at once
    (``omp``, ``tbb``; not ``workqueue``). A tiny parallel kernel is run first: the layer is chosen at the
    first parallel launch."""
    import numba
    import numpy as np

    from kawasan.spatial import kernels

    kernels.count_finite(np.zeros((1, 1), dtype=np.float32))
    return numba.threading_layer() in ("omp", "tbb")


def _in_process(fn, jobs, side: int = 1):
    """Run ``fn`` on each job in ``side`` threads of this process; yield each result as it finishes.

    At most ``side + 1`` jobs are submitted at a time (one waits, so a thread never idles) and a result is
    not kept once yielded: memory holds ``side`` chunks at work and one in transit. Results come in
    completion order; the coordinator's merge does not depend on it."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
    from itertools import islice

    with ThreadPoolExecutor(max_workers=side, thread_name_prefix="kawasan-chunk") as pool:
        pending = iter(jobs)
        running = {pool.submit(fn, job) for job in islice(pending, side + 1)}
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                running |= {pool.submit(fn, job) for job in islice(pending, 1)}
                res = fut.result()
                yield res
                del res


@contextmanager
def _dask_executor(options: ChunkOptions, sched: str):
    """A ``distributed`` client on a LocalCluster of worker processes or on a running scheduler."""
    from distributed import Client, LocalCluster

    cores = os.cpu_count() or 1
    for name in ("distributed", "distributed.worker", "distributed.scheduler", "distributed.nanny"):
        logging.getLogger(name).setLevel(logging.ERROR)
    cluster = None
    if sched == "processes":
        n = options.workers or cores
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0")
        threads = max(1, cores // n)
    else:
        threads = 1
    try:
        try:
            client = Client(cluster if cluster is not None else sched, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise InputError(Message("chunked.err.unreachable", scheduler=sched, error=str(exc)),
                             field="--scheduler") from exc
        with client:
            yield _client_run_all(client), threads
    finally:
        if cluster is not None:
            cluster.close()


def _client_run_all(client):
    from distributed import as_completed

    def run_all(fn, jobs):
        futures = client.map(fn, jobs, pure=False)
        try:
            for fut in as_completed(futures):
                res = fut.result()
                fut.release()
                yield res
        finally:
            client.cancel(futures)

    return run_all
