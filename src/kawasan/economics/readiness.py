"""Readiness indicators of the regencies and cities of a province, and how their names are matched.

Readiness is the second half of a region's potential for industrial development (the first is
its sector structure, :mod:`kawasan.economics.potential`): the quality of its human resources,
the size of its labour pool and economy, its growth, and its infrastructure
(REGULATIONS.md §5: "meningkatkan kualitas SDM, kualitas pelayanan kesehatan dan infrastruktur").

Indicators (id, unit, direction; ``benefit`` = more is better, ``cost`` = less is better)
------------------------------------------------------------------------------------------
``gdp``               PDRB at constant 2010 prices (ADHK2010) in the analysis year, million rupiah; benefit.
``gdp_growth``        average annual growth of PDRB ADHK2010, ``(V_end / V_start) ** (1 / (end - start)) - 1``
                      (compound annual growth rate); benefit.
``gdp_per_capita``    PDRB ADHK2010 / population of the same year, million rupiah per person; benefit.
``population``        population (both sexes) in the analysis year, persons: the labour-pool proxy; benefit.
``labour_force``      labour force (angkatan kerja, BPS Sakernas) in the analysis year, persons; benefit.
``unemployment``      open unemployment rate (Tingkat Pengangguran Terbuka, TPT, Sakernas), percent; cost.
``ipm``               Indeks Pembangunan Manusia (BPS human development index) of ONE BPS method; benefit.
                      BPS publishes two series that must never be compared with each other: ``sp2010``
                      (metode baru with life expectancy from SP2010/SUPAS projections) and ``lf_sp2020``
                      (life expectancy from the Long Form of the 2020 census, 2020 onward). See
                      :data:`IPM_METHODS`.
``port_distance``     great-circle distance (km) from the region's centroid to the nearest port of a port
                      layer (points with impossible coordinates are skipped and reported); cost.
``road_access``       share of the region's land (grid cells of a kawasan study area whose centre lies in the
                      region's boundary, or all cells without one) within 5 km of an arterial road; benefit.
``land_not_excluded`` share of a suitability run's cells that no legal/physical constraint excludes; benefit.

Region names and codes
----------------------
Files name regions differently ("Pacitan", "Kabupaten Pacitan", "Kab. Pacitan", "35.01", 3501).
:class:`Gazetteer` matches them to one key, the 4-digit BPS/Kemendagri code (``"3501"``):

1. a code (``3501``, ``"35.01"``, ``"3501"``) matches the region with that code;
2. otherwise the name is normalised: lower case, punctuation to spaces, a leading or trailing
   ``kabupaten``/``kab``/``regency`` marks a regency, ``kota``/``city``/``kota administrasi`` a city;
3. a marked name matches the regency or city of that name;
4. a bare name ("Probolinggo") is a regency when one of that name exists (the BPS convention in
   province tables: cities carry "Kota", regencies go bare), otherwise the city ("Surabaya", "Batu").

A row naming the reference region (e.g. "Jawa Timur", "Provinsi Jawa Timur") is recognised and set
apart; a name that matches nothing is *reported* (``unmatched``), never silently dropped.
"""
from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kawasan.economics.numbers import cell, plain
from kawasan.errors import InputError, TableError, VectorError
from kawasan.i18n import Message, has

__all__ = [
    "Region", "Gazetteer", "Indicator", "INDICATORS", "IPM_METHODS", "ipm_method_of",
    "read_table_file", "read_pdrb_totals", "read_population", "read_ipm", "read_labour", "MatchedTable",
    "ReadinessResult", "compute_readiness", "port_distance_km", "road_access_share", "land_not_excluded_share",
]


# -- indicators ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Indicator:
    """One readiness or sector indicator: id, direction, unit and the group it belongs to."""

    id: str
    direction: str          # "benefit" (more is better) or "cost" (less is better)
    unit: str
    group: str              # economy | human | labour | infrastructure | sector
    description: str


INDICATORS: dict[str, Indicator] = {i.id: i for i in [
    Indicator("gdp", "benefit", "million IDR", "economy", "PDRB ADHK2010 in the analysis year"),
    Indicator("gdp_growth", "benefit", "per year", "economy", "average annual growth (CAGR) of PDRB ADHK2010"),
    Indicator("gdp_per_capita", "benefit", "million IDR per person", "economy", "PDRB ADHK2010 / population"),
    Indicator("population", "benefit", "persons", "labour", "population, both sexes (labour-pool proxy)"),
    Indicator("ipm", "benefit", "index", "human", "Indeks Pembangunan Manusia (BPS), one method only"),
    Indicator("labour_force", "benefit", "persons", "labour", "labour force (angkatan kerja, Sakernas)"),
    Indicator("unemployment", "cost", "percent", "labour", "open unemployment rate (TPT, Sakernas), percent"),
    Indicator("port_distance", "cost", "km", "infrastructure", "distance from the centroid to the nearest port"),
    Indicator("road_access", "benefit", "share", "infrastructure", "share of land within 5 km of an arterial road"),
    Indicator("land_not_excluded", "benefit", "share", "infrastructure",
              "share of a suitability run's cells not excluded by any constraint"),
    Indicator("sector_lq", "benefit", "ratio", "sector", "static location quotient of the chosen sector"),
    Indicator("sector_dlq", "benefit", "ratio", "sector", "dynamic location quotient of the chosen sector"),
    Indicator("sector_share", "benefit", "share", "sector", "share of the chosen sector in the region's PDRB"),
]}

