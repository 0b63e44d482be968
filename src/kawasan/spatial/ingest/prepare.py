"""``kawasan data prepare``: turn a regency's own files into a study area the engine reads.

Flow: boundary (one feature, any CRS) -> UTM zone (or ``crs``) -> one grid (bounds + buffer,
snapped to the resolution; refused when it would not fit in memory) -> boundary mask -> DEM
(mosaic, voids, reprojection, coverage) -> OpenStreetMap (roads, railways, rivers, settlements,
ports, airports, industrial land, land cover) -> agency layers (categories, masks, vectors; an
agency layer replaces the OSM layer of the same name) -> the workspace, written into a temporary
folder and moved into place only when complete, with ``manifest.json``: sources and checksums,
the grid, ``crs`` as ``"EPSG:nnnnn"``, every layer, what is missing and which preset criteria that
affects, and every repair or warning.
"""
from __future__ import annotations

import json
import os
import platform
import shutil
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np
import shapely
from rasterio import features

from kawasan import __version__
from kawasan.errors import InputError
from kawasan.fileio import check_replaceable, publish, recover, temp_sibling
from kawasan.i18n import Message
from kawasan.spatial.grid import Grid
from kawasan.spatial.ingest import agency as ag
from kawasan.spatial.ingest import agency_raster as agr
from kawasan.spatial.ingest import dem as demmod
from kawasan.spatial.ingest import gridplan, windows
from kawasan.spatial.ingest.boundary import Boundary, read_boundary
from kawasan.spatial.ingest.osm_layers import LANDCOVER_CODES, burn_landcover, landcover_shapes, vector_layers

KIND = "kawasan.study_area"
MANIFEST = "manifest.json"
# layers OpenStreetMap gives as vectors; an agency layer under one of these names is written as a vector too
VECTOR_LAYERS = ("roads", "toll_gates", "railways", "rivers", "lakes", "coastline", "power_lines", "settlements",
                 "town_centres", "ports", "airports", "industrial")
STANDARD_LAYERS = ("dem", "landcover", "zoning", "soil", "risk_flood", "risk_landslide", "hazard_flood",
                   "hazard_landslide", "volcano_krb", "kawasan_hutan", "lp2b", "lsd", "roads", "toll_gates", "rivers",
                   "lakes", "coastline", "power_lines", "settlements", "town_centres", "ports", "railways")
# protected forest given as an agency mask is burned into the land cover (so the land-cover forest rules see
# it); the legal forest status is the kawasan_hutan layer, LP2B the lp2b layer (read by the presets directly)
LANDCOVER_OVERRIDES = {"protected_forest": "protected_forest", "hutan_lindung": "protected_forest"}

Progress = Callable[[str], None]
# values an OSM-derived attribute can take (a model may ask for one that this area lacks: no town)
VOCABULARY = {"roads": {"class": ["arterial", "collector", "local"],
                        "status": ["national", "provincial", "regency", "unknown"], "entry": ["any", "gates"]},
              "settlements": {"kind": ["town", "village"]}}


@dataclass
class PrepareRequest:
    boundary: Path
    out: Path
    where: str | None = None
    dissolve: bool = False
    assume_crs: str | None = None
    crs: str | None = None
    resolution: float = 30.0
    buffer_m: float = 5000.0
    dem: list[Path] = field(default_factory=list)
    osm: Path | None = None
    osm_mapping: Path | None = None
    layers: list[ag.LayerArg] = field(default_factory=list)
    maps: dict[str, dict[str, str]] = field(default_factory=dict)
    max_memory_bytes: int | None = None
    window: int | None = None       # cells per window side (default: gridplan.check_fits's choice)
    dem_tolerance: float = 0.001
    dem_max_fill_m: float = 3000.0


@dataclass
class PrepareResult:
    out: Path
    manifest: dict


