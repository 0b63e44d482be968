"""docs/reference/licensing-storage.md and docs/guide-licensing.md are checked against the code."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from kawasan.storage.models import Base

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT / "docs" / "reference" / "licensing-storage.md"
GUIDE = ROOT / "docs" / "guide-licensing.md"


def documented_tables() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    current = None
    for line in REF.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^### `([a-z_]+)`", line)
        if m:
            current = m.group(1)
            out[current] = set()
            continue
        if line.startswith("## "):
            current = None
        m = re.match(r"^\| `([a-z_0-9]+)` \|", line)
        if current and m:
            out[current].add(m.group(1))
    return out


def test_documented_tables_and_columns_match_the_models():
    docs = documented_tables()
    models = {name: {c.name for c in t.columns} for name, t in Base.metadata.tables.items()}
    assert set(docs) == set(models), f"tables: documented {sorted(docs)}, models {sorted(models)}"
    for name, cols in models.items():
        assert docs[name] == cols, f"{name}: documented {sorted(docs[name])}, model {sorted(cols)}"


def test_documented_event_kinds_are_the_ones_written():
    src = "".join(f.read_text(encoding="utf-8") for f in sorted((ROOT / "src" / "kawasan" / "tracker").glob("*.py")))
    written = set(re.findall(r'_event\([^,]+, "([a-z]+\.[a-z]+)"', src))
    written |= set(re.findall(r'kind(?:: str)? ?= ?"([a-z]+\.[a-z]+)"', src))
    text = REF.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z]+\.[a-z]+)` \|", text, flags=re.M))
    assert written and written == documented, (sorted(written), sorted(documented))


def test_documented_settings_are_the_ones_read():
    code = "".join((ROOT / "src" / "kawasan" / p).read_text(encoding="utf-8")
                   for p in ("storage/db.py", "cli/licensing.py"))
    read = set(re.findall(r'"(KAWASAN_[A-Z_]+)"', code))
    documented = set(re.findall(r"^\| `(KAWASAN_[A-Z_]+)` \|", REF.read_text(encoding="utf-8"), flags=re.M))
    assert read == documented, (sorted(read), sorted(documented))


def test_documented_roles_are_the_domain_roles():
    from kawasan.licensing import Role

    text = REF.read_text(encoding="utf-8")
    section = text.split("## Roles", 1)[1].split("##", 1)[0]
    assert set(re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.M)) == {r.value for r in Role}


@pytest.mark.parametrize("page", [REF, GUIDE])
def test_links_resolve(page):
    for link in re.findall(r"\]\(([^)#]+)", page.read_text(encoding="utf-8")):
        if not link.startswith("http"):
            assert (page.parent / link).resolve().exists(), f"{page.name}: broken link {link}"


# The guide itself runs, command by command, in tests/test_docs_run.py (the refused commands are marked
# <!-- expect-exit: 2 --> in the guide).
