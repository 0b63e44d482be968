"""Licensing templates: the two shipped paths, validation, YAML/JSON loading and CSV import."""
from __future__ import annotations

import copy
import json
from datetime import date

import pytest
import yaml

from kawasan.errors import InputError, NotFoundError, TemplateError
from kawasan.licensing import (
    LocalText,
    Template,
    builtin_names,
    builtin_template,
    choose_variant,
    import_csv,
    load_template,
    validate_template,
)
from kawasan.licensing.variants import combinations

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


def _bilingual(text, what):
    """A user-facing text of a shipped template: both languages, different from each other where words differ."""
    assert isinstance(text, LocalText), f"{what}: expected {{id, en}}, got {text!r}"
    assert text.id.strip() and text.en.strip(), what


@pytest.mark.parametrize("name", ["kawasan-industri", "apht"])
def test_builtin_templates_follow_regulations_in_every_variant(name):
    t = builtin_template(name)
    for o in t.options:
        _bilingual(o.label, f"option {o.key}")
        for c in o.choices:
            _bilingual(c.label, f"option {o.key}={c.value}")
            _bilingual(c.legal_basis.citation, f"option {o.key}={c.value} citation")
            assert c.legal_basis.tag.startswith(TAG_START) and "(" not in c.legal_basis.tag
            if ";" in c.legal_basis.tag:
                _bilingual(c.legal_basis.tag_note, f"option {o.key}={c.value} tag note")
    values_seen = 0
    for values in combinations(t):
        v = choose_variant(t, {k: x for k, x in values.items() if k != "regime"},
                           date(2025, 9, 1) if values.get("regime") == "pp5-2021" else date(2026, 1, 5))
        assert {c.key: c.value for c in v.chosen} == values
        codes = {a.code for a in v.agencies}
        for s in v.stages:
            assert s.agency in codes and not s.when and not s.overrides
            assert s.name.id and s.name.en and s.name.id != s.name.en
            _bilingual(s.legal_basis.citation, f"{s.id} citation")
            if ";" in s.legal_basis.tag or "(" in s.legal_basis.tag:  # what each code covers, in both languages
                _bilingual(s.legal_basis.tag_note, f"{s.id} tag note")
                assert "(" not in s.legal_basis.tag, f"{s.id}: qualifiers belong in tag_note"
            if s.legal_basis.note:
                _bilingual(s.legal_basis.note, f"{s.id} note")
            if s.notes:
                _bilingual(s.notes, f"{s.id} notes")
            _bilingual(s.duration.basis, f"{s.id}: every duration says where it comes from")
            assert s.legal_basis.tag.startswith(TAG_START)
            assert "(" not in s.duration.tag, f"{s.id}: the duration's basis explains its tag"
            if s.duration.is_estimate:
                assert s.duration.min <= s.duration.likely <= s.duration.max
            if s.deemed_approval:
                assert s.duration.statutory_days is not None
            for o in s.may_overlap:
                assert o.stage in s.requires and o.tag.startswith(TAG_START)
                _bilingual(o.basis, f"{s.id} overlap {o.stage}")
        # a concrete variant validates on its own and round-trips
        assert validate_template(v.model_dump(mode="json")) == v
        values_seen += 1
    assert values_seen == len(combinations(t)) > 1
    assert validate_template(t.model_dump(mode="json")) == t


def _variant(name, application=date(2026, 1, 5), **options):
    return choose_variant(builtin_template(name), options, application)


