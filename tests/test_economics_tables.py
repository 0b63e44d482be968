"""Reading and validating economic tables: long/wide CSV and XLSX, Indonesian/English headers, bad input."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kawasan.economics.sectors import SECTOR_CODES, SECTORS_17, MANUFACTURING_SUBSECTORS, sector_code
from kawasan.economics.tables import RegionalTable, normalise_region_name, read_population, read_table
from kawasan.errors import TableError

VALUES = {s: float(10 * (i + 1)) for i, s in enumerate(SECTOR_CODES)}   # total 1530
TOTAL = sum(VALUES.values())


def long_rows(regions=("Kabupaten Uji", "Provinsi Uji"), years=(2022, 2023), scale=None):
    scale = scale or {}
    return [(r, s, y, VALUES[s] * scale.get(r, 1) * (1 + 0.05 * (y - years[0])))
            for r in regions for y in years for s in SECTOR_CODES]


def write_long(path, rows, header="region,sector,year,value", extra=None):
    lines = [header + ("," + ",".join(extra) if extra else "")]
    for r in rows:
        lines.append(",".join(f'"{c}"' if isinstance(c, str) and "," in c else str(c) for c in r))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------- sectors


@pytest.mark.parametrize("sector", SECTORS_17 + MANUFACTURING_SUBSECTORS)
def test_every_bps_and_english_name_maps_to_its_code(sector):
    assert sector_code(sector.code) == sector.code
    assert sector_code(sector.name_id) == sector.code
    assert sector_code(sector.name_en) == sector.code
    if "." not in sector.code:
        assert sector_code(f"{sector.code}. {sector.name_id}") == sector.code
        assert sector_code(f"{sector.code.lower()}. {sector.name_en}") == sector.code


@pytest.mark.parametrize("label,code", [
    ("a.", "A"), ("M-N", "M,N"), ("MN", "M,N"), ("R-U", "R,S,T,U"), ("R, S, T, U", "R,S,T,U"), ("C3", "C.3"),
    ("C. Industri Pengolahan", "C"), ("Industri Pengolahan/Manufaktur", "C"), ("Perdagangan & Retail", "G"),
    ("Penyedian Air dan Pengelolaan Sampah", "E"), ("Adm Pemerintahan, Pertahanan, dan Jamsos", "O"),
    ("PDRB", "TOTAL"), ("Jumlah", "TOTAL"), ("c. Pengolahan Tembakau", "C.3"), ("Perumahan", "L"),
])
def test_sector_label_variants(label, code):
    assert sector_code(label) == code


def test_unknown_sector_label_is_none():
    assert sector_code("Pariwisata Luar Angkasa") is None
    assert sector_code("N") is None and sector_code("M") == "M,N" and sector_code("R") == "R,S,T,U"


@pytest.mark.parametrize("name,code,expected", [
    ("kab_probolinggo", None, "Kabupaten Probolinggo"), ("Kab. Probolinggo", None, "Kabupaten Probolinggo"),
    ("Probolinggo", "3513", "Kabupaten Probolinggo"), ("Probolinggo", 3574, "Kota Probolinggo"),
    ("Kota Probolinggo", "3574", "Kota Probolinggo"), ("jawa_timur", None, "Jawa Timur"),
    ("Jawa Timur", "3500", "Jawa Timur"),
])
def test_region_names(name, code, expected):
    assert normalise_region_name(name, code) == expected


# ------------------------------------------------------------------------------------------- formats


def test_long_csv(tmp_path):
    t = read_table(write_long(tmp_path / "t.csv", long_rows()), unit="billion IDR", price_basis="ADHK 2010")
    assert t.regions == ["Kabupaten Uji", "Provinsi Uji"]
    assert t.years == [2022, 2023]
    assert t.sectors == list(SECTOR_CODES)
    assert t.unit == "billion IDR" and t.price_basis == "ADHK2010"
    assert t.totals()[("Kabupaten Uji", 2022)] == pytest.approx(TOTAL)


def test_long_csv_indonesian_headers_semicolon_decimal_comma(tmp_path):
    lines = ["wilayah;lapangan_usaha;tahun;nilai;satuan;harga"]
    for s, info in zip(SECTOR_CODES, SECTORS_17):
        v = f"{VALUES[s] * 1000:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
        lines.append(f'Kab. Uji;"{info.name_id}";2023;{v};juta rupiah;ADHK')
    lines.append("Kab. Uji;PDRB;2023;" + f"{TOTAL * 1000:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
                 + ";juta rupiah;ADHK")
    p = tmp_path / "id.csv"
    p.write_text("\n".join(lines) + "\n")
    t = read_table(p)
    assert t.regions == ["Kabupaten Uji"]
    assert t.unit == "million IDR" and t.price_basis == "ADHK2010"
    assert t.value_frame(2023).loc["Kabupaten Uji", "C"] == pytest.approx(30000.0)
    assert len(t) == 17  # the stated total was checked and dropped


def test_long_english_headers_and_sector_names(tmp_path):
    rows = [("Uji Regency", info.name_en, 2023, VALUES[s]) for s, info in zip(SECTOR_CODES, SECTORS_17)]
    t = read_table(write_long(tmp_path / "en.csv", rows, header="Region,Industry,Year,Value"))
    assert t.sectors == list(SECTOR_CODES)


def test_wide_years_as_columns_bps_style(tmp_path):
    """A BPS static table: title rows, sectors as rows with 'A. ...' labels, years as columns, a PDRB row, a note."""
    lines = ["PDRB Atas Dasar Harga Konstan 2010 Menurut Lapangan Usaha (juta rupiah);;;",
             ";;;",
             "Lapangan Usaha;2021;2022;2023"]
    for s, info in zip(SECTOR_CODES, SECTORS_17):
        lines.append(f'"{s}. {info.name_id}";' + ";".join(f"{VALUES[s] * f:.2f}".replace(".", ",") for f in (1, 1.1, 1.2)))
    lines.append("PDRB;" + ";".join(f"{TOTAL * f:.2f}".replace(".", ",") for f in (1, 1.1, 1.2)))
    lines.append("Sumber: BPS Kabupaten Uji;;;")
    p = tmp_path / "wide.csv"
    p.write_text("\n".join(lines) + "\n")
    t = read_table(p, region="Kabupaten Uji", unit="million IDR")
    assert t.years == [2021, 2022, 2023]
    assert t.value_frame(2022).loc["Kabupaten Uji", "B"] == pytest.approx(22.0)


def test_wide_regions_as_columns_xlsx(tmp_path):
    rows = [["Tabel 1. PDRB ADHK 2010 (miliar rupiah), 2023", None, None],
            ["Kategori", "Kab. Uji", "Jawa Timur"]]
    for s in SECTOR_CODES:
        rows.append([s, VALUES[s], VALUES[s] * 40])
    p = tmp_path / "wide.xlsx"
    pd.DataFrame(rows).to_excel(p, header=False, index=False)
    t = read_table(p, year=2023)
    assert t.regions == ["Jawa Timur", "Kabupaten Uji"]
    assert t.totals()[("Jawa Timur", 2023)] == pytest.approx(TOTAL * 40)


def test_wide_region_columns_with_year_and_unit_in_header(tmp_path):
    lines = ["kategori,lapangan_usaha,kab_uji_miliar_rp_2023,jawa_timur_miliar_rp_2023"]
    for s, info in zip(SECTOR_CODES, SECTORS_17):
        lines.append(f'"{s}","{info.name_id}",{VALUES[s]},{VALUES[s] * 3}')
    p = tmp_path / "w.csv"
    p.write_text("\n".join(lines) + "\n")
    t = read_table(p)
    assert t.regions == ["Jawa Timur", "Kabupaten Uji"] and t.years == [2023] and t.unit == "billion IDR"


def test_sectors_as_columns(tmp_path):
    header = "wilayah,tahun," + ",".join(f'"{s}"' for s in SECTOR_CODES)
    lines = [header] + [f"{r},2023," + ",".join(str(VALUES[s]) for s in SECTOR_CODES) for r in ("Kab. A", "Kota B")]
    p = tmp_path / "sc.csv"
    p.write_text("\n".join(lines) + "\n")
    t = read_table(p)
    assert t.regions == ["Kabupaten A", "Kota B"] and len(t) == 34


def test_subsector_tobacco_kept(tmp_path):
    rows = long_rows(regions=("Kab. Uji",), years=(2023,)) + [("Kab. Uji", "Industri Pengolahan Tembakau", 2023, 12.0)]
    t = read_table(write_long(tmp_path / "s.csv", rows))
    assert "C.3" in t.sectors and t.totals()[("Kabupaten Uji", 2023)] == pytest.approx(TOTAL)


def test_price_basis_filter_keeps_one_basis(tmp_path):
    rows = [r + ("ADHK2010",) for r in long_rows()] + [r + ("ADHB",) for r in long_rows()]
    p = write_long(tmp_path / "b.csv", rows, extra=["price_basis"])
    assert read_table(p, price_basis="ADHB").price_basis == "ADHB"
    with pytest.raises(TableError, match="no rows with price basis"):
        read_table(p, price_basis="current-2000")


def test_partial_table_with_stated_total(tmp_path):
    rows = [("Kab. Uji", "C", 2023, 30.0), ("Kab. Uji", "PDRB", 2023, TOTAL)]
    p = write_long(tmp_path / "p.csv", rows)
    with pytest.raises(TableError, match="missing sectors A, B, D"):
        read_table(p)
    t = read_table(p, require_all_sectors=False)
    assert t.totals()[("Kabupaten Uji", 2023)] == pytest.approx(TOTAL)


def test_scheme_any_keeps_labels(tmp_path):
    rows = [("X", "Pertanian", 2010, 5.0), ("X", "Jasa", 2010, 7.0), ("Y", "Pertanian", 2010, 1.0), ("Y", "Jasa", 2010, 1.0)]
    t = read_table(write_long(tmp_path / "a.csv", rows), scheme="any")
    assert t.sectors == ["Pertanian", "Jasa"] and t.totals()[("X", 2010)] == 12.0


def test_shared_long_and_wide_files_agree(shared_data):
    e = shared_data / "economy"
    long = read_table(e / "pdrb_17sector_2023_long.csv")
    wide = read_table(e / "pdrb_17sector_2023_probolinggo_vs_jatim.csv")
    assert long.unit == wide.unit == "billion IDR"
    assert long.price_basis == "ADHK2010"
    pd.testing.assert_frame_equal(long.data, wide.data)
    assert long.totals()[("Kabupaten Probolinggo", 2023)] == pytest.approx(25904.92)


def test_shared_totals_file(shared_data):
    t = read_table(shared_data / "economy" / "pdrb_total_jatim_2010_2023.csv", price_basis="ADHK2010")
    assert t.totals_only and t.unit == "million IDR" and t.price_basis == "ADHK2010"
    assert len(t.regions) == 38 and t.years == list(range(2010, 2024))
    assert {"Kabupaten Probolinggo", "Kota Probolinggo"} <= set(t.regions)
    assert t.totals()[("Kabupaten Probolinggo", 2010)] == pytest.approx(15028135.03)
    assert t.region_codes["Kabupaten Probolinggo"] == "3513"


def test_shared_population(shared_data):
    pop = read_population(shared_data / "economy" / "population_jatim_2010_2023_long.csv")
    p = pop.set_index(["region", "year"])["population"]
    assert p[("Jawa Timur", 2023)] == 41416407
    regencies = pop[(pop.year == 2023) & (pop.region != "Jawa Timur")]["population"].sum()
    assert regencies == 41416407


# ------------------------------------------------------------------------------------------- bad input


def _err(tmp_path, rows, extra=None, **kw):
    with pytest.raises(TableError) as exc:
        read_table(write_long(tmp_path / "bad.csv", rows, extra=extra), **kw)
    return str(exc.value)


def test_missing_sectors_are_listed(tmp_path):
    rows = [r for r in long_rows() if not (r[0] == "Kabupaten Uji" and r[1] in ("B", "M,N") and r[2] == 2023)]
    msg = _err(tmp_path, rows)
    assert "Kabupaten Uji" in msg and "2023" in msg and "missing sectors B, M,N" in msg and "15 of the 17" in msg


def test_negative_value(tmp_path):
    rows = long_rows()
    rows[3] = (rows[3][0], rows[3][1], rows[3][2], -12.5)
    msg = _err(tmp_path, rows)
    assert "negative value -12.5" in msg and "'Kabupaten Uji'" in msg and "'D'" in msg and "2022" in msg
    assert "field 'value'" in msg


def test_duplicated_rows(tmp_path):
    rows = long_rows() + [("Kabupaten Uji", "C", 2022, 99.0)]
    msg = _err(tmp_path, rows)
    assert "duplicated rows" in msg and "'Kabupaten Uji'" in msg and "'C'" in msg and "2022" in msg and "99" in msg


def test_total_that_does_not_add_up_says_by_how_much(tmp_path):
    rows = long_rows() + [("Kabupaten Uji", "PDRB", 2022, TOTAL + 100.0)]
    msg = _err(tmp_path, rows)
    assert "stated total (PDRB) 1,630.00" in msg and "1,530.00" in msg and "+100.00" in msg and "+6.13 %" in msg
    assert "Kabupaten Uji" in msg and "2022" in msg and "0.1 %" in msg


def test_total_within_tolerance_is_accepted(tmp_path):
    rows = long_rows() + [("Kabupaten Uji", "PDRB", 2022, TOTAL + 0.5)]
    assert len(read_table(write_long(tmp_path / "ok.csv", rows))) == len(long_rows())
    with pytest.raises(TableError):
        read_table(write_long(tmp_path / "strict.csv", rows), total_tolerance=1e-5)


def test_mixed_price_bases(tmp_path):
    rows = [r + ("ADHK2010",) for r in long_rows()]
    rows[20] = rows[20][:4] + ("ADHB",)
    msg = _err(tmp_path, rows, extra=["price_basis"])
    assert "mixed price bases" in msg and "'ADHK2010'" in msg and "'ADHB'" in msg and "Kabupaten Uji" in msg
    assert "--price-basis" in msg


def test_mixed_units(tmp_path):
    rows = [r + ("billion IDR",) for r in long_rows()]
    rows[5] = rows[5][:4] + ("juta rupiah",)
    msg = _err(tmp_path, rows, extra=["unit"])
    assert "mixed units" in msg and "'billion IDR'" in msg and "'million IDR'" in msg and "year 2022" in msg


def test_non_numeric_value(tmp_path):
    rows = long_rows()
    rows[7] = rows[7][:3] + ("n/a",)
    msg = _err(tmp_path, rows)
    assert "value 'n/a' is not a number" in msg and "sector 'H'" in msg and "Kabupaten Uji" in msg and "2022" in msg


def test_missing_value(tmp_path):
    rows = long_rows()
    rows[7] = rows[7][:3] + ("",)
    msg = _err(tmp_path, rows)
    assert "is missing" in msg and "sector 'H'" in msg


def test_dash_counts_as_zero(tmp_path):
    rows = long_rows()
    rows[1] = rows[1][:3] + ("-",)
    t = read_table(write_long(tmp_path / "d.csv", rows))
    assert t.value_frame(2022).loc["Kabupaten Uji", "B"] == 0.0


def test_unknown_sector(tmp_path):
    rows = long_rows() + [("Kabupaten Uji", "Pariwisata Luar Angkasa", 2022, 3.0)]
    msg = _err(tmp_path, rows)
    assert "'Pariwisata Luar Angkasa'" in msg and "not a BPS lapangan usaha" in msg and "2022" in msg


def test_bad_year(tmp_path):
    rows = long_rows()
    rows[0] = (rows[0][0], rows[0][1], "20x2", rows[0][3])
    msg = _err(tmp_path, rows)
    assert "year '20x2' is not a year" in msg and "Kabupaten Uji" in msg


def test_subsectors_larger_than_parent(tmp_path):
    rows = long_rows(regions=("Kab. Uji",), years=(2023,)) + [("Kab. Uji", "C.3", 2023, 29.0),
                                                              ("Kab. Uji", "C.2", 2023, 5.0)]
    msg = _err(tmp_path, rows)
    assert "sub-categories of sector C add up to 34.00" in msg and "30.00" in msg


def test_no_sector_column(tmp_path):
    p = tmp_path / "n.csv"
    p.write_text("wilayah,tahun,nilai\nKab. A,2023,5\n")
    with pytest.raises(TableError, match="which column holds the sectors"):
        read_table(p)


def test_empty_missing_and_xls(tmp_path):
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(TableError, match="empty"):
        read_table(tmp_path / "e.csv")
    with pytest.raises(TableError, match="file not found"):
        read_table(tmp_path / "absent.csv")
    (tmp_path / "old.xls").write_bytes(b"<html><table></table></html>")
    with pytest.raises(TableError, match=r"\.xlsx or \.csv"):
        read_table(tmp_path / "old.xls")


def test_from_frame_requires_columns():
    with pytest.raises(TableError, match="no column year"):
        RegionalTable.from_frame(pd.DataFrame({"region": ["a"], "sector": ["A"], "value": [1.0]}))


def test_unknown_region_suggests(tmp_path):
    t = read_table(write_long(tmp_path / "t.csv", long_rows()))
    assert t.require_region("kab. uji") == "Kabupaten Uji"
    with pytest.raises(TableError, match="did you mean 'Kabupaten Uji'"):
        t.require_region("Uji")


def test_select_and_to_frame(tmp_path):
    t = read_table(write_long(tmp_path / "t.csv", long_rows()), unit="billion IDR")
    s = t.select(regions=["Provinsi Uji"], years=[2023])
    assert s.regions == ["Provinsi Uji"] and s.years == [2023] and s.unit == "billion IDR"
    f = t.to_frame()
    assert list(f.columns) == ["region", "sector", "year", "value"] and f.attrs["unit"] == "billion IDR"
    assert np.issubdtype(f["value"].dtype, np.floating)


def test_partial_sectors_more_than_stated_total(tmp_path):
    rows = [("Kab. Uji", "C", 2023, 30.0), ("Kab. Uji", "A", 2023, 50.0), ("Kab. Uji", "PDRB", 2023, 60.0)]
    with pytest.raises(TableError, match="sectors present add up to 80.00, more than the stated total 60.00"):
        read_table(write_long(tmp_path / "p.csv", rows), require_all_sectors=False)


def test_rename_and_forced_columns(tmp_path):
    lines = ["daerah_analisis,kode,th,angka"] + [f'Kab. Uji,"{s}",2023,{VALUES[s]}' for s in SECTOR_CODES]
    p = tmp_path / "f.csv"
    p.write_text("\n".join(lines) + "\n")
    t = read_table(p, columns={"daerah_analisis": "wilayah"}, sector_col="kode", year_col="th", value_col="angka")
    assert t.regions == ["Kabupaten Uji"] and len(t) == 17
    with pytest.raises(TableError, match="no column 'nilai_x'"):
        read_table(p, value_col="nilai_x")


def test_bad_sheet(tmp_path):
    p = tmp_path / "w.xlsx"
    pd.DataFrame([["region", "sector", "year", "value"], ["A", "A", 2023, 1]]).to_excel(p, header=False, index=False)
    with pytest.raises(TableError, match="sheet 'Lembar9'"):
        read_table(p, sheet="Lembar9")


def test_unit_given_conflicts_with_file(tmp_path):
    rows = [r + ("juta rupiah",) for r in long_rows()]
    with pytest.raises(TableError, match="states unit 'million IDR' but 'billion IDR' was given"):
        read_table(write_long(tmp_path / "u.csv", rows, extra=["satuan"]), unit="billion IDR")


def test_sectors_as_columns_needs_year(tmp_path):
    header = "wilayah," + ",".join(f'"{s}"' for s in SECTOR_CODES)
    p = tmp_path / "sc.csv"
    p.write_text(header + "\nKab. A," + ",".join("1" for _ in SECTOR_CODES) + "\n")
    with pytest.raises(TableError, match="year column"):
        read_table(p)
    assert read_table(p, year=2023).years == [2023]


def test_wide_years_without_region_says_so(tmp_path):
    p = tmp_path / "w.csv"
    p.write_text("lapangan_usaha,2022,2023\n" + "\n".join(f'"{s}",1,2' for s in SECTOR_CODES) + "\n")
    with pytest.raises(TableError, match="gives a year but no region"):
        read_table(p)
    assert read_table(p, region="Kabupaten Uji").years == [2022, 2023]


def test_population_errors(tmp_path):
    p = tmp_path / "pop.csv"
    p.write_text("wilayah,tahun\nKab. A,2023\n")
    with pytest.raises(TableError, match="no population column"):
        read_population(p)
    p.write_text("wilayah,tahun,jiwa\nKab. A,2023,-5\n")
    with pytest.raises(TableError, match="negative value -5"):
        read_population(p)
    p.write_text("wilayah,tahun,jenis_kelamin,jiwa\nKab. A,2023,L,10\nKab. A,2023,P,12\nKab. B,2023,L+P,7\n")
    pop = read_population(p).set_index("region")["population"]
    assert pop["Kabupaten A"] == 22 and pop["Kabupaten B"] == 7


def test_bps_hierarchical_table_with_subcategories(tmp_path):
    """A BPS regency table: categories A..R,S,T,U with numbered sub-categories (two levels under A)."""
    from kawasan.economics.sectors import MANUFACTURING_SUBSECTORS as CSUB

    rows = [["PDRB Atas Dasar Harga Konstan 2010 Menurut Lapangan Usaha (Juta Rupiah), 2022-2023", None, None],
            ["Lapangan Usaha", 2022, 2023]]
    for s, info in zip(SECTOR_CODES, SECTORS_17):
        v = VALUES[s]
        rows.append([f"{s}. {info.name_id}", v, v * 1.1])
        if s == "A":
            rows += [["1. Pertanian, Peternakan, Perburuan dan Jasa Pertanian", v / 2, v / 2 * 1.1],
                     ["a. Tanaman Pangan", v / 4, v / 4 * 1.1], ["b. Tanaman Hortikultura", v / 4, v / 4 * 1.1],
                     ["2. Kehutanan dan Penebangan Kayu", v / 4, v / 4 * 1.1], ["3. Perikanan", v / 4, v / 4 * 1.1]]
        if s == "B":
            rows += [["1. Pertambangan Minyak, Gas dan Panas Bumi", v / 2, v / 2 * 1.1],
                     ["2. Pertambangan Batubara dan Lignit", v / 2, v / 2 * 1.1]]
        if s == "C":
            rows += [[f"{i}. {sub.name_id}", v / 16, v / 16 * 1.1] for i, sub in enumerate(CSUB, 1)]
        if s == "H":
            rows += [["1. Angkutan Rel", v / 2, v / 2 * 1.1], ["2. Angkutan Darat", v / 2, v / 2 * 1.1]]
    rows.append(["Produk Domestik Regional Bruto", TOTAL, TOTAL * 1.1])
    rows.append(["Sumber: BPS Kabupaten Uji", None, None])
    p = tmp_path / "bps.xlsx"
    pd.DataFrame(rows).to_excel(p, header=False, index=False)
    t = read_table(p, region="Kabupaten Uji", unit="million IDR")
    assert t.main_sectors == list(SECTOR_CODES)
    assert [s for s in t.sectors if "." in s] == [f"C.{i}" for i in range(1, 17)]
    assert t.value_frame(2023).loc["Kabupaten Uji", "C.3"] == pytest.approx(VALUES["C"] / 16 * 1.1)
    assert t.value_frame(2022).loc["Kabupaten Uji", "B"] == pytest.approx(VALUES["B"])
    assert t.totals()[("Kabupaten Uji", 2023)] == pytest.approx(TOTAL * 1.1)
    assert any("sub-category rows of A, B, H were left out" in n for n in t.notes)


def test_lowercase_lettered_categories_are_categories(tmp_path):
    lines = ["lapangan_usaha,nilai"] + [f'"{chr(97 + i)}. {info.name_id}",{VALUES[s]}'
                                       for i, (s, info) in enumerate(zip(SECTOR_CODES, SECTORS_17))]
    p = tmp_path / "lc.csv"
    p.write_text("\n".join(lines) + "\n")
    t = read_table(p, region="Kab. Uji", year=2023)
    assert t.sectors == list(SECTOR_CODES) and not t.notes


def test_xlsx_year_headers_as_floats(tmp_path):
    rows = [["Lapangan Usaha", 2022.0, 2023.0, None]] + [[s, VALUES[s], VALUES[s], None] for s in SECTOR_CODES]
    p = tmp_path / "f.xlsx"
    pd.DataFrame(rows).to_excel(p, header=False, index=False)
    assert read_table(p, region="Kab. Uji").years == [2022, 2023]


def test_single_region_long_file_and_preliminary_year_marks(tmp_path):
    p = tmp_path / "one.csv"
    p.write_text("sektor,tahun,nilai\n" + "\n".join(f'"{s}",2023,{VALUES[s]}' for s in SECTOR_CODES) + "\n")
    assert read_table(p, region="Kabupaten Uji").regions == ["Kabupaten Uji"]
    q = tmp_path / "prelim.csv"
    q.write_text("lapangan_usaha,2022,2023*\n" + "\n".join(f'"{s}",1,"1,5*"' for s in SECTOR_CODES) + "\n")
    t = read_table(q, region="Kabupaten Uji")
    assert t.years == [2022, 2023] and t.value_frame(2023).loc["Kabupaten Uji", "A"] == 1.5


# ------------------------------------------------------------------------------ BPS export details


def _bps_rows(na_cell="..."):
    """A BPS static table body: categories, C's sub-categories (one 'not available'), a PDRB row."""
    rows = []
    for s, info in zip(SECTOR_CODES, SECTORS_17):
        rows.append([f"{s}. {info.name_id}", VALUES[s], VALUES[s] * 1.1])
        if s == "C":
            rows.append(["2. Industri Makanan dan Minuman", 10.0, 11.0])
            rows.append(["3. Pengolahan Tembakau", na_cell, na_cell])
    rows.append(["PRODUK DOMESTIK REGIONAL BRUTO", TOTAL, TOTAL * 1.1])
    return rows


