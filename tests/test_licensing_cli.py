"""kawasan project|stage|template|user|agency|calendar|db on SQLite and PostgreSQL: outputs and every bad input."""
from __future__ import annotations

import json

import pytest

from kawasan.cli.main import cli
from test_licensing_store_fixtures import pg_schema_url  # noqa: F401 (fixture)


@pytest.fixture(params=["sqlite", "postgresql"])
def kw(request, tmp_path, monkeypatch, runner):
    """Run the CLI against a fresh database; returns a function kw(*args) -> click Result."""
    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KAWASAN_FILES_DIR", raising=False)
    monkeypatch.delenv("KAWASAN_MAX_UPLOAD_MB", raising=False)
    monkeypatch.delenv("KAWASAN_USER", raising=False)
    monkeypatch.setenv("KAWASAN_DB_TIMEOUT", "1")
    if request.param == "sqlite":
        monkeypatch.setenv("KAWASAN_DATABASE_URL", f"sqlite:///{tmp_path / 'home' / 'kawasan.db'}")
    else:
        url, _ = request.getfixturevalue("pg_schema_url")
        monkeypatch.setenv("KAWASAN_DATABASE_URL", url)

    monkeypatch.delenv("KAWASAN_TOKEN", raising=False)

    def run(*args, env=None, input=None):
        return runner.invoke(cli, [str(a) for a in args], env=env, input=input)

    if request.param == "postgresql":  # a shared database: the CLI proves who acts with an API token
        r = run("user", "add", "admin", "--role", "administrator")
        assert r.exit_code == 0, r.output
        monkeypatch.setenv("KAWASAN_USER", "admin")
        monkeypatch.setenv("KAWASAN_TOKEN", _token_of("admin"))
    run.backend = request.param
    return run


def _token_of(username: str) -> str:
    from kawasan.tracker import ProjectService

    svc = ProjectService()
    try:
        return svc.create_token(username, "tests")["token"]
    finally:
        svc.close()


