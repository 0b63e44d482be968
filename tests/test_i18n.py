"""Everything a user reads exists in both languages, and numbers and dates are written one way per language.

* every catalogue key has a non-empty text in Bahasa Indonesia and English with the same placeholders;
* every label, note and legal-basis sentence of the presets and licensing templates is ``{en, id}``;
* kawasan.i18n writes 1.389,6 / 1,389.6 and 4 Desember 2026 / 4 December 2026 (Babel), and the CLI, the
  reports and the web app use it;
* representative commands run with ``--lang id`` print no English word of a stop-list (program text only:
  file paths, data a user typed and the demo's SYNTHETIC story are set aside).
"""
from __future__ import annotations

import json
import re
import shutil
import string
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from i18n_sources import PRESETS, TEMPLATES, bilingual_fields, plain_text_fields, yaml_files
from kawasan.cli.main import cli
from kawasan.i18n import (Message, catalogue, certainty_tag, fmt_date, fmt_datetime, fmt_int, fmt_number,
                          fmt_percent, format_number, t, text_in)

#: Catalogue texts that read the same in both languages: codes, names and terms kept as they are.
SAME_IN_BOTH = {
    "econ.basis", "econ.non_basis", "econ.unit.idr", "fetch.tile_line", "report.meta.model",
    "licensing.role.administrator", "licensing.note.text", "potential.comp.gdp", "potential.unit.port_distance",
    "potential.input.ipm", "econreport.lq.title", "econreport.quad.title", "econreport.ss.title", "tracker.col_id",
    "tracker.col_es", "tracker.col_ef", "tracker.col_ls", "tracker.col_lf", "tracker.col_slack", "tracker.col_event",
    "tracker.col_sha256", "web.col.status", "web.project.status", "web.project.target", "web.account.purpose.api",
    "tracker.demo_blocked", "report.transform.name.sigmoid", "report.transform.name.gaussian", "prepare.kind.raster",
    "help.kawasan sites extract --min-compactness", "cli.extra.envvar", "run.class.nodata",
    "prepare.err.boundary.what_hint", "run.note.sources.tried",
    # punctuation that joins translated parts ("{first}, {rest}", "{field}: {message}", "+1.25 %")
    "econ.err.readers.with_sheet_hint", "econ.err.tables.share", "econ.err.tables.then", "licensing.err.templates.list_item",
    "model.err.first_problem", "model.err.problem_at", "model.err.problems_then", "run.note.sitecheck.basis",
}
#: Fields of the presets and templates that are not sentences: identifiers, URLs and the model files' own notes.
PLAIN_ALLOWED = re.compile(r"(^name$|\.source$|^source$|^description$)")


# ------------------------------------------------------------------------------------------ catalogues
def test_every_key_has_both_languages_with_the_same_placeholders():
    catalogue.cache_clear()
    en, idn = catalogue("en"), catalogue("id")
    assert sorted(set(en) ^ set(idn)) == [], "keys in one catalogue only"
    fmt = string.Formatter()
    for key in en:
        assert en[key].strip() and idn[key].strip(), f"{key}: empty text"
        if key.startswith("help."):      # --help texts are not format strings
            continue
        ph = [{f for _, f, _, _ in fmt.parse(text) if f} for text in (en[key], idn[key])]
        assert ph[0] == ph[1], f"{key}: placeholders {ph[0]} in English, {ph[1]} in Indonesian"


def test_no_indonesian_text_is_a_copy_of_the_english():
    en, idn = catalogue("en"), catalogue("id")
    copies = sorted(k for k in en if en[k] == idn[k] and k not in SAME_IN_BOTH and not k.startswith("help."))
    assert not copies, f"catalogue keys whose Indonesian is the English text: {copies}"


@pytest.mark.parametrize("path", PRESETS + TEMPLATES, ids=lambda p: p.name)
def test_every_sentence_of_the_presets_and_templates_is_bilingual(path):
    doc = next(d for f, _, d in yaml_files() if f.endswith(path.name) and path.parent.name in f)
    missing = [f"{where}: {sorted({'en', 'id'} - set(k for k, v in node.items() if v and v.strip()))}"
               for where, node in bilingual_fields(doc) if not (node.get("en") and node.get("id"))]
    plain = [f"{where}: {text[:60]!r}" for where, text in plain_text_fields(doc)
             if not PLAIN_ALLOWED.search(where) and not text.startswith("http")]
    assert not missing, f"{path.name}: a language missing in {missing}"
    assert not plain, f"{path.name}: one-language text in {plain} (write it as {{en: ..., id: ...}})"


