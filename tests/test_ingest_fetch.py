"""kawasan data fetch against a local HTTP server (stdlib http.server) serving small fixture files.

The server supports Range/If-Range, and can drop a connection midway, answer 404 for a sea tile,
publish a wrong checksum or ignore Range. Nothing here touches the internet.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import osmium
import pytest
import rasterio
import yaml
from affine import Affine
from rasterio.io import MemoryFile
from shapely.geometry import box

from kawasan.cli.main import cli
from kawasan.spatial.ingest.fetch import choose_extract, fetch_area, widen
from kawasan.spatial.ingest.fetch_sources import load_sources, packaged_sources_path, tile_fields, tiles_for

ROOT = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------------------------------ fixtures


def tiny_geotiff(lat: int, lon: int) -> bytes:
    """A 60 x 60 float32 GeoTIFF on the one-degree tile with south-west corner (lat, lon) (synthetic)."""
    n = 60
    arr = (np.arange(n * n, dtype=np.float32).reshape(n, n) % 97) + 10 * (lat + lon)
    with MemoryFile() as mem:
        with mem.open(driver="GTiff", width=n, height=n, count=1, dtype="float32", crs="EPSG:4326",
                      transform=Affine(1 / n, 0, lon, 0, -1 / n, lat + 1), nodata=-32767.0) as ds:
            ds.write(arr, 1)
        return mem.read()


def tiny_pbf(tmp: Path) -> bytes:
    """A small OSM PBF (synthetic, a few kB): a 40 x 25 grid of jittered nodes and 25 tagged ways."""
    rng = np.random.default_rng(7)
    path = tmp / "fixture.osm.pbf"
    ni, nj = 40, 25
    with osmium.SimpleWriter(str(path)) as w:
        for i in range(ni):
            for j in range(nj):
                nid = i * nj + j + 1
                lon, lat = 113.0 + i * 0.01 + rng.uniform(0, 0.005), -7.95 + j * 0.01 + rng.uniform(0, 0.005)
                w.add_node(osmium.osm.mutable.Node(id=nid, location=(lon, lat),
                                                   tags={"name": f"titik {rng.integers(1e9)}"} if nid % 3 == 0 else {}))
        for k in range(nj):
            refs = [m * nj + k + 1 for m in range(ni)]          # one row of the grid
            tags = {"highway": "primary" if k % 2 else "residential", "name": f"Jalan {k}"}
            w.add_way(osmium.osm.mutable.Way(id=k + 1, nodes=refs, tags=tags))
    return path.read_bytes()


@dataclass
class Route:
    data: bytes
    status: int = 200
    drop_after: int | None = None   # send only this many bytes of the body, then close the connection
    drops: int = 0                  # how many requests are dropped that way
    ranges: bool = True             # honour Range requests


class Server:
    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.log: list[dict] = []
        state = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                state.log.append({"path": self.path, "range": self.headers.get("Range"),
                                  "if_range": self.headers.get("If-Range"), "ua": self.headers.get("User-Agent")})
                r = state.routes.get(self.path)
                if r is None or r.status != 200:
                    body = b"not here"
                    self.send_response(404 if r is None else r.status)
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body)
                    return
                data = r.data
                etag = '"' + hashlib.md5(data).hexdigest() + '"'
                start = 0
                rng = self.headers.get("Range")
                if rng and r.ranges:
                    m = re.fullmatch(r"bytes=(\d+)-", rng)
                    ir = self.headers.get("If-Range")
                    if m and (ir is None or ir == etag):
                        start = int(m.group(1))
                        if start >= len(data):
                            self.send_response(416)
                            self.send_header("Content-Range", f"bytes */{len(data)}")
                            self.send_header("Content-Length", "0")
                            self.send_header("Connection", "close")
                            self.end_headers()
                            return
                body = data[start:]
                self.send_response(206 if start else 200)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Accept-Ranges", "bytes")
                if start:
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                self.send_header("Connection", "close")
                self.end_headers()
                if r.drops > 0 and r.drop_after is not None:
                    r.drops -= 1
                    self.wfile.write(body[: r.drop_after])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)
        self.thread.start()

    def requests(self, path: str) -> list[dict]:
        return [e for e in self.log if e["path"] == path]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


BOUNDARY = box(113.0, -8.1, 113.6, -7.7)         # with a 5 km buffer: tiles S09/S08 x E112/E113
TILES = {"S08E113": (-8, 113), "S08E112": (-8, 112), "S09E113": (-9, 113)}   # S09E112: open sea (404)
JAVA = "/asia/indonesia/java-latest.osm.pbf"


def cop(name: str) -> str:
    """The Copernicus name of an SRTM-style tile name (S08E113 -> Copernicus_DSM_COG_10_S08_00_E113_00_DEM)."""
    return f"Copernicus_DSM_COG_10_{name[0:3]}_00_{name[3:7]}_00_DEM"


def index_doc(base: str) -> dict:
    def feat(id_, parent, name, bounds, pbf):
        return {"type": "Feature", "properties": {"id": id_, "parent": parent, "name": name,
                                                  "urls": {"pbf": base + pbf}},
                "geometry": box(*bounds).__geo_interface__}
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"id": "planet", "name": "Planet", "urls": {"pbf": base + "/planet.pbf"}},
         "geometry": None},
        feat("asia", None, "Asia", (60, -15, 150, 60), "/asia-latest.osm.pbf"),
        feat("indonesia", "asia", "Indonesia (with East Timor)", (94, -11, 142, 6.5), "/asia/indonesia-latest.osm.pbf"),
        feat("java", "indonesia", "Java", (105, -9, 115, -5.5), JAVA),
        feat("sulawesi", "indonesia", "Sulawesi", (118, -6, 126, 2), "/asia/indonesia/sulawesi-latest.osm.pbf"),
    ]}


@pytest.fixture(scope="module")
def payload(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("payload")
    return {"pbf": tiny_pbf(tmp), "tiles": {n: tiny_geotiff(*ll) for n, ll in TILES.items()}}


@pytest.fixture
def server(payload):
    s = Server()
    s.routes["/index-v1.json"] = Route(json.dumps(index_doc(s.base)).encode())
    s.routes[JAVA] = Route(payload["pbf"])
    s.routes[JAVA + ".md5"] = Route(f"{hashlib.md5(payload['pbf']).hexdigest()}  java-latest.osm.pbf\n".encode())
    for n, data in payload["tiles"].items():
        s.routes[f"/dem/{cop(n)}/{cop(n)}.tif"] = Route(data)
        s.routes[f"/skadi/{n[:3]}/{n}.hgt.gz"] = Route(gzip.compress(data))
    yield s
    s.close()


def write_sources(path: Path, base: str, **over) -> Path:
    """The packaged sources.yaml pointed at the local server (retries without waiting)."""
    cfg = yaml.safe_load(packaged_sources_path().read_text())
    cfg["osm"]["index_url"] = base + "/index-v1.json"
    cfg["dem"]["copernicus"]["url"] = base + "/dem/{name}/{name}.tif"
    cfg["dem"]["copernicus"]["tile_list"] = None
    cfg["dem"]["srtm"]["url"] = base + "/skadi/{NS}{lat2}/{name}.hgt.gz"
    cfg["retry_wait_s"] = 0
    cfg["timeout_s"] = 5
    for k, v in over.items():
        node = cfg
        keys = k.split(".")
        for kk in keys[:-1]:
            node = node[kk]
        node[keys[-1]] = v
    path.write_text(yaml.safe_dump(cfg))
    return path


@pytest.fixture
def boundary_file(tmp_path) -> Path:
    p = tmp_path / "kabupaten.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nama": "Kabupaten Uji (synthetic)"},
         "geometry": BOUNDARY.__geo_interface__},
        {"type": "Feature", "properties": {"nama": "Kabupaten Lain (synthetic)"},
         "geometry": box(114.0, -8.3, 114.4, -8.0).__geo_interface__}]}))
    return p


def invoke(runner, boundary, out, sources, cache, *extra):
    return runner.invoke(cli, ["data", "fetch", "--boundary", str(boundary), "--where",
                               "nama = 'Kabupaten Uji (synthetic)'", "--out", str(out), "--sources", str(sources),
                               "--cache", str(cache), *extra])


def leftovers(*folders) -> list[Path]:
    return [p for f in folders if Path(f).exists() for p in Path(f).rglob("*")
            if p.name.endswith((".part", ".part.json", ".lock")) or ".tmp-" in p.name]


# ------------------------------------------------------------------------------------------ tests


def test_full_download_places_verified_files_and_reports_the_sea_tile(runner, server, payload, tmp_path,
                                                                      boundary_file):
    out, cache = tmp_path / "out", tmp_path / "cache"
    res = invoke(runner, boundary_file, out, write_sources(tmp_path / "s.yaml", server.base), cache, "--json")
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert rec == json.loads((out / "fetch.json").read_text()) | {"out": str(out)}
    assert (out / "osm" / "java-latest.osm.pbf").read_bytes() == payload["pbf"]
    assert rec["osm"]["extract"]["id"] == "java"                       # the smallest covering extract
    assert rec["osm"]["checksum"] == {"kind": "md5-file", "expected": hashlib.md5(payload["pbf"]).hexdigest(),
                                      "url": server.base + JAVA + ".md5", "verified": True}
    assert rec["osm"]["sha256"] == hashlib.sha256(payload["pbf"]).hexdigest()
    tiles = {t["name"]: t for t in rec["dem"]["tiles"]}
    assert set(tiles) == {cop(n) for n in [*TILES, "S09E112"]}
    sea = tiles[cop("S09E112")]
    assert sea["status"] == "missing" and "404" in sea["reason"]
    assert rec["dem"]["missing"] == [cop("S09E112")]
    assert rec["dem"]["boundary_share_without_tile"] == 0.0             # the sea tile is outside the boundary
    for n in TILES:
        t = tiles[cop(n)]
        assert t["status"] == "downloaded"
        assert (out / t["path"]).read_bytes() == payload["tiles"][n]
        with rasterio.open(out / t["path"]) as ds:
            assert ds.crs.to_epsg() == 4326
    assert sum(1 for o in osmium.FileProcessor(str(out / "osm" / "java-latest.osm.pbf")) if o.is_way()) == 25
    cmd = rec["next_command"]
    assert cmd.startswith("kawasan data prepare --boundary ") and "--where" in cmd
    assert cmd.count("--dem ") == 3 and str(out / "osm" / "java-latest.osm.pbf") in cmd
    assert all(e["ua"].startswith("kawasan/") for e in server.log)
    assert not leftovers(out, cache)
    # every key of the record is documented in docs/reference/data-sources.md
    doc = (ROOT / "docs" / "reference" / "data-sources.md").read_text()
    documented = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_.-]*)`", doc))

    def keys(node, prefix=""):
        items = node.items() if isinstance(node, dict) else ()
        for k, v in items:
            yield prefix, k
            for sub in (v if isinstance(v, list) else [v]):
                yield from keys(sub, k if not prefix else f"{prefix}.{k}")

    undocumented = sorted({f"{p}.{k}" if p else k for p, k in keys(rec)
                           if k not in documented and f"{p}.{k}" not in documented})
    assert not undocumented, f"fetch.json keys not documented: {undocumented}"


def test_second_run_is_served_from_the_cache_without_any_request(runner, server, tmp_path, boundary_file):
    out, cache = tmp_path / "out", tmp_path / "cache"
    sources = write_sources(tmp_path / "s.yaml", server.base)
    assert invoke(runner, boundary_file, out, sources, cache).exit_code == 0
    n = len(server.log)
    res = invoke(runner, boundary_file, tmp_path / "out2", sources, cache, "--json")
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert server.log[n:] == []                    # not even the 404 sea tile: that answer is cached too
    assert rec["osm"]["status"] == "cached"
    assert {t["status"] for t in rec["dem"]["tiles"]} == {"cached", "missing"}
    sea = next(t for t in rec["dem"]["tiles"] if t["status"] == "missing")
    assert "404" in sea["reason"] and "cached" in sea["reason"]
    # --refresh asks again
    res = invoke(runner, boundary_file, tmp_path / "out3", sources, cache, "--refresh", "--no-osm")
    assert res.exit_code == 0 and len(server.requests(f"/dem/{cop('S09E112')}/{cop('S09E112')}.tif")) == 2


def test_a_dropped_connection_resumes_with_a_range_request(runner, server, payload, tmp_path, boundary_file):
    server.routes[JAVA].drop_after, server.routes[JAVA].drops = 1000, 1
    out, cache = tmp_path / "out", tmp_path / "cache"
    res = invoke(runner, boundary_file, out, write_sources(tmp_path / "s.yaml", server.base), cache, "--json")
    assert res.exit_code == 0, res.output
    reqs = server.requests(JAVA)
    assert [r["range"] for r in reqs] == [None, "bytes=1000-"]
    assert reqs[1]["if_range"] == '"' + hashlib.md5(payload["pbf"]).hexdigest() + '"'
    assert (out / "osm" / "java-latest.osm.pbf").read_bytes() == payload["pbf"]
    assert json.loads(res.output)["osm"]["checksum"]["verified"] is True


def test_a_broken_download_is_kept_as_part_and_the_next_run_fetches_only_the_rest(runner, server, payload, tmp_path,
                                                                                  boundary_file):
    server.routes[JAVA].drop_after, server.routes[JAVA].drops = 1500, 1
    out, cache = tmp_path / "out", tmp_path / "cache"
    sources = write_sources(tmp_path / "s.yaml", server.base, retries=0)
    res = invoke(runner, boundary_file, out, sources, cache)
    assert res.exit_code == 2
    assert server.base + JAVA in res.output and "run the command again" in res.output
    final = cache / f"127.0.0.1_{server.base.rsplit(':', 1)[1]}" / "asia" / "indonesia" / "java-latest.osm.pbf"
    part = final.with_name(final.name + ".part")
    assert part.stat().st_size == 1500 and not final.exists()
    assert not (out / "osm").exists()                                  # nothing half-written in the output
    res = invoke(runner, boundary_file, out, sources, cache, "--json")
    assert res.exit_code == 0, res.output
    assert [r["range"] for r in server.requests(JAVA)] == [None, "bytes=1500-"]
    assert final.read_bytes() == payload["pbf"] and not part.exists()
    osm = json.loads(res.output)["osm"]
    assert osm["resumed_from"] == 1500 and osm["checksum"]["verified"] is True


def test_a_changed_file_on_the_server_is_not_spliced_onto_an_old_part(runner, server, payload, tmp_path,
                                                                      boundary_file):
    server.routes[JAVA].drop_after, server.routes[JAVA].drops = 1500, 1
    out, cache = tmp_path / "out", tmp_path / "cache"
    sources = write_sources(tmp_path / "s.yaml", server.base, retries=0)
    assert invoke(runner, boundary_file, out, sources, cache).exit_code == 2
    new = payload["pbf"] + b"\0" * 10          # the extract was updated in between (ETag changes)
    server.routes[JAVA] = Route(new)
    server.routes[JAVA + ".md5"] = Route(hashlib.md5(new).hexdigest().encode())
    res = invoke(runner, boundary_file, out, sources, cache)
    assert res.exit_code == 0, res.output
    assert server.requests(JAVA)[-1]["range"] == "bytes=1500-"        # asked for the rest, If-Range refused it
    assert (out / "osm" / "java-latest.osm.pbf").read_bytes() == new


def test_a_server_that_ignores_range_gives_the_whole_file_again(runner, server, payload, tmp_path, boundary_file):
    server.routes[JAVA].drop_after, server.routes[JAVA].drops, server.routes[JAVA].ranges = 700, 1, False
    out = tmp_path / "out"
    res = invoke(runner, boundary_file, out, write_sources(tmp_path / "s.yaml", server.base), tmp_path / "c")
    assert res.exit_code == 0, res.output
    assert (out / "osm" / "java-latest.osm.pbf").read_bytes() == payload["pbf"]


def test_checksum_mismatch_is_an_error_and_the_bad_file_is_not_kept(runner, server, tmp_path, boundary_file):
    server.routes[JAVA + ".md5"] = Route(b"0123456789abcdef0123456789abcdef  java-latest.osm.pbf\n")
    out, cache = tmp_path / "out", tmp_path / "cache"
    res = invoke(runner, boundary_file, out, write_sources(tmp_path / "s.yaml", server.base), cache, "--json")
    assert res.exit_code == 2
    err = json.loads(res.output.strip().splitlines()[-1])
    assert err["error"] == "ChecksumError" and err["source"] == server.base + JAVA
    assert "0123456789abcdef0123456789abcdef" in err["message"]
    assert not [p for p in cache.rglob("java-latest*")]                 # neither final, .part nor record
    assert not (out / "osm").exists() and not (out / "fetch.json").exists()


def test_a_malformed_checksum_file_is_refused(runner, server, tmp_path, boundary_file):
    server.routes[JAVA + ".md5"] = Route(b"<html>maintenance</html>")
    res = invoke(runner, boundary_file, tmp_path / "o", write_sources(tmp_path / "s.yaml", server.base), tmp_path / "c")
    assert res.exit_code == 2 and "md5-file" in res.output and JAVA + ".md5" in res.output


def test_an_unreachable_server_is_a_clear_error_naming_the_url(runner, tmp_path, boundary_file):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]                                       # closed again: nobody listens there
    base = f"http://127.0.0.1:{port}"
    out = tmp_path / "out"
    res = invoke(runner, boundary_file, out, write_sources(tmp_path / "s.yaml", base, retries=1), tmp_path / "c",
                 "--json")
    assert res.exit_code == 2
    err = json.loads(res.output.strip().splitlines()[-1])
    assert err["error"] == "DownloadError" and err["source"] == base + "/index-v1.json"
    assert "cannot reach" in err["message"]
    assert not out.exists() or not any(out.iterdir())


def test_http_error_on_the_extract_is_an_error_not_a_missing_tile(runner, server, tmp_path, boundary_file):
    del server.routes[JAVA]
    res = invoke(runner, boundary_file, tmp_path / "o", write_sources(tmp_path / "s.yaml", server.base), tmp_path / "c")
    assert res.exit_code == 2 and server.base + JAVA in res.output


def test_tiles_absent_from_the_tile_list_are_not_requested(runner, server, tmp_path, boundary_file):
    server.routes["/tileList.txt"] = Route("\n".join(cop(n) for n in TILES).encode() + b"\n")
    sources = write_sources(tmp_path / "s.yaml", server.base,
                            **{"dem.copernicus.tile_list": server.base + "/tileList.txt"})
    res = invoke(runner, boundary_file, tmp_path / "out", sources, tmp_path / "c", "--json", "--no-osm")
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert rec["osm"] is None
    sea = next(t for t in rec["dem"]["tiles"] if t["name"] == cop("S09E112"))
    assert sea["status"] == "missing" and "tile list" in sea["reason"]
    assert not server.requests(f"/dem/{cop('S09E112')}/{cop('S09E112')}.tif")
    assert "--osm" not in rec["next_command"]


def test_srtm_tiles_are_gunzipped_to_hgt_names(runner, server, payload, tmp_path, boundary_file):
    out = tmp_path / "out"
    res = invoke(runner, boundary_file, out, write_sources(tmp_path / "s.yaml", server.base), tmp_path / "c",
                 "--dem", "srtm", "--no-osm", "--json")
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert (out / "dem" / "S08E113.hgt").read_bytes() == payload["tiles"]["S08E113"]
    t = next(t for t in rec["dem"]["tiles"] if t["name"] == "S08E113")
    assert t["sha256"] == hashlib.sha256(payload["tiles"]["S08E113"]).hexdigest()
    assert {t["name"] for t in rec["dem"]["tiles"] if t["status"] == "missing"} == {"S09E112"}


def test_no_tile_at_all_is_an_error(runner, server, tmp_path, boundary_file):
    for k in [k for k in server.routes if k.startswith("/dem/")]:
        del server.routes[k]
    res = invoke(runner, boundary_file, tmp_path / "out", write_sources(tmp_path / "s.yaml", server.base),
                 tmp_path / "c", "--no-osm")
    assert res.exit_code == 2 and "none of the 4 DEM tile(s)" in res.output
    assert not (tmp_path / "out" / "fetch.json").exists()


def test_a_corrupted_cache_entry_is_downloaded_again(runner, server, payload, tmp_path, boundary_file):
    out, cache = tmp_path / "out", tmp_path / "cache"
    sources = write_sources(tmp_path / "s.yaml", server.base)
    assert invoke(runner, boundary_file, out, sources, cache, "--no-osm").exit_code == 0
    f = next(cache.rglob(f"{cop('S08E113')}.tif"))
    (out / "dem" / f"{cop('S08E113')}.tif").unlink()                  # drop the hard link first
    f.write_bytes(b"X" * f.stat().st_size)                             # same size, wrong bytes
    n = len(server.requests(f"/dem/{cop('S08E113')}/{cop('S08E113')}.tif"))
    res = invoke(runner, boundary_file, out, sources, cache, "--no-osm", "--json")
    assert res.exit_code == 0, res.output
    assert len(server.requests(f"/dem/{cop('S08E113')}/{cop('S08E113')}.tif")) == n + 1
    assert (out / "dem" / f"{cop('S08E113')}.tif").read_bytes() == payload["tiles"]["S08E113"]


def test_a_stale_index_is_used_with_a_warning_when_the_server_is_gone(runner, server, tmp_path, boundary_file):
    cache = tmp_path / "cache"
    sources = write_sources(tmp_path / "s.yaml", server.base, **{"osm.index_max_age_days": 0})
    assert invoke(runner, boundary_file, tmp_path / "o1", sources, cache, "--dem", "none").exit_code == 0
    del server.routes["/index-v1.json"]
    server.routes["/index-v1.json"] = Route(b"", status=503)
    res = invoke(runner, boundary_file, tmp_path / "o2", sources, cache, "--dem", "none", "--json")
    assert res.exit_code == 0, res.output
    assert any("extract index" in w for w in json.loads(res.output)["warnings"])


def test_refresh_downloads_again(runner, server, tmp_path, boundary_file):
    sources = write_sources(tmp_path / "s.yaml", server.base)
    cache = tmp_path / "cache"
    assert invoke(runner, boundary_file, tmp_path / "o", sources, cache, "--dem", "none").exit_code == 0
    res = invoke(runner, boundary_file, tmp_path / "o", sources, cache, "--dem", "none", "--refresh", "--json")
    assert res.exit_code == 0 and json.loads(res.output)["osm"]["status"] == "downloaded"
    assert len(server.requests(JAVA)) == 2


def test_progress_is_reported_in_bytes(server, payload, tmp_path, boundary_file):
    seen = []
    fetch_area(boundary_file, tmp_path / "out", where="nama = 'Kabupaten Uji (synthetic)'", dem="none",
               sources=write_sources(tmp_path / "s.yaml", server.base), cache=tmp_path / "c",
               progress=lambda label, done, total: seen.append((label, done, total)))
    pbf = [s for s in seen if s[0] == "java-latest.osm.pbf"]
    assert pbf[-1] == ("java-latest.osm.pbf", len(payload["pbf"]), len(payload["pbf"]))
    assert [d for _, d, _ in pbf] == sorted(d for _, d, _ in pbf)


def test_human_output_in_indonesian(runner, server, tmp_path, boundary_file):
    res = runner.invoke(cli, ["--lang", "id", "data", "fetch", "--boundary", str(boundary_file), "--where",
                              "nama = 'Kabupaten Uji (synthetic)'", "--out", str(tmp_path / "o"), "--sources",
                              str(write_sources(tmp_path / "s.yaml", server.base)), "--cache", str(tmp_path / "c")])
    assert res.exit_code == 0, res.output
    assert "Selanjutnya" in res.output and "tidak ada" in res.output and "kawasan data prepare" in res.output
    assert "© OpenStreetMap contributors" in res.output


# ------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("edit, field", [
    ({"osm.index_urll": "x"}, "osm.index_urll"),
    ({"dem.copernicus.url": "https://x/{name}/{tile}.tif"}, "dem.copernicus.url"),
    ({"default_dem": "demnas"}, "default_dem"),
    ({"retries": -1}, "retries"),
    ({"osm.checksum.url": "https://x/sum.md5"}, "osm.checksum.url"),
])
def test_a_bad_sources_file_names_the_key(runner, tmp_path, boundary_file, edit, field):
    sources = write_sources(tmp_path / "s.yaml", "http://127.0.0.1:9", **edit)
    res = invoke(runner, boundary_file, tmp_path / "o", sources, tmp_path / "c", "--json")
    assert res.exit_code == 2, res.output
    err = json.loads(res.output.strip().splitlines()[-1])
    assert err["source"] == str(sources) and err["field"] == field


def test_unreadable_sources_file(runner, tmp_path, boundary_file):
    bad = tmp_path / "s.yaml"
    bad.write_text("version: [1\n")
    res = invoke(runner, boundary_file, tmp_path / "o", bad, tmp_path / "c")
    assert res.exit_code == 2 and "YAML" in res.output
    res = invoke(runner, boundary_file, tmp_path / "o", tmp_path / "nope.yaml", tmp_path / "c")
    assert res.exit_code == 2 and "not found" in res.output


def test_unknown_dem_source_lists_the_choices(runner, tmp_path, boundary_file):
    res = invoke(runner, boundary_file, tmp_path / "o", write_sources(tmp_path / "s.yaml", "http://127.0.0.1:9"),
                 tmp_path / "c", "--dem", "demnas")
    assert res.exit_code == 2 and "copernicus, srtm, none" in res.output


def test_nothing_to_fetch_is_refused(runner, tmp_path, boundary_file):
    res = invoke(runner, boundary_file, tmp_path / "o", write_sources(tmp_path / "s.yaml", "http://127.0.0.1:9"),
                 tmp_path / "c", "--dem", "none", "--no-osm")
    assert res.exit_code == 2 and "nothing to fetch" in res.output


def test_a_boundary_matching_several_features_is_refused_before_any_request(runner, server, tmp_path, boundary_file):
    res = runner.invoke(cli, ["data", "fetch", "--boundary", str(boundary_file), "--out", str(tmp_path / "o"),
                              "--sources", str(write_sources(tmp_path / "s.yaml", server.base)),
                              "--cache", str(tmp_path / "c")])
    assert res.exit_code == 2 and "Kabupaten Lain (synthetic)" in res.output
    assert server.log == []


def test_no_extract_covers_the_boundary(runner, server, tmp_path):
    far = tmp_path / "far.geojson"
    far.write_text(json.dumps({"type": "Feature", "properties": {"nama": "Far away (synthetic)"},
                               "geometry": box(-60.5, -10.5, -60.0, -10.0).__geo_interface__}))
    res = runner.invoke(cli, ["data", "fetch", "--boundary", str(far), "--out", str(tmp_path / "o"), "--sources",
                              str(write_sources(tmp_path / "s.yaml", server.base)), "--cache", str(tmp_path / "c")])
    assert res.exit_code == 2 and "no extract in the index covers" in res.output


# ------------------------------------------------------------------------------------------ units


def test_tile_names_follow_the_south_west_corner():
    cfg = load_sources()
    assert cfg.dem["copernicus"].tile_name(-8, 113) == "Copernicus_DSM_COG_10_S08_00_E113_00_DEM"
    assert cfg.dem["copernicus"].tile_url(-8, 113) == ("https://copernicus-dem-30m.s3.amazonaws.com/"
                                                        "Copernicus_DSM_COG_10_S08_00_E113_00_DEM/"
                                                        "Copernicus_DSM_COG_10_S08_00_E113_00_DEM.tif")
    assert cfg.dem["srtm"].tile_name(0, -1) == "N00W001"
    assert cfg.dem["srtm"].tile_name(-1, 0) == "S01E000"
    assert cfg.dem["srtm"].tile_file(5, 95) == "N05E095.hgt"
    assert tile_fields(-10, -179) == {"NS": "S", "lat2": "10", "EW": "W", "lon3": "179", "lat": -10, "lon": -179}


def test_tiles_for_counts_only_tiles_the_area_enters():
    assert tiles_for(box(113.2, -7.9, 113.4, -7.8)) == [(-8, 113)]
    # a boundary ending exactly on a degree line does not pull in the neighbour
    assert tiles_for(box(113.0, -8.0, 113.5, -7.5)) == [(-8, 113)]
    assert tiles_for(box(112.9, -8.1, 113.1, -7.9)) == [(-8, 112), (-8, 113), (-9, 112), (-9, 113)]
    # an L-shaped area skips the tile it only passes by in its bbox
    from shapely.geometry import Polygon
    ell = Polygon([(112.5, -8.5), (113.5, -8.5), (113.5, -8.4), (112.6, -8.4), (112.6, -7.5), (112.5, -7.5)])
    assert (-8, 113) not in tiles_for(ell) and len(tiles_for(ell)) == 3
    with pytest.raises(Exception, match="max_tiles"):
        tiles_for(box(100, -10, 110, 0), max_tiles=36)


def test_widen_is_at_least_the_buffer():
    from pyproj import Geod

    w = widen(BOUNDARY, 5000)
    geod = Geod(ellps="WGS84")
    # west-east and north-south gains measured on the ellipsoid
    _, _, dx = geod.inv(BOUNDARY.bounds[0], -7.9, w.bounds[0], -7.9)
    _, _, dy = geod.inv(113.3, BOUNDARY.bounds[1], 113.3, w.bounds[1])
    assert dx >= 5000 and dy >= 5000 and dx < 5100


def test_choose_extract_prefers_the_smallest_covering_one():
    doc = index_doc("http://x")
    area = box(113.0, -8.1, 113.6, -7.7)
    warnings = []
    assert choose_extract(doc, area, widen(area, 5000), "idx", warnings=warnings)["properties"]["id"] == "java"
    assert warnings == []
    # an area on the edge of Java's polygon: java covers the boundary only; the warning names indonesia
    edge = box(114.5, -8.1, 114.99, -7.7)
    assert choose_extract(doc, edge, widen(edge, 5000), "idx", warnings=warnings)["properties"]["id"] == "java"
    assert len(warnings) == 1 and "'indonesia' would" in warnings[0]
    assert choose_extract(doc, area, area, "idx", extract="sulawesi")["properties"]["id"] == "sulawesi"
    with pytest.raises(Exception, match="not in the index"):
        choose_extract(doc, area, area, "idx", extract="bali")
    with pytest.raises(Exception, match="no extract in the index covers"):
        choose_extract(doc, box(-61, -11, -60, -10), box(-61, -11, -60, -10), "idx")


def test_nothing_touches_the_network_at_import_or_in_other_commands(tmp_path):
    code = ("import socket\n"
            "def boom(*a, **k):\n    raise SystemExit('network used')\n"
            "socket.socket.connect = boom\nsocket.create_connection = boom\n"
            "import kawasan.cli.main, kawasan.spatial.ingest.fetch, kawasan.spatial.ingest.fetch_http\n"
            "from click.testing import CliRunner\n"
            "r = CliRunner().invoke(kawasan.cli.main.cli, ['data', 'fetch', '--help'])\n"
            "assert r.exit_code == 0, r.output\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr + res.stdout


def test_every_sources_key_is_documented():
    """docs/reference/data-sources.md lists every key of the packaged sources.yaml and of the schema."""
    from kawasan.spatial.ingest import fetch_sources as fs

    text = (ROOT / "docs" / "reference" / "data-sources.md").read_text()
    documented = set(re.findall(r"`([A-Za-z_][A-Za-z0-9_.-]*)`", text))

    def keys(node):
        if isinstance(node, dict):
            for k, v in node.items():
                yield str(k)
                yield from keys(v)

    packaged = set(keys(yaml.safe_load(packaged_sources_path().read_text())))
    schema = {f for cls in (fs.Sources, fs.OsmSource, fs.DemSource, fs.Checksum) for f in cls.model_fields}
    missing = sorted((packaged | schema) - documented)
    assert not missing, f"keys not documented in docs/reference/data-sources.md: {missing}"
    placeholders = set(tile_fields(0, 0)) | {"name", "url", "version"}
    assert all("{" + p + "}" in text for p in placeholders)
    # and every key in a table's first column exists
    listed = set(re.findall(r"^\| `([A-Za-z_][A-Za-z0-9_.]*)`", text, flags=re.M))
    fetch_keys = {"kind", "format_version", "fetched_at", "kawasan_version", "boundary", "area", "sources_file",
                  "cache",
                  "osm", "dem", "warnings", "next_command", "out"}
    from kawasan import errors
    from kawasan.spatial.ingest import fetch_http

    error_classes = {n for mod in (errors, fetch_http) for n, o in vars(mod).items()
                     if isinstance(o, type) and issubclass(o, errors.KawasanError)}
    unknown = sorted(k for k in listed if k.split(".")[-1] not in packaged | schema | fetch_keys | error_classes
                     and not re.fullmatch(r"(osm|dem|dem\.tiles\[\]|boundary|area)\.[a-z_0-9]+", k))
    assert not unknown, f"documented keys that do not exist: {unknown}"


def test_packaged_sources_are_valid_and_point_at_the_public_endpoints():
    cfg = load_sources()
    assert cfg.osm.index_url == "https://download.geofabrik.de/index-v1.json"
    assert cfg.osm.checksum.checksum_url("https://d/x.osm.pbf") == "https://d/x.osm.pbf.md5"
    assert cfg.default_dem == "copernicus" and set(cfg.dem) == {"copernicus", "srtm"}


def test_fetch_guide_commands_and_links_exist():
    page = ROOT / "docs" / "guide-fetch.md"
    text = page.read_text()
    for link in re.findall(r"\]\(([^)#]+)", text):
        assert link.startswith("http") or (page.parent / link).resolve().exists(), f"broken link {link}"
    found = re.findall(r"(?m)^kawasan ((?:[a-z-]+ ?)+)", text)
    assert any(f.startswith("data fetch") for f in found)
    for line in found:
        cmd = cli
        for w in line.split():
            if not hasattr(cmd, "commands") or w not in cmd.commands:
                break
            cmd = cmd.commands[w]
        assert cmd is not cli, f"guide mentions unknown command: kawasan {line}"
    # the options the guide uses are options of kawasan data fetch
    fetch = cli.commands["data"].commands["fetch"]
    names = {o for p in fetch.params for o in p.opts + p.secondary_opts}
    block = text.split("## 2.")[0]
    for opt in set(re.findall(r"(--[a-z-]+)", block)):
        assert opt in names, f"guide section 1 uses {opt}, not an option of kawasan data fetch"


def test_a_missing_checksum_file_is_an_error(runner, server, tmp_path, boundary_file):
    del server.routes[JAVA + ".md5"]
    out = tmp_path / "o"
    res = invoke(runner, boundary_file, out, write_sources(tmp_path / "s.yaml", server.base), tmp_path / "c",
                 "--dem", "none")
    assert res.exit_code == 2 and "checksum file is missing" in res.output and JAVA + ".md5" in res.output
    assert not server.requests(JAVA)                                    # the extract itself was not downloaded


def test_a_server_error_is_retried(runner, server, payload, tmp_path, boundary_file):
    tile = f"/dem/{cop('S08E113')}/{cop('S08E113')}.tif"
    good = server.routes[tile]
    calls = {"n": 0}

    class Flaky(dict):
        def get(self, key, default=None):
            if key == tile:
                calls["n"] += 1
                return Route(b"", status=503) if calls["n"] == 1 else good
            return super().get(key, default)

    server.routes = Flaky(server.routes)
    out = tmp_path / "o"
    res = invoke(runner, boundary_file, out, write_sources(tmp_path / "s.yaml", server.base), tmp_path / "c",
                 "--no-osm")
    assert res.exit_code == 0, res.output
    assert calls["n"] == 2 and (out / "dem" / f"{cop('S08E113')}.tif").read_bytes() == payload["tiles"]["S08E113"]


def test_two_runs_never_download_the_same_file_at_once(server, tmp_path):
    from kawasan.spatial.ingest.fetch_http import DownloadError, HttpSettings, download, download_lock

    target = tmp_path / "c" / "java-latest.osm.pbf"
    target.parent.mkdir()
    with download_lock(target):
        with pytest.raises(DownloadError, match="another kawasan data fetch"):
            download(server.base + JAVA, target, HttpSettings(user_agent="t", retries=0))
    assert not server.requests(JAVA)
    got = download(server.base + JAVA, target, HttpSettings(user_agent="t", retries=0))   # released: works
    assert got.status == "downloaded" and target.is_file()


@pytest.mark.shared_data
def test_real_probolinggo_boundary_needs_four_tiles_and_java(runner, server, tmp_path, shared_data):
    """The real Kabupaten Probolinggo boundary (bbox 112.926..113.644 E, 8.028..7.676 S) with the 5 km
    buffer reaches south of 8 S and west of 113 E: tiles S08/S09 x E112/E113; the extract is Java.
    The files served are the synthetic fixtures."""
    out = tmp_path / "out"
    res = runner.invoke(cli, ["data", "fetch", "--boundary", str(shared_data / "boundaries" / "jatim_kabkota.geojson"),
                              "--where", "nama = 'Kabupaten Probolinggo'", "--out", str(out),
                              "--sources", str(write_sources(tmp_path / "s.yaml", server.base)),
                              "--cache", str(tmp_path / "c"), "--json"])
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert rec["boundary"]["name"] == "Kabupaten Probolinggo"
    assert rec["osm"]["extract"]["id"] == "java"
    assert sorted(t["name"] for t in rec["dem"]["tiles"]) == sorted(cop(n) for n in [*TILES, "S09E112"])
    assert "--where \"nama = 'Kabupaten Probolinggo'\"" in rec["next_command"]


def test_buffer_option_changes_the_tiles_and_is_passed_on(runner, server, tmp_path, boundary_file):
    res = invoke(runner, boundary_file, tmp_path / "o", write_sources(tmp_path / "s.yaml", server.base),
                 tmp_path / "c", "--buffer", "0", "--no-osm", "--json")
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    # without a buffer the box 113.0..113.6 E, 8.1..7.7 S needs S09E113 and S08E113 only
    assert sorted(t["name"] for t in rec["dem"]["tiles"]) == sorted([cop("S08E113"), cop("S09E113")])
    assert rec["area"]["buffer_m"] == 0 and "--buffer 0" in rec["next_command"]
    res = invoke(runner, boundary_file, tmp_path / "o", write_sources(tmp_path / "s.yaml", server.base),
                 tmp_path / "c", "--buffer", "-5")
    assert res.exit_code == 2 and "--buffer" in res.output


def test_an_unreadable_tile_list_falls_back_to_asking_for_each_tile(runner, server, tmp_path, boundary_file):
    sources = write_sources(tmp_path / "s.yaml", server.base,
                            **{"dem.copernicus.tile_list": server.base + "/no-such-list.txt"})
    res = invoke(runner, boundary_file, tmp_path / "out", sources, tmp_path / "c", "--json", "--no-osm")
    assert res.exit_code == 0, res.output
    rec = json.loads(res.output)
    assert any("tile list" in w for w in rec["warnings"])
    assert rec["dem"]["missing"] == [cop("S09E112")]
    assert len(server.requests(f"/dem/{cop('S08E113')}/{cop('S08E113')}.tif")) == 1


def test_the_printed_next_command_builds_a_study_area(runner, server, tmp_path, boundary_file):
    """Contract with kawasan data prepare: the command fetch prints runs as is (fixture data, synthetic)."""
    import shlex

    out = tmp_path / "out"
    res = invoke(runner, boundary_file, out, write_sources(tmp_path / "s.yaml", server.base), tmp_path / "c", "--json")
    assert res.exit_code == 0, res.output
    argv = shlex.split(json.loads(res.output)["next_command"])
    assert argv[:3] == ["kawasan", "data", "prepare"]
    res = runner.invoke(cli, [*argv[1:], "--resolution", "500", "--json"])
    assert res.exit_code == 0, res.output
    man = json.loads(res.output)
    assert (out / "study-area" / "manifest.json").is_file()
    assert "dem" in man["layers"] and "roads" in man["layers"]


def test_an_interrupted_fetch_says_how_to_resume(runner, tmp_path, boundary_file, monkeypatch):
    import kawasan.spatial.ingest.fetch as fetch_mod

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(fetch_mod, "fetch_area", interrupted)
    res = runner.invoke(cli, ["data", "fetch", "--boundary", str(boundary_file), "--out", str(tmp_path / "o")])
    assert res.exit_code == 130 and "run the same command again" in res.output


@pytest.mark.parametrize("failure, english, indonesian", [
    ("503", "the server answered HTTP 503", "HTTP 503"),
    ("404", "the server has no such file (HTTP 404)", "server tidak memiliki berkas tersebut (HTTP 404)"),
    ("reset", "connection dropped (ConnectionResetError", "sambungan terputus (ConnectionResetError"),
])
def test_a_checksum_file_that_cannot_be_read_says_why_in_both_languages(monkeypatch, failure, english, indonesian):
    import io
    import urllib.error

    from kawasan.i18n import text_in
    from kawasan.spatial.ingest import fetch_http
    from kawasan.spatial.ingest.fetch_http import DownloadError

    class Broken(io.BytesIO):
        def read(self, *a):
            raise ConnectionResetError("peer reset")

    def urlopen(req, timeout):
        if failure == "reset":
            return Broken()
        raise urllib.error.HTTPError(req.full_url, int(failure), "Service Unavailable", {}, None)

    monkeypatch.setattr(fetch_http.urllib.request, "urlopen", urlopen)
    with pytest.raises(DownloadError) as e:
        fetch_http.fetch_text("http://127.0.0.1:9/x.md5", fetch_http.HttpSettings(user_agent="t", retries=0))
    assert english in str(e.value) and e.value.source == "http://127.0.0.1:9/x.md5"
    assert indonesian in text_in(e.value.message, "id") and indonesian in e.value.text("id")


@pytest.mark.parametrize("edit, english, indonesian", [
    ({"dem.copernicus.url": "https://x/{name}/{tile}.tif"}, "unknown placeholder 'tile'",
     "penanda 'tile' dalam"),
    ({"osm.checksum.url": "https://x/sum.md5"}, "must contain {url}", "harus memuat {url}"),
    ("none", "'none' is reserved (it means: no DEM)", "'none' sudah dipakai (artinya: tanpa DEM)"),
])
def test_a_sources_file_rule_reads_in_both_languages(tmp_path, edit, english, indonesian):
    from kawasan.errors import InputError
    from kawasan.spatial.ingest.fetch_sources import load_sources

    if edit == "none":      # a DEM source named none
        cfg = yaml.safe_load(write_sources(tmp_path / "s.yaml", "http://127.0.0.1:9").read_text())
        cfg["dem"]["none"] = cfg["dem"]["srtm"]
        (tmp_path / "s.yaml").write_text(yaml.safe_dump(cfg))
        sources = tmp_path / "s.yaml"
    else:
        sources = write_sources(tmp_path / "s.yaml", "http://127.0.0.1:9", **edit)
    with pytest.raises(InputError) as e:
        load_sources(sources)
    assert english in e.value.text("en") and indonesian in e.value.text("id")
