"""SYNTHETIC OpenStreetMap extracts of realistic density inside any boundary, for tests and benchmarks.

:func:`write_synthetic_pbf` fills a boundary polygon (EPSG:4326) with a made-up but plausible
regency, written as an ``.osm.pbf`` with ``osmium.SimpleWriter``:

- settlements: one town per ~1,500 km² (at least one), a village per ~8 km², hamlets; a residential
  polygon around each, place nodes with names and population;
- roads: arterials (trunk/primary) crossing the area through the towns, collectors
  (secondary/tertiary) linking every village towards the nearest town, a dense grid of local streets
  (residential/service/living_street) in each settlement, tracks through the fields;
- a railway through the main town; rivers flowing to the sea side (or across the area), streams,
  canals and drains; lakes (one a multipolygon with an island), a reservoir;
- land-use parcels on a shared, jittered lattice (adjacent parcels share nodes, as in OSM): rice
  (``landuse=farmland`` + ``crop=rice`` and ``landuse=paddy``), dry fields, plantations and orchards,
  forest and wood, scrub and grassland, an industrial estate and a quarry near the town;
- a protected area (a multipolygon relation with an enclave as hole) over the highest ground;
- a harbour (on the coast when there is one), an aerodrome (a polygon), and, with ``sea_side``, a
  coastline drawn with the land on its left (OSM convention).

About 58 ways per km² by default (over 200,000 for 60 km x 60 km), mostly local streets and land use;
deterministic for a seed. Every way, relation and tagged node carries ``note=SYNTHETIC kawasan fixture``
and the file header's ``generator`` says SYNTHETIC (the one free-text field a PBF header keeps; a
``note`` header entry is also set for XML output): it is not OpenStreetMap data and must never be used
for decisions.
"""
from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import shapely

from kawasan.errors import InputError
from kawasan.i18n import Message

NOTE = "SYNTHETIC kawasan fixture"
GENERATOR = "kawasan synthetic OSM fixture (SYNTHETIC, not OpenStreetMap data)"
WAYS_PER_KM2 = 58.0
STREET_BENDS = 2          # extra vertices per street block edge
SEA_SIDES = ("north", "south", "east", "west")
_M_PER_DEG_LAT = 110_574.0


class _Frame:
    """Local metric frame: equirectangular around the boundary's centre (good to ~0.1 % over 100 km)."""

    def __init__(self, lon0: float, lat0: float):
        self.lon0, self.lat0 = lon0, lat0
        self.kx = 111_320.0 * math.cos(math.radians(lat0))

    def to_m(self, lon, lat):
        return (np.asarray(lon) - self.lon0) * self.kx, (np.asarray(lat) - self.lat0) * _M_PER_DEG_LAT

    def to_deg(self, x, y):
        return np.asarray(x) / self.kx + self.lon0, np.asarray(y) / _M_PER_DEG_LAT + self.lat0


class _Osm:
    """Nodes (metre coordinates, ids 1..n), ways and relations, written out in id order."""

    def __init__(self):
        self.xs: list[np.ndarray] = []
        self.ys: list[np.ndarray] = []
        self.n_nodes = 0
        self.node_tags: dict[int, dict] = {}
        self.ways: list[tuple[list[int], dict]] = []
        self.relations: list[tuple[list[tuple[str, int, str]], dict]] = []
        self.counts: dict[str, int] = {}

    def nodes(self, x, y) -> np.ndarray:
        x = np.asarray(x, dtype="float64").ravel()
        y = np.asarray(y, dtype="float64").ravel()
        ids = np.arange(self.n_nodes + 1, self.n_nodes + 1 + x.size, dtype=np.int64)
        self.xs.append(x)
        self.ys.append(y)
        self.n_nodes += x.size
        return ids

    def node(self, x: float, y: float, tags: dict, count: str) -> int:
        nid = int(self.nodes([x], [y])[0])
        self.node_tags[nid] = tags
        self.counts[count] = self.counts.get(count, 0) + 1
        return nid

    def way(self, ids, tags: dict, count: str) -> int:
        ids = [int(i) for i in ids]
        if len(ids) < 2:
            return 0
        self.ways.append((ids, tags))
        self.counts[count] = self.counts.get(count, 0) + 1
        return len(self.ways)

    def relation(self, members, tags: dict, count: str) -> int:
        self.relations.append((members, tags))
        self.counts[count] = self.counts.get(count, 0) + 1
        return len(self.relations)


def _split(ids: np.ndarray, max_nodes: int, rng=None, min_nodes: int | None = None):
    """Chunks of a node chain sharing their end nodes (consecutive OSM ways of one road)."""
    n = len(ids)
    if n < 2:
        return
    i = 0
    while i < n - 1:
        k = max_nodes if rng is None else int(rng.integers(min_nodes or 2, max_nodes + 1))
        j = min(n - 1, i + k - 1)
        yield ids[i:j + 1]
        i = j


def _runs(mask: np.ndarray):
    """(start, stop) of the runs of True in a boolean array."""
    if mask.size == 0:
        return []
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1)))


