"""Licensing templates: the two shipped paths, validation, YAML/JSON loading and CSV import."""
from __future__ import annotations

import copy
import json

import pytest
import yaml

from kawasan.errors import NotFoundError, TemplateError
from kawasan.licensing import (
    Template,
    builtin_names,
    builtin_template,
    import_csv,
    load_template,
    validate_template,
)

TAG_START = ("V", "P", "U", "NOT FOUND", "–")


def minimal():
    return {
        "name": "t", "version": "1", "title": {"id": "Uji", "en": "Test"},
        "agencies": [{"code": "A", "name": {"id": "A", "en": "A"}}, {"code": "B", "name": {"id": "B", "en": "B"}}],
        "stages": [
            {"id": "S1", "name": {"id": "s1", "en": "s1"}, "agency": "A", "requires": [],
             "legal_basis": {"citation": "x", "tag": "U"}, "duration": {"min": 1, "likely": 2, "max": 3}},
            {"id": "S2", "name": {"id": "s2", "en": "s2"}, "agency": "B", "requires": ["S1"],
             "legal_basis": {"citation": "x", "tag": "V"}, "duration": {"statutory_days": 5}},
            {"id": "S3", "name": {"id": "s3", "en": "s3"}, "agency": "A", "requires": ["S2"],
             "legal_basis": {"citation": "x", "tag": "P"}, "duration": {"min": 0, "likely": 0, "max": 0}},
        ],
    }


# ----------------------------------------------------------------------------- shipped templates

def test_builtin_names():
    assert builtin_names() == ["apht", "kawasan-industri"]


@pytest.mark.parametrize("name,prefix,n", [("kawasan-industri", "G", 11), ("apht", "K", 11)])
def test_builtin_templates_follow_regulations(name, prefix, n):
    t = builtin_template(name)
    first = 0 if prefix == "G" else 1
    assert t.ids == [f"{prefix}{i}" for i in range(first, first + n)]
    codes = {a.code for a in t.agencies}
    for s in t.stages:
        assert s.agency in codes
        assert s.name.id and s.name.en and s.name.id != s.name.en
        assert s.legal_basis.tag.startswith(TAG_START)
        assert s.duration.basis, f"{s.id}: every duration says where it comes from"
        if s.duration.is_estimate:
            assert s.duration.min <= s.duration.likely <= s.duration.max
        if s.deemed_approval:
            assert s.duration.statutory_days is not None
        for o in s.may_overlap:
            assert o.stage in s.requires and o.basis and o.tag.startswith(TAG_START)
    # re-validating the dump gives the same template (the data round-trips)
    assert validate_template(t.model_dump(mode="json")) == t


def test_kawasan_industri_content_matches_regulations_section_3_3():
    t = builtin_template("kawasan-industri")
    deps = {s.id: set(s.requires) for s in t.stages}
    assert deps == {"G0": set(), "G1": {"G0"}, "G2": set(), "G3": {"G2", "G0"}, "G4": {"G3"}, "G5": {"G3"},
                    "G6": {"G3", "G5"}, "G7": {"G3", "G4", "G5"}, "G8": {"G6", "G7"}, "G9": {"G8"},
                    "G10": {"G6", "G9"}}
    g3 = t.stage("G3")
    # PP 28/2025 KKPR: 25 working days without revision; fiktif positif; clarification restarts the SLA
    assert g3.duration.statutory_days == 25 and g3.deemed_approval and g3.clarification == "restart"
    assert g3.legal_basis.certainty == "V"
    assert t.stage("G6").legal_basis.tag == "U (authority split)"
    assert t.stage("G2").legal_basis.tag == "U (instant NIB)"
    # no SLA days were found for these, so they must be estimates, not presented as law
    for sid in ("G4", "G5", "G6", "G7", "G9"):
        assert t.stage(sid).duration.is_estimate and t.stage(sid).duration.tag == "NOT FOUND"
        assert not t.stage(sid).deemed_approval
    assert t.stage("G5").duration.likely == 105  # old PP 27/2012 regime: 30 + 75 working days
    assert {"DPMPTSP", "DLH", "PUPR", "BPN", "Bappeda", "OSS", "Kemenperin"} <= {a.code for a in t.agencies}


