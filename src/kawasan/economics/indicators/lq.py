"""Location quotients: static LQ, dynamic LQ and the SLQ x DLQ classification.

Every function takes ``reference_total``: ``"sectors"`` (default, the sum of the 17 lapangan usaha) or
``"gdp"`` (the PDB/PDRB including net taxes on products, for the region-years whose table has them); the choice
is returned in the column ``reference_total``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from kawasan.economics.classes import LQ_CLASSES
from kawasan.economics.indicators import _panel as P
from kawasan.i18n import Message

#: SLQ x DLQ class codes (see :mod:`kawasan.economics.classes`).
QUADRANTS = LQ_CLASSES


def location_quotient(table, region=None, reference=None, year=None, reference_total="sectors") -> pd.DataFrame:
    """Static location quotient of every sector of ``region`` against ``reference`` in ``year``.

    LQ_i = (E_ir / E_r) / (E_in / E_n)

    E is the value (PDRB ADHK or employment), i the sector, r the region, n the reference (province or
    nation); E_r and E_n are the totals named by ``reference_total`` (default the sum of the 17 lapangan
    usaha; ``"gdp"``: the PDB/PDRB including net taxes on products). LQ > 1: a basis sector, over-represented
    in the region; LQ < 1: non-basis. Source: Flegg & Webber (1997) and Miller & Blair (2009, ch. 8) for LQ as a
    regional-concentration measure; REAT ``locq`` [V].

    Parameters: ``region`` a name, a list of names or None (every region except the reference);
    ``reference`` a region of the table, or None for the sum of all regions; ``year`` default the latest.

    Returns columns region, sector, year, lq, value, share, reference, reference_value, reference_share,
    reference_total.
    ``lq`` is NaN where the reference has no value in the sector (share 0).
    """
    P.check_table(table)
    sectors = P.need_sectors(table, Message("econ.err.panel.what_lq"))
    year = P.pick_year(table, year)
    regions, ref = P.resolve(table, region, reference)
    v, t = P.panel(table, regions, [year], sectors, reference_total)
    rv, rt = P.reference_panel(table, ref, [year], sectors, reference_total)
    share = P.safe_div(v[:, 0, :], t[:, :1])
    rshare = P.safe_div(rv[0], rt[0])
    lq = P.safe_div(share, rshare[None, :])
    return P.long_frame(regions, sectors, {
        "year": year, "lq": lq, "value": v[:, 0, :], "share": share, "reference": P.ref_label(ref),
        "reference_value": rv[0][None, :], "reference_share": rshare[None, :], "reference_total": reference_total})


def dynamic_lq(table, region=None, reference=None, start=None, end=None, growth="auto",
               reference_total="sectors") -> pd.DataFrame:
    """Dynamic location quotient over ``start``..``end``.

    DLQ_i = [ (1 + g_ir) / (1 + G_r) ]^t / [ (1 + g_in) / (1 + G_n) ]^t

    g_ir, g_in: average annual growth of sector i in the region and in the reference; G_r, G_n: average annual
    growth of the totals (``reference_total``); t = end - start (years). DLQ > 1: the sector grows faster, relative
    to its economy, in the region than in the reference, so it may become (or stay) a basis sector. Source: the
    formulation of Indonesian sector studies (Saharuddin 2006; Yasin 2013) [V].

    ``growth``: ``mean`` (arithmetic mean of the year-on-year rates, the usual Indonesian practice; needs every
    year), ``cagr`` (compound rate from the two end years) or ``auto`` (default: ``mean`` when every year
    start..end is in the table, else ``cagr``); the method used is in ``growth_method``.

    Returns columns region, sector, start, end, g_region, g_reference, G_region_total, G_reference_total, dlq,
    reference, growth_method, reference_total.
    """
    P.check_table(table)
    sectors = P.need_sectors(table, Message("econ.err.panel.what_dlq"))
    start, end = P.pick_period(table, start, end)
    growth = P.resolve_growth(table, start, end, growth)
    years = P.period_years(table, start, end, growth)
    regions, ref = P.resolve(table, region, reference)
    v, t = P.panel(table, regions, years, sectors, reference_total)
    rv, rt = P.reference_panel(table, ref, years, sectors, reference_total)
    g_r = P.average_growth_rate(v, years, start, end, growth)                 # regions x sectors
    G_r = P.average_growth_rate(t, years, start, end, growth)                 # regions
    g_n = P.average_growth_rate(rv[None], years, start, end, growth)[0]       # sectors
    G_n = P.average_growth_rate(rt[None], years, start, end, growth)[0]       # scalar
    n = end - start
    with np.errstate(divide="ignore", invalid="ignore"):
        num = np.power((1 + g_r) / (1 + G_r[:, None]), n)
        den = np.power((1 + g_n) / (1 + G_n), n)
        dlq = P.safe_div(num, den[None, :])
    return P.long_frame(regions, sectors, {
        "start": start, "end": end, "g_region": g_r, "g_reference": g_n[None, :], "G_region_total": G_r[:, None],
        "G_reference_total": G_n, "dlq": dlq, "reference": P.ref_label(ref), "growth_method": growth,
        "reference_total": reference_total})


def classify_quadrant(slq, dlq):
    """SLQ x DLQ class: unggulan (SLQ > 1, DLQ > 1), andalan (SLQ <= 1, DLQ > 1), prospektif (SLQ > 1,
    DLQ <= 1), tertinggal (SLQ <= 1, DLQ <= 1); None where either is NaN.

    Names after Angelina (2019), certainty P; other studies swap andalan and prospektif
    (:mod:`kawasan.economics.classes`).
    """
    unggulan, andalan, prospektif, tertinggal = LQ_CLASSES
    slq = np.asarray(slq, dtype=float)
    dlq = np.asarray(dlq, dtype=float)
    out = np.where(slq > 1, np.where(dlq > 1, unggulan, prospektif), np.where(dlq > 1, andalan, tertinggal))
    out = out.astype(object)
    out[np.isnan(slq) | np.isnan(dlq)] = None
    return out


def lq_quadrant(table, region=None, reference=None, start=None, end=None, growth="auto", slq="end",
                reference_total="sectors") -> pd.DataFrame:
    """Classify each sector by static LQ x dynamic LQ into unggulan, andalan, prospektif or tertinggal.

    ``slq``: ``end`` (the static LQ of the end year, default) or ``mean`` (mean of the yearly static LQs
    start..end). Classes (:func:`classify_quadrant`; names certainty P):

    ==============  ==========  ======================================
    SLQ > 1         DLQ > 1     unggulan (basis, gaining)
    SLQ <= 1        DLQ > 1     andalan (not yet basis, gaining)
    SLQ > 1         DLQ <= 1    prospektif (basis, losing ground)
    SLQ <= 1        DLQ <= 1    tertinggal (not basis, losing ground)
    ==============  ==========  ======================================

    Returns columns region, sector, start, end, slq, dlq, quadrant, reference, reference_total.
    """
    if slq not in ("end", "mean"):
        raise ValueError(Message("econ.err.lq.slq_must_end_mean"))
    d = dynamic_lq(table, region, reference, start, end, growth=growth, reference_total=reference_total)
    start, end = int(d["start"].iloc[0]), int(d["end"].iloc[0])
    regions = list(dict.fromkeys(d["region"]))
    ref = None if d["reference"].iloc[0] == P.AGGREGATE else d["reference"].iloc[0]
    years = [end] if slq == "end" else [y for y in table.years if start <= y <= end]
    frames = [location_quotient(table, regions, ref, y, reference_total)[["region", "sector", "lq"]] for y in years]
    s = pd.concat(frames).groupby(["region", "sector"], sort=False)["lq"].mean().rename("slq").reset_index()
    out = d[["region", "sector", "start", "end", "dlq", "reference"]].merge(s, on=["region", "sector"], how="left")
    out["quadrant"] = classify_quadrant(out["slq"], out["dlq"])
    out["reference_total"] = reference_total
    return out[["region", "sector", "start", "end", "slq", "dlq", "quadrant", "reference", "reference_total"]]
