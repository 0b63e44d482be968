"""A small two-regency world for the web tests: users of every role, projects in both regencies.

Roles (the issue's matrix): ``admin`` (administrator), ``coord`` (coordinator of Kabupaten Contoh),
``coord_b`` (coordinator of Kabupaten Lain), ``dlh`` (officer of DLH in Contoh, the agency of DLH_STAGE),
``dlh_b`` (DLH of Kabupaten Lain), ``dpm`` (DPMPTSP of Contoh: another agency), ``viewer``, and
``anon`` (signed out). Every password is ``password-<name>``. All names are SYNTHETIC.
"""
from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient

TODAY = date(2026, 6, 1)


def _stage_of(agency: str) -> str:
    from kawasan.licensing import builtin_template

    return next(s.id for s in builtin_template("apht").stages if s.agency == agency)


DLH_STAGE = _stage_of("DLH")  # the stage of the DLH officers in the APHT template
DPM_STAGE = _stage_of("DPMPTSP")  # a DPMPTSP stage (another agency for the DLH officer)
START = date(2026, 1, 5)
REGENCY_A = "Kabupaten Contoh"
REGENCY_B = "Kabupaten Lain"
ROLES = ("admin", "coord", "coord_b", "dlh", "dlh_b", "dpm", "viewer", "anon")
USERS = {
    "admin": ("administrator", None, None),
    "coord": ("coordinator", None, REGENCY_A),
    "coord_b": ("coordinator", None, REGENCY_B),
    "dlh": ("agency_officer", "DLH", REGENCY_A),
    "dlh_b": ("agency_officer", "DLH", REGENCY_B),
    "dpm": ("agency_officer", "DPMPTSP", REGENCY_A),
    "viewer": ("viewer", None, None),
}


def password(name: str) -> str:
    return f"password-{name}"


def seed_world(svc) -> dict:
    """Users, two projects (A and B) with some progress, an obstacle and a document; returns their ids."""
    if not svc.embedded:
        svc.add_user("admin", "administrator")
    pa = svc.create_project("KIHT Contoh (SYNTHETIC)", "apht", START, regency=REGENCY_A, actor="admin",
                            site_geometry={"type": "Polygon", "coordinates": [[[113.20, -7.80], [113.22, -7.80],
                                                                               [113.22, -7.78], [113.20, -7.80]]]})["id"]
    pb = svc.create_project("KIHT Lain (SYNTHETIC)", "apht", START, regency=REGENCY_B, actor="admin")["id"]
    for name, (role, agency, regency) in USERS.items():
        if name != "admin":
            svc.add_user(name, role, agency=agency, regency=regency, full_name=f"{name} (synthetic)", actor="admin")
        svc.set_password(name, password(name), actor="admin")
    svc.update_stage(pa, "K1", "in_progress", on=date(2026, 1, 6), actor="admin")
    svc.update_stage(pa, DLH_STAGE, "in_progress", on=date(2026, 2, 2), actor="admin")
    ob = svc.add_obstacle(pa, DLH_STAGE, "UKL-UPL consultant late (synthetic)", owner="DLH", on=date(2026, 3, 2),
                          actor="admin")["id"]
    return {"pa": pa, "pb": pb, "obstacle": ob}


def sign_in(client: TestClient, name: str) -> str | None:
    """Sign ``name`` in through the login form; returns the session's CSRF token (None for anon)."""
    if name == "anon":
        return None
    page = client.get("/login")
    pre = re.search(r'name="pre" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"username": name, "password": password(name), "pre": pre, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_of(client)


def csrf_of(client: TestClient) -> str:
    page = client.get("/account")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def make_settings(backend: str, folder):
    """Settings of a fresh database: an SQLite file in ``folder`` or a fresh PostgreSQL schema (skipped
    when no server is reachable). Returns (settings, cleanup)."""
    import uuid
    from urllib.parse import quote

    from kawasan.tracker import Settings

    if backend == "sqlite":
        return Settings.in_folder(folder, timeout_s=5), lambda: None
    import psycopg

    import test_licensing_store_fixtures as fx

    base = fx.pg_base_url()
    schema = f"kawasan_web_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(fx._raw(base), autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    url = base + ("&" if "?" in base else "?") + "options=" + quote(f"-csearch_path={schema}")

    def cleanup():
        with psycopg.connect(fx._raw(base), autocommit=True) as c:
            c.execute(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                      f"AND query LIKE '%{schema}%'")
            c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    return Settings(database_url=url, files_dir=folder / "documents", home=folder, timeout_s=5), cleanup


class World:
    """An app over a seeded database with one signed-in client per role."""

    def __init__(self, backend: str, folder):
        from kawasan.tracker import ProjectService
        from kawasan.web.app import create_app
        from kawasan.web.settings import WebSettings

        self.settings, self._cleanup = make_settings(backend, folder)
        self.svc = ProjectService(self.settings, today=TODAY, user="admin")
        self.ids = seed_world(self.svc)
        pdf = folder / "plan.pdf"
        pdf.write_bytes(b"%PDF-1.4\n% synthetic\n%%EOF\n")
        self.ids["document"] = self.svc.attach(self.ids["pa"], DLH_STAGE, pdf, actor="admin")["id"]
        self.app = create_app(self.settings, WebSettings(), today=TODAY, background=False)
        self.clients: dict[str, TestClient] = {}
        self.csrf: dict[str, str | None] = {}
        for name in ROLES:
            c = TestClient(self.app, base_url="http://testserver")
            c.__enter__()
            self.clients[name] = c
            self.csrf[name] = sign_in(c, name)

    def relogin(self, name: str) -> None:
        self.csrf[name] = sign_in(self.clients[name], name)

    def close(self) -> None:
        for c in self.clients.values():
            c.__exit__(None, None, None)
        self.svc.close()
        self._cleanup()
