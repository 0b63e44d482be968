"""kawasan economy potential: rank the regencies of a province for industrial development.

Also ``kawasan economy report``: the economics HTML report (sector structure of one region and,
when readiness inputs are given, the potential ranking and map of all regions).
"""
from __future__ import annotations

import json
from pathlib import Path

import click

from kawasan.cli.economy import economy_group, prepare_output
from kawasan.cli.output import Table, console
from kawasan.cli.ranges import COUNT, SEED, SHARE, YEARS
from kawasan.economics.tables import REFERENCE_TOTALS
from kawasan.errors import InputError
from kawasan.i18n import Message, fmt_number, t, text_in


def _pairs(values, option: str) -> dict[str, str]:
    out = {}
    for v in values:
        if "=" not in v:
            raise InputError(Message("cli.err.economy_potential.region_path_example_kabupaten", value=v),
                             field=option)
        k, p = v.rsplit("=", 1)
        out[k.strip()] = p.strip()
    return out


def _weights(weight, weights_file, ahp, ahp_method, allow_inconsistent):
    from kawasan.economics import potential as pt

    given = [x for x in (weight, weights_file, ahp) if x]
    if len(given) > 1:
        raise InputError(Message("cli.err.economy_potential.give_weights_one_way"), field="--weight")
    if weight:
        vals = {}
        for w in weight:
            if "=" not in w:
                raise InputError(Message("cli.err.economy_potential.component_weight_example_ipm", value=w),
                                 field="--weight")
            k, v = w.split("=", 1)
            vals[k.strip()] = v.strip()
        return pt.direct_weights(vals, source="--weight")
    if weights_file:
        return pt.read_weights_file(weights_file)
    if ahp:
        return pt.ahp_weights_from_csv(ahp, method=ahp_method, allow_inconsistent=allow_inconsistent)
    return None


def potential_options(f):
    """The options ``economy potential`` and ``economy report`` share, in this order: region tables,
    sector table, single-region inputs, period, weights, scoring."""
    opts = (_region_table_options() + _sector_options() + _site_options() + _period_options()
            + _weight_options() + _scoring_options())
    for o in reversed(opts):
        f = o(f)
    return f


def _region_table_options() -> list:
    """The region list and the tables by region and year (PDRB, population, IPM, labour)."""
    return [
        click.option("--boundaries", type=click.Path(path_type=Path),
                     help="Regency/city boundaries (GeoJSON/GeoPackage with code and name): the list of regions, "
                          "the map, and the centroids for --ports."),
        click.option("--pdrb", type=click.Path(path_type=Path),
                     help="PDRB totals by region and year (e.g. pdrb_total_jatim_2010_2023.csv): gdp, gdp_growth, "
                          "gdp_per_capita."),
        click.option("--price-basis", default="ADHK2010", show_default=True,
                     help="Price basis of the --pdrb and --sectors rows to use (never mixed)."),
        click.option("--population", type=click.Path(path_type=Path),
                     help="Population by region and year (both sexes or L/P): population, gdp_per_capita."),
        click.option("--ipm", type=click.Path(path_type=Path),
                     help="IPM (human development index) by region and year."),
        click.option("--labour-force", type=click.Path(path_type=Path),
                     help="Labour force (angkatan kerja) by region and year: labour_force."),
        click.option("--unemployment", type=click.Path(path_type=Path),
                     help="Open unemployment rate (TPT, percent) by region and year: unemployment (less is better)."),
        click.option("--ipm-method", default=None,
                     help="IPM series to use: lf_sp2020 or sp2010 (default: the one with the latest year); "
                          "two BPS series are never mixed."),
    ]


def _sector_options() -> list:
    """The sector table and what its LQ, DLQ and shares are measured against."""
    return [
        click.option("--sectors", type=click.Path(path_type=Path),
                     help="PDRB by 17 sectors (long/wide CSV or XLSX): sector_lq, sector_share (sector_dlq with "
                          "two or more years) for the regions it covers."),
        click.option("--sector", default="C", show_default=True,
                     help="Sector code for the sector components (C = Industri Pengolahan; a sub-category such "
                          "as C.3 where the table has it)."),
        click.option("--reference", default="Jawa Timur", show_default=True,
                     help="Reference region (province) of the sector table and of the region list."),
        click.option("--reference-total", type=click.Choice(REFERENCE_TOTALS), default="sectors", show_default=True,
                     help="Total the sector LQ, DLQ and shares are measured against: the sum of the 17 lapangan "
                          "usaha, or gdp: the PDB/PDRB including net taxes on products where the table has that row."),
    ]


