"""Typed ranges for every numeric CLI option: finite, bounded, with click's usual messages.

click's ``FloatRange`` lets ``nan`` through (a comparison with NaN is always false) and, without a
maximum, ``inf`` too; :class:`Finite` refuses both, so ``--radius inf`` or ``--radius nan`` is a usage
error (exit 2) before any geometry is built. The bounds of each option are design choices that keep
a typo from starting work that cannot be meant (a 1e308 m radius), not legal rules.
"""
from __future__ import annotations

import math

import click

from kawasan.i18n import Message

YEARS = click.IntRange(1900, 2200)             # BPS tables start in the 1960s; a plan ends well before 2200
SEED = click.IntRange(0, 2**32 - 1)            # numpy's seed range
COUNT = click.IntRange(0, 1_000_000)           # draws, top-k and similar counts
VERSION = click.IntRange(1, 2**31 - 1)         # stored version numbers (SQL INTEGER)


class Finite(click.FloatRange):
    """A float in ``[min, max]`` (open ends as in click) that is also finite: ``inf`` and ``nan`` are refused."""

    name = "float"

    def convert(self, value, param, ctx):
        rv = super().convert(value, param, ctx)
        if not math.isfinite(rv):
            self.fail(Message("cli.err.ranges.not_finite", value=value), param, ctx)
        return rv


SHARE = Finite(0.0, 1.0)                       # a share, a score or a compactness, 0..1
HECTARES = Finite(0.0, 1_000_000.0)            # an area in hectares: up to 10,000 km²
METRES = Finite(0.0, 200_000.0)                # a buffer or radius in metres: up to 200 km
