"""Kabupaten Contoh: a synthetic regency for ``kawasan demo``.

:func:`build_study_area` generates, from a seed, a fictional regency on the north
coast of East Java (UTM 49S, upper-left corner x=700000, y=9150000): sea in the
north, a coastal plain with a town, a port and two designated industrial blocks,
and a volcanic upland in the south-east. The pipeline is

1. terrain -- landforms, noise and coarse-grid erosion (:mod:`.terrain`);
2. drainage -- priority flood, flow routing, Strahler rivers, channel carving
   (:mod:`.hydro`); the written DEM is the carved one, so rivers run downhill on it;
3. layout -- town, port, estates, villages, hamlets (:mod:`.layout`);
4. network -- least-cost roads and railway (:mod:`.network`);
5. themes -- land cover, zoning, soil and hazards by rules (:mod:`.thematic`); the
   legal-status layers (forest area, LP2B, LSD), risk, volcanic danger zones and
   power lines (:mod:`.lawlayers`);
6. writing -- GeoTIFFs, GeoPackages and ``manifest.json`` (written last) into a
   temporary sibling folder that replaces ``out_dir`` only when complete.

Every random draw comes from ``numpy.random.default_rng([seed, stage])`` and every
writer is deterministic, so the same arguments give byte-identical files.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
from rasterio import features
from shapely import affinity, simplify
from shapely.geometry import LineString, Point, shape

from kawasan.errors import InputError
from kawasan.fileio import check_replaceable, publish, recover, temp_sibling
from kawasan.i18n import Message
from kawasan.sampledata import lawlayers as law
from kawasan.sampledata import thematic as th
from kawasan.sampledata.hydro import drain
from kawasan.sampledata.layout import make_layout
from kawasan.sampledata.network import make_network
from kawasan.sampledata.terrain import make_terrain, rng_for
from kawasan.sampledata.writers import sha256, write_raster, write_vector
from kawasan.spatial.grid import Grid

KIND = "kawasan.study_area"
NAME = "Kabupaten Contoh"
CRS = "EPSG:32749"
LEFT, TOP = 700000.0, 9150000.0

_COLORS = {
    "landcover": {1: (70, 130, 200), 2: (20, 90, 40), 3: (60, 140, 60), 4: (170, 220, 90),
                  5: (200, 170, 60), 6: (230, 210, 140), 7: (180, 190, 140), 8: (200, 60, 60),
                  9: (150, 60, 170)},
    "zoning": {1: (30, 110, 50), 2: (220, 230, 120), 3: (240, 150, 120), 4: (160, 60, 200),
               5: (120, 170, 80), 6: (70, 130, 200)},
    "soil": {1: (150, 200, 230), 2: (190, 90, 60), 3: (220, 170, 110), 4: (90, 70, 60), 5: (220, 220, 190)},
    "hazard": {0: (240, 240, 240), 1: (255, 230, 150), 2: (250, 160, 60), 3: (210, 40, 30)},
    "kawasan_hutan": {1: (10, 70, 30), 2: (20, 90, 40), 3: (60, 120, 50), 4: (90, 150, 70), 5: (150, 180, 90),
                      6: (240, 240, 240)},
    "mask": {0: (240, 240, 240), 1: (170, 220, 90)},
    "krb": {0: (240, 240, 240), 1: (255, 230, 150), 2: (250, 160, 60), 3: (160, 20, 20)},
}
#: The main river also drains an upper catchment beyond the map (SYNTHETIC), so that the demo has a river
#: whose catchment exceeds the 500 km² of PP 38/2011 Article 10 (a large river).
UPPER_CATCHMENT_KM2 = 300.0


def build_study_area(out_dir: Path, *, seed: int = 7, width: int = 2000, height: int = 1340,
                     res: float = 30.0) -> Path:
    """Generate Kabupaten Contoh into out_dir (created if needed) and return the path of out_dir/manifest.json.

    The files are written to a temporary sibling folder that replaces ``out_dir`` at
    the end, so a failed run leaves nothing half-written. An existing ``out_dir`` is
    replaced only if it is empty or an earlier study area (its ``manifest.json`` has
    ``"kind": "kawasan.study_area"``); anything else raises :class:`OutputError`.
    """
    if int(width) < 60 or int(height) < 40 or not float(res) > 0:
        raise InputError(Message("demo.err.contoh.synthetic_grid_needs_at", width=width, height=height, res=res))
    out_dir = Path(out_dir).absolute()
    _check_target(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(out_dir)
    tmp = temp_sibling(out_dir)
    os.mkdir(tmp)
    try:
        _generate(tmp, int(seed), int(width), int(height), float(res))
        _swap_into_place(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir / "manifest.json"


# -- output folder handling --------------------------------------------------------------
def _check_target(out_dir: Path) -> None:
    check_replaceable(out_dir, KIND, "kawasan study area")


def _swap_into_place(tmp: Path, out_dir: Path) -> None:
    _check_target(out_dir)
    publish(tmp, out_dir)


# -- generation ----------------------------------------------------------------------------
def _catchments(dr, res: float) -> np.ndarray:
    """Area (km²) draining to each river run's downstream end; the main river gains UPPER_CATCHMENT_KM2."""
    ends = [cells[-2] if len(cells) > 1 else cells[-1] for _, cells in dr.rivers]
    km2 = np.array([float(dr.acc[r, c]) * res * res / 1e6 for r, c in ends])
    if km2.size:
        km2[int(np.argmax(km2))] += UPPER_CATCHMENT_KM2
    return km2


