"""Commands the program prints paste and run (issue 11, item 4), even from a folder with spaces."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from kawasan.cli.demo import next_commands
from kawasan.cli.output import shell_quote

VENV_BIN = Path(sys.executable).parent


def _bash(line: str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAWASAN_")}
    env.update(PATH=f"{VENV_BIN}{os.pathsep}{env['PATH']}", KAWASAN_HOME=str(home))
    return subprocess.run(["bash", "-c", line], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_shell_quote_round_trips_awkward_paths(tmp_path):
    parts = ["kawasan", "a b/c d", "it's", "$HOME", "x;y", ""]
    r = _bash("printf '%s\\n' " + shell_quote(*parts[1:]), tmp_path, tmp_path / "h")
    assert r.stdout.split("\n")[:-1] == parts[1:]


def test_demo_next_commands_run_from_a_folder_with_spaces(demo_dir, tmp_path):
    folder = tmp_path / "my demo (copy)"
    shutil.copytree(demo_dir, folder)
    cmds = next_commands(folder, folder / "licensing" / "kawasan.db", 1)
    assert len(cmds) == 3 and all('"' in c or "'" in c for c in cmds), cmds
    for line in cmds:
        r = _bash(line, tmp_path, tmp_path / "home")
        assert r.returncode == 0, f"{line}\n{r.stdout}\n{r.stderr}"
    assert (folder / "runs" / "apht" / "report-id.html").exists()


def test_demo_prints_the_next_commands(demo_dir):
    text = (demo_dir.parent / "demo-output.txt").read_text()
    assert "source .venv/bin/activate" in text and "kawasan sites rank" in text and "kawasan project show 1" in text
