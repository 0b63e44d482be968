#!/usr/bin/env python3
"""Map tile benchmark: kawasan's tile server against a stock TiTiler, on the same COGs, in one run.

Run with the project venv and the benchmark extra (titiler.core):
    .venv/bin/pip install -c constraints.txt -e ".[bench]"
    .venv/bin/python benchmarks/tiles.py [--size 10000] [--users 50] [--seconds 30] [--skip-big]

1. Data: the SYNTHETIC demo study area with the ``apht`` run (``kawasan demo``'s first run), and the
   SIZE x SIZE run of ``benchmarks/pipeline.py`` (its inputs are generated as that benchmark does, the run is
   written once and reused).
2. Servers, each one uvicorn process on a loopback port: kawasan (``create_app`` over the data folder, an API
   token for the load generator) with its tile cache, kawasan with the cache off (``KAWASAN_TILE_CACHE=0``:
   every tile is cut, as a cold server does), and a stock TiTiler (``titiler.core``'s ``TilerFactory``
   mounted on a bare FastAPI app) reading the same ``score.tif`` with ``rescale=0,1`` and a colour map.
3. Cold and warm latency: one client, the tiles of the run's extent at three zooms in order; cold is the
   first request of each tile on a fresh server, warm the same tiles again.
4. Load: ``--users`` map users (threads with a keep-alive connection each) replay pan and zoom traces (a
   viewport of 4 x 3 tiles, seeded random walk over the run's extent and zooms) for ``--seconds``; p50, p95,
   p99 and throughput per server.

The load generator runs on the same 2-core machine as the server (loopback), as the issue asks; its own CPU
use is part of every contender's numbers alike. Goals (issue 13): p95 under 100 ms warm and under 300 ms cold,
at least level with TiTiler. Results: benchmarks/_work/tiles/results.json and docs/performance.md.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "_work" / "tiles"
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

import machine  # noqa: E402

PY = sys.executable
TOKEN_USER = "bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---- data -----------------------------------------------------------------------------------------------

def demo_run(data_root: Path) -> Path:
    """The demo study area and its apht run under data_root (built once)."""
    from kawasan.sampledata.contoh import build_study_area
    from kawasan.spatial.api import run_suitability

    area, run = data_root / "demo" / "data", data_root / "demo" / "runs" / "apht"
    if not (run / "manifest.json").exists():
        build_study_area(area, seed=7)
        run_suitability("apht", area, run, write_criteria=False, overwrite=True)
    return run


def big_run(data_root: Path, size: int) -> Path:
    """The SIZE x SIZE run of benchmarks/pipeline.py (its inputs and model), written once."""
    import pipeline

    from kawasan.spatial.api import run_suitability

    run = data_root / f"pipeline-{size}" / "run"
    if not (run / "manifest.json").exists():
        log = WORK / "pipeline-data.log"
        data = pipeline.ensure_data(size, log)
        model = WORK / "pipeline-model.yaml"
        model.write_text(json.dumps(pipeline.model_dict(), indent=2), encoding="utf-8")
        run_suitability(str(model), data, run, overwrite=True)
    return run


def tiles_of(run: Path, zooms: int = 3) -> tuple[list[tuple[int, int, int]], int]:
    """The tiles covering the run's extent at the zoom that fits it in about 4 x 3 tiles and the next ones."""
    import morecantile
    from rasterio.warp import transform_bounds

    from kawasan.spatial.grid import Grid

    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    g = Grid.from_dict(m["study_area"]["grid"])
    w, s, e, n = transform_bounds(g.crs, "EPSG:4326", *g.bounds)
    tms = morecantile.tms.get("WebMercatorQuad")
    z0 = next(z for z in range(0, 20) if len(list(tms.tiles(w, s, e, n, [z + 1]))) > 12)
    out = []
    for z in range(z0, z0 + zooms):
        out += [(t.z, t.x, t.y) for t in tms.tiles(w, s, e, n, [z])]
    return out, z0


