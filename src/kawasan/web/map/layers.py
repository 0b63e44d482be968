"""The map layers of a run: which tile layers it has, their legends, and the file and colouring of each.

The run's own rasters (score, classes, exclusion reasons, criteria, the stress test's score spread) come from
its manifest; the study-area layers (DEM as hillshade, land cover, zoning and every other categorical raster)
from the study area the run was computed on (its folder as recorded in the run manifest).
"""
from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from cachetools import LRUCache

from kawasan import __version__
from kawasan.errors import NotFoundError
from kawasan.reports import maps as palette
from kawasan.spatial.runs.catalog import Entry
from kawasan.web.map.tiles import (CATEGORY_COLOURS, SCORE_TABLE, SPREAD_TABLE, STYLE_VERSION, Style, TileSource,
                                   check_layer_name, hex_rgba)
from kawasan.i18n import Message

CLASS_ORDER = ["S1", "S2", "S3", "N1", "N2", "excluded"]
#: study-area layers offered first (in this order), then the other categorical rasters by name
PREFERRED = ["landcover", "zoning"]


def _file_tag(path: Path) -> str:
    st = path.stat()
    return f"{st.st_mtime_ns}-{st.st_size}"


def study_layers(run: Entry) -> dict[str, dict]:
    """The study area's manifest layers (name -> entry with an absolute ``file``), {} when it is gone. ``run``
    is a run (its study area's folder from its manifest) or a study area itself."""
    root = run.path if run.kind == "study_area" else Path((run.manifest.get("study_area") or {}).get("path") or "")
    man = root / "manifest.json"
    try:
        layers = json.loads(man.read_text(encoding="utf-8")).get("layers") or {}
    except (OSError, ValueError, UnicodeDecodeError, AttributeError):
        return {}
    out = {}
    for name, spec in layers.items():
        if isinstance(spec, dict) and spec.get("path"):
            p = Path(spec["path"])
            p = p if p.is_absolute() else root / p
            if p.is_file():
                out[name] = {**spec, "file": p}
    return out


def _output(run: Entry, role: str, criterion: str | None = None) -> Path | None:
    for o in run.manifest.get("outputs", []):
        if o.get("role") == role and (criterion is None or o.get("criterion") == criterion):
            p = run.path / o["path"]
            return p if p.is_file() else None
    return None


def _label(item: dict, lang: str) -> str:
    return (item.get("label_id") if lang == "id" else item.get("label")) or item.get("label") or item["id"]


def class_codes(run: Entry) -> dict[str, str]:
    out = next((o.get("codes") for o in run.manifest.get("outputs", []) if o.get("role") == "classes"), None)
    return out or {"1": "S1", "2": "S2", "3": "S3", "4": "N1", "5": "N2", "6": "excluded", "0": "nodata"}


def rule_colours(run: Entry) -> dict[int, str]:
    """Bit -> colour of each rule, in the order of the manifest (the report's rule palette)."""
    bits = sorted(int(c["bit"]) for c in run.manifest.get("constraints", []) if c.get("bit"))
    return {b: palette.RULE_COLOURS[i % len(palette.RULE_COLOURS)] for i, b in enumerate(bits)}


def category_colours(categories: dict) -> dict[int, str]:
    """Code -> colour: the standard category's colour, else the rule palette by code order."""
    out = {}
    for i, (code, name) in enumerate(sorted(categories.items(), key=lambda kv: int(kv[0]))):
        out[int(code)] = CATEGORY_COLOURS.get(str(name), palette.RULE_COLOURS[i % len(palette.RULE_COLOURS)])
    return out


def file_colours(path: Path) -> dict[int, str] | None:
    """The GeoTIFF's own colour table (code -> colour), when it has one."""
    import rasterio

    try:
        with rasterio.open(path) as ds:
            cmap = ds.colormap(1)
    except ValueError:  # no colour table
        return None
    return {int(k): "#%02x%02x%02x" % tuple(v[:3]) for k, v in cmap.items()}


