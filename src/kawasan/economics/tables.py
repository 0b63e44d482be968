"""Economic tables (PDRB by lapangan usaha, totals) read into one tidy, validated shape.

:class:`RegionalTable` holds a tidy frame with columns ``region``, ``sector``, ``year``, ``value``
(float) and the table's ``unit``, ``price_basis`` and ``source``. :func:`read_table` (in ``readers.py``,
re-exported here) reads BPS-style files into it:

* long CSV/XLSX: one row per region, sector and year (``region, sector, year, value`` with optional
  ``unit`` and ``price_basis`` columns);
* wide CSV/XLSX: sectors as rows and regions or years as columns (BPS static tables), or regions as
  rows and sectors as columns;
* totals tables (``kode_bps, nama, tahun, harga, komponen, nilai_juta_rp``): one PDRB total per region
  and year (sector ``TOTAL``).

A national PDB table as BPS publishes it lists the 17 sectors, then "Pajak Dikurangi Subsidi atas Produk"
(net taxes on products) and the PDB, which is the sum of the sectors plus the net taxes (about 3.6 % above
the sum for Indonesia). The net-taxes row is kept apart (:attr:`RegionalTable.net_taxes`), the stated PDB
is checked against sectors + net taxes, and :meth:`RegionalTable.totals` gives either total
(``total="sectors"`` or ``"gdp"``, see :data:`REFERENCE_TOTALS`). A "Nilai Tambah Bruto" (gross value added)
row is the stated sum of the sectors: checked, then dropped.

Headers may be Indonesian or English; the recognised names are in ``headers.yaml`` beside this module
and in ``docs/reference/economics.md``. Every check failure raises :class:`~kawasan.errors.TableError`
naming the file, the region, sector, year and value at fault and what was expected.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from kawasan.economics.numbers import cell, plain
from kawasan.economics.sectors import (
    GVA, MANUFACTURING_SUBSECTORS, NET_TAXES, SECTOR_CODES, SECTORS_17, TOTAL, is_main_sector, normalise_name,
    parent_of, resolve_subrow, sector_code, sort_key, subrow_name,
)
from kawasan.errors import InputError, TableError
from kawasan.i18n import Message, has

__all__ = ["RegionalTable", "read_table", "read_population", "SECTORS_17", "SECTOR_CODES", "TOTAL", "NET_TAXES",
           "MANUFACTURING_SUBSECTORS", "TOTAL_TOLERANCE", "REFERENCE_TOTALS", "check_reference_total",
           "header_mapping", "normalise_region_name"]

#: Relative tolerance of the check "stated total = sum of the 17 sectors": 0.1 % of the stated total
#: (BPS rounds each sector to two decimals; 17 roundings stay far below this).
TOTAL_TOLERANCE = 0.001

#: The totals a region's shares and growth can be measured against (``reference_total=`` of the indicators,
#: ``--reference-total`` of the CLI): ``sectors``, the sum of the 17 lapangan usaha (gross value added; the
#: default), or ``gdp``, the PDB / PDRB as BPS publishes it, the sectors plus net taxes on products where the
#: table has a "Pajak Dikurangi Subsidi atas Produk" row (for a region without that row both are the same).
REFERENCE_TOTALS = ("sectors", "gdp")

_SUB_CODES = {s.code for s in MANUFACTURING_SUBSECTORS}
_YEAR_RE = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d|21\d\d)(?!\d)")


def check_reference_total(total) -> str:
    """``total`` if it is one of :data:`REFERENCE_TOTALS`, else InputError naming the choices."""
    if total not in REFERENCE_TOTALS:
        raise InputError(Message("econ.err.tables.reference_total_one_sectors",
                                 total=total, reference_totals=', '.join(REFERENCE_TOTALS)),
                         field="reference_total")
    return total


@lru_cache(maxsize=1)
def header_mapping() -> dict:
    """The header mapping (roles, value prefixes, units, price bases) from ``headers.yaml``."""
    text = resources.files("kawasan.economics").joinpath("headers.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _key(text) -> str:
    return normalise_name(text).replace(" ", "_")


def _role_of(header) -> str | None:
    """The role of a column header; a bilingual BPS header ("Lapangan Usaha/Industry", "Tahun/Year") by either
    of its parts."""
    k = _key(header)
    roles = header_mapping()["roles"]
    for role, names in roles.items():
        if k in names:
            return role
    if any(k == p or k.startswith(p + "_") for p in header_mapping()["value_prefixes"]):
        return "value"
    parts = [p for p in re.split(r"[/\n]", str(header)) if p.strip()]
    if len(parts) > 1:
        for part in parts:
            pk = _key(part)
            for role, names in roles.items():
                if pk in names:
                    return role
    return None


def _unit_in(text) -> str | None:
    k = f"_{_key(text)}_"
    best = None
    for word, unit in header_mapping()["units"].items():
        if f"_{word}_" in k and (best is None or len(word) > len(best[0])):
            best = (word, unit)
    return best[1] if best else None


def _price_basis_of(text) -> str | None:
    k = _key(text)
    if not k:
        return None
    for basis, words in header_mapping()["price_bases"].items():
        if k in words or k == basis.lower():
            return basis
    return None


def _price_in(text) -> str | None:
    """The one price basis named inside ``text``; None when none or both are named."""
    k = f"_{_key(text)}_"
    found = [basis for basis, words in header_mapping()["price_bases"].items() if any(f"_{w}_" in k for w in words)]
    return found[0] if len(found) == 1 else None


def normalise_region_name(name, code=None) -> str:
    """A region name as BPS writes it: ``Kabupaten X`` / ``Kota X`` / ``Provinsi X``.

    ``kab_probolinggo`` and ``Kab. Probolinggo`` become ``Kabupaten Probolinggo``. With a BPS code
    (``3513``, ``35.13``), a bare name gets ``Kabupaten`` (codes xx01..xx69) or ``Kota`` (xx71..xx99).
    """
    text = " ".join(str(name).replace("_", " ").split())
    words = text.split(" ")
    prefixes = header_mapping()["region_prefixes"]
    first = normalise_name(words[0]) if words else ""
    if len(words) > 1 and first in prefixes:
        rest = " ".join(words[1:])
        if rest.islower():
            rest = rest.title()
        return f"{prefixes[first]} {rest}"
    if text.islower():
        text = text.title()
    if code is not None and not pd.isna(code):
        digits = re.sub(r"\D", "", str(code).split(".")[0] if re.fullmatch(r"\d+\.0", str(code)) else str(code))
        if len(digits) == 4 and first not in prefixes:
            kind = int(digits[2:])
            if kind == 0:
                return text
            return f"{'Kota' if kind >= 70 else 'Kabupaten'} {text}"
    return text


# ----------------------------------------------------------------------------------------------------------
# numbers


def _parse_number(cell, decimal: str | None):
    """A float from a cell; BPS '-' (nil) is 0. Returns (value, ok)."""
    if cell is None:
        return np.nan, False
    if isinstance(cell, (int, float, np.integer, np.floating)) and not isinstance(cell, bool):
        v = float(cell)
        return v, not np.isnan(v)
    s = str(cell).strip().replace("\u00a0", "").replace(" ", "")
    s = s.rstrip("*").strip()
    if s in ("", "nan", "NaN", "None"):
        return np.nan, False
    if s in ("-", "\u2013", "\u2014"):
        return 0.0, True
    neg = s.startswith("(") and s.endswith(")")
    if neg:
        s = "-" + s[1:-1]
    if decimal is None:
        decimal = _guess_decimal([s])
    if decimal == ",":
        s = s.replace(".", "").replace(",", ".")
    else:
        s = s.replace(",", "")
    try:
        return float(s), True
    except ValueError:
        return np.nan, False


_THOUSANDS_DOT = re.compile(r"^-?\d{1,3}(\.\d{3}){2,}$")
_THOUSANDS_COMMA = re.compile(r"^-?\d{1,3}(,\d{3})+$")


def _guess_decimal(cells) -> str:
    """'.' or ',' as the decimal separator of a column of number strings (Indonesian or English style)."""
    both = [c for c in cells if "," in c and "." in c]
    if both:
        c = both[0]
        return "," if c.rfind(",") > c.rfind(".") else "."
    commas = [c for c in cells if "," in c]
    if commas:
        if all(_THOUSANDS_COMMA.match(c) for c in commas) and any(c.count(",") > 1 for c in commas):
            return "."
        return ","
    dots = [c for c in cells if "." in c]
    if dots and (all(_THOUSANDS_DOT.match(c) for c in dots) or any(c.count(".") > 1 for c in dots)):
        return ","          # '1.163.859' has no decimal point: the column is Indonesian ('135.414' too)
    return "."


# ----------------------------------------------------------------------------------------------------------
# the table


@dataclass
class RegionalTable:
    """Values by region, sector and year, with one unit and one price basis.

    ``data`` has the columns ``region`` (str), ``sector`` (canonical code: ``A`` .. ``R,S,T,U``,
    sub-categories ``C.1`` .. ``C.16``, or ``TOTAL``), ``year`` (int) and ``value`` (float >= 0).
    Stated totals of complete region-years are checked against the sum of the 17 sectors (plus the net taxes
    on products, when the region-year has them) and then dropped; a totals-only table keeps its ``TOTAL`` rows.
    ``net_taxes`` maps (region, year) to the "Pajak Dikurangi Subsidi atas Produk" value of the region-years
    that have that row (a national PDB table); it is never a sector.
    """

    data: pd.DataFrame
    unit: str | None = None
    price_basis: str | None = None
    source: str | None = None
    region_codes: dict = field(default_factory=dict)
    sector_names: dict = field(default_factory=dict)
    scheme: str = "bps17"
    notes: list = field(default_factory=list)
    net_taxes: dict = field(default_factory=dict)

    def __post_init__(self):
        self.data = self.data.reset_index(drop=True)
        self._cache: dict = {}

    # --- construction -----------------------------------------------------------------------------------
    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, unit: str | None = None, price_basis: str | None = None,
                   source: str | None = None, require_all_sectors: bool = True,
                   total_tolerance: float = TOTAL_TOLERANCE, scheme: str = "bps17") -> "RegionalTable":
        """Validate a tidy frame (region, sector, year, value [, unit, price_basis]) into a table.

        ``scheme="bps17"`` (default): sector labels are BPS codes or names (mapped by
        :func:`~kawasan.economics.sectors.sector_code`) and every region-year needs the 17 lapangan usaha.
        ``scheme="any"``: sectors are kept as labelled (another classification, e.g. the pre-2010 nine sectors or
        employment by industry); the total is the sum of all of them; only ``PDRB``/``Total``/``Jumlah`` rows are
        recognised as stated totals.
        Raises TableError on unknown sectors, non-numeric, missing or negative values, duplicated
        rows, missing sectors, totals that do not add up, and mixed units or price bases.
        """
        src = source or "table"
        missing = [c for c in ("region", "sector", "year", "value") if c not in frame.columns]
        if missing:
            raise TableError(Message("econ.err.tables.table_column_expected_region",
                                     missing=', '.join(missing)),
                             source=src, field=missing[0])
        df = frame.copy()
        df["_row"] = df["_row"] if "_row" in df.columns else np.arange(len(df)) + 2
        names = {}
        if "sector_name" in df.columns:
            names = dict(zip(df["sector"].astype(str), df["sector_name"].astype(str)))
        df = _clean_regions(df, src)
        df = _clean_years(df, src)
        if scheme not in ("bps17", "any"):
            raise ValueError(Message("econ.err.tables.scheme_must_bps_any"))
        notes: list[str] = []
        df = _clean_sectors(df, src, notes) if scheme == "bps17" else _keep_sectors(df, src)
        df = _drop_blank_special_rows(df)
        na: set = set()
        df = _clean_values(df, src, notes, na)
        unit = _single_attr(df, "unit", unit, src, _unit_in)
        price_basis = _single_attr(df, "price_basis", price_basis, src, _price_basis_of)
        _check_duplicates(df, src)
        df, net_taxes = _split_net_taxes(df)
        order = list(dict.fromkeys(df["sector"]))
        main = SECTOR_CODES if scheme == "bps17" else tuple(s for s in order if s not in (TOTAL, GVA))
        df = _check_totals(df, src, require_all_sectors, total_tolerance, main, na, net_taxes)
        rank = {c: i for i, c in enumerate(sorted(order, key=sort_key) if scheme == "bps17" else order)}
        df = df.assign(_rank=df["sector"].map(rank)).sort_values(["region", "year", "_rank"], kind="stable")
        out = df[["region", "sector", "year", "value"]].reset_index(drop=True)
        out["value"] = out["value"].astype(float)
        out["year"] = out["year"].astype(int)
        codes = {}
        if "region_code" in df.columns:
            codes = {r: str(c) for r, c in zip(df["region"], df["region_code"]) if not pd.isna(c)}
        return cls(out, unit=unit, price_basis=price_basis, source=source, region_codes=codes,
                   sector_names={sector_code(k) or k: v for k, v in names.items()}, scheme=scheme, notes=notes,
                   net_taxes=net_taxes)

    # --- views --------------------------------------------------------------------------------------------
    def _memo(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    @property
    def regions(self) -> list[str]:
        """Region names in table order (the table is treated as immutable: build a new one to change it)."""
        return self._memo("regions", lambda: [str(r) for r in pd.unique(self.data["region"])])

    @property
    def sectors(self) -> list[str]:
        """Sector codes in the table (BPS order; first-seen order for ``scheme="any"``), without TOTAL."""
        def build():
            present = [str(s) for s in pd.unique(self.data["sector"]) if s != TOTAL]
            return present if self.scheme == "any" else sorted(present, key=sort_key)
        return list(self._memo("sectors", build))

    @property
    def main_sectors(self) -> list[str]:
        """The sectors whose sum is the PDRB total (the 17 lapangan usaha, or all sectors for ``scheme="any"``)."""
        return [s for s in self.sectors if self.scheme == "any" or is_main_sector(s)]

    @property
    def years(self) -> list[int]:
        return list(self._memo("years", lambda: sorted(int(y) for y in pd.unique(self.data["year"]))))

    @property
    def totals_only(self) -> bool:
        """True when the table holds only PDRB totals (sector ``TOTAL``)."""
        return bool(len(self.data)) and not self.sectors

    def __len__(self) -> int:
        return len(self.data)

    def cube(self) -> pd.DataFrame:
        """Values as a wide frame: index (region, year), one column per sector code (NaN where absent)."""
        if "cube" not in self._cache:
            c = self.data.pivot_table(index=["region", "year"], columns="sector", values="value", aggfunc="sum",
                                      sort=False)
            c = c[[s for s in self.sectors if s in c.columns] + ([TOTAL] if TOTAL in c.columns else [])]
            c.columns.name = None
            self._cache["cube"] = c
        return self._cache["cube"]

    @property
    def has_net_taxes(self) -> bool:
        """True when some region-year has a net-taxes row (a PDB table as BPS publishes it)."""
        return bool(self.net_taxes)

    def totals(self, total: str = "sectors") -> pd.Series:
        """Total by (region, year) (see :data:`REFERENCE_TOTALS`).

        ``sectors``: the sum of the 17 sectors, or the stated total of a totals table less its net taxes;
        ``gdp``: the PDB / PDRB as published, sectors + net taxes on products (equal to ``sectors`` for a
        region-year without a net-taxes row).
        """
        check_reference_total(total)
        key = f"totals:{total}"
        if key not in self._cache:
            c = self.cube()
            main = [s for s in self.main_sectors if s in c.columns]
            tot = c[main].sum(axis=1, min_count=1) if main else pd.Series(np.nan, index=c.index)
            nt = pd.Series([self.net_taxes.get((r, int(y)), 0.0) for r, y in c.index], index=c.index, dtype=float)
            if TOTAL in c.columns:
                tot = (c[TOTAL] - nt).where(c[TOTAL].notna(), tot)
            if total == "gdp":
                tot = tot + nt
            tot.name = "total"
            self._cache[key] = tot
        return self._cache[key]

    def dense(self, total: str = "sectors"):
        """(region index, year index, sector index, values regions x years x sectors, totals regions x years).

        NaN where a value is absent; a totals row is NaN for a region-year the table does not have. ``total``
        picks the totals (:meth:`totals`).
        """
        check_reference_total(total)
        rmap, ymap, smap, arr, totals = self._dense()
        return rmap, ymap, smap, arr, totals[total]

    def _dense(self):
        if "dense" not in self._cache:
            regions, years = self.regions, self.years
            cols = self.sectors + ([TOTAL] if (self.data["sector"] == TOTAL).any() else [])
            rmap = {r: i for i, r in enumerate(regions)}
            ymap = {y: i for i, y in enumerate(years)}
            smap = {c: i for i, c in enumerate(cols)}
            arr = np.full((len(regions), len(years), len(cols)), np.nan)
            d = self.data
            arr[d["region"].map(rmap).to_numpy(), d["year"].map(ymap).to_numpy(),
                d["sector"].map(smap).to_numpy()] = d["value"].to_numpy(dtype=float)
            main = [smap[c] for c in self.main_sectors]
            present = ~np.isnan(arr).all(axis=2)
            tot = np.nansum(arr[:, :, main], axis=2) if main else np.full(present.shape, np.nan)
            nt = np.zeros(present.shape)
            for (region, year), v in self.net_taxes.items():
                if region in rmap and year in ymap:
                    nt[rmap[region], ymap[year]] = v
            if TOTAL in smap:
                stated = arr[:, :, smap[TOTAL]]
                tot = np.where(np.isnan(stated), tot, stated - nt)
            tot = np.where(present, tot, np.nan)
            self._cache["dense"] = (rmap, ymap, smap, arr, {"sectors": tot, "gdp": tot + nt})
        return self._cache["dense"]

    def value_frame(self, year: int) -> pd.DataFrame:
        """Values of one year: index region, one column per sector."""
        c = self.cube()
        try:
            return c.xs(int(year), level="year")
        except KeyError:
            raise TableError(Message("econ.err.tables.values_year_table_years",
                                     year=year, years=self.years),
                             source=self.source, field="year") from None

    def select(self, *, regions=None, years=None, sectors=None) -> "RegionalTable":
        """A new table restricted to some regions, years and/or sectors (no re-validation)."""
        d = self.data
        if regions is not None:
            d = d[d["region"].isin(list(regions))]
        if years is not None:
            d = d[d["year"].isin([int(y) for y in years])]
        if sectors is not None:
            d = d[d["sector"].isin(list(sectors))]
        keep = set(zip(d["region"], d["year"].astype(int)))
        return RegionalTable(d.copy(), unit=self.unit, price_basis=self.price_basis, source=self.source,
                             region_codes=dict(self.region_codes), sector_names=dict(self.sector_names),
                             scheme=self.scheme, notes=list(self.notes),
                             net_taxes={k: v for k, v in self.net_taxes.items() if k in keep})

    def to_frame(self) -> pd.DataFrame:
        """A copy of the tidy frame with ``unit``, ``price_basis`` and ``source`` in ``attrs``."""
        d = self.data.copy()
        d.attrs.update(unit=self.unit, price_basis=self.price_basis, source=self.source)
        return d

    def require_region(self, name: str, role: str = "region") -> str:
        """``name`` if the table has it (also matching 'Kab. X' / case), else TableError listing the regions."""
        regions = self.regions
        if name in regions:
            return name
        want = normalise_name(normalise_region_name(name))
        for r in regions:
            if normalise_name(r) == want:
                return r
        # "Jawa Timur" is "Provinsi Jawa Timur" (and back), unless a regency or city has that name too
        bare = lambda n: re.sub(r"^(provinsi|prov) ", "", n)  # noqa: E731
        same = [r for r in regions if normalise_name(r) == bare(want) or normalise_name(r).endswith(" " + bare(want))]
        if len(same) == 1 and bare(normalise_name(same[0])) == bare(want):
            return same[0]
        close = [r for r in regions if want.split()[-1:] and want.split()[-1] in normalise_name(r)]
        hint = Message("econ.err.tables.did_you_mean", names=", ".join(repr(c) for c in close[:3])) if close else ""
        shown = ", ".join(regions[:12]) + (" ..." if len(regions) > 12 else "")
        role_key = f"econ.err.tables.role_{role.replace(' ', '_')}"
        role_text = Message(role_key) if has(role_key) else role
        raise TableError(Message("econ.err.tables.region_not_in_table", role=role_text, name=name, hint=hint,
                                 regions=shown), source=self.source, field="region")


# ----------------------------------------------------------------------------------------------------------
# validation steps (each names region, sector, year and value)


def _where(row) -> Message | str:
    """Where a row is: "region 'X', sector 'A', year 2023, row 5" (the parts the row has), in either language."""
    parts = []
    for k in ("region", "sector", "year"):
        if k in row and not (isinstance(row[k], float) and np.isnan(row[k])):
            parts.append(Message(f"econ.err.tables.at_{k}", value=cell(row[k]) if k != "year" else plain(row[k])))
    if "_row" in row:
        parts.append(Message("econ.err.tables.at_row", value=plain(row["_row"])))
    return _join(parts)


def _join(parts: list) -> Message | str:
    """Messages joined by ", " that stay translatable as a whole (each part in the reader's language)."""
    out = ""
    for part in reversed(parts):
        out = part if not out else Message("econ.err.tables.then", first=part, rest=out)
    return out


def _clean_regions(df, src):
    bad = df["region"].isna() | (df["region"].astype(str).str.strip() == "")
    if bad.any():
        r = df[bad].iloc[0]
        raise TableError(Message("econ.err.tables.empty_region_name_value",
                                 where=_where(r.drop('region')), value=cell(r['value'])),
                         source=src, field="region")
    if "region_code" in df.columns:
        df["region"] = [normalise_region_name(n, c) for n, c in zip(df["region"], df["region_code"])]
    else:
        names = {n: normalise_region_name(n) for n in pd.unique(df["region"])}
        df["region"] = df["region"].map(names)
    return df


def _year_of(y):
    if isinstance(y, (int, np.integer)) and not isinstance(y, bool):
        return int(y) if 1950 <= int(y) <= 2199 else None
    if y is None or (isinstance(y, float) and np.isnan(y)):
        return None
    text = str(y)
    m = _YEAR_RE.search(text)
    if not m or not re.fullmatch(r"\s*\d{4}(\.0)?\s*\**\s*", text):
        return None
    return int(m.group(1))


def _clean_years(df, src):
    col = df["year"]
    parsed = {y: _year_of(y) for y in pd.unique(col)}
    bad = [y for y, v in parsed.items() if v is None]
    if bad:
        r = df[col.isin(bad) | col.isna()].iloc[0] if not all(pd.isna(b) for b in bad) else df[col.isna()].iloc[0]
        raise TableError(Message("econ.err.tables.year_year_expected_four", year=cell(r['year']),
                                 region=cell(r['region']), sector=cell(r['sector']), row=plain(r['_row']),
                                 value=cell(r['value'])),
                         source=src, field="year")
    df["year"] = col.map(parsed).astype(int)
    return df


_TOTAL_WORDS = r"(pdrb|pdb|produk domestik (regional )?bruto|grdp|gdp|gross (regional )?domestic product"
_NON_OIL_RE = re.compile(r"^" + _TOTAL_WORDS + r"|total)\b.*"
                         r"\b((tanpa|non|bukan) ?migas|without oil and gas|non oil and gas)\b")
_PER_CAPITA_RE = re.compile(r"^" + _TOTAL_WORDS + r")\b.*\bper ?(kapita|capita)\b")


def _label_matches(labels: pd.Series, pattern: re.Pattern) -> pd.Series:
    """Which labels match ``pattern`` after normalisation (each distinct label is tested once)."""
    hit = {v: bool(pattern.search(normalise_name(v))) for v in pd.unique(labels)}
    return labels.map(hit).astype(bool)


def _clean_sectors(df, src, notes=None):
    """Map sector labels to codes; numbered BPS sub-category rows are placed under the category above them.

    Manufacturing sub-categories become C.1..C.16; sub-categories of other categories are dropped (their
    category row carries the value) and a note says so.
    """
    labels = df["sector"].astype(str)
    # "PDRB Tanpa Migas" (PDRB without oil and gas) is a second total some BPS tables print below PDRB
    nonoil = _label_matches(labels, _NON_OIL_RE)
    if nonoil.any():
        if notes is not None:
            notes.append(Message("econ.note.tables.non_oil_left_out", count=int(nonoil.sum()),
                                 label=labels[nonoil].iloc[0]))
        df = df[~nonoil.to_numpy()].copy()
        labels = labels[~nonoil]
    # "PDRB per Kapita" lines below a table are no sector and no total
    percap = _label_matches(labels, _PER_CAPITA_RE)
    if percap.any():
        if notes is not None:
            notes.append(Message("econ.note.tables.per_capita_left_out", count=int(percap.sum()),
                                 label=labels[percap].iloc[0]))
        df = df[~percap.to_numpy()].copy()
        labels = labels[~percap]
    uniq = list(pd.unique(labels))
    if not any(subrow_name(u) for u in uniq):
        mapping = {u: sector_code(u) for u in uniq}
        codes = labels.map(mapping)
    else:
        current: dict = {}
        out = []
        for region, year, lab in zip(df["region"], df["year"], labels):
            key = (region, year)
            name = subrow_name(lab)
            code = resolve_subrow(name, current.get(key))[0] if name is not None else sector_code(lab)
            if code in SECTOR_CODES:
                current[key] = code
            out.append(code)
        codes = pd.Series(out, index=df.index, dtype=object)
    unknown = codes.isna()
    if unknown.any():
        r = df[unknown].iloc[0]
        raise TableError(
            Message("econ.err.tables.sector_region_year_value", sector=str(r['sector']), region=cell(r['region']),
                    year=plain(r['year']), value=cell(r['value']), row=plain(r['_row']),
                    sector_codes=', '.join(SECTOR_CODES)), source=src, field="sector")
    generic = codes.str.endswith(".*")
    if generic.any():
        parents = sorted({c[:-2] for c in codes[generic]}, key=sort_key)
        if notes is not None:
            notes.append(Message("econ.note.tables.subcategories_left_out", count=int(generic.sum()),
                                 sectors=", ".join(parents)))
        df = df[~generic.to_numpy()].copy()
        codes = codes[~generic]
    df["sector"] = codes.to_numpy()
    return df


def _keep_sectors(df, src):
    labels = df["sector"].map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())
    if (labels == "").any():
        r = df[labels == ""].iloc[0]
        raise TableError(Message("econ.err.tables.empty_sector_label_region", region=cell(r['region']),
                                 year=plain(r['year']), row=plain(r['_row']), value=cell(r['value'])),
                         source=src, field="sector")
    special = (TOTAL, NET_TAXES, GVA)
    df["sector"] = [code if (code := sector_code(v)) in special else v for v in labels]
    return df


