"""Text in the report's SVG charts: how wide it is, how it wraps, where a label fits without covering another.

An SVG chart is drawn before any browser lays it out, so text widths are estimated from character classes
(the widths of a sans-serif such as DejaVu Sans, Arial or Segoe UI, in em, rounded up so that an estimate
is never short). tests/test_report_layout.py measures the same charts in Chromium and fails when a text
leaves its chart or two labels overlap.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

# width in em of one character (an upper bound over the common sans-serif faces)
_NARROW = set("il.,:;'|!()[]{} ")
_SEMI = set("fjrt-/\"`1")
_WIDE = set("mwMW@%")
_CAPS = set("ABCDEFGHIJKLNOPQRSTUVXYZ#&")


def char_em(c: str) -> float:
    if c in _NARROW:
        return 0.34
    if c in _SEMI:
        return 0.46
    if c in _WIDE:
        return 0.95
    if c in _CAPS:
        return 0.74
    return 0.64


def text_px(text: str, size: float = 12.0, bold: bool = False) -> float:
    """Estimated width in pixels of ``text`` at font size ``size`` (bold text is about 8 % wider)."""
    return sum(char_em(c) for c in str(text)) * size * (1.08 if bold else 1.0)


def wrap(text: str, max_px: float, size: float = 12.0, *, max_lines: int = 2, bold: bool = False
         ) -> tuple[list[str], bool]:
    """The text as at most ``max_lines`` lines of at most ``max_px`` each, broken at spaces; and whether it had
    to be shortened (the last line then ends with an ellipsis)."""
    words, lines, line = str(text).split(), [], ""
    for w in words:
        cand = f"{line} {w}".strip()
        if line and text_px(cand, size, bold) > max_px:
            lines.append(line)
            line = w
        else:
            line = cand
    lines.append(line)
    shortened = len(lines) > max_lines or any(text_px(x, size, bold) > max_px for x in lines[:max_lines])
    lines = lines[:max_lines]
    if shortened:
        last = lines[-1]
        while last and text_px(last + "…", size, bold) > max_px:
            last = last[:-1].rstrip()
        lines[-1] = last + "…"
    return lines, shortened


def text_lines(x: float, y: float, lines: list[str], *, size: float = 12.0, anchor: str = "start",
               line_height: float = 1.15, attrs: str = "", title: str | None = None) -> str:
    """One <text> of several lines (tspans), the first baseline at ``y``; ``title`` becomes its tooltip."""
    tip = f"<title>{escape(title)}</title>" if title else ""
    spans = "".join(f'<tspan x="{_f(x)}" dy="{0 if i == 0 else _f(size * line_height)}">{escape(t)}</tspan>'
                    for i, t in enumerate(lines))
    return f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="{anchor}" {attrs}>{tip}{spans}</text>'


def label_column(labels: list[str], *, size: float = 12.0, max_px: float = 300.0, min_px: float = 40.0
                 ) -> tuple[float, list[list[str]]]:
    """The width of a column of labels (the longest, up to ``max_px``) and each label wrapped to it."""
    width = min(max_px, max([min_px] + [text_px(s, size) for s in labels]))
    return width, [wrap(s, width, size)[0] for s in labels]


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: "Box") -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1

    def inside(self, area: "Box") -> bool:
        return self.x0 >= area.x0 and self.y0 >= area.y0 and self.x1 <= area.x1 and self.y1 <= area.y1


def place_point_label(text: str, px: float, py: float, *, size: float, area: Box, taken: list[Box],
                      gap: float = 7.0) -> tuple[float, float, str] | None:
    """Where the label of the point (px, py) fits inside ``area`` without covering ``taken`` boxes (other labels
    and points): right, left, above or below the point, in that order; (x, baseline y, anchor) or None."""
    w, h = text_px(text, size), size
    candidates = ((px + gap, py + h * 0.35, "start", Box(px + gap, py - h * 0.65, px + gap + w, py + h * 0.35)),
                  (px - gap, py + h * 0.35, "end", Box(px - gap - w, py - h * 0.65, px - gap, py + h * 0.35)),
                  (px, py - gap, "middle", Box(px - w / 2, py - gap - h, px + w / 2, py - gap)),
                  (px, py + gap + h * 0.8, "middle", Box(px - w / 2, py + gap - h * 0.2, px + w / 2, py + gap + h * 0.8)))
    for x, y, anchor, box in candidates:
        if box.inside(area) and not any(box.overlaps(b) for b in taken):
            taken.append(box)
            return x, y, anchor
    return None


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")
