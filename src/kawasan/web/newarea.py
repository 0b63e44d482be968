"""A new study area from the browser: the uploaded (or server-side) files checked, then ``data prepare`` as a job.

Uploads are streamed in 1 MB chunks into a private folder of the data folder (``DATA/uploads/.tmp-*``),
never held in memory, each under ``KAWASAN_MAX_AREA_UPLOAD_MB`` (default 4096 MB: a province's OSM
extract is hundreds of MB); a request whose declared size is above the limit times the number of files
is refused before it is read. Files already on the server are named relative to ``DATA/incoming``
(nothing outside it is reachable). Before a job is queued, every input is checked to be what it says:

- the boundary is read with the feature filter (``feature`` = a name in the file's name field, or an OGR
  SQL ``where``): no feature matched, or several, is a 422 listing the names (nothing written);
- each DEM tile opens as a raster with a CRS; the OSM extract starts like an OSM PBF file (its first
  block is an ``OSMHeader``); each agency layer opens as a vector or a raster.

Then the files move to ``DATA/uploads/job-*`` (removed when the job ends) and the job is queued.
"""
from __future__ import annotations

import os
import re
import shutil
import uuid
from pathlib import Path

from kawasan.errors import InputError, RasterError, VectorError
from kawasan.jobs import folders
from kawasan.web.uploads import clean_name
from kawasan.i18n import Message

CHUNK = 1 << 20
MAX_FILES = 200


def max_upload_bytes() -> int:
    raw = (os.environ.get("KAWASAN_MAX_AREA_UPLOAD_MB") or "").strip()
    try:
        mb = float(raw) if raw else 4096.0
    except ValueError:
        raise InputError(Message("web.err.newarea.expected_number_got", raw=raw), source="environment",
                         field="KAWASAN_MAX_AREA_UPLOAD_MB") from None
    if mb <= 0:
        raise InputError(Message("web.err.newarea.expected_positive_number_got", raw=raw), source="environment",
                         field="KAWASAN_MAX_AREA_UPLOAD_MB")
    return int(mb * 1024 * 1024)


def check_declared_size(content_length: str | None) -> None:
    """Refuse a request declaring more than the limit for all its files (before anything is read)."""
    if content_length and content_length.isdigit() and int(content_length) > max_upload_bytes() * 4:
        raise InputError(Message("web.err.newarea.upload_mb_larger_than", size_mb=int(content_length) / 1048576),
                         field="file")


def save(upload, folder: Path, field: str) -> Path:
    """Stream one uploaded file into ``folder`` under its cleaned name; refused above the limit."""
    limit = max_upload_bytes()
    target = folder / clean_name(upload.filename)
    n = 1
    while target.exists():
        target = folder / f"{n}-{clean_name(upload.filename)}"
        n += 1
    size = 0
    with target.open("wb") as out:
        upload.file.seek(0)
        while chunk := upload.file.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise InputError(Message("web.err.newarea.file_larger_than_limit", limit_mb=limit / 1048576),
                                 source=upload.filename, field=field)
            out.write(chunk)
    if size == 0:
        raise InputError(Message("web.err.newarea.file_empty"), source=upload.filename, field=field)
    return target


def server_file(root: Path, rel: str, field: str) -> Path:
    """A file under ``DATA/incoming`` named by its relative path (InputError when outside or missing)."""
    base = (root / "incoming").resolve()
    p = (base / rel.strip().lstrip("/")).resolve()
    if base not in p.parents:
        raise InputError(Message("web.err.newarea.expected_path_inside_data", base=base, rel=rel), field=field)
    if not p.is_file():
        raise InputError(Message("web.err.newarea.no_such_incoming_file", rel=rel, base=base), field=field)
    return p


def boundary_filter(path: Path, feature: str | None, where: str | None) -> str | None:
    """The OGR filter of the chosen feature: ``where`` as given, or the file's name field equal to ``feature``."""
    if where:
        return where
    if not feature:
        return None
    import pyogrio

    from kawasan.spatial.ingest.boundary import name_field, split_source

    try:
        fields = list(pyogrio.read_info(split_source(path)[0])["fields"])
    except Exception as e:  # noqa: BLE001 - any GDAL failure means the same: not a vector file
        raise VectorError(Message("web.err.newarea.readable_vector_file", detail=str(e).replace(str(path), path.name)),
                          source=path.name,
                          field="boundary") from None
    nf = name_field(fields)
    if nf is None:
        raise InputError(Message("web.err.newarea.file_has_name_field", fields=', '.join(fields)), field="feature")
    return f"{nf} = '{feature.replace(chr(39), chr(39) * 2)}'"


def check_boundary(path: Path, where: str | None) -> str:
    """Read the boundary with the filter; returns its name. VectorError naming the names when none or several match."""
    from kawasan.spatial.ingest.boundary import read_boundary

    b = read_boundary(path, where)
    return b.name


def check_dem(path: Path) -> None:
    import rasterio
    from rasterio.errors import RasterioIOError

    try:
        with rasterio.open(path) as ds:
            if ds.crs is None:
                raise RasterError(Message("web.err.newarea.dem_tile_has_crs"), source=path.name, field="dem")
    except RasterioIOError as e:
        raise RasterError(Message("web.err.newarea.raster_gdal_can_read", detail=e), source=path.name,
                          field="dem") from None


def check_osm(path: Path) -> None:
    """An OSM PBF file starts with a 4-byte header length and a BlobHeader whose type is ``OSMHeader``."""
    with path.open("rb") as f:
        head = f.read(64)
    if len(head) < 8 or b"OSMHeader" not in head[4:40]:
        raise InputError(Message("web.err.newarea.openstreetmap_pbf_extract_first"), source=path.name, field="osm")


def check_layer(path: Path, name: str) -> None:
    import pyogrio
    import rasterio

    try:
        with rasterio.open(path):
            return
    except Exception:  # noqa: BLE001 - not a raster: try it as a vector next
        pass
    try:
        pyogrio.read_info(path)
    except Exception as e:  # noqa: BLE001
        raise InputError(Message("web.err.newarea.neither_raster_nor_vector", detail=e), source=path.name,
                         field=f"layer.{name}") from None


def staging(root: Path) -> Path:
    folder = root / "uploads" / f".tmp-{uuid.uuid4().hex}"
    folder.mkdir(parents=True)
    return folder


def publish(tmp: Path) -> Path:
    """The checked files' folder under its job name (what the job reads and removes when it ends)."""
    final = tmp.with_name(f"job-{tmp.name[5:]}")
    os.replace(tmp, final)
    return final


def discard(tmp: Path) -> None:
    shutil.rmtree(tmp, ignore_errors=True)


LAYER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


def check_layer_name(name: str) -> str:
    if not LAYER_NAME.match(name or ""):
        raise InputError(Message("web.err.newarea.expected_layer_name_lower", name=name), field="layer_name")
    return name


__all__ = ["save", "server_file", "boundary_filter", "check_boundary", "check_dem", "check_osm", "check_layer",
           "staging", "publish", "discard", "check_declared_size", "folders"]
