"""Collect everything a run folder says and render it as one self-contained HTML report.

Python API::

    from kawasan.reports.builder import build_report, write_report
    html = build_report("runs/kawasan-industri", lang="id")
    path = write_report("runs/kawasan-industri", lang="en")          # RUN/report-en.html
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from kawasan.errors import InputError
from kawasan.fileio import write_bytes_atomic
from kawasan.i18n import LANGUAGES, Message, certainty_tag, fmt_datetime, t
from kawasan.reports import charts, mapviews, tables
from kawasan.spatial.model import label_text
from kawasan.spatial.runs.read import open_run

MAX_CHART_SITES = 25
MAX_TABLE_SITES = 50


def _env() -> Environment:
    env = Environment(loader=PackageLoader("kawasan.reports", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env


def _load_json(path: Path, what: str):
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(Message("report.err.builder.valid_json", what=what, exc=str(exc)), source=str(path)) from exc


def _title(manifest: dict, lang: str) -> str:
    model = manifest.get("model") or {}
    title = model.get("title")
    if isinstance(title, dict):
        return title.get(lang) or title.get("en") or model.get("name", "")
    return title or model.get("name", "")


def _figure(img, tr) -> dict:
    overlay = charts.map_overlay(img.width, img.height, img.pixel_size, img.labels, tr("report.north"))
    notes = [tr("report.map.labels_hidden", count=overlay.hidden)] if overlay.hidden else []
    return {"img": img, "overlay": overlay, "notes": notes}


def _sites_section(run, ctx, lang, tr, crit_labels) -> dict:
    doc = _load_json(run.folder / "sites" / "sites.json", "sites/sites.json")
    cmd_extract = f"kawasan sites extract {run.folder}"
    if doc is None:
        return {"present": False, "command": cmd_extract}
    sites = sorted(doc.get("sites", []), key=lambda s: s.get("rank", 0))
    sens = _load_json(run.folder / "sites" / "sensitivity.json", "sites/sensitivity.json")
    mc = (sens or {}).get("monte_carlo") or {}
    fresh = sens is not None and set(sens.get("ids", [])) == {s["id"] for s in sites} \
        and list(sens.get("criteria", [])) == list(doc.get("criteria", []))
    mc_by_id = {r["id"]: r for r in mc.get("sites", [])} if fresh else None
    rules = doc.get("rules") or {}
    out = {
        "present": True, "command": cmd_extract, "count": len(sites), "notes": doc.get("notes", []),
        "min_area": tables.num(rules.get("min_area_ha"), 1, lang), "min_class": rules.get("min_class"),
        "rank_method": doc.get("rank_method"),
        "rank_method_text": tables.optional_key("report.rank.", doc.get("rank_method") or "mean", lang, tr),
        "legal": doc.get("legal_basis") or {},
        "legal_text": tables.localized(doc.get("legal_basis") or {}, "legal_basis", lang),
        "proxies": ", ".join(sorted({p["id"] for p in (sites[0].get("proxies") or [])})) if sites else "",
        "rows": tables.site_rows(sites[:MAX_TABLE_SITES], crit_labels, lang, tr, mc_by_id, mc.get("top_k")),
        "any_admin": any(a.get("main") for s in sites for a in s.get("admin", [])),
        "truncated": max(0, len(sites) - MAX_TABLE_SITES),
        "map": _figure(mapviews.sites_map(ctx, sites), tr) if sites else None,
    }
    out["stress"] = _stress_section(run, sens, fresh, sites, lang, tr, crit_labels)
    return out


def _stress_section(run, sens, fresh, sites, lang, tr, crit_labels) -> dict:
    cmd = f"kawasan sites sensitivity {run.folder}"
    if not sites:
        return {"present": False, "command": cmd, "reason": "no_sites"}
    if sens is None:
        return {"present": False, "command": cmd, "reason": "missing"}
    if not fresh:
        return {"present": False, "command": cmd, "reason": "stale"}
    mc = sens.get("monte_carlo") or {}
    k = mc.get("top_k", 5)
    rows = sorted(mc.get("sites", []), key=lambda r: (r.get("rank_base", 0), r["id"]))[:MAX_CHART_SITES]
    for r in rows:
        r["label"] = tr("report.site.label", rank=r.get("rank_base"), id=r["id"])
    p_chart = charts.p_top_k_chart([{"label": r["label"], "p": r["p_top_k"]} for r in rows], k=k,
                                   axis_label=tr("report.stress.p_axis", top_k=k), lang=lang)
    r_chart = charts.rank_range_chart(rows, n_sites=len(mc.get("sites", [])),
                                      axis_label=tr("report.stress.rank_axis"),
                                      legend={"range": tr("report.stress.legend_range"),
                                              "p90": tr("report.stress.legend_p90"),
                                              "base": tr("report.stress.legend_base")})
    oat = sens.get("one_at_a_time") or {}
    return {"present": True, "command": cmd, "k": k, "n": mc.get("n"), "seed": mc.get("seed"),
            "concentration": tables.num(mc.get("concentration"), 0, lang), "method_note": sens.get("method_note"),
            "p_chart": p_chart, "rank_chart": r_chart, "oat": tables.oat_table(oat, crit_labels, lang, tr),
            "truncated": max(0, len(mc.get("sites", [])) - MAX_CHART_SITES)}


def _summary(man: dict, sites: dict, lang: str, tr) -> dict:
    by = {r.get("class"): r for r in man.get("classes", [])}
    suitable = sum((by.get(c) or {}).get("area_ha") or 0.0 for c in ("S1", "S2"))
    ex = by.get("excluded") or {}
    out = {"suitable": tables.num(suitable, 1, lang),
           "excluded": f"{tables.num(ex.get('area_ha'), 1, lang)} ha ({tables.pct(ex.get('share'), 1, lang)})",
           "sites": tr("report.summary.none") if not sites["present"] else str(sites["count"]),
           "best": "–"}
    if sites["present"] and sites["rows"]:
        b = sites["rows"][0]
        out["best"] = tr("report.summary.best_site_value", id=b["id"], area=b["area"], score=b["score_mean"])
    return out


#: The NoData policy every run of this version writes in its manifest (English); the report words it per language.
NODATA_POLICY = "NaN score / class 0 where any criterion input is NoData; excluded cells score 0, class 6"


def _nodata_policy(man: dict, tr) -> str:
    policy = man.get("nodata_policy", "")
    return tr("report.manifest.nodata_policy") if policy == NODATA_POLICY else policy


def collect(run_dir, lang: str = "en") -> dict:
    """The template context of a run's report."""
    if lang not in LANGUAGES:
        raise InputError(Message("report.err.unknown_report_language", language=lang,
                                 languages=', '.join(LANGUAGES)), field="lang")
    run = open_run(run_dir)
    man = run.manifest
    for key in ("model", "study_area", "constraints", "criteria", "outputs"):
        if key not in man:
            raise InputError(Message("report.err.builder.manifest_json_run_folder", name_=key),
                             source=str(run.folder / "manifest.json"), field=key)
    tr = partial(t, lang=lang)
    crit_labels = {c["id"]: tables.label(c, lang) for c in man.get("criteria", [])}
    constraints = [dict(c, _label=tables.label(c, lang), _ha=tables.num(c.get("excluded_ha"), 1, lang))
                   for c in man.get("constraints", [])]
    ctx = mapviews.MapContext(run, tr)
    applied, skipped = tables.constraint_rows(man, lang, tr, ctx.study.categories)
    weights_spec = (man.get("model") or {}).get("weights") or {}
    classes = tables.class_rows(man, lang)
    sites = _sites_section(run, ctx, lang, tr, crit_labels)
    return {
        "lang": lang, "tr": tr, "num": partial(tables.num, lang=lang),
        "tr_cert": partial(tables.certainty, tr=tr),
        "title": _title(man, lang), "model_name": (man.get("model") or {}).get("name", ""),
        "area_name": man["study_area"].get("name") or run.study_area.name,
        "created": fmt_datetime(man.get("created"), lang), "generated": fmt_datetime(datetime.now(timezone.utc), lang),
        "tag_text": partial(certainty_tag, lang=lang),
        "synthetic": bool(man.get("synthetic")), "notice": man.get("notice"), "run_folder": str(run.folder),
        "maps": {"study_area": _figure(mapviews.study_area_map(ctx), tr),
                 "suitability": _figure(mapviews.suitability_map(ctx, classes), tr),
                 "constraints": _figure(mapviews.constraints_map(ctx, constraints), tr)},
        "classes": classes,
        "criteria": tables.criteria_rows(man, lang, tr), "ahp": tables.ahp_levels(man, lang),
        "weights_method": weights_spec.get("method", ""),
        "weights_method_text": tables.optional_key("report.wmethod.", weights_spec.get("method") or "direct", lang,
                                                   tr),
        "weights_source": label_text(weights_spec.get("source"), lang).strip(),
        "aggregation": ((man.get("model") or {}).get("aggregation") or {}).get("method", "wlc"),
        "constraints": applied, "skipped": skipped, "site_rules": man.get("sites") or {},
        "site_rules_certainty": tables.certainty((man.get("sites") or {}).get("certainty"), tr),
        "site_basis": tables.localized(man.get("sites") or {}, "legal_basis", lang),
        "site_note": tables.localized(man.get("sites") or {}, "note", lang),
        "sites": sites, "summary": _summary(man, sites, lang, tr),
        "inputs": man.get("inputs", []), "software": man.get("software", {}),
        "timings": [(k, tables.num(v, 3, lang)) for k, v in (man.get("timings") or {}).items()],
        "model_source": man.get("model_source", ""), "nodata_policy": _nodata_policy(man, tr),
        "warnings": man.get("warnings", []), "grid": man["study_area"].get("grid") or {},
        "screening": [f"{n.get('id') if lang == 'id' else n.get('en')} ({tables.cause_text(n, tr)})"
                      for n in man.get("screening") or []],
        "switches": ", ".join(f"{k}={v}" for k, v in (man.get("rule_switches") or {}).items()),
    }


def build_report(run_dir, lang: str = "en") -> str:
    """The report of the run in run_dir as one self-contained HTML string."""
    return _env().get_template("report.html.j2").render(**collect(run_dir, lang))


def _pdf_engine():
    try:
        import weasyprint
    except Exception:  # noqa: BLE001 - ImportError, or OSError when its system libraries are missing
        return None
    return weasyprint


def write_report(run_dir, out=None, lang: str = "en", pdf: bool = False) -> Path:
    """Write the report (default RUN/report-<lang>.html) atomically; with pdf=True also the PDF beside it.

    Raises InputError for a missing or invalid run folder, and when pdf=True but WeasyPrint is not installed
    (checked first, so nothing is written then).
    """
    engine = _pdf_engine() if pdf else None
    if pdf and engine is None:
        raise InputError(Message("report.err.builder.pdf_engine_installed_pdf"), field="--pdf")
    html = build_report(run_dir, lang)
    path = Path(out) if out is not None else Path(run_dir) / f"report-{lang}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, html.encode("utf-8"))
    if engine is not None:
        write_bytes_atomic(path.with_suffix(".pdf"), engine.HTML(string=html).write_pdf())
    return path
