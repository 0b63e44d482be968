"""Inline SVG charts of the economics report: LQ bars, quadrant scatter plots (SLQ x DLQ, Klassen),
diverging stacked bars (shift-share components, potential contributions).

Pure functions from plain rows to SVG text; every text is escaped here and the result is marked safe
for the autoescaping template. Numbers are written for the language (kawasan.i18n); label columns are as wide
as their labels (kawasan.reports.svgtext), and a label that cannot be placed is left out and counted.
"""
from __future__ import annotations

import math
from html import escape

from markupsafe import Markup

from kawasan.i18n import fmt_number
from kawasan.reports import svgtext
from kawasan.reports.charts import chart

FONT = "font-family=\"system-ui, 'Segoe UI', Arial, sans-serif\""
PALETTE = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
           "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6"]
#: Point colours by class: SLQ x DLQ (kawasan.economics.classes.LQ_CLASSES) and Klassen quadrants I..IV.
QUADRANT_COLOURS = {"unggulan": "#1a9641", "andalan": "#a6d96a", "prospektif": "#fdae61", "tertinggal": "#d7191c",
                    "I": "#1a9641", "II": "#fdae61", "III": "#a6d96a", "IV": "#d7191c"}


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _n(x: float, digits: int, lang: str) -> str:
    return fmt_number(x, lang, digits)


def _label_rows(labels: list[str]) -> tuple[float, float, list[list[str]]]:
    """Label column width (the longest label, wrapped to two lines beyond 300 px), row height, and the lines."""
    lw, lines = svgtext.label_column(labels)
    return lw + 16, (20 if all(len(x) == 1 for x in lines) else 30), lines


def _row_label(lines: list[str], x: float, y_mid: float, full: str) -> str:
    first = y_mid + 4 - (len(lines) - 1) * 13.8 / 2
    return svgtext.text_lines(x, first, lines, anchor="end", title=full)


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


def lq_bars(rows: list[dict], *, axis_label: str, lang: str = "en") -> Markup:
    """Horizontal bars of LQ per sector with the line LQ = 1; bars above 1 (basis sectors) in green.

    rows: [{"label", "lq"}] in display order.
    """
    lw, rh, lines = _label_rows([str(r["label"]) for r in rows])
    bw, top = 420, 10
    vals = [float(r["lq"]) for r in rows if r.get("lq") is not None and math.isfinite(float(r["lq"]))]
    hi = max(vals + [1.0]) * 1.08
    ticks = [t for t in _nice_ticks(0.0, hi) if t <= hi]
    width, height = lw + bw + 70, top + rh * len(rows) + 40
    x = lambda v: lw + bw * v / hi  # noqa: E731
    parts = [_svg_open(width, height, axis_label)]
    for t in ticks:
        parts.append(f'<line x1="{_f(x(t))}" y1="{top - 4}" x2="{_f(x(t))}" y2="{top + rh * len(rows)}" '
                     f'stroke="#e5e5e5"/><text x="{_f(x(t))}" y="{top + rh * len(rows) + 14}" text-anchor="middle" '
                     f'fill="#555555">{_n(t, 1, lang)}</text>')
    for j, r in enumerate(rows):
        y = top + j * rh
        parts.append(_row_label(lines[j], lw - 8, y + rh / 2, str(r["label"])))
        v = r.get("lq")
        if v is None or not math.isfinite(float(v)):
            parts.append(f'<text x="{_f(lw + 4)}" y="{y + rh / 2 + 4:.1f}" fill="#888888">–</text>')
            continue
        v = float(v)
        colour = "#1a9641" if v > 1 else "#9e9e9e"
        parts.append(f'<rect x="{_f(lw)}" y="{_f(y + rh / 2 - 7)}" width="{_f(max(0.5, x(v) - lw))}" height="14" '
                     f'fill="{colour}"><title>{escape(str(r["label"]))}: {_n(v, 3, lang)}</title></rect>')
        parts.append(f'<text x="{_f(x(v) + 4)}" y="{y + rh / 2 + 4:.1f}" fill="#333333">{_n(v, 2, lang)}</text>')
    parts.append(f'<line x1="{_f(x(1.0))}" y1="{top - 6}" x2="{_f(x(1.0))}" y2="{top + rh * len(rows) + 2}" '
                 f'stroke="#b91c1c" stroke-width="1.5" stroke-dasharray="4 3"/>')
    parts.append(f'<text x="{_f(lw + bw / 2)}" y="{height - 4}" text-anchor="middle" fill="#333333">'
                 f'{escape(axis_label)}</text></svg>')
    return Markup("".join(parts))


