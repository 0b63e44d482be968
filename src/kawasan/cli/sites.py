"""kawasan sites extract|rank|check|sensitivity: candidate sites from a suitability run."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kawasan.cli.chunking import chunk_options
from kawasan.cli.main import cli
from kawasan.cli.output import Table, console
from kawasan.cli.ranges import HECTARES, SEED, SHARE, Finite
from kawasan.i18n import certainty_tag, fmt_number, format_number, t, text_in


@cli.group()
def sites():
    """Candidate sites: extract, explain, rank, stress-test, and check a proposed site."""


def _admin_specs(paths, name_field):
    return [{"path": p, "name_field": name_field} for p in paths]


@sites.command("extract")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--min-class", type=click.Choice(["S1", "S2", "S3", "N1"]), default="S2", show_default=True,
              help="Cells of this class or better are suitable.")
@click.option("--min-score", type=SHARE, default=None, help="Instead of a class: cells scoring at least this.")
@click.option("--min-area-ha", type=HECTARES, default=None, help="Minimum site area (default: the model's legal minimum).")
@click.option("--area-rule", default=None, metavar="OPTION",
              help="One of the smaller areas the law allows in stated conditions (the model's sites.options, e.g. "
                   "thematic, kpi_shortage, national_policy, sentra_ikm).")
@click.option("--max-area-ha", type=HECTARES, default=None)
@click.option("--min-compactness", type=SHARE, default=None, help="Polsby-Popper 4*pi*A/P^2, 0..1.")
@click.option("--min-width-cells", type=click.IntRange(1, 10_000), default=3, show_default=True, help="Slivers narrower than this go.")
@click.option("--fill-holes-ha", type=HECTARES, default=1.0, show_default=True,
              help="Enclosed gaps up to this size with no excluded cell become part of the site.")
@click.option("--rank", "method", type=click.Choice(["mean", "area_weighted", "topsis"]), default="mean",
              show_default=True)
@click.option("--admin", "admin", multiple=True, type=click.Path(path_type=Path),
              help="Boundary layer(s) (kecamatan, desa) of the run's region to name where each site lies; "
                   "repeatable. Units that miss the study area are refused; partial cover is a warning.")
@click.option("--admin-name-field", default=None, help="Name attribute of the boundary layers (default: nama/name).")
@click.option("--json", "as_json", is_flag=True, help="Print the sites as a JSON list (id, area_ha, score_mean, rank, ...).")
@chunk_options
@click.pass_context
def extract_cmd(ctx, run_dir, min_class, min_score, min_area_ha, area_rule, max_area_ha, min_compactness,
                min_width_cells, fill_holes_ha, method, admin, admin_name_field, as_json, scheduler, workers, chunks):
    """Extract contiguous candidate sites of legal size from the run in RUN_DIR, explain and rank them."""
    from kawasan.spatial.sites.service import extract_sites

    res = extract_sites(run_dir, method=method, admin=_admin_specs(admin, admin_name_field), area_rule=area_rule,
                        min_class=min_class,
                        min_score=min_score, min_area_ha=min_area_ha, max_area_ha=max_area_ha,
                        min_compactness=min_compactness, min_width_cells=min_width_cells,
                        fill_holes_ha=fill_holes_ha, scheduler=scheduler, workers=workers, chunks=chunks)
    if as_json:
        for w in res.get("warnings", []):   # stdout holds the JSON; the warnings go to stderr
            click.echo(w, err=True)
        click.echo(json.dumps(res["sites"], ensure_ascii=False))
        return
    _print_sites(res, run_dir, ctx.obj["lang"])


def _print_sites(res, run_dir, lang):
    """The ranked sites as a table: what each method ranks by is a column, and the distance note follows."""
    from kawasan.spatial.runs.read import open_run

    con = console()
    if res.get("synthetic"):
        con.print(f"[bold yellow]{t('demo.synthetic_notice', lang)}[/]")
    warnings = res.get("warnings", [])
    for w in warnings:
        con.print(text_in(w, lang), style="bold yellow", markup=False)
    for n in res["notes"]:
        if n not in warnings:
            con.print(t("sites.note", lang, text=text_in(n, lang)), markup=False)
    _print_site_law(con, res, lang)
    method = res["rank_method"]
    table = Table(title=t("sites.title", lang, min_area=res["rules"]["min_area_ha"],
                          method=t(f"report.rank.{method}", lang)))
    cols = ["rank", "id", "area", "score"] + ([] if method == "mean" else [f"value_{method}"]) + \
        ["arterial", "settlement", "slope", "where"]
    for col in cols:
        table.add_column(t(f"sites.col_{col}", lang), justify="left" if col == "where" else "right")
    for s in res["sites"]:
        d = s["distance_m"]
        value = [] if method == "mean" else [fmt_number(s["rank_value"], lang, 2 if method == "area_weighted" else 4)]
        table.add_row(str(s["rank"]), str(s["id"]), fmt_number(s["area_ha"], lang, 1),
                      fmt_number(s["score_mean"], lang, 3), *value,
                      _metres(d.get("arterial_road"), lang), _metres(d.get("settlement"), lang),
                      "-" if not s["slope_percent"] else fmt_number(s["slope_percent"]["mean"], lang, 1),
                      "; ".join(a["main"] or "-" for a in s.get("admin", [])) or "-")
    con.print(table)
    if res["sites"]:
        cell = float(min(open_run(run_dir).grid.res))
        con.print(t("sites.distance_note", lang, cell=cell, diag=cell * 2 ** 0.5), markup=False)
    click.echo(t("sites.written", lang, path=Path(run_dir) / "sites"))


def _metres(v, lang) -> str:
    return "-" if v is None else fmt_number(v, lang, 0)


def _print_site_law(con, res, lang) -> None:
    """The screening notice every site carries and the legal basis of the minimum area."""
    from kawasan.cli.output import localized, print_screening

    sites = res.get("sites") or []
    notices = (sites[0].get("screening") if sites else None) or []
    print_screening(con, {"screening": notices}, lang)
    basis = res.get("legal_basis") or {}
    if basis.get("legal_basis"):
        con.print(t("sites.min_area", lang, ha=basis.get("min_area_ha"), basis=localized(basis, "legal_basis", lang),
                    tag=certainty_tag(basis.get("certainty"), lang)), markup=False)


@sites.command("rank")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--by", "method", type=click.Choice(["mean", "area_weighted", "topsis"]), default="mean",
              show_default=True)
@click.option("--json", "as_json", is_flag=True,
              help="Print the sites as a JSON list; rank_value is what the method ranks by.")
@click.pass_context
def rank_cmd(ctx, run_dir, method, as_json):
    """Re-rank the extracted sites of RUN_DIR by another method (mean score, area-weighted score, TOPSIS)."""
    from kawasan.spatial.sites.service import rerank

    res = rerank(run_dir, method)
    if as_json:
        click.echo(json.dumps(res["sites"], ensure_ascii=False))
        return
    _print_sites(res, run_dir, ctx.obj["lang"])


@sites.command("check")
@click.argument("site_file", type=click.Path(path_type=Path))
@click.option("--run", "run_dir", required=True, type=click.Path(path_type=Path), help="Suitability run folder.")
@click.option("--radius", type=Finite(0.0, min_open=True), default=None, help="For a point site: radius in metres.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object with passes, constraints [{rule, passed, value, legal_basis}], score, ...")
@click.pass_context
def check_cmd(ctx, site_file, run_dir, radius, as_json):
    """Check a proposed site (polygon, or point with --radius) against every rule of the run."""
    from kawasan.spatial.sites.check import check_site

    res = check_site(site_file, run_dir, radius=radius)
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False))
        return
    _print_check(res, site_file, run_dir, ctx.obj["lang"])


def _print_check(res: dict, site_file, run_dir, lang: str) -> None:
    """The verdict, then one line per rule (ok / NO / not checked) with its legal basis, in the user's language."""
    from kawasan.cli.output import localized, print_screening
    from kawasan.spatial.runs.read import open_run

    con = console()
    if res["synthetic"]:
        con.print(f"[bold yellow]{t('check.synthetic', lang)}[/]")
    for n in res["notes"]:
        con.print(t("check.note", lang, text=text_in(n, lang)), markup=False)
    print_screening(con, {"screening": res.get("screening") or []}, lang)
    con.print(t("check.passes" if res["passes"] else "check.fails", lang, site=site_file), markup=False)
    run = open_run(run_dir)
    rules = {c["id"]: c for c in run.manifest.get("constraints", [])}
    changes = []
    for r in res["constraints"]:
        c = rules.get(r["rule"]) or (run.site_rules if r["rule"] == "min_area" else {})
        basis = f"{localized(c, 'legal_basis', lang) or t('check.no_basis', lang)} [{certainty_tag(r['certainty'], lang)}]"
        label = localized(c, "label", lang) or r["label"]
        if r["rule"] == "min_area":
            need = float(run.site_rules["min_area_ha"])
            text = t("check.min_area_ok" if r["passed"] else "check.min_area_short", lang, ha=r["value"], need=need,
                     basis=basis)
            if not r["passed"]:
                changes.append(t("check.change_enlarge", lang, ha=need - r["value"]))
        elif r["passed"] is None:
            why = c.get("skipped_because") or ""
            from kawasan.cli.output import cause_text

            text = t("check.not_checked", lang, label=label, why=cause_text(c, lang) or why, basis=basis)
        elif r["passed"]:
            text = t("check.rule_passes", lang, label=label, basis=basis)
        else:
            text = t("check.rule_fails", lang, label=label, share=r["value"], ha=r["failing_ha"], basis=basis)
            changes.append(t("check.change_fix", lang, ha=r["failing_ha"], label=label))
        mark = "ok " if r["passed"] else ("-- " if r["passed"] is None else t("check.no_mark", lang))
        con.print(f"  {mark} {text}", markup=False)
    s = res["score"]
    if s["score_mean"] is not None:
        con.print("  " + t("check.score", lang, mean=s["score_mean"], min=s["score_min"], max=s["score_max"],
                           passing=s["area_passing_ha"], area=s["area_ha"]), markup=False)
    if res["rank_among_extracted"]:
        r = res["rank_among_extracted"]
        con.print("  " + t("check.would_rank", lang, rank=r["would_rank"], of=r["of"]), markup=False)
    for c in changes:
        con.print("  " + t("check.to_change", lang, text=c), markup=False)


