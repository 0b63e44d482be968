#!/usr/bin/env python3
"""The cost of one cached map tile request inside the server, without the network: the ASGI app (the same
``create_app`` as ``kawasan serve``) called in-process with an API token, on the demo run of
benchmarks/tiles.py; prints the mean per request and a cProfile of the same requests.

    .venv/bin/python benchmarks/tile_profile.py [N]            # N requests (default 1000)
"""
from __future__ import annotations

import asyncio
import cProfile
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import tiles as bench  # noqa: E402


def main(n: int) -> None:
    from kawasan.tracker import Settings
    from kawasan.web.app import create_app
    from kawasan.web.settings import WebSettings

    bench.WORK.mkdir(parents=True, exist_ok=True)
    data_root, home = bench.WORK / "data", bench.WORK / "home"
    home.mkdir(parents=True, exist_ok=True)
    run = bench.demo_run(data_root)
    token = bench.bench_token(home)
    app = create_app(Settings.in_folder(home), WebSettings(data_dir=data_root, tile_cache=2048), background=False)
    tiles, _ = bench.tiles_of(run)
    paths = [f"/api/v1/runs/demo~runs~apht/tiles/score/{z}/{x}/{y}.png" for z, x, y in tiles]

    async def call(path: str) -> int:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
                 "headers": [(b"host", b"bench"), (b"authorization", f"Bearer {token}".encode())],
                 "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {}}
        sent = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)
        await app(scope, receive, send)
        return sent[0]["status"]

    async def run_all() -> None:
        async with app.router.lifespan_context(app):
            assert {await call(p) for p in paths} <= {200, 404}  # every tile rendered once: the cache is warm
            t = time.perf_counter()
            for i in range(n):
                await call(paths[i % len(paths)])
            print(f"{n} cached tile requests in-process: {(time.perf_counter() - t) / n * 1e3:.3f} ms each")
            prof = cProfile.Profile()
            prof.enable()
            for i in range(n):
                await call(paths[i % len(paths)])
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(25)

    asyncio.run(run_all())


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
