"""A progress display for long runs (rich), silent when stderr is not a terminal."""
from __future__ import annotations

from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def progress_bar(description: str):
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda step, done, total: None
        return
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as prog:
        task = prog.add_task(description, total=1)

        def update(step: str, done: int, total: int) -> None:
            prog.update(task, description=f"{description}: {step}", completed=done, total=total)

        yield update
