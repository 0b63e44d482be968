"""The BPS 17 lapangan usaha (PDRB by industry, KBLI 2009 / 2020 basis) and their names.

BPS publishes PDRB by 17 categories A..U, with two groupings: M,N (Jasa Perusahaan) and
R,S,T,U (Jasa Lainnya), as in REGULATIONS.md 4.7 [V] (BPS Tuban static table). Manufacturing (C)
is broken into 16 sub-categories; their codes here are ``C.1`` .. ``C.16`` in BPS order. The BPS
label of C.3 "Industri Pengolahan Tembakau" is [U] in REGULATIONS.md 4.7 (not confirmed letter by
letter); the sub-category list follows the BPS PDRB tables of East Java regencies.

A sector in a table is recognised by its code (``A``, ``a.``, ``M,N``, ``M-N``, ``MN``, ``R-U``,
``C.3``, ``C3``) or, failing that, by its name in Indonesian or English (``Industri Pengolahan``,
``Manufacturing``): :func:`sector_code` does the mapping and says which names it knows.
"""
from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple


class Sector(NamedTuple):
    """One BPS lapangan usaha: its code, Indonesian (BPS) name and English name."""

    code: str
    name_id: str
    name_en: str


SECTORS_17: tuple[Sector, ...] = (
    Sector("A", "Pertanian, Kehutanan, dan Perikanan", "Agriculture, Forestry and Fishing"),
    Sector("B", "Pertambangan dan Penggalian", "Mining and Quarrying"),
    Sector("C", "Industri Pengolahan", "Manufacturing"),
    Sector("D", "Pengadaan Listrik dan Gas", "Electricity and Gas"),
    Sector("E", "Pengadaan Air, Pengelolaan Sampah, Limbah dan Daur Ulang",
           "Water Supply, Sewerage, Waste Management and Remediation"),
    Sector("F", "Konstruksi", "Construction"),
    Sector("G", "Perdagangan Besar dan Eceran; Reparasi Mobil dan Sepeda Motor",
           "Wholesale and Retail Trade; Repair of Motor Vehicles and Motorcycles"),
    Sector("H", "Transportasi dan Pergudangan", "Transportation and Storage"),
    Sector("I", "Penyediaan Akomodasi dan Makan Minum", "Accommodation and Food Service Activities"),
    Sector("J", "Informasi dan Komunikasi", "Information and Communication"),
    Sector("K", "Jasa Keuangan dan Asuransi", "Financial and Insurance Activities"),
    Sector("L", "Real Estat", "Real Estate Activities"),
    Sector("M,N", "Jasa Perusahaan", "Business Activities"),
    Sector("O", "Administrasi Pemerintahan, Pertahanan dan Jaminan Sosial Wajib",
           "Public Administration and Defence; Compulsory Social Security"),
    Sector("P", "Jasa Pendidikan", "Education"),
    Sector("Q", "Jasa Kesehatan dan Kegiatan Sosial", "Human Health and Social Work Activities"),
    Sector("R,S,T,U", "Jasa Lainnya", "Other Services Activities"),
)

SECTOR_CODES: tuple[str, ...] = tuple(s.code for s in SECTORS_17)

