"""Raster agency layers (InaRISK risk and hazard GeoTIFFs, a KRB raster, a forest-status grid) onto the grid.

``--layer NAME=FILE.tif`` takes any raster GDAL reads, in any CRS (or ``--assume-crs`` when it has none).

- **Categories.** A raster of whole numbers under a standard name (``hazard_*``, ``risk_*``, ``volcano_krb``,
  ``kawasan_hutan``, ``landcover``, ...) is matched to the standard categories of ``categories.yaml``
  value by value, as for vector attributes (``--map NAME=FILE.csv`` first): InaRISK's classes 1, 2, 3
  become low, medium, high. It is resampled by *nearest neighbour* when the study cell is no larger than
  the source cell, and by *mode* (the most frequent class) when it is larger, so a class is never averaged.
  Other names keep the values as their own categories.
- **Continuous values.** A raster of fractional numbers (an index from 0 to 1) under a non-standard name
  becomes a continuous float32 layer (bilinear, or average when coarser); under a standard category name
  it is refused: give the classified raster or map its values.
- **Coverage.** The raster's extent must cover the study boundary: every boundary cell whose centre lies
  outside it is counted, and more than 0.1 % of the boundary outside is refused with the share and the
  extents. NoData inside the extent (InaRISK leaves cells without hazard empty) stays NoData and its share
  is reported.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from rasterio import features
from rasterio.enums import Resampling
from rasterio.errors import RasterioIOError
from rasterio.warp import reproject, transform_bounds, transform_geom

from kawasan.errors import InputError, RasterError
from kawasan.i18n import Message
from kawasan.spatial.grid import Grid
from kawasan.spatial.ingest import agency as ag

RASTER_SUFFIXES = (".tif", ".tiff", ".img", ".vrt", ".asc", ".nc", ".jp2", ".bil", ".adf")
COVERAGE_TOLERANCE = 0.001


def is_raster(path: Path) -> bool:
    """True when ``path`` is a raster GDAL can open (decided by its extension, then by trying)."""
    if path.suffix.lower() in RASTER_SUFFIXES:
        return True
    if path.suffix.lower() in (".shp", ".gpkg", ".geojson", ".json", ".fgb", ".kml", ".gml", ".zip", ".csv"):
        return False
    try:
        with rasterio.open(path):
            return True
    except (RasterioIOError, Exception):   # noqa: BLE001 - any failure means: not a raster
        return False


def prepare_raster_layer(arg: ag.LayerArg, grid: Grid, inside: np.ndarray, *, assume_crs: str | None = None,
                         mapping: dict[str, str] | None = None) -> ag.AgencyLayer:
    """An agency raster on the whole ``grid`` (``inside``: the boundary mask); see :func:`raster_layer`."""
    from kawasan.spatial.ingest.windows import Canvas

    canvas = Canvas(grid, size=max(grid.width, grid.height, 1))
    canvas.set_mask(whole=np.asarray(inside))
    layer = raster_layer(arg, canvas, assume_crs=assume_crs, mapping=mapping)
    layer.array = layer.burn(grid)
    return layer


def raster_layer(arg: ag.LayerArg, canvas, *, assume_crs: str | None = None,
                 mapping: dict[str, str] | None = None) -> ag.AgencyLayer:
    """An agency raster checked (CRS, coverage of the boundary), classed, and resampled onto the study grid
    window by window by its ``burn``: fractional values bilinear (average when coarser) as a continuous
    layer; whole numbers nearest (mode when coarser) as category codes matched to the standard table."""
    if arg.attribute is not None:
        raise InputError(Message("prepare.err.agency_raster.raster_takes_attribute_got", layer=arg.name,
                                 attribute=arg.attribute,
                                 arg_path_name=arg.path.name), source=str(arg.path), field=f"layer {arg.name}")
    facts = _raster_facts(arg, canvas, assume_crs)
    if facts.continuous:
        return _continuous_layer(arg, canvas, facts)
    return _categorical_layer(arg, canvas, facts, mapping)


@dataclass
class _RasterFacts:
    """What :func:`raster_layer` learns from the open raster before resampling it."""

    crs: object                # the raster's CRS, or the assumed one
    nodata: object             # band 1's NoData value (None when it has none)
    table: dict | None         # the standard category table of the layer's name, if it has one
    source: dict               # the layer's source record (path, kind, crs, size, resolution)
    coarser: bool              # the study cell is larger than the source cell
    continuous: bool           # fractional values (not a class raster stored as float)
    covered: float             # share of the boundary's cells inside the raster's extent
    notes: list                # the notes so far (an assumed CRS)


def _raster_facts(arg: ag.LayerArg, canvas, assume_crs: str | None) -> _RasterFacts:
    """Open ``arg.path`` and read its CRS, coverage of the boundary, NoData, resolution and kind of values."""
    src_label = str(arg.path)
    try:
        ds = rasterio.open(arg.path)
    except RasterioIOError as exc:
        raise RasterError(Message("prepare.err.agency_raster.readable_raster", exc=str(exc)),
                          source=src_label, field=f"layer {arg.name}") from exc
    grid = canvas.grid
    with ds:
        notes = []
        crs = _raster_crs(ds, arg, assume_crs, notes)
        covered = _coverage(ds, crs, canvas, arg)
        dtype = np.dtype(ds.dtypes[0])
        nodata = ds.nodatavals[0]
        source = {"path": src_label, "kind": "raster", "crs": _crs_str(crs), "width": ds.width, "height": ds.height,
                  "resolution": [abs(ds.transform.a), abs(ds.transform.e)]}
        return _RasterFacts(crs=crs, nodata=nodata, table=ag.vocabulary(arg.name), source=source,
                            coarser=_source_res_m(ds, crs) < min(grid.res) - 1e-9,
                            continuous=dtype.kind == "f" and not _whole_numbers(ds, nodata),
                            covered=covered, notes=notes)


def _raster_crs(ds, arg: ag.LayerArg, assume_crs: str | None, notes: list):
    """The raster's CRS, else ``assume_crs`` (noted in ``notes``); a raster without either is refused."""
    if ds.crs is not None:
        return ds.crs
    if not assume_crs:
        raise RasterError(Message("prepare.err.agency_raster.raster_crs_give_with"),
                          source=str(arg.path), field=f"layer {arg.name}")
    from rasterio.crs import CRS

    notes.append(Message("prepare.note.crs_assumed", assume_crs=assume_crs))
    return CRS.from_user_input(assume_crs)


