"""Write an evaluation as a run folder: COG rasters plus ``manifest.json``.

The folder is built under a temporary sibling name and moved into place only when
complete, so a failed run leaves nothing half-written. An existing run folder at the
target is replaced only when asked (``overwrite``), and only if it is a kawasan run (its
manifest says so): the whole folder goes, sites and reports included, since they describe
the old run; the refusal and the caller's notice say what it held. Any other non-empty
folder is refused, so nothing stored is lost.
"""
from __future__ import annotations

import json
import platform
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from kawasan.errors import OutputError
from kawasan.i18n import Message, pick
from kawasan.fileio import publish, recover, temp_sibling, writing
from kawasan.spatial.engine import Evaluation
from kawasan.spatial.model import CERTAINTY_MEANING, CLASS_CODES, CLASS_LABELS, label_text
from kawasan.spatial.rasters import WRITE_CACHE_MB, block_cache, write_cog
from kawasan.spatial.runs.summary import best_areas, class_table, class_table_from_counts

RUN_KIND = "kawasan.run"


def software_versions() -> dict:
    import cv2
    import numba
    import rasterio

    from kawasan import __version__

    return {
        "kawasan": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "rasterio": rasterio.__version__,
        "gdal": rasterio.__gdal_version__,
        "opencv": cv2.__version__,
    }


def previous_run(out: Path) -> dict | None:
    """What an earlier kawasan run in ``out`` holds, or None when ``out`` is absent or an empty folder.

    Returns the run's model, study area and creation time, and ``extra``: every entry of the folder
    the run itself did not write (its sites, its reports, anything a person put there); the sites
    folder with its number of candidate sites. Raises OutputError when ``out`` is a file, or a non-empty
    folder that is not a kawasan run (kawasan never deletes what it did not write).
    """
    if out.exists() and not out.is_dir():
        raise OutputError(Message("err.run_is_file"), source=str(out))
    if not out.is_dir() or not any(out.iterdir()):
        return None
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    if not isinstance(manifest, dict) or manifest.get("kind") != RUN_KIND:
        raise OutputError(Message("err.not_run_dir"), source=str(out))
    written = {Path(o["path"]).parts[0] for o in manifest.get("outputs", []) if o.get("path")}
    extra = []
    for entry in sorted(out.iterdir(), key=lambda p: p.name):
        if entry.name in written or entry.name.startswith("."):
            continue
        sites = None
        if entry.name == "sites" and (entry / "sites.json").is_file():
            try:
                sites = len(json.loads((entry / "sites.json").read_text(encoding="utf-8")).get("sites", []))
            except (OSError, ValueError, AttributeError):
                pass
        extra.append({"name": entry.name + ("/" if entry.is_dir() else ""), "sites": sites})
    model = manifest.get("model") or {}
    return {"folder": str(out), "model": model.get("name", "?"), "study_area": (manifest.get("study_area") or {}).get(
        "name", "?"), "created": manifest.get("created", "?"), "extra": extra}


def describe_previous(prev: dict) -> str:
    """One line: the earlier run and what the folder holds besides it (English, for messages and logs)."""
    text = f"run of model '{prev['model']}' on {prev['study_area']}, computed {prev['created']}"
    if prev["extra"]:
        text += "; it also holds " + ", ".join(
            e["name"] + (f" ({e['sites']} candidate sites)" if e["sites"] is not None else "") for e in prev["extra"])
    return text


def refusal(prev: dict) -> Message:
    """Why an earlier run is not replaced without --overwrite: the run and what the folder holds besides it."""
    items = [Message("err.run_exists_sites", name=e["name"], sites=e["sites"]) if e["sites"] is not None else e["name"]
             for e in prev["extra"]]
    extra = Message("err.run_exists_extra", items=_joined(items)) if items else ""
    return Message("err.run_exists", model=prev["model"], area=prev["study_area"], created=prev["created"],
                   extra=extra, goes=Message("err.run_exists_goes") if items else "")


def _joined(items) -> Message | str:
    """Items (texts or messages) joined by commas in either language."""
    if not any(isinstance(i, Message) for i in items):
        return ", ".join(items)
    return {"en": ", ".join(pick(i, "en") for i in items), "id": ", ".join(pick(i, "id") for i in items)}


def check_target(out: Path, *, overwrite: bool = False) -> dict | None:
    """Refuse to write over anything that is not a previous kawasan run, and over a previous run unless
    ``overwrite``; return the previous run's description (None when there is none)."""
    out = Path(out)
    prev = previous_run(out)
    if prev is not None and not overwrite:
        raise OutputError(refusal(prev), source=str(out))
    return prev


