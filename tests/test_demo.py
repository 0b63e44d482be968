"""kawasan demo end to end: the synthetic study area, both presets, the summary."""
from __future__ import annotations

import json

import rasterio

from kawasan.cli.main import cli


def test_demo_runs_both_presets_and_labels_synthetic(runner, tmp_path):
    out = tmp_path / "demo"
    r = runner.invoke(cli, ["demo", "--out", str(out), "--no-serve"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "SYNTHETIC" in r.output and "Kabupaten Contoh" in r.output
    data = json.loads((out / "data" / "manifest.json").read_text())
    assert data["synthetic"] is True and data["grid"]["crs"] == "EPSG:32749"
    assert data["grid"]["width"] * 30 >= 60000 and data["grid"]["height"] * 30 >= 40000
    for preset in ("kawasan-industri", "apht"):
        man = json.loads((out / "runs" / preset / "manifest.json").read_text())
        assert man["synthetic"] is True and "SYNTHETIC" in man["notice"]
        roles = {o["role"] for o in man["outputs"]}
        assert {"score", "classes", "constraints", "criterion"} <= roles
        suitable = sum(c["area_ha"] for c in man["classes"] if c["class"] in ("S1", "S2", "S3"))
        assert suitable > 0, f"{preset}: the demo must find suitable land"
        assert man["best_areas"], preset
        with rasterio.open(out / "runs" / preset / "score.tif") as ds:
            assert "SYNTHETIC" in ds.tags()
    apht = json.loads((out / "runs" / "apht" / "manifest.json").read_text())
    ki = json.loads((out / "runs" / "kawasan-industri" / "manifest.json").read_text())
    assert apht["sites"]["min_area_ha"] == 2 and ki["sites"]["min_area_ha"] == 50
    # the licensing project for the top APHT site, in the demo's own database
    assert (out / "licensing" / "kawasan.db").exists()
    assert "Critical path" in r.output and "P80" in r.output
    # running again replaces the demo in place
    r = runner.invoke(cli, ["--lang", "id", "demo", "--out", str(out), "--no-serve"], catch_exceptions=False)
    assert r.exit_code == 0 and "DATA SINTETIS" in r.output
    # one demo account per role, and they sign in
    from kawasan.cli.demo import DEMO_ACCOUNTS
    from kawasan.tracker import ProjectService, Settings

    svc = ProjectService(Settings.in_folder(out / "licensing"))
    try:
        for role, user, password in DEMO_ACCOUNTS:
            assert user in r.output and password in r.output
            assert svc.authenticate(user, password)["role"] == role
    finally:
        svc.close()


def test_demo_refuses_foreign_folder(runner, tmp_path):
    out = tmp_path / "demo"
    (out / "data").mkdir(parents=True)
    (out / "data" / "mine.txt").write_text("keep")
    r = runner.invoke(cli, ["demo", "--out", str(out)])
    assert r.exit_code == 2 and "data" in r.output
    assert (out / "data" / "mine.txt").read_text() == "keep"
