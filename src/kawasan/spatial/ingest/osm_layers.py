"""OpenStreetMap layers onto the study grid: vector layers for distance criteria and a land-cover raster.

Vector layers written (grid CRS, clipped to the grid): ``roads`` (class arterial/collector/local: the
function; status national/provincial/regency/unknown with ``status_source``; entry any, or gates for a
toll road), ``toll_gates`` (the nodes where a toll road is entered), ``railways``, ``rivers`` (OSM
waterways; ``kind`` river/stream/canal/drain), ``lakes`` (water polygons of kind lake or reservoir),
``coastline``, ``power_lines`` (``voltage_kv``), ``settlements``, ``town_centres`` (place=city/town
nodes), ``ports`` (harbours), ``airports`` (aerodromes), ``industrial``.

``settlements`` are the residential land-use polygons plus, for each place node that lies in no such
polygon, a disc around the node whose radius depends on its kind (city 2,000 m, town 1,000 m,
suburb/village 300 m, hamlet 100 m; kawasan defaults [design], because OSM often maps a village as a
node only). A polygon or disc is ``kind: town`` when a ``place=city|town`` node lies in it, else
``kind: village`` (the presets' trade-centre criterion uses the towns).

Land cover (codes of ``categories.yaml``): every cell starts as ``unmapped`` (10), then the OSM
land-use classes are burned in this order, each over the previous: dry_fields, shrub, plantation,
production_forest, rice_field, settlement (also the settlement polygons), industry (also the
industrial polygons), protected_forest, water (water bodies and the sea). So where OSM polygons
overlap, water wins over protection, protection over built-up land, built-up land over farmland.
"""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rasterio import features

from kawasan.spatial.grid import Grid

LANDCOVER_CODES = {"water": 1, "protected_forest": 2, "production_forest": 3, "rice_field": 4,
                   "plantation": 5, "dry_fields": 6, "shrub": 7, "settlement": 8, "industry": 9, "unmapped": 10}
BURN_ORDER = ("dry_fields", "shrub", "plantation", "production_forest", "rice_field", "settlement",
              "industry", "protected_forest", "water")
PLACE_RADIUS_M = {"city": 2000.0, "town": 1000.0, "suburb": 300.0, "village": 300.0, "hamlet": 100.0,
                  "isolated_dwelling": 50.0, "neighbourhood": 150.0}
TOWN_KINDS = ("city", "town")
LAKE_KINDS = ("lake", "reservoir")


def to_grid(gdf: gpd.GeoDataFrame, grid: Grid) -> gpd.GeoDataFrame:
    """Reproject to the grid CRS and clip to the grid's bounds, dropping empty results."""
    if gdf.empty:
        return gdf.to_crs(grid.crs) if gdf.crs is not None else gdf
    out = gdf.to_crs(grid.crs)
    l, b, r, t = grid.bounds
    out = out.set_geometry(out.geometry.clip_by_rect(l, b, r, t))
    return out[~(out.geometry.isna() | out.geometry.is_empty)].reset_index(drop=True)


def settlements_layer(settlements: gpd.GeoDataFrame, places: gpd.GeoDataFrame, grid: Grid) -> gpd.GeoDataFrame:
    polys = to_grid(settlements, grid)
    pts = to_grid(places, grid)
    geoms, names, kinds, origin = [], [], [], []
    tree = shapely.STRtree(list(polys.geometry)) if len(polys) else None
    town_pts = pts[pts["kind"].isin(TOWN_KINDS)] if len(pts) else pts
    for g, name in zip(polys.geometry, polys.get("name", pd.Series([None] * len(polys)))):
        geoms.append(g)
        names.append(name)
        kinds.append("town" if len(town_pts) and bool(town_pts.geometry.within(g).any()) else "village")
        origin.append("landuse=residential")
    for g, name, kind in zip(pts.geometry, pts["name"], pts["kind"]):
        inside = tree is not None and len(tree.query(g, predicate="within")) > 0
        if inside:
            continue
        r = PLACE_RADIUS_M.get(str(kind))
        if r is None:
            continue
        geoms.append(g.buffer(r, 32))
        names.append(name)
        kinds.append("town" if kind in TOWN_KINDS else "village")
        origin.append(f"place={kind} node, {r:g} m disc")
    return gpd.GeoDataFrame({"name": names, "kind": kinds, "origin": origin}, geometry=geoms, crs=grid.crs)