def layer_list(run: Entry, lang: str) -> list[dict]:
    """Every tile layer of the run (or study area) with its group, label and legend (for the layer switcher)."""
    from kawasan.i18n import t

    if run.kind == "study_area":
        return study_layer_list(run, lang)
    return run_layer_list(run, lang) + study_layer_list(run, lang)


def run_layer_list(run: Entry, lang: str) -> list[dict]:
    """The run's own layers: score, classes, exclusion reasons, criteria, score spread."""
    from kawasan.i18n import t

    out = [{"id": "score", "group": "run", "label": t("map.layer.score", lang),
            "legend": {"kind": "ramp", "stops": [c for _, c in palette.SCORE_STOPS], "low": "0", "high": "1"}}]
    labels = run.manifest.get("class_labels") or {}
    out.append({"id": "classes", "group": "run", "label": t("map.layer.classes", lang), "legend": {
        "kind": "swatches", "items": [{"colour": palette.CLASS_COLOURS[i + 1],
                                       "label": f"{c} · {(labels.get(c) or {}).get(lang, c)}" if c != "excluded"
                                       else (labels.get(c) or {}).get(lang, c)}
                                      for i, c in enumerate(CLASS_ORDER)]}})
    colours = rule_colours(run)
    rules = [c for c in run.manifest.get("constraints", []) if c.get("status") == "applied" and c.get("bit")]
    out.append({"id": "constraints", "group": "run", "label": t("map.layer.constraints", lang), "legend": {
        "kind": "swatches", "items": [{"colour": colours[int(c["bit"])], "label": _label(c, lang)} for c in rules]
        + [{"colour": "#000000", "hatched": True, "label": t("map.legend.several_rules", lang)}]}})
    for c in run.manifest.get("criteria", []):
        if _output(run, "criterion", c["id"]):
            out.append({"id": f"criterion.{c['id']}", "group": "criteria",
                        "label": t("map.layer.criterion", lang, label=_label(c, lang)),
                        "legend": {"kind": "ramp", "stops": [col for _, col in palette.SCORE_STOPS],
                                   "low": "0", "high": "1"}})
    if (run.path / "sites" / "score_spread.tif").is_file():
        out.append({"id": "spread", "group": "run", "label": t("map.layer.spread", lang),
                    "legend": {"kind": "ramp", "stops": ["#f7f7f7", "#9e9ac8", "#3f007d"], "low": "0",
                               "high": "max"}})
    return out


def study_layer_list(run: Entry, lang: str) -> list[dict]:
    """The study area's layers: the DEM as hillshade, land cover, zoning and the other categorical rasters."""
    from kawasan.i18n import t

    out = []
    study = study_layers(run)
    if "dem" in study:
        out.append({"id": "hillshade", "group": "study", "label": t("map.layer.hillshade", lang), "legend": None})
    names = [n for n in PREFERRED if n in study] + sorted(
        n for n, s in study.items() if n not in PREFERRED and s.get("kind") == "raster"
        and s.get("type") == "categorical" and s.get("categories"))
    for name in names:
        spec = study[name]
        cats = spec.get("categories") or {}
        cols = file_colours(spec["file"]) or category_colours(cats)
        out.append({"id": f"layer.{name}", "group": "study", "label": study_label(name, lang),
                    "legend": {"kind": "swatches", "items": [{"colour": cols.get(int(k), "#888888"), "label": v}
                                                             for k, v in sorted(cats.items(), key=lambda kv: int(kv[0]))
                                                             if int(k) in cols]}})
    return out


def study_label(name: str, lang: str) -> str:
    """The name of a study-area layer in ``lang`` (the standard layers have one; others keep their name)."""
    from kawasan.i18n import catalogue, t

    key = f"map.study.{name}"
    return catalogue(lang)[key] if key in catalogue(lang) else t("map.layer.study", lang, name=name)


