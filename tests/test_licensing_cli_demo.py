"""The demo's licensing project (without the slow spatial part): own database, synthetic story, forecast."""
from __future__ import annotations

import json

import pytest
from rich.console import Console

from kawasan.cli.demo import _licensing_demo
from kawasan.errors import OutputError


def _run(tmp_path, site=None, lang="en"):
    con = Console(record=True, width=160)
    _licensing_demo(con, tmp_path / "demo", tmp_path / "no-run", site, lang)
    return con.export_text()


def test_demo_project_has_realistic_progress_and_a_forecast(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("KAWASAN_DATABASE_URL", raising=False)
    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "user-home"))
    text = _run(tmp_path, site={"id": 5, "area_ha": 84.0}) + capsys.readouterr().out
    assert "SYNTHETIC" in text and "site 5 (84.0 ha) (SYNTHETIC)" in text  # the records in the demo's language
    assert "Blocked: K5" in text and "obstacle #1" in text and "In progress: K6" in text
    assert "Critical path" in text and "P80" in text
    db = tmp_path / "demo" / "licensing" / "kawasan.db"
    assert db.is_file()
    assert not (tmp_path / "user-home").exists()  # the user's own database is not touched

    from kawasan.storage.db import Settings
    from kawasan.tracker import ProjectService
    from kawasan.tracker.demo import DEMO_TODAY

    svc = ProjectService(Settings.in_folder(tmp_path / "demo" / "licensing"), today=DEMO_TODAY)
    st = {s["id"]: s for s in svc.state(1)["stages"]}
    assert {k for k, s in st.items() if s["status"] == "approved"} == {"K1", "K2", "K3", "K4"}
    assert st["K6"]["status"] == "in_progress" and st["K5"]["status"] == "blocked"
    assert st["K5"]["obstacles"][0]["owner"].startswith("BPN")
    # the KKPR came before the site determination (PP 19/2021 Arts. 6, 126-127), filed under the old rules
    assert st["K3"]["requires"] == ["K2"] and st["K2"]["due"] is not None
    state = svc.state(1)
    assert {o["key"]: o["value"] for o in state["options"]} == {"handover": "lease", "regime": "pp5-2021"}
    actors = {e["actor"] for e in svc.history(1)}
    assert {"tim-investasi", "dlh-contoh"} <= actors
    fc = svc.forecast(1, runs=10000, seed=0)
    from kawasan.i18n import fmt_date

    assert fmt_date(fc["finish"], "en") in text and "K5" in fc["critical_path"]
    svc.close()


def test_demo_rerun_replaces_its_database_and_refuses_a_foreign_folder(tmp_path, capsys):
    _run(tmp_path)
    text = _run(tmp_path, lang="id") + capsys.readouterr().out
    assert "Jalur kritis" in text and "Terhambat: K5" in text
    assert len(list((tmp_path / "demo").iterdir())) == 1  # no temporary folder left behind
    foreign = tmp_path / "other"
    (foreign / "demo" / "licensing").mkdir(parents=True)
    (foreign / "demo" / "licensing" / "mine.txt").write_text("keep")
    with pytest.raises(OutputError):
        _run(foreign)
    assert (foreign / "demo" / "licensing" / "mine.txt").read_text() == "keep"


def test_site_geometry_comes_from_the_runs_geojson(tmp_path):
    from kawasan.tracker.demo import site_geometry

    (tmp_path / "sites").mkdir()
    geom = {"type": "Polygon", "coordinates": [[[113.0, -7.0], [113.1, -7.0], [113.1, -7.1], [113.0, -7.0]]]}
    (tmp_path / "sites" / "sites.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": 5}, "geometry": geom}]}))
    assert site_geometry(tmp_path, 5) == geom and site_geometry(tmp_path, 6) is None


@pytest.mark.parametrize("lang, name", [("id", "lokasi 5 (84,0 ha) (SINTETIS)"), ("en", "site 5 (84.0 ha) (SYNTHETIC)")])
def test_the_demo_records_its_project_in_the_language_it_was_asked_in(tmp_path, monkeypatch, lang, name):
    """`kawasan --lang en demo` writes the demo's records in English, `--lang id` (or the default) in Indonesian:
    the language reaches the seeding of the licensing project."""
    from kawasan.storage.db import Settings
    from kawasan.tracker import ProjectService
    from kawasan.tracker.demo import DEMO_TODAY, story_texts

    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "user-home"))
    _run(tmp_path, site={"id": 5, "area_ha": 84.0}, lang=lang)
    svc = ProjectService(Settings.in_folder(tmp_path / "demo" / "licensing"), today=DEMO_TODAY)
    try:
        state = svc.state(1)
        assert state["name"].endswith(name)
        k5 = next(s for s in state["stages"] if s["id"] == "K5")
        assert k5["reason"] in story_texts(lang) and k5["obstacles"][0]["description"] in story_texts(lang)
    finally:
        svc.close()


def test_demo_story_is_recorded_in_indonesian_by_default_and_in_english_on_request(tmp_path):
    """The web app's default language is Indonesian: the demo's records (names, reasons, the obstacle) are
    written in it; every story text exists in both languages and is labelled SINTETIS / SYNTHETIC where it names
    a made-up party."""
    from kawasan.storage.db import Settings
    from kawasan.tracker import ProjectService
    from kawasan.tracker.demo import DEMO_TODAY, seed_demo_project, story_text, story_texts

    for lang, label, words in (("id", "SINTETIS", "ahli waris"), ("en", "SYNTHETIC", "heirs")):
        svc = ProjectService(Settings.in_folder(tmp_path / lang), today=DEMO_TODAY)
        try:
            pid = seed_demo_project(svc, site={"id": 3, "area_ha": 1234.56}, geometry=None, lang=lang)
            state = svc.state(pid)
            assert state["name"].endswith(f"({label})") and state["regency"].lower().endswith(f"({label.lower()})")
            k5 = next(s for s in state["stages"] if s["id"] == "K5")
            assert words in k5["reason"] and k5["reason"] in story_texts(lang)
            reasons = [e.get("reason") for e in svc.history(pid) if e.get("reason")]
            assert reasons and all(r in story_texts(lang) for r in reasons)
        finally:
            svc.close()
    assert "lokasi 3 (1.234,6 ha)" in story_text("project_site", "id", site=3, area=1234.56)


@pytest.mark.parametrize("flag, env, expected", [(None, None, "id"), ("en", None, "en"), ("id", None, "id"),
                                                 (None, "en", "en"), ("id", "en", "id")])
def test_the_demo_records_follow_lang_and_default_to_the_web_apps_indonesian(monkeypatch, flag, env, expected):
    """`kawasan --lang en demo` records in English; without --lang (or KAWASAN_LANG) in Bahasa Indonesia, the
    language the demo is served in."""
    import click

    from kawasan.cli.demo import records_language

    if env:
        monkeypatch.setenv("KAWASAN_LANG", env)
    else:
        monkeypatch.delenv("KAWASAN_LANG", raising=False)
    ctx = click.Context(click.Command("kawasan"))
    ctx.params["lang"] = flag
    assert records_language(click.Context(click.Command("demo"), parent=ctx)) == expected
