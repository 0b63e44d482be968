"""Readers: BPS-style CSV/XLSX files (long, wide, sectors as columns, totals) into a RegionalTable.

The layouts and the header mapping are documented in docs/reference/economics.md ("Input tables");
the mapping itself is ``headers.yaml``. Parsing ends in :meth:`RegionalTable.from_frame`, which validates.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from kawasan.economics.sectors import SECTOR_CODES, normalise_name, sector_code
from kawasan.economics.tables import (
    _YEAR_RE, TOTAL_TOLERANCE, RegionalTable, _clean_values, _clean_years, _key, _price_basis_of, _price_in,
    _role_of, _unit_in, header_mapping, normalise_region_name,
)
from kawasan.errors import TableError
from kawasan.i18n import Message

__all__ = ["read_table", "read_population"]



def _read_raw(path: Path, sheet) -> pd.DataFrame:
    """All cells as strings (no header), from CSV (delimiter sniffed) or XLSX."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise TableError(Message("err.table_not_found"), source=str(path))
    if suffix in (".xlsx", ".xlsm"):
        try:
            return pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, header=None, dtype=object)
        except ValueError as exc:
            raise TableError(Message("econ.err.readers.cannot_read_sheet",
                                     sheet=sheet, error=exc), source=str(path), field="sheet") from None
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds
            raise TableError(Message("econ.err.readers.readable_xlsx_workbook",
                                     error=exc), source=str(path)) from None
    if suffix == ".xls":
        raise TableError(Message("econ.err.readers.old_xls_workbooks_read"), source=str(path))
    from kawasan import guarded

    # UTF-8 or UTF-16 with a byte-order mark (Excel's "Unicode Text" export), else Windows-1252
    text = guarded.read_text(path, error=TableError, what="table", fallback="cp1252")
    sep = _sniff_delimiter(text)
    try:  # the fast C parser when every row has the same width
        return pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False,
                           skip_blank_lines=True, engine="c")
    except (pd.errors.ParserError, ValueError):
        pass
    try:
        rows = [r for r in csv.reader(io.StringIO(text), delimiter=sep) if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise TableError(Message("econ.err.readers.readable_csv_file", error=exc), source=str(path)) from None
    width = max((len(r) for r in rows), default=0)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)


def _sniff_delimiter(text: str) -> str:
    """The delimiter (, ; tab |) that splits the first lines into the most rows of one same width (>= 2)."""
    lines = [ln for ln in text.splitlines()[:60] if ln.strip()]
    best = (0, 0, ",")
    for d in (",", ";", "\t", "|"):
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=d)]
        except csv.Error:
            continue
        wide = [w for w in widths if w >= 2]
        if not wide:
            continue
        mode = max(set(wide), key=wide.count)
        score = (wide.count(mode), mode, d)
        if score[:2] > best[:2]:
            best = score
    return best[2]


def _header_row(raw: pd.DataFrame) -> int:
    """Index of the header row: the first with a known header name, or with two or more year cells."""
    for i in range(min(len(raw), 30)):
        cells = [c for c in raw.iloc[i].tolist() if c is not None and str(c).strip() not in ("", "nan")]
        if len(cells) < 2:
            continue
        if any(_role_of(c) for c in cells):
            return i
        if sum(bool(_YEAR_RE.fullmatch(str(c).strip().rstrip("*").split(".")[0])) for c in cells) >= 2:
            return i
        if sum(sector_code(c) in SECTOR_CODES for c in cells) >= 3:
            return i
    return 0


def _n_years(cells) -> int:
    return sum(bool(_YEAR_RE.fullmatch(str(c).strip().rstrip("*").split(".")[0])) for c in cells if c)


def _header_text(cell) -> str:
    """A header cell as text: '' for empty, '2023' for the number 2023.0 (XLSX year headers)."""
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return ""
    if isinstance(cell, (float, np.floating)) and float(cell).is_integer():
        return str(int(cell))
    text = str(cell).strip()
    return "" if text in ("nan", "None") else text


