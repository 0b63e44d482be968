"""Shift-share: classic (Dunn 1960), Esteban-Marquillas (1972) and Arcelus (1984).

``reference_total`` picks the reference total whose growth r_n drives the national share and the industry mix:
``"sectors"`` (default, the sum of the 17 lapangan usaha) or ``"gdp"`` (the PDB/PDRB including net taxes on
products). A classic shift-share of a province against Indonesia reproduces the components Indonesian studies
print from BPS's PDB only with the PDB's growth (``"gdp"``); studies working from the 17 sectors use the sum.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from kawasan.economics.indicators import _panel as P
from kawasan.i18n import Message

METHODS = ("classic", "esteban_marquillas", "arcelus")


def shift_share(table, region=None, reference=None, start=None, end=None, method="classic",
                reference_total="sectors") -> pd.DataFrame:
    """Decompose each sector's change start -> end in the region into additive components.

    Notation: E_ir the region's value in sector i at ``start``, r_ir = E_ir(end)/E_ir(start) - 1 its growth,
    r_in the reference's growth in sector i, r_n the growth of the reference's total (``reference_total``), r_r
    that of the region's total, E_r / E_n the start totals.

    classic (Dunn 1960 [V]; REAT ``shift`` method "Dunn" summed over sectors):
        D_ir = N_ir + M_ir + C_ir, N_ir = E_ir r_n (national/provincial share), M_ir = E_ir (r_in - r_n)
        (industry mix), C_ir = E_ir (r_ir - r_in) (competitive shift).
    esteban_marquillas (Esteban-Marquillas 1972 [V]; REAT ``shift`` method "Esteban"):
        homothetic E'_ir = E_r E_in / E_n; C_ir = C'_ir + A_ir with competitive effect C'_ir = E'_ir (r_ir - r_in)
        and allocation effect A_ir = (E_ir - E'_ir)(r_ir - r_in). ``specialisation`` = E_ir - E'_ir and
        ``competitive_advantage`` = r_ir - r_in tell the sign of A.
    arcelus (Arcelus 1984 [V]): C_ir = R_ir + RI_ir with regional growth effect
        R_ir = E'_ir (r_r - r_n) + (E_ir - E'_ir)(r_r - r_n) and regional industry-mix effect
        RI_ir = E'_ir [(r_ir - r_r) - (r_in - r_n)] + (E_ir - E'_ir)[(r_ir - r_r) - (r_in - r_n)]; each is given
        with its homothetic and allocation parts.

    A sector whose start value is 0 (region or reference) has no growth rate: its rate counts as 0 and the
    whole change goes to the competitive shift, so the components still add up to ``change`` exactly.
    Sub-categories (C.1..C.16) are decomposed like sectors; sum only the 17 main sectors for the region total.

    Returns columns region, sector, start, end, change, national_share, industry_mix, competitive_shift, value_start,
    value_end, growth_region, growth_reference, growth_reference_total, reference, method, reference_total, plus
    the method's components.
    """
    _check_method(method)
    P.check_table(table)
    sectors = P.need_sectors(table, Message("econ.err.panel.what_shiftshare"))
    start, end = P.pick_period(table, start, end)
    regions, ref = P.resolve(table, region, reference)
    v, t = P.panel(table, regions, [start, end], sectors, reference_total)
    rv, rt = P.reference_panel(table, ref, [start, end], sectors, reference_total)
    g = _growth(v, t, rv, rt)
    cols = {"start": start, "end": end, **_classic_columns(g)}
    if method == "esteban_marquillas":
        cols.update(_esteban_marquillas_columns(g, cols["competitive_shift"]))
    elif method == "arcelus":
        cols.update(_arcelus_columns(g, cols["competitive_shift"]))
    cols.update({"reference": P.ref_label(ref), "method": method, "reference_total": reference_total})
    return P.long_frame(regions, sectors, cols)


def _check_method(method) -> None:
    """``method`` is one of :data:`METHODS`, or a ValueError lists them."""
    if method not in METHODS:
        raise ValueError(Message("econ.err.shiftshare.method_must_one",
                                 methods=METHODS, method=method))


class _Growth(NamedTuple):
    """The start -> end values and growth rates a decomposition needs (notation of :func:`shift_share`).

    ``e0``, ``e1``: E_ir at start and end (regions x sectors, NaN as 0); ``n0``: the reference's E_in at start;
    ``region_total0``: E_r (regions x 1); ``reference_total0``: E_n; ``r_n``, ``r_in``, ``r_ir``, ``r_r``: the
    growth rates, each 0 where its start value is 0.
    """
    e0: np.ndarray
    e1: np.ndarray
    n0: np.ndarray
    region_total0: np.ndarray
    reference_total0: float
    r_n: float
    r_in: np.ndarray
    r_ir: np.ndarray
    r_r: np.ndarray


def _growth(v, t, rv, rt) -> _Growth:
    """Growth rates r = X(end) / X(start) - 1 of the region's and the reference's sectors and totals.

    ``v``/``t``: the regions' sector values and totals at [start, end]; ``rv``/``rt``: the reference's. A start
    value of 0 gives a rate of 0 (Dunn 1960 has no rate there; see :func:`shift_share`).
    """
    e0, e1 = v[:, 0, :], v[:, 1, :]
    e0 = np.nan_to_num(e0)
    e1 = np.nan_to_num(e1)
    n0, n1 = np.nan_to_num(rv[0]), np.nan_to_num(rv[1])
    r_n = rt[1] / rt[0] - 1.0 if rt[0] else 0.0
    r_in = np.where(n0 > 0, P.safe_div(n1, n0) - 1.0, 0.0)
    r_ir = np.where(e0 > 0, P.safe_div(e1, e0) - 1.0, 0.0)
    r_r = np.where(t[:, 0] > 0, P.safe_div(t[:, 1], t[:, 0]) - 1.0, 0.0)
    return _Growth(e0=e0, e1=e1, n0=n0, region_total0=t[:, :1], reference_total0=rt[0], r_n=r_n, r_in=r_in,
                   r_ir=r_ir, r_r=r_r)


def _classic_columns(g: _Growth) -> dict:
    """Dunn (1960): N_ir = E_ir r_n, M_ir = E_ir (r_in - r_n), C_ir = D_ir - N_ir - M_ir, with the values and rates.

    C_ir is taken as the remainder so the three add up to the change exactly, also where a rate counts as 0.
    """
    change = g.e1 - g.e0
    national = g.e0 * g.r_n
    mix = g.e0 * (g.r_in - g.r_n)[None, :]
    comp = change - national - mix
    return {"change": change, "national_share": national, "industry_mix": mix,
            "competitive_shift": comp, "value_start": g.e0, "value_end": g.e1, "growth_region": g.r_ir,
            "growth_reference": g.r_in[None, :], "growth_reference_total": g.r_n}


def _homothetic(g: _Growth) -> np.ndarray:
    """Esteban-Marquillas (1972) homothetic value E'_ir = E_r E_in / E_n (NaN as 0)."""
    homothetic = g.region_total0 * P.safe_div(g.n0, g.reference_total0)[None, :]
    return np.nan_to_num(homothetic)


