"""The sea from OpenStreetMap's coastline (land on the left of a ``natural=coastline`` way, sea on the right)."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from kawasan.spatial.ingest.osm_result import CRS, empty_layer


def derive_sea(coastline: gpd.GeoDataFrame, frame) -> tuple[gpd.GeoDataFrame, list[tuple[str, str, dict]]]:
    """The sea inside ``frame`` (a polygon in EPSG:4326) from coastline lines, and messages.

    Rule (OSM convention): a coastline way has the land on its left and the sea on its right. The
    frame is cut by the coastline (``polygonize`` of the frame's boundary and the coastline inside
    it); for every coastline segment inside the frame a probe point is set a small distance (1e-6
    degree, ~0.1 m) to its right and one to its left. A face is sea when it holds right-hand probes
    and at most a third as many left-hand probes; land otherwise (a face with no coastline along it is
    land); a face with probes of both sides in similar numbers is reported as ambiguous. A coastline
    that does not cut the frame (it ends inside it) gives no sea; that is reported too.
    """
    msgs: list[tuple[str, str, dict]] = []
    if coastline is None or coastline.empty or frame is None:
        return empty_layer("sea"), msgs
    frame = shapely.make_valid(frame) if not frame.is_valid else frame
    lines = _coastline_lines(coastline, frame)
    if lines.size == 0:
        return empty_layer("sea"), msgs
    faces = _frame_faces(lines, frame)
    if faces.size <= 1:
        msgs.append(("osm.warn.sea_not_closed",
                     "the coastline does not cut the area in two (it ends inside it), so no sea could be derived; "
                     "the coastline layer is kept", {}))
        return empty_layer("sea"), msgs
    votes_sea, votes_land = _face_votes(faces, *_side_probes(lines))
    is_sea = (votes_sea > 0) & (votes_land * 3 <= votes_sea)
    is_land = votes_land > votes_sea
    unsure = ~is_sea & ~is_land & ((votes_sea + votes_land) > 0)
    if unsure.any():
        msgs.append(("osm.warn.sea_ambiguous",
                     f"{int(unsure.sum())} parts of the area lie between coastlines of opposite direction and were not "
                     "classed as sea (check the coastline's direction: land on the left)", {"count": int(unsure.sum())}))
    if not is_sea.any():
        msgs.append(("osm.warn.sea_none", "the coastline leaves no sea inside the area (all faces are on its land side)", {}))
        return empty_layer("sea"), msgs
    sea = shapely.union_all(faces[is_sea])
    gdf = gpd.GeoDataFrame({"source": ["derived from natural=coastline (land on the left)"]},
                           geometry=gpd.GeoSeries([sea], crs=CRS), crs=CRS)
    return gdf, msgs


def _coastline_lines(coastline: gpd.GeoDataFrame, frame) -> np.ndarray:
    """The coastline ways that meet the frame, merged into whole non-empty LineStrings (an object array)."""
    geoms = coastline.geometry.values
    geoms = geoms[shapely.intersects(geoms, frame)]
    # whole lines (not cut at the frame first: cut ends would miss the frame's edge by a rounding error
    # and be left dangling); the union nodes them with the frame's boundary exactly
    lines = shapely.get_parts(shapely.line_merge(shapely.union_all(geoms))) if len(geoms) else np.array([])
    return np.array([g for g in lines if g.geom_type == "LineString" and not g.is_empty], dtype=object)


def _frame_faces(lines: np.ndarray, frame) -> np.ndarray:
    """The faces the coastline cuts the frame into: ``polygonize`` of the lines noded with the frame's boundary,
    keeping the faces inside the frame."""
    noded = shapely.union_all(np.concatenate([lines, [frame.boundary]]))
    faces = np.array(list(shapely.get_parts(shapely.polygonize([noded]))), dtype=object)
    return faces[shapely.within(shapely.point_on_surface(faces), frame)] if faces.size else faces


def _side_probes(lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Probe points to the right (sea) and left (land) of every coastline segment.

    At each segment's midpoint m, with direction d = b - a and length |d|, the right-hand normal is
    n = (dy, -dx) / |d|; the probes are m + eps n and m - eps n with eps = min(1e-6 degree, |d| / 4).
    Segments shorter than 1e-9 are skipped; at most 200 000 segments, evenly picked, keep the cost bounded.
    """
    coords_list = [shapely.get_coordinates(g) for g in lines]
    seg_a = np.concatenate([c[:-1] for c in coords_list])
    seg_b = np.concatenate([c[1:] for c in coords_list])
    d = seg_b - seg_a
    length = np.hypot(d[:, 0], d[:, 1])
    ok = length > 1e-9
    seg_a, d, length = seg_a[ok], d[ok], length[ok]
    if len(length) > 200_000:   # enough probes for any face; keep the cost bounded on long coasts
        pick = np.linspace(0, len(length) - 1, 200_000).astype(int)
        seg_a, d, length = seg_a[pick], d[pick], length[pick]
    mid = seg_a + d / 2
    eps = np.minimum(1e-6, length / 4)
    normal_right = np.column_stack([d[:, 1], -d[:, 0]]) / length[:, None]   # (dy, -dx): right of travel
    right = shapely.points(mid + normal_right * eps[:, None])
    left = shapely.points(mid - normal_right * eps[:, None])
    return right, left


def _face_votes(faces: np.ndarray, right: np.ndarray, left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per face, the number of right-hand (sea) and of left-hand (land) probes within it."""
    tree = shapely.STRtree(faces)
    votes_sea = np.zeros(len(faces), dtype=np.int64)
    votes_land = np.zeros(len(faces), dtype=np.int64)
    _, fi = tree.query(right, predicate="within")
    np.add.at(votes_sea, fi, 1)
    _, fi = tree.query(left, predicate="within")
    np.add.at(votes_land, fi, 1)
    return votes_sea, votes_land
