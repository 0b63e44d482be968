"""Composite regional potential: normalisation, weights (direct, AHP), missing components, ranking, CLI, docs."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kawasan.cli.main import cli
from kawasan.economics import potential as pt
from kawasan.economics import readiness as rd
from kawasan.errors import InconsistentJudgementsError, InputError, TableError, WeightsError

ROOT = Path(__file__).resolve().parents[1]


def make_readiness(values: dict[str, list], n: int | None = None) -> rd.ReadinessResult:
    n = n or len(next(iter(values.values())))
    regions = [rd.Region(f"35{i + 1:02d}", f"Kabupaten R{i + 1}", "kabupaten") for i in range(n)]
    df = pd.DataFrame(values, index=pd.Index([r.code for r in regions], name="code"), dtype=float)
    return rd.ReadinessResult(regions, df)


# -- normalisation ----------------------------------------------------------------------------------
def test_minmax_benefit_and_cost():
    x = pd.Series([10.0, 20.0, 30.0, np.nan])
    assert pt.normalise(x, "benefit").tolist()[:3] == [0.0, 0.5, 1.0]
    assert pt.normalise(x, "cost").tolist()[:3] == [1.0, 0.5, 0.0]
    assert np.isnan(pt.normalise(x, "benefit").iloc[3])
    assert pt.normalise(pd.Series([5.0, 5.0]), "benefit").tolist() == [1.0, 1.0]


def test_zscore():
    z = pt.normalise(pd.Series([1.0, 2.0, 3.0]), "benefit", "zscore")
    assert z.tolist() == pytest.approx([-1.224744871, 0.0, 1.224744871])
    assert pt.normalise(pd.Series([1.0, 2.0, 3.0]), "cost", "zscore").tolist() == pytest.approx((-z).tolist())
    assert pt.normalise(pd.Series([4.0, 4.0]), "benefit", "zscore").tolist() == [0.0, 0.0]


def test_unknown_normalisation_and_direction():
    with pytest.raises(InputError, match="normalisation"):
        pt.normalise(pd.Series([1.0]), "benefit", "rank")
    with pytest.raises(InputError, match="direction"):
        pt.normalise(pd.Series([1.0]), "up")


VALUES = st.lists(st.floats(min_value=0.001, max_value=1e6, allow_nan=False), min_size=3, max_size=12)


@given(ipm=VALUES, scale=st.floats(min_value=0.01, max_value=1000.0), seed=st.integers(0, 10_000))
def test_properties_of_the_composite(ipm, scale, seed):
    n = len(ipm)
    rng = np.random.default_rng(seed)
    pdist = rng.uniform(1, 100, n)
    res = pt.compute_potential(make_readiness({"ipm": ipm, "port_distance": pdist}))
    t = res.table
    assert t["score"].between(-1e-12, 1 + 1e-12).all()
    contrib = t[[f"{k}__contrib" for k in res.scored]].sum(axis=1)
    assert np.allclose(contrib, t["score"])                          # contributions add up to the score
    assert sorted(t["rank"].astype(int)) == sorted(t["score"].rank(ascending=False, method="min").astype(int))
    # a change of unit (e.g. km -> m) does not change the scores
    res2 = pt.compute_potential(make_readiness({"ipm": ipm, "port_distance": pdist * scale}))
    assert np.allclose(res.table.set_index("code")["score"], res2.table.set_index("code")["score"].reindex(
        res.table["code"]), atol=1e-9)
    # the order of the regions in the input does not change any region's rank
    perm = rng.permutation(n)
    rr = make_readiness({"ipm": np.asarray(ipm)[perm], "port_distance": pdist[perm]})
    rr.regions = [rd.Region(f"35{i + 1:02d}", f"Kabupaten R{i + 1}", "kabupaten") for i in perm]
    rr.values.index = pd.Index([r.code for r in rr.regions], name="code")
    res3 = pt.compute_potential(rr)
    assert res.table.set_index("code")["rank"].equals(res3.table.set_index("code")["rank"].reindex(
        res.table["code"]))


def test_hand_computed_score_and_rank():
    r = make_readiness({"ipm": [60, 70, 80], "port_distance": [10, 30, 20]})
    res = pt.compute_potential(r, weights=pt.direct_weights({"ipm": 3, "port_distance": 1}))
    s = res.table.set_index("code")["score"]
    assert s["3501"] == pytest.approx(0.75 * 0.0 + 0.25 * 1.0)
    assert s["3502"] == pytest.approx(0.75 * 0.5 + 0.25 * 0.0)
    assert s["3503"] == pytest.approx(0.75 * 1.0 + 0.25 * 0.5)
    assert res.table["region"].tolist() == ["Kabupaten R3", "Kabupaten R2", "Kabupaten R1"]
    assert res.table["rank"].tolist() == [1, 2, 3]
    assert res.weights == {"ipm": 0.75, "port_distance": 0.25}


def test_ties_share_the_better_rank():
    res = pt.compute_potential(make_readiness({"ipm": [70, 70, 60]}))
    assert sorted(res.table["rank"].tolist()) == [1, 1, 3]


def test_missing_components_renormalise_or_worst_and_coverage():
    r = make_readiness({"ipm": [60, 70, 80, 90], "road_access": [0.2, np.nan, np.nan, 0.8]})
    ren = pt.compute_potential(r).table.set_index("code")
    assert ren.loc["3502", "score"] == pytest.approx(1 / 3)          # IPM alone, rescaled
    assert ren.loc["3502", "coverage"] == pytest.approx(0.5)
    assert ren.loc["3502", "missing"] == ["road_access"]
    assert ren.loc["3501", "available"] == ["ipm", "road_access"]
    worst = pt.compute_potential(r, missing="worst").table.set_index("code")
    assert worst.loc["3502", "score"] == pytest.approx(0.5 * (1 / 3) + 0.5 * 0.0)
    strict = pt.compute_potential(r, min_coverage=0.75).table.set_index("code")
    assert pd.isna(strict.loc["3502", "rank"]) and "coverage 0.50" in strict.loc["3502", "unranked_reason"]
    assert strict["rank"].dropna().astype(int).tolist() == [1, 2]


def test_component_of_one_region_is_reported_not_scored():
    r = make_readiness({"ipm": [60, 70, 80], "sector_lq": [1.4, np.nan, np.nan]})
    res = pt.compute_potential(r)
    assert res.scored == ["ipm"]
    assert "only 1 region" in res.reported["sector_lq"]
    rec = res.records()[-1]
    assert rec["components"]["sector_lq"] == {"value": 1.4, "normalised": None, "weight": 0.0,
                                              "contribution": None, "scored": False}
    res2 = pt.compute_potential(r, weights=pt.direct_weights({"ipm": 1, "sector_lq": 1}))
    assert res2.weights == {"ipm": 1.0} and any("sector_lq has weight" in n for n in res2.notes)


def test_weight_stress_is_reproducible_and_consistent():
    r = make_readiness({"ipm": [90, 70, 71, 69, 50], "gdp_growth": [0.09, 0.031, 0.03, 0.032, 0.01]})
    res = pt.compute_potential(r)
    st = pt.weight_stress(res, n=400, seed=3, top_k=2)
    assert st == pt.weight_stress(pt.compute_potential(r), n=400, seed=3, top_k=2)
    assert st["concentration"] == pytest.approx(24.0)       # kawasan.spatial.sites.sensitivity's default for 2 weights
    reg = st["regions"]
    assert reg["3501"]["p_top_k"] == 1.0 and reg["3501"]["rank_max"] == 1      # far ahead on both components
    assert reg["3505"]["p_top_k"] == 0.0 and reg["3505"]["rank_min"] == 5
    assert any(0.0 < reg[c]["p_top_k"] < 1.0 for c in ("3502", "3503", "3504"))   # the close middle ones swap
    assert sum(v["p_top_k"] for v in reg.values()) == pytest.approx(2.0)      # k places in every draw
    for code, row in res.table.set_index("code").iterrows():
        assert reg[code]["rank_min"] <= row["rank"] <= reg[code]["rank_max"]
    rec = res.records()[0]
    assert rec["stability"] == reg[rec["code"]] and res.to_dict()["stress"]["n"] == 400
    with pytest.raises(InputError, match="top_k"):
        pt.weight_stress(res, top_k=0)


# -- weights ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("weights, match", [({"ipm": -1}, "finite number >= 0"), ({"ipm": "x"}, "expected a number"),
                                            ({"ipm": 0}, "all weights are zero"), ({"hdi": 1}, "unknown component"),
                                            ({}, "no weights")])
def test_bad_direct_weights(weights, match):
    with pytest.raises(WeightsError, match=match):
        pt.direct_weights(weights)


def test_weight_for_a_component_no_input_computes():
    with pytest.raises(WeightsError, match="road_access.*no input computes it"):
        pt.compute_potential(make_readiness({"ipm": [1, 2]}), weights=pt.direct_weights({"road_access": 1}))


def test_weights_files(tmp_path):
    (tmp_path / "w.json").write_text('{"ipm": 2, "gdp": 1}')
    (tmp_path / "w.yaml").write_text("ipm: 2\ngdp: 1\n")
    (tmp_path / "w.csv").write_text("component,weight\nipm,2\ngdp,1\n")
    for name in ("w.json", "w.yaml", "w.csv"):
        assert pt.read_weights_file(tmp_path / name).raw == {"ipm": 2.0, "gdp": 1.0}
    (tmp_path / "bad.csv").write_text("name,value\nipm,2\n")
    with pytest.raises(WeightsError, match="component,weight"):
        pt.read_weights_file(tmp_path / "bad.csv")
    (tmp_path / "bad.json").write_text("[1, 2]")
    with pytest.raises(WeightsError, match="mapping"):
        pt.read_weights_file(tmp_path / "bad.json")


CONSISTENT = "x,ipm,gdp,port_distance\nipm,1,2,4\ngdp,1/2,1,2\nport_distance,1/4,1/2,1\n"
INCONSISTENT = "x,ipm,gdp,port_distance\nipm,1,9,1/9\ngdp,1/9,1,9\nport_distance,9,1/9,1\n"


def test_ahp_weights_and_consistency(tmp_path):
    (tmp_path / "ok.csv").write_text(CONSISTENT)
    ws = pt.ahp_weights_from_csv(tmp_path / "ok.csv")
    assert ws.method == "ahp" and ws.ahp["cr"] == pytest.approx(0.0, abs=1e-9)
    assert ws.raw["ipm"] == pytest.approx(4 / 7) and ws.raw["port_distance"] == pytest.approx(1 / 7)
    (tmp_path / "bad.csv").write_text(INCONSISTENT)
    with pytest.raises(InconsistentJudgementsError, match="CR = .* exceeds 0.1"):
        pt.ahp_weights_from_csv(tmp_path / "bad.csv")
    ws2 = pt.ahp_weights_from_csv(tmp_path / "bad.csv", allow_inconsistent=True)
    assert ws2.ahp["cr"] > 0.1 and not ws2.ahp["consistent"]
    (tmp_path / "unknown.csv").write_text("x,ipm,hdi\nipm,1,2\nhdi,1/2,1\n")
    with pytest.raises(WeightsError, match="unknown component"):
        pt.ahp_weights_from_csv(tmp_path / "unknown.csv")


# -- sector components from a RegionalTable --------------------------------------------------------
def synthetic_sector_table(years=range(2018, 2024), regions=("Kabupaten Probolinggo", "Kota Probolinggo",
                                                              "Kabupaten Atlantis")):
    """SYNTHETIC PDRB by 17 sectors: regions growing at sector-specific rates; Jawa Timur is their sum x 3."""
    from kawasan.economics.sectors import SECTORS_17
    from kawasan.economics.tables import RegionalTable

    rng = np.random.default_rng(7)
    rows = []
    for y in years:
        tot = {}
        for k, r in enumerate(regions):
            for i, s in enumerate(SECTORS_17):
                v = (100 + i * 10 + 50 * rng.random()) * (1.03 + 0.004 * i + 0.01 * k) ** (y - years[0]) * (1 + k)
                rows.append((r, s.code, y, v))
                tot[s.code] = tot.get(s.code, 0.0) + 3 * v
        rows += [("Jawa Timur", c, y, v) for c, v in tot.items()]
    return RegionalTable.from_frame(pd.DataFrame(rows, columns=["region", "sector", "year", "value"]),
                                    unit="billion IDR", price_basis="ADHK2010", source="synthetic")


def test_sector_components_match_regions_and_report_unknown():
    from kawasan.economics.indicators import location_quotient

    table = synthetic_sector_table()
    gaz = rd.Gazetteer.from_frame(pd.DataFrame({"kode": ["3513", "3574"], "nama": ["Probolinggo", "Kota Probolinggo"]}),
                                  code="kode", name="nama")
    sc = pt.sector_components(table, gaz, sector="C")
    assert sc.unmatched == ["Kabupaten Atlantis"]
    lq = location_quotient(table, "Kabupaten Probolinggo", "Jawa Timur", 2023)
    assert sc.values.loc["3513", "sector_lq"] == pytest.approx(lq.set_index("sector").loc["C", "lq"])
    d = table.data.query("region == 'Kota Probolinggo' and year == 2023")
    assert sc.values.loc["3574", "sector_share"] == pytest.approx(d.query("sector == 'C'")["value"].item()
                                                                  / d["value"].sum())
    assert set(sc.values.columns) == {"sector_lq", "sector_share", "sector_dlq"}
    assert sc.meta["sector_dlq"]["period"] == [2018, 2023]
    with pytest.raises(TableError, match="no sector 'Z'"):
        pt.sector_components(table, gaz, sector="Z")
    assert pt.sector_components(table, gaz, year=2030).meta["sector_lq"]["year"] == 2023   # latest before
    with pytest.raises(TableError, match="no year 2010 or earlier"):
        pt.sector_components(table, gaz, year=2010)


# -- CLI --------------------------------------------------------------------------------------------
def real_args(shared_data, *extra):
    eco = shared_data / "economy"
    return ["economy", "potential", "--boundaries", str(shared_data / "boundaries" / "jatim_kabkota.geojson"),
            "--pdrb", str(eco / "pdrb_total_jatim_2010_2023.csv"),
            "--population", str(eco / "population_jatim_2010_2023_long.csv"),
            "--ipm", str(eco / "ipm_jatim_long.csv"), *extra]


def test_cli_potential_real_east_java_json(runner, shared_data, tmp_path):
    eco = shared_data / "economy"
    res = runner.invoke(cli, real_args(shared_data, "--sectors", str(eco / "pdrb_17sector_2023_long.csv"),
                                       "--ports", str(shared_data / "places" / "ports_kemenhub_2017.geojson"),
                                       "--map", str(tmp_path / "m.svg"), "--json"))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    recs = doc["records"]
    assert len(recs) == 38 and sorted(r["rank"] for r in recs) == list(range(1, 39))
    assert recs[0]["score"] >= recs[-1]["score"]
    prob = next(r for r in recs if r["code"] == "3513")
    assert prob["region"] == "Kabupaten Probolinggo"
    assert set(prob["components"]) == {"gdp", "gdp_growth", "gdp_per_capita", "population", "ipm", "port_distance",
                                       "sector_lq", "sector_share"}
    raw = pd.read_csv(eco / "pdrb_17sector_2023_long.csv").pivot(index="sector", columns="region", values="value")
    share = raw.loc["C"] / raw.sum()
    lq = share["Kabupaten Probolinggo"] / share["Jawa Timur"]           # computed here from the file, by hand
    assert prob["components"]["sector_lq"]["value"] == pytest.approx(lq, rel=1e-9)
    assert prob["components"]["sector_share"]["value"] == pytest.approx(share["Kabupaten Probolinggo"], rel=1e-9)
    assert prob["components"]["sector_lq"]["scored"] is False
    assert "sector_lq" in prob["available"]
    surabaya = next(r for r in recs if r["code"] == "3578")
    assert "sector_lq" not in surabaya["available"]             # which components each region had
    comps = {c["id"]: c for c in doc["components"]}
    assert comps["ipm"]["method"] == "lf_sp2020" and comps["sector_lq"]["regions_with_value"] == 1
    assert doc["weights"]["method"] == "equal" and doc["unmatched"] == {}
    svg = (tmp_path / "m.svg").read_text()
    assert svg.count("<path") == 38 and "<title>Kabupaten Probolinggo (#" in svg


def test_cli_potential_table_and_indonesian(runner, shared_data):
    res = runner.invoke(cli, ["--lang", "id"] + real_args(shared_data, "--top", "5", "--kind", "kabupaten",
                                                          "--stress", "200"))
    assert res.exit_code == 0, res.output
    assert "Potensi wilayah" in res.output and "Peringkat" in res.output and "P(5 teratas)" in res.output
    assert "Kota Surabaya" not in res.output


def test_cli_potential_ahp_and_inconsistent(runner, shared_data, tmp_path):
    (tmp_path / "ok.csv").write_text(CONSISTENT.replace("port_distance", "gdp_growth"))
    res = runner.invoke(cli, real_args(shared_data, "--ahp", str(tmp_path / "ok.csv"), "--json"))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["weights"]["method"] == "ahp"
    assert {c["id"]: c["weight"] for c in doc["components"] if c["scored"]} == pytest.approx(
        {"ipm": 4 / 7, "gdp": 2 / 7, "gdp_growth": 1 / 7})
    (tmp_path / "bad.csv").write_text(INCONSISTENT)
    res = runner.invoke(cli, real_args(shared_data, "--ahp", str(tmp_path / "bad.csv"), "--json"))
    assert res.exit_code == 2
    assert json.loads(res.stdout)["error"] == "InconsistentJudgementsError"


@pytest.mark.parametrize("extra, match", [
    (["--weight", "ipm=-2"], "finite number >= 0"),
    (["--weight", "ipm"], "COMPONENT=WEIGHT"),
    (["--weight", "ipm=1", "--weights", "w.json"], "one way only"),
    (["--weight", "road_access=1"], "no input computes it"),
    (["--study-area", "nowhere"], "REGION=PATH"),
    (["--map", "m.jpg"], "expected .svg or .png"),
    (["--report", "r.pdf"], "expected .html"),
    (["--ipm-method", "undp"], "IPM method 'undp'"),
    (["--min-coverage", "2"], r"--min-coverage.*not in the range 0.0<=x<=1.0"),
    (["--stress", "-5"], r"--stress.*not in the range 0<=x<=1000000"),
])
def test_cli_potential_bad_input_exits_2_and_writes_nothing(runner, shared_data, tmp_path, extra, match):
    extra = [str(tmp_path / e) if e.endswith((".jpg", ".pdf", ".json")) else e for e in extra]
    out = tmp_path / ("ok.html" if "--map" in extra else "ok.svg")
    res = runner.invoke(cli, real_args(shared_data, *extra, "--report" if "--map" in extra else "--map", str(out)))
    assert res.exit_code == 2, res.output
    assert re.search(match, res.output), res.output
    assert not out.exists() and not list(tmp_path.glob(".*tmp*"))


def test_cli_potential_needs_regions_and_data(runner, tmp_path):
    res = runner.invoke(cli, ["economy", "potential", "--ipm", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "--boundaries" in res.output
    p = tmp_path / "pdrb.csv"
    p.write_text("kode_bps,nama,tahun,harga,komponen,nilai_juta_rp\n3501,Pacitan,2023,ADHK2010,PDRB,-1\n")
    res = runner.invoke(cli, ["economy", "potential", "--pdrb", str(p)])
    assert res.exit_code == 2 and "Pacitan" in res.output and "2023" in res.output
    res = runner.invoke(cli, ["economy", "potential", "--pdrb", str(p), "--map", str(tmp_path / "m.svg")])
    assert res.exit_code == 2 and "--map needs --boundaries" in res.output


def test_cli_potential_png_map_and_synthetic_pdrb_without_boundaries(runner, tmp_path):
    p = tmp_path / "pdrb.csv"
    rows = ["kode_bps,nama,tahun,harga,komponen,nilai_juta_rp"]
    for code, name, a, b in ((3501, "Pacitan", 100, 130), (3502, "Ponorogo", 200, 220), (3571, "Kota Kediri", 50, 80)):
        rows += [f"{code},{name},2018,ADHK2010,PDRB,{a}", f"{code},{name},2023,ADHK2010,PDRB,{b}"]
    p.write_text("\n".join(rows) + "\n")
    res = runner.invoke(cli, ["economy", "potential", "--pdrb", str(p), "--weight", "gdp_growth=1", "--json"])
    assert res.exit_code == 0, res.output
    recs = json.loads(res.stdout)["records"]
    assert [r["region"] for r in recs] == ["Kota Kediri", "Kabupaten Pacitan", "Kabupaten Ponorogo"]
    assert recs[0]["components"]["gdp"]["scored"] is False and recs[0]["components"]["gdp"]["weight"] == 0.0


# -- documentation checked against the code ----------------------------------------------------------
def test_reference_doc_lists_every_component_field_and_option():
    text = (ROOT / "docs" / "reference" / "potential.md").read_text()
    documented = set(re.findall(r"`([a-z_]+)`", text))
    missing = [k for k in rd.INDICATORS if k not in documented]
    assert not missing, f"components not documented in docs/reference/potential.md: {missing}"
    r = make_readiness({"ipm": [60, 70]})
    res = pt.compute_potential(r)
    pt.weight_stress(res, n=10)
    rec = res.records()[0]
    fields = set(rec) | set(rec["components"]["ipm"]) | set(res.to_dict()) | set(res.components()[0])
    missing = sorted(f for f in fields if f not in documented)
    assert not missing, f"JSON fields not documented in docs/reference/potential.md: {missing}"
    for key in rd.IPM_METHODS:
        assert f"`{key}`" in text
    for n in pt.NORMALISATIONS + pt.MISSING_RULES:
        assert f"`{n}`" in text
    from kawasan.cli.economy_potential import potential_cmd, report_cmd
    opts = {o for cmd in (potential_cmd, report_cmd) for p in cmd.params for o in p.opts if o.startswith("--")}
    missing = sorted(o for o in opts if f"`{o}" not in text)
    assert not missing, f"CLI options not documented in docs/reference/potential.md: {missing}"
    # every documented component id (in the components table) exists
    section = text.split("## Components", 1)[1].split("### IPM series", 1)[0]
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", section, flags=re.M))
    assert listed == set(rd.INDICATORS), listed ^ set(rd.INDICATORS)
    for k in listed:
        row = next(line for line in section.splitlines() if line.startswith(f"| `{k}` |"))
        assert row.split("|")[2].strip() == rd.INDICATORS[k].direction, f"direction of {k} differs in the doc"
    json_section = text.split("## JSON", 1)[1].split("## Python", 1)[0]
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", json_section, flags=re.M))
    real = set(res.to_dict()) | set(rec) | {"written"}
    assert listed and listed <= real, f"documented JSON fields that do not exist: {listed - real}"


def test_cli_scores_the_sector_when_the_table_covers_several_regions(runner, tmp_path):
    """SYNTHETIC tables: a sector table of two East Java regions and PDRB totals of three."""
    table = synthetic_sector_table(regions=("Kabupaten Probolinggo", "Kota Probolinggo"))
    d = table.data.assign(unit="billion IDR", price_basis="ADHK2010")
    d.to_csv(tmp_path / "sectors.csv", index=False)
    tot = d.groupby(["region", "year"], as_index=False)["value"].sum()
    tot = tot[tot["region"] != "Jawa Timur"]
    tot = pd.concat([tot, pd.DataFrame({"region": ["Kabupaten Pacitan"] * 2, "year": [2018, 2023],
                                        "value": [900.0, 1000.0]})])
    tot.assign(code=tot["region"].map({"Kabupaten Probolinggo": 3513, "Kota Probolinggo": 3574,
                                       "Kabupaten Pacitan": 3501}))[["code", "region", "year", "value"]] \
        .rename(columns={"code": "kode_bps", "region": "nama"}).to_csv(tmp_path / "pdrb.csv", index=False)
    res = runner.invoke(cli, ["economy", "potential", "--pdrb", str(tmp_path / "pdrb.csv"), "--sectors",
                              str(tmp_path / "sectors.csv"), "--weight", "sector_lq=1", "--weight", "gdp_growth=1",
                              "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    comps = {c["id"]: c for c in doc["components"]}
    assert comps["sector_lq"]["scored"] and comps["sector_lq"]["regions_with_value"] == 2
    assert comps["sector_dlq"]["scored"] is False and comps["sector_dlq"]["weight"] == 0.0
    pac = next(r for r in doc["records"] if r["code"] == "3501")
    assert pac["missing"] == ["sector_lq"] and pac["coverage"] == 0.5
    lqs = {r["code"]: r["components"]["sector_lq"]["normalised"] for r in doc["records"]}
    assert sorted(v for v in lqs.values() if v is not None) == [0.0, 1.0]


def test_cli_potential_reference_total_and_output_folders(runner, tmp_path):
    """SYNTHETIC tables: the sector components say which total they were measured against; --map and --report
    create their folder, and a file standing where the folder should be is exit 2."""
    table = synthetic_sector_table(regions=("Kabupaten Probolinggo", "Kota Probolinggo"))
    table.data.assign(unit="billion IDR", price_basis="ADHK2010").to_csv(tmp_path / "sectors.csv", index=False)
    tot = table.data.groupby(["region", "year"], as_index=False)["value"].sum()
    tot = tot[tot["region"] != "Jawa Timur"]
    tot.assign(kode_bps=tot["region"].map({"Kabupaten Probolinggo": 3513, "Kota Probolinggo": 3574})) \
        .rename(columns={"region": "nama"})[["kode_bps", "nama", "year", "value"]].to_csv(tmp_path / "pdrb.csv",
                                                                                         index=False)
    args = ["economy", "potential", "--pdrb", str(tmp_path / "pdrb.csv"), "--sectors", str(tmp_path / "sectors.csv")]
    for total in ("sectors", "gdp"):
        res = runner.invoke(cli, args + ["--reference-total", total, "--json", "--report",
                                         str(tmp_path / total / "sub" / "r.html")])
        assert res.exit_code == 0, res.output
        comps = {c["id"]: c for c in json.loads(res.stdout)["components"]}
        assert comps["sector_lq"]["reference_total"] == total
        assert (tmp_path / total / "sub" / "r.html").exists()
    human = runner.invoke(cli, ["--lang", "id"] + args)
    assert "Komponen sektor (LQ, DLQ, kontribusi). Total acuan: jumlah 17 lapangan usaha" in human.output
    (tmp_path / "blocked").write_text("a file")
    res = runner.invoke(cli, args + ["--report", str(tmp_path / "blocked" / "r.html")])
    assert res.exit_code == 2 and "cannot create the folder" in res.output and "--report" in res.output


def test_a_manufacturing_subsector_can_be_the_sector():
    """SYNTHETIC: tobacco products (C.3) as 30 % of manufacturing in every region: its LQ equals C's."""
    from kawasan.economics.tables import RegionalTable

    base = synthetic_sector_table(regions=("Kabupaten Probolinggo", "Kota Probolinggo"))
    sub = base.data[base.data["sector"] == "C"].assign(sector="C.3", value=lambda d: d["value"] * 0.3)
    table = RegionalTable.from_frame(pd.concat([base.data, sub]), unit="billion IDR", price_basis="ADHK2010",
                                     source="synthetic")
    gaz = rd.Gazetteer.from_frame(pd.DataFrame({"kode": ["3513", "3574"], "nama": ["Probolinggo", "Kota Probolinggo"]}),
                                  code="kode", name="nama")
    c = pt.sector_components(table, gaz, sector="C")
    c3 = pt.sector_components(table, gaz, sector="C.3")
    assert np.allclose(c3.values["sector_lq"], c.values["sector_lq"])
    assert np.allclose(c3.values["sector_share"], 0.3 * c.values["sector_share"])    # share of the 17-sector total
    assert c3.meta["sector_lq"]["sector"] == "C.3"


