"""The site of a project: a GeoJSON geometry (or a Feature holding one) checked before it is stored.

A site comes from the map (a candidate site, WGS 84), the API (``site_geometry``) or the CLI (``--site``). The
check is structural (RFC 7946, section 3.1: a Polygon is rings of positions, each position numbers): the
geometry must build with shapely and every coordinate must be a finite number. It changes nothing it accepts.
"""
from __future__ import annotations

import math

from kawasan.errors import InputError
from kawasan.i18n import Message

#: the geometry types a site may be (a drawn or ranked site is a polygon; a point needs no area)
SITE_TYPES = ("Point", "Polygon", "MultiPolygon")


def checked_site(value) -> dict:
    """``value`` itself when it is a GeoJSON Point/Polygon/MultiPolygon geometry or a Feature of one, with
    finite coordinates that shapely can build; otherwise an :class:`InputError` naming what was expected."""
    geom = value.get("geometry") if isinstance(value, dict) and value.get("type") == "Feature" else value
    if not isinstance(geom, dict) or geom.get("type") not in SITE_TYPES:
        got = geom.get("type") if isinstance(geom, dict) else type(geom).__name__
        raise InputError(Message("err.site_type", types=", ".join(SITE_TYPES), got=repr(got)), field="site")
    from shapely.errors import GEOSException
    from shapely.geometry import shape

    try:
        shp = shape(geom)
        coords = _coordinates(shp)
    except (GEOSException, ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError) as e:
        raise InputError(Message("err.site_coordinates", type=geom["type"], detail=str(e)), field="site") from None
    if not coords or not all(math.isfinite(c) for c in coords):
        raise InputError(Message("err.site_not_finite", type=geom["type"]), field="site")
    return value


def _coordinates(shp) -> list[float]:
    import shapely

    return [float(c) for c in shapely.get_coordinates(shp).ravel()]
