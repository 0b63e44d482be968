"""Stored forecasts (refreshed on change and by date, history kept), portfolio, My work, agency reach, accounts."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from kawasan.errors import AuthenticationError, InputError, PermissionDeniedError
from test_licensing_store_fixtures import pg_schema_url, settings  # noqa: F401 (fixtures)
from web_fixtures import DLH_STAGE, DPM_STAGE

START = date(2026, 1, 5)


@pytest.fixture
def clock():
    return {"today": date(2026, 6, 1)}


@pytest.fixture
def tracker(settings, clock):  # noqa: F811
    from kawasan.tracker import ProjectService

    svc = ProjectService(settings, today=lambda: clock["today"], user="admin")
    if not svc.embedded:
        svc.add_user("admin", "administrator")
    yield svc
    svc.close()


def _rows(svc, pid):
    return svc.forecast_history(pid)


def test_a_stored_forecast_is_reused_until_the_project_or_the_day_changes(tracker, clock):
    pid = tracker.create_project("A (SYNTHETIC)", "apht", START, regency="Kab A")["id"]
    first = tracker.current(pid)
    assert first["forecast"] == {**tracker.forecast(pid, runs=10000, seed=0)}
    tracker.current(pid), tracker.portfolio(), tracker.my_work("admin")
    assert len(_rows(tracker, pid)) == 1  # nothing recomputed
    tracker.update_stage(pid, "K1", "in_progress", on=date(2026, 1, 6))
    assert len(_rows(tracker, pid)) == 2  # the change stored a new forecast at once
    assert tracker.current(pid)["state"]["stages"][0]["status"] == "in_progress"
    assert len(_rows(tracker, pid)) == 2
    clock["today"] += timedelta(days=1)
    tracker.portfolio()
    assert len(_rows(tracker, pid)) == 3 and _rows(tracker, pid)[-1]["as_of"] == "2026-06-02"
    assert tracker.refresh_forecasts() == 0


def test_change_since_last_week_and_status(tracker, clock):
    pid = tracker.create_project("A (SYNTHETIC)", "apht", START, regency="Kab A")["id"]
    first = tracker.portfolio()["projects"][0]
    assert first["status"] == "on_track" and first["target"] == first["p80"]  # the baseline is today's P80
    assert tracker.portfolio()["projects"][0]["p80_change_days"] is None  # no forecast a week old yet
    clock["today"] += timedelta(days=8)
    row = tracker.portfolio()["projects"][0]
    assert row["p80_change_days"] is not None and row["p80_change_days"] >= 0  # eight days passed, nothing done
    assert row["status"] == "at_risk" and row["target"] == first["p80"]  # slipped since the first forecast
    tracker.set_target(pid, date(2040, 1, 1))
    assert tracker.portfolio()["projects"][0]["status"] == "on_track"
    tracker.block_stage(pid, "K1", reason="synthetic", on=clock["today"])
    res = tracker.portfolio()
    assert res["projects"][0]["status"] == "blocked" and res["counts"]["blocked"] == 1
    assert tracker.portfolio(status="on_track")["projects"] == []
    with pytest.raises(InputError, match="unknown status"):
        tracker.portfolio(status="late")


def test_portfolio_filters_by_regency_and_template(tracker):
    tracker.create_project("A (SYNTHETIC)", "apht", START, regency="Kab A")
    tracker.create_project("B (SYNTHETIC)", "kawasan-industri", START, regency="Kab B")
    assert [p["name"] for p in tracker.portfolio(regency="kab a")["projects"]] == ["A (SYNTHETIC)"]
    assert [p["name"] for p in tracker.portfolio(template="kawasan-industri")["projects"]] == ["B (SYNTHETIC)"]
    assert tracker.portfolio()["regencies"] == ["Kab A", "Kab B"]


def test_an_officer_acts_only_in_the_regency_their_agency_serves(tracker):
    pa = tracker.create_project("A (SYNTHETIC)", "apht", START, regency="Kab A")["id"]
    pb = tracker.create_project("B (SYNTHETIC)", "apht", START, regency="Kab B")["id"]
    dlh = {a["regency"] for a in tracker.list_agencies() if a["code"] == "DLH"}
    assert dlh == {"Kab A", "Kab B"}  # one DLH per regency, made with the projects
    assert len([a for a in tracker.list_agencies() if a["code"] == "KPPBC"]) == 1  # national: once
    tracker.add_user("dlh_a", "agency_officer", agency="DLH", regency="Kab A")
    tracker.update_stage(pa, DLH_STAGE, "in_progress", on=date(2026, 2, 2), actor="dlh_a")
    with pytest.raises(PermissionDeniedError, match="own regency"):
        tracker.update_stage(pb, DLH_STAGE, "in_progress", on=date(2026, 2, 2), actor="dlh_a")
    assert tracker.actable_stages(pa, "dlh_a") == {DLH_STAGE} and tracker.actable_stages(pb, "dlh_a") == set()
    work = tracker.my_work("dlh_a")
    assert {(w["project"], w["id"]) for w in work} == {(pa, DLH_STAGE)}
    with pytest.raises(InputError, match="several regencies"):
        tracker.add_user("dlh_x", "agency_officer", agency="DLH")


def test_a_national_agency_serves_every_regency_and_a_regency_agency_without_one_none(tracker):
    pa = tracker.create_project("A (SYNTHETIC)", "apht", START, regency="Kab A")["id"]
    tracker.add_agency("DJBC-X", "Customs (synthetic)", kind="national")
    tracker.add_agency("ORPHAN", "Regency office without a regency", kind="regency")
    tracker.add_user("customs", "agency_officer", agency="DJBC-X")
    tracker.add_user("orphan", "agency_officer", agency="ORPHAN")
    with tracker._read() as s:
        p = tracker._project(s, pa)
        customs = tracker._actor(s, "customs")
        orphan = tracker._actor(s, "orphan")
        assert tracker._outside_reach(customs, p) is None
        assert "without a regency" in tracker._outside_reach(orphan, p)


def test_my_work_is_overdue_first_then_by_due_date_and_the_viewer_has_none(tracker, clock):
    pid = tracker.create_project("A (SYNTHETIC)", "apht", START, regency="Kab A")["id"]
    tracker.add_user("tim", "coordinator", regency="Kab A")
    tracker.add_user("kemenperin", "viewer")
    tracker.update_stage(pid, "K1", "in_progress", on=date(2026, 1, 6))
    tracker.update_stage(pid, DPM_STAGE, "submitted", on=date(2026, 1, 6))  # statutory: long overdue by June
    work = tracker.my_work("tim")
    assert work[0]["id"] == DPM_STAGE and work[0]["overdue_days"] > 0
    assert [w["id"] for w in work] == [DPM_STAGE, "K1"]
    assert tracker.my_work("kemenperin") == []
    kinds = {(d["stage"], d["kind"]) for d in tracker.deadlines("tim")}
    assert (DPM_STAGE, "due") in kinds and ("K1", "expected") in kinds


def test_passwords_lock_out_and_tokens(tracker):
    from kawasan.tracker.accounts import LOCK_AFTER

    tracker.add_user("sari", "viewer")
    with pytest.raises(AuthenticationError):
        tracker.authenticate("sari", "no-password-yet")
    with pytest.raises(InputError, match="at least 10"):
        tracker.set_password("sari", "short")
    tracker.add_user("sari-rahma", "viewer")
    with pytest.raises(InputError, match="user name"):
        tracker.set_password("sari-rahma", "SARI-RAHMA")
    tracker.set_password("sari", "correct-horse")
    assert tracker.authenticate("sari", "correct-horse")["role"] == "viewer"
    for _ in range(LOCK_AFTER):
        with pytest.raises(AuthenticationError, match="wrong"):
            tracker.authenticate("sari", "wrong-wrong")
    with pytest.raises(AuthenticationError, match="locked"):
        tracker.authenticate("sari", "correct-horse")
    tracker.set_password("sari", "correct-horse")
    secret, csrf = tracker.create_session("sari")
    assert tracker.resolve_session(secret)[0]["username"] == "sari" and tracker.resolve_session(secret)[1] == csrf
    tracker.update_user("sari", disabled=True)
    assert tracker.resolve_session(secret) is None
    with pytest.raises(AuthenticationError, match="disabled"):
        tracker.authenticate("sari", "correct-horse")
    tracker.update_user("sari", disabled=False)
    tok = tracker.create_token("sari", "script", actor="sari")
    assert tracker.resolve_token(tok["token"])["username"] == "sari"
    assert tracker.resolve_token(tok["token"], purpose="feed") is None
    with pytest.raises(PermissionDeniedError):
        tracker.create_token("sari", "x", actor="admin")
    tracker.revoke_token(tok["id"], actor="sari")
    assert tracker.resolve_token(tok["token"]) is None


def test_an_administrator_cannot_demote_themselves(tracker):
    with pytest.raises(InputError, match="their own administrator role"):
        tracker.update_user("admin", role="viewer")


def test_working_days_left_until_the_due_date(tracker, clock):
    pid = tracker.create_project("A (SYNTHETIC)", "apht", START, regency="Kab A")["id"]
    tracker.update_stage(pid, "K1", "in_progress", on=date(2026, 5, 25))
    tracker.update_stage(pid, DPM_STAGE, "submitted", on=date(2026, 5, 29))  # a statutory stage
    st = next(s for s in tracker.current(pid)["state"]["stages"] if s["id"] == DPM_STAGE)
    cal = tracker.calendar()
    assert st["due"] and st["days_left"] == cal.working_days_between(clock["today"], date.fromisoformat(st["due"]))
    assert st["days_left"] > 0
    assert next(s for s in tracker.state(pid)["stages"] if s["id"] == "K1")["days_left"] is None  # an estimate
