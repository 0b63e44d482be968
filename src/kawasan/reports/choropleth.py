"""A choropleth map of regions (regencies and cities) as inline SVG, or as a PNG without text.

The regions are projected to their UTM zone (so shapes and distances look right), simplified to
about 1/1500 of the map's extent, and filled by value class: five equal-interval classes between
the lowest and highest value, from light (low) to dark green (high). Regions without a value are
grey and listed in the legend as such. Labels (e.g. the rank) sit on each region's representative
point; each region carries a ``<title>`` tooltip with its name and value.
"""
from __future__ import annotations

import math
from html import escape
from pathlib import Path

import numpy as np
from affine import Affine
from markupsafe import Markup

from kawasan.economics.readiness import utm_crs_of
from kawasan.errors import InputError
from kawasan.i18n import Message
from kawasan.fileio import write_bytes_atomic

FONT = "font-family=\"system-ui, 'Segoe UI', Arial, sans-serif\""
CLASS_COLOURS = ["#ffffcc", "#c2e699", "#78c679", "#31a354", "#006837"]
NO_DATA = "#d9d9d9"
OUTLINE = "#ffffff"


def _f(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def classify(values: dict, n: int = 5) -> tuple[dict, list[tuple[float, float]]]:
    """Equal-interval classes: (class index 0..n-1 by key, [(low, high)] per class). Missing -> no key."""
    vals = {k: float(v) for k, v in values.items() if v is not None and not (isinstance(v, float) and math.isnan(v))}
    if not vals:
        return {}, []
    lo, hi = min(vals.values()), max(vals.values())
    if hi - lo <= 1e-12 * max(abs(hi), 1.0):
        return {k: n - 1 for k in vals}, [(lo, hi)] * n
    step = (hi - lo) / n
    cls = {k: min(n - 1, int((v - lo) / step)) for k, v in vals.items()}
    return cls, [(lo + i * step, lo + (i + 1) * step) for i in range(n)]


def _project(gdf, width: float, margin: float):
    """(projected geometries, transform map->pixel, height) fitting the layer into width pixels."""
    g = gdf.to_crs(utm_crs_of(gdf))
    x0, y0, x1, y1 = g.total_bounds
    span = max(x1 - x0, y1 - y0)
    geoms = g.geometry.simplify(span / 1500.0, preserve_topology=True)
    s = (width - 2 * margin) / (x1 - x0)
    height = (y1 - y0) * s + 2 * margin
    tr = Affine(s, 0, margin - x0 * s, 0, -s, margin + y1 * s)
    return g, geoms, tr, height


def _path(geom, tr: Affine) -> str:
    polys = [geom] if geom.geom_type == "Polygon" else list(getattr(geom, "geoms", []))
    out = []
    for p in polys:
        if p.geom_type != "Polygon" or p.is_empty:
            continue
        for ring in [p.exterior, *p.interiors]:
            pts = [tr @ c[:2] for c in ring.coords]
            out.append("M" + "L".join(f"{_f(x)},{_f(y)}" for x, y in pts) + "Z")
    return "".join(out)


def choropleth_svg(gdf, values: dict, *, key: str = "code", names: dict | None = None,
                   labels: dict | None = None, title: str = "", legend_title: str = "", no_data: str = "no data",
                   fmt=lambda v: f"{v:.3f}", width: int = 900, note: str | None = None) -> Markup:
    """An SVG choropleth of ``gdf`` (polygons with a ``key`` column) coloured by ``values[key]``.

    names: key -> text for the tooltip; labels: key -> short text drawn on the region (e.g. the rank);
    fmt: how values are written in the legend and tooltips; note: a line under the legend.
    """
    if gdf is None or len(gdf) == 0:
        raise InputError(Message("report.err.choropleth.region_geometry_map"), field="boundaries")
    margin = 12.0
    g, geoms, tr, h = _project(gdf, width, margin)
    cls, bounds = classify(values)
    legend_h = 26 + 20 * (len(bounds) + 1) + (18 if note else 0)
    top = 28 if title else 6
    total_h = top + h + legend_h
    parts = [f'<svg class="choropleth" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {_f(total_h)}" '
             f'width="{width}" height="{_f(total_h)}" {FONT} font-size="12" role="img" '
             f'aria-label="{escape(title or legend_title)}">']
    if title:
        parts.append(f'<text x="{margin}" y="18" font-size="15" font-weight="700">{escape(title)}</text>')
    parts.append(f'<g transform="translate(0,{top})">')
    names = names or {}
    for k, geom in zip(g[key], geoms):
        if geom is None or geom.is_empty:
            continue
        colour = CLASS_COLOURS[cls[k]] if k in cls else NO_DATA
        v = values.get(k)
        vtxt = no_data if k not in cls else fmt(float(v))
        tip = f"{names.get(k, k)}: {vtxt}"
        parts.append(f'<path d="{_path(geom, tr)}" fill="{colour}" fill-rule="evenodd" stroke="#555555" '
                     f'stroke-width="0.6" data-key="{escape(str(k))}"><title>{escape(tip)}</title></path>')
    if labels:
        for k, geom in zip(g[key], g.geometry):
            if k in labels and labels[k] not in (None, "") and geom is not None and not geom.is_empty:
                x, y = tr @ geom.representative_point().coords[0]
                dark = k in cls and cls[k] >= 3
                parts.append(f'<text x="{_f(x)}" y="{_f(y)}" dy="0.35em" text-anchor="middle" font-size="10" '
                             f'font-weight="700" fill="{"#ffffff" if dark else "#111111"}">'
                             f'{escape(str(labels[k]))}</text>')
    parts.append("</g>")
    y = top + h + 14
    parts.append(f'<text x="{margin}" y="{_f(y)}" font-weight="600">{escape(legend_title)}</text>')
    rows = [(CLASS_COLOURS[i], f"{fmt(lo)} – {fmt(hi)}") for i, (lo, hi) in enumerate(bounds)]
    rows.append((NO_DATA, no_data))
    for i, (colour, text) in enumerate(rows):
        yy = y + 10 + 20 * i
        parts.append(f'<rect x="{margin}" y="{_f(yy)}" width="22" height="14" fill="{colour}" stroke="#555555" '
                     f'stroke-width="0.6"/>')
        parts.append(f'<text x="{margin + 30}" y="{_f(yy + 11)}">{escape(text)}</text>')
    if note:
        parts.append(f'<text x="{margin}" y="{_f(y + 10 + 20 * len(rows) + 12)}" fill="#555555" '
                     f'font-size="11">{escape(note)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def choropleth_png(gdf, values: dict, *, key: str = "code", width: int = 1200) -> bytes:
    """The same map as a PNG (fills and outlines only; the SVG carries the labels and the legend)."""
    from kawasan.reports.maps import Canvas, burn, encode_png

    margin = 10.0
    g, geoms, tr, h = _project(gdf, width, margin)
    height = int(math.ceil(h))
    inv = ~tr
    canvas = Canvas(width, height, inv, g.crs, None)
    img = np.ones((height, width, 3), dtype=np.float32)
    cls, _ = classify(values)
    for k, geom in zip(g[key], geoms):
        burn(img, canvas, [geom], CLASS_COLOURS[cls[k]] if k in cls else NO_DATA)
    burn(img, canvas, list(geoms), "#555555", outline=True)
    return encode_png(img)


def write_map(path, gdf, values: dict, **kw) -> Path:
    """Write the map as ``.svg`` (with labels and legend) or ``.png`` (fills and outlines), atomically."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".svg":
        svg = str(choropleth_svg(gdf, values, **kw))
        data = ('<?xml version="1.0" encoding="UTF-8"?>\n' + svg).encode("utf-8")
    elif suffix == ".png":
        data = choropleth_png(gdf, values, key=kw.get("key", "code"))
    else:
        raise InputError(Message("report.err.choropleth.unsupported_map_format_expected", p_suffix=p.suffix),
                         source=str(p), field="--map")
    p.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(p, data)
    return p