#: BPS IPM methods: key -> (label, patterns searched in the lower-cased method text, first match wins).
IPM_METHODS: dict[str, tuple[str, tuple[str, ...]]] = {
    "lf_sp2020": ("IPM, life expectancy from the Long Form of the 2020 census (BPS series from 2020)",
                  ("long form", "lf sp2020", "lf-sp2020", "sp2020")),
    "sp2010": ("IPM metode baru, life expectancy from SP2010/SUPAS projections (BPS series 2010 onward)",
               ("supas", "sp2010", "metode baru", "new method")),
    "old": ("IPM metode lama (before 2010; not comparable with either series)", ("metode lama", "old method")),
}


def ipm_method_of(text) -> str:
    """The method key of a ``metode`` cell (see :data:`IPM_METHODS`); unknown texts keep their own text as key
    (so they are never mixed with a known series); an empty cell is ``"unspecified"``."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        return "unspecified"
    low = str(text).lower()
    for key, (_, patterns) in IPM_METHODS.items():
        if any(p in low for p in patterns):
            return key
    return str(text).strip()


# -- region matching -----------------------------------------------------------------------------
_KAB_WORDS = ("kabupaten", "kab", "regency")
_KOTA_WORDS = ("kota administrasi", "kota adm", "kota", "city of", "city")
_PROV_WORDS = ("provinsi", "propinsi", "province of", "province", "prov")


@dataclass(frozen=True)
class Region:
    """A regency (kabupaten) or city (kota): BPS/Kemendagri code ``"3513"``, official name, kind."""

    code: str
    name: str
    kind: str  # "kabupaten" or "kota"

    @property
    def base(self) -> str:
        return _split_name(self.name)[1]


def _clean(text: str) -> str:
    s = re.sub(r"[^0-9a-z]+", " ", str(text).lower().replace("&", " dan "))
    return re.sub(r"\s+", " ", s).strip()


def _split_name(text: str) -> tuple[str | None, str]:
    """(kind or None, base name) of a region name, e.g. ("kota", "probolinggo")."""
    s = _clean(text)
    for words, kind in ((_PROV_WORDS, "provinsi"), (_KOTA_WORDS, "kota"), (_KAB_WORDS, "kabupaten")):
        for w in words:
            if s.startswith(w + " "):
                return kind, s[len(w) + 1:].strip()
            if s.endswith(" " + w):
                return kind, s[: -len(w) - 1].strip()
    return None, s


def normalise_code(value) -> str | None:
    """``3513``, ``"35.13"``, ``"3513"``, ``3513.0`` -> ``"3513"``; anything else -> None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, np.integer)) or (isinstance(value, (float, np.floating)) and float(value).is_integer()):
        s = str(int(value))
    else:
        s = str(value).strip()
    m = re.fullmatch(r"(\d{2})\.?(\d{2})", s)
    return m.group(1) + m.group(2) if m else None


@dataclass
class Gazetteer:
    """The regions of one province and the name of its reference region (the province)."""

    regions: list[Region]
    reference: str = "Jawa Timur"
    source: str = ""

    def __post_init__(self):
        self.by_code = {r.code: r for r in self.regions}
        self._by_kind = {(r.kind, r.base): r for r in self.regions}
        if len(self.by_code) != len(self.regions):
            raise InputError(Message("econ.err.readiness.two_regions_share_one"), source=self.source)

    @classmethod
    def from_frame(cls, df: pd.DataFrame, *, code: str, name: str, reference: str = "Jawa Timur",
                   source: str = "") -> "Gazetteer":
        """Regions from a table of codes and names; a bare name is a regency, "Kota X" a city."""
        regions = []
        for c, n in zip(df[code], df[name]):
            k = normalise_code(c)
            if k is None:
                raise InputError(Message("econ.err.readiness.region_code_bps_code",
                                         code=c, region=n),
                                 source=source, field=code)
            kind, _ = _split_name(n)
            kind = kind or ("kota" if k[2] in "789" else "kabupaten")
            nice = str(n).strip()
            if _split_name(nice)[0] is None:
                nice = f"{'Kota' if kind == 'kota' else 'Kabupaten'} {nice}"
            regions.append(Region(k, nice, kind))
        return cls(regions, reference=reference, source=source)

    @classmethod
    def from_boundaries(cls, gdf, *, reference: str = "Jawa Timur", source: str = "") -> "Gazetteer":
        """Regions from a boundary layer with a code column (``kode``/``code``/``kode_bps``) and a name column."""
        code = _pick(gdf.columns, ("kode", "kode_bps", "code", "kode_wilayah", "id"), source, "code")
        name = _pick(gdf.columns, ("nama", "name", "wilayah", "region", "nama_wilayah"), source, "name")
        return cls.from_frame(gdf, code=code, name=name, reference=reference, source=source)

    def is_reference(self, text) -> bool:
        kind, base = _split_name(str(text))
        ref = _split_name(self.reference)[1]
        return base == ref and kind in (None, "provinsi")

    def match(self, value) -> Region | None:
        """The region a code or name refers to (rules in the module docstring), or None."""
        code = normalise_code(value)
        if code is not None:
            return self.by_code.get(code)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        kind, base = _split_name(str(value))
        if kind in ("kabupaten", "kota"):
            return self._by_kind.get((kind, base))
        if kind is None:
            return self._by_kind.get(("kabupaten", base)) or self._by_kind.get(("kota", base))
        return None


def _what(what: str) -> Message | str:
    """The name of a table or column role for a message ("population" reads "penduduk"); a name the catalogue
    does not list (PDRB, IPM) as it is."""
    key = f"econ.err.readiness.what.{what}"
    return Message(key) if has(key) else what


def _pick(columns, candidates, source, what) -> str:
    low = {str(c).strip().lower(): c for c in columns}
    for c in candidates:
        if c in low:
            return low[c]
    found = ", ".join(map(str, columns))
    raise TableError(Message("econ.err.readiness.column_expected_one_found",
                             what=_what(what), candidates=', '.join(candidates), found=found),
                     source=source, field=what)


