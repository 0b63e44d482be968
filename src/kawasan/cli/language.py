"""The command line in the user's language: ``--help``, usage lines and click's own messages.

English help stays where it is written, in each command's docstring and ``help=`` text. The Indonesian
lives in the catalogue ``kawasan/locales/id.help.json``, keyed by command path and option name::

    "help.kawasan sites extract"              the command's help
    "help.kawasan sites extract --min-class"  the help of one option (its longest name)

``en.help.json`` holds, under the same keys, the English each Indonesian text was translated from, so a
changed English text shows up as stale (tests/test_help_i18n.py walks every command and option and names
the keys to add or update; ``scripts/gen_help_catalogue.py`` writes the English file from the code).

Click's own words (Usage, Options, Commands, "Show this message and exit.", "[default: ...]") and its
usage errors ("Missing option '--data'.", "'x' is not one of ...") come from the catalogue too
(``*.cli.json``). English output is click's own, unchanged.
"""
from __future__ import annotations

import inspect
import re
from functools import lru_cache

import click
from click.utils import _make_default_short_help

from kawasan.i18n import catalogue, current_language, t, text_in

HELP = "help."
ROOT_NAME = "kawasan"


# ------------------------------------------------------------------------------------------ language
def ctx_language(ctx: click.Context | None) -> str:
    """The language of a command line: the root's ``--lang`` once parsed, else KAWASAN_LANG, else English."""
    if ctx is not None:
        root = ctx.find_root()
        lang = (root.obj or {}).get("lang") if isinstance(root.obj, dict) else None
        lang = lang or root.params.get("lang")
        if lang:
            return current_language(lang)
    return current_language(None)


def command_language() -> str:
    """The language of the running command: the root's ``--lang`` as the ``cli`` group stored it, English
    outside a command (unlike :func:`ctx_language`, KAWASAN_LANG is not read again)."""
    ctx = click.get_current_context(silent=True)
    return ((ctx.find_root().obj or {}).get("lang", "en")) if ctx else "en"


def argv_language(args) -> str:
    """The language asked for on a command line that click has not parsed (``--lang id`` / ``--lang=id``)."""
    args = list(args or [])
    for i, a in enumerate(args):
        if a == "--lang" and i + 1 < len(args):
            return current_language(args[i + 1])
        if a.startswith("--lang="):
            return current_language(a.split("=", 1)[1])
    return current_language(None)


# ------------------------------------------------------------------------------------------ help keys
def command_path(ctx: click.Context) -> str:
    """``kawasan sites extract``, whatever the program was called (a test runner names it 'cli')."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name or ctx.command.name)
        ctx = ctx.parent
    return " ".join([ROOT_NAME, *reversed(names)])


def option_name(param: click.Parameter) -> str:
    """The name an option is known by in the help catalogue: its longest flag (``--draws`` for ``-n/--draws``)."""
    return max(param.opts, key=len)


def help_key(path: str, param: click.Parameter | None = None) -> str:
    return f"{HELP}{path}" + (f" {option_name(param)}" if param is not None else "")


def english_help(cmd: click.Command) -> str:
    """A command's English help as written (up to a form feed), without the docstring's indentation."""
    return inspect.cleandoc(cmd.help or "").partition("\f")[0]


def _translated(key: str, english: str, lang: str) -> str:
    """The catalogue's text of ``key`` in ``lang`` when it was translated from this very English; else English."""
    if lang == "en" or not english:
        return english
    if catalogue("en").get(key) != english:    # missing, or translated from an older English: stale
        return english
    return catalogue(lang).get(key) or english


