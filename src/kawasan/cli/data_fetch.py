"""kawasan data fetch: download an OSM extract and DEM tiles for a boundary (needs internet)."""
from __future__ import annotations

from kawasan.cli.data import data_group  # noqa: F401
