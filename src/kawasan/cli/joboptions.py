"""The options of the two commands that run analysis jobs, written once.

==============  ===============================  ======================================================
option          used by                          what it sets
==============  ===============================  ======================================================
``--data``      ``kawasan serve``, ``worker``    the data folder analysis jobs read and write (``KAWASAN_DATA_DIR``)
``--queue``     ``kawasan serve``, ``worker``    the job queue (``KAWASAN_QUEUE``): sqlite or a Redis URL
``--scheduler`` ``kawasan serve``, ``worker``    the Dask scheduler of the jobs' runs (``KAWASAN_SCHEDULER``)
``--warm-up``   ``kawasan serve``, ``worker``    a tiny job in each job process first (``KAWASAN_WORKER_WARMUP``)
==============  ===============================  ======================================================

``--jobs`` stays with each command: the server's may be 0 (no worker of its own), the worker's may not. Each
decorator adds one option, so a command keeps its options in the order its ``--help`` shows them.
"""
from __future__ import annotations

import os
from pathlib import Path

import click

data_option = click.option(
    "--data", "data_dir", default=None, metavar="DIR",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    help="Data folder of the study areas and suitability runs: analysis jobs read and write them there, the "
         "map pages show them (default: KAWASAN_DATA_DIR, else KAWASAN_HOME/data).")

queue_option = click.option(
    "--queue", default=None, metavar="sqlite|redis://HOST:PORT/DB",
    help="The job queue: sqlite (a file in the data folder, the default) or a Redis URL; "
         "default KAWASAN_QUEUE or sqlite.")

scheduler_option = click.option(
    "--scheduler", default=None, metavar="ADDRESS",
    help="Run the analysis jobs' suitability runs and site extraction in chunks on this Dask scheduler "
         "(tcp://host:8786; or threads, processes); default KAWASAN_SCHEDULER, else in the job process.")

warm_up_option = click.option(
    "--warm-up/--no-warm-up", "warm", default=None,
    help="Before taking jobs, each job process does a tiny job's work (imports, numba's cached kernels, GDAL), "
         "so the first analysis is as fast as the next; default KAWASAN_WORKER_WARMUP or on.")


def use_data_dir(data_dir: Path | None) -> None:
    """Hand ``--data`` to the processes started from here (web and job processes read ``KAWASAN_DATA_DIR``,
    as an absolute path); without it they keep the environment's."""
    if data_dir is not None:
        os.environ["KAWASAN_DATA_DIR"] = str(Path(data_dir).resolve())