def test_class_labels_exist_in_both_languages():
    from kawasan.spatial.model import CLASS_LABELS

    for cls, labels in CLASS_LABELS.items():
        assert labels.get("en") and labels.get("id") and labels["en"] != labels["id"], cls


# ------------------------------------------------------------------------------------------ formatting
def test_numbers_per_language():
    assert fmt_number(1389.6, "id") == "1.389,6" and fmt_number(1389.6, "en") == "1,389.6"
    assert fmt_number(0.5, "id", 3) == "0,500" and fmt_int(10000, "id") == "10.000"
    assert fmt_percent(0.125, "id", 1) == "12,5 %" and fmt_number(None, "id") == "–"
    assert fmt_number(float("nan"), "en") == "–"
    assert format_number(1234567.891, ",.2f", "id") == "1.234.567,89"
    assert format_number(0.12345, ".3g", "id") == "0,123"


def test_digits_are_the_same_in_both_languages():
    """Rounding is Python's (half to even on the exact binary value) in both: only the separators differ."""
    for x in (2.675, 0.125, 1e-7, 123456.5, -0.05):
        en, idn = fmt_number(x, "en", 2), fmt_number(x, "id", 2)
        assert idn == en.replace(",", "\0").replace(".", ",").replace("\0", "."), (x, en, idn)
        assert en == f"{x:,.2f}"


def test_dates_per_language():
    d = date(2026, 12, 4)
    assert fmt_date(d, "id") == "4 Desember 2026" and fmt_date(d, "en") == "4 December 2026"
    assert fmt_date("2026-12-04", "id", short=True) == "4 Des 2026"
    assert fmt_datetime(datetime(2026, 12, 4, 9, 30, tzinfo=timezone.utc), "id") == "4 Desember 2026 09:30 UTC"
    assert fmt_date(None, "id") == "–"


def test_messages_write_numbers_and_dates_for_their_language():
    assert t("prepare.summary", "id", name="X", area=1389.6, crs="EPSG:32749", width=10, height=20, res=30.0,
             buffer=5000.0).startswith("Wilayah studi X: 1.389,6 km²")
    m = Message("err.on_future", on=date(2026, 12, 4), today=date(2026, 12, 1))
    assert str(m).startswith("4 December 2026 is in the future (today is 1 December 2026)")
    assert m.text("id").startswith("4 Desember 2026 belum terjadi (hari ini 1 Desember 2026)")
    assert text_in({"en": "a", "id": "b"}, "id") == "b" and text_in("plain", "id") == "plain"


def test_certainty_tags_read_in_the_language():
    assert certainty_tag("design", "id") == "rancangan" and certainty_tag("V; P", "id") == "V; P"
    assert certainty_tag("NOT FOUND", "id") == "TIDAK DITEMUKAN" and certainty_tag("design", "en") == "design"


def test_one_formatting_module_for_cli_reports_and_web():
    import kawasan.i18n as i18n
    from kawasan.reports import tables
    from kawasan.web import i18n as web_i18n

    assert web_i18n.fmt_date is i18n.fmt_date and web_i18n.fmt_number is i18n.fmt_number
    assert tables.num(1389.6, 1, "id") == i18n.fmt_number(1389.6, "id", 1)


def test_an_error_reads_in_the_users_language(tmp_path):
    r = CliRunner().invoke(cli, ["--lang", "id", "sites", "extract", str(tmp_path)], prog_name="kawasan")
    assert r.exit_code == 2
    assert f"Kesalahan: {tmp_path}: bukan folder hasil analisis" in r.output
    r = CliRunner().invoke(cli, ["--lang", "id", "sites", "extract", str(tmp_path), "--json"], prog_name="kawasan")
    assert json.loads(r.stdout.splitlines()[-1])["message"].startswith("not a run folder")   # JSON stays English


