"""The study-area boundary: one polygon chosen from a boundary file.

A regency's boundary usually comes from a file that holds many units (all regencies of a
province, all kecamatan of a regency). ``--where`` picks one feature with an OGR SQL
attribute filter (``name = 'Kabupaten Probolinggo'``); a filter that matches no feature or
several is refused with the names that exist, unless ``dissolve`` asks to merge the matches
(all kecamatan of a regency into the regency). Invalid rings are repaired with
``shapely.make_valid`` and the repair is reported.

A file with several layers (a GeoPackage) is read at its only polygon layer; when several layers
could be meant, one is named after the path, ``FILE.gpkg|LAYER`` (QGIS's ``FILE.gpkg|layername=LAYER``
also works), and the refusal lists the layers.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry

from kawasan.errors import InputError, VectorError
from kawasan.i18n import Message

NAME_FIELDS = ("name", "nama", "NAMOBJ", "WADMKK", "WADMKC", "WADMKD", "NAME_2", "NAME_3", "NAME", "Nama", "nm_kab",
               "kabupaten", "kab_kota")


@dataclass
class Boundary:
    """One polygon (or multipolygon) in its own CRS, with where it came from."""

    geometry: BaseGeometry
    crs: CRS
    name: str
    source: str
    where: str | None = None
    notes: list[str] = field(default_factory=list)

    def to_wgs84(self) -> BaseGeometry:
        return self.to_crs("EPSG:4326")

    def to_crs(self, crs) -> BaseGeometry:
        from pyproj import Transformer

        target = CRS.from_user_input(crs)
        if target == self.crs:
            return self.geometry
        tr = Transformer.from_crs(self.crs, target, always_xy=True)
        return shapely.transform(self.geometry, lambda xy: _apply(tr, xy))

    def describe(self) -> dict:
        return {"name": self.name, "source": self.source, "where": self.where,
                "crs": _crs_string(self.crs), "notes": list(self.notes)}


def _apply(tr, xy):
    import numpy as np

    x, y = tr.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def _crs_string(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()


def name_field(columns) -> str | None:
    """The attribute that names the units: a known name field, else None."""
    cols = list(columns)
    lower = {c.lower(): c for c in cols}
    for f in NAME_FIELDS:
        if f in cols:
            return f
        if f.lower() in lower:
            return lower[f.lower()]
    return None


def split_source(text: str | Path) -> tuple[Path, str | None]:
    """``PATH``, ``PATH|LAYER`` or ``PATH|layername=LAYER`` -> (path, layer or None)."""
    text = str(text)
    if Path(text).exists() or "|" not in text:
        return Path(text), None
    head, tail = text.rsplit("|", 1)
    if tail.lower().startswith("layername="):
        tail = tail.split("=", 1)[1]
    return Path(head), (tail.strip() or None)


def choose_layer(p: Path, layer: str | None, *, field: str | None = None, polygons: bool = False,
                 attribute: str | None = None) -> str | None:
    """The layer of ``p`` to read: ``layer`` if given (it must exist), else None for a one-layer file.

    In a file with several layers the only candidate is taken (a polygon layer when ``polygons``,
    a layer holding ``attribute`` when given); several candidates are refused, listing the layers.
    """
    import pyogrio

    src = str(p)
    try:
        layers = [(str(n), str(g)) for n, g in pyogrio.list_layers(p)]
    except Exception as exc:
        hint = ""
        if _is_raster(p):
            hint = Message("prepare.err.boundary.hint_raster")
        raise VectorError(Message("prepare.err.boundary.readable_vector_file", error_type=type(exc).__name__, exc=str(exc),
                                  hint=hint), source=src,
                          field=field) from exc
    listing = ", ".join(f"{n} ({g})" for n, g in layers) or "(none)"
    if layer is not None:
        if layer not in [n for n, _ in layers]:
            raise VectorError(Message("prepare.err.boundary.layer_layers", layer=layer, listing=listing),
                              source=src, field=field)
        return layer
    if len(layers) <= 1:
        return None
    cands = [(n, g) for n, g in layers if not polygons or "polygon" in g.lower()]
    if attribute is not None:
        cands = [(n, g) for n, g in cands if attribute in _fields(p, n)]
    if len(cands) == 1:
        return cands[0][0]
    why = (Message("prepare.err.boundary.why_polygon_attribute", attribute=attribute) if polygons and attribute
           else Message("prepare.err.boundary.why_polygon") if polygons
           else Message("prepare.err.boundary.why_attribute", attribute=attribute) if attribute else "")
    raise VectorError(Message("prepare.err.boundary.file_layers_could_meant", layer_count=len(layers), listing=listing,
                              candidates=len(cands) or Message("prepare.err.boundary.no_candidate"), why=why, file_name=p.name,
                              example=(cands or layers)[0][0]), source=src, field=field)


def read_boundary(path: str | Path, where: str | None = None, assume_crs: str | None = None, *,
                  dissolve: bool = False, layer: str | None = None) -> Boundary:
    """Read the boundary polygon from ``path``.

    Parameters
    ----------
    where: OGR SQL attribute filter (``"nama = 'Probolinggo'"``); without it the file must hold one feature
        (or ``dissolve`` merges all of them).
    assume_crs: CRS to use when the file has none (otherwise a file without CRS is refused).
    dissolve: merge several matching features into one boundary instead of refusing.
    layer: the layer of a file with several (also given as ``PATH|LAYER``).
    """
    p, named = split_source(path)
    layer = layer or named
    src = str(p)
    if not p.exists():
        raise VectorError(Message("prepare.err.boundary.boundary_file_found_expected"), source=src)
    layer = choose_layer(p, layer, polygons=True)
    gdf = _polygon_features(_read_features(p, layer, where))
    nf = name_field(gdf.columns)
    _check_one_match(gdf, nf, p, layer, where, dissolve)
    notes = [Message("prepare.note.read_layer_of", layer=layer, file=p.name)] if layer else []
    crs = _boundary_crs(gdf, assume_crs, src, notes)
    geom = _merged_polygon(list(gdf.geometry), src, notes)
    if len(gdf) > 1:
        notes.append(Message("prepare.note.boundary.features_dissolved_into_one", count=len(gdf)))
    name = _boundary_name(gdf, nf, p)
    _check_plausible(geom, crs, src)
    return Boundary(geom, crs, name, src, where, notes)


def _read_features(p: Path, layer: str | None, where: str | None):
    """The features of ``layer`` in ``p`` that pass the ``where`` filter, as a GeoDataFrame.

    A filter GDAL cannot apply is the user's ``where`` (InputError, listing the file's fields);
    any other failure is an unreadable file (VectorError).
    """
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError, FieldError

    src = str(p)
    try:
        return pyogrio.read_dataframe(p, layer=layer, where=where)
    except FieldError as exc:
        raise InputError(Message("prepare.err.boundary.where_filter_valid_this", where=where, exc=str(exc),
                                 fields=', '.join(_fields(p, layer))), source=src, field="where") from exc
    except (DataSourceError, DataLayerError) as exc:
        if where and ("where" in str(exc).lower() or "sql" in str(exc).lower() or "field" in str(exc).lower()):
            raise InputError(Message("prepare.err.boundary.where_filter_valid_this", where=where, exc=str(exc),
                                     fields=', '.join(_fields(p, layer))), source=src, field="where") from exc
        raise VectorError(Message("prepare.err.boundary.readable_vector_file_2", exc=str(exc)), source=src) from exc
    except Exception as exc:  # GDAL errors surface with various types
        if where:
            raise InputError(Message("prepare.err.boundary.where_filter_could_applied", where=where,
                                     error_type=type(exc).__name__, exc=str(exc),
                                     fields=', '.join(_fields(p, layer))), source=src, field="where") from exc
        raise VectorError(Message("prepare.err.readable_vector_file", error_type=type(exc).__name__, exc=str(exc)),
                          source=src) from exc


def _polygon_features(gdf):
    """The rows of ``gdf`` whose geometry is a non-empty Polygon or MultiPolygon."""
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    return gdf[gdf.geometry.geom_type.isin(["Polygon", "MultiPolygon"])]


def _check_one_match(gdf, nf: str | None, p: Path, layer: str | None, where: str | None, dissolve: bool) -> None:
    """Refuse no polygon at all (listing the names in the file) and several without ``dissolve`` (listing them)."""
    src = str(p)
    if gdf.empty:
        names = _names(p, layer)
        what = (Message("prepare.err.boundary.no_polygon_matches", where=where) if where
                else Message("prepare.err.boundary.no_polygon"))
        hint = Message("prepare.err.boundary.names_in_file", count=len(names), names=_listing(names)) if names else ""
        raise VectorError(Message("prepare.err.boundary.what_hint", what=what, hint=hint), source=src,
                          field="where" if where else None)
    if len(gdf) > 1 and not dissolve:
        found = ([str(v) for v in gdf[nf]] if nf
                 else [Message("prepare.err.boundary.feature_n", number=i) for i in range(len(gdf))])
        what = (Message("prepare.err.boundary.features_match", count=len(gdf), where=where) if where
                else Message("prepare.err.boundary.file_holds_features", count=len(gdf)))
        raise VectorError(Message("prepare.err.boundary.narrow_where_one_them", what=what, listing=_listing(found),
                                  field=nf or 'name', value=found[0]),
                          source=src, field="where")


def _boundary_crs(gdf, assume_crs: str | None, src: str, notes: list) -> CRS:
    """The file's CRS, else ``assume_crs`` (noted in ``notes``); a file without either is refused."""
    if gdf.crs is not None:
        return CRS.from_user_input(gdf.crs)
    if not assume_crs:
        raise VectorError(Message("prepare.err.file_has_no_crs"), source=src)
    try:
        crs = CRS.from_user_input(assume_crs)
    except CRSError as exc:
        raise InputError(Message("prepare.err.boundary.assume_crs_crs_pyproj", assume_crs=assume_crs,
                                 exc=str(exc)), field="assume_crs") from exc
    notes.append(Message("prepare.note.boundary.crs_file_assumed_assume", assume_crs=assume_crs))
    return crs


