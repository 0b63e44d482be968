"""Vector layers of a run's map as GeoJSON in WGS 84, simplified for the zoom.

The study area's vector layers (boundary, kecamatan/desa when present, roads, rivers, settlements, ports,
coastline, lakes...) and the run's candidate sites. A layer is simplified in its own projected CRS with a
tolerance of half a screen pixel at the asked zoom (Douglas-Peucker, topology preserved), so a small zoom
gets few vertices and the full detail comes back when zoomed in:

    tolerance_m = 0.5 * 2 * pi * 6378137 / (256 * 2^z) * cos(latitude)
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

from kawasan.errors import NotFoundError
from kawasan.spatial.runs.catalog import Entry
from kawasan.web.map.layers import study_layers
from kawasan.i18n import Message

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: properties kept for the popups (the rest stays in the files)
KEEP = ("id", "rank", "area_ha", "score_mean", "name", "nama", "kind", "class", "status", "order", "toll")
MAX_FEATURES = 50_000


def vector_names(run: Entry) -> list[str]:
    names = [n for n, s in study_layers(run).items() if s.get("kind") == "vector"]
    if (run.path / "sites" / "sites.gpkg").is_file():
        names.append("sites")
    return sorted(names)


def vector_path(run: Entry, name: str) -> Path:
    if not isinstance(name, str) or not _NAME.match(name):
        raise NotFoundError(Message("web.err.vectors.expected_layer_name_like", name=name), field="name")
    if name == "sites" and (run.path / "sites" / "sites.gpkg").is_file():
        return run.path / "sites" / "sites.gpkg"
    spec = study_layers(run).get(name)
    if spec is None or spec.get("kind") != "vector":
        raise NotFoundError(Message("web.err.vectors.run_has_vector_layer", name=name,
                                    have=', '.join(vector_names(run))),
                            field="name")
    return spec["file"]


def tolerance_m(z: int, lat: float) -> float:
    return 0.5 * 2 * math.pi * 6378137.0 / (256 * (1 << z)) * math.cos(math.radians(lat))


def geojson(path: Path, z: int) -> bytes:
    """The layer as a GeoJSON FeatureCollection (WGS 84), simplified for zoom ``z``."""
    import geopandas as gpd

    gdf = gpd.read_file(path, engine="pyogrio", max_features=MAX_FEATURES)
    gdf = gdf[[c for c in gdf.columns if c in KEEP] + ["geometry"]]
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if len(gdf) and gdf.crs is not None and gdf.crs.is_projected:
        lat = float(gdf.to_crs(4326).geometry.union_all().centroid.y) if len(gdf) < 2000 else 0.0
        gdf = gdf.set_geometry(gdf.geometry.simplify(tolerance_m(z, lat), preserve_topology=True))
        gdf = gdf[~gdf.geometry.is_empty]
    if gdf.crs is not None:
        gdf = gdf.to_crs(4326)
    body = json.loads(gdf.to_json(drop_id=True, to_wgs84=False))
    body.pop("crs", None)
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
