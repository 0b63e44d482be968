"""Catalogue placeholders say what they hold, and every call site fills the placeholders its message names.

A translator sees only the catalogue: ``{v2}`` or ``{n}`` tells them nothing about the value that will stand
there (a count? a file name? a list of choices?), so a placeholder is a word (``{count}``, ``{bounds}``,
``{available}``), never a generated ``v1``, ``v2`` ... nor a single letter (``{top_k}``, not ``{k}``).

The call sites are read with :mod:`ast`: a ``Message("key", name=...)``, ``t("key", lang, name=...)`` or
``warn("key", text, name=...)`` with a literal key (or ``"a" if c else "b"``) must pass every placeholder the
key's text names in both languages, or making the message raises a ``KeyError`` instead of the user's error.
"""
from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "kawasan"
LOCALES = PACKAGE / "locales"
CATALOGUES = sorted(LOCALES.glob("*.json"))

GENERATED = re.compile(r"v\d+")
SINGLE_LETTER = re.compile(r"[A-Za-z]")
CALLERS = {"Message", "t", "warn", "tr", "_"}


def placeholder_names(text: str) -> list[str]:
    """The field names of a str.format text (``{count:,}`` -> ``count``, ``{a.b[0]}`` -> ``a``)."""
    return [re.split(r"[.\[]", name)[0] for _, name, _, _ in string.Formatter().parse(text) if name]


def meaningless(names: list[str]) -> list[str]:
    """The names of ``names`` that say nothing: generated ``v1``, ``v2`` ... and single letters."""
    return [n for n in names if GENERATED.fullmatch(n) or SINGLE_LETTER.fullmatch(n)]


def _catalogue(path: Path) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_the_check_recognises_meaningless_names():
    names = placeholder_names("{v1} of {count:,} at {v12!r}; {n} {k} {bounds} {x.y}")
    assert names == ["v1", "count", "v12", "n", "k", "bounds", "x"]
    assert meaningless(names) == ["v1", "v12", "n", "k", "x"]
    assert meaningless(placeholder_names("{version} {value} {layer_count} {top_k} {v}")) == ["v"]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.name)
def test_catalogue_placeholders_say_what_they_hold(path):
    bad = {key: found for key, text in _catalogue(path).items()
           if (found := meaningless(placeholder_names(text)))}
    assert not bad, (f"{path.name}: placeholders that do not say what they hold (expected a word such as "
                     f"{{count}}, {{bounds}}, {{available}}): {bad}")


def _texts() -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for path in CATALOGUES:
        out.setdefault(path.name.split(".")[0], {}).update(_catalogue(path))
    return out


def _literal_keys(node: ast.AST) -> list[str]:
    """The catalogue keys a call's first argument names: a literal, or both branches of ``a if c else b``."""
    parts = [node.body, node.orelse] if isinstance(node, ast.IfExp) else [node]
    return [p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)]


def _message_calls(tree: ast.AST):
    """(key, line, given keyword names) of each catalogue call with literal keys and no ``**kwargs``."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and node.args
                and getattr(node.func, "id", getattr(node.func, "attr", None)) in CALLERS):
            continue
        if any(kw.arg is None for kw in node.keywords):
            continue
        given = {kw.arg for kw in node.keywords}
        for key in _literal_keys(node.args[0]):
            yield key, node.lineno, given


def test_every_call_site_fills_the_placeholders_of_its_message():
    texts = _texts()
    unfilled = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for key, line, given in _message_calls(ast.parse(path.read_text(encoding="utf-8"))):
            if key not in texts["en"]:
                continue
            for lang, catalogue in texts.items():
                missing = set(placeholder_names(catalogue.get(key, ""))) - given
                if missing:
                    unfilled.append(f"{path.relative_to(PACKAGE)}:{line} {key} ({lang}) lacks {sorted(missing)}")
    assert not unfilled, "\n".join(unfilled)


def test_a_call_site_missing_a_placeholder_is_found():
    tree = ast.parse('Message("fetch.err.fetch_sources.area_needs_one_degree", max_tiles=4)\n'
                     't("prepare.summary_windows" if a else "prepare.features", lang, windows=3, side=2)')
    calls = list(_message_calls(tree))
    texts = _texts()["en"]
    assert [(key, set(placeholder_names(texts[key])) - given) for key, _, given in calls] == [
        ("fetch.err.fetch_sources.area_needs_one_degree", {"tile_count"}),
        ("prepare.summary_windows", set()), ("prepare.features", {"count"})]