def _noise(rng, x, y, scale: float) -> np.ndarray:
    """A smooth random field in [0, 1] (sum of six plane waves, wavelengths scale/1 .. scale/6)."""
    out = np.zeros_like(x, dtype="float64")
    for k in range(1, 7):
        ang = rng.uniform(0, 2 * math.pi)
        f = 2 * math.pi * k / scale
        out += np.sin(f * (x * math.cos(ang) + y * math.sin(ang)) + rng.uniform(0, 2 * math.pi)) / k
    lo, hi = out.min(initial=0.0), out.max(initial=1.0)
    return (out - lo) / (hi - lo if hi > lo else 1.0)


def write_synthetic_pbf(path, boundary, *, seed: int = 0, target_ways: int | None = None,
                        sea_side: str | None = None, coast_fraction: float = 0.12, coastline=None,
                        overwrite: bool = True) -> dict:
    """Write a SYNTHETIC OSM PBF filling ``boundary`` (shapely Polygon/MultiPolygon, EPSG:4326).

    Parameters
    ----------
    path : output ``.osm.pbf`` (written to a temporary sibling and renamed when complete).
    boundary : the area to fill.
    seed : everything is drawn from ``numpy.random.default_rng(seed)``; same seed, same file.
    target_ways : at least this many ways are written (default: 58 per km² of the boundary).
    sea_side : ``"north"``, ``"south"``, ``"east"``, ``"west"`` or None. With a side, a coastline
        crosses the boundary ``coast_fraction`` of its extent in from that side; beyond it is sea
        (no land features), and the coastline ways have the land on their left.
    coastline : instead of ``sea_side``, your own coast: a shapely LineString/MultiLineString in
        EPSG:4326 drawn with the land on its LEFT (OSM convention) and crossing the area (for a real
        regency, its coastal edge extended beyond the boundary). The sea is the side to its right.

    Returns
    -------
    dict with ``path``, ``seed``, ``synthetic`` (True), ``ways``, ``nodes``, ``relations``, ``bytes``,
    ``seconds``, ``area_km2``, ``sea_side`` and ``by_kind`` (ways/nodes/relations per feature kind).

    Ways, relations and tagged nodes carry ``note=SYNTHETIC kawasan fixture``; the vertices of ways
    are untagged, as in OpenStreetMap, and the header's ``generator`` says SYNTHETIC.
    Raises InputError for a boundary that is not a polygon in EPSG:4326 or an unknown ``sea_side``.
    """
    import osmium
    from osmium.osm.mutable import Node, Relation, Way

    t0 = time.perf_counter()
    if not isinstance(boundary, (shapely.Polygon, shapely.MultiPolygon)) or boundary.is_empty:
        raise InputError(Message("demo.err.osm_fixture.expected_non_empty_shapely", v1=str(boundary)[:80]),
                         field="boundary")
    b = boundary.bounds
    if b[0] < -180 or b[2] > 180 or b[1] < -90 or b[3] > 90:
        raise InputError(Message("demo.err.osm_fixture.bounds_are_longitude_latitude",
                                 v1=tuple((round(v, 3) for v in b))),
                         field="boundary")
    if sea_side is not None and sea_side not in SEA_SIDES:
        raise InputError(Message("demo.err.osm_fixture.expected_one_none_got", v1=', '.join(SEA_SIDES),
                                 sea_side=sea_side), field="sea_side")
    if coastline is not None:
        if sea_side is not None:
            raise InputError(Message("demo.err.osm_fixture.give_either_sea_side"), field="coastline")
        if not isinstance(coastline, (shapely.LineString, shapely.MultiLineString)) or coastline.is_empty:
            raise InputError(Message("demo.err.osm_fixture.expected_shapely_linestring_multilinestring",
                                     v1=str(coastline)[:80]),
                             field="coastline")
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(str(path))
    rng = np.random.default_rng(seed)
    c = boundary.centroid
    fr = _Frame(c.x, c.y)
    B = shapely.transform(boundary, lambda xy: np.column_stack(fr.to_m(xy[:, 0], xy[:, 1])))
    B = shapely.make_valid(B) if not B.is_valid else B
    xmin, ymin, xmax, ymax = B.bounds
    W, H = xmax - xmin, ymax - ymin
    area_km2 = B.area / 1e6
    target = int(target_ways if target_ways is not None else max(500, round(WAYS_PER_KM2 * area_km2)))
    o = _Osm()
    base = {"note": NOTE}

    def tags(**kw):
        d = {k.replace("__", ":"): str(v) for k, v in kw.items() if v is not None}
        d.update(base)
        return d

    # -- sea and coastline ------------------------------------------------------------------------
    land = B
    coast_xy = None
    coast_parts: list = []
    if coastline is not None:
        import geopandas as gpd

        from kawasan.spatial.ingest.osm_sea import derive_sea

        bb = boundary.bounds
        pad = 0.002 + 0.01 * max(bb[2] - bb[0], bb[3] - bb[1])      # the boundary's box, a little larger
        frame = shapely.box(bb[0] - pad, bb[1] - pad, bb[2] + pad, bb[3] + pad)
        sea_deg, _ = derive_sea(gpd.GeoDataFrame(geometry=[coastline], crs="EPSG:4326"), frame)
        if sea_deg.empty:
            raise InputError(Message("demo.err.osm_fixture.coastline_leaves_sea_next"), field="coastline")
        to_m = lambda xy: np.column_stack(fr.to_m(xy[:, 0], xy[:, 1]))  # noqa: E731
        sea_poly = shapely.make_valid(shapely.transform(sea_deg.geometry.iloc[0], to_m))
        for part in shapely.get_parts(shapely.line_merge(coastline)):
            c_m = shapely.get_coordinates(shapely.segmentize(shapely.transform(part, to_m), 300.0))
            coast_parts.append((c_m[:, 0], c_m[:, 1]))
        # which side the sea is on, for the rivers and the "elevation" gradient
        sc, bc = sea_poly.centroid, B.centroid
        dx, dy = sc.x - bc.x, sc.y - bc.y
        sea_side = ("north" if dy > 0 else "south") if abs(dy) >= abs(dx) else ("east" if dx > 0 else "west")
        land = shapely.difference(B, sea_poly)
    elif sea_side:
        m = 2000.0
        if sea_side in ("north", "south"):
            xs = np.arange(xmin - m, xmax + m + 300, 300.0)
            wave = 0.02 * H * np.sin(xs / (W / 3 + 1) * 2 * math.pi + rng.uniform(0, 6)) + rng.normal(0, 25, xs.size)
            if sea_side == "north":
                ys = ymax - coast_fraction * H + wave
                xs, ys = xs[::-1], ys[::-1]               # walking west: land (south) on the left
                sea_poly = shapely.Polygon(np.column_stack([np.r_[xs, xs[-1], xs[0]], np.r_[ys, ymax + 10 * m, ymax + 10 * m]]))
            else:
                ys = ymin + coast_fraction * H + wave     # walking east: land (north) on the left
                sea_poly = shapely.Polygon(np.column_stack([np.r_[xs, xs[-1], xs[0]], np.r_[ys, ymin - 10 * m, ymin - 10 * m]]))
            coast_xy = (xs, ys)
        else:
            ys = np.arange(ymin - m, ymax + m + 300, 300.0)
            wave = 0.02 * W * np.sin(ys / (H / 3 + 1) * 2 * math.pi + rng.uniform(0, 6)) + rng.normal(0, 25, ys.size)
            if sea_side == "east":
                xs = xmax - coast_fraction * W + wave     # walking north: land (west) on the left
                sea_poly = shapely.Polygon(np.column_stack([np.r_[xs, xmax + 10 * m, xmax + 10 * m], np.r_[ys, ys[-1], ys[0]]]))
            else:
                xs = xmin + coast_fraction * W + wave
                xs, ys = xs[::-1], ys[::-1]               # walking south: land (east) on the left
                sea_poly = shapely.Polygon(np.column_stack([np.r_[xs, xmin - 10 * m, xmin - 10 * m], np.r_[ys, ys[-1], ys[0]]]))
            coast_xy = (xs, ys)
        sea_poly = shapely.make_valid(sea_poly)
        land = shapely.difference(B, sea_poly)
        coast_parts.append(coast_xy)
    for xs_, ys_ in coast_parts:
        ids = o.nodes(xs_, ys_)
        for chunk in _split(ids, 200):
            o.way(chunk, tags(natural="coastline"), "coastline")
    if coast_parts:
        coast_xy = (np.concatenate([p[0] for p in coast_parts]), np.concatenate([p[1] for p in coast_parts]))
    shapely.prepare(land)

    def on_land(x, y):
        return shapely.contains_xy(land, x, y)

    def random_land_points(n, avoid=None, min_dist=0.0):
        pts = []
        tries = 0
        while len(pts) < n and tries < 200:
            tries += 1
            k = max(64, 4 * (n - len(pts)))
            x = rng.uniform(xmin, xmax, k)
            y = rng.uniform(ymin, ymax, k)
            ok = on_land(x, y)
            for xi, yi in zip(x[ok], y[ok]):
                if min_dist and pts:
                    p = np.asarray(pts)
                    if np.min(np.hypot(p[:, 0] - xi, p[:, 1] - yi)) < min_dist:
                        continue
                pts.append((xi, yi))
                if len(pts) >= n:
                    break
        return np.asarray(pts, dtype="float64").reshape(-1, 2)

    # distance from the sea side, 0 at the coast .. 1 at the far edge (drives "elevation")
    def inland(x, y):
        if sea_side == "north":
            return np.clip((ymax - y) / H, 0, 1)
        if sea_side == "south":
            return np.clip((y - ymin) / H, 0, 1)
        if sea_side == "east":
            return np.clip((xmax - x) / W, 0, 1)
        if sea_side == "west":
            return np.clip((x - xmin) / W, 0, 1)
        return np.full(np.shape(x), 0.5)

    field_seed = int(rng.integers(1 << 31))

    def elevation(x, y):
        n = _noise(np.random.default_rng(field_seed), np.asarray(x, float), np.asarray(y, float), max(W, H))
        return 0.55 * n + 0.45 * inland(x, y) if sea_side else n

    # -- settlements -------------------------------------------------------------------------------
    n_towns = max(1, int(round(area_km2 / 1500)))
    n_villages = max(3, int(area_km2 / 8))
    towns = random_land_points(n_towns, min_dist=0.3 * min(W, H) if n_towns > 1 else 0)
    if towns.size == 0:
        raise InputError(Message("demo.err.osm_fixture.boundary_leaves_land_fill"), field="boundary")
    villages = random_land_points(n_villages, min_dist=1200.0)
    settle_xy = np.vstack([towns, villages])
    is_town = np.r_[np.ones(len(towns), bool), np.zeros(len(villages), bool)]
    weight = np.where(is_town, 14.0, rng.lognormal(0.0, 0.45, len(settle_xy)))
    n_local_target = int(0.52 * target)
    k_ways = np.maximum(6, (weight / weight.sum() * n_local_target)).astype(int)
    spacing = 75.0
    radius = np.sqrt(k_ways) * spacing / 2 * 1.25

    # place nodes
    for i, (x, y) in enumerate(settle_xy):
        if is_town[i]:
            o.node(x, y, tags(place="town", name=f"Kota Sintetis {i + 1}", population=int(rng.integers(40_000, 160_000))), "place_town")
        else:
            o.node(x, y, tags(place="village", name=f"Desa Sintetis {i:03d}", population=int(rng.integers(1_500, 9_000))), "place_village")
    for j, (x, y) in enumerate(random_land_points(int(n_villages * 1.5))):
        o.node(x, y, tags(place="hamlet", name=f"Dusun Sintetis {j:03d}", population=int(rng.integers(150, 900))), "place_hamlet")

    # local street grids + residential polygons
    for i, (cx, cy) in enumerate(settle_xy):
        m_lines = max(3, int(round(math.sqrt(k_ways[i]))))
        ang = rng.uniform(0, math.pi / 2)
        ca, sa = math.cos(ang), math.sin(ang)
        g = (np.arange(m_lines) - (m_lines - 1) / 2) * spacing
        gu, gv = np.meshgrid(g, g, indexing="ij")
        gu = gu + rng.normal(0, 10, gu.shape)
        gv = gv + rng.normal(0, 10, gv.shape)
        gx, gy = cx + gu * ca - gv * sa, cy + gu * sa + gv * ca
        inside = (np.hypot(gu, gv) <= radius[i]) & on_land(gx, gy)
        if inside.sum() < 4:
            continue
        grid_id = np.zeros(gx.shape, dtype=np.int64)
        grid_id[inside] = o.nodes(gx[inside], gy[inside])
        for axis in (0, 1):
            ids_ax = grid_id if axis == 0 else grid_id.T
            x_ax, y_ax = (gx, gy) if axis == 0 else (gx.T, gy.T)
            # STREET_BENDS unshared vertices along every block edge (streets are not ruler-straight)
            both = (ids_ax[:-1] > 0) & (ids_ax[1:] > 0)
            t = (np.arange(1, STREET_BENDS + 1) / (STREET_BENDS + 1))[None, :]
            ex_, ey_ = x_ax[:-1][both], y_ax[:-1][both]
            dx_, dy_ = x_ax[1:][both] - ex_, y_ax[1:][both] - ey_
            mid = np.zeros(both.shape + (STREET_BENDS,), dtype=np.int64)
            if both.any():
                mid[both] = o.nodes(ex_[:, None] + dx_[:, None] * t + rng.normal(0, 4, (ex_.size, STREET_BENDS)),
                                    ey_[:, None] + dy_[:, None] * t + rng.normal(0, 4, (ex_.size, STREET_BENDS))
                                    ).reshape(-1, STREET_BENDS)
            for c in range(ids_ax.shape[1]):
                col_ids = ids_ax[:, c]
                for a, b in _runs(col_ids > 0):
                    for chunk in _split(np.arange(a, b), 4, rng, 2):
                        nodes = [int(col_ids[chunk[0]])]
                        for q in chunk[:-1]:
                            nodes.extend(mid[q, c].tolist())
                            nodes.append(int(col_ids[q + 1]))
                        r = rng.random()
                        hw = "residential" if r < 0.72 else ("service" if r < 0.92 else "living_street")
                        name = f"Jalan Sintetis {i}-{len(o.ways)}" if rng.random() < 0.3 else None
                        o.way(nodes, tags(highway=hw, name=name), "road_local")
        k = 20
        th = np.linspace(0, 2 * math.pi, k, endpoint=False)
        rr = radius[i] * (1.05 + 0.08 * rng.standard_normal(k))
        px, py = cx + rr * np.cos(th), cy + rr * np.sin(th)
        ids = o.nodes(px, py)
        o.way(list(ids) + [ids[0]], tags(landuse="residential", name=("Kota" if is_town[i] else "Desa") + f" Sintetis {i:03d}"),
              "landuse_residential")

    # -- roads between settlements -----------------------------------------------------------------
    def polyline(p0, p1, step, jitter):
        d = np.hypot(*(p1 - p0))
        n = max(2, int(d / step) + 1)
        t = np.linspace(0, 1, n)
        x = p0[0] + (p1[0] - p0[0]) * t
        y = p0[1] + (p1[1] - p0[1]) * t
        nx, ny = -(p1[1] - p0[1]) / max(d, 1), (p1[0] - p0[0]) / max(d, 1)
        off = np.cumsum(rng.normal(0, jitter, n))
        off -= np.linspace(off[0], off[-1], n)
        return x + nx * off, y + ny * off

    def add_line(x, y, tagd, count, max_nodes):
        ok = on_land(x, y)
        n = 0
        for a, b in _runs(ok):
            if b - a < 2:
                continue
            ids = o.nodes(x[a:b], y[a:b])
            for chunk in _split(ids, max_nodes):
                o.way(chunk, tagd, count)
                n += 1
        return n

    def edge_point(side):
        if side == 0:
            return np.array([rng.uniform(xmin, xmax), ymin - 500])
        if side == 1:
            return np.array([xmax + 500, rng.uniform(ymin, ymax)])
        if side == 2:
            return np.array([rng.uniform(xmin, xmax), ymax + 500])
        return np.array([xmin - 500, rng.uniform(ymin, ymax)])

    n_art = 2 + int(area_km2 / 2000)
    for k in range(n_art):
        tw = towns[k % len(towns)]
        s0 = k % 4
        a, b = edge_point(s0), edge_point((s0 + 2) % 4)
        hw = "trunk" if k == 0 else "primary"
        for p0, p1 in ((a, tw), (tw, b)):
            x, y = polyline(p0, p1, 250.0, 40.0)
            ref = "AH 2" if k == 1 else f"SYN {k + 1}"   # one primary road is national by its ref
            add_line(x, y, tags(highway=hw, ref=ref, name=f"Jalan Raya Sintetis {k + 1}"), "road_arterial", 60)
    # collectors: every village towards a settlement nearer to its town (a tree rooted at the towns)
    from scipy.spatial import cKDTree

    tree = cKDTree(settle_xy)
    nearest_town = np.argmin(np.hypot(settle_xy[:, None, 0] - towns[None, :, 0], settle_xy[:, None, 1] - towns[None, :, 1]), axis=1)
    d_town = np.hypot(settle_xy[:, 0] - towns[nearest_town, 0], settle_xy[:, 1] - towns[nearest_town, 1])
    for i in np.flatnonzero(~is_town):
        _, cand = tree.query(settle_xy[i], k=min(8, len(settle_xy)))
        closer = [j for j in np.atleast_1d(cand) if j != i and d_town[j] < d_town[i]]
        j = closer[0] if closer else int(nearest_town[i])
        x, y = polyline(settle_xy[i], settle_xy[j], 200.0, 25.0)
        hw = "secondary" if d_town[i] < 0.25 * max(W, H) and rng.random() < 0.4 else "tertiary"
        add_line(x, y, tags(highway=hw, name=f"Jalan Sintetis Desa {i:03d}"), "road_collector", 40)

    # railway through the first town
    a, b = edge_point(3), edge_point(1)
    for p0, p1 in ((a, towns[0]), (towns[0], b)):
        x, y = polyline(p0, p1, 300.0, 30.0)
        add_line(x, y, tags(railway="rail", name="Jalur Kereta Sintetis", gauge=1067), "railway", 80)

    # -- rivers and streams ------------------------------------------------------------------------
    n_rivers = 3 + int(area_km2 / 1000)
    river_pts = []
    for k in range(n_rivers):
        if sea_side:
            direction = {"north": (0, 1), "south": (0, -1), "east": (1, 0), "west": (-1, 0)}[sea_side]
            far = {"north": 0, "south": 2, "east": 3, "west": 1}[sea_side]
            p = edge_point(far)
            p = np.array([np.clip(p[0], xmin + 0.05 * W, xmax - 0.05 * W), np.clip(p[1], ymin + 0.05 * H, ymax - 0.05 * H)])
            p = p + np.array(direction) * 0.02 * max(W, H)
        else:
            p = random_land_points(1)[0]
            ang0 = rng.uniform(0, 2 * math.pi)
            direction = (math.cos(ang0), math.sin(ang0))
        heading = math.atan2(direction[1], direction[0])
        pts = [p.copy()]
        for _ in range(int(2.5 * max(W, H) / 250)):
            heading += rng.normal(0, 0.25)
            target_h = math.atan2(direction[1], direction[0])
            heading += 0.15 * math.atan2(math.sin(target_h - heading), math.cos(target_h - heading))
            p = p + 250.0 * np.array([math.cos(heading), math.sin(heading)])
            pts.append(p.copy())
            if not (xmin - 1000 < p[0] < xmax + 1000 and ymin - 1000 < p[1] < ymax + 1000):
                break
            if sea_side and not on_land(p[0], p[1]) and len(pts) > 10:
                break
        pts = np.asarray(pts)
        river_pts.append(pts)
        add_line(pts[:, 0], pts[:, 1], tags(waterway="river", name=f"Kali Sintetis {k + 1}"), "waterway_river", 50)
        for s in range(max(2, len(pts) // 12)):
            i0 = int(rng.integers(0, len(pts)))
            q = pts[i0].copy()
            h = rng.uniform(0, 2 * math.pi)
            sp = [q.copy()]
            for _ in range(int(rng.integers(8, 30))):
                h += rng.normal(0, 0.3)
                q = q + 150.0 * np.array([math.cos(h), math.sin(h)])
                sp.append(q.copy())
            sp = np.asarray(sp)
            kind = "stream" if s % 4 else ("canal" if s % 8 == 0 else "drain")
            add_line(sp[:, 0], sp[:, 1], tags(waterway=kind), f"waterway_{kind}", 40)

    # -- lakes, reservoir, protected area -----------------------------------------------------------
    water_polys = []

    def ring(cx, cy, rx, ry, k=24, rot=0.0, jitter=0.06):
        th = np.linspace(0, 2 * math.pi, k, endpoint=False)
        r = 1 + jitter * rng.standard_normal(k)
        x, y = rx * r * np.cos(th), ry * r * np.sin(th)
        return cx + x * math.cos(rot) - y * math.sin(rot), cy + x * math.sin(rot) + y * math.cos(rot)

    n_lakes = 2 + int(area_km2 / 1200)
    for k, (cx, cy) in enumerate(random_land_points(n_lakes + 1)):
        rx, ry = rng.uniform(300, 1200), rng.uniform(250, 700)
        x, y = ring(cx, cy, rx, ry, rot=rng.uniform(0, math.pi))
        water_polys.append(shapely.Polygon(np.column_stack([x, y])))
        ids = o.nodes(x, y)
        if k == 0:      # multipolygon lake with an island
            outer = o.way(list(ids) + [ids[0]], dict(base), "lake_member")
            ix, iy = ring(cx, cy, rx * 0.25, ry * 0.25, k=10)
            iid = o.nodes(ix, iy)
            inner = o.way(list(iid) + [iid[0]], dict(base), "lake_member")
            o.relation([("w", outer, "outer"), ("w", inner, "inner")],
                       tags(type="multipolygon", natural="water", water="lake", name="Danau Sintetis Berpulau"), "water_multipolygon")
        elif k == n_lakes:
            o.way(list(ids) + [ids[0]], tags(landuse="reservoir", name="Waduk Sintetis"), "water_reservoir")
        else:
            o.way(list(ids) + [ids[0]], tags(natural="water", water="lake", name=f"Ranu Sintetis {k}"), "water_lake")
    # protected area over the highest ground, with an enclave
    px = rng.uniform(xmin, xmax, 4000)
    py = rng.uniform(ymin, ymax, 4000)
    okp = on_land(px, py)
    px, py = px[okp], py[okp]
    e = elevation(px, py)
    top = int(np.argmax(e))
    pr = 0.07 * math.sqrt(B.area)
    ox, oy = ring(px[top], py[top], pr, pr * 0.8, k=32, rot=rng.uniform(0, math.pi), jitter=0.04)
    prot_poly = shapely.Polygon(np.column_stack([ox, oy]))
    oid = o.nodes(ox, oy)
    outer = o.way(list(oid) + [oid[0]], dict(base), "protected_member")
    hx, hy = ring(px[top] + 0.2 * pr, py[top], 0.15 * pr, 0.15 * pr, k=10)
    hole_poly = shapely.Polygon(np.column_stack([hx, hy]))
    hid = o.nodes(hx, hy)
    inner = o.way(list(hid) + [hid[0]], dict(base), "protected_member")
    o.relation([("w", outer, "outer"), ("w", inner, "inner")],
               tags(type="multipolygon", boundary="protected_area", protect_class=6, name="Hutan Lindung Sintetis",
                    protection_title="Hutan Lindung"), "protected_area")
    # a small nature reserve beside it, on land
    rcx, rcy = px[top] - 1.8 * pr, py[top]
    if not on_land(rcx, rcy):
        rcx, rcy = random_land_points(1)[0]
    nx_, ny_ = ring(rcx, rcy, 0.25 * pr, 0.2 * pr, k=12)
    nid = o.nodes(nx_, ny_)
    o.way(list(nid) + [nid[0]], tags(leisure="nature_reserve", name="Cagar Alam Sintetis"), "nature_reserve")

    # -- aerodrome, harbour ------------------------------------------------------------------------
    ang = rng.uniform(0, 2 * math.pi)
    ax, ay = towns[0] + 6000 * np.array([math.cos(ang), math.sin(ang)])
    if not on_land(ax, ay):
        ax, ay = random_land_points(1)[0]
    rx, ry = ring(ax, ay, 1300, 250, k=4, rot=ang, jitter=0.0)
    aid = o.nodes(rx, ry)
    o.way(list(aid) + [aid[0]], tags(aeroway="aerodrome", name="Bandara Sintetis", icao="ZZZZ", aerodrome="public"), "aerodrome")
    if coast_xy is not None:
        cx_, cy_ = coast_xy
        i = int(np.argmin(np.hypot(cx_ - towns[0][0], cy_ - towns[0][1])))
        o.node(cx_[i], cy_[i], tags(harbour="yes", name="Pelabuhan Sintetis", **{"seamark__type": "harbour"}), "harbour")
    else:
        rp = river_pts[0][len(river_pts[0]) // 2]
        o.node(rp[0], rp[1], tags(harbour="yes", name="Dermaga Sungai Sintetis"), "harbour")

    # -- land-use parcels on a shared lattice --------------------------------------------------------
    n_fixed = len(o.ways)
    n_tracks = int(0.04 * target)
    n_parcels = max(0, target - n_fixed - n_tracks)
    coverage = 0.8
    land_area = land.area
    cell = math.sqrt(land_area * coverage / max(n_parcels, 1)) if n_parcels else 1e9
    blocked = shapely.union_all(water_polys + [hole_poly]) if water_polys else hole_poly
    shapely.prepare(blocked)
    if n_parcels:
        nxc = int(W / cell) + 2
        nyc = int(H / cell) + 2
        lx = xmin + np.arange(nxc) * cell
        ly = ymin + np.arange(nyc) * cell
        LX, LY = np.meshgrid(lx, ly, indexing="ij")
        LX = LX + rng.uniform(-0.2, 0.2, LX.shape) * cell
        LY = LY + rng.uniform(-0.2, 0.2, LY.shape) * cell
        cx_ = (LX[:-1, :-1] + LX[1:, :-1] + LX[1:, 1:] + LX[:-1, 1:]) / 4
        cy_ = (LY[:-1, :-1] + LY[1:, :-1] + LY[1:, 1:] + LY[:-1, 1:]) / 4
        keep = on_land(cx_, cy_) & ~shapely.contains_xy(blocked, cx_, cy_)
        # corners too, so no parcel sticks out into the sea
        keep &= on_land(LX[:-1, :-1], LY[:-1, :-1]) & on_land(LX[1:, 1:], LY[1:, 1:]) & on_land(LX[1:, :-1], LY[1:, :-1]) & on_land(LX[:-1, 1:], LY[:-1, 1:])
        d_set, i_set = tree.query(np.column_stack([cx_.ravel(), cy_.ravel()]))
        keep &= (d_set > radius[i_set] * 1.15).reshape(cx_.shape)
        cand = np.flatnonzero(keep.ravel())
        if cand.size > n_parcels:
            cand = np.sort(rng.choice(cand, n_parcels, replace=False))
        ci, cj = np.unravel_index(cand, cx_.shape)
        ex, ey = cx_.ravel()[cand], cy_.ravel()[cand]
        e = elevation(ex, ey)
        er = np.argsort(np.argsort(e)) / max(len(e) - 1, 1)
        in_prot = shapely.contains_xy(prot_poly, ex, ey)
        d_town0 = np.hypot(ex - towns[0][0], ey - towns[0][1])
        # the industrial estate: parcels just outside the first town, on its inland side
        lc = land.centroid
        ind_ang = math.atan2(lc.y - towns[0][1], lc.x - towns[0][0])
        bearing = np.arctan2(ey - towns[0][1], ex - towns[0][0])
        in_ind = (d_town0 < radius[0] * 1.3 + 1500) & (np.cos(bearing - ind_ang) > 0.7)
        if in_ind.sum() < 8:      # a town at the edge of the area: take the parcels nearest to it
            in_ind = np.zeros(len(ex), bool)
            in_ind[np.argsort(d_town0)[:12]] = True
        u = rng.random(len(cand))
        corner_id = np.zeros(LX.shape, dtype=np.int64)
        used = np.zeros(LX.shape, dtype=bool)
        for di, dj in ((0, 0), (1, 0), (1, 1), (0, 1)):
            used[ci + di, cj + dj] = True
        corner_id[used] = o.nodes(LX[used], LY[used])
        # a shared, jittered vertex in the middle of every parcel edge (neighbours share it, as in OSM)
        h_used = np.zeros((LX.shape[0] - 1, LX.shape[1]), dtype=bool)     # edge (i, j) - (i + 1, j)
        v_used = np.zeros((LX.shape[0], LX.shape[1] - 1), dtype=bool)     # edge (i, j) - (i, j + 1)
        h_used[ci, cj] = h_used[ci, cj + 1] = True
        v_used[ci, cj] = v_used[ci + 1, cj] = True
        h_id = np.zeros(h_used.shape, dtype=np.int64)
        v_id = np.zeros(v_used.shape, dtype=np.int64)
        jit = 0.06 * cell
        h_id[h_used] = o.nodes(((LX[:-1] + LX[1:]) / 2)[h_used] + rng.normal(0, jit, h_used.sum()),
                               ((LY[:-1] + LY[1:]) / 2)[h_used] + rng.normal(0, jit, h_used.sum()))
        v_id[v_used] = o.nodes(((LX[:, :-1] + LX[:, 1:]) / 2)[v_used] + rng.normal(0, jit, v_used.sum()),
                               ((LY[:, :-1] + LY[:, 1:]) / 2)[v_used] + rng.normal(0, jit, v_used.sum()))
        quarry_done = False
        crops_dry = ["maize", "cassava", "soy", None, None]
        crops_pl = ["sugarcane", "tobacco", "coffee"]
        for k in range(len(cand)):
            i, j = ci[k], cj[k]
            ids = [corner_id[i, j], h_id[i, j], corner_id[i + 1, j], v_id[i + 1, j], corner_id[i + 1, j + 1],
                   h_id[i, j + 1], corner_id[i, j + 1], v_id[i, j], corner_id[i, j]]
            r, uu = er[k], u[k]
            if in_ind[k] and not in_prot[k] and uu < 0.6:
                t_, key = tags(landuse="industrial", name="Kawasan Industri Sintetis" if uu < 0.1 else None), "landuse_industrial"
            elif in_prot[k] or r > 0.84:
                t_ = tags(landuse="forest") if uu < 0.7 else tags(natural="wood")
                if not quarry_done and not in_prot[k] and uu > 0.995:
                    t_, quarry_done = tags(landuse="quarry", resource="sand"), True
                key = "landuse_forest"
            elif r > 0.73:
                if uu < 0.3:
                    t_ = tags(landuse="orchard")
                elif uu < 0.45:
                    t_ = tags(landuse="plantation")
                else:
                    t_ = tags(landuse="farmland", crop=crops_pl[int(uu * 100) % 3])
                key = "landuse_plantation"
            elif r > 0.65:
                t_ = tags(natural="scrub") if uu < 0.6 else (tags(natural="grassland") if uu < 0.8 else tags(landuse="meadow"))
                key = "landuse_shrub"
            elif r > 0.36:
                t_ = tags(landuse="farmland", crop=crops_dry[int(uu * 100) % 5]) if uu < 0.93 else tags(landuse="farmyard")
                key = "landuse_dry"
            else:
                t_ = tags(landuse="farmland", crop="rice") if uu < 0.7 else tags(landuse="paddy")
                key = "landuse_rice"
            o.way(ids, t_, key)
        if not quarry_done and len(cand):
            k = int(np.argmax(er))   # no quarry drawn among the forest cells: add one as its own small polygon
            qx, qy = ring(ex[k], ey[k], 0.3 * cell, 0.3 * cell, k=6)
            qid = o.nodes(qx, qy)
            o.way(list(qid) + [qid[0]], tags(landuse="quarry", resource="sand"), "landuse_quarry")

    # -- tracks: fill up to the target ------------------------------------------------------------
    missing = max(0, target - len(o.ways))
    starts = random_land_points(missing) if missing else np.zeros((0, 2))
    for (x0, y0) in starts:
        n = int(rng.integers(3, 7))
        h = rng.uniform(0, 2 * math.pi) + np.cumsum(rng.normal(0, 0.3, n - 1))
        x = np.r_[x0, x0 + np.cumsum(120 * np.cos(h))]
        y = np.r_[y0, y0 + np.cumsum(120 * np.sin(h))]
        ids = o.nodes(x, y)
        o.way(ids, tags(highway="track", tracktype=f"grade{int(rng.integers(1, 6))}"), "road_track")

    # -- toll road with junctions, power lines (their own random stream: the features above do not move) ----
    rng2 = np.random.default_rng([seed, 17])

    def straight(p0, p1, step):
        n = max(2, int(np.hypot(*(p1 - p0)) / step) + 1)
        t = np.linspace(0, 1, n)[:, None]
        pts = p0 + (p1 - p0) * t
        return pts[:, 0] + rng2.normal(0, 15.0, n), pts[:, 1] + rng2.normal(0, 15.0, n)

    x, y = straight(np.array([xmin - 500, ymin + 0.35 * H]), np.array([xmax + 500, ymin + 0.45 * H]), 300.0)
    for a, b in _runs(on_land(x, y)):
        if b - a < 6:
            continue
        ids = o.nodes(x[a:b], y[a:b])
        for k, nid in enumerate(ids[2:-2:max(3, (b - a) // 3)], start=1):
            o.node_tags[int(nid)] = tags(highway="motorway_junction", ref=str(k), name=f"Simpang Susun Sintetis {k}")
            o.counts["toll_junction"] = o.counts.get("toll_junction", 0) + 1
        for chunk in _split(ids, 60):
            o.way(chunk, tags(highway="motorway", toll="yes", ref="TOL 1", name="Jalan Tol Sintetis"), "road_motorway")
    for voltage, power, y0, y1 in ((150000, "line", 0.15, 0.85), (20000, "minor_line", 0.8, 0.2)):
        x, y = straight(np.array([xmin + 0.2 * W, ymin + y0 * H]), np.array([xmin + 0.8 * W, ymin + y1 * H]), 350.0)
        add_line(x, y, tags(power=power, voltage=voltage, name=f"Saluran {voltage // 1000} kV Sintetis"),
                 f"power_{power}", 40)

    # -- write ------------------------------------------------------------------------------------
    xs = np.concatenate(o.xs)
    ys = np.concatenate(o.ys)
    lon, lat = fr.to_deg(xs, ys)
    lon = np.round(lon, 7)
    lat = np.round(lat, 7)
    header = osmium.io.Header()
    header.set("generator", GENERATOR)
    header.set("note", f"{NOTE}; seed {seed}; not OpenStreetMap data")
    b = boundary.bounds
    header.add_box(osmium.osm.Box(osmium.osm.Location(b[0], b[1]), osmium.osm.Location(b[2], b[3])))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{seed}-{int(time.time() * 1e6) % 10**8}.osm.pbf")
    empty: dict = {}
    try:
        with osmium.SimpleWriter(str(tmp), header=header, overwrite=True) as w:
            add_node = w.add_node
            node_tags = o.node_tags
            for i, (x, y) in enumerate(zip(lon.tolist(), lat.tolist()), start=1):
                add_node(Node(id=i, version=1, location=(x, y), tags=node_tags.get(i, empty)))
            add_way = w.add_way
            for i, (ids, t_) in enumerate(o.ways, start=1):
                add_way(Way(id=i, version=1, nodes=ids, tags=t_))
            for i, (members, t_) in enumerate(o.relations, start=1):
                w.add_relation(Relation(id=i, version=1, members=members, tags=t_))
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return {
        "path": str(path),
        "seed": seed,
        "synthetic": True,
        "note": NOTE,
        "ways": len(o.ways),
        "nodes": int(xs.size),
        "relations": len(o.relations),
        "bytes": path.stat().st_size,
        "seconds": round(time.perf_counter() - t0, 2),
        "area_km2": round(area_km2, 1),
        "sea_side": sea_side,
        "coastline": "given" if coastline is not None else ("generated" if coast_parts else None),
        "target_ways": target,
        "by_kind": dict(sorted(o.counts.items())),
    }
