"""kawasan serve and kawasan worker take the job options (--queue, --scheduler, --warm-up) from one place:
same names, defaults, metavars and help in both commands."""
from __future__ import annotations

import click
import pytest

from kawasan.cli.main import cli

SHARED = ("queue", "scheduler", "warm")


def _option(command: str, name: str) -> click.Option:
    return next(p for p in cli.commands[command].params if isinstance(p, click.Option) and p.name == name)


@pytest.mark.parametrize("name", SHARED)
def test_serve_and_worker_take_the_job_option_alike(name):
    serve, worker = _option("serve", name), _option("worker", name)
    assert serve.opts == worker.opts and serve.secondary_opts == worker.secondary_opts
    assert (serve.default, serve.metavar, serve.help) == (worker.default, worker.metavar, worker.help)
    assert serve.help and "KAWASAN_" in serve.help          # the environment variable it stands for


def test_the_job_options_keep_their_place_in_each_commands_help():
    """One decorator per option: each command lists them where its --help (docs/reference/cli.md) does."""
    names = {c: [p.name for p in cli.commands[c].params if isinstance(p, click.Option)] for c in ("serve", "worker")}
    assert names["serve"][-5:] == ["jobs", "queue", "economics", "scheduler", "warm"]
    assert names["worker"] == ["jobs", "queue", "warm", "scheduler"]