def test_kawasan_industri_default_path():
    t = _variant("kawasan-industri")
    deps = {s.id: set(s.requires) for s in t.stages}
    assert deps == {"G0": set(), "G1": {"G0"}, "G2": set(), "G3": {"G2", "G0"}, "G4": {"G3"},
                    "G5a": {"G1"}, "G5b": {"G1"}, "G5k": {"G5b"}, "G5c": {"G1"}, "G5d": {"G1"}, "G5e": {"G1"},
                    "G5f": {"G1"}, "G5": {"G3", "G5a", "G5k", "G5c", "G5d", "G5e", "G5f"},
                    "G6": {"G3", "G4", "G5"}, "G7": {"G3", "G4", "G5"}, "G8": {"G6", "G7"}, "G9": {"G8"},
                    "G10": {"G6", "G9"}}
    g3 = t.stage("G3")
    # PP 28/2025 Arts. 20(2) + 21(3): 5 + 20 working days; the text is cited, so the tag is V
    assert g3.duration.statutory_days == 25 and g3.clarification == "restart" and g3.legal_basis.certainty == "V"
    assert "Pasal 20 ayat (2)" in g3.legal_basis.text("id") and "Art. 21(3)" in g3.legal_basis.text("en")
    assert g3.deemed_approval  # fiktif_positif=apply (default, a documented design choice)
    # the technical approvals and the traffic study carry PP 28/2025 Art. 83 limits, the PL Arts. 87 + 93
    days = {sid: t.stage(sid).duration.statutory_days for sid in ("G5c", "G5d", "G5e", "G5f", "G5", "G7")}
    assert days == {"G5c": 30, "G5d": 30, "G5e": 16, "G5f": 23, "G5": 63, "G7": 31}
    assert {o.stage for o in t.stage("G5").may_overlap} == {"G5c", "G5d", "G5e", "G5f"}
    g5a = t.stage("G5a").legal_basis
    assert t.stage("G5a").agency == "Kemenperin" and g5a.tag == "V; U" and "U: which instrument" in g5a.tag_note.en
    # no SLA days were read for these: estimates, not presented as law
    for sid in ("G4", "G6", "G9"):
        assert t.stage(sid).duration.is_estimate and t.stage(sid).duration.tag == "NOT FOUND"
    assert "Art. 230" in t.stage("G6").legal_basis.text("en")


def test_kawasan_industri_old_rules_by_application_date():
    old, new = _variant("kawasan-industri", date(2025, 10, 4)), _variant("kawasan-industri", date(2025, 10, 5))
    assert [c.value for c in old.chosen if c.key == "regime"] == ["pp5-2021"]
    assert [c.value for c in new.chosen if c.key == "regime"] == ["pp28-2025"]
    assert old.stage("G3").duration.statutory_days == 20 and "PP 21/2021" in old.stage("G3").legal_basis.text("en")
    assert new.stage("G3").duration.statutory_days == 25
    # under PP 22/2021 the Andal needs the technical approvals first (Art. 43(2)): no overlap
    assert old.stage("G5").may_overlap == [] and old.stage("G5").duration.is_estimate
    assert old.stage("G5c").duration.statutory_days == 32  # PP 22/2021 Arts. 135(4) + 139
    assert old.stage("G7").duration.is_estimate
    # without a date: the rules in force now
    assert {c.key: c.value for c in choose_variant(builtin_template("kawasan-industri")).chosen}["regime"] == \
        "pp28-2025"


def test_kawasan_industri_public_interest_land_stages_have_their_statutory_limits():
    t = _variant("kawasan-industri", land="public_interest")
    chain = ["G4a", "G4b", "G4c", "G4d", "G4e", "G4f", "G4g", "G4h", "G4i", "G4j", "G4k", "G4l", "G4m", "G4n",
             "G4p", "G4"]
    for before, after in zip(chain, chain[1:]):
        assert t.stage(after).requires == [before], after
    limits = {sid: t.stage(sid).duration.statutory_days for sid in chain[1:]}
    assert limits == {"G4b": 38, "G4c": 60, "G4d": 30, "G4e": 14, "G4f": 14, "G4g": 10, "G4h": 30, "G4i": 28,
                      "G4j": 30, "G4k": 30, "G4l": 44, "G4m": 14, "G4n": 22, "G4p": 14, "G4": 30}
    articles = {"G4c": "Art. 29(6)", "G4d": "Art. 33", "G4e": "Art. 38", "G4f": "Art. 44(2)", "G4h": "Art. 62(1)",
                "G4i": "Art. 65(1)", "G4j": "Art. 68(3)", "G4k": "Art. 71(1)", "G4l": "Art. 75", "G4m": "Art. 89",
                "G4n": "Art. 78(3)", "G4p": "Art. 115(1)", "G4": "Art. 115(5)"}
    for sid, art in articles.items():
        lb = t.stage(sid).legal_basis
        assert "PP 19/2021" in lb.text("en") and art in lb.text("en") and lb.tag == "V", sid
    assert "3 years" in t.stage("G4f").legal_basis.text("en") and "Art. 46(1)" in t.stage("G4f").legal_basis.text("en")
    assert t.stage("G4f").agency == "Gubernur" and t.stage("G4j").agency == "Penilai"
    # the business licence follows the land: G6 waits for the title (G4), now the last land stage
    assert "G4" in t.stage("G6").requires
    # the private and small-scale routes keep one land stage with estimated durations
    for route in ("private", "small_scale"):
        v = _variant("kawasan-industri", land=route)
        assert "G4a" not in v.ids and v.stage("G4").duration.is_estimate
    assert "Art. 126" in _variant("kawasan-industri", land="small_scale").stage("G4").legal_basis.text("en")


