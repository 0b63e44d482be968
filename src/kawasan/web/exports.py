"""CSV exports of the portfolio and of a project's stages, safe to open in a spreadsheet.

Every cell goes through :func:`kawasan.csvout.safe_cell` (OWASP's rule against formula injection: a text
cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe).
"""
from __future__ import annotations

from kawasan.csvout import safe_cell, to_csv

__all__ = ["safe_cell", "to_csv", "portfolio_csv", "stages_csv"]


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
