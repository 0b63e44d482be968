"""Klassen typology, sectoral and regional (REGULATIONS.md 4.5)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from kawasan.economics.indicators import _panel as P
from kawasan.economics.sectors import normalise_name
from kawasan.economics.tables import RegionalTable, normalise_region_name
from kawasan.errors import TableError

#: Klassen quadrants (REGULATIONS.md 4.5 [V]): code -> label key.
KLASSEN_LABELS = {
    "I": "advanced_fast_growing",    # maju dan cepat tumbuh (prima)
    "II": "advanced_depressed",      # maju tapi tertekan
    "III": "fast_developing",        # potensial / sedang tumbuh (berkembang cepat)
    "IV": "relatively_lagging",      # relatif tertinggal
}


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


def _labels(quadrants):
    return np.array([KLASSEN_LABELS.get(q) if q is not None else None for q in quadrants], dtype=object)


def klassen_sectoral(table, region=None, reference=None, start=None, end=None, growth="auto") -> pd.DataFrame:
    """Sectoral Klassen typology: each sector's growth and share in the region against the reference's.

    y_i = average annual growth of sector i in the region, y = the same sector's average growth in the reference;
    r_i = the sector's average share of the region's PDRB over start..end (every year of the table in that
    period), r = its average share of the reference's PDRB. Quadrant I (maju dan cepat tumbuh, prime):
    y_i >= y and r_i >= r; II (maju tapi tertekan): r_i >= r, y_i < y; III (potensial / sedang tumbuh):
    y_i >= y, r_i < r; IV (relatif tertinggal): otherwise. Source: REGULATIONS.md 4.5 [V] (Klassen typology as
    applied by BPS Kota Probolinggo 2022 against Jawa Timur).

    Returns columns region, sector, start, end, share_region, share_reference, growth_region, growth_reference,
    quadrant (I..IV), label, reference, growth_method.
    """
    P.check_table(table)
    sectors = P.need_sectors(table, "the sectoral Klassen typology")
    start, end = P.pick_period(table, start, end)
    growth = P.resolve_growth(table, start, end, growth)
    P.period_years(table, start, end, growth)
    years = [y for y in table.years if start <= y <= end]
    regions, ref = P.resolve(table, region, reference)
    v, t = P.panel(table, regions, years, sectors)
    rv, rt = P.reference_panel(table, ref, years, sectors)
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
        "label": _labels(q.ravel()).reshape(q.shape),
        "reference": P.ref_label(ref), "growth_method": growth})


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
            raise TableError(f"population data has no column {c!r}; expected region, year, population",
                             source=source, field=c)
    if "sector" in df.columns:
        df = df.groupby(["region", "year"], as_index=False)["population"].sum()
    return {(normalise_name(normalise_region_name(r)), int(y)): float(p)
            for r, y, p in zip(df["region"], df["year"], df["population"])}


def klassen_regional(table, population=None, reference=None, start=None, end=None, growth="auto",
                     region=None) -> pd.DataFrame:
    """Regional Klassen typology: each region's PDRB growth against its PDRB per capita.

    growth = average annual growth of the region's PDRB total start..end; per_capita = mean over the years of
    PDRB / population. The thresholds are the reference's growth and per-capita PDRB (the reference region of the
    table, or when None the sum of all regions). Without population the level is the mean PDRB and its threshold
    the mean over the analysed regions. Quadrant I (maju dan cepat tumbuh): growth >= and level >=; II (maju tapi
    tertekan): level >=, growth <; III (berkembang cepat): growth >=, level <; IV (relatif tertinggal).
    Source: REGULATIONS.md 4.5 [V] (regional variant: GRDP growth versus GRDP per capita).

    ``table`` may be a totals table (``read_table(..., price_basis="ADHK2010")`` of the BPS PDRB totals) or a
    sector table. ``population``: a frame with region, year, population (e.g. ``read_population``), a Series
    indexed (region, year), or a RegionalTable. Returns columns region, sector (``TOTAL``), start, end, growth,
    reference_growth, gdp, per_capita, level, reference_level, quadrant, label, reference, growth_method.
    """
    P.check_table(table)
    start, end = P.pick_period(table, start, end)
    growth = P.resolve_growth(table, start, end, growth)
    P.period_years(table, start, end, growth)
    years = [y for y in table.years if start <= y <= end]
    regions, ref = P.resolve(table, region, reference)
    _, t = P.panel(table, regions, years, [])
    gy = [start, end] if growth == "cagr" else years
    gi = [years.index(y) for y in gy]
    g = P.average_growth_rate(t[:, gi], gy, start, end, growth)
    if ref is not None:
        _, rt = P.panel(table, [ref], years, [])
        rt = rt[0]
    else:
        _, allt = P.panel(table, table.regions, years, [])
        rt = allt.sum(axis=0)
    g_ref = P.average_growth_rate(rt[None, gi], gy, start, end, growth)[0]
    gdp = t.mean(axis=1)
    if population is not None:
        look = _population_lookup(population, "population")

        def pop(name, y):
            k = (normalise_name(normalise_region_name(name)), y)
            if k not in look:
                raise TableError(f"no population for region {name!r}, year {y}", source="population",
                                 field="population")
            if look[k] <= 0:
                raise TableError(f"population {look[k]:g} for region {name!r}, year {y} must be more than 0",
                                 source="population", field="population")
            return look[k]

        pops = np.array([[pop(r, y) for y in years] for r in regions])
        per_capita = (t / pops).mean(axis=1)
        if ref is not None:
            ref_pop = np.array([pop(ref, y) for y in years])
        else:
            ref_pop = np.array([[pop(r, y) for y in years] for r in table.regions]).sum(axis=0)
        level, level_ref = per_capita, float((rt / ref_pop).mean())
    else:
        per_capita = np.full(len(regions), np.nan)
        level, level_ref = gdp, float(gdp.mean())
    q = klassen_quadrant(g, g_ref, level, level_ref)
    return pd.DataFrame({
        "region": regions, "sector": "TOTAL", "start": start, "end": end, "growth": g, "reference_growth": g_ref,
        "gdp": gdp, "per_capita": per_capita, "level": level, "reference_level": level_ref, "quadrant": q,
        "label": _labels(q), "reference": P.ref_label(ref), "growth_method": growth})
