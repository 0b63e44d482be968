"""Indicator functions: formulas on small hand-checked tables, classifications, and their error paths."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kawasan.economics import (
    average_growth, dynamic_lq, hoover_localization, klassen_regional, klassen_sectoral, location_quotient,
    lq_quadrant, read_population, read_table, shift_share, shift_share_series, specialization,
)
from kawasan.economics.indicators import classify_quadrant, klassen_quadrant
from kawasan.economics.sectors import SECTOR_CODES
from kawasan.economics.tables import RegionalTable
from kawasan.errors import TableError


def table(values: dict, scheme="bps17") -> RegionalTable:
    """values: {(region, year): {sector: value}}; missing BPS sectors are 1.0."""
    rows = []
    for (r, y), secs in values.items():
        for s in (SECTOR_CODES if scheme == "bps17" else secs):
            rows.append((r, s, y, float(secs.get(s, 1.0))))
    return RegionalTable.from_frame(pd.DataFrame(rows, columns=["region", "sector", "year", "value"]), scheme=scheme)


@pytest.fixture
def two_regions():
    # region R doubles manufacturing while the reference N grows 10 % everywhere
    return table({
        ("R", 2020): {"A": 50, "C": 20}, ("R", 2021): {"A": 50, "C": 30}, ("R", 2022): {"A": 50, "C": 40},
        ("N", 2020): {"A": 500, "C": 500}, ("N", 2021): {"A": 550, "C": 550}, ("N", 2022): {"A": 605, "C": 605},
    })


def test_lq_formula(two_regions):
    lq = location_quotient(two_regions, "R", "N", 2020).set_index("sector")
    # R total = 50 + 20 + 15 = 85; N total = 1015
    assert lq.loc["C", "lq"] == pytest.approx((20 / 85) / (500 / 1015))
    assert lq.loc["C", "share"] == pytest.approx(20 / 85)
    assert lq.loc["C", "reference_share"] == pytest.approx(500 / 1015)
    assert list(lq.index) == list(SECTOR_CODES)


def test_lq_defaults_latest_year_and_all_regions(two_regions):
    lq = location_quotient(two_regions, reference="N")
    assert set(lq["region"]) == {"R"} and set(lq["year"]) == {2022}


def test_lq_against_sum_of_regions(two_regions):
    lq = location_quotient(two_regions, "R", None, 2020).set_index("sector")
    assert lq.loc["C", "lq"] == pytest.approx((20 / 85) / (520 / 1100))
    assert lq["reference"].iloc[0] == "(sum of all regions)"


def test_dynamic_lq_formula(two_regions):
    d = dynamic_lq(two_regions, "R", "N", 2020, 2022, growth="cagr").set_index("sector")
    g_ir = (40 / 20) ** 0.5 - 1
    g_r = (105 / 85) ** 0.5 - 1
    g_in = (605 / 500) ** 0.5 - 1
    g_n = (1225 / 1015) ** 0.5 - 1
    assert d.loc["C", "g_region"] == pytest.approx(g_ir)
    assert d.loc["C", "G_region_total"] == pytest.approx(g_r)
    assert d.loc["C", "dlq"] == pytest.approx(((1 + g_ir) / (1 + g_r)) ** 2 / ((1 + g_in) / (1 + g_n)) ** 2)


def test_dynamic_lq_mean_growth(two_regions):
    d = dynamic_lq(two_regions, "R", "N", 2020, 2022).set_index("sector")
    assert d.loc["C", "g_region"] == pytest.approx((0.5 + 1 / 3) / 2) and d.loc["C", "growth_method"] == "mean"


def test_mean_growth_needs_every_year():
    t = table({("R", 2020): {}, ("R", 2022): {}, ("N", 2020): {}, ("N", 2022): {}})
    with pytest.raises(TableError, match="needs every year 2020..2022; missing 2021"):
        dynamic_lq(t, "R", "N", 2020, 2022, growth="mean")
    assert len(dynamic_lq(t, "R", "N", 2020, 2022, growth="cagr")) == 17
    auto = dynamic_lq(t, "R", "N", 2020, 2022)
    assert set(auto["growth_method"]) == {"cagr"}


def test_quadrant_classification():
    q = classify_quadrant([2.0, 0.5, 2.0, 0.5, np.nan], [2.0, 2.0, 0.5, 0.5, 1.0])
    assert list(q) == ["unggulan", "andalan", "prospektif", "tertinggal", None]


def test_lq_quadrant(two_regions):
    q = lq_quadrant(two_regions, "R", "N", 2020, 2022).set_index("sector")
    assert q.loc["C", "quadrant"] == "andalan"           # LQ 2022 < 1 but growing much faster
    assert q.loc["A", "quadrant"] == "tertinggal"        # LQ 2022 = 0.96, stagnant while the economy grows
    m = lq_quadrant(two_regions, "R", "N", 2020, 2022, slq="mean").set_index("sector")
    expected = np.mean([location_quotient(two_regions, "R", "N", y).set_index("sector").loc["C", "lq"]
                        for y in (2020, 2021, 2022)])
    assert m.loc["C", "slq"] == pytest.approx(expected)


@pytest.mark.parametrize("method", ["classic", "esteban_marquillas", "arcelus"])
def test_shift_share_adds_up(two_regions, method):
    ss = shift_share(two_regions, "R", "N", 2020, 2022, method=method).set_index("sector")
    total = ss["national_share"] + ss["industry_mix"] + ss["competitive_shift"]
    np.testing.assert_allclose(total, ss["change"], atol=1e-9)
    c = ss.loc["C"]
    assert c["change"] == 20 and c["national_share"] == pytest.approx(20 * (1225 / 1015 - 1))
    assert c["industry_mix"] == pytest.approx(20 * (0.21 - (1225 / 1015 - 1)))
    assert c["competitive_shift"] == pytest.approx(20 * (1.0 - 0.21))
    if method == "esteban_marquillas":
        np.testing.assert_allclose(ss["competitive_effect"] + ss["allocation_effect"], ss["competitive_shift"],
                                   atol=1e-9)
        assert c["homothetic"] == pytest.approx(85 * 500 / 1015)
    if method == "arcelus":
        np.testing.assert_allclose(ss["regional_growth"] + ss["regional_industry_mix"], ss["competitive_shift"],
                                   atol=1e-9)
        np.testing.assert_allclose(ss["regional_growth_homothetic"] + ss["regional_growth_allocation"],
                                   ss["regional_growth"], atol=1e-9)


def test_shift_share_zero_start_value_goes_to_competitive_shift():
    t = table({("R", 2020): {"B": 0}, ("R", 2021): {"B": 5}, ("N", 2020): {"B": 10}, ("N", 2021): {"B": 20}})
    b = shift_share(t, "R", "N", 2020, 2021).set_index("sector").loc["B"]
    assert (b["national_share"], b["industry_mix"], b["competitive_shift"]) == (0, 0, 5)


def test_shift_share_series(two_regions):
    s = shift_share_series(two_regions, "R", "N")
    assert sorted(set(zip(s["start"], s["end"]))) == [(2020, 2021), (2021, 2022)]
    with pytest.raises(TableError, match="at least two years"):
        shift_share_series(two_regions, "R", "N", years=[2020])


def test_shift_share_bad_method(two_regions):
    with pytest.raises(ValueError):
        shift_share(two_regions, "R", "N", method="gerfin")


def test_klassen_sectoral(two_regions):
    k = klassen_sectoral(two_regions, "R", "N", 2020, 2022).set_index("sector")
    assert k.loc["C", "quadrant"] == "III" and k.loc["C", "label"] == "potential"
    assert k.loc["A", "quadrant"] == "II"
    shares = [20 / 85, 30 / 95, 40 / 105]
    assert k.loc["C", "share_region"] == pytest.approx(np.mean(shares))


def test_klassen_quadrant_rules():
    q = klassen_quadrant([5, 1, 5, 1], 3, [10, 10, 1, 1], 5)
    assert list(q) == ["I", "II", "III", "IV"]


def test_klassen_regional_with_and_without_population():
    t = RegionalTable.from_frame(pd.DataFrame(
        [(r, "PDRB", y, v) for r, vals in {"A": (100, 110), "B": (100, 102), "C": (10, 12)}.items()
         for y, v in zip((2020, 2021), vals)], columns=["region", "sector", "year", "value"]))
    pop = pd.DataFrame([(r, y, p) for r, p in {"A": 10, "B": 20, "C": 1}.items() for y in (2020, 2021)],
                       columns=["region", "year", "population"])
    k = klassen_regional(t, pop, None, 2020, 2021).set_index("region")
    # reference: growth 224/210 - 1 = 6.67 %, per capita mean(210/31, 224/31) = 7.0
    assert k.loc["A", "reference_growth"] == pytest.approx(224 / 210 - 1)
    assert k.loc["A", "reference_level"] == pytest.approx((210 / 31 + 224 / 31) / 2)
    assert k.loc["A", "quadrant"] == "I" and k.loc["B", "quadrant"] == "IV" and k.loc["C", "quadrant"] == "I"
    assert k.loc["B", "per_capita"] == pytest.approx((100 / 20 + 102 / 20) / 2)
    k2 = klassen_regional(t, None, None, 2020, 2021).set_index("region")
    assert k2.loc["C", "quadrant"] == "III" and np.isnan(k2.loc["C", "per_capita"])
    with pytest.raises(TableError, match="no population for region 'C', year 2021"):
        klassen_regional(t, pop[~((pop.region == "C") & (pop.year == 2021))], None, 2020, 2021)


def test_specialization_and_localization(two_regions):
    s = specialization(two_regions, "R", "N", 2020).iloc[0]
    sr = np.array([50, 1, 20] + [1] * 14) / 85
    sn = np.array([500, 1, 500] + [1] * 14) / 1015
    assert s["krugman"] == pytest.approx(np.abs(sr - sn).sum())
    assert s["hoover_specialization"] == pytest.approx(np.abs(sr - sn).sum() / 2)
    assert s["herfindahl"] == pytest.approx((sr ** 2).sum())
    assert s["largest_sector"] == "A" and s["sector"] is None
    h = hoover_localization(two_regions, 2020).set_index("sector")
    # C: shares of C (20, 500)/520, of the economy (85, 1015)/1100
    assert h.loc["C", "hoover_localization"] == pytest.approx(0.5 * (abs(20 / 520 - 85 / 1100) + abs(500 / 520 - 1015 / 1100)))
    assert h.loc["C", "top_region"] == "N"


def test_average_growth(two_regions):
    g = average_growth(two_regions, 2020, 2022).set_index(["region", "sector"])
    assert g.loc[("R", "C"), "cagr"] == pytest.approx(2 ** 0.5 - 1)
    assert g.loc[("R", "C"), "mean_growth"] == pytest.approx((0.5 + 1 / 3) / 2)
    assert g.loc[("R", "TOTAL"), "total_growth"] == pytest.approx(105 / 85 - 1)
    r = average_growth(two_regions, 2020, 2022, by=("region",))
    assert list(r["sector"]) == ["TOTAL", "TOTAL"]
    s = average_growth(two_regions, 2020, 2022, by=("sector",)).set_index("sector")
    assert s.loc["C", "value_start"] == 520 and s.loc["C", "value_end"] == 645
    with pytest.raises(ValueError):
        average_growth(two_regions, by=("year",))


@pytest.mark.parametrize("call,match", [
    (lambda t: location_quotient(t, "R", "N", 1999), "no values for year 1999"),
    (lambda t: location_quotient(t, "Q", "N", 2020), "region 'Q' is not in the table"),
    (lambda t: location_quotient(t, "R", "Nation", 2020), "reference region 'Nation' is not in the table"),
    (lambda t: dynamic_lq(t, "R", "N", 2022, 2020), "must come after the start year"),
    (lambda t: shift_share(t, "R", "N", 2020, 2030), "no values for year 2030"),
])
def test_indicator_errors(two_regions, call, match):
    with pytest.raises(TableError, match=match):
        call(two_regions)


def test_region_missing_a_year():
    t = table({("R", 2020): {}, ("N", 2020): {}, ("N", 2021): {}})
    with pytest.raises(TableError, match="region 'R' has no values for year 2021"):
        shift_share(t, "R", "N", 2020, 2021)


def test_totals_table_refuses_sector_indicators():
    t = RegionalTable.from_frame(pd.DataFrame([("A", "PDRB", 2020, 5.0)], columns=["region", "sector", "year", "value"]))
    with pytest.raises(TableError, match="holds only PDRB totals"):
        location_quotient(t, "A", None, 2020)


def test_real_east_java(shared_data):
    e = shared_data / "economy"
    t = read_table(e / "pdrb_total_jatim_2010_2023.csv", price_basis="ADHK2010")
    pop = read_population(e / "population_jatim_2010_2023_long.csv")
    k = klassen_regional(t, pop, None, 2010, 2023).set_index("region")
    assert len(k) == 38
    # Kota Surabaya and Kabupaten Gresik: far above East Java's per-capita PDRB
    assert k.loc["Kota Surabaya", "quadrant"] in ("I", "II") and k.loc["Kabupaten Gresik", "quadrant"] in ("I", "II")
    g = average_growth(t, 2010, 2023, by=("region",)).set_index("region")
    assert g.loc["Kabupaten Probolinggo", "cagr"] == pytest.approx((25904927.79 / 15028135.03) ** (1 / 13) - 1)


def test_klassen_regional_named_reference_and_subsector_lq():
    t = RegionalTable.from_frame(pd.DataFrame(
        [(r, "PDRB", y, v) for r, vals in {"A": (10, 12), "B": (30, 31), "P": (40, 43)}.items()
         for y, v in zip((2020, 2021), vals)], columns=["region", "sector", "year", "value"]))
    k = klassen_regional(t, None, "P", 2020, 2021).set_index("region")
    assert list(k.index) == ["A", "B"] and k.loc["A", "reference_growth"] == pytest.approx(43 / 40 - 1)
    assert k.loc["A", "quadrant"] == "III" and k.loc["B", "quadrant"] == "II"   # level threshold: mean of A, B
    rows = [(r, c, 2020, v) for r, vals in {"R": {"C": 10}, "N": {"C": 100}}.items()
            for c, v in ((c, vals.get(c, 1.0)) for c in SECTOR_CODES)]
    rows += [("R", "C.3", 2020, 4.0), ("N", "C.3", 2020, 10.0)]
    s = RegionalTable.from_frame(pd.DataFrame(rows, columns=["region", "sector", "year", "value"]))
    lq = location_quotient(s, "R", "N", 2020).set_index("sector")
    # the sub-category is measured against the PDRB total (sum of the 17 sectors), not added to it
    assert lq.loc["C.3", "lq"] == pytest.approx((4 / 26) / (10 / 116))


def test_dynamic_shift_share_sums_the_years(two_regions):
    from kawasan.economics import dynamic_shift_share

    d = dynamic_shift_share(two_regions, "R", "N", 2020, 2022).set_index("sector").loc["C"]
    r1, r2 = 1115 / 1015 - 1, 1225 / 1115 - 1          # reference total growth in each year
    assert d["national_share"] == pytest.approx(20 * r1 + 30 * r2)
    assert d["change"] == pytest.approx(20) and d["years"] == 2
    with pytest.raises(TableError, match="needs every year"):
        dynamic_shift_share(table({("R", 2020): {}, ("R", 2022): {}, ("N", 2020): {}, ("N", 2022): {}}), "R", "N")
