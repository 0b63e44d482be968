"""Rows of the report's tables, shaped from the run manifest, sites.json and sensitivity.json.

Fixed text comes from the locale catalogues through ``tr(key, **kw)``; numbers are written by
:mod:`kawasan.i18n` (Bahasa Indonesia: 1.234,5; English: 1,234.5).
"""
from __future__ import annotations

import json

from kawasan.i18n import catalogue, fmt_number, fmt_percent

CERTAINTY_KEYS = {"V": "V", "P": "P", "U": "U", "NOT FOUND": "NOT_FOUND", "design": "design"}


def num(x, decimals: int = 1, lang: str = "en") -> str:
    """A number for people in the report's language; "–" for a missing value (None or NaN)."""
    return fmt_number(x, lang, decimals)


def pct(x, decimals: int = 1, lang: str = "en") -> str:
    """A share of 1 as a percentage ("12,5 %")."""
    return fmt_percent(x, lang, decimals)


def distance(m, lang: str) -> str:
    if m is None:
        return "–"
    return f"{num(m / 1000.0, 1, lang)} km" if m >= 1000 else f"{num(m, 0, lang)} m"


def optional_key(prefix: str, name: str, lang: str, tr) -> str:
    """The catalogue text of prefix+name when there is one, else the name made readable."""
    key = f"{prefix}{name}"
    return tr(key) if key in catalogue("en") else str(name).replace("_", " ")


def label(row: dict, lang: str) -> str:
    text = row.get("label_id") if lang == "id" else row.get("label")
    return text or row.get("label") or row.get("id", "")


def localized(row: dict, key: str, lang: str):
    """A manifest text field in the report's language (the Indonesian is kept under ``key_id``)."""
    return (row.get(f"{key}_id") if lang == "id" else None) or row.get(key)


def cause_text(row: dict, tr) -> str:
    """Why a rule was not applied (switched off, off in the model, or its layer missing)."""
    cause = row.get("cause")
    if cause in ("switched_off", "off_in_model"):
        return tr(f"law.cause.{cause}")
    if cause == "layer_missing":
        return tr("law.cause.layer_missing", layer=row.get("layer", ""))
    return row.get("skipped_because") or row.get("reason") or row.get("why") or ""


def read_text(row: dict, lang: str, tr) -> str | None:
    """The layer a rule read when it is a stand-in (proxy) for its own, with why; None otherwise."""
    read = row.get("read") or {}
    if read.get("role") != "proxy":
        return None
    return tr("law.report.proxy", layer=read.get("layer"), own=row.get("layer"),
              note=localized(read, "note", lang) or "")


def basis_texts(row: dict, tr) -> list[str]:
    """Where the filtered attributes of the features a rule read come from (e.g. a road's status)."""
    return [tr("law.basis", attr=attr, counts=", ".join(f"{k} {v}" for k, v in counts.items()))
            for attr, counts in ((row.get("read") or {}).get("basis") or {}).items()]


def setback_rows(row: dict, lang: str, tr) -> list[str]:
    """One line per setback class: its distances, the land it excludes, and how its features were classed."""
    out = []
    for cls in (row.get("setback") or {}).get("classes", []):
        how = "; ".join(tr("law.setback_basis", features=b["features"], km=num(b["length_km"], 1, lang),
                           basis=b["basis_id"] if lang == "id" else b["basis"],
                           proxy=tr("law.proxy_mark") if b["proxy"] else "") for b in cls["by_basis"])
        key = "law.setback_class" if cls["rural_m"] != cls["urban_m"] else "law.setback_class_one"
        out.append(tr(key, cls=cls["class"], rural=_metres(cls["rural_m"], lang), urban=_metres(cls["urban_m"], lang),
                      ha=num(cls.get("excluded_ha", 0.0), 1, lang), how=how))
    return out


def _metres(m, lang: str) -> str:
    return num(m, 0 if float(m).is_integer() else 1, lang)


def certainty(tag: str | None, tr) -> dict:
    tag = tag or "design"
    key = CERTAINTY_KEYS.get(tag)
    return {"tag": tag, "meaning": tr(f"report.certainty.{key}") if key else ""}


