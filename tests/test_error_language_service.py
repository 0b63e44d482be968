"""Issue 11 item 9 (service side): real errors of the CLI and the web API read in Indonesian, with nothing English
left, and still name the value to fix; English stays English (and ``--json`` stays English for scripts).

The CLI is run with ``--lang id`` (exit code 2 for bad input); the web API answers in the request's language:
the signed-in user's setting, else the ``kw_lang`` cookie, else Indonesian (kawasan.web.render.language). The
static half (no error built from plain English text) is tests/test_error_catalogue_service.py. All names
here are SYNTHETIC.
"""
from __future__ import annotations

import json
import pickle
import re
from datetime import date

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from kawasan.cli.main import cli
from kawasan.errors import InputError, NotFoundError, label_text
from kawasan.i18n import Bilingual, Message, each_language, joined

#: English words that must not reach a reader of Indonesian in these messages (program text only: quoted
#: values, paths, identifiers and options are set aside first).
ENGLISH = ["expected", "not found", "unknown", "already exists", "cannot", "may not", "the", "file", "field",
           "user", "users", "agency", "template", "templates", "project", "stage", "row", "column", "layer",
           "database", "password", "got", "none", "required", "should", "Error", "Input", "String", "Not Found",
           "registered", "built-in", "limit", "exceeds", "stages", "characters", "nothing", "sign in", "needs",
           "or", "and", "of", "you", "this", "is", "no"]