# ------------------------------------------------------------------------------------------ the stop-list
#: English words that must not reach a reader of --lang id (program text; names, paths and data set aside).
STOP_WORDS = ["excluded", "design", "billion", "site", "sites", "Error", "Usage", "Options", "Candidate",
              "score", "weight", "weights", "draws", "Report", "note", "layer", "rank", "Minimum", "mean",
              "passes", "fails", "from the", "working days", "Project", "stage", "Stage", "blocked", "not found",
              "expected", "obstacle", "owner", "Completion", "Critical path", "synthetic"]


def _program_text(output: str, data: list[str]) -> str:
    """The output without file paths, command lines, option values, identifiers (JSON fields, model keys,
    choices) and the data a user (or the demo's story) put in."""
    for d in sorted(data, key=len, reverse=True):
        output = output.replace(d, " ")
    masks = [r"(?:/[\w.@+-]+)+/?",                                   # paths
             r"--[a-z][\w-]*(?:[= ][\w.,=-]+)?",                      # options with their values
             r"\bkawasan(?: [a-z][a-z-]*){1,3}",                        # command lines
             r"\[[\w|]+\]|\[bawaan: [^\]]*\]",                           # choices and defaults in --help
             r"\((?:[a-z_]+, )+[^)]*\)",                                 # lists of JSON fields
             r"\b\w+\.\w+\b", r"\b\w+_\w+\b"]                                # model keys, identifiers
    for rx in masks:
        output = re.sub(rx, " ", output)
    return output


def _stop_words_in(text: str) -> list[str]:
    return [w for w in STOP_WORDS if re.search(rf"(?<![\w_-]){re.escape(w)}(?![\w_-])", text)]


@pytest.fixture(scope="module")
def id_demo(tmp_path_factory, demo_dir):
    """The demo run folders (English demo, copied) and their licensing database, used by commands in Indonesian."""
    root = tmp_path_factory.mktemp("id-demo") / "demo"
    shutil.copytree(demo_dir, root)
    return root


def _demo_story() -> list[str]:
    """The demo's SYNTHETIC project story (data recorded in the database, in Bahasa Indonesia by default)."""
    from kawasan.tracker import demo

    return demo.story_texts("id") + demo.story_texts("en")