def quadrant_chart(rows: list[dict], *, x_label: str, y_label: str, x_split: float, y_split: float,
                   quadrant_text: dict, lang: str = "en", log: bool = False) -> Markup:
    """A scatter of points split into four quadrants at (x_split, y_split).

    rows: [{"label", "x", "y", "cls"}]; quadrant_text: {"tr", "tl", "br", "bl"} texts written in the
    corners (top-right, top-left, bottom-right, bottom-left), wrapped to fit half the plot; cls picks the point
    colour (:data:`QUADRANT_COLOURS`). ``log``: logarithmic axes (for LQ-like ratios; values must be > 0).
    Each point's label (``short``, else ``label``) goes right, left, above or below it where it covers no other
    label, point or corner text; one that fits nowhere is left out (the chart's ``hidden`` counts them; every
    point keeps its tooltip and the table lists all).
    """
    pts = _plottable(rows, log)
    tf = (lambda v: math.log10(v)) if log else (lambda v: v)  # noqa: E731
    x0, x1, y0, y1 = _quadrant_extent([tf(float(r["x"])) for r in pts] + [tf(x_split)],
                                      [tf(float(r["y"])) for r in pts] + [tf(y_split)], log)
    y_ticks = [(t, _n(10 ** t if log else t, 2, lang)) for t in (y0, (y0 + y1) / 2, y1)]
    left = 30 + max(svgtext.text_px(txt) for _, txt in y_ticks) + 10   # room for the rotated title and the ticks
    top, pw, ph = 14, 520, 360
    width, height = left + pw + 24, top + ph + 48
    X = lambda v: left + pw * (tf(v) - x0) / (x1 - x0)  # noqa: E731
    Y = lambda v: top + ph * (1 - (tf(v) - y0) / (y1 - y0))  # noqa: E731
    parts = [_svg_open(width, height, f"{x_label} / {y_label}")]
    parts.append(f'<rect x="{_f(left)}" y="{top}" width="{pw}" height="{ph}" fill="#fafafa" stroke="#bbbbbb"/>')
    xs_px, ys_px = X(x_split), Y(y_split)
    parts.append(f'<line x1="{_f(xs_px)}" y1="{top}" x2="{_f(xs_px)}" y2="{top + ph}" stroke="#b91c1c" '
                 f'stroke-dasharray="4 3"/><line x1="{_f(left)}" y1="{_f(ys_px)}" x2="{_f(left + pw)}" '
                 f'y2="{_f(ys_px)}" stroke="#b91c1c" stroke-dasharray="4 3"/>')
    taken: list[svgtext.Box] = []
    parts += _corner_texts(quadrant_text, left, top, pw, ph, taken)
    for t in (x0, (x0 + x1) / 2, x1):
        val = 10 ** t if log else t
        parts.append(f'<text x="{_f(left + pw * (t - x0) / (x1 - x0))}" y="{top + ph + 14}" text-anchor="middle" '
                     f'fill="#555555">{_n(val, 2, lang)}</text>')
    for t, txt in y_ticks:
        parts.append(f'<text x="{_f(left - 6)}" y="{_f(top + ph * (1 - (t - y0) / (y1 - y0)) + 4)}" '
                     f'text-anchor="end" fill="#555555">{txt}</text>')
    centres = [(X(float(r["x"])), Y(float(r["y"]))) for r in pts]
    taken += [svgtext.Box(px - 5, py - 5, px + 5, py + 5) for px, py in centres]
    parts += _point_marks(pts, centres, lang)
    area = svgtext.Box(left + 2, top + 2, left + pw - 2, top + ph - 2)
    labels, hidden = _point_labels(pts, centres, area, taken)
    parts += labels
    parts.append(f'<text x="{_f(left + pw / 2)}" y="{height - 6}" text-anchor="middle" fill="#333333">'
                 f'{escape(x_label)}</text>')
    parts.append(f'<text transform="translate(14,{top + ph / 2}) rotate(-90)" text-anchor="middle" '
                 f'fill="#333333">{escape(y_label)}</text></svg>')
    return chart("".join(parts), hidden)


def _plottable(rows: list[dict], log: bool) -> list[dict]:
    """The rows with finite x and y (and both > 0 on log axes)."""
    return [r for r in rows if r.get("x") is not None and r.get("y") is not None
            and math.isfinite(float(r["x"])) and math.isfinite(float(r["y"]))
            and (not log or (float(r["x"]) > 0 and float(r["y"]) > 0))]


