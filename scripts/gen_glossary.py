"""Regenerate docs/glossary.md from src/kawasan/locales/glossary.yaml (tests/test_glossary.py checks it is current).

Usage: .venv/bin/python scripts/gen_glossary.py
"""
from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "kawasan" / "locales" / "glossary.yaml"
OUT = ROOT / "docs" / "glossary.md"


def load() -> dict:
    return yaml.safe_load(SOURCE.read_text(encoding="utf-8"))


def _cell(text) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|")


def _avoid(term: dict) -> str:
    out = []
    for a in term.get("avoid") or []:
        scope = []
        if a.get("domains"):
            scope.append("in " + ", ".join(a["domains"]))
        if a.get("keys"):
            scope.append(f"keys matching `{a['keys']}`")
        if a.get("lang", "id") != "id":
            scope.append("in English")
        pattern = a["pattern"].replace("|", "\\|")          # a pipe would end the table cell
        out.append(f"`{pattern}`" + (f" ({'; '.join(scope)})" if scope else ""))
    return "; ".join(out)


def render() -> str:
    g = load()
    classes = g["conventions"]["suitability_classes"]
    lines = [
        "# Glossary: the words kawasan uses",
        "",
        "Generated from `src/kawasan/locales/glossary.yaml` by `scripts/gen_glossary.py`; `tests/test_glossary.py`",
        "fails when this page is stale, when an Indonesian text of the program (message catalogues, presets,",
        "licensing templates, class labels) uses a word this page says to avoid, naming the file and key, and when",
        "a text listed for a term does not use it. Every Indonesian text follows these words: one word for one",
        "thing, in the command line, the reports, the web app and the help. Legal terms keep their Indonesian",
        "names in both languages (KKPR, PBG, AMDAL, NPPBKC, APHT, LP2B, RTRW, KPI...).",
        "",
        "## Suitability classes",
        "",
        _cell(classes["name"]) + f" Source: <{classes['source']}>.",
        "",
        "| Class | Bahasa Indonesia | English |",
        "|---|---|---|",
    ]
    lines += [f"| {c} | {v['id']} | {v['en']} |" for c, v in classes["classes"].items()]
    lines += ["", _cell(classes["note"]), "", "## Terms", "",
              "| Bahasa Indonesia | English | Means | Not written (Indonesian texts) |",
              "|---|---|---|---|"]
    for term in g["terms"]:
        means = _cell(term["means"]) + (f" {_cell(term['note'])}" if term.get("note") else "")
        lines.append(f"| **{_cell(term['id'])}** | {_cell(term['en'])} | {means} | {_avoid(term)} |")
    lines += ["", "Patterns are regular expressions matched as whole words, ignoring case; code, options, placeholders,",
              "quotations in single quotes, file names and command lines in a text are not checked.", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT}")