def _continuous_layer(arg: ag.LayerArg, canvas, facts: _RasterFacts) -> ag.AgencyLayer:
    """A float32 layer resampled bilinear (average when coarser), NoData -9999; refused under a category name."""
    if facts.table is not None:
        raise RasterError(Message("prepare.err.agency_raster.fractional_values_but_category",
                                  layer=arg.name,
                                  classes=', '.join((str(v) for v in facts.table['codes'].values()))),
                          source=str(arg.path), field=f"layer {arg.name}")
    method = Resampling.average if facts.coarser else Resampling.bilinear
    facts.source["resampling"] = method.name
    warp = _warper(arg.path, facts.crs, facts.nodata, method, np.float32, np.nan, canvas)
    notes = facts.notes + _nodata_note(canvas, lambda g: np.isnan(warp(g)))

    def burn(g: Grid) -> np.ndarray:
        arr = warp(g)
        return np.where(np.isnan(arr), np.float32(-9999.0), arr).astype(np.float32)
    return ag.AgencyLayer(arg.name, "continuous", None, -9999.0, {}, None, "", facts.source, notes, burn=burn)


def _categorical_layer(arg: ag.LayerArg, canvas, facts: _RasterFacts,
                       mapping: dict[str, str] | None) -> ag.AgencyLayer:
    """A class layer resampled nearest (mode when coarser), each value present matched to a category code.

    NoData is 255, or 65535 when the codes reach 255; values without a category, NoData inside the
    boundary and the share of the boundary outside the raster are noted.
    """
    import pandas as pd

    fill = -1
    method = Resampling.mode if facts.coarser else Resampling.nearest
    facts.source["resampling"] = method.name
    warp = _warper(arg.path, facts.crs, facts.nodata, method, np.int64, fill, canvas)
    present = _present_values(canvas, warp, fill)
    values = [str(v) for v in present]
    codes, cats, unmatched = ag._code_values(arg.name, pd.Series(values, dtype=object), mapping or {})
    notes = facts.notes
    if unmatched:
        notes.append(Message("prepare.note.agency.unmatched", layer=arg.name, more="",
                             values=ag._value_codes(unmatched[:20])))
    out_nodata = 255 if max(cats, default=0) < 255 else 65535
    notes += _nodata_note(canvas, lambda g: warp(g) == fill)
    if facts.covered < 1.0:
        notes.append(Message("prepare.note.agency_raster.boundary_lies_outside_raster",
                             percent=(1 - facts.covered) * 100, tolerance=COVERAGE_TOLERANCE * 100))

    def burn(g: Grid) -> np.ndarray:
        raw = warp(g)
        out = np.full(g.shape, out_nodata, np.uint8 if out_nodata == 255 else np.uint16)
        for v in present:
            out[raw == v] = codes[str(v)]
        return out
    return ag.AgencyLayer(arg.name, "categorical", None, out_nodata, cats, None, "", facts.source, notes, burn=burn)


def _present_values(canvas, warp, fill: int) -> list[int]:
    """The values (other than ``fill``) the resampled raster takes on the grid, over every window, sorted."""
    present_set: set[int] = set()
    for win in canvas.windows:
        present_set.update(int(v) for v in np.unique(warp(win.grid)) if v != fill)
    return sorted(present_set)


