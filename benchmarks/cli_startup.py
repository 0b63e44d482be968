#!/usr/bin/env python3
"""CLI start-up and long-table benchmark (issue 14, defect 8), in one run, as ratios.

Run with the project venv:  .venv/bin/python benchmarks/cli_startup.py [--repeat 5] [--regions 5883]

1. ``kawasan project list`` on an empty SQLite database, lazy (as shipped: the command's module only)
   against eager (every command module imported first, as before issue 14): wall time and peak RSS of
   the child process (median of ``--repeat``).
2. ``kawasan economy lq`` of a SYNTHETIC table of ``--regions`` regions x 17 sectors (100,011 rows with
   the default): the printed tables (plain aligned text over 2,000 rows) against ``--json``.

Prints the machine and ends with a markdown section for docs/performance.md.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import describe

EAGER = ("import importlib, sys; from kawasan.cli.main import COMMAND_MODULES, main; "
         "[importlib.import_module('kawasan.cli.' + m) for ms in COMMAND_MODULES.values() for m in ms]; "
         "main(sys.argv[1:])")
LAZY = "import sys; from kawasan.cli.main import main; main(sys.argv[1:])"


def timed(code: str, args: list[str], env: dict, stdout=subprocess.DEVNULL) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child ``python -c code args``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], env=env, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {args}: {proc.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def median_of(repeat: int, *a, **k) -> tuple[float, float]:
    runs = [timed(*a, **k) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def synthetic_table(path: Path, regions: int) -> int:
    import numpy as np
    import pandas as pd

    from kawasan.economics.sectors import SECTOR_CODES

    rng = np.random.default_rng(1)
    rows = [(f"Kabupaten Sintetis {i:05d} (SYNTHETIC)", s, 2023, round(float(rng.uniform(10, 1000)), 2))
            for i in range(regions) for s in SECTOR_CODES]
    pd.DataFrame(rows, columns=["region", "sector", "year", "value"]).to_csv(path, index=False)
    return len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--regions", type=int, default=5883)
    a = ap.parse_args()
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory() as d:
        env = {**os.environ, "KAWASAN_HOME": d, "COLUMNS": "160"}
        env.pop("KAWASAN_DATABASE_URL", None)
        timed(LAZY, ["project", "list"], env)           # creates the database once
        eager = median_of(a.repeat, EAGER, ["project", "list"], env)
        lazy = median_of(a.repeat, LAZY, ["project", "list"], env)
        print(f"project list eager: {eager[0]:.2f} s {eager[1]:.0f} MiB; lazy: {lazy[0]:.2f} s {lazy[1]:.0f} MiB; "
              f"ratio {eager[0] / lazy[0]:.1f}x time, {eager[1] / lazy[1]:.1f}x memory")
        table = Path(d) / "synthetic.csv"
        n = synthetic_table(table, a.regions)
        js = median_of(max(1, a.repeat // 2), LAZY, ["economy", "lq", str(table), "--json"], env)
        tb = median_of(max(1, a.repeat // 2), LAZY, ["economy", "lq", str(table)], env)
        print(f"economy lq {n:,} rows: --json {js[0]:.1f} s, tables {tb[0]:.1f} s, ratio {tb[0] / js[0]:.1f}")
    print("\n### CLI start-up and long tables (benchmarks/cli_startup.py)\n")
    print(f"Machine: {describe()}.\n")
    print("| measurement | before / reference | after | ratio |\n|---|---|---|---|")
    print(f"| `kawasan project list`, wall time (median of {a.repeat}) | {eager[0]:.2f} s (every module) | "
          f"{lazy[0]:.2f} s (lazy) | {eager[0] / lazy[0]:.1f}x |")
    print(f"| `kawasan project list`, peak RSS | {eager[1]:.0f} MiB | {lazy[1]:.0f} MiB | {eager[1] / lazy[1]:.1f}x |")
    print(f"| `economy lq`, {n:,} rows: tables against `--json` | {js[0]:.1f} s (`--json`) | {tb[0]:.1f} s (tables) | "
          f"{tb[0] / js[0]:.1f}x the JSON time |")


if __name__ == "__main__":
    main()