def _is_note(label) -> bool:
    n = normalise_name(label)
    return any(n.startswith(w) for w in ("sumber", "source", "catatan", "note", "keterangan", "ket"))


def read_table(path, *, sheet=None, region=None, year=None, unit=None, price_basis=None, columns=None,
               region_col=None, sector_col=None, year_col=None, value_col=None, decimal=None,
               require_all_sectors=True, total_tolerance=TOTAL_TOLERANCE, scheme="bps17") -> RegionalTable:
    """Read a long or wide CSV/XLSX table of PDRB (or another value) by region, sector and year.

    Parameters
    ----------
    path : the CSV or XLSX file.
    sheet : XLSX sheet name or index (default: the first).
    region, year : the region / year of a wide table that does not state it (sectors x years, or sectors x
        regions). ``region`` also names the region of a single-region long table without a region column.
    unit : the unit when the file does not state it (a unit column or a unit word in the value header).
    price_basis : ``ADHK2010`` or ``ADHB``. When the file has a price-basis column, only rows of this basis are
        kept (so a file with both bases can be read one basis at a time); otherwise it labels the table.
    columns : rename headers before mapping, e.g. ``{"kab_probolinggo_miliar_rp_2023": "Kabupaten Probolinggo"}``.
    region_col, sector_col, year_col, value_col : force a column's role when its header is not recognised.
    decimal : ``","`` or ``"."`` when numbers are text (default: guessed per column; '1.234,5' is Indonesian).
    require_all_sectors : every region-year must have all 17 sectors (default); with False, a region-year with
        a stated total may hold only some sectors.
    total_tolerance : relative tolerance of "stated total = sum of sectors" (default 0.001 = 0.1 %).
    scheme : ``bps17`` (default, the 17 lapangan usaha) or ``any`` (sectors kept as labelled; see
        :meth:`RegionalTable.from_frame`).

    Raises
    ------
    TableError naming the file, region, sector, year and value at fault.
    """
    path = Path(path)
    raw = _read_raw(path, sheet)
    try:
        return _parse_table(raw, str(path), region=region, year=year, unit=unit, price_basis=price_basis,
                            columns=columns, region_col=region_col, sector_col=sector_col, year_col=year_col,
                            value_col=value_col, require_all_sectors=require_all_sectors,
                            total_tolerance=total_tolerance, scheme=scheme)
    except TableError as exc:
        hint = _other_sheets(path, sheet)
        if hint:
            raise TableError(Message("econ.err.readers.with_sheet_hint", message=exc.message, hint=hint),
                             source=exc.source, field=exc.field) from None
        raise


def _other_sheets(path: Path, sheet) -> Message | str:
    """' (read the first sheet 'X'; the workbook has sheets ...: pass sheet= / --sheet)' for a multi-sheet XLSX
    read without ``sheet``, else ''."""
    if sheet is not None or path.suffix.lower() not in (".xlsx", ".xlsm"):
        return ""
    try:
        names = pd.ExcelFile(path).sheet_names
    except Exception:  # noqa: BLE001 - it was readable a moment ago; no hint then
        return ""
    if len(names) < 2:
        return ""
    return Message("econ.err.readers.other_sheets", first=names[0], sheets=", ".join(repr(n) for n in names))