def _coastline(land, grid) -> LineString:
    """The land polygon's outline without the grid edge (where land meets the map frame, not the sea)."""
    from shapely.geometry import box
    from shapely.ops import linemerge

    frame = box(*grid.bounds).exterior.buffer(grid.res[0] * 0.5)
    line = land.exterior.difference(frame)
    if line.geom_type == "MultiLineString":
        merged = linemerge(line)
        line = max(getattr(merged, "geoms", [merged]), key=lambda g: g.length)
    return line


def slope_percent(dem: np.ndarray, res: float) -> np.ndarray:
    """Slope in percent by central differences (one-sided at the edges)."""
    gy, gx = np.gradient(dem, res)
    return 100.0 * np.hypot(gx, gy)


def river_width(order):
    """Channel width (m) by Strahler order; wide channels are water in the land cover."""
    return 6.0 * 2.0 ** np.asarray(order, dtype=float)


def _world(geom):
    """Local metres (x east, y south of the upper-left corner) -> EPSG:32749."""
    return affinity.affine_transform(geom, [1.0, 0.0, 0.0, -1.0, LEFT, TOP])


def _cell_xy(r: int, c: int, res: float) -> tuple[float, float]:
    """Centre of grid cell (row r, column c) in EPSG:32749."""
    return LEFT + (c + 0.5) * res, TOP - (r + 0.5) * res


