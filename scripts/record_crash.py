"""Crash safety of the licensing record: SIGKILL a stage-update burst or a document-upload burst at many points.

A child process changes stage K1 again and again (``updates``: block, unblock, ...) or attaches a new document
again and again (``uploads``), printing ``ACK`` after each change the service acknowledged. The parent kills
it with SIGKILL after a delay drawn from a seeded generator (0 to --max-delay seconds) (so the points differ from kill to kill but the run
is repeatable), KILLS times. After every kill it checks that the database holds exactly the acknowledged
changes plus at most the one in flight, that SQLite passes ``PRAGMA integrity_check``, and that ``db verify``
passes (chains, stages against their events, every document with its bytes). At the end the garbage collector
removes the files of uploads killed between writing the file and the commit, and reports how many.

Usage: .venv/bin/python scripts/record_crash.py --what updates|uploads [--backend sqlite|postgresql]
       [--kills 20] [--seed 0] [--max-delay 2.0] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def child(what: str, pid: int) -> None:
    """The burst: runs until killed, one ACK line per acknowledged change."""
    from kawasan.tracker import ProjectService

    svc = ProjectService(user="admin")
    svc.state(pid)  # warm up (imports, migration check, connection) so the kills fall inside changes
    print("READY", flush=True)
    i = 0
    while True:
        i += 1
        if what == "updates":
            status = next(s for s in svc.state(pid)["stages"] if s["id"] == "K1")["status"]
            if status == "blocked":
                svc.unblock_stage(pid, "K1")
            else:
                svc.block_stage(pid, "K1", reason=f"crash burst {i}")
        else:
            f = Path(os.environ["KAWASAN_HOME"]) / f"upload-{os.getpid()}-{i}.pdf"
            f.write_bytes(b"%PDF-1.4\n" + f"{os.getpid()} {i} ".encode() * 2000 + b"\n%%EOF\n")
            svc.attach(pid, "K1", f, name=f"Upload {os.getpid()} {i}")
        print("ACK", flush=True)


def _count(svc, pid, what) -> int:
    if what == "updates":
        return sum(1 for e in svc.history(pid) if e["stage"] == "K1" and e["field"] == "status")
    return len(svc.documents(pid))


def run(what: str, backend: str, kills: int, seed: int, pg_url: str = PG_DEFAULT, max_delay: float = 2.0) -> dict:
    from sqlalchemy import text

    rng = random.Random(seed)
    failures, acked_total, in_flight = [], 0, 0
    with tempfile.TemporaryDirectory(prefix="kawasan-crash-") as tmp:
        env = {"KAWASAN_HOME": tmp, "KAWASAN_DB_TIMEOUT": "30", "KAWASAN_FILES_DIR": str(Path(tmp) / "documents")}
        schema = None
        if backend == "postgresql":
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            from record_stress import _drop_schema, _pg_schema_url

            env["KAWASAN_DATABASE_URL"], schema = _pg_schema_url(pg_url)
        else:
            env["KAWASAN_DATABASE_URL"] = f"sqlite:///{tmp}/kawasan.db"
        os.environ.update(env)
        from kawasan.tracker import ProjectService

        svc = ProjectService(user="admin")
        try:
            if not svc.embedded:
                svc.add_user("admin", "administrator")
            pid = svc.create_project("Crash (synthetic)", "apht", date(2026, 1, 5))["id"]
            svc.update_stage(pid, "K1", "in_progress")
            before = _count(svc, pid, what)
            t0 = time.perf_counter()
            for k in range(kills):
                proc = subprocess.Popen([sys.executable, __file__, "--child", what, "--project", str(pid)],
                                        stdout=subprocess.PIPE, text=True, env={**os.environ, **env})
                assert proc.stdout.readline().strip() == "READY"
                time.sleep(rng.uniform(0.0, max_delay))
                proc.send_signal(signal.SIGKILL)
                out, _ = proc.communicate()
                acked = out.count("ACK")
                acked_total += acked
                now = _count(svc, pid, what)
                extra = now - before - acked
                if extra not in (0, 1):
                    failures.append(f"kill {k}: {acked} acknowledged, the database gained {now - before}")
                in_flight += extra
                before = now
                if svc.embedded:
                    with svc.engine.connect() as c:
                        ok = c.execute(text("PRAGMA integrity_check")).scalar()
                    if ok != "ok":
                        failures.append(f"kill {k}: integrity_check {ok}")
                report = svc.verify_record()
                if not report["ok"]:
                    failures.append(f"kill {k}: db verify {report['problems'][:2]}")
            seconds = time.perf_counter() - t0
            gc = svc.collect_garbage(temp_grace_s=0)
            if not svc.verify_record()["ok"]:
                failures.append("db verify after gc")
        finally:
            svc.close()
            if schema:
                _drop_schema(pg_url, schema)
    return {"what": what, "backend": backend, "kills": kills, "seed": seed, "acknowledged": acked_total,
            "in_flight_committed": in_flight, "files_collected": gc["removed"], "seconds": round(seconds, 1),
            "failures": failures}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--what", choices=["updates", "uploads"], default="updates")
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-delay", type=float, default=2.0,
                    help="kill after a delay drawn uniformly from 0 to this many seconds after start-up")
    ap.add_argument("--pg-url", default=os.environ.get("KAWASAN_TEST_PG_URL", PG_DEFAULT))
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--child", choices=["updates", "uploads"], help=argparse.SUPPRESS)
    ap.add_argument("--project", type=int, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        child(a.child, a.project)
        return 0
    if not 1 <= a.kills <= 10000:
        ap.error("--kills must be 1-10000")
    res = run(a.what, a.backend, a.kills, a.seed, a.pg_url, a.max_delay)
    print(json.dumps(res) if a.json else "\n".join(f"{k}: {v}" for k, v in res.items()))
    return 0 if not res["failures"] else 1


if __name__ == "__main__":
    sys.exit(main())
