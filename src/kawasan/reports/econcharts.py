"""Inline SVG charts of the economics report: LQ bars, quadrant scatter plots (SLQ x DLQ, Klassen),
diverging stacked bars (shift-share components, potential contributions).

Pure functions from plain rows to SVG text; every text is escaped here and the result is marked safe
for the autoescaping template. Numbers use the language's decimal separator (``dec``).
"""
from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

FONT = "font-family=\"system-ui, 'Segoe UI', Arial, sans-serif\""
PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
           "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6"]
#: Point colours by class: SLQ x DLQ (kawasan.economics.classes.LQ_CLASSES) and Klassen quadrants I..IV.
QUADRANT_COLOURS = {"unggulan": "#1a9641", "andalan": "#a6d96a", "prospektif": "#fdae61", "tertinggal": "#d7191c",
                    "I": "#1a9641", "II": "#fdae61", "III": "#a6d96a", "IV": "#d7191c"}


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _n(x: float, digits: int, dec: str) -> str:
    return f"{x:.{digits}f}".replace(".", dec)


CHAR_PX = 6.6   # about the width of one character at 12 px


def _clip(text: str, px: float) -> str:
    """The text shortened with an ellipsis to fit about ``px`` pixels (the full text goes in a tooltip)."""
    n = max(4, int(px / CHAR_PX))
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _svg_open(width: float, height: float, label: str, cls: str = "chart") -> str:
    return (f'<svg class="{cls}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_f(width)} {_f(height)}" '
            f'width="{_f(width)}" height="{_f(height)}" {FONT} font-size="12" role="img" '
            f'aria-label="{escape(label)}">')


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks, t = [], start
    while t <= hi + step * 1e-9:
        ticks.append(round(t, 12))
        t += step
    return ticks


def lq_bars(rows: list[dict], *, axis_label: str, dec: str = ".") -> Markup:
    """Horizontal bars of LQ per sector with the line LQ = 1; bars above 1 (basis sectors) in green.

    rows: [{"label", "lq"}] in display order.
    """
    lw, bw, rh, top = 260, 420, 20, 10
    vals = [float(r["lq"]) for r in rows if r.get("lq") is not None and math.isfinite(float(r["lq"]))]
    hi = max(vals + [1.0]) * 1.08
    ticks = [t for t in _nice_ticks(0.0, hi) if t <= hi]
    width, height = lw + bw + 70, top + rh * len(rows) + 40
    x = lambda v: lw + bw * v / hi  # noqa: E731
    parts = [_svg_open(width, height, axis_label)]
    for t in ticks:
        parts.append(f'<line x1="{_f(x(t))}" y1="{top - 4}" x2="{_f(x(t))}" y2="{top + rh * len(rows)}" '
                     f'stroke="#e5e5e5"/><text x="{_f(x(t))}" y="{top + rh * len(rows) + 14}" text-anchor="middle" '
                     f'fill="#555555">{_n(t, 1, dec)}</text>')
    for j, r in enumerate(rows):
        y = top + j * rh
        parts.append(f'<text x="{lw - 8}" y="{y + rh * 0.7:.1f}" text-anchor="end">'
                     f'<title>{escape(str(r["label"]))}</title>{escape(_clip(str(r["label"]), lw - 12))}</text>')
        v = r.get("lq")
        if v is None or not math.isfinite(float(v)):
            parts.append(f'<text x="{lw + 4}" y="{y + rh * 0.7:.1f}" fill="#888888">–</text>')
            continue
        v = float(v)
        colour = "#1a9641" if v > 1 else "#9e9e9e"
        parts.append(f'<rect x="{lw}" y="{y + 3}" width="{_f(max(0.5, x(v) - lw))}" height="{rh - 6}" '
                     f'fill="{colour}"><title>{escape(str(r["label"]))}: {_n(v, 3, dec)}</title></rect>')
        parts.append(f'<text x="{_f(x(v) + 4)}" y="{y + rh * 0.7:.1f}" fill="#333333">{_n(v, 2, dec)}</text>')
    parts.append(f'<line x1="{_f(x(1.0))}" y1="{top - 6}" x2="{_f(x(1.0))}" y2="{top + rh * len(rows) + 2}" '
                 f'stroke="#b91c1c" stroke-width="1.5" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{lw + bw / 2}" y="{height - 4}" text-anchor="middle" fill="#333333">'
                 f'{escape(axis_label)}</text></svg>')
    return Markup("".join(parts))


