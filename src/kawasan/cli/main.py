"""The ``kawasan`` command group and the one mapping from errors to exit codes.

Exit codes: 0 success; 2 bad input (any InputError, or a usage error from click);
1 any other kawasan error. Errors are printed as one line on stderr ("Error: <file>:
field '<x>': <what was expected>"; "Kesalahan: ..." with ``--lang id``); with --json the
same error is also printed on stdout as a JSON object {"error", "message", "source", "field"}
(the message in English, for scripts).

Every command, its help and click's own messages follow the language of ``--lang`` (or
``KAWASAN_LANG``): see :mod:`kawasan.cli.language`.

Commands are loaded lazily: the module of a command is imported only when that command runs (or
when a listing such as ``kawasan --help`` needs them all), so ``kawasan project ...`` does not import
the spatial engine (numba, rasterio, OpenCV). :data:`COMMAND_MODULES` says which module defines which
top-level command; ``tests/test_cli_lazy.py`` checks it against the modules and the import costs.
"""
from __future__ import annotations

import importlib
import json

import click

from kawasan import __version__
from kawasan.cli.language import LocalizedGroup, argv_language, ctx_language, localized
from kawasan.errors import KawasanError
from kawasan.i18n import current_language, t


#: top-level command -> the modules under kawasan.cli that define it and its subcommands
COMMAND_MODULES: dict[str, tuple[str, ...]] = {
    "agency": ("licensing",), "calendar": ("licensing",), "db": ("licensing",), "project": ("licensing",),
    "stage": ("licensing",), "template": ("licensing",), "user": ("licensing",),
    "ahp": ("ahp",), "data": ("data", "data_fetch"), "demo": ("demo",), "economy": ("economy", "economy_potential"),
    "report": ("report",), "serve": ("serve",), "sites": ("sites",), "suitability": ("suitability",),
    "worker": ("worker",), "screen": ("screen",),
}


class LazyCommands(dict):
    """The command table of the root group: a command's modules are imported on first look-up; iterating
    (a listing, ``--help``, the docs generator) imports them all."""

    def _load(self, name: str | None = None) -> None:
        names = COMMAND_MODULES if name is None else ((name,) if name in COMMAND_MODULES else ())
        for n in names:
            if not dict.__contains__(self, n):
                for module in COMMAND_MODULES[n]:
                    importlib.import_module(f"kawasan.cli.{module}")

    def get(self, name, default=None):
        self._load(name)
        return dict.get(self, name, default)

    def __getitem__(self, name):
        self._load(name)
        return dict.__getitem__(self, name)

    def __contains__(self, name):
        self._load(name)
        return dict.__contains__(self, name)

    def __iter__(self):
        self._load()
        return dict.__iter__(self)

    def __len__(self):
        self._load()
        return dict.__len__(self)

    def keys(self):
        self._load()
        return dict.keys(self)

    def items(self):
        self._load()
        return dict.items(self)

    def values(self):
        self._load()
        return dict.values(self)


class KawasanGroup(LocalizedGroup):
    """The root group: a KawasanError becomes a clear message and its exit code, click's errors are shown in
    the user's language."""

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.ClickException as exc:
            raise localized(exc, argv_language(args)) from exc

    def invoke(self, ctx):
        argv = [*getattr(ctx, "_protected_args", []), *ctx.args]
        lang = ctx_language(ctx)
        try:
            return super().invoke(ctx)
        except KawasanError as exc:
            lang = ctx_language(ctx)
            click.echo(f"{t('error.prefix', lang)}: {exc.text(lang)}", err=True)
            if "--json" in argv:
                click.echo(json.dumps(exc.to_dict(), ensure_ascii=False))
            ctx.exit(exc.exit_code)
        except click.ClickException as exc:
            raise localized(exc, ctx_language(ctx)) from exc
        except (click.exceptions.Abort, KeyboardInterrupt, EOFError):
            if lang == "en":
                raise
            click.echo(err=True)
            click.echo(t("cli.aborted", lang), err=True)
            ctx.exit(1)


def _set_language(ctx, _param, value):
    """--lang is eager: ``kawasan --lang id --help`` is already Indonesian."""
    ctx.ensure_object(dict)
    ctx.obj["lang"] = current_language(value)
    return value


@click.group(cls=KawasanGroup)
@click.version_option(__version__, prog_name="kawasan")
@click.option("--lang", type=click.Choice(["en", "id"]), default=None, is_eager=True, callback=_set_language,
              help="Language of messages (default: KAWASAN_LANG or en).")
@click.pass_context
def cli(ctx, lang):
    """kawasan: where an industrial estate can go, what stands in its way, which industries have potential."""
    ctx.ensure_object(dict)
    ctx.obj["lang"] = current_language(lang)


cli.commands = LazyCommands(cli.commands)   # the root only: subgroups are plain groups of one module


def main(argv=None):
    cli.main(args=argv, prog_name="kawasan")
