"""Readiness indicators: region matching, BPS table readers (PDRB totals, population, IPM), spatial proxies."""
from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from kawasan.economics import readiness as rd
from kawasan.errors import InputError, TableError, VectorError

REGIONS = pd.DataFrame({
    "kode": ["35.01", "35.13", "35.74", "35.78", "35.79", "35.06", "35.71"],
    "nama": ["Kabupaten Pacitan", "Kabupaten Probolinggo", "Kota Probolinggo", "Kota Surabaya", "Kota Batu",
             "Kabupaten Kediri", "Kota Kediri"],
})


@pytest.fixture
def gaz():
    return rd.Gazetteer.from_frame(REGIONS, code="kode", name="nama", reference="Jawa Timur")


def write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# -- matching -------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, code", [
    ("Kabupaten Probolinggo", "3513"), ("Kab. Probolinggo", "3513"), ("KAB PROBOLINGGO", "3513"),
    ("Probolinggo", "3513"),                      # bare name: the regency (BPS convention)
    ("Kota Probolinggo", "3574"), ("Probolinggo City", "3574"), ("Probolinggo Regency", "3513"),
    ("Surabaya", "3578"),                         # bare name without a regency of that name: the city
    ("Batu", "3579"), ("Kediri", "3506"), ("Kota Kediri", "3571"),
    ("35.13", "3513"), ("3513", "3513"), (3574, "3574"), (3574.0, "3574"),
])
def test_names_and_codes_match_one_region(gaz, text, code):
    assert gaz.match(text).code == code


@pytest.mark.parametrize("text", ["Kabupaten Surabaya", "Bandung", "3599", "", None, float("nan"), "Jawa Timur"])
def test_unknown_names_match_nothing(gaz, text):
    assert gaz.match(text) is None


def test_reference_region_is_recognised(gaz):
    assert gaz.is_reference("Jawa Timur")
    assert gaz.is_reference("Provinsi Jawa Timur")
    assert not gaz.is_reference("Kota Surabaya")


def test_bare_names_get_their_kind_from_the_code():
    g = rd.Gazetteer.from_frame(pd.DataFrame({"kode_bps": [3513, 3574], "nama": ["Probolinggo", "Kota Probolinggo"]}),
                                code="kode_bps", name="nama")
    assert [(r.name, r.kind) for r in g.regions] == [("Kabupaten Probolinggo", "kabupaten"),
                                                     ("Kota Probolinggo", "kota")]


def test_bad_code_in_the_region_list_is_refused():
    with pytest.raises(InputError, match="not a BPS code"):
        rd.Gazetteer.from_frame(pd.DataFrame({"kode": ["x1"], "nama": ["Kabupaten A"]}), code="kode", name="nama")


# -- IPM --------------------------------------------------------------------------------------------
IPM = """Wilayah,tahun,ipm,metode
Jawa Timur,2023,73.38,"IPM metode baru (UHH SUPAS/lama), BPS"
Kabupaten Probolinggo,2023,67.79,"IPM metode baru (UHH SUPAS/lama), BPS"
Kota Probolinggo,2023,75.43,"IPM metode baru (UHH SUPAS/lama), BPS"
Kabupaten Probolinggo,2023,70.36,"IPM dengan UHH Long Form SP2020, BPS"
Kota Probolinggo,2023,76.93,"IPM dengan UHH Long Form SP2020, BPS"
Probolinggo,2023,70.36,IPM (BPS Jatim web table; 2021-2023 identical to UHH LF SP2020 series)
Probolinggo,2024,70.85,IPM (BPS Jatim web table; 2021-2023 identical to UHH LF SP2020 series)
,2023,,IPM (BPS Jatim web table)
Catatan,2023,,IPM (BPS Jatim web table)
Kabupaten Atlantis,2023,60.0,"IPM dengan UHH Long Form SP2020, BPS"
"""