def _parse_table(raw, src, *, region, year, unit, price_basis, columns, region_col, sector_col, year_col,
                 value_col, require_all_sectors, total_tolerance, scheme) -> RegionalTable:
    """A table of raw cells as a RegionalTable: find the header rows, give columns their roles, bring
    the layout to one row per region, sector and year, drop note rows, then take the unit and price
    basis from the options, the value headers or the title rows (in that order)."""
    raw = _without_blank_rows(raw, src)
    headers, titles, first = _headers(raw)
    headers = [(columns or {}).get(c, c) for c in headers]
    body = raw.iloc[first:].reset_index(drop=True)
    body.columns = range(len(headers))
    rownum = np.arange(len(body)) + first + 1  # 1-based file row of each body row
    roles = _column_roles(headers, {"region": region_col, "sector": sector_col, "year": year_col,
                                    "value": value_col}, src)
    frame, header_unit, header_price = _long_frame(body, headers, roles, rownum, region, year, src)
    if frame.empty or "sector" not in frame.columns:   # a header and nothing under it (found by atheris)
        raise TableError(Message("econ.err.readers.table_header_but_data",
                                 headers=', '.join(h for h in headers if h) or 'empty'), source=src)
    frame = _without_notes(frame)
    if "price_basis" in frame.columns and price_basis is not None:
        frame = _rows_of_price_basis(frame, price_basis, src)
    header_unit = header_unit or _common(_unit_in(c) for c in titles if c)
    header_price = header_price or _common(_price_in(c) for c in titles if c)
    if "unit" not in frame.columns and (unit or header_unit):
        frame["unit"] = unit or header_unit
        unit = None
    if "price_basis" not in frame.columns and header_price and price_basis is None:
        price_basis = header_price
    return RegionalTable.from_frame(frame, unit=unit, price_basis=price_basis, source=src,
                                    require_all_sectors=require_all_sectors, total_tolerance=total_tolerance,
                                    scheme=scheme)


def _without_blank_rows(raw: pd.DataFrame, src: str) -> pd.DataFrame:
    """The raw cells without rows whose cells are all empty ('', 'nan', 'None'); nothing left is a TableError."""
    raw = raw.dropna(how="all")
    blank = raw.isna() | raw.astype(str).apply(lambda col: col.str.strip().isin(["", "nan", "None"]))
    raw = raw[~blank.all(axis=1)]
    if raw.empty:
        raise TableError(Message("econ.err.readers.table_empty"), source=src)
    return raw


def _headers(raw: pd.DataFrame) -> tuple[list[str], list[str], int]:
    """(column headers, title cells, index of the first body row).

    The title rows above the header and a spanning header cell ("PDRB Atas Dasar Harga Konstan 2010
    (Juta Rupiah)" over the years) may state the unit and price basis. A second header row (merged
    cells in BPS XLSX) holds either the years or, under each year, the price bases."""
    h = _header_row(raw)
    headers = [_header_text(c) for c in raw.iloc[h]]
    titles = [_header_text(c) for i in range(h) for c in raw.iloc[i]]
    first = h + 1
    if h + 1 < len(raw) and _n_years(headers) < 2:
        below = [_header_text(c) for c in raw.iloc[h + 1]]
        if _n_years(below) >= 2 and not any(_role_of(c) for c in below if c):
            headers, titles = _years_below(headers, below, titles)
            first = h + 2
    if h + 1 < len(raw) and first == h + 1 and _n_years(headers) >= 1:
        below = [_header_text(c) for c in raw.iloc[h + 1]]
        if sum(_price_basis_of(c) is not None for c in below if c) >= 2 and not any(_role_of(c) for c in below if c):
            headers = _years_over_price_bases(headers, below)
            first = h + 2
    return headers, titles, first


def _years_below(headers: list[str], below: list[str], titles: list[str]) -> tuple[list[str], list[str]]:
    """(headers, titles) of two header rows whose years are in the second one: above them either one
    title spanning all years (it joins the titles) or one region per group of years ("Kab. X" over
    2022, 2023: the headers become "Kab. X 2022", "Kab. X 2023")."""
    above, last = [], ""
    for hd, b in zip(headers, below):
        last = (hd or last) if b else ""
        above.append(last if b and not _role_of(hd or "x") else "")
    if len({a for a in above if a}) >= 2:
        return [f"{a} {b}" if a else (b or hd) for hd, a, b in zip(headers, above, below)], titles
    titles = titles + [hd for hd, b in zip(headers, below) if b and hd]
    return [b or hd for hd, b in zip(headers, below)], titles


def _years_over_price_bases(headers: list[str], below: list[str]) -> list[str]:
    """Headers of a year spanning two columns (merged) over "ADHB | ADHK": one column per year and
    price basis ("2023 ADHB", "2023 ADHK")."""
    filled, last = [], ""
    for hd in headers:
        last = hd if _n_years([hd]) else (last if not hd else "")
        filled.append(last)
    return [f"{y} {b}" if b and y and _price_basis_of(b) else hd for hd, y, b in zip(headers, filled, below)]


