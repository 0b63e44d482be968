"""The economics report: sector structure of a region and the potential ranking of all regions, as one
self-contained HTML page (inline SVG charts and map, CSS in the page, no network assets).

Python API::

    from kawasan.economics.potential import PotentialInputs, potential_from_files
    from kawasan.reports.economics import build_economics_report, write_economics_report
    run = potential_from_files(PotentialInputs(boundaries=..., pdrb=..., population=..., ipm=...))
    write_economics_report("potential.html", potential=run, lang="id")

Sections appear only when their inputs exist: the sector structure needs a sector table and a region
(LQ for one year; DLQ, the SLQ x DLQ quadrant, shift-share and Klassen need two or more years, and
the report says so when the table has one); the ranking and map need a potential run (the map also
needs boundaries). Every chart is also given as a table. Class names (SLQ x DLQ, Klassen), units and the
reference total are worded by :mod:`kawasan.economics.labels`, as in the CLI.
"""
from __future__ import annotations

import math
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from kawasan import __version__
from kawasan.economics.classes import KLASSEN_QUADRANTS, LQ_CLASSES
from kawasan.economics.labels import (
    klassen_label, lq_class_label, price_basis_label, reference_total_label, unit_label,
)
from kawasan.errors import InputError, KawasanError
from kawasan.fileio import write_bytes_atomic
from kawasan.i18n import LANGUAGES, Message, certainty_tag, fmt_datetime, has, t, text_in
from kawasan.reports import charts, choropleth, econcharts
from kawasan.reports.tables import num as _num


def num(x, decimals: int = 1, lang: str = "en") -> str:
    """:func:`kawasan.reports.tables.num` with a dash for NaN as well (a sector without LQ, DLQ or growth)."""
    if isinstance(x, float) and math.isnan(x):
        return "–"
    return _num(x, decimals, lang)


def pt_regional_klassen(run):
    from kawasan.economics.potential import regional_klassen

    return regional_klassen(run)

MAX_RANK_CHART = 40
MAX_STRESS_ROWS = 25
#: the additive parts of each shift-share variant (they sum to the actual change)
SHIFT_SHARE_PARTS = {
    "classic": ("national_share", "industry_mix", "competitive_shift"),
    "esteban_marquillas": ("national_share", "industry_mix", "competitive_effect", "allocation_effect"),
    "arcelus": ("national_share", "industry_mix", "regional_growth", "regional_industry_mix"),
}


