"""Executable documentation (issue 11, item 13): the README's Use section and every guide run as written.

The rules and markers are in tests/docs_harness.py and, for doc writers, docs/design.md
("Executable documentation"). Folded in here: the licensing guide's run (each command in order, the
refused ones exit 2) from test_licensing_store_docs.py and the "every command a guide shows exists"
check from test_docs.py (kept for blocks that cannot run).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import docs_harness as h

ROOT = h.ROOT
GUIDES = sorted(p.name for p in (ROOT / "docs").glob("guide-*.md"))
PAGES = [("README.md", "Use")] + [(f"docs/{g}", None) for g in GUIDES]


def blocks_of(page: str, section: str | None) -> list[h.Block]:
    return h.parse_page(ROOT / page, section=section, page=page)


@pytest.fixture(scope="session")
def docs_base(tmp_path_factory, demo_dir):
    base = tmp_path_factory.mktemp("docs-harness")
    output = base / "demo-output.txt"
    output.write_text((demo_dir.parent / "demo-output.txt").read_text() if (demo_dir.parent / "demo-output.txt").exists()
                      else "")
    return base, base / "cache", demo_dir, output


@pytest.mark.parametrize("page, section", PAGES, ids=[p for p, _ in PAGES])
def test_page_runs_as_written(page, section, docs_base):
    base, cache, demo, demo_output = docs_base
    text = "\n".join(b.text for b in blocks_of(page, section))
    if h.needs_shared(text) and not (h.SHARED / "data").is_dir():
        pytest.skip(f"{page} runs on ../shared/data, which is absent (a fresh clone has no shared folder)")
    work = h.prepare_page(page, text, base, cache, demo, demo_output)
    failure = None
    try:
        notes = h.run_page(work, blocks_of(page, section))
    except h.Failure as exc:
        failure = str(exc)
    if failure:
        pytest.fail(failure, pytrace=False)
    for n in notes:
        print(n)


def test_every_marker_is_known_and_well_formed():
    for page, section in PAGES:
        for b in blocks_of(page, section):
            for key, value in b.markers.items():
                assert key in h.KNOWN_MARKERS, f"{b.where}: unknown marker <!-- {key} -->; known: {sorted(h.KNOWN_MARKERS)}"
                if key == "expect-exit":
                    assert value.isdigit() and int(value) > 0, f"{b.where}: expect-exit needs an exit code, got {value!r}"
                if key == "skip":
                    assert len(value) >= 15, f"{b.where}: a skipped block must say why (<!-- skip: REASON -->)"
                if key == "file":
                    assert value and b.lang not in ("bash", "sh", "python"), f"{b.where}: file marker on a {b.lang} block"
                if key == "long-running":
                    assert len(h.split_commands(b)) == 1, f"{b.where}: a long-running block holds one command"


def test_docs_call_kawasan_on_path():
    """One command form in every doc (issue 11, item 4): `kawasan ...` after `source .venv/bin/activate`."""
    for page in ["README.md"] + [f"docs/{p.relative_to(ROOT / 'docs')}" for p in (ROOT / "docs").rglob("*.md")]:
        for b in blocks_of(page, None):
            assert ".venv/bin/kawasan" not in b.text, f"{b.where}: write `kawasan ...` (the README activates the venv)"


def test_commands_in_skipped_blocks_exist():
    """A block that cannot run (it needs the internet) still names real commands and options."""
    import click

    from kawasan.cli.main import cli

    for page, section in PAGES:
        for b in blocks_of(page, section):
            if b.lang != "bash" or "skip" not in b.markers:
                continue
            for cmd in h.split_commands(b):
                words = [w for w in re.split(r"\s+", cmd.text.replace("\\\n", " ")) if w]
                if not words or words[0] != "kawasan":
                    continue
                node = cli
                for w in words[1:]:
                    if isinstance(node, click.Group) and w in node.commands:
                        node = node.commands[w]
                assert node is not cli, f"{page}:{cmd.line}: unknown command {cmd.text}"
                opts = {o for p in node.params for o in p.opts + p.secondary_opts}
                for opt in re.findall(r"(?<!\S)(--[a-z][a-z-]*)", cmd.text):
                    assert opt in opts, f"{page}:{cmd.line}: {opt} is not an option of kawasan {node.name}"


# ---------------------------------------------------------------------------------------------- the harness itself
def _page(tmp_path, markdown: str) -> tuple[h.Page, list[h.Block]]:
    import os
    import tempfile

    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    doc = folder / "doc.md"
    doc.write_text(markdown)
    work = folder / "work"
    work.mkdir()

    env = dict(os.environ, PATH=f"{h.VENV_BIN}{os.pathsep}{os.environ['PATH']}", KAWASAN_HOME=str(folder / "home"))
    return h.Page("doc.md", work, env), h.parse_page(doc, page="doc.md")


def test_harness_expected_exit_output_and_variables(tmp_path):
    md = """
<!-- expect-exit: 2 -->
```bash
X=hello
kawasan suitability run no-such-model --data nowhere --out o
```

```bash
echo "$X world"
echo "took 3.4 s"
```

