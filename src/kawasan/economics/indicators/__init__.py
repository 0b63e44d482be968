"""Sectoral indicators on a :class:`~kawasan.economics.tables.RegionalTable` (pandas in, pandas out).

Each function's docstring gives its formula and source; ``reference_total`` picks the total shares and growth
are measured against (the sum of the 17 sectors, or the PDB/PDRB with net taxes on products).
"""
from kawasan.economics.indicators.growth import average_growth
from kawasan.economics.indicators.klassen import KLASSEN_LABELS, klassen_quadrant, klassen_regional, klassen_sectoral
from kawasan.economics.indicators.lq import QUADRANTS, classify_quadrant, dynamic_lq, location_quotient, lq_quadrant
from kawasan.economics.indicators.shiftshare import METHODS, dynamic_shift_share, shift_share, shift_share_series
from kawasan.economics.indicators.specialization import hoover_localization, specialization

__all__ = [
    "location_quotient", "dynamic_lq", "lq_quadrant", "classify_quadrant", "QUADRANTS",
    "shift_share", "shift_share_series", "dynamic_shift_share", "METHODS",
    "klassen_sectoral", "klassen_regional", "klassen_quadrant", "KLASSEN_LABELS",
    "specialization", "hoover_localization", "average_growth",
]