def test_not_available_cells_leave_the_value_out_with_a_note(tmp_path):
    # BPS prints '...' for "data not available": it was refused as "not a number"
    p = tmp_path / "na.csv"
    pd.DataFrame([["Lapangan Usaha", "2022", "2023"]] + _bps_rows()).to_csv(p, header=False, index=False, sep=";")
    t = read_table(p, region="Kabupaten Uji")
    assert "C.2" in t.sectors and "C.3" not in t.sectors
    assert any("not available" in n and "C.3" in n for n in t.notes)


def test_not_available_main_sector_is_a_missing_sector_naming_the_mark(tmp_path):
    rows = _bps_rows(na_cell=5.0)
    rows[0][2] = "..."                                  # A, 2023
    p = tmp_path / "na.csv"
    pd.DataFrame([["Lapangan Usaha", "2022", "2023"]] + rows).to_csv(p, header=False, index=False, sep=";")
    with pytest.raises(TableError, match=r"year 2023: missing sector A \(A marked not available"):
        read_table(p, region="Kabupaten Uji")


def test_xlsx_two_header_rows_merged_title_and_other_sheets(tmp_path):
    # BPS XLSX: "Lapangan Usaha" merged over two rows, a title merged over the year columns, years below it
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Catatan"
    wb.active["A1"] = "Tabel ini disusun oleh BPS"
    ws = wb.create_sheet("PDRB")
    ws.append(["[Seri 2010] PDRB Kabupaten Uji"])
    ws.append(["Lapangan Usaha", "PDRB Atas Dasar Harga Konstan 2010 (Juta Rupiah)"])
    ws.merge_cells("B2:C2")
    ws.merge_cells("A2:A3")
    ws.append([None, 2022, 2023])
    for r in _bps_rows(na_cell=1.0):
        ws.append(r)
    p = tmp_path / "bps.xlsx"
    wb.save(p)
    t = read_table(p, sheet="PDRB", region="Kabupaten Uji")
    assert t.years == [2022, 2023] and t.unit == "million IDR" and t.price_basis == "ADHK2010"
    assert t.value_frame(2023).loc["Kabupaten Uji", "C.3"] == pytest.approx(1.0)
    with pytest.raises(TableError, match=r"first sheet 'Catatan'.*'PDRB'.*--sheet"):
        read_table(p, region="Kabupaten Uji")