def prepare(req: PrepareRequest, progress: Progress | None = None) -> PrepareResult:
    say = progress or (lambda step: None)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    out = Path(req.out)
    check_replaceable(out, KIND, "kawasan study area")
    _check_layer_names(req)
    if req.assume_crs:
        _user_crs(req.assume_crs, "assume_crs", "EPSG:4326")

    say("boundary")
    b = read_boundary(req.boundary, req.where, req.assume_crs, dissolve=req.dissolve)
    wgs = b.to_wgs84()
    crs, scheme = _study_crs(req, wgs)
    geom = b.to_crs(crs)
    grid = gridplan.plan_grid(geom.bounds, crs, req.resolution, req.buffer_m, require_epsg=scheme != "equal_area")
    memory = gridplan.check_fits(grid, limit_bytes=req.max_memory_bytes, window=req.window,
                                 halo=windows.cells_for(req.dem_max_fill_m, req.resolution) if req.dem else 0)
    canvas = windows.Canvas(grid, memory["window"])
    timings["grid"] = time.perf_counter() - t0

    # Everything is written into a temporary sibling folder, published only when complete.
    out.parent.mkdir(parents=True, exist_ok=True)
    recover(out)
    tmp = temp_sibling(out)
    tmp.mkdir()
    try:
        work = _Work(req, b, canvas, tmp, say, timings, list(b.notes))
        manifest = _build(work, geom, wgs, memory, scheme)
        manifest["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
        manifest["timings_s"]["total"] = round(time.perf_counter() - t0, 3)
        check_replaceable(out, KIND, "kawasan study area")
        keep = _user_entries(out, manifest)
        if keep:
            manifest["kept"] = keep
            manifest["warnings"].append(Message("prepare.note.prepare.kept_from_earlier_workspace",
                                                kept=', '.join(keep)))
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=False) + "\n",
                                    encoding="utf-8")
        moved: list[str] = []
        try:
            for name in keep:      # the user's runs, notes, QGIS projects move into the new workspace
                os.replace(out / name, tmp / name)
                moved.append(name)
            publish(tmp, out)
        except BaseException:
            if out.exists():       # the earlier workspace is back in place: so are its entries
                for name in moved:
                    if (tmp / name).exists() and not (out / name).exists():
                        os.replace(tmp / name, out / name)
            raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return PrepareResult(out, manifest)


def check_inputs_exist(*, boundary, dem=(), osm=None, osm_mapping=None, layers=(), maps=()) -> None:
    """Refuse, before any work, when input files are missing, naming every one of them (not only the first)."""
    from kawasan.errors import KawasanError
    from kawasan.spatial.ingest.boundary import split_source

    missing: list[str] = []

    def need(path, what: str) -> None:
        if path is not None and not Path(path).exists():
            missing.append(f"{what} {path}")

    need(split_source(boundary)[0], "--boundary")
    for d in dem or ():
        if not any(ch in str(d) for ch in "*?["):     # wildcards are expanded (and checked) later
            need(d, "--dem")
    need(osm, "--osm")
    need(osm_mapping, "--osm-mapping")
    for text in layers or ():
        try:
            ag.parse_layer_arg(text)
        except KawasanError as exc:
            if "file not found" in str(exc):
                missing.append(f"--layer {text}")
            else:
                raise
    for text in maps or ():
        name, sep, path = str(text).partition("=")
        if sep:
            need(path, f"--map {name}=")
    if missing:
        count = Message("prepare.err.prepare.n_inputs", count=len(missing)) if len(missing) > 1 else ""
        raise InputError(Message("prepare.err.prepare.inputs_not_found", count=count, missing="; ".join(missing)),
                         field="inputs")


