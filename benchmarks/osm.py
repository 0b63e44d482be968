#!/usr/bin/env python3
"""OSM extraction benchmark: kawasan's `extract_osm` (pyosmium, streaming) vs the osmium command-line chain
(`osmium tags-filter` + `osmium export` to GeoJSONSeq + a geopandas read and the same classification) and
pyrosm, on a SYNTHETIC 60 km x 60 km PBF of realistic density (>= 200,000 ways). See docs/performance.md (OpenStreetMap extraction).

Run with the project venv:  .venv/bin/python benchmarks/osm.py [--km 60] [--repeat 3]

Once, for the peers (both optional; a missing one is reported and skipped):
    apt-get install -y osmium-tool                                   # the osmium command-line tool
    python3 -m venv benchmarks/_work/venv-pyrosm && benchmarks/_work/venv-pyrosm/bin/pip install pyrosm

The top level imports only the standard library (and pipeline.py's helpers, whose top level does too):
the same file runs in the project venv and in the pyrosm venv through hidden sub-commands ("_gen",
"_kawasan", "_peer_read", "_pyrosm"), each in its own process so that its wall time and peak RSS
(os.wait4) are measured alone.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from machine import cpu_model, ram_gib  # noqa: E402  (benchmarks/machine.py)
import pipeline as P  # noqa: E402  (stdlib-only top level: measure, wait_quiet, cpu_stat)

WORK = HERE / "_work" / "osm"
VENV_PY = P.VENV_PY
PYROSM_PY = HERE / "_work" / "venv-pyrosm" / "bin" / "python"
OSMIUM = shutil.which("osmium") or "/usr/bin/osmium"
LON0, LAT0 = 113.2, -7.8          # the area's south-west corner (East Java, near Probolinggo); the sea is north
SEED = 42
# the keys kawasan's default mapping looks at, as an osmium tags-filter expression
FILTER_KEYS = ("highway", "railway", "waterway", "natural", "landuse", "place", "boundary", "leisure", "aeroway",
               "harbour", "industrial", "amenity", "seamark:type")
COMPARED = ("roads", "roads.arterial", "roads.collector", "roads.local", "railways", "waterways", "coastline", "water",
            "settlements", "landuse", "industrial", "protected", "places", "aerodromes")


def _box(km: float):
    import math

    import shapely

    dlat = km * 1000 / 110_574
    dlon = km * 1000 / (111_320 * math.cos(math.radians(LAT0 + dlat / 2)))
    return shapely.box(LON0, LAT0, LON0 + dlon, LAT0 + dlat)


# ============================================================================================
# hidden sub-commands (each runs in its own process)
# ============================================================================================
def role_gen(a) -> None:
    from kawasan.sampledata.osm_fixture import write_synthetic_pbf

    stats = write_synthetic_pbf(a.pbf, _box(a.km), seed=SEED, sea_side="north")
    Path(a.out).write_text(json.dumps(stats, indent=2))


def role_kawasan(a) -> None:
    t0 = time.perf_counter()
    from kawasan.spatial.ingest.osm import extract_osm

    t1 = time.perf_counter()
    out = extract_osm(a.pbf, clip=_box(a.km), checksum=False)
    t2 = time.perf_counter()
    counts = dict(out.counts)
    for cls, n in out.roads["class"].value_counts().items():
        counts[f"roads.{cls}"] = int(n)
    counts["landcover"] = {str(k): int(v) for k, v in out.landuse["landcover"].value_counts(dropna=False).items()}
    Path(a.out).write_text(json.dumps({"counts": counts, "import_s": t1 - t0, "extract_s": t2 - t1,
                                       "repaired": out.repaired, "warnings": out.warnings}, indent=2))


def _first_match_mask(df, rules):
    """The value of the first matching rule per row (vectorised), None where no rule matches."""
    import numpy as np

    out = np.full(len(df), None, dtype=object)
    free = np.ones(len(df), dtype=bool)
    for r in rules:
        m = free.copy()
        for key, allowed in r.match:
            if key not in df.columns:
                m[:] = False
                break
            col = df[key]
            m &= (col.notna() & (col != "no")).to_numpy() if allowed is None else col.isin(list(allowed)).to_numpy()
        out[m] = r.value
        free &= ~m
    return out


def role_peer_read(a) -> None:
    """Read osmium export's GeoJSONSeq with geopandas (pyogrio) and classify it with kawasan's default mapping."""
    t0 = time.perf_counter()
    import geopandas as gpd  # noqa: F401
    import numpy as np
    import pyogrio

    from kawasan.spatial.ingest.osm_mapping import load_osm_mapping

    m = load_osm_mapping()
    t1 = time.perf_counter()
    df = pyogrio.read_dataframe(a.geojson)
    t2 = time.perf_counter()
    gt = df.geometry.geom_type.to_numpy()
    is_line = gt == "LineString"
    is_poly = np.isin(gt, ["Polygon", "MultiPolygon"])
    is_pt = gt == "Point"

    def col(k):
        return df[k] if k in df.columns else gpd.pd.Series([None] * len(df), index=df.index, dtype=object)

    counts = {}
    hw = col("highway").map(m.roads)
    counts["roads"] = int((is_line & hw.notna().to_numpy()).sum())
    for cls in ("arterial", "collector", "local"):
        counts[f"roads.{cls}"] = int((is_line & (hw == cls).to_numpy()).sum())
    no_road = is_line & hw.isna().to_numpy()
    rail = no_road & col("railway").isin(list(m.railways)).to_numpy()
    counts["railways"] = int(rail.sum())
    ww = no_road & ~rail & col("waterway").isin(list(m.waterways)).to_numpy()
    counts["waterways"] = int(ww.sum())
    counts["coastline"] = int((no_road & ~rail & ~ww & (col("natural") == "coastline").to_numpy()).sum())
    polys = df[is_poly]
    for layer in ("water", "settlements", "industrial", "protected"):
        counts[layer] = int(sum(v is not None for v in _first_match_mask(polys, getattr(m, layer))))
    in_lu = np.zeros(len(polys), dtype=bool)
    for key in m.landuse_keys:
        if key in polys.columns:
            c = polys[key]
            in_lu |= (c.notna() & (c != "no") & ~c.isin(list(m.landuse_exclude.get(key, ())))).to_numpy()
    counts["landuse"] = int(in_lu.sum())
    lc = _first_match_mask(polys[in_lu], m.landuse_rules)
    if m.protected_forest_overlay:     # the same rule as kawasan: forest inside a protected area
        import shapely

        prot = polys.geometry.values[np.array([v is not None for v in _first_match_mask(polys, m.protected)], dtype=bool)]
        forest = np.flatnonzero(lc == "production_forest")
        if len(prot) and forest.size:
            hit, _ = shapely.STRtree(prot).query(shapely.point_on_surface(polys[in_lu].geometry.values[forest]), predicate="within")
            lc[forest[np.unique(hit)]] = "protected_forest"
    counts["landcover"] = {str(k): int(v) for k, v in gpd.pd.Series(lc, dtype=object).value_counts(dropna=False).items()}
    counts["places"] = int((is_pt & col("place").isin(list(m.places)).to_numpy()).sum())
    counts["aerodromes"] = int(sum(v is not None for v in _first_match_mask(df[is_pt | is_poly], m.aerodromes)))
    t3 = time.perf_counter()
    Path(a.out).write_text(json.dumps({"counts": counts, "import_s": t1 - t0, "read_s": t2 - t1, "classify_s": t3 - t2,
                                       "rows": len(df)}, indent=2))


def role_pyrosm(a) -> None:
    """pyrosm (its own venv): the same layers through its readers and custom filters."""
    t0 = time.perf_counter()
    import pyrosm

    roads_cls = json.loads(a.mapping)
    t1 = time.perf_counter()
    osm = pyrosm.OSM(a.pbf)
    counts = {}
    timing = {}

    def timed(name, fn):
        s = time.perf_counter()
        try:
            r = fn()
        except Exception as exc:  # noqa: BLE001  (a peer failing is reported, not fatal)
            timing[name] = time.perf_counter() - s
            counts[name + ".error"] = f"{type(exc).__name__}: {exc}"[:200]
            return None
        timing[name] = time.perf_counter() - s
        return r

    roads = timed("roads", lambda: osm.get_data_by_custom_criteria(
        custom_filter={"highway": sorted(roads_cls)}, filter_type="keep", keep_nodes=False, keep_relations=False))
    if roads is not None:
        lines = roads[roads.geom_type.isin(["LineString", "MultiLineString"])]
        counts["roads"] = int(len(lines))
        cls = lines["highway"].map(roads_cls)
        for c in ("arterial", "collector", "local"):
            counts[f"roads.{c}"] = int((cls == c).sum())
    rail = timed("railways", lambda: osm.get_data_by_custom_criteria(
        custom_filter={"railway": a.railways.split(",")}, filter_type="keep", keep_nodes=False, keep_relations=False))
    counts["railways"] = 0 if rail is None else int(len(rail))
    ww = timed("waterways", lambda: osm.get_data_by_custom_criteria(
        custom_filter={"waterway": a.waterways.split(",")}, filter_type="keep", keep_nodes=False, keep_relations=False))
    counts["waterways"] = 0 if ww is None else int(len(ww))
    lu = timed("landuse", osm.get_landuse)
    nat = timed("natural", osm.get_natural)
    n_lu = 0 if lu is None else int(lu.geom_type.isin(["Polygon", "MultiPolygon"]).sum())
    n_nat = 0
    if nat is not None:
        polys = nat[nat.geom_type.isin(["Polygon", "MultiPolygon"])]
        n_nat = int((~polys["natural"].isin(["coastline", "tree_row", "cliff", "ridge", "arete", "peak", "saddle", "valley", "tree"])).sum())
        counts["coastline"] = int((nat["natural"] == "coastline").sum())
    counts["landuse"] = n_lu + n_nat
    places = timed("places", lambda: osm.get_data_by_custom_criteria(
        custom_filter={"place": a.places.split(",")}, filter_type="keep", keep_ways=False, keep_relations=False))
    counts["places"] = 0 if places is None else int(len(places))
    t2 = time.perf_counter()
    Path(a.out).write_text(json.dumps({"counts": counts, "import_s": t1 - t0, "steps_s": timing, "total_s": t2 - t1,
                                       "pyrosm": getattr(pyrosm, "__version__", "?")}, indent=2))


# ============================================================================================
# the driver
# ============================================================================================
def machine() -> dict:
    info = {"cpu": cpu_model(), "cores": os.cpu_count(), "ram_gb": round(ram_gib(), 1) if ram_gib() is not None else None}
    info["osmium_tool"] = _run([OSMIUM, "--version"]).splitlines()[0] if Path(OSMIUM).exists() else None
    info["pyosmium"] = _run([str(VENV_PY), "-c", "import osmium.version as v; print(v.pyosmium_release, 'libosmium', v.libosmium_version)"])
    info["pyrosm"] = _run([str(PYROSM_PY), "-c", "import pyrosm; print(pyrosm.__version__)"]) if PYROSM_PY.exists() else None
    info["git_commit"] = _run(["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"])
    return info


def _run(cmd) -> str:
    try:
        return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, check=False).stdout.strip()
    except OSError as exc:
        return f"unavailable ({exc})"


def _median_run(cmds, log, repeat, quiet):
    """Run a chain of commands `repeat` times; per step the median wall and the max peak RSS."""
    runs = []
    for _ in range(repeat):
        if quiet:
            P.wait_quiet(quiet)
        steps = []
        for name, cmd in cmds:
            r = P.measure(cmd, log=log)
            r["name"] = name
            steps.append(r)
            if r["rc"] != 0:
                break
        runs.append(steps)
    ok = all(s["rc"] == 0 for run in runs for s in run)
    walls = [sum(s["wall_s"] for s in run) for run in runs]
    med = statistics.median(walls)
    pick = runs[walls.index(min(walls, key=lambda w: abs(w - med)))]
    cpus = [sum(s["user_s"] + s["sys_s"] for s in run) for run in runs]
    return {"ok": ok, "wall_s": med, "walls": walls, "cpu_s": statistics.median(cpus), "cpus": cpus, "peak_rss_mb": max(s["peak_rss_mb"] for run in runs for s in run),
            "steps": [{"name": s["name"], "wall_s": round(s["wall_s"], 3), "peak_rss_mb": round(s["peak_rss_mb"], 1),
                       "user_s": round(s["user_s"], 2), "sys_s": round(s["sys_s"], 2), "rc": s["rc"]} for s in pick],
            "other_cpu_s": round(sum(s["other_cpu_s"] for run in runs for s in run) / max(len(runs), 1), 2)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--km", type=float, default=60.0, help="side of the square area in km (default 60)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per contender; the median wall is reported")
    ap.add_argument("--skip", default="", help="comma list of: kawasan,osmium,pyrosm")
    ap.add_argument("--wait-quiet", type=float, default=10.0,
                    help="before each run, wait up to S s until other processes use < 0.3 core (0: do not wait)")
    ap.add_argument("--regen", action="store_true", help="regenerate the synthetic PBF")
    ap.add_argument("--results", default=None)
    a = ap.parse_args(argv)
    skip = set(filter(None, a.skip.split(",")))
    WORK.mkdir(parents=True, exist_ok=True)
    tag = f"{a.km:g}km"
    pbf = WORK / f"synthetic-{tag}.osm.pbf"
    gen_json = WORK / f"synthetic-{tag}.json"
    log = WORK / f"log-{tag}.txt"
    info = machine()
    print(f"machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GiB RAM; load {os.getloadavg()[0]:.2f}")
    print(f"pyosmium {info['pyosmium']}; {info['osmium_tool'] or 'osmium-tool not installed'}; "
          f"pyrosm {info['pyrosm'] or 'not installed (benchmarks/_work/venv-pyrosm missing)'}")

    params_ok = gen_json.exists() and pbf.exists() and json.loads(gen_json.read_text()).get("seed") == SEED
    if a.regen or not params_ok:
        r = P.measure([VENV_PY, __file__, "_gen", "--pbf", pbf, "--km", a.km, "--out", gen_json], log=log)
        if r["rc"] != 0:
            print(f"fixture generation failed; see {log}")
            return 1
        print(f"generated {pbf.name} in {r['wall_s']:.1f} s (peak {r['peak_rss_mb']:.0f} MB)")
    gen = json.loads(gen_json.read_text())
    print(f"SYNTHETIC PBF: {gen['ways']:,} ways, {gen['nodes']:,} nodes, {gen['relations']} relations, "
          f"{gen['bytes'] / 1e6:.1f} MB, {gen['area_km2']:.0f} km2 (seed {SEED})")

    results: dict = {"machine": info, "fixture": gen, "contenders": {}}
    C = results["contenders"]
    # warm the OS cache and the imports once, outside the timings
    pbf.read_bytes()
    if "kawasan" not in skip:
        out = WORK / "kawasan.json"
        C["kawasan"] = _median_run([("extract_osm", [VENV_PY, __file__, "_kawasan", "--pbf", pbf, "--km", a.km, "--out", out])],
                                   log, a.repeat, a.wait_quiet)
        C["kawasan"]["detail"] = json.loads(out.read_text()) if out.exists() else None
    if "osmium" not in skip and Path(OSMIUM).exists():
        filt = WORK / "filtered.osm.pbf"
        gj = WORK / "export.geojsonseq"
        out = WORK / "peer.json"
        expr = [f"nwr/{k}" for k in FILTER_KEYS]
        C["osmium"] = _median_run([
            ("osmium tags-filter", [OSMIUM, "tags-filter", pbf, *expr, "-o", filt, "--overwrite"]),
            ("osmium export", [OSMIUM, "export", filt, "-f", "geojsonseq", "-o", gj, "--overwrite", "-x", "print_record_separator=false"]),
            ("geopandas read + classify", [VENV_PY, __file__, "_peer_read", "--geojson", gj, "--out", out]),
        ], log, a.repeat, a.wait_quiet)
        C["osmium"]["detail"] = json.loads(out.read_text()) if out.exists() else None
    elif "osmium" not in skip:
        print("osmium-tool not installed: apt-get install -y osmium-tool")
    if "pyrosm" not in skip and PYROSM_PY.exists():
        mp = json.loads(_run([VENV_PY, "-c", "import json;from kawasan.spatial.ingest.osm_mapping import load_osm_mapping as l;m=l();"
                              "print(json.dumps({'roads':m.roads,'railways':sorted(m.railways),'waterways':sorted(m.waterways),"
                              "'places':sorted(m.places)}))"]))
        out = WORK / "pyrosm.json"
        C["pyrosm"] = _median_run([("pyrosm", [PYROSM_PY, __file__, "_pyrosm", "--pbf", pbf, "--out", out,
                                               "--mapping", json.dumps(mp["roads"]), "--railways", ",".join(mp["railways"]),
                                               "--waterways", ",".join(mp["waterways"]), "--places", ",".join(mp["places"])])],
                                  log, a.repeat, a.wait_quiet)
        C["pyrosm"]["detail"] = json.loads(out.read_text()) if out.exists() else None
    elif "pyrosm" not in skip:
        print("pyrosm not installed: python3 -m venv benchmarks/_work/venv-pyrosm && benchmarks/_work/venv-pyrosm/bin/pip install pyrosm")

    # -- report -----------------------------------------------------------------------------------
    base = C.get("kawasan", {}).get("wall_s")
    base_cpu = C.get("kawasan", {}).get("cpu_s")
    print("\n| contender | wall (s, median of %d) | CPU user+sys (s) | peak RSS (MB) | wall ratio | CPU ratio | steps |" % a.repeat)
    print("|---|---|---|---|---|---|---|")
    for name, r in C.items():
        ratio = f"{r['wall_s'] / base:.2f}x" if base and r["ok"] else ("failed" if not r["ok"] else "-")
        cratio = f"{r['cpu_s'] / base_cpu:.2f}x" if base_cpu and r["ok"] else "-"
        steps = "; ".join(f"{s['name']} {s['wall_s']:.2f} s / {s['user_s'] + s['sys_s']:.2f} s CPU / {s['peak_rss_mb']:.0f} MB"
                          for s in r["steps"])
        print(f"| {name} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['peak_rss_mb']:.0f} | {ratio} | {cratio} | {steps} |")
    print(f"(load average at the end: {os.getloadavg()[0]:.2f}; on a shared machine the CPU column is the steadier comparison)")
    print("\nfeature counts (kawasan / osmium chain / pyrosm):")
    agree = True
    rows = []
    for key in COMPARED:
        vals = [C.get(n, {}).get("detail", {}) or {} for n in ("kawasan", "osmium", "pyrosm")]
        v = [d.get("counts", {}).get(key) for d in vals]
        present = [x for x in v if x is not None]
        same = len(set(present)) <= 1
        agree &= same
        rows.append((key, v, same))
        print(f"  {key:16s} {v[0]!s:>8} {v[1]!s:>8} {v[2]!s:>8}  {'ok' if same else 'DIFFERENT'}")
    lc = [((C.get(n, {}).get("detail") or {}).get("counts", {}) or {}).get("landcover") for n in ("kawasan", "osmium")]
    if lc[0] is not None and lc[1] is not None:
        print(f"  landcover classes {'agree' if lc[0] == lc[1] else 'DIFFER'} between kawasan and the osmium chain"
              + ("" if lc[0] == lc[1] else f": {lc[0]} vs {lc[1]}"))
    print(f"  => counts {'AGREE' if agree else 'DIFFER (see above)'} (None: the peer does not produce that layer)")
    results["counts"] = [{"layer": k, "kawasan": v[0], "osmium": v[1], "pyrosm": v[2], "same": s} for k, v, s in rows]
    results["counts_agree"] = agree
    results["load_end"] = os.getloadavg()
    res = Path(a.results) if a.results else WORK / f"results-{tag}.json"
    res.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nresults: {res}; log: {log}")
    return 0


def _sub(argv) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("role")
    ap.add_argument("--pbf")
    ap.add_argument("--km", type=float, default=60.0)
    ap.add_argument("--out")
    ap.add_argument("--geojson")
    ap.add_argument("--mapping")
    ap.add_argument("--railways")
    ap.add_argument("--waterways")
    ap.add_argument("--places")
    a = ap.parse_args(argv)
    {"_gen": role_gen, "_kawasan": role_kawasan, "_peer_read": role_peer_read, "_pyrosm": role_pyrosm}[a.role](a)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        _sub(sys.argv[1:])
    else:
        sys.exit(main())
