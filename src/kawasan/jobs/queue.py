"""The task queue (huey): one instance per queue spec, one registered task ``kawasan.run_job``.

Queue spec (``kawasan serve --queue``, ``kawasan worker --queue``, env ``KAWASAN_QUEUE``):

| spec | storage |
|---|---|
| ``sqlite`` (default) | huey's SQLite storage, the file ``<KAWASAN_HOME>/jobs-queue.db``: embedded, no server |
| ``sqlite:///PATH`` | the same in the file PATH |
| ``redis://HOST:PORT/DB`` | Redis (huey's ``RedisHuey``): web servers and workers on several machines |

The queue holds only job ids; everything else about a job is in the database (``jobs`` table), so the
web app and the workers must use the same ``KAWASAN_DATABASE_URL`` and the same queue.
"""
from __future__ import annotations

import os
from pathlib import Path

from kawasan.errors import InputError
from kawasan.i18n import Message

TASK_NAME = "kawasan.run_job"
QUEUE_NAME = "kawasan-jobs"


def queue_spec(spec: str | None = None) -> str:
    """The spec given, else ``KAWASAN_QUEUE``, else ``sqlite``; checked."""
    spec = (spec or os.environ.get("KAWASAN_QUEUE") or "sqlite").strip()
    if spec == "sqlite" or spec.startswith("sqlite:///") or spec.startswith(("redis://", "rediss://", "unix://")):
        return spec
    raise InputError(Message("jobs.err.queue.expected_sqlite_sqlite_path", spec=spec),
                     field="--queue")


def _sqlite_path(spec: str) -> Path:
    if spec == "sqlite":
        from kawasan.tracker import Settings

        return Settings.from_env().home / "jobs-queue.db"
    return Path(spec[len("sqlite:///"):]).expanduser()


def make_huey(spec: str | None = None, *, immediate: bool = False):
    """A huey instance on the queue ``spec`` with the job task registered."""
    from huey import RedisHuey, SqliteHuey

    spec = queue_spec(spec)
    if spec.startswith("sqlite"):
        path = _sqlite_path(spec)
        path.parent.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(QUEUE_NAME, filename=str(path), results=False, immediate=immediate)
    else:
        huey = RedisHuey(QUEUE_NAME, url=spec, results=False, immediate=immediate)
    huey.run_job_task = huey.task(name=TASK_NAME)(_run_job)
    return huey


def _run_job(job_id: int) -> None:
    from kawasan.jobs.runners import run_job

    run_job(job_id)


def enqueue(huey, job_id: int) -> str:
    """Put job ``job_id`` on the queue; returns huey's task id."""
    task = huey.run_job_task.s(int(job_id))
    huey.enqueue(task)
    return task.id


def ping(huey) -> None:
    """Refuse an unreachable queue (a Redis server down) with a clear error instead of a traceback."""
    try:
        huey.pending_count()
    except Exception as e:  # noqa: BLE001 - redis/sqlite errors of every kind mean the same to the user
        from kawasan.errors import StorageError

        raise StorageError(Message("jobs.err.queue.job_queue_reachable_start", error_type=type(e).__name__, detail=e),
                           source="queue") from None