def _drop_blank_special_rows(df):
    """Leave out net-taxes and gross-value-added cells that are blank: in a table of a province beside the nation,
    only the nation has a "Pajak Dikurangi Subsidi atas Produk" value."""
    special = df["sector"].isin([NET_TAXES, GVA])
    if not special.any():
        return df
    blank = df["value"].map(lambda v: v is None or (isinstance(v, float) and np.isnan(v))
                            or (isinstance(v, str) and not v.strip()))
    return df[~(special & blank).to_numpy()].copy()


def _split_net_taxes(df):
    """(the frame without its net-taxes rows, {(region, year): net taxes})."""
    is_nt = (df["sector"] == NET_TAXES).to_numpy()
    if not is_nt.any():
        return df, {}
    nt = df[is_nt]
    values = {(str(r), int(y)): float(v) for r, y, v in zip(nt["region"], nt["year"], nt["value"])}
    return df[~is_nt].copy(), values


#: BPS symbols for "not available" (data tidak tersedia): such a cell leaves the value out (see _clean_values).
NOT_AVAILABLE = ("...", "..", "\u2026")


def _not_available(cell) -> bool:
    return isinstance(cell, str) and cell.strip().lower() in NOT_AVAILABLE


def _clean_values(df, src, notes=None, not_available=None):
    """Parse the values. A BPS "not available" cell ('...') leaves the row out when ``notes`` is
    given (a note lists them; ``not_available`` collects (region, sector, year) so a missing-sector error can say
    why); without ``notes`` it is an error like any other non-number."""
    if notes is not None:
        na = df["value"].map(_not_available).to_numpy(dtype=bool)
        if na.any():
            gone = df[na]
            where = "; ".join(f"{r['region']} {r['sector']} {r['year']}" for _, r in gone.head(5).iterrows())
            notes.append(Message("econ.note.tables.not_available_left_out", count=int(na.sum()),
                                 cells=where + (" ..." if na.sum() > 5 else "")))
            if not_available is not None:
                not_available.update(zip(gone["region"], gone["sector"], gone["year"]))
            df = df[~na].copy()
    raw = df["value"]
    if raw.dtype == object or str(raw.dtype).startswith(("str", "string")):
        text = raw.map(lambda v: v if isinstance(v, str) else None)
        uniq = [str(v).strip().replace(" ", "").rstrip("*") for v in pd.unique(text.dropna())]
        decimal = _guess_decimal([u for u in uniq if "," in u or "." in u])
        cleaned = text.str.replace(r"[\s\u00a0*]", "", regex=True)
        if decimal == ",":
            cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        else:
            cleaned = cleaned.str.replace(",", "", regex=False)
        vals = pd.to_numeric(cleaned, errors="coerce").to_numpy(dtype=float, copy=True)
        numeric = ~raw.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
        if numeric.any():
            vals[numeric] = pd.to_numeric(raw[numeric], errors="coerce").to_numpy(dtype=float)
        ok = ~np.isnan(vals)
        for i in np.flatnonzero(~ok):      # BPS '-', '(12,5)', blanks: the careful parser, cell by cell
            vals[i], ok[i] = _parse_number(raw.iloc[i], decimal)
    else:
        vals = raw.to_numpy(dtype=float)
        ok = ~np.isnan(vals)
    if not ok.all():
        i = int(np.flatnonzero(~ok)[0])
        r = df.iloc[i]
        what = Message("econ.err.tables.value_missing" if (pd.isna(raw.iloc[i]) or str(raw.iloc[i]).strip() == "")
                       else "econ.err.tables.value_not_number")
        raise TableError(Message("econ.err.tables.value_expected_number_bps",
                                 value=cell(raw.iloc[i]), what=what, where=_where(r)), source=src, field="value")
    infinite = np.isinf(vals)
    if infinite.any():
        i = int(np.flatnonzero(infinite)[0])
        raise TableError(Message("econ.err.tables.value_infinite_expected_finite",
                                 value=cell(raw.iloc[i]), where=_where(df.iloc[i])),
                         source=src, field="value")
    # net taxes on products may be negative (subsidies larger than taxes); PDRB values may not
    neg = (vals < 0) & (df["sector"] != NET_TAXES).to_numpy() if "sector" in df.columns else vals < 0
    if neg.any():
        i = int(np.flatnonzero(neg)[0])
        r = df.iloc[i]
        raise TableError(Message("econ.err.tables.negative_value_pdrb_values",
                                 value=plain(vals[i]), where=_where(r)),
                         source=src, field="value")
    df["value"] = vals
    return df