def landcover_raster(osm, grid: Grid) -> tuple[np.ndarray, dict[str, int]]:
    """uint8 land cover from the OSM layers; also the number of cells per class."""
    out = burn_landcover(landcover_shapes(osm, grid), grid)
    codes, counts = np.unique(out, return_counts=True)
    inv = {v: k for k, v in LANDCOVER_CODES.items()}
    return out, {inv[int(c)]: int(n) for c, n in zip(codes, counts)}


def landcover_shapes(osm, grid: Grid) -> dict[str, list]:
    """The OSM polygons of each land-cover class in the grid CRS (read once; burned per window)."""
    lu = to_grid(osm.landuse, grid)
    by_class: dict[str, list] = {k: [] for k in BURN_ORDER}
    for g, lc in zip(lu.geometry, lu["landcover"]):
        if lc in by_class:
            by_class[lc].append(g)
    by_class["settlement"] += list(to_grid(osm.settlements, grid).geometry)
    by_class["industry"] += list(to_grid(osm.industrial, grid).geometry)
    by_class["water"] += list(to_grid(osm.water, grid).geometry) + list(to_grid(osm.sea, grid).geometry)
    return {name: [g for g in by_class[name] if g is not None and not g.is_empty
                   and g.geom_type in ("Polygon", "MultiPolygon")] for name in BURN_ORDER}


def burn_landcover(shapes: dict, grid: Grid) -> np.ndarray:
    """uint8 land cover on ``grid`` (the study grid or one window of it): 'unmapped', then each class burned
    in ``BURN_ORDER`` (a later class wins where polygons overlap). ``shapes``: per class, a list of polygons
    or a ``windows.ShapeIndex`` of (polygon, code) pairs (only those reaching ``grid`` are burned)."""
    out = np.full(grid.shape, LANDCOVER_CODES["unmapped"], np.uint8)
    for name in BURN_ORDER:
        got = shapes.get(name)
        if got is None or not len(got):
            continue
        pairs = got.within(grid) if hasattr(got, "within") else [(g, LANDCOVER_CODES[name]) for g in got]
        if pairs:
            features.rasterize(pairs, out=out, transform=grid.transform)
    return out


def vector_layers(osm, grid: Grid) -> dict[str, tuple[gpd.GeoDataFrame, str, str]]:
    """Workspace vector layers: name -> (GeoDataFrame in grid CRS, geometry kind, description)."""
    out = {
        "roads": (to_grid(osm.roads, grid), "LineString",
                  "OpenStreetMap roads; class arterial (motorway/trunk/primary), collector (secondary/tertiary), local"),
        "toll_gates": (to_grid(osm.toll_gates, grid), "Point",
                       "OpenStreetMap toll-road gates (highway=motorway_junction, barrier=toll_booth)"),
        "railways": (to_grid(osm.railways, grid), "LineString", "OpenStreetMap railways"),
        "lakes": (to_grid(osm.water[osm.water["kind"].isin(LAKE_KINDS)], grid), "Polygon",
                  "OpenStreetMap lakes and reservoirs (water polygons)"),
        "coastline": (to_grid(osm.coastline, grid), "LineString", "OpenStreetMap coastline (natural=coastline)"),
        "power_lines": (to_grid(osm.power_lines, grid), "LineString",
                        "OpenStreetMap power lines (power=line) with voltage_kv"),
        "town_centres": (to_grid(osm.places[osm.places["kind"].isin(TOWN_KINDS)], grid), "Point",
                         "OpenStreetMap town centres (place=city/town nodes)"),
        "rivers": (to_grid(osm.waterways, grid), "LineString", "OpenStreetMap waterways (kind river/stream/canal/...)"),
        "settlements": (settlements_layer(osm.settlements, osm.places, grid), "Polygon",
                        "OpenStreetMap residential land use and place nodes (kind town/village)"),
        "ports": (to_grid(osm.harbours, grid), "Point", "OpenStreetMap harbours"),
        "airports": (to_grid(osm.aerodromes, grid), "Point", "OpenStreetMap aerodromes"),
        "industrial": (to_grid(osm.industrial, grid), "Polygon", "OpenStreetMap industrial land use"),
    }
    for name in ("ports", "airports"):
        gdf = out[name][0]
        if len(gdf) and not (gdf.geometry.geom_type == "Point").all():
            gdf = gdf.set_geometry(gdf.geometry.representative_point())
            out[name] = (gdf, "Point", out[name][2])
    return out