# -- reading tables ------------------------------------------------------------------------------
REGION_COLUMNS = ("region", "wilayah", "nama", "kabupaten_kota", "kabupaten/kota", "nama_wilayah", "name")
CODE_COLUMNS = ("kode_bps", "kode", "code", "region_code")
YEAR_COLUMNS = ("year", "tahun")


def read_table_file(path) -> pd.DataFrame:
    """A CSV (comma or semicolon separated, UTF-8) or XLSX file as a DataFrame of strings and numbers."""
    p = Path(path)
    if not p.exists():
        raise TableError(Message("econ.err.readiness.file_found"), source=str(p))
    try:
        if p.suffix.lower() in (".xlsx", ".xlsm"):
            df = pd.read_excel(p)
        elif p.suffix.lower() in (".csv", ".txt"):
            from kawasan import guarded

            text = guarded.read_text(p, error=TableError, what="table")
            df = pd.read_csv(io.StringIO(text), sep=None, engine="python")
        else:
            raise TableError(Message("econ.err.readiness.unsupported_file_type_expected",
                                     suffix=p.suffix), source=str(p))
    except TableError:
        raise
    except Exception as exc:  # noqa: BLE001 - pandas/openpyxl raise many kinds
        raise TableError(Message("econ.err.readiness.readable_table",
                                 type=type(exc).__name__, error=exc), source=str(p)) from exc
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise TableError(Message("econ.err.readiness.table_rows"), source=str(p))
    return df


def _number(v, *, source, region, year, what) -> float:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return math.nan
    if isinstance(v, (int, float, np.integer, np.floating)):
        x = float(v)
    else:
        s = str(v).strip().replace("\u00a0", "").replace(" ", "")
        if s in ("", "-", "–", "...", "NA", "na", "n/a"):
            return math.nan
        try:
            x = float(s)
        except ValueError:
            raise TableError(Message("econ.err.readiness.expected_number_decimal_point", what=_what(what), region=region,
                                     year=plain(year), value=cell(v)), source=source, field=what) from None
    if not math.isfinite(x) or x < 0:
        raise TableError(Message("econ.err.readiness.expected_non_negative_number",
                                 what=_what(what), region=region, year=plain(year), value=plain(x)),
                         source=source, field=what)
    return x


def _plain_numbers(df: pd.DataFrame, col: str) -> pd.DataFrame:
    """Text numbers of one column in Indonesian style ('70,19', '1.163.859') rewritten with a decimal point; the
    separator is guessed from the whole column (:func:`kawasan.economics.tables._guess_decimal`)."""
    from kawasan.economics.tables import _guess_decimal

    text = [str(v).strip().replace("\u00a0", "").replace(" ", "") for v in df[col] if isinstance(v, str)]
    marked = [c for c in text if ("," in c or "." in c) and any(ch.isdigit() for ch in c)]
    if not marked or all(re.fullmatch(r"-?\d{1,3}[.,]\d{3}", c) for c in marked):
        return df           # '596,649' alone: thousands or decimals? left as it was (an error for a comma)
    dec = _guess_decimal(marked)

    def plain(v):
        if not isinstance(v, str) or not any(ch.isdigit() for ch in v):
            return v
        s = v.strip().replace("\u00a0", "").replace(" ", "")
        return s.replace(".", "").replace(",", ".") if dec == "," else s.replace(",", "")

    return df.assign(**{col: df[col].map(plain)})


@dataclass
class MatchedTable:
    """Values per region code and year, with the names that matched nothing and the notes skipped."""

    values: pd.DataFrame                    # columns: code, year, value (+ method for IPM)
    reference: pd.DataFrame                 # the reference region's rows (year, value)
    unmatched: list[str] = field(default_factory=list)
    skipped_notes: int = 0
    source: str = ""
    label: str = ""


def _long_values(df: pd.DataFrame, value_col: str, gaz: Gazetteer, source: str, what: str,
                 extra: tuple[str, ...] = ()) -> MatchedTable:
    region_col = next((c for c in df.columns if c.lower() in REGION_COLUMNS), None)
    code_col = next((c for c in df.columns if c.lower() in CODE_COLUMNS), None)
    year_col = _pick(df.columns, YEAR_COLUMNS, source, "year")
    if region_col is None and code_col is None:
        raise TableError(Message("econ.err.readiness.region_column_expected_one",
                                 columns=', '.join(REGION_COLUMNS + CODE_COLUMNS)),
                         source=source, field="region")
    rows, ref_rows, unmatched, notes = [], [], [], 0
    df = _plain_numbers(df, value_col)
    for rec in df.to_dict("records"):
        name = rec.get(region_col) if region_col else None
        code = rec.get(code_col) if code_col else None
        label = str(name if name is not None and not (isinstance(name, float) and math.isnan(name)) else code)
        raw_year = rec.get(year_col)
        value = rec.get(value_col)
        empty_value = value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""
        region = gaz.match(code) if code_col and normalise_code(code) else gaz.match(name)
        if region is None and not gaz.is_reference(label):
            if empty_value:
                notes += 1          # a note or blank row of a BPS export ("Catatan", a footnote): no data lost
                continue
            if label not in unmatched:
                unmatched.append(label)
            continue
        try:
            year = int(float(raw_year))
        except (TypeError, ValueError):
            raise TableError(Message("econ.err.readiness.year_expected_year_such",
                                     label=label, value=cell(raw_year)), source=source,
                             field=year_col) from None
        x = _number(value, source=source, region=label, year=year, what=what)
        extras = {k: rec.get(k) for k in extra}
        if region is None:
            ref_rows.append({"year": year, "value": x, **extras})
        else:
            rows.append({"code": region.code, "name": label, "year": year, "value": x, **extras})
    if not rows:
        shown = ", ".join(unmatched[:5])
        if len(unmatched) > 5:
            shown = Message("econ.err.readiness.and_more", names=shown, count=len(unmatched) - 5)
        found = Message("econ.err.readiness.names_in_file", names=shown) if unmatched else \
            Message("econ.err.readiness.no_data_rows")
        raise TableError(Message("econ.err.readiness.no_row_matches", what=_what(what), found=found), source=source)
    out = pd.DataFrame(rows, columns=["code", "name", "year", "value", *extra])
    return MatchedTable(out, pd.DataFrame(ref_rows, columns=["year", "value", *extra]), unmatched, notes, source)


