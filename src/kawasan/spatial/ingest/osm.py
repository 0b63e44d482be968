"""OpenStreetMap in: stream an ``.osm.pbf`` extract into the study-area vector layers.

:func:`extract_osm` reads the file once with pyosmium (libosmium), in a streaming fashion:

- libosmium keeps the node locations in a ``flex_mem`` index (a sparse array while node ids are
  sparse, switching itself to a dense array when they are not: about 16 bytes per node when sparse,
  8 bytes per possible id when dense, so ~160 MB for the 10^7 nodes of a large regency extract);
  nodes never become Python objects;
- C++ tag filters (``osmium.filter.KeyFilter``) let through only nodes, ways and polygons that carry
  a key the mapping uses; untagged nodes (most of a file) stop in C++;
- multipolygon relations and closed ways are assembled into polygons by libosmium's area assembler
  (two passes over the file: relations first, then everything);
- geometries are built by ``osmium.geom.WKBFactory`` and turned into shapely geometries in batches
  of 50,000 (``shapely.from_wkb``), clipped (bounding-box prefilter, then ``intersects``) and
  repaired (``shapely.make_valid``) per batch.

Which tags become which layer, class and land cover is the mapping (``osm_mapping.yaml``, documented
in docs/reference/osm-mapping.md). The sea is derived from the coastline, whose ways have the land
on their LEFT and the sea on their RIGHT (OSM convention, https://wiki.openstreetmap.org/wiki/Tag:natural%3Dcoastline):
see :func:`derive_sea`.

Helpers: ``osm_mapping`` (the tag mapping and its validation), ``osm_result`` (layer names, columns,
the :class:`OsmLayers` result), ``osm_sea`` (the sea from the coastline).
"""
from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from kawasan.errors import InputError, VectorError
from kawasan.i18n import Message
from kawasan.spatial.ingest.osm_result import (
    CRS,
    INT_COLUMNS,
    LAYER_COLUMNS,
    LAYERS,
    OsmLayers,
    Progress,
    empty_layer,
    gpkg_options,
)
from kawasan.spatial.ingest.osm_mapping import (
    LANDCOVER_CLASSES,
    OsmMapping,
    first_match,
    load_osm_mapping,
    resolve_mapping,
)
from kawasan.spatial.ingest.osm_sea import derive_sea
from kawasan.spatial.studyarea import sha256_of

__all__ = ["extract_osm", "OsmLayers", "load_osm_mapping", "LANDCOVER_CLASSES", "derive_sea", "LAYERS",
           "LAYER_COLUMNS", "OsmMapping", "gpkg_options", "empty_layer", "CRS"]

BATCH = 50_000
PROGRESS_EVERY = 100_000

# -- input checks -------------------------------------------------------------------------------

def _detect_format(path: Path) -> str:
    """'pbf' or an XML flavour libosmium reads; VectorError for anything else."""
    src = str(path)
    if not path.exists():
        raise VectorError(Message("osm.err.osm.file_found_expected_openstreetmap"), source=src)
    if not path.is_file():
        raise VectorError(Message("osm.err.osm.file_expected_openstreetmap_extract"), source=src)
    with open(path, "rb") as fh:
        head = fh.read(64)
    if not head:
        raise VectorError(Message("osm.err.osm.file_empty_bytes_expected"), source=src)
    if len(head) >= 15 and head[4:6] == b"\x0a\x09" and head[6:15] == b"OSMHeader":
        return "pbf"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"<?xml") or stripped.startswith(b"<osm"):
        return "osm"
    if head[:2] == b"\x1f\x8b" and path.name.endswith(".osm.gz"):
        return "osm.gz"
    if head[:3] == b"BZh" and path.name.endswith(".osm.bz2"):
        return "osm.bz2"
    raise VectorError(Message("osm.err.osm.openstreetmap_file_starts_with"), source=src)


def _check_clip(clip) -> shapely.Geometry | None:
    if clip is None:
        return None
    if not isinstance(clip, (shapely.Polygon, shapely.MultiPolygon)):
        raise InputError(Message("osm.err.osm.clip_area_must_shapely", got=type(clip).__name__),
                         field="clip")
    if clip.is_empty:
        raise InputError(Message("osm.err.osm.clip_area_empty"), field="clip")
    minx, miny, maxx, maxy = clip.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise InputError(Message("osm.err.osm.clip_area_s_bounds", bounds=tuple((round(b, 3) for b in clip.bounds))),
                         field="clip")
    if not clip.is_valid:
        clip = shapely.make_valid(clip)
    return clip


