"""Faults of the licensing record's storage: the database server goes away in the middle of a burst and comes back
(a TCP proxy in front of PostgreSQL that the test stops and starts again, and backends terminated with
pg_terminate_backend), and the document store's disk fills up (a 64 KiB tmpfs). Clear errors meanwhile, nothing
half-written, recovery without restarting kawasan."""
from __future__ import annotations

import socket
import subprocess
import threading
from datetime import date

import pytest
from sqlalchemy import text

import test_licensing_store_fixtures as fx
from kawasan.errors import StorageError
from kawasan.storage.db import Settings
from kawasan.tracker import ProjectService
from test_licensing_store_fixtures import pg_schema_url  # noqa: F401 (fixture)

TODAY = date(2026, 6, 1)


class Proxy:
    """A TCP proxy on a fixed local port to PostgreSQL; ``stop`` drops the listener and every connection."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.socks: list[socket.socket] = []
        self.listener = None

    def start(self) -> None:
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.socks += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (a bare close would not)
        except OSError:
            pass
        self.listener.close()
        for s in self.socks:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.socks.clear()


@pytest.fixture
def proxied(pg_schema_url, tmp_path):  # noqa: F811
    url, schema = pg_schema_url
    host = url.split("@", 1)[1].split("/", 1)[0]
    h, _, p = host.partition(":")
    proxy = Proxy((h, int(p or 5432)))
    proxy.start()
    purl = url.replace(f"@{host}/", f"@127.0.0.1:{proxy.port}/") + f"&application_name=kw_{schema[-12:]}"
    svc = ProjectService(Settings(database_url=purl, files_dir=tmp_path / "docs", timeout_s=2), today=TODAY,
                         user="admin")
    svc.add_user("admin", "administrator")
    yield svc, proxy, schema
    svc.close()
    proxy.stop()


def _burst(svc, pid, n):
    """n block/unblock changes on K1; returns (acknowledged, errors)."""
    acked, errors = 0, []
    for _ in range(n):
        status = next(s for s in svc.state(pid)["stages"] if s["id"] == "K1")["status"] if not errors else None
        try:
            if status == "blocked":
                svc.unblock_stage(pid, "K1")
            else:
                svc.block_stage(pid, "K1", reason="burst")
            acked += 1
        except StorageError as e:
            errors.append(str(e))
            break
    return acked, errors


def test_server_gone_mid_burst_and_back(proxied):
    svc, proxy, _ = proxied
    pid = svc.create_project("Faults (synthetic)", "apht", date(2026, 1, 5))["id"]
    svc.update_stage(pid, "K1", "in_progress")
    acked, _ = _burst(svc, pid, 4)
    assert acked == 4
    proxy.stop()  # the server is gone (as for a stopped PostgreSQL: connections cut, new ones refused)
    for _ in range(3):
        with pytest.raises(StorageError) as e:
            svc.block_stage(pid, "K1", reason="while the server is down")
        assert "cannot use the database" in str(e.value) and "Nothing was changed" in str(e.value)
    proxy.start()  # back; the same service (no restart of kawasan) carries on
    acked2, errors = _burst(svc, pid, 3)
    assert errors == [] and acked2 == 3
    events = [e for e in svc.history(pid) if e["stage"] == "K1" and e["field"] == "status"]
    assert len(events) == 1 + acked + acked2  # exactly the acknowledged changes
    assert svc.verify_record()["ok"]


def test_backends_terminated_between_changes(proxied):
    import psycopg

    svc, _proxy, schema = proxied
    pid = svc.create_project("Faults (synthetic)", "apht", date(2026, 1, 5))["id"]
    svc.update_stage(pid, "K1", "in_progress")
    with psycopg.connect(fx._raw(fx.pg_base_url()), autocommit=True) as c:
        killed = c.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                           "WHERE application_name = %s", (f"kw_{schema[-12:]}",)).fetchone()[0]
    assert killed >= 1  # the service's pooled connections are gone
    # the pool checks a connection before use (pre-ping): the next change simply works
    svc.block_stage(pid, "K1", reason="after the backends were terminated")
    assert svc.verify_record()["ok"]


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "full"
    mount.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True,
                       text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here ({r.stderr.strip() or r.returncode}); the disk-full case "
                    "needs root or CAP_SYS_ADMIN")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_disk_full_while_storing_a_document(small_disk, tmp_path):
    svc = ProjectService(Settings(database_url=f"sqlite:///{tmp_path / 'kawasan.db'}",
                                  files_dir=small_disk / "documents", home=tmp_path), today=TODAY)
    try:
        pid = svc.create_project("Faults (synthetic)", "apht", date(2026, 1, 5))["id"]
        big = tmp_path / "big.pdf"
        big.write_bytes(b"%PDF-1.4\n" + b"x" * 200_000)
        before = svc.verify_record()["events"]
        with pytest.raises(StorageError) as e:
            svc.attach(pid, "K1", big)
        assert "No space left on device" in str(e.value) and "Nothing was attached" in str(e.value)
        assert svc.documents(pid) == [] and svc.verify_record()["events"] == before
        assert [p for p in small_disk.rglob("*") if p.is_file()] == []  # no half-written file left behind
        small = tmp_path / "small.pdf"
        small.write_bytes(b"%PDF-1.4\nfits\n%%EOF\n")
        assert svc.attach(pid, "K1", small)["version"] == 1
        assert svc.verify_record()["ok"]
    finally:
        svc.close()
