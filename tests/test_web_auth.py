"""Sign-in, sessions, CSRF, tokens, the calendar feed, cookies and security headers, the error shape."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from web_fixtures import DLH_STAGE, TODAY, World, password, sign_in


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World("sqlite", tmp_path_factory.mktemp("web-auth"))
    yield w
    w.close()


def _client(w: World) -> TestClient:
    c = TestClient(w.app)
    c.__enter__()
    return c


def _login(c: TestClient, user: str, pw: str):
    page = c.get("/login")
    pre = re.search(r'name="pre" value="([^"]+)"', page.text).group(1)
    return c.post("/login", data={"username": user, "password": pw, "pre": pre, "next": "/"},
                  follow_redirects=False)


def test_sign_in_rotates_the_session_and_sets_safe_cookies(world):
    c = _client(world)
    c.get("/login")
    c.cookies.set("kw_session", "attacker-chosen-value", domain="testserver.local")
    r = _login(c, "dlh", password("dlh"))
    assert r.status_code == 303 and r.headers["location"] == "/my-work"
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("kw_session="))
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax") and "Secure" not in cookie
    assert c.cookies.get("kw_session") != "attacker-chosen-value"
    assert c.get("/my-work").status_code == 200


def test_cookies_are_secure_over_https(world):
    c = TestClient(world.app, base_url="https://testserver")
    with c:
        r = _login(c, "viewer", password("viewer"))
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("kw_session="))
        assert "Secure" in cookie


def test_a_wrong_password_is_slowed_then_the_account_locks(world):
    world.svc.add_user("victim", "viewer", actor="admin")
    world.svc.set_password("victim", "correct-password", actor="admin")
    c = _client(world)
    for i in range(5):
        r = _login(c, "victim", "wrong-password")
        assert r.status_code == 401 and "nama pengguna atau kata sandi salah" in r.text
    r = _login(c, "victim", "correct-password")
    assert r.status_code == 401 and "dikunci" in r.text
    world.svc.set_password("victim", "correct-password", actor="admin")  # an administrator unlocks
    assert _login(c, "victim", "correct-password").status_code == 303


def test_unknown_user_and_wrong_password_read_the_same(world):
    c = _client(world)
    a, b = _login(c, "nobody-here", "whatever-pass"), _login(c, "viewer", "whatever-pass")
    assert a.status_code == b.status_code == 401
    msg = lambda r: re.search(r'role="alert">(.*?)</p>', r.text, re.S).group(1)  # noqa: E731
    assert msg(a) == msg(b)


def test_a_forged_form_post_without_the_csrf_token_is_refused(world):
    c = world.clients["coord"]
    pid = world.svc.create_project("CSRF target (SYNTHETIC)", "apht", TODAY - timedelta(days=100),
                                   regency="Kabupaten Contoh", actor="admin")["id"]
    r = c.post(f"/projects/{pid}/stages/K1/status", data={"status": "in_progress"}, follow_redirects=False)
    assert r.status_code == 403 and "CSRF" in r.text
    r = c.post(f"/projects/{pid}/stages/K1/status", data={"status": "in_progress", "csrf_token": "forged"},
               follow_redirects=False)
    assert r.status_code == 403
    assert [e["kind"] for e in world.svc.history(pid)] == ["project.create"]


def test_the_sign_in_form_needs_its_own_token(world):
    c = _client(world)
    r = c.post("/login", data={"username": "viewer", "password": password("viewer")}, follow_redirects=False)
    assert r.status_code == 403


def test_sign_out_ends_the_session(world):
    c = _client(world)
    csrf = sign_in(c, "viewer")
    cookie = c.cookies.get("kw_session")
    assert c.post("/logout", headers={"X-CSRF-Token": csrf}, follow_redirects=False).status_code == 303
    c.cookies.set("kw_session", cookie, domain="testserver.local")
    assert c.get("/api/v1/me").status_code == 401


def test_idle_and_absolute_timeouts(world, monkeypatch):
    c = _client(world)
    sign_in(c, "viewer")
    assert c.get("/api/v1/me").status_code == 200
    monkeypatch.setenv("KAWASAN_SESSION_IDLE_MINUTES", "0.0001")
    import time

    time.sleep(0.05)
    assert c.get("/api/v1/me").status_code == 401
    monkeypatch.delenv("KAWASAN_SESSION_IDLE_MINUTES")
    sign_in(c, "viewer")
    monkeypatch.setenv("KAWASAN_SESSION_MAX_HOURS", "0.000001")
    time.sleep(0.05)
    assert c.get("/api/v1/me").status_code == 401


def test_api_tokens_work_without_cookie_or_csrf_and_die_when_revoked(world):
    tok = world.svc.create_token("coord", "script", actor="coord")
    c = TestClient(world.app)
    h = {"Authorization": f"Bearer {tok['token']}"}
    assert c.get("/api/v1/me", headers=h).json()["username"] == "coord"
    assert c.post(f"/api/v1/projects/{world.ids['pa']}/whatif", json={"runs": 100}, headers=h).status_code == 200
    world.svc.revoke_token(tok["id"], actor="coord")
    r = c.get("/api/v1/me", headers=h)
    assert r.status_code == 401 and r.json()["error"]["code"] == "authentication"
    assert all(t["hint"] != tok["token"] and "token" not in t for t in world.svc.list_tokens("coord"))


def test_the_calendar_feed_lists_the_users_deadlines_until_revoked(world):
    tok = world.svc.create_token("dlh", "calendar", purpose="feed", actor="dlh")
    c = TestClient(world.app)
    r = c.get(f"/calendar/{tok['token']}.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    from icalendar import Calendar

    cal = Calendar.from_ical(r.content)
    events = [e for e in cal.walk("VEVENT")]
    assert events and all(DLH_STAGE in str(e["summary"]) for e in events)  # DLH's stage only
    world.svc.create_token("dlh", "calendar", purpose="feed", actor="dlh")  # a new feed revokes the old one
    r = c.get(f"/calendar/{tok['token']}.ics")
    assert r.status_code == 401 and r.json()["error"]["code"] == "authentication"
    assert c.get("/calendar/kwt_not-a-feed.ics").status_code == 401


def test_security_headers_on_pages_and_api(world):
    c = world.clients["viewer"]
    for path in ("/projects", "/api/v1/me", "/login"):
        h = c.get(path).headers
        assert "script-src 'self'" in h["content-security-policy"]
        assert "frame-ancestors 'none'" in h["content-security-policy"]
        assert "unsafe-inline" not in h["content-security-policy"]
        assert h["x-content-type-options"] == "nosniff" and h["referrer-policy"] == "same-origin"


def test_no_inline_script_in_any_page(world):
    c = world.clients["admin"]
    for path in ("/my-work", "/projects", f"/projects/{world.ids['pa']}", f"/projects/{world.ids['pa']}/whatif",
                 "/templates", "/templates/apht", "/account", "/admin/users", "/admin/agencies", "/admin/calendar",
                 "/api/docs", "/login"):
        html = c.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        assert " style=" not in html, path


def test_errors_have_one_shape(world):
    c = world.clients["viewer"]
    r = c.get("/api/v1/projects/9999")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found" and r.json()["error"]["field"] == "project"
    r = c.get("/api/v1/nothing-here")
    assert r.status_code == 404 and set(r.json()["error"]) >= {"code", "message"}
    r = c.post("/api/v1/projects/1/whatif", json={"runs": 5}, headers={"X-CSRF-Token": world.csrf["viewer"]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "runs"
    r = c.get("/projects/9999")
    assert r.status_code == 404 and "<html" in r.text and "9999" in r.text


def test_a_500_carries_a_reference_the_log_has(world, caplog, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(world.app.state.tracker, "list_templates", boom)
    c = TestClient(world.app, raise_server_exceptions=False)
    h = {"Authorization": f"Bearer {world.svc.create_token('viewer', 'x', actor='viewer')['token']}"}
    with caplog.at_level("ERROR", logger="kawasan.web"):
        r = c.get("/api/v1/templates", headers=h)
    assert r.status_code == 500
    ref = r.json()["error"]["reference"]
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert any(ref in rec.getMessage() for rec in caplog.records)


def test_downloads_are_attachments_with_nosniff(world):
    c = world.clients["viewer"]
    r = c.get(f"/projects/{world.ids['pa']}/documents/{world.ids['document']}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-disposition"].startswith("attachment")
    assert r.headers["x-content-type-options"] == "nosniff"


def test_uploads_are_checked_by_content_and_names_never_become_paths(world):
    c, csrf = world.clients["admin"], world.csrf["admin"]
    pid = world.ids["pa"]
    r = c.post(f"/api/v1/projects/{pid}/stages/{DLH_STAGE}/documents", headers={"X-CSRF-Token": csrf},
               files={"file": ("../../evil.pdf", b"MZ not a pdf", "application/pdf")})
    assert r.status_code == 422 and "PDF" in r.json()["error"]["message"]
    r = c.post(f"/api/v1/projects/{pid}/stages/{DLH_STAGE}/documents", headers={"X-CSRF-Token": csrf},
               files={"file": ("../../izin.pdf", b"%PDF-1.4\nok\n", "application/pdf")})
    assert r.status_code == 201 and r.json()["filename"] == "izin.pdf"
    r = c.post(f"/api/v1/projects/{pid}/stages/{DLH_STAGE}/documents", headers={"X-CSRF-Token": csrf},
               files={"file": ("script.exe", b"MZ", "application/octet-stream")})
    assert r.status_code == 422 and r.json()["error"]["field"] == "type"


def test_language_follows_the_switch_and_persists_for_the_user(world):
    c = _client(world)
    csrf = sign_in(c, "dpm")
    assert "Tugas saya" in c.get("/my-work").text  # Indonesian by default
    c.post("/lang", data={"lang": "en", "next": "/my-work", "csrf_token": csrf})
    assert "My work" in c.get("/my-work").text
    c2 = _client(world)  # another browser of the same user: the user's setting wins
    sign_in(c2, "dpm")
    assert "My work" in c2.get("/my-work").text
    c.post("/lang", data={"lang": "id", "next": "/", "csrf_token": csrf})


def test_dates_and_numbers_in_both_languages():
    from kawasan.web.i18n import fmt_date, fmt_number

    assert fmt_date("2026-12-04", "id") == "4 Desember 2026" and fmt_date("2026-12-04", "en") == "4 December 2026"
    assert fmt_number(1389.6, "id") == "1.389,6" and fmt_number(1389.6, "en") == "1,389.6"
