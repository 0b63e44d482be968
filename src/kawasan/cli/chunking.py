"""The options shared by the commands that can run chunked on Dask (--scheduler, --workers, --chunks)."""
from __future__ import annotations

import click


def chunk_options(fn):
    """Add --scheduler, --workers and --chunks to a command (see kawasan.spatial.chunked)."""
    fn = click.option("--chunks", type=click.IntRange(1, 1_000_000), default=None, metavar="N",
                      help="Cells per chunk side: run the chunked path (out of core, on Dask) even on a grid that "
                           "fits in memory; the results are the same.")(fn)
    fn = click.option("--workers", type=click.IntRange(1, 1024), default=None, metavar="N",
                      help="Worker processes (processes) or kernel threads (threads); default: one per core.")(fn)
    fn = click.option("--scheduler", default=None, metavar="threads|processes|ADDRESS",
                      help="Run in chunks on Dask: local threads, local worker processes, or a running Dask "
                           "scheduler's address (tcp://host:8786). Without it a grid too large for memory runs on "
                           "local threads by itself.")(fn)
    return fn