def _dedupe(mt: MatchedTable, keys: list[str], what: str, tol: float) -> MatchedTable:
    """Rows repeating (keys) must agree within tol; the first is kept. Disagreement is a TableError."""
    v = mt.values.dropna(subset=["value"])
    for key, grp in v.groupby(keys, sort=False):
        if len(grp) > 1 and grp["value"].max() - grp["value"].min() > tol:
            names = ", ".join(f"{n!r}={plain(x)}" for n, x in zip(grp["name"], grp["value"]))
            raise TableError(Message("econ.err.readiness.given_twice_same_region", what=_what(what), names=names,
                                     key_values=dict(zip(keys, key if isinstance(key, tuple) else (key,)))),
                             source=mt.source, field=what)
    mt.values = v.drop_duplicates(subset=keys, keep="first").reset_index(drop=True)
    return mt


def read_pdrb_totals(path, gaz: Gazetteer, *, price_basis: str = "ADHK2010") -> MatchedTable:
    """PDRB totals per region and year, million rupiah, one price basis.

    Layouts: the BPS dump ``kode_bps,nama,tahun,harga,komponen,nilai_juta_rp`` (rows with ``komponen``
    other than PDRB are ignored), or a long table ``region,year,value`` with optional ``price_basis``
    (``harga``) and ``unit`` columns. A unit of "billion"/"miliar" is converted to million rupiah.
    Mixed price bases are never summed: only rows of ``price_basis`` are kept; a table without the
    requested basis raises :class:`TableError` naming the bases it has.
    """
    df = read_table_file(path)
    src = str(path)
    low = {c.lower(): c for c in df.columns}
    value_col = next((low[c] for c in ("nilai_juta_rp", "value", "nilai", "pdrb") if c in low), None)
    if value_col is None:
        raise TableError(Message("econ.err.readiness.value_column_expected_nilai"), source=src, field="value")
    if "komponen" in low:
        df = df[df[low["komponen"]].astype(str).str.upper().str.strip() == "PDRB"]
    basis_col = next((low[c] for c in ("harga", "price_basis") if c in low), None)
    if basis_col is not None:
        bases = sorted(set(df[basis_col].astype(str).str.strip()))
        want = re.sub(r"[^A-Z0-9]", "", price_basis.upper())
        keep = df[basis_col].astype(str).str.upper().str.replace(r"[^A-Z0-9]", "", regex=True) == want
        if not keep.any():
            raise TableError(Message("econ.err.readiness.rows_price_basis_table",
                                     price_basis=price_basis, bases=', '.join(bases)),
                             source=src, field=basis_col)
        df = df[keep]
    scale = 1.0
    if "unit" in low:
        units = set(df[low["unit"]].astype(str).str.lower().str.strip())
        if len(units) > 1:
            raise TableError(Message("econ.err.readiness.mixed_units_expected_one",
                                     units=sorted(units)), source=src, field="unit")
        unit = units.pop() if units else ""
        scale = 1000.0 if ("billion" in unit or "miliar" in unit) else 1.0 if ("million" in unit or "juta" in unit) \
            else None
        if scale is None:
            raise TableError(Message("econ.err.readiness.unit_expected_million_billion",
                                     unit=unit), source=src, field="unit")
    mt = _long_values(df, value_col, gaz, src, "PDRB")
    mt.values["value"] *= scale
    mt.reference["value"] = mt.reference["value"] * scale
    mt.label = f"PDRB {price_basis}"
    return _dedupe(mt, ["code", "year"], "PDRB", 1e-6)


def read_population(path, gaz: Gazetteer) -> MatchedTable:
    """Population per region and year (persons, both sexes).

    Columns: region (``wilayah``), year (``tahun``), value (``jiwa``/``population``/``value``) and an
    optional sex column (``jenis_kelamin``/``sex``): the total rows (``L+P``, ``total``, ``T``) are used;
    without them male and female rows (``L``/``P``, ``M``/``F``) are summed.
    """
    df = read_table_file(path)
    src = str(path)
    low = {c.lower(): c for c in df.columns}
    value_col = next((low[c] for c in ("jiwa", "population", "penduduk", "value") if c in low), None)
    if value_col is None:
        raise TableError(Message("econ.err.readiness.population_column_expected_jiwa"), source=src, field="value")
    sex_col = next((low[c] for c in ("jenis_kelamin", "sex", "gender") if c in low), None)
    if sex_col is not None:
        sex = df[sex_col].astype(str).str.upper().str.replace(" ", "")
        total = sex.isin(["L+P", "TOTAL", "T", "JUMLAH", "M+F"])
        if total.any():
            df = df[total]
        else:
            parts = df[sex.isin(["L", "P", "M", "F", "LAKI-LAKI", "PEREMPUAN"])]
            if parts.empty:
                raise TableError(Message("econ.err.readiness.sex_column_values_expected",
                                         values=sorted(set(sex))[:6]),
                                 source=src, field=sex_col)
            mt = _long_values(parts, value_col, gaz, src, "population", extra=(sex_col,))
            mt.values = mt.values.groupby(["code", "year"], as_index=False).agg(
                name=("name", "first"), value=("value", lambda s: s.sum(min_count=len(s))))
            mt.label = "population"
            return mt
    mt = _long_values(df, value_col, gaz, src, "population")
    mt.label = "population"
    return _dedupe(mt, ["code", "year"], "population", 0.5)