def test_one_region_cannot_be_ranked_and_says_so(runner, tmp_path):
    # one region gave "default: equal weights for every scored component: ... no component can be scored"
    with pytest.raises(InputError, match=r"1 region\(s\) to rank \('Kabupaten R1'\).*at least 2"):
        pt.compute_potential(make_readiness({"ipm": [70.0], "gdp_growth": [0.03]}))
    f = tmp_path / "one.csv"
    f.write_text("kode_bps,nama,tahun,harga,komponen,nilai_juta_rp\n"
                 "3513,Probolinggo,2022,ADHK2010,PDRB,100\n3513,Probolinggo,2023,ADHK2010,PDRB,110\n")
    r = runner.invoke(cli, ["economy", "potential", "--pdrb", str(f)])
    assert r.exit_code == 2 and "at least 2 are needed" in r.output


def test_sector_table_with_both_price_bases_uses_the_price_basis_option(runner, shared_data, tmp_path):
    # the "mixed price bases" error told the user to pass --price-basis, which the sector table ignored
    eco = shared_data / "economy"
    d = pd.read_csv(eco / "pdrb_17sector_2023_long.csv")
    f = tmp_path / "both.csv"
    pd.concat([d, d.assign(price_basis="ADHB", value=d["value"] * 1.6)]).to_csv(f, index=False)
    args = ["economy", "potential", "--boundaries", str(shared_data / "boundaries" / "jatim_kabkota.geojson"),
            "--pdrb", str(eco / "pdrb_total_jatim_2010_2023.csv"), "--sectors", str(f), "--json"]
    r = runner.invoke(cli, args)
    assert r.exit_code == 0, r.output
    lq = {c["id"]: c for c in json.loads(r.output)["components"]}["sector_lq"]
    assert lq["regions_with_value"] == 1
    r = runner.invoke(cli, args + ["--price-basis", "ADHB"])
    assert r.exit_code == 0, r.output


def test_cli_potential_table_matching_no_region_is_named_not_a_traceback(runner, shared_data, tmp_path):
    """An IPM table of other regions (here: made-up names) matches nothing: a clear error, exit 2."""
    ipm = tmp_path / "ipm_other.csv"
    ipm.write_text("kode_bps,nama,tahun,metode,ipm\n9901,Kabupaten Entah,2023,baru,70.1\n"
                   "9902,Kabupaten Lain,2023,baru,71.2\n", encoding="utf-8")
    eco = shared_data / "economy"
    res = runner.invoke(cli, ["economy", "potential", "--boundaries",
                              str(shared_data / "boundaries" / "jatim_kabkota.geojson"),
                              "--pdrb", str(eco / "pdrb_total_jatim_2010_2023.csv"), "--ipm", str(ipm),
                              "--map", str(tmp_path / "m.svg")])
    assert res.exit_code == 2, res.output
    assert "ipm_other.csv" in res.output and "matches a region" in res.output and "Kabupaten Entah" in res.output
    assert "Traceback" not in res.output and not (tmp_path / "m.svg").exists()
