"""A progress display for long runs (rich), silent when stderr is not a terminal."""
from __future__ import annotations

from contextlib import contextmanager

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from kawasan.i18n import current_language, text_in


def _language() -> str:
    """The language of the running command (``--lang``, else KAWASAN_LANG)."""
    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    return (obj or {}).get("lang") or current_language()


@contextmanager
def progress_bar(description: str):
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda step, done, total: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as prog:
        task = prog.add_task(description, total=1)
        lang = _language()

        def update(step: str, done: int, total: int) -> None:
            prog.update(task, description=f"{description}: {text_in(step, lang)}", completed=done, total=total)

        yield update
