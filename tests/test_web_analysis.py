"""The Analysis page and its API: model editor checks, saved models, runs started as jobs, the job routes.

The data folder holds the small synthetic test area (tests/conftest.py) as study area ``test`` and the
small model saved as ``test-model``; a run is done by calling the worker's function on the queued job,
as ``kawasan worker`` would (the worker itself is tested in test_jobs.py).
"""
from __future__ import annotations

import dataclasses

import pytest
import yaml

from conftest import make_area, small_model
from web_fixtures import World


def setup_data(world, root):
    """The world's app reads ``root`` as its data folder and queues on a file in it."""
    from kawasan.jobs.queue import make_huey

    if not (root / "studyareas" / "test").exists():
        make_area(root / "studyareas" / "test")
        (root / "models").mkdir(parents=True, exist_ok=True)
        (root / "models" / "test-model.yaml").write_text(yaml.safe_dump(small_model()))
    world.app.state.web = dataclasses.replace(world.app.state.web, data_dir=root)
    from kawasan.spatial.runs.catalog import DataFolder

    world.app.state.data = DataFolder(root)  # the map pages read the same folder the jobs write into
    if getattr(world.app.state, "queue", None) is None:
        world.app.state.queue = make_huey(f"sqlite:///{root / 'queue.db'}")
    return root


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    folder = tmp_path_factory.mktemp("web-analysis")
    w = World("sqlite", folder)
    setup_data(w, folder / "data")
    w.root = folder / "data"
    yield w
    w.close()


def post(world, role, url, body):
    return world.clients[role].post(url, json=body, headers={"X-CSRF-Token": world.csrf[role] or ""})


MODEL = "saved:test-model"


def test_the_page_lists_study_areas_models_and_the_editor(world):
    r = world.clients["coord"].get(f"/analysis?area=test&model={MODEL}")
    assert r.status_code == 200
    html = r.text
    assert 'value="test"' in html and "saved:test-model" in html and "preset:apht" in html
    assert 'data-field="constraints.village.distance"' in html  # the error goes beside the threshold
    assert "Permenperin 30/2020" in html and 'id="run"' in html
    viewer = world.clients["viewer"].get(f"/analysis?area=test&model={MODEL}").text
    assert 'id="run"' not in viewer and 'id="viewer-note"' in viewer


def test_direct_weights_come_back_normalised(world):
    r = post(world, "viewer", "/api/v1/analysis/check",
             {"model": MODEL, "edits": {"weights": {"method": "direct", "values": {"road": 6, "slope": 3, "land": 1}}}})
    assert r.status_code == 200, r.text
    assert r.json()["top"] == pytest.approx({"road": 0.6, "slope": 0.3, "land": 0.1})
    assert r.json()["ahp"] is None