def _single_attr(df, col, given, src, parse):
    """The one unit / price basis of the table; TableError when the rows mix two."""
    if col in df.columns:
        cells = df[col].where(df[col].notna(), None)
        norm = [(parse(v) or str(v).strip()) if v is not None and str(v).strip() else None for v in cells]
        df[col] = norm
        found = [v for v in dict.fromkeys(norm) if v is not None]
        if len(found) > 1:
            firsts = [df[df[col] == v].iloc[0] for v in found[:2]]
            what = Message("econ.err.tables.price_bases" if col == "price_basis" else "econ.err.tables.units")
            hint = Message("econ.err.tables.keep_one_basis" if col == "price_basis" else "econ.err.tables.one_unit")
            raise TableError(
                Message("econ.err.tables.mixed_one_table_value",
                        what=what, found=found[0], where=_where(firsts[0]), value=float(firsts[0]["value"]),
                        found_2=found[1], where_2=_where(firsts[1]), value_2=float(firsts[1]["value"]), hint=hint),
                source=src, field=col)
        if found:
            if given is not None and (parse(given) or given) != found[0]:
                raise TableError(Message("econ.err.tables.table_states_but_given",
                                         column=col, found=found[0], given=given), source=src, field=col)
            return found[0]
    return (parse(given) or given) if given is not None else None


