"""The Regional potential pages' computation: the configured table set, the options of a request, a cache.

The table set is the folder ``WebSettings.economics_dir`` (``KAWASAN_ECONOMICS_DIR``, ``kawasan serve
--economics DIR``; see :mod:`kawasan.economics.tableset`), else ``DATA/economics`` when the data folder has
one (``kawasan demo`` leaves its SYNTHETIC table set there). Options come from the query string, so a view
is a link: ``year``, ``sector`` (default C), ``kind`` (all, kabupaten, kota; default kabupaten),
``stress`` (weight draws, 0..2000; default 500), ``top_k`` (default 5) and one ``w_<component>`` per
weight (direct weights; none given: equal weights). Results are kept for the last 16 option sets
(reading the tables takes about a second; a result is the same for the same files and options).

No server path reaches the browser: the page and the API show the table set's name (its folder's name),
title and source, and every text that names one of its files (notes, sources, errors, the report) names it
relative to the table set (``economy/ipm.csv``), see :func:`public`.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path

from fastapi import Request

from kawasan.errors import InputError
from kawasan.i18n import Message, each_language, text_in

KINDS = {"all": ("kabupaten", "kota"), "kabupaten": ("kabupaten",), "kota": ("kota",)}
MAX_STRESS = 2000
_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()
CACHE_SIZE = 16


DATA_TABLESET = "economics"   # DATA/economics: the table set of a data folder (the demo writes one)


def economics_dir(request: Request) -> Path | None:
    """The configured table set folder; without one, ``DATA/economics`` when it holds a ``tableset.yaml``."""
    d = getattr(request.app.state.web, "economics_dir", None)
    if d:
        return Path(d)
    env = (os.environ.get("KAWASAN_ECONOMICS_DIR") or "").strip()
    if env:
        return Path(env).expanduser()
    from kawasan.web.jobs import data_root

    inside = data_root(request) / DATA_TABLESET
    return inside if (inside / "tableset.yaml").is_file() else None


def _path_names(folder: Path, files: dict | None = None) -> list[tuple[str, str]]:
    """(server text, public text) pairs, longest first: each file as its path inside the table set, the folder
    as the table set's name; both as given and resolved (a message may carry either)."""
    pairs = {}
    for p in (files or {}).values():
        rel = Path(p).relative_to(folder).as_posix() if Path(p).is_relative_to(folder) else Path(p).name
        pairs[str(p)] = pairs[str(Path(p).resolve())] = rel
    pairs[str(folder)] = pairs[str(folder.resolve())] = folder.name
    return sorted(pairs.items(), key=lambda kv: -len(kv[0]))


def public(value, folder: Path, files: dict | None = None):
    """``value`` (text, a catalogue Message, or dicts and lists of them) with every server path of the table
    set replaced by its public name; anything else as it is."""
    from kawasan.i18n import Message

    pairs = _path_names(folder, files)

    def walk(v):
        if isinstance(v, Message):
            return Message(v.key, **{k: walk(x) for k, x in v.params.items()})
        if isinstance(v, str):
            for server, shown in pairs:
                v = v.replace(server, shown)
            return v
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return type(v)(walk(x) for x in v)
        return v

    return walk(value)


def public_error(e, folder: Path, files: dict | None = None):
    """The same error with the table set's paths replaced by their public names (message and source)."""
    return type(e)(public(e.message, folder, files), source=public(e.source, folder, files), field=e.field)


def tableset_info(ts, lang: str = "en") -> dict:
    """What a user is shown of a table set: name (the folder's name), title, source (in ``lang`` where the
    table set gives them per language), synthetic."""
    from kawasan.i18n import text_in

    return {"name": ts.name, "title": text_in(ts.title, lang), "source": text_in(ts.source, lang),
            "synthetic": ts.synthetic}


def _int(q, name: str, default, lo: int, hi: int):
    raw = (q.get(name) or "").strip()
    if not raw:
        return default
    try:
        v = int(raw)
    except ValueError:
        raise InputError(Message("web.err.potential.expected_whole_number_got", raw=raw), field=name) from None
    if not lo <= v <= hi:
        raise InputError(Message("web.err.potential.expected_range", lo=lo, hi=hi, value=v), field=name)
    return v


def options(request: Request) -> dict:
    """The analysis options of the query string, checked (InputError naming the parameter)."""
    q = request.query_params
    kind = (q.get("kind") or "kabupaten").strip()
    if kind not in KINDS:
        raise InputError(Message("web.err.potential.expected_all_kabupaten_kota", kind=kind), field="kind")
    sector = (q.get("sector") or "C").strip()
    if not sector or len(sector) > 8:
        raise InputError(Message("web.err.potential.expected_sector_code_such", sector=sector), field="sector")
    weights = {k[2:]: v.strip() for k, v in q.items() if k.startswith("w_") and v.strip() != ""}
    ahp = (q.get("ahp") or "").strip()
    if ahp and weights:
        raise InputError(Message("web.err.potential.give_weights_one_way"), field="ahp")
    if len(ahp) > 20000:
        raise InputError(Message("web.err.potential.ahp_matrix_longer_than"), field="ahp")
    return {"year": _int(q, "year", None, 1900, 2100), "sector": sector, "kind": kind,
            "stress": _int(q, "stress", 500, 0, MAX_STRESS), "top_k": _int(q, "top_k", 5, 1, 50),
            "weights": weights, "ahp": ahp, "allow_inconsistent": q.get("allow_inconsistent") in ("1", "on", "true")}


