"""The screening's HTML reports (``report-id.html``, ``report-en.html``): a choropleth and the regency table.

Self-contained (inline SVG and CSS, nothing loaded from the internet); texts from the ``screen`` catalogue in
both languages. The choropleth colours regencies in five equal-interval steps of candidate-site hectares, or
of the combined score when the economy was joined; regencies without data are hatched grey.
"""
from __future__ import annotations

from pathlib import Path

from jinja2 import Environment

from kawasan.i18n import fmt_number, t
from kawasan.spatial.model import CLASS_CODES

PALETTE = ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"]
TEMPLATE = """<!doctype html><html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;
padding:.2em .5em;text-align:right}td:first-child,th:first-child{text-align:left}.synthetic{background:#fee;
border:2px solid #c00;padding:.5em;font-weight:bold}svg{border:1px solid #ddd}</style></head><body>
<h1>{{ title }}</h1>
{% if synthetic %}<p class="synthetic">{{ synthetic }}</p>{% endif %}
<h2>{{ map_title }}</h2>
<svg xmlns="http://www.w3.org/2000/svg" width="900" height="{{ height }}" viewBox="0 0 900 {{ height }}">
<defs><pattern id="nodata" width="6" height="6" patternUnits="userSpaceOnUse"><path d="M0,6 l6,-6" stroke="#999"/></pattern></defs>
{% for p in paths %}<path d="{{ p.d }}" fill="{{ p.fill }}" stroke="#555" stroke-width="0.5"><title>{{ p.name }}</title></path>
{% endfor %}</svg>
<p>{{ site_rule }}</p>
{% if combined_note %}<p>{{ combined_note }}</p>{% endif %}
<table><tr>{% for h in header %}<th>{{ h }}</th>{% endfor %}</tr>
{% for r in rows %}<tr>{% for c in r %}<td>{{ c }}</td>{% endfor %}</tr>{% endfor %}</table>
{% if missing %}<h2>{{ missing_title }}</h2><ul>{% for m in missing %}<li>{{ m }}</li>{% endfor %}</ul>{% endif %}
<h2>{{ rules_title }}</h2><ul>{% for r in rules %}<li>{{ r }}</li>{% endfor %}</ul>
</body></html>
"""


def write_reports(folder: Path, result: dict, regions) -> None:
    for lang in ("id", "en"):
        (folder / f"report-{lang}.html").write_text(render(result, regions, lang), encoding="utf-8")


def render(result: dict, regions, lang: str) -> str:
    rows = result["regencies"]
    combined = result.get("combined_rank") is not None
    key = "combined_score" if combined else "site_ha"
    values = [r.get(key) for r in rows]
    paths, height = _svg_paths(regions, values)
    header = [t(f"screen.col.{c}", lang) for c in ("region", "status", "area", "suitable", "excluded", "sites",
                                                     "site_ha", "best")]
    if combined:
        header += [t("screen.col.economy", lang), t("screen.col.combined", lang)]
    table = []
    for r in sorted(rows, key=lambda r: (r.get("combined_rank") or 10**9, -(r.get("site_ha") or 0), r["name"])):
        ok = r["status"] == "ok"
        cells = [r["name"], t(f"screen.status.{r['status']}", lang), fmt_number(r["area_ha"], lang, 0),
                 fmt_number((r.get("S1_ha") or 0) + (r.get("S2_ha") or 0), lang, 0) if ok else "–",
                 fmt_number(_excluded(r), lang, 0) if ok else "–",
                 str(r["sites"]) if ok else "–", fmt_number(r.get("site_ha"), lang, 0) if ok else "–",
                 fmt_number(r.get("best_site_score"), lang, 3) if ok else "–"]
        if combined:
            cells += [str(r.get("economy_rank") or "–"), str(r.get("combined_rank") or "–")]
        table.append(cells)
    sr = result["site_rule"]
    basis = sr.get("legal_basis_id" if lang == "id" else "legal_basis") or sr.get("legal_basis") or "–"
    cr = result.get("combined_rank")
    env = Environment(autoescape=True)
    return env.from_string(TEMPLATE).render(
        lang=lang, title=t("screen.title", lang, model=result["model"], area=result["study_area"]),
        synthetic=t("screen.synthetic", lang) if result.get("synthetic") else "",
        map_title=t("screen.map_combined" if combined else "screen.map", lang), paths=paths, height=height,
        site_rule=t("screen.site_rule", lang, ha=fmt_number(sr["min_area_ha"], lang, 0), basis=basis,
                    certainty=sr.get("certainty") or "–"),
        combined_note=t("screen.combined_note", lang, land=cr["land_weight"], economy=cr["economy_weight"]) if cr else "",
        header=header, rows=table,
        missing_title=t("screen.missing", lang, count=len(result["missing"])),
        missing=[f"{m['name']} ({m['code']}): {t('screen.status.' + m['status'], lang)}" for m in result["missing"]],
        rules_title=t("screen.rules", lang),
        rules=[f"{c['label_id' if lang == 'id' else 'label']}: {c.get('legal_basis') or '–'} [{c.get('certainty') or '–'}]"
               for c in result["constraints"]])


def _excluded(r: dict) -> float:
    """Hectares excluded by at least one rule (the class of excluded cells)."""
    return r.get(f"{CLASS_CODES[6]}_ha") or 0.0


def _svg_paths(regions, values) -> tuple[list[dict], int]:
    """SVG path data of each regency in a 900-pixel-wide frame, filled by equal-interval class of its value."""
    import shapely

    wgs = regions.to_crs("EPSG:4326")
    x0, y0, x1, y1 = wgs.total_bounds
    scale = 880.0 / max(x1 - x0, 1e-9)
    height = int((y1 - y0) * scale) + 20
    finite = [v for v in values if v is not None]
    lo, hi = (min(finite), max(finite)) if finite else (0.0, 0.0)
    out = []
    for geom, name, v in zip(wgs.geometry, regions["name"], values):
        d = []
        for poly in getattr(geom, "geoms", [geom]):
            for ring in [poly.exterior, *poly.interiors]:
                xy = shapely.get_coordinates(ring)
                pts = " ".join(f"{(x - x0) * scale + 10:.1f},{(y1 - y) * scale + 10:.1f}" for x, y in xy)
                d.append(f"M{pts}Z")
        if v is None:
            fill = "url(#nodata)"
        else:
            k = 0 if hi <= lo else min(4, int((v - lo) / (hi - lo) * 5))
            fill = PALETTE[k]
        out.append({"d": " ".join(d), "fill": fill, "name": name})
    return out, height
