"""The one CSV writer of kawasan: every cell safe to open in a spreadsheet.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is run as a
formula by Excel, LibreOffice and Google Sheets (OWASP, "CSV Injection",
https://owasp.org/www-community/attacks/CSV_Injection). Region, sector, stage and feature names come
from files a user did not write (BPS downloads, OpenStreetMap, imported plans), so such a cell is
written with a leading apostrophe, which spreadsheets show as text and do not evaluate. A plain
number (``-12.5``, ``+3``, ``-1e-3``) is data, not a formula, and stays a number; quotes and
delimiters inside a cell are escaped by :mod:`csv` as usual.

Every CSV the product writes (``economy ... --csv``, the run's setback tables, the web app's portfolio
and stage exports) goes through :func:`safe_cell` here; ``tests/test_csv_injection.py`` checks each
writer.
"""
from __future__ import annotations

import csv
import io
import math
import numbers
import re
from collections.abc import Iterable, Sequence

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")


def safe_cell(value):
    """``value`` as a CSV cell that no spreadsheet runs as a formula.

    None is an empty cell; a number (not a bool) stays a number; a text starting with one of
    :data:`FORMULA_START` gets a leading apostrophe unless it is a plain number.
    """
    if value is None:
        return ""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if math.isnan(value):
            return ""
        if math.isfinite(value):
            return value          # -inf goes on as text below: "'-inf"
    text = str(value)
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def to_csv(header: Sequence, rows: Iterable[Sequence], *, lineterminator: str = "\r\n") -> str:
    """A CSV text of ``header`` and ``rows``, every cell through :func:`safe_cell`."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=lineterminator)
    w.writerow([safe_cell(h) for h in header])
    for r in rows:
        w.writerow([safe_cell(v) for v in r])
    return buf.getvalue()


def dataframe_csv(df, *, lineterminator: str = "\n") -> str:
    """A pandas DataFrame as CSV (no index), with safe cells; numbers are written as pandas writes them."""
    import pandas as pd

    safe = df.copy()
    safe.columns = [safe_cell(c) for c in df.columns]
    for i, dt in enumerate(safe.dtypes):
        if not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt)):
            safe.isetitem(i, safe.iloc[:, i].map(lambda v: v if v is None or (isinstance(v, float) and math.isnan(v))
                                                 else safe_cell(v)))
    return safe.to_csv(index=False, lineterminator=lineterminator)