# ------------------------------------------------------------------------------------------ commands
class LocalizedCommand(click.Command):
    """A click command whose help, usage line and option texts follow the user's language."""

    def _lang(self, ctx) -> str:
        return ctx_language(ctx)

    def help_text(self, ctx) -> str:
        return _translated(help_key(command_path(ctx)), english_help(self), self._lang(ctx))

    def get_short_help_str(self, limit: int = 45) -> str:
        ctx = click.get_current_context(silent=True)
        lang = ctx_language(ctx)
        if lang == "en" or self.short_help or ctx is None:
            return super().get_short_help_str(limit)
        path = f"{command_path(ctx)} {self.name}"
        text = _translated(help_key(path), english_help(self), lang)
        return _make_default_short_help(text, limit).strip() if text else ""

    def format_usage(self, ctx, formatter) -> None:
        lang = self._lang(ctx)
        if lang == "en":
            return super().format_usage(ctx, formatter)
        pieces = self.collect_usage_pieces(ctx)
        if self.options_metavar and pieces and pieces[0] == self.options_metavar:
            pieces[0] = t("cli.options_metavar", lang)
        sub = getattr(self, "subcommand_metavar", None)
        if sub and pieces and pieces[-1] == sub:
            pieces[-1] = t("cli.subcommand_metavar", lang)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=t("cli.usage", lang) + " ")

    def format_help_text(self, ctx, formatter) -> None:
        if self._lang(ctx) == "en":
            return super().format_help_text(ctx, formatter)
        text = self.help_text(ctx)
        if text:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(text)

    def format_options(self, ctx, formatter) -> None:
        lang = self._lang(ctx)
        if lang == "en":
            return super().format_options(ctx, formatter)
        rows = [r for r in (self._help_record(p, ctx, lang) for p in self.get_params(ctx)
                            if not isinstance(p, click.Argument)) if r is not None]
        if rows:
            with formatter.section(t("cli.options", lang)):
                formatter.write_dl(rows)

    def _help_record(self, param: click.Option, ctx, lang: str):
        """(names, help) of one option in ``lang``: its catalogue text and click's extras ([default: ...])."""
        if param.hidden or param.get_help_record(ctx) is None:
            return None
        if param.name in ("_click_default_help", "help") and param.is_flag and not param.expose_value:
            text = t("cli.help_option", lang)
        elif param.name == "version" and param.is_flag and not param.expose_value:
            text = t("cli.version_option", lang)
        else:
            text = _translated(help_key(command_path(ctx), param), param.help or "", lang)
        extra = param.get_help_extra(ctx)
        items = []
        if "envvars" in extra:
            items.append(t("cli.extra.envvar", lang, var=", ".join(extra["envvars"])))
        if "default" in extra:
            items.append(t("cli.extra.default", lang, default=extra["default"]))
        if "range" in extra:
            items.append(extra["range"])
        if "required" in extra:
            items.append(t("cli.extra.required", lang))
        if items:
            joined = "; ".join(items)
            text = f"{text}  [{joined}]" if text else f"[{joined}]"
        return param.get_help_spec(ctx), text


class LocalizedGroup(LocalizedCommand, click.Group):
    """A click group with the same language rules; its subcommands and subgroups are made localized too."""

    command_class = LocalizedCommand
    group_class = type          # subgroups: this same class

    def format_options(self, ctx, formatter) -> None:
        LocalizedCommand.format_options(self, ctx, formatter)
        if self._lang(ctx) != "en":      # click's Group.format_options (English) lists the commands itself
            self.format_commands(ctx, formatter)

    def format_commands(self, ctx, formatter) -> None:
        lang = self._lang(ctx)
        if lang == "en":
            return super().format_commands(ctx, formatter)
        commands = [(n, c) for n in self.list_commands(ctx)
                    if (c := self.get_command(ctx, n)) is not None and not c.hidden]
        if not commands:
            return
        limit = formatter.width - 6 - max(len(n) for n, _ in commands)
        rows = []
        for name, cmd in commands:
            key = help_key(f"{command_path(ctx)} {name}")
            text = _translated(key, english_help(cmd), lang) if not cmd.short_help else cmd.short_help
            rows.append((name, _make_default_short_help(text, limit).strip() if text else ""))
        with formatter.section(t("cli.commands", lang)):
            formatter.write_dl(rows)


