"""kawasan serve: the web app (licensing tracker in the browser and its JSON API) with uvicorn."""
from __future__ import annotations

import os
from pathlib import Path

import click

from kawasan.cli.main import cli
from kawasan.i18n import t


def _lang() -> str:
    ctx = click.get_current_context(silent=True)
    return ((ctx.find_root().obj or {}).get("lang", "en")) if ctx else "en"


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface; put a reverse proxy with HTTPS in front).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (several need PostgreSQL: KAWASAN_DATABASE_URL=postgresql+psycopg://...).")
@click.option("--today", default=None, metavar="YYYY-MM-DD",
              help="Evaluate clocks and forecasts as of this date (demo, training); default the system date.")
@click.option("--data", "data_dir", default=None, metavar="DIR",
              type=click.Path(path_type=Path, exists=True, file_okay=False),
              help="Data folder whose study areas and suitability runs the map pages show (default: "
                   "KAWASAN_DATA_DIR, else none).")
def serve(host, port, workers, today, data_dir):
    """Serve the web app on KAWASAN_DATABASE_URL (default: the SQLite file in the data folder)."""
    run_server(host, port, workers, today=today, data_dir=data_dir)


def run_server(host: str, port: int, workers: int = 1, *, today: str | None = None, quiet: bool = False,
               data_dir: Path | None = None) -> None:
    """Migrate the database, then run uvicorn with ``workers`` processes until interrupted."""
    import uvicorn

    from kawasan.tracker import Settings, upgrade_database
    from kawasan.web.asgi import today_from_env
    from kawasan.web.settings import WebSettings

    if data_dir is not None:
        os.environ["KAWASAN_DATA_DIR"] = str(Path(data_dir).resolve())  # the worker processes read it
    WebSettings.from_env()  # a bad setting is refused before the server starts

    if today:
        from datetime import date

        from kawasan.errors import InputError

        try:
            date.fromisoformat(today)
        except ValueError:
            raise InputError(f"expected a date YYYY-MM-DD, got {today!r}", field="--today") from None
        os.environ["KAWASAN_TODAY"] = today  # the worker processes read it
    today_from_env()  # a malformed KAWASAN_TODAY is refused before the server starts
    settings = Settings.from_env()
    before, after, url = upgrade_database(settings)
    lang = _lang()
    if workers > 1 and settings.database_url.startswith("sqlite"):
        click.echo(t("serve.sqlite_workers", lang), err=True)
    if not quiet:
        click.echo(t("serve.listening", lang, url=f"http://{host}:{port}/", db=url, workers=workers))
    uvicorn.run("kawasan.web.asgi:create", factory=True, host=host, port=port, workers=workers,
                proxy_headers=True, forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
                log_level="info", server_header=False)