def _user_entries(out: Path, manifest: dict) -> list[str]:
    """Entries of an earlier workspace at ``out`` that ``kawasan data prepare`` did not write (a ``runs``
    folder, as the summary's next step suggests, notes, a QGIS project): replacing the workspace must not
    delete them. Layer files, their sidecars (``dem.tif.aux.xml``, ``roads.gpkg-wal``) and the manifest
    are the workspace's own."""
    if not out.is_dir():
        return []
    try:
        earlier = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        earlier = {}
    own = {MANIFEST} | {str(e.get("path")) for m in (earlier, manifest)
                        for e in (m.get("layers") or {}).values() if isinstance(e, dict) and e.get("path")}
    return sorted(e.name for e in out.iterdir()
                  if e.name not in own and not any(e.name.startswith((f"{o}.", f"{o}-")) for o in own))


def _check_layer_names(req: PrepareRequest) -> None:
    seen = set()
    for la in req.layers:
        if la.name in seen:
            raise InputError(Message("prepare.err.prepare.layer_given_twice", layer=la.name), field="layer")
        if la.name in ("dem", "aoi", "boundary"):
            raise InputError(Message("prepare.err.prepare.layer_name_reserved_dem", layer=la.name), field="layer")
        seen.add(la.name)
    for name in seen:
        if name.endswith("_cells") and name[:-len("_cells")] in seen:
            raise InputError(Message("prepare.err.prepare.layer_name_taken_by", name=name,
                                     layer=name[:-len('_cells')]), field="layer")
    for name in req.maps:
        if name not in seen:
            raise InputError(Message("prepare.err.prepare.map_names_layer", name=name), field="map")


def _study_crs(req: PrepareRequest, wgs):
    """The CRS given (``--crs``), else the boundary's UTM zone, or an equal-area CRS when the boundary
    crosses a UTM zone edge (gridplan.choose_crs)."""
    if req.crs:
        return _user_crs(req.crs), "given"
    c = wgs.centroid
    return gridplan.choose_crs(wgs.bounds, (c.x, c.y))


def _user_crs(text: str, field: str = "crs", example: str = "EPSG:32749"):
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        return CRS.from_user_input(text)
    except CRSError as exc:
        raise InputError(Message("prepare.err.prepare.crs_pyproj_knows_expected", example=example, exc=str(exc)),
                         field=field) from exc


@dataclass
class _Work:
    """One prepare in progress: the request, the grid cut into windows, the folder being filled, and what
    the manifest collects on the way."""
    req: PrepareRequest
    b: Boundary
    canvas: windows.Canvas
    folder: Path
    say: Progress
    timings: dict
    warnings: list
    layers: dict = field(default_factory=dict)
    sources: list = field(default_factory=list)
    synthetic: list = field(default_factory=list)
    cells_inside: int = 0
    created: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    @property
    def grid(self) -> Grid:
        return self.canvas.grid

    def raster(self, name: str, produce, dtype, *, nodata, type_, description, origin, categories=None,
               unit=None, extra=None, count=None) -> windows.Written:
        """Write layer ``name`` window by window from ``produce(win)``, and its manifest entry; categorical
        layers get their hectares per category inside the boundary."""
        path = self.folder / f"{name}.tif"
        tags = {"LAYER": name, "DESCRIPTION": description, "STUDY_AREA": self.b.name}
        if categories and count is None:
            count = lambda win, array: self.canvas.inside(win)  # noqa: E731
        written = windows.write_layer(path, self.canvas, produce, dtype, nodata=nodata, tags=tags,
                                      categorical=type_ != "continuous", descriptions=name, count_inside=count)
        entry = {"path": path.name, "kind": "raster", "type": type_, "dtype": np.dtype(dtype).name, "nodata": nodata,
                 "description": description, "origin": origin}
        if unit:
            entry["unit"] = unit
        if categories:
            cell_ha = self.grid.cell_area / 1e4
            entry["categories"] = {str(k): v for k, v in sorted(categories.items())}
            entry["area_ha_in_boundary"] = {categories.get(int(v), str(int(v))): round(float(n) * cell_ha, 2)
                                            for v, n in sorted(written.counts_inside.items())
                                            if nodata is None or int(v) != nodata}
        entry.update(extra or {})
        self.layers[name] = entry
        return written

    def vector(self, name, gdf, geometry, description, origin, vocabulary=None) -> None:
        """Write vector layer ``name`` as a GeoPackage (last_change: the study area's creation time, as in
        the manifest), and its manifest entry."""
        from kawasan.geopackage import write_layer

        path = self.folder / f"{name}.gpkg"
        gdf = _gpkg_ready(gdf)
        write_layer(gdf, path, name, last_change=self.created, promote_to_multi=False,
                    geometry_type="Unknown" if geometry == "Geometry" else None)
        cols = [c for c in gdf.columns if c != gdf.geometry.name]
        attrs = {}
        for c in cols:
            if gdf[c].dtype.kind not in "iuf" and gdf[c].nunique() <= 50:
                attrs[c] = sorted(str(v) for v in gdf[c].dropna().unique())
        self.layers[name] = {"path": path.name, "kind": "vector", "layer": name, "geometry": geometry,
                             "feature_count": int(len(gdf)), "description": description, "origin": origin,
                             "attributes": attrs, **({"vocabulary": vocabulary} if vocabulary else {})}

    def timed(self, key: str, t: float) -> None:
        self.timings[key] = time.perf_counter() - t