def _check_duplicates(df, src):
    dup = df.duplicated(["region", "sector", "year"], keep=False)
    if dup.any():
        d = df[dup].sort_values(["region", "sector", "year"])
        r = d.iloc[0]
        rows = d[(d["region"] == r["region"]) & (d["sector"] == r["sector"]) & (d["year"] == r["year"])]
        vals = _join([Message("econ.err.tables.value_on_row", value=plain(v), row=plain(n))
                      for v, n in zip(rows["value"], rows["_row"])])
        raise TableError(Message("econ.err.tables.duplicated_rows_region_sector", region=cell(r['region']),
                                 sector=cell(r['sector']), year=plain(r['year']), values=vals),
                         source=src, field="sector")


def _check_totals(df, src, require_all_sectors, tol, main_codes=SECTOR_CODES, not_available=frozenset(),
                  net_taxes=None):
    """Check the stated totals against the sectors and return the frame without the totals it confirmed.

    A stated PDB/PDRB of a complete region-year must equal the sum of its sectors plus its net taxes on products
    (0 without a net-taxes row) within ``tol``; a stated gross value added ("Nilai Tambah Bruto") the sum of its
    sectors. Both are then dropped (the sectors carry the values); a stated total of a partial region-year is
    kept as its total.
    """
    net_taxes = net_taxes or {}
    main = df[df["sector"].isin(main_codes)]
    keys = df[["region", "year"]].drop_duplicates().set_index(["region", "year"]).index
    count = main.groupby(["region", "year"]).size().reindex(keys, fill_value=0)
    sums = main.groupby(["region", "year"])["value"].sum().reindex(keys, fill_value=0.0)
    stated = df[df["sector"] == TOTAL].set_index(["region", "year"])["value"].reindex(keys)
    nt = pd.Series([net_taxes.get((str(r), int(y)), 0.0) for r, y in keys], index=keys, dtype=float)
    n = len(main_codes)
    _check_partial_region_years(main, count, sums, stated, nt, n, main_codes, require_all_sectors, tol,
                                not_available, src)
    complete = (count == n) & stated.notna()
    _check_stated_totals(stated, sums, nt, complete, n, tol, src)
    _check_stated_gva(df[df["sector"] == GVA], sums, count, n, tol, src)
    _check_subcategories(df, main, tol, src)
    drop = pd.MultiIndex.from_frame(df[["region", "year"]]).isin(keys[complete.to_numpy()])
    return df[~(((df["sector"] == TOTAL).to_numpy() & drop) | (df["sector"] == GVA).to_numpy())]


