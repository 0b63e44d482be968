"""ProjectService on SQLite and PostgreSQL: events, transitions, versions, permissions, obstacles, documents."""
from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest

from kawasan.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError, TransitionError
from test_licensing_store_fixtures import TODAY, pg_schema_url, settings, svc  # noqa: F401 (fixtures)

START = date(2026, 1, 5)


@pytest.fixture
def project(svc):  # noqa: F811
    return svc.create_project("KIHT Contoh (synthetic)", "apht", START, regency="Kabupaten Contoh")["id"]


def _stage(svc, pid, sid):
    return next(s for s in svc.state(pid)["stages"] if s["id"] == sid)


def test_create_project_starts_every_stage_not_started(svc, project):  # noqa: F811
    st = svc.state(project)
    assert st["template"] == "apht" and st["start"] == START.isoformat()
    assert [s["id"] for s in st["stages"]] == [f"K{i}" for i in range(1, 15)]
    assert {s["status"] for s in st["stages"]} == {"not_started"} and {s["version"] for s in st["stages"]} == {1}
    (ev,) = svc.history(project)
    assert ev["kind"] == "project.create" and ev["actor"] == "admin" and ev["effective_date"] == START.isoformat()
    # the template's agencies are known to the tracker, so officers can be assigned to them
    assert {"DPMPTSP", "DLH", "Kanwil DJBC"} <= {a["code"] for a in svc.list_agencies()}
    assert svc.list_projects()[0]["status_counts"] == {"not_started": 14}


def test_every_change_is_one_event_with_who_when_what_why(svc, project):  # noqa: F811
    svc.update_stage(project, "K1", "in_progress", on=date(2026, 1, 6), reason="consultant hired")
    res = svc.update_stage(project, "K1", "approved", on=date(2026, 3, 2))
    assert res["version"] == 3 and res["from"] == "in_progress" and res["to"] == "approved"
    hist = svc.history(project, "K1")
    assert [(h["from"], h["to"]) for h in hist] == [("not_started", "in_progress"), ("in_progress", "approved")]
    assert hist[0]["reason"] == "consultant hired" and hist[0]["actor"] == "admin"
    assert hist[0]["effective_date"] == "2026-01-06" and hist[0]["recorded_at"]
    assert len(svc.history(project)) == 3


def test_illegal_transition_lists_the_allowed_ones_and_writes_nothing(svc, project):  # noqa: F811
    n = len(svc.history(project))
    with pytest.raises(TransitionError) as e:
        svc.update_stage(project, "K1", "approved", on=date(2026, 1, 6))
    msg = str(e.value)
    assert "not_started" in msg and "in_progress" in msg and "submitted" in msg and "waived" in msg
    svc.update_stage(project, "K1", "waived", on=date(2026, 1, 6), reason="studies done in 2021")
    with pytest.raises(TransitionError, match="final"):
        svc.update_stage(project, "K1", "in_progress")
    assert len(svc.history(project)) == n + 1
    with pytest.raises(TransitionError, match="reason"):
        svc.update_stage(project, "K3", "waived", on=date(2026, 1, 6))
    with pytest.raises(InputError, match="stage block"):
        svc.update_stage(project, "K3", "blocked", on=date(2026, 1, 6))
    with pytest.raises(TransitionError, match="unknown stage status"):
        svc.update_stage(project, "K3", "finished")


def test_unknown_project_stage_obstacle_user(svc, project):  # noqa: F811
    with pytest.raises(NotFoundError, match=f"no project with id 999; existing ids: {project}"):
        svc.state(999)
    with pytest.raises(NotFoundError, match="stage 'G3' is not in project .* K1, K2"):
        svc.update_stage(project, "G3", "in_progress")
    with pytest.raises(NotFoundError, match="no obstacle with id 42"):
        svc.resolve_obstacle(42, "done")
    with pytest.raises(NotFoundError, match="unknown user 'nobody'"):
        svc.update_stage(project, "K1", "in_progress", actor="nobody")
    with pytest.raises(NotFoundError, match="unknown template 'nope'"):
        svc.create_project("X", "nope", START)