def test_ipm_methods_are_kept_apart_and_duplicates_merged(tmp_path, gaz):
    mt = rd.read_ipm(write(tmp_path, "ipm.csv", IPM), gaz)
    v = mt.values
    assert set(v["method"]) == {"sp2010", "lf_sp2020"}
    prob = v[(v["code"] == "3513") & (v["year"] == 2023)].set_index("method")["value"]
    assert prob["sp2010"] == 67.79 and prob["lf_sp2020"] == 70.36     # never mixed, never averaged
    assert len(v[(v["code"] == "3513") & (v["method"] == "lf_sp2020")]) == 2   # 2023 once (deduplicated), 2024
    assert mt.unmatched == ["Kabupaten Atlantis"]                      # reported, not dropped silently
    assert mt.skipped_notes == 2                                       # blank and "Catatan" rows
    assert list(mt.reference["value"]) == [73.38]


def test_ipm_duplicate_with_another_value_is_an_error(tmp_path, gaz):
    text = IPM.replace("Probolinggo,2023,70.36,IPM (BPS", "Probolinggo,2023,70.99,IPM (BPS")
    with pytest.raises(TableError, match=r"given twice.*70.99"):
        rd.read_ipm(write(tmp_path, "ipm.csv", text), gaz)


@pytest.mark.parametrize("value, match", [("abc", "expected a number"), ("-3", "non-negative"),
                                          ("170", "between 0 and 100")])
def test_bad_ipm_values_name_region_year_value(tmp_path, gaz, value, match):
    p = write(tmp_path, "ipm.csv", f"wilayah,tahun,ipm\nKota Batu,2022,{value}\n")
    with pytest.raises(TableError, match=match) as exc:
        rd.read_ipm(p, gaz)
    assert "Kota Batu" in str(exc.value) and "2022" in str(exc.value) and str(p) in str(exc.value)


def test_default_ipm_method_is_the_latest_series_and_other_is_reported(tmp_path, gaz):
    mt = rd.read_ipm(write(tmp_path, "ipm.csv", IPM), gaz)
    res = rd.compute_readiness(gaz, ipm=mt, year=2023)
    assert res.meta["ipm"]["method"] == "lf_sp2020"
    assert res.meta["ipm"]["other_methods_not_used"] == ["sp2010"]
    assert res.values.loc["3513", "ipm"] == 70.36
    res2 = rd.compute_readiness(gaz, ipm=mt, year=2023, ipm_method="sp2010")
    assert res2.values.loc["3513", "ipm"] == 67.79
    with pytest.raises(InputError, match="IPM method 'undp'"):
        rd.compute_readiness(gaz, ipm=mt, ipm_method="undp")


def test_ipm_method_classification():
    assert rd.ipm_method_of("IPM dengan UHH Long Form SP2020, BPS") == "lf_sp2020"
    assert rd.ipm_method_of("IPM metode baru (UHH SUPAS/lama), BPS") == "sp2010"
    assert rd.ipm_method_of("IPM metode lama") == "old"
    assert rd.ipm_method_of(None) == "unspecified"
    assert rd.ipm_method_of("some new series") == "some new series"   # unknown stays apart


# -- population and PDRB ----------------------------------------------------------------------------
def test_population_uses_totals_or_sums_sexes(tmp_path, gaz):
    tot = write(tmp_path, "p1.csv", "wilayah,tahun,jenis_kelamin,jiwa\nKota Batu,2023,L,100\nKota Batu,2023,P,110\n"
                                    "Kota Batu,2023,L+P,210\n")
    assert rd.read_population(tot, gaz).values["value"].tolist() == [210]
    parts = write(tmp_path, "p2.csv", "wilayah,tahun,jenis_kelamin,jiwa\nKota Batu,2023,L,100\nKota Batu,2023,P,111\n")
    assert rd.read_population(parts, gaz).values["value"].tolist() == [211]
    bad = write(tmp_path, "p3.csv", "wilayah,tahun,jenis_kelamin,jiwa\nKota Batu,2023,X,100\n")
    with pytest.raises(TableError, match="expected L\\+P"):
        rd.read_population(bad, gaz)


PDRB = """kode_bps,nama,tahun,harga,komponen,nilai_juta_rp
3513,Probolinggo,2018,ADHK2010,PDRB,1000
3513,Probolinggo,2023,ADHK2010,PDRB,1500
3513,Probolinggo,2023,ADHB,PDRB,2600
3574,Kota Probolinggo,2018,ADHK2010,PDRB,500
3574,Kota Probolinggo,2023,ADHK2010,PDRB,550
3579,Batu,2023,ADHK2010,PDRB,800
"""


