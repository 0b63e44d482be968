"""Where ``kawasan data fetch`` downloads from: the sources file and the DEM tile names.

The endpoints are configuration, not code. The packaged ``sources.yaml`` names public sources
(the Geofabrik extract index for OpenStreetMap, Copernicus GLO-30 COGs and SRTM ``.hgt`` tiles
on AWS Open Data); ``--sources FILE`` replaces it with the user's own (a mirror, an intranet
copy, another DEM). Every key is documented in docs/reference/data-sources.md.

DEM tiles are one-degree squares named after their south-west corner: the tile covering
latitude -8..-7 and longitude 113..114 is ``S08E113`` (SRTM) or
``Copernicus_DSM_COG_10_S08_00_E113_00_DEM`` (Copernicus). Name and URL templates take the
placeholders ``{NS}`` (N or S), ``{lat2}`` (absolute latitude, two digits), ``{EW}`` (E or W),
``{lon3}`` (absolute longitude, three digits), ``{lat}``/``{lon}`` (signed integers) and, in
``url`` and ``file``, ``{name}`` (the rendered tile name).
"""
from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kawasan.errors import InputError
from kawasan.i18n import Message

PACKAGED = "sources.yaml"


class Checksum(BaseModel):
    """How a download is verified beyond its length.

    ``md5-file``/``sha256-file``: a small text file published next to the data whose first word is
    the hex digest (Geofabrik publishes ``<extract>.osm.pbf.md5``). ``none``: the source publishes
    no checksum; the SHA-256 of what arrived is recorded and checked again on every cache hit.
    """

    model_config = ConfigDict(extra="forbid")
    kind: Literal["none", "md5-file", "sha256-file"] = "none"
    url: str | None = Field(default=None, description="template of the checksum file's URL; {url} is the data URL")

    @field_validator("url")
    @classmethod
    def _url_template(cls, v):
        if v is not None and "{url}" not in v:
            raise ValueError(Message("fetch.err.fetch_sources.checksum_url_template", placeholder="{url}",
                                     example="{url}.md5"))
        return v

    def checksum_url(self, url: str) -> str | None:
        if self.kind == "none":
            return None
        return (self.url or ("{url}.md5" if self.kind == "md5-file" else "{url}.sha256")).format(url=url)


class OsmSource(BaseModel):
    """An index of OpenStreetMap extracts in Geofabrik's index-v1.json layout (GeoJSON features
    with ``properties.id``, ``properties.urls.<url_key>`` and the extract polygon as geometry)."""

    model_config = ConfigDict(extra="forbid")
    title: str
    index_url: str
    index_max_age_days: float = Field(default=7.0, ge=0)
    url_key: str = "pbf"
    extract: str | None = None
    checksum: Checksum = Checksum()
    attribution: str
    licence: str


class DemSource(BaseModel):
    """One-degree DEM tiles reachable by a URL template."""

    model_config = ConfigDict(extra="forbid")
    title: str
    name: str
    url: str
    file: str
    compression: Literal["none", "gzip"] = "none"
    tile_list: str | None = None
    missing_status: list[int] = Field(default_factory=lambda: [404])
    checksum: Checksum = Checksum()
    attribution: str
    licence: str

    @field_validator("name", "url", "file")
    @classmethod
    def _template(cls, v, info):
        sample = tile_fields(-8, 113)
        try:
            v.format(**sample, name="X")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(Message("fetch.err.fetch_sources.unknown_placeholder", placeholder=str(exc), value=v,
                                     allowed=", ".join("{" + k + "}" for k in [*sample, "name"]))) from None
        return v

    def tile_name(self, lat: int, lon: int) -> str:
        return self.name.format(**tile_fields(lat, lon))

    def tile_url(self, lat: int, lon: int) -> str:
        return self.url.format(**tile_fields(lat, lon), name=self.tile_name(lat, lon))

    def tile_file(self, lat: int, lon: int) -> str:
        return self.file.format(**tile_fields(lat, lon), name=self.tile_name(lat, lon))


