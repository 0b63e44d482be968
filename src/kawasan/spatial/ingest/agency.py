"""Agency layers (spatial plan, land cover, protected forest and farmland, hazard, soil) onto the grid.

``--layer NAME=PATH[:ATTRIBUTE]`` takes a Shapefile, GeoPackage or GeoJSON in any CRS; in a file with
several layers, the one meant is named as ``PATH|LAYER`` (it may be left out when only one layer holds
the attribute).

- **Polygons with an attribute** become a category raster. Under a standard name (``landcover``,
  ``zoning``, ``soil``, ``hazard_*``) the attribute's values are matched to the standard categories
  of ``categories.yaml`` (exact name or code, then keywords such as "Kawasan Peruntukan Industri" ->
  ``kpi``, "Tinggi" -> ``high``); other names keep the values as categories (integer values as their
  own codes, text values numbered 1, 2, ... in sorted order). A value with no standard category
  keeps its own name (code 100 and up) and is reported. ``--map NAME=FILE.csv`` (columns
  ``value,category``) maps values explicitly first. A numeric attribute with fractional values becomes
  a continuous float32 raster instead.
- **Polygons without an attribute** become a 0/1 mask (1 inside). Standard category layers
  (``landcover``, ``zoning``, ``soil``, ``hazard_*``) need the attribute holding their classes (a mask,
  or a fractional index, would not say which class a polygon is), so they are refused without one.
- **Lines and points** are kept as vectors (``NAME.gpkg``, for distance criteria) and burned into a
  0/1 raster of every cell they touch.
- Polygons burn the cells whose centre is inside (GDAL's rule); where polygons overlap, the feature
  later in the file wins. Invalid geometries are repaired with ``shapely.make_valid`` (keeping the
  parts of the original dimension: a repaired polygon stays polygonal) and counted.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable

import numpy as np
import shapely
import yaml
from rasterio import features

from kawasan.errors import InputError, VectorError
from kawasan.i18n import LANGUAGES, Message, t
from kawasan.spatial.grid import Grid
from kawasan.spatial.ingest.windows import ShapeIndex
from kawasan.spatial.vectors import burn_mask

FIRST_FREE_CODE = 100


@dataclass
class LayerArg:
    name: str
    path: Path
    attribute: str | None = None
    layer: str | None = None                   # the layer of a file with several (PATH|LAYER)


@dataclass
class AgencyLayer:
    name: str
    kind: str                                  # "categorical" | "continuous" | "mask" | "vector"
    array: np.ndarray | None = None            # on the grid (None for vector-only)
    nodata: float | int | None = None
    categories: dict[int, str] = field(default_factory=dict)
    gdf: object = None                         # features in the grid CRS (lines/points; also polygons)
    geometry: str = ""
    source: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # the layer's cells on any grid of the study grid's CRS and alignment (the whole grid or one window):
    # data prepare writes large grids window by window
    burn: Callable[[Grid], np.ndarray] | None = field(default=None, repr=False)

    def on(self, grid: Grid) -> np.ndarray:
        """The layer's cells on ``grid`` (``array`` when it is the grid the layer was prepared on)."""
        if self.burn is None:
            return self.array
        return self.burn(grid)


_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _value_codes(pairs) -> dict[str, str]:
    """"'value' (code n), ..." in each language (a ``{en, id}`` label for a :class:`Message`)."""
    return {lang: ", ".join(t("prepare.note.agency.value_code", lang, value=v, code=c) for v, c in pairs)
            for lang in LANGUAGES}


def parse_layer_arg(text: str) -> LayerArg:
    """Parse ``NAME=PATH[:ATTRIBUTE]`` (an attribute suffix is recognised only if PATH alone exists)."""
    if "=" not in text:
        raise InputError(Message("prepare.err.agency.expected_name_path_attribute", text=text),
                         field="layer")
    name, rest = text.split("=", 1)
    name = name.strip()
    if not _NAME.match(name):
        raise InputError(Message("prepare.err.agency.layer_name_must_letters", name=name),
                         field="layer")
    from kawasan.spatial.ingest.boundary import split_source

    (path, layer), attr = split_source(rest), None
    if layer and ":" in layer and path.exists():      # PATH|LAYER:ATTRIBUTE
        layer, attr = (x or None for x in layer.rsplit(":", 1))
    if not path.exists() and ":" in rest:
        head, tail = rest.rsplit(":", 1)
        hpath, hlayer = split_source(head)
        if hpath.exists() and tail and "/" not in tail and "\\" not in tail:
            path, layer, attr = hpath, hlayer, tail
    if not path.exists():
        raise VectorError(Message("prepare.err.agency.file_found_expected_shapefile"), source=str(path),
                          field=f"layer {name}")
    return LayerArg(name, path, attr, layer)


