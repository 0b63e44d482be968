"""Average annual growth by region and sector."""
from __future__ import annotations

import numpy as np
import pandas as pd

from kawasan.economics.indicators import _panel as P
from kawasan.economics.sectors import TOTAL
from kawasan.i18n import Message

_BY = {("region", "sector"), ("region",), ("sector",)}


def average_growth(table, start=None, end=None, by=("region", "sector"), reference_total="sectors") -> pd.DataFrame:
    """Average annual growth of the values over ``start``..``end``.

    cagr = (E_end / E_start) ** (1 / (end - start)) - 1 (compound annual growth rate);
    mean_growth = mean of the year-on-year rates E_t / E_(t-1) - 1 (NaN when a year in between is missing);
    total_growth = E_end / E_start - 1. NaN where the start value is 0.

    ``by``: ("region", "sector") per region and sector (sector ``TOTAL`` is each region's total, as named by
    ``reference_total``: the sum of the 17 sectors, or ``"gdp"`` the PDB/PDRB including net taxes on products);
    ("region",) the PDRB totals only; ("sector",) each sector summed over all regions of the table.
    Returns columns region, sector, start, end, value_start, value_end, total_growth, cagr, mean_growth,
    reference_total.
    """
    P.check_table(table)
    by = tuple(by)
    if by not in _BY:
        raise ValueError(Message("econ.err.growth.must_region_sector_region"))
    start, end = P.pick_period(table, start, end)
    years = [y for y in table.years if start <= y <= end]
    complete = years == list(range(start, end + 1))
    sectors = [] if by == ("region",) or table.totals_only else table.sectors
    regions = table.regions
    v, t = P.panel(table, regions, years, sectors, reference_total)
    series = np.concatenate([v, t[:, :, None]], axis=2)     # regions x years x (sectors + TOTAL)
    labels = sectors + [TOTAL]
    if by == ("sector",):
        series = np.nansum(series, axis=0)[None]
        regions = [P.AGGREGATE]
    a, b = series[:, 0, :], series[:, -1, :]
    ratio = P.safe_div(b, a)
    with np.errstate(invalid="ignore"):
        cagr = np.power(ratio, 1.0 / (end - start)) - 1.0
    if complete and len(years) > 1:
        mean_g = (P.safe_div(series[:, 1:, :], series[:, :-1, :]) - 1.0).mean(axis=1)
    else:
        mean_g = np.full(a.shape, np.nan)
    out = P.long_frame(regions, labels, {"start": start, "end": end, "value_start": a, "value_end": b,
                                         "total_growth": ratio - 1.0, "cagr": cagr, "mean_growth": mean_g,
                                         "reference_total": reference_total})
    if by == ("region",):
        out = out[out["sector"] == TOTAL].reset_index(drop=True)
    return out
