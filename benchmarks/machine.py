"""What machine a benchmark ran on (standard library only): CPU model, logical CPUs, RAM.

Every benchmark prints it next to its figures, because docs/performance.md records the machine.
Imported by the scripts in this folder (run as ``python benchmarks/<name>.py``, so this folder is on
``sys.path``).
"""
from __future__ import annotations

import os
import platform
import subprocess


def cpu_model() -> str:
    """The ``Model name`` lscpu reports, else platform.processor(), else "?"."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    except OSError:
        out = ""
    for line in out.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "Model name":
            return value.strip()
    return platform.processor() or "?"


def ram_gib() -> float | None:
    """Total memory in GiB (MemTotal of /proc/meminfo), or None where it cannot be read."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 ** 2
    except (OSError, ValueError, IndexError):
        pass
    return None


def describe() -> str:
    """One line: CPU model, logical CPUs, RAM, OS and Python."""
    ram = ram_gib()
    return (f"{cpu_model()}, {os.cpu_count()} logical CPUs, {'?' if ram is None else f'{ram:.1f}'} GiB RAM, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}")
