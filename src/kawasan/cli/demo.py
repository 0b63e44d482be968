"""kawasan demo: generate the synthetic Kabupaten Contoh and run both presets on it."""
from __future__ import annotations

import time
from pathlib import Path

import click

from kawasan.cli.main import cli
from kawasan.cli.output import console, print_replaced, print_run_summary, shell_quote
from kawasan.cli.progress import progress_bar
from kawasan.cli.ranges import SEED
from kawasan.i18n import t

DEMO_PRESETS = ("kawasan-industri", "apht")


@cli.command("demo")
@click.option("--out", "out_dir", default="kawasan-demo", show_default=True, type=click.Path(path_type=Path),
              help="Folder for the demo: DIR/data (study area), DIR/runs/<preset> (one run per preset) and "
                   "DIR/economics (a SYNTHETIC regional-potential table set).")
@click.option("--seed", type=SEED, default=7, show_default=True, help="Seed of the synthetic study area (same seed, same bytes).")
@click.option("--no-serve", is_flag=True, help="Do not start the web app afterwards.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the demo web app listens on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.pass_context
def demo_cmd(ctx, out_dir, seed, no_serve, host, port):
    """Generate the SYNTHETIC regency Kabupaten Contoh and run the built-in presets on it."""
    from kawasan.sampledata.contoh import build_study_area
    from kawasan.spatial.api import run_suitability
    from kawasan.reports.builder import write_report
    from kawasan.spatial.sites.service import extract_sites, stress_test

    lang = ctx.obj["lang"]
    start = time.perf_counter()
    con = console()
    con.print(f"[bold yellow]{t('demo.synthetic_notice', lang)}[/]")
    data = out_dir / "data"
    con.print(t("demo.building", lang, seed=seed, path=data))
    build_study_area(data, seed=seed)
    _economics_demo(con, out_dir, data, seed, lang)
    top_site = {}
    for preset in DEMO_PRESETS:
        con.print(f"\n[bold]{t('demo.running', lang, preset=preset)}[/]")
        folder = out_dir / "runs" / preset
        with progress_bar(preset) as prog:
            result = run_suitability(preset, data, folder, write_criteria=True, progress=prog, overwrite=True)
        print_run_summary(result.manifest, folder, lang)
        if result.replaced:   # the demo regenerates its own folder; it says what it replaced
            print_replaced(result.replaced, lang)
        sites = extract_sites(folder)
        stress = stress_test(folder, n=1000, seed=0)
        _print_sites_brief(con, sites, stress, lang)
        top_site[preset] = (folder, sites["sites"][0] if sites["sites"] else None)
        report = write_report(folder, lang=lang)
        con.print(t("report.written", lang, path=report), markup=False)
    _switches_demo(con, data, out_dir, lang)
    project = _licensing_demo(con, out_dir, *top_site["apht"], lang, record_lang=records_language(ctx))
    _demo_accounts(con, out_dir / "licensing", lang)
    con.print("\n" + t("demo.done", lang, seconds=time.perf_counter() - start, path=out_dir))
    click.echo("\n".join([t("demo.next", lang)] + ["  " + c for c in next_commands(out_dir, *project)]))
    if not no_serve:
        _serve_demo(out_dir / "licensing", host, port, data_dir=out_dir)


def records_language(ctx) -> str:
    """The language the demo's licensing records are written in: ``--lang`` (or ``KAWASAN_LANG``) when given,
    else Bahasa Indonesia, the web app's default (the demo is served in it)."""
    import os

    from kawasan.i18n import current_language
    from kawasan.tracker.demo import DEMO_LANGUAGE

    explicit = ctx.find_root().params.get("lang") or os.environ.get("KAWASAN_LANG")
    return current_language(explicit) if explicit else DEMO_LANGUAGE


def _economics_demo(con, out_dir: Path, data: Path, seed: int, lang: str) -> None:
    """The SYNTHETIC regional-potential table set of Kabupaten Contoh and its neighbours in DIR/economics
    (the Regional potential page of ``kawasan serve --data DIR`` reads it)."""
    from kawasan.sampledata.economy import build_tableset

    spec = build_tableset(out_dir / "economics", seed=seed, study_area=data)
    con.print(t("demo.economics", lang, path=spec.parent), markup=False)


def _switches_demo(con, data: Path, out_dir: Path, lang: str) -> None:
    """The APHT preset once more with two rules switched (the optional nuisance buffer on, the spatial-plan
    rule off): the run says which rules were switched and that it is a screening before the RTRW check."""
    from kawasan.reports.builder import write_report
    from kawasan.spatial.api import run_suitability
    from kawasan.spatial.sites.service import extract_sites

    switches = {"nuisance_buffer": True, "conforms_to_spatial_plan": False}
    rules = ", ".join(f"{k}={'on' if v else 'off'}" for k, v in switches.items())
    con.print(f"\n[bold]{t('law.demo_switches', lang, rules=rules)}[/]")
    folder = out_dir / "runs" / "apht-switched"
    with progress_bar("apht") as prog:
        result = run_suitability("apht", data, folder, progress=prog, rules=switches, overwrite=True)
    print_run_summary(result.manifest, folder, lang)
    extract_sites(folder)
    con.print(t("report.written", lang, path=write_report(folder, lang=lang)), markup=False)


def _print_sites_brief(con, sites: dict, stress: dict, lang: str) -> None:
    """Top candidate sites with their stability under disputed weights."""
    mc = stress.get("monte_carlo") or {}
    con.print(t("demo.sites_brief", lang, ha=sites["rules"]["min_area_ha"], count=len(sites["sites"])), markup=False)
    p = {s["id"]: s for s in mc.get("sites", [])}
    for s in sites["sites"][:5]:
        con.print("  " + t("demo.site_brief", lang, rank=s["rank"], id=s["id"], area=s["area_ha"],
                           score=s["score_mean"], road=s["distance_m"]["arterial_road"] or 0, top_k=mc.get("top_k", 5),
                           probability=p.get(s["id"], {}).get("p_top_k", 0), draws=mc.get("n", 0)), markup=False)


def next_commands(out_dir: Path, db: Path, project_id: int) -> list[str]:
    """Commands to try after the demo, every path quoted for the shell (a folder with spaces pastes and runs)."""
    apht = out_dir / "runs" / "apht"
    return [
        shell_quote("kawasan", "sites", "rank", apht, "--by", "topsis"),
        shell_quote("kawasan", "report", apht, "--lang", "id"),
        "KAWASAN_DATABASE_URL=" + shell_quote(f"sqlite:///{db.resolve()}") + " "
        + shell_quote("kawasan", "project", "show", project_id),
    ]


def _licensing_demo(con, out_dir: Path, run_folder: Path, site: dict | None, lang: str,
                    record_lang: str | None = None) -> tuple[Path, int]:
    """A licensing project for the top APHT site in the demo's own database (DIR/licensing), and its forecast;
    returns the database and the project id. The output is in ``lang``; the records (names, reasons, the
    obstacle) in ``record_lang`` (default: ``lang``)."""
    import shutil

    from kawasan.cli.licensing import print_forecast
    from kawasan.errors import OutputError
    from kawasan.fileio import publish, recover, temp_sibling
    from kawasan.tracker import ProjectService, Settings
    from kawasan.tracker.demo import DEMO_TODAY, seed_demo_project, site_geometry

    target = out_dir / "licensing"
    if target.exists() and not (target / "kawasan.db").is_file():
        raise OutputError("the folder exists and is not a demo licensing database; nothing was overwritten",
                          source=str(target))
    recover(target)
    tmp = temp_sibling(target)
    con.print(f"\n[bold]{t('tracker.demo_title', lang)}[/]")
    svc = ProjectService(Settings.in_folder(tmp), today=DEMO_TODAY)
    try:
        pid = seed_demo_project(svc, site=site, geometry=site_geometry(run_folder, site["id"]) if site else None,
                                lang=record_lang or lang)
        fc = svc.forecast(pid, runs=10000, seed=0)
        state = svc.state(pid)
        svc.close()
        publish(tmp, target)
    except BaseException:
        svc.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    con.print(t("tracker.demo_created", lang, id=pid, name=fc["name"], db=target / "kawasan.db"), markup=False)
    by = {k: [s for s in state["stages"] if s["status"] in k] for k in (("approved", "waived"), ("in_progress",),
                                                                        ("blocked",))}
    blocked = "; ".join(t("tracker.demo_blocked", lang, stage=s["id"], reason=s["reason"], obstacles=", ".join(
        t("tracker.demo_obstacle", lang, id=o["id"], description=o["description"], owner=o["owner"])
        for o in s["obstacles"])) for s in by[("blocked",)]) or "-"
    con.print(t("tracker.demo_status", lang, done=", ".join(s["id"] for s in by[("approved", "waived")]) or "-",
                active=", ".join(s["id"] for s in by[("in_progress",)]) or "-", blocked=blocked), markup=False)
    print_forecast(fc, lang)
    return target / "kawasan.db", pid


#: One account per role for the served demo (demo only: the database is SYNTHETIC and local).
DEMO_ACCOUNTS = (("administrator", "admin", "demo-admin-2025"), ("coordinator", "tim-investasi", "demo-koordinator"),
                 ("agency_officer", "dlh-contoh", "demo-petugas-dlh"), ("viewer", "kemenperin", "demo-pemantau"))


def _demo_accounts(con, folder: Path, lang: str) -> None:
    """Give the demo's users their demo passwords and print them (one account per role)."""
    from kawasan.licensing.labels import role_label
    from kawasan.tracker import ProjectService, Settings
    from kawasan.tracker.demo import DEMO_TODAY

    svc = ProjectService(Settings.in_folder(folder), today=DEMO_TODAY)
    try:
        for _role, user, password in DEMO_ACCOUNTS:
            svc.set_password(user, password, actor="admin")
    finally:
        svc.close()
    con.print("\n" + t("serve.demo_accounts", lang), markup=False)
    for role, user, password in DEMO_ACCOUNTS:
        con.print(t("serve.demo_account", lang, role=role_label(role, lang), user=user, password=password),
                  markup=False)


def _serve_demo(folder: Path, host: str, port: int, *, data_dir: Path) -> None:
    """Serve the demo's licensing database as of the demo's date, with the demo's folder as the data folder
    (its study area and runs on the map pages), until Ctrl+C."""
    import os

    from kawasan.cli.serve import run_server
    from kawasan.tracker.demo import DEMO_TODAY

    os.environ["KAWASAN_DATABASE_URL"] = f"sqlite:///{(folder / 'kawasan.db').resolve()}"
    os.environ["KAWASAN_FILES_DIR"] = str((folder / "documents").resolve())
    run_server(host, port, 1, today=DEMO_TODAY.isoformat(), data_dir=data_dir)