# -- per-layer collectors ------------------------------------------------------------------------

class _Collector:
    """Rows of one layer: attribute lists plus WKB (hex) or point coordinates, turned into geometries per batch."""

    def __init__(self, name: str, clip, clip_bounds, stats: dict):
        self.name = name
        self.kind, self.columns = LAYER_COLUMNS[name]
        self.clip = clip
        self.clip_bounds = clip_bounds
        self.stats = stats
        self.rows: list[tuple] = []
        self.geoms: list = []          # WKB hex strings, shapely geometries, or (x, y) tuples for points
        self.done_rows: list[list[tuple]] = []
        self.done_geoms: list[np.ndarray] = []

    def add(self, row: tuple, geom) -> None:
        self.rows.append(row)
        self.geoms.append(geom)
        if len(self.rows) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        rows, raw = self.rows, self.geoms
        self.rows, self.geoms = [], []
        if self.kind == "point":
            xy = np.asarray(raw, dtype="float64").reshape(-1, 2)
            geoms = shapely.points(xy)
        else:
            geoms = np.empty(len(raw), dtype=object)
            is_str = np.fromiter((isinstance(g, str) for g in raw), dtype=bool, count=len(raw))
            if is_str.any():   # hex WKB from osmium; bytes.fromhex first is ~2.5x faster than from_wkb(hex)
                geoms[is_str] = shapely.from_wkb([bytes.fromhex(g) for g, s in zip(raw, is_str) if s])
            if (~is_str).any():
                geoms[~is_str] = [g for g, s in zip(raw, is_str) if not s]
        keep = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
        if self.clip is not None:
            b = shapely.bounds(geoms)
            cminx, cminy, cmaxx, cmaxy = self.clip_bounds
            with np.errstate(invalid="ignore"):
                keep &= (b[:, 0] <= cmaxx) & (b[:, 2] >= cminx) & (b[:, 1] <= cmaxy) & (b[:, 3] >= cminy)
            idx = np.flatnonzero(keep)
            if idx.size:
                keep[idx] = shapely.intersects(self.clip, geoms[idx])
        if self.kind == "polygon":
            idx = np.flatnonzero(keep)
            if idx.size:
                sub = geoms[idx]
                bad = ~shapely.is_valid(sub)
                if bad.any():
                    fixed = _repair_polygons(sub[bad])
                    self.stats["repaired"] += int(bad.sum())
                    sub[bad] = fixed
                    lost = shapely.is_empty(fixed) | shapely.is_missing(fixed)
                    self.stats["repair_lost"] += int(lost.sum())
                # a one-part multipolygon becomes a Polygon
                single = shapely.get_num_geometries(sub) == 1
                multi = shapely.get_type_id(sub) == 6
                sub[single & multi] = shapely.get_geometry(sub[single & multi], 0)
                geoms[idx] = sub
                keep[idx] &= ~(shapely.is_empty(sub) | shapely.is_missing(sub))
        sel = np.flatnonzero(keep)
        self.done_rows.append([rows[i] for i in sel])
        self.done_geoms.append(geoms[sel])

    def frame(self) -> gpd.GeoDataFrame:
        self.flush()
        rows = [r for part in self.done_rows for r in part]
        if not rows:
            return empty_layer(self.name)
        geoms = np.concatenate(self.done_geoms)
        cols = list(zip(*rows))
        data = {}
        for c, values in zip(self.columns, cols):
            dtype = INT_COLUMNS.get(c)
            data[c] = pd.Series(values, dtype=dtype) if dtype else pd.Series(values, dtype="object")
        return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(geoms, crs=CRS), crs=CRS)