def _site_options() -> list:
    """Port points, study areas and suitability runs of single regions."""
    return [
        click.option("--ports", type=click.Path(path_type=Path),
                     help="Port points (GeoJSON): port_distance from each region's centroid (needs --boundaries)."),
        click.option("--study-area", "study_area", multiple=True, metavar="REGION=DIR",
                     help="A kawasan study area of one region: road_access (share of land within 5 km of an "
                          "arterial road). Repeatable."),
        click.option("--run", "run", multiple=True, metavar="REGION=DIR",
                     help="A suitability run of one region: land_not_excluded. Repeatable."),
    ]


def _period_options() -> list:
    """The analysis year, the growth period and which kinds of region are ranked."""
    return [
        click.option("--year", type=YEARS, default=None, help="Analysis year (default: the latest PDRB year)."),
        click.option("--growth-start", type=YEARS, default=None,
                     help="First year of the growth period (default: year - 5)."),
        click.option("--kind", type=click.Choice(["all", "kabupaten", "kota"]), default="all", show_default=True,
                     help="Rank regencies, cities or both."),
    ]


def _weight_options() -> list:
    """One way of weighting the components: direct weights, a weights file or an AHP matrix."""
    return [
        click.option("--weight", multiple=True, metavar="COMPONENT=W",
                     help="Direct weight of one component (repeatable); unlisted components get 0."),
        click.option("--weights", "weights_file", type=click.Path(path_type=Path),
                     help="Direct weights file: JSON/YAML mapping or CSV component,weight."),
        click.option("--ahp", type=click.Path(path_type=Path),
                     help="AHP pairwise comparison matrix CSV (component ids as header and first column)."),
        click.option("--ahp-method", type=click.Choice(["eigenvector", "geometric_mean"]), default="eigenvector",
                     show_default=True),
        click.option("--allow-inconsistent", is_flag=True, help="Use AHP weights even when CR > 0.1."),
    ]


def _scoring_options() -> list:
    """Normalisation, missing components, minimum coverage and the weight stress test."""
    return [
        click.option("--normalisation", type=click.Choice(["minmax", "zscore"]), default="minmax",
                     show_default=True),
        click.option("--missing", type=click.Choice(["renormalise", "worst"]), default="renormalise",
                     show_default=True, help="A region lacking a component: rescale its other weights, or count "
                                             "the component at its worst value."),
        click.option("--min-coverage", type=SHARE, default=0.5, show_default=True,
                     help="Regions whose available components carry less weight than this are listed unranked."),
        click.option("--stress", type=COUNT, default=0, show_default=True,
                     help="Weight stress test: this many Dirichlet weight draws (about 20 % variation) re-rank "
                          "the regions; each gets p_top_k and its rank range (0 = off)."),
        click.option("--stress-top-k", type=click.IntRange(1, 10_000), default=5, show_default=True,
                     help="k of p_top_k: the share of draws in which a region is among the best k."),
        click.option("--seed", type=SEED, default=0, show_default=True, help="Seed of the stress test's draws."),
    ]


def _compute(kw):
    from kawasan.economics import potential as pt

    ws = _weights(kw["weight"], kw["weights_file"], kw["ahp"], kw["ahp_method"], kw["allow_inconsistent"])
    kinds = ("kabupaten", "kota") if kw["kind"] == "all" else (kw["kind"],)
    inputs = pt.PotentialInputs(
        boundaries=kw["boundaries"], pdrb=kw["pdrb"], population=kw["population"], ipm=kw["ipm"],
        labour_force=kw["labour_force"], unemployment=kw["unemployment"],
        sectors=kw["sectors"], ports=kw["ports"], study_areas=_pairs(kw["study_area"], "--study-area"),
        runs=_pairs(kw["run"], "--run"), reference=kw["reference"], sector=kw["sector"],
        price_basis=kw["price_basis"], ipm_method=kw["ipm_method"], year=kw["year"],
        growth_start=kw["growth_start"], kinds=kinds, reference_total=kw["reference_total"])
    if not 0.0 <= kw["min_coverage"] <= 1.0:
        raise InputError(Message("cli.err.economy_potential.min_coverage_outside", min_coverage=kw['min_coverage']),
                         field="--min-coverage")
    if kw["stress"] < 0 or kw["stress_top_k"] < 1 or kw["seed"] < 0:
        raise InputError(Message("cli.err.economy_potential.stress_must_stress_top"), field="--stress")
    return pt.potential_from_files(inputs, weights=ws, normalisation=kw["normalisation"], missing=kw["missing"],
                                   min_coverage=kw["min_coverage"], stress=kw["stress"],
                                   stress_top_k=kw["stress_top_k"], seed=kw["seed"])


