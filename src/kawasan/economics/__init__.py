"""Regional economics: BPS tables in, sectoral indicators out (LQ, DLQ, shift-share, Klassen, specialisation).

    from kawasan.economics import read_table, location_quotient
    t = read_table("pdrb_17sector_2023_long.csv")
    location_quotient(t, "Kabupaten Probolinggo", "Jawa Timur", 2023)
"""
from kawasan.economics.indicators import (  # noqa: F401
    average_growth, dynamic_lq, dynamic_shift_share, hoover_localization, klassen_regional, klassen_sectoral,
    location_quotient, lq_quadrant, shift_share, shift_share_series, specialization,
)
from kawasan.economics.sectors import SECTORS_17, sector_code  # noqa: F401
from kawasan.economics.tables import RegionalTable, read_population, read_table  # noqa: F401
