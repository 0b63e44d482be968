"""Reading vector layers and burning them onto the study grid.

Vectors (roads, rivers, settlements, zoning polygons) are read with pyogrio,
filtered by attribute, reprojected to the grid CRS, and rasterized with
rasterio.features.rasterize. Lines and points burn every cell they touch
(``all_touched=True``) so thin features are never lost; polygons burn the cells
whose centre lies inside (GDAL's default rule) so areas are not overstated.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from rasterio import features

from kawasan.errors import VectorError
from kawasan.spatial.grid import Grid


def read_features(path: str | Path, *, layer: str | None = None, where: dict | None = None, grid: Grid | None = None,
                  layer_name: str | None = None):
    """Read a vector layer as a GeoDataFrame in the grid CRS, filtered by ``where``.

    ``where`` maps attribute names to a list of accepted values, e.g. ``{"class": ["arterial"]}``.
    """
    import pyogrio
    from pyogrio.errors import DataSourceError, DataLayerError

    p = Path(path)
    label = str(p) if layer_name is None else f"{p} (layer '{layer_name}')"
    if not p.exists():
        raise VectorError("file not found; expected a GeoPackage, GeoJSON or Shapefile", source=label)
    try:
        gdf = pyogrio.read_dataframe(p, layer=layer)
    except (DataSourceError, DataLayerError) as exc:
        raise VectorError(f"not a readable vector file ({exc})", source=label) from exc
    except Exception as exc:  # corrupt GeoPackage (SQLite error) or other GDAL failure
        raise VectorError(f"not a readable vector file ({type(exc).__name__}: {exc})", source=label) from exc
    if gdf.crs is None:
        raise VectorError("the layer has no CRS; expected one (for example EPSG:4326 or EPSG:32749)", source=label)
    for attr, values in (where or {}).items():
        if attr not in gdf.columns:
            raise VectorError(
                f"has no attribute '{attr}'; available: {', '.join(c for c in gdf.columns if c != 'geometry')}",
                source=label, field=f"where.{attr}",
            )
        gdf = gdf[gdf[attr].astype(str).isin([str(v) for v in values])]
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if gdf.empty:
        cond = f" matching {where}" if where else ""
        raise VectorError(f"has no features{cond}", source=label)
    if grid is not None:
        if gdf.crs != grid.crs:
            gdf = gdf.to_crs(grid.crs)
        if not grid.overlaps(tuple(gdf.total_bounds)):
            raise VectorError(
                f"does not overlap the study area: layer bounds {tuple(round(v, 1) for v in gdf.total_bounds)} "
                f"vs study area {tuple(round(v, 1) for v in grid.bounds)} in {grid.crs.to_string()}",
                source=label,
            )
    return gdf


def burn_mask(gdf, grid: Grid, out: np.ndarray | None = None) -> np.ndarray:
    """uint8 raster, 1 where a feature touches the cell, 0 elsewhere (into ``out`` when given)."""
    geoms = [g for g in gdf.geometry]
    polygonal = all(g.geom_type in ("Polygon", "MultiPolygon") for g in geoms)
    if out is None:
        out = np.zeros(grid.shape, dtype=np.uint8)
    else:
        out.fill(0)
    features.rasterize(
        ((g, 1) for g in geoms), out=out, transform=grid.transform, all_touched=not polygonal, dtype="uint8"
    )
    if polygonal and not out.any():
        # polygons smaller than a cell: fall back to every touched cell so they are not lost
        features.rasterize(((g, 1) for g in geoms), out=out, transform=grid.transform, all_touched=True)
    return out


def burn_codes(gdf, grid: Grid, attribute: str, codes: dict[str, int], *, nodata: int = 0,
               label: str = "") -> np.ndarray:
    """uint8/uint16 raster of category codes from a polygon attribute (``codes`` maps value -> code)."""
    if attribute not in gdf.columns:
        raise VectorError(f"has no attribute '{attribute}'", source=label, field="attribute")
    dtype = np.uint8 if max(codes.values(), default=0) < 255 else np.uint16
    out = np.full(grid.shape, nodata, dtype=dtype)
    shapes = []
    for geom, value in zip(gdf.geometry, gdf[attribute].astype(str)):
        if value not in codes:
            raise VectorError(f"value '{value}' of attribute '{attribute}' has no code", source=label)
        shapes.append((geom, codes[value]))
    features.rasterize(shapes, out=out, transform=grid.transform, dtype=dtype)
    return out