def test_a_pairwise_matrix_gives_lambda_ci_cr_and_an_inconsistent_one_is_refused(world):
    crit = ["road", "slope", "land"]
    good = {"method": "ahp", "criteria": crit, "matrix": [[1, 3, 5], ["1/3", 1, 2], ["1/5", "1/2", 1]]}
    r = post(world, "coord", "/api/v1/analysis/check", {"model": MODEL, "edits": {"weights": good}})
    a = r.json()["ahp"]
    assert r.status_code == 200 and 3.0 <= a["lambda_max"] < 3.01 and a["cr"] < 0.1 and a["consistent"]
    bad = {"method": "ahp", "criteria": crit, "matrix": [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]}
    r = post(world, "coord", "/api/v1/analysis/check", {"model": MODEL, "edits": {"weights": bad}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "weights"
    assert "rasio konsistensi CR" in r.json()["error"]["message"]   # the web app's language: Indonesian
    r = post(world, "coord", "/api/v1/analysis/check",
             {"model": MODEL, "edits": {"weights": bad, "allow_inconsistent": True}})
    assert r.status_code == 200 and r.json()["ahp"]["cr"] > 0.1 and not r.json()["ahp"]["consistent"]


@pytest.mark.parametrize("edits, field", [
    ({"thresholds": {"village": {"distance": -5}}}, "constraints.village.distance"),
    ({"thresholds": {"village": {"distance": "far"}}}, "constraints.village.distance"),
    ({"thresholds": {"village": {"limit": 3}}}, "constraints.village.limit"),
    ({"thresholds": {"nope": {"limit": 3}}}, "thresholds.nope"),
    ({"weights": {"method": "direct", "values": {"road": "heavy", "slope": 1, "land": 1}}}, "weights.values.road"),
    ({"weights": {"method": "direct", "values": {"road": 1}}}, "weights"),
    ({"off": ["road", "slope", "land"]}, "off"),
    ({"off": ["ghost"]}, "off.ghost"),
    ({"rules": {"flood": "maybe"}}, "rules.flood"),
    ({"colour": "red"}, "edits"),
])
def test_a_malformed_edit_is_a_422_naming_the_field(world, edits, field):
    r = post(world, "coord", "/api/v1/analysis/check", {"model": MODEL, "edits": edits})
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["field"] == field and err["code"] and err["message"]


def test_an_unknown_model_reference_is_refused(world):
    assert post(world, "coord", "/api/v1/analysis/check", {"model": "saved:ghost"}).status_code == 404
    r = post(world, "coord", "/api/v1/analysis/check", {"model": "../../etc/passwd"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "model"


def test_a_saved_model_is_the_yaml_the_cli_reads(world, tmp_path):
    from kawasan.spatial.model import load_model

    edits = {"weights": {"method": "direct", "values": {"road": 1, "slope": 1, "land": 2}},
             "thresholds": {"village": {"distance": 450}}}
    r = post(world, "coord", "/api/v1/analysis/models", {"model": MODEL, "edits": edits, "name": "road-light"})
    assert r.status_code == 201, r.text
    y = world.clients["viewer"].get(r.json()["yaml"])
    assert y.status_code == 200 and "attachment" in y.headers["content-disposition"]
    (tmp_path / "m.yaml").write_bytes(y.content)
    m = load_model(tmp_path / "m.yaml")
    assert m.name == "road-light" and m.constraint("village").distance == 450 and m.weights.values["land"] == 2
    bad = post(world, "coord", "/api/v1/analysis/models", {"model": MODEL, "edits": {}, "name": "../x"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "name"
    assert not (world.root / "x.yaml").exists()
    assert post(world, "viewer", "/api/v1/analysis/models", {"model": MODEL, "name": "v"}).status_code == 403
    assert not (world.root / "models" / "v.yaml").exists()


def test_a_viewer_cannot_start_a_run_and_nothing_is_written(world):
    before = len(world.app.state.jobs.list())
    r = post(world, "viewer", "/api/v1/analysis/runs", {"model": MODEL, "study_area": "test", "run": "by-viewer"})
    assert r.status_code == 403 and r.json()["error"]["code"] == "permission_denied"
    assert len(world.app.state.jobs.list()) == before and not (world.root / "runs" / "by-viewer").exists()


def test_a_run_with_a_bad_model_or_area_writes_nothing(world):
    before = len(world.app.state.jobs.list())
    r = post(world, "coord", "/api/v1/analysis/runs",
             {"model": MODEL, "study_area": "test", "edits": {"thresholds": {"village": {"distance": 0}}}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "constraints.village.distance"
    r = post(world, "coord", "/api/v1/analysis/runs", {"model": MODEL, "study_area": "nowhere"})
    assert r.status_code == 404 and r.json()["error"]["field"] == "study_area"
    assert len(world.app.state.jobs.list()) == before


def test_a_run_is_a_job_that_finishes_and_links_to_its_map(world):
    from kawasan.jobs.runners import run_job

    edits = {"weights": {"method": "direct", "values": {"road": 1, "slope": 1, "land": 1}},
             "rules": {"flood": False}, "off": []}
    r = post(world, "coord", "/api/v1/analysis/runs", {"model": MODEL, "study_area": "test", "edits": edits,
                                                       "run": "equal-weights"})
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] == "queued" and job["params"]["study_area"] == "test" and "folder" not in str(job)
    assert world.app.state.queue.pending_count() >= 1  # on the queue, not run in the request
    assert not (world.root / "runs" / "equal-weights").exists()
    assert run_job(job["id"], world.app.state.jobs) == "finished"  # what the worker does
    done = world.clients["viewer"].get(f"/api/v1/jobs/{job['id']}").json()
    assert done["status"] == "finished" and done["progress"] == 1.0
    assert done["links"]["map"] == "/map/runs/runs~equal-weights"  # the run's id in the data folder
    assert world.clients["viewer"].get(done["links"]["map"]).status_code == 200  # the link opens its map
    run = world.clients["viewer"].get(done["links"]["run"]).json()   # what the page's own map shows
    assert run["id"] == "runs~equal-weights" and len(run["bounds"]) == 4 and "score" in [x["id"] for x in run["layers"]]
    import json

    man = json.loads((world.root / "runs" / "equal-weights" / "manifest.json").read_text())
    assert man["weights"]["global"] == pytest.approx({"land": 1 / 3, "road": 1 / 3, "slope": 1 / 3})
    again = post(world, "coord", "/api/v1/analysis/runs", {"model": MODEL, "study_area": "test",
                                                           "run": "equal-weights"})
    assert again.status_code == 422 and again.json()["error"]["field"] == "run"
    page = world.clients["viewer"].get("/analysis").text
    assert "/map/runs/equal-weights" in page


def test_cancel_a_queued_job_and_the_role_rules(world):
    r = post(world, "dlh", "/api/v1/analysis/runs", {"model": MODEL, "study_area": "test"})
    jid = r.json()["id"]
    assert post(world, "viewer", f"/api/v1/jobs/{jid}/cancel", {}).status_code == 403
    r = post(world, "dlh", f"/api/v1/jobs/{jid}/cancel", {})
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    again = post(world, "dlh", f"/api/v1/jobs/{jid}/cancel", {})
    assert again.status_code == 409 and again.json()["error"]["field"] == "status"
    assert world.clients["viewer"].get("/api/v1/jobs/999999").status_code == 404


def test_the_job_routes_are_in_openapi(world):
    paths = world.clients["anon"].get("/openapi.json").json()["paths"]
    for p in ("/api/v1/jobs", "/api/v1/jobs/{job_id}", "/api/v1/jobs/{job_id}/cancel", "/api/v1/analysis/runs",
              "/api/v1/analysis/check", "/api/v1/analysis/models"):
        assert p in paths


def test_the_weights_table_names_each_criterion_in_the_page_language(world):
    """The weights table shows the criterion's label (its id beside it), as the criteria table does."""
    from kawasan.spatial.modeledit import editor_view
    from kawasan.spatial.presets import load_preset

    model = load_preset("kawasan-industri")
    for lang in ("id", "en"):
        nodes = {n["id"]: n["label"] for n in editor_view(model, lang)["nodes"]}
        crits = {c.id: c for c in model.criteria}
        assert nodes and all(label != nid for nid, label in nodes.items() if nid in crits), nodes
    html = world.clients["coord"].get("/analysis?area=test&model=preset:kawasan-industri").text
    row = html.split('<tr data-node="slope">', 1)[1].split("</td>", 1)[0]
    assert "Kemiringan lereng" in row and '<small class="muted">slope</small>' in row, row
