"""Issue 14, defect 8: a tracker command does not import the spatial engine (lazy command loading).

``kawasan project ...`` used to import every command module, hence numba, rasterio and OpenCV, for 1.4-1.6 s
and 295 MB; the root group now imports a command's module on first use (kawasan.cli.main.COMMAND_MODULES).
Time and memory before/after are in docs/performance.md ("CLI start-up", benchmarks/cli_startup.py).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kawasan.cli.main import COMMAND_MODULES, cli

HEAVY = ("numba", "rasterio", "cv2", "geopandas", "pyogrio", "osmium", "kawasan.spatial.engine")
PROBE = """
import json, sys
from kawasan.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
finally:
    sys.stderr.write("MODULES " + json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r}
                                                   or m == 'kawasan.spatial.engine')) + "\\n")
"""


def _modules_after(args, tmp_path) -> list[str]:
    env = {**os.environ, "KAWASAN_HOME": str(tmp_path / "home")}
    env.pop("KAWASAN_DATABASE_URL", None)
    top = {h for h in HEAVY if not h.startswith("kawasan")}
    res = subprocess.run([sys.executable, "-c", PROBE.format(heavy=top), *args], env=env, capture_output=True,
                         text=True, timeout=120)
    line = next(ln for ln in res.stderr.splitlines() if ln.startswith("MODULES "))
    return json.loads(line[len("MODULES "):])


@pytest.mark.parametrize("args", [["project", "list"], ["template", "list"], ["user", "list"], ["calendar", "--help"]])
def test_tracker_commands_do_not_import_the_spatial_engine(tmp_path, args):
    assert _modules_after(args, tmp_path) == []


def test_a_spatial_command_still_loads_its_engine(tmp_path):
    assert "numba" in _modules_after(["suitability", "presets"], tmp_path)


def test_every_command_comes_from_the_module_the_table_names():
    names = list(cli.commands)            # iterating loads every module
    assert sorted(names) == sorted(COMMAND_MODULES)
    for name in names:
        module = cli.commands[name].callback.__module__ if cli.commands[name].callback else None
        assert module is None or module.rsplit(".", 1)[-1] in COMMAND_MODULES[name], (name, module)
