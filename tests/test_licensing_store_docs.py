"""docs/reference/licensing-storage.md and docs/guide-licensing.md are checked against the code."""
from __future__ import annotations

import json
import re
import shlex
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


def guide_commands() -> list[tuple[list[str], bool]]:
    """(argv after 'kawasan', whether the guide says it is refused) for every command line of the guide."""
    text = GUIDE.read_text(encoding="utf-8")
    out = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        for line in block.splitlines():
            line = line.strip()
            if not line.startswith("kawasan "):
                continue
            code, _, comment = line.partition("#")
            out.append((shlex.split(code)[1:], "refused" in comment))
    return out


def test_the_guide_runs_as_written(runner, tmp_path, monkeypatch):
    """Every command of the guide, in order, on a fresh embedded database: success, or exit 2 where refused."""
    from kawasan.cli.main import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KAWASAN_DATABASE_URL", f"sqlite:///{tmp_path / 'home' / 'kawasan.db'}")
    for var in ("KAWASAN_USER", "KAWASAN_FILES_DIR", "KAWASAN_MAX_UPLOAD_MB"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "pkkpr.pdf").write_bytes(b"%PDF-1.4\n% synthetic example\n%%EOF\n")
    (tmp_path / "rencana.csv").write_text("id,name,agency,duration_days,requires\nS1,Survey,BAPPEDA,10,\n"
                                          "S2,KKPR,DPMPTSP,25,S1\nS3,Building approval,DPMPTSP,40,S1;S2\n")
    cmds = guide_commands()
    assert len(cmds) >= 25
    for argv, refused in cmds:
        if "--runs" not in argv and argv[:2] in (["project", "forecast"], ["project", "whatif"]):
            argv = [*argv, "--runs", "500"]
        r = runner.invoke(cli, argv)
        if refused:
            assert r.exit_code == 2, f"kawasan {' '.join(argv)} should be refused:\n{r.output}"
        else:
            assert r.exit_code == 0, f"kawasan {' '.join(argv)} failed:\n{r.output}"
    # the guide's story does not depend on today's date: its what-if (as of a stated day) saves days
    whatif = next(a for a, refused in cmds if a[:2] == ["project", "whatif"] and "--resolve" in a and not refused)
    assert "--today" in whatif
    r = runner.invoke(cli, [*whatif, "--runs", "500", "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["days_saved"] > 0, r.output
    # the general-estate project of section 10 expanded its land stage into the PP 19/2021 stages
    state = json.loads(runner.invoke(cli, ["project", "show", "3", "--json"]).output)
    assert {o["key"]: o["value"] for o in state["options"]}["land"] == "public_interest"
    assert {"G4c", "G4f", "G4j"} <= {s["id"] for s in state["stages"]}
