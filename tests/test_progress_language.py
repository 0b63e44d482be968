"""The steps a run reports (the CLI's progress bar, an analysis job's step in the web) read in the reader's
language: the engine reports catalogue messages, and a step stored as English text in the jobs table is read
back into its message."""
from __future__ import annotations

import pytest

from conftest import make_area, small_model


def test_the_engine_reports_its_steps_as_catalogue_messages(tmp_path):
    from kawasan.spatial.api import run_suitability
    from kawasan.spatial.model import model_from_dict

    steps = []
    run_suitability(model_from_dict(small_model()), make_area(tmp_path / "area"),
                    progress=lambda step, done, total: steps.append(step))
    assert steps[-1] == "done" and steps[-1].text("id") == "selesai"
    assert all(hasattr(s, "text") for s in steps), [s for s in steps if not hasattr(s, "text")]
    texts = [s.text("id") for s in steps]
    assert any(t.startswith("kriteria ") for t in texts) and "penggabungan dan klasifikasi" in texts
    assert not any(t.startswith(("criterion ", "constraint ")) for t in texts)


@pytest.mark.parametrize("stored, lang, shown", [
    ("constraint protected_forest", "id", "aturan pembatas protected_forest"),
    ("criterion road", "id", "kriteria road"),
    ("combine and classify", "id", "penggabungan dan klasifikasi"),
    ("done", "id", "selesai"),
    ("chunk 3/25", "id", "potongan 3/25"),
    ("candidate sites", "id", "calon lokasi"),
    ("criterion road", "en", "criterion road"),
    ("a step of another version", "id", "a step of another version"),   # unknown: shown as stored
])
def test_a_job_step_stored_in_english_reads_in_the_page_language(stored, lang, shown):
    from kawasan.web.api.analysis import step_text

    assert step_text(stored, lang) == shown


def test_from_english_reads_a_message_back_or_nothing():
    from kawasan.i18n import from_english

    m = from_english("criterion slope", ["run.progress.constraint", "run.progress.criterion"])
    assert m is not None and m.key == "run.progress.criterion" and m.params == {"id": "slope"}
    assert from_english("criteria slope", ["run.progress.criterion"]) is None
    assert from_english("done", ["no.such.key"]) is None


def test_the_cli_progress_bar_writes_the_step_in_the_command_language(monkeypatch):
    """On a terminal the bar's text is "<command>: <step>" with the step in --lang's language."""
    import click

    from kawasan.cli import progress as progress_mod
    from kawasan.i18n import Message

    seen = []

    class FakeProgress:
        def __init__(self, *a, **k):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def add_task(self, description, total):
            return 0

        def update(self, task, description, completed, total):
            seen.append(description)

    monkeypatch.setattr(progress_mod, "Progress", FakeProgress)
    monkeypatch.setattr(progress_mod, "Console", lambda **k: type("C", (), {"is_terminal": True})())
    with click.Context(click.Command("x"), obj={"lang": "id"}):
        with progress_mod.progress_bar("suitability apht") as update:
            update(Message("run.progress.criterion", id="road"), 1, 3)
            update("plain text", 2, 3)
    assert seen == ["suitability apht: kriteria road", "suitability apht: plain text"]