def _gpkg_ready(gdf):
    """A copy fit for a GeoPackage: object columns as strings; an attribute clashing with the feature id
    (fid) or the geometry (geom), ignoring case (an ArcGIS export's FID, "Nama" beside "NAMA" in a
    GeoJSON), kept under another name."""
    gdf = gdf.copy()
    for col in gdf.columns:
        if col != gdf.geometry.name and gdf[col].dtype == object:
            gdf[col] = gdf[col].astype("string")
    taken, renames = {"fid", "geom"}, {}
    for c in gdf.columns:
        if c == gdf.geometry.name:
            continue
        new, i = str(c), 1
        while new.lower() in taken:
            new, i = f"{c}_{'src' if i == 1 else i}", i + 1
        taken.add(new.lower())
        if new != c:
            renames[c] = new
    return gdf.rename(columns=renames)


def _build(work: _Work, geom, wgs, memory: dict, scheme: str) -> dict:
    """The workspace's layers, step by step, and its manifest."""
    _mask_step(work, geom)
    if work.req.dem:
        _dem_step(work)
    if work.req.osm:
        _osm_step(work)
    for la in work.req.layers:
        _agency_step(work, la)
    return _manifest(work, geom, wgs, memory, scheme)


def _mask_step(work: _Work, geom) -> None:
    """aoi.tif (1 inside the boundary, 0 in the buffer: cells whose centre lies inside; every touched cell
    for a boundary smaller than a cell) and boundary.gpkg."""
    import geopandas as gpd

    work.say("mask")
    canvas, b = work.canvas, work.b
    whole: dict[str, np.ndarray] = {}

    def aoi(all_touched: bool):
        def produce(win):
            a = features.rasterize([(geom, 1)], out_shape=win.grid.shape, transform=win.grid.transform,
                                   dtype="uint8", all_touched=all_touched)
            if canvas.single:
                whole["aoi"] = a
            return a
        return produce

    def write(all_touched: bool) -> int:
        written = work.raster("aoi", aoi(all_touched), np.uint8, nodata=None, type_="categorical", origin="boundary",
                              description="1 inside the study boundary, 0 in the buffer around it",
                              categories={0: "buffer", 1: "inside"}, count=lambda win, a: a.astype(bool))
        return int(written.counts_inside.get(1, 0))

    inside = write(False)
    if not inside:     # a boundary smaller than a cell: every touched cell
        inside = write(True)
    work.cells_inside = inside
    canvas.set_mask(work.folder / "aoi.tif", whole.get("aoi"))
    work.vector("boundary", gpd.GeoDataFrame({"name": [b.name]}, geometry=[geom], crs=work.grid.crs), "Polygon",
                "study boundary", "boundary")
    work.sources.append({"role": "boundary", "path": str(b.source), "where": b.where, "sha256": _sha(b.source)})


