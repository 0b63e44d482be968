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
@click.option("--warm-up/--no-warm-up", "warm", default=None,
              help="Before taking jobs, each job process does a tiny job's work (imports, numba's cached kernels, "
                   "GDAL) so the first real job is as fast as the next; default KAWASAN_WORKER_WARMUP or on.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run the jobs' suitability runs and site extraction in chunks on this Dask scheduler "
                   "(tcp://host:8786; or threads, processes); default KAWASAN_SCHEDULER, else in the job process.")
def worker(jobs, queue, warm, scheduler):
    """Run analysis jobs from the queue until interrupted (Ctrl+C). Uses KAWASAN_DATABASE_URL like the web app."""
    run_worker(jobs, queue, warm=warm, scheduler=scheduler)


def run_worker(jobs: int, queue: str | None, *, quiet: bool = False, warm: bool | None = None,
               scheduler: str | None = None) -> None:
    """Mark the jobs of stopped processes interrupted, then consume the queue with ``jobs`` processes (each
    warmed up first unless ``warm`` is False; their runs on the Dask ``scheduler`` when one is given)."""
    import os

    from kawasan.jobs import warmup
    from kawasan.jobs.queue import make_huey, ping, queue_spec
    from kawasan.jobs.runners import SCHEDULER_ENV, job_scheduler
    from kawasan.tracker.jobs import JobService

    spec = queue_spec(queue)
    if scheduler is not None:
        os.environ[SCHEDULER_ENV] = scheduler  # the job processes read it (and a bad value is refused here)
    job_scheduler(check=True)
    warm = warmup.enabled(warm)
    huey = make_huey(spec)
    ping(huey)
    if warm:
        huey.on_startup(name="kawasan.warm_up")(warmup.warm_up_quietly)  # in each job process, before its jobs
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