def english_left(text: str) -> list[str]:
    """The English words of :data:`ENGLISH` left in ``text`` once values, paths and identifiers are masked."""
    masked = re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`", " ", text)                 # quoted values and code
    masked = re.sub(r"(?:/[\w.@+-]+)+/?|--[a-z][\w-]*|\b\w+[._]\w+\b|\bkawasan [a-z]+ [a-z-]+", " ", masked)
    return [w for w in ENGLISH if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", masked, re.I)]


# ------------------------------------------------------------------------------------------ the CLI
@pytest.fixture
def kw(tmp_path, monkeypatch):
    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KAWASAN_DATABASE_URL", f"sqlite:///{tmp_path / 'home' / 'kawasan.db'}")
    monkeypatch.delenv("KAWASAN_FILES_DIR", raising=False)
    monkeypatch.delenv("KAWASAN_LANG", raising=False)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, [str(a) for a in args], prog_name="kawasan")
    return run


def _cli_error(r) -> str:
    line = next((ln for ln in r.output.splitlines() if ln.startswith(("Kesalahan:", "Error:"))), "")
    assert line, r.output
    return line


CLI_CASES = [   # (arguments after --lang id, words of the Indonesian message, the value it names)
    (["user", "add", "dua kata", "--role", "viewer"], "nama pengguna harus satu kata tanpa spasi", "dua kata"),
    (["user", "add", "budi", "--role", "coordinator"], "koordinator memerlukan --regency", "regency"),
    (["template", "show", "tidak-ada"], "tidak dikenal; templat bawaan:", "tidak-ada"),
    (["db", "restore", "{tmp}/cadangan.tar"], "berkas tidak ditemukan", "cadangan.tar"),
    (["db", "backup", "{tmp}/ada.tar"], "berkas sudah ada", "ada.tar"),
]


@pytest.mark.parametrize("args, words, named", CLI_CASES, ids=lambda v: v[1] if isinstance(v, list) else None)
def test_a_cli_error_reads_in_indonesian_and_names_the_value(kw, tmp_path, args, words, named):
    (tmp_path / "ada.tar").write_bytes(b"synthetic")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    r = kw("--lang", "id", *args)
    assert r.exit_code == 2, r.output
    line = _cli_error(r)
    assert line.startswith("Kesalahan: ") and words in line and named in line, line
    assert not english_left(line.removeprefix("Kesalahan: ")), (english_left(line), line)
    en = kw(*args)
    assert en.exit_code == 2 and _cli_error(en).startswith("Error: ") and _cli_error(en) != line
    js = kw("--lang", "id", *args, "--json") if args[0] != "db" else None
    if js is not None and js.stdout.strip():      # --json is for scripts: the message stays English
        assert not json.loads(js.stdout.splitlines()[-1])["message"].startswith(words)


def test_the_source_label_and_a_limit_read_in_indonesian(kw, monkeypatch, tmp_path):
    assert kw("agency", "add", "DLH", "--name", "Dinas Lingkungan Hidup").exit_code == 0
    r = kw("--lang", "id", "agency", "add", "DLH", "--name", "Dinas Lingkungan Hidup")
    line = _cli_error(r)
    assert r.exit_code == 2 and line.startswith("Kesalahan: instansi: kolom 'code': instansi 'DLH' tanpa kabupaten"), line
    monkeypatch.setenv("KAWASAN_LIMIT_PLAN_STAGES", "banyak")
    plan = tmp_path / "rencana.csv"
    plan.write_text("id;name;agency;duration_days;requires\nS1;Survei;BAPPEDA;10;\n", encoding="utf-8")
    r = kw("--lang", "id", "template", "import", plan, "--name", "rencana-uji", "--out", tmp_path / "rencana.yaml")
    line = _cli_error(r)
    assert r.exit_code == 2 and "KAWASAN_LIMIT_PLAN_STAGES" in line and "bilangan positif" in line, line
    assert "tahap" in line and not english_left(line.removeprefix("Kesalahan: ")), line


def test_db_verify_names_each_problem_in_indonesian(kw, tmp_path):
    from sqlalchemy import text

    from kawasan.tracker import ProjectService

    svc = ProjectService(user="admin", today=date(2026, 6, 1))
    try:
        pid = svc.create_project("KIHT Uji (synthetic)", "apht", date(2026, 1, 5), regency="Kabupaten Uji")["id"]
        svc.update_stage(pid, "K1", "in_progress", on=date(2026, 1, 6))
        with svc.engine.begin() as c:          # a change made outside kawasan, past the event log
            c.execute(text("UPDATE stages SET status = 'done' WHERE project_id = :p AND stage_id = 'K1'"), {"p": pid})
    finally:
        svc.close()
    r = kw("--lang", "id", "db", "verify")
    assert r.exit_code == 1, r.output
    problem = next(ln for ln in r.output.splitlines() if "[pemeriksaan state]" in ln)
    assert f"tahap K1 proyek {pid} berbeda dengan peristiwanya: status 'done' (menurut peristiwa 'in_progress')" \
        in problem and "di luar aplikasi kawasan" in problem, problem
    assert not english_left(problem.replace("[pemeriksaan state]", "")), problem
    r = kw("db", "verify")
    assert "differs from its events: status 'done' (events say 'in_progress')" in r.output


# ------------------------------------------------------------------------------------------ labels and texts
def test_source_and_field_labels_read_in_the_language():
    err = InputError(Message("web.err.common.field_required"), source="template apht", field="row 3, column 2")
    assert err.text("id") == "templat apht: kolom 'baris 3, kolom 2': isian ini wajib"
    assert str(err) == "template apht: field 'row 3, column 2': this field is required"
    err = NotFoundError(Message("accounts.err.unknown_user", username="budi"), source="users", field="username")
    assert err.text("id") == "pengguna: kolom 'username': pengguna 'budi' tidak dikenal"
    assert label_text(Message("err.label.project", project=7), "id") == "proyek 7"
    assert label_text("layer zoning", "id") == "lapisan zoning" and label_text("zoning.tif", "id") == "zoning.tif"
    assert label_text("users", "id") == "users"          # a field named like a table stays the identifier
    assert err.to_dict()["message"] == "unknown user 'budi'"    # JSON for scripts: English


def test_messages_built_from_parts_survive_a_worker_process():
    """An error raised in a worker process reaches the CLI pickled: its key, values and labels come along."""
    m = Message("tracker.err.directory.agency_has_row_exists", code="DLH", regency="Kabupaten Uji",
                regencies=joined(["Kabupaten Lain", Message("tracker.err.directory.every_regency")]))
    err = pickle.loads(pickle.dumps(NotFoundError(m, source=Message("err.label.project", project=3))))
    assert "semua kabupaten/kota" in err.text("id") and "every regency" in str(err)
    assert err.text("id").startswith("proyek 3: instansi 'DLH' tidak terdaftar untuk Kabupaten Uji")
    b = pickle.loads(pickle.dumps(each_language(lambda lang: lang.upper())))
    assert isinstance(b, Bilingual) and str(b) == "EN" and b.text("id") == "ID"


# ------------------------------------------------------------------------------------------ the web API
@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from web_fixtures import World

    w = World("sqlite", tmp_path_factory.mktemp("web-lang"))
    yield w
    w.close()


@pytest.fixture(scope="module")
def english(world):
    """The viewer and the coordinator signed in on a browser whose language switch says English."""
    from web_fixtures import sign_in

    out = {}
    for name in ("viewer", "coord", "admin", "anon"):
        c = TestClient(world.app, base_url="http://testserver")
        c.__enter__()
        out[name] = (c, sign_in(c, name))
        c.cookies.set("kw_lang", "en")
    yield out
    for c, _ in out.values():
        c.__exit__(None, None, None)


def _call(client, csrf, method, path, body=None):
    headers = {"X-CSRF-Token": csrf} if csrf else {}
    return client.request(method, path, json=body, headers=headers)


WEB_CASES = [   # (who, method, path, body, status, field, words of the Indonesian, English words)
    ("viewer", "POST", "/api/v1/projects", {"name": "KI Uji", "template": "apht", "start": "2026-01-05"}, 403,
     "role", "ini memerlukan peran Administrator atau Koordinator", "this needs the role Administrator or Coordinator"),
    ("coord", "POST", "/api/v1/projects", {"template": "apht", "start": "2026-01-05"}, 422, "name",
     "wajib diisi", "Field required"),
    ("coord", "POST", "/api/v1/projects", {"name": "", "template": "apht", "start": "2026-01-05"}, 422, "name",
     "teks paling sedikit 1 karakter", "at least 1 character"),
    ("coord", "POST", "/api/v1/projects", {"name": "KI Uji", "template": "apht", "start": "kemarin"}, 422,
     "start", "harus tanggal atau tanggal-waktu yang sah", "valid date"),
    ("admin", "GET", "/api/v1/jobs/424242", None, 404, "job", "tidak ada tugas 424242", "no job 424242"),
    ("admin", "POST", "/api/v1/users", {"username": "dua kata", "role": "viewer"}, 422, "username",
     "nama pengguna harus satu kata", "must be one word"),
    ("anon", "GET", "/api/v1/projects", None, 401, "session", "masuk dulu", "sign in first"),
    ("coord", "GET", "/api/v1/tidak-ada", None, 404, None, "Tidak ditemukan", "Not Found"),
]


@pytest.mark.parametrize("case", WEB_CASES, ids=lambda c: f"{c[4]}-{c[1]} {c[2]}-{c[5]}")
def test_an_api_error_reads_in_the_requests_language(world, english, case):
    who, method, path, body, status, field, words, en_words = case
    r = _call(world.clients[who], world.csrf[who], method, path, body)
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert set(r.json()) == {"error"} and err.get("field") == field, err
    assert words in err["message"], err       # no language chosen: the web app's, Indonesian
    assert not english_left(err["message"]), (english_left(err["message"]), err["message"])
    c, csrf = english[who]
    r = _call(c, csrf, method, path, body)
    assert r.status_code == status and en_words in r.json()["error"]["message"], r.text
    assert r.json()["error"].get("field") == field and r.json()["error"]["code"] == err["code"]


def test_the_users_own_language_setting_wins_over_the_cookie(world):
    from web_fixtures import sign_in

    world.svc.set_language("dpm", "en")
    c = TestClient(world.app, base_url="http://testserver")
    with c:
        csrf = sign_in(c, "dpm")
        c.cookies.set("kw_lang", "id")
        r = _call(c, csrf, "POST", "/api/v1/projects", {"name": "KI Uji", "template": "apht", "start": "2026-01-05"})
    world.svc.set_language("dpm", "id")
    assert r.status_code == 403 and "this needs the role" in r.json()["error"]["message"], r.text


def test_a_form_page_error_reads_in_indonesian(world):
    """The HTML error page of a refused form (the pages share the API's handler): Indonesian, no English."""
    r = world.clients["admin"].post("/admin/calendar", data={"day": "", "csrf_token": world.csrf["admin"]})
    assert r.status_code == 422, r.text[:300]
    body = re.sub(r"<[^>]+>", " ", r.text)
    assert "berikan harinya (YYYY-MM-DD)" in body, body[:2000]


# ------------------------------------------------------------------------------------------ analysis jobs
def test_a_failed_or_interrupted_job_keeps_its_reason_in_both_languages(tmp_path):
    """A job's error is stored in English (``error``, the record) and in every language beside it, so the
    analysis page and the jobs API show it in the reader's language."""
    import socket
    import subprocess
    import sys

    from kawasan.jobs.runners import run_job
    from kawasan.tracker import ProjectService, Settings
    from kawasan.tracker.jobs import JobService
    from kawasan.web.api.analysis import _public

    settings = Settings.in_folder(tmp_path / "home")
    ProjectService(settings, user="admin").close()
    jobs = JobService(settings)
    params = {"model": {"name": "uji"}, "model_name": "uji", "data": str(tmp_path / "tidak-ada"),
              "study_area": "tidak-ada", "run": "r1"}
    job = jobs.submit("suitability", "r1", params, actor="admin")
    assert run_job(job["id"], jobs) == "failed"
    done = jobs.get(job["id"])
    texts = done["result"]["error_text"]
    assert done["error"] == texts["en"] and texts["id"] != texts["en"]
    assert _public(done, "id")["error"] == texts["id"] and _public(done, "en")["error"] == done["error"]
    assert "error_text" not in (_public(done, "id")["result"] or {})

    other = jobs.submit("suitability", "r2", dict(params, run="r2"), actor="admin")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    jobs.start(other["id"], worker=f"{socket.gethostname()}:{dead.pid}")
    assert jobs.mark_interrupted() == [other["id"]]
    lost = jobs.get(other["id"])
    assert "server restart" in lost["error"]
    assert _public(lost, "id")["error"].startswith("proses pekerja") and "dimulai ulang" in _public(lost, "id")["error"]


def test_the_step_of_a_job_reads_in_the_language():
    from kawasan.web.api.analysis import step_text

    assert step_text("candidate sites", "id") == "calon lokasi" and step_text("candidate sites", "en") == "candidate sites"
    assert step_text("layer zoning", "id") == "lapisan zoning" and step_text("boundary", "id") == "batas wilayah"
    assert step_text("dem", "id") == "dem"          # a step named by its data (DEM, OSM) stays its name
