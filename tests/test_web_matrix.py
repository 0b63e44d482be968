"""Every route of the web app with every role, on SQLite and PostgreSQL: allowed or refused as the rules say.

Roles (tests/web_fixtures.py): administrator, coordinator of this regency, coordinator of another,
officer of the stage's agency here, the same agency in another regency, another agency, viewer, signed
out. A state-changing request runs on a fresh project (or object), so every allowed role really succeeds.
A test also checks that the table covers every route the app has, so a new route cannot skip the matrix.
"""
from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import pytest

from map_fixtures import MAP_ROUTES
from analysis_cases import analysis_cases
from web_fixtures import DLH_STAGE, REGENCY_A, ROLES, START, World, password

SIGNED = frozenset(ROLES) - {"anon"}
EVERYONE = frozenset(ROLES)
STAGE_ACTORS = frozenset({"admin", "coord", "dlh"})  # DLH_STAGE of a project in Kabupaten Contoh
ADMIN = frozenset({"admin"})
_counter = itertools.count(1)


@dataclass
class Case:
    method: str
    path: str  # the route's path template (as the app declares it)
    allowed: frozenset
    make: Callable = None  # (world, role) -> (url, request kwargs); default: the template filled from world ids
    ok: tuple = (200,)
    relogin: bool = False  # the request ends the caller's session (sign in again afterwards)
    page: bool = field(init=False)

    def __post_init__(self):
        self.page = not self.path.startswith("/api/")


def fresh(w: World) -> int:
    return w.svc.create_project(f"Fresh {next(_counter)} (SYNTHETIC)", "apht", START, regency=REGENCY_A,
                                actor="admin")["id"]


def blocked(w: World) -> int:
    pid = fresh(w)
    w.svc.block_stage(pid, DLH_STAGE, reason="synthetic block", on=date(2026, 3, 2), actor="admin")
    return pid


def with_obstacle(w: World) -> tuple[int, int]:
    pid = fresh(w)
    return pid, w.svc.add_obstacle(pid, DLH_STAGE, "synthetic obstacle", owner="DLH", on=date(2026, 3, 2),
                                   actor="admin")["id"]


def own_token(w: World, role: str) -> int:
    owner = role if role != "anon" else "viewer"
    return w.svc.create_token(owner, f"t{next(_counter)}", actor=owner)["id"]


def throwaway_user(w: World) -> str:
    name = f"u{next(_counter)}"
    w.svc.add_user(name, "viewer", actor="admin")
    return name


PDF = ("a.pdf", b"%PDF-1.4\n% synthetic\n%%EOF\n", "application/pdf")
PLAN = b"id,name,agency,duration_days,requires\nS1,Survey,BAPPEDA,10,\nS2,KKPR,DPMPTSP,25,S1\n"