def test_dates_must_be_past_after_start_and_in_order(svc, project):  # noqa: F811
    with pytest.raises(InputError, match="in the future"):
        svc.update_stage(project, "K1", "in_progress", on=date(2026, 7, 1))
    with pytest.raises(InputError, match="before the project start"):
        svc.update_stage(project, "K1", "in_progress", on=date(2025, 12, 1))
    svc.update_stage(project, "K1", "in_progress", on=date(2026, 2, 2))
    with pytest.raises(InputError, match="recorded in order"):
        svc.update_stage(project, "K1", "approved", on=date(2026, 2, 1))
    svc.block_stage(project, "K1", reason="waiting for the consultant", on=date(2026, 3, 2))
    with pytest.raises(InputError, match="recorded in order"):
        svc.unblock_stage(project, "K1", on=date(2026, 3, 1))
    with pytest.raises(InputError, match="check the year"):
        svc.create_project("Typo", "apht", date(9999, 12, 31))


def test_stale_version_is_a_conflict_naming_stage_and_versions(svc, project):  # noqa: F811
    seen = _stage(svc, project, "K1")["version"]
    svc.update_stage(project, "K1", "in_progress", on=date(2026, 1, 6), expected_version=seen)  # first writer wins
    n = len(svc.history(project))
    with pytest.raises(ConflictError) as e:
        svc.update_stage(project, "K1", "waived", reason="x", expected_version=seen)  # second writer read v1
    assert "K1" in str(e.value) and "version 1" in str(e.value) and "version 2" in str(e.value)
    assert len(svc.history(project)) == n and _stage(svc, project, "K1")["status"] == "in_progress"


def test_concurrent_write_between_read_and_write_is_detected(svc, project, settings):  # noqa: F811
    """Another transaction commits after we read the row: the versioned UPDATE matches nothing -> conflict."""
    if svc.embedded:
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE: a second writer cannot commit in between")
    import psycopg
    from sqlalchemy import select

    from kawasan.storage.models import Project, StageRow, User
    from test_licensing_store_fixtures import _raw

    with pytest.raises(ConflictError, match="while this change was being written"):
        with svc._write() as s:
            user = s.scalar(select(User).where(User.username == "admin"))
            p = s.get(Project, project)
            row = s.scalar(select(StageRow).where(StageRow.project_id == project, StageRow.stage_id == "K1"))
            with psycopg.connect(_raw(settings.database_url), autocommit=True) as other:
                other.execute("UPDATE stages SET version = version + 1 WHERE project_id = %s AND stage_id = 'K1'",
                              (project,))
            svc._set_status(s, user, p, row, "in_progress", reason=None, on=date(2026, 1, 6), expected_version=None)
    assert svc.history(project, "K1") == []


def test_roles_and_agencies(svc, project):  # noqa: F811
    svc.add_user("dlh", "agency_officer", agency="DLH")
    svc.add_user("tim", "coordinator", regency="Kabupaten Contoh")
    svc.add_user("other", "coordinator", regency="Kabupaten Lain")
    svc.add_user("kemenperin", "viewer")
    svc.update_stage(project, "K6", "in_progress", on=date(2026, 2, 2), actor="dlh")  # K6 is DLH's stage
    with pytest.raises(PermissionDeniedError, match="K2.*DPMPTSP.*own agency"):
        svc.update_stage(project, "K2", "in_progress", actor="dlh")
    with pytest.raises(PermissionDeniedError, match="viewer"):
        svc.update_stage(project, "K2", "in_progress", actor="kemenperin")
    with pytest.raises(PermissionDeniedError, match="own regency"):
        svc.update_stage(project, "K2", "in_progress", actor="other")
    svc.update_stage(project, "K2", "in_progress", on=date(2026, 2, 2), actor="tim")
    with pytest.raises(PermissionDeniedError):
        svc.add_obstacle(project, "K2", "x", owner="y", actor="dlh")
    with pytest.raises(PermissionDeniedError, match="only an administrator"):
        svc.add_user("x", "viewer", actor="tim")
    with pytest.raises(PermissionDeniedError, match="only an administrator"):
        svc.add_agency("BAPPEDA", "Bappeda", actor="tim")
    with pytest.raises(PermissionDeniedError, match="may not create a project in Kabupaten Contoh"):
        svc.create_project("Y", "apht", START, regency="Kabupaten Contoh", actor="other")
    with pytest.raises(PermissionDeniedError, match="may not create projects"):
        svc.create_project("Y", "apht", START, actor="kemenperin")
    assert svc.create_project("Z", "apht", START, actor="tim")["regency"] == "Kabupaten Contoh"
    # the regency is matched as for acting on stages (case and spacing ignored): may create what it may act on
    z2 = svc.create_project("Z2", "apht", START, regency="kabupaten  contoh", actor="tim")["id"]
    svc.update_stage(z2, "K1", "in_progress", on=START, actor="tim")
    # input checks on users
    with pytest.raises(InputError, match="needs --agency"):
        svc.add_user("a2", "agency_officer")
    with pytest.raises(NotFoundError, match="unknown agency 'XYZ'"):
        svc.add_user("a3", "agency_officer", agency="XYZ")
    with pytest.raises(InputError, match="already exists"):
        svc.add_user("dlh", "viewer")
    who = {h["actor"] for h in svc.history(project)}
    assert {"dlh", "tim"} <= who


