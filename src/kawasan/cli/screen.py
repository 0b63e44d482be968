"""kawasan screen: one model over a province or island, summarised per regency (kawasan.spatial.screening.run)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kawasan.cli.chunking import chunk_options
from kawasan.cli.ranges import SHARE
from kawasan.cli.main import cli
from kawasan.i18n import t


@cli.command("screen")
@click.argument("preset")
@click.option("--boundaries", required=True, type=click.Path(path_type=Path),
              help="Regency/city boundaries (GeoJSON or GeoPackage with a BPS code and a name per regency).")
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path),
              help="Study-area folder covering the whole province or island.")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Folder to write: the run, its sites, screen.csv, screen.gpkg, screen.json and the reports.")
@click.option("--pdrb", type=click.Path(path_type=Path), default=None,
              help="BPS PDRB totals table: join the regional-potential ranking and rank land and economy together.")
@click.option("--ipm", type=click.Path(path_type=Path), default=None,
              help="BPS IPM (human development index) table, for the regional-potential ranking.")
@click.option("--reference", default="Jawa Timur", show_default=True,
              help="The province the regencies belong to (as the BPS tables name it).")
@click.option("--land-weight", type=SHARE, default=0.5, show_default=True,
              help="Weight of land (candidate-site hectares) in the combined rank; the economy gets the rest.")
@click.option("--overwrite", is_flag=True, help="Replace an earlier screening in --out.")
@click.option("--json", "as_json", is_flag=True, help="Print the per-regency table as JSON.")
@chunk_options
@click.pass_context
def screen_cmd(ctx, preset, boundaries, data_dir, out_dir, pdrb, ipm, reference, land_weight, overwrite, as_json,
               scheduler, workers, chunks):
    """Run PRESET (a preset name or model file) over a province or island and report per regency: hectares per
    class and per excluding rule, candidate sites of legal size, the best site; with --pdrb/--ipm, ranked on
    land and economy together."""
    from kawasan.cli.progress import progress_bar
    from kawasan.spatial.screening.run import ScreenRequest, screen

    lang = ctx.obj["lang"]
    req = ScreenRequest(preset, data_dir, boundaries, out_dir, pdrb=pdrb, ipm=ipm, reference=reference,
                        land_weight=land_weight, scheduler=scheduler, workers=workers, chunks=chunks,
                        overwrite=overwrite)
    with progress_bar(f"screen {preset}") as prog:
        result = screen(req, progress=lambda step: prog(step, 0, 1))
    if as_json:
        click.echo(json.dumps(result["regencies"], ensure_ascii=False))
        return
    n_sites = sum(r.get("sites", 0) for r in result["regencies"])
    click.echo(t("screen.written", lang, path=str(out_dir), regencies=len(result["regencies"]), sites=n_sites,
                 missing=len(result["missing"])))
    for m in result["missing"]:
        click.echo(f"  - {m['name']} ({m['code']}): {t('screen.status.' + m['status'], lang)}")