def cases() -> list[Case]:
    j = lambda body: {"json": body}  # noqa: E731
    f = lambda body: {"data": body}  # noqa: E731
    return [
        # ---- pages, reading
        Case("GET", "/", EVERYONE, ok=(303,)),
        Case("GET", "/my-work", SIGNED),
        Case("GET", "/projects", SIGNED),
        Case("GET", "/projects.csv", SIGNED),
        Case("GET", "/projects/{pid}", SIGNED),
        Case("GET", "/projects/{pid}/stages.csv", SIGNED),
        Case("GET", "/projects/{pid}/whatif", SIGNED),
        Case("GET", "/projects/{pid}/documents/{doc_id}", SIGNED),
        Case("GET", "/templates", SIGNED),
        Case("GET", "/templates/{name}", SIGNED),
        Case("GET", "/account", SIGNED),
        Case("GET", "/admin/users", ADMIN), Case("GET", "/admin/agencies", ADMIN), Case("GET", "/admin/calendar", ADMIN),
        Case("GET", "/api/docs", EVERYONE), Case("GET", "/openapi.json", EVERYONE), Case("GET", "/login", EVERYONE),
        # ---- pages, changing
        Case("POST", "/projects/{pid}/stages/{sid}/status", STAGE_ACTORS, ok=(303,),
             make=lambda w, r: (f"/projects/{fresh(w)}/stages/{DLH_STAGE}/status", f({"status": "in_progress"}))),
        Case("POST", "/projects/{pid}/stages/{sid}/block", STAGE_ACTORS, ok=(303,),
             make=lambda w, r: (f"/projects/{fresh(w)}/stages/{DLH_STAGE}/block", f({"reason": "synthetic"}))),
        Case("POST", "/projects/{pid}/stages/{sid}/unblock", STAGE_ACTORS, ok=(303,),
             make=lambda w, r: (f"/projects/{blocked(w)}/stages/{DLH_STAGE}/unblock", f({}))),
        Case("POST", "/projects/{pid}/obstacles", STAGE_ACTORS, ok=(303,),
             make=lambda w, r: (f"/projects/{fresh(w)}/obstacles", f({"stage": DLH_STAGE, "description": "x",
                                                                      "owner": "DLH"}))),
        Case("POST", "/projects/{pid}/obstacles/{oid}/resolve", STAGE_ACTORS, ok=(303,),
             make=lambda w, r: ("/projects/{}/obstacles/{}/resolve".format(*with_obstacle(w)),
                                f({"resolution": "done"}))),
        Case("POST", "/projects/{pid}/documents", STAGE_ACTORS, ok=(303,),
             make=lambda w, r: (f"/projects/{fresh(w)}/documents", {"data": {"stage": DLH_STAGE}, "files": {"file": PDF}})),
        Case("POST", "/projects/{pid}/whatif", SIGNED,
             make=lambda w, r: (f"/projects/{w.ids['pa']}/whatif", f({f"shorten_{DLH_STAGE}": "5"}))),
        Case("POST", "/templates/import", frozenset({"admin", "coord", "coord_b"}), ok=(303,),
             make=lambda w, r: ("/templates/import", {"data": {"name": f"plan-{uuid.uuid4().hex[:8]}"},
                                                      "files": {"file": ("plan.csv", PLAN, "text/csv")}})),
        Case("POST", "/account/password", SIGNED, ok=(303,), relogin=True,
             make=lambda w, r: ("/account/password", f({"old_password": password(r), "new_password": password(r),
                                                        "new_password2": password(r)}))),
        Case("POST", "/account/tokens", SIGNED, make=lambda w, r: ("/account/tokens", f({"name": "script"}))),
        Case("POST", "/account/tokens/{token_id}/revoke", SIGNED, ok=(303,),
             make=lambda w, r: (f"/account/tokens/{own_token(w, r)}/revoke", f({}))),
        Case("POST", "/admin/users", ADMIN, ok=(303,),
             make=lambda w, r: ("/admin/users", f({"username": f"n{next(_counter)}", "role": "viewer",
                                                   "password": "a-long-password"}))),
        Case("POST", "/admin/users/{username}", ADMIN, ok=(303,),
             make=lambda w, r: (f"/admin/users/{throwaway_user(w)}", f({"action": "update", "full_name": "X"}))),
        Case("POST", "/admin/agencies", ADMIN, ok=(303,),
             make=lambda w, r: ("/admin/agencies", f({"code": f"A{next(_counter)}", "name": "Agency"}))),
        Case("POST", "/admin/agencies/{agency_id}", ADMIN, ok=(303,),
             make=lambda w, r: (f"/admin/agencies/{w.svc.list_agencies()[0]['id']}", f({"name": "Renamed"}))),
        Case("POST", "/admin/calendar", ADMIN, ok=(303,),
             make=lambda w, r: ("/admin/calendar", f({"day": date(2030, 1, 1).fromordinal(
                 date(2030, 1, 1).toordinal() + next(_counter)).isoformat()}))),
        Case("POST", "/lang", EVERYONE, ok=(303,), make=lambda w, r: ("/lang", f({"lang": "en", "next": "/"}))),
        # ---- API, reading
        Case("GET", "/api/v1/me", SIGNED), Case("GET", "/api/v1/me/tokens", SIGNED),
        Case("GET", "/api/v1/my-work", SIGNED), Case("GET", "/api/v1/projects", SIGNED),
        Case("GET", "/api/v1/projects.csv", SIGNED), Case("GET", "/api/v1/sites.geojson", SIGNED),
        Case("GET", "/api/v1/projects/{pid}", SIGNED), Case("GET", "/api/v1/projects/{pid}/forecast", SIGNED),
        Case("GET", "/api/v1/projects/{pid}/forecast/history", SIGNED),
        Case("GET", "/api/v1/projects/{pid}/history", SIGNED), Case("GET", "/api/v1/projects/{pid}/obstacles", SIGNED),
        Case("GET", "/api/v1/projects/{pid}/documents", SIGNED),
        Case("GET", "/api/v1/projects/{pid}/documents/{doc_id}", SIGNED),
        Case("GET", "/api/v1/projects/{pid}/stages.csv", SIGNED),
        Case("GET", "/api/v1/templates", SIGNED), Case("GET", "/api/v1/templates/{name}", SIGNED),
        Case("GET", "/api/v1/agencies", SIGNED), Case("GET", "/api/v1/calendar", SIGNED),
        Case("GET", "/api/v1/users", ADMIN),
        # ---- API, changing
        Case("POST", "/api/v1/projects/{pid}/stages/{sid}/status", STAGE_ACTORS,
             make=lambda w, r: (f"/api/v1/projects/{fresh(w)}/stages/{DLH_STAGE}/status", j({"status": "in_progress"}))),
        Case("POST", "/api/v1/projects/{pid}/stages/{sid}/block", STAGE_ACTORS,
             make=lambda w, r: (f"/api/v1/projects/{fresh(w)}/stages/{DLH_STAGE}/block", j({"reason": "synthetic"}))),
        Case("POST", "/api/v1/projects/{pid}/stages/{sid}/unblock", STAGE_ACTORS,
             make=lambda w, r: (f"/api/v1/projects/{blocked(w)}/stages/{DLH_STAGE}/unblock", j({}))),
        Case("POST", "/api/v1/projects/{pid}/stages/{sid}/obstacles", STAGE_ACTORS, ok=(201,),
             make=lambda w, r: (f"/api/v1/projects/{fresh(w)}/stages/{DLH_STAGE}/obstacles", j({"description": "x",
                                                                                      "owner": "DLH"}))),
        Case("POST", "/api/v1/obstacles/{oid}/resolve", STAGE_ACTORS,
             make=lambda w, r: (f"/api/v1/obstacles/{with_obstacle(w)[1]}/resolve", j({"resolution": "done"}))),
        Case("POST", "/api/v1/projects/{pid}/stages/{sid}/documents", STAGE_ACTORS, ok=(201,),
             make=lambda w, r: (f"/api/v1/projects/{fresh(w)}/stages/{DLH_STAGE}/documents", {"files": {"file": PDF}})),
        Case("POST", "/api/v1/projects/{pid}/whatif", SIGNED,
             make=lambda w, r: (f"/api/v1/projects/{w.ids['pa']}/whatif", j({"shorten": {DLH_STAGE: 5}, "runs": 200}))),
        Case("PUT", "/api/v1/projects/{pid}/target", frozenset({"admin", "coord"}),
             make=lambda w, r: (f"/api/v1/projects/{fresh(w)}/target", j({"target": "2028-01-31"}))),
        Case("POST", "/api/v1/projects", frozenset({"admin", "coord"}), ok=(201,),
             make=lambda w, r: ("/api/v1/projects", j({"name": "New (SYNTHETIC)", "template": "apht",
                                                        "start": "2026-02-02", "regency": REGENCY_A}))),
        Case("POST", "/api/v1/templates/import", frozenset({"admin", "coord", "coord_b"}), ok=(201,),
             make=lambda w, r: ("/api/v1/templates/import", {"data": {"name": f"plan-{uuid.uuid4().hex[:8]}"},
                                                             "files": {"file": ("plan.csv", PLAN, "text/csv")}})),
        Case("POST", "/api/v1/me/password", SIGNED, relogin=True,
             make=lambda w, r: ("/api/v1/me/password", j({"old_password": password(r), "new_password": password(r)}))),
        Case("POST", "/api/v1/me/tokens", SIGNED, ok=(201,), make=lambda w, r: ("/api/v1/me/tokens", j({"name": "s"}))),
        Case("DELETE", "/api/v1/me/tokens/{token_id}", SIGNED,
             make=lambda w, r: (f"/api/v1/me/tokens/{own_token(w, r)}", {})),
        Case("POST", "/api/v1/users", ADMIN, ok=(201,),
             make=lambda w, r: ("/api/v1/users", j({"username": f"n{next(_counter)}", "role": "viewer"}))),
        Case("PATCH", "/api/v1/users/{username}", ADMIN,
             make=lambda w, r: (f"/api/v1/users/{throwaway_user(w)}", j({"full_name": "X"}))),
        Case("POST", "/api/v1/users/{username}/password", ADMIN,
             make=lambda w, r: (f"/api/v1/users/{throwaway_user(w)}/password", j({"password": "a-long-password"}))),
        Case("POST", "/api/v1/agencies", ADMIN, ok=(201,),
             make=lambda w, r: ("/api/v1/agencies", j({"code": f"A{next(_counter)}", "name": "Agency"}))),
        Case("PATCH", "/api/v1/agencies/{agency_id}", ADMIN,
             make=lambda w, r: (f"/api/v1/agencies/{w.svc.list_agencies()[0]['id']}", j({"name": "Renamed"}))),
        Case("POST", "/api/v1/calendar", ADMIN, ok=(201,),
             make=lambda w, r: ("/api/v1/calendar", j({"day": date(2031, 1, 1).fromordinal(
                 date(2031, 1, 1).toordinal() + next(_counter)).isoformat()}))),
        *analysis_cases(Case, SIGNED),
    ]


