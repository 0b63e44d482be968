#!/usr/bin/env python3
"""Web app benchmark: 50 concurrent team members on a SYNTHETIC portfolio of 500 projects.

Run with the project venv and the benchmark extra (locust):
    .venv/bin/pip install -c constraints.txt -e ".[bench]"
    .venv/bin/python benchmarks/web.py [--projects 500] [--users 50] [--seconds 60] [--workers 2]
                                       [--db sqlite,postgresql] [--pg-url postgresql+psycopg://...]

For each database (SQLite file; PostgreSQL at 127.0.0.1:5432, a fresh schema):

1. builds a SYNTHETIC portfolio through the tracker: ``--projects`` projects over five synthetic
   regencies, both built-in templates alternately, varied progress (stages approved with dates,
   one in progress or submitted, some blocked with an obstacle), a document on every third project;
   ``--users`` accounts (coordinators and DPMPTSP officers) with personal API tokens;
2. computes every stored forecast once (the cost of a new day, printed);
3. starts ``kawasan serve --workers N`` on a free loopback port and runs locust headless on loopback
   (``--users`` users, ``--seconds`` seconds) mixing My work, portfolio, project pages, stored
   forecasts, what-ifs and stage updates (benchmarks/web_locustfile.py);
4. checks that every accepted stage update is in the audit log (and nothing else was added).

Prints throughput, p50/p95/p99 and failures per route, the goals (p95 < 200 ms for pages and API
reads, < 300 ms for a stage update, zero errors, zero lost updates) and the machine.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
WORK = HERE / "_work" / "web"
TODAY = date(2026, 6, 1)
REGENCIES = [f"Kabupaten Sintetis {i}" for i in range(1, 6)]
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def settings_for(db: str, folder: Path, pg_url: str):
    from kawasan.tracker import Settings

    if db == "sqlite":
        return Settings.in_folder(folder, timeout_s=10), lambda: None
    import psycopg

    schema = f"kawasan_bench_{uuid.uuid4().hex[:8]}"
    raw = pg_url.replace("+psycopg", "")
    with psycopg.connect(raw, autocommit=True) as c:
        c.execute(f'CREATE SCHEMA "{schema}"')
    url = pg_url + ("&" if "?" in pg_url else "?") + "options=" + quote(f"-csearch_path={schema}")

    def drop():
        with psycopg.connect(raw, autocommit=True) as c:
            c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    return Settings(database_url=url, files_dir=folder / "documents", home=folder, timeout_s=10), drop


def build_portfolio(svc, n_projects: int, n_users: int, folder: Path, seed: int = 7) -> dict:
    """The SYNTHETIC portfolio and the accounts (usernames, roles, tokens) the load generator uses."""
    rng = random.Random(seed)
    if not svc.embedded:
        svc.add_user("admin", "administrator")
    pdf = folder / "izin.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% SYNTHETIC benchmark document\n%%EOF\n")
    pids = []
    for i in range(1, n_projects + 1):
        template = "apht" if i % 2 else "kawasan-industri"
        start = date(2024, 1, 8) + timedelta(days=rng.randrange(0, 500))
        pid = svc.create_project(f"Kawasan sintetis {i} (SYNTHETIC)", template, start,
                                 regency=REGENCIES[i % len(REGENCIES)], actor="admin")["id"]
        assert pid % len(REGENCIES) == i % len(REGENCIES)
        pids.append(pid)
        _progress(svc, pid, start, rng)
        if i % 3 == 0:
            svc.attach(pid, svc.state(pid)["stages"][0]["id"], pdf, name="Dokumen sintetis", actor="admin")
    users = []
    for u in range(n_users):
        regency = REGENCIES[u % len(REGENCIES)]
        name = f"bench{u:02d}"
        if u % 2 == 0:
            svc.add_user(name, "coordinator", regency=regency, actor="admin")
            agency = None
        else:
            svc.add_user(name, "agency_officer", agency="DPMPTSP", regency=regency, actor="admin")
            agency = "DPMPTSP"
        token = svc.create_token(name, "benchmark", actor=name)["token"]
        users.append({"username": name, "agency": agency, "token": token})
    return {"users": users, "projects": pids}


def _progress(svc, pid: int, start: date, rng: random.Random) -> None:
    """Approve a random prefix of the stages (in prerequisite order) with dates, then start one more."""
    state = svc.state(pid)
    tpl = svc.project_template(pid)
    order = tpl.topological_order()
    done_n = rng.randrange(0, len(order))
    day = start
    done: set[str] = set()
    for sid in order[:done_n]:
        if not set(tpl.stage(sid).requires) <= done or day + timedelta(days=40) > TODAY:
            break
        svc.update_stage(pid, sid, "in_progress", on=day, actor="admin")
        day += timedelta(days=rng.randrange(10, 40))
        svc.update_stage(pid, sid, "approved", on=day, actor="admin")
        done.add(sid)
    ready = [s["id"] for s in state["stages"] if s["id"] not in done and set(tpl.stage(s["id"]).requires) <= done]
    if ready and day < TODAY:
        sid = ready[0]
        svc.update_stage(pid, sid, "in_progress", on=day, actor="admin")
        roll = rng.random()
        if roll < 0.15:
            svc.block_stage(pid, sid, reason="sengketa lahan (SYNTHETIC)", obstacle="two parcels disputed (SYNTHETIC)",
                            owner="BPN", on=min(day + timedelta(days=5), TODAY),
                            expected_unblock=TODAY + timedelta(days=rng.randrange(10, 120)), actor="admin")
        elif roll < 0.4:
            svc.update_stage(pid, sid, "submitted", on=min(day + timedelta(days=7), TODAY), actor="admin")


def status_events(svc, pids: list[int]) -> list[tuple]:
    """(project, stage, new state) of every stage change the benchmark's users made, from the audit log."""
    return [(pid, e["stage"], e["to"]) for pid in pids for e in svc.history(pid)
            if e["kind"] == "stage.status" and e["actor"].startswith("bench")]


