"""Specialisation and localisation: Krugman, Hoover, Herfindahl."""
from __future__ import annotations

import numpy as np
import pandas as pd

from kawasan.economics.indicators import _panel as P
from kawasan.i18n import Message


def specialization(table, region=None, reference=None, year=None, reference_total="sectors") -> pd.DataFrame:
    """How different the region's sector mix is from the reference's, over the 17 lapangan usaha.

    s_ir = E_ir / E_r, s_in = E_in / E_n (shares of the totals named by ``reference_total``; with ``"gdp"`` the
    shares of a PDB with net taxes add up to less than 1, and K_r counts that gap too).
    Krugman specialisation index (Krugman 1991): K_r = sum_i |s_ir - s_in|  (0 = same structure, max 2).
    Hoover coefficient of specialisation: H_r = K_r / 2 (0..1).
    Herfindahl index of the region: HHI_r = sum_i s_ir^2 (1/17 = evenly spread, 1 = one sector).
    Source: [V] concepts; conventions of Hoover & Giarratani 1985; EconGeo ``krugman_index`` / ``spec_coeff``;
    REAT ``krugman.spec``, ``hoover``, ``herf``.

    Returns columns region, sector (None: the indices cover all sectors), year, krugman, hoover_specialization,
    herfindahl, herfindahl_reference, largest_sector, largest_share, reference, reference_total.
    """
    P.check_table(table)
    P.need_sectors(table, Message("econ.err.panel.what_specialisation"))
    sectors = table.main_sectors
    year = P.pick_year(table, year)
    regions, ref = P.resolve(table, region, reference)
    v, t = P.panel(table, regions, [year], sectors, reference_total)
    rv, rt = P.reference_panel(table, ref, [year], sectors, reference_total)
    s_r = np.nan_to_num(P.safe_div(v[:, 0, :], t[:, :1]))
    s_n = np.nan_to_num(P.safe_div(rv[0], rt[0]))
    k = np.abs(s_r - s_n[None, :]).sum(axis=1)
    big = s_r.argmax(axis=1)
    return pd.DataFrame({
        "region": regions, "sector": None, "year": year, "krugman": k, "hoover_specialization": k / 2.0,
        "herfindahl": (s_r ** 2).sum(axis=1), "herfindahl_reference": float((s_n ** 2).sum()),
        "largest_sector": [sectors[i] for i in big], "largest_share": s_r[np.arange(len(regions)), big],
        "reference": P.ref_label(ref), "reference_total": reference_total})


def hoover_localization(table, year=None, reference=None, region=None, reference_total="sectors") -> pd.DataFrame:
    """Hoover localisation coefficient of each sector across the regions.

    HL_i = 1/2 sum_r | E_ir / E_i - E_r / E |, where E_i and E are the sums over the regions analysed (every
    region except ``reference``, or ``region`` when given), so that the shares add up to 1; E_r are the regions'
    totals (``reference_total``). 0: the sector is spread like the economy as a whole; near 1: concentrated in few
    regions. Source: Hoover 1936; Hoover & Giarratani 1985; REAT ``hoover``.

    Returns columns sector, year, hoover_localization, n_regions, top_region, top_region_share, reference_total.
    """
    P.check_table(table)
    sectors = P.need_sectors(table, Message("econ.err.panel.what_hoover"))
    year = P.pick_year(table, year)
    regions, ref = P.resolve(table, region, reference)
    v, t = P.panel(table, regions, [year], sectors, reference_total)
    e = np.nan_to_num(v[:, 0, :])
    tot = t[:, 0]
    sec_share = P.safe_div(e, e.sum(axis=0)[None, :])
    reg_share = tot / tot.sum()
    hl = 0.5 * np.abs(sec_share - reg_share[:, None]).sum(axis=0)
    top = np.nanargmax(np.nan_to_num(sec_share, nan=-1.0), axis=0)
    return pd.DataFrame({"sector": sectors, "year": year, "hoover_localization": hl, "n_regions": len(regions),
                         "top_region": [regions[i] for i in top],
                         "top_region_share": sec_share[top, np.arange(len(sectors))],
                         "reference_total": reference_total})