def test_first_user_of_an_empty_shared_database_must_be_an_administrator(settings):  # noqa: F811
    from kawasan.tracker import ProjectService

    s = ProjectService(settings)
    try:
        if s.embedded:
            assert [u["username"] for u in s.list_users()] == ["admin"]
            return
        assert s.list_users() == []
        with pytest.raises(PermissionDeniedError, match="say who acts"):
            s.create_project("X", "apht", START)
        with pytest.raises(PermissionDeniedError, match="first user must be an administrator"):
            s.add_user("v", "viewer")
        s.add_user("boss", "administrator")
        assert s.create_project("X", "apht", START, actor="boss")["id"] >= 1
    finally:
        s.close()


def test_block_with_obstacle_then_unblock_returns_to_previous_state(svc, project):  # noqa: F811
    svc.update_stage(project, "K5", "in_progress", on=date(2026, 2, 2))
    res = svc.block_stage(project, "K5", reason="ownership of parcel 5 disputed", on=date(2026, 3, 2),
                          expected_unblock=date(2026, 8, 3), obstacle="heirs contest parcel 5", owner="BPN")
    st = _stage(svc, project, "K5")
    assert st["status"] == "blocked" and st["reason"] == "ownership of parcel 5 disputed"
    assert st["blocked_since"] == "2026-03-02" and st["expected_unblock"] == "2026-08-03"
    (ob,) = st["obstacles"]
    assert ob["id"] == res["obstacle_id"] and ob["owner"] == "BPN" and ob["resolved_on"] is None
    kinds = [h["kind"] for h in svc.history(project, "K5")]
    assert kinds == ["stage.status", "stage.block", "obstacle.add"]
    with pytest.raises(InputError, match="needs a reason"):
        svc.block_stage(project, "K3", reason=" ")
    with pytest.raises(InputError, match="before the block date"):
        svc.block_stage(project, "K3", reason="x", on=date(2026, 3, 2), expected_unblock=date(2026, 3, 1))
    with pytest.raises(InputError, match="is not blocked"):
        svc.unblock_stage(project, "K3")
    svc.resolve_obstacle(ob["id"], "court settled; heirs compensated", on=date(2026, 5, 4))
    with pytest.raises(InputError, match="already resolved"):
        svc.resolve_obstacle(ob["id"], "again")
    res = svc.unblock_stage(project, "K5", on=date(2026, 5, 4))
    assert res["to"] == "in_progress"
    st = _stage(svc, project, "K5")
    assert st["blocked_since"] is None and st["obstacles"][0]["resolution"].startswith("court")
    assert svc.obstacles(project, open_only=True) == []


