"""Real errors of the domain packages read in Indonesian, and their English stays as it was.

Each case triggers an error the way a user does (a bad template, plan CSV, model file, model edit, PDRB table,
weights file or AHP matrix) and checks both ``KawasanError.text`` languages: the English word for word as
kawasan wrote it before the messages moved to the catalogues, the Indonesian with its own words, numbers
written the Indonesian way (1.530,00) and no English sentence left in it.
"""
from __future__ import annotations

import copy
import re
from importlib import resources
from pathlib import Path

import pytest
import yaml

from kawasan.economics.potential import read_weights_file
from kawasan.economics.sectors import SECTOR_CODES
from kawasan.economics.tables import read_table
from kawasan.errors import KawasanError, ModelError, TableError, TemplateError, WeightsError
from kawasan.i18n import text_in
from kawasan.licensing.csvimport import import_csv
from kawasan.licensing.templates import validate_template
from kawasan.spatial.ahp import validate_matrix
from kawasan.spatial.model import model_from_dict
from kawasan.spatial.modeledit import apply_edits
from kawasan.spatial.presets import preset_text

#: English words that do not occur in an Indonesian message (quoted values and identifiers are masked first).
ENGLISH = re.compile(r"\b(the|is|are|must|expected|got|unknown|missing|row|stage|region|year|value|values|"
                     r"number|field|column|columns|cell|not|no|of|and|or|with|from|should|valid|negative|"
                     r"differs|sum|needs|key|weight)\b", re.IGNORECASE)


def english_left(text: str) -> list[str]:
    """English words of an Indonesian text, outside quotes ('x'), code-like names (duration_days) and
    the listed ids."""
    masked = re.sub(r"'[^']*'|\"[^\"]*\"|\b\w+_\w+\b|\bK\d+\b", " ", text)
    return ENGLISH.findall(masked)


def check(exc: KawasanError, english: str, *indonesian: str) -> str:
    """The English message unchanged, the Indonesian one Indonesian; returns the Indonesian."""
    assert str(exc.message) == english
    idn = text_in(exc.message, "id")
    assert idn != english
    assert not english_left(idn), f"English left in {idn!r}: {english_left(idn)}"
    for part in indonesian:
        assert part in idn, (part, idn)
    assert exc.text("en") == str(exc)
    assert exc.text("id").endswith(idn)
    return idn


# ------------------------------------------------------------------------------------------- licensing
def _template() -> dict:
    folder = Path(str(resources.files("kawasan.licensing").joinpath("templates")))
    path = sorted(p for p in folder.glob("*.yaml") if not p.name.startswith("_"))[0]
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_template_unknown_prerequisite_under_option_values():
    data = _template()
    data["stages"][1]["requires"] = ["NOPE"]
    with pytest.raises(TemplateError) as ei:
        validate_template(data, source="t.yaml")
    stage = data["stages"][1]["id"]
    known = ", ".join(s["id"] for s in data["stages"])
    idn = check(ei.value, f"{str(ei.value.message).split(': stage')[0]}: stage {stage}: unknown prerequisite 'NOPE'; "
                          f"known stages: {known}",
                f"tahap {stage}: prasyarat 'NOPE' tidak dikenal; tahap yang dikenal: {known}")
    assert idn.startswith("dengan ") and "kolom 'stages[" in ei.value.text("id")


def test_template_validator_message_survives_pydantic():
    data = _template()
    data["stages"][0]["id"] = "a b"
    with pytest.raises(TemplateError) as ei:
        validate_template(data, source="t.yaml")
    check(ei.value, "stage a b: stage id 'a b' must be letters, digits, '_', '.' or '-' (no spaces)",
          "tahap a b: id tahap 'a b' harus terdiri atas huruf, angka", "(tanpa spasi)")


def test_template_unknown_key():
    data = _template()
    stage = data["stages"][0]["id"]
    data["stages"][0]["colour"] = "red"
    with pytest.raises(TemplateError) as ei:
        validate_template(data, source="t.yaml")
    check(ei.value, f"stage {stage}: unknown key 'colour'", f"tahap {stage}: kunci 'colour' tidak dikenal")


def test_plan_csv_errors(tmp_path):
    text = "id,name,agency,duration_days,requires\nA1,KKPR,DPMPTSP,10,\nA2,PBG,DPMPTSP,ten,A1\n"
    with pytest.raises(TemplateError) as ei:
        import_csv(tmp_path / "plan.csv", "plan", text=text)
    check(ei.value, "row 3 (stage A2): duration_days 'ten' is not a number of working days",
          "baris 3 (tahap A2): duration_days 'ten' bukan jumlah hari kerja")
    with pytest.raises(TemplateError) as ei:
        import_csv(tmp_path / "plan.csv", "plan", text="id,name\nA1,KKPR\n")
    check(ei.value, "missing columns agency, duration_days, requires; the header must have "
                    "id,name,agency,duration_days,requires",
          "kolom agency, duration_days, requires tidak ada; baris judul harus memuat")


# ------------------------------------------------------------------------------------------- model files
def _model() -> dict:
    return yaml.safe_load(preset_text("kawasan-industri"))


