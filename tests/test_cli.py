"""CLI: success paths, and every bad input exits 2 with a message naming what is wrong."""
from __future__ import annotations

import json

import numpy as np
import pytest
import yaml
from affine import Affine

from conftest import H, LEFT, RES, TOP, W, small_model, write_raster
from kawasan.cli.main import cli


def invoke(runner, args):
    return runner.invoke(cli, args, catch_exceptions=False)


def model_file(tmp_path, **over):
    p = tmp_path / "model.yaml"
    p.write_text(yaml.safe_dump(small_model(**over)))
    return p


def test_run_writes_folder_and_summary(runner, area, tmp_path):
    out = tmp_path / "run"
    r = invoke(runner, ["suitability", "run", str(model_file(tmp_path)), "--data", str(area), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "S1" in r.output and "Permenperin 30/2020 [V]" in r.output
    assert (out / "manifest.json").exists()
    r = invoke(runner, ["--lang", "id", "suitability", "run", str(model_file(tmp_path)), "--data", str(area),
                        "--out", str(out), "--json", "--overwrite"])
    assert r.exit_code == 0
    man = json.loads(r.output)
    assert {o["role"] for o in man["outputs"]} >= {"score", "classes", "constraints"}


def test_bahasa_summary(runner, area, tmp_path):
    r = invoke(runner, ["--lang", "id", "suitability", "run", str(model_file(tmp_path)), "--data", str(area),
                        "--out", str(tmp_path / "r")])
    assert r.exit_code == 0 and "sangat sesuai" in r.output and "Folder hasil" in r.output


def test_presets_listed_and_shown(runner):
    r = invoke(runner, ["suitability", "presets"])
    assert "kawasan-industri" in r.output and "apht" in r.output
    r = invoke(runner, ["suitability", "show", "apht"])
    assert "PMK 22/2023" in r.output
    r = invoke(runner, ["suitability", "show", "nope"])
    assert r.exit_code == 2 and "unknown preset 'nope'" in r.output


def bad(runner, args):
    r = runner.invoke(cli, args)
    assert r.exit_code == 2, (r.exit_code, r.output, r.exception)
    return r.output


def run_args(model, area, out):
    return ["suitability", "run", str(model), "--data", str(area), "--out", str(out)]


def test_bad_missing_raster(runner, area, tmp_path):
    (area / "dem.tif").unlink()
    out = bad(runner, run_args(model_file(tmp_path), area, tmp_path / "o"))
    assert "dem.tif" in out and "missing" in out
    assert not (tmp_path / "o").exists()


def test_bad_corrupt_raster(runner, area, tmp_path):
    (area / "dem.tif").write_bytes(b"\x00" * 100)
    out = bad(runner, run_args(model_file(tmp_path), area, tmp_path / "o"))
    assert "dem.tif" in out and "not a readable raster" in out
    assert not (tmp_path / "o").exists()


def test_bad_other_grid(runner, area, tmp_path):
    write_raster(area / "dem.tif", np.ones((H, W), np.float32), transform=Affine(60, 0, LEFT, 0, -60, TOP))
    out = bad(runner, run_args(model_file(tmp_path), area, tmp_path / "o"))
    assert "resolution (60.0, 60.0) instead of (30.0, 30.0)" in out and "align: true" in out


def test_bad_no_overlap(runner, area, tmp_path):
    write_raster(area / "dem.tif", np.ones((H, W), np.float32), transform=Affine(RES, 0, 0, 0, -RES, 0))
    out = bad(runner, run_args(model_file(tmp_path), area, tmp_path / "o"))
    assert "does not overlap the study area" in out


def test_bad_all_nodata(runner, area, tmp_path):
    write_raster(area / "dem.tif", np.full((H, W), -9999, np.float32), nodata=-9999.0)
    out = bad(runner, run_args(model_file(tmp_path), area, tmp_path / "o"))
    assert "only NoData" in out and "dem.tif" in out


def test_bad_unknown_key_and_wrong_type(runner, area, tmp_path):
    p = model_file(tmp_path, colour="red")
    out = bad(runner, run_args(p, area, tmp_path / "o"))
    assert "model.yaml" in out and "colour" in out and "unknown key" in out
    m = small_model()
    m["criteria"][0]["max_distance"] = "far"
    p.write_text(yaml.safe_dump(m))
    out = bad(runner, run_args(p, area, tmp_path / "o"))
    assert "criteria[0].max_distance" in out and "'far'" in out


def test_bad_weights(runner, area, tmp_path):
    out = bad(runner, run_args(model_file(tmp_path, weights={"method": "direct", "values": {"road": -1, "slope": 1, "land": 1}}),
                               area, tmp_path / "o"))
    assert "non-negative" in out and "road" in out
    out = bad(runner, run_args(model_file(tmp_path, weights={"method": "direct", "values": {"road": 0, "slope": 0, "land": 0}}),
                               area, tmp_path / "o"))
    assert "all weights are zero" in out


def test_bad_missing_layer_reference(runner, area, tmp_path):
    m = small_model()
    m["criteria"][1]["layer"] = "elevation"
    p = tmp_path / "m.yaml"
    p.write_text(yaml.safe_dump(m))
    out = bad(runner, run_args(p, area, tmp_path / "o"))
    assert "layer 'elevation'" in out and "not declared" in out


def test_bad_inconsistent_matrix_and_override(runner, area, tmp_path):
    p = model_file(tmp_path, weights={"method": "ahp", "criteria": ["road", "slope", "land"],
                                      "matrix": [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]})
    out = bad(runner, run_args(p, area, tmp_path / "o"))
    assert "CR" in out and "--allow-inconsistent" in out
    r = invoke(runner, run_args(p, area, tmp_path / "o") + ["--allow-inconsistent"])
    assert r.exit_code == 0


def test_bad_output_folder_not_a_run(runner, area, tmp_path):
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "a.txt").write_text("x")
    out = bad(runner, run_args(model_file(tmp_path), area, keep))
    assert "not a kawasan run folder" in out and (keep / "a.txt").read_text() == "x"


def test_bad_model_path(runner, area, tmp_path):
    out = bad(runner, run_args(tmp_path / "nope.yaml", area, tmp_path / "o"))
    assert "nope.yaml" in out and "not found" in out
    out = bad(runner, ["suitability", "run", "kawasan-industri"])  # click usage error: --data missing
    assert "--data" in out


def test_json_error_shape(runner, area, tmp_path):
    (area / "dem.tif").unlink()
    r = runner.invoke(cli, run_args(model_file(tmp_path), area, tmp_path / "o") + ["--json"])
    assert r.exit_code == 2
    err = json.loads(r.stdout.strip().splitlines()[-1])
    assert set(err) == {"error", "message", "source", "field"} and err["source"].endswith("dem.tif")


# --- kawasan ahp -------------------------------------------------------------------------------
def write_csv(tmp_path, text, name="m.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_ahp_json(runner, tmp_path):
    p = write_csv(tmp_path, ",slope,road,land\nslope,1,2,4\nroad,1/2,1,2\nland,1/4,1/2,1\n")
    r = invoke(runner, ["ahp", str(p), "--json"])
    assert r.exit_code == 0
    d = json.loads(r.output)
    assert set(d) >= {"criteria", "weights", "lambda_max", "ci", "cr"}
    assert d["criteria"] == ["slope", "road", "land"]
    np.testing.assert_allclose(d["weights"], [4 / 7, 2 / 7, 1 / 7], atol=1e-9)
    assert abs(d["cr"]) < 1e-9 and d["lambda_max"] == pytest.approx(3.0)
    r = invoke(runner, ["ahp", str(p)])
    assert "CR = 0.0000" in r.output and "consistent" in r.output


@pytest.mark.parametrize("text, words", [
    (",a,b,c\na,1,2,3\nb,1/2,1,4\n", "square"),
    (",a,b\na,1,-2\nb,-1/2,1\n", "(a, b)"),
    (",a,b\na,1,0\nb,0,1\n", "(a, b)"),
    (",a,b\na,1,3\nb,3,1\n", "1/3"),
    (",a,b\na,1,x\nb,1,1\n", "'x'"),
    (",a,b\nb,1,2\na,1/2,1\n", "a"),
])
def test_ahp_bad_matrices(runner, tmp_path, text, words):
    out = bad(runner, ["ahp", str(write_csv(tmp_path, text))])
    assert "m.csv" in out and words in out


def test_ahp_missing_file(runner, tmp_path):
    out = bad(runner, ["ahp", str(tmp_path / "none.csv")])
    assert "none.csv" in out


def test_schema_is_json_schema(runner):
    r = invoke(runner, ["suitability", "schema"])
    schema = json.loads(r.output)
    assert "criteria" in schema["properties"] and "constraints" in schema["properties"]


def test_ahp_group_of_agencies(runner, tmp_path):
    a = write_csv(tmp_path, ",road,slope\nroad,1,4\nslope,1/4,1\n", "bappeda.csv")
    b = write_csv(tmp_path, ",slope,road\nslope,1,1\nroad,1,1\n", "dlh.csv")  # other order, same names
    r = invoke(runner, ["ahp", str(a), str(b), "--json"])
    d = json.loads(r.output)
    assert d["criteria"] == ["road", "slope"]
    np.testing.assert_allclose(d["weights"], [2 / 3, 1 / 3], atol=1e-9)  # geometric mean of 4 and 1 is 2
    assert [m["source"] for m in d["members"]] == [str(a), str(b)]
    r = invoke(runner, ["ahp", str(a), str(b)])
    assert "bappeda" in r.output and "dlh" in r.output
    c = write_csv(tmp_path, ",road,port\nroad,1,4\nport,1/4,1\n", "other.csv")
    out = bad(runner, ["ahp", str(a), str(c)])
    assert "other.csv" in out and "differ" in out