def _warper(path: Path, crs, nodata, method: Resampling, dtype, fill, canvas):
    """A function resampling band 1 of ``path`` onto a grid: the whole study grid in one step (as the
    whole-layer path always did), or a window of it read from a WarpedVRT of the whole grid, so that a
    cell's value does not depend on the window (see dem.warp_window). A file without a CRS of its own (its
    CRS assumed, ``--assume-crs``) always goes through the WarpedVRT: rasterio's reproject of a dataset band
    takes the dataset's (missing) CRS, not ``src_crs``, and gave a layer of NoData only."""
    full = canvas.grid

    def warp(g: Grid) -> np.ndarray:
        arr = np.full(g.shape, fill, dtype)
        with rasterio.open(path) as ds:
            if canvas.single and ds.crs is not None:
                reproject(rasterio.band(ds, 1), arr, src_crs=crs, src_nodata=nodata, dst_transform=g.transform,
                          dst_crs=g.crs, dst_nodata=fill, resampling=method)
                return arr
            from rasterio.vrt import WarpedVRT
            from rasterio.windows import Window

            inv = ~full.transform
            col, row = inv @ (g.transform.c, g.transform.f)
            # a VRT holds no 64-bit integers: codes are read as 32-bit ones (class codes are small)
            vrt_dtype = "int32" if np.dtype(dtype).kind == "i" else np.dtype(dtype).name
            with WarpedVRT(ds, src_crs=crs, crs=full.crs, transform=full.transform, width=full.width,
                           height=full.height, resampling=method, src_nodata=nodata, nodata=fill,
                           dtype=vrt_dtype) as vrt:
                arr[...] = vrt.read(1, window=Window(int(round(col)), int(round(row)), g.width, g.height))
        return arr
    return warp


def _coverage(ds, crs, canvas, arg) -> float:
    """Share of the boundary's cells inside the raster's extent; refused below 1 - tolerance."""
    b = ds.bounds
    from kawasan.spatial.ingest.dem import _densified_box

    grid = canvas.grid
    ring = _densified_box(b.left, b.bottom, b.right, b.top, 32)
    geom = transform_geom(crs, grid.crs, {"type": "Polygon", "coordinates": [ring]})
    n_in = n_cov = 0
    for win in canvas.windows:
        inside = canvas.inside(win)
        foot = features.rasterize([(geom, 1)], out_shape=win.grid.shape, transform=win.grid.transform,
                                  dtype="uint8").astype(bool)
        n_in += int(inside.sum())
        n_cov += int((foot & inside).sum())
    share = float(n_cov) / n_in if n_in else 1.0
    if share < 1.0 - COVERAGE_TOLERANCE:
        lb = transform_bounds(crs, "EPSG:4326", *b, densify_pts=21)
        gb = transform_bounds(grid.crs, "EPSG:4326", *grid.bounds, densify_pts=21)
        what = (Message("prepare.err.agency_raster.no_overlap") if share == 0.0
                else Message("prepare.err.agency_raster.covers_only", percent=share * 100))
        raise RasterError(Message("prepare.err.agency_raster.raster_spans_lon_lat", what=what, raster_west=lb[0],
                                  raster_east=lb[2], raster_south=lb[1], raster_north=lb[3], area_west=gb[0], area_east=gb[2],
                                  area_south=gb[1], area_north=gb[3]),
                          source=str(arg.path), field=f"layer {arg.name}")
    return share


def _whole_numbers(ds, nodata) -> bool:
    """Whether a float raster holds only whole numbers (a class raster stored as float), from a sample."""
    step = max(1, max(ds.width, ds.height) // 1024)
    arr = ds.read(1, out_shape=(max(1, ds.height // step), max(1, ds.width // step)),
                  resampling=Resampling.nearest).astype(np.float64)
    valid = np.isfinite(arr) & ((arr != nodata) if nodata is not None else True)
    return bool(valid.any()) and bool(np.all(np.mod(arr[valid], 1.0) == 0.0))


def _nodata_note(canvas, missing) -> list:
    """A note on the share of the boundary the raster leaves NoData (``missing(grid)``: its NoData cells)."""
    n_in = n_missing = 0
    for win in canvas.windows:
        inside = canvas.inside(win)
        n_in += int(inside.sum())
        n_missing += int((missing(win.grid) & inside).sum())
    share = float(n_missing) / n_in if n_in else 0.0
    return [Message("prepare.note.agency_raster.boundary_nodata", percent=share * 100)] if share > 0 else []


def _source_res_m(ds, crs) -> float:
    from kawasan.spatial.ingest.dem import _source_res_m as res_m

    return res_m(ds, crs)


def _crs_str(crs) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()