def run_one(db: str, args) -> dict:
    from kawasan.tracker import ProjectService

    folder = WORK / db
    if folder.exists():
        import shutil

        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    settings, drop = settings_for(db, folder, args.pg_url)
    try:
        svc = ProjectService(settings, today=TODAY, user="admin")
        svc.refresh_on_change = False  # the build is a bulk import; every forecast is computed once below
        t = time.perf_counter()
        accounts = build_portfolio(svc, args.projects, args.users, folder)
        build_s = time.perf_counter() - t
        t = time.perf_counter()
        n = svc.refresh_forecasts()
        refresh_s = time.perf_counter() - t
        before = status_events(svc, accounts["projects"])
        (folder / "accounts.json").write_text(json.dumps(accounts), encoding="utf-8")
        port = free_port()
        env = {**os.environ, "KAWASAN_DATABASE_URL": settings.database_url,
               "KAWASAN_FILES_DIR": str(settings.files_dir), "KAWASAN_TODAY": TODAY.isoformat(),
               "KAWASAN_BENCH_ACCOUNTS": str(folder / "accounts.json"),
               "KAWASAN_BENCH_ACCEPTED": str(folder / "accepted.json")}
        kawasan = Path(sys.executable).with_name("kawasan")
        server = subprocess.Popen([str(kawasan), "serve", "--port", str(port), "--workers", str(args.workers)],
                                  env=env, stdout=subprocess.DEVNULL, stderr=open(folder / "server.log", "w"))
        try:
            _wait_for(port)
            locust = Path(sys.executable).with_name("locust")
            subprocess.run([str(locust), "-f", str(HERE / "web_locustfile.py"), "--headless", "-u", str(args.users),
                            "-r", str(max(1, args.users // 5)), "-t", f"{args.seconds}s",
                            "--host", f"http://127.0.0.1:{port}", "--csv", str(folder / "locust"), "--only-summary",
                            "--loglevel", "WARNING"], env=env, check=False, timeout=args.seconds + 120)
        finally:
            server.terminate()
            server.wait(timeout=30)
        accepted = Counter((a["project"], a["stage"], a["to"])
                           for a in json.loads((folder / "accepted.json").read_text(encoding="utf-8")))
        logged = Counter(status_events(svc, accounts["projects"])) - Counter(before)
        svc.close()
        return {"db": db, "build_s": build_s, "refresh_s": refresh_s, "refreshed": n,
                "routes": _read_stats(folder / "locust_stats.csv"), "accepted_updates": sum(accepted.values()),
                "logged_updates": sum(logged.values()), "lost": sum((accepted - logged).values()),
                "in_flight": sum((logged - accepted).values())}
    finally:
        drop()


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the server did not start; see its log under benchmarks/_work/web")


def _read_stats(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append({"name": r["Name"], "requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
                         "rps": float(r["Requests/s"]), "p50": float(r["50%"] or 0), "p95": float(r["95%"] or 0),
                         "p99": float(r["99%"] or 0)})
    return rows


def report(results: list[dict], args) -> str:
    sys.path.insert(0, str(HERE))
    from machine import describe

    out = [f"Machine: {describe()}", "",
           f"{args.projects} SYNTHETIC projects, {args.users} users for {args.seconds} s, "
           f"`kawasan serve --workers {args.workers}`, locust on the same machine (loopback).", ""]
    for res in results:
        out += [f"### {res['db']}", "",
                f"Portfolio built in {res['build_s']:.0f} s; all {res['refreshed']} stored forecasts computed in "
                f"{res['refresh_s']:.1f} s (the cost of a new day, done in the background). Load average of the "
                f"machine before/after: {res['load_average'][0]:.1f} / {res['load_average'][1]:.1f} (2 cores; other "
                "processes share them).", "",
                "| route | requests | req/s | p50 ms | p95 ms | p99 ms | failures | goal |", "|---|---|---|---|---|---|---|---|"]
        for r in res["routes"]:
            limit = 300 if "update" in r["name"] else 200
            ok = "" if r["name"] == "Aggregated" else ("met" if r["p95"] < limit and not r["failures"]
                                                       else f"missed (p95 < {limit})")
            out.append(f"| {r['name']} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} | {r['p95']:.0f} | "
                       f"{r['p99']:.0f} | {r['failures']} | {ok} |")
        out += ["", f"Stage updates answered 200: {res['accepted_updates']}; in the audit log: "
                    f"{res['logged_updates']}; accepted but missing from the log (lost): {res['lost']}; in the log "
                    f"but unanswered when the load generator stopped (in flight): {res['in_flight']}.", ""]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--projects", type=int, default=500)
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--pg-url", default=os.environ.get("KAWASAN_TEST_PG_URL", PG_DEFAULT))
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    results = []
    for db in (d.strip() for d in args.db.split(",") if d.strip()):
        load_before = os.getloadavg()[0]
        res = run_one(db, args)
        res["load_average"] = (load_before, os.getloadavg()[0])
        results.append(res)
    text = report(results, args)
    (WORK / "result.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