def test_wide_totals_regions_by_years(tmp_path):
    # BPS "PDRB ... menurut Kabupaten/Kota": regions as rows, years as columns, no sector column
    p = tmp_path / "tot.csv"
    p.write_text("PDRB Atas Dasar Harga Konstan 2010 menurut Kabupaten/Kota (Miliar Rupiah)\n"
                 "Kabupaten/Kota;2022;2023\nKabupaten Uji;1.234,50;1.300,00\nKota Uji;900,00;950,25\n"
                 "Jawa Timur;2.134,50;2.250,25\n", encoding="utf-8")
    t = read_table(p)
    assert t.totals_only and t.unit == "billion IDR" and t.price_basis == "ADHK2010"
    assert t.totals()[("Kabupaten Uji", 2022)] == pytest.approx(1234.5)
    assert t.totals()[("Kota Uji", 2023)] == pytest.approx(950.25)


def test_price_basis_named_twice_is_not_guessed():
    from kawasan.economics.tables import _price_in

    assert _price_in("PDRB atas dasar harga berlaku dan harga konstan 2010") is None
    assert _price_in("nilai_adhk_2010") == "ADHK2010"


def test_pdrb_without_oil_and_gas_row_is_left_out(tmp_path):
    # some BPS tables print "PDRB Tanpa Migas" below PDRB: it was read as a second total ("duplicated rows")
    rows = _bps_rows(na_cell=1.0) + [["PDRB Tanpa Migas", TOTAL - 5, TOTAL * 1.1 - 5]]
    p = tmp_path / "migas.csv"
    pd.DataFrame([["Lapangan Usaha", "2022", "2023"]] + rows).to_csv(p, header=False, index=False, sep=";")
    t = read_table(p, region="Kabupaten Uji")
    assert t.totals()[("Kabupaten Uji", 2022)] == pytest.approx(TOTAL)
    assert any("without oil and gas" in n for n in t.notes)