def _repair_polygons(geoms: np.ndarray) -> np.ndarray:
    """make_valid, keeping only the polygonal parts (a repaired bow-tie yields two triangles)."""
    out = np.empty(len(geoms), dtype=object)
    for i, g in enumerate(shapely.make_valid(geoms)):
        if g is None or g.is_empty:
            out[i] = shapely.MultiPolygon()
            continue
        parts = [p for p in shapely.get_parts(g) if p.geom_type in ("Polygon", "MultiPolygon")]
        if not parts:
            out[i] = shapely.MultiPolygon()
        elif len(parts) == 1:
            out[i] = parts[0]
        else:
            out[i] = shapely.union_all(parts)
    return out


def _kilovolts(text: str | None) -> float | None:
    """The highest voltage of an OSM ``voltage`` tag (volts, ``;``-separated) in kV; None when unreadable."""
    best = None
    for part in str(text or "").split(";"):
        try:
            v = float(part.strip().replace(",", ".")) / 1000.0
        except ValueError:
            continue
        best = v if best is None else max(best, v)
    return best


def _int_or_none(text: str | None) -> int | None:
    if not text:
        return None
    digits = "".join(ch for ch in text.split(";")[0] if ch.isdigit())
    return int(digits) if digits else None


# -- the extractor -------------------------------------------------------------------------------

def extract_osm(pbf_path, *, clip=None, mapping=None, progress: Progress | None = None,
                index: str = "flex_mem", checksum: bool = True) -> OsmLayers:
    """Read an OSM extract (PBF; OSM XML also accepted) into the kawasan vector layers (EPSG:4326).

    Parameters
    ----------
    pbf_path : path of the ``.osm.pbf`` file.
    clip : shapely Polygon/MultiPolygon in EPSG:4326, optional. Only features intersecting it are kept
        (bounding-box prefilter, then ``intersects``); features are kept whole, not cut. Also the
        frame within which the sea is derived from the coastline.
    mapping : :class:`OsmMapping`, a path to a user YAML (laid over the default), or None (default).
    progress : ``callable(stage, done, total)``; stages ``"read"`` (objects that passed the tag
        filters so far; total None), ``"build"`` (layers built, of 15), ``"sea"`` and ``"done"``.
    index : libosmium node-location index (``flex_mem`` default; ``dense_file_array,PATH`` keeps it on disk).
    checksum : compute the file's sha256 for ``source`` (one extra read of the file).

    Raises
    ------
    VectorError
        When the file is missing, empty, not an OSM file, or truncated/corrupt (names the file and
        what was expected). An extract with nothing relevant is not an error: the layers are empty
        and ``warnings`` says so.
    InputError
        When the mapping file or the clip polygon is not valid.
    """
    import osmium

    path = Path(pbf_path)
    _check_index(index)
    fmt = _detect_format(path)
    mp = resolve_mapping(mapping)
    clip_geom = _check_clip(clip)
    if clip_geom is not None:
        shapely.prepare(clip_geom)
    progress_call = _progress_caller(progress)

    ofile = osmium.io.File(str(path), fmt)
    header_info = _read_header(ofile, path)
    reader = _Reader(mp, clip_geom)
    n = _read_objects(_processor(ofile, mp, index), reader, path, progress_call)
    if reader.failed_ways:
        _reread_failed_ways(ofile, index, reader.failed_ways, reader.col, reader.stats, reader.factory)
    frames = _build_frames(reader.col, mp, progress_call)
    sea_msgs = _add_sea(frames, clip_geom if clip_geom is not None else _data_frame(header_info, frames))
    progress_call("sea", 1, 1)
    counts = {name: int(len(frames[name])) for name in LAYERS}
    warnings, notes = _warnings(sea_msgs, reader.stats, counts, header_info, clip_geom)
    source = _source_record(path, fmt, checksum, mp, n, header_info)
    progress_call("done", 1, 1)
    return OsmLayers(**frames, counts=counts, repaired=reader.stats["repaired"], warnings=warnings, notes=notes,
                     source=source)


def _check_index(index: str) -> None:
    """Refuse a node-location index type libosmium does not have (the part before a ``,PATH``)."""
    import osmium

    kind = str(index).split(",", 1)[0]
    if kind not in osmium.index.map_types():
        raise InputError(Message("osm.err.osm.unknown_node_location_index", index=index,
                                 available=', '.join(osmium.index.map_types())), field="index")