#: Routes with their own tests instead of the matrix, and why.
ELSEWHERE = {
    ("POST", "/login"): "test_web_auth.py: sign-in, lock-out, session rotation",
    ("POST", "/logout"): "test_web_auth.py: the session ends",
    ("GET", "/calendar/{token}.ics"): "test_web_auth.py: a feed token, not a role, opens it",
    **MAP_ROUTES,
}


def _url(case: Case, w: World) -> str:
    return case.path.format(pid=w.ids["pa"], sid=DLH_STAGE, doc_id=w.ids["document"], name="apht",
                            oid=w.ids["obstacle"])


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    w = World(request.param, tmp_path_factory.mktemp(f"web-{request.param}"))
    yield w
    w.close()


def test_the_matrix_covers_every_route(world):
    from kawasan.web.app import route_table

    declared = set(route_table(world.app))
    tested = {(c.method, c.path) for c in cases()} | set(ELSEWHERE)
    assert declared == tested, {"untested": sorted(declared - tested), "unknown": sorted(tested - declared)}


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c.method} {c.path}")
def test_every_role_on_every_route(world, case):
    outcomes = {}
    for role in ROLES:
        url, kw = case.make(world, role) if case.make else (_url(case, world), {})
        client, csrf = world.clients[role], world.csrf[role]
        headers = {"X-CSRF-Token": csrf} if csrf and case.method != "GET" else {}
        r = client.request(case.method, url, headers=headers, follow_redirects=False, **kw)
        outcomes[role] = r.status_code
        if case.relogin and role != "anon":
            world.relogin(role)
    expected = {}
    for role in ROLES:
        if role in case.allowed:
            expected[role] = outcomes[role] if outcomes[role] in case.ok else f"one of {case.ok}"
        elif role == "anon":
            expected[role] = 303 if case.page else 401
        else:
            expected[role] = 403
    assert outcomes == expected


def test_a_refused_api_call_has_the_one_error_shape(world):
    r = world.clients["viewer"].post(f"/api/v1/projects/{world.ids['pa']}/stages/{DLH_STAGE}/status",
                                     json={"status": "in_progress"}, headers={"X-CSRF-Token": world.csrf["viewer"]})
    assert r.status_code == 403
    assert set(r.json()) == {"error"} and r.json()["error"]["code"] == "permission_denied"
    assert "viewer" in r.json()["error"]["message"]