def _dem_step(work: _Work) -> None:
    """dem.tif: the DEM tiles mosaicked, reprojected and void-filled window by window (dem.DemMosaic)."""
    req = work.req
    work.say("dem")
    t = time.perf_counter()
    mosaic = demmod.DemMosaic(req.dem, work.canvas, assume_crs=req.assume_crs, max_fill_m=req.dem_max_fill_m,
                              tolerance=req.dem_tolerance)
    # the entry's figures are known once every window is written: written first, filled in after
    work.raster("dem", mosaic.window, np.float32, nodata=demmod.NODATA, type_="continuous", unit="m",
                origin="dem", description="elevation in metres")
    res = mosaic.result()
    work.layers["dem"].update({"resampling": res.resampling, "covered_share": round(res.covered_share, 5),
                               "voids_filled_ha": round(res.voids_filled_ha, 2),
                               "voids_left_ha": round(res.voids_left_ha, 2)})
    work.warnings += res.notes
    for tile in res.tiles:
        work.sources.append({"role": "dem", **tile, "sha256": _sha(tile["path"])})
        if _raster_is_synthetic(tile["path"]):
            work.synthetic.append(f"DEM {Path(tile['path']).name}")
    work.timed("dem", t)


def _osm_step(work: _Work) -> set[str]:
    """The OpenStreetMap layers: vectors (roads, rivers, settlements, ...) unless an agency layer of the
    same name replaces them, and landcover.tif burned window by window. Returns the layers written."""
    req, grid = work.req, work.grid
    from_osm: set[str] = set()
    agency_names = {la.name for la in req.layers}
    work.say("osm")
    t = time.perf_counter()
    from kawasan.spatial.ingest.osm import extract_osm

    osm = extract_osm(req.osm, clip=shapely.box(*_grid_bounds_wgs84(grid)), mapping=req.osm_mapping)
    work.timed("osm_read", t)
    t = time.perf_counter()
    src = dict(osm.source)
    work.sources.append({"role": "osm", **{k: v for k, v in src.items() if k != "header"},
                         "counts": dict(osm.counts)})
    if src.get("synthetic"):
        work.synthetic.append(f"OpenStreetMap {Path(str(req.osm)).name}")
    work.warnings += [Message("prepare.note.prepare.osm_note", note=Message(key, **kw)) for key, kw in osm.notes]
    for name, (gdf, kind, desc) in vector_layers(osm, grid).items():
        if name not in agency_names and len(gdf):
            work.vector(name, gdf, kind, desc, "osm", VOCABULARY.get(name))
            from_osm.add(name)
    if "landcover" not in agency_names:
        shapes = {name: windows.ShapeIndex((g, LANDCOVER_CODES[name]) for g in geoms)
                  for name, geoms in landcover_shapes(osm, grid).items()}
        overrides = _override_shapes(req, grid)

        def produce(win):
            return _burn_overrides(burn_landcover(shapes, win.grid), overrides, win.grid)
        cats = {v: k for k, v in LANDCOVER_CODES.items()}
        written = work.raster("landcover", produce, np.uint8, nodata=0, type_="categorical", categories=cats,
                              origin="osm",
                              description="land cover from OpenStreetMap land use (unmapped where OSM has none)")
        from_osm.add("landcover")
        um = float(written.counts_inside.get(LANDCOVER_CODES["unmapped"], 0)) / max(1, work.cells_inside)
        if um > 0.5:
            work.warnings.append(Message("prepare.note.prepare.boundary_openstreetmap_land_use", percent=um * 100))
    work.timed("osm_layers", t)
    return from_osm