def ahp_weights(text: str, allow_inconsistent: bool):
    """AHP weights from the matrix text (the CLI's ``--ahp`` CSV: a header row of component ids, one row per
    component), read by :func:`kawasan.economics.potential.ahp_weights_from_csv`; CR > 0.1 is refused unless
    ``allow_inconsistent``. Errors name the field ``ahp``."""
    import tempfile

    from kawasan.economics import potential as pt
    from kawasan.errors import KawasanError

    with tempfile.TemporaryDirectory(prefix="kawasan-ahp-") as d:
        path = Path(d) / "ahp.csv"
        path.write_text(text, encoding="utf-8")
        try:
            return pt.ahp_weights_from_csv(path, allow_inconsistent=allow_inconsistent)
        except KawasanError as e:
            raise type(e)(each_language(lambda lang: text_in(e.message, lang).replace(str(path), "ahp")),
                          source="ahp", field="ahp") from None


def compute(folder: Path, opts: dict):
    """The potential run of the table set in ``folder`` with ``opts`` (cached). An error names the table set's
    files by their public names (:func:`public_error`)."""
    from kawasan.errors import KawasanError

    try:
        return _compute(folder, opts)
    except KawasanError as e:
        from kawasan.economics.tableset import TableSet

        try:
            files = TableSet.from_dir(folder).files
        except KawasanError:
            files = None
        raise public_error(e, folder, files) from None


def _compute(folder: Path, opts: dict):
    key = (str(folder), opts["year"], opts["sector"], opts["kind"], opts["stress"], opts["top_k"],
           tuple(sorted(opts["weights"].items())), opts.get("ahp", ""), opts.get("allow_inconsistent", False))
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    from kawasan.economics import potential as pt
    from kawasan.economics.tableset import TableSet

    ts = TableSet.from_dir(folder)
    ws = ahp_weights(opts["ahp"], opts["allow_inconsistent"]) if opts.get("ahp") else None
    if opts["weights"]:
        try:
            ws = pt.direct_weights(opts["weights"], source="weights")
        except InputError as e:
            field = f"w_{e.field}" if e.field and e.field != "weights" else "weights"
            raise type(e)(e.message, source=e.source, field=field) from None
    run = pt.potential_from_files(ts.inputs(sector=opts["sector"], year=opts["year"], kinds=KINDS[opts["kind"]]),
                                  weights=ws, stress=opts["stress"], stress_top_k=opts["top_k"], seed=0)
    run.tableset = ts
    _publish_texts(run, ts)
    with _lock:
        _cache[key] = run
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return run


def _publish_texts(run, ts) -> None:
    """The notes, unmatched-name sources and synthetic notes of a run name the table set's files by their
    public names (they are shown on the page, in the API and in the economics report); a synthetic table set
    is one of the run's synthetic values (the report's banner)."""
    res = run.result
    res.notes = public(list(res.notes), ts.folder, ts.files)
    res.synthetic = public(list(res.synthetic), ts.folder, ts.files)
    res.unmatched = {public(k, ts.folder, ts.files): v for k, v in res.unmatched.items()}
    if ts.synthetic:   # the report's SYNTHETIC banner lists it (its title and source say SYNTHETIC themselves)
        res.synthetic.append(f"{ts.title} · {ts.source}" if ts.source else ts.title)


def map_geojson(run, lang: str) -> dict:
    """The regions (WGS84, simplified to about 100 m) with name, code, score, rank and a colour class 0..4
    (the report map's five equal-interval classes, :func:`kawasan.reports.choropleth.classify`)."""
    import json

    from kawasan.reports.choropleth import CLASS_COLOURS, NO_DATA, classify

    recs = {r["code"]: r for r in run.result.records()}
    values = {c: r["score"] for c, r in recs.items() if r["rank"] is not None}
    cls, bounds = classify(values)
    gdf = run.boundaries.to_crs("EPSG:4326")[["code", "geometry"]].copy()
    gdf["geometry"] = gdf.geometry.simplify(0.001, preserve_topology=True)
    feats = json.loads(gdf.to_json(drop_id=True))["features"]
    for f in feats:
        code = f["properties"]["code"]
        r = recs.get(code)
        f["properties"].update({"region": r["region"] if r else code, "score": r["score"] if r else None,
                                "rank": r["rank"] if r else None, "class": cls.get(code),
                                "colour": CLASS_COLOURS[cls[code]] if code in cls else NO_DATA})
    return {"type": "FeatureCollection", "features": feats,
            "legend": [{"low": lo, "high": hi, "colour": CLASS_COLOURS[i]} for i, (lo, hi) in enumerate(bounds)],
            "no_data": NO_DATA}


def query_string(opts: dict, **override) -> str:
    from urllib.parse import urlencode

    o = {**opts, **override}
    pairs = [(k, o[k]) for k in ("year", "sector", "kind", "stress", "top_k") if o.get(k) is not None]
    pairs += [(f"w_{k}", v) for k, v in sorted(o["weights"].items())]
    if o.get("ahp"):
        pairs.append(("ahp", o["ahp"]))
        if o.get("allow_inconsistent"):
            pairs.append(("allow_inconsistent", "1"))
    return urlencode(pairs)
