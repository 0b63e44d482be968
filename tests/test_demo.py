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
    _every_rule_of_issue_10_fires(out)
    # the SYNTHETIC regional-potential table set that `kawasan serve --data DIR` opens
    from kawasan.economics.tableset import TableSet

    ts = TableSet.from_dir(out / "economics")
    assert ts.synthetic and "SYNTHETIC" in ts.title and {"boundaries", "pdrb", "sectors", "ports"} <= set(ts.files)
    assert "regional-potential tables of Kabupaten Contoh and its 8 neighbours" in " ".join(r.output.split())
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


# the rules issue 10 added or changed: each excludes land somewhere in the demo's runs
NEW_RULES = {"river_setback", "lake_setback", "coast_setback", "power_line_corridor", "railway_row",
             "not_state_forest", "not_lp2b", "not_lsd", "not_high_flood", "not_high_landslide", "not_volcano_krb3",
             "nuisance_buffer", "on_national_arterial", "settlement_buffer_2km", "inside_kpi",
             "conforms_to_spatial_plan"}


def _every_rule_of_issue_10_fires(out):
    runs = {p.name: json.loads((p / "manifest.json").read_text()) for p in (out / "runs").iterdir()}
    assert set(runs) == {"kawasan-industri", "apht", "apht-switched"}
    fired = {c["id"] for m in runs.values() for c in m["constraints"]
             if c["status"] == "applied" and c["excluded_ha"] > 0}
    assert NEW_RULES <= fired, f"rules that never exclude land in the demo: {sorted(NEW_RULES - fired)}"
    ki, apht, switched = runs["kawasan-industri"], runs["apht"], runs["apht-switched"]
    river = next(c for c in ki["constraints"] if c["id"] == "river_setback")["setback"]
    assert {c["class"] for c in river["classes"]} == {"large", "small"} and river["urban"]["used"]
    assert all(c["excluded_ha"] > 0 for c in river["classes"])
    assert (out / "runs" / "kawasan-industri" / river["table"]).exists()
    # the APHT preset has no 2 km settlement buffer; its optional nuisance buffer is off unless switched on
    assert "settlement_buffer_2km" not in {c["id"] for c in apht["constraints"]}
    assert next(c for c in apht["constraints"] if c["id"] == "nuisance_buffer")["status"] == "off"
    assert switched["rule_switches"] == {"conforms_to_spatial_plan": "off", "nuisance_buffer": "on"}
    # a run without the spatial-plan rule is a screening before the RTRW check, and so is every site of it
    assert "screening" not in ki and "screening" not in apht
    assert switched["screening"][0]["rule"] == "conforms_to_spatial_plan"
    sites = json.loads((out / "runs" / "apht-switched" / "sites" / "sites.json").read_text())["sites"]
    assert sites and all(s["screening"] for s in sites)
    assert "SCREENING BEFORE THE SPATIAL-PLAN CHECK" in (out / "runs" / "apht-switched" / "report-en.html").read_text()
    # the demo has every legal layer: nothing is read from a proxy; the town distance reads the town centre
    assert ki["proxies"] == [] and apht["proxies"] == []
    trade = next(c for c in ki["criteria"] if c["id"] == "trade_centre")
    assert trade["read"]["layer"] == "town_centres" and trade["read"]["role"] == "source"
    road = next(c for c in ki["criteria"] if c["id"] == "main_road")
    assert road["read"]["also"] == ["toll_gates"]
    # the general estate's sites carry the land budget of their gross area
    ki_sites = json.loads((out / "runs" / "kawasan-industri" / "sites" / "sites.json").read_text())["sites"]
    b = ki_sites[0]["land_budget"]
    assert b["gross_ha"] == ki_sites[0]["area_ha"] and abs(b["plots_max_ha"] - 0.75 * b["gross_ha"]) < 0.01
