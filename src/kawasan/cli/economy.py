"""kawasan economy lq|dlq|shiftshare|klassen|specialization|growth: sectoral indicators of a BPS PDRB table.

Each command reads TABLE (long or wide CSV/XLSX, see docs/reference/economics.md), computes one indicator
with kawasan.economics.indicators and prints a table for people, or with --json a list of records with at
least ``region``, ``sector`` and the indicator's values (NaN as null). --csv OUT also writes the records
(creating OUT's folder). --reference-total picks the total shares and growth are measured against; every
output says which.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import click

from kawasan.cli.main import cli
from kawasan.cli.output import PLAIN_ROWS, PlainTable, Table, console, show_table
from kawasan.cli.ranges import YEARS
from kawasan.economics.tables import REFERENCE_TOTALS
from kawasan.i18n import Message, format_number, t


@cli.group("economy")
def economy_group():
    """Which industries are strong here: LQ, dynamic LQ, shift-share, Klassen, specialization, potential."""


# ---------------------------------------------------------------------------------------------- options


def _table_options(f):
    """TABLE and the options every command shares (reading the table, --json, --csv)."""
    opts = [
        click.argument("table", type=click.Path(path_type=Path)),
        click.option("--sheet", default=None, help="XLSX sheet name (default: the first sheet)."),
        click.option("--price-basis", default=None,
                     help="Keep only rows of this price basis (ADHK2010 or ADHB) when the file has both."),
        click.option("--table-region", default=None,
                     help="Region of a wide table with years as columns (the file does not name it)."),
        click.option("--table-year", type=YEARS, default=None,
                     help="Year of a wide table with regions as columns (the file does not name it)."),
        click.option("--unit", default=None, help="Unit of the values when the file does not state it."),
        click.option("--partial", is_flag=True,
                     help="Accept region-years with only some sectors when the file states their PDRB total."),
        click.option("--json", "as_json", is_flag=True,
                     help="Print a JSON list of records (region, sector and the indicator's fields; see "
                          "docs/reference/economics.md)."),
        click.option("--csv", "csv_out", type=click.Path(path_type=Path), default=None,
                     help="Also write the records to this CSV file (its folder is created)."),
        click.option("--reference-total", type=click.Choice(REFERENCE_TOTALS), default="sectors", show_default=True,
                     help="Total that shares and growth rates are measured against: the sum of the 17 lapangan "
                          "usaha, or gdp: the PDB/PDRB including net taxes on products (Pajak Dikurangi Subsidi atas "
                          "Produk) where the table has that row, as BPS publishes a national table."),
    ]
    for o in reversed(opts):
        f = o(f)
    return f


def _region_options(f):
    f = click.option("--reference", default=None,
                     help="Reference region in the table (province or nation); default: the sum of all regions.")(f)
    f = click.option("--region", "regions", multiple=True,
                     help="Region to analyse (repeatable); default: every region except the reference.")(f)
    return f


def _period_options(f):
    f = click.option("--growth", type=click.Choice(["auto", "mean", "cagr"]), default="auto", show_default=True,
                     help="Average growth: mean of the yearly rates, compound rate from the two end years, or auto "
                          "(mean when every year is in the table, else compound).")(f)
    f = click.option("--end", type=YEARS, default=None, help="Last year (default: the table's last year).")(f)
    f = click.option("--start", type=YEARS, default=None, help="First year (default: the table's first year).")(f)
    return f


def _load(table, sheet, price_basis, table_region, table_year, unit, partial):
    from kawasan.economics.tables import read_table

    return read_table(table, sheet=sheet, price_basis=price_basis, region=table_region, year=table_year,
                      unit=unit, require_all_sectors=not partial)


def _regions_arg(regions):
    return list(regions) if regions else None


def _records(df) -> list[dict]:
    out = []
    for rec in df.to_dict("records"):
        clean = {}
        for k, v in rec.items():
            if hasattr(v, "item"):
                v = v.item()
            if isinstance(v, float) and not math.isfinite(v):
                v = None
            clean[k] = v
        out.append(clean)
    return out


def prepare_output(path: Path, option: str) -> Path:
    """Create the folder of an output file (as every kawasan output does); OutputError when ``path`` is a folder
    or its folder cannot be made (a file stands in the way, no permission)."""
    from kawasan.errors import OutputError

    if path.is_dir():
        raise OutputError(Message("cli.err.economy.folder_expected_file_name"), source=str(path), field=option)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(Message("cli.err.economy.cannot_create_folder_expected", parent=path.parent,
                                  reason=exc.strerror or exc), source=str(path), field=option) from None
    return path


def _emit(df, as_json, csv_out, render):
    if csv_out is not None:
        from kawasan.csvout import dataframe_csv
        from kawasan.fileio import write_text_atomic

        write_text_atomic(prepare_output(csv_out, "--csv"), dataframe_csv(df))
    if as_json:
        click.echo(json.dumps(_records(df), ensure_ascii=False))
        return
    ctx = click.get_current_context(silent=True)
    if ctx is not None and len(df) > PLAIN_ROWS:
        ctx.find_root().ensure_object(dict)["plain_tables"] = True
    render()
    if csv_out is not None:
        click.echo(str(csv_out))


def _by_region(df) -> list[tuple[str, list]]:
    """The rows of ``df`` as named tuples grouped by region, in the order of first appearance (one pass over the
    frame: a pandas groupby per region costs more than the printing of a long table)."""
    groups: dict[str, list] = {}
    for r in df.itertuples(index=False):
        groups.setdefault(r.region, []).append(r)
    return list(groups.items())


def _fmt(v, spec=".3f"):
    """A number of a table in the language of the command (1.389,60 / 1,389.60); "-" when there is none."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "-"
    ctx = click.get_current_context(silent=True)
    return format_number(v, spec, (ctx.find_root().obj or {}).get("lang", "en") if ctx else "en")