def _column_roles(headers: list[str], forced: dict[str, str | None], src: str) -> dict[str, int]:
    """Role (region, sector, year, value, unit, ...) -> column index: the forced columns first (a name
    not among the headers is a TableError), then each header's role from the header mapping, the
    first column of a role winning; a sector name column stands for the sector when there is no code."""
    roles: dict[str, int] = {}
    for role, name in forced.items():
        if name is not None:
            if name not in headers:
                raise TableError(Message("econ.err.readers.column_columns",
                                         column=name, columns=', '.join(h for h in headers if h)),
                                 source=src, field=name)
            roles[role] = headers.index(name)
    for j, hd in enumerate(headers):
        role = _role_of(hd) if hd else None
        if role and role not in roles and j not in roles.values():
            roles[role] = j
    if "sector" not in roles and "sector_name" in roles:
        roles["sector"] = roles.pop("sector_name")
    return roles


def _long_frame(body, headers, roles, rownum, region, year, src):
    """(rows of region, sector, year and value, unit the value headers state, price basis they state)
    from whichever layout the roles show: long; sectors as columns; PDRB totals by region and year;
    sectors as rows with years or regions as columns. No layout fits: a TableError."""
    header_unit = _unit_in(headers[roles["value"]]) if "value" in roles else None
    header_price = _price_in(headers[roles["value"]]) if "value" in roles else None
    sector_cols = [j for j, hd in enumerate(headers) if j not in roles.values() and hd and sector_code(hd)]
    if "sector" in roles and "value" in roles and ("year" in roles or year is not None) \
            and ("region" in roles or region is not None):
        return _long_rows(body, roles, rownum, region, year), header_unit, header_price
    if "sector" not in roles and len(sector_cols) >= 2:
        return _melt_sectors_as_columns(body, headers, roles, sector_cols, rownum, region, year, src), \
            header_unit, header_price
    if "sector" not in roles and "region" in roles and _n_years(headers) >= 1:
        frame = _melt_totals(body, headers, roles, rownum, region, year, src)
    elif "sector" in roles:
        frame = _melt_wide(body, headers, roles, rownum, region, year, src)
    else:
        raise TableError(
            Message("econ.err.readers.cannot_tell_which_column",
                    headers=', '.join(h for h in headers if h)), source=src,
            field="sector")
    value_headers = [headers[j] for j in frame.attrs.get("value_cols", [])]
    return (frame, header_unit or _common(_unit_in(hd) for hd in value_headers),
            header_price or _common(_price_in(hd) for hd in value_headers))


def _long_rows(body, roles, rownum, region, year) -> pd.DataFrame:
    """Rows of a long table (a column each for sector and value; region and year from columns or the
    options), with its unit, price basis, region code and sector name columns when it has them."""
    def cells(j):
        return body[j].tolist()

    frame = pd.DataFrame({
        "region": cells(roles["region"]) if "region" in roles else [region] * len(body),
        "sector": cells(roles["sector"]),
        "year": cells(roles["year"]) if "year" in roles else [year] * len(body),
        "value": cells(roles["value"]), "_row": rownum})
    for extra in ("unit", "price_basis", "region_code", "sector_name"):
        if extra in roles:
            frame[extra] = cells(roles[extra])
    return frame


def _melt_totals(body, headers, roles, rownum, region, year, src) -> pd.DataFrame:
    """Rows of PDRB totals by region (rows) and year (columns), BPS "PDRB ... menurut Kabupaten/Kota":
    a wide table whose only sector is "PDRB"."""
    body = body.assign(**{str(len(headers)): "PDRB"})
    body.columns = range(len(headers) + 1)
    return _melt_wide(body, headers + [""], {**roles, "sector": len(headers)}, rownum, region, year, src)