def test_apht_content_matches_regulations_section_2_4():
    t = builtin_template("apht")
    deps = {s.id: set(s.requires) for s in t.stages}
    assert deps == {"K1": set(), "K2": {"K1"}, "K3": {"K2"}, "K4": {"K2"}, "K5": {"K4"}, "K6": {"K3", "K5"},
                    "K7": {"K6"}, "K8": {"K7"}, "K9": {"K8"}, "K10": {"K9"}, "K11": {"K10"}}
    assert t.stage("K8").agency == "Kanwil DJBC"
    assert t.stage("K8").duration.is_estimate and t.stage("K8").duration.tag == "NOT FOUND"
    assert "not the apht rule" in t.stage("K8").duration.basis.lower()
    assert t.stage("K4").legal_basis.tag == "U" and not t.stage("K4").deemed_approval
    assert t.stage("K9").agency == "KPPBC"
    assert not any(s.deemed_approval for s in t.stages)


def test_unknown_builtin_and_unknown_stage():
    with pytest.raises(NotFoundError, match="built-in templates: apht, kawasan-industri"):
        builtin_template("kiht")
    with pytest.raises(NotFoundError, match="unknown stage 'G99'"):
        builtin_template("kawasan-industri").stage("G99")


# ----------------------------------------------------------------------------- validation

def test_minimal_is_valid_and_topological():
    t = validate_template(minimal())
    assert isinstance(t, Template)
    assert t.topological_order() == ["S1", "S2", "S3"]
    assert t.stage("S2").duration.planned == 5 and not t.stage("S2").duration.is_estimate


def break_(fn):
    d = minimal()
    fn(d)
    return d


@pytest.mark.parametrize("mutate,stage,pattern", [
    (lambda d: d["stages"][1].update(id="S1"), "S1", "duplicate stage id 'S1'"),
    (lambda d: d["stages"][2].update(requires=["S9"]), "S3", "unknown prerequisite 'S9'"),
    (lambda d: d["stages"][1].update(agency="Z"), "S2", "agency 'Z' is not in the template's agencies"),
    (lambda d: d["stages"][1].update(agency=""), "S2", "at least 1 character"),
    (lambda d: d["stages"][1].pop("agency"), "S2", "missing required key 'agency'"),
    (lambda d: d["stages"][0].update(requires=["S3"]), "S1", "cycle: S1 -> S2 -> S3 -> S1"),
    (lambda d: d["stages"][1].update(requires=["S2"]), "S2", "cycle S2 -> S2"),
    (lambda d: d["stages"][0].update(duration={"min": 3, "likely": 2, "max": 4}), "S1", "min <= likely <= max"),
    (lambda d: d["stages"][0].update(duration={"min": -1, "likely": 2, "max": 4}), "S1", "greater than or equal to 0"),
    (lambda d: d["stages"][0].update(duration={"min": 1, "likely": 2}), "S1", "missing: max"),
    (lambda d: d["stages"][0].update(duration={"statutory_days": 3, "likely": 2}), "S1", "either statutory_days"),
    (lambda d: d["stages"][1].update(duration={"statutory_days": -2}), "S2", "greater than or equal to 0"),
    (lambda d: d["stages"][0].update(colour="red"), "S1", "unknown key 'colour'"),
    (lambda d: d["stages"][0]["duration"].update(typo=1), "S1", "unknown key 'typo'"),
    (lambda d: d["stages"][0].update(deemed_approval=True), "S1", "deemed_approval needs duration.statutory_days"),
    (lambda d: d["stages"][0].update(clarification="stop"), "S1", "'pause' or 'restart'"),
    (lambda d: d["stages"][0]["legal_basis"].update(tag="maybe"), "S1", "certainty tag 'maybe'"),
    (lambda d: d["stages"][2].update(may_overlap=[{"stage": "S1", "basis": "b", "tag": "U"}]), "S3",
     "not a prerequisite of S3"),
    (lambda d: d["stages"][0].update(id="S 1"), "S 1", "no spaces"),
])
def test_validation_names_the_stage(mutate, stage, pattern):
    with pytest.raises(TemplateError) as ei:
        validate_template(break_(mutate), source="plan.yaml")
    msg = str(ei.value)
    assert f"stage {stage}" in msg, msg
    assert pattern in msg, msg
    assert msg.startswith("plan.yaml")


def test_cycle_reports_the_cycle_itself():
    d = minimal()
    d["stages"].append({"id": "S4", "name": {"id": "a", "en": "b"}, "agency": "A", "requires": ["S5"],
                        "legal_basis": {"citation": "x", "tag": "U"}, "duration": {"statutory_days": 1}})
    d["stages"].append({"id": "S5", "name": {"id": "a", "en": "b"}, "agency": "A", "requires": ["S4", "S1"],
                        "legal_basis": {"citation": "x", "tag": "U"}, "duration": {"statutory_days": 1}})
    with pytest.raises(TemplateError) as ei:
        validate_template(d)
    assert "S4 -> S5 -> S4" in str(ei.value) or "S5 -> S4 -> S5" in str(ei.value)
    assert "S1" not in str(ei.value).split("cycle:")[1]


