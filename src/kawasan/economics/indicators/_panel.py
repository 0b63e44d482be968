"""Shared plumbing of the indicators: pick regions, years and the reference, as numpy panels.

A panel is an array regions x years x sectors of values, with the regions' PDRB totals
(regions x years). The reference is a region of the table (a province or the nation) or, when None,
the aggregate (sum) of all regions in the table. The totals are those named by ``reference_total``
(:data:`kawasan.economics.tables.REFERENCE_TOTALS`): the sum of the 17 sectors, or the PDB/PDRB
including net taxes on products where the table has them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kawasan.economics.numbers import plain
from kawasan.economics.sectors import TOTAL, is_main_sector
from kawasan.economics.tables import RegionalTable, check_reference_total
from kawasan.errors import TableError
from kawasan.i18n import Message

AGGREGATE = "(sum of all regions)"
GROWTH_METHODS = ("mean", "cagr")


def check_table(table) -> RegionalTable:
    if not isinstance(table, RegionalTable):
        raise TypeError(Message("econ.err.panel.expected_regionaltable_kawasan_economics",
                                type=type(table).__name__))
    if not len(table):
        raise TableError(Message("econ.err.panel.table_empty"), source=table.source)
    return table


def need_sectors(table: RegionalTable, what) -> list[str]:
    if table.totals_only:
        raise TableError(Message("econ.err.panel.needs_values_sector_table", what=what), source=table.source,
                         field="sector")
    return table.sectors


def resolve(table: RegionalTable, region, reference):
    """(regions to analyse, reference name or None). region None: every region except the reference."""
    ref = table.require_region(reference, "reference region") if reference is not None else None
    if ref is None and len(table.regions) < 2:
        # the default reference, the sum of all regions, would be the region itself (every LQ 1, no shift)
        raise TableError(Message("econ.err.panel.table_holds_one_region",
                                 region=table.regions[0]), source=table.source, field="reference")
    if region is None:
        regions = [r for r in table.regions if r != ref]
    else:
        names = [region] if isinstance(region, str) else list(region)
        known = set(table.regions)
        regions = [r if r in known else table.require_region(r) for r in names]
    if not regions:
        raise TableError(Message("econ.err.panel.region_analyse_besides_reference"),
                         source=table.source, field="region")
    return regions, ref


def pick_year(table: RegionalTable, year) -> int:
    if year is None:
        return table.years[-1]
    if int(year) not in table.years:
        raise TableError(Message("econ.err.panel.values_year_table_years",
                                 year=year, years=table.years), source=table.source,
                         field="year")
    return int(year)


def pick_period(table: RegionalTable, start, end) -> tuple[int, int]:
    years = table.years
    start = years[0] if start is None else int(start)
    end = years[-1] if end is None else int(end)
    for y in (start, end):
        if y not in years:
            raise TableError(Message("econ.err.panel.values_year_table_years",
                                     year=y, years=years), source=table.source, field="year")
    if end <= start:
        raise TableError(Message("econ.err.panel.end_year_must_come",
                                 end=end, start=start), source=table.source,
                         field="year")
    return start, end


def panel(table: RegionalTable, regions, years, sectors, total: str = "sectors"):
    """(values regions x years x sectors, totals regions x years); TableError on a missing region-year.

    ``total``: ``sectors`` (sum of the 17 lapangan usaha) or ``gdp`` (with net taxes on products)."""
    rmap, ymap, smap, arr, tot = table.dense(check_reference_total(total))
    ri = np.array([rmap[r] for r in regions], dtype=int)
    yi = np.array([ymap[y] for y in years], dtype=int)
    si = np.array([smap.get(s, -1) for s in sectors], dtype=int)
    vals = arr[np.ix_(ri, yi, np.where(si >= 0, si, 0))] if len(si) else np.zeros((len(ri), len(yi), 0))
    if len(si) and (si < 0).any():
        vals = vals.copy()
        vals[:, :, si < 0] = np.nan
    t = tot[np.ix_(ri, yi)]
    if np.isnan(t).any():
        i, j = np.argwhere(np.isnan(t))[0]
        raise TableError(Message("econ.err.panel.region_values_year",
                                 region=regions[i], year=plain(years[j])), source=table.source,
                         field="year")
    return vals, t


def reference_panel(table: RegionalTable, ref, years, sectors, total: str = "sectors"):
    """(values years x sectors, totals years) of the reference region or of the sum of all regions."""
    if ref is not None:
        v, t = panel(table, [ref], years, sectors, total)
        return v[0], t[0]
    v, t = panel(table, table.regions, years, sectors, total)
    return np.nansum(v, axis=0), t.sum(axis=0)


def main_mask(sectors) -> np.ndarray:
    return np.array([is_main_sector(s) for s in sectors], dtype=bool)


def safe_div(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(b != 0, a / np.where(b != 0, b, 1.0), np.nan)
    return out


def average_growth_rate(series: np.ndarray, years, start: int, end: int, method: str) -> np.ndarray:
    """Average annual growth along axis 1 (years) of ``series`` (n x years [x sectors]).

    ``mean``: arithmetic mean of the year-on-year rates start..end (all years needed);
    ``cagr``: (E_end / E_start) ** (1 / (end - start)) - 1. NaN where a base value is 0.
    """
    if method not in GROWTH_METHODS:
        raise ValueError(Message("econ.err.panel.growth_must_one",
                                 methods=GROWTH_METHODS, method=method))
    years = list(years)
    if method == "cagr":
        a = series[:, years.index(start)]
        b = series[:, years.index(end)]
        ratio = safe_div(b, a)
        with np.errstate(invalid="ignore"):
            return np.power(ratio, 1.0 / (end - start)) - 1.0
    rates = safe_div(series[:, 1:], series[:, :-1]) - 1.0
    return rates.mean(axis=1)


def resolve_growth(table: RegionalTable, start: int, end: int, growth: str) -> str:
    """``auto``: ``mean`` when every year start..end is in the table, else ``cagr``; others unchanged."""
    if growth not in GROWTH_METHODS + ("auto",):
        raise ValueError(Message("econ.err.panel.growth_must_one",
                                 methods=GROWTH_METHODS + ('auto',), method=growth))
    if growth != "auto":
        return growth
    return "mean" if all(y in table.years for y in range(start, end + 1)) else "cagr"


def period_years(table: RegionalTable, start: int, end: int, method: str) -> list[int]:
    """The years a growth over start..end reads: all of them for ``mean``, the two ends for ``cagr``."""
    if method == "cagr":
        return [start, end]
    years = list(range(start, end + 1))
    missing = [y for y in years if y not in table.years]
    if missing:
        raise TableError(Message("econ.err.panel.average_annual_growth_growth", start=start, end=end,
                                 missing=', '.join(map(str, missing))), source=table.source, field="year")
    return years


def ref_label(ref) -> str:
    return ref if ref is not None else AGGREGATE


def long_frame(regions, sectors, columns: dict) -> pd.DataFrame:
    """A long frame region x sector from scalars or arrays broadcastable to (regions, sectors).

    Pass per-sector vectors as ``v[None, :]`` and per-region vectors as ``v[:, None]``.
    """
    n, m = len(regions), len(sectors)
    data = {"region": np.repeat(np.asarray(regions, dtype=object), m),
            "sector": np.tile(np.asarray(sectors, dtype=object), n)}
    for k, v in columns.items():
        arr = np.asarray(v)
        if arr.dtype == object or arr.dtype.kind in "US":
            data[k] = np.broadcast_to(arr, (n, m)).reshape(n * m)
        else:
            data[k] = np.broadcast_to(arr, (n, m)).reshape(n * m)
    return pd.DataFrame(data)


__all__ = ["AGGREGATE", "TOTAL"]