def write_run(ev: Evaluation, out: str | Path, *, model_source: str, write_criteria: bool = False,
              compress: str = "ZSTD", extra: dict | None = None, overwrite: bool = False) -> dict:
    """Write the run folder and return its manifest (an earlier run in ``out`` is replaced only with ``overwrite``)."""
    out = Path(out)
    recover(out)
    check_target(out, overwrite=overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_sibling(out)
    try:
        with writing(out, "run folder"):
            tmp.mkdir()
            manifest = _write_contents(ev, tmp, model_source=model_source, write_criteria=write_criteria,
                                       compress=compress, extra=extra or {})
            publish(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def _write_contents(ev: Evaluation, folder: Path, *, model_source, write_criteria, compress, extra) -> dict:
    """The run folder's contents in ``folder``, in three steps: the COGs and the summaries beside them
    (:func:`_cog_jobs`, :func:`_write_cogs`), ``model.json``, then ``manifest.json``
    (:func:`_manifest`, with the setback tables its constraints point to)."""
    t0 = time.perf_counter()
    jobs, outputs = _cog_jobs(ev, folder, write_criteria)
    best, table = _write_cogs(ev, folder, jobs, compress)
    model_path = folder / "model.json"
    model_path.write_text(json.dumps(ev.model.to_dict(), indent=2, ensure_ascii=False), encoding="utf-8")
    outputs.append({"path": "model.json", "role": "model"})
    write_seconds = time.perf_counter() - t0
    manifest = _manifest(ev, folder, outputs, model_source=model_source, table=table, best=best,
                         write_seconds=write_seconds, extra=extra)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=_json_default),
                                          encoding="utf-8")
    return manifest


def _base_tags(ev: Evaluation) -> dict:
    """The GeoTIFF tags every raster of the run carries: model, study area, and a warning on synthetic data."""
    base_tags = {"KAWASAN_MODEL": ev.model.name, "KAWASAN_STUDY_AREA": ev.area.name}
    if ev.area.synthetic:
        base_tags["SYNTHETIC"] = "yes: computed on synthetic demo data, not a real place"
    return base_tags


def _cog_jobs(ev: Evaluation, folder: Path, write_criteria: bool) -> tuple[list, list[dict]]:
    """The COGs to write, as ``(path, array or tiled file, write_cog keyword arguments)``, and their
    manifest entries: score, classes, the constraints bitmask and, when asked, each standardized criterion
    (the ``criteria`` folder is made here)."""
    base_tags = _base_tags(ev)
    tiled = getattr(ev, "tiled", None)     # a chunked run's outputs, already on disk as tiled GeoTIFFs
    src = tiled.paths if tiled is not None else {"score": ev.score, "classes": ev.classes, "constraints": ev.reason}
    outputs = []
    jobs = []  # (path, array or tiled file, write_cog keyword arguments)
    jobs.append(("score.tif", src["score"], dict(nodata=np.nan, descriptions="suitability score",
                                             tags={**base_tags, "ROLE": "score", "RANGE": "0..1, 0 where excluded by a rule"})))
    outputs.append({"path": "score.tif", "role": "score", "dtype": "float32", "nodata": "nan"})
    class_tags = {str(k): v for k, v in CLASS_CODES.items()}
    jobs.append(("classes.tif", src["classes"], dict(nodata=0, categorical=True, descriptions="suitability class",
                                                 tags={**base_tags, "ROLE": "classes",
                                                       **{f"CLASS_{k}": v for k, v in class_tags.items()}})))
    outputs.append({"path": "classes.tif", "role": "classes", "dtype": "uint8", "nodata": 0, "codes": class_tags})
    bits = {str(o.bit): o.id for o in ev.constraints}
    jobs.append(("constraints.tif", src["constraints"], dict(nodata=None, categorical=True,
                                                    descriptions="exclusion reasons (bitmask)",
                                                    tags={**base_tags, "ROLE": "constraints",
                                                          "ENCODING": "bitmask; 0 = not excluded",
                                                          **{f"BIT_{k}": v for k, v in bits.items()}})))
    rdtype = ev.reason.dtype if tiled is None else np.dtype(tiled.reason_dtype)
    outputs.append({"path": "constraints.tif", "role": "constraints", "dtype": str(rdtype),
                    "encoding": "bitmask", "bits": bits})
    if write_criteria:
        (folder / "criteria").mkdir()
        for cid, arr in sorted((ev.criteria if tiled is None else tiled.criteria).items()):
            rel = f"criteria/{cid}.tif"
            jobs.append((rel, arr, dict(nodata=np.nan, descriptions=f"standardized {cid}",
                                        tags={**base_tags, "ROLE": "criterion", "CRITERION": cid})))
            outputs.append({"path": rel, "role": "criterion", "criterion": cid, "dtype": "float32", "nodata": "nan"})
    return jobs, outputs


