"""kawasan db verify|backup|restore|gc: checks and copies of the licensing record.

Thin commands over :class:`kawasan.tracker.ProjectService` (``db upgrade`` and ``db refresh-forecasts`` are in
:mod:`kawasan.cli.licensing`, which defines the ``db`` group and imports this module).
"""
from __future__ import annotations

from pathlib import Path

import click

from kawasan.cli.licensing import _as_option, _emit, _json_option, _lang, _service, db_group
from kawasan.i18n import format_number, t, text_in


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
            click.echo(t("record.problem", lang, check=p["check"], message=text_in(p["message"], lang)))
        click.echo(t("record.verify_ok" if res["ok"] else "record.verify_broken", lang, problems=len(res["problems"])))
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
    click.echo(t("record.gc_dry" if dry_run else "record.gc_done", lang, removed=res["removed"],
                 size=format_bytes(res["bytes"], lang), kept=res["kept"]))


@db_group.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
@_as_option
@_json_option
def db_backup(file, overwrite, actor, as_json):
    """Write the whole licensing record (every table but sign-in sessions, and the bytes of every document) to
    FILE, a portable, checksummed archive that 'kawasan db restore' loads into SQLite or PostgreSQL.
    Administrators only: it holds password hashes."""
    res = _service().backup(file, actor=actor, overwrite=overwrite)
    if as_json:
        _emit(res)
    else:
        click.echo(t("record.backup_done", _lang(), file=res["file"], size=format_bytes(res["bytes"], _lang()),
                     events=res["tables"]["events"], documents=res["documents"], sha=res["sha256"]))


@db_group.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True,
              help="Discard the record the database holds and load FILE instead (default: only an empty database).")
@_as_option
@_json_option
def db_restore(file, replace, actor, as_json):
    """Load a backup archive written by 'kawasan db backup' into the configured database. Every checksum and the
    event chains are checked first; all rows are written in one transaction, so a failure changes nothing.
    Run 'kawasan db verify' afterwards."""
    res = _service().restore(file, actor=actor, replace=replace)
    if as_json:
        _emit(res)
    else:
        click.echo(t("record.restore_done", _lang(), file=res["file"], url=res["database"],
                     events=res["tables"]["events"], documents=res["documents"]))


@db_group.command("grant")
@click.argument("role")
@_json_option
def db_grant(role, as_json):
    """Give the PostgreSQL login ROLE what the application needs, and on the event log only SELECT and INSERT.
    Run it as the owner of the database after 'kawasan db upgrade'; then the web app and the CLI connect as ROLE
    (see docs/deployment.md)."""
    done = _service().grant_app_role(role)
    if as_json:
        _emit({"role": role, "statements": done})
    else:
        for stmt in done:
            click.echo(f"  {stmt}")
        click.echo(t("record.granted", _lang(), role=role, statements=len(done)))
