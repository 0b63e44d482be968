"""Issue 14, "Faults": the disk fills up while a run is written.

A small tmpfs is mounted for the test (it needs root, as CI runs; elsewhere the test skips and says so). A run
that does not fit ends with exit 2 naming the folder, the failure ("No space left on device", or GDAL's
"IO error") and the free space left, leaves nothing
half-written, and keeps an earlier run in the same place whole.
"""
from __future__ import annotations

import os
import subprocess

import pytest
import yaml
from conftest import make_area, small_model

from kawasan.cli.main import cli


@pytest.fixture
def small_disk(tmp_path):
    def mount(size_kb: int):
        mnt = tmp_path / f"disk{size_kb}"
        mnt.mkdir()
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mnt)],
                             capture_output=True, text=True)
        if res.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here (needs root): {res.stderr.strip()}")
        mounted.append(mnt)
        return mnt

    mounted: list = []
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI runs as root)")
    yield mount
    for mnt in mounted:
        subprocess.run(["umount", str(mnt)], check=False)


@pytest.fixture
def inputs(tmp_path):
    area = make_area(tmp_path / "area")
    model = tmp_path / "model.yaml"
    model.write_text(yaml.safe_dump(small_model()))
    return area, model


def test_a_run_on_a_full_disk_is_refused_and_leaves_nothing(runner, small_disk, inputs):
    area, model = inputs
    disk = small_disk(12)
    res = runner.invoke(cli, ["suitability", "run", str(model), "--data", str(area), "--out", str(disk / "run")])
    assert res.exit_code == 2, res.output
    assert "No space left on device" in res.output and str(disk / "run") in res.output
    assert "Traceback" not in res.output
    assert list(disk.iterdir()) == []


def test_an_overwrite_that_fills_the_disk_keeps_the_earlier_run(runner, small_disk, inputs):
    area, model = inputs
    disk = small_disk(48)
    out = disk / "run"
    first = runner.invoke(cli, ["suitability", "run", str(model), "--data", str(area), "--out", str(out)])
    assert first.exit_code == 0, first.output
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    res = runner.invoke(cli, ["suitability", "run", str(model), "--data", str(area), "--out", str(out),
                              "--overwrite", "--criteria"])
    assert res.exit_code == 2, res.output
    assert "cannot write the run folder" in res.output and "KiB free on that disk" in res.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert [p.name for p in disk.iterdir()] == ["run"]
