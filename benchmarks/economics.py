#!/usr/bin/env python3
"""Sectoral-indicator benchmark: kawasan.economics vs plain pandas, on 514 regencies x 17 sectors x 14 years.

The PyPI package ``shiftshare`` is the named peer; it is not installed in the project venv (and nothing may be
installed there), so the peers are two plain pandas implementations written here, each checked to give the
same numbers as kawasan:

* **pandas groupby**: the straightforward vectorised way (merge/groupby/transform on the long table);
* **per-region loop**: the naive way (filter the long table for one region, compute, concatenate), run on a
  sample of regions and scaled to all of them (said so in the output).

The data is SYNTHETIC (seeded, labelled so): 514 regencies ("Kabupaten Sintetis 001" ...), 17 BPS sectors,
2010..2023, lognormal sector sizes with region-specific growth. The reference is the sum of all regencies
(the nation). One run; the machine is printed.

Run:  .venv/bin/python benchmarks/economics.py [--regions 514] [--years 14] [--loop-sample 40]
"""
from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

from kawasan.economics import (
    average_growth, dynamic_lq, dynamic_shift_share, hoover_localization, klassen_regional, klassen_sectoral, location_quotient,
    lq_quadrant, shift_share, specialization,
)
from kawasan.economics.sectors import SECTOR_CODES
from kawasan.economics.tables import RegionalTable
from machine import describe  # benchmarks/machine.py


def machine() -> str:
    return f"{describe()}; pandas {pd.__version__}"


def synthetic(n_regions: int, n_years: int, seed: int = 2010) -> pd.DataFrame:
    """SYNTHETIC PDRB-like table: region, sector, year, value (billion IDR, constant prices)."""
    rng = np.random.default_rng(seed)
    regions = [f"Kabupaten Sintetis {i:03d}" for i in range(1, n_regions + 1)]
    years = np.arange(2010, 2010 + n_years)
    base = rng.lognormal(mean=6.0, sigma=1.3, size=(n_regions, 17))
    growth = rng.normal(0.05, 0.03, size=(n_regions, 17))
    noise = rng.normal(0.0, 0.02, size=(n_regions, n_years, 17))
    t = (years - years[0])[None, :, None]
    vals = base[:, None, :] * np.exp(growth[:, None, :] * t + noise)
    idx = pd.MultiIndex.from_product([regions, years, SECTOR_CODES], names=["region", "year", "sector"])
    df = pd.DataFrame({"value": np.round(vals.reshape(-1), 2)}, index=idx).reset_index()
    return df[["region", "sector", "year", "value"]]


def timed(fn, *a, **kw):
    t0 = time.perf_counter()
    out = fn(*a, **kw)
    return out, time.perf_counter() - t0


def timed_median(fn, repeat):
    """(result, median wall time of ``repeat`` calls)."""
    times = []
    for _ in range(repeat):
        out, t = timed(fn)
        times.append(t)
    return out, float(np.median(times))


# ----------------------------------------------------------------------------------------------- pandas peers


def pd_lq(df, year):
    d = df[df["year"] == year]
    tot = d.groupby("region")["value"].transform("sum")
    ref_s = d.groupby("sector")["value"].sum()
    ref = ref_s / ref_s.sum()
    return d.assign(lq=(d["value"] / tot) / d["sector"].map(ref))[["region", "sector", "lq"]]


def loop_lq(df, year, regions):
    d = df[df["year"] == year]
    ref_s = d.groupby("sector")["value"].sum()
    ref = ref_s / ref_s.sum()
    out = []
    for r in regions:
        x = d[d["region"] == r]
        out.append(pd.DataFrame({"region": r, "sector": x["sector"].to_numpy(),
                                 "lq": (x["value"] / x["value"].sum()).to_numpy() / x["sector"].map(ref).to_numpy()}))
    return pd.concat(out)


