"""National tables as BPS publishes them (17 sectors, net taxes on products, PDB), the reference total
(``sectors`` or ``gdp``) in every indicator and output, and plain numbers in every table error (issue 10.14).

The fixtures under tests/data/economics are TEST FIXTURES: laid out as BPS publishes the tables, with
illustrative values, not BPS figures (tests/data/economics/README.md).
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kawasan.cli.main import cli
from kawasan.economics import indicators as ind
from kawasan.economics.sectors import NET_TAXES, SECTOR_CODES, sector_code
from kawasan.economics.tables import RegionalTable, read_table
from kawasan.errors import InputError, TableError

DATA = Path(__file__).parent / "data" / "economics"
BESIDE = DATA / "pdrb_province_beside_indonesia.csv"


def run(runner, *args):
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def _raw_beside():
    """The fixture read with the csv module only (independent of kawasan): {region: {year: {label: value}}}."""
    rows = list(csv.reader(BESIDE.open(encoding="utf-8")))
    body = rows[4:]
    out = {"Provinsi Contoh": {2022: {}, 2023: {}}, "Indonesia": {2022: {}, 2023: {}}}
    for label, p22, p23, n22, n23 in body:
        for region, year, cell in (("Provinsi Contoh", 2022, p22), ("Provinsi Contoh", 2023, p23),
                                   ("Indonesia", 2022, n22), ("Indonesia", 2023, n23)):
            if cell:
                out[region][year][label] = float(cell)
    return out


NET_TAXES_LABEL = "Pajak Dikurangi Subsidi atas Produk"
TOTAL_LABEL = "Produk Domestik Regional Bruto / Produk Domestik Bruto"


# ------------------------------------------------------------------------------------------- reading


@pytest.mark.parametrize("label", ["Pajak Dikurangi Subsidi atas Produk", "PAJAK DIKURANGI SUBSIDI ATAS PRODUK",
                                   "Taxes less Subsidies on Products", "Net taxes on products",
                                   "Pajak neto atas produk"])
def test_net_taxes_row_is_recognised_not_a_sector(label):
    assert sector_code(label) == NET_TAXES


@pytest.mark.parametrize("label", ["Produk Domestik Bruto", "PRODUK DOMESTIK BRUTO", "PDB", "Gross Domestic Product",
                                   "Produk Domestik Bruto atas Harga Pasar", "PDRB", "GDP at market prices",
                                   "Gross Domestic Product (GDP)"])
def test_pdb_row_is_the_stated_total(label):
    assert sector_code(label) == "TOTAL"


@pytest.mark.parametrize("name,kw", [
    ("pdb_indonesia_sectors_by_years.csv", {"region": "Indonesia"}),        # Indonesian, ';', 1.234,56
    ("gdp_indonesia_industry_by_years_en.csv", {"region": "Indonesia"}),    # bilingual header, GVA row
    ("gdp_indonesia_years_by_sectors_en.csv", {"region": "Indonesia"}),     # years as rows, sectors as columns
    ("pdrb_province_beside_indonesia.csv", {}),                             # two header rows, regions over years
])
def test_national_table_as_bps_publishes_it(name, kw):
    t = read_table(DATA / name, **kw)
    assert t.sectors == list(SECTOR_CODES)                      # net taxes, GVA and PDB are no sectors
    assert t.net_taxes == {("Indonesia", 2022): 408814.42, ("Indonesia", 2023): 424176.72}
    sums = t.data[t.data["region"] == "Indonesia"].groupby("year")["value"].sum()
    assert t.totals("sectors")[("Indonesia", 2022)] == pytest.approx(sums[2022])
    assert t.totals("gdp")[("Indonesia", 2022)] == pytest.approx(11670919.75)
    assert t.totals("gdp")[("Indonesia", 2023)] == pytest.approx(12272688.36)
    ratio = t.totals("gdp")[("Indonesia", 2022)] / t.totals("sectors")[("Indonesia", 2022)]
    assert ratio == pytest.approx(1.0363, abs=1e-4)              # the PDB is about 3.6 % above the sectors


def test_national_table_as_xlsx_with_indonesian_headers(tmp_path):
    rows = list(csv.reader((DATA / "pdb_indonesia_sectors_by_years.csv").open(encoding="utf-8"), delimiter=";"))
    frame = pd.DataFrame([r + [""] * (3 - len(r)) for r in rows])
    path = tmp_path / "pdb.xlsx"
    frame.to_excel(path, header=False, index=False)
    t = read_table(path, region="Indonesia")
    assert t.net_taxes[("Indonesia", 2023)] == pytest.approx(424176.72)
    assert t.unit == "billion IDR" and t.price_basis == "ADHK2010"


def test_province_beside_the_nation_has_no_net_taxes_and_its_total_is_its_sectors():
    t = read_table(BESIDE)
    assert ("Provinsi Contoh", 2022) not in t.net_taxes
    assert t.totals("gdp")[("Provinsi Contoh", 2022)] == t.totals("sectors")[("Provinsi Contoh", 2022)]
    assert t.totals("sectors")[("Provinsi Contoh", 2022)] == pytest.approx(544698.28)


def test_pdb_total_without_its_net_taxes_row_is_refused_with_the_hint(tmp_path):
    # before: the net-taxes row was "not a BPS lapangan usaha"; without it, the PDB fails the total check
    text = (DATA / "pdb_indonesia_sectors_by_years.csv").read_text(encoding="utf-8")
    f = tmp_path / "no_net_taxes.csv"
    f.write_text("\n".join(ln for ln in text.splitlines() if not ln.startswith("Pajak")) + "\n", encoding="utf-8")
    with pytest.raises(TableError) as e:
        read_table(f, region="Indonesia")
    msg = str(e.value)
    assert "stated total (PDRB) 11,670,919.75 differs from the sum of the 17 sectors 11,262,105.33" in msg
    assert "+408,814.42 (+3.50 %)" in msg and "'Pajak Dikurangi Subsidi atas Produk' row" in msg


def test_pdb_that_does_not_equal_sectors_plus_net_taxes_names_all_three(tmp_path):
    rows = [("Indonesia", s, 2023, 100.0) for s in SECTOR_CODES]
    rows += [("Indonesia", NET_TAXES_LABEL, 2023, 60.0), ("Indonesia", "Produk Domestik Bruto", 2023, 1800.0)]
    f = tmp_path / "t.csv"
    pd.DataFrame(rows, columns=["region", "sector", "year", "value"]).to_csv(f, index=False)
    with pytest.raises(TableError) as e:
        read_table(f)
    msg = str(e.value)
    assert "stated total (PDB/PDRB) 1,800.00" in msg and "sum of the 17 sectors 1,700.00" in msg
    assert "net taxes on products 60.00 (= 1,760.00) by +40.00" in msg


def test_negative_net_taxes_are_read_and_a_wrong_gross_value_added_is_refused(tmp_path):
    rows = [("Indonesia", s, 2023, 100.0) for s in SECTOR_CODES]
    f = tmp_path / "t.csv"
    pd.DataFrame(rows + [("Indonesia", NET_TAXES_LABEL, 2023, -20.0), ("Indonesia", "PDB", 2023, 1680.0)],
                 columns=["region", "sector", "year", "value"]).to_csv(f, index=False)
    t = read_table(f)                                # subsidies larger than taxes: a negative row is legitimate
    assert t.totals("gdp")[("Indonesia", 2023)] == pytest.approx(1680.0)
    pd.DataFrame(rows + [("Indonesia", "Nilai Tambah Bruto atas Harga Dasar", 2023, 1650.0)],
                 columns=["region", "sector", "year", "value"]).to_csv(f, index=False)
    with pytest.raises(TableError, match=r"stated gross value added \(Nilai Tambah Bruto\) 1,650.00 differs from "
                                         r"the sum of the 17 sectors 1,700.00 by -50.00"):
        read_table(f)


def test_duplicated_net_taxes_rows_are_refused(tmp_path):
    rows = [("Indonesia", s, 2023, 100.0) for s in SECTOR_CODES]
    rows += [("Indonesia", NET_TAXES_LABEL, 2023, 60.0), ("Indonesia", "Taxes less subsidies on products", 2023, 61.0)]
    f = tmp_path / "t.csv"
    pd.DataFrame(rows, columns=["region", "sector", "year", "value"]).to_csv(f, index=False)
    with pytest.raises(TableError, match="duplicated rows .* 'NET_TAXES', year 2023: values 60 .*61"):
        read_table(f)


def test_select_keeps_the_net_taxes_of_the_regions_kept():
    t = read_table(BESIDE)
    assert t.select(years=[2023]).net_taxes == {("Indonesia", 2023): 424176.72}
    assert t.select(regions=["Provinsi Contoh"]).net_taxes == {}


def test_unknown_reference_total_is_refused():
    with pytest.raises(InputError, match="reference total 'pdrb' is not one of sectors, gdp"):
        ind.location_quotient(read_table(BESIDE), "Provinsi Contoh", "Indonesia", reference_total="pdrb")


# ------------------------------------------------------------------------------------------- golden


#: The classic shift-share of Provinsi Contoh against Indonesia, 2022-2023, as a study working from the published
#: PDB prints it (two decimals): national share N = E_ir(2022) * r_n, industry mix M = E_ir(2022) * (r_in - r_n),
#: with r_n the growth of the PDB (sectors + net taxes): 12,272,688.36 / 11,670,919.75 - 1 = 0.0515614. Worked by
#: hand from the fixture with the definitions (Dunn 1960), not with kawasan.
PRINTED = {  # sector: (national share, industry mix)
    "A": (3167.33, -2368.76), "C": (8895.93, -890.50), "G": (5337.23, -316.89), "H": (732.53, 1237.97),
    "I": (1774.62, 1725.65), "O": (577.83, -450.08),
}
PRINTED_TOTAL = (28085.39, -476.21)      # over the 17 sectors


def test_golden_classic_shift_share_of_a_province_against_the_pdb():
    ss = ind.shift_share(read_table(BESIDE), "Provinsi Contoh", "Indonesia", 2022, 2023,
                         reference_total="gdp").set_index("sector")
    for s, (n, m) in PRINTED.items():
        assert round(ss.loc[s, "national_share"], 2) == n, s
        assert round(ss.loc[s, "industry_mix"], 2) == m, s
    main = ss.loc[list(SECTOR_CODES)]
    assert round(main["national_share"].sum(), 2) == PRINTED_TOTAL[0]
    assert round(main["industry_mix"].sum(), 2) == PRINTED_TOTAL[1]
    assert set(ss["reference_total"]) == {"gdp"}


def test_golden_components_worked_from_the_raw_file_and_the_sum_of_sectors_does_not_reproduce_them():
    raw = _raw_beside()
    nat, prov = raw["Indonesia"], raw["Provinsi Contoh"]
    labels = [k for k in nat[2022] if k not in (NET_TAXES_LABEL, TOTAL_LABEL)]
    assert len(labels) == 17
    pdb_growth = nat[2023][TOTAL_LABEL] / nat[2022][TOTAL_LABEL] - 1
    assert nat[2022][TOTAL_LABEL] == pytest.approx(sum(nat[2022][k] for k in labels) + nat[2022][NET_TAXES_LABEL])
    sectors_growth = sum(nat[2023][k] for k in labels) / sum(nat[2022][k] for k in labels) - 1
    expected = {}
    for label, code in zip(labels, SECTOR_CODES):
        e0, rin = prov[2022][label], nat[2023][label] / nat[2022][label] - 1
        expected[code] = (e0 * pdb_growth, e0 * (rin - pdb_growth), e0 * sectors_growth)
    t = read_table(BESIDE)
    gdp = ind.shift_share(t, "Provinsi Contoh", "Indonesia", reference_total="gdp").set_index("sector")
    sec = ind.shift_share(t, "Provinsi Contoh", "Indonesia", reference_total="sectors").set_index("sector")
    for code, (n, m, n_sectors) in expected.items():
        assert gdp.loc[code, "national_share"] == pytest.approx(n, rel=1e-12)
        assert gdp.loc[code, "industry_mix"] == pytest.approx(m, rel=1e-12, abs=1e-9)
        assert sec.loc[code, "national_share"] == pytest.approx(n_sectors, rel=1e-12)
        # the components that do not depend on the reference total are the same either way
        assert sec.loc[code, "national_share"] + sec.loc[code, "industry_mix"] == pytest.approx(
            gdp.loc[code, "national_share"] + gdp.loc[code, "industry_mix"])
        assert sec.loc[code, "competitive_shift"] == pytest.approx(gdp.loc[code, "competitive_shift"])
    # with the sum of the sectors the printed national share of manufacturing is not reproduced
    assert abs(round(sec.loc["C", "national_share"], 2) - PRINTED["C"][0]) > 50


def test_lq_against_the_pdb_scales_by_pdb_over_sectors():
    t = read_table(BESIDE)
    a = ind.location_quotient(t, "Provinsi Contoh", "Indonesia", 2023).set_index("sector")
    b = ind.location_quotient(t, "Provinsi Contoh", "Indonesia", 2023, reference_total="gdp").set_index("sector")
    factor = 12272688.36 / 11848511.64                 # PDB / sum of the sectors, Indonesia 2023 (hand)
    assert np.allclose(b["lq"], a["lq"] * factor)
    assert (a["reference_total"] == "sectors").all() and (b["reference_total"] == "gdp").all()


@pytest.mark.parametrize("fn,args", [
    (ind.location_quotient, ("Provinsi Contoh", "Indonesia", 2023)),
    (ind.dynamic_lq, ("Provinsi Contoh", "Indonesia")),
    (ind.lq_quadrant, ("Provinsi Contoh", "Indonesia")),
    (ind.shift_share, ("Provinsi Contoh", "Indonesia")),
    (ind.shift_share_series, ("Provinsi Contoh", "Indonesia")),
    (ind.dynamic_shift_share, ("Provinsi Contoh", "Indonesia")),
    (ind.klassen_sectoral, ("Provinsi Contoh", "Indonesia")),
    (ind.klassen_regional, (None, "Indonesia")),
    (ind.specialization, ("Provinsi Contoh", "Indonesia")),
    (ind.hoover_localization, (2023, "Indonesia")),
    (ind.average_growth, ()),
])
def test_every_indicator_takes_and_reports_the_reference_total(fn, args):
    t = read_table(BESIDE)
    assert set(fn(t, *args)["reference_total"]) == {"sectors"}
    assert set(fn(t, *args, reference_total="gdp")["reference_total"]) == {"gdp"}


def test_growth_of_the_total_with_net_taxes():
    g = ind.average_growth(read_table(BESIDE), by=("region",), reference_total="gdp").set_index("region")
    assert g.loc["Indonesia", "cagr"] == pytest.approx(12272688.36 / 11670919.75 - 1)


# ------------------------------------------------------------------------------------------- every output


def test_cli_prints_and_records_the_reference_total(runner, tmp_path):
    for total, en, id_ in (("sectors", "Reference total: the sum of the 17 lapangan usaha",
                            "Total acuan: jumlah 17 lapangan usaha"),
                           ("gdp", "Reference total: PDB/PDRB including net taxes on products",
                            "Total acuan: PDB/PDRB termasuk pajak dikurangi subsidi atas produk")):
        opts = [] if total == "sectors" else ["--reference-total", total]
        human = run(runner, "economy", "lq", BESIDE, "--region", "Provinsi Contoh", "--reference", "Indonesia", *opts)
        assert human.exit_code == 0, human.output
        assert en in human.output and "kept apart, not as a sector, for: Indonesia" in human.output
        indo = run(runner, "--lang", "id", "economy", "lq", BESIDE, "--reference", "Indonesia", *opts)
        assert id_ in indo.output and "miliar rupiah" in indo.output and "billion IDR" not in indo.output
        out = tmp_path / total / "lq.csv"
        js = run(runner, "economy", "lq", BESIDE, "--reference", "Indonesia", *opts, "--json", "--csv", out)
        assert {r["reference_total"] for r in json.loads(js.output)} == {total}
        assert set(pd.read_csv(out)["reference_total"]) == {total}


def test_report_says_which_total_and_which_regions_had_net_taxes(runner, tmp_path):
    out = tmp_path / "new" / "folder" / "report.html"
    r = run(runner, "economy", "report", out, "--sectors", BESIDE, "--region", "Provinsi Contoh", "--reference",
            "Indonesia", "--reference-total", "gdp", "--price-basis", "ADHK2010")
    assert r.exit_code == 0, r.output
    html = out.read_text(encoding="utf-8")
    assert "PDB/PDRB including net taxes on products" in html and 'id="net-taxes"' in html
    assert "at constant 2010 prices (ADHK)" in html and "billion rupiah" in html
    r = run(runner, "--lang", "id", "economy", "report", tmp_path / "id.html", "--sectors", BESIDE, "--region",
            "Provinsi Contoh", "--reference", "Indonesia")
    html = (tmp_path / "id.html").read_text(encoding="utf-8")
    assert "Total acuan: jumlah 17 lapangan usaha" in html and "miliar rupiah" in html and "billion IDR" not in html


# ------------------------------------------------------------------------------------------- plain numbers


def _frame(**over):
    base = {"region": ["Kabupaten A"] * 17, "sector": list(SECTOR_CODES), "year": [2023] * 17,
            "value": np.linspace(10.5, 26.5, 17)}
    base.update(over)
    return pd.DataFrame(base)


@pytest.mark.parametrize("frame,expect", [
    (_frame(sector=["Pariwisata"] + list(SECTOR_CODES[1:])), "value 10.5, row 2"),
    (_frame(year=np.array([2023.5] + [2023] * 16)), "year 2023.5 is not a year"),
    (_frame(region=[None] + ["Kabupaten A"] * 16), "(value 10.5)"),
    (_frame(value=np.array([-1234567.25] + [10.0] * 16)), "negative value -1234567.25"),
    (_frame(sector=["A", "A"] + list(SECTOR_CODES[2:])), "values 10.5 (row 2), 11.5 (row 3)"),
    (pd.concat([_frame(), pd.DataFrame({"region": ["Kabupaten A"], "sector": ["PDRB"], "year": [2023],
                                        "value": [np.float64(1.0)]})]), "stated total (PDRB) 1.00"),
])
def test_table_errors_print_plain_numbers_never_numpy_reprs(frame, expect):
    with pytest.raises(TableError) as e:
        RegionalTable.from_frame(frame.reset_index(drop=True))
    msg = str(e.value)
    assert expect in msg, msg
    assert "np." not in msg and "float64" not in msg and "int64" not in msg and "e+0" not in msg


def test_cli_error_prints_plain_numbers(runner, tmp_path):
    p = tmp_path / "bad.xlsx"
    _frame(year=np.array([2023.5] + [2023] * 16)).to_excel(p, index=False)
    r = run(runner, "economy", "lq", p)
    assert r.exit_code == 2 and "year 2023.5 is not a year" in r.output and "np." not in r.output
