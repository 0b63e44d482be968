"""The OpenStreetMap layers kawasan extracts: names, geometry kinds, columns, and the result type.

Every layer is a GeoDataFrame in EPSG:4326 with the columns of :data:`LAYER_COLUMNS` (plus
``geometry``), also when it is empty.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import geopandas as gpd
import pandas as pd

CRS = "EPSG:4326"

#: layer -> (geometry kind, columns); every layer is a GeoDataFrame in EPSG:4326 with these columns.
LAYER_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "roads": ("line", ("osm_id", "osm_type", "class", "highway", "name", "ref", "status", "status_source", "entry")),
    "toll_gates": ("point", ("osm_id", "osm_type", "kind", "name", "ref")),
    "power_lines": ("line", ("osm_id", "osm_type", "power", "voltage_kv", "name")),
    "railways": ("line", ("osm_id", "osm_type", "railway", "name")),
    "waterways": ("line", ("osm_id", "osm_type", "kind", "waterway", "name")),
    "water": ("polygon", ("osm_id", "osm_type", "kind", "name")),
    "coastline": ("line", ("osm_id", "osm_type")),
    "sea": ("polygon", ("source",)),
    "settlements": ("polygon", ("osm_id", "osm_type", "kind", "name")),
    "places": ("point", ("osm_id", "osm_type", "kind", "name", "population")),
    "landuse": ("polygon", ("osm_id", "osm_type", "tag", "landcover")),
    "industrial": ("polygon", ("osm_id", "osm_type", "kind", "name")),
    "harbours": ("point", ("osm_id", "osm_type", "kind", "name")),
    "aerodromes": ("point", ("osm_id", "osm_type", "kind", "name", "iata", "icao")),
    "protected": ("polygon", ("osm_id", "osm_type", "kind", "name", "protect_class")),
}
LAYERS = tuple(LAYER_COLUMNS)
INT_COLUMNS = {"osm_id": "int64", "population": "Int64", "voltage_kv": "Float64"}

Progress = Callable[[str, int, "int | None"], None]


@dataclass
class OsmLayers:
    """The layers read from one OSM file, each a GeoDataFrame in EPSG:4326 (empty with its columns when nothing was found).

    ``counts`` gives the rows per layer, ``repaired`` how many polygons were invalid and repaired
    with ``shapely.make_valid``, ``warnings`` what the user should know (in English; ``notes`` holds
    the same as (message key, parameters) pairs for the ``osm.*`` catalogue entries), ``source`` the
    file (path, size, sha256, format, header fields, ``synthetic`` when the header says so).
    """

    roads: gpd.GeoDataFrame
    toll_gates: gpd.GeoDataFrame
    power_lines: gpd.GeoDataFrame
    railways: gpd.GeoDataFrame
    waterways: gpd.GeoDataFrame
    water: gpd.GeoDataFrame
    coastline: gpd.GeoDataFrame
    sea: gpd.GeoDataFrame
    settlements: gpd.GeoDataFrame
    places: gpd.GeoDataFrame
    landuse: gpd.GeoDataFrame
    industrial: gpd.GeoDataFrame
    harbours: gpd.GeoDataFrame
    aerodromes: gpd.GeoDataFrame
    protected: gpd.GeoDataFrame
    counts: dict[str, int] = field(default_factory=dict)
    repaired: int = 0
    warnings: list[str] = field(default_factory=list)
    notes: list[tuple[str, dict]] = field(default_factory=list)
    source: dict = field(default_factory=dict)

    def layers(self) -> dict[str, gpd.GeoDataFrame]:
        """Layer name -> GeoDataFrame, in the order of :data:`LAYERS`."""
        return {name: getattr(self, name) for name in LAYERS}

    @property
    def empty(self) -> bool:
        return not any(self.counts.values())


def gpkg_options(name: str) -> dict:
    """How to write a layer to a GeoPackage (also when it is empty): geometry type and multi promotion.

    Lines and points are single; polygon layers mix Polygons and MultiPolygons and are written as
    MultiPolygon: ``gdf.to_file(gpkg, layer=name, engine="pyogrio", **gpkg_options(name))``.
    """
    kind = LAYER_COLUMNS[name][0]
    return {"geometry_type": {"line": "LineString", "polygon": "MultiPolygon", "point": "Point"}[kind],
            "promote_to_multi": kind == "polygon"}


def empty_layer(name: str) -> gpd.GeoDataFrame:
    _, cols = LAYER_COLUMNS[name]
    data = {c: pd.Series([], dtype=INT_COLUMNS.get(c, "object")) for c in cols}
    return gpd.GeoDataFrame(data, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)
