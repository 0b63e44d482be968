"""kawasan demo: generate the synthetic Kabupaten Contoh and run both presets on it."""
from __future__ import annotations

import time
from pathlib import Path

import click

from kawasan.cli.main import cli
from kawasan.cli.output import console, print_run_summary
from kawasan.cli.progress import progress_bar
from kawasan.i18n import t

DEMO_PRESETS = ("kawasan-industri", "apht")


@cli.command("demo")
@click.option("--out", "out_dir", default="kawasan-demo", show_default=True, type=click.Path(path_type=Path),
              help="Folder for the demo: DIR/data (study area) and DIR/runs/<preset> (one run per preset).")
@click.option("--seed", default=7, show_default=True, help="Seed of the synthetic study area (same seed, same bytes).")
@click.option("--no-serve", is_flag=True, help="Do not start the web app afterwards.")
@click.pass_context
def demo_cmd(ctx, out_dir, seed, no_serve):
    """Generate the SYNTHETIC regency Kabupaten Contoh and run the built-in presets on it."""
    from kawasan.sampledata.contoh import build_study_area
    from kawasan.spatial.api import run_suitability
    from kawasan.reports.builder import write_report
    from kawasan.spatial.siteservice import extract_sites, stress_test

    lang = ctx.obj["lang"]
    start = time.perf_counter()
    con = console()
    con.print(f"[bold yellow]{t('demo.synthetic_notice', lang)}[/]")
    data = out_dir / "data"
    con.print(t("demo.building", lang, seed=seed, path=data))
    build_study_area(data, seed=seed)
    for preset in DEMO_PRESETS:
        con.print(f"\n[bold]{t('demo.running', lang, preset=preset)}[/]")
        folder = out_dir / "runs" / preset
        with progress_bar(preset) as prog:
            result = run_suitability(preset, data, folder, write_criteria=True, progress=prog)
        print_run_summary(result.manifest, folder, lang)
        sites = extract_sites(folder)
        stress = stress_test(folder, n=1000, seed=0)
        _print_sites_brief(con, sites, stress)
        report = write_report(folder, lang=lang)
        con.print(f"Report: {report}", markup=False)
    con.print("\n" + t("demo.done", lang, seconds=time.perf_counter() - start, path=out_dir))
    if not no_serve:
        con.print(t("demo.no_serve", lang))


def _print_sites_brief(con, sites: dict, stress: dict) -> None:
    """Top candidate sites with their stability under disputed weights."""
    rules = sites["rules"]
    con.print(f"Candidate sites of at least {rules['min_area_ha']:g} ha: {len(sites['sites'])}", markup=False)
    p = {s["id"]: s for s in (stress.get("monte_carlo") or {}).get("sites", [])}
    k = (stress.get("monte_carlo") or {}).get("top_k", 5)
    for s in sites["sites"][:5]:
        mc = p.get(s["id"], {})
        con.print(f"  #{s['rank']}: site {s['id']}, {s['area_ha']:,.1f} ha, mean score {s['score_mean']:.3f}, "
                  f"{s['distance_m']['arterial_road'] or 0:,.0f} m from the arterial road; "
                  f"P(top {k}) = {mc.get('p_top_k', 0):.2f} over 1,000 weight draws", markup=False)
