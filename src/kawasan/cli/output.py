"""Rendering for people: the console, the one table class every command uses, run summaries.

Tables (:class:`Table`, a rich Table) follow three rules whatever the terminal width: a number is
never cut (right-aligned columns are numbers: each is at least as wide as its longest value), text
wraps at spaces (a word longer than ``WORD_MAX`` characters may be folded, never cut with an
ellipsis), and when the columns cannot fit side by side, even without vertical rules, the table is
printed as one block of "column: value" lines per row instead. Every command that prints a table also
has ``--json``.
"""
from __future__ import annotations

import os

import click
from rich import box
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table as _RichTable
from rich.text import Text

from kawasan.i18n import certainty_tag, fmt_datetime, fmt_number, fmt_percent, t
from kawasan.spatial.model import CLASS_LABELS

WORD_MAX = 24   # a text column is at least as wide as its longest word, up to this


PIPE_WIDTH = 160   # output to a file or pipe with no COLUMNS set: there is no terminal to fit
PLAIN_ROWS = 2_000  # an output of more rows is printed as plain aligned text (rich lays out ~1 ms per row)


def console() -> Console:
    """The console of every command: in a terminal its width; into a file or pipe PIPE_WIDTH columns
    (or COLUMNS when set), so tables keep their natural layout there."""
    con = Console(highlight=False, soft_wrap=True)
    if not con.is_terminal and not os.environ.get("COLUMNS"):
        con.width = max(con.width, PIPE_WIDTH)
    return con