def transform_text(c: dict, lang: str, tr) -> str:
    """How a criterion's values become scores, in words of the report's language."""
    t = c.get("transform") or {}
    kind = t.get("type", "")
    unit = " m" if c.get("measure") == "distance" else " %" if c.get("measure") == "slope_percent" else ""
    if kind == "linear":
        return tr("report.transform.linear", low=num(t.get("low"), 0, lang), high=num(t.get("high"), 0, lang),
                  unit=unit)
    if kind == "ranges":
        parts = []
        for r in t.get("ranges", []):
            lo, hi = r.get("min"), r.get("max")
            rng = (f"< {num(hi, 0, lang)}" if lo is None else f"≥ {num(lo, 0, lang)}" if hi is None
                   else f"{num(lo, 0, lang)}–{num(hi, 0, lang)}")
            parts.append(f"{rng}{unit}: {num(r.get('score'), 0, lang)}")
        return tr("report.transform.ranges", items="; ".join(parts))
    if kind == "categories":
        return tr("report.transform.categories", items=", ".join(
            f"{optional_key('report.lc.', k, lang, tr)} {num(v, 0, lang)}" for k, v in (t.get("values") or {}).items()))
    params = {k: v for k, v in t.items() if k != "type"}
    name = optional_key("report.transform.name.", kind, lang, tr)
    return f"{name} {json.dumps(params, ensure_ascii=False)}" if params else name


def criteria_rows(manifest: dict, lang: str, tr) -> list[dict]:
    rows = []
    for c in sorted(manifest.get("criteria", []), key=lambda c: -(c.get("weight") or 0)):
        rows.append({
            "id": c.get("id"), "label": label(c, lang), "layer": c.get("layer"),
            "measure": optional_key("report.measure.", c.get("measure", "value"), lang, tr),
            "transform": transform_text(c, lang, tr), "direction": tr(f"report.dir.{c.get('direction', 'benefit')}"),
            "weight": pct(c.get("weight"), 1, lang), "group": c.get("group"),
            "legal_basis": localized(c, "legal_basis", lang), "note": localized(c, "note", lang),
            "source": c.get("source"), "certainty": certainty(c.get("certainty"), tr),
            "read": read_text(c, lang, tr),
        })
    return rows


def ahp_levels(manifest: dict, lang: str) -> list[dict]:
    out = []
    for lv in (manifest.get("weights") or {}).get("levels", []):
        if lv.get("method") != "ahp":
            continue
        out.append({"level": lv.get("level"), "n": len(lv.get("criteria") or lv.get("weights") or {}),
                    "lambda_max": num(lv.get("lambda_max"), 4, lang), "ci": num(lv.get("ci"), 4, lang),
                    "cr": num(lv.get("cr"), 4, lang), "consistent": lv.get("consistent"),
                    "method": lv.get("ahp_method", "eigenvector"),
                    "members": len(lv.get("members") or lv.get("matrices") or [])})
    return out


def rule_text(c: dict, lang: str, tr, categories: dict | None = None) -> str:
    measure = optional_key("report.measure.", c.get("measure") or "value", lang, tr)
    cats = categories or {}
    values = ", ".join(f"{v} ({cats[str(v)]})" if str(v) in cats and cats[str(v)] != str(v) else str(v)
                       for v in (c.get("values") or []))
    dist = num(c.get("distance"), 0, lang)
    return tr(f"report.rule.{c.get('rule')}", layer=c.get("layer", ""), measure=measure, values=values,
              distance=dist, limit=num(c.get("limit"), 1, lang)) \
        if f"report.rule.{c.get('rule')}" in catalogue("en") else str(c.get("rule"))


def constraint_rows(manifest: dict, lang: str, tr, categories=None) -> tuple[list[dict], list[dict]]:
    """Applied and skipped constraints; categories(layer) gives the code -> name table of a layer."""
    applied, skipped = [], []
    for c in manifest.get("constraints", []):
        cats = categories(c.get("layer")) if categories else None
        row = {"id": c.get("id"), "bit": c.get("bit"), "label": label(c, lang),
               "rule": rule_text(c, lang, tr, cats),
               "legal_basis": localized(c, "legal_basis", lang), "source": c.get("source"),
               "note": localized(c, "note", lang),
               "certainty": certainty(c.get("certainty"), tr), "excluded_ha": num(c.get("excluded_ha"), 1, lang),
               "read": read_text(c, lang, tr), "basis": basis_texts(c, tr), "setback": setback_rows(c, lang, tr)}
        if c.get("status") in ("skipped", "off"):
            row["reason"] = cause_text(c, tr)
            skipped.append(row)
        else:
            applied.append(row)
    return applied, skipped