def _add_sea(frames: dict, frame_geom) -> list[tuple[str, str, dict]]:
    """Add the ``sea`` layer, derived from the coastline within ``frame_geom`` (:func:`derive_sea`), to
    ``frames``; return derive_sea's messages."""
    frames["sea"], sea_msgs = derive_sea(frames["coastline"], frame_geom)
    return sea_msgs


def _progress_caller(progress: Progress | None):
    """``progress(stage, done, total)``, or a call that does nothing when there is no progress callback."""
    def progress_call(stage: str, done: int, total: int | None) -> None:
        if progress is not None:
            progress(stage, done, total)
    return progress_call


def _source_record(path: Path, fmt: str, checksum: bool, mp, objects_read: int, header_info: dict) -> dict:
    """Where the layers came from: the file (path, size, format, sha256 when ``checksum``), the mapping, the
    number of objects read and the file header."""
    return {"path": str(path), "size_bytes": path.stat().st_size, "format": fmt,
            "sha256": sha256_of(path) if checksum else None, "mapping": mp.source, "objects_read": objects_read,
            **header_info}


def _read_header(ofile, path: Path) -> dict:
    """The file header (bounding box, replication time, generator, the SYNTHETIC mark)."""
    import osmium

    try:
        with osmium.io.Reader(ofile, osmium.osm.NOTHING) as reader:
            return _header_info(reader.header())
    except RuntimeError as exc:
        raise VectorError(Message("osm.err.osm.osm_header_could_read", exc=str(exc)), source=str(path)) from None


def _processor(ofile, mp: OsmMapping, index: str):
    """libosmium's reader with node locations, areas assembled for the mapping's polygon keys (relations
    through :class:`_RelationGate`), and C++ key filters so that only tagged objects reach Python."""
    import osmium

    area_keys = mp.area_keys()
    return (osmium.FileProcessor(ofile)
            .with_locations(index)
            .with_areas(osmium.filter.KeyFilter(*area_keys), _RelationGate(mp))
            .with_filter(osmium.filter.KeyFilter(*mp.node_keys()).enable_for(osmium.osm.NODE))
            .with_filter(osmium.filter.KeyFilter(*mp.way_keys()).enable_for(osmium.osm.WAY))
            .with_filter(osmium.filter.KeyFilter(*area_keys).enable_for(osmium.osm.AREA))
            .with_filter(osmium.filter.EntityFilter(osmium.osm.NODE | osmium.osm.WAY | osmium.osm.AREA)))


def _read_objects(fp, reader: "_Reader", path: Path, progress_call) -> int:
    """Every object of the file through its reader method (ways, areas, nodes); returns how many were read."""
    handlers = {"w": reader.way, "a": reader.area, "n": reader.node}
    n = 0
    try:
        for obj in fp:
            n += 1
            if n % PROGRESS_EVERY == 0:
                progress_call("read", n, None)
            handler = handlers.get(obj.type_str())
            if handler is not None:
                handler(obj)
    except RuntimeError as exc:
        raise VectorError(Message("osm.err.osm.could_read_end_file", exc=str(exc)), source=str(path)) from None
    reader.stats["objects"] = n
    progress_call("read", n, n)
    return n