def test_kawasan_industri_assessing_body_follows_the_licensing_authority():
    agency = {a: _variant("kawasan-industri", authority=a).stage("G5").agency for a in ("regency", "province",
                                                                                        "ministry")}
    assert agency == {"regency": "DLH", "province": "DLH Provinsi", "ministry": "KLH"}
    assert _variant("kawasan-industri", authority="ministry").stage("G5c").agency == "KLH"
    assert not _variant("kawasan-industri", fiktif_positif="ignore").stage("G3").deemed_approval


def test_apht_path():
    t = _variant("apht")
    deps = {s.id: set(s.requires) for s in t.stages}
    assert deps == {"K1": set(), "K2": {"K1"}, "K3": {"K2"}, "K4": {"K3"}, "K5": {"K3"}, "K6": {"K2"},
                    "K7": {"K5", "K6"}, "K8": {"K7"}, "K9": {"K7", "K8"}, "K10": {"K4", "K9"}, "K11": {"K10"},
                    "K12": {"K11"}, "K13": {"K11"}, "K14": {"K12", "K13"}}
    # KKPR before or with the site determination (PP 19/2021 Arts. 4-6, 126-127)
    k3 = t.stage("K3")
    assert k3.requires == ["K2"] and [(o.stage, o.tag) for o in k3.may_overlap] == [("K2", "P")]
    assert "Art. 127" in t.stage("K2").legal_basis.text("en")
    assert t.stage("K4").legal_basis.tag == "U"  # the regional permit, reported by customs officials
    assert "PP 27/2014" in t.stage("K9").legal_basis.text("en")
    assert "Art. 431" in t.stage("K13").legal_basis.text("en") and t.stage("K13").legal_basis.certainty == "V"
    k14 = t.stage("K14").legal_basis
    assert "90 days" in k14.text("en") and "Art. 3(4)" in k14.text("en") and k14.tag == "V"
    assert t.stage("K10").agency == "Kanwil DJBC" and t.stage("K10").duration.tag == "NOT FOUND"
    assert "not the apht rule" in t.stage("K10").duration.basis.en.lower()
    assert not any(s.deemed_approval for s in t.stages)
    assert t.stage("K2").duration.statutory_days == 25 and _variant("apht", date(2024, 5, 6)).stage(
        "K2").duration.statutory_days == 20
    capital = _variant("apht", handover="capital_injection").stage("K9")
    assert "DPRD" in capital.supporting_agencies and capital.duration.likely > t.stage("K9").duration.likely


# ----------------------------------------------------------------------------- options