def test_obstacles_need_description_and_owner(svc, project):  # noqa: F811
    with pytest.raises(InputError, match="description"):
        svc.add_obstacle(project, "K2", " ", owner="x")
    with pytest.raises(InputError, match="owner"):
        svc.add_obstacle(project, "K2", "x", owner="")
    ob = svc.add_obstacle(project, "K2", "RDTR not digital yet", owner="PUPR", on=date(2026, 2, 2))
    assert svc.obstacles(project, "K2")[0]["id"] == ob["id"]
    with pytest.raises(InputError, match="between the day"):
        svc.resolve_obstacle(ob["id"], "done", on=date(2026, 1, 1))
    with pytest.raises(InputError, match="expected resolution date 2026-01-30 is before"):
        svc.add_obstacle(project, "K2", "x", owner="PUPR", on=date(2026, 2, 2), expected_resolution=date(2026, 1, 30))


def test_clocks_from_events_pause_and_restart(svc, project):  # noqa: F811
    """K2 (KKPR) has a statutory 25 working days with a 'restart' clarification rule (PP 28/2025)."""
    svc.update_stage(project, "K2", "submitted", on=date(2026, 2, 2))
    st = _stage(svc, project, "K2")
    cal = svc.calendar()
    assert st["submitted"] == "2026-02-02" and st["statutory"] is True
    assert st["due"] == cal.add_working_days(date(2026, 2, 2), 25).isoformat()
    svc.update_stage(project, "K2", "clarification", on=date(2026, 2, 16), reason="missing coordinates")
    assert _stage(svc, project, "K2")["due"] is None  # restart rule: no clock while the question is open
    svc.update_stage(project, "K2", "submitted", on=date(2026, 3, 2))
    st = _stage(svc, project, "K2")
    assert st["due"] == cal.add_working_days(date(2026, 3, 2), 25).isoformat()
    assert st["paused_days"] == cal.working_days_between(date(2026, 2, 16), date(2026, 3, 2))
    # overdue by today (2026-06-01)
    assert st["overdue_days"] == cal.working_days_between(date.fromisoformat(st["due"]), TODAY)


def test_resubmission_after_rejection_starts_a_new_clock(svc):  # noqa: F811
    """A rejected KKPR (G3, fiktif positif) filed again is a new application: the old submission's
    deadline must not make it overdue or 'deemed approved' from before the rejection."""
    pid = svc.create_project("KI Contoh (synthetic)", "kawasan-industri", START)["id"]
    cal = svc.calendar()
    svc.update_stage(pid, "G3", "submitted", on=date(2026, 1, 6))
    svc.update_stage(pid, "G3", "clarification", on=date(2026, 1, 8), reason="coordinates")
    svc.update_stage(pid, "G3", "submitted", on=date(2026, 1, 12))
    svc.update_stage(pid, "G3", "rejected", on=date(2026, 1, 20), reason="outside the KPI")
    svc.update_stage(pid, "G3", "in_progress", on=date(2026, 4, 1))
    svc.update_stage(pid, "G3", "submitted", on=date(2026, 5, 18))
    st = _stage(svc, pid, "G3")
    assert st["submitted"] == "2026-05-18" and st["started"] == "2026-04-01" and st["paused_days"] == 0
    assert st["due"] == cal.add_working_days(date(2026, 5, 18), 25).isoformat()
    assert st["deemed_approved"] > TODAY.isoformat() and st["overdue_days"] == 0
    fc = svc.forecast(pid, runs=200)
    assert not any("deemed approved" in n for n in fc["notes"])
    g3 = next(s for s in fc["stages"] if s["id"] == "G3")
    assert g3["finish_date"] > TODAY.isoformat()


def test_administrator_calendar_days_move_deadlines(svc, project):  # noqa: F811
    svc.update_stage(project, "K2", "submitted", on=date(2026, 2, 2))
    due = date.fromisoformat(_stage(svc, project, "K2")["due"])
    svc.add_calendar_day(date(2026, 2, 10), description="regional holiday (synthetic)")
    assert date.fromisoformat(_stage(svc, project, "K2")["due"]) > due
    with pytest.raises(InputError, match="already in the calendar"):
        svc.add_calendar_day(date(2026, 2, 10))
    assert svc.calendar_days()[0]["kind"] == "holiday"