def _text(v):
    """A label cell (quadrant, class) or None: pandas >= 3 stores a missing label as NaN, not None."""
    return v if isinstance(v, str) and v else None


def _ref(reference, lang):
    from kawasan.economics.labels import reference_label

    return reference_label(reference, lang)


def _sector_label(code, lang):
    from kawasan.economics.sectors import sector_name

    return f"{code} {sector_name(code, lang)}" if code else "-"


def _notice(con, table, lang, reference_total="sectors"):
    from kawasan.economics.labels import reference_total_label, unit_label

    con.print(t("econ.table_info", lang, source=table.source, unit=unit_label(table.unit, lang),
                basis=table.price_basis or "-", years=", ".join(map(str, table.years[:3]))
                + (" ... " + str(table.years[-1]) if len(table.years) > 3 else "")), markup=False)
    con.print(reference_total_label(reference_total, lang), markup=False)
    if table.has_net_taxes:
        regions = sorted({r for r, _ in table.net_taxes})
        con.print(t("econ.net_taxes_kept_apart", lang, regions=", ".join(regions)), markup=False)
    for note in table.notes:
        con.print(t("econ.note", lang, text=note), style="yellow", markup=False)


def _rich(title, columns, rows):
    """A rich Table, or a PlainTable when the command's output is long (:data:`PLAIN_ROWS`, set by _emit)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and (ctx.find_root().obj or {}).get("plain_tables"):
        return PlainTable(title, columns, rows)
    tb = Table(title=title)
    for name, right in columns:
        tb.add_column(name, justify="right" if right else "left")
    for r in rows:
        tb.add_row(*r)
    return tb


# ---------------------------------------------------------------------------------------------- commands


@economy_group.command("lq")
@_table_options
@_region_options
@click.option("--year", type=YEARS, default=None, help="Year (default: the table's last year).")
@click.pass_context
def lq_cmd(ctx, table, sheet, price_basis, table_region, table_year, unit, partial, as_json, csv_out,
           reference_total, regions, reference, year):
    """Static location quotient LQ = (E_ir/E_r)/(E_in/E_n) of every sector (LQ > 1: basis sector).

    Example: kawasan economy lq pdrb_17sector_2023_long.csv --region "Kabupaten Probolinggo"
    --reference "Jawa Timur" --year 2023 --json
    """
    from kawasan.economics.indicators import location_quotient

    lang = ctx.obj["lang"]
    tb = _load(table, sheet, price_basis, table_region, table_year, unit, partial)
    df = location_quotient(tb, _regions_arg(regions), reference, year, reference_total=reference_total)

    def render():
        con = console()
        _notice(con, tb, lang, reference_total)
        for region, g in _by_region(df):
            rows = [(_sector_label(r.sector, lang), _fmt(r.value, ",.2f"), _fmt(r.share * 100, ".2f"),
                     _fmt(r.reference_share * 100, ".2f"), _fmt(r.lq),
                     "-" if not math.isfinite(r.lq) else t("econ.basis" if r.lq > 1 else "econ.non_basis", lang))
                    for r in g]
            show_table(con, _rich(t("econ.lq.title", lang, region=region, reference=_ref(g[0].reference, lang),
                              year=int(g[0].year)),
                            [(t("econ.col.sector", lang), False), (t("econ.col.value", lang), True),
                             (t("econ.col.share", lang), True), (t("econ.col.reference_share", lang), True),
                             ("LQ", True), (t("econ.col.class", lang), False)], rows))

    _emit(df, as_json, csv_out, render)


@economy_group.command("dlq")
@_table_options
@_region_options
@_period_options
@click.option("--slq", type=click.Choice(["end", "mean"]), default="end", show_default=True,
              help="Static LQ of the end year, or the mean of the yearly LQs, for the quadrant.")
@click.pass_context
def dlq_cmd(ctx, table, sheet, price_basis, table_region, table_year, unit, partial, as_json, csv_out,
            reference_total, regions, reference, start, end, growth, slq):
    """Dynamic LQ over --start..--end and the SLQ x DLQ class (unggulan, andalan, prospektif, tertinggal)."""
    from kawasan.economics.indicators import dynamic_lq, lq_quadrant
    from kawasan.economics.labels import lq_class_label

    lang = ctx.obj["lang"]
    tb = _load(table, sheet, price_basis, table_region, table_year, unit, partial)
    d = dynamic_lq(tb, _regions_arg(regions), reference, start, end, growth=growth, reference_total=reference_total)
    q = lq_quadrant(tb, _regions_arg(regions), reference, start, end, growth=growth, slq=slq,
                    reference_total=reference_total)
    df = d.merge(q[["region", "sector", "slq", "quadrant"]], on=["region", "sector"], how="left")

    def render():
        con = console()
        _notice(con, tb, lang, reference_total)
        for region, g in _by_region(df):
            rows = [(_sector_label(r.sector, lang), _fmt(r.g_region * 100, ".2f"), _fmt(r.g_reference * 100, ".2f"),
                     _fmt(r.slq), _fmt(r.dlq),
                     lq_class_label(_text(r.quadrant), lang))
                    for r in g]
            show_table(con, _rich(t("econ.dlq.title", lang, region=region, reference=_ref(g[0].reference, lang),
                              start=int(g[0].start), end=int(g[0].end)),
                            [(t("econ.col.sector", lang), False), (t("econ.col.growth_region", lang), True),
                             (t("econ.col.growth_reference", lang), True), ("SLQ", True), ("DLQ", True),
                             (t("econ.col.class", lang), False)], rows))
        con.print(t("econ.dlq.note", lang), markup=False)

    _emit(df, as_json, csv_out, render)


@economy_group.command("shiftshare")
@_table_options
@_region_options
@click.option("--start", type=YEARS, default=None, help="First year (default: the table's first year).")
@click.option("--end", type=YEARS, default=None, help="Last year (default: the table's last year).")
@click.option("--method", type=click.Choice(["classic", "esteban_marquillas", "arcelus"]), default="classic",
              show_default=True)
@click.option("--series", is_flag=True, help="Decompose each pair of consecutive years start..end instead.")
@click.option("--dynamic", is_flag=True,
              help="Dynamic shift-share (Barff & Knight 1988): the yearly decompositions start..end, summed.")
@click.pass_context
def shiftshare_cmd(ctx, table, sheet, price_basis, table_region, table_year, unit, partial, as_json, csv_out,
                   reference_total, regions, reference, start, end, method, series, dynamic):
    """Shift-share: change = national share + industry mix + competitive shift (EM / Arcelus split the last)."""
    from kawasan.economics.indicators import dynamic_shift_share, shift_share, shift_share_series

    lang = ctx.obj["lang"]
    if series and dynamic:
        raise click.UsageError(Message("cli.err.economy.series_dynamic_exclude_each"))
    tb = _load(table, sheet, price_basis, table_region, table_year, unit, partial)
    kw = {"method": method, "reference_total": reference_total}
    if dynamic:
        df = dynamic_shift_share(tb, _regions_arg(regions), reference, start, end, **kw)
    elif series:
        ys = [y for y in tb.years if (start is None or y >= start) and (end is None or y <= end)]
        df = shift_share_series(tb, _regions_arg(regions), reference, ys, **kw)
    else:
        df = shift_share(tb, _regions_arg(regions), reference, start, end, **kw)
    extra = {"classic": [], "esteban_marquillas": ["competitive_effect", "allocation_effect"],
             "arcelus": ["regional_growth", "regional_industry_mix"]}[method]

    def render():
        con = console()
        _notice(con, tb, lang, reference_total)
        for (region, a, b), g in df.groupby(["region", "start", "end"], sort=False):
            rows = [(_sector_label(r["sector"], lang), *[_fmt(r[c], ",.2f") for c in
                     ["change", "national_share", "industry_mix", "competitive_shift", *extra]])
                    for _, r in g.iterrows()]
            cols = [(t("econ.col.sector", lang), False)] + [(t(f"econ.col.{c}", lang), True) for c in
                                                             ["change", "national_share", "industry_mix",
                                                              "competitive_shift", *extra]]
            show_table(con, _rich(t("econ.ss.title", lang, region=region, reference=_ref(g["reference"].iloc[0], lang),
                              start=int(a), end=int(b), method=g["method"].iloc[0]), cols, rows))

    _emit(df, as_json, csv_out, render)


@economy_group.command("klassen")
@_table_options
@_region_options
@_period_options
@click.option("--type", "kind", type=click.Choice(["sectoral", "regional"]), default="sectoral", show_default=True,
              help="Sectoral: each sector of the region; regional: each region's PDRB growth x per-capita PDRB.")
@click.option("--population", type=click.Path(path_type=Path), default=None,
              help="Regional type: population table (region, year, population/jiwa; sexes are summed).")
@click.pass_context
def klassen_cmd(ctx, table, sheet, price_basis, table_region, table_year, unit, partial, as_json, csv_out,
                reference_total, regions, reference, start, end, growth, kind, population):
    """Klassen typology: quadrant I (advanced, fast-growing) .. IV (relatively lagging).

    The regional type compares PDRB per capita (--population); without population it compares total PDRB,
    not per capita, and every output says so (level_basis total_pdrb).
    """
    from kawasan.economics.indicators import klassen_regional, klassen_sectoral
    from kawasan.economics.labels import klassen_label
    from kawasan.economics.tables import read_population

    lang = ctx.obj["lang"]
    tb = _load(table, sheet, price_basis, table_region, table_year, unit, partial)
    if kind == "regional":
        pop = read_population(population) if population is not None else None
        df = klassen_regional(tb, pop, reference, start, end, growth=growth, region=_regions_arg(regions),
                              reference_total=reference_total)
    else:
        df = klassen_sectoral(tb, _regions_arg(regions), reference, start, end, growth=growth,
                              reference_total=reference_total)

    def klassen_name(quadrant):
        return klassen_label(kind, _text(quadrant), lang)

    def render():
        con = console()
        _notice(con, tb, lang, reference_total)
        if kind == "regional":
            total_pdrb = population is None
            level_name = t("econ.col.gdp_total_not_per_capita" if total_pdrb else "econ.col.per_capita", lang)
            rows = [(r.region, _fmt(r.growth * 100, ".2f"), _fmt(r.level, ",.2f"), _text(r.quadrant) or "-",
                     klassen_name(r.quadrant)) for r in df.itertuples()]
            ref = df.iloc[0]
            title = t("econ.klassen_regional.title", lang, reference=_ref(ref["reference"], lang),
                      start=int(ref["start"]), end=int(ref["end"]), growth=ref["reference_growth"] * 100,
                      level=ref["reference_level"])
            if total_pdrb:
                title += " " + t("econ.klassen.total_pdrb_marker", lang)
            show_table(con, _rich(title, [(t("econ.col.region", lang), False), (t("econ.col.growth_region", lang), True),
                                    (level_name, True), (t("econ.col.quadrant", lang), False),
                                    (t("econ.col.class", lang), False)], rows))
            if total_pdrb:
                con.print(t("econ.klassen.total_pdrb_note", lang), style="yellow", markup=False)
            return
        for region, g in _by_region(df):
            rows = [(_sector_label(r.sector, lang), _fmt(r.share_region * 100, ".2f"),
                     _fmt(r.share_reference * 100, ".2f"), _fmt(r.growth_region * 100, ".2f"),
                     _fmt(r.growth_reference * 100, ".2f"), _text(r.quadrant) or "-",
                     klassen_name(r.quadrant)) for r in g]
            show_table(con, _rich(t("econ.klassen.title", lang, region=region, reference=_ref(g[0].reference, lang),
                              start=int(g[0].start), end=int(g[0].end)),
                            [(t("econ.col.sector", lang), False), (t("econ.col.share", lang), True),
                             (t("econ.col.reference_share", lang), True), (t("econ.col.growth_region", lang), True),
                             (t("econ.col.growth_reference", lang), True), (t("econ.col.quadrant", lang), False),
                             (t("econ.col.class", lang), False)], rows))

    _emit(df, as_json, csv_out, render)


@economy_group.command("specialization")
@_table_options
@_region_options
@click.option("--year", type=YEARS, default=None, help="Year (default: the table's last year).")
@click.option("--localization", is_flag=True,
              help="Instead: the Hoover localisation coefficient of each sector across the regions.")
@click.pass_context
def specialization_cmd(ctx, table, sheet, price_basis, table_region, table_year, unit, partial, as_json, csv_out,
                       reference_total, regions, reference, year, localization):
    """Krugman index, Hoover specialisation coefficient and Herfindahl index of each region (or localisation)."""
    from kawasan.economics.indicators import hoover_localization, specialization

    lang = ctx.obj["lang"]
    tb = _load(table, sheet, price_basis, table_region, table_year, unit, partial)
    if localization:
        df = hoover_localization(tb, year, reference, region=_regions_arg(regions), reference_total=reference_total)
        df.insert(0, "region", None)
    else:
        df = specialization(tb, _regions_arg(regions), reference, year, reference_total=reference_total)

    def render():
        con = console()
        _notice(con, tb, lang, reference_total)
        if localization:
            rows = [(_sector_label(r.sector, lang), _fmt(r.hoover_localization), r.top_region,
                     _fmt(r.top_region_share * 100, ".1f")) for r in df.itertuples()]
            show_table(con, _rich(t("econ.loc.title", lang, year=int(df["year"].iloc[0]), regions=int(df["n_regions"].iloc[0])),
                            [(t("econ.col.sector", lang), False), ("Hoover", True),
                             (t("econ.col.top_region", lang), False), (t("econ.col.top_share", lang), True)], rows))
            return
        rows = [(r.region, _fmt(r.krugman), _fmt(r.hoover_specialization), _fmt(r.herfindahl),
                 _sector_label(r.largest_sector, lang), _fmt(r.largest_share * 100, ".1f")) for r in df.itertuples()]
        show_table(con, _rich(t("econ.spec.title", lang, reference=_ref(df["reference"].iloc[0], lang),
                          year=int(df["year"].iloc[0]), hhi=df["herfindahl_reference"].iloc[0]),
                        [(t("econ.col.region", lang), False), ("Krugman", True), ("Hoover", True),
                         ("Herfindahl", True), (t("econ.col.largest", lang), False),
                         (t("econ.col.top_share", lang), True)], rows))

    _emit(df, as_json, csv_out, render)


@economy_group.command("growth")
@_table_options
@_period_options
@click.option("--by", "by", type=click.Choice(["region-sector", "region", "sector"]), default="region-sector",
              show_default=True, help="Per region and sector, per region (PDRB total), or per sector (all regions).")
@click.option("--region", "regions", multiple=True, help="Only these regions (repeatable).")
@click.pass_context
def growth_cmd(ctx, table, sheet, price_basis, table_region, table_year, unit, partial, as_json, csv_out,
               reference_total, start, end, growth, by, regions):
    """Average annual growth (compound and mean of yearly rates) by region and sector."""
    from kawasan.economics.indicators import average_growth

    lang = ctx.obj["lang"]
    tb = _load(table, sheet, price_basis, table_region, table_year, unit, partial)
    if regions:
        tb = tb.select(regions=[tb.require_region(r) for r in regions])
    df = average_growth(tb, start, end, by=tuple(by.split("-")), reference_total=reference_total)

    def render():
        con = console()
        _notice(con, tb, lang, reference_total)
        rows = [(r.region, _sector_label(r.sector, lang) if r.sector != "TOTAL" else "PDRB",
                 _fmt(r.value_start, ",.2f"), _fmt(r.value_end, ",.2f"), _fmt(r.cagr * 100, ".2f"),
                 _fmt(r.mean_growth * 100, ".2f")) for r in df.itertuples()]
        show_table(con, _rich(t("econ.growth.title", lang, start=int(df["start"].iloc[0]), end=int(df["end"].iloc[0])),
                        [(t("econ.col.region", lang), False), (t("econ.col.sector", lang), False),
                         (str(int(df["start"].iloc[0])), True), (str(int(df["end"].iloc[0])), True),
                         ("CAGR %", True), (t("econ.col.mean_growth", lang), True)], rows))

    _emit(df, as_json, csv_out, render)
