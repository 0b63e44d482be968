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
    con.print(t("run.constraints", lang))
    for c in manifest["constraints"]:
        label = c["label_id"] if lang == "id" else c["label"]
        if c["status"] == "skipped":
            con.print("  - " + t("run.constraint_skipped", lang, label=label, why=c.get("skipped_because", "")),
                      markup=False)
        else:
            con.print("  - " + t("run.constraint_row", lang, label=label, ha=c["excluded_ha"],
                                 basis=c["legal_basis"] or "-", certainty=c["certainty"]), markup=False)
    for w in manifest.get("warnings", []):
        con.print(t("run.warning", lang, text=w), style="yellow", markup=False)
    click.echo(t("run.written", lang, path=folder))


def print_replaced(prev: dict, lang: str) -> None:
    """Say which earlier run a run replaced, and what went with it (its sites, reports, other files)."""
    items = [t("run.replaced_sites", lang, name=e["name"], n=e["sites"]) if e["sites"] is not None else e["name"]
             for e in prev["extra"]]
    extra = t("run.replaced_extra", lang, items=", ".join(items)) if items else ""
    click.echo(t("run.replaced", lang, path=prev["folder"], model=prev["model"], created=prev["created"], extra=extra))
