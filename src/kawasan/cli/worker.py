"""kawasan worker: the process that runs analysis jobs (suitability runs, study-area preparations) from the queue."""
from __future__ import annotations

import click

from kawasan.cli.main import cli
from kawasan.i18n import t


def _lang() -> str:
    ctx = click.get_current_context(silent=True)
    return ((ctx.find_root().obj or {}).get("lang", "en")) if ctx else "en"


@cli.command("worker")
@click.option("--jobs", "jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Jobs run at once (one process each); the rest wait in the queue.")
@click.option("--queue", default=None, metavar="sqlite|redis://HOST:PORT/DB",
              help="The job queue: sqlite (a file in the data folder, the default) or a Redis URL; "
                   "default KAWASAN_QUEUE or sqlite.")
def worker(jobs, queue):
    """Run analysis jobs from the queue until interrupted (Ctrl+C). Uses KAWASAN_DATABASE_URL like the web app."""
    run_worker(jobs, queue)


def run_worker(jobs: int, queue: str | None, *, quiet: bool = False) -> None:
    """Mark the jobs of stopped processes interrupted, then consume the queue with ``jobs`` processes."""
    from kawasan.jobs.queue import make_huey, ping, queue_spec
    from kawasan.tracker.jobs import JobService

    spec = queue_spec(queue)
    huey = make_huey(spec)
    ping(huey)
    from kawasan.jobs.runners import sweep_interrupted

    svc = JobService()
    try:
        gone = sweep_interrupted(svc)
    finally:
        svc.close()
    lang = _lang()
    if gone and not quiet:
        click.echo(t("jobs.interrupted", lang, ids=", ".join(map(str, gone))))
    if not quiet:
        click.echo(t("jobs.worker_ready", lang, jobs=jobs, queue=_safe(spec)), err=False)
    from huey import crontab

    @huey.periodic_task(crontab(minute="*"), name="kawasan.mark_interrupted")
    def _sweep():  # a job process killed outright (out of memory) is found within a minute
        s = JobService()
        try:
            sweep_interrupted(s)
        finally:
            s.close()

    consumer = huey.create_consumer(workers=jobs, worker_type="process", periodic=True, check_worker_health=True)
    consumer.run()


def _safe(spec: str) -> str:
    """The queue spec without a password."""
    if "@" in spec and "://" in spec:
        scheme, rest = spec.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return spec
