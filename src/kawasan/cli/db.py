"""kawasan db verify|backup|restore|gc: checks and copies of the licensing record.

Thin commands over :class:`kawasan.tracker.ProjectService` (``db upgrade`` and ``db refresh-forecasts`` are in
:mod:`kawasan.cli.licensing`, which defines the ``db`` group and imports this module).
"""
from __future__ import annotations

import click

from kawasan.cli.licensing import _as_option, _emit, _json_option, _lang, _service, db_group
from kawasan.i18n import format_number, t


def format_bytes(n: int, lang: str) -> str:
    """A size in MB with two decimals, written for the language."""
    return f"{format_number(n / 1048576, ',.2f', lang)} MB"


@db_group.command("verify")
@click.option("--no-bytes", "no_bytes", is_flag=True,
              help="Check that every stored document exists but do not read it to compare its SHA-256 (faster).")
@_json_option
def db_verify(no_bytes, as_json):
    """Check the licensing record: the append-only triggers, the hash chain of every project's events, every
    stage against a replay of its events, and every document against its event and its stored bytes.
    Exit 0 when sound, 1 with the first broken link when not."""
    res = _service().verify_record(read_bytes=not no_bytes)
    lang = _lang()
    if as_json:
        _emit(res)
    else:
        click.echo(t("record.verify_summary", lang, url=res["database"], events=res["events"],
                     chains=len(res["chains"]), stages=res["stages"], documents=res["documents"]))
        for p in res["problems"]:
            click.echo(t("record.problem", lang, check=p["check"], message=p["message"]))
        click.echo(t("record.verify_ok" if res["ok"] else "record.verify_broken", lang, n=len(res["problems"])))
    if not res["ok"]:
        click.get_current_context().exit(1)


@db_group.command("gc")
@click.option("--dry-run", "dry_run", is_flag=True, help="List what would be removed; remove nothing.")
@_as_option
@_json_option
def db_gc(dry_run, actor, as_json):
    """Remove stored document files that no document refers to (left by a failed or killed attach) and
    temporary files of interrupted uploads older than an hour. Referenced files are never touched; attaches
    wait while it runs. Administrators only."""
    res = _service().collect_garbage(actor=actor, dry_run=dry_run)
    if as_json:
        _emit(res)
        return
    lang = _lang()
    for f in res["files"]:
        click.echo(f"  {f}")
    click.echo(t("record.gc_dry" if dry_run else "record.gc_done", lang, n=res["removed"],
                 size=format_bytes(res["bytes"], lang), kept=res["kept"]))