def tile_source(run: Entry, layer: str) -> TileSource:
    """The file and colouring of ``layer``; 404 naming the layers the run has when it has no such layer."""
    check_layer_name(layer)
    tag = f"{run.checksum}:{STYLE_VERSION}:{__version__}"
    path, style = None, None
    if run.kind == "study_area" and layer not in ("hillshade",) and not layer.startswith("layer."):
        pass
    elif layer == "score":
        path, style = _output(run, "score"), Style("ramp", SCORE_TABLE)
    elif layer == "classes":
        codes = {int(k): hex_rgba(palette.CLASS_COLOURS[int(k)]) for k in class_codes(run) if int(k) in
                 palette.CLASS_COLOURS}
        path, style = _output(run, "classes"), Style("codes", codes=codes)
    elif layer == "constraints":
        path, style = _output(run, "constraints"), Style("bits", codes={b: hex_rgba(c) for b, c in
                                                                         rule_colours(run).items()})
    elif layer.startswith("criterion."):
        path, style = _output(run, "criterion", layer.split(".", 1)[1]), Style("ramp", SCORE_TABLE)
    elif layer == "spread":
        p = run.path / "sites" / "score_spread.tif"
        if p.is_file():
            path, style = p, Style("ramp", SPREAD_TABLE, 0.0, _spread_max(p))
            tag += ":" + _file_tag(p)
    else:
        study = study_layers(run)
        if layer == "hillshade" and "dem" in study:
            path, style = study["dem"]["file"], Style("hillshade", resampling="bilinear")
        elif layer.startswith("layer.") and layer[6:] in study and study[layer[6:]].get("categories"):
            spec = study[layer[6:]]
            cols = file_colours(spec["file"]) or category_colours(spec["categories"])
            path, style = spec["file"], Style("codes", codes={k: hex_rgba(v) for k, v in cols.items()})
        if path is not None:
            tag += ":" + _file_tag(path)
    if path is None:
        have = ", ".join(item["id"] for item in layer_list(run, "en"))
        what = Message("web.err.layers.what_study_area" if run.kind == "study_area" else "web.err.layers.what_run")
        raise NotFoundError(Message("web.err.layers.has_layer_has", what=what, layer=layer, have=have), field="layer")
    return TileSource(layer, path, style, hashlib.sha256(tag.encode()).hexdigest()[:24])


_sources: LRUCache = LRUCache(maxsize=1024)
_sources_lock = threading.Lock()


def _stamp(path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _source_stamps(run: Entry, source: TileSource) -> tuple:
    """What a cached :class:`TileSource` depends on beyond the run's checksum: its file, and for a study
    area's layer the study area's manifest (its categories and files)."""
    stamps = [(str(source.path), _stamp(source.path))]
    if run.kind == "study_area" or source.layer == "hillshade" or source.layer.startswith("layer."):
        root = run.path if run.kind == "study_area" else Path((run.manifest.get("study_area") or {}).get("path")
                                                              or "")
        stamps.append((str(root / "manifest.json"), _stamp(root / "manifest.json")))
    return tuple(stamps)


def cached_tile_source(run: Entry, layer: str) -> TileSource:
    """:func:`tile_source`, remembered per (run folder, run checksum, layer) while its files are unchanged
    (a stat each instead of reading the study area's manifest and the raster's colour table per tile)."""
    key = (str(run.path), run.checksum, layer)
    with _sources_lock:
        found = _sources.get(key)
    if found is not None:
        source, stamps = found
        if all(_stamp(p) == st for p, st in stamps):
            return source
    source = tile_source(run, layer)
    with _sources_lock:
        _sources[key] = (source, _source_stamps(run, source))
    return source


def _spread_max(path: Path) -> float:
    """The top of the spread ramp: the largest standard deviation in the file (from its statistics)."""
    import numpy as np
    import rasterio

    with rasterio.open(path) as ds:
        level = (ds.overviews(1) or [1])[-1]
        arr = ds.read(1, out_shape=(max(1, ds.height // level), max(1, ds.width // level)))
    top = float(np.nanmax(arr)) if np.isfinite(arr).any() else 1.0
    return top if top > 0 else 1.0