def test_utf16_csv_is_read_and_binary_junk_is_refused(tmp_path):
    # Excel's "Unicode Text" export is UTF-16; bytes that are no text crashed with UnboundLocalError (exit 1)
    p = write_long(tmp_path / "t.csv", long_rows())
    u16 = tmp_path / "u16.csv"
    u16.write_bytes(p.read_text(encoding="utf-8").encode("utf-16"))
    assert read_table(u16).totals()[("Kabupaten Uji", 2022)] == pytest.approx(TOTAL)
    junk = tmp_path / "junk.csv"
    junk.write_bytes(bytes(range(256)) * 3)
    with pytest.raises(TableError, match="not a text table"):
        read_table(junk)


def test_bilingual_bps_headers(tmp_path):
    # BPS "Dalam Angka" tables head their columns in both languages: "Lapangan Usaha/Industry", "Tahun/Year"
    p = tmp_path / "bil.csv"
    pd.DataFrame([["Lapangan Usaha/Industry", "2022", "2023"]] + _bps_rows(na_cell=1.0)).to_csv(
        p, header=False, index=False, sep=";")
    assert read_table(p, region="Kabupaten Uji").years == [2022, 2023]
    q = tmp_path / "long.csv"
    write_long(q, long_rows(), header="Wilayah/Region,Kategori/Category,Tahun/Year,Nilai/Value")
    assert read_table(q).regions == ["Kabupaten Uji", "Provinsi Uji"]