def test_forecast_from_real_states(svc, project):  # noqa: F811
    base = svc.forecast(project, runs=500)
    for k in ("finish", "critical_path", "p50", "p80", "stages"):
        assert k in base
    assert {"id", "es", "ef", "ls", "lf", "slack"} <= set(base["stages"][0])
    svc.update_stage(project, "K1", "in_progress", on=START)
    svc.update_stage(project, "K1", "approved", on=date(2026, 1, 20))
    assert svc.forecast(project, runs=500) != base
    svc.block_stage(project, "K5", reason="dispute", on=date(2026, 2, 2), expected_unblock=date(2027, 6, 1))
    blocked = svc.forecast(project, runs=500)
    assert blocked["finish"] > base["finish"]
    w = svc.whatif(project, _scenario(resolve={"K5": date(2026, 7, 1)}), runs=500)
    assert w["variant"]["finish"] < w["base"]["finish"] and w["days_saved"] > 0
    with pytest.raises(NotFoundError):
        svc.whatif(project, _scenario(shorten={"K99": 3}), runs=500)


def _scenario(**kw):
    from kawasan.licensing import Scenario

    return Scenario(**kw)


def _pdf(tmp_path, name="ukl-upl.pdf", body=b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"):
    p = tmp_path / name
    p.write_bytes(body)
    return p


def test_documents_are_versioned_checksummed_and_deduplicated(svc, project, tmp_path):  # noqa: F811
    a = svc.attach(project, "K6", _pdf(tmp_path), name="UKL-UPL")
    b = svc.attach(project, "K6", _pdf(tmp_path, body=b"%PDF-1.7\nrevised\n"), name="UKL-UPL")
    c = svc.attach(project, "K6", _pdf(tmp_path, "copy.pdf"), name="UKL-UPL")
    assert (a["version"], b["version"], c["version"]) == (1, 2, 3)
    assert a["sha256"] == c["sha256"] != b["sha256"] and a["media_type"] == "application/pdf"
    blob = svc.document_path(a["sha256"])
    assert blob.read_bytes().startswith(b"%PDF-")
    assert len(list(svc.settings.files_dir.rglob("*"))) == 4  # 2 blobs in 2 folders
    docs = svc.documents(project, "K6")
    assert [d["version"] for d in docs] == [1, 2, 3] and _stage(svc, project, "K6")["documents"] == 3
    assert [h["kind"] for h in svc.history(project, "K6")] == ["document.attach"] * 3


def test_office_and_geo_files_are_checked_by_content(svc, project, tmp_path):  # noqa: F811
    docx = tmp_path / "masterplan.docx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    docx.write_bytes(buf.getvalue())
    assert svc.attach(project, "K1", docx)["name"] == "masterplan"
    xlsx = tmp_path / "rab.xlsx"
    xlsx.write_bytes(buf.getvalue())  # a Word file renamed .xlsx
    with pytest.raises(InputError, match="xl/"):
        svc.attach(project, "K1", xlsx)
    gj = tmp_path / "site.geojson"
    gj.write_text(json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}))
    assert svc.attach(project, "K3", gj)["media_type"] == "application/geo+json"
    gj.write_text(json.dumps({"hello": "world"}))
    with pytest.raises(InputError, match="GeoJSON"):
        svc.attach(project, "K3", gj)


@pytest.mark.parametrize("name, body, words", [
    ("report.pdf", b"<html>not a pdf</html>", "not a PDF document"),
    ("photo.png", b"\xff\xd8\xff\xe0JPEG", "no PNG signature"),
    ("script.exe", b"MZ\x90\x00", "'.exe' is not allowed"),
    ("notes", b"plain", "(no extension)"),
    ("empty.pdf", b"", "empty"),
])
def test_forbidden_or_mistyped_attachments(svc, project, tmp_path, name, body, words):  # noqa: F811
    p = tmp_path / name
    p.write_bytes(body)
    with pytest.raises(InputError) as e:
        svc.attach(project, "K1", p)
    assert words in str(e.value) and name in str(e.value)
    assert svc.documents(project) == [] and not svc.settings.files_dir.exists()


