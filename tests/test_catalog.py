"""The data folder's catalogue: ids safe in a URL, hidden and broken folders skipped, no path traversal."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kawasan.errors import InputError, NotFoundError
from kawasan.spatial.runs.catalog import DataFolder, part_id


def _manifest(folder: Path, kind: str, **extra) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({"kind": kind, **extra}), encoding="utf-8")
    return folder


@pytest.fixture
def tree(tmp_path) -> Path:
    _manifest(tmp_path / "data", "kawasan.study_area", name="Kabupaten A (SYNTHETIC)", synthetic=True)
    _manifest(tmp_path / "runs" / "one", "kawasan.run", model={"name": "apht"},
              study_area={"path": str(tmp_path / "data"), "name": "Kabupaten A"}, created="2026-01-01T00:00:00+00:00")
    _manifest(tmp_path / "runs" / "with space", "kawasan.run", model={"name": "apht"}, study_area={})
    _manifest(tmp_path / "runs" / ".tmp-123", "kawasan.run")                 # a half-written sibling
    _manifest(tmp_path / "runs" / "one" / "sites", "kawasan.run")            # inside a run: not searched
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "manifest.json").write_text("{not json", encoding="utf-8")
    _manifest(tmp_path / "other", "something.else")
    return tmp_path


def test_the_scan_finds_study_areas_and_runs_by_their_manifests(tree):
    data = DataFolder(tree)
    assert [e.id for e in data.study_areas()] == ["data"]
    ids = [e.id for e in data.runs()]
    assert ids[0] == "runs~one" and ids[1].startswith("runs~with-space-") and len(ids) == 2
    assert data.study_area_of(data.run("runs~one")).id == "data"
    assert data.study_area_of(data.run(ids[1])) is None


def test_ids_of_unsafe_names_are_distinct_and_stable():
    assert part_id("apht") == "apht"
    assert part_id("a b") != part_id("a_b") and part_id("a b") == part_id("a b")
    assert part_id("..") != ".." and part_id("é") != part_id("è")


@pytest.mark.parametrize("bad", ["../etc", "runs/../../x", "/etc/passwd", "runs~..~data", "", "runs~.tmp-123",
                                 "a" * 500, "runs%2F..", "data\x00"])
def test_an_id_never_reaches_outside_the_listed_entries(tree, bad):
    with pytest.raises(NotFoundError):
        DataFolder(tree).get(bad)


def test_a_study_area_id_is_not_a_run(tree):
    with pytest.raises(NotFoundError, match="no run"):
        DataFolder(tree).run("data")


def test_a_new_run_is_seen_without_a_restart(tree):
    data = DataFolder(tree)
    assert len(data.runs()) == 2
    _manifest(tree / "runs" / "two", "kawasan.run", model={"name": "kawasan-industri"})
    assert "runs~two" in [e.id for e in data.runs()]


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(InputError, match="existing folder"):
        DataFolder(tmp_path / "nope")
