"""Model-file validation: every error names the file and the field."""
from __future__ import annotations

import pytest

from conftest import small_model
from kawasan.errors import ModelError
from kawasan.spatial.model import load_model, model_from_dict
from kawasan.spatial.presets import load_preset, preset_names, resolve_model


def test_presets_validate():
    assert set(preset_names()) >= {"kawasan-industri", "apht"}
    for name in preset_names():
        m = load_preset(name)
        assert m.name == name
        assert m.sites is not None
        for c in m.constraints:
            assert c.legal_basis, f"{name}: constraint {c.id} has no legal basis"
            assert c.certainty in ("V", "P", "U", "NOT FOUND", "design")


def test_kawasan_industri_carries_the_legal_thresholds():
    m = load_preset("kawasan-industri")
    by_id = {c.id: c for c in m.constraints}
    assert by_id["slope_max_15"].limit == 15 and "30/2020" in by_id["slope_max_15"].legal_basis["en"]
    assert by_id["settlement_buffer_2km"].distance == 2000
    assert "guideline" in by_id["settlement_buffer_2km"].label["en"]
    assert by_id["inside_kpi"].skip_if_missing and by_id["inside_kpi"].skipped_notice
    assert m.sites.min_area_ha == 50 and "PP 20/2024 Article 49" in m.sites.legal_basis["en"]
    assert m.weights.values["slope"] == pytest.approx(35.26)


def test_apht_is_small_and_near_arterial():
    m = load_preset("apht")
    assert m.sites.min_area_ha == 2
    near = next(c for c in m.constraints if c.rule == "exclude_beyond")
    assert near.where == {"class": ["arterial"], "status": ["national"], "entry": ["any"]}
    assert [f.layer for f in near.also] == ["toll_gates"]
    assert near.certainty == "design"  # the 1 km reach is not law


@pytest.mark.parametrize(
    "mutate, field, words",
    [
        (lambda m: m.update(colour="red"), "colour", "unknown key"),
        (lambda m: m["criteria"][0].update(max_distance="far"), "criteria[0].max_distance", "far"),
        (lambda m: m["criteria"][0]["transform"].update(low=10, high=5), "criteria[0].transform", "greater"),
        (lambda m: m["criteria"][0].pop("max_distance"), "criteria[0]", "max_distance"),
        (lambda m: m["criteria"][1].update(layer="nope"), None, "layer 'nope'"),
        (lambda m: m["criteria"][0].update(transform={"type": "cubic"}), "criteria[0].transform", "cubic"),
        (lambda m: m["criteria"][0].update(direction="up"), "criteria[0].direction", "benefit"),
        (lambda m: m["constraints"][0].pop("limit"), "constraints[0]", "limit"),
        (lambda m: m.update(classes={"breaks": [0.2, 0.4, 0.6, 0.8]}), "classes.breaks", "descending"),
        (lambda m: m["criteria"].append(dict(m["criteria"][0])), None, "unique"),
        (lambda m: m["criteria"][2]["transform"].update(values={"shrub": 5}), "criteria[2].transform", "scale"),
        (lambda m: m["layers"]["dem"].update(bands=2), "layers.dem.bands", "unknown key"),
        (lambda m: m.update(weights={"method": "ahp", "values": {"a": 1}}), "weights", "exactly one"),
    ],
)
def test_model_errors_name_the_field(mutate, field, words):
    data = small_model()
    mutate(data)
    with pytest.raises(ModelError) as exc:
        model_from_dict(data, source="m.yaml")
    text = str(exc.value)
    assert "m.yaml" in text
    assert words in text
    if field:
        assert exc.value.field == field


def test_model_file_yaml_and_toml(tmp_path):
    import yaml

    y = tmp_path / "m.yaml"
    y.write_text(yaml.safe_dump(small_model()))
    assert load_model(y).name == "test-model"
    t = tmp_path / "m.toml"
    t.write_text('name = "t"\n[layers.dem]\npath = "dem.tif"\n[[criteria]]\nid = "s"\nlayer = "dem"\n'
                 'measure = "slope_percent"\ndirection = "cost"\n[criteria.transform]\ntype = "linear"\nlow = 0\n'
                 'high = 30\n[weights]\nmethod = "direct"\nvalues = {s = 1}\n')
    assert load_model(t).criteria[0].measure == "slope_percent"


def test_broken_model_files(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ModelError, match="not valid YAML"):
        load_model(bad)
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "missing.yaml")
    with pytest.raises(ModelError, match="neither a model file nor a built-in preset"):
        resolve_model("no-such-preset")
    lst = tmp_path / "list.yaml"
    lst.write_text("- 1\n- 2\n")
    with pytest.raises(ModelError, match="mapping"):
        load_model(lst)
