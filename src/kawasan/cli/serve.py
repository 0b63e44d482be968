"""kawasan serve: the web app (licensing tracker in the browser and its JSON API) with uvicorn."""
from __future__ import annotations

import os
from pathlib import Path

import click

from kawasan.cli.joboptions import data_option, queue_option, scheduler_option, use_data_dir, warm_up_option
from kawasan.cli.language import command_language
from kawasan.cli.main import cli
from kawasan.i18n import Message, t


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface; put a reverse proxy with HTTPS in front).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (several need PostgreSQL: KAWASAN_DATABASE_URL=postgresql+psycopg://...).")
@click.option("--today", default=None, metavar="YYYY-MM-DD",
              help="Evaluate clocks and forecasts as of this date (demo, training); default the system date.")
@data_option
@click.option("--jobs", "jobs", type=click.IntRange(0, 64), default=1, show_default=True,
              help="Analysis jobs run at once by a worker process started with the server (0: none; run "
                   "'kawasan worker' elsewhere).")
@queue_option
@click.option("--economics", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder of the regional-potential table set (tableset.yaml, or the East Java example layout "
                   "of ../shared/data); default KAWASAN_ECONOMICS_DIR.")
@scheduler_option
@warm_up_option
def serve(host, port, workers, today, data_dir, jobs, queue, economics, scheduler, warm):
    """Serve the web app on KAWASAN_DATABASE_URL (default: the SQLite file in the data folder)."""
    if economics is not None:
        from kawasan.economics.tableset import TableSet

        TableSet.from_dir(economics)  # a wrong folder is refused before the server starts
        os.environ["KAWASAN_ECONOMICS_DIR"] = str(Path(economics).resolve())  # the web workers read it
    run_server(host, port, workers, today=today, data_dir=data_dir, jobs=jobs, queue=queue, scheduler=scheduler,
               warm=warm)


def run_server(host: str, port: int, workers: int = 1, *, today: str | None = None, quiet: bool = False,
               data_dir: Path | None = None, jobs: int = 1, queue: str | None = None, scheduler: str | None = None,
               warm: bool | None = None) -> None:
    """Migrate the database, start the job worker (``jobs`` > 0), then run uvicorn with ``workers`` processes
    until interrupted; the job worker stops with it (its running jobs are marked interrupted on the next start)."""

    from kawasan.jobs.queue import queue_spec
    from kawasan.tracker import Settings, upgrade_database
    from kawasan.web.asgi import today_from_env
    from kawasan.web.settings import WebSettings

    use_data_dir(data_dir)  # the web and job worker processes read it
    WebSettings.from_env()  # a bad setting is refused before the server starts

    queue = queue_spec(queue)  # a malformed queue is refused before anything starts
    from kawasan.jobs import warmup
    from kawasan.jobs.runners import job_scheduler

    if scheduler is not None:
        os.environ["KAWASAN_SCHEDULER"] = scheduler  # the job worker reads it
    job_scheduler(check=True)  # a malformed or silent scheduler is refused before anything starts
    if warm is not None:
        os.environ["KAWASAN_WORKER_WARMUP"] = "1" if warm else "0"  # the job worker reads it
    warmup.enabled()  # a malformed KAWASAN_WORKER_WARMUP is refused before anything starts

    if today:
        from datetime import date

        from kawasan.errors import InputError

        try:
            date.fromisoformat(today)
        except ValueError:
            raise InputError(Message("cli.err.serve.expected_date_yyyy_mm", today=today), field="--today") from None
        os.environ["KAWASAN_TODAY"] = today  # the worker processes read it
    today_from_env()  # a malformed KAWASAN_TODAY is refused before the server starts
    settings = Settings.from_env()
    before, after, url = upgrade_database(settings)
    lang = command_language()
    if workers > 1 and settings.database_url.startswith("sqlite"):
        click.echo(t("serve.sqlite_workers", lang), err=True)
    if not quiet:
        click.echo(t("serve.listening", lang, url=f"http://{host}:{port}/", db=url, workers=workers))
    os.environ["KAWASAN_QUEUE"] = queue  # the web workers enqueue on the same queue
    worker = start_job_worker(jobs, os.environ["KAWASAN_QUEUE"]) if jobs > 0 else None
    if worker is not None and not quiet:
        from kawasan.cli.worker import _safe

        click.echo(t("jobs.serve_worker", lang, jobs=jobs, queue=_safe(os.environ["KAWASAN_QUEUE"])))
    try:
        _uvicorn(host, port, workers)
    finally:
        if worker is not None:
            stop_job_worker(worker)


def start_job_worker(jobs: int, queue: str):
    """``kawasan worker --jobs N --queue Q`` as a child process (the server's own environment)."""
    import subprocess
    import sys

    from kawasan.jobs.queue import make_huey, ping

    ping(make_huey(queue))  # an unreachable Redis is refused before anything starts
    code = "import sys; from kawasan.cli.main import main; main(sys.argv[1:])"
    return subprocess.Popen([sys.executable, "-c", code, "worker", "--jobs", str(jobs), "--queue", queue])


def stop_job_worker(proc, timeout: float = 10.0) -> None:
    """Stop the worker child: SIGTERM (huey stops at once), then kill after ``timeout`` seconds."""
    import subprocess

    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _uvicorn(host: str, port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run("kawasan.web.asgi:create", factory=True, host=host, port=port, workers=workers,
                proxy_headers=True, forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
                log_level="info", server_header=False)