def _quadrant_extent(xs: list[float], ys: list[float], log: bool) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1): the values' range (axis units) padded by 10 % (1 when the range is empty); on linear
    axes the padding does not go below 0 when no value does."""
    pad = lambda lo, hi: ((hi - lo) * 0.1 or 1.0)  # noqa: E731
    x0, x1 = min(xs) - pad(min(xs), max(xs)), max(xs) + pad(min(xs), max(xs))
    y0, y1 = min(ys) - pad(min(ys), max(ys)), max(ys) + pad(min(ys), max(ys))
    if not log:     # no negative tick on an axis of values that cannot be negative (PDRB per capita)
        x0 = max(x0, 0.0) if min(xs) >= 0 else x0
        y0 = max(y0, 0.0) if min(ys) >= 0 else y0
    return x0, x1, y0, y1


def _point_marks(pts: list[dict], centres: list[tuple[float, float]], lang: str) -> list[str]:
    """A circle per point in its class colour, with its label and values as the tooltip."""
    out = []
    for r, (px, py) in zip(pts, centres):
        colour = QUADRANT_COLOURS.get(str(r.get("cls")), "#555555")
        tip = f'{r["label"]}: {_n(float(r["x"]), 3, lang)}; {_n(float(r["y"]), 3, lang)}'
        out.append(f'<circle cx="{_f(px)}" cy="{_f(py)}" r="5" fill="{colour}" stroke="#333333" '
                   f'stroke-width="0.8"><title>{escape(tip)}</title></circle>')
    return out


def _point_labels(pts: list[dict], centres: list[tuple[float, float]], area: svgtext.Box,
                  taken: list[svgtext.Box]) -> tuple[list[str], int]:
    """Each point's short label where it covers nothing already ``taken`` (which it then joins); and how many
    found no place."""
    out, hidden = [], 0
    for r, (px, py) in zip(pts, centres):
        short = str(r.get("short", r["label"]))
        spot = svgtext.place_point_label(short, px, py, size=10.5, area=area, taken=taken)
        if spot is None:
            hidden += 1
            continue
        tx, ty, anchor = spot
        out.append(f'<text class="point-label" x="{_f(tx)}" y="{_f(ty)}" text-anchor="{anchor}" '
                   f'font-size="10.5">{escape(short)}</text>')
    return out, hidden


def _corner_texts(quadrant_text: dict, left: float, top: float, pw: float, ph: float,
                  taken: list[svgtext.Box]) -> list[str]:
    """The four quadrant names in the plot's corners, each wrapped to half the plot's width (never cut)."""
    out = []
    for k in ("tl", "tr", "bl", "br"):
        text = str(quadrant_text.get(k, ""))
        if not text:
            continue
        lines, _ = svgtext.wrap(text, pw / 2 - 16, 12, max_lines=3, bold=True)
        h = 13.8 * len(lines)
        right, bottom = k.endswith("r"), k.startswith("b")
        x = left + pw - 6 if right else left + 6
        y = top + ph - 8 - (len(lines) - 1) * 13.8 if bottom else top + 16
        w = max(svgtext.text_px(t, 12, True) for t in lines)
        taken.append(svgtext.Box(x - w if right else x, y - 12, x if right else x + w, y - 12 + h + 2))
        out.append(svgtext.text_lines(x, y, lines, anchor="end" if right else "start",
                                      attrs='class="corner" fill="#6b7280" font-weight="600"'))
    return out


def stacked_bars(rows: list[dict], *, parts: list[tuple[str, str]], axis_label: str, lang: str = "en",
                 total_label: str | None = None, digits: int = 1) -> Markup:
    """Diverging horizontal stacked bars: positive parts stack to the right of 0, negative to the left.

    rows: [{"label", "values": {part_id: number}, "total": number | None}]; parts: [(part_id, legend text)]
    in stacking order. A black tick marks each row's total (e.g. the actual change, which the shift-share
    components add up to) when ``total_label`` is given.
    """
    lw, rh, lines = _label_rows([str(r["label"]) for r in rows])
    bw = 460
    width = lw + bw + 30
    items, legend_rows = _legend_items(parts, total_label, width)
    top = 34 + 18 * legend_rows
    lo, hi = _stack_range(rows, parts)
    ticks = [t for t in _nice_ticks(lo, hi) if lo - 1e-12 <= t <= hi + 1e-12]
    height = top + rh * len(rows) + 40
    X = lambda v: lw + bw * (v - lo) / (hi - lo)  # noqa: E731
    out = [_svg_open(width, height, axis_label)]
    out += _legend_svg(items)
    for t in ticks:
        out.append(f'<line x1="{_f(X(t))}" y1="{top - 4}" x2="{_f(X(t))}" y2="{top + rh * len(rows)}" '
                   f'stroke="#e5e5e5"/><text x="{_f(X(t))}" y="{top + rh * len(rows) + 14}" text-anchor="middle" '
                   f'fill="#555555">{_n(t, digits, lang)}</text>')
    out.append(f'<line x1="{_f(X(0))}" y1="{top - 4}" x2="{_f(X(0))}" y2="{top + rh * len(rows)}" stroke="#555555"/>')
    for j, r in enumerate(rows):
        y = top + j * rh
        out.append(_row_label(lines[j], lw - 8, y + rh / 2, str(r["label"])))
        out += _stacked_row(r, parts, X, y + rh / 2, digits, lang)
        if total_label and r.get("total") is not None and math.isfinite(float(r["total"])):
            tx = X(float(r["total"]))
            out.append(f'<line x1="{_f(tx)}" y1="{_f(y + rh / 2 - 9)}" x2="{_f(tx)}" y2="{_f(y + rh / 2 + 9)}" '
                       f'stroke="#000000" stroke-width="2.5"><title>{escape(total_label)}: '
                       f'{_n(float(r["total"]), digits + 2, lang)}</title></line>')
    out.append(f'<text x="{_f(lw + bw / 2)}" y="{height - 4}" text-anchor="middle" fill="#333333">'
               f'{escape(axis_label)}</text></svg>')
    return Markup("".join(out))


def _legend_items(parts: list[tuple[str, str]], total_label: str | None, width: float) -> tuple[list, int]:
    """Legend entries (colour or "total", text, x, baseline y) flowed into lines across ``width``, and the
    number of extra lines."""
    legend = [(PALETTE[i % len(PALETTE)], text) for i, (_, text) in enumerate(parts)]
    items, lx, ly = [], 10.0, 0
    for colour, text in legend + ([("total", total_label)] if total_label else []):
        w = 30 + svgtext.text_px(text)
        if lx + w > width - 10 and lx > 10:
            lx, ly = 10.0, ly + 1
        items.append((colour, text, lx, 16 + 18 * ly))
        lx += w
    return items, ly


def _legend_svg(items: list) -> list[str]:
    """A colour swatch (or the total's black tick) and the text of each legend entry."""
    out = []
    for colour, text, lx, ty in items:
        if colour == "total":
            out.append(f'<line x1="{_f(lx + 7)}" y1="{ty - 11}" x2="{_f(lx + 7)}" y2="{ty + 3}" stroke="#000000" '
                       f'stroke-width="2.5"/><text x="{_f(lx + 18)}" y="{ty}">{escape(text)}</text>')
        else:
            out.append(f'<rect x="{_f(lx)}" y="{ty - 10}" width="14" height="12" fill="{colour}"/>'
                       f'<text x="{_f(lx + 18)}" y="{ty}">{escape(text)}</text>')
    return out


def _stack_range(rows: list[dict], parts: list[tuple[str, str]]) -> tuple[float, float]:
    """(lo, hi) of the axis: the largest negative and positive stacks and totals, always including 0."""
    pos = [sum(max(0.0, float(r["values"].get(p, 0.0) or 0.0)) for p, _ in parts) for r in rows]
    neg = [sum(min(0.0, float(r["values"].get(p, 0.0) or 0.0)) for p, _ in parts) for r in rows]
    tots = [float(r["total"]) for r in rows if r.get("total") is not None]
    hi = max(pos + [t for t in tots if t > 0] + [0.0])
    lo = min(neg + [t for t in tots if t < 0] + [0.0])
    if hi - lo <= 0:
        hi = 1.0
    return lo, hi


def _stacked_row(r: dict, parts: list[tuple[str, str]], X, y_mid: float, digits: int, lang: str) -> list[str]:
    """One row's bar pieces: positive parts stacked right of 0, negative ones left, each with its tooltip."""
    out = []
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
        out.append(f'<rect x="{_f(X(a))}" y="{_f(y_mid - 7)}" width="{_f(max(0.4, X(b) - X(a)))}" '
                   f'height="14" fill="{PALETTE[i % len(PALETTE)]}"><title>{escape(str(r["label"]))}, '
                   f'{escape(text)}: {_n(v, digits + 2, lang)}</title></rect>')
    return out
