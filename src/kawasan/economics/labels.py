"""The words people read for the economics codes, in Bahasa Indonesia or English, for every output.

The CLI tables, the HTML report and its charts all name classes, units and totals through these functions,
so that one convention (:mod:`kawasan.economics.classes`) reads the same everywhere. The texts live in the
message catalogues (``locales/<lang>.economics.json``).
"""
from __future__ import annotations

from kawasan.i18n import catalogue, t

__all__ = ["unit_label", "price_basis_label", "lq_class_label", "klassen_label", "reference_total_label",
           "reference_label"]


def unit_label(unit, lang: str = "en") -> str:
    """A table's unit in ``lang``: ``billion IDR`` is "miliar rupiah" in Indonesian, "billion rupiah" in English.

    A unit the catalogue does not know (given with ``--unit``) is shown as written; no unit is ``-``.
    """
    if not unit:
        return "-"
    key = "econ.unit." + "_".join(str(unit).lower().split())
    return t(key, lang) if key in catalogue("en") else str(unit)


def price_basis_label(basis, lang: str = "en") -> str:
    """``ADHK2010`` / ``ADHB`` in words; a table without a stated price basis says so."""
    key = f"econ.price_basis.{basis}" if basis else "econ.price_basis.none"
    return t(key, lang) if key in catalogue("en") else str(basis)


def lq_class_label(code, lang: str = "en") -> str:
    """The SLQ x DLQ class of ``code`` (unggulan, andalan, prospektif, tertinggal) with its meaning; ``-`` for
    none."""
    return t(f"econ.lq_class.{code}", lang) if isinstance(code, str) and code else "-"


def klassen_label(variant: str, quadrant, lang: str = "en") -> str:
    """The Klassen class of ``quadrant`` (I..IV) in the ``sectoral`` or ``regional`` variant; ``-`` for none."""
    return t(f"econ.klassen.{variant}.{quadrant}", lang) if isinstance(quadrant, str) and quadrant else "-"


def reference_total_label(total: str, lang: str = "en") -> str:
    """The sentence naming the total that shares and growth were measured against."""
    return t(f"econ.reference_total.{total}", lang)


def reference_label(reference, lang: str = "en") -> str:
    """The reference region's name; the sum of all regions of the table (no reference named) in words."""
    from kawasan.economics.indicators._panel import AGGREGATE

    return t("econ.reference.aggregate", lang) if reference == AGGREGATE else str(reference)
