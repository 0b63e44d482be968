"""User-facing text in Bahasa Indonesia and English.

Messages live in JSON catalogues (kawasan/locales/<lang>.json, plus one file per
domain named <lang>.<domain>.json, e.g. en.licensing.json), keyed by a stable id,
with str.format placeholders. The language comes from ``--lang`` or ``KAWASAN_LANG``
(default English). A key missing in one language falls back to English, and
tests/test_i18n.py checks that both catalogues have the same keys and placeholders.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources

LANGUAGES = ("en", "id")


@lru_cache(maxsize=None)
def catalogue(lang: str) -> dict[str, str]:
    """All messages of one language: <lang>.json merged with every <lang>.<domain>.json.

    A key defined in two files is an error (each domain owns its own keys).
    """
    folder = resources.files("kawasan.locales")
    names = sorted(f.name for f in folder.iterdir()
                   if f.name == f"{lang}.json" or (f.name.startswith(f"{lang}.") and f.name.endswith(".json")))
    merged: dict[str, str] = {}
    for name in names:
        part = json.loads(folder.joinpath(name).read_text(encoding="utf-8"))
        clash = sorted(set(part) & set(merged))
        if clash:
            raise RuntimeError(f"message keys defined twice in kawasan/locales ({name}): {', '.join(clash[:5])}")
        merged.update(part)
    return merged


def current_language(explicit: str | None = None) -> str:
    lang = (explicit or os.environ.get("KAWASAN_LANG") or "en").lower()[:2]
    return lang if lang in LANGUAGES else "en"


def t(key: str, lang: str = "en", **kw) -> str:
    text = catalogue(lang).get(key) or catalogue("en")[key]
    return text.format(**kw) if kw else text