def _check_out(path: Path | None, suffixes: tuple[str, ...], option: str) -> None:
    if path is not None and path.suffix.lower() not in suffixes:
        raise InputError(Message("cli.err.economy_potential.has_suffix_expected", path=path, suffix=path.suffix,
                                 suffixes=' or '.join(suffixes)), field=option)


@economy_group.command("potential")
@potential_options
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object: records (region, code, score, rank, coverage, components), components, "
                   "weights, unmatched, notes.")
@click.option("--map", "map_out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write a choropleth map of the scores (.svg with labels and legend, or .png); needs --boundaries.")
@click.option("--report", "report_out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Write the economics HTML report (self-contained).")
@click.option("--top", type=COUNT, default=0, help="Show only the best N regions in the table (0 = all).")
@click.pass_context
def potential_cmd(ctx, as_json, map_out, report_out, top, **kw):
    """Rank the regencies and cities of a province by their potential for industrial development.

    The score combines readiness (PDRB level, growth and per capita, population, IPM, port distance, road
    access, land not excluded) with the chosen sector's LQ, DLQ and share where a sector table covers a
    region; each component is normalised over the regions (min-max or z-score, direction per indicator)
    and weighted directly, equally (default) or by AHP. Every region's available components are listed.

    Example: kawasan economy potential --boundaries jatim_kabkota.geojson --pdrb pdrb_total_jatim_2010_2023.csv
    --population population_jatim_2010_2023_long.csv --ipm ipm_jatim_long.csv --map potential.svg
    """
    lang = ctx.obj["lang"]
    _check_out(map_out, (".svg", ".png"), "--map")
    _check_out(report_out, (".html", ".htm"), "--report")
    if map_out is not None and kw["boundaries"] is None:
        raise InputError(Message("cli.err.economy_potential.map_needs_boundaries_regions"), field="--map")
    run = _compute(kw)
    res = run.result
    written = []
    if map_out is not None:
        from kawasan.reports.economics import potential_map_kwargs
        from kawasan.reports.choropleth import write_map

        written.append(write_map(prepare_output(map_out, "--map"), run.boundaries,
                                 **potential_map_kwargs(res, lang)))
    if report_out is not None:
        from kawasan.reports.economics import write_economics_report

        written.append(write_economics_report(prepare_output(report_out, "--report"), potential=run, lang=lang,
                                              region=None, reference=kw["reference"],
                                              reference_total=kw["reference_total"]))
    if as_json:
        out = res.to_dict()
        out["written"] = [str(p) for p in written]
        click.echo(json.dumps(out, ensure_ascii=False))
        return
    _print(res, lang, top)
    for p in written:
        click.echo(t("potential.written", lang, path=p))


