"""Inline SVG for the report: map overlays (labels, scale bar, north arrow) and stress-test charts.

Every text is escaped here; the results are marked safe for the (autoescaping) template.
"""
from __future__ import annotations

from html import escape

from markupsafe import Markup

from kawasan.i18n import fmt_number, format_number
from kawasan.reports import svgtext

FONT = "font-family=\"system-ui, 'Segoe UI', Arial, sans-serif\""


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def nice_length(max_m: float) -> float:
    """The largest 1-2-5 x 10^n length (metres) not above max_m."""
    if max_m <= 0:
        return 0.0
    n = 10 ** int(f"{max_m:e}".split("e")[1])
    for f in (5, 2, 1):
        if f * n <= max_m:
            return float(f * n)
    return float(n)


def _length_text(m: float) -> str:
    return f"{m / 1000:g} km" if m >= 1000 else f"{m:g} m"


MAX_LABEL_CHARS = 28


class Chart(Markup):
    """An SVG chart (safe markup) that also says how many of its labels it left out (``hidden``)."""

    hidden: int = 0


def chart(svg: str, hidden: int = 0) -> Chart:
    out = Chart(svg)
    out.hidden = hidden
    return out


def _place_label(text: str, x: float, y: float, size: float, width: float,
                 placed: list[tuple[float, float, float, float]]):
    """(text, x, anchor) for a place label kept inside the map and clear of labels already placed, or None.

    A long name is shortened with an ellipsis (the full name becomes the label's tooltip); near the left or
    right edge the label is anchored to that edge.
    """
    if len(text) > MAX_LABEL_CHARS:
        text = text[: MAX_LABEL_CHARS - 1].rstrip() + "…"
    w = svgtext.text_px(text, size)
    x0, anchor, tx = x - w / 2, "middle", x
    if x0 < 2:
        x0, anchor, tx = 2.0, "start", 2.0
    elif x0 + w > width - 2:
        x0, anchor, tx = width - 2 - w, "end", width - 2.0
    box = (x0, y - size, x0 + w, y + size * 0.25)
    if any(box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed):
        return None
    placed.append(box)
    return text, tx, anchor


