"""Golden tests: kawasan.economics against independently published worked examples.

Sources (see tests/data/economics/README.md): the R package REAT (Wieland) documented examples, taken from
Farhauer & Kröll (2013) and Dörsam (2004); two Indonesian LQ worksheets with inputs and results; and the real
BPS 2023 PDRB of Kabupaten Probolinggo and Jawa Timur (../shared/data) checked against the LQ formula worked by
hand.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kawasan.economics import (
    location_quotient, read_table, shift_share, specialization,
)
from kawasan.economics.sectors import SECTOR_CODES
from kawasan.economics.tables import RegionalTable

DATA = Path(__file__).parent / "data" / "economics"


def _bps_table(rows: dict[str, dict[str, float]], year=2020) -> RegionalTable:
    """A 17-sector table: unspecified sectors are 0."""
    recs = [(reg, s, year, vals.get(s, 0.0)) for reg, vals in rows.items() for s in SECTOR_CODES]
    return RegionalTable.from_frame(pd.DataFrame(recs, columns=["region", "sector", "year", "value"]))


def test_reat_locq_example():
    # locq(e_ij = 1714, e_j = 79006, e_i = 879213, e = 15593224) returns 0.3847623 (REAT man/locq.Rd)
    t = _bps_table({"j": {"C": 1714, "A": 79006 - 1714}, "all": {"C": 879213, "A": 15593224 - 879213}})
    lq = location_quotient(t, "j", "all", 2020).set_index("sector")["lq"]
    assert lq["C"] == pytest.approx(0.3847623, abs=5e-8)


def test_reat_krugman_spec_example():
    # krugman.spec(c(20,10,70,0,0), c(0,0,0,60,40)) results 2 (REAT man/krugman.spec.Rd)
    t = _bps_table({"j": dict(zip("ABCDE", (20, 10, 70, 0, 0))), "l": dict(zip("ABCDE", (0, 0, 0, 60, 40)))})
    s = specialization(t, "j", "l").iloc[0]
    assert s["krugman"] == pytest.approx(2.0)
    assert s["hoover_specialization"] == pytest.approx(1.0)


def test_reat_herf_example():
    # herf(c(20,50,20,10)) returns 0.34 (REAT man/herf.Rd, Dörsam 2004)
    t = _bps_table({"firms": dict(zip("ABCD", (20, 50, 20, 10))), "ref": {"A": 1}})
    assert specialization(t, "firms", "ref").iloc[0]["herfindahl"] == pytest.approx(0.34)


# Farhauer & Kröll (2013) via REAT man/shift.Rd: regions A, B, C against the nation X = A + B + C.
# Expected Dunn components (REAT shift(), summed over the four industries), worked by hand:
FK_EXPECTED = {  # region: (growth, national share, industrial mix, regional shift)
    "A": (25.0, 27.0, 1.0, -3.0),
    "B": (55.0, 24.0, -1.0, 32.0),
    "C": (85.0, 114.0, 0.0, -29.0),
}
# Esteban-Marquillas split of the regional shift of region A (REAT shift(..., shift.method = "Esteban")):
# homothetic E'_i = 180 * (400, 150, 150, 400) / 1100; competitive effect sum E'_i (r_ir - r_in) = -7/11.
FK_EM_A = (-7.0 / 11.0, -3.0 + 7.0 / 11.0)


@pytest.fixture(scope="module")
def fk():
    return read_table(DATA / "farhauer_kroell_shift.csv", scheme="any")


def test_farhauer_kroell_classic_shift_share(fk):
    ss = shift_share(fk, ["A", "B", "C"], "X", 2000, 2001, method="classic")
    sums = ss.groupby("region")[["change", "national_share", "industry_mix", "competitive_shift"]].sum()
    for region, expected in FK_EXPECTED.items():
        assert sums.loc[region].to_numpy() == pytest.approx(np.array(expected), abs=1e-9), region


def test_farhauer_kroell_esteban_marquillas(fk):
    ss = shift_share(fk, "A", "X", 2000, 2001, method="esteban_marquillas")
    assert ss["homothetic"].to_numpy() == pytest.approx(180 * np.array([400, 150, 150, 400]) / 1100)
    assert ss["competitive_effect"].sum() == pytest.approx(FK_EM_A[0])
    assert ss["allocation_effect"].sum() == pytest.approx(FK_EM_A[1])
    # per industry, e.g. industry 2: E'=24.5454.., r_ir - r_in = 2.0 - 1.4 = 0.6
    row = ss.set_index("sector").loc["ind2"]
    assert row["competitive_effect"] == pytest.approx(180 * 150 / 1100 * 0.6)
    assert row["allocation_effect"] == pytest.approx((20 - 180 * 150 / 1100) * 0.6)


def test_farhauer_kroell_arcelus_regional_growth(fk):
    # Arcelus: R = E (r_r - r_n); region A grows 25/180, the nation 165/1100 = 15 %.
    ss = shift_share(fk, "A", "X", 2000, 2001, method="arcelus")
    assert ss["regional_growth"].sum() == pytest.approx(180 * (25 / 180 - 0.15))
    assert (ss["regional_growth"] + ss["regional_industry_mix"]).sum() == pytest.approx(-3.0)


def test_indonesian_worksheet_jambi_lq():
    """scribd 336649674 'Metode Location Quotient (LQ)': Jambi vs Indonesia, published LQs (see README)."""
    t = read_table(DATA / "jambi_commodities_lq.csv", scheme="any", sector_col="komoditas")
    lq = location_quotient(t, "Jambi", "Indonesia").set_index("sector")["lq"]
    assert lq["Karet"] == pytest.approx(2.704545455, abs=5e-10)
    assert lq["Sawit"] == pytest.approx(1.114285714, abs=5e-10)
    assert lq["Kayu Manis"] == pytest.approx(0.533333333, abs=5e-10)
    # the worksheet prints 4.2 for teh, which its own inputs do not give (it used 700 for Indonesia's 4000)
    assert lq["Teh"] == pytest.approx((700 / 2600) / (4000 / 10920))


def test_indonesian_worksheet_cara_lq():
    """scribd 358951115 'CARA LQ' (2016): Si 10.655,48 of Ni 27.711,25 against S 304.736,70 of N 2.313.838,00."""
    t = _bps_table({"kecamatan": {"A": 10655.48, "B": 27711.25 - 10655.48},
                    "kabupaten": {"A": 304736.70, "B": 2313838.00 - 304736.70}})
    lq = location_quotient(t, "kecamatan", "kabupaten", 2020).set_index("sector")["lq"]
    assert round(lq["A"], 1) == 2.9


def test_probolinggo_2023_lq_matches_hand_calculation(shared_data):
    """BPS 2023 ADHK 2010 (billion rupiah): Kab. Probolinggo total 25,904.92, Jawa Timur 1,844,808.66."""
    t = read_table(shared_data / "economy" / "pdrb_17sector_2023_long.csv")
    lq = location_quotient(t, "Kabupaten Probolinggo", "Jawa Timur", 2023).set_index("sector")["lq"]
    assert lq["A"] == pytest.approx((7760.63 / 25904.92) / (177632.3 / 1844808.66), rel=1e-12)
    assert lq["C"] == pytest.approx((6890.04 / 25904.92) / (558452.31 / 1844808.66), rel=1e-12)
    assert round(lq["A"], 2) == 3.11 and round(lq["C"], 2) == 0.88
    basis = set(lq[lq > 1].index)
    assert basis == {"A", "D", "E", "L", "O", "P", "R,S,T,U"}