def _write_cogs(ev: Evaluation, folder: Path, jobs: list, compress: str) -> tuple[list, list]:
    """Write the COGs of ``jobs`` side by side and compute the summaries meanwhile; returns
    ``(best areas, class table)``.

    GDAL releases the GIL: writing the COGs side by side overlaps one file's compression and overview
    building with another's I/O. The summaries (OpenCV components, a histogram) also run outside the GIL,
    alongside the writes. The block cache is process-wide: it is limited here, in the calling thread
    (block_cache leaves it alone in the writer threads, where it could not be put back)."""
    grid, breaks = ev.area.grid, ev.model.classes.breaks
    tiled = getattr(ev, "tiled", None)
    with block_cache(WRITE_CACHE_MB), ThreadPoolExecutor(max_workers=3, thread_name_prefix="kawasan-cog") as pool:
        if tiled is None:
            futures = [pool.submit(write_cog, folder / rel, arr, grid, compress=compress, **kw)
                       for rel, arr, kw in jobs]
            best = best_areas(ev.score, ev.classes, grid)
            table = class_table(ev.classes, grid, breaks)
        else:
            from kawasan.spatial.chunked.outputs import cog_from_file

            futures = [pool.submit(cog_from_file, tif, folder / rel, compress=compress, **kw)
                       for rel, tif, kw in jobs]
            best = tiled.best_areas()
            table = class_table_from_counts(tiled.counts, grid, breaks)
        for f in futures:
            f.result()
    return best, table


def _constraint_entries(ev: Evaluation, folder: Path, outputs: list[dict]) -> list[dict]:
    """The manifest's constraint entries; a setback's per-feature table is written beside them
    (``setbacks/<id>.csv``), pointed to by its entry and listed in ``outputs``."""
    cell_ha = ev.area.grid.cell_area / 10_000.0
    cons = [_constraint_entry(o, ev.model.constraint(o.id), cell_ha) for o in ev.constraints]
    for o in ev.constraints:
        if o.setback is not None and o.setback.features:
            rel = _write_setback_table(folder, o.id, o.setback.features)
            next(c for c in cons if c["id"] == o.id)["setback"]["table"] = rel
            outputs.append({"path": rel, "role": "setback_table", "constraint": o.id})
    return cons


def _criterion_entries(ev: Evaluation) -> list[dict]:
    """The manifest's entries of the criteria that count (weighted), in id order, with the layer each read."""
    return [{"id": c.id, "label": label_text(c.label, "en", c.id), "label_id": label_text(c.label, "id", c.id),
             "layer": c.layer, "measure": c.measure, "direction": c.direction, "transform": c.transform.model_dump(),
             "weight": ev.weights.weights[c.id], "group": c.group, **cited(c),
             **({"read": ev.criteria_read[c.id]} if c.id in ev.criteria_read else {})}
            for c in sorted(ev.model.criteria, key=lambda c: c.id) if c.id in ev.weights.weights]


def _skipped_entries(ev: Evaluation) -> list[dict]:
    """The criteria left out because their optional layer was not provided, with the weight they had."""
    return [{"id": c.id, "layer": c.layer, "weight_before": ev.weights.skipped[c.id],
             "reason": f"optional layer '{c.layer}' not provided"}
            for c in sorted(ev.model.criteria, key=lambda c: c.id) if c.id in ev.weights.skipped]


def _manifest(ev: Evaluation, folder: Path, outputs: list[dict], *, model_source, table, best,
              write_seconds: float, extra: dict) -> dict:
    """The run's ``manifest.json`` content: what was computed from what, how, and the files written
    (the setback tables are written here, see :func:`_constraint_entries`)."""
    model, grid, synthetic = ev.model, ev.area.grid, ev.area.synthetic
    cons = _constraint_entries(ev, folder, outputs)
    crit = _criterion_entries(ev)
    skipped = _skipped_entries(ev)
    return {
        "kind": RUN_KIND,
        "format_version": 1,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "synthetic": synthetic,
        **({"notice": ev.area.manifest.get("notice") or "Computed on SYNTHETIC data; not a real place."}
           if synthetic else {}),
        "model_source": model_source,
        "model": model.to_dict(),
        "study_area": {"path": str(ev.area.root.resolve()), "name": ev.area.name, "synthetic": synthetic,
                       "grid": grid.to_dict()},
        "inputs": sorted(ev.inputs.values(), key=lambda d: d["layer"]),
        "weights": ev.weights.to_dict(),
        "criteria": crit,
        **({"skipped_criteria": skipped} if skipped else {}),
        "constraints": cons,
        **({"screening": ev.notices} if ev.notices else {}),
        **({"rule_switches": {k: ("on" if v else "off") for k, v in sorted(ev.switches.items())}}
           if ev.switches else {}),
        "proxies": _proxies(cons, crit),
        "sites": site_rules_entry(model.sites) if model.sites else None,
        "classes": table,
        "class_labels": CLASS_LABELS,
        "best_areas": best,
        "nodata_policy": "NaN score / class 0 where any criterion input is NoData; excluded cells score 0, class 6",
        "warnings": ev.warnings,
        "software": software_versions(),
        "timings": {**{k: round(v, 4) for k, v in ev.timings.items()}, "write": round(write_seconds, 4)},
        "outputs": outputs + [{"path": "manifest.json", "role": "manifest"}],
        **extra,
    }


