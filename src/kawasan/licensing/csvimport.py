"""Import a planning spreadsheet (CSV) as a template.

Required columns: ``id,name,agency,duration_days,requires``; ``requires`` lists
prerequisite ids separated by semicolons (commas or spaces also work when the file itself
is semicolon-delimited, as Excel writes it in Indonesian locales). Optional columns:
``min_days``, ``max_days`` (with ``duration_days`` as the likely value they make a
min/likely/max estimate), ``legal_basis`` (free text). Column names are case-insensitive.

Every duration from a spreadsheet is a planning estimate (never statutory); without
min/max the estimate is the single value. The agencies of the template are the distinct
values of the ``agency`` column. Imported legal bases are tagged U (unverified): a
spreadsheet is not a checked source. The result is validated like any template (cycles,
unknown prerequisites, duplicate ids, missing agencies); errors name the row and stage.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from kawasan.errors import TemplateError
from kawasan.i18n import Message
from kawasan.licensing.templates import Template, validate_template

REQUIRED = ("id", "name", "agency", "duration_days", "requires")
OPTIONAL = ("min_days", "max_days", "legal_basis")


def _number(value: str, row: int, sid: str, column: str, source: str) -> float | None:
    v = (value or "").strip()
    if not v:
        return None
    try:
        x = float(v.replace(",", ".")) if v.count(",") == 1 and "." not in v else float(v)
    except ValueError:
        raise TemplateError(Message("licensing.err.csvimport.row_stage_number_working",
                                    row=row, stage=sid or '?', column=column, value=v),
                            source=source, field=column) from None
    if x < 0 or x != x or x in (float("inf"),):
        raise TemplateError(Message("licensing.err.csvimport.row_stage_must_number",
                                    row=row, stage=sid or '?', column=column, value=v),
                            source=source, field=column)
    return x


def import_csv(path: str | Path, name: str, *, text: str | None = None) -> Template:
    """A validated :class:`Template` named ``name`` from the CSV at ``path``."""
    p = Path(path)
    source = str(p)
    if not name or not str(name).strip():
        raise TemplateError(Message("licensing.err.csvimport.template_name_needed_name"), source=source, field="name")
    if text is None:
        text = _read_plan_text(p, source)
    rows, delim = _csv_rows(text, source)
    from kawasan.limits import check_limit

    check_limit("plan_stages", len(rows) - 1, source=source, field="stages", error=TemplateError)
    header = _checked_header(rows[0], source)
    stages, agencies, row_of = _stages(rows[1:], header, delim, source, p.name)
    if not stages:
        raise TemplateError(Message("licensing.err.csvimport.csv_header_but_stage"), source=source)
    data = {"name": str(name).strip(), "version": "1",
            "title": {"id": str(name).strip(), "en": str(name).strip()},
            "description": f"Imported from {p.name}", "agencies": list(agencies.values()), "stages": stages}
    return _validated(data, source, row_of)


def _read_plan_text(p: Path, source: str) -> str:
    """The text of the plan CSV: UTF-8, or UTF-16 with its mark ("Unicode" exports of some
    spreadsheets), else Windows-1252; a missing file is a TemplateError."""
    if not p.is_file():
        raise TemplateError(Message("licensing.err.csvimport.file_not_found", required=",".join(REQUIRED)),
                            source=source)
    from kawasan import guarded

    return guarded.read_text(p, error=TemplateError, what="plan CSV", fallback="cp1252")


def _csv_rows(text: str, source: str) -> tuple[list[list[str]], str]:
    """(non-empty rows, delimiter): the delimiter is "," when the header line has at least as many
    commas as semicolons, else ";" (Excel in Indonesian locales). No lines, or content that is not
    CSV (NUL bytes, stray carriage returns), is a TemplateError."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        raise TemplateError(Message("licensing.err.csvimport.empty", required=",".join(REQUIRED)), source=source)
    header_line = lines[0]
    delim = "," if header_line.count(",") >= header_line.count(";") and "," in header_line else ";"
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    try:
        return [r for r in reader if any(c.strip() for c in r)], delim
    except csv.Error as exc:  # binary content (NUL bytes, stray carriage returns): not a spreadsheet export
        raise TemplateError(Message("licensing.err.csvimport.readable_csv_line_save", line=reader.line_num, error=exc,
                                    required=','.join(REQUIRED)), source=source) from None


def _checked_header(first_row: list[str], source: str) -> list[str]:
    """The column names (trimmed, lower case), each non-empty, known and given once, with every
    required column present; else a TemplateError naming the column."""
    header = [h.strip().lower() for h in first_row]
    for i, h in enumerate(header):
        if not h:
            raise TemplateError(Message("licensing.err.csvimport.column_header_empty_expected", number=i + 1,
                                        required=','.join(REQUIRED), optional=','.join(OPTIONAL)), source=source,
                                field=f"column {i + 1}")
        if h not in REQUIRED + OPTIONAL:
            raise TemplateError(Message("licensing.err.csvimport.unknown_column_expected_columns", column=h,
                                        required=','.join(REQUIRED), optional=','.join(OPTIONAL)),
                                source=source, field=h)
        if header.count(h) > 1:
            raise TemplateError(Message("licensing.err.csvimport.column_appears_twice_header",
                                        column=h), source=source, field=h)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise TemplateError(Message("licensing.err.csvimport.missing_column_header_must",
                                    columns=Message("licensing.err.csvimport.word_columns" if len(missing) > 1
                                                    else "licensing.err.csvimport.word_column"),
                                    missing=', '.join(missing), required=','.join(REQUIRED)),
                            source=source, field=missing[0])
    return header


