"""The remembered layer digests of the map's cell click: the same file is hashed once, a changed file again."""
from __future__ import annotations

import hashlib
import os

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