def test_attachment_over_the_size_limit(settings, tmp_path):  # noqa: F811
    from dataclasses import replace

    from kawasan.tracker import ProjectService

    s = ProjectService(replace(settings, max_upload_bytes=1024), today=TODAY, user="admin")
    try:
        if not s.embedded:
            s.add_user("admin", "administrator")
        pid = s.create_project("E", "apht", START)["id"]
        big = _pdf(tmp_path, body=b"%PDF-1.4\n" + b"0" * 2048)
        with pytest.raises(InputError, match="above the limit of 0.000976562 MB|above the limit"):
            s.attach(pid, "K1", big)
        with pytest.raises(InputError, match="file not found"):
            s.attach(pid, "K1", tmp_path / "missing.pdf")
        assert s.documents(pid) == []
    finally:
        s.close()


def test_outside_agency_cannot_attach_and_nothing_is_stored(svc, project, tmp_path):  # noqa: F811
    svc.add_user("dlh", "agency_officer", agency="DLH")
    with pytest.raises(PermissionDeniedError):
        svc.attach(project, "K2", _pdf(tmp_path), actor="dlh")
    assert not any(svc.settings.files_dir.rglob("*")) if svc.settings.files_dir.exists() else True
    assert svc.attach(project, "K6", _pdf(tmp_path), actor="dlh")["version"] == 1


def test_unwritable_document_store_is_a_storage_error_and_nothing_is_recorded(settings, tmp_path):  # noqa: F811
    import dataclasses

    from kawasan.errors import StorageError
    from kawasan.tracker import ProjectService

    (tmp_path / "not-a-folder").write_text("x")
    s = ProjectService(dataclasses.replace(settings, files_dir=tmp_path / "not-a-folder" / "docs"), today=TODAY,
                       user="admin")
    try:
        if not s.embedded:
            s.add_user("admin", "administrator")
        pid = s.create_project("E", "apht", START)["id"]
        with pytest.raises(StorageError, match="cannot write the document store"):
            s.attach(pid, "K1", _pdf(tmp_path))
        assert s.documents(pid) == [] and [e["kind"] for e in s.history(pid)] == ["project.create"]
    finally:
        s.close()


def test_templates_registered_in_the_database(svc, tmp_path):  # noqa: F811
    from kawasan.licensing import import_csv

    csv = tmp_path / "plan.csv"
    csv.write_text("id,name,agency,duration_days,requires\nA,Survey,Bappeda,10,\nB,Permit,DPMPTSP,20,A\n"
                   "C,Build,PUPR,60,A;B\n")
    tpl = import_csv(csv, "rencana-contoh")
    assert svc.register_template(tpl, source=str(csv))["stages"] == 3
    with pytest.raises(InputError, match="already registered"):
        svc.register_template(tpl)
    assert any(t["name"] == "rencana-contoh" and t["origin"] == "database" for t in svc.list_templates())
    pid = svc.create_project("From a spreadsheet", "rencana-contoh", START)["id"]
    assert [s["id"] for s in svc.state(pid)["stages"]] == ["A", "B", "C"]
    assert svc.forecast(pid, runs=200)["critical_path"] == ["A", "B", "C"]
    # a spreadsheet saved under a built-in name must not silently replace that licensing path
    for name in ("apht", "Kawasan-Industri"):
        with pytest.raises(InputError, match="built-in template"):
            svc.register_template(import_csv(csv, name))
    assert svc.state(svc.create_project("KIHT", "apht", START)["id"])["template_version"] == "2026.2"


def test_site_geometry_is_kept(svc):  # noqa: F811
    geom = {"type": "Point", "coordinates": [113.4, -7.7]}
    pid = svc.create_project("E", "kawasan-industri", START, site_geometry=geom)["id"]
    assert svc.state(pid)["site_geometry"] == geom
    with pytest.raises(InputError, match="GeoJSON"):
        svc.create_project("E", "kawasan-industri", START, site_geometry={"x": 1})