def traces(tiles: list, z0: int, users: int, steps: int, seed: int = 0) -> list[list[list[tuple]]]:
    """Per user, a list of viewports (4 x 3 tiles each): a seeded random walk of pans and zooms."""
    rng = random.Random(seed)
    by_z: dict[int, list] = {}
    for t in tiles:
        by_z.setdefault(t[0], []).append(t)
    out = []
    for _ in range(users):
        z = z0 + rng.randrange(0, 3)
        cx, cy = rng.choice(by_z[z])[1:]
        views = []
        for _ in range(steps):
            views.append([(z, cx + dx, cy + dy) for dy in (-1, 0, 1) for dx in (-2, -1, 0, 1)])
            move = rng.random()
            if move < 0.2 and z < z0 + 2:
                z, cx, cy = z + 1, cx * 2, cy * 2
            elif move < 0.35 and z > z0:
                z, cx, cy = z - 1, cx // 2, cy // 2
            else:
                xs = [t[1] for t in by_z[z]]
                ys = [t[2] for t in by_z[z]]
                cx = min(max(cx + rng.choice((-1, 0, 1)), min(xs)), max(xs))
                cy = min(max(cy + rng.choice((-1, 0, 1)), min(ys)), max(ys))
        out.append(views)
    return out


# ---- servers ------------------------------------------------------------------------------------------

def serve_kawasan(port: int, data: str, home: str, cache: str) -> None:
    import uvicorn

    before = os.environ.get("KAWASAN_BENCH_SRC")
    if before:  # an older source tree (--before-src), served as it was: uvicorn's pure-Python HTTP parser
        sys.path.insert(0, before)

    from kawasan.tracker import Settings
    from kawasan.web.app import create_app
    from kawasan.web.settings import WebSettings

    settings = Settings.in_folder(Path(home))
    app = create_app(settings, WebSettings(data_dir=Path(data), tile_cache=int(cache)), background=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                http="h11" if before else "auto")


def serve_titiler(port: int) -> None:
    import uvicorn
    from fastapi import FastAPI
    from titiler.core.errors import DEFAULT_STATUS_CODES, add_exception_handlers
    from titiler.core.factory import TilerFactory

    app = FastAPI()
    app.include_router(TilerFactory().router)
    add_exception_handlers(app, DEFAULT_STATUS_CODES)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def bench_token(home: Path) -> str:
    from kawasan.tracker import ProjectService, Settings

    svc = ProjectService(Settings.in_folder(home), user="admin")
    try:
        names = {u["username"] for u in svc.list_users()}
        if "admin" not in names and not svc.embedded:
            svc.add_user("admin", "administrator")
        if TOKEN_USER not in names:
            svc.add_user(TOKEN_USER, "viewer", actor="admin")
        return svc.create_token(TOKEN_USER, f"bench-{time.time_ns()}", actor=TOKEN_USER)["token"]
    finally:
        svc.close()


class Server:
    def __init__(self, args: list[str], env: dict | None = None):
        env = {k: v for k, v in (env or {}).items() if v is not None}
        self.port = free_port()
        self.log = WORK / f"server-{args[0].strip('_')}-{self.port}.log"
        self._fh = self.log.open("w")  # a file, not a pipe: a chatty server must never block on a full pipe
        self.proc = subprocess.Popen([PY, __file__, *args[:1], str(self.port), *args[1:]],
                                     env={**os.environ, **env}, stdout=self._fh, stderr=self._fh, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server {args[0]} did not start: {self.log.read_text()[:2000]}")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self._fh.close()


# ---- clients ------------------------------------------------------------------------------------------

def get(conn: http.client.HTTPConnection, path: str, headers: dict) -> tuple[int, float, int]:
    t = time.perf_counter()
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    return r.status, (time.perf_counter() - t) * 1000.0, len(body)


def sequential(port: int, paths: list[str], headers: dict) -> list[float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    out = []
    for p in paths:
        status, ms, _ = get(conn, p, headers)
        if status == 200:
            out.append(ms)
    conn.close()
    return out


def load(port: int, user_views: list, url_of, headers: dict, seconds: float) -> dict:
    """Every user replays its viewports (loops) on its own keep-alive connection until the time is up."""
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def user(views):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, bad = [], 0
        i = 0
        while time.monotonic() < stop:
            for t in views[i % len(views)]:
                try:
                    status, ms, _ = get(conn, url_of(*t), headers)
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    bad += 1
                    continue
                if status in (200, 404):  # 404: a tile of the viewport outside the layer (both servers alike)
                    mine.append(ms)
                else:
                    bad += 1
            i += 1
        conn.close()
        with lock:
            lat.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=user, args=(v,)) for v in user_views]
    t0 = time.monotonic()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return summary(lat) | {"errors": errors[0], "rps": round(len(lat) / (time.monotonic() - t0), 1)}


