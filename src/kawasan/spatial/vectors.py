"""Reading vector layers and burning them onto the study grid.

Vectors (roads, rivers, settlements, zoning polygons) are read with pyogrio,
filtered by attribute and reprojected to the grid CRS. Lines and points burn every
cell that holds a point of them (kernels.burn_segments), so thin features are never
lost; polygons burn the cells whose centre lies inside (GDAL's default rule, with
rasterio.features.rasterize) so areas are not overstated.

Lines are not burned with GDAL's ``ALL_TOUCHED`` option: GDALRasterizeGeometries works in
row swaths sized by the process-wide GDAL block cache (GDAL_CACHEMAX), and touched cells at
swath edges come out differently, so the same roads gave different cells depending on the
machine's memory or on a cache size set elsewhere in the process (issue 11, item 1); it also
misses touched cells (OSGeo/gdal#12129).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from rasterio import features

from kawasan.errors import VectorError
from kawasan.i18n import Message
from kawasan.spatial import kernels
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
        raise VectorError(Message("run.err.vectors.file_found_expected_geopackage"), source=label)
    try:
        gdf = pyogrio.read_dataframe(p, layer=layer)
    except (DataSourceError, DataLayerError) as exc:
        raise VectorError(Message("run.err.vectors.readable_vector_file", error=str(exc)), source=label) from exc
    except Exception as exc:  # corrupt GeoPackage (SQLite error) or other GDAL failure
        raise VectorError(Message("run.err.vectors.readable_vector_file_2", type=type(exc).__name__, error=str(exc)),
                          source=label) from exc
    if gdf.crs is None:
        raise VectorError(Message("run.err.vectors.layer_crs_expected_one"), source=label)
    for attr, values in (where or {}).items():
        if attr not in gdf.columns:
            raise VectorError(
                Message("run.err.vectors.attribute_available", attr=attr,
                        columns=', '.join((c for c in gdf.columns if c != 'geometry'))),
                source=label, field=f"where.{attr}",
            )
        gdf = gdf[gdf[attr].astype(str).isin([str(v) for v in values])]
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if gdf.empty:
        cond = Message("run.err.vectors.matching", where=where) if where else ""
        raise VectorError(Message("run.err.vectors.features", cond=cond), source=label)
    if grid is not None:
        if gdf.crs != grid.crs:
            gdf = gdf.to_crs(grid.crs)
        if not grid.overlaps(tuple(gdf.total_bounds)):
            raise VectorError(
                Message("run.err.vectors.does_overlap_study_area",
                        layer_bounds=tuple((round(v, 1) for v in gdf.total_bounds)),
                        grid_bounds=tuple((round(v, 1) for v in grid.bounds)), crs=grid.crs.to_string()),
                source=label,
            )
    return gdf


def burn_mask(gdf, grid: Grid, out: np.ndarray | None = None) -> np.ndarray:
    """uint8 raster, 1 where a feature is, 0 elsewhere (into ``out`` when given).

    Polygons burn the cells whose centre lies inside; lines and points burn every cell holding a
    point of them. When a layer of polygons only covers no cell centre at all (polygons smaller
    than a cell), their outlines are burned instead, so they are not lost. In a mixed layer
    polygons burn their centre cells and their outlines (every cell they touch), as lines do.
    """
    import shapely

    if out is None:
        out = np.zeros(grid.shape, dtype=np.uint8)
    else:
        out.fill(0)
    parts = _simple_parts(np.asarray(gdf.geometry.values, dtype=object))
    kinds = shapely.get_type_id(parts)
    polygons = parts[kinds == 3]
    lines = parts[(kinds == 1) | (kinds == 2)]
    points = parts[kinds == 0]
    if polygons.size:
        features.rasterize(((g, 1) for g in polygons), out=out, transform=grid.transform, dtype="uint8")
        if polygons.size == parts.size and out.any():
            return out
        lines = np.concatenate([lines, shapely.get_rings(polygons)])
    _burn_lines(lines, grid, out)
    _burn_points(points, grid, out)
    return out


def _simple_parts(geoms: np.ndarray) -> np.ndarray:
    """Points, lines, rings and polygons: multi-part geometries and collections split, empties dropped."""
    import shapely

    parts = geoms[~shapely.is_empty(geoms) & ~shapely.is_missing(geoms)]
    while parts.size and np.isin(shapely.get_type_id(parts), (4, 5, 6, 7)).any():
        parts = shapely.get_parts(parts)
    return parts[~shapely.is_empty(parts)]


def _pixel_coords(xy: np.ndarray, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """(column, row) in cell units from the grid's upper-left corner, as float64."""
    inv = ~grid.transform
    u = inv.a * xy[:, 0] + inv.b * xy[:, 1] + inv.c
    v = inv.d * xy[:, 0] + inv.e * xy[:, 1] + inv.f
    return u, v


def _burn_lines(lines: np.ndarray, grid: Grid, out: np.ndarray) -> None:
    import shapely

    if not lines.size:
        return
    xy, index = shapely.get_coordinates(lines, return_index=True)
    u, v = _pixel_coords(xy, grid)
    same_line = index[1:] == index[:-1]   # a segment joins two consecutive vertices of one line
    kernels.burn_segments(u[:-1][same_line], v[:-1][same_line], u[1:][same_line], v[1:][same_line], out)


def _burn_points(points: np.ndarray, grid: Grid, out: np.ndarray) -> None:
    import shapely

    if not points.size:
        return
    u, v = _pixel_coords(shapely.get_coordinates(points), grid)
    kernels.burn_segments(u, v, u, v, out)


def burn_codes(gdf, grid: Grid, attribute: str, codes: dict[str, int], *, nodata: int = 0,
               label: str = "") -> np.ndarray:
    """uint8/uint16 raster of category codes from a polygon attribute (``codes`` maps value -> code)."""
    if attribute not in gdf.columns:
        raise VectorError(Message("run.err.vectors.attribute", attribute=attribute), source=label, field="attribute")
    dtype = np.uint8 if max(codes.values(), default=0) < 255 else np.uint16
    out = np.full(grid.shape, nodata, dtype=dtype)
    shapes = []
    for geom, value in zip(gdf.geometry, gdf[attribute].astype(str)):
        if value not in codes:
            raise VectorError(Message("run.err.vectors.value_attribute_code", value=value, attribute=attribute),
                              source=label)
        shapes.append((geom, codes[value]))
    features.rasterize(shapes, out=out, transform=grid.transform, dtype=dtype)
    return out
