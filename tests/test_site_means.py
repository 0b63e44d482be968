"""Explanations and the stress test on a default run (issue 11, item 2): the criterion means of the sites
are recomputed at extraction when the run kept no criterion rasters, and a site list never silently
lacks them."""
from __future__ import annotations

import json
import shutil

import pytest

from kawasan.cli.main import cli
from kawasan.spatial.api import run_suitability
from kawasan.spatial.sites.service import extract_sites, rerank, stress_test


@pytest.fixture
def plain_run(demo_dir, tmp_path):
    """The README's plain `suitability run apht` (no --criteria) on the demo data."""
    out = tmp_path / "apht"
    run_suitability("apht", demo_dir / "data", out)
    assert not (out / "criteria").exists()
    return out


def test_default_run_sites_have_the_same_means_as_a_criteria_run(demo_dir, plain_run):
    res = extract_sites(plain_run)
    ref = json.loads((demo_dir / "runs" / "apht" / "sites" / "sites.json").read_text())
    assert res["criteria_means_source"].startswith("recomputed")
    assert ref["criteria_means_source"].startswith("criteria rasters")
    got = {s["id"]: s["criteria_means"] for s in res["sites"]}
    want = {s["id"]: s["criteria_means"] for s in ref["sites"]}
    assert got == want and len(got) >= 3
    assert all(set(m) == set(res["criteria"]) for m in got.values())
    assert [s["id"] for s in res["sites"]] == [s["id"] for s in ref["sites"]]


def test_default_run_stress_test_and_topsis_work(plain_run, runner):
    extract_sites(plain_run)
    r = runner.invoke(cli, ["sites", "sensitivity", str(plain_run), "-n", "200"])
    assert r.exit_code == 0, r.output
    assert "--criteria" in r.output, "the missing score-spread map is explained, not silently skipped"
    res = stress_test(plain_run, n=200)
    assert res["monte_carlo"]["sites"] and "score_spread" not in res
    assert rerank(plain_run, "topsis")["rank_method"] == "topsis"


def test_changed_study_area_is_reported_not_used(demo_dir, tmp_path, runner):
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "data", data)
    out = tmp_path / "apht"
    run_suitability("apht", data, out)
    roads = data / "roads.gpkg"
    roads.write_bytes(roads.read_bytes() + b"\0")       # not the file the run read any more
    res = extract_sites(out)
    assert res["sites"] and res["criteria_means_source"] == "unavailable"
    assert all("roads" in s["criteria_means_missing"] and "changed since the run" in s["criteria_means_missing"]
               for s in res["sites"])
    assert any("changed since the run" in n for n in res["notes"])
    r = runner.invoke(cli, ["sites", "sensitivity", str(out)])
    assert r.exit_code == 2 and "changed since the run" in r.output
    r = runner.invoke(cli, ["sites", "rank", str(out), "--by", "topsis"])
    assert r.exit_code == 2 and "changed since the run" in r.output


def test_moved_study_area_is_reported(demo_dir, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(demo_dir / "data", data)
    out = tmp_path / "apht"
    run_suitability("apht", data, out)
    data.rename(tmp_path / "elsewhere")
    res = extract_sites(out)
    assert res["criteria_means_source"] == "unavailable"
    assert "not at" in res["sites"][0]["criteria_means_missing"]