def _env() -> Environment:
    return Environment(loader=PackageLoader("kawasan.reports", "templates"), autoescape=True,
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _fmt_value(k: str, v, lang: str) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if k in ("gdp",):
        return num(v / 1e6, 2, lang)            # million -> trillion rupiah
    if k in ("gdp_growth", "sector_share", "road_access", "land_not_excluded"):
        return f"{num(v * 100, 2, lang)} %"
    if k == "unemployment":
        return f"{num(v, 2, lang)} %"
    if k in ("population", "labour_force"):
        return num(v, 0, lang)
    if k in ("port_distance",):
        return num(v, 1, lang)
    return num(v, 2 if k in ("gdp_per_capita", "ipm") else 3, lang)


def potential_map_kwargs(res, lang: str) -> dict:
    """Arguments of :func:`kawasan.reports.choropleth.choropleth_svg` / ``write_map`` for a potential result."""
    tr = partial(t, lang=lang)
    values = {r["code"]: r["score"] for r in res.records() if r["rank"] is not None}
    names = {r["code"]: (f"{r['region']} (#{r['rank']})" if r["rank"] else r["region"]) for r in res.records()}
    labels = {r["code"]: r["rank"] for r in res.records() if r["rank"] is not None}
    return {"values": values, "names": names, "labels": labels, "title": tr("potential.map.title"),
            "legend_title": tr("potential.map.legend"), "no_data": tr("potential.map.no_data"),
            "fmt": (lambda v: num(v, 3, lang)), "note": tr("potential.map.note")}


def _potential_section(run, lang: str, tr) -> dict:
    """The ranking part of the report: the ranking chart and table, the map, the components and how they were
    weighted, the weight stress test and the regional Klassen typology (each only when its inputs exist)."""
    res = run.result
    recs = res.records()
    comps = res.components()
    labels = {c["id"]: tr(f"potential.comp.{c['id']}") for c in comps}
    chart = _ranking_chart(res, recs, labels, lang, tr)
    rows = [_ranking_row(res, r, lang, tr) for r in recs]
    map_svg = None
    if run.boundaries is not None:
        map_svg = choropleth.choropleth_svg(run.boundaries, **potential_map_kwargs(res, lang))
    comp_rows = [_component_row(res, c, labels, lang, tr) for c in comps]
    notes_extra = [tr("potential.sector_total", total=reference_total_label(total, lang))
                   for total in sorted({c["reference_total"] for c in comps if c.get("reference_total")})]
    stress = _stress_section(res, recs, lang, tr)
    klassen, err = _regional_klassen_section(run, recs, lang, tr)
    if klassen is None and err:
        notes_extra.append(err)
    n_ranked = len([r for r in recs if r["rank"] is not None])
    return {"present": True, "stress": stress, "klassen": klassen, "chart": chart, "rows": rows, "map": map_svg,
            "components": comp_rows,
            "scored_labels": [labels[k] for k in res.scored],
            "all_labels": [labels[k] for k in res.scored + list(res.reported)],
            "weights_method": tr(f"potential.wmethod.{res.weight_set.method}"), "weights_source": res.weight_set.source,
            "ahp": _ahp_summary(res.weight_set.ahp, lang),
            "normalisation": tr(f"potential.norm.{res.normalisation}"),
            "missing_rule": tr(f"potential.missing.{res.missing}"),
            "unmatched": res.unmatched, "notes": [text_in(n, lang) for n in res.notes + notes_extra],
            "synthetic": res.synthetic,
            "truncated": max(0, n_ranked - MAX_RANK_CHART),
            "best": recs[0]["region"] if recs and recs[0]["rank"] else "–", "n": len(recs),
            "n_ranked": n_ranked}


def _ranking_chart(res, recs: list, labels: dict, lang: str, tr):
    """Stacked bars of the first MAX_RANK_CHART ranked regions: each scored component's contribution to the score."""
    ranked = [r for r in recs if r["rank"] is not None][:MAX_RANK_CHART]
    return econcharts.stacked_bars(
        [{"label": f"{r['rank']}. {r['region']}", "values": {k: r["components"][k]["contribution"] or 0.0
                                                             for k in res.scored}, "total": r["score"]}
         for r in ranked],
        parts=[(k, labels[k]) for k in res.scored], axis_label=tr("potential.chart.axis"), lang=lang,
        total_label=tr("potential.chart.total"), digits=2)


def _ranking_row(res, r: dict, lang: str, tr) -> dict:
    """One region's row of the ranking table: rank, score, coverage, why it is unranked, values and contributions."""
    return {"rank": "–" if r["rank"] is None else r["rank"], "region": r["region"], "code": r["code"],
            "score": "–" if r["score"] is None else num(r["score"], 3, lang),
            "coverage": num(r["coverage"], 2, lang), "missing": ", ".join(r["missing"]),
            "reason": "" if r["unranked_reason"] is None else tr(
                "potential.reason.low_coverage", coverage=num(r["coverage"], 2, lang),
                min=num(res.min_coverage, 2, lang)),
            "cells": [_fmt_value(k, r["components"][k]["value"], lang)
                      for k in res.scored + list(res.reported)],
            "contribs": [num(r["components"][k]["contribution"], 3, lang) for k in res.scored]}


def _component_row(res, c: dict, labels: dict, lang: str, tr) -> dict:
    """One component's row of the method table: direction, unit, weight, year or period, why it is not scored,
    how many regions have it, how it was measured and its source."""
    when = c.get("year") or ("–".join(map(str, c["period"])) if c.get("period") else "")
    return {"id": c["id"], "label": labels[c["id"]], "direction": tr(f"potential.dir.{c['direction']}"),
            "unit": tr(f"potential.unit.{c['id']}"), "weight": num(c["weight"], 3, lang),
            "scored": c["scored"], "when": when,
            "reason": tr(f"potential.reason.{res.reasons[c['id']][0]}", **res.reasons[c["id"]][1])
            if c["id"] in res.reasons else "",
            "n": c["regions_with_value"], "method": _method_label(c, tr),
            "source": c.get("source") or ""}


def _ahp_summary(ahp, lang: str) -> dict | None:
    """The AHP consistency figures (CR, CI, lambda max) when the weights came from a pairwise comparison."""
    if not ahp:
        return None
    return {"cr": num(ahp["cr"], 3, lang), "ci": num(ahp["ci"], 3, lang),
            "lambda_max": num(ahp["lambda_max"], 3, lang), "consistent": ahp["consistent"]}


def _stress_section(res, recs: list, lang: str, tr) -> dict | None:
    """The weight stress test, when it was run: P(top k) and rank-range charts of the first MAX_STRESS_ROWS
    ranked regions."""
    if res.stress is None or not res.stress["regions"]:
        return None
    k = res.stress["top_k"]
    srows = []
    for r in [r for r in recs if r["rank"] is not None][:MAX_STRESS_ROWS]:
        st = res.stress["regions"][r["code"]]
        srows.append({"label": f"{r['rank']}. {r['region']}", "p": st["p_top_k"], "rank_base": r["rank"], **st})
    return {"intro": tr("econreport.stress.intro", draws=res.stress["n"], concentration=num(res.stress["concentration"], 0, lang),
                        seed=res.stress["seed"], top_k=k),
            "p_chart": charts.p_top_k_chart(srows, k=k, axis_label=tr("econreport.stress.p_axis", top_k=k), lang=lang),
            "rank_chart": charts.rank_range_chart(
                srows, n_sites=len(res.stress["regions"]), axis_label=tr("econreport.stress.rank_axis"),
                legend={"range": tr("econreport.stress.legend_range"), "p90": tr("econreport.stress.legend_p90"),
                        "base": tr("econreport.stress.legend_base")}),
            "shown": len(srows),
            "truncated": max(0, len([r for r in recs if r["rank"] is not None]) - MAX_STRESS_ROWS)}


def _regional_klassen_section(run, recs: list, lang: str, tr):
    """(section, None) with the regional Klassen chart and table (PDRB growth x PDRB per capita), or (None, the
    reason) when it cannot be computed (None, None when its inputs are absent)."""
    kl, err = _call(pt_regional_klassen, run)
    if kl is None:
        return None, err
    rank = {r["code"]: r["rank"] for r in recs}
    names = {r["code"]: r["region"] for r in recs}
    kt = {q: klassen_label("regional", q, lang) for q in KLASSEN_QUADRANTS}
    pts = [{"label": names[c], "short": str(rank[c]), "x": g * 100.0, "y": v, "cls": str(q)}
           for c, g, v, q in zip(kl["code"], kl["growth"], kl["level"], kl["quadrant"])]
    chart = econcharts.quadrant_chart(
        pts, x_label=tr("econreport.rklassen.x"), y_label=tr("econreport.rklassen.y"),
        x_split=float(kl["reference_growth"].iloc[0]) * 100.0, y_split=float(kl["reference_level"].iloc[0]),
        quadrant_text=_klassen_corners("regional"), lang=lang)
    rows = sorted(({"rank": rank[c], "region": names[c], "cls": kt.get(str(q), "–"),
                    "growth": f"{num(g * 100, 2, lang)} %", "pc": num(v, 2, lang)}
                   for c, g, v, q in zip(kl["code"], kl["growth"], kl["level"], kl["quadrant"])),
                  key=lambda r: r["rank"])
    return {"chart": chart, "period": f"{int(kl['start'].iloc[0])}–{int(kl['end'].iloc[0])}", "rows": rows}, None


def _method_label(component: dict, tr) -> str:
    """How a component was measured (e.g. which BPS IPM series), in the report's language when the catalogue has it."""
    method = component.get("method") or ""
    key = f"potential.method.{method}"
    return tr(key) if method and has(key) else (component.get("method_label") or method)


def _klassen_corners(variant: str) -> dict:
    """The chart corners name the Klassen quadrants by their Indonesian names (the convention's names, short enough
    for a corner, the same in both languages); the table below the chart gives the English meaning."""
    names = {q: klassen_label(variant, q, "id") for q in KLASSEN_QUADRANTS}
    return {"tr": names["I"], "tl": names["II"], "br": names["III"], "bl": names["IV"]}


def _call(fn, *args, **kw):
    """Run one indicator; a KawasanError becomes the message shown in place of the chart."""
    try:
        return fn(*args, **kw), None
    except KawasanError as exc:
        return None, str(exc)


def _sector_names(table, lang: str) -> dict:
    names = {}
    try:
        from kawasan.economics.sectors import SECTORS_17
        for s in SECTORS_17:
            names[s.code] = s.name_id if lang == "id" else s.name_en
    except ImportError:
        pass
    return names


def _sector_section(table, region: str | None, reference: str, start, end, method: str, sector: str,
                    lang: str, tr, reference_total: str = "sectors") -> dict:
    """The sector structure of one region against ``reference``: LQ in the end year and, with two or more years,
    the SLQ x DLQ quadrant, shift-share (``method``) and the sectoral Klassen typology. An indicator that cannot
    be computed leaves its message in place of its chart."""
    regions = [r for r in table.regions if r != reference]
    if region is None:
        if len(regions) != 1:
            return {"present": False, "reason": tr("econreport.sector.choose_region", regions=", ".join(regions[:8]))}
        region = regions[0]
    region = table.require_region(region)
    reference = table.require_region(reference, "reference")
    start, end = _year_range(table, start, end)
    label = partial(_sector_label, _sector_names(table, lang))
    out = {"present": True, "region": region, "reference": reference, "year": end, "start": start,
           "multi_year": start < end, "sector": sector, "unit": unit_label(table.unit, lang),
           "basis": price_basis_label(table.price_basis, lang),
           "reference_total": reference_total_label(reference_total, lang),
           "net_taxes": sorted({r for r, _ in table.net_taxes})}
    out.update(_lq_part(table, region, reference, end, reference_total, label, lang, tr))
    if start >= end:
        out["single_year_note"] = tr("econreport.sector.single_year", year=end)
        return out
    period = (table, region, reference, start, end)
    out.update(_lq_quadrant_part(period, reference_total, label, lang, tr))
    out.update(_shift_share_part(period, method, reference_total, label, lang, tr))
    out.update(_sectoral_klassen_part(period, reference_total, label, lang, tr))
    return out


def _year_range(table, start, end) -> tuple[int, int]:
    """(start, end) years, the table's first and last by default; InputError when start comes after end."""
    years = table.years
    end = int(end) if end is not None else years[-1]
    start = int(start) if start is not None else years[0]
    if start > end:
        raise InputError(Message("report.err.economics.start_year_comes_after", start=start, end=end),
                         field="--start")
    return start, end


def _sector_label(names: dict, s: str) -> str:
    """A sector's code and, when known, its name (``C Industri Pengolahan``)."""
    return f"{s} {names.get(s, '')}".strip()


def _lq_part(table, region, reference, end, reference_total, label, lang: str, tr) -> dict:
    """LQ bars of every sector in the end year and their table (LQ > 1: a basis sector)."""
    from kawasan.economics import indicators as ind

    lq = ind.location_quotient(table, region=region, reference=reference, year=end, reference_total=reference_total)
    lq_rows = [{"label": label(str(s)), "lq": float(v)} for s, v in zip(lq["sector"], lq["lq"])]
    return {"lq_chart": econcharts.lq_bars(lq_rows, axis_label=tr("econreport.lq.axis", year=end, reference=reference),
                                           lang=lang),
            "lq_rows": [{"label": r["label"], "lq": num(r["lq"], 3, lang), "basis": r["lq"] > 1} for r in lq_rows]}


def _lq_quadrant_part(period, reference_total, label, lang: str, tr) -> dict:
    """The SLQ x DLQ quadrant (log axes, split at 1) and its table, or the reason it cannot be drawn."""
    from kawasan.economics import indicators as ind

    q, err = _call(ind.lq_quadrant, *period, reference_total=reference_total)
    if q is None:
        return {"quadrant_error": err}
    unggulan, andalan, prospektif, tertinggal = LQ_CLASSES
    chart = econcharts.quadrant_chart(
        [{"label": label(str(s)), "short": str(s), "x": a, "y": b, "cls": c}
         for s, a, b, c in zip(q["sector"], q["slq"], q["dlq"], q["quadrant"])],
        x_label=tr("econreport.quad.x"), y_label=tr("econreport.quad.y"), x_split=1.0, y_split=1.0,
        quadrant_text={"tr": unggulan, "tl": andalan, "br": prospektif, "bl": tertinggal}, lang=lang, log=True)
    rows = [{"label": label(str(s)), "slq": num(a, 3, lang), "dlq": num(b, 3, lang),
             "cls": lq_class_label(c if isinstance(c, str) else None, lang)}
            for s, a, b, c in zip(q["sector"], q["slq"], q["dlq"], q["quadrant"])]
    return {"quadrant_chart": chart, "quadrant_rows": rows}


def _shift_share_part(period, method: str, reference_total, label, lang: str, tr) -> dict:
    """Shift-share of the 17 main sectors: stacked bars of the method's additive parts with the actual change,
    and their table; or the reason it cannot be computed."""
    from kawasan.economics import indicators as ind

    table, _, _, start, end = period
    ss, err = _call(ind.shift_share, *period, method, reference_total=reference_total)
    if ss is None:
        return {"ss_error": err}
    ss = ss[~ss["sector"].astype(str).str.contains(".", regex=False)]   # the 17 main sectors only
    comps = [c for c in SHIFT_SHARE_PARTS.get(method, SHIFT_SHARE_PARTS["classic"]) if c in ss.columns]
    chart = econcharts.stacked_bars(
        [{"label": label(str(r["sector"])), "values": {c: float(r[c]) for c in comps},
          "total": float(r["change"])} for _, r in ss.iterrows()],
        parts=[(c, tr(f"econreport.ss.{c}")) for c in comps],
        axis_label=tr("econreport.ss.axis", start=start, end=end, unit=unit_label(table.unit, lang)), lang=lang,
        total_label=tr("econreport.ss.change"))
    return {"ss_chart": chart, "ss_cols": [tr(f"econreport.ss.{c}") for c in comps],
            "ss_rows": [{"label": label(str(r["sector"])), "change": num(r["change"], 1, lang),
                         "cells": [num(r[c], 1, lang) for c in comps]} for _, r in ss.iterrows()],
            "ss_method": method}


def _sectoral_klassen_part(period, reference_total, label, lang: str, tr) -> dict:
    """The sectoral Klassen typology of the 17 main sectors (growth and share against the reference, in
    percentage points) and its table; or the reason it cannot be computed."""
    from kawasan.economics import indicators as ind

    kl, err = _call(ind.klassen_sectoral, *period, reference_total=reference_total)
    if kl is None:
        return {"klassen_error": err}
    kl = kl[~kl["sector"].astype(str).str.contains(".", regex=False)]
    kt = {q: klassen_label("sectoral", q, lang) for q in KLASSEN_QUADRANTS}
    pts = []
    for _, r in kl.iterrows():
        dx = (r["growth_region"] - r["growth_reference"]) * 100.0
        dy = (r["share_region"] - r["share_reference"]) * 100.0
        pts.append({"label": label(str(r["sector"])), "short": str(r["sector"]), "x": dx, "y": dy,
                    "cls": str(r["quadrant"])})
    chart = econcharts.quadrant_chart(
        pts, x_label=tr("econreport.klassen.x"), y_label=tr("econreport.klassen.y"), x_split=0.0, y_split=0.0,
        quadrant_text=_klassen_corners("sectoral"), lang=lang)
    rows = [{"label": label(str(r["sector"])), "cls": kt.get(str(r["quadrant"]), "–"),
             "gr": f"{num(r['growth_region'] * 100, 2, lang)} %",
             "gn": f"{num(r['growth_reference'] * 100, 2, lang)} %",
             "sr": f"{num(r['share_region'] * 100, 2, lang)} %",
             "sn": f"{num(r['share_reference'] * 100, 2, lang)} %"} for _, r in kl.iterrows()]
    return {"klassen_chart": chart, "klassen_rows": rows}


def collect(*, potential=None, sector_table=None, region: str | None = None, reference: str = "Jawa Timur",
            start=None, end=None, shift_share_method: str = "classic", sector: str = "C", lang: str = "en",
            reference_total: str = "sectors") -> dict:
    """The template context of the economics report (``reference_total``: see
    :data:`kawasan.economics.tables.REFERENCE_TOTALS`)."""
    if lang not in LANGUAGES:
        raise InputError(Message("report.err.unknown_report_language", language=lang,
                                 languages=', '.join(LANGUAGES)), field="lang")
    if potential is None and sector_table is None:
        raise InputError(Message("report.err.economics.nothing_report_give_potential"), field="potential")
    tr = partial(t, lang=lang)
    if sector_table is None and potential is not None:
        sector_table = potential.sector_table
    pot = _potential_section(potential, lang, tr) if potential is not None else {"present": False}
    sec = (_sector_section(sector_table, region, reference, start, end, shift_share_method, sector, lang, tr,
                           reference_total)
           if sector_table is not None else {"present": False, "reason": tr("econreport.sector.no_table")})
    sources = []
    if potential is not None:
        inp = potential.inputs
        for key in ("boundaries", "pdrb", "population", "ipm", "labour_force", "unemployment", "sectors", "ports"):
            v = getattr(inp, key)
            if v is not None:
                sources.append((tr(f"potential.input.{key}"), str(v)))
    elif sector_table is not None:
        sources.append((tr("potential.input.sectors"), str(sector_table.source or "")))
    return {"lang": lang, "tr": tr, "potential": pot, "sector": sec, "sources": sources,
            "reference_total": reference_total_label(reference_total, lang),
            "generated": fmt_datetime(datetime.now(timezone.utc), lang), "version": __version__,
            "reference": reference, "tag_text": partial(certainty_tag, lang=lang)}


def build_economics_report(**kw) -> str:
    """The report as one self-contained HTML string (arguments as :func:`collect`)."""
    return _env().get_template("economics.html.j2").render(**collect(**kw))


def write_economics_report(out, **kw) -> Path:
    """Write the report atomically to ``out`` and return its path."""
    html = build_economics_report(**kw)
    p = Path(out)
    p.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(p, html.encode("utf-8"))
    return p
