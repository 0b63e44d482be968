"""Same inputs, same bytes: run `kawasan demo` several times, some at once, and compare every output.

Usage: .venv/bin/python scripts/repeat_demo.py [--runs 10] [--parallel 2] [--busy 1] [--out DIR]

Runs ``kawasan demo --no-serve`` RUNS times, PARALLEL at a time (plus BUSY processes that only
spin the CPU, to add load), each into DIR/demo-N, and compares every file of every demo with
the first demo's:

- GeoTIFFs (study area, runs, criteria, score spread): byte for byte;
- JSON (manifests, sites, sensitivity): equal once the values that are meant to change are
  masked: the keys ``created`` (a timestamp) and ``timings`` (seconds), and the demo's own
  folder in paths (DIR/demo-N becomes <DEMO>);
- GeoPackages: every table equal, the ``last_change`` timestamp of gpkg_contents masked;
- HTML reports: equal once the folder, timestamps and the timings table are masked;
- anything else (the licensing database, which records when it was written): listed as not compared.

Exit status 0 when every demo matches, 1 otherwise (the differences are listed). The test suite
runs a shorter version of the same check (tests/test_determinism.py); this script is the longer
reproduction of issue 11, item 1 (about 25 s per demo on 2 cores).
"""
from __future__ import annotations

import argparse
import json
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MASKED_KEYS = {"created", "timings"}
TIMINGS_TABLE = re.compile(r"(<td><code>[\w:.-]+</code></td><td class=\"num\">)[0-9.,]+(</td>)")
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}| UTC)?")


def _mask_json(value, roots: list[str]):
    if isinstance(value, dict):
        return {k: ("<masked>" if k in MASKED_KEYS else _mask_json(v, roots)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_json(v, roots) for v in value]
    if isinstance(value, str):
        return _mask_text(value, roots)
    return value


def _mask_text(text: str, roots: list[str]) -> str:
    for i, root in enumerate(roots):
        text = text.replace(root, f"<ROOT{i}>")
    return text


def _gpkg_rows(path: Path) -> dict:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        out = {}
        for t in tables:
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')]
            rows = con.execute(f'SELECT * FROM "{t}"').fetchall()
            if t == "gpkg_contents" and "last_change" in cols:
                i = cols.index("last_change")
                rows = [r[:i] + ("<masked>",) + r[i + 1:] for r in rows]
            out[t] = sorted(rows, key=repr)
        return out
    finally:
        con.close()


def compare_file(ref: Path, other: Path, roots_ref: list[str], roots_other: list[str]) -> str | None:
    """None when the two files match under the rules above, else a one-line description of the difference."""
    suffix = ref.suffix.lower()
    if suffix in (".tif", ".tiff"):
        return None if ref.read_bytes() == other.read_bytes() else "GeoTIFF bytes differ"
    if suffix == ".json":
        a = _mask_json(json.loads(ref.read_text(encoding="utf-8")), roots_ref)
        b = _mask_json(json.loads(other.read_text(encoding="utf-8")), roots_other)
        return None if a == b else "JSON differs beyond timestamps, timings and folder paths"
    if suffix == ".gpkg":
        return None if _gpkg_rows(ref) == _gpkg_rows(other) else "GeoPackage tables differ"
    if suffix == ".html":
        a, b = (TIMESTAMP.sub("<time>", TIMINGS_TABLE.sub(r"\1<t>\2", _mask_text(p.read_text(encoding="utf-8"), roots)))
                for p, roots in ((ref, roots_ref), (other, roots_other)))
        return None if a == b else "HTML differs beyond timestamps, timings and folder paths"
    return "not compared"


def _roots(folder: Path) -> list[str]:
    """The spellings of a folder that outputs may record: absolute, then as given."""
    return [str(folder.resolve()), str(folder)]


def compare_trees(ref: Path, other: Path, *, only: tuple[str, ...] = (".tif", ".json", ".gpkg", ".html")) -> list[str]:
    """Differences between two output folders (files missing on either side included); [] when they match."""
    problems = []
    names_ref = {p.relative_to(ref) for p in ref.rglob("*") if p.is_file() and p.suffix.lower() in only}
    names_other = {p.relative_to(other) for p in other.rglob("*") if p.is_file() and p.suffix.lower() in only}
    for rel in sorted(names_ref ^ names_other):
        problems.append(f"{rel}: only in {ref if rel in names_ref else other}")
    for rel in sorted(names_ref & names_other):
        why = compare_file(ref / rel, other / rel, _roots(ref), _roots(other))
        if why and why != "not compared":
            problems.append(f"{rel}: {why}")
    return problems


def _kawasan() -> list[str]:
    exe = Path(sys.executable).with_name("kawasan")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "kawasan.cli.main"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--parallel", type=int, default=2)
    ap.add_argument("--busy", type=int, default=1, help="extra processes that only spin the CPU while the demos run")
    ap.add_argument("--out", type=Path, default=None, help="folder for the demos (default: a temporary folder)")
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="kawasan-repeat-"))
    out.mkdir(parents=True, exist_ok=True)
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(args.busy)]
    t0 = time.perf_counter()
    try:
        pending = list(range(args.runs))
        while pending:
            batch, pending = pending[:args.parallel], pending[args.parallel:]
            procs = [(i, subprocess.Popen(_kawasan() + ["demo", "--out", str(out / f"demo-{i}"), "--no-serve"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)) for i in batch]
            for i, p in procs:
                _, err = p.communicate()
                if p.returncode:
                    print(f"demo {i} failed (exit {p.returncode}): {err.decode()[-2000:]}")
                    return 1
    finally:
        for p in busy:
            p.kill()
            p.wait()
    seconds = time.perf_counter() - t0
    failures = 0
    for i in range(1, args.runs):
        problems = compare_trees(out / "demo-0", out / f"demo-{i}")
        failures += bool(problems)
        for line in problems:
            print(f"demo-{i}: {line}")
    print(f"{args.runs} demos, {args.parallel} at a time with {args.busy} busy process(es), in {seconds:.0f} s: "
          + ("all identical to demo-0 (rasters byte for byte; JSON, GeoPackages and reports apart from "
             "timestamps, timings and folder paths)" if not failures else f"{failures} differ from demo-0")
          + f"; outputs in {out}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
