"""User-facing text in Bahasa Indonesia and English.

Messages live in JSON catalogues (kawasan/locales/<lang>.json), keyed by a stable id,
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
    return json.loads(resources.files("kawasan.locales").joinpath(f"{lang}.json").read_text(encoding="utf-8"))


def current_language(explicit: str | None = None) -> str:
    lang = (explicit or os.environ.get("KAWASAN_LANG") or "en").lower()[:2]
    return lang if lang in LANGUAGES else "en"


def t(key: str, lang: str = "en", **kw) -> str:
    text = catalogue(lang).get(key) or catalogue("en")[key]
    return text.format(**kw) if kw else text
