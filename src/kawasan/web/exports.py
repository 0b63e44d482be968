"""CSV exports of the portfolio and of a project's stages, safe to open in a spreadsheet.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a
formula by a spreadsheet (OWASP, "CSV Injection"); such a cell is written with a leading apostrophe.
"""
from __future__ import annotations

import csv
import io

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([safe_cell(h) for h in header])
    for r in rows:
        w.writerow([safe_cell(v) for v in r])
    return buf.getvalue()


def portfolio_csv(portfolio: dict) -> str:
    header = ["id", "name", "regency", "template", "status", "done", "total", "blocked", "overdue",
              "open_obstacles", "finish", "p50", "p80", "p80_change_days", "target"]
    return to_csv(header, [[p[k] for k in header] for p in portfolio["projects"]])


def stages_csv(state: dict, lang: str) -> str:
    header = ["stage", "name", "agency", "status", "due", "deemed_approved", "overdue_days", "legal_basis",
              "certainty", "reason"]
    rows = [[s["id"], s["name"][lang], s["agency"], s["status"], s["due"], s["deemed_approved"], s["overdue_days"],
             s["legal_basis"]["citation"], s["legal_basis"]["tag"], s["reason"]] for s in state["stages"]]
    return to_csv(header, rows)
