"""Analysis jobs: the state of suitability runs and study-area preparations in the database.

The web app records a job (:meth:`JobService.submit`), hands its id to the task queue
(:mod:`kawasan.jobs`), and reads its state back on every page view, so a reload or a second browser
sees the same progress. The worker process moves it along::

    queued ──start──▶ running ──finish──▶ finished
      │                 ├──fail────────▶ failed
      │                 ├──(cancel asked, seen at the next progress step)──▶ cancelled
      │                 └──(its process gone: a restart)──▶ interrupted
      └──cancel──▶ cancelled

Who may start or cancel a job: every signed-in role except ``viewer`` (a viewer can look, not run).
A job's outputs are written atomically by the domain code (run folders, prepared study areas), so a
job that stops part-way leaves nothing that looks finished.
"""
from __future__ import annotations

import os
import socket

from sqlalchemy import select

from kawasan.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from kawasan.storage.models import Job, User
from kawasan.tracker.base import TrackerBase, _now, _utc
from kawasan.i18n import LANGUAGES, Message

JOB_KINDS = ("suitability", "prepare")
STATES = ("queued", "running", "finished", "failed", "cancelled", "interrupted")
ACTIVE = ("queued", "running")
RUNNERS = ("administrator", "coordinator", "agency_officer")  # every role but viewer


class JobCancelled(Exception):
    """Raised inside a running job when its cancellation was asked (caught by the worker)."""