def _print(res, lang: str, top: int) -> None:
    con = console()
    table = Table(title=t("potential.title", lang, regions=len(res.table)))
    rows = res.records()
    show_missing = any(r["missing"] or r["unranked_reason"] for r in rows)
    for key, just in (("rank", "right"), ("region", "left"), ("score", "right"), ("coverage", "right"),
                      ("missing", "left")):
        if key != "missing" or show_missing:
            table.add_column(t(f"potential.col.{key}", lang), justify=just)
    if res.stress is not None:
        table.add_column(t("potential.col.p_top_k", lang, top_k=res.stress["top_k"]), justify="right")
        table.add_column(t("potential.col.rank_range", lang), justify="right")
    for rec in rows[: top or None]:
        cells = ["–" if rec["rank"] is None else str(rec["rank"]), rec["region"],
                 fmt_number(rec["score"], lang, 3), fmt_number(rec["coverage"], lang, 2)]
        if show_missing:
            cells.append(", ".join(rec["missing"]) if rec["unranked_reason"] is None else t(
                "potential.reason.low_coverage", lang, coverage=fmt_number(rec["coverage"], lang, 2),
                min=fmt_number(res.min_coverage, lang, 2)))
        if res.stress is not None:
            st = rec.get("stability")
            cells += ["–", "–"] if st is None else [fmt_number(st["p_top_k"], lang, 2),
                                                    f"{st['rank_p05']:.0f}–{st['rank_p95']:.0f}"]
        table.add_row(*cells)
    con.print(table)
    wt = Table(title=t("potential.weights_title", lang, method=t(f"potential.wmethod.{res.weight_set.method}", lang)))
    for key in ("component", "weight", "direction", "regions", "note"):
        wt.add_column(t(f"potential.col.{key}", lang))
    for c in res.components():
        code, kw = res.reasons.get(c["id"], (None, {}))
        wt.add_row(c["id"], fmt_number(c["weight"], lang, 3), t(f"potential.dir.{c['direction']}", lang),
                   str(c["regions_with_value"]), t(f"potential.reason.{code}", lang, **kw) if code else "")
    con.print(wt)
    totals = {c["reference_total"] for c in res.components() if c.get("reference_total")}
    for total in sorted(totals):
        from kawasan.economics.labels import reference_total_label

        con.print(t("potential.sector_total", lang, total=reference_total_label(total, lang)), markup=False)
    if res.weight_set.ahp:
        a = res.weight_set.ahp
        con.print(t("ahp.consistency", lang, lmax=a["lambda_max"], ci=a["ci"], cr=a["cr"],
                    verdict=t("ahp.consistent" if a["consistent"] else "ahp.inconsistent", lang)), markup=False)
    for src, names in res.unmatched.items():
        con.print(t("potential.unmatched", lang, source=src, names=", ".join(names)), markup=False)
    for n in res.notes:
        con.print(t("potential.note", lang, text=text_in(n, lang)), markup=False)


@economy_group.command("report")
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--region", default=None, help="Region whose sector structure is analysed (from --sectors).")
@click.option("--start", type=YEARS, default=None, help="First year of DLQ / shift-share / Klassen (default: first).")
@click.option("--end", type=YEARS, default=None, help="Last year (default: the latest year of the sector table).")
@click.option("--shift-share-method", type=click.Choice(["classic", "esteban_marquillas", "arcelus"]),
              default="classic", show_default=True,
              help="Shift-share variant for the stacked bars (classic, esteban_marquillas, arcelus).")
@potential_options
@click.pass_context
def report_cmd(ctx, out, region, start, end, shift_share_method, **kw):
    """Write the economics HTML report to OUT: the sector structure of --region against --reference
    (LQ bars, SLQ x DLQ quadrant, shift-share bars, Klassen quadrant, from --sectors) and, when readiness
    inputs are given, the potential ranking of all regions with its map. Self-contained; opens offline.
    """
    from kawasan.reports.economics import write_economics_report

    lang = ctx.obj["lang"]
    _check_out(out, (".html", ".htm"), "OUT")
    readiness_given = any(kw[k] for k in ("pdrb", "population", "ipm", "labour_force", "unemployment", "ports")) \
        or kw["study_area"] or kw["run"]
    run = _compute(kw) if readiness_given else None
    if run is None and (kw["sectors"] is None or region is None):
        raise InputError(Message("cli.err.economy_potential.nothing_report_give_sectors"), field="--sectors")
    table = None
    if kw["sectors"] is not None and region is not None:
        table = run.sector_table if run is not None and run.sector_table is not None else None
        if table is None:
            from kawasan.economics.tables import read_table

            table = read_table(kw["sectors"], price_basis=kw["price_basis"])
    path = write_economics_report(prepare_output(out, "OUT"), potential=run, sector_table=table, region=region,
                                  reference=kw["reference"], start=start, end=end,
                                  shift_share_method=shift_share_method, sector=kw["sector"], lang=lang,
                                  reference_total=kw["reference_total"])
    click.echo(t("potential.written", lang, path=path))