def _check_partial_region_years(main, count, sums, stated, nt, n, main_codes, require_all_sectors, tol,
                                not_available, src):
    """Region-years lacking sectors (rare: looped over for the message)."""
    for k in count.index[(count < n) & ~((count == 0) & stated.notna())]:
        region, year = k
        present = set(main.loc[(main["region"] == region) & (main["year"] == year), "sector"])
        lacking = [c for c in main_codes if c not in present]
        st = stated.get(k)
        if require_all_sectors or st is None or np.isnan(st):
            na = [c for c in lacking if (region, c, year) in not_available]
            why = Message("econ.err.tables.marked_not_available", sectors=", ".join(na)) if na else ""
            raise TableError(
                Message("econ.err.tables.region_year_missing_sector", region=region, year=plain(year),
                        sectors=Message("econ.err.tables.word_sectors" if len(lacking) > 1
                                                         else "econ.err.tables.word_sector"),
                        lacking=", ".join(lacking), why=why, n_present=len(present), count=n, total=float(sums[k])),
                source=src, field="sector")
        if sums[k] + nt[k] > st * (1 + tol):
            taxes = Message("econ.err.tables.plus_net_taxes", taxes=float(nt[k])) if nt[k] else ""
            raise TableError(Message("econ.err.tables.region_year_sectors_present", region=region, year=plain(year),
                                     total=float(sums[k]), taxes=taxes, stated=float(st)),
                             source=src, field="value")