def _agency_step(work: _Work, la: ag.LayerArg) -> None:
    """One agency layer: read, checked, coded, written window by window (a vector layer also as a
    GeoPackage, beside the raster of its cells)."""
    req = work.req
    agency_names = {x.name for x in req.layers}
    work.say(f"layer {la.name}")
    t = time.perf_counter()
    if agr.is_raster(la.path):
        res = agr.raster_layer(la, work.canvas, assume_crs=req.assume_crs, mapping=req.maps.get(la.name))
    else:
        res = ag.prepare_layer(la, work.grid, assume_crs=req.assume_crs, mapping=req.maps.get(la.name),
                               whole=False)
    work.warnings += [Message("prepare.note.prepare.layer_note", layer=la.name, note=n) for n in res.notes]
    work.sources.append({"role": f"layer:{la.name}", **res.source, "sha256": _sha(la.path)})
    desc = f"agency layer from {la.path.name}" + (f" (attribute {la.attribute})" if la.attribute else "")
    dtype = _layer_dtype(res)
    type_ = "continuous" if res.kind == "continuous" else "categorical"
    cats = res.categories if res.kind != "continuous" else None
    if res.kind == "vector":
        work.vector(la.name, res.gdf, res.geometry, desc, "agency")
        work.raster(f"{la.name}_cells", lambda win: res.on(win.grid), dtype, nodata=None, type_="categorical",
                    origin="agency", categories={0: "none", 1: la.name}, description=f"cells touched by {la.name}")
    elif la.name in VECTOR_LAYERS and res.gdf is not None:
        # polygons under a name the presets read as vectors (settlements, industrial, ...): the vector
        # is the layer (it replaces the OSM one); the raster of its cells goes beside it
        work.vector(la.name, res.gdf, "Geometry" if set(res.gdf.geom_type) - {"Polygon"} else "Polygon", desc,
                    "agency")
        work.raster(f"{la.name}_cells", lambda win: res.on(win.grid), dtype, nodata=res.nodata, origin="agency",
                    description=f"cells of {la.name}", type_=type_, categories=cats)
    else:
        overrides = (_override_shapes(req, work.grid) if la.name == "landcover" and res.kind == "categorical"
                     else None)
        work.raster(la.name, lambda win: _burn_overrides(res.on(win.grid), overrides, win.grid), dtype,
                    nodata=res.nodata, origin="agency", description=desc, type_=type_, categories=cats,
                    extra={"ordinal": True} if la.name.startswith(("hazard", "risk_", "volcano_krb")) else None)
    work.timed(f"layer:{la.name}", t)
    for attr, values in VOCABULARY.get(la.name, {}).items():
        if work.layers.get(la.name, {}).get("kind") == "vector" and attr not in res.gdf.columns:
            work.warnings.append(Message("prepare.note.prepare.layer_presets_select_by", layer=la.name,
                                         attr=attr, values=' / '.join(values)))
    if la.name in LANDCOVER_OVERRIDES and la.attribute and (req.osm or "landcover" in agency_names):
        work.warnings.append(Message("prepare.note.prepare.layer_every_polygon_burned", layer=la.name,
                                     landcover_class=LANDCOVER_OVERRIDES[la.name], attribute=la.attribute))


def _layer_dtype(res: ag.AgencyLayer):
    """The dtype an agency layer's cells are written in."""
    if res.kind in ("vector", "mask"):
        return np.uint8
    if res.kind == "continuous":
        return np.float32
    return np.uint8 if res.nodata == 255 else np.uint16


