"""kawasan report: one self-contained HTML report of a suitability run (optionally also a PDF)."""
from __future__ import annotations

from pathlib import Path

import click

from kawasan.cli.main import cli
from kawasan.i18n import t


@cli.command("report")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--lang", "report_lang", type=click.Choice(["en", "id"]), default=None,
              help="Language of the report (default: the global --lang, KAWASAN_LANG or en).")
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="HTML file to write (default: RUN_DIR/report-<lang>.html).")
@click.option("--pdf", is_flag=True, help="Also write a PDF next to the HTML (needs WeasyPrint installed).")
@click.pass_context
def report_cmd(ctx, run_dir, report_lang, out, pdf):
    """Write a self-contained HTML report of the run in RUN_DIR: maps, criteria and weights, candidate sites,
    stress test, the legal basis of every rule and the run manifest. It needs no network to open."""
    from kawasan.reports.builder import write_report

    lang = report_lang or (ctx.obj or {}).get("lang", "en")
    path = write_report(run_dir, out=out, lang=lang, pdf=pdf)
    click.echo(t("report.written", lang, path=path))
    if pdf:
        click.echo(t("report.pdf_written", lang, path=path.with_suffix(".pdf")))
