"""Notes of a forecast or what-if that a user reads, in either language.

A :class:`Note` is the English sentence (it *is* a ``str``, so code and JSON that treat
notes as text keep working) and also carries its catalogue key and values
(``kawasan/locales/*.licensing.json``), so the CLI or the web can show it in Bahasa
Indonesia. A value given as ``{"id": ..., "en": ...}`` (e.g. a legal basis) is picked
in the language shown.
"""
from __future__ import annotations

from datetime import date

from kawasan.i18n import t


DATE_PARAMS = ("day", "due", "date")   # values given as YYYY-MM-DD: written as dates of the language


def _pick(params: dict, lang: str) -> dict:
    out = {k: (v.get(lang) or v.get("en")) if isinstance(v, dict) else v for k, v in params.items()}
    for k in DATE_PARAMS:
        if isinstance(out.get(k), str) and len(out[k]) == 10:
            try:
                out[k] = date.fromisoformat(out[k])
            except ValueError:
                pass
    return out


class Note(str):
    """An English note that can be shown in another language (``text(lang)``)."""

    key: str
    params: dict

    def __new__(cls, key: str, **params):
        note = super().__new__(cls, t(key, "en", **_pick(params, "en")))
        note.key, note.params = key, params
        return note

    def text(self, lang: str = "en") -> str:
        return t(self.key, lang, **_pick(self.params, lang))

    def code(self) -> dict:
        """``{"key", "params"}`` for JSON answers (``note_codes``)."""
        return {"key": self.key, "params": dict(self.params)}


def render(code: dict, lang: str = "en") -> str:
    """The text of a ``note_codes`` entry in ``lang``."""
    return t(code["key"], lang, **_pick(code.get("params") or {}, lang))


def codes(notes) -> list[dict]:
    """``note_codes`` of a list of notes (a plain text note is kept as the English text)."""
    return [n.code() if isinstance(n, Note) else {"key": "licensing.note.text", "params": {"text": str(n)}}
            for n in notes]