def test_commands_in_indonesian_print_no_english(id_demo, monkeypatch):
    """The issue's sample: --lang id left "Physical exclusion [design]", "Probolinggo's KIHT site rule", class
    "excluded", "satuan billion IDR", "Galat:" and English help; representative commands of every family."""
    runs = id_demo / "runs"
    db = id_demo / "licensing" / "kawasan.db"
    monkeypatch.setenv("KAWASAN_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("COLUMNS", "2000")           # tables unwrapped: the data they hold is found and set aside
    site = id_demo / "site.geojson"
    feats = json.loads((runs / "apht" / "sites" / "sites.geojson").read_text())
    site.write_text(json.dumps({**feats, "features": feats["features"][:1]}))
    econ = str(__import__("pathlib").Path(__file__).parent / "data" / "economics" / "pdrb_province_beside_indonesia.csv")
    name = json.loads(CliRunner().invoke(cli, ["project", "show", "1", "--json"]).stdout)["name"]
    commands = [
        ["suitability", "run", "apht", "--data", str(id_demo / "data"), "--out", str(id_demo / "new-run")],
        ["sites", "extract", str(runs / "apht")],
        ["sites", "rank", str(runs / "apht"), "--by", "topsis"],
        ["sites", "sensitivity", str(runs / "apht"), "-n", "100", "--no-map"],
        ["sites", "check", str(site), "--run", str(runs / "apht")],
        ["report", str(runs / "apht")],
        ["economy", "lq", econ, "--region", "Provinsi Contoh", "--reference", "Indonesia"],
        ["economy", "shiftshare", econ, "--region", "Provinsi Contoh", "--reference", "Indonesia",
         "--reference-total", "gdp"],
        ["project", "show", "1", "--today", "2025-06-02"],
        ["project", "forecast", "1", "--today", "2025-06-02", "--runs", "200"],
        ["project", "whatif", "1", "--today", "2025-06-02", "--runs", "200", "--resolve", "K5=2025-09-01"],
        ["project", "history", "1"],
        ["template", "show", "apht"],
        ["calendar", "list", "--year", "2025"],
        ["stage", "obstacle", "list", "1"],
        ["suitability", "run", "nope", "--data", str(id_demo), "--out", str(id_demo / "x")],
        ["sites", "extract", str(id_demo / "missing")],
        ["project", "show", "99"],
        ["stage", "update", "1", "K9", "--status", "bogus"],
        ["sites", "extract", "--help"],
        ["project", "--help"],
    ]
    found = []
    for args in commands:
        r = CliRunner().invoke(cli, ["--lang", "id", *args], prog_name="kawasan")
        text = _program_text(r.output, [name, *_demo_story()])
        words = _stop_words_in(text)
        if words:
            found.append(f"kawasan --lang id {' '.join(args)}: {words}\n{text}")
    assert not found, "\n\n".join(found)


# ------------------------------------------------------------------------------------------ errors in Indonesian
def _grid():
    from kawasan.spatial.grid import Grid

    return Grid.from_bounds("EPSG:32749", 500000.0, 9103000.0, 30.0, 100, 100)


def _error_cases(tmp):
    """(module, callable raising a KawasanError, what the message must still name) for a sample of the converted
    error paths: at least one per module."""
    from importlib import import_module

    from kawasan.licensing import calendar, roles, variants
    from kawasan.licensing.templates import builtin_template
    from kawasan.spatial import ahp, rasters, studyarea, vectors
    from kawasan.spatial.runs import read as runs
    from kawasan.spatial.sites import ranking
    from kawasan.spatial.sites import sensitivity
    from kawasan.spatial.sites import check as sitecheck
    from kawasan.spatial.sites import candidates as sites
    from kawasan.spatial.ingest import agency, boundary, dem, fetch_sources, gridplan, osm, osm_mapping

    forecast, whatif = (import_module(f"kawasan.licensing.{m}") for m in ("forecast", "whatif"))
    apht = builtin_template("apht")
    empty_pbf, bad_mapping, bad_run = tmp / "empty.osm.pbf", tmp / "mapping.yaml", tmp / "run"
    return [
        ("licensing.calendar", lambda: calendar._as_date("2024-13-01", "on"), "2024-13-01"),
        ("licensing.roles", lambda: roles.parse_role("boss"), "boss"),
        ("licensing.roles", lambda: roles.require_can_act("coordinator", None, "Kab A", "Kab B", "DLH", user="tim",
                                                          stage="K2"), "Kab B"),
        ("licensing.variants", lambda: variants.choose_variant(apht, {"nope": "x"}), "nope"),
        ("licensing.forecast", lambda: forecast.forecast(apht, None, date(2025, 1, 6), date(2025, 1, 6), runs=0),
         "0"),
        ("licensing.whatif", lambda: whatif.apply_scenario(apht, None, whatif.Scenario(shorten={"K2": -3.0})), "K2"),
        ("ingest.agency", lambda: agency.parse_layer_arg("zoning"), "zoning"),
        ("ingest.boundary", lambda: boundary.read_boundary(tmp / "batas.geojson"), "batas.geojson"),
        ("ingest.dem", lambda: dem.expand_paths([str(tmp / "nothing-*.tif")]), "nothing-*.tif"),
        ("ingest.gridplan", lambda: gridplan.plan_grid((0, 0, 1, 1), "EPSG:32749", -5, 0), "-5"),
        ("ingest.fetch_sources", lambda: fetch_sources.load_sources(tmp / "sumber.yaml"), "sumber.yaml"),
        ("ingest.osm", lambda: osm.extract_osm(empty_pbf), "empty.osm.pbf"),
        ("ingest.osm_mapping", lambda: osm_mapping.load_osm_mapping(bad_mapping), "7"),
        ("spatial.ahp", lambda: ahp.parse_judgement("tiga", field="jalan,sungai"), "tiga"),
        ("spatial.ahp", lambda: ahp.check_consistency(ahp.ahp_weights(
            [[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]], ["jalan", "sungai", "lereng"]), allow_inconsistent=False),
         "jalan"),
        ("spatial.ranking", lambda: ranking.check_weights([0.5, -1.0], 2), "-1"),
        ("spatial.sensitivity", lambda: sensitivity.oat_weights([0.5, 0.5], 0, 1.5), "1.5"),
        ("spatial.rasters", lambda: rasters.read_on_grid(tmp / "lereng.tif", _grid(), categorical=False,
                                                              allow_resample=False), "lereng.tif"),
        ("spatial.grid", lambda: rasters.read_on_grid(tmp / "lereng_60m.tif", _grid(), categorical=False,
                                                      allow_resample=False), "(60.0, 60.0)"),
        ("spatial.vectors", lambda: vectors.read_features(tmp / "sungai.gpkg"), "sungai.gpkg"),
        ("spatial.runs", lambda: runs.open_run(bad_run), "manifest.json"),
        ("spatial.studyarea", lambda: studyarea.open_study_area(tmp / "nowhere"), "nowhere"),
        ("spatial.sites", lambda: sites.extract(SimpleNamespace(grid=_grid()), sites.ExtractRules(min_area_ha=-1.0)),
         "-1"),
        ("spatial.sitecheck", lambda: sitecheck.load_site_geometry(_point_site(tmp), _grid()), "site.geojson"),
    ]


def _point_site(tmp):
    p = tmp / "site.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                             "geometry": {"type": "Point", "coordinates": [111.0, -8.1]}}]}))
    return p


def _write_inputs(tmp):
    """The bad input files some cases read: an empty PBF, a mapping of an unknown version, a broken run manifest."""
    (tmp / "empty.osm.pbf").write_bytes(b"")
    (tmp / "mapping.yaml").write_text("version: 7\n")
    (tmp / "run").mkdir()
    (tmp / "run" / "manifest.json").write_text("{not json")
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    with rasterio.open(tmp / "lereng_60m.tif", "w", driver="GTiff", width=50, height=50, count=1, dtype="float32",
                       crs="EPSG:32749", transform=from_origin(500000.0, 9103000.0, 60.0, 60.0)) as ds:
        ds.write(np.ones((1, 50, 50), dtype="float32"))


@pytest.fixture
def error_cases(tmp_path):
    _write_inputs(tmp_path)
    return {f"{i:02d}-{name}": (call, named) for i, (name, call, named) in enumerate(_error_cases(tmp_path))}


@pytest.mark.parametrize("case", [f"{i:02d}-{n}" for i, (n, _, _) in enumerate(_error_cases(
    __import__("pathlib").Path("/nonexistent")))])
def test_errors_read_in_indonesian_and_still_name_the_value(case, error_cases):
    """Each converted error path, shown under --lang id: no English word of the stop-list is left, the text is not
    the English one, and it still names the file, field or value the user has to fix."""
    from kawasan.errors import KawasanError

    call, named = error_cases[case]
    with pytest.raises(KawasanError) as info:
        call()
    err = info.value
    idn, en = err.text("id"), err.text("en")
    assert named in idn, f"{case}: {idn!r} no longer names {named!r}"
    assert idn != en, f"{case}: the Indonesian text is the English one: {en!r}"
    words = _stop_words_in(_program_text(idn, [named, str(err.source or "")]))
    assert not words, f"{case}: English words {words} in {idn!r}"


def test_a_prepare_error_reads_in_indonesian_on_the_command_line(tmp_path):
    r = CliRunner().invoke(cli, ["--lang", "id", "data", "prepare", "--boundary", str(tmp_path / "batas.geojson"),
                                 "--dem", str(tmp_path / "dem.tif"), "--out", str(tmp_path / "ws")], prog_name="kawasan")
    assert r.exit_code == 2, r.output
    assert "berkas" in r.output and "batas.geojson" in r.output
    assert not _stop_words_in(_program_text(r.output, []))


def test_datetimes_of_manifests_read_for_the_language_and_odd_ones_shown_as_they_are():
    """The map lists runs by the time in their manifest: written for the language, in UTC; a time some other
    tool wrote in another shape is shown as it is rather than failing the page."""
    from kawasan.i18n import fmt_datetime

    assert fmt_datetime("2026-12-05T04:11:59+00:00", "id") == "5 Desember 2026 04:11 UTC"
    assert fmt_datetime("2026-12-05T11:11:59+07:00", "en") == "5 December 2026 04:11 UTC"
    assert fmt_datetime("kemarin sore", "id") == "kemarin sore"
