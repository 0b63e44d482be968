"""The ``kawasan`` command group and the one mapping from errors to exit codes.

Exit codes: 0 success; 2 bad input (any InputError, or a usage error from click);
1 any other kawasan error. Errors are printed as one line on stderr ("Error: <file>:
field '<x>': <what was expected>"); with --json the same error is also printed on
stdout as a JSON object {"error", "message", "source", "field"}.
"""
from __future__ import annotations

import json

import click

from kawasan import __version__
from kawasan.errors import KawasanError
from kawasan.i18n import current_language, t


class KawasanGroup(click.Group):
    """A click group that turns KawasanError into a clear message and its exit code."""

    def invoke(self, ctx):
        argv = [*getattr(ctx, "_protected_args", []), *ctx.args]
        try:
            return super().invoke(ctx)
        except KawasanError as exc:
            lang = (ctx.obj or {}).get("lang", "en")
            click.echo(f"{t('error.prefix', lang)}: {exc}", err=True)
            if "--json" in argv:
                click.echo(json.dumps(exc.to_dict(), ensure_ascii=False))
            ctx.exit(exc.exit_code)


@click.group(cls=KawasanGroup)
@click.version_option(__version__, prog_name="kawasan")
@click.option("--lang", type=click.Choice(["en", "id"]), default=None,
              help="Language of messages (default: KAWASAN_LANG or en).")
@click.pass_context
def cli(ctx, lang):
    """kawasan: where an industrial estate can go, what stands in its way, which industries have potential."""
    ctx.ensure_object(dict)
    ctx.obj["lang"] = current_language(lang)


def _register():
    from kawasan.cli import (  # noqa: F401  (commands attach themselves)
        ahp, data, data_fetch, demo, economy, economy_potential, licensing, report, serve, sites, suitability,
    )


_register()


def main(argv=None):
    cli.main(args=argv, prog_name="kawasan")
