"""kawasan serve and kawasan worker take the job options (--data, --queue, --scheduler, --warm-up) from one
place: same names, defaults, metavars and help in both commands."""
from __future__ import annotations

import click
import pytest

from kawasan.cli.main import cli

SHARED = ("data_dir", "queue", "scheduler", "warm")


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
    assert names["worker"] == ["data_dir", "jobs", "queue", "warm", "scheduler"]


@pytest.mark.parametrize("lang, words", [("en", "does not exist"), ("id", "tidak ada")])
def test_worker_refuses_a_data_folder_that_is_not_there(runner, tmp_path, lang, words):
    missing, a_file = tmp_path / "nowhere", tmp_path / "file.txt"
    a_file.write_text("x")
    for bad in (missing, a_file):
        r = runner.invoke(cli, ["--lang", lang, "worker", "--data", str(bad)])
        assert r.exit_code == 2 and "--data" in r.output and "Traceback" not in r.output, r.output
    assert words in runner.invoke(cli, ["--lang", lang, "worker", "--data", str(missing)]).output


def test_worker_data_option_sets_the_data_folder_its_job_processes_read(runner, tmp_path, monkeypatch):
    """``kawasan worker --data DIR``, as ``kawasan serve --data DIR``: KAWASAN_DATA_DIR (absolute) for the job
    processes, over the one in the environment; without it the environment's stays."""
    from kawasan.jobs import folders
    from kawasan.jobs import queue as q

    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KAWASAN_DATA_DIR", str(tmp_path / "from-env"))
    real = q.make_huey

    def no_consumer(spec=None, **kw):   # the worker is configured but takes no job
        h = real(spec, **kw)
        monkeypatch.setattr(h, "create_consumer", lambda **k: type("C", (), {"run": lambda self: None})())
        return h
    monkeypatch.setattr(q, "make_huey", no_consumer)
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    queue = f"sqlite:///{tmp_path / 'q.db'}"
    r = runner.invoke(cli, ["worker", "--no-warm-up", "--queue", queue])
    assert r.exit_code == 0, r.output
    assert folders.data_dir() == tmp_path / "from-env"
    r = runner.invoke(cli, ["worker", "--data", "data", "--no-warm-up", "--queue", queue])
    assert r.exit_code == 0, r.output
    assert folders.data_dir() == (tmp_path / "data").resolve()