def read_ipm(path, gaz: Gazetteer) -> MatchedTable:
    """IPM per region, year and BPS method (``metode`` column; see :func:`ipm_method_of`).

    Columns: region (``wilayah``), year (``tahun``), ``ipm`` (or ``value``), optional ``metode``/``method``.
    The same region and year given twice within one method must agree (within 0.005) or a
    :class:`TableError` names both values; across methods values are kept apart.
    """
    df = read_table_file(path)
    src = str(path)
    low = {c.lower(): c for c in df.columns}
    value_col = next((low[c] for c in ("ipm", "hdi", "value") if c in low), None)
    if value_col is None:
        raise TableError(Message("econ.err.readiness.ipm_column_expected_ipm"), source=src, field="ipm")
    method_col = next((low[c] for c in ("metode", "method") if c in low), None)
    df = df.copy()
    df["_method"] = df[method_col].map(ipm_method_of) if method_col else "unspecified"
    mt = _long_values(df, value_col, gaz, src, "IPM", extra=("_method",))
    mt.values = mt.values.rename(columns={"_method": "method"})
    mt.reference = mt.reference.rename(columns={"_method": "method"})
    bad = mt.values[(mt.values["value"] > 100)]
    if not bad.empty:
        r = bad.iloc[0]
        raise TableError(Message("econ.err.readiness.ipm_expected_index_between",
                                 region=r['name'], year=plain(r['year']), value=plain(r['value'])),
                         source=src, field=value_col)
    mt.label = "IPM"
    return _dedupe(mt, ["code", "year", "method"], "IPM", 0.005)


def read_labour(path, gaz: Gazetteer, *, what: str) -> MatchedTable:
    """A labour table per region and year: ``what="labour_force"`` (persons; column ``angkatan_kerja``,
    ``labour_force`` or ``value``) or ``what="unemployment"`` (TPT in percent, 0-100; column ``tpt``,
    ``unemployment``, ``pengangguran`` or ``value``)."""
    candidates = {"labour_force": ("angkatan_kerja", "labour_force", "labor_force", "value"),
                  "unemployment": ("tpt", "unemployment", "unemployment_rate", "pengangguran", "value")}
    if what not in candidates:
        raise InputError(Message("econ.err.readiness.unknown_labour_table_expected",
                                 what=what), field="what")
    df = read_table_file(path)
    src = str(path)
    low = {c.lower(): c for c in df.columns}
    value_col = next((low[c] for c in candidates[what] if c in low), None)
    if value_col is None:
        raise TableError(Message("econ.err.readiness.column_expected_one",
                                 what=_what(what), candidates=', '.join(candidates[what])), source=src, field=what)
    mt = _long_values(df, value_col, gaz, src, what)
    if what == "unemployment":
        bad = mt.values[mt.values["value"] > 100]
        if not bad.empty:
            r = bad.iloc[0]
            raise TableError(Message("econ.err.readiness.unemployment_rate_expected_percent", region=r['name'],
                                     year=plain(r['year']), value=plain(r['value'])), source=src, field=value_col)
    mt.label = what
    return _dedupe(mt, ["code", "year"], what, 1e-9)


# -- spatial proxies -----------------------------------------------------------------------------
def utm_crs_of(gdf) -> str:
    """The WGS84 UTM zone (``EPSG:326zz`` / ``EPSG:327zz``) of a layer's centre (kawasan.spatial's rule; a
    fixed formula, because pyproj's database query, estimate_utm_crs, costs 0.2 s)."""
    from kawasan.spatial.ingest.gridplan import utm_crs_for

    w, s, e, n = gdf.to_crs(4326).total_bounds
    return f"EPSG:{utm_crs_for((w + e) / 2.0, (s + n) / 2.0).to_epsg()}"


def _valid_points(gdf, source: str) -> tuple[object, int]:
    """Point features with possible lon/lat (EPSG:4326 after reprojection); returns (gdf, skipped count)."""
    if gdf.crs is None:
        raise VectorError(Message("econ.err.readiness.layer_crs_expected_one"), source=source)
    g = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    g = g[g.geometry.geom_type.isin(["Point", "MultiPoint"])]
    n0 = len(g)
    if g.crs.to_epsg() != 4326:
        g = g.to_crs(4326)
    pts = g.geometry.representative_point()
    ok = pts.x.between(-180, 180) & pts.y.between(-90, 90)
    g = g[ok.values]
    return g, n0 - len(g) + (len(gdf) - n0)


def port_distance_km(boundaries, ports, *, source: str = "ports", margin_deg: float = 2.0) -> tuple[pd.Series, dict]:
    """Great-circle distance (km, WGS84 ellipsoid) from each region's centroid to the nearest valid port.

    ``boundaries``: GeoDataFrame with a ``code`` column (4-digit) and polygons; ``ports``: GeoDataFrame of
    points. The centroid is taken in the regions' UTM zone. Ports with impossible coordinates (latitude
    beyond +-90, ...), non-point features and points farther than ``margin_deg`` degrees outside the
    boundaries' bounding box (out of reach, or misplaced records: real data is messy) are skipped. Returns
    (distance in km by code, counts ``{"invalid", "far", "used"}``).
    """
    from pyproj import Geod

    pts, invalid = _valid_points(ports, source)
    w, s_, e, n = boundaries.to_crs(4326).total_bounds
    rp = pts.geometry.representative_point()
    near = rp.x.between(w - margin_deg, e + margin_deg) & rp.y.between(s_ - margin_deg, n + margin_deg)
    far = int((~near).sum())
    pts = pts[near.values]
    if pts.empty:
        raise VectorError(Message("econ.err.readiness.port_valid_coordinates_expected"), source=source)
    geod = Geod(ellps="WGS84")
    utm = utm_crs_of(boundaries)
    cent = boundaries.to_crs(utm).geometry.centroid.to_crs(4326)
    lon = pts.geometry.representative_point().x.to_numpy()
    lat = pts.geometry.representative_point().y.to_numpy()
    out = {}
    for code, c in zip(boundaries["code"], cent):
        _, _, d = geod.inv(np.full(lon.size, c.x), np.full(lon.size, c.y), lon, lat)
        out[code] = float(np.min(d)) / 1000.0
    return pd.Series(out, dtype=float), {"invalid": invalid, "far": far, "used": int(len(pts))}


