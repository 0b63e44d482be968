"""kawasan ahp MATRIX.csv [MORE.csv ...]: weights and consistency of pairwise comparison matrices."""
from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np

from kawasan.cli.main import cli
from kawasan.cli.output import Table, console
from kawasan.errors import WeightsError
from kawasan.i18n import Message, fmt_number, t
from kawasan.spatial import ahp as ahp_mod


@cli.command("ahp")
@click.argument("matrices", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--method", type=click.Choice(["eigenvector", "geometric_mean"]), default="eigenvector",
              show_default=True)
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object: criteria, weights, lambda_max, ci, cr, method, consistent, "
                   "most_inconsistent (the pair, the value the weights imply, the scale value that lowers CR most "
                   "and the CR it gives); with several matrices also members.")
@click.pass_context
def ahp_cmd(ctx, matrices, method, as_json):
    """Weights, lambda-max, CI and CR of the pairwise matrix in each CSV (names as header and first column).

    With several files (one per agency) the matrices are combined by element-wise geometric mean
    (group AHP, Aczél & Saaty 1983) and the combined weights are reported with each member's.
    """
    lang = ctx.obj["lang"]
    members = []
    ref = None
    for path in matrices:
        m, names = ahp_mod.read_matrix_csv(path)
        if ref is not None:
            if set(names) != set(ref[1]):
                raise WeightsError(Message("cli.err.ahp.criteria_differ_from", criteria=list(names),
                                           reference=list(ref[1]), matrix=matrices[0]),
                                   source=str(path))
            order = [names.index(n) for n in ref[1]]
            m, names = m[np.ix_(order, order)], ref[1]
        else:
            ref = (m, names)
        members.append((path, m, ahp_mod.ahp_weights(m, names, method=method, source=str(path))))
    if len(members) == 1:
        res = members[0][2]
    else:
        res = ahp_mod.ahp_weights(ahp_mod.group_matrix([m for _, m, _ in members]), ref[1], method=method,
                                  source="group")
    if as_json:
        out = {**res.to_dict(), "most_inconsistent": ahp_mod.suggest_revision(res)}
        if len(members) > 1:
            out["members"] = [{"source": str(p), **r.to_dict(), "most_inconsistent": ahp_mod.suggest_revision(r)}
                              for p, _, r in members]
        click.echo(json.dumps(out))
        return
    con = console()
    title = t("ahp.title", lang, path=", ".join(str(p) for p in matrices))
    table = Table(title=title)
    table.add_column(t("ahp.col_criterion", lang))
    if len(members) > 1:
        for p, _, _ in members:
            table.add_column(Path(p).stem, justify="right")
    table.add_column(t("ahp.col_weight", lang), justify="right")
    for i, name in enumerate(res.criteria):
        row = [name] + ([fmt_number(r.weights[i], lang, 4) for _, _, r in members] if len(members) > 1 else [])
        table.add_row(*row, fmt_number(res.weights[i], lang, 4))
    con.print(table)
    for label, r in ([(str(p), r) for p, _, r in members] if len(members) > 1 else []) + [("", res)]:
        verdict = t("ahp.consistent", lang) if r.consistent() else t("ahp.inconsistent", lang)
        line = t("ahp.consistency", lang, lmax=r.lambda_max, ci=r.ci, cr=r.cr, verdict=verdict)
        con.print(f"{label}: {line}" if label else line, markup=False)
        hint = ahp_mod.suggest_revision(r)
        if hint is not None:
            con.print(("  " if label else "") + _revision_text(hint, lang), markup=False)
        elif len(r.criteria) >= 3 and r.matrix is not None:
            con.print(("  " if label else "") + t("ahp.fully_consistent", lang), markup=False)


def _revision_text(hint: dict, lang: str) -> str:
    """The most inconsistent judgement and the scale value that would lower CR most (or that it already does)."""
    i, j = hint["pair"]
    text = t("ahp.most_inconsistent", lang, row=i, column=j, now=hint["judgement_text"], implied=hint["implied"],
             off=hint["off_by"])
    if hint["cr_suggested"] < hint["cr_now"]:
        return text + " " + t("ahp.revise", lang, value=hint["suggested_text"], cr=hint["cr_suggested"])
    return text + " " + t("ahp.revise_none", lang)
