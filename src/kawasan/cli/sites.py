"""kawasan sites extract|rank|check|sensitivity: candidate sites from a suitability run."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kawasan.cli.main import cli
from kawasan.cli.output import Table, console
from kawasan.i18n import t


@cli.group()
def sites():
    """Candidate sites: extract, explain, rank, stress-test, and check a proposed site."""


def _admin_specs(paths, name_field):
    return [{"path": p, "name_field": name_field} for p in paths]


@sites.command("extract")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--min-class", type=click.Choice(["S1", "S2", "S3", "N1"]), default="S2", show_default=True,
              help="Cells of this class or better are suitable.")
@click.option("--min-score", type=float, default=None, help="Instead of a class: cells scoring at least this.")
@click.option("--min-area-ha", type=float, default=None, help="Minimum site area (default: the model's legal minimum).")
@click.option("--area-rule", default=None, metavar="OPTION",
              help="One of the smaller areas the law allows in stated conditions (the model's sites.options, e.g. "
                   "thematic, kpi_shortage, national_policy, sentra_ikm).")
@click.option("--max-area-ha", type=float, default=None)
@click.option("--min-compactness", type=float, default=None, help="Polsby-Popper 4*pi*A/P^2, 0..1.")
@click.option("--min-width-cells", type=int, default=3, show_default=True, help="Slivers narrower than this go.")
@click.option("--fill-holes-ha", type=float, default=1.0, show_default=True,
              help="Enclosed gaps up to this size with no excluded cell become part of the site.")
@click.option("--rank", "method", type=click.Choice(["mean", "area_weighted", "topsis"]), default="mean",
              show_default=True)
@click.option("--admin", "admin", multiple=True, type=click.Path(path_type=Path),
              help="Boundary layer(s) (kecamatan, desa) of the run's region to name where each site lies; "
                   "repeatable. Units that miss the study area are refused; partial cover is a warning.")
@click.option("--admin-name-field", default=None, help="Name attribute of the boundary layers (default: nama/name).")
@click.option("--json", "as_json", is_flag=True, help="Print the sites as a JSON list (id, area_ha, score_mean, rank, ...).")
@click.pass_context
def extract_cmd(ctx, run_dir, min_class, min_score, min_area_ha, area_rule, max_area_ha, min_compactness,
                min_width_cells, fill_holes_ha, method, admin, admin_name_field, as_json):
    """Extract contiguous candidate sites of legal size from the run in RUN_DIR, explain and rank them."""
    from kawasan.spatial.siteservice import extract_sites

    res = extract_sites(run_dir, method=method, admin=_admin_specs(admin, admin_name_field), area_rule=area_rule,
                        min_class=min_class,
                        min_score=min_score, min_area_ha=min_area_ha, max_area_ha=max_area_ha,
                        min_compactness=min_compactness, min_width_cells=min_width_cells,
                        fill_holes_ha=fill_holes_ha)
    if as_json:
        for w in res.get("warnings", []):   # stdout holds the JSON; the warnings go to stderr
            click.echo(w, err=True)
        click.echo(json.dumps(res["sites"], ensure_ascii=False))
        return
    _print_sites(res, run_dir, ctx.obj["lang"])


def _print_sites(res, run_dir, lang):
    """The ranked sites as a table: what each method ranks by is a column, and the distance note follows."""
    from kawasan.spatial.runs import open_run

    con = console()
    if res.get("synthetic"):
        con.print(f"[bold yellow]{t('demo.synthetic_notice', lang)}[/]")
    warnings = res.get("warnings", [])
    for w in warnings:
        con.print(w, style="bold yellow", markup=False)
    for n in res["notes"]:
        if n not in warnings:
            con.print(t("sites.note", lang, text=n), markup=False)
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
        value = [] if method == "mean" else [f"{s['rank_value']:,.{2 if method == 'area_weighted' else 4}f}"]
        table.add_row(str(s["rank"]), str(s["id"]), f"{s['area_ha']:,.1f}", f"{s['score_mean']:.3f}", *value,
                      _metres(d.get("arterial_road")), _metres(d.get("settlement")),
                      "-" if not s["slope_percent"] else f"{s['slope_percent']['mean']:.1f}",
                      "; ".join(a["main"] or "-" for a in s.get("admin", [])) or "-")
    con.print(table)
    if res["sites"]:
        cell = float(min(open_run(run_dir).grid.res))
        con.print(t("sites.distance_note", lang, cell=cell, diag=cell * 2 ** 0.5), markup=False)
    click.echo(t("sites.written", lang, path=Path(run_dir) / "sites"))


def _metres(v) -> str:
    return "-" if v is None else f"{v:,.0f}"


def _print_site_law(con, res, lang) -> None:
    """The screening notice every site carries and the legal basis of the minimum area."""
    from kawasan.cli.output import print_screening

    sites = res.get("sites") or []
    notices = (sites[0].get("screening") if sites else None) or []
    print_screening(con, {"screening": notices}, lang)
    basis = res.get("legal_basis") or {}
    if basis.get("legal_basis"):
        con.print(f"Minimum area {basis.get('min_area_ha')} ha (gross, in one expanse): {basis['legal_basis']} "
                  f"[{basis.get('certainty')}]", markup=False)


@sites.command("rank")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--by", "method", type=click.Choice(["mean", "area_weighted", "topsis"]), default="mean",
              show_default=True)
@click.option("--json", "as_json", is_flag=True,
              help="Print the sites as a JSON list; rank_value is what the method ranks by.")
@click.pass_context
def rank_cmd(ctx, run_dir, method, as_json):
    """Re-rank the extracted sites of RUN_DIR by another method (mean score, area-weighted score, TOPSIS)."""
    from kawasan.spatial.siteservice import rerank

    res = rerank(run_dir, method)
    if as_json:
        click.echo(json.dumps(res["sites"], ensure_ascii=False))
        return
    _print_sites(res, run_dir, ctx.obj["lang"])


@sites.command("check")
@click.argument("site_file", type=click.Path(path_type=Path))
@click.option("--run", "run_dir", required=True, type=click.Path(path_type=Path), help="Suitability run folder.")
@click.option("--radius", type=float, default=None, help="For a point site: radius in metres.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object with passes, constraints [{rule, passed, value, legal_basis}], score, ...")
def check_cmd(site_file, run_dir, radius, as_json):
    """Check a proposed site (polygon, or point with --radius) against every rule of the run."""
    from kawasan.spatial.sitecheck import check_site

    res = check_site(site_file, run_dir, radius=radius)
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False))
        return
    con = console()
    if res["synthetic"]:
        con.print("[bold yellow]SYNTHETIC DATA: not a real place.[/]")
    for n in res["notes"]:
        con.print(f"note: {n}", markup=False)
    from kawasan.cli.output import print_screening

    print_screening(con, {"screening": res.get("screening") or []}, "en")
    verdict = "PASSES every rule" if res["passes"] else "FAILS at least one rule"
    con.print(f"{site_file}: {verdict}", markup=False)
    for r in res["constraints"]:
        mark = "ok " if r["passed"] else ("-- " if r["passed"] is None else "NO ")
        con.print(f"  {mark} {r['message']}", markup=False)
    s = res["score"]
    if s["score_mean"] is not None:
        con.print(f"  score mean {s['score_mean']:.3f} (min {s['score_min']:.3f}, max {s['score_max']:.3f}) "
                  f"over {s['area_passing_ha']:.2f} of {s['area_ha']:.2f} ha", markup=False)
    if res["rank_among_extracted"]:
        r = res["rank_among_extracted"]
        con.print(f"  would rank {r['would_rank']} of {r['of']} by mean score among the extracted sites", markup=False)
    for c in res["what_would_have_to_change"]:
        con.print(f"  to change: {c}", markup=False)


@sites.command("sensitivity")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("-n", "--draws", default=1000, show_default=True, help="Monte Carlo weight draws.")
@click.option("--seed", default=0, show_default=True)
@click.option("--top-k", default=5, show_default=True)
@click.option("--change", "changes", multiple=True, type=float,
              help="One-at-a-time relative weight change, repeatable (default -0.2 -0.1 0.1 0.2).")
@click.option("--concentration", type=float, default=None,
              help="Dirichlet concentration (default: about 20 % coefficient of variation per weight).")
@click.option("--no-map", is_flag=True, help="Skip the score-spread raster.")
@click.option("--json", "as_json", is_flag=True)
def sensitivity_cmd(run_dir, draws, seed, top_k, changes, concentration, no_map, as_json):
    """Stress-test the ranking of the extracted sites against disputed weights."""
    from kawasan.spatial.siteservice import stress_test

    res = stress_test(run_dir, n=draws, seed=seed, top_k=top_k, changes=changes or (-0.2, -0.1, 0.1, 0.2),
                      concentration=concentration, spread_map=not no_map)
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False, default=str))
        return
    con = console()
    con.print(res["method_note"], markup=False)
    mc = res.get("monte_carlo")
    if not mc:
        con.print("no sites to stress-test", markup=False)
        return
    table = Table(title=f"Monte Carlo weights: {mc['n']} draws, seed {mc['seed']}, top {mc['top_k']}")
    for col in ("id", "rank now", f"P(top {mc['top_k']})", "rank range", "rank p05-p95", "score sd"):
        table.add_column(col, justify="right")
    for s in sorted(mc["sites"], key=lambda s: s["rank_base"]):
        table.add_row(str(s["id"]), str(s["rank_base"]), f"{s['p_top_k']:.2f}", f"{s['rank_min']}-{s['rank_max']}",
                      f"{s['rank_p05']:.0f}-{s['rank_p95']:.0f}", f"{s['score_std']:.4f}")
    con.print(table)
    if res.get("score_spread"):
        click.echo(f"Score spread map: {Path(run_dir) / 'sites' / res['score_spread']}")
    for n in res.get("notes", []):
        con.print(f"note: {n}", markup=False)