def summary(ms: list[float]) -> dict:
    if not ms:
        return {"n": 0}
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {"n": len(ms), "p50": round(q[49], 1), "p95": round(q[94], 1), "p99": round(q[98], 1),
            "mean": round(statistics.fmean(ms), 1)}


# ---- the run ------------------------------------------------------------------------------------------

def contenders(run: Path, data_root: Path, run_id: str, token: str, before: str | None = None):
    k_headers = {"Authorization": f"Bearer {token}"}
    t_query = f"?url={run / 'score.tif'}&rescale=0,1&colormap_name=rdylgn"

    def kawasan_url(z, x, y):
        return f"/api/v1/runs/{run_id}/tiles/score/{z}/{x}/{y}.png"

    def titiler_url(z, x, y):
        return f"/tiles/WebMercatorQuad/{z}/{x}/{y}.png{t_query}"

    out = [("kawasan", kawasan_url, k_headers, {"KAWASAN_TILE_CACHE": "2048"}, "2048"),
           ("kawasan (cache off)", kawasan_url, k_headers, {}, "0"),
           ("TiTiler", titiler_url, {}, None, None)]
    if before:
        out.insert(1, ("kawasan before", kawasan_url, k_headers, {"KAWASAN_BENCH_SRC": before}, "2048"))
    return out


def bench_dataset(name: str, run: Path, data_root: Path, run_id: str, token: str, home: Path, a) -> dict:
    tiles, z0 = tiles_of(run)
    views = traces(tiles, z0, a.users, steps=20)
    out = {"run": name, "tiles": len(tiles), "zooms": [z0, z0 + 2], "contenders": {}}
    for label, url_of, headers, env, cache in contenders(run, data_root, run_id, token, a.before_src):
        args = ["_kawasan", str(data_root), str(home), cache] if cache is not None else ["_titiler"]
        srv = Server(args, env)
        try:
            paths = [url_of(*t) for t in tiles]
            cold = sequential(srv.port, paths, headers)
            warm = sequential(srv.port, paths, headers)
            loaded = load(srv.port, views, url_of, headers, a.seconds)
        finally:
            srv.stop()
        out["contenders"][label] = {"cold": summary(cold), "warm": summary(warm), "load": loaded}
        print(f"   {name:10s} {label:20s} cold p50 {out['contenders'][label]['cold'].get('p50')} ms "
              f"p95 {out['contenders'][label]['cold'].get('p95')} ms | warm p50 {out['contenders'][label]['warm'].get('p50')}"
              f" p95 {out['contenders'][label]['warm'].get('p95')} | {a.users} users: p50 {loaded.get('p50')} "
              f"p95 {loaded.get('p95')} p99 {loaded.get('p99')} ms, {loaded['rps']} tiles/s, {loaded['errors']} errors",
              flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=10000, help="the pipeline run's grid is SIZE x SIZE (default 10000)")
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--skip-big", action="store_true", help="only the demo run")
    ap.add_argument("--before-src", default=None, metavar="DIR",
                    help="also serve kawasan from this older src/ folder (e.g. `git archive` of the commit before "
                         "a change), with uvicorn's pure-Python parser as it then ran: before/after in one run")
    a = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    data_root = WORK / "data"
    home = WORK / "home"
    home.mkdir(parents=True, exist_ok=True)
    print(f"== kawasan tile benchmark ({machine.describe()})", flush=True)
    token = bench_token(home)
    runs = [("demo", demo_run(data_root), "demo~runs~apht")]
    if not a.skip_big:
        t = time.perf_counter()
        runs.append((f"{a.size}x{a.size}", big_run(data_root, a.size), f"pipeline-{a.size}~run"))
        print(f"   the {a.size} x {a.size} run is ready ({time.perf_counter() - t:.0f} s)", flush=True)
    results = {"machine": machine.describe(), "users": a.users, "seconds": a.seconds,
               "started": time.strftime("%Y-%m-%d %H:%M:%S"), "datasets": []}
    for name, run, run_id in runs:
        results["datasets"].append(bench_dataset(name, run, data_root, run_id, token, home, a))
    (WORK / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"   results: {WORK / 'results.json'}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_kawasan":
        serve_kawasan(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
    elif len(sys.argv) > 1 and sys.argv[1] == "_titiler":
        serve_titiler(int(sys.argv[2]))
    else:
        main()