@sites.command("sensitivity")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("-n", "--draws", type=click.IntRange(1, 1_000_000), default=1000, show_default=True, help="Monte Carlo weight draws.")
@click.option("--seed", type=SEED, default=0, show_default=True)
@click.option("--top-k", type=click.IntRange(1, 10_000), default=5, show_default=True)
@click.option("--change", "changes", multiple=True, type=Finite(-1.0, 10.0, min_open=True),
              help="One-at-a-time relative weight change, repeatable (default -0.2 -0.1 0.1 0.2).")
@click.option("--concentration", type=Finite(0.0, 1e6, min_open=True), default=None,
              help="Dirichlet concentration (default: about 20 % coefficient of variation per weight).")
@click.option("--no-map", is_flag=True, help="Skip the score-spread raster.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def sensitivity_cmd(ctx, run_dir, draws, seed, top_k, changes, concentration, no_map, as_json):
    """Stress-test the ranking of the extracted sites against disputed weights."""
    from kawasan.spatial.sites.service import stress_test

    res = stress_test(run_dir, n=draws, seed=seed, top_k=top_k, changes=changes or (-0.2, -0.1, 0.1, 0.2),
                      concentration=concentration, spread_map=not no_map)
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False, default=str))
        return
    _print_sensitivity(res, run_dir, ctx.obj["lang"], spread_asked=not no_map)


