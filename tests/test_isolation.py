"""The test session never writes outside its temporary folders (issue 11: a run left
~/.local/share/kawasan/kawasan.db behind)."""
from __future__ import annotations

import os
from pathlib import Path

from kawasan.cli.main import cli
from kawasan.storage.db import data_home


def test_the_data_home_is_a_temporary_folder(_isolated_home):
    assert data_home().resolve().is_relative_to(Path(_isolated_home).resolve())


def test_a_tracker_command_leaves_the_real_home_untouched(runner, _isolated_home):
    real = Path(os.path.expanduser("~")) / ".local" / "share" / "kawasan"
    existed = real.exists()
    before = sorted(p.name for p in real.iterdir()) if existed else None
    result = runner.invoke(cli, ["project", "list", "--json"])
    assert result.exit_code == 0, result.output
    assert (Path(_isolated_home) / "kawasan" / "kawasan.db").is_file()
    assert real.exists() == existed
    if existed:
        assert sorted(p.name for p in real.iterdir()) == before