def _without_notes(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows without note rows (Sumber: BPS ..., in the sector or region cell) and without rows
    whose sector and value are both empty (wide tables)."""
    lab = frame["sector"].astype(str)
    note_of = {v: _is_note(v) for v in pd.unique(pd.concat([lab, frame["region"].astype(str)]))}
    note = lab.map(note_of) | frame["region"].astype(str).map(note_of)
    empty_sector = lab.str.strip().isin(["", "nan", "None"])
    empty_value = frame["value"].astype(str).str.strip().isin(["", "nan", "None"])
    return frame[~note & ~(empty_sector & empty_value)]


def _rows_of_price_basis(frame: pd.DataFrame, price_basis: str, src: str) -> pd.DataFrame:
    """The rows whose price-basis column is ``price_basis`` (a file may hold both bases); none is a TableError."""
    want = _price_basis_of(price_basis) or price_basis
    bases = frame["price_basis"].map(lambda v: _price_basis_of(v) or str(v).strip())
    if not (bases == want).any():
        raise TableError(Message("econ.err.readers.rows_price_basis_table",
                                 price_basis=want, bases=', '.join(sorted(set(bases)))),
                         source=src, field="price_basis")
    return frame[bases == want]


def _common(values):
    vals = [v for v in values if v]
    return vals[0] if vals and all(v == vals[0] for v in vals) else None


def _parse_value_header(hd: str):
    """(region name or None, year or None) from a wide value-column header like 'kab_x_miliar_rp_2023'."""
    text = hd
    m = _YEAR_RE.search(text)
    yr = int(m.group(1)) if m else None
    k = _key(text)
    if yr:
        k = re.sub(rf"(^|_){yr}(_|$)", "_", k)
    for word in sorted(header_mapping()["units"], key=len, reverse=True):
        k = re.sub(rf"(^|_){word}(_|$)", "_", k)
    for words in header_mapping()["price_bases"].values():
        for w in sorted(words, key=len, reverse=True):
            k = re.sub(rf"(^|_){w}(_|$)", "_", k)
    name = k.strip("_")
    if not name:
        return None, yr
    if m and not _key(text).replace(str(yr), "").strip("_"):
        return None, yr
    # keep the original spelling when the header is a plain name
    if normalise_name(hd) == name.replace("_", " "):
        return normalise_region_name(hd), yr
    return normalise_region_name(name), yr


def _melt_wide(body, headers, roles, rownum, region, year, src):
    """Sectors as rows; value columns are years (region from a column or the option) or regions."""
    used = set(roles.values())
    value_cols = [j for j, hd in enumerate(headers) if j not in used and hd]
    if not value_cols:
        raise TableError(Message("econ.err.readers.value_columns_expected_years"),
                         source=src, field="value")
    rows = []
    # a price basis in the column headers ("2023 ADHK") when they differ between columns
    col_basis = {j: _price_in(headers[j]) for j in value_cols}
    if len(set(col_basis.values())) < 2:
        col_basis = dict.fromkeys(value_cols)
    # likewise a unit ("kab_x_juta_rp_2023" beside "jawa_timur_miliar_rp_2023"): then the validation refuses the mix
    col_unit = {j: _unit_in(headers[j]) for j in value_cols}
    if len({u for u in col_unit.values() if u}) < 2:
        col_unit = dict.fromkeys(value_cols)
    for j in value_cols:
        reg, yr = _parse_value_header(headers[j])
        if reg is not None and "region" in roles:
            raise TableError(Message("econ.err.readers.column_neither_year_nor", column=headers[j],
                                     region_column=headers[roles['region']]), source=src, field=headers[j])
        for i in range(len(body)):
            rg = reg if reg is not None else (body.iat[i, roles["region"]] if "region" in roles else region)
            yy = yr if yr is not None else (body.iat[i, roles["year"]] if "year" in roles else year)
            if rg is None:
                raise TableError(Message("econ.err.readers.column_gives_year_but",
                                         column=headers[j]), source=src, field="region")
            if yy is None:
                raise TableError(Message("econ.err.readers.column_gives_region_but",
                                         column=headers[j]),
                                 source=src, field="year")
            row = {"region": rg, "sector": body.iat[i, roles["sector"]], "year": yy, "value": body.iat[i, j],
                   "_row": rownum[i]}
            if "sector_name" in roles:
                row["sector_name"] = body.iat[i, roles["sector_name"]]
            if "price_basis" in roles:
                row["price_basis"] = body.iat[i, roles["price_basis"]]
            elif col_basis[j]:
                row["price_basis"] = col_basis[j]
            if "unit" in roles:
                row["unit"] = body.iat[i, roles["unit"]]
            elif col_unit[j]:
                row["unit"] = col_unit[j]
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame.attrs["value_cols"] = value_cols
    return frame


def _melt_sectors_as_columns(body, headers, roles, sector_cols, rownum, region, year, src):
    rows = []
    for i in range(len(body)):
        rg = body.iat[i, roles["region"]] if "region" in roles else region
        yy = body.iat[i, roles["year"]] if "year" in roles else year
        if rg is None or yy is None:
            raise TableError(Message("econ.err.readers.sectors_columns_expected_region"),
                             source=src, field="region" if rg is None else "year")
        for j in sector_cols:
            row = {"region": rg, "sector": headers[j], "year": yy, "value": body.iat[i, j], "_row": rownum[i]}
            if "region_code" in roles:
                row["region_code"] = body.iat[i, roles["region_code"]]
            rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------------------
# population (for regional Klassen and per-capita values)


def read_population(path, *, sheet=None) -> pd.DataFrame:
    """Population by region and year: a frame with columns ``region``, ``year``, ``population``.

    Reads long CSV/XLSX with a region column (wilayah/region), a year column (tahun/year) and a count column
    (jiwa/penduduk/population/value). A sex column (jenis_kelamin/sex: L/P or male/female) is summed; rows
    marked total (L+P, Total, Jumlah) are used instead when present.
    """
    path = Path(path)
    raw = _read_raw(path, sheet)
    h = _header_row(raw)
    headers = [_key(c) for c in raw.iloc[h]]
    body = raw.iloc[h + 1:].reset_index(drop=True)
    body.columns = headers

    def find(names):
        for n in names:
            if n in headers:
                return n
        return None

    rc = find(header_mapping()["roles"]["region"])
    yc = find(header_mapping()["roles"]["year"])
    vc = find(["population", "penduduk", "jumlah_penduduk", "jiwa", "value", "nilai", "jumlah"])
    sc = find(["jenis_kelamin", "sex", "gender", "jk"])
    for role, col in (("region", rc), ("year", yc), ("population", vc)):
        if col is None:
            raise TableError(Message("econ.err.readers.column_headers",
                                     role=role, headers=', '.join(headers)), source=str(path), field=role)
    df = pd.DataFrame({"region": body[rc].astype(str).str.strip(), "year": body[yc], "population": body[vc]})
    frame = df.assign(sector="TOTAL", value=df["population"])
    frame["_row"] = np.arange(len(frame)) + h + 2
    frame = _clean_years(frame, str(path))
    frame = _clean_values(frame, str(path))
    frame["region"] = [normalise_region_name(r) for r in frame["region"]]
    frame["population"] = frame["value"]
    if sc is not None:
        sex = body[sc].map(normalise_name)
        total = sex.isin(["l p", "lp", "total", "jumlah", "all", "semua"])
        frame["_sex"] = sex.values
        frame["_total"] = total.values
        out = []
        for (r, y), g in frame.groupby(["region", "year"], sort=False):
            out.append((r, y, g.loc[g["_total"], "population"].sum() if g["_total"].any() else g["population"].sum()))
        res = pd.DataFrame(out, columns=["region", "year", "population"])
    else:
        dup = frame.duplicated(["region", "year"], keep=False)
        if dup.any():
            r = frame[dup].iloc[0]
            raise TableError(Message("econ.err.readers.duplicated_population_rows_region",
                                     region=r['region'], year=r['year']),
                             source=str(path), field="population")
        res = frame[["region", "year", "population"]].reset_index(drop=True)
    res["year"] = res["year"].astype(int)
    return res
