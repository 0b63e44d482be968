"""GeoPackages with the same bytes for the same content (one writer for every GeoPackage kawasan makes).

GDAL stores the clock in a GeoPackage: ``gpkg_contents.last_change`` is the time each layer was
written. Everything else it writes (the SQLite pages, their order, the file change counter) follows
from the content and the order of the writes, so two writes of the same layers differ only there.
:func:`write_layer` writes a layer (GDAL's GPKG driver through pyogrio) and then sets ``last_change``
of every layer of the file to a time given by the caller, in the format GDAL writes
(``YYYY-MM-DDTHH:MM:SS.sssZ``, UTC; OGC GeoPackage 1.3, table ``gpkg_contents``):

- a run's sites: the run's creation time (``manifest.json`` ``created``);
- a study area's layers: the study area's creation time;
- results computed only from the inputs (``kawasan screen``) and the synthetic data: :data:`FIXED_LAST_CHANGE`.

The time is set with SQLite after GDAL closes the file, not with GDAL's ``OGR_CURRENT_DATE`` option: that
option is process-wide, and two threads writing at once (web jobs) would see each other's value.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

FIXED_LAST_CHANGE = "2024-01-01T00:00:00.000Z"


def write_layer(gdf, path: Path, layer: str, *, last_change: str | None = None, **options) -> None:
    """Write ``gdf`` as ``layer`` of the GeoPackage ``path`` (added to the file when it exists), then set
    the file's ``last_change`` to ``last_change`` (an ISO 8601 time; None: :data:`FIXED_LAST_CHANGE`).

    ``options`` go to ``pyogrio.write_dataframe`` (``promote_to_multi``, ``geometry_type``,
    ``layer_options``, ...)."""
    import pyogrio

    pyogrio.write_dataframe(gdf, path, layer=layer, driver="GPKG", **options)
    stamp_last_change(path, last_change)


def stamp_last_change(path: Path, when: str | None = None) -> None:
    """Set ``gpkg_contents.last_change`` of every layer of ``path`` to ``when`` (see :func:`write_layer`)."""
    con = sqlite3.connect(path)
    try:
        with con:
            con.execute("UPDATE gpkg_contents SET last_change = ?", (gpkg_time(when),))
    finally:
        con.close()


def gpkg_time(when: str | None) -> str:
    """``when`` (ISO 8601; without a zone taken as UTC) as GeoPackage time, ``2024-01-01T00:00:00.000Z``;
    None gives :data:`FIXED_LAST_CHANGE`."""
    if not when:
        return FIXED_LAST_CHANGE
    t = datetime.fromisoformat(when.replace("Z", "+00:00"))
    t = t if t.tzinfo else t.replace(tzinfo=timezone.utc)
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