def cited(item) -> dict:
    """The citation fields of a rule for a manifest: text in English, the Indonesian beside it (``_id``)."""
    out = {"legal_basis": label_text(item.legal_basis, "en") or None,
           "legal_basis_id": label_text(item.legal_basis, "id") or None,
           "certainty": item.certainty, "certainty_meaning": CERTAINTY_MEANING[item.certainty],
           "source": item.source, "note": label_text(item.note, "en") or None,
           "note_id": label_text(item.note, "id") or None}
    return out


def site_rules_entry(sites) -> dict:
    """The model's site rules as the manifest carries them (citations flattened, options and land budget)."""
    out = {"min_area_ha": sites.min_area_ha, "max_area_ha": sites.max_area_ha, **cited(sites)}
    if sites.options:
        out["options"] = [{"id": o.id, "label": label_text(o.label, "en", o.id), "label_id": label_text(o.label, "id", o.id),
                           "min_area_ha": o.min_area_ha, "max_area_ha": o.max_area_ha, **cited(o)}
                          for o in sites.options]
    if sites.land_budget is not None:
        lb = sites.land_budget
        out["land_budget"] = {"plots_target": lb.plots_target, "plots_max": lb.plots_max, "green_min": lb.green_min,
                              "roads_min": lb.roads_min, **cited(lb)}
    return out


def _constraint_entry(o, c, cell_ha: float) -> dict:
    entry = {
        "id": c.id, "bit": o.bit, "rule": c.rule, "layer": c.layer, "status": o.status,
        "label": label_text(c.label, "en", c.id), "label_id": label_text(c.label, "id", c.id),
        "values": c.values, "distance": c.distance, "limit": c.limit, "measure": c.measure, **cited(c),
        "excluded_cells": o.excluded_cells, "excluded_ha": round(o.excluded_cells * cell_ha, 2),
        "enabled": c.enabled,
    }
    if o.reason:
        entry["skipped_because"] = o.reason
        entry["cause"] = o.cause
    if o.read:
        entry["read"] = o.read
    if o.setback is not None:
        entry["setback"] = o.setback.to_dict()
        for row in entry["setback"]["classes"]:
            row["excluded_ha"] = round(row.pop("excluded_cells") * cell_ha, 2)
    return entry


def _proxies(cons: list[dict], crit: list[dict]) -> list[dict]:
    """Every rule and criterion that read a stand-in for its own layer, or classed features by a proxy."""
    out = []
    for kind, rows in (("constraint", cons), ("criterion", crit)):
        for r in rows:
            read = r.get("read") or {}
            if read.get("role") == "proxy":
                out.append({"kind": kind, "id": r["id"], "layer": read["layer"], "instead_of": r["layer"],
                            "note": read.get("note"), "note_id": read.get("note_id")})
            for cls in (r.get("setback") or {}).get("classes", []):
                for b in cls["by_basis"]:
                    if b["proxy"]:
                        out.append({"kind": kind, "id": r["id"], "layer": r["layer"], "instead_of": None,
                                    "note": f"{b['features']} feature(s) classed '{cls['class']}' by {b['basis']}",
                                    "note_id": f"{b['features']} fitur berkelas '{cls['class']}' menurut "
                                               f"{b['basis_id']}"})
    return out


def _write_setback_table(folder: Path, cid: str, rows: list[dict]) -> str:
    """One CSV row per feature: the class its setback used and why (the per-river choice); names from
    OpenStreetMap or agency files go through :func:`kawasan.csvout.safe_cell` (no formula injection)."""
    import csv

    from kawasan.csvout import safe_cell

    (folder / "setbacks").mkdir(exist_ok=True)
    rel = f"setbacks/{cid}.csv"
    cols = ["feature", "osm_id", "name", "class", "decided_by", "basis", "proxy", "rural_m", "urban_m", "length_m",
            "area_m2"]
    with open(folder / rel, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: safe_cell(r.get(k)) for k in cols})
    return rel


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, tuple):
        return list(o)
    raise TypeError(Message("run.err.runfolder.json_serialisable",
                            type=type(o).__name__))