def pd_shift(df, start, end):
    a = df[df["year"] == start].set_index(["region", "sector"])["value"]
    b = df[df["year"] == end].set_index(["region", "sector"])["value"]
    na, nb = a.groupby("sector").sum(), b.groupby("sector").sum()
    r_n = nb.sum() / na.sum() - 1
    r_in = (nb / na - 1).reindex(a.index, level="sector")
    r_ir = b / a - 1
    out = pd.DataFrame({"change": b - a, "national_share": a * r_n, "industry_mix": a * (r_in - r_n),
                        "competitive_shift": a * (r_ir - r_in)})
    return out.reset_index()


def loop_shift(df, start, end, regions):
    a_all = df[df["year"] == start]
    b_all = df[df["year"] == end]
    na, nb = a_all.groupby("sector")["value"].sum(), b_all.groupby("sector")["value"].sum()
    r_n = nb.sum() / na.sum() - 1
    out = []
    for r in regions:
        a = a_all[a_all["region"] == r].set_index("sector")["value"]
        b = b_all[b_all["region"] == r].set_index("sector")["value"]
        r_in = nb / na - 1
        out.append(pd.DataFrame({"region": r, "change": b - a, "national_share": a * r_n,
                                 "industry_mix": a * (r_in - r_n), "competitive_shift": a * (b / a - 1 - r_in)}))
    return pd.concat(out)


def pd_dlq(df, start, end):
    d = df[(df["year"] >= start) & (df["year"] <= end)].sort_values(["region", "sector", "year"])
    g = d.groupby(["region", "sector"])["value"].pct_change()
    g_ir = d.assign(g=g).groupby(["region", "sector"])["g"].mean()
    tot = d.groupby(["region", "year"])["value"].sum().groupby("region").pct_change().groupby("region").mean()
    nat_s = d.groupby(["sector", "year"])["value"].sum().groupby("sector").pct_change().groupby("sector").mean()
    nat = d.groupby("year")["value"].sum().pct_change().mean()
    t = end - start
    num = ((1 + g_ir) / (1 + g_ir.index.get_level_values("region").map(tot).to_numpy())) ** t
    den = ((1 + g_ir.index.get_level_values("sector").map(nat_s).to_numpy()) / (1 + nat)) ** t
    return (num / den).rename("dlq").reset_index()


def loop_dlq(df, start, end, regions):
    d = df[(df["year"] >= start) & (df["year"] <= end)]
    nat_s = d.pivot_table(index="year", columns="sector", values="value", aggfunc="sum")
    nat = nat_s.sum(axis=1)
    gn_s, gn = nat_s.pct_change().mean(), nat.pct_change().mean()
    t = end - start
    out = []
    for r in regions:
        x = d[d["region"] == r].pivot(index="year", columns="sector", values="value")
        gr_s, gr = x.pct_change().mean(), x.sum(axis=1).pct_change().mean()
        dlq = ((1 + gr_s) / (1 + gr)) ** t / (((1 + gn_s) / (1 + gn)) ** t)
        out.append(pd.DataFrame({"region": r, "sector": dlq.index, "dlq": dlq.to_numpy()}))
    return pd.concat(out)


def pd_spec(df, year):
    d = df[df["year"] == year]
    s = d["value"] / d.groupby("region")["value"].transform("sum")
    ref_s = d.groupby("sector")["value"].sum()
    ref = d["sector"].map(ref_s / ref_s.sum())
    k = (s - ref).abs().groupby(d["region"]).sum()
    h = (s ** 2).groupby(d["region"]).sum()
    return pd.DataFrame({"krugman": k, "herfindahl": h}).reset_index()