def parse_map_arg(text: str) -> tuple[str, dict[str, str]]:
    """``NAME=FILE.csv`` with columns value,category -> (name, {value: category})."""
    if "=" not in text:
        raise InputError(Message("prepare.err.agency.expected_name_file_csv", text=text), field="map")
    name, p = text.split("=", 1)
    path = Path(p)
    if not path.exists():
        raise InputError(Message("prepare.err.agency.category_mapping_file_found"),
                         source=str(path), field=f"map {name}")
    out: dict[str, str] = {}
    from kawasan import guarded

    text = guarded.read_text(path, error=InputError, what="category mapping CSV (columns value,category)")
    import io

    with io.StringIO(text, newline="") as fh:
        reader = csv.DictReader(fh)
        cols = [c.strip().lower() for c in (reader.fieldnames or [])]
        if "value" not in cols or "category" not in cols:
            raise InputError(Message("prepare.err.agency.needs_columns_value_category",
                                     columns=', '.join(reader.fieldnames or []) or Message("err.none")),
                             source=str(path), field="header")
        for i, row in enumerate(reader, start=2):
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            if not row["value"] or not row["category"]:
                raise InputError(Message("prepare.err.agency.empty_value_category"), source=f"{path}:{i}", field="row")
            out[row["value"]] = row["category"]
    return name.strip(), out


