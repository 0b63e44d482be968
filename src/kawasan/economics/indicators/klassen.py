"""Klassen typology, sectoral and regional (names: :mod:`kawasan.economics.classes`)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from kawasan.economics.classes import KLASSEN_LABELS as _LABELS
from kawasan.economics.indicators import _panel as P
from kawasan.economics.numbers import plain
from kawasan.economics.sectors import normalise_name
from kawasan.economics.tables import RegionalTable, normalise_region_name
from kawasan.errors import TableError
from kawasan.i18n import Message

#: Klassen label codes by variant ("sectoral", "regional") and quadrant I..IV.
KLASSEN_LABELS = _LABELS


def klassen_quadrant(growth, growth_ref, level, level_ref):
    """Quadrant I..IV: I growth >= ref and level >= ref; II level >= ref, growth < ref; III growth >= ref,
    level < ref; IV otherwise. None where a value is NaN."""
    g = np.asarray(growth, dtype=float)
    gr = np.broadcast_to(np.asarray(growth_ref, dtype=float), g.shape)
    lv = np.asarray(level, dtype=float)
    lr = np.broadcast_to(np.asarray(level_ref, dtype=float), g.shape)
    fast = g >= gr
    high = lv >= lr
    out = np.where(fast & high, "I", np.where(high, "II", np.where(fast, "III", "IV"))).astype(object)
    out[np.isnan(g) | np.isnan(gr) | np.isnan(lv) | np.isnan(lr)] = None
    return out


def _labels(quadrants, variant):
    return np.array([KLASSEN_LABELS[variant].get(q) if q is not None else None for q in quadrants], dtype=object)


def klassen_sectoral(table, region=None, reference=None, start=None, end=None, growth="auto",
                     reference_total="sectors") -> pd.DataFrame:
    """Sectoral Klassen typology: each sector's growth and share in the region against the reference's.

    y_i = average annual growth of sector i in the region, y = the same sector's average growth in the reference;
    r_i = the sector's average share of the region's PDRB over start..end (every year of the table in that
    period), r = its average share of the reference's total (``reference_total``). Quadrant I (maju dan tumbuh
    pesat, ``advanced_fast_growing``): y_i >= y and r_i >= r; II (maju tapi tertekan, ``advanced_depressed``):
    r_i >= r, y_i < y; III (potensial, ``potential``): y_i >= y, r_i < r; IV (relatif tertinggal,
    ``relatively_lagging``): otherwise. Source: Sjafrizal (1997), as applied by BPS Kota Probolinggo 2022 against
    Jawa Timur [V].

    Returns columns region, sector, start, end, share_region, share_reference, growth_region, growth_reference,
    quadrant (I..IV), label, reference, growth_method, reference_total.
    """
    P.check_table(table)
    sectors = P.need_sectors(table, Message("econ.err.panel.what_klassen"))
    start, end = P.pick_period(table, start, end)
    growth = P.resolve_growth(table, start, end, growth)
    P.period_years(table, start, end, growth)
    years = [y for y in table.years if start <= y <= end]
    regions, ref = P.resolve(table, region, reference)
    v, t = P.panel(table, regions, years, sectors, reference_total)
    rv, rt = P.reference_panel(table, ref, years, sectors, reference_total)
    share_r = np.nanmean(P.safe_div(v, t[:, :, None]), axis=1)
    share_n = np.nanmean(P.safe_div(rv, rt[:, None]), axis=0)
    gy = [start, end] if growth == "cagr" else years
    gi = [years.index(y) for y in gy]
    g_r = P.average_growth_rate(v[:, gi, :], gy, start, end, growth)
    g_n = P.average_growth_rate(rv[None, gi, :], gy, start, end, growth)[0]
    q = klassen_quadrant(g_r, g_n[None, :], share_r, share_n[None, :])
    return P.long_frame(regions, sectors, {
        "start": start, "end": end, "share_region": share_r, "share_reference": share_n[None, :],
        "growth_region": g_r, "growth_reference": g_n[None, :], "quadrant": q,
        "label": _labels(q.ravel(), "sectoral").reshape(q.shape),
        "reference": P.ref_label(ref), "growth_method": growth, "reference_total": reference_total})


def _population_lookup(population, source):
    """A dict (normalised region name, year) -> population from a frame, a Series or a RegionalTable."""
    if isinstance(population, RegionalTable):
        df = population.data.rename(columns={"value": "population"})
    elif isinstance(population, pd.Series):
        df = population.rename("population").reset_index()
    else:
        df = pd.DataFrame(population)
        if "population" not in df.columns and "value" in df.columns:
            df = df.rename(columns={"value": "population"})
    for c in ("region", "year", "population"):
        if c not in df.columns:
            raise TableError(Message("econ.err.klassen.population_data_column_expected",
                                     column=c),
                             source=source, field=c)
    if "sector" in df.columns:
        df = df.groupby(["region", "year"], as_index=False)["population"].sum()
    return {(normalise_name(normalise_region_name(r)), int(y)): float(p)
            for r, y, p in zip(df["region"], df["year"], df["population"])}


def klassen_regional(table, population=None, reference=None, start=None, end=None, growth="auto",
                     region=None, reference_total="sectors") -> pd.DataFrame:
    """Regional Klassen typology: each region's PDRB growth against its PDRB per capita.

    growth = average annual growth of the region's PDRB total start..end; per_capita = mean over the years of
    PDRB / population. The thresholds are the reference's growth and per-capita PDRB (the reference region of the
    table, or when None the sum of all regions). Quadrant I (cepat maju dan cepat tumbuh,
    ``fast_advancing_fast_growing``): growth >= and level >=; II (maju tapi tertekan, ``advanced_depressed``):
    level >=, growth <; III (berkembang cepat, ``fast_developing``): growth >=, level <; IV (relatif tertinggal,
    ``relatively_lagging``). Source: Sjafrizal (1997) [V] (regional variant: PDRB growth against PDRB per
    capita).

    Without population the level is the mean total PDRB and its threshold the mean over the analysed regions: that
    is not Klassen's typology (a large regency is "advanced" by its size alone), so the column ``level_basis`` is
    ``total_pdrb`` instead of ``per_capita`` and every output labels it "total PDRB, not per capita".

    ``table`` may be a totals table (``read_table(..., price_basis="ADHK2010")`` of the BPS PDRB totals) or a
    sector table. ``population``: a frame with region, year, population (e.g. ``read_population``), a Series
    indexed (region, year), or a RegionalTable. Returns columns region, sector (``TOTAL``), start, end, growth,
    reference_growth, gdp, per_capita, level, reference_level, level_basis, quadrant, label, reference,
    growth_method, reference_total.
    """
    P.check_table(table)
    start, end = P.pick_period(table, start, end)
    growth = P.resolve_growth(table, start, end, growth)
    P.period_years(table, start, end, growth)
    years = [y for y in table.years if start <= y <= end]
    regions, ref = P.resolve(table, region, reference)
    _, t = P.panel(table, regions, years, [], reference_total)
    _, rt = P.reference_panel(table, ref, years, [], reference_total)
    g, g_ref = _total_growth(t, rt, years, start, end, growth)
    gdp = t.mean(axis=1)
    if population is not None:
        per_capita, level_ref = _per_capita_levels(table, population, regions, ref, years, t, rt)
        level = per_capita
    else:
        per_capita = np.full(len(regions), np.nan)
        level, level_ref = gdp, float(gdp.mean())
    q = klassen_quadrant(g, g_ref, level, level_ref)
    return pd.DataFrame({
        "region": regions, "sector": "TOTAL", "start": start, "end": end, "growth": g, "reference_growth": g_ref,
        "gdp": gdp, "per_capita": per_capita, "level": level, "reference_level": level_ref,
        "level_basis": "per_capita" if population is not None else "total_pdrb", "quadrant": q,
        "label": _labels(q, "regional"), "reference": P.ref_label(ref), "growth_method": growth,
        "reference_total": reference_total})


def _total_growth(t, rt, years, start, end, growth):
    """Average annual growth start..end of each region's PDRB total ``t`` and of the reference's ``rt``.

    ``growth="cagr"``: (X_end / X_start) ** (1 / (end - start)) - 1 from the two end years; ``"mean"``: the
    arithmetic mean of the year-on-year rates X_y / X_(y-1) - 1 over every year of the period
    (:func:`kawasan.economics.indicators._panel.average_growth_rate`).
    """
    gy = [start, end] if growth == "cagr" else years
    gi = [years.index(y) for y in gy]
    g = P.average_growth_rate(t[:, gi], gy, start, end, growth)
    g_ref = P.average_growth_rate(rt[None, gi], gy, start, end, growth)[0]
    return g, g_ref


def _population(look, name, year):
    """The population of region ``name`` in ``year`` from ``look``; a TableError when it is missing or not > 0."""
    k = (normalise_name(normalise_region_name(name)), year)
    if k not in look:
        raise TableError(Message("econ.err.klassen.population_region_year",
                                 region=name, year=plain(year)), source="population",
                         field="population")
    if look[k] <= 0:
        raise TableError(Message("econ.err.klassen.population_region_year_must", population=plain(look[k]),
                                 region=name, year=plain(year)), source="population", field="population")
    return look[k]


def _per_capita_levels(table, population, regions, ref, years, t, rt):
    """Each region's PDRB per capita, mean_y(PDRB_y / population_y), and the reference's (Sjafrizal 1997).

    The reference's population is the reference region's, or when there is none the sum over all the table's
    regions (whose PDRB ``rt`` then is too).
    """
    look = _population_lookup(population, "population")
    pops = np.array([[_population(look, r, y) for y in years] for r in regions])
    per_capita = (t / pops).mean(axis=1)
    if ref is not None:
        ref_pop = np.array([_population(look, ref, y) for y in years])
    else:
        ref_pop = np.array([[_population(look, r, y) for y in years] for r in table.regions]).sum(axis=0)
    return per_capita, float((rt / ref_pop).mean())