def class_rows(manifest: dict, lang: str) -> list[dict]:
    """The suitability classes with their words (the software's current words, not those a run stored)."""
    from kawasan.i18n import t
    from kawasan.spatial.model import CLASS_LABELS

    labels = {**(manifest.get("class_labels") or {}), **CLASS_LABELS}
    out = []
    for r in manifest.get("classes", []):
        if r.get("class") == "nodata" and not r.get("cells"):
            continue
        cls = r.get("class")
        out.append({"code": r.get("code"), "cls": t(f"run.class.{cls}", lang) if cls in ("excluded", "nodata") else cls,
                    "meaning": (labels.get(cls) or {}).get(lang, ""),
                    "area": num(r.get("area_ha"), 1, lang), "share": pct(r.get("share"), 1, lang),
                    "score_min": num(r.get("score_min"), 2, lang) if r.get("score_min") is not None else ""})
    return out


def site_rows(sites: list[dict], crit_labels: dict, lang: str, tr, mc: dict | None = None,
              k: int | None = None) -> list[dict]:
    rows = []
    for s in sites:
        means = sorted((s.get("criteria_means") or {}).items(), key=lambda kv: -(kv[1] if kv[1] is not None else -1))
        means = [(n, v) for n, v in means if v is not None]
        if means:
            best = ", ".join(f"{crit_labels.get(n, n)} ({num(v, 2, lang)})" for n, v in means[:2])
            worst = f"{crit_labels.get(means[-1][0], means[-1][0])} ({num(means[-1][1], 2, lang)})"
            text = tr("report.site.explain", best=best, worst=worst)
        else:
            text = tr("report.site.no_criteria")
        if mc and s["id"] in mc:
            text += " " + tr("report.site.stability", probability=num(mc[s["id"]]["p_top_k"], 2, lang), top_k=k)
        d = s.get("distance_m") or {}
        lc = sorted((s.get("landcover_shares") or {}).items(), key=lambda kv: -kv[1])[:3]
        slope = s.get("slope_percent") or {}
        rows.append({
            "rank": s.get("rank"), "id": s["id"], "area": num(s.get("area_ha"), 1, lang),
            "score_mean": num(s.get("score_mean"), 3, lang), "score_min": num(s.get("score_min"), 3, lang),
            "score_max": num(s.get("score_max"), 3, lang),
            "d_road": distance(d.get("arterial_road"), lang), "d_port": distance(d.get("port"), lang),
            "d_settlement": distance(d.get("settlement"), lang), "d_river": distance(d.get("river"), lang),
            "slope": num(slope.get("mean"), 1, lang) if slope else "–",
            "landcover": ", ".join(f"{optional_key('report.lc.', n, lang, tr)} {pct(v, 0, lang)}" for n, v in lc)
            or "–",
            "admin": "; ".join(a["main"] for a in s.get("admin", []) if a.get("main")) or "–",
            "explain": text,
            "screening": bool(s.get("screening")),
            "budget": budget_text(s.get("land_budget"), lang, tr),
        })
    return rows


def budget_text(b: dict | None, lang: str, tr) -> str | None:
    """How the site's gross area divides into plots, green space and roads (the model's land budget)."""
    if not b:
        return None
    return tr("law.report.budget", gross=num(b["gross_ha"], 1, lang), plots=num(b["plots_target_ha"], 1, lang),
              plots_max=num(b["plots_max_ha"], 1, lang), green=num(b["green_min_ha"], 1, lang),
              roads=num(b["roads_min_ha"], 1, lang))


def oat_table(oat: dict, crit_labels: dict, lang: str, tr) -> dict:
    """Pivot of the one-at-a-time rows: one line per criterion, one column per weight change."""
    changes = oat.get("changes", [])
    by = {(r["criterion"], r["change"]): r for r in oat.get("rows", [])}
    names = list(dict.fromkeys(r["criterion"] for r in oat.get("rows", [])))
    lines, moved = [], 0
    for n in names:
        cells = []
        for ch in changes:
            r = by.get((n, ch))
            if r is None:
                cells.append({"text": "–", "changed": False})
                continue
            if r.get("entered") or r.get("left"):
                moved += 1
                cells.append({"changed": True, "text": tr("report.oat.moved",
                                                           entered=", ".join(map(str, r["entered"])) or "–",
                                                           left=", ".join(map(str, r["left"])) or "–")})
            else:
                cells.append({"changed": False, "text": tr("report.oat.same")})
        lines.append({"label": crit_labels.get(n, n), "cells": cells})
    head = [f"{'+' if ch > 0 else '−'}{num(abs(ch) * 100, 0, lang)} %" for ch in changes]
    total = len(oat.get("rows", []))
    return {"head": head, "lines": lines, "moved": moved, "total": total,
            "base_top": ", ".join(map(str, (oat.get("base") or {}).get("top_k", [])))}
