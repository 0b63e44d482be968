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
    src_label = str(arg.path)
    if arg.attribute is not None:
        raise InputError(Message("prepare.err.agency_raster.raster_takes_attribute_got", arg_name=arg.name,
                                 arg_attribute=arg.attribute,
                                 arg_path_name=arg.path.name), source=src_label, field=f"layer {arg.name}")
    try:
        ds = rasterio.open(arg.path)
    except RasterioIOError as exc:
        raise RasterError(Message("prepare.err.agency_raster.readable_raster", exc=str(exc)),
                          source=src_label, field=f"layer {arg.name}") from exc
    with ds:
        crs = ds.crs
        notes = []
        if crs is None:
            if not assume_crs:
                raise RasterError(Message("prepare.err.agency_raster.raster_crs_give_with"),
                                  source=src_label, field=f"layer {arg.name}")
            from rasterio.crs import CRS

            crs = CRS.from_user_input(assume_crs)
            notes.append(Message("prepare.note.agency_raster.crs_file_assumed", assume_crs=assume_crs))
        covered = _coverage(ds, crs, grid, inside, arg)
        dtype = np.dtype(ds.dtypes[0])
        nodata = ds.nodatavals[0]
        table = ag.vocabulary(arg.name)
        source = {"path": src_label, "kind": "raster", "crs": _crs_str(crs), "width": ds.width, "height": ds.height,
                  "resolution": [abs(ds.transform.a), abs(ds.transform.e)]}
        coarser = _source_res_m(ds, crs) < min(grid.res) - 1e-9
        if dtype.kind == "f" and not _whole_numbers(ds, nodata):
            if table is not None:
                raise RasterError(Message("prepare.err.agency_raster.fractional_values_but_category",
                                          arg_name=arg.name,
                                          v2=', '.join((str(v) for v in table['codes'].values()))),
                                  source=src_label, field=f"layer {arg.name}")
            arr = np.full(grid.shape, np.nan, np.float32)
            method = Resampling.average if coarser else Resampling.bilinear
            reproject(rasterio.band(ds, 1), arr, src_crs=crs, src_nodata=nodata, dst_transform=grid.transform,
                      dst_crs=grid.crs, dst_nodata=np.nan, resampling=method)
            source["resampling"] = method.name
            out = np.where(np.isnan(arr), np.float32(-9999.0), arr).astype(np.float32)
            notes += _nodata_note(np.isnan(arr), inside)
            return ag.AgencyLayer(arg.name, "continuous", out, -9999.0, {}, None, "", source, notes)
        fill = -1
        raw = np.full(grid.shape, fill, np.int64)
        method = Resampling.mode if coarser else Resampling.nearest
        reproject(rasterio.band(ds, 1), raw, src_crs=crs, src_nodata=nodata, dst_transform=grid.transform,
                  dst_crs=grid.crs, dst_nodata=fill, resampling=method)
    source["resampling"] = method.name
    present = sorted(int(v) for v in np.unique(raw) if v != fill)
    values = [str(v) for v in present]
    import pandas as pd

    codes, cats, unmatched = ag._code_values(arg.name, pd.Series(values, dtype=object), mapping or {})
    if unmatched:
        notes.append(Message("prepare.note.agency.unmatched", layer=arg.name, more="",
                             values=ag._value_codes(unmatched[:20])))
    out_nodata = 255 if max(cats, default=0) < 255 else 65535
    out = np.full(grid.shape, out_nodata, np.uint8 if out_nodata == 255 else np.uint16)
    for v in present:
        out[raw == v] = codes[str(v)]
    notes += _nodata_note(raw == fill, inside)
    if covered < 1.0:
        notes.append(Message("prepare.note.agency_raster.boundary_lies_outside_raster", v1=(1 - covered) * 100,
                             v2=COVERAGE_TOLERANCE * 100))
    return ag.AgencyLayer(arg.name, "categorical", out, out_nodata, cats, None, "", source, notes)


def _coverage(ds, crs, grid: Grid, inside: np.ndarray, arg) -> float:
    """Share of the boundary's cells inside the raster's extent; refused below 1 - tolerance."""
    b = ds.bounds
    from kawasan.spatial.ingest.dem import _densified_box

    ring = _densified_box(b.left, b.bottom, b.right, b.top, 32)
    geom = transform_geom(crs, grid.crs, {"type": "Polygon", "coordinates": [ring]})
    foot = features.rasterize([(geom, 1)], out_shape=grid.shape, transform=grid.transform, dtype="uint8").astype(bool)
    n_in = int(inside.sum())
    share = float((foot & inside).sum()) / n_in if n_in else 1.0
    if share < 1.0 - COVERAGE_TOLERANCE:
        lb = transform_bounds(crs, "EPSG:4326", *b, densify_pts=21)
        gb = transform_bounds(grid.crs, "EPSG:4326", *grid.bounds, densify_pts=21)
        what = (Message("prepare.err.agency_raster.no_overlap") if share == 0.0
                else Message("prepare.err.agency_raster.covers_only", percent=share * 100))
        raise RasterError(Message("prepare.err.agency_raster.raster_spans_lon_lat", what=what, v2=lb[0],
                                  v3=lb[2], v4=lb[1], v5=lb[3], v6=gb[0], v7=gb[2],
                                  v8=gb[1], v9=gb[3]),
                          source=str(arg.path), field=f"layer {arg.name}")
    return share


def _whole_numbers(ds, nodata) -> bool:
    """Whether a float raster holds only whole numbers (a class raster stored as float), from a sample."""
    step = max(1, max(ds.width, ds.height) // 1024)
    arr = ds.read(1, out_shape=(max(1, ds.height // step), max(1, ds.width // step)),
                  resampling=Resampling.nearest).astype(np.float64)
    valid = np.isfinite(arr) & ((arr != nodata) if nodata is not None else True)
    return bool(valid.any()) and bool(np.all(np.mod(arr[valid], 1.0) == 0.0))


def _nodata_note(missing: np.ndarray, inside: np.ndarray) -> list[str]:
    n_in = int(inside.sum())
    share = float((missing & inside).sum()) / n_in if n_in else 0.0
    return [f"{share * 100:.1f} % of the boundary is NoData in the raster (no class there)"] if share > 0 else []


def _source_res_m(ds, crs) -> float:
    from kawasan.spatial.ingest.dem import _source_res_m as res_m

    return res_m(ds, crs)


def _crs_str(crs) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_wkt()
