"""Document bytes are never lost (issue 14 defect 1), and the garbage collector removes only unreferenced blobs.

The reproduction of the issue: 4 processes attach the same new file under the same name to one stage,
released together by a barrier, for several rounds, on SQLite and PostgreSQL. Before the fix a failed
attach deleted the content-addressed file its process had written although a concurrent attach had already
committed a reference to it (on PostgreSQL: 4 of 8 committed documents without bytes).
"""
from __future__ import annotations

import multiprocessing as mp
import os
from dataclasses import replace
from datetime import date

import pytest

from kawasan.errors import ConflictError
from kawasan.tracker import ProjectService
from test_licensing_store_fixtures import pg_schema_url, settings, svc  # noqa: F401 (fixtures)

WORKERS, ROUNDS = 4, 4


def _attach_worker(settings, pid, path, barrier, out):  # noqa: F811 - runs in a child process
    s = ProjectService(settings, today=date(2026, 6, 1), user="admin")
    try:
        barrier.wait(timeout=60)
        try:
            d = s.attach(pid, "K1", path, name="Masterplan")
            out.put(("ok", d["id"]))
        except ConflictError:
            out.put(("conflict", None))
        except Exception as e:  # noqa: BLE001 - reported to the test, which fails on it
            out.put(("error", f"{type(e).__name__}: {e}"))
    finally:
        s.close()


def test_concurrent_attaches_of_the_same_new_file_never_lose_bytes(svc, settings, tmp_path):  # noqa: F811
    pid = svc.create_project("KIHT Contoh (synthetic)", "apht", date(2026, 1, 5), regency="Kabupaten Contoh")["id"]
    ctx = mp.get_context("fork")
    settings = replace(settings, timeout_s=30)  # the workers queue for the lock instead of giving up
    outcomes = []
    for rnd in range(ROUNDS):
        path = tmp_path / f"masterplan-{rnd}.pdf"
        path.write_bytes(b"%PDF-1.4\n" + f"round {rnd}\n".encode() + os.urandom(64) + b"\n%%EOF\n")
        barrier, out = ctx.Barrier(WORKERS), ctx.Queue()
        procs = [ctx.Process(target=_attach_worker, args=(settings, pid, path, barrier, out)) for _ in range(WORKERS)]
        for p in procs:
            p.start()
        outcomes += [out.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(timeout=60)
    assert not [o for o in outcomes if o[0] == "error"], outcomes
    committed = [o[1] for o in outcomes if o[0] == "ok"]
    assert len(committed) >= ROUNDS and len(outcomes) == WORKERS * ROUNDS
    stored = svc.documents(pid)
    assert sorted(d["id"] for d in stored) == sorted(committed)  # every acknowledged attach is there, no other
    for d in stored:
        _, blob = svc.document(pid, d["id"])  # raises NotFoundError when the bytes are missing
        assert blob.stat().st_size == d["size_bytes"]
    assert svc.verify_record()["ok"]


def test_a_failed_attach_keeps_bytes_another_attach_committed(svc, tmp_path, monkeypatch):  # noqa: F811
    """The deterministic core of the race: this attach writes the file (it was not there when it looked), a
    concurrent attach has committed a reference to the same bytes, then this attach fails."""
    pid = svc.create_project("KIHT Contoh (synthetic)", "apht", date(2026, 1, 5))["id"]
    path = tmp_path / "a.pdf"
    path.write_bytes(b"%PDF-1.4\nshared\n%%EOF\n")
    first = svc.attach(pid, "K1", path, name="A")  # the concurrent attach that committed
    blob = svc.document_path(first["sha256"])
    blob.unlink()  # this attach looked before the other one wrote the file: it writes it itself

    def fail(*_a, **_k):
        raise ConflictError("a concurrent attach took this version")

    monkeypatch.setattr(svc, "_event", fail)  # fails after the file is written, inside the transaction
    with pytest.raises(ConflictError):
        svc.attach(pid, "K1", path, name="A")
    monkeypatch.undo()
    assert blob.is_file()  # before the fix the failed attach deleted it, and document A lost its bytes
    assert svc.document(pid, first["id"])[1] == blob
    assert len(svc.documents(pid)) == 1


def test_gc_removes_only_unreferenced_blobs(svc, tmp_path):  # noqa: F811
    pid = svc.create_project("KIHT Contoh (synthetic)", "apht", date(2026, 1, 5))["id"]
    path = tmp_path / "kept.pdf"
    path.write_bytes(b"%PDF-1.4\nkept\n%%EOF\n")
    kept = svc.document_path(svc.attach(pid, "K1", path)["sha256"])
    orphan = svc.settings.files_dir / "ab" / ("ab" + "0" * 62)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left by a failed attach")
    stray = svc.settings.files_dir / "ab" / ".x.tmp-1234abcd"
    stray.write_bytes(b"left by a kill")
    os.utime(stray, (0, 0))  # old: no upload is still writing it
    foreign = svc.settings.files_dir / "README.txt"
    foreign.write_text("not ours")
    dry = svc.collect_garbage(dry_run=True)
    assert dry["removed"] == 2 and orphan.exists() and stray.exists()
    res = svc.collect_garbage()
    assert res["removed"] == 2 and res["bytes"] == len(b"left by a failed attach") + len(b"left by a kill")
    assert not orphan.exists() and not stray.exists() and kept.is_file() and foreign.exists()
    assert res["kept"] == 1
    assert svc.verify_record()["ok"]
    assert svc.collect_garbage()["removed"] == 0


def test_gc_is_for_administrators(svc, tmp_path):  # noqa: F811
    from kawasan.errors import PermissionDeniedError

    svc.add_user("viewer1", "viewer")
    with pytest.raises(PermissionDeniedError):
        svc.collect_garbage(actor="viewer1")


def test_cli_gc(tmp_path, monkeypatch, runner):
    import json

    from kawasan.cli.main import cli

    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KAWASAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("KAWASAN_FILES_DIR", raising=False)
    orphan = tmp_path / "home" / "documents" / "cd" / ("cd" + "1" * 62)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x" * 2048)
    r = runner.invoke(cli, ["db", "gc", "--dry-run"])
    assert r.exit_code == 0 and "Would remove 1" in r.output and orphan.exists()
    r = runner.invoke(cli, ["--lang", "id", "db", "gc"])
    assert r.exit_code == 0 and "1 berkas tanpa rujukan dihapus" in r.output and not orphan.exists()
    r = runner.invoke(cli, ["db", "gc", "--json"])
    assert json.loads(r.stdout)["removed"] == 0
    r = runner.invoke(cli, ["user", "add", "v", "--role", "viewer"])
    r = runner.invoke(cli, ["db", "gc", "--as", "v"])
    assert r.exit_code == 2 and "administrator" in r.output