#: Sub-categories of C (Industri Pengolahan) in BPS order.
MANUFACTURING_SUBSECTORS: tuple[Sector, ...] = (
    Sector("C.1", "Industri Batubara dan Pengilangan Migas", "Coal and Refined Petroleum Products"),
    Sector("C.2", "Industri Makanan dan Minuman", "Food and Beverages"),
    Sector("C.3", "Industri Pengolahan Tembakau", "Tobacco Products"),
    Sector("C.4", "Industri Tekstil dan Pakaian Jadi", "Textiles and Wearing Apparel"),
    Sector("C.5", "Industri Kulit, Barang dari Kulit dan Alas Kaki", "Leather, Leather Products and Footwear"),
    Sector("C.6", "Industri Kayu, Barang dari Kayu dan Gabus dan Barang Anyaman dari Bambu, Rotan dan Sejenisnya",
           "Wood, Products of Wood and Cork, Plaiting Materials"),
    Sector("C.7", "Industri Kertas dan Barang dari Kertas; Percetakan dan Reproduksi Media Rekaman",
           "Paper and Paper Products; Printing and Reproduction of Recorded Media"),
    Sector("C.8", "Industri Kimia, Farmasi dan Obat Tradisional",
           "Chemicals, Pharmaceuticals and Traditional Medicine"),
    Sector("C.9", "Industri Karet, Barang dari Karet dan Plastik", "Rubber and Plastic Products"),
    Sector("C.10", "Industri Barang Galian bukan Logam", "Other Non-Metallic Mineral Products"),
    Sector("C.11", "Industri Logam Dasar", "Basic Metals"),
    Sector("C.12", "Industri Barang Logam; Komputer, Barang Elektronik, Optik; dan Peralatan Listrik",
           "Fabricated Metal, Computer, Electronic and Optical Products, Electrical Equipment"),
    Sector("C.13", "Industri Mesin dan Perlengkapan YTDL", "Machinery and Equipment n.e.c."),
    Sector("C.14", "Industri Alat Angkutan", "Transport Equipment"),
    Sector("C.15", "Industri Furnitur", "Furniture"),
    Sector("C.16", "Industri Pengolahan Lainnya; Jasa Reparasi dan Pemasangan Mesin dan Peralatan",
           "Other Manufacturing; Repair and Installation of Machinery and Equipment"),
)

#: The code of a stated total row (PDRB / PDB / Total / Jumlah) in a table.
TOTAL = "TOTAL"
#: The code of a "Pajak Dikurangi Subsidi atas Produk" row (net taxes on products). BPS national PDB tables list
#: it after the 17 lapangan usaha: PDB = sum of the sectors (gross value added at basic prices) + net taxes.
NET_TAXES = "NET_TAXES"
#: The code of a "Nilai Tambah Bruto atas Harga Dasar" row (gross value added): the stated sum of the sectors.
GVA = "GVA"
#: Rows that are neither a sector nor the total: read, checked and kept apart from the sectors.
SPECIAL_ROWS = {NET_TAXES: ("Pajak Dikurangi Subsidi atas Produk", "Taxes less Subsidies on Products"),
                GVA: ("Nilai Tambah Bruto atas Harga Dasar", "Gross Value Added at Basic Prices")}

_BY_CODE = {s.code: s for s in SECTORS_17 + MANUFACTURING_SUBSECTORS}

# Keywords (after normalisation: lower case, ascii, punctuation to spaces) that identify a sector by
# name. Sub-sectors are tried first so that "industri pengolahan tembakau" is C.3, not C.
_SUB_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("C.1", ("industri batubara", "pengilangan migas", "coal and refined", "refined petroleum")),
    ("C.2", ("makanan dan minuman", "food and beverage", "food products")),
    ("C.3", ("tembakau", "tobacco")),
    ("C.4", ("tekstil", "textile")),
    ("C.5", ("alas kaki", "footwear", "barang dari kulit", "leather")),
    ("C.6", ("barang dari kayu", "industri kayu", "wood")),
    ("C.7", ("kertas", "paper")),
    ("C.8", ("farmasi", "industri kimia", "chemical")),
    ("C.9", ("karet", "rubber")),
    ("C.10", ("barang galian bukan logam", "non metallic")),
    ("C.11", ("logam dasar", "basic metal")),
    ("C.12", ("barang logam", "elektronik", "electronic", "fabricated metal")),
    ("C.13", ("mesin dan perlengkapan", "machinery and equipment n e c", "machinery")),
    ("C.14", ("alat angkutan", "transport equipment")),
    ("C.15", ("furnitur", "furniture")),
    ("C.16", ("pengolahan lainnya", "other manufacturing")),
)
_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("A", ("pertanian", "agricultur", "kehutanan", "forestry")),
    ("B", ("pertambangan", "penggalian", "mining", "quarrying")),
    ("C", ("industri pengolahan", "manufaktur", "manufactur")),
    ("D", ("listrik", "electricity")),
    ("E", ("pengadaan air", "penyediaan air", "penyedian air", "pengelolaan sampah", "water supply", "sewerage")),
    ("F", ("konstruksi", "construction")),
    ("G", ("perdagangan", "trade")),
    ("H", ("transportasi", "pergudangan", "transportation", "storage")),
    ("I", ("akomodasi", "makan minum", "accommodation", "food service")),
    ("J", ("informasi dan komunikasi", "information and communication")),
    ("K", ("keuangan", "asuransi", "financ", "insurance")),
    ("L", ("real estat", "real estate", "perumahan")),
    ("M,N", ("jasa perusahaan", "business activit", "business services")),
    ("O", ("administrasi pemerintahan", "adm pemerintahan", "pertahanan", "public administration")),
    ("P", ("pendidikan", "education")),
    ("Q", ("kesehatan", "health")),
    ("R,S,T,U", ("jasa lainnya", "jasa jasa lainnya", "other service")),
)
_TOTAL_NAMES = {"pdrb", "pdb", "total", "jumlah", "grdp", "gdp", "total pdrb", "pdrb total", "total pdb", "jumlah pdb",
                "produk domestik regional bruto", "produk domestik bruto", "pdrb adhk", "pdrb adhb", "pdb adhk",
                "pdb adhb", "jumlah pdrb", "total grdp", "gross regional domestic product", "gross domestic product"}
