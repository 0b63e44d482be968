"""Rendering run summaries for people (rich tables) in the chosen language."""
from __future__ import annotations

import click
from rich.console import Console
from rich.table import Table

from kawasan.i18n import t
from kawasan.spatial.model import CLASS_LABELS


def console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def print_run_summary(manifest: dict, folder, lang: str) -> None:
    con = console()
    model = manifest["model"]
    title = model.get("title")
    mname = title.get(lang, title.get("en")) if isinstance(title, dict) else (title or model["name"])
    if manifest.get("synthetic"):
        con.print(f"[bold yellow]{t('demo.synthetic_notice', lang)}[/]")
    table = Table(title=t("run.summary_title", lang, area=manifest["study_area"]["name"], model=mname))
    for key in ("run.col_class", "run.col_meaning", "run.col_area", "run.col_share"):
        table.add_column(t(key, lang), justify="right" if key in ("run.col_area", "run.col_share") else "left")
    for row in manifest["classes"]:
        if row["class"] == "nodata" and row["cells"] == 0:
            continue
        share = f"{row['share'] * 100:.1f} %" if row["share"] is not None else "-"
        table.add_row(row["class"], CLASS_LABELS[row["class"]][lang], f"{row['area_ha']:,.1f}", share)
    con.print(table)
    best = manifest.get("best_areas") or []
    if best:
        con.print(t("run.best_title", lang, cls=best[0]["class"]))
        for i, b in enumerate(best, 1):
            c = b["centroid"]
            con.print("  " + t("run.best_row", lang, n=i, area=b["area_ha"], score=b["score_mean"], lat=c["lat"],
                               lon=c["lon"], x=c["x"], y=c["y"]), markup=False)
    else:
        con.print(t("run.no_best", lang))
    print_screening(con, manifest, lang)
    con.print(t("run.constraints", lang))
    for c in manifest["constraints"]:
        label = c["label_id"] if lang == "id" else c["label"]
        if c["status"] == "skipped":
            con.print("  - " + t("run.constraint_skipped", lang, label=label, why=c.get("skipped_because", "")),
                      markup=False)
        elif c["status"] == "off":
            con.print("  - " + t("law.constraint_off", lang, label=label, why=cause_text(c, lang)), markup=False)
        else:
            con.print("  - " + t("run.constraint_row", lang, label=label, ha=c["excluded_ha"],
                                 basis=localized(c, "legal_basis", lang) or "-", certainty=c["certainty"]),
                      markup=False)
            print_rule_details(con, c, lang)
    for pr in manifest.get("proxies") or []:
        if pr["kind"] == "criterion":
            con.print(t("law.criterion_proxy", lang, id=pr["id"], layer=pr["layer"], own=pr["instead_of"],
                        note=localized(pr, "note", lang) or ""), markup=False, style="yellow")
    switches = manifest.get("rule_switches") or {}
    if switches:
        con.print(t("law.switches", lang, rules=", ".join(f"{k}={v}" for k, v in switches.items())), markup=False)
    for w in manifest.get("warnings", []):
        con.print(t("run.warning", lang, text=w), style="yellow", markup=False)
    print_screening(con, manifest, lang)
    click.echo(t("run.written", lang, path=folder))


def localized(row: dict, key: str, lang: str) -> str | None:
    """A manifest text field in the chosen language (``key_id`` holds the Indonesian)."""
    return (row.get(f"{key}_id") if lang == "id" else None) or row.get(key)


def cause_text(row: dict, lang: str) -> str:
    """Why a rule was not applied, in the chosen language."""
    cause = row.get("cause")
    if cause in ("switched_off", "off_in_model"):
        return t(f"law.cause.{cause}", lang)
    if cause == "layer_missing":
        return t("law.cause.layer_missing", lang, layer=row.get("layer", ""))
    return row.get("skipped_because") or row.get("why") or ""


def print_screening(con, manifest: dict, lang: str) -> None:
    """A run a legal gate could not check (no zoning layer: before the RTRW check) says so, prominently."""
    from rich.text import Text

    for n in manifest.get("screening") or []:
        line = Text(f" {t('law.screening_title', lang)} ", style="bold reverse yellow")
        line.append(" " + (n.get("id") if lang == "id" else n.get("en")) + f" ({cause_text(n, lang)})")
        con.print(line)


def print_rule_details(con, c: dict, lang: str) -> None:
    """Under a rule: the layer it read when that is a proxy, and a setback's classes with their basis."""
    read = c.get("read") or {}
    if read.get("role") == "proxy":
        con.print("      " + t("law.read_proxy", lang, layer=read["layer"], own=c["layer"],
                                note=localized(read, "note", lang) or ""), markup=False, style="yellow")
    for attr, counts in (read.get("basis") or {}).items():
        con.print("      " + t("law.basis", lang, attr=attr, counts=", ".join(f"{k} {v}" for k, v in counts.items())),
                  markup=False)
    sb = c.get("setback")
    if sb:
        from functools import partial

        from kawasan.reports.tables import setback_rows

        for line in setback_rows(c, lang, partial(t, lang=lang)):
            con.print("      " + line, markup=False)
        urban = sb.get("urban") or {}
        if urban.get("used"):
            con.print("      " + t("law.setback_urban", lang, layer=urban["layer"],
                                    values=", ".join(map(str, urban["values"]))), markup=False)
        elif urban.get("differs"):
            con.print("      " + t("law.setback_no_urban", lang), markup=False)
        if sb.get("table"):
            con.print("      " + t("law.setback_table", lang, path=sb["table"]), markup=False)