def _merged_polygon(geoms: list, src: str, notes: list) -> BaseGeometry:
    """The union of ``geoms`` with invalid rings repaired by ``shapely.make_valid`` (noted), polygon parts only.

    A union with no area left is refused.
    """
    invalid = [i for i, g in enumerate(geoms) if not g.is_valid]
    if invalid:
        geoms = [shapely.make_valid(g) if not g.is_valid else g for g in geoms]
        geoms = [_polygonal(g) for g in geoms]
        notes.append(Message("prepare.note.boundary.invalid_polygon_s_repaired", count=len(invalid)))
    geom = shapely.union_all(geoms) if len(geoms) > 1 else geoms[0]
    geom = _polygonal(geom)
    if geom.is_empty or geom.area == 0:
        raise VectorError(Message("prepare.err.boundary.boundary_polygon_empty_after"), source=src)
    return geom


def _boundary_name(gdf, nf: str | None, p: Path) -> str:
    """The unit's name from the name field (several joined by " + ", cut at 200 characters), else the file stem."""
    if nf and len(gdf) == 1:
        return str(gdf[nf].iloc[0])
    if nf:
        return " + ".join(str(v) for v in gdf[nf])[:200]
    return p.stem


def _polygonal(g: BaseGeometry) -> BaseGeometry:
    """Keep only the polygon parts (make_valid may return a collection with lines)."""
    if g.geom_type in ("Polygon", "MultiPolygon"):
        return g
    parts = [p for p in getattr(g, "geoms", []) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _check_plausible(geom, crs: CRS, src: str) -> None:
    """A geographic CRS with coordinates outside [-180, 180] x [-90, 90] is a wrong or missing CRS."""
    if crs.is_geographic:
        minx, miny, maxx, maxy = geom.bounds
        if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
            raise VectorError(
                Message("prepare.err.boundary.coordinates_are_longitude_latitude",
                        bounds=tuple((round(v, 1) for v in geom.bounds)), crs=_crs_string(crs)),
                source=src)


def _is_raster(p: Path) -> bool:
    try:
        import rasterio

        with rasterio.open(p) as ds:
            return ds.count > 0
    except Exception:
        return False


def _fields(p: Path, layer: str | None = None) -> list[str]:
    import pyogrio

    try:
        return [str(f) for f in pyogrio.read_info(p, layer=layer)["fields"]]
    except Exception:
        return []


def _names(p: Path, layer: str | None = None) -> list[str]:
    import pyogrio

    try:
        df = pyogrio.read_dataframe(p, layer=layer, read_geometry=False)
    except Exception:
        return []
    nf = name_field(df.columns)
    return sorted({str(v) for v in df[nf]}) if nf else []


def _listing(names: list[str], limit: int = 40) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", ... ({len(names) - limit} more)" if len(names) > limit else "")