def test_pdrb_totals_one_price_basis_and_growth(tmp_path, gaz):
    mt = rd.read_pdrb_totals(write(tmp_path, "pdrb.csv", PDRB), gaz)
    assert mt.values.query("code == '3513' and year == 2023")["value"].item() == 1500   # not ADHB
    pop = write(tmp_path, "pop.csv", "wilayah,tahun,jiwa\nKabupaten Probolinggo,2023,1000\nKota Probolinggo,2023,250\n")
    res = rd.compute_readiness(gaz, pdrb=mt, population=rd.read_population(pop, gaz))
    v = res.values
    assert v.loc["3513", "gdp_growth"] == pytest.approx(1.5 ** (1 / 5) - 1)
    assert v.loc["3574", "gdp_per_capita"] == pytest.approx(550 / 250)
    assert math.isnan(v.loc["3579", "gdp_growth"])       # Batu has no 2018 value: missing, not zero
    assert v.loc["3579", "gdp"] == 800
    assert res.meta["gdp_growth"]["period"] == [2018, 2023]
    adhb = rd.read_pdrb_totals(write(tmp_path, "pdrb.csv", PDRB), gaz, price_basis="ADHB")
    assert adhb.values["value"].tolist() == [2600]


def test_one_year_of_pdrb_gives_level_without_growth(tmp_path, gaz):
    one = write(tmp_path, "one.csv", "region,year,value\nKota Batu,2023,800\nKabupaten Pacitan,2023,900\n")
    res = rd.compute_readiness(gaz, pdrb=rd.read_pdrb_totals(one, gaz))
    assert "gdp_growth" not in res.values.columns and res.values.loc["3579", "gdp"] == 800
    assert any("gdp_growth not computed" in n for n in res.notes)
    with pytest.raises(TableError, match="no PDRB in the growth start year 2015"):
        rd.compute_readiness(gaz, pdrb=rd.read_pdrb_totals(one, gaz), growth_start=2015)


def test_pdrb_without_the_price_basis_names_the_bases(tmp_path, gaz):
    with pytest.raises(TableError, match="ADHK2010, ADHB|ADHB, ADHK2010"):
        rd.read_pdrb_totals(write(tmp_path, "pdrb.csv", PDRB), gaz, price_basis="ADHK2000")


def test_pdrb_units_are_converted_and_mixed_units_refused(tmp_path, gaz):
    ok = write(tmp_path, "a.csv", "region,year,value,unit\nKota Batu,2023,2.5,billion IDR\n")
    assert rd.read_pdrb_totals(ok, gaz).values["value"].tolist() == [2500.0]
    mixed = write(tmp_path, "b.csv", "region,year,value,unit\nKota Batu,2023,2.5,billion IDR\n"
                                     "Kota Batu,2022,2500,million IDR\n")
    with pytest.raises(TableError, match="mixed units"):
        rd.read_pdrb_totals(mixed, gaz)


@pytest.mark.parametrize("content, match", [
    ("region,year,value\nKota Batu,2023,-5\n", "non-negative"),
    ("region,year,value\nKota Batu,20x3,5\n", "expected a year"),
    ("region,tahun\nKota Batu,2023\n", "no value column"),
    ("foo,year,value\nKota Batu,2023,5\n", "no region column"),
])
def test_bad_pdrb_tables(tmp_path, gaz, content, match):
    with pytest.raises(TableError, match=match):
        rd.read_pdrb_totals(write(tmp_path, "t.csv", content), gaz)


def test_missing_file_and_unknown_type(tmp_path, gaz):
    with pytest.raises(TableError, match="file not found"):
        rd.read_pdrb_totals(tmp_path / "nope.csv", gaz)
    with pytest.raises(TableError, match="unsupported file type"):
        rd.read_pdrb_totals(write(tmp_path, "t.json", "{}"), gaz)


def test_xlsx_is_read(tmp_path, gaz):
    p = tmp_path / "pop.xlsx"
    pd.DataFrame({"wilayah": ["Kota Batu"], "tahun": [2023], "jiwa": [215000]}).to_excel(p, index=False)
    assert rd.read_population(p, gaz).values["value"].tolist() == [215000]