def road_access_share(study_dir, *, region_geom=None, distance_m: float = 5000.0,
                      classes: tuple[str, ...] = ("arterial",), class_field: str = "class") -> float:
    """Share of a study area's land within ``distance_m`` of a road of ``classes``.

    The roads layer is the study area's ``roads`` vector (manifest layer ``roads``, else ``roads.gpkg``);
    land is every grid cell whose centre lies in ``region_geom`` (a shapely geometry in EPSG:4326), or every
    cell when no geometry is given. Distances are exact Euclidean on the grid
    (:func:`kawasan.spatial.proximity.distance_to`).
    """
    from rasterio import features

    from kawasan.spatial.proximity import distance_to
    from kawasan.spatial.studyarea import open_study_area
    from kawasan.spatial.vectors import burn_mask, read_features

    area = open_study_area(study_dir)
    entry = (area.manifest.get("layers") or {}).get("roads") or {}
    path = area.root / entry.get("path", "roads.gpkg")
    roads = read_features(path, grid=area.grid, layer_name="roads")
    if class_field not in roads.columns:
        raise VectorError(Message("econ.err.readiness.roads_layer_attribute_expected",
                                  class_field=class_field),
                          source=str(path), field=class_field)
    sel = roads[roads[class_field].astype(str).str.lower().isin([c.lower() for c in classes])]
    grid = area.grid
    mask = burn_mask(sel, grid) if len(sel) else np.zeros(grid.shape, np.uint8)
    dist = distance_to(mask, grid.res, distance_m + 2 * max(grid.res))
    land = np.ones(grid.shape, bool)
    if region_geom is not None:
        import geopandas as gpd

        geom = gpd.GeoSeries([region_geom], crs=4326).to_crs(grid.crs).iloc[0]
        land = features.rasterize([(geom, 1)], out_shape=grid.shape, transform=grid.transform, dtype="uint8") == 1
        if not land.any():
            raise VectorError(Message("econ.err.readiness.study_area_does_overlap"), source=str(study_dir))
    return float(np.count_nonzero((dist <= distance_m) & land) / np.count_nonzero(land))


def land_not_excluded_share(run_dir) -> float:
    """1 - the share of a suitability run's cells in class ``excluded`` (from the run's manifest)."""
    from kawasan.spatial.runs.read import open_run

    run = open_run(run_dir)
    classes = {c.get("class"): c for c in run.manifest.get("classes", [])}
    if not classes:
        raise InputError(Message("econ.err.readiness.run_manifest_lists_classes"), source=str(run_dir),
                         field="classes")
    share = (classes.get("excluded") or {}).get("share") or 0.0
    return float(1.0 - share)


# -- assembling readiness ------------------------------------------------------------------------
@dataclass
class ReadinessResult:
    """Indicator values by region code (NaN where a region lacks one), with what was used and why.

    ``values``: DataFrame indexed by code, one column per indicator id.
    ``meta``: per indicator id: year or period, source, method and notes shown to the user.
    ``unmatched``: per source file, the region names that matched no region (never dropped silently).
    ``synthetic``: one text per value computed from a synthetic study area or run (shown to the user).
    """

    regions: list[Region]
    values: pd.DataFrame
    meta: dict[str, dict] = field(default_factory=dict)
    unmatched: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    synthetic: list[str] = field(default_factory=list)   # which values come from synthetic data (also in notes)


def _year_series(mt: MatchedTable, year: int, codes: list[str]) -> tuple[pd.Series, int]:
    """Values of one year (the latest year <= ``year`` that the table has), by code."""
    years = sorted(y for y in mt.values["year"].unique() if y <= year)
    if not years:
        raise TableError(Message("econ.err.readiness.value_before_table", label=mt.label, year=year,
                                 years=', '.join(map(str, sorted(mt.values['year'].unique())))),
                         source=mt.source, field="year")
    used = years[-1]
    v = mt.values[mt.values["year"] == used].set_index("code")["value"]
    return v.reindex(codes), int(used)