def pd_klassen(df, start, end):
    d = df[(df["year"] >= start) & (df["year"] <= end)].sort_values(["region", "sector", "year"])
    share = d["value"] / d.groupby(["region", "year"])["value"].transform("sum")
    sh = share.groupby([d["region"], d["sector"]]).mean()
    g = d.groupby(["region", "sector"])["value"].pct_change().groupby([d["region"], d["sector"]]).mean()
    nat = d.groupby(["sector", "year"])["value"].sum()
    nat_share = (nat / nat.groupby("year").transform("sum")).groupby("sector").mean()
    nat_g = nat.groupby("sector").pct_change().groupby("sector").mean()
    sec = sh.index.get_level_values("sector")
    hi = sh.to_numpy() >= sec.map(nat_share).to_numpy()
    fast = g.to_numpy() >= sec.map(nat_g).to_numpy()
    q = np.where(hi & fast, "I", np.where(hi, "II", np.where(fast, "III", "IV")))
    return pd.DataFrame({"quadrant": q}, index=sh.index).reset_index()


def pd_growth(df, start, end):
    a = df[df["year"] == start].set_index(["region", "sector"])["value"]
    b = df[df["year"] == end].set_index(["region", "sector"])["value"]
    return ((b / a) ** (1 / (end - start)) - 1).rename("cagr").reset_index()


# ----------------------------------------------------------------------------------------------- run


