"""Issue 14, defect 8: a 100,000-row ``economy lq`` prints in seconds, not a minute.

Over :data:`kawasan.cli.output.PLAIN_ROWS` rows a command prints plain aligned tables instead of rich's
(measured in docs/performance.md, "Long tables"); numbers are written with the language's separators by a
fast path that must agree with Babel digit for digit.
"""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from kawasan.cli.main import cli
from kawasan.economics.sectors import SECTOR_CODES
from kawasan.i18n import fmt_number


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15),
       st.integers(0, 4), st.booleans(), st.sampled_from(["en", "id"]))
@settings(max_examples=500, deadline=None)
def test_the_fast_number_path_agrees_with_babel(x, digits, group, lang):
    pattern = ("#,##0" if group else "0") + ("." + "0" * digits if digits else "")
    babel = format_decimal(Decimal(format(x, f".{digits}f")), format=pattern, locale=lang,
                           decimal_quantization=False)
    assert fmt_number(x, lang, digits, group=group) == babel


def _table(path, regions: int):
    rng = np.random.default_rng(1)
    rows = [(f"Kabupaten Sintetis {i:05d}", s, 2023, round(float(rng.uniform(10, 1000)), 2))
            for i in range(regions) for s in SECTOR_CODES]
    pd.DataFrame(rows, columns=["region", "sector", "year", "value"]).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("lang", ["en", "id"])
def test_a_long_lq_output_is_plain_and_aligned_and_says_the_same(runner, tmp_path, monkeypatch, lang):
    table = _table(tmp_path / "synthetic.csv", 6)
    rich_out = runner.invoke(cli, ["--lang", lang, "economy", "lq", str(table)])
    monkeypatch.setattr("kawasan.cli.economy.PLAIN_ROWS", 10)
    plain_out = runner.invoke(cli, ["--lang", lang, "economy", "lq", str(table)])
    assert rich_out.exit_code == plain_out.exit_code == 0, plain_out.output
    assert "┃" in rich_out.output and "┃" not in plain_out.output
    cells = lambda text: [w for line in text.splitlines() for w in line.replace("│", " ").replace("┃", " ").split()  # noqa: E731
                          if any(ch.isdigit() for ch in w)]
    assert cells(plain_out.output) == cells(rich_out.output)     # the same numbers, in the same order
    lines = plain_out.output.splitlines()
    sep = next(i for i, ln in enumerate(lines) if ln.startswith("-----"))
    ends = [m.end() for m in __import__("re").finditer(r"-+", lines[sep])]
    for row in lines[sep + 1: sep + 1 + len(SECTOR_CODES)]:      # numbers right-aligned under their rule
        for end in ends[1:5]:
            assert row[end - 1].isdigit(), (row, end)
