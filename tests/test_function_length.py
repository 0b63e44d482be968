"""The modules restructured into named steps stay that way: no function longer than MAX_LINES.

WHY: ``write_synthetic_pbf`` grew to 566 lines of nested closures before it was split into one method per
feature family; the generators of Kabupaten Contoh and the economics report had 70-150-line functions. Each
was split into small functions named after what they draw or write (with identical output). This test keeps
these modules so: a new step gets its own function, with a docstring saying what it does and why.
Other modules are not checked here (their owners split them on their own schedule).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "kawasan"
MAX_LINES = 60
MODULES = [
    "sampledata/osm_fixture.py",
    "sampledata/contoh.py",
    "sampledata/layout.py",
    "sampledata/network.py",
    "sampledata/agency_fixture.py",
    "reports/economics.py",
    "reports/econcharts.py",
    "spatial/engine.py",
    "spatial/edt.py",
    "spatial/rasters.py",
    "spatial/api.py",
    "spatial/runs/folder.py",
    "spatial/chunked/engine.py",
    "spatial/chunked/outputs.py",
    "spatial/ingest/fetch_http.py",
    "economics/readiness.py",
    "economics/readers.py",
    "economics/potential.py",
    "licensing/csvimport.py",
    "licensing/forecast.py",
    "economics/indicators/shiftshare.py",
    "economics/indicators/klassen.py",
    "spatial/ahp.py",
    "licensing/whatif.py",
    "tracker/backup.py",
    "tracker/service.py",
    "spatial/sites/check.py",
    "spatial/sites/explain.py",
    "spatial/sites/sensitivity.py",
    "spatial/ingest/fetch.py",
    "spatial/ingest/osm_sea.py",
    "spatial/ingest/osm_mapping.py",
    "spatial/ingest/agency.py",
    "spatial/ingest/osm.py",
    "web/app.py",
]


def long_functions(source: str, limit: int) -> list[tuple[str, int, int]]:
    """(name, first line, length) of every function or method longer than ``limit`` lines (docstring included)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > limit:
                out.append((node.name, node.lineno, length))
    return out


@pytest.mark.parametrize("module", MODULES)
def test_no_function_over_the_limit(module):
    found = long_functions((SRC / module).read_text(encoding="utf-8"), MAX_LINES)
    assert not found, f"{module}: over {MAX_LINES} lines (name, line, length): {found}; split them into named steps"


def test_the_check_finds_a_long_function():
    body = "\n".join(f"        x{i} = {i}" for i in range(MAX_LINES))
    source = f"def short():\n    return 1\n\n\nclass A:\n    def long(self):\n{body}\n"
    assert long_functions(source, MAX_LINES) == [("long", 6, MAX_LINES + 1)]
