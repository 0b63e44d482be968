"""The classes the indicators sort sectors and regions into: one naming convention each, with its source.

Every output (CLI tables, ``--json``, CSV, the HTML report and its charts) uses these codes; the words shown
to people come from the message catalogues (``econ.lq_class.<code>``, ``econ.klassen.<variant>.<quadrant>``),
the same names in Bahasa Indonesia and English.

SLQ x DLQ classes
    The codes are the Indonesian names, so that they read the same in both languages:

    ============  =========  =========  ======================================
    code          SLQ        DLQ        meaning
    ============  =========  =========  ======================================
    unggulan      > 1        > 1        basis sector, gaining
    andalan       <= 1       > 1        not (yet) basis, gaining
    prospektif    > 1        <= 1       basis sector, losing ground
    tertinggal    <= 1       <= 1       not basis, losing ground
    ============  =========  =========  ======================================

    Source of the names: C. Angelina, "Comparative Advantage dan Location Quotient", Kompasiana,
    15 November 2019, page 2 (unggulan SLQ > 1 and DLQ > 1; andalan SLQ < 1 and DLQ > 1; tertinggal SLQ < 1
    and DLQ < 1). The same page prints "tertinggal" for SLQ > 1 and DLQ < 1 as well, evidently a slip (two
    quadrants cannot share a name); the fourth name of the set, prospektif, is given to it here. Certainty P.
    Other Indonesian studies read the two middle classes the other way round (a non-basis sector with DLQ > 1
    "prospektif", a basis sector with DLQ < 1 "andalan"); docs/reference/economics.md names them.

Klassen typology
    Quadrants I..IV (growth against the reference's, level against the reference's). Names after Sjafrizal
    (1997), as applied in Indonesian regional studies and by BPS Kota Probolinggo (Tinjauan Perkembangan dan
    Potensi Ekonomi Kota Probolinggo 2022): the sectoral variant (growth and share of a sector) and the
    regional variant (growth and PDRB per capita of a region) have their own names. A regional typology
    computed without population compares total PDRB, not PDRB per capita, and says so (``level_basis``).
"""
from __future__ import annotations

#: SLQ x DLQ class codes, in the order SLQ>1/DLQ>1, SLQ<=1/DLQ>1, SLQ>1/DLQ<=1, SLQ<=1/DLQ<=1.
LQ_CLASSES = ("unggulan", "andalan", "prospektif", "tertinggal")

#: The rule of each SLQ x DLQ class.
LQ_CLASS_RULES = {"unggulan": "SLQ > 1, DLQ > 1", "andalan": "SLQ <= 1, DLQ > 1",
                  "prospektif": "SLQ > 1, DLQ <= 1", "tertinggal": "SLQ <= 1, DLQ <= 1"}

LQ_CLASS_SOURCE = ("C. Angelina, 'Comparative Advantage dan Location Quotient', Kompasiana, 15 November 2019, "
                   "page 2, https://www.kompasiana.com/181910501059callistaa/5dcda0f1097f3604df138602/"
                   "comparative-advantage-dan-location-quotient?page=2")
LQ_CLASS_CERTAINTY = "P"

KLASSEN_QUADRANTS = ("I", "II", "III", "IV")

#: Klassen label codes by variant and quadrant (JSON/CSV ``label``).
KLASSEN_LABELS = {
    "sectoral": {"I": "advanced_fast_growing", "II": "advanced_depressed", "III": "potential",
                 "IV": "relatively_lagging"},
    "regional": {"I": "fast_advancing_fast_growing", "II": "advanced_depressed", "III": "fast_developing",
                 "IV": "relatively_lagging"},
}

KLASSEN_SOURCE = ("Sjafrizal (1997), 'Pertumbuhan Ekonomi dan Ketimpangan Regional Wilayah Indonesia Bagian Barat', "
                  "Prisma 3: 27-38, as applied by BPS Kota Probolinggo, 'Tinjauan Perkembangan dan Potensi Ekonomi "
                  "Kota Probolinggo 2022'")

#: Level of a regional Klassen typology: PDRB per capita (with population) or total PDRB (without).
LEVEL_BASES = ("per_capita", "total_pdrb")
