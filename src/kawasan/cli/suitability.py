"""kawasan suitability run|presets|show."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kawasan.cli.main import cli
from kawasan.cli.chunking import chunk_options
from kawasan.cli.output import print_replaced, print_run_summary
from kawasan.cli.progress import progress_bar
from kawasan.spatial.api import run_suitability
from kawasan.spatial.presets import preset_names, preset_text


@cli.group()
def suitability():
    """Raster multi-criteria suitability: where can the estate go?"""


@suitability.command("run")
@click.argument("model")
@click.option("--data", "data_dir", required=True, type=click.Path(path_type=Path),
              help="Study-area folder (layers and manifest.json).")
@click.option("--out", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Run folder to write. An earlier run there is refused unless --overwrite.")
@click.option("--overwrite", is_flag=True,
              help="Replace an earlier kawasan run in --out, with its sites and reports (they describe the old run).")
@click.option("--allow-inconsistent", is_flag=True, help="Accept AHP matrices with CR above 0.1.")
@click.option("--criteria/--no-criteria", "write_criteria", default=False,
              help="Also write each standardized criterion as a raster.")
@click.option("--compress", type=click.Choice(["ZSTD", "DEFLATE", "LZW", "NONE"], case_sensitive=False),
              default="ZSTD", show_default=True, help="COG codec.")
@click.option("--rule", "rules", multiple=True, metavar="ID=on|off",
              help="Switch one constraint on or off for this run (e.g. nuisance_buffer=on); repeatable; recorded in "
                   "the run manifest.")
@click.option("--json", "as_json", is_flag=True, help="Print the run manifest as JSON instead of a summary.")
@chunk_options
@click.pass_context
def run_cmd(ctx, model, data_dir, out_dir, allow_inconsistent, write_criteria, compress, overwrite, rules, as_json,
            scheduler, workers, chunks):
    """Run MODEL (a .yaml/.toml model file or a preset name) on the study area in --data."""
    from kawasan.cli.switches import parse_rule_switches

    lang = ctx.obj["lang"]
    switches = parse_rule_switches(rules)
    with progress_bar(f"suitability {model}") as prog:
        result = run_suitability(model, data_dir, out_dir, allow_inconsistent=allow_inconsistent,
                                 write_criteria=write_criteria, compress=compress.upper(), progress=prog,
                                 overwrite=overwrite, rules=switches, scheduler=scheduler, workers=workers,
                                 chunks=chunks)
    if as_json:
        click.echo(json.dumps({**result.manifest, **({"replaced": result.replaced} if result.replaced else {})},
                              ensure_ascii=False, indent=2))
    else:
        print_run_summary(result.manifest, out_dir, lang)
        if result.replaced:
            print_replaced(result.replaced, lang)


@suitability.command("presets")
def presets_cmd():
    """List the built-in model presets."""
    for name in preset_names():
        click.echo(name)


@suitability.command("show")
@click.argument("preset")
def show_cmd(preset):
    """Print a built-in preset as YAML (copy it to start your own model)."""
    click.echo(preset_text(preset), nl=False)


@suitability.command("schema")
def schema_cmd():
    """Print the JSON Schema of model files (for editors and validators)."""
    from kawasan.spatial.model import Model

    click.echo(json.dumps(Model.model_json_schema(), indent=2, ensure_ascii=False))