def compute_readiness(gaz: Gazetteer, *, pdrb: MatchedTable | None = None, population: MatchedTable | None = None,
                      ipm: MatchedTable | None = None, ipm_method: str | None = None, year: int | None = None,
                      labour_force: MatchedTable | None = None, unemployment: MatchedTable | None = None,
                      growth_start: int | None = None, boundaries=None, ports=None, ports_source: str = "ports",
                      study_areas: dict[str, str] | None = None, runs: dict[str, str] | None = None,
                      road_distance_m: float = 5000.0, road_classes: tuple[str, ...] = ("arterial",),
                      kinds: tuple[str, ...] = ("kabupaten", "kota")) -> ReadinessResult:
    """All readiness indicators that the given inputs allow, for the regions of ``gaz`` of ``kinds``.

    ``year``: the analysis year (default: the latest PDRB year); each table uses that year or, when it
    lacks it, its latest earlier year (recorded in ``meta``). ``growth_start``: first year of the growth
    period (default ``year - 5``). ``ipm_method``: one key of the IPM table's methods; default the method
    with the latest year. ``study_areas`` / ``runs``: region (name or code) -> folder.
    """
    regions = [r for r in gaz.regions if r.kind in kinds]
    acc = _Indicators([r.code for r in regions])
    unmatched = _table_notes((pdrb, population, ipm, labour_force, unemployment), acc.notes)
    if year is None:
        year = _default_year(pdrb, population)
    if pdrb is not None:
        _add_gdp(acc, pdrb, year, growth_start)
    if population is not None:
        _add_population(acc, population, pdrb, year)
    for key, mt in (("labour_force", labour_force), ("unemployment", unemployment)):
        if mt is not None:
            v, used = _year_series(mt, _year_or_latest(mt, year), acc.codes)
            acc.add(key, v, {"year": used, "source": mt.source})
    if ipm is not None:
        _add_ipm(acc, ipm, ipm_method, year)
    if boundaries is not None and ports is not None:
        _add_port_distance(acc, boundaries, ports, ports_source)
    if study_areas:
        _add_road_access(acc, gaz, study_areas, boundaries, road_distance_m, road_classes)
    if runs:
        _add_land_not_excluded(acc, gaz, runs)
    acc.notes.extend(acc.synthetic)
    values = pd.DataFrame(acc.cols, index=pd.Index(acc.codes, name="code"))
    return ReadinessResult(regions, values, acc.meta, unmatched, acc.notes, acc.synthetic)


@dataclass
class _Indicators:
    """Readiness indicators as ``compute_readiness`` adds them, in output order: values by region
    code (``cols``), what each was computed from (``meta``), notes, and the texts naming values that
    come from synthetic data (added to the notes at the end)."""

    codes: list[str]
    cols: dict[str, pd.Series] = field(default_factory=dict)
    meta: dict[str, dict] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    synthetic: list[str] = field(default_factory=list)

    def add(self, key: str, values: pd.Series, meta: dict) -> None:
        """One indicator's values and meta."""
        self.cols[key] = values
        self.meta[key] = meta


def _table_notes(tables, notes: list[str]) -> dict[str, list[str]]:
    """The region names of each table that matched no region (by source file), never dropped
    silently; a note per table whose reader skipped note rows is added to ``notes``."""
    unmatched: dict[str, list[str]] = {}
    for mt in tables:
        if mt is not None and mt.unmatched:
            unmatched[mt.source] = list(mt.unmatched)
        if mt is not None and mt.skipped_notes:
            notes.append(Message("potential.note.skipped_rows", count=mt.skipped_notes, source=mt.source))
    return unmatched


def _default_year(pdrb: MatchedTable | None, population: MatchedTable | None) -> int | None:
    """The analysis year when none is given: the earlier of the latest PDRB and population years."""
    cands = [int(mt.values["year"].max()) for mt in (pdrb, population) if mt is not None and len(mt.values)]
    return min(cands) if cands else None


def _year_or_latest(mt: MatchedTable, year: int | None) -> int:
    """``year``, or the table's latest year when there is no analysis year."""
    return year if year is not None else int(mt.values["year"].max())


def _add_gdp(acc: _Indicators, pdrb: MatchedTable, year: int | None, growth_start: int | None) -> None:
    """PDRB of the analysis year (``gdp``) and its growth over the period (``gdp_growth``)."""
    gdp, used = _year_series(pdrb, year, acc.codes)
    acc.add("gdp", gdp, {"year": used, "source": pdrb.source, "basis": pdrb.label})
    start = growth_start if growth_start is not None else used - 5
    if start >= used:
        raise InputError(Message("econ.err.readiness.growth_period_start_before",
                                 start=start, year=used),
                         field="growth_start")
    first = pdrb.values[pdrb.values["year"] == start].set_index("code")["value"].reindex(acc.codes)
    if first.isna().all():
        if growth_start is not None:
            raise TableError(Message("econ.err.readiness.pdrb_growth_start_year",
                                     start=start, years=', '.join(map(str, sorted(pdrb.values['year'].unique())))),
                             source=pdrb.source, field="year")
        acc.notes.append(Message("econ.note.readiness.growth_not_computed", source=pdrb.source, year=start))
        return
    acc.add("gdp_growth", _cagr(gdp, first, start, used),
            {"period": [int(start), used], "source": pdrb.source, "basis": pdrb.label,
             "formula": "(PDRB_end / PDRB_start) ** (1 / (end - start)) - 1"})