def _stages(body: list[list[str]], header: list[str], delim: str, source: str, file_name: str):
    """(template stages, agencies by code, file row of each stage id) from the rows under the header
    (file rows 2, 3, ...). A row with more values than columns, an empty id or a duplicate id is a
    TemplateError naming the row; the agencies are the distinct values of the ``agency`` column."""
    col = {h: i for i, h in enumerate(header)}
    split_req = re.compile(r"[;,\s]+") if delim == ";" else re.compile(r"[;\s]+")
    stages, agencies, row_of = [], {}, {}
    for rownum, r in enumerate(body, start=2):
        if len(r) > len(header):
            raise TemplateError(Message("licensing.err.csvimport.row_values_columns_value", row=rownum, n_values=len(r),
                                        n_columns=len(header), delimiter=delim), source=source, field="row")
        r = r + [""] * (len(header) - len(r))
        get = lambda c: r[col[c]].strip() if c in col else ""  # noqa: E731
        sid = get("id")
        if not sid:
            raise TemplateError(Message("licensing.err.csvimport.row_empty",
                                        row=rownum), source=source, field="id")
        if sid in row_of:
            raise TemplateError(Message("licensing.err.csvimport.row_stage_duplicate_stage",
                                        row=rownum, stage=sid, first_row=row_of[sid]), source=source, field="id")
        row_of[sid] = rownum
        stage = _stage(get, rownum, sid, split_req, source, file_name)
        agencies.setdefault(stage["agency"], {"code": stage["agency"],
                                              "name": {"id": stage["agency"], "en": stage["agency"]},
                                              "level": "other"})
        stages.append(stage)
    return stages, agencies, row_of


def _stage(get, rownum: int, sid: str, split_req: re.Pattern, source: str, file_name: str) -> dict:
    """One template stage from a row (``get``: a column's trimmed value, '' when absent): its legal
    basis tagged U (a spreadsheet is not a checked source), its duration a planning estimate."""
    nm = get("name") or sid
    agency = get("agency")
    if not agency:
        raise TemplateError(Message("licensing.err.csvimport.row_stage_empty_agency",
                                    row=rownum, stage=sid), source=source, field="agency")
    lo, likely, hi = _duration(get, rownum, sid, source)
    reqs = [x for x in split_req.split(get("requires")) if x]
    basis = get("legal_basis")
    return {
        "id": sid, "name": {"id": nm, "en": nm}, "agency": agency, "requires": reqs,
        "legal_basis": {"citation": basis or {"id": "tidak diisi dalam rencana yang diimpor",
                                              "en": "not given in the imported plan"},
                        "tag": "U" if basis else "NOT FOUND",
                        "note": {"id": "diimpor dari lembar kerja; belum diverifikasi",
                                 "en": "imported from a spreadsheet; not verified"}},
        "duration": {"min": lo, "likely": likely, "max": hi,
                     "basis": {"id": f"perkiraan perencanaan dari {file_name}",
                               "en": f"planning estimate from {file_name}"}, "tag": "U"},
    }


def _duration(get, rownum: int, sid: str, source: str) -> tuple[float, float, float]:
    """(min, likely, max) days of a row: ``duration_days`` is the likely value (required); an empty
    ``min_days`` or ``max_days`` is the likely value; min <= likely <= max or a TemplateError."""
    likely = _number(get("duration_days"), rownum, sid, "duration_days", source)
    if likely is None:
        raise TemplateError(Message("licensing.err.csvimport.row_stage_empty_duration",
                                    row=rownum, stage=sid),
                            source=source, field="duration_days")
    lo = _number(get("min_days"), rownum, sid, "min_days", source)
    hi = _number(get("max_days"), rownum, sid, "max_days", source)
    lo = likely if lo is None else lo
    hi = likely if hi is None else hi
    if not lo <= likely <= hi:
        raise TemplateError(Message("licensing.err.csvimport.row_stage_expected_min", row=rownum, stage=sid,
                                    min_days=lo, duration_days=likely, max_days=hi),
                            source=source, field="min_days")
    return lo, likely, hi


def _validated(data: dict, source: str, row_of: dict[str, int]) -> Template:
    """The template validated like any other; an error about a stage names the CSV row it came from."""
    try:
        return validate_template(data, source=source)
    except TemplateError as exc:
        m = re.match(r"stages\[([^\]]+)\]", exc.field or "")
        if m and m.group(1) in row_of:
            raise TemplateError(Message("licensing.err.csvimport.on_row",
                                        row=row_of[m.group(1)], message=exc.message), source=source,
                                field=exc.field) from None
        raise