# ------------------------------------------------------------------------------------------ usage errors
@lru_cache(maxsize=None)
def _click_templates() -> list[tuple[re.Pattern, str]]:
    """click's own inner messages (``cli.click.*``): the English as a pattern, with the key of its translation."""
    out = []
    for key, english in sorted(catalogue("en").items()):
        if not key.startswith("cli.click."):
            continue
        parts = re.split(r"\{(\w+)\}", english)
        rx = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        out.append((len("".join(parts[::2])), re.compile(rx + r"\Z", re.S), key))
    return [(rx, key) for _, rx, key in sorted(out, key=lambda x: -x[0])]   # the most specific first


def inner_message(message, lang: str) -> str:
    """A message inside a usage error in ``lang``: a :class:`kawasan.i18n.Message` in its language, click's own
    words by their catalogue pattern; anything else as it is."""
    if lang == "en" or message is None:
        return "" if message is None else str(message)
    if isinstance(message, str) and hasattr(message, "text"):
        return text_in(message, lang)
    message = str(message)
    for rx, key in _click_templates():
        m = rx.match(message)
        if m:
            return t(key, lang, **m.groupdict())
    return message


def _hint(exc) -> str:
    if exc.param_hint is not None:
        hint = exc.param_hint
    elif exc.param is not None:
        hint = exc.param.get_error_hint(exc.ctx)
    else:
        return ""
    return " / ".join(repr(x) for x in hint) if not isinstance(hint, str) else hint


def usage_message(exc: click.ClickException, lang: str) -> str:
    """The message of a click error in ``lang``."""
    if isinstance(exc, click.MissingParameter):
        kind = exc.param_type or (exc.param.param_type_name if exc.param is not None else "parameter")
        msg = t(f"cli.missing.{kind if kind in ('option', 'argument') else 'parameter'}", lang, hint=_hint(exc))
        return msg + (f" {inner_message(exc.message, lang)}" if exc.message else "")
    if isinstance(exc, click.NoSuchOption):
        msg = t("cli.no_such_option", lang, name=exc.option_name)
        return msg + (" " + t("cli.did_you_mean", lang, names=", ".join(sorted(exc.possibilities)))
                      if exc.possibilities else "")
    if isinstance(exc, click.BadParameter):
        hint = _hint(exc)
        text = inner_message(exc.message, lang)
        return t("cli.invalid_value_for", lang, hint=hint, message=text) if hint else \
            t("cli.invalid_value", lang, message=text)
    if type(exc).__name__ == "NoSuchCommand":
        name = getattr(exc, "command_name", None) or exc.message
        msg = t("cli.no_such_command", lang, name=repr(name) if getattr(exc, "command_name", None) else name)
        poss = getattr(exc, "possibilities", None)
        return msg + (" " + t("cli.did_you_mean", lang, names=", ".join(sorted(poss))) if poss else "")
    return inner_message(exc.message, lang)


def show_error(exc: click.ClickException, lang: str) -> None:
    """What click prints for an error, in ``lang``: the usage line and the help hint, then the message."""
    if lang == "en":
        exc.show()
        return
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, click.UsageError) and ctx is not None:
        lines = [ctx.get_usage()]
        if ctx.command.get_help_option(ctx) is not None:
            names = ctx.command.get_help_option_names(ctx)
            lines.append(t("cli.try_help", lang, command=ctx.command_path, option=max(names, key=len)))
        click.echo("\n".join(lines) + "\n", err=True, color=ctx.color)
    click.echo(f"{t('error.prefix', lang)}: {usage_message(exc, lang)}", err=True)


class LocalizedError(click.ClickException):
    """A click error shown in the user's language (click's ``main`` calls ``show`` and exits with its code)."""

    def __init__(self, original: click.ClickException, lang: str):
        super().__init__(original.message)
        self.exit_code = original.exit_code
        self.original, self.lang = original, lang

    def show(self, file=None) -> None:
        show_error(self.original, self.lang)


def localized(exc: click.ClickException, lang: str) -> click.ClickException:
    """``exc`` as it is in English or when already localized, else wrapped to be shown in ``lang``."""
    return exc if lang == "en" or isinstance(exc, LocalizedError) else LocalizedError(exc, lang)
