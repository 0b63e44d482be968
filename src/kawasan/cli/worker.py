"""kawasan worker: the process that runs analysis jobs (suitability runs, study-area preparations) from the queue."""
from __future__ import annotations

from pathlib import Path

import click

from kawasan.cli.joboptions import data_option, queue_option, scheduler_option, use_data_dir, warm_up_option
from kawasan.cli.language import command_language
from kawasan.cli.main import cli
from kawasan.i18n import t


@cli.command("worker")
@data_option
@click.option("--jobs", "jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Jobs run at once (one process each); the rest wait in the queue.")
@queue_option
@warm_up_option
@scheduler_option
def worker(data_dir, jobs, queue, warm, scheduler):
    """Run analysis jobs from the queue until interrupted (Ctrl+C). Uses KAWASAN_DATABASE_URL like the web app."""
    run_worker(jobs, queue, warm=warm, scheduler=scheduler, data_dir=data_dir)


def run_worker(jobs: int, queue: str | None, *, quiet: bool = False, warm: bool | None = None,
               scheduler: str | None = None, data_dir: Path | None = None) -> None:
    """Mark the jobs of stopped processes interrupted, then consume the queue with ``jobs`` processes (each
    warmed up first unless ``warm`` is False; their runs on the Dask ``scheduler`` when one is given; their
    study areas, runs and models in ``data_dir`` when one is given, else KAWASAN_DATA_DIR's)."""
    import os

    from kawasan.jobs import warmup
    from kawasan.jobs.queue import make_huey, ping, queue_spec
    from kawasan.jobs.runners import SCHEDULER_ENV, job_scheduler
    from kawasan.tracker.jobs import JobService

    use_data_dir(data_dir)  # the job processes read it
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
    lang = command_language()
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
    _stop_on_term_while_starting(consumer)
    consumer.run()


def _stop_on_term_while_starting(consumer) -> None:
    """SIGTERM (``kawasan serve`` stopping its worker, a service manager) while huey's consumer starts: set
    its stop flag, then exit normally. huey installs its own handlers only after forking its job processes;
    with the default action, a SIGTERM in between killed this process alone, and the job processes, which
    wait on that flag (a pipe they inherited), went on polling the queue as orphans. Set, the flag stops the
    processes forked so far and any forked after; the normal exit (status 128 + 15) waits for them."""
    import signal
    import sys

    def stop(signum, frame):
        consumer.stop_flag.set()
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _safe(spec: str) -> str:
    """The queue spec without a password."""
    if "@" in spec and "://" in spec:
        scheme, rest = spec.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return spec
