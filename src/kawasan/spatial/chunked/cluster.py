"""Where the chunks run: a local Dask cluster (threads or processes) or a running one at an address.

* ``threads``: one process; chunks run one after another and each chunk's kernels use every core (numba's
  parallel loops and OpenCV run their own threads: numba's threading layer is not made for concurrent
  callers, so chunks are not run side by side in one process);
* ``processes`` (the default): a ``distributed.LocalCluster`` of ``workers`` processes (default: one per
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
    from distributed import Client, LocalCluster, as_completed

    options.check()
    cores = os.cpu_count() or 1
    sched = options.scheduler or "processes"
    for name in ("distributed", "distributed.worker", "distributed.scheduler", "distributed.nanny"):
        logging.getLogger(name).setLevel(logging.ERROR)
    cluster = None
    if sched == "threads":
        cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0")
        threads = options.workers or cores
    elif sched == "processes":
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
            def run_all(fn, jobs):
                futures = client.map(fn, jobs, pure=False)
                try:
                    for fut in as_completed(futures):
                        res = fut.result()
                        fut.release()
                        yield res
                finally:
                    client.cancel(futures)

            yield run_all, threads
    finally:
        if cluster is not None:
            cluster.close()
