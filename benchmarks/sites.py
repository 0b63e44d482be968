#!/usr/bin/env python3
"""Candidate-site benchmark: kawasan's `extract_sites` vs a scipy + gdal_polygonize.py + zonal-statistics
chain (exactextract, rasterstats), and the site-level Monte Carlo weight stress test vs recomputing the
weighted raster for every draw. See benchmarks/README.md ("sites.py").

Run with the project venv:  .venv/bin/python benchmarks/sites.py [--size 2000]

Like pipeline.py, the top level imports only the standard library (and pipeline.py, whose top level
does too): the same file runs in the project venv, in the zonal-statistics venv
(benchmarks/_work/venv-zonal) and drives Debian's gdal_polygonize.py, through hidden sub-commands
("_mkrun", "_kawasan", "_label", "_exactextract", "_rasterstats", "_compare", "_mc", "_naive"), each in
its own process so that its wall time and peak RSS (os.wait4) are measured alone.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import pipeline as P  # noqa: E402  (stdlib-only top level: measure, wait_quiet, ensure_data, model_dict, ...)

WORK = P.WORK
VENV_PY = P.VENV_PY
SYS_PY = P.SYS_PY
ZONAL_VENV = WORK / "venv-zonal"
ZONAL_PY = ZONAL_VENV / "bin" / "python"
POLYGONIZE = P.GDAL_BIN / "gdal_polygonize.py"

# the extraction rule, as kawasan applies it by default (docs/reference/sites.md)
MIN_AREA_HA = 50.0
TOP_CLASS = 2          # S1..S2
MIN_WIDTH_CELLS = 3    # morphological opening, square
FILL_HOLES_HA = 1.0    # never more than a tenth of the minimum area
MC_N = 1000
NAIVE_DRAWS = 10
CONTENDERS = ("kawasan", "extract", "peer", "exactextract", "rasterstats", "mc", "naive")


def _now() -> float:
    return time.perf_counter()


def _trace_wrap(events: list, t_start: float):
    """wrap(owner, name, label): replace owner.name by a wrapper that records time and VmHWM around each call."""
    import threading as _th

    tl = _th.local()

    def wrap(owner, name, label):
        f = getattr(owner, name)

        def w(*args, **kw):
            h0, _ = P._hwm_rss()
            ts = _now()
            d = getattr(tl, "depth", 0)
            tl.depth = d + 1
            try:
                return f(*args, **kw)
            finally:
                tl.depth = d
                h1, _ = P._hwm_rss()
                events.append({"name": label, "t": ts - t_start, "dur": _now() - ts, "depth": d, "hwm0": h0, "hwm1": h1})

        setattr(owner, name, w)

    return wrap


def _aggregate(events: list) -> dict:
    agg: dict = {}
    for e in events:
        a = agg.setdefault(e["name"], {"count": 0, "seconds": 0.0, "hwm_mb": 0.0})
        a["count"] += 1
        a["seconds"] += e["dur"]
        a["hwm_mb"] = max(a["hwm_mb"], e["hwm1"])
    return agg


# ============================================================================================
# _mkrun: the suitability run the sites are extracted from (setup, timed for information only)
# ============================================================================================
def role_mkrun(a) -> None:
    t0 = _now()
    from kawasan.spatial.api import run_suitability

    out = Path(a.out)
    if out.exists():
        shutil.rmtree(out)
    res = run_suitability(a.model, a.data, out, write_criteria=True, compress="NONE")
    P._dump(a.trace, {"seconds": _now() - t0, "timings": res.manifest["timings"],
                      "classes": res.manifest.get("classes")})


# ============================================================================================
# _kawasan: extract_sites (extraction + explanation + ranking + writing), traced; or sites.extract alone
# ============================================================================================
def role_kawasan(a) -> None:
    t_start = _now()
    import cv2

    from kawasan.spatial.sites import explain as E
    from kawasan.spatial.runs import read as runs
    from kawasan.spatial.sites import service as siteservice
    from kawasan.spatial.sites import candidates as S
    t_import = _now() - t_start
    events: list = []
    wrap = _trace_wrap(events, t_start)
    wrap(siteservice, "open_run", "open run (manifest)")
    wrap(siteservice, "extract", "sites.extract")
    wrap(siteservice, "explain", "explain")
    wrap(siteservice.ranking, "rank_sites", "rank")
    wrap(siteservice, "_write", "write sites/ (GPKG, GeoJSON, JSON)")
    wrap(runs.Run, "raster", "read full raster (Run.raster)")
    wrap(S, "suitable_mask", "extract: suitable mask")
    wrap(cv2, "morphologyEx", "extract: opening (cv2)")
    wrap(S, "_fill_small_holes", "extract: fill small holes")
    wrap(cv2, "connectedComponentsWithStats", "extract: connected components (cv2)")
    wrap(S, "_polygonize", "extract: polygonize (per site, window)")
    wrap(S, "polsby_popper", "extract: compactness")
    wrap(E, "_features", "explain: proximity layers")
    wrap(E, "_shares", "explain: land-cover shares")
    wrap(E, "_slope_stats", "explain: slope stats")
    t0 = _now()
    if a.extract_only:
        run = runs.open_run(a.run)
        rules = siteservice.default_rules(run, min_area_ha=a.min_area or MIN_AREA_HA)
        sites, _ = S.extract(run, rules)
        n_sites = len(sites)
        cells = sum(s.cells for s in sites)
    else:
        res = siteservice.extract_sites(a.run, min_area_ha=a.min_area or MIN_AREA_HA)
        n_sites = len(res["sites"])
        cells = sum(s["cells"] for s in res["sites"])
    t_call = _now() - t0
    hwm, _ = P._hwm_rss()
    P._dump(a.trace, {"t_import": t_import, "t_call": t_call, "hwm_mb": hwm, "n_sites": n_sites, "cells": cells,
                      "events": events, "agg": _aggregate(events)})


# ============================================================================================
# the peer chain: scipy.ndimage labelling -> gdal_polygonize.py -> exactextract / rasterstats
# ============================================================================================
def role_label(a) -> None:
    """Threshold, opening, small-hole filling, 8-connected labels, area filter; write labels.tif (int32, 0 = none)."""
    t_start = _now()
    import math

    import numpy as np
    import rasterio
    from scipy import ndimage as ndi
    steps = {"imports": _now() - t_start}

    def done(name, t):
        steps[name] = _now() - t

    run, out = Path(a.run), Path(a.out)
    t = _now()
    with rasterio.open(run / "classes.tif") as ds:
        cls = ds.read(1)
        transform, crs = ds.transform, ds.crs
    with rasterio.open(run / "constraints.tif") as ds:
        excluded = ds.read(1) != 0
    done("read classes + constraints", t)
    cell_ha = abs(transform.a * transform.e) / 10_000.0
    min_cells = math.ceil(MIN_AREA_HA / cell_ha - 1e-9)
    fill_cells = int(min(FILL_HOLES_HA, MIN_AREA_HA / 10.0) / cell_ha)

    t = _now()
    mask = (cls >= 1) & (cls <= TOP_CLASS)
    del cls
    done("threshold", t)
    t = _now()
    sq = np.ones((MIN_WIDTH_CELLS, MIN_WIDTH_CELLS), bool)
    # opening; outside the grid counts as suitable for the erosion and as empty for the dilation
    mask = ndi.binary_dilation(ndi.binary_erosion(mask, sq, border_value=1), sq, border_value=0)
    done("opening (binary_erosion + binary_dilation)", t)

    t = _now()
    bg, nbg = ndi.label(~mask)                       # 4-connected gaps
    size = np.bincount(bg.reshape(-1), minlength=nbg + 1)
    with_excl = np.bincount(bg[excluded], minlength=nbg + 1)
    edge = np.unique(np.concatenate([bg[0], bg[-1], bg[:, 0], bg[:, -1]]))
    fill = (size <= fill_cells) & (with_excl == 0)
    fill[0] = False
    fill[edge] = False
    mask |= fill[bg]
    del bg, excluded
    done("fill small holes (label + bincount)", t)

    t = _now()
    lab, n = ndi.label(mask, structure=np.ones((3, 3), bool))
    del mask
    done("label, 8-connected (scipy.ndimage.label)", t)
    t = _now()
    size = np.bincount(lab.reshape(-1), minlength=n + 1)
    keep = size >= min_cells
    keep[0] = False
    remap = np.zeros(n + 1, np.int32)
    remap[keep] = np.arange(1, int(keep.sum()) + 1, dtype=np.int32)
    lab = remap[lab]
    done("area filter (bincount + relabel)", t)

    t = _now()
    out.mkdir(parents=True, exist_ok=True)
    prof = dict(driver="GTiff", width=lab.shape[1], height=lab.shape[0], count=1, dtype="int32", crs=crs,
                transform=transform, nodata=0, tiled=True, blockxsize=512, blockysize=512, BIGTIFF="IF_SAFER")
    with rasterio.open(out / "labels.tif", "w", **prof) as ds:
        ds.write(lab, 1)
    done("write labels.tif", t)
    P._dump(a.trace, {"steps": steps, "components": int(n), "sites": int(keep.sum()),
                      "cells": int(size[keep].sum()), "min_cells": min_cells, "fill_cells": fill_cells})


def _peer_rasters(run: Path, data: Path) -> tuple[dict, Path]:
    """{name: path} of the score and the criterion rasters, and the land-cover raster."""
    rasters = {"score": run / "score.tif"}
    for p in sorted((run / "criteria").glob("*.tif")):
        rasters[p.stem] = p
    return rasters, data / "landcover.tif"


def role_exactextract(a) -> None:
    """Mean of the score and of each criterion, and land-cover shares, per polygon, with exactextract."""
    t_start = _now()
    from exactextract import exact_extract
    steps = {"imports": _now() - t_start}
    rasters, landcover = _peer_rasters(Path(a.run), Path(a.data))
    gpkg = Path(a.out) / "sites.gpkg"
    t = _now()
    # max_cells_in_memory: exactextract 0.3.0 segfaults on a feature whose extent exceeds it (the default 3e7 is
    # smaller than the largest site of the 10,000 x 10,000 run); the caller passes the grid's cell count
    mc = a.max_cells or 30_000_000
    df = exact_extract([str(p) for p in rasters.values()], str(gpkg), ["mean", "count"], include_cols=["label"],
                       output="pandas", max_cells_in_memory=mc)
    steps["score + criteria: mean, count"] = _now() - t
    t = _now()
    lc = exact_extract(str(landcover), str(gpkg), ["unique", "frac"], include_cols=["label"], output="pandas",
                       max_cells_in_memory=mc)
    steps["land cover: unique, frac"] = _now() - t
    t = _now()
    names = list(rasters)
    cols = list(df.columns)
    # column names: "<raster stem>_<op>" when several rasters are given
    mean_col = {n: next(c for c in cols if c == f"{rasters[n].stem}_mean") for n in names}
    count_col = {n: next(c for c in cols if c == f"{rasters[n].stem}_count") for n in names}
    out: dict = {}
    for row, lrow in zip(df.to_dict("records"), lc.to_dict("records")):
        lab = int(row["label"])
        rec = out.setdefault(lab, {"parts": 0, "w": 0.0, "sums": dict.fromkeys(names, 0.0), "lc": {}})
        w = float(row[count_col["score"]])
        rec["parts"] += 1
        rec["w"] += w
        for n in names:
            rec["sums"][n] += float(row[mean_col[n]]) * float(row[count_col[n]])
        for code, fr in zip(lrow["unique"], lrow["frac"]):
            rec["lc"][str(int(code))] = rec["lc"].get(str(int(code)), 0.0) + float(fr) * w
    res = {str(lab): {"cells": r["w"], "parts": r["parts"],
                      "means": {n: r["sums"][n] / r["w"] for n in names},
                      "landcover": {k: v / r["w"] for k, v in r["lc"].items()}} for lab, r in out.items()}
    (Path(a.out) / "exactextract.json").write_text(json.dumps(res))
    steps["aggregate + write JSON"] = _now() - t
    P._dump(a.trace, {"steps": steps, "features": len(df), "sites": len(res), "max_cells_in_memory": mc})


def role_rasterstats(a) -> None:
    """The same with rasterstats.zonal_stats (cells whose centre is inside the polygon)."""
    t_start = _now()
    import fiona
    from rasterstats import zonal_stats
    steps = {"imports": _now() - t_start}
    rasters, landcover = _peer_rasters(Path(a.run), Path(a.data))
    gpkg = Path(a.out) / "sites.gpkg"
    t = _now()
    with fiona.open(gpkg) as src:
        labels = [int(f["properties"]["label"]) for f in src]
    steps["read labels (fiona)"] = _now() - t
    stats: dict = {}
    for n, p in rasters.items():
        t = _now()
        stats[n] = zonal_stats(str(gpkg), str(p), stats=["mean", "count"])
        steps[f"{n}: mean, count"] = _now() - t
    t = _now()
    lc = zonal_stats(str(gpkg), str(landcover), categorical=True)
    steps["land cover: categorical"] = _now() - t
    t = _now()
    out: dict = {}
    for i, lab in enumerate(labels):
        rec = out.setdefault(lab, {"parts": 0, "w": 0.0, "sums": dict.fromkeys(rasters, 0.0), "lc": {}})
        rec["parts"] += 1
        rec["w"] += stats["score"][i]["count"]
        for n in rasters:
            s = stats[n][i]
            if s["count"]:
                rec["sums"][n] += s["mean"] * s["count"]
        for code, c in lc[i].items():
            rec["lc"][str(int(code))] = rec["lc"].get(str(int(code)), 0) + c
    res = {str(lab): {"cells": r["w"], "parts": r["parts"],
                      "means": {n: r["sums"][n] / r["w"] for n in rasters},
                      "landcover": {k: v / r["w"] for k, v in r["lc"].items()}} for lab, r in out.items()}
    (Path(a.out) / "rasterstats.json").write_text(json.dumps(res))
    steps["aggregate + write JSON"] = _now() - t
    P._dump(a.trace, {"steps": steps, "features": len(labels), "sites": len(res)})


# ============================================================================================
# _compare: do the contenders find the same sites with the same statistics?
# ============================================================================================
def role_compare(a) -> None:
    import geopandas as gpd
    import numpy as np
    from scipy.spatial import cKDTree

    run, peer = Path(a.run), Path(a.out)
    ks = json.loads((run / "sites" / "sites.json").read_text())
    data_man = json.loads((Path(a.data) / "manifest.json").read_text())
    legend = data_man["layers"]["landcover"].get("categories", {})
    cell_ha = P.RES * P.RES / 10_000.0
    K = ks["sites"]
    res: dict = {"kawasan": {"sites": len(K), "area_ha": sum(s["area_ha"] for s in K), "cells": sum(s["cells"] for s in K)}}
    gpkg = peer / "sites.gpkg"
    if not gpkg.exists():
        P._dump(a.trace, res)
        return
    g = gpd.read_file(gpkg, layer="sites")
    g = g.dissolve(by="label", as_index=False)
    cent = np.array([[c.x, c.y] for c in g.geometry.centroid]) if len(g) else np.zeros((0, 2))
    area_cells = (g.geometry.area / (cell_ha * 10_000.0)).to_numpy()
    kc = np.array([[s["centroid"]["x"], s["centroid"]["y"]] for s in K]) if K else np.zeros((0, 2))
    res["polygons"] = {"sites": len(g), "area_ha": float(g.geometry.area.sum() / 10_000.0)}
    tol = 15.0  # m: half a cell; both centroids are exact centroids of the same set of cells
    match = {}
    if len(K) and len(g):
        d, j = cKDTree(cent).query(kc)
        for i, (dd, jj) in enumerate(zip(d, j)):
            if dd <= tol and abs(area_cells[jj] - K[i]["cells"]) < 0.5:
                match[i] = int(g["label"].iloc[jj])
    res["polygons"]["matched_by_centroid_and_area"] = len(match)
    for tool in ("exactextract", "rasterstats"):
        p = peer / f"{tool}.json"
        if not p.exists():
            continue
        Z = json.loads(p.read_text())
        names = ["score"] + list(ks["criteria"])
        diffs = {n: [] for n in names}
        lc_d, cells_d = [], []
        for i, lab in match.items():
            z = Z.get(str(lab))
            if z is None:
                continue
            s = K[i]
            cells_d.append(abs(z["cells"] - s["cells"]))
            diffs["score"].append(abs(z["means"]["score"] - s["score_mean"]))
            for n in ks["criteria"]:
                if n in z["means"]:
                    diffs[n].append(abs(z["means"][n] - s["criteria_means"][n]))
            ksh = s.get("landcover_shares", {})
            zsh = {legend.get(k, k): v for k, v in z["landcover"].items()}
            for name in set(ksh) | set(zsh):
                lc_d.append(abs(ksh.get(name, 0.0) - zsh.get(name, 0.0)))
        tot_cells = sum(v["cells"] for v in Z.values())
        sd = np.array(diffs["score"]) if diffs["score"] else np.zeros(0)
        res[tool] = {
            "sites": len(Z), "area_ha": tot_cells * cell_ha, "matched": len(cells_d),
            "max_cells_diff": float(max(cells_d)) if cells_d else None,
            "score_mean_max_abs_diff": float(sd.max()) if sd.size else None,
            "score_mean_over_1e-3": int((sd > 1e-3).sum()),
            "criteria_mean_max_abs_diff": max((max(v) for k, v in diffs.items() if k != "score" and v), default=None),
            "landcover_share_max_abs_diff": max(lc_d) if lc_d else None,
            "note": "kawasan rounds means to 4 decimals and shares to 4 decimals: differences up to 5e-5 are rounding",
        }
    P._dump(a.trace, res)


# ============================================================================================
# Monte Carlo on the demo: stress_test (site-level means) vs recomputing the raster per draw
# ============================================================================================
def role_mc(a) -> None:
    t_start = _now()
    from kawasan.spatial.sites import sensitivity
    from kawasan.spatial.sites import service as siteservice
    t_import = _now() - t_start
    events: list = []
    wrap = _trace_wrap(events, t_start)
    wrap(sensitivity, "one_at_a_time", "one at a time")
    wrap(sensitivity, "monte_carlo", "Monte Carlo (site means)")
    wrap(sensitivity, "score_spread", "spread map kernel")
    wrap(siteservice, "open_run", "open run")
    t0 = _now()
    out = siteservice.stress_test(a.run, n=MC_N, spread_map=bool(a.spread))
    t_call = _now() - t0
    P._dump(a.trace, {"t_import": t_import, "t_call": t_call, "sites": len(out.get("ids", [])),
                      "agg": _aggregate(events), "mc_sites": (out.get("monte_carlo") or {}).get("sites", [])})


def role_naive(a) -> None:
    """NAIVE_DRAWS draws of: the full-resolution weighted sum, per-site means (bincount), ranks, and the running
    sums for a per-cell spread. Extrapolated to MC_N draws by the caller."""
    t_start = _now()
    import numpy as np
    import rasterio
    from rasterio import features

    from kawasan.spatial.sites import sensitivity
    steps = {"imports": _now() - t_start}
    run = Path(a.run)
    t = _now()
    sites = json.loads((run / "sites" / "sites.json").read_text())
    names = sites["criteria"]
    w = np.array(sites["weights"], dtype=float)
    layers = []
    for n in names:
        with rasterio.open(run / "criteria" / f"{n}.tif") as ds:
            layers.append(ds.read(1).astype(np.float32, copy=False))
            transform, shape = ds.transform, ds.shape
    import geopandas as gpd
    g = gpd.read_file(run / "sites" / "sites.gpkg", layer="sites")
    lab = features.rasterize(((geom, int(i)) for geom, i in zip(g.geometry, g["id"])), out_shape=shape,
                             transform=transform, fill=0, dtype="int32").reshape(-1)
    m = int(lab.max())
    counts = np.bincount(lab, minlength=m + 1).astype(float)
    steps["read criteria + rasterize sites"] = _now() - t
    draws = sensitivity.draw_weights(w, n=MC_N, seed=0)[:NAIVE_DRAWS]
    S = np.empty(shape, np.float32)
    tmp = np.empty(shape, np.float32)
    acc = np.zeros(shape, np.float64)
    acc2 = np.zeros(shape, np.float64)
    site_scores = np.empty((NAIVE_DRAWS, m))
    t_ws = 0.0
    t = _now()
    for k, wk in enumerate(draws):
        t1 = _now()
        np.multiply(layers[0], np.float32(wk[0]), out=S)
        for L, wi in zip(layers[1:], wk[1:]):
            np.multiply(L, np.float32(wi), out=tmp)
            S += tmp
        t_ws += _now() - t1
        sm = np.bincount(lab, weights=S.reshape(-1), minlength=m + 1)[1:] / counts[1:]
        site_scores[k] = sm
        np.argsort(-sm, kind="stable")
        acc += S
        np.multiply(S, S, out=tmp)
        acc2 += tmp
    t_draws = _now() - t
    steps[f"{NAIVE_DRAWS} draws"] = t_draws
    # checks (not timed): site scores vs the site-level shortcut, spread vs score_spread with the same draws
    means = np.array([np.bincount(lab, weights=L.reshape(-1).astype(np.float64), minlength=m + 1)[1:] / counts[1:]
                      for L in layers])                                  # (n_crit, m), unrounded
    shortcut = draws @ means
    sd_naive = np.sqrt(np.maximum(acc2 / NAIVE_DRAWS - (acc / NAIVE_DRAWS) ** 2, 0.0))
    dev = draws - draws.mean(axis=0)
    cov = dev.T @ dev / NAIVE_DRAWS
    sd_kawasan = sensitivity.score_spread(layers, cov)
    inside = lab.reshape(shape) > 0
    P._dump(a.trace, {"steps": steps, "t_draws": t_draws, "t_weighted_sum": t_ws, "draws": NAIVE_DRAWS,
                      "cells": int(lab.size), "sites": m,
                      "site_score_max_abs_diff_vs_shortcut": float(np.abs(site_scores - shortcut).max()),
                      "spread_max_abs_diff_in_sites": float(np.nanmax(np.abs(sd_naive[inside] - sd_kawasan[inside]))),
                      "spread_max_abs_diff_all": float(np.nanmax(np.abs(sd_naive - sd_kawasan)))})


# ============================================================================================
# driver
# ============================================================================================
def _sha(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()[:16]


def ensure_run(size: int, log: Path, force: bool) -> tuple[Path, Path, dict]:
    """data-SIZE (pipeline.py's generator) and a suitability run of pipeline.py's model + sites, with criteria."""
    data = P.ensure_data(size, log)
    base = WORK / f"sites-{size}"
    run = base / "run"
    model = P.model_dict()
    ref = WORK / f"run-{size}-final3" / "model.yaml"
    same_as_ref = None
    if ref.exists():
        try:
            same_as_ref = json.loads("\n".join(ref.read_text().splitlines()[1:])) == model
        except ValueError:
            same_as_ref = False
    model["sites"] = {"min_area_ha": MIN_AREA_HA, "certainty": "design",
                      "note": "benchmarks/sites.py (kawasan-industri's 50 ha)"}
    base.mkdir(parents=True, exist_ok=True)
    model_path = base / "model.yaml"
    stamp = {"data": json.loads((data / "params.json").read_text()), "model": _sha(model)}
    stamp_path = base / "stamp.json"
    info = {"model_same_as_pipeline_run": same_as_ref}

    def suitable_share():
        cl = json.loads((run / "manifest.json").read_text()).get("classes", [])
        return sum(c.get("share") or 0.0 for c in cl if c.get("class") in ("S1", "S2"))

    if not force and stamp_path.exists() and (run / "manifest.json").exists() and \
            json.loads(stamp_path.read_text()) == stamp:
        info.update(reused=True, suitable_share=suitable_share())
        return data, run, info
    model_path.write_text("# written by benchmarks/sites.py: pipeline.py's model plus a sites section\n"
                          + json.dumps(model, indent=2))
    print(f"making the suitability run {run} (write_criteria=True, compress NONE) ...", flush=True)
    tr = base / "mkrun.json"
    r = P.measure([VENV_PY, __file__, "_mkrun", "--model", model_path, "--data", data, "--out", run, "--trace", tr],
                  log=log)
    if r["rc"]:
        sys.exit(f"run_suitability failed; see {log}")
    stamp_path.write_text(json.dumps(stamp))
    info.update(reused=False, wall_s=r["wall_s"], peak_rss_mb=r["peak_rss_mb"], suitable_share=suitable_share())
    print(f"  done in {r['wall_s']:.1f} s, peak RSS {r['peak_rss_mb'] / 1024:.2f} GB", flush=True)
    return data, run, info


def ensure_demo(log: Path) -> Path:
    demo = WORK / "demo"
    run = demo / "runs" / "kawasan-industri"
    if not (run / "sites" / "sites.json").exists() or not (run / "criteria").is_dir():
        print(f"making the demo in {demo} ...", flush=True)
        if demo.exists():
            shutil.rmtree(demo)
        r = P.measure([ROOT_BIN / "kawasan", "demo", "--out", demo, "--no-serve"], log=log)
        if r["rc"]:
            sys.exit(f"kawasan demo failed; see {log}")
    return run


ROOT_BIN = P.ROOT / ".venv" / "bin"


def zonal_versions() -> dict:
    if not ZONAL_PY.exists():
        return {}
    v = P._run([str(ZONAL_PY), "-c", "import json,sys,numpy,scipy,rasterio,fiona,importlib.metadata as m\n"
                "d={'python':sys.version.split()[0],'numpy':numpy.__version__,'scipy':scipy.__version__,"
                "'rasterio':rasterio.__version__,'gdal (rasterio)':rasterio.__gdal_version__,'fiona':fiona.__version__}\n"
                "for p in ('exactextract','rasterstats','shapely'):\n"
                "  try: d[p]=m.version(p)\n"
                "  except Exception: d[p]=None\n"
                "print(json.dumps(d))"])
    try:
        return json.loads(v)
    except ValueError:
        return {"error": v}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=10000, help="grid is SIZE x SIZE cells at 30 m (default 10000)")
    ap.add_argument("--skip", default="", help=f"comma list of contenders to skip: {','.join(CONTENDERS)} "
                    "('peer' skips the whole labelling/polygonize/zonal chain)")
    ap.add_argument("--wait-quiet", type=float, default=60.0,
                    help="before each contender wait up to this many seconds for other processes to go quiet (0: no wait)")
    ap.add_argument("--rerun", action="store_true", help="remake the suitability run even if it matches")
    ap.add_argument("--ee-max-cells", type=int, default=0,
                    help="exactextract max_cells_in_memory (default: the grid's cell count, at least 3e7; exactextract "
                         "0.3.0 segfaults when a site's extent exceeds it)")
    ap.add_argument("--zonal-timeout", type=float, default=3600.0, help="seconds before a zonal-statistics run is killed")
    ap.add_argument("--results", default=None, help="results JSON (default _work/sites-SIZE/results.json)")
    a = ap.parse_args(argv)
    skip = {s.strip() for s in a.skip.split(",") if s.strip()}
    bad = skip - set(CONTENDERS)
    if bad:
        ap.error(f"unknown contender(s) in --skip: {sorted(bad)}")
    base = WORK / f"sites-{a.size}"
    base.mkdir(parents=True, exist_ok=True)
    log = base / "log.txt"
    a.results = a.results or str(base / "results.json")
    R: dict = {"size": a.size, "cells": a.size * a.size, "res_m": P.RES, "crs": P.CRS, "min_area_ha": MIN_AREA_HA,
               "started": time.strftime("%Y-%m-%d %H:%M:%S"), "load": {"start": P._run(["uptime"])}, "contenders": {}}
    print(f"== kawasan sites benchmark: {a.size} x {a.size} cells at {P.RES:g} m; sites >= {MIN_AREA_HA:g} ha")
    print(f"   start: {R['load']['start']}", flush=True)
    R["machine"] = P.machine_info()
    R["machine"]["zonal_venv"] = zonal_versions()
    data, run, R["run"] = ensure_run(a.size, log, a.rerun)
    peer = base / "peer"
    C = R["contenders"]

    def note(label, r):
        extra = " TIMEOUT" if r.get("timed_out") else (f" rc={r['rc']}" if r.get("rc") else "")
        print(f"   {label:<44} wall {r['wall_s']:8.2f} s   peak RSS {r['peak_rss_mb'] / 1024:6.2f} GB   "
              f"user {r.get('user_s', 0):6.1f} sys {r.get('sys_s', 0):5.1f} s   minflt {r.get('minflt', 0) / 1e6:5.2f} M   other procs "
              f"{r.get('other_cpu_s', 0):5.1f} CPU-s{extra}   [{P.load_line()}]", flush=True)

    def go(key, label, cmd, trace=None, env=None, timeout=None):
        if a.wait_quiet > 0:
            P.wait_quiet(a.wait_quiet)
        if trace is not None and Path(trace).exists():
            Path(trace).unlink()
        r = P.measure(cmd, log=log, env=env, timeout=timeout)
        if r["rc"] == 0 and trace is not None:
            r["trace"] = json.loads(Path(trace).read_text())
        note(label, r)
        C[key] = r
        return r

    # page cache: read the run's rasters and the inputs the contenders read
    for p in list(run.glob("*.tif")) + list((run / "criteria").glob("*.tif")) + [data / "landcover.tif", data / "dem.tif"]:
        with open(p, "rb") as fh:
            while fh.read(1 << 24):
                pass
    # warm-up (not timed): numba's on-disk cache and the import path; 2 ha sites on 256 x 256 so that every
    # code path (small holes, explanation) runs and compiles its kernels here
    small_data, small_run, _ = ensure_run(256, log, False)
    w = P.measure([VENV_PY, __file__, "_kawasan", "--run", small_run, "--min-area", 2, "--trace",
                   WORK / "sites-256" / "warmup.json"], log=log)
    if w["rc"] == 0:
        wt = json.loads((WORK / "sites-256" / "warmup.json").read_text())
        print(f"   warm-up: 256 x 256, {wt['n_sites']} sites of >= 2 ha, {w['wall_s']:.2f} s", flush=True)

    print("-- candidate sites", flush=True)
    if "kawasan" not in skip:
        go("kawasan", "kawasan extract_sites (one process)",
           [VENV_PY, __file__, "_kawasan", "--run", run, "--trace", base / "kawasan.json"], base / "kawasan.json")
    if "extract" not in skip:
        go("extract", "kawasan sites.extract only (one process)",
           [VENV_PY, __file__, "_kawasan", "--run", run, "--extract-only", "--trace", base / "extract.json"],
           base / "extract.json")
    if "peer" not in skip:
        if not ZONAL_PY.exists():
            print(f"   peer chain: {ZONAL_PY} missing (see README); skipped")
        elif not POLYGONIZE.exists():
            print(f"   peer chain: {POLYGONIZE} missing (apt-get install gdal-bin python3-gdal); skipped")
        else:
            if peer.exists():
                shutil.rmtree(peer)
            peer.mkdir(parents=True)
            r = go("peer_label", "peer 1: scipy.ndimage label + area filter",
                   [ZONAL_PY, __file__, "_label", "--run", run, "--out", peer, "--trace", base / "label.json"],
                   base / "label.json")
            if r["rc"] == 0:
                r = go("peer_polygonize", "peer 2: gdal_polygonize.py -8 -> GPKG",
                       [SYS_PY, POLYGONIZE, "-q", "-8", peer / "labels.tif", "-of", "GPKG", peer / "sites.gpkg",
                        "sites", "label"], env=P._env(False, gdal=True))
            if r["rc"] == 0:
                # information only: the same polygonize with glibc's malloc kept from returning large blocks
                # to the kernel (most of the stock run's time is page faults on freshly mapped memory)
                genv = P._env(False, gdal=True)
                genv.update(MALLOC_MMAP_THRESHOLD_="4294967296", MALLOC_TRIM_THRESHOLD_="4294967296",
                            MALLOC_TOP_PAD_="268435456")
                go("peer_polygonize_malloc", "(info) gdal_polygonize.py, tuned malloc",
                   [SYS_PY, POLYGONIZE, "-q", "-8", peer / "labels.tif", "-of", "GPKG", peer / "sites-malloc.gpkg",
                    "sites", "label"], env=genv)
                (peer / "sites-malloc.gpkg").unlink(missing_ok=True)
                if "exactextract" not in skip:
                    go("peer_exactextract", "peer 3a: exactextract zonal stats",
                       [ZONAL_PY, __file__, "_exactextract", "--run", run, "--data", data, "--out", peer,
                        "--max-cells", a.ee_max_cells or max(30_000_000, a.size * a.size),
                        "--trace", base / "exactextract.json"], base / "exactextract.json", timeout=a.zonal_timeout)
                if "rasterstats" not in skip:
                    go("peer_rasterstats", "peer 3b: rasterstats zonal_stats",
                       [ZONAL_PY, __file__, "_rasterstats", "--run", run, "--data", data, "--out", peer,
                        "--trace", base / "rasterstats.json"], base / "rasterstats.json", timeout=a.zonal_timeout)
    tr = base / "compare.json"
    if (run / "sites" / "sites.json").exists():
        r = P.measure([VENV_PY, __file__, "_compare", "--run", run, "--data", data, "--out", peer, "--trace", tr],
                      log=log)
        R["agreement"] = json.loads(tr.read_text()) if r["rc"] == 0 else {"error": f"see {log}"}

    if not {"mc", "naive"} <= skip:
        print("-- Monte Carlo weight draws on the demo", flush=True)
        demo = ensure_demo(log)
        if "mc" not in skip:
            for spread in (0, 1):
                key = f"mc_spread{spread}"
                go(key, f"stress_test n={MC_N}" + (" + spread map" if spread else ", no spread map"),
                   [VENV_PY, __file__, "_mc", "--run", demo, "--spread", spread, "--trace", base / f"{key}.json"],
                   base / f"{key}.json")
        if "naive" not in skip:
            go("naive", f"naive: {NAIVE_DRAWS} raster recomputations",
               [VENV_PY, __file__, "_naive", "--run", demo, "--trace", base / "naive.json"], base / "naive.json")
    R["load"]["end"] = P._run(["uptime"])
    R["git_commit_end"] = P._run(["git", "-C", str(P.ROOT), "rev-parse", "--short", "HEAD"])
    if R["git_commit_end"] != R["machine"]["git_commit"]:
        print(f"!! the repository moved from {R['machine']['git_commit']} to {R['git_commit_end']} during the run: "
              "the contenders may have run different kawasan code")
    report(R)
    Path(a.results).write_text(json.dumps(R, indent=2, default=str))
    print(f"\nresults: {a.results}   log: {log}")
    return 0


def _ok(r) -> bool:
    return r is not None and r.get("rc", 1) == 0


def report(R: dict) -> None:
    C = R["contenders"]
    ka, ex = C.get("kawasan"), C.get("extract")
    lab, pol, ee, rs = (C.get(k) for k in ("peer_label", "peer_polygonize", "peer_exactextract", "peer_rasterstats"))
    k_wall = ka["wall_s"] if _ok(ka) else None
    ratios: dict = {}
    rows = []   # (label, wall, peak_mb, cpu, ratio-base)
    if _ok(ka):
        rows.append(("kawasan `extract_sites` (extract + explain + rank + write), one process", ka["wall_s"],
                     ka["peak_rss_mb"], ka))
    if _ok(ex):
        rows.append(("kawasan `sites.extract` only, one process", ex["wall_s"], ex["peak_rss_mb"], ex))
    if _ok(lab):
        rows.append(("peer 1: scipy.ndimage threshold, opening, hole fill, label (8-conn.), area filter", lab["wall_s"],
                     lab["peak_rss_mb"], lab))
    if _ok(pol):
        rows.append(("peer 2: `gdal_polygonize.py -8` -> GPKG", pol["wall_s"], pol["peak_rss_mb"], pol))
    pm = C.get("peer_polygonize_malloc")
    if _ok(pm):
        rows.append(("(info) peer 2 with `MALLOC_MMAP_THRESHOLD_`/`MALLOC_TRIM_THRESHOLD_` raised", pm["wall_s"],
                     pm["peak_rss_mb"], pm))
    if _ok(ee):
        rows.append(("peer 3a: exactextract (score + criteria mean/count, land-cover frac)", ee["wall_s"],
                     ee["peak_rss_mb"], ee))
    if _ok(rs):
        rows.append(("peer 3b: rasterstats `zonal_stats` (same)", rs["wall_s"], rs["peak_rss_mb"], rs))
    chain = None
    if _ok(lab) and _ok(pol):
        ext = lab["wall_s"] + pol["wall_s"]
        R["peer_extraction_s"] = ext
        rows.append(("peer extraction (1 + 2)", ext, max(lab["peak_rss_mb"], pol["peak_rss_mb"]), None))
        if _ok(ex):
            ratios["peer_extraction_over_kawasan_extract"] = ext / ex["wall_s"]
            if _ok(pm):
                ratios["peer_extraction_tuned_malloc_over_kawasan_extract"] = (lab["wall_s"] + pm["wall_s"]) / ex["wall_s"]
        for key, z, tag in (("exactextract", ee, "3a"), ("rasterstats", rs, "3b")):
            if _ok(z):
                tot = ext + z["wall_s"]
                peak = max(lab["peak_rss_mb"], pol["peak_rss_mb"], z["peak_rss_mb"])
                rows.append((f"**peer chain with {key} (1 + 2 + {tag})**", tot, peak, None))
                if k_wall:
                    ratios[f"peer_{key}_over_kawasan"] = tot / k_wall
                chain = chain or tot
    mc0, mc1, nv = C.get("mc_spread0"), C.get("mc_spread1"), C.get("naive")

    print("\n== per-step detail")
    if _ok(ka):
        t = ka["trace"]
        print(f"kawasan extract_sites: process {ka['wall_s']:.2f} s = imports {t['t_import']:.2f} + call {t['t_call']:.2f}"
              f" + interpreter start/exit; {t['n_sites']} sites, {t['cells']:,} cells")
        for name, v in sorted(t["agg"].items(), key=lambda kv: -kv[1]["seconds"]):
            print(f"   {name:<44} {v['seconds']:8.2f} s  x{v['count']:<6} HWM after {v['hwm_mb'] / 1024:.2f} GB")
        agg = t["agg"]
        exs = agg.get("sites.extract", {}).get("seconds")
        eps = agg.get("explain", {}).get("seconds")
        if exs is not None and eps is not None:
            inner = sum(agg.get(k, {}).get("seconds", 0.0) for k in
                        ("explain: land-cover shares", "explain: slope stats", "explain: proximity layers"))
            # Run.raster inside explain: the score (the classes/constraints are read inside extract)
            R["kawasan_split"] = {"extract_s": exs, "explain_s": eps, "explain_criteria_means_and_rest_s": eps - inner,
                                  "rank_s": agg.get("rank", {}).get("seconds", 0.0),
                                  "write_s": agg.get("write sites/ (GPKG, GeoJSON, JSON)", {}).get("seconds", 0.0)}
            print(f"   split: extraction {exs:.2f} s, explanation {eps:.2f} s (of which land-cover shares + slope + "
                  f"proximity {inner:.2f} s; criterion/score means and the rest {eps - inner:.2f} s), "
                  f"rank {R['kawasan_split']['rank_s']:.3f} s, write {R['kawasan_split']['write_s']:.2f} s")
    if _ok(ex):
        t = ex["trace"]
        print(f"kawasan sites.extract only: process {ex['wall_s']:.2f} s = imports {t['t_import']:.2f} + call "
              f"{t['t_call']:.2f}; {t['n_sites']} sites")
    for label, r in (("peer 1 (label)", lab), ("peer 3a (exactextract)", ee), ("peer 3b (rasterstats)", rs)):
        if r is not None and not _ok(r):
            print(f"{label}: FAILED (rc {r.get('rc')}{', timed out' if r.get('timed_out') else ''}) after {r['wall_s']:.1f} s")
        if _ok(r) and r.get("trace"):
            print(f"{label}: " + ", ".join(f"{k} {v:.2f}" for k, v in r["trace"]["steps"].items())
                  + (f"; {r['trace']['sites']} sites" if "sites" in r["trace"] else "")
                  + (f", {r['trace']['features']} features" if "features" in r["trace"] else ""))
    ag = R.get("agreement", {})
    if ag:
        print("agreement (sites >= %g ha):" % R["min_area_ha"])
        k = ag.get("kawasan", {})
        print(f"   kawasan       {k.get('sites')} sites, {k.get('area_ha', 0):,.1f} ha")
        if "polygons" in ag:
            p = ag["polygons"]
            print(f"   peer polygons {p['sites']} labels, {p['area_ha']:,.1f} ha; matched to kawasan's sites by centroid "
                  f"(<= 15 m) and equal cell count: {p['matched_by_centroid_and_area']}")
        for tool in ("exactextract", "rasterstats"):
            z = ag.get(tool)
            if z:
                print(f"   {tool:<13} {z['sites']} sites, {z['area_ha']:,.1f} ha; matched {z['matched']}; max |cells diff| "
                      f"{z['max_cells_diff']}; mean score max |diff| {z['score_mean_max_abs_diff']:.2e} "
                      f"({z['score_mean_over_1e-3']} above 1e-3); criterion means max |diff| "
                      f"{z['criteria_mean_max_abs_diff']:.2e}; land-cover shares max |diff| "
                      f"{z['landcover_share_max_abs_diff']:.2e}")

    mc_rows = []
    if _ok(mc0):
        mc_rows.append((f"kawasan `stress_test(n={MC_N}, spread_map=False)`", mc0["wall_s"], mc0["peak_rss_mb"], mc0))
    if _ok(mc1):
        mc_rows.append((f"kawasan `stress_test(n={MC_N})` with the spread map", mc1["wall_s"], mc1["peak_rss_mb"], mc1))
    if _ok(nv):
        t = nv["trace"]
        per = t["t_draws"] / t["draws"]
        est = nv["wall_s"] - t["t_draws"] + per * MC_N
        R["naive_extrapolated_s"] = est
        mc_rows.append((f"naive: full-resolution weighted sum per draw (measured {t['draws']} draws, "
                        f"**extrapolated** to {MC_N:,})", est, nv["peak_rss_mb"], None))
        if _ok(mc0):
            ratios["naive_over_stress_test_no_spread"] = est / mc0["wall_s"]
        if _ok(mc1):
            ratios["naive_over_stress_test_with_spread"] = est / mc1["wall_s"]
    if _ok(mc0) or _ok(mc1) or _ok(nv):
        print("Monte Carlo on the demo (kawasan-industri run):")
        for r in (mc0, mc1):
            if _ok(r):
                t = r["trace"]
                print(f"   stress_test: process {r['wall_s']:.2f} s = imports {t['t_import']:.2f} + call {t['t_call']:.3f} s "
                      f"({t['sites']} sites): " + ", ".join(f"{k} {v['seconds']:.3f}" for k, v in t["agg"].items()))
        if _ok(nv):
            t = nv["trace"]
            print(f"   naive: {t['cells']:,} cells, {t['sites']} sites; " + ", ".join(f"{k} {v:.2f}" for k, v in t["steps"].items())
                  + f" (weighted sums alone {t['t_weighted_sum']:.2f} s) -> {t['t_draws'] / t['draws']:.3f} s per draw")
            print(f"   check on those {t['draws']} draws: per-site score from the rasters vs Σ w_i·mean_i: max |diff| "
                  f"{t['site_score_max_abs_diff_vs_shortcut']:.1e}; per-cell std of the recomputed scores vs score_spread "
                  f"with the draws' covariance: max |diff| {t['spread_max_abs_diff_all']:.1e}")
    R["ratios"] = ratios
    if ratios:
        print("ratios: " + ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items()))

    m = R["machine"]
    pv, zv = m.get("project_venv", {}), m.get("zonal_venv", {})
    print("\n== table\n")
    print("| step | wall s | peak RSS GB | CPU user + sys s | vs kawasan |")
    print("|---|---:|---:|---:|---:|")

    def line(label, wall, peak, r, base):
        cpu = f"{r.get('user_s', 0):.1f} + {r.get('sys_s', 0):.1f}" if r else "—"
        vs = f"{wall / base:.2f}x" if base else "—"
        print(f"| {label} | {P.fmt_s(wall)} | {P.fmt_gb(peak)} | {cpu} | {vs} |")

    for label, wall, peak, r in rows:
        line(label, wall, peak, r, k_wall)
    mc_base = mc0["wall_s"] if _ok(mc0) else None
    for label, wall, peak, r in mc_rows:
        line(label, wall, peak, r, mc_base)

    print("\n== Markdown for docs/performance.md\n")
    k = ag.get("kawasan", {}) if ag else {}
    print(f"Candidate sites, {R['size']:,} x {R['size']:,} cells at {R['res_m']:g} m ({R['crs']}): the pipeline "
          f"benchmark's model (S1 + S2 = {R['run'].get('suitable_share', 0) * 100:.1f} % of the cells), sites of at least {R['min_area_ha']:g} ha "
          f"(class <= S2, 3 x 3 opening, holes <= 1 ha filled, 8-connected): {k.get('sites', '?')} sites, "
          f"{k.get('area_ha', 0):,.0f} ha. Each step in its own process, inputs in the OS cache; "
          f"measured by `benchmarks/sites.py` on {R['started']}. Ratios: wall / kawasan `extract_sites` wall "
          f"(Monte Carlo rows: / `stress_test` without the spread map).\n")
    print("| contender | wall s | peak RSS GB | vs kawasan |")
    print("|---|---:|---:|---:|")
    for label, wall, peak, r in rows:
        print(f"| {label} | {P.fmt_s(wall)} | {P.fmt_gb(peak)} | {f'{wall / k_wall:.2f}x' if k_wall else '—'} |")
    if mc_rows:
        print(f"| *Monte Carlo, {MC_N:,} weight draws, demo run (kawasan-industri)* | | | |")
        for label, wall, peak, r in mc_rows:
            print(f"| {label} | {P.fmt_s(wall)} | {P.fmt_gb(peak)} | {f'{wall / mc_base:.2f}x' if mc_base else '—'} |")
    if R.get("kawasan_split"):
        s = R["kawasan_split"]
        print(f"\nInside kawasan's {P.fmt_s(ka['wall_s'])} s: extraction {s['extract_s']:.2f} s, explanation "
              f"{s['explain_s']:.2f} s (score and criterion means, land-cover shares, slope statistics), ranking "
              f"{s['rank_s']:.3f} s, writing GPKG + GeoJSON + JSON {s['write_s']:.2f} s. kawasan's explanation does more "
              f"than the peer's zonal statistics (slope from the DEM, compactness, WGS84 centroid, GeoJSON).")
    if ratios.get("peer_extraction_over_kawasan_extract"):
        print(f"\nExtraction alone (threshold to polygons): kawasan `sites.extract` {P.fmt_s(ex['wall_s'])} s, the peer's "
              f"scipy labelling + `gdal_polygonize.py` {P.fmt_s(R['peer_extraction_s'])} s "
              f"({ratios['peer_extraction_over_kawasan_extract']:.2f}x)"
              + (f"; {ratios['peer_extraction_tuned_malloc_over_kawasan_extract']:.2f}x with the polygonize step's "
                 "malloc tuned (its stock run spends most of its time in the kernel, on page faults of freshly mapped "
                 "memory)" if ratios.get("peer_extraction_tuned_malloc_over_kawasan_extract") else "") + ".")
    if _ok(nv):
        t = nv["trace"]
        print(f"\nThe naive row is an extrapolation: {t['draws']} draws measured ({t['t_draws'] / t['draws']:.3f} s per draw "
              f"on {t['cells']:,} cells: six-layer weighted sum, per-site means, ranks, running sums for the spread), "
              f"times {MC_N:,}, plus its one-off reading; {R['naive_extrapolated_s'] / mc1['wall_s']:.0f}x the stress test "
              f"with the spread map." if _ok(mc1) else "")
    print(f"\nMachine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GiB RAM, Linux {m['kernel']}; load at start "
          f"`{R['load']['start'].split('load average:')[-1].strip()}`, at end "
          f"`{R['load']['end'].split('load average:')[-1].strip()}`. kawasan {pv.get('kawasan')} at {m['git_commit']}"
          f"{' (+ uncommitted changes)' if m['git_dirty_files'] else ''}: Python {pv.get('python')}, numpy "
          f"{pv.get('numpy')}, numba {pv.get('numba')}, opencv {pv.get('opencv')}, rasterio {pv.get('rasterio')} "
          f"(GDAL {pv.get('gdal (rasterio)')}). Peer: {m['debian_gdal']} (Debian, `gdal_polygonize.py`); "
          f"exactextract {zv.get('exactextract')}, rasterstats {zv.get('rasterstats')}, scipy {zv.get('scipy')}, "
          f"numpy {zv.get('numpy')}, rasterio {zv.get('rasterio')} (GDAL {zv.get('gdal (rasterio)')}), fiona "
          f"{zv.get('fiona')} on Python {zv.get('python')}.")


def _roles(argv) -> bool:
    if not argv or not argv[0].startswith("_"):
        return False
    role = argv[0]
    p = argparse.ArgumentParser(prog=f"sites.py {role}")
    for opt, kw in (("--run", {}), ("--data", {}), ("--out", {}), ("--model", {}), ("--trace", {}),
                    ("--spread", dict(type=int, default=0)), ("--extract-only", dict(action="store_true")),
                    ("--max-cells", dict(type=int, default=0)), ("--min-area", dict(type=float, default=0.0))):
        p.add_argument(opt, **kw)
    a = p.parse_args(argv[1:])
    {"_mkrun": role_mkrun, "_kawasan": role_kawasan, "_label": role_label, "_exactextract": role_exactextract,
     "_rasterstats": role_rasterstats, "_compare": role_compare, "_mc": role_mc, "_naive": role_naive}[role](a)
    return True


if __name__ == "__main__":
    if not _roles(sys.argv[1:]):
        sys.exit(main())
