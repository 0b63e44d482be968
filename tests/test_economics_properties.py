"""Properties of the indicators on random tables (Hypothesis)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from kawasan.economics import dynamic_lq, dynamic_shift_share, location_quotient, shift_share, specialization
from kawasan.economics.sectors import SECTOR_CODES
from kawasan.economics.tables import RegionalTable

from hypothesis.extra.numpy import arrays

VALUE = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def tables(draw, n_regions=(2, 3), years=(2, 3)):
    nr = draw(st.integers(*n_regions))
    ny = draw(st.integers(*years))
    vals = draw(arrays(np.float64, nr * ny * 17, elements=VALUE))
    regions = [f"R{i}" for i in range(nr)]
    ys = list(range(2015, 2015 + ny))
    rows = [(r, s, y) for r in regions for y in ys for s in SECTOR_CODES]
    df = pd.DataFrame(rows, columns=["region", "sector", "year"])
    df["value"] = vals
    return RegionalTable.from_frame(df)


@settings(max_examples=25)
@given(tables())
def test_reference_lq_is_one_for_every_sector(t):
    ref = t.regions[0]
    lq = location_quotient(t, ref, ref, t.years[-1])
    np.testing.assert_allclose(lq["lq"], 1.0, rtol=1e-12)


@settings(max_examples=25)
@given(tables())
def test_lq_of_the_aggregate_is_one_when_reference_is_the_sum(t):
    # the weighted mean of the regions' LQs, weighted by their totals, is 1 for each sector
    lq = location_quotient(t, None, None, t.years[0])
    w = lq.groupby("region")["value"].transform("sum")
    tot = lq.assign(w=w).groupby("sector").apply(lambda g: (g["lq"] * g["w"]).sum() / g["w"].sum(),
                                                 include_groups=False)
    np.testing.assert_allclose(tot, 1.0, rtol=1e-9)


@settings(max_examples=25)
@given(tables(), st.floats(min_value=1e-3, max_value=1e4))
def test_lq_invariant_to_unit(t, k):
    scaled = RegionalTable.from_frame(t.data.assign(value=t.data["value"] * k))
    a = location_quotient(t, t.regions[1], t.regions[0], t.years[0])["lq"].to_numpy()
    b = location_quotient(scaled, t.regions[1], t.regions[0], t.years[0])["lq"].to_numpy()
    np.testing.assert_allclose(a, b, rtol=1e-9)


@settings(max_examples=25)
@given(tables(), st.sampled_from(["classic", "esteban_marquillas", "arcelus"]))
def test_shift_share_components_add_up(t, method):
    ss = shift_share(t, None, t.regions[0], t.years[0], t.years[-1], method=method)
    parts = ss["national_share"] + ss["industry_mix"] + ss["competitive_shift"]
    scale = max(1.0, float(np.abs(ss[["change", "national_share", "industry_mix", "competitive_shift"]]).max().max()))
    np.testing.assert_allclose(parts, ss["change"], atol=1e-9 * scale)
    if method == "esteban_marquillas":
        np.testing.assert_allclose(ss["competitive_effect"] + ss["allocation_effect"], ss["competitive_shift"],
                                   atol=1e-9 * scale)
    if method == "arcelus":
        np.testing.assert_allclose(ss["regional_growth"] + ss["regional_industry_mix"], ss["competitive_shift"],
                                   atol=1e-9 * scale)
    # summed over the sectors the industry-mix of the reference itself is 0 and its change is all national share
    self_ss = shift_share(t, t.regions[0], t.regions[0], t.years[0], t.years[-1], method=method)
    assert abs(self_ss["industry_mix"].sum()) <= 1e-6 * scale
    np.testing.assert_allclose(self_ss["competitive_shift"], 0.0, atol=1e-9 * scale)


@settings(max_examples=25)
@given(tables(years=(3, 4)), st.sampled_from(["mean", "cagr"]))
def test_dlq_of_the_reference_is_one(t, growth):
    ref = t.regions[0]
    d = dynamic_lq(t, ref, ref, t.years[0], t.years[-1], growth=growth)
    np.testing.assert_allclose(d["dlq"], 1.0, rtol=1e-9)


@settings(max_examples=25)
@given(tables())
def test_krugman_of_a_region_with_itself_is_zero_and_bounds_hold(t):
    ref = t.regions[0]
    s = specialization(t, ref, ref).iloc[0]
    assert abs(s["krugman"]) < 1e-12
    all_ = specialization(t, None, ref)
    assert ((all_["krugman"] >= 0) & (all_["krugman"] <= 2 + 1e-12)).all()
    assert ((all_["herfindahl"] >= 1 / 17 - 1e-12) & (all_["herfindahl"] <= 1 + 1e-12)).all()


@settings(max_examples=15)
@given(tables(years=(3, 4)), st.sampled_from(["classic", "esteban_marquillas", "arcelus"]))
def test_dynamic_shift_share_adds_up_to_the_whole_change(t, method):
    d = dynamic_shift_share(t, None, t.regions[0], t.years[0], t.years[-1], method=method)
    whole = shift_share(t, None, t.regions[0], t.years[0], t.years[-1], method=method)
    # rounding follows the components' size, which may be large while the change is 0
    scale = max(1.0, float(np.abs(d[["change", "national_share", "industry_mix", "competitive_shift"]]).max().max()))
    np.testing.assert_allclose(d["change"], whole["change"], atol=1e-9 * scale)
    np.testing.assert_allclose(d["national_share"] + d["industry_mix"] + d["competitive_shift"], d["change"],
                               atol=1e-9 * scale)