def quadrant_chart(rows: list[dict], *, x_label: str, y_label: str, x_split: float, y_split: float,
                   quadrant_text: dict, dec: str = ".", log: bool = False) -> Markup:
    """A scatter of points split into four quadrants at (x_split, y_split).

    rows: [{"label", "x", "y", "cls"}]; quadrant_text: {"tr", "tl", "br", "bl"} texts written in the
    corners (top-right, top-left, bottom-right, bottom-left); cls picks the point colour
    (:data:`QUADRANT_COLOURS`). ``log``: logarithmic axes (for LQ-like ratios; values must be > 0).
    """
    pts = [r for r in rows if r.get("x") is not None and r.get("y") is not None
           and math.isfinite(float(r["x"])) and math.isfinite(float(r["y"]))
           and (not log or (float(r["x"]) > 0 and float(r["y"]) > 0))]
    tf = (lambda v: math.log10(v)) if log else (lambda v: v)  # noqa: E731
    xs = [tf(float(r["x"])) for r in pts] + [tf(x_split)]
    ys = [tf(float(r["y"])) for r in pts] + [tf(y_split)]
    pad = lambda lo, hi: ((hi - lo) * 0.1 or 1.0)  # noqa: E731
    x0, x1 = min(xs) - pad(min(xs), max(xs)), max(xs) + pad(min(xs), max(xs))
    y0, y1 = min(ys) - pad(min(ys), max(ys)), max(ys) + pad(min(ys), max(ys))
    if not log:     # no negative tick on an axis of values that cannot be negative (PDRB per capita)
        x0 = max(x0, 0.0) if min(xs) >= 0 else x0
        y0 = max(y0, 0.0) if min(ys) >= 0 else y0
    left, top, pw, ph = 76, 14, 520, 360     # left: the y tick labels clear the rotated y-axis title
    width, height = left + pw + 20, top + ph + 48
    X = lambda v: left + pw * (tf(v) - x0) / (x1 - x0)  # noqa: E731
    Y = lambda v: top + ph * (1 - (tf(v) - y0) / (y1 - y0))  # noqa: E731
    parts = [_svg_open(width, height, f"{x_label} / {y_label}")]
    parts.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#bbbbbb"/>')
    xs_px, ys_px = X(x_split), Y(y_split)
    parts.append(f'<line x1="{_f(xs_px)}" y1="{top}" x2="{_f(xs_px)}" y2="{top + ph}" stroke="#b91c1c" '
                 f'stroke-dasharray="4 3"/><line x1="{left}" y1="{_f(ys_px)}" x2="{left + pw}" y2="{_f(ys_px)}" '
                 f'stroke="#b91c1c" stroke-dasharray="4 3"/>')
    corners = {"tr": (left + pw - 6, top + 16, "end"), "tl": (left + 6, top + 16, "start"),
               "br": (left + pw - 6, top + ph - 8, "end"), "bl": (left + 6, top + ph - 8, "start")}
    for k, (cx, cy, anchor) in corners.items():
        # two corner texts share one edge: each gets half of it (bold text is about 10 % wider)
        text = str(quadrant_text.get(k, ""))
        parts.append(f'<text x="{cx}" y="{cy}" text-anchor="{anchor}" fill="#6b7280" font-weight="600">'
                     f'<title>{escape(text)}</title>{escape(_clip(text, (pw / 2 - 12) / 1.1))}</text>')
    for t in (x0, (x0 + x1) / 2, x1):
        val = 10 ** t if log else t
        parts.append(f'<text x="{_f(left + pw * (t - x0) / (x1 - x0))}" y="{top + ph + 14}" text-anchor="middle" '
                     f'fill="#555555">{_n(val, 2, dec)}</text>')
    for t in (y0, (y0 + y1) / 2, y1):
        val = 10 ** t if log else t
        parts.append(f'<text x="{left - 6}" y="{_f(top + ph * (1 - (t - y0) / (y1 - y0)) + 4)}" text-anchor="end" '
                     f'fill="#555555">{_n(val, 2, dec)}</text>')
    for r in pts:
        px, py = X(float(r["x"])), Y(float(r["y"]))
        colour = QUADRANT_COLOURS.get(str(r.get("cls")), "#555555")
        tip = f'{r["label"]}: {_n(float(r["x"]), 3, dec)}; {_n(float(r["y"]), 3, dec)}'
        parts.append(f'<circle cx="{_f(px)}" cy="{_f(py)}" r="5" fill="{colour}" stroke="#333333" '
                     f'stroke-width="0.8"><title>{escape(tip)}</title></circle>')
        short = escape(str(r.get("short", r["label"])))
        parts.append(f'<text x="{_f(px + 7)}" y="{_f(py + 4)}" font-size="10.5">{short}</text>')
    parts.append(f'<text x="{left + pw / 2}" y="{height - 6}" text-anchor="middle" fill="#333333">'
                 f'{escape(x_label)}</text>')
    parts.append(f'<text transform="translate(14,{top + ph / 2}) rotate(-90)" text-anchor="middle" '
                 f'fill="#333333">{escape(y_label)}</text></svg>')
    return Markup("".join(parts))