def _with_options(**extra):
    d = minimal()
    d["options"] = [{"key": "route", "label": {"id": "Rute", "en": "Route"}, "default": "a",
                     "choices": [{"value": "a", "label": {"id": "A", "en": "A"},
                                  "legal_basis": {"citation": "x", "tag": "U"}},
                                 {"value": "b", "label": {"id": "B", "en": "B"},
                                  "legal_basis": {"citation": "y", "tag": "V"}}]},
                    {"key": "rules", "label": {"id": "Aturan", "en": "Rules"}, "chosen_by": "application_date",
                     "choices": [{"value": "old", "label": {"id": "Lama", "en": "Old"}, "applies_until": "2025-10-04",
                                  "legal_basis": {"citation": "z", "tag": "V"}},
                                 {"value": "new", "label": {"id": "Baru", "en": "New"}, "applies_from": "2025-10-05",
                                  "legal_basis": {"citation": "z", "tag": "V"}}]}]
    d["stages"].append({"id": "S4", "when": {"route": "b"}, "name": {"id": "s4", "en": "s4"}, "agency": "B",
                        "requires": ["S2"], "legal_basis": {"citation": "x", "tag": "U"},
                        "duration": {"statutory_days": 4}})
    d["stages"][2]["overrides"] = [{"when": {"route": ["b"]}, "requires": ["S4"]},
                                   {"when": {"rules": "old"}, "duration": {"statutory_days": 9}}]
    for k, v in extra.items():
        d[k] = v
    return d


def test_options_resolve_to_a_concrete_template():
    t = validate_template(_with_options())
    a = choose_variant(t, {}, date(2025, 10, 5))
    assert a.ids == ["S1", "S2", "S3"] and a.stage("S3").requires == ["S2"] and a.options == []
    assert [(c.key, c.value, c.chosen_by) for c in a.chosen] == [("route", "a", "default"),
                                                                  ("rules", "new", "application_date")]
    b = choose_variant(t, {"route": "b"}, date(2025, 10, 4))
    assert b.ids == ["S1", "S2", "S3", "S4"] and b.stage("S3").requires == ["S4"]
    assert b.stage("S3").duration.statutory_days == 9 and b.application_date == date(2025, 10, 4)
    assert choose_variant(t).chosen[1].value == "new"  # no date: the rules in force now


@pytest.mark.parametrize("options,pattern", [
    ({"rout": "a"}, "has no option 'rout'; its options: route, rules"),
    ({"route": "c"}, "option route has no value 'c'; its values: a, b"),
    ({"rules": "old"}, "chosen by the application date"),
])
def test_choosing_unknown_options_is_refused(options, pattern):
    t = validate_template(_with_options())
    with pytest.raises(InputError, match=pattern):
        choose_variant(t, options)
    with pytest.raises(InputError, match="has no options"):
        choose_variant(validate_template(minimal()), {"route": "a"})


@pytest.mark.parametrize("mutate,pattern", [
    (lambda d: d["stages"][3].update(when={"rout": "b"}), "stage S4: unknown option 'rout'"),
    (lambda d: d["stages"][3].update(when={"route": "c"}), "stage S4: option route has no value 'c'"),
    (lambda d: d["options"][0].update(default="z"), "default 'z' is not one of its values"),
    (lambda d: d["options"][1]["choices"][1].update(applies_from="2025-10-07"), "must apply from the day after"),
    (lambda d: d["options"][1]["choices"][0].pop("applies_until"), "must apply from the day after"),
    (lambda d: d["options"][1].update(default="old"), "takes no default"),
    (lambda d: d["options"].append(dict(d["options"][0])), "duplicate option key 'route'"),
    # S3 requires S4 only when route=b; with route=a and this override S4 is missing
    (lambda d: d["stages"][2]["overrides"].append({"when": {"route": "a"}, "requires": ["S4"]}),
     "with route=a, rules=old: stage S3: unknown prerequisite 'S4'"),
    (lambda d: d["stages"][2]["overrides"].append({"when": {"route": "b"}, "agency": "Z"}),
     "with route=b, rules=old: stage S3: agency 'Z' is not in the template's agencies"),
])
def test_option_errors_name_the_option_or_the_combination(mutate, pattern):
    d = _with_options()
    mutate(d)
    with pytest.raises(TemplateError) as ei:
        validate_template(d, source="plan.yaml")
    assert pattern in str(ei.value), str(ei.value)


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
    with pytest.raises(TemplateError, match="holds binary data"):
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