#: Long names of the total ("Produk Domestik Bruto atas Harga Pasar", "Gross Domestic Product at market prices").
_TOTAL_PREFIXES = ("produk domestik bruto", "produk domestik regional bruto", "gross domestic product",
                   "gross regional domestic product")

_CODE_RE = re.compile(r"^\s*([A-Ua-u])\s*[.)]?\s*$")
_GROUP_RE = re.compile(r"^\s*([A-Ua-u](?:\s*[,;/&+\-]\s*[A-Ua-u])+|MN|RSTU)\s*[.)]?\s*$")
_SUB_RE = re.compile(r"^\s*([Cc])\s*[.\-_ ]?\s*0*(\d{1,2})\s*[.)]?\s*$")
_PREFIX_RE = re.compile(r"^\s*([A-Ua-u](?:\s*[,;/&+\-]\s*[A-Ua-u])*)\s*[.)]\s+(\S.*)$")


def normalise_name(text: str) -> str:
    """Lower case, ASCII, punctuation as spaces, single spaces (for matching names)."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _group_code(letters: str) -> str | None:
    ls = [c.upper() for c in letters if c.isalpha()]
    if ls == ["M", "N"]:
        return "M,N"
    if ls in (["R", "S", "T", "U"], ["R", "U"]):
        return "R,S,T,U"
    return None


_SINGLE = {"M": "M,N", "R": "R,S,T,U"}          # a group written with its first letter only


def _letter_code(letter: str) -> str | None:
    up = letter.upper()
    if up in SECTOR_CODES:
        return up
    return _SINGLE.get(up)


def sector_code(label) -> str | None:
    """The canonical code of a sector label, ``TOTAL`` for a total row, or None when unknown.

    Codes first (``A``, ``c.``, ``M,N``, ``M-N``, ``M``, ``R-U``, ``C.3``, ``C03``), then a code prefix
    (``C. Industri Pengolahan``: when the name after the prefix is recognised, the name decides, so
    ``b. Industri Makanan dan Minuman`` is C.2, not B), then the name alone (Indonesian or English keywords,
    see ``docs/reference/economics.md``). ``N``, ``S``, ``T``, ``U`` alone are not BPS codes (None).
    """
    if label is None:
        return None
    s = str(label).strip()
    if not s:
        return None
    m = _CODE_RE.match(s)
    if m:
        return _letter_code(m.group(1))
    m = _SUB_RE.match(s)
    if m:
        code = f"C.{int(m.group(2))}"
        return code if code in _BY_CODE else None
    m = _GROUP_RE.match(s)
    if m and _group_code(m.group(1)):
        return _group_code(m.group(1))
    m = _PREFIX_RE.match(s)
    if m:
        letters = m.group(1)
        code = _letter_code(letters) if len(letters) == 1 else _group_code(letters)
        named = _match_name(m.group(2))
        if named is not None:
            return named
        return code
    return _match_name(s)


_SUBROW_RE = re.compile(r"^\s*(\d{1,2}|[a-z])\s*[.)]\s+(\S.*)$")


def subrow_name(label) -> str | None:
    """The name of a BPS sub-category row (``1. Pertanian, Peternakan ...``, ``b. Industri Makanan ...``), else None.

    BPS tables list each category (``A``, ``C``) followed by its sub-categories numbered ``1.``/``a.``; a
    reader uses this with the category above to place the row (see tables._clean_sectors).
    """
    m = _SUBROW_RE.match(str(label)) if label is not None else None
    return m.group(2) if m else None


def resolve_subrow(name: str, current_main: str | None) -> tuple[str, bool]:
    """(code, is_sub) of a numbered row under the category ``current_main``.

    A name that is one of C's sub-categories under C gives ``C.k``; a name of the same category, an unknown
    name, or another category's sub-category (``Pertambangan Batubara`` under B) is a sub-row of
    ``current_main`` (code ``"<main>.*"``); a name of another main category is that category (a table that
    numbers its categories ``a.``, ``b.``, ...).
    """
    named = _match_name(name)
    if current_main is None:
        return (named, False) if named is not None else (None, False)
    if named is not None and "." in named and parent_of(named) == current_main:
        return named, True
    if named == TOTAL:
        return TOTAL, False
    if named is None or named == current_main or "." in named:
        return f"{current_main}.*", True
    return named, False


def _special_row(n: str) -> str | None:
    """NET_TAXES or GVA for a normalised row name of net taxes on products or of gross value added, else None."""
    if ("pajak" in n and "subsidi" in n) or ("tax" in n and "subsid" in n) or n.startswith("net tax") \
            or "pajak neto" in n:
        return NET_TAXES
    if "nilai tambah bruto" in n or "gross value added" in n or n in ("ntb", "gva"):
        return GVA
    return None


def _is_total_name(n: str) -> bool:
    if n in _TOTAL_NAMES:
        return True
    if n.startswith(("pdrb ", "pdb ", "gdp ", "grdp ")) and "sektor" not in n and len(n.split()) <= 4:
        return True
    return n.startswith(_TOTAL_PREFIXES) and not any(w in n for w in ("menurut", "lapangan", "sektor", "industry"))


def _match_name(text: str) -> str | None:
    n = normalise_name(text)
    special = _special_row(n)
    if special is not None:
        return special
    if _is_total_name(n):
        return TOTAL
    for table in (_SUB_KEYWORDS, _KEYWORDS):
        # the code whose matching keyword is longest wins ("jasa keuangan" before "jasa")
        hits = [(max(len(w) for w in words if w in n), code) for code, words in table if any(w in n for w in words)]
        if hits:
            return max(hits)[1]
    return None


def sector_info(code: str) -> Sector | None:
    """The Sector record of a canonical code (main sectors and C sub-categories), else None."""
    return _BY_CODE.get(code)


def is_main_sector(code: str) -> bool:
    """True for the 17 lapangan usaha (the level whose sum is the PDRB total)."""
    return code in SECTOR_CODES


def parent_of(code: str) -> str | None:
    """The main sector of a sub-category (``C.3`` -> ``C``), None for a main sector."""
    if "." in code:
        return code.split(".", 1)[0]
    return None


def sector_name(code: str, lang: str = "en") -> str:
    """The sector's name in ``lang`` (``id`` or ``en``); the code itself when unknown."""
    s = _BY_CODE.get(code)
    if s is None:
        if code in SPECIAL_ROWS:
            return SPECIAL_ROWS[code][0 if lang == "id" else 1]
        return "PDRB" if code == TOTAL else code
    return s.name_id if lang == "id" else s.name_en


def sort_key(code: str) -> tuple:
    """Order sectors as BPS does: A..R,S,T,U, each followed by its sub-categories."""
    main = parent_of(code) or code
    idx = SECTOR_CODES.index(main) if main in SECTOR_CODES else len(SECTOR_CODES)
    sub = int(code.split(".", 1)[1]) if "." in code and code.split(".", 1)[1].isdigit() else 0
    return (idx, sub, code)
