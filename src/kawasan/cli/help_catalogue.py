"""Every ``--help`` text of the CLI by catalogue key, and what the Indonesian catalogue lacks.

Used by tests/test_help_i18n.py and scripts/gen_help_catalogue.py (see :mod:`kawasan.cli.language`).
"""
from __future__ import annotations

import json

import click

from kawasan.cli.language import english_help, help_key, option_name
from kawasan.i18n import catalogue

SKIP = ("_click_default_help", "help", "version")   # click's own options: their texts are in *.cli.json


def walk(cmd: click.Command, path: str = "kawasan"):
    """(path, command) of the root and every command below it, in a stable order."""
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.commands):
            yield from walk(cmd.commands[name], f"{path} {name}")


def help_texts(root: click.Command | None = None) -> dict[str, str]:
    """{key: English} for every command's help and every option's help that has one."""
    if root is None:
        from kawasan.cli.main import cli as root
    out: dict[str, str] = {}
    for path, cmd in walk(root):
        if english_help(cmd):
            out[help_key(path)] = english_help(cmd)
        for p in cmd.params:
            if isinstance(p, click.Option) and p.help and not (p.name in SKIP and not p.expose_value):
                out[help_key(path, p)] = p.help
    return out


def missing_or_stale(current: dict[str, str]) -> str:
    """What to add or update in en.help.json and id.help.json so that they match the code; "" when nothing."""
    en, idn = catalogue("en"), catalogue("id")
    missing = {k: v for k, v in current.items() if k not in en or not idn.get(k)}
    stale = {k: (en[k], v) for k, v in current.items() if k in en and idn.get(k) and en[k] != v}
    gone = sorted(k for k in en if k.startswith("help.") and k not in current)
    parts = []
    if missing:
        parts.append("Indonesian --help texts missing: add each key to src/kawasan/locales/en.help.json with the "
                     "English shown and to id.help.json with its Indonesian "
                     "(scripts/gen_help_catalogue.py writes the English file):\n"
                     + "\n".join(f"  {json.dumps(k, ensure_ascii=False)}: {json.dumps(v, ensure_ascii=False)}"
                                 for k, v in missing.items()))
    if stale:
        parts.append("English --help changed since it was translated: update the Indonesian in id.help.json, then "
                     "the English in en.help.json, for:\n"
                     + "\n".join(f"  {json.dumps(k, ensure_ascii=False)}\n    was: {old}\n    now: {new}"
                                 for k, (old, new) in stale.items()))
    if gone:
        parts.append("help keys of commands or options that no longer exist: remove them from en.help.json and "
                     "id.help.json:\n" + "\n".join(f"  {k}" for k in gone))
    return "\n\n".join(parts)