def _print_sensitivity(res: dict, run_dir, lang: str, *, spread_asked: bool) -> None:
    """How exact the test is, the Monte Carlo table (P(k in top), rank ranges), the spread map."""
    from kawasan.spatial.runs.read import open_run

    con = console()
    agg = ((open_run(run_dir).manifest.get("model") or {}).get("aggregation") or {}).get("method", "wlc")
    con.print(t("report.stress.exact", lang) if agg == "wlc" else t("report.stress.approx", lang, method=agg),
              markup=False)
    mc = res.get("monte_carlo")
    if not mc:
        con.print(t("report.stress.no_sites", lang), markup=False)
        return
    k = mc["top_k"]
    table = Table(title=t("sens.title", lang, draws=mc["n"], seed=mc["seed"], top_k=k))
    for col in ("id", "rank_now", "p", "range", "p90", "sd"):
        table.add_column(t(f"sens.col_{col}", lang, top_k=k), justify="right")
    for s in sorted(mc["sites"], key=lambda s: s["rank_base"]):
        table.add_row(str(s["id"]), str(s["rank_base"]), fmt_number(s["p_top_k"], lang, 2),
                      f"{s['rank_min']}-{s['rank_max']}", f"{s['rank_p05']:.0f}-{s['rank_p95']:.0f}",
                      format_number(s["score_std"], ".4f", lang))
    con.print(table)
    if res.get("score_spread"):
        click.echo(t("sens.spread_map", lang, path=Path(run_dir) / "sites" / res["score_spread"]))
    elif spread_asked:
        con.print(t("sens.no_spread_map", lang), markup=False)