def _esteban_marquillas_columns(g: _Growth, comp: np.ndarray) -> dict:
    """Esteban-Marquillas (1972): C_ir = C'_ir + A_ir, C'_ir = E'_ir (r_ir - r_in), A_ir = C_ir - C'_ir.

    ``specialisation`` E_ir - E'_ir and ``competitive_advantage`` r_ir - r_in tell the sign of A_ir.
    """
    homothetic = _homothetic(g)
    spec = g.e0 - homothetic
    adv = g.r_ir - g.r_in[None, :]
    ce = homothetic * adv
    return {"homothetic": homothetic, "competitive_effect": ce, "allocation_effect": comp - ce,
            "specialisation": spec, "competitive_advantage": adv}


def _arcelus_columns(g: _Growth, comp: np.ndarray) -> dict:
    """Arcelus (1984): C_ir = R_ir + RI_ir, R_ir = E_ir (r_r - r_n), RI_ir = C_ir - R_ir.

    Homothetic parts: R'_ir = E'_ir (r_r - r_n), RI'_ir = E'_ir [(r_ir - r_r) - (r_in - r_n)]; the allocation
    parts are the rest.
    """
    homothetic = _homothetic(g)
    dr = (g.r_r - g.r_n)[:, None]
    rg = g.e0 * dr
    rg_h = homothetic * dr
    rim = comp - rg
    rim_h = homothetic * ((g.r_ir - g.r_r[:, None]) - (g.r_in - g.r_n)[None, :])
    return {"homothetic": homothetic, "regional_growth": rg, "regional_growth_homothetic": rg_h,
            "regional_growth_allocation": rg - rg_h, "regional_industry_mix": rim,
            "regional_industry_mix_homothetic": rim_h, "regional_industry_mix_allocation": rim - rim_h,
            "growth_region_total": g.r_r[:, None]}


def shift_share_series(table, region=None, reference=None, years=None, method="classic",
                       reference_total="sectors") -> pd.DataFrame:
    """:func:`shift_share` for each pair of consecutive years (``years`` default: all the table's years), stacked."""
    P.check_table(table)
    ys = sorted(int(y) for y in (years if years is not None else table.years))
    if len(ys) < 2:
        raise P.TableError(Message("econ.err.shiftshare.shift_share_series_needs",
                                   years=ys), source=table.source,
                           field="year")
    parts = [shift_share(table, region, reference, a, b, method=method, reference_total=reference_total)
             for a, b in zip(ys[:-1], ys[1:])]
    return pd.concat(parts, ignore_index=True)


def dynamic_shift_share(table, region=None, reference=None, start=None, end=None, method="classic",
                        reference_total="sectors") -> pd.DataFrame:
    """Dynamic shift-share (Barff & Knight 1988): the yearly decompositions start..end summed per sector.

    Each year's components are computed on that year's base (so the industry mix and the competitive shift follow
    the sector's changing size), then added up; the sums still add up to the whole change E(end) - E(start).
    REAT ``shiftd`` (method "Dunn"). Needs every year start..end.

    Returns columns region, sector, start, end, years, change, national_share, industry_mix, competitive_shift,
    (Esteban-Marquillas / Arcelus: their components summed as well), reference, method, reference_total.
    """
    P.check_table(table)
    start, end = P.pick_period(table, start, end)
    missing = [y for y in range(start, end + 1) if y not in table.years]
    if missing:
        raise P.TableError(Message("econ.err.shiftshare.dynamic_shift_share_needs", start=start, end=end,
                                   missing=', '.join(map(str, missing))), source=table.source, field="year")
    s = shift_share_series(table, region, reference, list(range(start, end + 1)), method=method,
                           reference_total=reference_total)
    skip = {"region", "sector", "start", "end", "reference", "method", "reference_total", "value_start", "value_end",
            "growth_region", "growth_reference", "growth_reference_total", "growth_region_total", "homothetic",
            "specialisation", "competitive_advantage"}
    comps = [c for c in s.columns if c not in skip]
    out = s.groupby(["region", "sector"], sort=False)[comps].sum().reset_index()
    out.insert(2, "start", start)
    out.insert(3, "end", end)
    out.insert(4, "years", end - start)
    out["reference"] = s["reference"].iloc[0]
    out["method"] = f"dynamic_{method}"
    out["reference_total"] = reference_total
    return out