def _create(kw, template="apht", start="2026-01-05"):
    r = kw("project", "create", "--template", template, "--name", "KIHT Contoh (synthetic)", "--start", start,
           "--regency", "Kabupaten Contoh", "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["id"]


def test_create_show_update_history_forecast(kw):
    pid = _create(kw)
    r = kw("project", "list", "--json")
    assert json.loads(r.stdout)[0]["id"] == pid
    r = kw("stage", "update", pid, "K1", "--status", "in_progress", "--on", "2026-01-06", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["version"] == 2
    r = kw("stage", "update", pid, "K1", "--status", "approved", "--on", "2026-02-20")
    assert r.exit_code == 0 and "in progress -> approved on 20 February 2026" in r.output
    r = kw("stage", "block", pid, "K5", "--reason", "parcel disputed", "--obstacle", "heirs contest parcel 5",
           "--owner", "BPN", "--until", "2026-09-01", "--on", "2026-03-02")
    assert r.exit_code == 0, r.output
    r = kw("project", "show", pid, "--today", "2026-04-01")
    assert r.exit_code == 0, r.output
    for words in ("K1", "approved", "blocked: parcel disputed", "heirs contest parcel 5", "Disperindag", "Due"):
        assert words in r.output
    st = json.loads(kw("project", "show", pid, "--json").stdout)
    assert {"due", "deemed_approved", "overdue_days", "obstacles", "agency", "status"} <= set(st["stages"][0])
    r = kw("project", "forecast", pid, "--today", "2026-04-01", "--runs", "500", "--json")
    assert r.exit_code == 0, r.output
    fc = json.loads(r.stdout)
    assert {"finish", "critical_path", "p50", "p80", "stages"} <= set(fc)
    assert all({"id", "es", "ef", "ls", "lf", "slack"} <= set(s) for s in fc["stages"])
    assert fc["critical_path"] and fc["p50"] <= fc["p80"]
    r = kw("project", "forecast", pid, "--today", "2026-04-01", "--runs", "500")
    assert r.exit_code == 0 and "Critical path" in r.output and "P80" in r.output
    r = kw("project", "whatif", pid, "--today", "2026-04-01", "--runs", "500", "--resolve", "K5=2026-05-01",
           "--shorten", "K7=100", "--json")
    assert r.exit_code == 0, r.output
    w = json.loads(r.stdout)
    assert w["days_saved"] > 0 and w["variant"]["finish"] < w["base"]["finish"]
    r = kw("project", "whatif", pid, "--today", "2026-04-01", "--runs", "500", "--resolve", "K5=2026-05-01")
    assert r.exit_code == 0 and "->" in r.output
    r = kw("project", "history", pid, "--stage", "K5", "--json")
    assert [e["kind"] for e in json.loads(r.stdout)] == ["stage.block", "obstacle.add"]
    r = kw("project", "history", pid)
    assert r.exit_code == 0 and "project created" in r.output
    r = kw("stage", "unblock", pid, "K5", "--on", "2026-03-10", "--json")
    assert json.loads(r.stdout)["to"] == "not_started"
    r = kw("stage", "obstacle", "list", pid, "--json")
    (ob,) = json.loads(r.stdout)
    r = kw("stage", "obstacle", "resolve", ob["id"], "--resolution", "settled", "--on", "2026-03-10")
    assert r.exit_code == 0, r.output
    assert kw("stage", "obstacle", "list", pid, "--open", "--json").stdout.strip() == "[]"
    r = kw("--lang", "id", "project", "show", pid)
    assert "disetujui" in r.output and "Tenggat" in r.output


@pytest.mark.parametrize("args, option", [
    (["project", "create", "--template", "apht", "--name", "X", "--start", "05/01/2026"], "--start"),
    (["project", "create", "--template", "apht", "--name", "X", "--start", "2026-02-30"], "--start"),
    (["stage", "update", "1", "K1", "--status", "approved", "--on", "2026-1-5"], "--on"),
    (["stage", "block", "1", "K1", "--reason", "x", "--until", "tomorrow"], "--until"),
    (["project", "forecast", "1", "--today", "20260101"], "--today"),
    (["calendar", "add-holiday", "2026-13-01"], "DAY"),
])
def test_dates_in_the_wrong_format_exit_2_naming_the_option(kw, args, option):
    r = kw(*args)
    assert r.exit_code == 2, r.output
    assert option in r.output and "YYYY-MM-DD" in r.output


@pytest.mark.parametrize("args, option", [
    (["project", "create", "--template", "apht", "--name", "X", "--start", "9999-12-31"], "--start"),
    (["project", "create", "--template", "apht", "--name", "X", "--start", "0001-01-01"], "--start"),
    (["project", "forecast", "1", "--today", "2620-01-05"], "--today"),
])
def test_dates_with_an_impossible_year_exit_2_at_once(kw, args, option):
    """A mistyped year used to be accepted; the forecast then took many seconds and failed about durations."""
    _create(kw)
    r = kw(*args)
    assert r.exit_code == 2, r.output
    assert option in r.output and "check the year" in r.output


def test_bad_input_paths_exit_2_with_clear_messages(kw, tmp_path):
    pid = _create(kw)
    r = kw("stage", "update", pid, "K1", "--status", "approved", "--json")
    assert r.exit_code == 2
    err = json.loads(r.stdout)
    assert err["error"] == "TransitionError" and "allowed from not_started: in_progress" in err["message"]
    r = kw("stage", "update", pid, "K99", "--status", "in_progress")
    assert r.exit_code == 2 and "K99" in r.output and "K1, K2" in r.output
    r = kw("project", "show", 4242)
    assert r.exit_code == 2 and "no project with id 4242" in r.output
    r = kw("stage", "update", pid, "K1", "--status", "in_progress", "--on", "2026-01-06", "--expect-version", "1")
    assert r.exit_code == 0
    r = kw("stage", "update", pid, "K1", "--status", "approved", "--expect-version", "1", "--json")
    assert r.exit_code == 2 and json.loads(r.stdout)["error"] == "ConflictError"
    assert "version 1" in r.output and "version 2" in r.output
    r = kw("project", "whatif", pid, "--parallel", "K2")
    assert r.exit_code == 2 and "--parallel" in r.output
    r = kw("project", "whatif", pid, "--shorten", "K2=fast")
    assert r.exit_code == 2 and "--shorten" in r.output
    r = kw("project", "whatif", pid, "--resolve", "K5=1 May")
    assert r.exit_code == 2 and "--resolve" in r.output
    r = kw("project", "create", "--template", "no-such", "--name", "X", "--start", "2026-01-05")
    assert r.exit_code == 2 and "unknown template" in r.output


def test_users_agencies_and_acting_outside_ones_agency(kw, tmp_path):
    pid = _create(kw)
    r = kw("agency", "add", "BAPPEDA", "--name", "Badan Perencanaan (synthetic)", "--json")
    assert r.exit_code == 0, r.output
    assert kw("agency", "add", "BAPPEDA", "--name", "again").exit_code == 2
    assert "BAPPEDA" in kw("agency", "list").output
    assert kw("user", "add", "dlh", "--role", "agency_officer", "--agency", "DLH").exit_code == 0
    assert kw("user", "add", "kemenperin", "--role", "viewer").exit_code == 0
    r = kw("user", "list", "--json")
    assert {u["username"] for u in json.loads(r.stdout)} >= {"admin", "dlh", "kemenperin"}
    # on the shared database each of them proves who they are with their password (asked without echo)
    shared = kw.backend == "postgresql"
    pw = {"KAWASAN_TOKEN": None} if shared else None
    if shared:
        for name in ("dlh", "kemenperin"):
            assert kw("user", "set-password", name, "--password-stdin", input="a-long-password\n").exit_code == 0
    answer = "a-long-password\n" if shared else None
    r = kw("stage", "update", pid, "K2", "--status", "in_progress", "--as", "dlh", env=pw, input=answer)
    assert r.exit_code == 2 and "own agency" in r.output and "DPMPTSP" in r.output
    r = kw("stage", "update", pid, "K6", "--status", "in_progress", "--on", "2026-02-02",
           env={"KAWASAN_USER": "dlh", **(pw or {})}, input=answer)
    assert r.exit_code == 0, r.output
    r = kw("user", "add", "x", "--role", "viewer", "--as", "kemenperin", env=pw, input=answer)
    assert r.exit_code == 2 and "administrator" in r.output
    r = kw("stage", "update", pid, "K1", "--status", "in_progress", "--as", "ghost", env=pw, input=answer)
    assert r.exit_code == 2
    assert ("wrong user name or password" if shared else "unknown user 'ghost'") in r.output
    assert "kemenperin" not in r.output  # no list of the known users for whoever asks
    r = kw("user", "add", "o2", "--role", "agency_officer")
    assert r.exit_code == 2 and "--agency" in r.output


def test_attach_documents_size_and_type(kw, tmp_path, monkeypatch):
    pid = _create(kw)
    pdf = tmp_path / "kkpr.pdf"
    pdf.write_bytes(b"%PDF-1.5\n" + b"x" * 100)
    r = kw("stage", "attach", pid, "K2", pdf, "--name", "PKKPR", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["version"] == 1
    r = kw("stage", "attach", pid, "K2", pdf, "--name", "PKKPR")
    assert r.exit_code == 0 and "version 2" in r.output
    r = kw("stage", "documents", pid, "K2", "--json")
    assert [d["version"] for d in json.loads(r.stdout)] == [1, 2]
    exe = tmp_path / "virus.exe"
    exe.write_bytes(b"MZ")
    r = kw("stage", "attach", pid, "K2", exe)
    assert r.exit_code == 2 and "'.exe' is not allowed" in r.output
    fake = tmp_path / "fake.pdf"
    fake.write_text("hello")
    r = kw("stage", "attach", pid, "K2", fake)
    assert r.exit_code == 2 and "not a PDF" in r.output
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.5\n" + b"0" * 300_000)
    r = kw("stage", "attach", pid, "K2", big, env={"KAWASAN_MAX_UPLOAD_MB": "0.1"})
    assert r.exit_code == 2 and "above the limit" in r.output
    assert len(json.loads(kw("stage", "documents", pid, "--json").stdout)) == 2


def test_templates_validate_import_list_show(kw, tmp_path):
    from kawasan.licensing.templates import builtin_template

    good = tmp_path / "t.json"
    good.write_text(json.dumps(builtin_template("kawasan-industri").model_dump(mode="json")))
    r = kw("template", "validate", good, "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["valid"] is True
    body = builtin_template("apht").model_dump(mode="json")
    body["stages"][0]["requires"] = ["K11"]  # K1 -> ... -> K11 -> K1
    bad = tmp_path / "cycle.json"
    bad.write_text(json.dumps(body))
    r = kw("template", "validate", bad)
    assert r.exit_code == 2 and "cycle" in r.output and "K1" in r.output
    plan = tmp_path / "plan.csv"
    plan.write_text("id,name,agency,duration_days,requires\nA,Survey,Bappeda,10,\nB,Permit,DPMPTSP,20,A\n")
    out = tmp_path / "plan.yaml"
    r = kw("template", "import", plan, "--name", "rencana", "--out", out, "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["registered"] is True and out.exists()
    r = kw("template", "import", plan, "--name", "rencana", "--out", out)
    assert r.exit_code == 2 and "exists" in r.output
    r = kw("template", "validate", out)
    assert r.exit_code == 0, r.output
    names = {t["name"] for t in json.loads(kw("template", "list", "--json").stdout)}
    assert {"apht", "kawasan-industri", "rencana"} <= names
    pid = _create(kw, template="rencana")
    assert [s["id"] for s in json.loads(kw("project", "show", pid, "--json").stdout)["stages"]] == ["A", "B"]
    r = kw("template", "show", "apht")
    assert r.exit_code == 0 and "K10" in r.output and "Kanwil DJBC" in r.output
    broken = tmp_path / "broken.csv"
    broken.write_text("id,name,agency,duration_days,requires\nA,Survey,Bappeda,10,Z\n")
    r = kw("template", "import", broken, "--name", "x")
    assert r.exit_code == 2 and "Z" in r.output


def test_calendar_and_db_upgrade(kw):
    r = kw("calendar", "add-holiday", "2026-02-10", "--description", "Hari jadi kabupaten (synthetic)")
    assert r.exit_code == 0, r.output
    r = kw("calendar", "add-holiday", "2026-02-14", "--workday", "--json")
    assert json.loads(r.stdout)["kind"] == "workday"
    r = kw("calendar", "list", "--year", "2026", "--json")
    days = {d["day"]: d for d in json.loads(r.stdout)["days"]}
    assert days["2026-02-10"]["origin"] == "administrator-holiday"
    assert days["2026-08-17"]["origin"] == "national"  # Independence Day
    assert "17 Aug 2026" in kw("calendar", "list", "--year", "2026").output
    r = kw("db", "upgrade", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["to"] == json.loads(r.stdout)["from"]


def test_unreachable_database_exits_1_with_a_clear_message(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("KAWASAN_DATABASE_URL", "postgresql+psycopg://kawasan:pw@127.0.0.1:1/kawasan")
    monkeypatch.setenv("KAWASAN_DB_TIMEOUT", "1")
    r = runner.invoke(cli, ["project", "list", "--json"])
    assert r.exit_code == 1
    err = json.loads(r.stdout)
    assert err["error"] == "StorageError" and "Nothing was changed" in err["message"]
    assert "pw" not in r.output


def test_locked_database_exits_1_and_keeps_everything(runner, tmp_path, monkeypatch):
    import sqlite3

    db = tmp_path / "kawasan.db"
    monkeypatch.setenv("KAWASAN_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path))
    monkeypatch.setenv("KAWASAN_DB_TIMEOUT", "0.2")
    r = runner.invoke(cli, ["project", "create", "--template", "apht", "--name", "E", "--start", "2026-01-05",
                            "--json"])
    pid = json.loads(r.stdout)["id"]
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        r = runner.invoke(cli, ["stage", "update", str(pid), "K1", "--status", "in_progress", "--on", "2026-01-06"])
        assert r.exit_code == 1 and "locked" in r.output
    finally:
        other.execute("ROLLBACK")
        other.close()
    st = json.loads(runner.invoke(cli, ["project", "show", str(pid), "--json"]).stdout)
    assert st["stages"][0]["status"] == "not_started"


def test_project_with_a_site_file(kw, tmp_path):
    poly = {"type": "Polygon", "coordinates": [[[113.1, -7.7], [113.2, -7.7], [113.2, -7.8], [113.1, -7.7]]]}
    site = tmp_path / "site.geojson"
    site.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": 5}, "geometry": poly}]}))
    r = kw("project", "create", "--template", "kawasan-industri", "--name", "KI", "--start", "2026-01-05",
           "--site", site, "--json")
    assert r.exit_code == 0, r.output
    pid = json.loads(r.stdout)["id"]
    assert json.loads(kw("project", "show", pid, "--json").stdout)["site_geometry"] == poly
    two = tmp_path / "two.geojson"
    two.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": poly}] * 2}))
    notjson = tmp_path / "bad.geojson"
    notjson.write_text("{oops")
    for path, words in ((two, "one feature"), (notjson, "not valid GeoJSON"), (tmp_path / "none.geojson",
                                                                               "file not found")):
        r = kw("project", "create", "--template", "apht", "--name", "X", "--start", "2026-01-05", "--site", path)
        assert r.exit_code == 2 and words in r.output and "--site" in r.output
    r = kw("template", "validate", tmp_path / "missing.yaml")
    assert r.exit_code == 2 and "file not found" in r.output


def test_whatif_shorten_takes_days_off_as_its_help_says(kw):
    pid = _create(kw)
    r = kw("project", "whatif", pid, "--today", "2026-04-01", "--runs", "100", "--shorten", "K7=100", "--json")
    assert r.exit_code == 0, r.output
    w = json.loads(r.stdout)
    k6 = {k: next(s for s in w[k]["stages"] if s["id"] == "K7") for k in ("base", "variant")}
    assert k6["base"]["duration"] - k6["variant"]["duration"] == 100
    assert "off" in kw("project", "whatif", "--help").output
    assert "required for rejected" not in kw("stage", "update", "--help").output


@pytest.mark.parametrize("args", [
    ["project", "show", "99999999999999999999"],
    ["stage", "update", "99999999999999999999", "K1", "--status", "in_progress"],
    ["stage", "obstacle", "resolve", "99999999999999999999", "--resolution", "x"],
    ["project", "forecast", "1", "--seed", "-5"],
])
def test_out_of_range_numbers_exit_2_not_a_traceback(kw, args):
    _create(kw)
    r = kw(*args)
    assert r.exit_code == 2, r.output
    assert "not in the range" in r.output


def test_template_options_on_the_command_line(kw):
    r = kw("template", "show", "kawasan-industri", "--option", "land=public_interest", "--application-date",
           "2025-09-01")
    assert r.exit_code == 0, r.output
    for words in ("Options of template kawasan-industri", "public_interest", "G4f", "PP 19/2021 Art. 44(2)",
                  "regime=pp5-2021", "20 working days (statutory)", "[verification"):
        assert words in r.output, words
    r = kw("--lang", "id", "template", "show", "apht")
    assert r.exit_code == 0 and "Pilihan templat apht" in r.output and "[status" in r.output and "Tahap" in r.output
    body = json.loads(kw("template", "show", "apht", "--option", "handover=capital_injection", "--json").stdout)
    assert body["options"] == [] and {c["key"]: c["value"] for c in body["chosen"]}["handover"] == "capital_injection"
    r = kw("project", "create", "--template", "kawasan-industri", "--name", "KI", "--start", "2026-01-05",
           "--option", "authority=ministry", "--option", "land=public_interest")
    assert r.exit_code == 0 and "authority=ministry" in r.output and "land=public_interest" in r.output, r.output
    for bad, words in ((["--option", "land"], "expected KEY=VALUE"), (["--option", "lnd=private"], "no option 'lnd'"),
                       (["--option", "land=a", "--option", "land=b"], "land given twice"),
                       (["--application-date", "5 May"], "--application-date")):
        r = kw("project", "create", "--template", "kawasan-industri", "--name", "KI", "--start", "2026-01-05", *bad)
        assert r.exit_code == 2 and words in r.output, r.output


def test_a_far_date_is_warned_in_the_users_language(kw):
    pid = _create(kw, start="2024-01-08")
    r = kw("--lang", "id", "stage", "update", pid, "K1", "--status", "in_progress", "--on", "2025-06-02")
    assert r.exit_code == 0 and "Peringatan:" in r.output and "setelah proyek dimulai (2024-01-08)" in r.output
    r = kw("stage", "update", pid, "K2", "--status", "in_progress", "--on", "2025-06-03", "--json")
    res = json.loads(r.stdout)
    assert res["warning_codes"][0]["key"] == "tracker.warn.prerequisites" and "K1" in res["warnings"][0]


def test_whatif_notes_in_the_users_language(kw):
    pid = _create(kw)
    assert kw("stage", "block", pid, "K5", "--reason", "dispute", "--until", "2026-09-01", "--on", "2026-03-02",
              ).exit_code == 0
    r = kw("--lang", "id", "project", "whatif", pid, "--today", "2026-04-01", "--runs", "100", "--resolve",
           "K5=2026-05-01", "--shorten", "K2=5", "--parallel", "K7,K8")
    assert r.exit_code == 0, r.output
    for words in ("K5: hambatan selesai pada 1 Mei 2026", "K2 dipersingkat 5 hari kerja (tenggat menurut peraturan",
                  "K8 berjalan bersamaan dengan K7: Tidak ditemukan aturan"):
        assert words in r.output, words
    res = json.loads(kw("project", "whatif", pid, "--today", "2026-04-01", "--runs", "100", "--resolve",
                        "K5=2026-05-01", "--json").stdout)
    assert res["notes"] == ["K5: blocker resolved on 1 May 2026"]
    assert res["note_codes"] == [{"key": "licensing.note.resolved", "params": {"stage": "K5", "day": "2026-05-01"}}]