@lru_cache(maxsize=1)
def standard_tables() -> dict:
    text = resources.files("kawasan.spatial.ingest").joinpath("categories.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def vocabulary(name: str) -> dict | None:
    """The standard table for a layer name, or None."""
    tables = standard_tables()
    key = "hazard" if name.startswith(("hazard", "risk_")) else name
    return tables.get(key)


def match_category(value: str, table: dict) -> str | None:
    """Standard category name for an attribute value: exact name/code first, then keywords in order."""
    v = str(value).strip().lower()
    codes = {int(k): str(n) for k, n in table["codes"].items()}
    for code, n in codes.items():
        if v == n.lower() or v == str(code) or v.replace(" ", "_") == n.lower():
            return n
    aliases = {str(k).lower(): str(c) for k, c in (table.get("aliases") or {}).items()}
    if v in aliases:
        return aliases[v]
    try:
        f = float(v)
        if f.is_integer() and int(f) in codes:
            return codes[int(f)]
    except ValueError:
        pass
    for kw, cat in table.get("keywords", []):
        if str(kw).lower() in v:
            return str(cat)
    return None


def read_layer(arg: LayerArg, grid: Grid, *, assume_crs: str | None = None):
    """The features of an agency file in the grid CRS, clipped to the grid; (gdf, repaired count, notes)."""
    import pyogrio

    from kawasan.spatial.ingest.boundary import choose_layer

    src = str(arg.path)
    layer = choose_layer(arg.path, arg.layer, field=f"layer {arg.name}", attribute=arg.attribute)
    try:
        gdf = pyogrio.read_dataframe(arg.path, layer=layer)
    except Exception as exc:
        raise VectorError(Message("prepare.err.readable_vector_file", error_type=type(exc).__name__, exc=str(exc)),
                          source=src,
                          field=f"layer {arg.name}") from exc
    notes = [Message("prepare.note.read_layer_of", layer=layer, file=arg.path.name)] if layer and not arg.layer else []
    if gdf.crs is None:
        if not assume_crs:
            raise VectorError(Message("prepare.err.file_has_no_crs"), source=src,
                              field=f"layer {arg.name}")
        gdf = gdf.set_crs(assume_crs)
        notes.append(Message("prepare.note.crs_assumed", assume_crs=assume_crs))
    if arg.attribute is not None and arg.attribute not in gdf.columns:
        attrs = [c for c in gdf.columns if c != "geometry"]
        raise VectorError(Message("prepare.err.agency.attribute_attributes", attribute=arg.attribute,
                                  attributes=', '.join(attrs) or Message("prepare.err.none")),
                          source=src, field=f"layer {arg.name}")
    gdf = gdf[gdf.geometry.notna() & ~gdf.geometry.is_empty]
    if gdf.crs.is_geographic and len(gdf):
        bx = gdf.geometry.bounds
        wild = (bx.minx < -180) | (bx.maxx > 180) | (bx.miny < -90) | (bx.maxy > 90)
        if wild.any():
            notes.append(Message("prepare.note.agency.feature_s_with_impossible", count=int(wild.sum())))
            gdf = gdf[~wild]
    bad = ~gdf.geometry.is_valid
    repaired = int(bad.sum())
    if repaired:
        gdf = gdf.copy()
        before = gdf.geometry[bad].values
        gdf.loc[bad, "geometry"] = [_same_dimension(f, shapely.get_dimensions(g))
                                    for f, g in zip(shapely.make_valid(before), before)]
        notes.append(Message("prepare.note.agency.repaired_one" if repaired == 1 else "prepare.note.agency.repaired",
                             count=repaired))
    gdf = gdf.to_crs(grid.crs)
    l, b, r, t = grid.bounds
    before = gdf
    gdf = gdf.set_geometry(gdf.geometry.clip_by_rect(l, b, r, t))
    gdf = gdf[~gdf.geometry.is_empty]
    if gdf.empty and len(before):
        raise VectorError(Message("prepare.err.agency.feature_layer_lies_inside", count=len(before),
                                  layer_bounds=_where(before), grid_bounds=_where(grid.bounds, grid.crs)),
                          source=src, field=f"layer {arg.name}")
    return gdf, repaired, notes


def _where(obj, crs=None) -> str:
    """Longitude/latitude bounds of a GeoDataFrame or of (bounds, crs), for messages."""
    from rasterio.warp import transform_bounds

    try:
        if crs is None:
            crs, obj = obj.crs, tuple(obj.total_bounds)
        w, s_, e, n = transform_bounds(crs, "EPSG:4326", *obj, densify_pts=21)
        if not all(np.isfinite([w, s_, e, n])):
            raise ValueError
        return f"lon {w:.3f}..{e:.3f}, lat {s_:.3f}..{n:.3f}"
    except Exception:
        return "(" + ", ".join(f"{v:.1f}" for v in obj) + ") in the grid CRS"


def prepare_layer(arg: LayerArg, grid: Grid, *, assume_crs: str | None = None,
                  mapping: dict[str, str] | None = None, whole: bool = True) -> AgencyLayer:
    """An agency vector layer read, checked and coded; its cells burned on ``grid`` (``array``) when
    ``whole``, else left to ``burn`` window by window."""
    gdf, repaired, notes = read_layer(arg, grid, assume_crs=assume_crs)
    src = {"path": str(arg.path), **({"layer": arg.layer} if arg.layer else {}), "attribute": arg.attribute,
           "features": int(len(gdf)), "repaired": repaired}
    if gdf.empty:
        raise VectorError(Message("prepare.err.agency.feature_layer_lies_inside_2"), source=str(arg.path),
                          field=f"layer {arg.name}")
    kinds = _geometry_kinds(gdf)
    if not kinds <= {"Polygon", "MultiPolygon"}:
        return _made(_lines_or_points(arg, gdf, kinds, src, notes), _features_burner(gdf, grid), grid, whole)
    gdf = _polygons_only(gdf)
    table = vocabulary(arg.name)
    if table is not None and arg.attribute is None and table.get("mask"):
        return _made(AgencyLayer(arg.name, "mask", None, 255, {0: "outside", 1: str(table["mask"])}, gdf,
                                 "Polygon", src, notes), _mask_burner(gdf), grid, whole)
    if table is not None and arg.attribute is None:
        attrs = [c for c in gdf.columns if c != gdf.geometry.name]
        raise VectorError(Message("prepare.err.agency.category_layer_give_attribute", layer=arg.name,
                                  attributes=', '.join(attrs) or Message("prepare.err.none")),
                      source=str(arg.path), field=f"layer {arg.name}")
    if arg.attribute is None:
        return _made(AgencyLayer(arg.name, "mask", None, 255, {0: "outside", 1: arg.name}, gdf, "Polygon", src,
                                 notes), _mask_burner(gdf), grid, whole)
    values = gdf[arg.attribute]
    fractional = _has_fractions(values)
    if fractional and table is not None and not mapping:
        raise VectorError(Message("prepare.err.agency.attribute_fractional_numbers_but",
                                  attribute=arg.attribute, minimum=values.min(),
                                  maximum=values.max(), layer=arg.name,
                                  classes=', '.join((str(v) for v in table['codes'].values()))),
                          source=str(arg.path), field=f"layer {arg.name}")
    if fractional and table is None:
        shapes = [(g, float(v)) for g, v in zip(gdf.geometry, values) if np.isfinite(v)]
        return _made(AgencyLayer(arg.name, "continuous", None, -9999.0, {}, gdf, "Polygon", src, notes),
                     _value_burner(shapes), grid, whole)
    return _categorical(arg, gdf, values, mapping, src, notes, grid, whole)


def _geometry_kinds(gdf) -> set[str]:
    """The geometry types of a layer; a GeometryCollection (in the file, or left by clipping) counts as its parts."""
    kinds = set(gdf.geometry.geom_type)
    if "GeometryCollection" in kinds:
        gc = (gdf.geometry.geom_type == "GeometryCollection").to_numpy()
        kinds = (kinds - {"GeometryCollection"}) | {g.geom_type for c in gdf.geometry[gc] for g in shapely.get_parts(c)}
    return kinds


def _lines_or_points(arg: LayerArg, gdf, kinds: set[str], src: dict, notes: list) -> AgencyLayer:
    """A layer of lines, points or a mix, coded 1 wherever a feature lies (burned on every cell it touches)."""
    geom = "LineString" if kinds <= {"LineString", "MultiLineString"} else (
        "Point" if kinds <= {"Point", "MultiPoint"} else "Geometry")
    return AgencyLayer(arg.name, "vector", None, 0, {1: arg.name}, gdf, geom, src, notes)


def _polygons_only(gdf):
    """A polygon layer with each GeometryCollection reduced to its polygonal parts (emptied features dropped)."""
    if (gdf.geometry.geom_type == "GeometryCollection").any():
        gdf = gdf.set_geometry([_same_dimension(g, 2) for g in gdf.geometry])
        gdf = gdf[~gdf.geometry.is_empty]
    return gdf


def _has_fractions(values) -> bool:
    """Whether a float attribute holds a value that is not a whole number (NaN ignored)."""
    return values.dtype.kind == "f" and not np.all(np.isnan(values) | (np.mod(values.fillna(0), 1) == 0))


def _categorical(arg: LayerArg, gdf, values, mapping: dict[str, str] | None, src: dict, notes: list, grid: Grid,
                 whole: bool) -> AgencyLayer:
    """A layer coded by its attribute's values (vocabulary, ``mapping`` or in order of appearance), with notes
    on unmatched values (the first 20) and on features with an empty attribute.

    NoData is 255 (uint8) unless a class code reaches 255, then 65535 (uint16).
    """
    codes, cats, unmatched = _code_values(arg.name, values, mapping or {})
    if unmatched:
        more = Message("prepare.note.agency.more", count=len(unmatched) - 20) if len(unmatched) > 20 else ""
        notes.append(Message("prepare.note.agency.unmatched", layer=arg.name, more=more,
                             values=_value_codes(unmatched[:20])))
    nodata = 255 if max(cats, default=0) < 255 else 65535
    if nodata in cats:
        nodata = 65535
    dtype = np.uint8 if nodata == 255 else np.uint16
    shapes = [(g, codes[_key(v)]) for g, v in zip(gdf.geometry, values) if _key(v) in codes]
    n_null = int(values.isna().sum())
    if n_null:
        notes.append(Message("prepare.note.agency.feature_s_with_empty", n_null=n_null,
                             attribute=arg.attribute))
    return _made(AgencyLayer(arg.name, "categorical", None, nodata, cats, gdf, "Polygon", src, notes),
                 _code_burner(shapes, nodata, dtype), grid, whole)


def _made(layer: AgencyLayer, burn, grid: Grid, whole: bool) -> AgencyLayer:
    layer.burn = burn
    if whole:
        layer.array = burn(grid)
    return layer


def _mask_burner(gdf):
    """1 on the cells whose centre lies in a polygon, 0 elsewhere."""
    index = ShapeIndex((geom, 1) for geom in gdf.geometry)

    def burn(g: Grid) -> np.ndarray:
        mask = np.zeros(g.shape, np.uint8)
        pairs = index.within(g)
        if pairs:
            features.rasterize(pairs, out=mask, transform=g.transform)
        return mask
    return burn


def _value_burner(shapes):
    """float32 polygon values (-9999 where none)."""
    index = ShapeIndex(shapes)

    def burn(g: Grid) -> np.ndarray:
        arr = np.full(g.shape, np.nan, np.float32)
        pairs = index.within(g)
        if pairs:
            features.rasterize(pairs, out=arr, transform=g.transform)
        return np.where(np.isnan(arr), np.float32(-9999.0), arr).astype(np.float32)
    return burn


def _code_burner(shapes, nodata: int, dtype):
    """Category codes of the polygons (``nodata`` where none); the later polygon wins where they overlap."""
    index = ShapeIndex(shapes)

    def burn(g: Grid) -> np.ndarray:
        arr = np.full(g.shape, nodata, dtype)
        pairs = index.within(g)
        if pairs:
            features.rasterize(pairs, out=arr, transform=g.transform, dtype=dtype)
        return arr
    return burn


def _features_burner(gdf, grid: Grid):
    """Every cell a line or point touches (vectors.burn_mask on the whole grid; on a window, the same
    cells: chunked.window.burn_window, which decides the polygon-outline rule against the whole grid)."""
    def burn(g: Grid) -> np.ndarray:
        if g == grid:
            return burn_mask(gdf, grid)
        from kawasan.spatial.chunked.window import burn_window

        inv = ~grid.transform
        col, row = inv @ (g.transform.c, g.transform.f)
        return burn_window(gdf, grid, int(round(row)), int(round(col)), np.zeros(g.shape, np.uint8))
    return burn


def _same_dimension(g, dim: int):
    """The parts of ``g`` of dimension ``dim`` (2 polygons, 1 lines, 0 points): a polygon repaired by make_valid
    may come back as a collection with stray lines, which must not make the polygon disappear."""
    if g is None or g.geom_type != "GeometryCollection":
        return g
    parts = [p for p in shapely.get_parts(g) if shapely.get_dimensions(p) == dim]
    if not parts:
        return {2: shapely.MultiPolygon(), 1: shapely.MultiLineString(), 0: shapely.MultiPoint()}.get(dim, g)
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def _key(v) -> str | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _code_values(name: str, values, mapping: dict[str, str]):
    """value -> code, code -> category name, and the unmatched values."""
    table = vocabulary(name)
    distinct = sorted({k for k in (_key(v) for v in values) if k is not None})
    codes: dict[str, int] = {}
    cats: dict[int, str] = {}
    unmatched = []
    if table is None:
        ints = all(re.fullmatch(r"-?\d+", v) for v in distinct)
        if ints and distinct and all(1 <= int(v) < 65535 for v in distinct) and not mapping:
            for v in distinct:
                codes[v], cats[int(v)] = int(v), v
            return codes, cats, unmatched
        names = sorted({mapping.get(v, v) for v in distinct})
        index = {n: i + 1 for i, n in enumerate(names)}
        for v in distinct:
            c = index[mapping.get(v, v)]
            codes[v], cats[c] = c, mapping.get(v, v)
        return codes, cats, unmatched
    std = {str(n): int(c) for c, n in table["codes"].items()}
    cats = {c: n for n, c in std.items()}   # the whole standard table, so models may name absent classes
    extra = FIRST_FREE_CODE
    for v in distinct:
        mapped = mapping.get(v)
        # a --map category is a standard one when its name or code matches (any case: "KPI", "4")
        cat = (match_category(mapped, {"codes": table["codes"]}) or mapped) if mapped else match_category(v, table)
        if cat is not None and cat in std:
            codes[v] = std[cat]
            continue
        label = cat or v
        existing = [c for c, n in cats.items() if n == label]
        if existing:
            codes[v] = existing[0]
            continue
        codes[v], cats[extra] = extra, label
        unmatched.append((v, extra))
        extra += 1
    return codes, cats, unmatched


def category_tables_markdown() -> str:
    """The standard category tables as Markdown (docs/reference/prepare.md embeds it; a test compares)."""
    out = []
    for name, table in standard_tables().items():
        out.append(f"**{name}**" + (" (layers named `hazard_*` and `risk_*`)" if name == "hazard" else "")
                   + (f" (a file without attribute is a mask of `{table['mask']}`)" if table.get("mask") else "")
                   + "\n")
        out.append("| code | category | values recognised (case-insensitive, contained in the value) |")
        out.append("|---|---|---|")
        kws: dict[str, list[str]] = {}
        for alias, cat in (table.get("aliases") or {}).items():
            kws.setdefault(str(cat), []).append(f"{alias} (exact)")
        for kw, cat in table.get("keywords", []):
            kws.setdefault(str(cat), []).append(str(kw))
        for code, cat in table["codes"].items():
            words = ", ".join(f"`{w}`" for w in kws.get(str(cat), [])) or "-"
            out.append(f"| {code} | `{cat}` | {words} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
