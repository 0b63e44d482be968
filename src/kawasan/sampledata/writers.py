"""Deterministic writers for the synthetic study area.

GeoTIFFs are tiled 256 x 256, DEFLATE-compressed, carry ``SYNTHETIC=yes`` and a
``DESCRIPTION`` tag, and have no timestamps. GeoPackages are written by
:func:`kawasan.geopackage.write_layer`, whose ``last_change`` is a fixed time, not the
clock; together with a fresh file this makes reruns byte-identical. The "synthetic" mark of a GeoPackage is its layer
identifier and description (``gpkg_contents``); dataset metadata is avoided because
GDAL then leaves a ``.aux.xml`` file next to the GeoPackage whenever it is read.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import rasterio

from kawasan.geopackage import write_layer


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_raster(path: Path, array: np.ndarray, grid, *, nodata, description: str, tags: dict,
                 categories: dict | None = None, colors: dict | None = None, unit: str | None = None) -> None:
    profile = {
        "driver": "GTiff", "width": grid.width, "height": grid.height, "count": 1,
        "dtype": array.dtype.name, "crs": grid.crs, "transform": grid.transform, "nodata": nodata,
        "tiled": True, "blockxsize": 256, "blockysize": 256, "compress": "deflate",
        "predictor": 3 if array.dtype.kind == "f" else 2,
    }
    with rasterio.Env(GDAL_PAM_ENABLED="NO"):
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(array, 1)
            dst.update_tags(DESCRIPTION=description, **tags)
            dst.set_band_description(1, path.stem)
            if unit:
                dst.set_band_unit(1, unit)
            if categories:
                dst.update_tags(1, **{f"CATEGORY_{k}": v for k, v in categories.items()})
            if colors:
                dst.write_colormap(1, colors)


def write_vector(path: Path, gdf, *, description: str) -> None:
    layer = path.stem
    write_layer(gdf, path, layer, promote_to_multi=False,
                layer_options={"IDENTIFIER": f"{layer} (synthetic)", "DESCRIPTION": description})
