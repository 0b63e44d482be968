"""Numbers and cells as a person reads them in a message: ``2023``, ``10.5``, ``1,234.56``, ``'abc'``.

Every table error quotes the values it is about. Since NumPy 2 a numpy scalar's ``repr`` is
``np.float64(10.5)``, which means nothing to the officer who has to fix the file, and ``format(x, "g")``
turns 1234567.0 into ``1.23457e+06``. All messages of ``kawasan.economics`` write numbers with
:func:`plain` and quote file cells with :func:`cell`.
"""
from __future__ import annotations

import math
import numbers

from kawasan.i18n import Message

__all__ = ["plain", "cell"]


def plain(x, decimals: int | None = None) -> str:
    """``x`` as a plain number: ``2023``, ``10.5``, ``-5``; with ``decimals``, grouped: ``1,234.50``.

    Whole numbers print without a decimal point (a year read as 2023.0 prints ``2023``); other floats print
    their shortest exact form (``0.1``, not ``0.10000000000000001``). NaN and infinities print as words.
    Anything that is not a number prints as its text.
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Number):
        return str(x)
    v = float(x)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "infinity" if v > 0 else "-infinity"
    if decimals is not None:
        return f"{v:,.{decimals}f}"
    if isinstance(x, numbers.Integral) or (v.is_integer() and abs(v) < 1e15):
        return str(int(v))
    return repr(v)


def _missing(v) -> bool:
    try:
        import pandas as pd

        return bool(pd.isna(v)) if not isinstance(v, (list, tuple, dict)) else False
    except (TypeError, ValueError):
        return False


def cell(v) -> str:
    """A file cell quoted in a message: a text in quotes (``'abc'``), a number plain (``10.5``), an empty
    cell as ``empty``."""
    if _missing(v):
        return Message("econ.cell.empty")
    if isinstance(v, numbers.Number) and not isinstance(v, bool):
        return plain(v)
    text = str(v)
    return Message("econ.cell.empty") if not text.strip() else repr(text)