def _manifest(work: _Work, geom, wgs, memory: dict, scheme: str) -> dict:
    """manifest.json's content: grid, boundary, projection scheme, sources, layers (with checksums), what
    is missing and which preset criteria that affects, warnings."""
    req, grid, b = work.req, work.grid, work.b
    for entry in work.layers.values():
        entry["sha256"] = _sha(work.folder / entry["path"])
    missing = _missing(work.layers)
    for m in missing:
        effects = "; ".join(f"{u['preset']}: {u['kind']} '{u['id']}' {u['effect']}" for u in m["needed_by"])
        work.warnings.append(Message("prepare.note.prepare.layer_missing", layer=m["layer"],
                                     effects=f" ({effects})" if effects else ""))
    area_km2 = float(geom.area) / 1e6
    manifest = {
        "kind": KIND, "format_version": 1, "name": b.name, "synthetic": bool(work.synthetic),
        "crs": grid.to_dict()["crs"], "grid": grid.to_dict(), "mask": "aoi.tif",
        "boundary": {**b.describe(), "area_km2": round(area_km2, 3), "cells_inside": work.cells_inside,
                     "bounds_wgs84": [round(v, 6) for v in wgs.bounds]},
        "resolution_m": req.resolution, "buffer_m": req.buffer_m,
        "generator": "kawasan data prepare", "created": work.created,
        "software": {"kawasan": __version__, "python": platform.python_version()},
        "memory_estimate": memory,
        "projection": gridplan.projection_report(grid.crs, wgs.bounds, scheme),
        "sources": work.sources, "layers": work.layers, "missing": missing, "warnings": work.warnings,
    }
    if work.synthetic:
        manifest["notice"] = Message("prepare.note.synthetic_inputs", inputs=", ".join(work.synthetic))
    return manifest


def _override_shapes(req: PrepareRequest, grid: Grid) -> windows.ShapeIndex:
    """The agency protected-forest polygons to burn into the land cover, as (polygon, code) pairs."""
    out = []
    for la in req.layers:
        target = LANDCOVER_OVERRIDES.get(la.name)
        if not target:
            continue
        gdf, _, _ = ag.read_layer(la, grid, assume_crs=req.assume_crs)
        out += [(g, LANDCOVER_CODES[target]) for g in gdf.geometry if g.geom_type in ("Polygon", "MultiPolygon")]
    return windows.ShapeIndex(out)


def _burn_overrides(lc: np.ndarray, overrides, grid: Grid) -> np.ndarray:
    """Burn agency protected-forest / LP2B polygons into the land cover (they win over other classes)."""
    pairs = overrides.within(grid) if overrides else []
    if pairs:
        features.rasterize(pairs, out=lc, transform=grid.transform)
    return lc


def _missing(layers: dict) -> list[dict]:
    """Standard layers not in the workspace, and what each built-in preset does without them."""
    from kawasan.spatial.presets import load_preset, preset_names

    out = []
    usage: dict[str, list[dict]] = {}
    for pname in preset_names():
        model = load_preset(pname)
        for kind, items in (("criterion", model.criteria), ("constraint", model.constraints)):
            for it in items:
                spec = model.layers[it.layer]
                stem = Path(spec.path).stem
                optional = spec.optional or getattr(it, "skip_if_missing", False)
                usage.setdefault(stem, []).append({"preset": pname, "kind": kind, "id": it.id,
                                                   "effect": "skipped" if optional else "refused"})
    for name in STANDARD_LAYERS:
        if name not in layers:
            out.append({"layer": name, "needed_by": usage.get(name, [])})
    return out


def _grid_bounds_wgs84(grid: Grid) -> tuple[float, float, float, float]:
    from rasterio.warp import transform_bounds

    return transform_bounds(grid.crs, "EPSG:4326", *grid.bounds, densify_pts=21)


def _sha(path) -> str | None:
    from kawasan.spatial.studyarea import sha256_of

    p = Path(path)
    return sha256_of(p) if p.exists() else None


def _raster_is_synthetic(path) -> bool:
    import rasterio

    try:
        with rasterio.open(demmod.open_path(Path(path))) as ds:
            return str(ds.tags().get("SYNTHETIC", "")).lower() in ("yes", "true", "1")
    except Exception:
        return False