class Sources(BaseModel):
    """The whole sources file."""

    model_config = ConfigDict(extra="forbid")
    version: Literal[1]
    user_agent: str
    timeout_s: float = Field(default=60.0, gt=0)
    retries: int = Field(default=3, ge=0)
    retry_wait_s: float = Field(default=2.0, ge=0)
    buffer_m: float = Field(default=5000.0, ge=0)
    max_tiles: int = Field(default=36, ge=1)
    default_dem: str
    osm: OsmSource
    dem: dict[str, DemSource]

    @field_validator("dem")
    @classmethod
    def _names(cls, v):
        if "none" in v:
            raise ValueError(Message("fetch.err.fetch_sources.none_reserved"))
        return v


def _validation_text(err: dict):
    """What pydantic says is wrong: the catalogue message a validator of this module raised (so that it reads
    in the user's language), else pydantic's own English text."""
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, ValueError) and cause.args and isinstance(cause.args[0], Message):
        return cause.args[0]
    return err["msg"]


def tile_fields(lat: int, lon: int) -> dict:
    """Placeholders of the tile whose south-west corner is (lat, lon)."""
    return {"NS": "N" if lat >= 0 else "S", "lat2": f"{abs(lat):02d}", "EW": "E" if lon >= 0 else "W",
            "lon3": f"{abs(lon):03d}", "lat": lat, "lon": lon}


def tiles_for(area, max_tiles: int | None = None) -> list[tuple[int, int]]:
    """South-west corners (lat, lon) of the one-degree tiles that intersect ``area`` (EPSG:4326).

    A tile is the closed square [lat, lat+1] x [lon, lon+1]; only tiles whose interior meets the
    area count, so a boundary that ends exactly on a degree line does not pull in the neighbour.
    """
    from shapely.geometry import box

    minx, miny, maxx, maxy = area.bounds
    out = []
    for lat in range(math.floor(miny), math.ceil(maxy) if maxy > math.floor(miny) else math.floor(miny) + 1):
        for lon in range(math.floor(minx), math.ceil(maxx) if maxx > math.floor(minx) else math.floor(minx) + 1):
            cell = box(lon, lat, lon + 1, lat + 1)
            if area.intersection(cell).area > 0 or (area.area == 0 and area.intersects(cell)):
                out.append((lat, lon))
    out = sorted(set(out), key=lambda t: (-t[0], t[1]))
    if max_tiles is not None and len(out) > max_tiles:
        raise InputError(Message("fetch.err.fetch_sources.area_needs_one_degree", tile_count=len(out),
                                 max_tiles=max_tiles),
                         field="max_tiles")
    return out


def packaged_sources_path() -> Path:
    return Path(str(resources.files("kawasan.spatial.ingest").joinpath(PACKAGED)))


def load_sources(path: str | Path | None = None) -> Sources:
    """Read and validate a sources file (the packaged one without ``path``)."""
    p = Path(path) if path else packaged_sources_path()
    src = str(p)
    if not p.is_file():
        raise InputError(Message("fetch.err.fetch_sources.sources_file_found_expected"),
                         source=src)
    from kawasan import guarded

    data = guarded.read_mapping(p, error=InputError, what="sources file")
    if not isinstance(data, dict):
        raise InputError(Message("fetch.err.fetch_sources.expected_mapping_keys_version"), source=src)
    try:
        sources = Sources.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        more = Message("fetch.err.fetch_sources.more", count=len(exc.errors()) - 1) if len(exc.errors()) > 1 else ""
        got = repr(err.get("input"))
        got = got if len(got) <= 120 else got[:117] + "..."
        raise InputError(Message("fetch.err.fetch_sources.got", problem=_validation_text(err), got=got, more=more),
                         source=src, field=loc) from exc
    if sources.default_dem not in sources.dem:
        raise InputError(Message("fetch.err.fetch_sources.default_dem_one_dem",
                                 default_dem=sources.default_dem,
                                 available=', '.join(sources.dem)), source=src, field="default_dem")
    return sources
