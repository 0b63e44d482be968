"""The layers stay apart: only the tracker (and storage itself) uses kawasan.storage; the web app never does."""
from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "kawasan"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{a.name}" for a in node.names}
    return names


def test_only_the_tracker_touches_storage():
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).parts
        if rel[0] in ("storage", "tracker"):
            continue
        if any(n == "kawasan.storage" or n.startswith("kawasan.storage.") for n in _imports(path)):
            offenders.append(str(path.relative_to(SRC)))
    assert not offenders, offenders


def test_the_domain_knows_nothing_of_the_web():
    for pkg in ("licensing", "spatial", "economics", "tracker"):
        for path in (SRC / pkg).rglob("*.py"):
            assert not any(n.startswith("kawasan.web") or n.startswith("fastapi") for n in _imports(path)), path