def _cagr(end: pd.Series, start_values: pd.Series, start: int, end_year: int) -> pd.Series:
    """Compound annual growth rate: (PDRB_end / PDRB_start) ** (1 / (end - start)) - 1; NaN where
    the start value is missing or not positive."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return (end / start_values.where(start_values > 0)) ** (1.0 / (end_year - start)) - 1.0


def _add_population(acc: _Indicators, population: MatchedTable, pdrb: MatchedTable | None,
                    year: int | None) -> None:
    """Population of the analysis year and, with PDRB, PDRB per capita (a note when the two years differ)."""
    pop, used = _year_series(population, _year_or_latest(population, year), acc.codes)
    acc.add("population", pop, {"year": used, "source": population.source})
    if "gdp" not in acc.cols:
        return
    acc.add("gdp_per_capita", acc.cols["gdp"] / pop.where(pop > 0),
            {"year": used, "source": f"{pdrb.source}; {population.source}",
             "formula": "PDRB ADHK2010 (million IDR) / population"})
    if used != acc.meta["gdp"]["year"]:
        acc.notes.append(Message("econ.note.readiness.per_capita_years", gdp_year=acc.meta["gdp"]["year"],
                                 population_year=used))


def _add_ipm(acc: _Indicators, ipm: MatchedTable, ipm_method: str | None, year: int | None) -> None:
    """IPM (human development index) of one method: the one asked for, else the method with the
    latest year (ties: the one with most rows); the other methods are listed as not used."""
    methods = sorted(set(ipm.values["method"]))
    if ipm_method is None:
        ipm_method = max(methods, key=lambda m: (ipm.values.loc[ipm.values["method"] == m, "year"].max(),
                                                 (ipm.values["method"] == m).sum()))
    if ipm_method not in methods:
        raise InputError(Message("econ.err.readiness.ipm_method",
                                 method=ipm_method, source=ipm.source, methods=', '.join(methods)),
                         field="ipm_method")
    one = MatchedTable(ipm.values[ipm.values["method"] == ipm_method], ipm.reference, source=ipm.source,
                       label=f"IPM ({ipm_method})")
    v, used = _year_series(one, _year_or_latest(one, year), acc.codes)
    acc.add("ipm", v, {"year": used, "source": ipm.source, "method": ipm_method,
                       "method_label": IPM_METHODS.get(ipm_method, (ipm_method,))[0],
                       "other_methods_not_used": [m for m in methods if m != ipm_method]})


def _add_port_distance(acc: _Indicators, boundaries, ports, ports_source: str) -> None:
    """Great-circle distance from each region's centroid to the nearest port (a note on skipped ports)."""
    b = boundaries[boundaries["code"].isin(acc.codes)]
    dist, counts = port_distance_km(b, ports, source=ports_source)
    acc.add("port_distance", dist.reindex(acc.codes),
            {"source": ports_source, "ports": counts,
             "method": "great-circle distance from the region centroid to the nearest port"})
    if counts["invalid"]:
        acc.notes.append(Message("econ.note.readiness.ports_skipped", count=counts["invalid"], source=ports_source))


def _add_road_access(acc: _Indicators, gaz: Gazetteer, study_areas: dict[str, str], boundaries,
                     road_distance_m: float, road_classes: tuple[str, ...]) -> None:
    """Share of each region's land near a road of ``road_classes``, from its study area
    (:func:`road_access_share`); values from a synthetic study area are named."""
    from kawasan.spatial.studyarea import open_study_area

    vals = {}
    geoms = {} if boundaries is None else dict(zip(boundaries["code"], boundaries.geometry))
    for key, folder in study_areas.items():
        reg = _region_arg(gaz, key, "--study-area")
        vals[reg.code] = road_access_share(folder, region_geom=geoms.get(reg.code), distance_m=road_distance_m,
                                           classes=road_classes)
        if open_study_area(folder).synthetic:
            acc.synthetic.append(Message("econ.note.readiness.synthetic_study_area", region=reg.name,
                                         folder=str(folder)))
    acc.add("road_access", pd.Series(vals, dtype=float).reindex(acc.codes),
            {"distance_m": road_distance_m, "road_classes": list(road_classes),
             "study_areas": {k: str(v) for k, v in study_areas.items()}})


def _add_land_not_excluded(acc: _Indicators, gaz: Gazetteer, runs: dict[str, str]) -> None:
    """Share of each region's land not excluded, from its suitability run (:func:`land_not_excluded_share`);
    values from a synthetic run are named."""
    from kawasan.spatial.runs.read import open_run

    vals = {}
    for key, folder in runs.items():
        reg = _region_arg(gaz, key, "--run")
        vals[reg.code] = land_not_excluded_share(folder)
        if open_run(folder).manifest.get("synthetic"):
            acc.synthetic.append(Message("econ.note.readiness.synthetic_run", region=reg.name, folder=str(folder)))
    acc.add("land_not_excluded", pd.Series(vals, dtype=float).reindex(acc.codes),
            {"runs": {k: str(v) for k, v in runs.items()}})


def _region_arg(gaz: Gazetteer, key: str, option: str) -> Region:
    reg = gaz.match(key)
    if reg is None:
        raise InputError(Message("econ.err.readiness.region_matches_regency_city",
                                 region=key, name=gaz.regions[0].name, code=gaz.regions[0].code), field=option)
    return reg


def gazetteer_from_table(path, *, reference: str = "Jawa Timur") -> Gazetteer:
    """Regions from any table with a code column (kode_bps/kode/code) and a name column (nama/region/...).

    Rows naming the reference region (or a province code of two digits) are skipped.
    """
    df = read_table_file(path)
    src = str(path)
    code = _pick(df.columns, CODE_COLUMNS, src, "code")
    name = _pick(df.columns, REGION_COLUMNS, src, "name")
    df = df[[code, name]].drop_duplicates()
    df = df[df[code].map(normalise_code).notna()]
    return Gazetteer.from_frame(df, code=code, name=name, reference=reference, source=src)


def read_boundaries(path, *, reference: str = "Jawa Timur"):
    """(GeoDataFrame with a 4-digit ``code`` column, Gazetteer) of a regency/city boundary file."""
    import geopandas as gpd

    p = Path(path)
    if not p.exists():
        raise VectorError(Message("econ.err.readiness.file_found_expected_geojson"), source=str(p))
    try:
        gdf = gpd.read_file(p)
    except Exception as exc:  # noqa: BLE001
        raise VectorError(Message("econ.err.readiness.readable_vector_file",
                                  type=type(exc).__name__, error=exc), source=str(p)) from exc
    if gdf.crs is None:
        raise VectorError(Message("econ.err.readiness.layer_crs_expected_one"), source=str(p))
    gaz = Gazetteer.from_boundaries(gdf, reference=reference, source=str(p))
    col = _pick(gdf.columns, ("kode", "kode_bps", "code", "kode_wilayah", "id"), str(p), "code")
    gdf = gdf.assign(code=gdf[col].map(normalise_code))
    return gdf, gaz