def _check_stated_totals(stated, sums, nt, complete, n, tol, src):
    expected = sums + nt
    diff = (stated - expected)[complete]
    bad = diff.index[np.abs(diff.to_numpy()) > tol * np.abs(stated[complete].to_numpy())]
    if not len(bad):
        return
    k = bad[0]
    region, year = k
    st, d = stated[k], diff[k]
    share = Message("econ.err.tables.share", percent=d / st * 100) if st else Message("econ.err.tables.share_infinite")
    if nt[k]:
        raise TableError(
            Message("econ.err.tables.region_year_stated_total_with_taxes",
                    region=region, year=plain(year), stated=float(st), count=n, total=float(sums[k]),
                    taxes=float(nt[k]), expected=float(expected[k]), difference=float(d), share=share,
                    tolerance=tol * 100),
            source=src, field="value")
    hint = Message("econ.err.tables.needs_net_taxes_row") if d > 0 else ""
    raise TableError(
        Message("econ.err.tables.region_year_stated_total",
                region=region, year=plain(year), stated=float(st), count=n, total=float(sums[k]), difference=float(d),
                share=share, tolerance=tol * 100, hint=hint),
        source=src, field="value")


def _check_stated_gva(gva, sums, count, n, tol, src):
    """A stated gross value added ("Nilai Tambah Bruto atas Harga Dasar") is the sum of the sectors."""
    for (region, year), v in gva.set_index(["region", "year"])["value"].items():
        if count.get((region, year), 0) == n and abs(v - sums[(region, year)]) > tol * abs(v):
            d = v - sums[(region, year)]
            raise TableError(
                Message("econ.err.tables.region_year_stated_gross",
                        region=region, year=plain(year), stated=float(v), count=n, total=float(sums[(region, year)]),
                        difference=float(d), tolerance=tol * 100), source=src, field="value")


def _check_subcategories(df, main, tol, src):
    """Sub-categories may not exceed their parent sector."""
    subs = df[df["sector"].isin(_SUB_CODES)]
    if not len(subs):
        return
    sub_sum = subs.assign(parent=subs["sector"].map(parent_of)).groupby(["region", "year", "parent"])["value"].sum()
    par = main.set_index(["region", "year", "sector"])["value"]
    for (region, year, parent), v in sub_sum.items():
        p = par.get((region, year, parent))
        if p is None:
            raise TableError(Message("econ.err.tables.region_year_sub_categories",
                                     region=region, year=plain(year), parent=parent), source=src, field="sector")
        if v > p * (1 + tol) + 1e-9:
            raise TableError(Message("econ.err.tables.region_year_subcategories_exceed", region=region, year=plain(year),
                                     parent=parent, total=float(v), parent_value=float(p), difference=float(v - p)),
                             source=src, field="value")


# the readers live in readers.py; imported here so that ``from kawasan.economics.tables import read_table`` works
from kawasan.economics.readers import read_population, read_table  # noqa: E402