class _Reader:
    """The first pass over the file: each way, area and node tagged for a layer goes into that layer's
    collector (clipped by bounding box then ``intersects``); what is skipped is counted in ``stats``."""

    def __init__(self, mp: OsmMapping, clip_geom):
        import osmium

        clip_bounds = clip_geom.bounds if clip_geom is not None else None
        self.mp = mp
        self.stats = {"repaired": 0, "repair_lost": 0, "missing_nodes": 0, "degenerate": 0, "area_failed_ways": 0,
                      "area_failed_relations": 0, "failed_relation_ids": [], "bad_population": 0, "objects": 0}
        self.col = {name: _Collector(name, clip_geom, clip_bounds, self.stats) for name in LAYERS if name != "sea"}
        self.factory = osmium.geom.WKBFactory()
        self.failed_ways: dict[int, tuple] = {}  # closed way id -> (targets, tags) of polygons libosmium refused
        self.poly_key_set = frozenset(mp.polygon_keys())
        self.memo: dict[tuple, list] = {}  # relevant tags of a polygon -> its layers (the same few tag sets repeat)

    def _line_target(self, tags) -> tuple[str, str | None] | None:
        """The line layer of a way (roads first, then railways, waterways, coastline, power lines), or None."""
        mp = self.mp
        hw = tags.get("highway")
        if hw is not None and hw in mp.roads:
            return ("roads", hw)
        rw = tags.get("railway")
        if rw is not None and rw in mp.railways:
            return ("railways", rw)
        ww = tags.get("waterway")
        if ww is not None and ww in mp.waterways:
            return ("waterways", ww)
        if tags.get("natural") == "coastline":
            return ("coastline", None)
        pw = tags.get("power")
        if pw is not None and pw in mp.power:
            return ("power_lines", pw)
        return None

    def way(self, obj) -> None:
        import osmium

        tags = obj.tags
        target = self._line_target(tags)
        if target is None:
            return
        try:
            wkb = self.factory.create_linestring(obj)
        except osmium.InvalidLocationError:
            self.stats["missing_nodes"] += 1
            return
        except RuntimeError:          # fewer than two distinct points
            self.stats["degenerate"] += 1
            return
        layer, v = target
        oid, mp, col = obj.id, self.mp, self.col
        if layer == "roads":
            ref = tags.get("ref")
            status, status_source = mp.road_status(v, ref)
            col["roads"].add((oid, "way", mp.roads[v], v, tags.get("name"), ref, status, status_source,
                              "gates" if v in mp.entry_gates else "any"), wkb)
        elif layer == "railways":
            col["railways"].add((oid, "way", v, tags.get("name")), wkb)
        elif layer == "waterways":
            col["waterways"].add((oid, "way", mp.waterways[v], v, tags.get("name")), wkb)
        elif layer == "power_lines":
            col["power_lines"].add((oid, "way", v, _kilovolts(tags.get("voltage")), tags.get("name")), wkb)
        else:
            col["coastline"].add((oid, "way"), wkb)

    def area(self, obj) -> None:
        import osmium

        from_way = obj.from_way()
        oid = obj.orig_id()
        tl = [(tg.k, tg.v) for tg in obj.tags]
        key = tuple(sorted(kv for kv in tl if kv[0] in self.poly_key_set))
        targets = self.memo.get(key)
        if targets is None:
            targets = self.memo[key] = _polygon_targets(self.mp, dict(key))
            if len(self.memo) > 100_000:
                self.memo.clear()
        if not targets:
            return
        try:
            geom = self.factory.create_multipolygon(obj)
        except (osmium.InvalidLocationError, RuntimeError):
            if from_way:
                # libosmium refused the ring (self-intersection, ...): the outline is read again after
                # this pass, taken as it is, found invalid, repaired and counted
                self.failed_ways[oid] = (targets, tl)
            else:
                self.stats["area_failed_relations"] += 1
                if len(self.stats["failed_relation_ids"]) < 10:
                    self.stats["failed_relation_ids"].append(oid)
            return
        _emit_polygon(self.col, oid, "way" if from_way else "relation", targets, tl, geom)

    def node(self, obj) -> None:
        loc = obj.location
        if not loc.valid():
            return
        mp, col, tags = self.mp, self.col, obj.tags
        xy = (loc.lon, loc.lat)
        oid = obj.id
        pl = tags.get("place")
        if pl is not None and pl in mp.places:
            pop_text = tags.get("population")
            pop = _int_or_none(pop_text)
            if pop_text and pop is None:
                self.stats["bad_population"] += 1
            col["places"].add((oid, "node", pl, tags.get("name"), pop), xy)
        r = first_match(mp.harbours, tags)
        if r is not None:
            col["harbours"].add((oid, "node", r.value, tags.get("name")), xy)
        r = first_match(mp.aerodromes, tags)
        if r is not None:
            col["aerodromes"].add((oid, "node", r.value, tags.get("name"), tags.get("iata"), tags.get("icao")), xy)
        r = first_match(mp.toll_gates, tags)
        if r is not None:
            col["toll_gates"].add((oid, "node", r.value, tags.get("name"), tags.get("ref")), xy)