class Table(_RichTable):
    """rich's Table with kawasan's width rules (module docstring): numbers whole, text wrapped, records when narrow."""

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.columns and self.row_count and \
                super().__rich_measure__(console, options).maximum > options.max_width:
            self._set_minimum_widths(console, options)      # too wide as it is: narrow the text, not the numbers
            if not self._fits(console, options):
                self.box, self.show_edge, self.pad_edge = box.SIMPLE_HEAD, False, False   # no vertical rules
            if not self._fits(console, options):
                yield from self._as_records(console, options)
                return
        yield from super().__rich_console__(console, options)

    def _fits(self, console: Console, options: ConsoleOptions) -> bool:
        return super().__rich_measure__(console, options).minimum <= options.max_width

    def _set_minimum_widths(self, console: Console, options: ConsoleOptions) -> None:
        for col in self.columns:
            header = Measurement.get(console, options, _renderable(console, col.header))
            cells = [Measurement.get(console, options, _renderable(console, c)) for c in col.cells]
            col.overflow = "fold"
            if col.justify == "right":   # a number: exactly its whole width, never narrowed (the header wraps)
                col.width = max([m.maximum for m in cells] + [header.minimum])
            else:                        # text: at least its longest word (up to WORD_MAX); narrowed first
                col.min_width = max(col.min_width or 0,
                                    min(max([m.minimum for m in cells] + [header.minimum]), WORD_MAX))

    def _as_records(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """One block per row: 'column: value' lines, values wrapped at the terminal width."""
        if self.title:
            yield _renderable(console, self.title, style="table.title")
        headers = [_renderable(console, c.header).plain for c in self.columns]
        cells = [list(c.cells) for c in self.columns]
        for i in range(self.row_count):
            grid = _RichTable.grid(padding=(0, 1))
            grid.add_column(style="bold", max_width=max(8, options.max_width // 3), overflow="fold")
            grid.add_column(overflow="fold")
            for h, col in zip(headers, cells):
                grid.add_row(h, col[i])
            yield grid
            yield Text("")
        if self.caption:
            yield _renderable(console, self.caption, style="table.caption")


class PlainTable:
    """A table as plain aligned text, for outputs over :data:`PLAIN_ROWS` rows: numbers right-aligned, text
    left-aligned, columns two spaces apart, nothing wrapped (measured in docs/performance.md: a 100,000-row
    ``economy lq`` prints in seconds instead of minutes). ``columns`` are ``(header, is_number)`` pairs."""

    def __init__(self, title: str, columns: list[tuple[str, bool]], rows: list[tuple]):
        self.title, self.columns, self.rows = title, columns, [tuple("" if c is None else str(c) for c in r)
                                                               for r in rows]

    def __str__(self) -> str:
        headers = [h for h, _ in self.columns]
        widths = [max([len(h)] + [len(r[i]) for r in self.rows]) for i, h in enumerate(headers)]

        def line(cells):
            return "  ".join(c.rjust(w) if num else c.ljust(w)
                             for c, w, (_, num) in zip(cells, widths, self.columns)).rstrip()

        out = [self.title, line(headers), "  ".join("-" * w for w in widths)]
        out += [line(r) for r in self.rows]
        return "\n".join(out) + "\n"


def show_table(con: Console, table) -> None:
    """Print a :class:`Table` through rich, a :class:`PlainTable` as it is (no markup, no wrapping)."""
    if isinstance(table, PlainTable):
        click.echo(str(table))
    else:
        con.print(table)


def _renderable(console: Console, value, style: str = ""):
    return console.render_str(value, style=style) if isinstance(value, str) else value


def shell_quote(*parts) -> str:
    """A command line to show the user, every part quoted when needed so that a path with spaces pastes and
    runs: the rule of ``data fetch``'s next command (double quotes where they suffice, which also work in
    cmd.exe and PowerShell; shlex.quote otherwise), so every command kawasan prints is quoted alike."""
    from kawasan.spatial.ingest.fetch import quote_argument

    return " ".join(quote_argument(str(p)) for p in parts)


def print_run_summary(manifest: dict, folder, lang: str) -> None:
    con = console()
    model = manifest["model"]
    title = model.get("title")
    mname = title.get(lang, title.get("en")) if isinstance(title, dict) else (title or model["name"])
    if manifest.get("synthetic"):
        con.print(f"[bold yellow]{t('demo.synthetic_notice', lang)}[/]")
    table = Table(title=t("run.summary_title", lang, area=manifest["study_area"]["name"], model=mname))
    for key in ("run.col_class", "run.col_meaning", "run.col_area", "run.col_share"):
        table.add_column(t(key, lang), justify="right" if key in ("run.col_area", "run.col_share") else "left")
    for row in manifest["classes"]:
        if row["class"] == "nodata" and row["cells"] == 0:
            continue
        table.add_row(class_code(row["class"], lang), CLASS_LABELS[row["class"]][lang],
                      fmt_number(row["area_ha"], lang, 1), fmt_percent(row["share"], lang, 1))
    con.print(table)
    best = manifest.get("best_areas") or []
    if best:
        con.print(t("run.best_title", lang, cls=best[0]["class"]))
        for i, b in enumerate(best, 1):
            c = b["centroid"]
            con.print("  " + t("run.best_row", lang, rank=i, area=b["area_ha"], score=b["score_mean"], lat=c["lat"],
                               lon=c["lon"], easting=c["x"], northing=c["y"]), markup=False)
    else:
        con.print(t("run.no_best", lang))
    print_screening(con, manifest, lang)
    con.print(t("run.constraints", lang))
    for c in manifest["constraints"]:
        label = c["label_id"] if lang == "id" else c["label"]
        if c["status"] == "skipped":
            con.print("  - " + t("run.constraint_skipped", lang, label=label, why=c.get("skipped_because", "")),
                      markup=False)
        elif c["status"] == "off":
            con.print("  - " + t("law.constraint_off", lang, label=label, why=cause_text(c, lang)), markup=False)
        else:
            con.print("  - " + t("run.constraint_row", lang, label=label, ha=c["excluded_ha"],
                                 basis=localized(c, "legal_basis", lang) or "-",
                                 certainty=certainty_tag(c["certainty"], lang)),
                      markup=False)
            print_rule_details(con, c, lang)
    for pr in manifest.get("proxies") or []:
        if pr["kind"] == "criterion":
            con.print(t("law.criterion_proxy", lang, id=pr["id"], layer=pr["layer"], own=pr["instead_of"],
                        note=localized(pr, "note", lang) or ""), markup=False, style="yellow")
    switches = manifest.get("rule_switches") or {}
    if switches:
        con.print(t("law.switches", lang, rules=", ".join(f"{k}={v}" for k, v in switches.items())), markup=False)
    for w in manifest.get("warnings", []):
        con.print(t("run.warning", lang, text=w), style="yellow", markup=False)
    print_screening(con, manifest, lang)
    click.echo(t("run.written", lang, path=folder))


def class_code(cls: str, lang: str) -> str:
    """The class column: S1 .. N2 as they are, the excluded and no-data classes in words."""
    return t(f"run.class.{cls}", lang) if cls in ("excluded", "nodata") else cls


def print_replaced(prev: dict, lang: str) -> None:
    """Say which earlier run a run replaced, and what went with it (its sites, reports, other files)."""
    items = [t("run.replaced_sites", lang, name=e["name"], sites=e["sites"]) if e["sites"] is not None else e["name"]
             for e in prev["extra"]]
    extra = t("run.replaced_extra", lang, items=", ".join(items)) if items else ""
    click.echo(t("run.replaced", lang, path=prev["folder"], model=prev["model"], created=fmt_datetime(prev["created"], lang),
                 extra=extra))


def localized(row: dict, key: str, lang: str) -> str | None:
    """A manifest text field in the chosen language (``key_id`` holds the Indonesian)."""
    return (row.get(f"{key}_id") if lang == "id" else None) or row.get(key)


def cause_text(row: dict, lang: str) -> str:
    """Why a rule was not applied, in the chosen language."""
    cause = row.get("cause")
    if cause in ("switched_off", "off_in_model"):
        return t(f"law.cause.{cause}", lang)
    if cause == "layer_missing":
        return t("law.cause.layer_missing", lang, layer=row.get("layer", ""))
    return row.get("skipped_because") or row.get("why") or ""


def print_screening(con, manifest: dict, lang: str) -> None:
    """A run a legal gate could not check (no zoning layer: before the RTRW check) says so, prominently."""
    from rich.text import Text

    for n in manifest.get("screening") or []:
        line = Text(f" {t('law.screening_title', lang)} ", style="bold reverse yellow")
        line.append(" " + (n.get("id") if lang == "id" else n.get("en")) + f" ({cause_text(n, lang)})")
        con.print(line)


def print_rule_details(con, c: dict, lang: str) -> None:
    """Under a rule: the layer it read when that is a proxy, and a setback's classes with their basis."""
    read = c.get("read") or {}
    if read.get("role") == "proxy":
        con.print("      " + t("law.read_proxy", lang, layer=read["layer"], own=c["layer"],
                                note=localized(read, "note", lang) or ""), markup=False, style="yellow")
    for attr, counts in (read.get("basis") or {}).items():
        con.print("      " + t("law.basis", lang, attr=attr, counts=", ".join(f"{k} {v}" for k, v in counts.items())),
                  markup=False)
    sb = c.get("setback")
    if sb:
        from functools import partial

        from kawasan.reports.tables import setback_rows

        for line in setback_rows(c, lang, partial(t, lang=lang)):
            con.print("      " + line, markup=False)
        urban = sb.get("urban") or {}
        if urban.get("used"):
            con.print("      " + t("law.setback_urban", lang, layer=urban["layer"],
                                    values=", ".join(map(str, urban["values"]))), markup=False)
        elif urban.get("differs"):
            con.print("      " + t("law.setback_no_urban", lang), markup=False)
        if sb.get("table"):
            con.print("      " + t("law.setback_table", lang, path=sb["table"]), markup=False)