def map_overlay(width: int, height: int, pixel_size: float, labels: list[dict], north: str) -> Chart:
    """An SVG laid over a map image (same pixel coordinates): labels, a km scale bar and a north arrow.

    A place name that would cover one already placed is left out; ``hidden`` counts them."""
    fs = max(11.0, width / 55.0)
    parts = [f'<svg class="overlay" viewBox="0 0 {width} {height}" preserveAspectRatio="none" '
             f'{FONT} aria-hidden="true">']
    halo = 'stroke="#ffffff" stroke-width="{w}" paint-order="stroke" stroke-linejoin="round"'
    placed: list[tuple[float, float, float, float]] = []
    hidden = 0
    for lab in labels:
        x, y = lab["x"], lab["y"]
        if lab["kind"] == "site":
            r = fs * 0.85
            parts.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="{_f(r)}" fill="#000000" fill-opacity="0.78" '
                         f'stroke="#ffffff" stroke-width="{_f(fs / 8)}"/>')
            parts.append(f'<text x="{_f(x)}" y="{_f(y)}" dy="0.35em" text-anchor="middle" fill="#ffffff" '
                         f'font-weight="700" font-size="{_f(fs * 0.95)}">{escape(lab["text"])}</text>')
        else:
            box = _place_label(lab["text"], x, y - fs * 0.6, fs * 0.8, width, placed)
            if box is None:   # it would cover a label already placed: the first (listed first) wins
                hidden += 1
                continue
            text, tx, anchor = box
            full = lab["text"]
            tip = f"<title>{escape(full)}</title>" if text != full else ""
            parts.append(f'<text x="{_f(tx)}" y="{_f(y - fs * 0.6)}" text-anchor="{anchor}" fill="#111111" '
                         f'font-size="{_f(fs * 0.8)}" {halo.format(w=_f(fs / 4))}>{tip}{escape(text)}</text>')
    # scale bar, bottom left: two segments, labelled 0 and L
    length = nice_length(width * 0.25 * pixel_size)
    if length > 0:
        bar = length / pixel_size
        x0, y0, h = fs, height - fs * 1.2, fs * 0.45
        parts.append(f'<rect x="{_f(x0 - fs * 0.4)}" y="{_f(y0 - fs * 1.6)}" width="{_f(bar + fs * 2.6)}" '
                     f'height="{_f(fs * 2.4)}" fill="#ffffff" fill-opacity="0.8" rx="3"/>')
        parts.append(f'<rect x="{_f(x0)}" y="{_f(y0)}" width="{_f(bar / 2)}" height="{_f(h)}" fill="#000000"/>')
        parts.append(f'<rect x="{_f(x0 + bar / 2)}" y="{_f(y0)}" width="{_f(bar / 2)}" height="{_f(h)}" '
                     f'fill="#ffffff" stroke="#000000" stroke-width="1"/>')
        parts.append(f'<rect x="{_f(x0)}" y="{_f(y0)}" width="{_f(bar)}" height="{_f(h)}" fill="none" '
                     f'stroke="#000000" stroke-width="1"/>')
        for xx, txt in ((x0, "0"), (x0 + bar, _length_text(length))):
            parts.append(f'<text x="{_f(xx)}" y="{_f(y0 - fs * 0.3)}" text-anchor="middle" '
                         f'font-size="{_f(fs * 0.8)}">{escape(txt)}</text>')
    # north arrow, top right
    cx, top = width - fs * 1.8, fs * 0.8
    parts.append(f'<rect x="{_f(cx - fs)}" y="{_f(top - fs * 0.3)}" width="{_f(fs * 2)}" height="{_f(fs * 3.4)}" '
                 f'fill="#ffffff" fill-opacity="0.8" rx="3"/>')
    parts.append(f'<polygon points="{_f(cx)},{_f(top + fs * 1.1)} {_f(cx - fs * 0.55)},{_f(top + fs * 2.9)} '
                 f'{_f(cx)},{_f(top + fs * 2.4)} {_f(cx + fs * 0.55)},{_f(top + fs * 2.9)}" fill="#000000"/>')
    parts.append(f'<text x="{_f(cx)}" y="{_f(top + fs * 0.85)}" text-anchor="middle" font-weight="700" '
                 f'font-size="{_f(fs)}">{escape(north)}</text>')
    parts.append("</svg>")
    return chart("".join(parts), hidden)


def _rows_layout(labels: list[str], size: float = 12.0) -> tuple[float, float, list[list[str]]]:
    """Label column width (sized to the longest label, wrapped to two lines beyond 300 px), row height, lines."""
    lw, lines = svgtext.label_column(labels, size=size)
    rh = 22 if all(len(x) == 1 for x in lines) else 32
    return lw + 16, rh, lines


def _row_label(lines: list[str], x: float, y_mid: float, full: str) -> str:
    """A row's label, right-aligned at ``x`` and centred on ``y_mid`` (one or two lines)."""
    first = y_mid + 4 - (len(lines) - 1) * 13.8 / 2
    return svgtext.text_lines(x, first, lines, anchor="end", title=full if len(lines) > 1 or "…" in lines[-1] else None)


