"""Where the chunks run: in this process (threads), on a local Dask cluster (processes) or on a running one.

* ``threads`` (the default): one process, no Dask: a thread of this process runs the chunks one after another and each
  chunk's kernels use every core (numba's parallel loops and OpenCV run their own threads: numba's threading
  layer is not made for concurrent callers, so chunks are not run side by side in one process). Starting a
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
        yield _in_process, options.workers or os.cpu_count() or 1
        return
    with _dask_executor(options, sched) as pair:
        yield pair


def _in_process(fn, jobs):
    """Run ``fn`` on each job in one thread of this process, one after another; yield each result as it
    finishes (a job's result is not kept once yielded, so memory holds one chunk in transit)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kawasan-chunk") as pool:
        pending = iter(jobs)
        fut = next((pool.submit(fn, job) for job in pending), None)
        while fut is not None:
            nxt = next((pool.submit(fn, job) for job in pending), None)   # the next chunk starts at once
            res, fut = fut.result(), nxt
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
