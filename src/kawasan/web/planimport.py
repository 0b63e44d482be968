"""Importing a team's plan CSV from the browser, with every row error at once.

:func:`kawasan.licensing.import_csv` stops at the first problem. To show the user all of them, a
refused row is set aside (replaced by a neutral placeholder that keeps its stage id where the id itself
was fine, so the rows that require it are still judged on their own) and the import is tried again, up
to :data:`MAX_ERRORS` times. Only when every row passes is anything registered.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

from kawasan.errors import TemplateError
from kawasan.i18n import each_language, text_in

MAX_ERRORS = 50
_ROW = re.compile(r"^row (\d+)\b")
_PLACEHOLDER = re.compile(r",? ?placeholder-row-\d+")


def _decode(raw: bytes) -> str:
    """As the importer reads a file: UTF-16 with a byte-order mark, else UTF-8, else Windows-1252."""
    if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def import_plan(path: Path, name: str):
    """The validated template, or a :class:`TemplateError` whose ``errors`` lists every row problem found."""
    from kawasan.licensing import import_csv

    try:
        return import_csv(path, name)
    except TemplateError as first:
        if not _ROW.match(first.message):
            raise
        errors = [first]
    text = _decode(Path(path).read_bytes())
    lines = [ln for ln in text.splitlines() if ln.strip()]
    delim = "," if lines[0].count(",") >= lines[0].count(";") and "," in lines[0] else ";"
    rows = [r for r in csv.reader(io.StringIO(text), delimiter=delim) if any(c.strip() for c in r)]
    header = [h.strip().lower() for h in rows[0]]
    while len(errors) < MAX_ERRORS:
        m = _ROW.match(errors[-1].message)
        if not m or not 2 <= int(m.group(1)) <= len(rows):
            break
        n = int(m.group(1))
        rows[n - 1] = _placeholder(header, rows[n - 1], n, keep_id="id" not in errors[-1].message.split(":")[-1]
                                   and "duplicate" not in errors[-1].message)
        buf = io.StringIO()   # an in-memory copy re-read by import_csv, never an output: cells stay as given
        csv.writer(buf, delimiter=delim, lineterminator="\n").writerows(rows)
        try:
            import_csv(path, name, text=buf.getvalue())
            break
        except TemplateError as e:
            if e.message == errors[-1].message:
                break
            errors.append(e)
    for e in errors:  # the placeholders are this module's device: never name them to the user
        e.message = each_language(lambda lang, m=e.message: _PLACEHOLDER.sub("", text_in(m, lang)))
    err = TemplateError(each_language(lambda lang: "; ".join(e.message.text(lang) for e in errors)),
                        source=errors[0].source, field=errors[0].field)
    err.errors = errors
    raise err


def _placeholder(header: list[str], row: list[str], n: int, *, keep_id: bool) -> list[str]:
    values = {"id": (row[header.index("id")].strip() if keep_id and "id" in header and len(row) > header.index("id")
                     else "") or f"placeholder-row-{n}", "name": "placeholder", "agency": "PLACEHOLDER", "duration_days": "1"}
    return [values.get(h, "") for h in header]