def p_top_k_chart(rows: list[dict], *, k: int, axis_label: str, lang: str = "en") -> Markup:
    """Horizontal bars: the probability that each site (or region) stays in the top k under the weight draws.

    rows: [{"label", "p"}] in display order. The label column is as wide as the longest label.
    """
    lw, rh, lines = _rows_layout([str(r["label"]) for r in rows])
    bw, top = 420, 14
    width, height = lw + bw + 50, top + rh * len(rows) + 40
    parts = [f'<svg class="chart" viewBox="0 0 {_f(width)} {height}" width="{_f(width)}" height="{height}" '
             f'{FONT} font-size="12" role="img" '
             f'aria-label="{escape(axis_label)}">']
    for i in range(5):
        x = lw + bw * i / 4
        parts.append(f'<line x1="{_f(x)}" y1="{top - 4}" x2="{_f(x)}" y2="{top + rh * len(rows)}" '
                     f'stroke="#dddddd"/>')
        parts.append(f'<text x="{_f(x)}" y="{top + rh * len(rows) + 14}" text-anchor="middle" '
                     f'fill="#555555">{escape(format_number(i / 4, "g", lang))}</text>')
    for j, r in enumerate(rows):
        y = top + j * rh
        p = max(0.0, min(1.0, float(r["p"])))
        colour = "#1a9641" if p >= 0.9 else "#f0a202" if p >= 0.5 else "#d7191c"
        parts.append(_row_label(lines[j], lw - 8, y + rh / 2, str(r["label"])))
        parts.append(f'<rect x="{_f(lw)}" y="{_f(y + rh / 2 - 8)}" width="{_f(bw * p)}" height="16" fill="{colour}"/>')
        parts.append(f'<text x="{_f(lw + bw * p + 5)}" y="{_f(y + rh / 2 + 4)}" fill="#333333">'
                     f'{fmt_number(p, lang, 2)}</text>')
    parts.append(f'<text x="{_f(lw + bw / 2)}" y="{height - 6}" text-anchor="middle" fill="#333333">'
                 f'{escape(axis_label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def rank_range_chart(rows: list[dict], *, n_sites: int, axis_label: str, legend: dict) -> Markup:
    """Per site: a thin line from the best to the worst rank seen, a thick bar over the 5-95 % range of the
    ranks, and a dot at the rank under the model's weights. Rank 1 is on the left.

    rows: [{"label", "rank_min", "rank_max", "rank_p05", "rank_p95", "rank_base"}]; legend: texts for
    "range", "p90" and "base". The label column is as wide as the longest label.
    """
    lw, rh, lines = _rows_layout([str(r["label"]) for r in rows])
    bw, top = 420, 34
    n = max(int(n_sites), 2)
    items, lx = [], 10.0           # the legend row, laid out from the estimated text widths
    for kind in ("range", "p90", "base"):
        items.append((kind, lx))
        lx += 30 + svgtext.text_px(legend[kind]) + 18
    width, height = max(lw + bw + 30, lx), top + rh * len(rows) + 40

    def x(rank: float) -> float:
        return lw + bw * (float(rank) - 1) / (n - 1)

    parts = [f'<svg class="chart" viewBox="0 0 {_f(width)} {height}" width="{_f(width)}" height="{height}" '
             f'{FONT} font-size="12" role="img" '
             f'aria-label="{escape(axis_label)}">']
    for kind, x0 in items:
        if kind == "range":
            parts.append(f'<line x1="{_f(x0)}" y1="12" x2="{_f(x0 + 24)}" y2="12" stroke="#555555" stroke-width="2"/>')
        elif kind == "p90":
            parts.append(f'<rect x="{_f(x0)}" y="6" width="24" height="12" fill="#6baed6" rx="3"/>')
        else:
            parts.append(f'<circle cx="{_f(x0 + 12)}" cy="12" r="5" fill="#08306b"/>')
        parts.append(f'<text x="{_f(x0 + 30)}" y="16">{escape(legend[kind])}</text>')
    step = max(1, round((n - 1) / 8))
    for rank in list(range(1, n + 1, step)) + ([n] if (n - 1) % step else []):
        parts.append(f'<line x1="{_f(x(rank))}" y1="{top - 4}" x2="{_f(x(rank))}" y2="{top + rh * len(rows)}" '
                     f'stroke="#dddddd"/>')
        parts.append(f'<text x="{_f(x(rank))}" y="{top + rh * len(rows) + 14}" text-anchor="middle" '
                     f'fill="#555555">{rank}</text>')
    for j, r in enumerate(rows):
        yc = top + j * rh + rh / 2
        parts.append(_row_label(lines[j], lw - 8, yc, str(r["label"])))
        parts.append(f'<line x1="{_f(x(r["rank_min"]))}" y1="{yc:.1f}" x2="{_f(x(r["rank_max"]))}" y2="{yc:.1f}" '
                     f'stroke="#555555" stroke-width="2"/>')
        x0, x1 = x(r["rank_p05"]), x(r["rank_p95"])
        parts.append(f'<rect x="{_f(x0 - 3)}" y="{yc - 6:.1f}" width="{_f(x1 - x0 + 6)}" height="12" '
                     f'fill="#6baed6" rx="3"/>')
        parts.append(f'<circle cx="{_f(x(r["rank_base"]))}" cy="{yc:.1f}" r="5" fill="#08306b"/>')
    parts.append(f'<text x="{_f(lw + bw / 2)}" y="{height - 6}" text-anchor="middle" fill="#333333">'
                 f'{escape(axis_label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