def test_model_duplicate_ids():
    data = _model()
    data["criteria"].append(copy.deepcopy(data["criteria"][0]))
    with pytest.raises(ModelError) as ei:
        model_from_dict(data, source="m.yaml")
    cid = data["criteria"][0]["id"]
    check(ei.value, f"criterion ids must be unique; repeated: ['{cid}']", "id kriteria harus unik; berulang:")


def test_model_pydantic_errors_and_the_more_problems_tail():
    data = _model()
    data["criteria"][0]["weight_hint"] = 1
    layer = next(iter(data["layers"]))
    data["layers"][layer]["optional"] = "perhaps"
    with pytest.raises(ModelError) as ei:
        model_from_dict(data, source="m.yaml")
    assert ei.value.field == f"layers.{layer}.optional"
    check(ei.value, "Input should be a valid boolean, unable to interpret input; got 'perhaps' (and 1 more "
                    "problem(s): criteria[0].weight_hint: unknown key (not part of the model schema; see "
                    "docs/reference/model.md))",
          "Nilai harus berupa true atau false", "tertulis 'perhaps'", "(dan 1 masalah lain: criteria[0].weight_hint: "
          "kunci tidak dikenal (bukan bagian dari skema model")


def test_model_edit_unknown_constraint():
    base = _model()
    with pytest.raises(KawasanError) as ei:
        apply_edits(base, {"thresholds": {"nope": {"limit": 3}}})
    ids = ", ".join(c["id"] for c in base["constraints"])
    check(ei.value, f"no constraint 'nope'; constraints: {ids}", "aturan pembatas 'nope' tidak ada; aturan pembatas:")


# ------------------------------------------------------------------------------------------- economics
VALUES = {s: float(10 * (i + 1)) for i, s in enumerate(SECTOR_CODES)}   # sum 1,530


def _pdrb(tmp_path, *, negative=None, total=None):
    lines = ["region,sector,year,value"]
    for s in SECTOR_CODES:
        v = negative if (negative is not None and s == "D") else VALUES[s]
        lines.append(f'Kabupaten Uji,"{s}",2022,{v}')
    if total is not None:
        lines.append(f"Kabupaten Uji,PDRB,2022,{total}")
    path = tmp_path / "pdrb.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_table_negative_value_says_where_in_indonesian(tmp_path):
    with pytest.raises(TableError) as ei:
        read_table(_pdrb(tmp_path, negative=-12.5))
    check(ei.value, "negative value -12.5 at region 'Kabupaten Uji', sector 'D', year 2022, row 5; PDRB values "
                    "must be zero or more",
          "nilai negatif -12.5 pada wilayah 'Kabupaten Uji', sektor 'D', tahun 2022, baris 5; nilai PDRB harus nol")


def test_table_total_numbers_are_written_for_the_language(tmp_path):
    with pytest.raises(TableError) as ei:
        read_table(_pdrb(tmp_path, total=2530.0))
    check(ei.value, "region 'Kabupaten Uji', year 2022: stated total (PDRB) 2,530.00 differs from the sum of the "
                    "17 sectors 1,530.00 by +1,000.00 (+39.53 %); expected agreement within 0.1 % (a PDB/PDRB "
                    "that includes net taxes on products needs its 'Pajak Dikurangi Subsidi atas Produk' row in "
                    "the table)",
          "total yang dinyatakan (PDRB) 2.530,00 berbeda dari jumlah 17 sektor 1.530,00 sebesar +1.000,00 "
          "(+39,53 %); yang diharapkan selisih paling banyak 0,1 %")


def test_weights_file(tmp_path):
    path = tmp_path / "w.json"
    path.write_text('{"gdp": -1}', encoding="utf-8")
    with pytest.raises(WeightsError) as ei:
        read_weights_file(path)
    check(ei.value, "weight of 'gdp' is -1; expected a finite number >= 0",
          "bobot 'gdp' bernilai -1; yang diharapkan angka berhingga >= 0")


# ------------------------------------------------------------------------------------------- spatial
NAMES = ("road", "slope", "flood")


def test_ahp_cell_outside_the_scale():
    with pytest.raises(WeightsError) as ei:
        validate_matrix([[1, 3, 12], [1 / 3, 1, 2], [1 / 12, 1 / 2, 1]], NAMES, source="j.csv")
    check(ei.value, "cell (road, flood) = 12 is outside Saaty's scale 1/9 .. 9",
          "sel (road, flood) = 12 berada di luar skala Saaty")


def test_ahp_diagonal():
    with pytest.raises(WeightsError) as ei:
        validate_matrix([[1, 3, 5], [1 / 3, 2, 2], [1 / 5, 1 / 2, 1]], NAMES, source="j.csv")
    check(ei.value, "diagonal cell (slope, slope) = 2; a criterion compared with itself must be 1",
          "sel diagonal (slope, slope) = 2; kriteria yang dibandingkan dengan dirinya sendiri harus bernilai 1")


def test_the_english_detector_itself():
    """The check above would catch an untranslated message."""
    assert english_left("the table has no rows")
    assert not english_left("tabel tidak memiliki baris; kolom 'the value' dan duration_days")