def test_labour_tables(tmp_path, gaz):
    """SYNTHETIC labour figures: TPT is a cost (percent), the labour force a benefit (persons)."""
    tpt = write(tmp_path, "tpt.csv", "wilayah,tahun,tpt\nKota Batu,2023,4.5\nProbolinggo,2023,3.1\nAtlantis,2023,2\n")
    lf = write(tmp_path, "lf.csv", "wilayah,tahun,angkatan_kerja\nKota Batu,2023,120000\n")
    un = rd.read_labour(tpt, gaz, what="unemployment")
    assert un.unmatched == ["Atlantis"]
    res = rd.compute_readiness(gaz, unemployment=un, labour_force=rd.read_labour(lf, gaz, what="labour_force"))
    assert res.values.loc["3513", "unemployment"] == 3.1 and res.values.loc["3579", "labour_force"] == 120000
    assert rd.INDICATORS["unemployment"].direction == "cost"
    with pytest.raises(TableError, match="between 0 and 100"):
        rd.read_labour(write(tmp_path, "bad.csv", "wilayah,tahun,tpt\nKota Batu,2023,140\n"), gaz,
                       what="unemployment")
    with pytest.raises(TableError, match="no labour_force column"):
        rd.read_labour(tpt, gaz, what="labour_force")


# -- spatial proxies --------------------------------------------------------------------------------
def test_port_distance_is_geodesic_and_skips_impossible_points():
    b = gpd.GeoDataFrame({"code": ["3501"]}, geometry=[box(112.0, -8.0, 112.2, -7.8)], crs=4326)
    ports = gpd.GeoDataFrame({"name": ["near", "bad", "far"]},
                             geometry=[Point(112.1, -6.9), Point(79.2, -1009.7), Point(140.0, -3.0)], crs=4326)
    dist, counts = rd.port_distance_km(b, ports)
    assert dist["3501"] == pytest.approx(110.6, abs=1.0)    # 1 degree of latitude north of the centroid
    assert counts == {"invalid": 1, "far": 1, "used": 1}
    with pytest.raises(VectorError, match="no port with valid coordinates"):
        rd.port_distance_km(b, ports.iloc[[1]])


def test_road_access_share_on_a_study_area(area):
    from conftest import LEFT, RES, TOP

    assert rd.road_access_share(area) == 1.0                 # the whole 1.8 x 1.2 km area is within 5 km
    share = rd.road_access_share(area, distance_m=300.0)
    assert share == pytest.approx(21 / 40, abs=1 / 40)        # rows within 300 m of the arterial on row 20
    assert rd.road_access_share(area, classes=("motorway",)) == 0.0
    # only the western half of the grid is the region's land
    west = gpd.GeoSeries([box(LEFT, TOP - 40 * RES, LEFT + 30 * RES, TOP)], crs="EPSG:32749").to_crs(4326).iloc[0]
    assert rd.road_access_share(area, region_geom=west, distance_m=300.0) == pytest.approx(share, abs=0.03)
    with pytest.raises(VectorError, match="no 'kind' attribute"):
        rd.road_access_share(area, class_field="kind")


def test_land_not_excluded_from_a_run_manifest(tmp_path):
    from kawasan.spatial.runs.folder import RUN_KIND

    run = tmp_path / "run"
    run.mkdir()
    grid = {"crs": "EPSG:32749", "transform": [30, 0, 0, 0, -30, 0], "width": 2, "height": 2}
    (run / "manifest.json").write_text(json.dumps({"kind": RUN_KIND, "study_area": {"grid": grid},
                                                   "classes": [{"class": "S1", "share": 0.3},
                                                               {"class": "excluded", "share": 0.25}]}))
    assert rd.land_not_excluded_share(run) == pytest.approx(0.75)