class _Layers:
    """Writes the study area's layers into ``folder``, each labelled SYNTHETIC, and keeps their manifest entries."""

    def __init__(self, folder: Path, grid: Grid, seed: int):
        self.folder, self.grid, self.seed = folder, grid, seed
        self.notice = (f"SYNTHETIC data generated by kawasan demo (seed {seed}). Not a real place; "
                       "do not use for decisions.")
        self.tags = {"SYNTHETIC": "yes", "NOTICE": self.notice, "SEED": str(seed), "STUDY_AREA": f"{NAME} (synthetic)"}
        self.layers: dict[str, dict] = {}

    def raster(self, name, array, meta, *, nodata, description, categories=None, palette=None, unit=None) -> None:
        """``name``.tif (GeoTIFF with the notice, tags, categories and colours) and its manifest entry."""
        path = self.folder / f"{name}.tif"
        desc = f"{NAME} (synthetic): {description}. {self.notice}"
        write_raster(path, array, self.grid, nodata=nodata, description=desc, tags={**self.tags, "LAYER": name},
                     categories=categories, colors=_COLORS.get(palette or name), unit=unit)
        entry = {"path": path.name, "kind": "raster", "dtype": array.dtype.name, "nodata": nodata,
                 "description": description, **meta}
        if categories:
            entry["categories"] = {str(k): v for k, v in categories.items()}
        self.layers[name] = entry

    def vector(self, name, records, geometry, description) -> None:
        """``name``.gpkg (one layer, EPSG:32749) and its manifest entry: fields by type, text values listed."""
        gdf = gpd.GeoDataFrame(records, crs=CRS)
        path = self.folder / f"{name}.gpkg"
        write_vector(path, gdf, description=f"{NAME} (synthetic): {description}. {self.notice}")
        cols = [c for c in gdf.columns if c != "geometry"]
        self.layers[name] = {
            "path": path.name, "kind": "vector", "layer": name, "geometry": geometry,
            "feature_count": len(gdf), "description": description,
            "fields": {c: ("int" if gdf[c].dtype.kind in "iu" else "float" if gdf[c].dtype.kind == "f" else "str")
                       for c in cols},
            "attributes": {c: sorted(set(gdf[c])) for c in cols if gdf[c].dtype.kind not in "iuf"},
        }

    def write_manifest(self) -> None:
        """manifest.json, written last: every layer with the sha256 of its file (the mark of a complete area)."""
        for entry in self.layers.values():
            entry["sha256"] = sha256(self.folder / entry["path"])
        manifest = {
            "kind": KIND, "format_version": 1, "name": NAME, "synthetic": True, "notice": self.notice,
            "seed": self.seed, "grid": self.grid.to_dict(), "generator": "kawasan.sampledata.contoh.build_study_area",
            "layers": self.layers,
        }
        text = json.dumps(manifest, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
        (self.folder / "manifest.json").write_text(text, encoding="utf-8")


def _generate(folder: Path, seed: int, width: int, height: int, res: float) -> None:
    """The pipeline of the module docstring: terrain, drainage, layout, network, themes, then the layers and
    the manifest (last). Each stage draws from its own ``rng_for(seed, stage)``."""
    grid = Grid.from_bounds(CRS, LEFT, TOP, res, width, height)
    ter = make_terrain(seed, width, height, res)
    dr = drain(ter.elev, ter.sea, res, cone=ter.cone)
    slope = slope_percent(dr.dem, res)
    lay = make_layout(rng_for(seed, 3), xs=ter.xs, ys=ter.ys, res=res, sea=ter.sea, dist_sea=ter.dist_sea,
                      dist_river=dr.dist_river, slope=slope, dem=dr.dem)
    polys = [_world(s.polygon) for s in lay.settlements]
    settled, settle_zone = _settlement_masks(polys, lay, grid)
    routes = make_network(res=res, slope=slope, water=ter.sea | dr.lakes,
                          river_order=dr.order, dist_sea=ter.dist_sea, dem=dr.dem, layout=lay,
                          extent=ter.extent)
    t = _theme_inputs(ter, dr, slope, res, lay, settled, settle_zone)
    out = _Layers(folder, grid, seed)
    _write_themes(out, seed, dr.dem, t)
    _write_rivers(out, dr, res)
    _write_lakes(out, dr, grid)
    _write_transport(out, routes, lay)
    _write_places(out, lay, polys)
    _write_power_lines(out, lay, ter, res)
    _write_land(out, ter.sea, grid)
    out.write_manifest()


def _settlement_masks(polys, lay, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """Cells inside the settlements, and inside them plus their planned growth (500 m for the town, 150 m
    for a village)."""
    shp = grid.shape
    settled = features.rasterize(((p, 1) for p in polys), out_shape=shp, transform=grid.transform,
                                 dtype="uint8").astype(bool)
    grow = [p.buffer(500.0 if s.kind == "town" else 150.0) for p, s in zip(polys, lay.settlements)]
    settle_zone = features.rasterize(((p, 1) for p in grow), out_shape=shp, transform=grid.transform,
                                     dtype="uint8").astype(bool)
    return settled, settle_zone


def _theme_inputs(ter, dr, slope, res: float, lay, settled, settle_zone) -> th.Inputs:
    """What the thematic rules read; water is the sea, the lakes and rivers at least 0.75 cell wide."""
    wide = (dr.order > 0) & (river_width(dr.order) >= 0.75 * res)
    water = ter.sea | dr.lakes | wide
    return th.Inputs(ter.xs, ter.ys, res, dr.dem, slope, ter.sea, water, dr.lakes, ter.dist_sea, dr.dist_river,
                     dr.near_order, dr.bed, ter.cone, lay.estates, lay.industry, settled, settle_zone)


def _write_themes(out: _Layers, seed: int, dem: np.ndarray, t: th.Inputs) -> None:
    """The rasters: elevation, land cover, zoning, soil, hazards and risks, volcanic danger zones and the
    legal-status layers (forest area, LP2B, LSD)."""
    lc = th.landcover(rng_for(seed, 5), t)
    zone = th.zoning(lc, t)
    soil = th.soil(rng_for(seed, 6), t)
    flood = th.flood_hazard(t)
    slide = th.landslide_hazard(soil, t)
    forest_area = law.kawasan_hutan(rng_for(seed, 8), lc, t)
    lp2b, lsd = law.farmland_masks(rng_for(seed, 9), lc, t)
    krb = law.volcano_krb(t)
    dem32 = np.where(np.isfinite(dem), dem, -9999.0).astype(np.float32)
    out.raster("dem", dem32, {"type": "continuous", "unit": "m"}, nodata=-9999.0, unit="m",
               description="elevation above sea level in metres (sea floor negative)")
    out.raster("landcover", lc, {"type": "categorical"}, nodata=0, categories=th.LANDCOVER,
               description="land cover")
    out.raster("zoning", zone, {"type": "categorical"}, nodata=0, categories=th.ZONING,
               description="spatial-plan (RTRW) zones; kpi = kawasan peruntukan industri")
    out.raster("soil", soil, {"type": "categorical"}, nodata=0, categories=th.SOIL, description="soil type")
    _write_hazards(out, flood, slide, lc, krb, t)
    _write_legal_status(out, forest_area, lp2b, lsd)


def _write_hazards(out: _Layers, flood, slide, lc, krb, t: th.Inputs) -> None:
    """Flood and landslide hazard, the risks they make where people or farmland are exposed, and the
    volcanic danger zones."""
    ordinal = {"type": "categorical", "ordinal": True}
    out.raster("hazard_flood", flood, ordinal, nodata=255, categories=th.HAZARD,
               palette="hazard", description="flood hazard class (0 none to 3 high)")
    out.raster("hazard_landslide", slide, ordinal, nodata=255,
               categories=th.HAZARD, palette="hazard", description="landslide hazard class (0 none to 3 high)")
    out.raster("risk_flood", law.risk(flood, lc, t), ordinal, nodata=255,
               categories=th.HAZARD, palette="hazard",
               description="flood risk class (InaRISK style: hazard where people or farmland are exposed)")
    out.raster("risk_landslide", law.risk(slide, lc, t, reach=3000.0), ordinal, nodata=255,
               categories=th.HAZARD, palette="hazard",
               description="landslide risk class (InaRISK style: hazard where people or farmland are exposed)")
    out.raster("volcano_krb", krb, ordinal, nodata=None, categories=law.KRB,
               palette="krb", description="volcanic danger zones (Kawasan Rawan Bencana I-III, Badan Geologi style)")


def _write_legal_status(out: _Layers, forest_area, lp2b, lsd) -> None:
    """State forest area by function, and the protected farmland masks LP2B and LSD."""
    out.raster("kawasan_hutan", forest_area, {"type": "categorical"}, nodata=0, categories=law.KAWASAN_HUTAN,
               description="state forest area by function (KLHK style), non_forest = areal penggunaan lain")
    out.raster("lp2b", lp2b, {"type": "categorical"}, nodata=255, categories={0: "outside", 1: "lp2b"},
               palette="mask", description="protected food farmland (LP2B) of the spatial plan")
    out.raster("lsd", lsd, {"type": "categorical"}, nodata=255, categories={0: "outside", 1: "lsd"}, palette="mask",
               description="protected rice fields (Lahan Sawah yang Dilindungi, ATR/BPN style)")


def _write_rivers(out: _Layers, dr, res: float) -> None:
    """Rivers and streams through the centres of their cells, with Strahler order and catchment; the one
    with the largest catchment is named Kali Contoh."""
    rivers = [(o, simplify(LineString([_cell_xy(r, c, res) for r, c in cells]), 0.0)) for o, cells in dr.rivers]
    catchment = _catchments(dr, res)
    out.vector("rivers", {"order": np.array([o for o, _ in rivers], dtype=np.int32),
                          "kind": ["river" if o >= 2 else "stream" for o, _ in rivers],
                          "name": ["Kali Contoh" if k == int(np.argmax(catchment)) else "" for k in range(len(rivers))],
                          "catchment_km2": np.round(catchment, 1),
                          "geometry": [g for _, g in rivers]}, "LineString",
               "rivers from source to confluence or sea; order = Strahler order; catchment_km2 = area draining to "
               f"the river's downstream end (the main river, Kali Contoh, also drains {UPPER_CATCHMENT_KM2:g} km² "
               "beyond the map)")


def _write_transport(out: _Layers, routes, lay) -> None:
    """Roads (a toll road is an arterial entered only at its gates), toll gates, railways and the port."""
    roads = [r for r in routes if r.kind != "railway"]
    out.vector("roads", {"class": ["arterial" if r.kind == "toll" else r.kind for r in roads],
                         "status": [r.status for r in roads],
                         "status_source": ["agency road register (SYNTHETIC)"] * len(roads),
                         "entry": ["gates" if r.kind == "toll" else "any" for r in roads],
                         "toll": ["yes" if r.kind == "toll" else "no" for r in roads],
                         "geometry": [_world(LineString(r.xy)) for r in roads]}, "LineString",
               "roads: class (function) arterial/collector/local, status national/provincial/regency, entry any or "
               "gates (a toll road is entered only at its gates)")
    gates = [xy for r in routes if r.kind == "toll" for xy in (r.gates or [])]
    out.vector("toll_gates", {"name": [f"Gerbang Tol Contoh {i + 1}" for i in range(len(gates))],
                              "geometry": [_world(Point(xy)) for xy in gates]}, "Point",
               "toll-road gates (the only places a toll road can be entered)")
    rails = [r for r in routes if r.kind == "railway"]
    out.vector("railways", {"class": ["railway"] * len(rails), "geometry": [_world(LineString(r.xy)) for r in rails]},
               "LineString", "railway lines")
    out.vector("ports", {"name": ["Pelabuhan Contoh"], "geometry": [_world(Point(lay.port))]}, "Point", "sea ports")


def _write_places(out: _Layers, lay, polys) -> None:
    """Settlement polygons with their population, and the town centre."""
    out.vector("settlements", {"name": [s.name for s in lay.settlements], "kind": [s.kind for s in lay.settlements],
                               "population": np.array([s.population for s in lay.settlements], dtype=np.int64),
                               "geometry": polys}, "Polygon",
               "built-up areas of the town (kota kecamatan) and villages (desa), with population")
    out.vector("town_centres", {"name": [lay.town.name], "kind": ["town"],
                                "geometry": [_world(Point(lay.town.centre))]}, "Point", "town centres (pusat kota)")


def _write_lakes(out: _Layers, dr, grid: Grid) -> None:
    """Lakes: the polygons of the lake cells (the water surface)."""
    lakes = [shape(g) for g, v in features.shapes(dr.lakes.view(np.uint8), mask=dr.lakes, transform=grid.transform)
             if v == 1]
    out.vector("lakes", {"kind": ["lake"] * len(lakes), "geometry": lakes}, "Polygon", "lakes (the water surface)")


def _write_power_lines(out: _Layers, lay, ter, res: float) -> None:
    """High-voltage transmission lines (SUTT/SUTET) with their voltage."""
    lines, _plant = law.power_lines(lay, ter.sea, res, ter.extent)
    out.vector("power_lines", {"name": [n for _, n, _ in lines],
                               "voltage_kv": np.array([v for v, _, _ in lines], np.int32),
                               "geometry": [_world(g) for _, _, g in lines]}, "LineString",
               "high-voltage transmission lines (SUTT/SUTET) with their voltage in kV")


def _write_land(out: _Layers, sea: np.ndarray, grid: Grid) -> None:
    """The regency boundary (the largest land part of the grid) and the coastline (its outline off the frame)."""
    land = features.shapes(np.ones(grid.shape, np.uint8), mask=~sea, transform=grid.transform)
    boundary = max((shape(g) for g, _ in land), key=lambda g: g.area)
    out.vector("coastline", {"name": ["garis pantai"], "geometry": [_coastline(boundary, grid)]}, "LineString",
               "the coastline (land to sea boundary)")
    out.vector("boundary", {"name": [f"{NAME} (synthetic)"], "geometry": [boundary]}, "Polygon",
               "regency boundary (the land part of the grid)")
