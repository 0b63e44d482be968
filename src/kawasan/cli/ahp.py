"""kawasan ahp MATRIX.csv: weights and consistency of a pairwise comparison matrix."""
from __future__ import annotations

import json
from pathlib import Path

import click
from rich.table import Table

from kawasan.cli.main import cli
from kawasan.cli.output import console
from kawasan.i18n import t
from kawasan.spatial import ahp as ahp_mod


@cli.command("ahp")
@click.argument("matrix", type=click.Path(path_type=Path))
@click.option("--method", type=click.Choice(["eigenvector", "geometric_mean"]), default="eigenvector",
              show_default=True)
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object: criteria, weights, lambda_max, ci, cr (and method, consistent).")
@click.pass_context
def ahp_cmd(ctx, matrix, method, as_json):
    """Weights, lambda-max, CI and CR of the pairwise matrix in MATRIX (CSV, names as header and first column)."""
    lang = ctx.obj["lang"]
    m, names = ahp_mod.read_matrix_csv(matrix)
    res = ahp_mod.ahp_weights(m, names, method=method, source=str(matrix))
    if as_json:
        click.echo(json.dumps(res.to_dict()))
        return
    table = Table(title=t("ahp.title", lang, path=matrix))
    table.add_column(t("ahp.col_criterion", lang))
    table.add_column(t("ahp.col_weight", lang), justify="right")
    for name, w in zip(res.criteria, res.weights):
        table.add_row(name, f"{w:.4f}")
    con = console()
    con.print(table)
    verdict = t("ahp.consistent", lang) if res.consistent() else t("ahp.inconsistent", lang)
    con.print(t("ahp.consistency", lang, lmax=res.lambda_max, ci=res.ci, cr=res.cr, verdict=verdict))