def _build_frames(col: dict, mp: OsmMapping, progress_call) -> dict[str, gpd.GeoDataFrame]:
    """Each collector as a GeoDataFrame; protected forest laid over the land use when the mapping says so."""
    frames: dict[str, gpd.GeoDataFrame] = {}
    for i, name in enumerate(col):
        frames[name] = col[name].frame()
        progress_call("build", i + 1, len(LAYERS))
    if mp.protected_forest_overlay:
        _protected_forest_overlay(frames["landuse"], frames["protected"])
    return frames


def _warnings(sea_msgs, stats: dict, counts: dict, header_info: dict, clip_geom) -> tuple[list[str], list]:
    """What the user should know, in English (``warnings``) and as catalogue keys with values (``notes``)."""
    warnings: list[str] = []
    notes: list[tuple[str, dict]] = []

    def warn(key: str, text: str, **kw) -> None:
        warnings.append(text)
        notes.append((key, kw))

    for key, text, kw in sea_msgs:
        warn(key, text, **kw)
    if stats["missing_nodes"]:
        warn("osm.warn.missing_nodes", f"{stats['missing_nodes']} ways skipped because some of their nodes are not in the file "
             "(usual at the edge of an extract)", count=stats["missing_nodes"])
    if stats["degenerate"]:
        warn("osm.warn.degenerate", f"{stats['degenerate']} ways skipped because they have fewer than two distinct points",
             count=stats["degenerate"])
    if stats["area_failed_ways"] or stats["area_failed_relations"]:
        ids = ", ".join(f"r{i}" for i in stats["failed_relation_ids"])
        warn("osm.warn.area_failed",
             f"{stats['area_failed_ways'] + stats['area_failed_relations']} polygons could not be assembled "
             f"(broken or incomplete rings) and were skipped" + (f"; relations {ids}" if ids else ""),
             count=stats["area_failed_ways"] + stats["area_failed_relations"], ids=f"(relations {ids})" if ids else "")
    if stats["repaired"]:
        warn("osm.warn.repaired", f"{stats['repaired']} invalid polygons repaired with make_valid"
             + (f" ({stats['repair_lost']} had no area left and were dropped)" if stats["repair_lost"] else ""),
             count=stats["repaired"], lost=stats["repair_lost"])
    if stats["bad_population"]:
        warn("osm.warn.bad_population", f"{stats['bad_population']} places have a population tag that is not a number (left empty)",
             count=stats["bad_population"])
    if not any(counts.values()):
        if clip_geom is not None and header_info.get("bbox") and not shapely.box(*header_info["bbox"]).intersects(clip_geom):
            warn("osm.warn.no_overlap", f"nothing found: the file covers {_fmt_bounds(header_info['bbox'])} and the clip area "
                 f"{_fmt_bounds(clip_geom.bounds)}; they do not overlap", file=_fmt_bounds(header_info["bbox"]),
                 clip=_fmt_bounds(clip_geom.bounds))
        else:
            warn("osm.warn.empty", "no roads, water, land use or other mapped features found in the file"
                 + (" within the clip area" if clip_geom is not None else ""))
    else:
        for name in ("roads", "landuse"):
            if counts[name] == 0:
                warn("osm.warn.layer_empty", f"no {name} found", layer=name)
    if header_info.get("synthetic"):
        warn("osm.warn.synthetic", "the file header says this extract is SYNTHETIC (a generated fixture, not real OpenStreetMap data)")
    return warnings, notes


class _RelationGate:
    """First-pass filter: only relations some layer would take are assembled into polygons.

    Keeps libosmium from assembling, say, every administrative boundary of the country (tagged
    ``boundary=administrative``: the ``boundary`` key passes the C++ key filter, the rules do not).
    A handler returning True drops the object.
    """

    def __init__(self, mp: OsmMapping):
        self.mp = mp

    def relation(self, r) -> bool:
        return not _polygon_targets(self.mp, {t.k: t.v for t in r.tags})


