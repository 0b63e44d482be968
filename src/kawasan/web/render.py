"""Jinja2 rendering of the pages: autoescaped templates, the request's language, formatters, the caller."""
from __future__ import annotations

import re
from importlib import resources

from fastapi import Request
from fastapi.templating import Jinja2Templates

from kawasan.licensing.labels import certainty_label, role_label, status_label
from kawasan.web import i18n

_templates: Jinja2Templates | None = None


def notes_in(result: dict, lang: str) -> list[str]:
    """The notes of a forecast or what-if in ``lang`` (from ``note_codes``; plain notes as they are)."""
    from kawasan.licensing.notes import render as render_note

    codes = result.get("note_codes")
    return [render_note(c, lang) for c in codes] if codes else list(result.get("notes") or [])


#: The certainty classes, least certain first: a combined tag takes the first class among its parts, so the
#: colour never overstates it. "design" (a kawasan default, never law) ranks below P and above V: a rule
#: partly resting on a design choice is not shown as verified law, and a design choice is never "unverified".
CERTAINTY_CLASSES = ("NOT FOUND", "U", "P", "design", "V", "–")


def certainty_of(tag: str | None) -> str:
    """The certainty class (V, P, U, NOT FOUND, design, –) of a tag text; of a combined one ("V; U": parts of
    the citation verified to different degrees) the least certain. No tag at all reads U (check it)."""
    text = (tag or "").strip()
    found = [c for c in CERTAINTY_CLASSES if re.search(rf"(^|[\s;,/(]){re.escape(c)}($|[\s;,/)])", text)]
    return found[0] if found else "U"


def certainty_css(tag: str | None) -> str:
    """The CSS class of a tag's colour: ``c-V``, ``c-NOT_FOUND``, ``c-design`` (one class, no space)."""
    return "c-" + {"–": "none"}.get(certainty_of(tag), certainty_of(tag).replace(" ", "_"))


#: The tags that read differently per language (V, P, U and – are the same codes in both).
_TAG_TEXT = {"design": "web.certainty.tag.design", "NOT FOUND": "certainty.tag.NOT FOUND"}


def certainty_text(tag: str | None, lang: str) -> str:
    """A tag as shown: each part of a combined tag in the page's language; "design" reads "pilihan rancangan"
    (id) or "design choice" (en), never as a legal tag."""
    from kawasan.i18n import t

    if not (tag or "").strip():
        return "–"
    return "; ".join(t(_TAG_TEXT[p.strip()], lang) if p.strip() in _TAG_TEXT else p.strip()
                     for p in str(tag).split(";"))


def certainty_legend(lang: str) -> list[dict]:
    """Every certainty class with its tag text, meaning and CSS class (the legend of the map and analysis pages;
    the same list goes to the scripts, which colour the tags of a clicked cell or a checked site)."""
    return [{"tag": c, "css": certainty_css(c), "text": certainty_text(c, lang),
             "meaning": certainty_label(c, lang)} for c in CERTAINTY_CLASSES]


def templates() -> Jinja2Templates:
    global _templates
    if _templates is None:
        folder = str(resources.files("kawasan.web").joinpath("templates"))
        _templates = Jinja2Templates(directory=folder)
        _templates.env.autoescape = True
        _templates.env.auto_reload = False  # package files: no need to stat every template on every page
        _templates.env.trim_blocks = True
        _templates.env.lstrip_blocks = True
    return _templates


def language(request: Request) -> str:
    ident = getattr(request.state, "identity", None)
    user_lang = ident.user.get("language") if ident else None
    return i18n.pick_language(user_lang, request.cookies.get(i18n.COOKIE))


def render(request: Request, name: str, context: dict, status_code: int = 200):
    lang = language(request)
    ident = getattr(request.state, "identity", None)
    ctx = {
        "request": request, "lang": lang, "_": i18n.translator(lang), "me": ident.user if ident else None,
        "csrf": ident.csrf if ident else None,
        "fdate": lambda v, short=False: i18n.fmt_date(v, lang, short=short),
        "fdatetime": lambda v: i18n.fmt_datetime(v, lang), "fmonth": lambda v: i18n.fmt_month(v, lang),
        "fnum": lambda v, digits=1: i18n.fmt_number(v, lang, digits),
        "status_label": lambda s: status_label(s, lang), "role_label": lambda r: role_label(r, lang),
        "certainty_label": lambda c: certainty_label(certainty_of(c), lang), "certainty_of": certainty_of,
        "certainty_css": certainty_css, "certainty_text": lambda c: certainty_text(c, lang),
        "certainty_legend": certainty_legend(lang),
        "path": request.url.path,
        "notes_of": lambda res: notes_in(res, lang),
        "cite": lambda lb: (lb.get("citation_text") or {}).get(lang) or lb.get("citation", ""),
        **context,
    }
    return templates().TemplateResponse(request, name, ctx, status_code=status_code)
