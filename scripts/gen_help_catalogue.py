"""Write src/kawasan/locales/en.help.json from the click commands, and list what id.help.json lacks.

en.help.json holds, for every command and option, the English help its Indonesian (id.help.json) was
translated from; tests/test_help_i18n.py fails when either file is behind the code.

Usage: .venv/bin/python scripts/gen_help_catalogue.py [--check]
  (no flag)  rewrite en.help.json from the code, keeping id.help.json; print the keys to translate
  --check    change nothing; exit 1 when en.help.json or id.help.json is behind the code
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from kawasan.cli.help_catalogue import help_texts, missing_or_stale

LOCALES = Path(__file__).resolve().parents[1] / "src" / "kawasan" / "locales"


def main(argv: list[str]) -> int:
    current = help_texts()
    problems = missing_or_stale(current)
    if "--check" in argv:
        print(problems or "en.help.json and id.help.json are current")
        return 1 if problems else 0
    (LOCALES / "en.help.json").write_text(json.dumps(current, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {LOCALES / 'en.help.json'} ({len(current)} texts)")
    if problems:
        print(problems)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