def stacked_bars(rows: list[dict], *, parts: list[tuple[str, str]], axis_label: str, dec: str = ".",
                 total_label: str | None = None, digits: int = 1) -> Markup:
    """Diverging horizontal stacked bars: positive parts stack to the right of 0, negative to the left.

    rows: [{"label", "values": {part_id: number}, "total": number | None}]; parts: [(part_id, legend text)]
    in stacking order. A black tick marks each row's total (e.g. the actual change, which the shift-share
    components add up to) when ``total_label`` is given.
    """
    lw, bw, rh = 220, 460, 20
    width = lw + bw + 30
    legend = [(PALETTE[i % len(PALETTE)], text) for i, (_, text) in enumerate(parts)]
    items, lx, ly = [], 10.0, 0
    for colour, text in legend + ([("total", total_label)] if total_label else []):
        w = 30 + CHAR_PX * len(text)
        if lx + w > width - 10 and lx > 10:
            lx, ly = 10.0, ly + 1
        items.append((colour, text, lx, 16 + 18 * ly))
        lx += w
    top = 34 + 18 * ly
    pos = [sum(max(0.0, float(r["values"].get(p, 0.0) or 0.0)) for p, _ in parts) for r in rows]
    neg = [sum(min(0.0, float(r["values"].get(p, 0.0) or 0.0)) for p, _ in parts) for r in rows]
    tots = [float(r["total"]) for r in rows if r.get("total") is not None]
    hi = max(pos + [t for t in tots if t > 0] + [0.0])
    lo = min(neg + [t for t in tots if t < 0] + [0.0])
    if hi - lo <= 0:
        hi = 1.0
    ticks = [t for t in _nice_ticks(lo, hi) if lo - 1e-12 <= t <= hi + 1e-12]
    height = top + rh * len(rows) + 40
    X = lambda v: lw + bw * (v - lo) / (hi - lo)  # noqa: E731
    out = [_svg_open(width, height, axis_label)]
    for colour, text, lx, ty in items:
        if colour == "total":
            out.append(f'<line x1="{_f(lx + 7)}" y1="{ty - 11}" x2="{_f(lx + 7)}" y2="{ty + 3}" stroke="#000000" '
                       f'stroke-width="2.5"/><text x="{_f(lx + 18)}" y="{ty}">{escape(text)}</text>')
        else:
            out.append(f'<rect x="{_f(lx)}" y="{ty - 10}" width="14" height="12" fill="{colour}"/>'
                       f'<text x="{_f(lx + 18)}" y="{ty}">{escape(text)}</text>')
    for t in ticks:
        out.append(f'<line x1="{_f(X(t))}" y1="{top - 4}" x2="{_f(X(t))}" y2="{top + rh * len(rows)}" '
                   f'stroke="#e5e5e5"/><text x="{_f(X(t))}" y="{top + rh * len(rows) + 14}" text-anchor="middle" '
                   f'fill="#555555">{_n(t, digits, dec)}</text>')
    out.append(f'<line x1="{_f(X(0))}" y1="{top - 4}" x2="{_f(X(0))}" y2="{top + rh * len(rows)}" stroke="#555555"/>')
    for j, r in enumerate(rows):
        y = top + j * rh
        out.append(f'<text x="{lw - 8}" y="{y + rh * 0.7:.1f}" text-anchor="end">'
                   f'<title>{escape(str(r["label"]))}</title>{escape(_clip(str(r["label"]), lw - 12))}</text>')
        p_acc, n_acc = 0.0, 0.0
        for i, (pid, text) in enumerate(parts):
            v = float(r["values"].get(pid, 0.0) or 0.0)
            if v == 0 or not math.isfinite(v):
                continue
            if v > 0:
                a, b = p_acc, p_acc + v
                p_acc = b
            else:
                a, b = n_acc + v, n_acc
                n_acc = a
            out.append(f'<rect x="{_f(X(a))}" y="{y + 3}" width="{_f(max(0.4, X(b) - X(a)))}" height="{rh - 6}" '
                       f'fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(str(r["label"]))}, {escape(text)}: '
                       f'{_n(v, digits + 2, dec)}</title></rect>')
        if total_label and r.get("total") is not None and math.isfinite(float(r["total"])):
            tx = X(float(r["total"]))
            out.append(f'<line x1="{_f(tx)}" y1="{y + 1}" x2="{_f(tx)}" y2="{y + rh - 1}" stroke="#000000" '
                       f'stroke-width="2.5"><title>{escape(total_label)}: {_n(float(r["total"]), digits + 2, dec)}'
                       f'</title></line>')
    out.append(f'<text x="{lw + bw / 2}" y="{height - 4}" text-anchor="middle" fill="#333333">'
               f'{escape(axis_label)}</text></svg>')
    return Markup("".join(out))