def test_years_over_two_price_basis_columns(tmp_path):
    # BPS "PDRB ADHB dan ADHK": each year spans two columns with ADHB | ADHK below; it was refused (sector '')
    body = [[r[0], 2 * r[1], r[1], 2 * r[2], r[2]] for r in _bps_rows(na_cell=1.0)]
    p = tmp_path / "both.csv"
    pd.DataFrame([["Lapangan Usaha", "2022", "", "2023", ""], ["", "ADHB", "ADHK", "ADHB", "ADHK"]] + body).to_csv(
        p, header=False, index=False, sep=";")
    t = read_table(p, region="Kabupaten Uji", price_basis="ADHK2010")
    assert t.price_basis == "ADHK2010" and t.years == [2022, 2023]
    assert t.totals()[("Kabupaten Uji", 2023)] == pytest.approx(TOTAL * 1.1)
    with pytest.raises(TableError, match="mixed price bases"):
        read_table(p, region="Kabupaten Uji")


def test_two_header_rows_regions_over_years(tmp_path):
    # a region per group of year columns ("Kabupaten Uji" over 2022, 2023): the region names were dropped
    body = [[r[0], r[1], r[2], 10 * r[1], 10 * r[2]] for r in _bps_rows(na_cell=1.0)]
    p = tmp_path / "ry.csv"
    pd.DataFrame([["Lapangan Usaha", "Kabupaten Uji", "", "Jawa Timur", ""], ["", "2022", "2023", "2022", "2023"]]
                 + body).to_csv(p, header=False, index=False, sep=";")
    t = read_table(p)
    assert t.regions == ["Jawa Timur", "Kabupaten Uji"] and t.years == [2022, 2023]
    assert t.totals()[("Jawa Timur", 2023)] == pytest.approx(10 * TOTAL * 1.1)