@pytest.mark.parametrize("mutate,pattern", [
    (lambda d: d.update(agencies=[]), "non-empty list 'agencies'"),
    (lambda d: d.update(stages=[]), "non-empty list 'stages'"),
    (lambda d: d.update(extra=1), "unknown key 'extra'"),
    (lambda d: d["agencies"].append({"code": "A", "name": {"id": "x", "en": "y"}}), "duplicate agency code 'A'"),
    (lambda d: d["agencies"][0].update(level="planet"), "agency #1"),
    (lambda d: d.pop("title"), "missing required key 'title'"),
])
def test_template_level_errors(mutate, pattern):
    with pytest.raises(TemplateError, match=pattern):
        validate_template(break_(mutate))


def test_not_a_mapping():
    with pytest.raises(TemplateError, match="must be a mapping"):
        validate_template(["a"])


# ----------------------------------------------------------------------------- files

def test_load_yaml_and_json(tmp_path):
    y = tmp_path / "t.yaml"
    y.write_text(yaml.safe_dump(minimal(), allow_unicode=True))
    j = tmp_path / "t.json"
    j.write_text(json.dumps(minimal()))
    assert load_template(y) == load_template(j)


def test_load_errors(tmp_path):
    with pytest.raises(TemplateError, match="file not found"):
        load_template(tmp_path / "none.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(TemplateError, match="not valid YAML"):
        load_template(bad)
    badj = tmp_path / "bad.json"
    badj.write_text("{")
    with pytest.raises(TemplateError, match="not valid JSON"):
        load_template(badj)
    txt = tmp_path / "t.txt"
    txt.write_text("x")
    with pytest.raises(TemplateError, match="unsupported file type"):
        load_template(txt)
    dup = tmp_path / "dup.yaml"
    d = minimal()
    d["stages"][2]["requires"] = ["S2", "S7"]
    dup.write_text(yaml.safe_dump(d))
    with pytest.raises(TemplateError) as ei:
        load_template(dup)
    assert str(dup) in str(ei.value) and "stage S3" in str(ei.value) and ei.value.field == "stages[S3].requires"


# ----------------------------------------------------------------------------- CSV import

PLAN = """id,name,agency,duration_days,requires
A1,Studi kelayakan,Disperindag,60,
A2,KKPR,DPMPTSP,25,A1
A3,Amdal,DLH,100,A2
A4,PBG,DPMPTSP,30,A2;A3
"""


def write(tmp_path, text, name="plan.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_csv_import(tmp_path):
    t = import_csv(write(tmp_path, PLAN), "rencana")
    assert t.name == "rencana"
    assert t.ids == ["A1", "A2", "A3", "A4"]
    assert t.stage("A4").requires == ["A2", "A3"]
    assert {a.code for a in t.agencies} == {"Disperindag", "DPMPTSP", "DLH"}
    d = t.stage("A3").duration
    assert d.is_estimate and d.min == d.likely == d.max == 100
    assert t.stage("A1").legal_basis.tag == "NOT FOUND"
    # load_template dispatches .csv files to the importer
    assert load_template(write(tmp_path, PLAN, "other.csv")).ids == t.ids


def test_csv_optional_columns_bom_and_semicolons(tmp_path):
    text = "\ufeffID;Name;Agency;Duration_days;Requires;min_days;max_days;legal_basis\n" \
           "A1;Studi;Disperindag;60;;40;90;\n" \
           "A2;KKPR;DPMPTSP;25;A1;;;PP 28/2025\n" \
           "A3;PBG;DPMPTSP;2,5;A1, A2;1;4;\n"
    t = import_csv(write(tmp_path, text), "x")
    assert (t.stage("A1").duration.min, t.stage("A1").duration.max) == (40, 90)
    assert t.stage("A2").legal_basis.citation == "PP 28/2025" and t.stage("A2").legal_basis.tag == "U"
    assert t.stage("A3").duration.likely == 2.5 and t.stage("A3").requires == ["A1", "A2"]
    # the same plan saved as UTF-16 ("Unicode") with a byte-order mark reads the same
    (tmp_path / "u16.csv").write_bytes(text.lstrip("\ufeff").encode("utf-16"))
    u = import_csv(tmp_path / "u16.csv", "x")
    assert [(s.id, s.requires, s.duration.likely, s.legal_basis.citation) for s in u.stages] == \
        [(s.id, s.requires, s.duration.likely, s.legal_basis.citation) for s in t.stages]


@pytest.mark.parametrize("text,field,pattern", [
    ("id,name,agency,duration_days\nA1,x,y,3\n", "requires", "missing column requires"),
    ("id,name,agency,duration_days,requires,colour\nA1,x,y,3,,red\n", "colour", "unknown column 'colour'"),
    ("id,name,agency,duration_days,requires,id\nA1,x,y,3,,A1\n", "id", "appears twice"),
    ("", None, "the CSV is empty"),
    ("id,name,agency,duration_days,requires\n", None, "no stage rows"),
])
def test_csv_header_errors(tmp_path, text, field, pattern):
    with pytest.raises(TemplateError, match=pattern) as ei:
        import_csv(write(tmp_path, text), "x")
    if field:
        assert ei.value.field == field


@pytest.mark.parametrize("row,pattern", [
    ("A5,PBG,,10,A1", "row 6 (stage A5): empty agency"),
    ("A5,PBG,DLH,ten,A1", "row 6 (stage A5): duration_days 'ten' is not a number"),
    ("A5,PBG,DLH,-3,A1", "row 6 (stage A5): duration_days '-3' must be a number >= 0"),
    ("A5,PBG,DLH,,A1", "row 6 (stage A5): empty duration_days"),
    ("A2,PBG,DLH,5,A1", "row 6 (stage A2): duplicate stage id 'A2' (first on row 3)"),
    ("A5,PBG,DLH,5,A9", "row 6: stage A5: unknown prerequisite 'A9'"),
    (",PBG,DLH,5,A1", "row 6: empty id"),
    ("A5,PBG,DLH,5,A1,extra", "row 6: 6 values for 5 columns"),
    # a typo of a few zeros used to pass and then hang the forecast (beyond the calendar)
    ("A5,PBG,DLH,1e12,A1", "row 6: stage A5: Input should be less than or equal to 10000"),
])
def test_csv_row_errors(tmp_path, row, pattern):
    with pytest.raises(TemplateError) as ei:
        import_csv(write(tmp_path, PLAN + row + "\n"), "x")
    assert pattern in str(ei.value), str(ei.value)


def test_template_file_in_another_encoding(tmp_path):
    p = tmp_path / "mine.yaml"
    p.write_bytes("name: mine\ntitle: {id: Kawasan \u00e9, en: e}\n".encode("latin-1"))
    with pytest.raises(TemplateError, match="not UTF-8"):
        load_template(p)


def test_csv_that_is_really_a_binary_file(tmp_path):
    """A database or other binary file saved with a .csv name: a clear TemplateError, not a csv.Error."""
    p = tmp_path / "plan.csv"
    p.write_bytes(b"SQLite format 3\x00\x10\x00\x01\x01\x00@  \x00\x00\x00\rid,x\n\x00\x00")
    with pytest.raises(TemplateError, match="not a readable CSV"):
        import_csv(p, "x")


def test_csv_cycle_names_row_and_cycle(tmp_path):
    text = PLAN.replace("A1,Studi kelayakan,Disperindag,60,", "A1,Studi kelayakan,Disperindag,60,A4")
    with pytest.raises(TemplateError) as ei:
        import_csv(write(tmp_path, text), "x")
    msg = str(ei.value)
    assert "row " in msg and "cycle" in msg and "A1 -> A2" in msg and msg.count("->") >= 2


def test_csv_min_max_order(tmp_path):
    text = "id,name,agency,duration_days,requires,min_days,max_days\nA1,x,y,5,,6,9\n"
    with pytest.raises(TemplateError, match="row 2 .stage A1.: expected min_days <= duration_days <= max_days"):
        import_csv(write(tmp_path, text), "x")


def test_csv_missing_file_and_name(tmp_path):
    with pytest.raises(TemplateError, match="file not found"):
        import_csv(tmp_path / "none.csv", "x")
    with pytest.raises(TemplateError, match="template name"):
        import_csv(write(tmp_path, PLAN), " ")


def test_mutating_a_loaded_template_is_refused():
    t = builtin_template("apht")
    with pytest.raises(Exception):
        t.name = "other"
    assert copy.deepcopy(t) == t


def test_numbers_in_yaml_are_read_as_text(tmp_path):
    text = yaml.safe_dump(minimal()).replace("version: '1'", "version: 2")
    text = text.replace("id: S1", "id: 1").replace("- S1", "- 1")
    p = tmp_path / "n.yaml"
    p.write_text(text)
    t = load_template(p)
    assert t.version == "2" and t.ids[0] == "1" and t.stage("S2").requires == ["1"]
