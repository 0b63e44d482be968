"""The remembered layer digests of the map's cell click: the same file is hashed once, a changed file again."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from kawasan.spatial import studyarea
from kawasan.spatial.studyarea import sha256_unchanged


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_an_unchanged_file_is_hashed_once(tmp_path, monkeypatch):
    f = tmp_path / "dem.tif"
    f.write_bytes(b"a" * 1000)
    calls = []
    real = studyarea.sha256_of
    monkeypatch.setattr(studyarea, "sha256_of", lambda p, *a: calls.append(p) or real(p, *a))
    assert sha256_unchanged(f) == _sha(b"a" * 1000)
    assert sha256_unchanged(f) == _sha(b"a" * 1000)
    assert len(calls) == 1


def test_a_rewritten_file_is_hashed_again_even_with_the_same_size(tmp_path):
    f = tmp_path / "roads.gpkg"
    f.write_bytes(b"a" * 1000)
    st = f.stat()
    assert sha256_unchanged(f) == _sha(b"a" * 1000)
    f.write_bytes(b"b" * 1000)  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert sha256_unchanged(f) == _sha(b"b" * 1000)
    f.write_bytes(b"c" * 10)  # other size
    assert sha256_unchanged(f) == _sha(b"c" * 10)


def test_a_file_replaced_by_a_rename_is_hashed_again(tmp_path):
    f, new = tmp_path / "zoning.tif", tmp_path / "zoning.new"
    f.write_bytes(b"x" * 64)
    st = f.stat()
    assert sha256_unchanged(f) == _sha(b"x" * 64)
    new.write_bytes(b"y" * 64)
    os.utime(new, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size and mtime, another inode
    os.replace(new, f)
    assert sha256_unchanged(f) == _sha(b"y" * 64)


def test_a_folder_is_always_hashed_anew(tmp_path):
    d = tmp_path / "dem_tiles"
    d.mkdir()
    (d / "a.tif").write_bytes(b"1")
    first = sha256_unchanged(d)
    (d / "b.tif").write_bytes(b"2")
    assert sha256_unchanged(d) != first


def test_the_memory_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(studyarea, "DIGESTS_KEPT", 3)
    monkeypatch.setattr(studyarea, "_digests", {})
    for i in range(6):
        f = tmp_path / f"f{i}"
        f.write_bytes(bytes([i]))
        sha256_unchanged(f)
    assert len(studyarea._digests) == 3


# --- remembered across runs, in the study area's digest cache ---------------------------------------------
def _counting(monkeypatch) -> list:
    calls = []
    real = studyarea.sha256_of
    monkeypatch.setattr(studyarea, "sha256_of", lambda p, *a: calls.append(p) or real(p, *a))
    return calls


def _settled(monkeypatch) -> None:
    """Files written by the test a moment ago count as settled (the racy rule is tested on its own)."""
    monkeypatch.setattr(studyarea, "SETTLED_NS", -10**12)


def test_a_layer_is_hashed_once_across_runs_and_again_once_touched(tmp_path, monkeypatch):
    _settled(monkeypatch)
    calls = _counting(monkeypatch)
    f = tmp_path / "dem.tif"
    f.write_bytes(b"a" * 1000)
    assert studyarea.layer_digest(f, tmp_path) == _sha(b"a" * 1000)
    assert studyarea.layer_digest(f, tmp_path) == _sha(b"a" * 1000)        # a later run: from the cache file
    assert len(calls) == 1 and (tmp_path / studyarea.DIGEST_CACHE).is_file()
    os.utime(f)                                                               # touched: hashed again
    assert studyarea.layer_digest(f, tmp_path) == _sha(b"a" * 1000)
    assert len(calls) == 2


def test_a_rewrite_with_the_same_size_and_mtime_is_hashed_again(tmp_path, monkeypatch):
    """Content rewritten in place and the old mtime put back (as ``cp -p`` or ``touch -r`` would): the
    change time still differs, so the digest is the new content's."""
    _settled(monkeypatch)
    f = tmp_path / "roads.tif"
    f.write_bytes(b"a" * 1000)
    st = f.stat()
    assert studyarea.layer_digest(f, tmp_path) == _sha(b"a" * 1000)
    f.write_bytes(b"b" * 1000)
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert f.stat().st_size == st.st_size and f.stat().st_mtime_ns == st.st_mtime_ns
    assert studyarea.layer_digest(f, tmp_path) == _sha(b"b" * 1000)


def test_a_file_changed_just_now_is_not_remembered(tmp_path, monkeypatch):
    calls = _counting(monkeypatch)
    f = tmp_path / "soil.tif"
    f.write_bytes(b"s" * 100)                 # changed less than SETTLED_NS ago: a rewrite could go unseen
    assert studyarea.layer_digest(f, tmp_path) == _sha(b"s" * 100)
    assert studyarea.layer_digest(f, tmp_path) == _sha(b"s" * 100)
    assert len(calls) == 2 and not (tmp_path / studyarea.DIGEST_CACHE).exists()


def test_an_unusable_cache_is_no_error(tmp_path, monkeypatch):
    _settled(monkeypatch)
    f = tmp_path / "hazard.tif"
    f.write_bytes(b"h" * 10)
    (tmp_path / studyarea.DIGEST_CACHE).mkdir()          # cannot be read nor replaced
    assert studyarea.layer_digest(f, tmp_path) == _sha(b"h" * 10)
    other = tmp_path / "other"
    other.mkdir()
    (other / studyarea.DIGEST_CACHE).write_text("{not json")
    assert studyarea.layer_digest(f, other) == _sha(b"h" * 10)
    assert not list(tmp_path.glob("*.tmp")) and not list(other.glob("*.tmp"))


def test_a_run_records_the_digests_of_its_inputs_from_the_cache(tmp_path, monkeypatch):
    """Both paths hash through LayerStore: a second run reads the digests from the cache, the same values."""
    import json

    from conftest import make_area, small_model
    from kawasan.spatial.api import run_suitability
    from kawasan.spatial.model import model_from_dict

    _settled(monkeypatch)
    area = make_area(tmp_path / "area")
    m = model_from_dict(small_model())
    first = run_suitability(m, area, tmp_path / "one").manifest["inputs"]
    assert all(i["sha256"] == studyarea.sha256_of(Path(i["path"])) for i in first)
    calls = _counting(monkeypatch)
    again = run_suitability(m, area, tmp_path / "two", chunks=16, scheduler="threads").manifest["inputs"]
    assert [(i["layer"], i["sha256"]) for i in again] == [(i["layer"], i["sha256"]) for i in first]
    assert calls == [] and json.loads((area / studyarea.DIGEST_CACHE).read_text())
