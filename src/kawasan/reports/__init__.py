"""Self-contained HTML reports of a suitability run (maps, tables, stress-test charts, legal basis).

``kawasan.reports.builder.build_report(run_dir, lang)`` returns the HTML text;
``write_report(run_dir, out, lang, pdf)`` writes it (and optionally a PDF) atomically.
Everything is inline: PNG maps as data: URIs, charts as SVG, CSS in the page, so the
file opens on an offline network.
"""
from __future__ import annotations

__all__ = ["build_report", "write_report"]


def __getattr__(name):
    if name in __all__:
        from kawasan.reports import builder

        return getattr(builder, name)
    raise AttributeError(name)
