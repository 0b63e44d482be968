"""Every free-text field is escaped on every page and neutralised in every CSV export.

A script tag and a spreadsheet formula go into each: project name, regency, stage reason, obstacle
description/owner/resolution, document name, user full name, agency name, calendar description, the
stage names of an imported plan, a token name.
"""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from web_fixtures import World

XSS = '<script>alert("x")</script>'
FORMULA = '=HYPERLINK("http://evil.example","click")'
EVIL = f"{FORMULA} {XSS}"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World("sqlite", tmp_path_factory.mktemp("web-escape"))
    s = w.svc
    pid = s.create_project(EVIL, "apht", date(2026, 1, 5), regency=EVIL, actor="admin",
                           site_geometry={"type": "Point", "coordinates": [113.2, -7.8]})["id"]
    s.update_stage(pid, "K1", "in_progress", on=date(2026, 1, 6), reason=EVIL, actor="admin")
    s.block_stage(pid, "K2", reason=EVIL, obstacle=EVIL, owner=EVIL, on=date(2026, 2, 2), actor="admin")
    ob = s.add_obstacle(pid, "K1", EVIL, owner=EVIL, on=date(2026, 2, 3), actor="admin")["id"]
    s.resolve_obstacle(ob, EVIL, on=date(2026, 2, 4), actor="admin")
    pdf = w.settings.home / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    s.attach(pid, "K1", pdf, name=EVIL, actor="admin")
    s.add_user("evil", "coordinator", regency=EVIL, full_name=EVIL, actor="admin")
    s.add_agency("EVIL", EVIL, kind="national", actor="admin")
    s.add_calendar_day(date(2026, 8, 18), description=EVIL, actor="admin")
    s.create_token("admin", EVIL, actor="admin")
    plan = w.settings.home / "plan.csv"
    buf = io.StringIO()
    csv.writer(buf).writerows([["id", "name", "agency", "duration_days", "requires"],
                               ["S1", f"{FORMULA} {XSS}", "BAPPEDA", "10", ""]])
    plan.write_text(buf.getvalue(), encoding="utf-8")
    from kawasan.licensing import import_csv

    s.register_template(import_csv(plan, "evil-plan"), actor="admin")
    w.ids["evil"] = pid
    yield w
    w.close()


def test_pages_escape_every_free_text_field(world):
    c, pid = world.clients["admin"], world.ids["evil"]
    pages = ["/my-work", "/projects", f"/projects/{pid}", f"/projects/{pid}/whatif", "/templates",
             "/templates/evil-plan", "/account", "/admin/users", "/admin/agencies", "/admin/calendar?year=2026"]
    for path in pages:
        html = c.get(path).text
        assert XSS not in html, path
        assert "&lt;script&gt;" in html or path in ("/templates", "/my-work"), path


def test_the_api_returns_the_text_as_data(world):
    r = world.clients["admin"].get(f"/api/v1/projects/{world.ids['evil']}")
    assert r.json()["name"] == EVIL and r.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("path", ["/projects.csv", "/api/v1/projects.csv", "/projects/{pid}/stages.csv",
                                  "/api/v1/projects/{pid}/stages.csv"])
def test_csv_exports_neutralise_formulas(world, path):
    r = world.clients["admin"].get(path.format(pid=world.ids["evil"]))
    assert r.headers["content-disposition"].startswith("attachment")
    cells = [cell for row in csv.reader(io.StringIO(r.text)) for cell in row]
    assert any(FORMULA in cell for cell in cells)
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or _plain_number(cell), cell


def _plain_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return cell.strip() == cell and not any(c.isalpha() for c in cell.lower().replace("e", ""))


def test_safe_cell_follows_owasp():
    from kawasan.web.exports import safe_cell

    assert safe_cell("=1+1") == "'=1+1" and safe_cell("+1+1") == "'+1+1" and safe_cell("-1+cmd") == "'-1+cmd"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell("\tx") == "'\tx" and safe_cell("ok") == "ok"
    assert safe_cell(None) == "" and safe_cell(3) == 3
    assert safe_cell("-1") == "-1" and safe_cell(-2.5) == -2.5   # a plain negative number stays a number
