"""Concurrent writers on the licensing record: zero lost updates, zero lost documents, every refusal a conflict.

N writer processes (default 20), released together, each do OPS rounds of: read a stage (its state and
version), block it (or unblock it when blocked) with that version as the expected one, and attach a
document. Even-numbered writers all work on stage K1 (the same stage, contention), odd ones on a stage of
their own (different stages); all K1 writers attach under one document name with the same bytes (the race
of issue 14 defect 1). They go through one channel: the service (``--via service``), the CLI
(``--via cli``, one ``kawasan`` process per call) or the web API (``--via api``, a ``kawasan serve``
started for the run, bearer token).

Afterwards the record is checked: every acknowledged change is in the event log, each stage's version is
1 + its status events and no two acknowledged changes of one stage got the same version (no lost update),
every refused change was answered with a conflict (ConflictError, exit 2 "changed by someone else", HTTP
409), every acknowledged document is there with its bytes, ``db verify`` passes, and SQLite passes
``PRAGMA integrity_check``. The result is one JSON object (``--json``) or a few lines; exit 0 when every
check holds.

Usage: .venv/bin/python scripts/record_stress.py --backend sqlite|postgresql --via service|cli|api
       [--writers 20] [--ops 5] [--json]
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\nshared bytes of the stress test (synthetic)\n%%EOF\n"
KAWASAN = str(Path(sys.executable).with_name("kawasan"))


def stage_of(writer: int) -> str:
    """K1 for even writers (contention); for odd ones a stage of their own among K2..K14 (shared when > 26)."""
    return "K1" if writer % 2 == 0 else f"K{2 + (writer // 2) % 13}"


# ---------------------------------------------------------------------------- channels

class ServiceChannel:
    def __init__(self, env: dict):
        os.environ.update(env)
        from kawasan.tracker import ProjectService

        self.svc = ProjectService(user="admin")

    def read(self, pid, sid):
        st = next(s for s in self.svc.state(pid)["stages"] if s["id"] == sid)
        return st["status"], st["version"]

    def change(self, pid, sid, status, version, reason):
        from kawasan.errors import ConflictError

        try:
            if status == "blocked":
                res = self.svc.unblock_stage(pid, sid, reason=reason, expected_version=version)
            else:
                res = self.svc.block_stage(pid, sid, reason=reason, expected_version=version)
            return "ok", res["version"]
        except ConflictError as e:
            return "conflict", str(e)
        except Exception as e:  # noqa: BLE001 - counted and shown: the check fails on it
            return "error", f"{type(e).__name__}: {e}"

    def attach(self, pid, sid, path, name):
        from kawasan.errors import ConflictError

        try:
            return "ok", self.svc.attach(pid, sid, path, name=name)["id"]
        except ConflictError as e:
            return "conflict", str(e)
        except Exception as e:  # noqa: BLE001
            return "error", f"{type(e).__name__}: {e}"


class CliChannel:
    def __init__(self, env: dict):
        self.env = {**os.environ, **env}

    def _run(self, *args):
        r = subprocess.run([KAWASAN, *map(str, args), "--json"], capture_output=True, text=True, env=self.env)
        return r.returncode, r.stdout, r.stderr

    def read(self, pid, sid):
        code, out, err = self._run("project", "show", pid)
        st = next(s for s in json.loads(out)["stages"] if s["id"] == sid)
        return st["status"], st["version"]

    def _outcome(self, code, out, err, key):
        if code == 0:
            return "ok", json.loads(out)[key]
        text = out + err
        if code == 2 and ("changed by someone else" in text or "collides" in text):
            return "conflict", text.strip().splitlines()[0]
        return "error", f"exit {code}: {text.strip()[:300]}"

    def change(self, pid, sid, status, version, reason):
        verb = ["unblock", pid, sid] if status == "blocked" else ["block", pid, sid]
        return self._outcome(*self._run("stage", *verb, "--reason", reason, "--expect-version", version),
                             "version")

    def attach(self, pid, sid, path, name):
        return self._outcome(*self._run("stage", "attach", pid, sid, path, "--name", name), "id")


class ApiChannel:
    """The web API over HTTP with the standard library (a bearer token; multipart for uploads)."""

    def __init__(self, env: dict):
        self.base, self.token = env["_BASE"], env["KAWASAN_TOKEN"]

    def _call(self, method, path, body: bytes | None = None, ctype: str | None = None):
        import urllib.error
        import urllib.request

        req = urllib.request.Request(self.base + path, data=body, method=method,
                                     headers={"Authorization": f"Bearer {self.token}",
                                              **({"Content-Type": ctype} if ctype else {})})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def read(self, pid, sid):
        _code, body = self._call("GET", f"/api/v1/projects/{pid}")
        st = next(s for s in json.loads(body)["stages"] if s["id"] == sid)
        return st["status"], st["version"]

    @staticmethod
    def _outcome(code, body, key):
        if code in (200, 201):
            return "ok", json.loads(body)[key]
        if code == 409:
            return "conflict", json.loads(body).get("message")
        return "error", f"HTTP {code}: {body[:300]!r}"

    def change(self, pid, sid, status, version, reason):
        verb = "unblock" if status == "blocked" else "block"
        body = json.dumps({"reason": reason, "expected_version": version}).encode()
        return self._outcome(*self._call("POST", f"/api/v1/projects/{pid}/stages/{sid}/{verb}", body,
                                         "application/json"), "version")

    def attach(self, pid, sid, path, name):
        boundary = uuid.uuid4().hex
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\n{name}\r\n'.encode(),
                 f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{Path(path).name}"\r\n'
                 "Content-Type: application/pdf\r\n\r\n".encode() + Path(path).read_bytes() + b"\r\n",
                 f"--{boundary}--\r\n".encode()]
        return self._outcome(*self._call("POST", f"/api/v1/projects/{pid}/stages/{sid}/documents", b"".join(parts),
                                         f"multipart/form-data; boundary={boundary}"), "id")


CHANNELS = {"service": ServiceChannel, "cli": CliChannel, "api": ApiChannel}


def writer(via, env, pid, index, ops, pdf, barrier, out):
    """One writer process: OPS rounds of read, change with the version read, attach."""
    ch = CHANNELS[via](env)
    sid = stage_of(index)
    name = "Shared K1 document" if sid == "K1" else f"Writer {index} document"
    barrier.wait(timeout=300)
    for op in range(ops):
        status, version = ch.read(pid, sid)
        kind, value = ch.change(pid, sid, status, version, f"writer {index} op {op}")
        out.put({"writer": index, "stage": sid, "what": "change", "outcome": kind, "value": value,
                 "read_version": version})
        kind, value = ch.attach(pid, sid, pdf, name)
        out.put({"writer": index, "stage": sid, "what": "attach", "outcome": kind, "value": value})


# ---------------------------------------------------------------------------- set-up and checks

def _pg_schema_url(base: str) -> tuple[str, str]:
    import psycopg
    from urllib.parse import quote

    schema = f"kawasan_stress_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base.replace("+psycopg", ""), autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    return base + ("&" if "?" in base else "?") + "options=" + quote(f"-csearch_path={schema}"), schema


def _drop_schema(base: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(base.replace("+psycopg", ""), autocommit=True) as c:
        c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def set_up(folder: Path, backend: str, pg_url: str) -> tuple[dict, int, str | None]:
    """A fresh database with an administrator, a project whose stages are all in progress, and an API token."""
    env = {"KAWASAN_HOME": str(folder / "home"), "KAWASAN_FILES_DIR": str(folder / "home" / "documents"),
           "KAWASAN_DB_TIMEOUT": "60", "KAWASAN_LANG": "en"}
    schema = None
    if backend == "postgresql":
        url, schema = _pg_schema_url(pg_url)
        env["KAWASAN_DATABASE_URL"] = url
    else:
        env["KAWASAN_DATABASE_URL"] = f"sqlite:///{folder / 'home' / 'kawasan.db'}"
    os.environ.update(env)
    from kawasan.tracker import ProjectService

    svc = ProjectService(user="admin")
    if not svc.embedded:
        svc.add_user("admin", "administrator")
    svc.set_password("admin", "stress-test-password", actor="admin")
    pid = svc.create_project("Stress (synthetic)", "apht", date(2026, 1, 5))["id"]
    for st in svc.state(pid)["stages"]:
        svc.update_stage(pid, st["id"], "in_progress")
    env["KAWASAN_TOKEN"] = svc.create_token("admin", "stress")["token"]
    svc.close()
    return env, pid, schema


def check(env: dict, pid: int, results: list[dict], setup_versions: dict) -> dict:
    """The checks of the module docstring; returns the figures and the list of failures."""
    os.environ.update(env)
    from sqlalchemy import text

    from kawasan.tracker import ProjectService

    svc = ProjectService(user="admin")
    failures = []
    try:
        changes = [r for r in results if r["what"] == "change"]
        attaches = [r for r in results if r["what"] == "attach"]
        history = svc.history(pid)
        stages = {s["id"]: s for s in svc.state(pid)["stages"]}
        for sid in sorted({r["stage"] for r in changes}):
            ok = [r for r in changes if r["stage"] == sid and r["outcome"] == "ok"]
            events = [e for e in history if e["stage"] == sid and e["field"] == "status"]
            versions = [r["value"] for r in ok]
            if len(set(versions)) != len(versions):
                failures.append(f"stage {sid}: two acknowledged changes got the same version {sorted(versions)}")
            if len(events) != setup_versions[sid] + len(ok):
                failures.append(f"stage {sid}: {len(ok)} acknowledged changes but {len(events) - setup_versions[sid]} "
                                "events")
            if stages[sid]["version"] != 1 + len(events):
                failures.append(f"stage {sid}: version {stages[sid]['version']} but {len(events)} status events")
        for r in results:
            if r["outcome"] == "error":
                failures.append(f"writer {r['writer']} {r['what']}: {r['value']}")
        docs = {d["id"]: d for d in svc.documents(pid)}
        acked = [r["value"] for r in attaches if r["outcome"] == "ok"]
        if sorted(acked) != sorted(docs):
            failures.append(f"documents: {len(acked)} acknowledged, {len(docs)} stored")
        missing = 0
        for did in acked:
            try:
                svc.document(pid, did)
            except Exception:  # noqa: BLE001 - a missing file is what is counted
                missing += 1
        if missing:
            failures.append(f"{missing} acknowledged documents have no stored bytes")
        attach_events = [e for e in history if e["kind"] == "document.attach"]
        if len(attach_events) != len(acked):
            failures.append(f"{len(acked)} acknowledged attaches but {len(attach_events)} attach events")
        report = svc.verify_record()
        if not report["ok"]:
            failures.append(f"db verify: {report['problems'][:3]}")
        integrity = None
        if svc.embedded:
            with svc.engine.connect() as c:
                integrity = c.execute(text("PRAGMA integrity_check")).scalar()
            if integrity != "ok":
                failures.append(f"integrity_check: {integrity}")
        count = lambda rs, k: sum(1 for r in rs if r["outcome"] == k)  # noqa: E731
        return {"changes_accepted": count(changes, "ok"), "changes_conflict": count(changes, "conflict"),
                "attaches_accepted": count(attaches, "ok"), "attaches_conflict": count(attaches, "conflict"),
                "errors": count(results, "error"), "lost_updates": sum("same version" in f or "events" in f
                                                                      for f in failures),
                "lost_documents": missing, "verify_ok": report["ok"], "integrity_check": integrity,
                "failures": failures}
    finally:
        svc.close()


def _start_server(env: dict) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([KAWASAN, "serve", "--port", str(port)], env={**os.environ, **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    import urllib.request

    for _ in range(1800):
        try:
            with urllib.request.urlopen(base + "/openapi.json", timeout=1):
                return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the web app did not start within 180 s")


def run(backend: str, via: str, writers: int, ops: int, pg_url: str = PG_DEFAULT) -> dict:
    """Set up, run the writers released together, check; returns the figures."""
    with tempfile.TemporaryDirectory(prefix="kawasan-stress-") as tmp:
        folder = Path(tmp)
        env, pid, schema = set_up(folder, backend, pg_url)
        pdf = folder / "shared.pdf"
        pdf.write_bytes(PDF)
        server = None
        try:
            if via == "api":
                server, env["_BASE"] = _start_server(env)
            os.environ.update(env)
            from kawasan.tracker import ProjectService

            svc = ProjectService(user="admin")
            history = svc.history(pid)
            setup_versions = {s: sum(1 for e in history if e["stage"] == s and e["field"] == "status")
                              for s in {stage_of(i) for i in range(writers)}}
            svc.close()
            ctx = mp.get_context("fork")
            barrier, out = ctx.Barrier(writers), ctx.Queue()
            procs = [ctx.Process(target=writer, args=(via, env, pid, i, ops, pdf, barrier, out))
                     for i in range(writers)]
            t0 = time.perf_counter()
            for p in procs:
                p.start()
            results = [out.get(timeout=1800) for _ in range(writers * ops * 2)]
            for p in procs:
                p.join(timeout=120)
            seconds = time.perf_counter() - t0
            figures = check(env, pid, results, setup_versions)
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
            if schema:
                _drop_schema(pg_url, schema)
    return {"backend": backend, "via": via, "writers": writers, "ops_per_writer": ops, "seconds": round(seconds, 1),
            **figures}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--via", choices=sorted(CHANNELS), default="service")
    ap.add_argument("--writers", type=int, default=20)
    ap.add_argument("--ops", type=int, default=5)
    ap.add_argument("--pg-url", default=os.environ.get("KAWASAN_TEST_PG_URL", PG_DEFAULT))
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    if not 1 <= a.writers <= 200 or not 1 <= a.ops <= 1000:
        ap.error("--writers must be 1-200 and --ops 1-1000")
    res = run(a.backend, a.via, a.writers, a.ops, a.pg_url)
    if a.json:
        print(json.dumps(res))
    else:
        for k, v in res.items():
            print(f"{k}: {v}")
    return 0 if not res["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
