"""Re-running into a run folder (issue 11, item 3): refused unless asked, and the replacement says what went."""
from __future__ import annotations

import json

import pytest

from kawasan.cli.main import cli
from kawasan.errors import OutputError
from kawasan.spatial.api import run_suitability
from kawasan.spatial.model import model_from_dict
from kawasan.spatial.sites.service import extract_sites

from conftest import small_model


def _model():
    return model_from_dict(small_model(sites={"min_area_ha": 5}))


@pytest.fixture
def run_with_sites(area, tmp_path):
    out = tmp_path / "run"
    run_suitability(_model(), area, out, write_criteria=True)
    n = len(extract_sites(out)["sites"])
    (out / "notes.txt").write_text("my notes on this run")
    return out, n


def test_api_refuses_an_earlier_run_and_names_what_it_holds(area, run_with_sites):
    out, n = run_with_sites
    with pytest.raises(OutputError) as err:
        run_suitability(_model(), area, out)
    msg = str(err.value)
    assert "test-model" in msg and f"sites/ ({n} candidate sites)" in msg and "notes.txt" in msg
    assert "--overwrite" in msg and "overwrite=True" in msg
    assert (out / "sites" / "sites.json").exists() and (out / "notes.txt").exists(), "nothing may be lost on refusal"


def test_api_overwrite_replaces_whole_and_reports_what_went(area, run_with_sites):
    out, n = run_with_sites
    res = run_suitability(_model(), area, out, overwrite=True)
    assert res.replaced["model"] == "test-model"
    assert {e["name"]: e["sites"] for e in res.replaced["extra"]} == {"notes.txt": None, "sites/": n}
    assert not (out / "sites").exists(), "sites of the old run would contradict the new one"
    assert not (out / "notes.txt").exists()
    assert json.loads((out / "manifest.json").read_text())["kind"] == "kawasan.run"


def test_cli_refuses_without_overwrite_exit_2(runner, area, run_with_sites, tmp_path):
    out, n = run_with_sites
    model = tmp_path / "m.json"
    model.write_text(json.dumps(small_model(sites={"min_area_ha": 5})))
    r = runner.invoke(cli, ["suitability", "run", str(model), "--data", str(area), "--out", str(out)])
    assert r.exit_code == 2, r.output
    assert "already holds a run of model 'test-model'" in r.output and f"({n} candidate sites)" in r.output
    assert (out / "sites" / "sites.json").exists()


@pytest.mark.parametrize("lang, words", [("en", ["Replaced the earlier run", "candidate sites", "notes.txt"]),
                                         ("id", ["telah diganti", "calon lokasi", "notes.txt"])])
def test_cli_overwrite_says_what_it_replaced(runner, area, run_with_sites, tmp_path, lang, words):
    out, n = run_with_sites
    model = tmp_path / "m.json"
    model.write_text(json.dumps(small_model(sites={"min_area_ha": 5})))
    r = runner.invoke(cli, ["--lang", lang, "suitability", "run", str(model), "--data", str(area), "--out", str(out),
                            "--overwrite"])
    assert r.exit_code == 0, r.output
    for w in words:
        assert w in r.output
    assert not (out / "sites").exists()
    r = runner.invoke(cli, ["suitability", "run", str(model), "--data", str(area), "--out", str(out), "--overwrite",
                            "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["replaced"]["model"] == "test-model"