def test_pdrb_per_capita_row_is_left_out(tmp_path):
    # "PDRB per Kapita" below the table was read as a second PDRB total ("duplicated rows")
    rows = _bps_rows(na_cell=1.0) + [["PDRB per Kapita (Ribu Rupiah)", 25000.5, 26000.25],
                                     ["PDRB Per Kapita", 25.0, 26.0]]
    p = tmp_path / "pc.csv"
    pd.DataFrame([["Lapangan Usaha", "2022", "2023"]] + rows).to_csv(p, header=False, index=False, sep=";")
    t = read_table(p, region="Kabupaten Uji")
    assert t.totals()[("Kabupaten Uji", 2023)] == pytest.approx(TOTAL * 1.1)
    assert any("per capita" in n for n in t.notes)


def test_wide_columns_with_different_units_are_refused(tmp_path):
    # "kab_uji_juta_rp_2023" beside "jawa_timur_miliar_rp_2023" was read as one table with no unit
    lines = ["kategori,kab_uji_juta_rp_2023,jawa_timur_miliar_rp_2023"]
    lines += [f'"{s}",{VALUES[s] * 1000},{VALUES[s] * 40}' for s in SECTOR_CODES]
    p = tmp_path / "units.csv"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(TableError, match=r"mixed units.*'million IDR'.*'billion IDR'"):
        read_table(p)


def test_province_named_with_or_without_provinsi(tmp_path):
    # --reference "Jawa Timur" (the potential's default) against a table that writes "Provinsi Jawa Timur" was refused
    t2 = read_table(write_long(tmp_path / "t2.csv", long_rows(regions=("Kabupaten Uji", "Jawa Timur"))))
    assert t2.require_region("Provinsi Jawa Timur") == "Jawa Timur"
    t3 = read_table(write_long(tmp_path / "t3.csv", long_rows(regions=("Kabupaten Uji", "Provinsi Jawa Timur"))))
    assert t3.require_region("Jawa Timur") == "Provinsi Jawa Timur"