def this_worker() -> str:
    """``host:pid`` of the current process."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(worker: str | None) -> bool:
    """Whether the process ``host:pid`` still runs; a process on another host is assumed alive."""
    if not worker or ":" not in worker:
        return False
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return not _zombie(int(pid))


def _zombie(pid: int) -> bool:
    """A killed worker whose parent died too stays a zombie until init reaps it: dead, though kill(pid, 0)
    still finds it (Linux: state ``Z`` in /proc/PID/stat; elsewhere assumed not)."""
    try:
        stat = open(f"/proc/{pid}/stat", encoding="ascii", errors="replace").read()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def job_dict(j: Job, creator: str | None = None) -> dict:
    """The JSON shape of a job (API, pages, CLI)."""
    return {"id": j.id, "kind": j.kind, "title": j.title, "status": j.status, "progress": round(j.progress, 4),
            "step": j.step, "cancel_requested": bool(j.cancel_requested), "params": j.params, "result": j.result,
            "error": j.error, "created_at": _utc(j.created_at), "started_at": _utc(j.started_at),
            "finished_at": _utc(j.finished_at), "created_by": creator}


class JobService(TrackerBase):
    """Use cases of analysis jobs; the only code besides the project service that uses the database."""

    # ------------------------------------------------------------------ by people

    def submit(self, kind: str, title: str, params: dict, *, actor: str | None = None) -> dict:
        """Record a queued job; the caller enqueues its id. Refused for a viewer."""
        if kind not in JOB_KINDS:
            raise InputError(Message("tracker.err.jobs.unknown_job_kind_expected", kind=kind,
                                     kinds=', '.join(JOB_KINDS)), field="kind")
        with self._write() as s:
            user = self._actor(s, actor)
            self._require_runner(user)
            job = Job(kind=kind, title=title[:255], params=params, status="queued", progress=0.0,
                      cancel_requested=False, created_at=_now(), created_by=user.id)
            s.add(job)
            s.flush()
            return job_dict(job, user.username)

    def set_queue_id(self, job_id: int, queue_id: str) -> None:
        with self._write() as s:
            self._job(s, job_id).queue_id = queue_id

    def cancel(self, job_id: int, *, actor: str | None = None) -> dict:
        """Cancel a queued job at once; ask a running one to stop at its next progress step."""
        with self._write() as s:
            user = self._actor(s, actor)
            self._require_runner(user)
            job = self._job(s, job_id)
            if job.status == "queued":
                job.status, job.finished_at, job.step = "cancelled", _now(), None
            elif job.status == "running":
                job.cancel_requested = True
            else:
                raise ConflictError(Message("tracker.err.jobs.job_only_queued_running", job_id=job_id,
                                            status=job.status),
                                    field="status")
            return job_dict(job, user.username)

    def get(self, job_id: int) -> dict:
        with self._read() as s:
            job = self._job(s, job_id)
            return job_dict(job, self._creator(s, job))

    def list(self, *, kind: str | None = None, limit: int = 50) -> list[dict]:
        """The latest jobs, newest first."""
        with self._read() as s:
            q = select(Job).order_by(Job.id.desc()).limit(limit)
            if kind:
                q = q.where(Job.kind == kind)
            return [job_dict(j, self._creator(s, j)) for j in s.scalars(q)]

    # ------------------------------------------------------------------ by the worker

    def start(self, job_id: int, worker: str | None = None) -> dict | None:
        """Mark a queued job running in this process; None when it was cancelled (or already taken) meanwhile."""
        with self._write() as s:
            job = self._job(s, job_id)
            if job.status != "queued":
                return None
            job.status, job.started_at, job.worker, job.step = "running", _now(), worker or this_worker(), None
            return job_dict(job)

    def progress(self, job_id: int, fraction: float, step: str | None = None) -> bool:
        """Record progress (0..1); returns True when cancellation was asked."""
        with self._write() as s:
            job = self._job(s, job_id)
            if job.status == "running":
                job.progress = max(0.0, min(1.0, float(fraction)))
                job.step = (step or "")[:255] or None
            return bool(job.cancel_requested)

    def finish(self, job_id: int, result: dict) -> None:
        self._end(job_id, "finished", result=result, progress=1.0)

    def fail(self, job_id: int, error: str, result: dict | None = None) -> None:
        self._end(job_id, "failed", error=error, result=result)

    def cancelled(self, job_id: int) -> None:
        self._end(job_id, "cancelled")

    def mark_interrupted(self) -> list[int]:
        """Running jobs whose worker process is gone become ``interrupted`` (a server or worker restart)."""
        with self._write() as s:
            gone = [j for j in s.scalars(select(Job).where(Job.status == "running")) if not _alive(j.worker)]
            for j in gone:
                j.status, j.finished_at = "interrupted", _now()
                why = Message("tracker.err.jobs.worker_stopped", worker=j.worker)
                j.error = str(why)
                j.result = {**(j.result or {}), "error_text": {lang: why.text(lang) for lang in LANGUAGES}}
            return [j.id for j in gone]

    def running_count(self) -> int:
        with self._read() as s:
            return len(s.scalars(select(Job.id).where(Job.status == "running")).all())

    # ------------------------------------------------------------------ plumbing

    def _end(self, job_id: int, status: str, *, result: dict | None = None, error: str | None = None,
             progress: float | None = None) -> None:
        with self._write() as s:
            job = self._job(s, job_id)
            if job.status != "running":
                return  # interrupted or cancelled meanwhile: the first final state stays
            job.status, job.finished_at = status, _now()
            if result is not None:
                job.result = result
            if error is not None:
                job.error = error
            if progress is not None:
                job.progress = progress

    @staticmethod
    def _job(s, job_id: int) -> Job:
        job = s.get(Job, int(job_id))
        if job is None:
            raise NotFoundError(Message("tracker.err.jobs.no_job", job_id=job_id), source="jobs", field="job")
        return job

    @staticmethod
    def _creator(s, job: Job) -> str | None:
        if job.created_by is None:
            return None
        user = s.get(User, job.created_by)
        return user.username if user else None

    @staticmethod
    def _require_runner(user: User) -> None:
        if user.role not in RUNNERS:
            raise PermissionDeniedError(Message("tracker.err.jobs.user_may_start_cancel", username=user.username,
                                                role=user.role), field="role")


__all__ = ["JobService", "JobCancelled", "JOB_KINDS", "STATES", "ACTIVE", "RUNNERS", "this_worker", "job_dict"]