def test_compute_readiness_with_study_area_and_run_by_region_name(tmp_path, area, gaz):
    from kawasan.spatial.runs.folder import RUN_KIND

    run = tmp_path / "run"
    run.mkdir()
    grid = {"crs": "EPSG:32749", "transform": [30, 0, 0, 0, -30, 0], "width": 2, "height": 2}
    (run / "manifest.json").write_text(json.dumps({"kind": RUN_KIND, "study_area": {"grid": grid},
                                                   "classes": [{"class": "excluded", "share": 0.4}]}))
    res = rd.compute_readiness(gaz, study_areas={"Kab. Probolinggo": str(area)}, runs={"3574": str(run)})
    assert res.values.loc["3513", "road_access"] == 1.0
    assert res.values.loc["3574", "land_not_excluded"] == pytest.approx(0.6)
    assert len(res.synthetic) == 1 and "SYNTHETIC" in res.synthetic[0]     # the test area is labelled synthetic
    assert res.synthetic[0] in res.notes
    assert np.isnan(res.values.loc["3501", "road_access"])
    with pytest.raises(InputError, match="matches no regency"):
        rd.compute_readiness(gaz, runs={"Kabupaten Atlantis": str(run)})


# -- the real East Java data ------------------------------------------------------------------------
def test_real_east_java_tables_match_every_region(shared_data):
    eco = shared_data / "economy"
    gdf, gaz = rd.read_boundaries(shared_data / "boundaries" / "jatim_kabkota.geojson")
    assert len(gaz.regions) == 38 and gdf["code"].notna().all()
    pdrb = rd.read_pdrb_totals(eco / "pdrb_total_jatim_2010_2023.csv", gaz)
    pop = rd.read_population(eco / "population_jatim_2010_2023_long.csv", gaz)
    ipm = rd.read_ipm(eco / "ipm_jatim_long.csv", gaz)
    for mt in (pdrb, pop, ipm):
        assert mt.unmatched == [], (mt.source, mt.unmatched)
        assert mt.values["code"].nunique() == 38
    res = rd.compute_readiness(gaz, pdrb=pdrb, population=pop, ipm=ipm)
    prob = res.values.loc["3513"]
    assert prob["gdp"] == pytest.approx(25_904_925, rel=1e-4)        # README: 25,905 bn rupiah in 2023
    assert prob["ipm"] == 70.36 and res.meta["ipm"]["method"] == "lf_sp2020"
    assert res.values["population"].sum() == 41_416_407               # the 38 units add up to the province
    assert res.values.notna().all().all()
    # the IPM series are never mixed: the 2023 value of the other series differs
    other = ipm.values.query("code == '3513' and year == 2023 and method == 'sp2010'")["value"].item()
    assert other == 67.79


def test_real_ports_distance(shared_data):
    gdf, gaz = rd.read_boundaries(shared_data / "boundaries" / "jatim_kabkota.geojson")
    ports = gpd.read_file(shared_data / "places" / "ports_kemenhub_2017.geojson")
    dist, counts = rd.port_distance_km(gdf, ports)
    assert counts["invalid"] >= 3 and counts["used"] > 50
    assert dist["3574"] < dist["3513"] < 40        # Kota Probolinggo has the port; the regency is close
    assert dist.between(0, 200).all()


def test_indonesian_number_style_in_readiness_tables(tmp_path, gaz):
    # an Excel export in the Indonesian locale (';' and '70,19', '1.163.859') was refused as "not a number"
    ipm = write(tmp_path, "ipm.csv", "wilayah;tahun;ipm\nKota Batu;2023;78,04\nKabupaten Pacitan;2023;70,19\n")
    assert rd.read_ipm(ipm, gaz).values.set_index("code")["value"].to_dict() == {"3579": 78.04, "3501": 70.19}
    pop = write(tmp_path, "pop.csv",
                "wilayah;tahun;jiwa\nKota Batu;2023;218.802\nKabupaten Probolinggo;2023;1.163.859\n")
    assert rd.read_population(pop, gaz).values.set_index("code")["value"].to_dict() == {"3579": 218802,
                                                                                      "3513": 1163859}
    english = write(tmp_path, "en.csv", "wilayah,tahun,jiwa\nKota Batu,2023,\"218,802\"\nKabupaten Probolinggo,2023,"
                                        "\"1,163,859\"\n")
    assert rd.read_population(english, gaz).values.set_index("code")["value"].to_dict() == {"3579": 218802,
                                                                                          "3513": 1163859}