def check(name, ours: pd.DataFrame, theirs: pd.DataFrame, cols, keys=("region", "sector")):
    m = ours.merge(theirs, on=list(keys), suffixes=("", "_peer"))
    assert len(m) == len(theirs), (name, len(m), len(theirs))
    worst = 0.0
    for c in cols:
        a, b = m[c].to_numpy(dtype=object), m[f"{c}_peer"].to_numpy(dtype=object)
        if not pd.api.types.is_numeric_dtype(m[c]) or not pd.api.types.is_numeric_dtype(m[f"{c}_peer"]):
            assert (a == b).all(), (name, int((a != b).sum()))
        else:
            worst = max(worst, float(np.nanmax(np.abs(m[c] - m[f"{c}_peer"]) / np.maximum(1.0, np.abs(m[c])))))
    assert worst < 1e-9, (name, worst)
    return worst


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", type=int, default=514)
    ap.add_argument("--years", type=int, default=14)
    ap.add_argument("--loop-sample", type=int, default=40,
                    help="regions timed in the per-region loop (scaled to all regions)")
    ap.add_argument("--repeat", type=int, default=7, help="calls per indicator and peer; the median is reported")
    args = ap.parse_args(argv)
    print(f"machine: {machine()}; load average at start {os.getloadavg()[0]:.1f}")
    try:
        import shiftshare  # noqa: F401
        print("shiftshare (PyPI) is importable but not wired in; peers below are plain pandas")
    except ImportError:
        print("shiftshare (PyPI) is not installed in the venv (nothing may be installed there): peers are plain "
              "pandas implementations written in this file")
    df, t_gen = timed(synthetic, args.regions, args.years)
    start, end = 2010, 2010 + args.years - 1
    print(f"SYNTHETIC data: {args.regions} regencies x 17 sectors x {args.years} years = {len(df):,} rows "
          f"(generated in {t_gen:.2f} s); reference = sum of all regencies; period {start}-{end}")
    import tempfile

    from kawasan.economics.tables import read_table

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "synthetic_pdrb.csv")
        df.to_csv(path, index=False)
        _, t_csv = timed(read_table, path)
        _, t_pdcsv = timed(pd.read_csv, path)
    print(f"read_table of the same table as a long CSV ({len(df):,} rows): "
          f"{t_csv:.2f} s (pandas.read_csv alone, no checks: {t_pdcsv:.2f} s)")
    table, t_val = timed(RegionalTable.from_frame, df)
    print(f"RegionalTable.from_frame (validation: sectors, numbers, duplicates, totals): {t_val:.2f} s")
    _, t_cube = timed(table.dense)
    print(f"dense cube (regions x years x sectors, built once per table, shared by all indicators): {t_cube:.3f} s")
    regions = table.regions
    sample = regions[:args.loop_sample]
    scale = len(regions) / len(sample)

    rows = []

    def bench(name, ours_fn, peer_fn, loop_fn=None, cols=(), keys=("region", "sector")):
        ours, t_ours = timed_median(ours_fn, args.repeat)
        peer, t_peer = timed_median(peer_fn, args.repeat)
        worst = check(name, ours, peer, cols, keys) if cols else 0.0
        t_loop = None
        if loop_fn is not None:
            lp, t_s = timed(loop_fn)
            check(name + " (loop)", ours, lp, cols, keys)
            t_loop = t_s * scale
        rows.append((name, t_ours, t_peer, t_loop, worst))

    bench("location quotient (1 year)", lambda: location_quotient(table, None, None, end),
          lambda: pd_lq(df, end), lambda: loop_lq(df, end, sample), cols=("lq",))
    bench("dynamic LQ (mean growth, 14 years)", lambda: dynamic_lq(table, None, None, start, end),
          lambda: pd_dlq(df, start, end), lambda: loop_dlq(df, start, end, sample), cols=("dlq",))
    bench("shift-share classic", lambda: shift_share(table, None, None, start, end),
          lambda: pd_shift(df, start, end), lambda: loop_shift(df, start, end, sample),
          cols=("change", "national_share", "industry_mix", "competitive_shift"))
    bench("shift-share Esteban-Marquillas", lambda: shift_share(table, None, None, start, end, "esteban_marquillas"),
          lambda: pd_shift(df, start, end), cols=("national_share", "industry_mix", "competitive_shift"))
    bench("shift-share Arcelus", lambda: shift_share(table, None, None, start, end, "arcelus"),
          lambda: pd_shift(df, start, end), cols=("national_share", "industry_mix", "competitive_shift"))
    bench("Klassen sectoral", lambda: klassen_sectoral(table, None, None, start, end),
          lambda: pd_klassen(df, start, end), cols=("quadrant",))
    bench("specialisation (Krugman, Herfindahl)", lambda: specialization(table, None, None, end),
          lambda: pd_spec(df, end), cols=("krugman", "herfindahl"), keys=("region",))
    bench("average growth (CAGR)", lambda: average_growth(table, start, end),
          lambda: pd_growth(df, start, end), cols=("cagr",))
    ours_only = []
    for name, fn in (("SLQ x DLQ quadrant", lambda: lq_quadrant(table, None, None, start, end)),
                     ("Klassen regional", lambda: klassen_regional(table, None, None, start, end)),
                     ("Hoover localisation", lambda: hoover_localization(table, end)),
                     ("dynamic shift-share (13 yearly steps, summed)",
                      lambda: dynamic_shift_share(table, None, None, start, end))):
        _, t = timed_median(fn, args.repeat)
        ours_only.append((name, t))

    print()
    print("| indicator | kawasan s | pandas groupby s | ratio | per-region loop s (scaled) | ratio | max rel. diff |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    tot_o = tot_p = 0.0
    for name, to, tp, tl, worst in rows:
        tot_o += to
        tot_p += tp
        loop = f"{tl:.2f} | {tl / to:.1f}x" if tl is not None else "- | -"
        print(f"| {name} | {to:.3f} | {tp:.3f} | {tp / to:.1f}x | {loop} | {worst:.1e} |")
    print(f"| **all of the above** | {tot_o:.3f} | {tot_p:.3f} | {tot_p / tot_o:.1f}x | | | |")
    e2e = t_val + t_cube + tot_o
    print(f"| **kawasan incl. validation and cube** | {e2e:.3f} | {tot_p:.3f} | {tot_p / e2e:.2f}x | | | |")
    print()
    for name, t in ours_only:
        print(f"kawasan only: {name}: {t:.3f} s")
    print(f"(ratio = peer time / kawasan time; median of {args.repeat} calls each, the per-region loop once, on "
          f"{len(sample)} of {len(regions)} regions, scaled by {scale:.1f}; load average at the end "
          f"{os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