```text
hello world
took 9 s
```
"""
    page, blocks = _page(tmp_path, md)
    assert h.run_page(page, blocks) == []
    bad = md.replace("hello world\n", "goodbye world\n")
    page, blocks = _page(tmp_path, bad)
    with pytest.raises(h.Failure, match=r"doc.md:\d+: the output quoted here no longer matches.*goodbye world"):
        h.run_page(page, blocks)


def test_harness_failure_names_line_command_code_and_output(tmp_path):
    page, blocks = _page(tmp_path, "intro\n\n```bash\nkawasan ahp missing.csv\n```\n")
    with pytest.raises(h.Failure) as err:
        h.run_page(page, blocks)
    msg = str(err.value)
    assert msg.startswith("doc.md:4: `kawasan ahp missing.csv` exited 2, expected exit 0") and "missing.csv" in msg
    page, blocks = _page(tmp_path, "<!-- expect-exit: 2 -->\n```bash\nkawasan ahp missing.csv\ntrue\n```\n")
    with pytest.raises(h.Failure, match="doc.md:3: `kawasan ahp missing.csv` exited 2, expected exit 0"):
        h.run_page(page, blocks)          # only the last command may fail
    page, blocks = _page(tmp_path, "<!-- expect-exit: 2 -->\n```bash\ntrue\n```\n")
    with pytest.raises(h.Failure, match="`true` exited 0, expected exit 2 \\(marked expect-exit\\)"):
        h.run_page(page, blocks)


def test_harness_long_running_command_is_started_checked_and_stopped(tmp_path):
    md = "<!-- long-running -->\n```bash\npython -u -m http.server 0 --bind 127.0.0.1\n```\n"
    page, blocks = _page(tmp_path, md)
    assert h.run_page(page, blocks) == []
    md = "<!-- long-running -->\n```bash\npython -c 'import time; print(\"no address\"); time.sleep(1)'\n```\n"
    page, blocks = _page(tmp_path, md)
    with pytest.raises(h.Failure, match="was not ready"):
        h.run_page(page, blocks)


def test_harness_skip_and_file_markers(tmp_path):
    md = ("<!-- file: table.csv -->\n```text\na,b\n1,2\n```\n\n<!-- skip: needs the internet (a download) -->\n"
          "```bash\nfalse\n```\n\n```bash\ntest \"$(cat table.csv)\" = \"$(printf 'a,b\\n1,2')\"\n```\n")
    page, blocks = _page(tmp_path, md)
    notes = h.run_page(page, blocks)
    assert notes == ["doc.md:8: skipped: needs the internet (a download)"]


def test_split_commands_joins_continuations_and_heredocs():
    b = h.Block("p", 1, "bash", "# comment\nkawasan a \\\n  --b c\n\ncat > f <<'EOF'\nx\nEOF\necho done  # tail\n")
    cmds = h.split_commands(b)
    assert [c.line for c in cmds] == [3, 6, 9]
    assert cmds[0].text == "kawasan a \\\n  --b c" and cmds[1].text.endswith("EOF")
    assert h.in_process("kawasan sites rank runs/apht --by topsis") == ["sites", "rank", "runs/apht", "--by", "topsis"]
    assert h.in_process("kawasan suitability show apht > my.yaml") is None
    assert h.in_process('kawasan economy lq "a b.csv"  # c') == ["economy", "lq", "a b.csv"]


def test_timings_and_timestamps_are_masked():
    assert h.output_mismatch("Demo finished in 1.0 s at 2025-01-01T00:00:00+00:00",
                             "Demo finished in 37.5 s at 2026-12-05T00:53:55+00:00", Path("/x")) is None
    assert h.output_mismatch("LQ 3.11 ...", "LQ 3.11 for sector A", Path("/x")) is None
    assert h.output_mismatch("LQ 3.11", "LQ 3.12", Path("/x")) is not None


def test_licensing_guide_still_walks_the_whole_path():
    """Kept from the licensing guide's former runner: the guide shows the whole path (25+ commands), and the
    commands it says are refused are marked to exit 2."""
    blocks = blocks_of("docs/guide-licensing.md", None)
    commands = [c for b in blocks if b.lang == "bash" for c in h.split_commands(b)]
    assert len(commands) >= 25
    for b in (b for b in blocks if b.lang == "bash"):
        cmds = h.split_commands(b)
        for c in cmds:
            if "refused" in c.text.partition("#")[2]:
                assert c is cmds[-1] and b.markers.get("expect-exit") == "2", \
                    f"{b.page}:{c.line}: a refused command ends a block marked <!-- expect-exit: 2 -->"


def test_licensing_guide_story_holds_whatever_today_is(docs_base):
    """Kept from the licensing guide's former runner: after the guide, its what-if (as of a stated day)
    saves days, and the general-estate project of section 10 expanded its land stage (PP 19/2021)."""
    import json

    from click.testing import CliRunner

    from kawasan.cli.main import cli

    base, cache, demo, demo_output = docs_base
    page = "docs/guide-licensing.md"
    blocks = blocks_of(page, None)
    work = h.prepare_page(page + "-story", "\n".join(b.text for b in blocks), base, cache, demo, demo_output)
    h.run_page(work, blocks)
    whatif = next(c.text for b in blocks if b.lang == "bash" for c in h.split_commands(b)
                  if c.text.startswith("kawasan project whatif") and "--resolve" in c.text and "refused" not in c.text)
    assert "--today" in whatif
    runner = CliRunner()
    r = runner.invoke(cli, h.in_process(whatif) + ["--json"], env=work.env)
    assert r.exit_code == 0 and json.loads(r.stdout)["days_saved"] > 0, r.output
    state = json.loads(runner.invoke(cli, ["project", "show", "3", "--json"], env=work.env).stdout)
    assert {o["key"]: o["value"] for o in state["options"]}["land"] == "public_interest"
    assert {"G4c", "G4f", "G4j"} <= {s["id"] for s in state["stages"]}