def _emit_polygon(col: dict, oid: int, otype: str, targets, tl, geom) -> None:
    """Add one polygon (WKB hex or shapely) to each of its layers; harbours and aerodromes get an interior point."""
    tags = dict(tl)
    name = tags.get("name")
    for layer, value in targets:
        if layer == "landuse":
            tag, landcover = value
            col["landuse"].add((oid, otype, tag, landcover), geom)
        elif layer == "protected":
            col["protected"].add((oid, otype, value, name, tags.get("protect_class")), geom)
        elif layer in ("harbours", "aerodromes"):
            pt = shapely.point_on_surface(shapely.from_wkb(geom) if isinstance(geom, str) else geom)
            if pt is None or pt.is_empty:
                continue
            if layer == "harbours":
                col["harbours"].add((oid, otype, value, name), (pt.x, pt.y))
            else:
                col["aerodromes"].add((oid, otype, value, name, tags.get("iata"), tags.get("icao")), (pt.x, pt.y))
        else:
            col[layer].add((oid, otype, value, name), geom)


def _reread_failed_ways(ofile, index: str, failed: dict, col: dict, stats: dict, factory) -> None:
    """Closed ways whose polygon libosmium refused: read their outline in a second, id-filtered pass."""
    import osmium

    fp = (osmium.FileProcessor(ofile)
          .with_locations(index)
          .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
          .with_filter(osmium.filter.IdFilter(list(failed)).enable_for(osmium.osm.WAY)))
    seen = set()
    for obj in fp:
        if obj.id not in failed:
            continue
        try:
            coords = shapely.get_coordinates(shapely.from_wkb(factory.create_linestring(obj)))
        except (osmium.InvalidLocationError, RuntimeError):
            continue
        if len(coords) < 4:
            continue
        seen.add(obj.id)
        targets, tl = failed[obj.id]
        _emit_polygon(col, obj.id, "way", targets, tl, shapely.Polygon(coords))
    stats["area_failed_ways"] += len(failed) - len(seen)


def _polygon_targets(mp: OsmMapping, tags) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for layer, rules in (("water", mp.water), ("settlements", mp.settlements), ("industrial", mp.industrial),
                         ("protected", mp.protected), ("harbours", mp.harbours), ("aerodromes", mp.aerodromes)):
        r = first_match(rules, tags)
        if r is not None:
            out.append((layer, r.value))
    tag = mp.landuse_tag(tags)
    if tag is not None:
        r = first_match(mp.landuse_rules, tags)
        out.append(("landuse", (tag, r.value if r is not None else None)))
    return out


def _protected_forest_overlay(landuse: gpd.GeoDataFrame, protected: gpd.GeoDataFrame) -> None:
    """production_forest polygons whose interior point lies in a protected area become protected_forest (in place)."""
    if landuse.empty or protected.empty:
        return
    is_forest = (landuse["landcover"] == "production_forest").to_numpy()
    if not is_forest.any():
        return
    idx = np.flatnonzero(is_forest)
    pts = shapely.point_on_surface(landuse.geometry.values[idx])
    tree = shapely.STRtree(protected.geometry.values)
    hit_pt, _ = tree.query(pts, predicate="within")
    if hit_pt.size:
        rows = idx[np.unique(hit_pt)]
        col = landuse.columns.get_loc("landcover")
        landuse.iloc[rows, col] = "protected_forest"


def _header_info(header) -> dict:
    info: dict = {}
    for key, out in (("generator", "generator"), ("osmosis_replication_timestamp", "timestamp"), ("timestamp", "timestamp"),
                     ("note", "note")):
        v = header.get(key, "")
        if v and out not in info:
            info[out] = v
    try:
        box = header.box()
        if box.valid():
            info["bbox"] = (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat)
    except (RuntimeError, AttributeError):
        pass
    text = " ".join(str(info.get(k, "")) for k in ("generator", "note")).upper()
    info["synthetic"] = "SYNTHETIC" in text
    return info


def _fmt_bounds(b) -> str:
    return "lon {:.4f}..{:.4f}, lat {:.4f}..{:.4f}".format(b[0], b[2], b[1], b[3])


def _data_frame(header_info: dict, frames: dict) -> shapely.Geometry | None:
    """Without a clip polygon, the sea is derived within the header's bounding box, or else the data's bounds."""
    if header_info.get("bbox"):
        return shapely.box(*header_info["bbox"])
    bounds = [f.total_bounds for f in frames.values() if len(f)]
    if not bounds:
        return None
    b = np.array(bounds)
    return shapely.box(b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
