"""Regenerate docs/reference/cli.md from the click commands (tests/test_docs.py checks it is current).

Usage: .venv/bin/python scripts/gen_cli_docs.py
"""
from __future__ import annotations

from pathlib import Path

import click

from kawasan.cli.main import cli

OUT = Path(__file__).resolve().parents[1] / "docs" / "reference" / "cli.md"


def walk(cmd: click.Command, path: list[str]):
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name in sorted(cmd.commands):
            yield from walk(cmd.commands[name], path + [name])


def render() -> str:
    parts = ["# CLI reference\n",
             "Generated from the code by `scripts/gen_cli_docs.py`; `tests/test_docs.py` fails when it is stale.\n",
             "Exit codes: 0 success; 2 bad input (the message names the file, field or value and what was "
             "expected; with `--json` the error is also printed as `{\"error\", \"message\", \"source\", \"field\"}`); "
             "1 other errors.\n"]
    for path, cmd in walk(cli, ["kawasan"]):
        with click.Context(cmd, info_name=" ".join(path)) as ctx:
            help_text = cmd.get_help(ctx)
        parts.append(f"## `{' '.join(path)}`\n\n```text\n{help_text}\n```\n")
    return "\n".join(parts)


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
