"""The timeline (Gantt) of a project from its forecast: one bar per stage from its forecast start to finish,
critical stages marked, a line for today and markers for P50 and P80. Drawn on the server as SVG shapes
(no script): the template writes the rectangles and lines computed here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

WIDTH, LEFT, RIGHT, ROW, TOP = 1000, 50, 36, 22, 28


@dataclass(frozen=True)
class Bar:
    id: str
    y: float
    x: float
    w: float
    critical: bool
    actual: bool
    status: str
    start: str
    finish: str


def _d(s: str | None) -> date | None:
    return date.fromisoformat(s) if s else None


def timeline(fc: dict) -> dict:
    """Bars, the today line, the P50/P80 markers and month ticks, in SVG user units."""
    stages = fc["stages"]
    days = [_d(s["start_date"]) for s in stages] + [_d(s["finish_date"]) for s in stages]
    days += [_d(fc["today"]), _d(fc["p80"]), _d(fc["p50"]), _d(fc["start"])]
    days = [d for d in days if d]
    lo, hi = min(days), max(days)
    span = max((hi - lo).days + 1, 1)
    usable = WIDTH - LEFT - RIGHT

    def x(d: date) -> float:
        return round(LEFT + usable * ((d - lo).days / span), 1)

    bars = []
    for i, s in enumerate(stages):
        a, b = _d(s["start_date"]), _d(s["finish_date"])
        bars.append(Bar(s["id"], TOP + i * ROW, x(a), max(round(x(b) - x(a) + usable / span, 1), 2.0),
                        bool(s["critical"]), bool(s["actual"]), s["status"], s["start_date"], s["finish_date"]))
    height = TOP + len(stages) * ROW + 10
    ticks, m = [], date(lo.year, lo.month, 1)
    step = max(1, span // 365 + 1)  # a tick every month, or every few months on long plans
    while m <= hi:
        if m >= lo and x(m) <= WIDTH - 45:  # a label at the right edge would be cut off
            ticks.append({"x": x(m), "label": m})
        month = m.month - 1 + step
        m = date(m.year + month // 12, month % 12 + 1, 1)
    return {"width": WIDTH, "height": height, "left": LEFT, "bars": bars, "ticks": ticks,
            "today": x(_d(fc["today"])), "p50": x(_d(fc["p50"])), "p80": x(_d(fc["p80"])),
            "finish": x(_d(fc["finish"]))}