@pytest.mark.parametrize("seed", [1, 2])
def test_the_event_log_replays_to_the_stored_state(svc, project, seed):  # noqa: F811
    """Random legal and illegal changes by random users: the stored states and versions are exactly what the
    event log says, every event starts where the previous one ended, and refused changes left no trace."""
    import random
    from datetime import timedelta

    from kawasan.errors import KawasanError

    rng = random.Random(seed)
    svc.add_user("dlh", "agency_officer", agency="DLH")
    svc.add_user("viewer", "viewer")
    actors = ["admin", "dlh", "viewer"]
    states = ["in_progress", "submitted", "clarification", "approved", "rejected", "waived", "not_started"]
    stages = ["K1", "K5", "K2", "K6"]
    day = START
    refused = 0
    for _ in range(40):
        day = min(day + timedelta(days=rng.randint(0, 9)), TODAY)
        sid, who = rng.choice(stages), rng.choice(actors)
        op = rng.random()
        try:
            if op < 0.7:
                svc.update_stage(project, sid, rng.choice(states), on=day, reason=rng.choice([None, "why"]),
                                 actor=who)
            elif op < 0.85:
                svc.block_stage(project, sid, reason="stuck", on=day, actor=who)
            else:
                svc.unblock_stage(project, sid, on=day, actor=who)
        except KawasanError:
            refused += 1
    assert refused > 0
    state = {s["id"]: s for s in svc.state(project)["stages"]}
    for sid, st in state.items():
        changes = [e for e in svc.history(project, sid) if e["field"] == "status"]
        current = "not_started"
        for e in changes:
            assert e["from"] == current, (sid, e)
            current = e["to"]
        assert st["status"] == current and st["version"] == 1 + len(changes), sid


def test_options_are_resolved_at_creation_and_kept(svc):  # noqa: F811
    """The project copies the concrete path of its options and application date (no schema change needed)."""
    before = len(svc.list_projects())
    with pytest.raises(InputError, match="option land has no value 'state'"):
        svc.create_project("KI", "kawasan-industri", START, options={"land": "state"})
    with pytest.raises(InputError, match="chosen by the application date"):
        svc.create_project("KI", "kawasan-industri", START, options={"regime": "pp5-2021"})
    assert len(svc.list_projects()) == before  # nothing written
    pid = svc.create_project("KI BUMD (synthetic)", "kawasan-industri", START, application_date=date(2025, 9, 1),
                             options={"land": "public_interest", "authority": "province"})["id"]
    st = svc.state(pid)
    chosen = {o["key"]: (o["value"], o["chosen_by"]) for o in st["options"]}
    assert chosen == {"land": ("public_interest", "user"), "authority": ("province", "user"),
                      "fiktif_positif": ("apply", "default"), "regime": ("pp5-2021", "application_date")}
    assert st["application_date"] == "2025-09-01"
    stages = {s["id"]: s for s in st["stages"]}
    assert {"G4a", "G4f", "G4p"} <= set(stages) and stages["G4"]["requires"] == ["G4p"]
    assert stages["G5"]["agency"] == "DLH Provinsi"
    assert stages["G3"]["duration_days"] == 20  # PP 21/2021 Art. 112: filed before 5 October 2025
    lb = stages["G3"]["legal_basis"]
    assert "PP 21/2021" in lb["citation"] and "Pasal 107-108 dan 112" in lb["citation_text"]["id"]
    ev = svc.history(pid)[0]
    assert ev["detail"]["options"]["land"] == "public_interest" and ev["detail"]["application_date"] == "2025-09-01"
    # without an application date the start date chooses: 2026 is under PP 28/2025
    default = svc.state(svc.create_project("KI", "kawasan-industri", START)["id"])
    assert {o["key"]: o["value"] for o in default["options"]}["regime"] == "pp28-2025"


def test_a_date_far_from_the_rest_is_recorded_with_a_warning(svc):  # noqa: F811
    pid = svc.create_project("KIHT (synthetic)", "apht", date(2025, 6, 2))["id"]
    res = svc.update_stage(pid, "K1", "in_progress")  # no date: today, a year after the start
    assert res["on"] == TODAY.isoformat()
    assert [c["key"] for c in res["warning_codes"]] == ["tracker.warn.date_gap_start"]
    assert "364 days after the project start (2025-06-02)" in res["warnings"][0] and "--on" in res["warnings"][0]
    near = svc.update_stage(pid, "K2", "in_progress", on=date(2026, 5, 4))
    assert not any(c["key"].startswith("tracker.warn.date_gap") for c in near["warning_codes"])
    typo = svc.update_stage(pid, "K3", "in_progress", on=date(2025, 7, 1))  # 29 days after the start: fine
    assert not any(c["key"].startswith("tracker.warn.date_gap") for c in typo["warning_codes"])
