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
        """Lon/lat (degrees) to metres east and north of the centre."""
        return (np.asarray(lon) - self.lon0) * self.kx, (np.asarray(lat) - self.lat0) * _M_PER_DEG_LAT

    def to_deg(self, x, y):
        """Metres east and north of the centre to lon/lat (degrees)."""
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
        """Untagged nodes at metre coordinates; their ids, consecutive from the next free one."""
        x = np.asarray(x, dtype="float64").ravel()
        y = np.asarray(y, dtype="float64").ravel()
        ids = np.arange(self.n_nodes + 1, self.n_nodes + 1 + x.size, dtype=np.int64)
        self.xs.append(x)
        self.ys.append(y)
        self.n_nodes += x.size
        return ids

    def node(self, x: float, y: float, tags: dict, count: str) -> int:
        """One tagged node (a feature: place, harbour), counted under ``count``; its id."""
        nid = int(self.nodes([x], [y])[0])
        self.node_tags[nid] = tags
        self.counts[count] = self.counts.get(count, 0) + 1
        return nid

    def way(self, ids, tags: dict, count: str) -> int:
        """A way through node ``ids`` (none for fewer than 2), counted under ``count``; its id (0 when none)."""
        ids = [int(i) for i in ids]
        if len(ids) < 2:
            return 0
        self.ways.append((ids, tags))
        self.counts[count] = self.counts.get(count, 0) + 1
        return len(self.ways)

    def tag_node(self, nid, tags: dict, count: str) -> None:
        """Tag an existing node (a way's vertex that is also a feature, e.g. a motorway junction)."""
        self.node_tags[int(nid)] = tags
        self.counts[count] = self.counts.get(count, 0) + 1

    def relation(self, members, tags: dict, count: str) -> int:
        """A relation of (type, id, role) members, counted under ``count``; its id."""
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



_BASE = {"note": NOTE}
STREET_SPACING = 75.0     # metres between the crossings of a settlement's street grid
_SIDE_DIRECTION = {"north": (0, 1), "south": (0, -1), "east": (1, 0), "west": (-1, 0)}
_SIDE_FAR_EDGE = {"north": 0, "south": 2, "east": 3, "west": 1}     # edge_point's side opposite the sea
_CROPS_DRY = ["maize", "cassava", "soy", None, None]
_CROPS_PLANTATION = ["sugarcane", "tobacco", "coffee"]


def _polygon(x, y) -> shapely.Polygon:
    """A polygon from vertex coordinate arrays."""
    return shapely.Polygon(np.column_stack([x, y]))


def _tags(**kw) -> dict:
    """OSM tags from keywords (``seamark__type`` becomes ``seamark:type``, None left out), then the SYNTHETIC note."""
    d = {k.replace("__", ":"): str(v) for k, v in kw.items() if v is not None}
    d.update(_BASE)
    return d


def _member_tags() -> dict:
    """Tags of a multipolygon member way: only the SYNTHETIC note (the relation carries the feature's tags)."""
    return dict(_BASE)


def _check_arguments(boundary, sea_side, coastline) -> None:
    """Raise InputError naming the argument when the boundary, ``sea_side`` or ``coastline`` cannot be used."""
    if not isinstance(boundary, (shapely.Polygon, shapely.MultiPolygon)) or boundary.is_empty:
        raise InputError(Message("demo.err.osm_fixture.expected_non_empty_shapely", got=str(boundary)[:80]),
                         field="boundary")
    b = boundary.bounds
    if b[0] < -180 or b[2] > 180 or b[1] < -90 or b[3] > 90:
        raise InputError(Message("demo.err.osm_fixture.bounds_are_longitude_latitude",
                                 bounds=tuple((round(v, 3) for v in b))),
                         field="boundary")
    if sea_side is not None and sea_side not in SEA_SIDES:
        raise InputError(Message("demo.err.osm_fixture.expected_one_none_got", sides=', '.join(SEA_SIDES),
                                 sea_side=sea_side), field="sea_side")
    if coastline is not None:
        if sea_side is not None:
            raise InputError(Message("demo.err.osm_fixture.give_either_sea_side"), field="coastline")
        if not isinstance(coastline, (shapely.LineString, shapely.MultiLineString)) or coastline.is_empty:
            raise InputError(Message("demo.err.osm_fixture.expected_shapely_linestring_multilinestring",
                                     got=str(coastline)[:80]),
                             field="coastline")


def _parcel_tags(r: float, uu: float, industrial: bool, protected: bool, quarry_done: bool):
    """Tags, count key and the updated ``quarry_done`` of one land-use parcel.

    ``r`` is the parcel's elevation rank in [0, 1] (0 the lowest parcel), ``uu`` a uniform draw in [0, 1).
    By rank, as on a Javanese slope from the coastal plain up: rice below 0.36, dry fields and farmyards to 0.65,
    scrub, grassland and meadow to 0.73, orchards and plantations to 0.84, forest and wood above (and everywhere
    in the protected area). Next to the first town 60 % of the parcels are the industrial estate; one forest
    parcel outside the protected area may be a sand quarry (``uu > 0.995``), still counted as forest.
    """
    if industrial and not protected and uu < 0.6:
        return (_tags(landuse="industrial", name="Kawasan Industri Sintetis" if uu < 0.1 else None),
                "landuse_industrial", quarry_done)
    if protected or r > 0.84:
        if not quarry_done and not protected and uu > 0.995:
            return _tags(landuse="quarry", resource="sand"), "landuse_forest", True
        return (_tags(landuse="forest") if uu < 0.7 else _tags(natural="wood")), "landuse_forest", quarry_done
    if r > 0.73:
        if uu < 0.3:
            t_ = _tags(landuse="orchard")
        elif uu < 0.45:
            t_ = _tags(landuse="plantation")
        else:
            t_ = _tags(landuse="farmland", crop=_CROPS_PLANTATION[int(uu * 100) % 3])
        return t_, "landuse_plantation", quarry_done
    if r > 0.65:
        if uu < 0.6:
            t_ = _tags(natural="scrub")
        else:
            t_ = _tags(natural="grassland") if uu < 0.8 else _tags(landuse="meadow")
        return t_, "landuse_shrub", quarry_done
    if r > 0.36:
        t_ = _tags(landuse="farmland", crop=_CROPS_DRY[int(uu * 100) % 5]) if uu < 0.93 else _tags(landuse="farmyard")
        return t_, "landuse_dry", quarry_done
    t_ = _tags(landuse="farmland", crop="rice") if uu < 0.7 else _tags(landuse="paddy")
    return t_, "landuse_rice", quarry_done


class _SyntheticRegency:
    """The drawing of one SYNTHETIC regency: the metric frame, the random stream and the OSM collector.

    Each ``draw_*`` method adds one family of features. They take their random numbers from the one stream
    ``rng`` in the order :meth:`draw` calls them, so that order (and the order of the draws inside each
    method) IS the fixture: moving a draw changes every file a seed gives (tests/test_osm_fixture_stable.py).
    """

    def __init__(self, boundary, seed: int, target_ways: int | None):
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        c = boundary.centroid
        self.frame = _Frame(c.x, c.y)
        B = shapely.transform(boundary, self._to_m)
        self.B = shapely.make_valid(B) if not B.is_valid else B
        self.xmin, self.ymin, self.xmax, self.ymax = self.B.bounds
        self.W, self.H = self.xmax - self.xmin, self.ymax - self.ymin
        self.area_km2 = self.B.area / 1e6
        self.target = int(target_ways if target_ways is not None else max(500, round(WAYS_PER_KM2 * self.area_km2)))
        self.osm = _Osm()
        self.land = self.B
        self.sea_side: str | None = None
        self.coast_parts: list = []
        self.coast_xy = None

    def _to_m(self, xy: np.ndarray) -> np.ndarray:
        """Lon/lat coordinate rows to metre rows of the local frame (for shapely.transform)."""
        return np.column_stack(self.frame.to_m(xy[:, 0], xy[:, 1]))

    def draw(self, sea_side: str | None, coast_fraction: float, coastline, boundary) -> None:
        """Every feature family, in the order of their random draws (see the class docstring)."""
        self.cut_sea(sea_side, coast_fraction, coastline, boundary)
        self.draw_coastline()
        self.field_seed = int(self.rng.integers(1 << 31))
        self.place_settlements()
        self.draw_place_nodes()
        self.draw_hamlets()
        self.draw_settlement_streets()
        self.draw_arterials()
        self.draw_collectors()
        self.draw_railway()
        self.draw_rivers()
        self.draw_lakes()
        self.draw_protected_area()
        self.draw_nature_reserve()
        self.draw_aerodrome()
        self.draw_harbour()
        self.draw_land_use()
        self.draw_tracks()
        self.draw_toll_road_and_power_lines()

    # -- sea and coastline ------------------------------------------------------------------------
    def cut_sea(self, sea_side, coast_fraction: float, coastline, boundary) -> None:
        """Take the sea off the land: beyond the given ``coastline``, or beyond a generated one on ``sea_side``."""
        self.sea_side = sea_side
        if coastline is not None:
            self._sea_beyond_coastline(coastline, boundary)
        elif sea_side:
            self._sea_beyond_generated_coast(sea_side, coast_fraction)

    def _sea_beyond_coastline(self, coastline, boundary) -> None:
        """The sea right of a given coastline (OSM convention, derived as extract_osm does); the side it lies on."""
        import geopandas as gpd

        from kawasan.spatial.ingest.osm_sea import derive_sea

        bb = boundary.bounds
        pad = 0.002 + 0.01 * max(bb[2] - bb[0], bb[3] - bb[1])      # the boundary's box, a little larger
        frame = shapely.box(bb[0] - pad, bb[1] - pad, bb[2] + pad, bb[3] + pad)
        sea_deg, _ = derive_sea(gpd.GeoDataFrame(geometry=[coastline], crs="EPSG:4326"), frame)
        if sea_deg.empty:
            raise InputError(Message("demo.err.osm_fixture.coastline_leaves_sea_next"), field="coastline")
        sea_poly = shapely.make_valid(shapely.transform(sea_deg.geometry.iloc[0], self._to_m))
        for part in shapely.get_parts(shapely.line_merge(coastline)):
            c_m = shapely.get_coordinates(shapely.segmentize(shapely.transform(part, self._to_m), 300.0))
            self.coast_parts.append((c_m[:, 0], c_m[:, 1]))
        # which side the sea is on, for the rivers and the "elevation" gradient
        sc, bc = sea_poly.centroid, self.B.centroid
        dx, dy = sc.x - bc.x, sc.y - bc.y
        self.sea_side = ("north" if dy > 0 else "south") if abs(dy) >= abs(dx) else ("east" if dx > 0 else "west")
        self.land = shapely.difference(self.B, sea_poly)

    def _sea_beyond_generated_coast(self, sea_side: str, coast_fraction: float) -> None:
        """A wavy coast ``coast_fraction`` of the extent in from ``sea_side`` (300 m vertices, land on its left)."""
        if sea_side in ("north", "south"):
            xs, ys, sea_poly = self._coast_across_north_south(sea_side, coast_fraction)
        else:
            xs, ys, sea_poly = self._coast_across_east_west(sea_side, coast_fraction)
        self.coast_xy = (xs, ys)
        sea_poly = shapely.make_valid(sea_poly)
        self.land = shapely.difference(self.B, sea_poly)
        self.coast_parts.append(self.coast_xy)

    def _coast_across_north_south(self, sea_side: str, coast_fraction: float):
        """A coast running east-west: its vertices (land on the left) and the sea polygon beyond it."""
        xmin, ymin, xmax, ymax, W, H, m = self.xmin, self.ymin, self.xmax, self.ymax, self.W, self.H, 2000.0
        xs = np.arange(xmin - m, xmax + m + 300, 300.0)
        wave = self._coast_wave(xs, 0.02 * H, W)
        if sea_side == "north":
            ys = ymax - coast_fraction * H + wave
            xs, ys = xs[::-1], ys[::-1]               # walking west: land (south) on the left
            sea_poly = _polygon(np.r_[xs, xs[-1], xs[0]], np.r_[ys, ymax + 10 * m, ymax + 10 * m])
        else:
            ys = ymin + coast_fraction * H + wave     # walking east: land (north) on the left
            sea_poly = _polygon(np.r_[xs, xs[-1], xs[0]], np.r_[ys, ymin - 10 * m, ymin - 10 * m])
        return xs, ys, sea_poly

    def _coast_across_east_west(self, sea_side: str, coast_fraction: float):
        """A coast running north-south: its vertices (land on the left) and the sea polygon beyond it."""
        xmin, ymin, xmax, ymax, W, H, m = self.xmin, self.ymin, self.xmax, self.ymax, self.W, self.H, 2000.0
        ys = np.arange(ymin - m, ymax + m + 300, 300.0)
        wave = self._coast_wave(ys, 0.02 * W, H)
        if sea_side == "east":
            xs = xmax - coast_fraction * W + wave     # walking north: land (west) on the left
            sea_poly = _polygon(np.r_[xs, xmax + 10 * m, xmax + 10 * m], np.r_[ys, ys[-1], ys[0]])
        else:
            xs = xmin + coast_fraction * W + wave
            xs, ys = xs[::-1], ys[::-1]               # walking south: land (east) on the left
            sea_poly = _polygon(np.r_[xs, xmin - 10 * m, xmin - 10 * m], np.r_[ys, ys[-1], ys[0]])
        return xs, ys, sea_poly

    def _coast_wave(self, along: np.ndarray, amplitude: float, length: float) -> np.ndarray:
        """The coast's offset at each vertex: a sine of ``amplitude`` with three waves over ``length`` (random
        phase), plus 25 m of noise per vertex."""
        phase = self.rng.uniform(0, 6)
        return amplitude * np.sin(along / (length / 3 + 1) * 2 * math.pi + phase) + self.rng.normal(0, 25, along.size)

    def draw_coastline(self) -> None:
        """natural=coastline ways (up to 200 nodes each) along every coast part; then the land is ready to query."""
        for xs_, ys_ in self.coast_parts:
            ids = self.osm.nodes(xs_, ys_)
            for chunk in _split(ids, 200):
                self.osm.way(chunk, _tags(natural="coastline"), "coastline")
        if self.coast_parts:
            self.coast_xy = (np.concatenate([p[0] for p in self.coast_parts]),
                             np.concatenate([p[1] for p in self.coast_parts]))
        shapely.prepare(self.land)

    # -- where things may go ------------------------------------------------------------------------
    def on_land(self, x, y):
        """True where a metre point lies on the land (inside the boundary, off the sea)."""
        return shapely.contains_xy(self.land, x, y)

    def random_land_points(self, n: int, min_dist: float = 0.0) -> np.ndarray:
        """Up to ``n`` uniform random points on land, at least ``min_dist`` apart (batches of >= 64, 200 tries)."""
        pts = []
        tries = 0
        while len(pts) < n and tries < 200:
            tries += 1
            k = max(64, 4 * (n - len(pts)))
            x = self.rng.uniform(self.xmin, self.xmax, k)
            y = self.rng.uniform(self.ymin, self.ymax, k)
            ok = self.on_land(x, y)
            for xi, yi in zip(x[ok], y[ok]):
                if min_dist and pts:
                    p = np.asarray(pts)
                    if np.min(np.hypot(p[:, 0] - xi, p[:, 1] - yi)) < min_dist:
                        continue
                pts.append((xi, yi))
                if len(pts) >= n:
                    break
        return np.asarray(pts, dtype="float64").reshape(-1, 2)

    def inland(self, x, y):
        """Distance from the sea side, 0 at the coast .. 1 at the far edge (0.5 everywhere without a sea)."""
        if self.sea_side == "north":
            return np.clip((self.ymax - y) / self.H, 0, 1)
        if self.sea_side == "south":
            return np.clip((y - self.ymin) / self.H, 0, 1)
        if self.sea_side == "east":
            return np.clip((self.xmax - x) / self.W, 0, 1)
        if self.sea_side == "west":
            return np.clip((x - self.xmin) / self.W, 0, 1)
        return np.full(np.shape(x), 0.5)

    def elevation(self, x, y):
        """A made-up elevation in [0, 1]: 0.55 smooth noise + 0.45 :meth:`inland` (only noise without a sea).

        The noise has its own seed (``field_seed``, one draw), so evaluating it takes nothing from ``rng``.
        """
        n = _noise(np.random.default_rng(self.field_seed), np.asarray(x, float), np.asarray(y, float),
                   max(self.W, self.H))
        return 0.55 * n + 0.45 * self.inland(x, y) if self.sea_side else n

    def edge_point(self, side: int) -> np.ndarray:
        """A random point 500 m outside the area's box: side 0 south, 1 east, 2 north, 3 west."""
        if side == 0:
            return np.array([self.rng.uniform(self.xmin, self.xmax), self.ymin - 500])
        if side == 1:
            return np.array([self.xmax + 500, self.rng.uniform(self.ymin, self.ymax)])
        if side == 2:
            return np.array([self.rng.uniform(self.xmin, self.xmax), self.ymax + 500])
        return np.array([self.xmin - 500, self.rng.uniform(self.ymin, self.ymax)])

    # -- line and ring shapes -----------------------------------------------------------------------
    def polyline(self, p0, p1, step: float, jitter: float):
        """A road-like line p0 -> p1: vertices every ``step`` m, offset sideways by a random walk
        (sd ``jitter`` per step) pinned to zero at both ends."""
        d = np.hypot(*(p1 - p0))
        n = max(2, int(d / step) + 1)
        t = np.linspace(0, 1, n)
        x = p0[0] + (p1[0] - p0[0]) * t
        y = p0[1] + (p1[1] - p0[1]) * t
        nx, ny = -(p1[1] - p0[1]) / max(d, 1), (p1[0] - p0[0]) / max(d, 1)
        off = np.cumsum(self.rng.normal(0, jitter, n))
        off -= np.linspace(off[0], off[-1], n)
        return x + nx * off, y + ny * off

    def add_line(self, x, y, tagd: dict, count: str, max_nodes: int) -> int:
        """Ways along the on-land runs of a line (runs of one vertex dropped), ``max_nodes`` per way; how many."""
        ok = self.on_land(x, y)
        n = 0
        for a, b in _runs(ok):
            if b - a < 2:
                continue
            ids = self.osm.nodes(x[a:b], y[a:b])
            for chunk in _split(ids, max_nodes):
                self.osm.way(chunk, tagd, count)
                n += 1
        return n

    def ring(self, cx, cy, rx, ry, k: int = 24, rot: float = 0.0, jitter: float = 0.06):
        """``k`` vertices of an ellipse (radii rx, ry, turned by ``rot``) with radial noise of sd ``jitter``.

        The k normal draws are taken even with jitter 0, so a ring always uses the same share of ``rng``.
        """
        th = np.linspace(0, 2 * math.pi, k, endpoint=False)
        r = 1 + jitter * self.rng.standard_normal(k)
        x, y = rx * r * np.cos(th), ry * r * np.sin(th)
        return cx + x * math.cos(rot) - y * math.sin(rot), cy + x * math.sin(rot) + y * math.cos(rot)

    def closed_way(self, x, y, tagd: dict, count: str) -> int:
        """New nodes at (x, y) and a closed way through them (first node repeated at the end)."""
        ids = self.osm.nodes(x, y)
        return self.osm.way(list(ids) + [ids[0]], tagd, count)

    # -- settlements ---------------------------------------------------------------------------------
    def place_settlements(self) -> None:
        """Towns (one per ~1,500 km², spread apart) and villages (one per ~8 km², >= 1.2 km apart), and each
        one's street-grid size: towns weigh 14, villages lognormal(0, 0.45), sharing 52 % of the target ways."""
        n_towns = max(1, int(round(self.area_km2 / 1500)))
        self.n_villages = max(3, int(self.area_km2 / 8))
        towns = self.random_land_points(n_towns, min_dist=0.3 * min(self.W, self.H) if n_towns > 1 else 0)
        if towns.size == 0:
            raise InputError(Message("demo.err.osm_fixture.boundary_leaves_land_fill"), field="boundary")
        villages = self.random_land_points(self.n_villages, min_dist=1200.0)
        self.towns = towns
        self.settle_xy = np.vstack([towns, villages])
        self.is_town = np.r_[np.ones(len(towns), bool), np.zeros(len(villages), bool)]
        weight = np.where(self.is_town, 14.0, self.rng.lognormal(0.0, 0.45, len(self.settle_xy)))
        n_local_target = int(0.52 * self.target)
        self.k_ways = np.maximum(6, (weight / weight.sum() * n_local_target)).astype(int)
        self.radius = np.sqrt(self.k_ways) * STREET_SPACING / 2 * 1.25

    def draw_place_nodes(self) -> None:
        """place=town / place=village nodes with a name and a population at every settlement."""
        for i, (x, y) in enumerate(self.settle_xy):
            if self.is_town[i]:
                self.osm.node(x, y, _tags(place="town", name=f"Kota Sintetis {i + 1}",
                                          population=int(self.rng.integers(40_000, 160_000))), "place_town")
            else:
                self.osm.node(x, y, _tags(place="village", name=f"Desa Sintetis {i:03d}",
                                          population=int(self.rng.integers(1_500, 9_000))), "place_village")

    def draw_hamlets(self) -> None:
        """place=hamlet nodes (1.5 per village) at random land points: named places without streets."""
        for j, (x, y) in enumerate(self.random_land_points(int(self.n_villages * 1.5))):
            self.osm.node(x, y, _tags(place="hamlet", name=f"Dusun Sintetis {j:03d}",
                                      population=int(self.rng.integers(150, 900))), "place_hamlet")

    def draw_settlement_streets(self) -> None:
        """In every settlement, a grid of local streets and a landuse=residential polygon around it."""
        for i, (cx, cy) in enumerate(self.settle_xy):
            gx, gy, inside = self._street_grid(i, cx, cy)
            if inside.sum() < 4:
                continue
            grid_id = np.zeros(gx.shape, dtype=np.int64)
            grid_id[inside] = self.osm.nodes(gx[inside], gy[inside])
            for axis in (0, 1):
                ids_ax = grid_id if axis == 0 else grid_id.T
                x_ax, y_ax = (gx, gy) if axis == 0 else (gx.T, gy.T)
                mid = self._street_bends(ids_ax, x_ax, y_ax)
                self._street_ways(i, ids_ax, mid)
            self._residential_ring(i, cx, cy)

    def _street_grid(self, i: int, cx: float, cy: float):
        """Crossings of settlement ``i``: a square lattice (75 m, random orientation, 10 m jitter) centred on it;
        ``inside`` marks the crossings within its radius and on land."""
        m_lines = max(3, int(round(math.sqrt(self.k_ways[i]))))
        ang = self.rng.uniform(0, math.pi / 2)
        ca, sa = math.cos(ang), math.sin(ang)
        g = (np.arange(m_lines) - (m_lines - 1) / 2) * STREET_SPACING
        gu, gv = np.meshgrid(g, g, indexing="ij")
        gu = gu + self.rng.normal(0, 10, gu.shape)
        gv = gv + self.rng.normal(0, 10, gv.shape)
        gx, gy = cx + gu * ca - gv * sa, cy + gu * sa + gv * ca
        inside = (np.hypot(gu, gv) <= self.radius[i]) & self.on_land(gx, gy)
        return gx, gy, inside

    def _street_bends(self, ids_ax: np.ndarray, x_ax: np.ndarray, y_ax: np.ndarray) -> np.ndarray:
        """STREET_BENDS unshared vertices (4 m jitter) along every block edge between two crossings along axis 0:
        streets are not ruler-straight. Node ids by [row, column, bend], 0 where there is no edge."""
        both = (ids_ax[:-1] > 0) & (ids_ax[1:] > 0)
        t = (np.arange(1, STREET_BENDS + 1) / (STREET_BENDS + 1))[None, :]
        ex_, ey_ = x_ax[:-1][both], y_ax[:-1][both]
        dx_, dy_ = x_ax[1:][both] - ex_, y_ax[1:][both] - ey_
        mid = np.zeros(both.shape + (STREET_BENDS,), dtype=np.int64)
        if both.any():
            bx = ex_[:, None] + dx_[:, None] * t + self.rng.normal(0, 4, (ex_.size, STREET_BENDS))
            by = ey_[:, None] + dy_[:, None] * t + self.rng.normal(0, 4, (ex_.size, STREET_BENDS))
            mid[both] = self.osm.nodes(bx, by).reshape(-1, STREET_BENDS)
        return mid

    def _street_ways(self, i: int, ids_ax: np.ndarray, mid: np.ndarray) -> None:
        """Along each grid line, ways of 1 to 3 blocks: residential 72 %, service 20 %, living_street 8 %;
        30 % named."""
        for c in range(ids_ax.shape[1]):
            col_ids = ids_ax[:, c]
            for a, b in _runs(col_ids > 0):
                for chunk in _split(np.arange(a, b), 4, self.rng, 2):
                    nodes = [int(col_ids[chunk[0]])]
                    for q in chunk[:-1]:
                        nodes.extend(mid[q, c].tolist())
                        nodes.append(int(col_ids[q + 1]))
                    r = self.rng.random()
                    hw = "residential" if r < 0.72 else ("service" if r < 0.92 else "living_street")
                    name = f"Jalan Sintetis {i}-{len(self.osm.ways)}" if self.rng.random() < 0.3 else None
                    self.osm.way(nodes, _tags(highway=hw, name=name), "road_local")

    def _residential_ring(self, i: int, cx: float, cy: float) -> None:
        """landuse=residential: 20 vertices at 1.05 x the settlement's radius (8 % noise)."""
        k = 20
        th = np.linspace(0, 2 * math.pi, k, endpoint=False)
        rr = self.radius[i] * (1.05 + 0.08 * self.rng.standard_normal(k))
        px, py = cx + rr * np.cos(th), cy + rr * np.sin(th)
        name = ("Kota" if self.is_town[i] else "Desa") + f" Sintetis {i:03d}"
        self.closed_way(px, py, _tags(landuse="residential", name=name), "landuse_residential")

    # -- roads between settlements, railway -------------------------------------------------------------
    def draw_arterials(self) -> None:
        """Trunk/primary roads crossing the area edge to edge through a town (2 + 1 per 2,000 km²);
        the second carries the national ref AH 2."""
        n_art = 2 + int(self.area_km2 / 2000)
        for k in range(n_art):
            tw = self.towns[k % len(self.towns)]
            s0 = k % 4
            a, b = self.edge_point(s0), self.edge_point((s0 + 2) % 4)
            hw = "trunk" if k == 0 else "primary"
            for p0, p1 in ((a, tw), (tw, b)):
                x, y = self.polyline(p0, p1, 250.0, 40.0)
                ref = "AH 2" if k == 1 else f"SYN {k + 1}"   # one primary road is national by its ref
                self.add_line(x, y, _tags(highway=hw, ref=ref, name=f"Jalan Raya Sintetis {k + 1}"),
                              "road_arterial", 60)

    def draw_collectors(self) -> None:
        """Secondary/tertiary roads: every village towards a settlement nearer to its town (a tree rooted at
        the towns); secondary for 40 % of those within a quarter of the extent from the town."""
        from scipy.spatial import cKDTree

        settle_xy, towns = self.settle_xy, self.towns
        self.tree = cKDTree(settle_xy)
        nearest_town = np.argmin(np.hypot(settle_xy[:, None, 0] - towns[None, :, 0],
                                          settle_xy[:, None, 1] - towns[None, :, 1]), axis=1)
        d_town = np.hypot(settle_xy[:, 0] - towns[nearest_town, 0], settle_xy[:, 1] - towns[nearest_town, 1])
        for i in np.flatnonzero(~self.is_town):
            _, cand = self.tree.query(settle_xy[i], k=min(8, len(settle_xy)))
            closer = [j for j in np.atleast_1d(cand) if j != i and d_town[j] < d_town[i]]
            j = closer[0] if closer else int(nearest_town[i])
            x, y = self.polyline(settle_xy[i], settle_xy[j], 200.0, 25.0)
            hw = "secondary" if d_town[i] < 0.25 * max(self.W, self.H) and self.rng.random() < 0.4 else "tertiary"
            self.add_line(x, y, _tags(highway=hw, name=f"Jalan Sintetis Desa {i:03d}"), "road_collector", 40)

    def draw_railway(self) -> None:
        """A railway (Cape gauge, 1,067 mm) from the west edge through the first town to the east edge."""
        a, b = self.edge_point(3), self.edge_point(1)
        for p0, p1 in ((a, self.towns[0]), (self.towns[0], b)):
            x, y = self.polyline(p0, p1, 300.0, 30.0)
            self.add_line(x, y, _tags(railway="rail", name="Jalur Kereta Sintetis", gauge=1067), "railway", 80)

    # -- rivers and streams --------------------------------------------------------------------------------
    def draw_rivers(self) -> None:
        """Rivers (3 + 1 per 1,000 km²) flowing to the sea (or across the area without one), each with streams,
        canals and drains branching off it."""
        n_rivers = 3 + int(self.area_km2 / 1000)
        self.river_pts = []
        for k in range(n_rivers):
            p, direction = self._river_source()
            pts = self._river_course(p, direction)
            self.river_pts.append(pts)
            self.add_line(pts[:, 0], pts[:, 1], _tags(waterway="river", name=f"Kali Sintetis {k + 1}"),
                          "waterway_river", 50)
            self._draw_streams(pts)

    def _river_source(self):
        """Where a river starts and the direction it flows: from near the edge opposite the sea towards it,
        or from a random land point in a random direction."""
        if self.sea_side:
            direction = _SIDE_DIRECTION[self.sea_side]
            p = self.edge_point(_SIDE_FAR_EDGE[self.sea_side])
            p = np.array([np.clip(p[0], self.xmin + 0.05 * self.W, self.xmax - 0.05 * self.W),
                          np.clip(p[1], self.ymin + 0.05 * self.H, self.ymax - 0.05 * self.H)])
            p = p + np.array(direction) * 0.02 * max(self.W, self.H)
        else:
            p = self.random_land_points(1)[0]
            ang0 = self.rng.uniform(0, 2 * math.pi)
            direction = (math.cos(ang0), math.sin(ang0))
        return p, direction

    def _river_course(self, p, direction) -> np.ndarray:
        """A meandering course in 250 m steps (heading noise 0.25 rad, pulled 15 % back towards ``direction``),
        until it leaves the area's box (+1 km) or, after 10 steps, reaches the sea."""
        heading = math.atan2(direction[1], direction[0])
        target_h = math.atan2(direction[1], direction[0])
        pts = [p.copy()]
        for _ in range(int(2.5 * max(self.W, self.H) / 250)):
            heading += self.rng.normal(0, 0.25)
            heading += 0.15 * math.atan2(math.sin(target_h - heading), math.cos(target_h - heading))
            p = p + 250.0 * np.array([math.cos(heading), math.sin(heading)])
            pts.append(p.copy())
            if not (self.xmin - 1000 < p[0] < self.xmax + 1000 and self.ymin - 1000 < p[1] < self.ymax + 1000):
                break
            if self.sea_side and not self.on_land(p[0], p[1]) and len(pts) > 10:
                break
        return np.asarray(pts)

    def _draw_streams(self, pts: np.ndarray) -> None:
        """One side water per 12 river vertices (at least 2): random walks of 8-29 steps of 150 m from a river
        vertex; every 4th a canal or a drain (alternately), the others streams."""
        for s in range(max(2, len(pts) // 12)):
            i0 = int(self.rng.integers(0, len(pts)))
            q = pts[i0].copy()
            h = self.rng.uniform(0, 2 * math.pi)
            sp = [q.copy()]
            for _ in range(int(self.rng.integers(8, 30))):
                h += self.rng.normal(0, 0.3)
                q = q + 150.0 * np.array([math.cos(h), math.sin(h)])
                sp.append(q.copy())
            sp = np.asarray(sp)
            kind = "stream" if s % 4 else ("canal" if s % 8 == 0 else "drain")
            self.add_line(sp[:, 0], sp[:, 1], _tags(waterway=kind), f"waterway_{kind}", 40)

    # -- lakes, protected area, nature reserve -----------------------------------------------------------------
    def draw_lakes(self) -> None:
        """Lakes (2 + 1 per 1,200 km²) and a reservoir: ellipses of 300-1,200 m by 250-700 m on land; the first
        is a multipolygon relation with an island (an inner ring), to exercise relation handling."""
        self.water_polys = []
        n_lakes = 2 + int(self.area_km2 / 1200)
        for k, (cx, cy) in enumerate(self.random_land_points(n_lakes + 1)):
            rx, ry = self.rng.uniform(300, 1200), self.rng.uniform(250, 700)
            x, y = self.ring(cx, cy, rx, ry, rot=self.rng.uniform(0, math.pi))
            self.water_polys.append(_polygon(x, y))
            if k == 0:
                self._lake_with_island(x, y, cx, cy, rx, ry)
            elif k == n_lakes:
                self.closed_way(x, y, _tags(landuse="reservoir", name="Waduk Sintetis"), "water_reservoir")
            else:
                self.closed_way(x, y, _tags(natural="water", water="lake", name=f"Ranu Sintetis {k}"), "water_lake")

    def _lake_with_island(self, x, y, cx, cy, rx, ry) -> None:
        """The lake's ring as an outer member and a quarter-size island ring as an inner member of a relation."""
        outer = self.closed_way(x, y, _member_tags(), "lake_member")
        ix, iy = self.ring(cx, cy, rx * 0.25, ry * 0.25, k=10)
        inner = self.closed_way(ix, iy, _member_tags(), "lake_member")
        self.osm.relation([("w", outer, "outer"), ("w", inner, "inner")],
                          _tags(type="multipolygon", natural="water", water="lake", name="Danau Sintetis Berpulau"),
                          "water_multipolygon")

    def _highest_point(self):
        """The highest of 4,000 random points on land (by :meth:`elevation`)."""
        px = self.rng.uniform(self.xmin, self.xmax, 4000)
        py = self.rng.uniform(self.ymin, self.ymax, 4000)
        okp = self.on_land(px, py)
        px, py = px[okp], py[okp]
        top = int(np.argmax(self.elevation(px, py)))
        return px[top], py[top]

    def draw_protected_area(self) -> None:
        """A protected forest (boundary=protected_area, class 6, Hutan Lindung) over the highest ground: a
        multipolygon of radius 7 % of the area's side with an enclave as its hole (kept free of land use)."""
        self.peak = self._highest_point()
        tx, ty = self.peak
        self.pr = pr = 0.07 * math.sqrt(self.B.area)
        ox, oy = self.ring(tx, ty, pr, pr * 0.8, k=32, rot=self.rng.uniform(0, math.pi), jitter=0.04)
        self.prot_poly = _polygon(ox, oy)
        outer = self.closed_way(ox, oy, _member_tags(), "protected_member")
        hx, hy = self.ring(tx + 0.2 * pr, ty, 0.15 * pr, 0.15 * pr, k=10)
        self.hole_poly = _polygon(hx, hy)
        inner = self.closed_way(hx, hy, _member_tags(), "protected_member")
        self.osm.relation([("w", outer, "outer"), ("w", inner, "inner")],
                          _tags(type="multipolygon", boundary="protected_area", protect_class=6,
                                name="Hutan Lindung Sintetis", protection_title="Hutan Lindung"), "protected_area")

    def draw_nature_reserve(self) -> None:
        """A small leisure=nature_reserve west of the protected area (or at a random land point if that is sea)."""
        rcx, rcy = self.peak[0] - 1.8 * self.pr, self.peak[1]
        if not self.on_land(rcx, rcy):
            rcx, rcy = self.random_land_points(1)[0]
        nx_, ny_ = self.ring(rcx, rcy, 0.25 * self.pr, 0.2 * self.pr, k=12)
        self.closed_way(nx_, ny_, _tags(leisure="nature_reserve", name="Cagar Alam Sintetis"), "nature_reserve")

    # -- aerodrome, harbour ----------------------------------------------------------------------------------
    def draw_aerodrome(self) -> None:
        """An aerodrome polygon (a 2,600 m x 500 m diamond along its bearing) 6 km from the first town."""
        ang = self.rng.uniform(0, 2 * math.pi)
        ax, ay = self.towns[0] + 6000 * np.array([math.cos(ang), math.sin(ang)])
        if not self.on_land(ax, ay):
            ax, ay = self.random_land_points(1)[0]
        rx, ry = self.ring(ax, ay, 1300, 250, k=4, rot=ang, jitter=0.0)
        self.closed_way(rx, ry, _tags(aeroway="aerodrome", name="Bandara Sintetis", icao="ZZZZ", aerodrome="public"),
                        "aerodrome")

    def draw_harbour(self) -> None:
        """A harbour node on the coast nearest to the first town, or a river landing without a coast."""
        if self.coast_xy is not None:
            cx_, cy_ = self.coast_xy
            i = int(np.argmin(np.hypot(cx_ - self.towns[0][0], cy_ - self.towns[0][1])))
            self.osm.node(cx_[i], cy_[i], _tags(harbour="yes", name="Pelabuhan Sintetis", seamark__type="harbour"),
                          "harbour")
        else:
            rp = self.river_pts[0][len(self.river_pts[0]) // 2]
            self.osm.node(rp[0], rp[1], _tags(harbour="yes", name="Dermaga Sungai Sintetis"), "harbour")

    # -- land-use parcels on a shared lattice ----------------------------------------------------------------
    def draw_land_use(self) -> None:
        """Land-use parcels on a shared, jittered lattice (neighbours share corner and edge nodes, as in OSM),
        as many as the target leaves after the features above and 4 % tracks, covering ~80 % of the land
        outside settlements, water and the protected area's enclave; their class follows the elevation."""
        n_fixed = len(self.osm.ways)
        n_tracks = int(0.04 * self.target)
        n_parcels = max(0, self.target - n_fixed - n_tracks)
        coverage = 0.8
        cell = math.sqrt(self.land.area * coverage / max(n_parcels, 1)) if n_parcels else 1e9
        blocked = shapely.union_all(self.water_polys + [self.hole_poly]) if self.water_polys else self.hole_poly
        shapely.prepare(blocked)
        if not n_parcels:
            return
        LX, LY = self._parcel_lattice(cell)
        ci, cj, ex, ey = self._parcel_cells(LX, LY, blocked, n_parcels)
        e = self.elevation(ex, ey)
        er = np.argsort(np.argsort(e)) / max(len(e) - 1, 1)
        in_prot = shapely.contains_xy(self.prot_poly, ex, ey)
        in_ind = self._industrial_cells(ex, ey)
        u = self.rng.random(len(ci))
        corner_id, h_id, v_id = self._parcel_nodes(LX, LY, ci, cj, cell)
        quarry_done = False
        for k in range(len(ci)):
            i, j = ci[k], cj[k]
            ids = [corner_id[i, j], h_id[i, j], corner_id[i + 1, j], v_id[i + 1, j], corner_id[i + 1, j + 1],
                   h_id[i, j + 1], corner_id[i, j + 1], v_id[i, j], corner_id[i, j]]
            t_, key, quarry_done = _parcel_tags(er[k], u[k], in_ind[k], in_prot[k], quarry_done)
            self.osm.way(ids, t_, key)
        if not quarry_done and len(ci):
            self._lone_quarry(ex, ey, er, cell)

    def _parcel_lattice(self, cell: float):
        """Lattice corners every ``cell`` m over the area's box, each moved up to 20 % of a cell."""
        nxc = int(self.W / cell) + 2
        nyc = int(self.H / cell) + 2
        lx = self.xmin + np.arange(nxc) * cell
        ly = self.ymin + np.arange(nyc) * cell
        LX, LY = np.meshgrid(lx, ly, indexing="ij")
        LX = LX + self.rng.uniform(-0.2, 0.2, LX.shape) * cell
        LY = LY + self.rng.uniform(-0.2, 0.2, LY.shape) * cell
        return LX, LY

    def _parcel_cells(self, LX, LY, blocked, n_parcels: int):
        """Lattice cells (i, j) and centres of the parcels: whole cell on land, centre off ``blocked`` and
        15 % beyond every settlement's radius; a random ``n_parcels`` of them (in lattice order) if more."""
        cx_ = (LX[:-1, :-1] + LX[1:, :-1] + LX[1:, 1:] + LX[:-1, 1:]) / 4
        cy_ = (LY[:-1, :-1] + LY[1:, :-1] + LY[1:, 1:] + LY[:-1, 1:]) / 4
        on_land = self.on_land
        keep = on_land(cx_, cy_) & ~shapely.contains_xy(blocked, cx_, cy_)
        # corners too, so no parcel sticks out into the sea
        keep &= (on_land(LX[:-1, :-1], LY[:-1, :-1]) & on_land(LX[1:, 1:], LY[1:, 1:])
                 & on_land(LX[1:, :-1], LY[1:, :-1]) & on_land(LX[:-1, 1:], LY[:-1, 1:]))
        d_set, i_set = self.tree.query(np.column_stack([cx_.ravel(), cy_.ravel()]))
        keep &= (d_set > self.radius[i_set] * 1.15).reshape(cx_.shape)
        cand = np.flatnonzero(keep.ravel())
        if cand.size > n_parcels:
            cand = np.sort(self.rng.choice(cand, n_parcels, replace=False))
        ci, cj = np.unravel_index(cand, cx_.shape)
        return ci, cj, cx_.ravel()[cand], cy_.ravel()[cand]

    def _industrial_cells(self, ex, ey) -> np.ndarray:
        """The industrial estate: parcels just outside the first town (radius x 1.3 + 1.5 km) on its inland
        side (within ~45° of the bearing to the land's centroid); the 12 nearest when that finds fewer than 8."""
        town = self.towns[0]
        d_town0 = np.hypot(ex - town[0], ey - town[1])
        lc = self.land.centroid
        ind_ang = math.atan2(lc.y - town[1], lc.x - town[0])
        bearing = np.arctan2(ey - town[1], ex - town[0])
        in_ind = (d_town0 < self.radius[0] * 1.3 + 1500) & (np.cos(bearing - ind_ang) > 0.7)
        if in_ind.sum() < 8:      # a town at the edge of the area: take the parcels nearest to it
            in_ind = np.zeros(len(ex), bool)
            in_ind[np.argsort(d_town0)[:12]] = True
        return in_ind

    def _parcel_nodes(self, LX, LY, ci, cj, cell: float):
        """Node ids of the used lattice corners and of a shared vertex in the middle of every used parcel edge
        (jittered 6 % of a cell); neighbouring parcels share both, as in OSM."""
        corner_id = np.zeros(LX.shape, dtype=np.int64)
        used = np.zeros(LX.shape, dtype=bool)
        for di, dj in ((0, 0), (1, 0), (1, 1), (0, 1)):
            used[ci + di, cj + dj] = True
        corner_id[used] = self.osm.nodes(LX[used], LY[used])
        h_used = np.zeros((LX.shape[0] - 1, LX.shape[1]), dtype=bool)     # edge (i, j) - (i + 1, j)
        v_used = np.zeros((LX.shape[0], LX.shape[1] - 1), dtype=bool)     # edge (i, j) - (i, j + 1)
        h_used[ci, cj] = h_used[ci, cj + 1] = True
        v_used[ci, cj] = v_used[ci + 1, cj] = True
        h_id = np.zeros(h_used.shape, dtype=np.int64)
        v_id = np.zeros(v_used.shape, dtype=np.int64)
        jit = 0.06 * cell
        rng = self.rng
        h_id[h_used] = self.osm.nodes(((LX[:-1] + LX[1:]) / 2)[h_used] + rng.normal(0, jit, h_used.sum()),
                                      ((LY[:-1] + LY[1:]) / 2)[h_used] + rng.normal(0, jit, h_used.sum()))
        v_id[v_used] = self.osm.nodes(((LX[:, :-1] + LX[:, 1:]) / 2)[v_used] + rng.normal(0, jit, v_used.sum()),
                                      ((LY[:, :-1] + LY[:, 1:]) / 2)[v_used] + rng.normal(0, jit, v_used.sum()))
        return corner_id, h_id, v_id

    def _lone_quarry(self, ex, ey, er, cell: float) -> None:
        """No quarry drawn among the forest parcels: a small one (6 vertices) on the highest parcel."""
        k = int(np.argmax(er))
        qx, qy = self.ring(ex[k], ey[k], 0.3 * cell, 0.3 * cell, k=6)
        self.closed_way(qx, qy, _tags(landuse="quarry", resource="sand"), "landuse_quarry")

    # -- tracks, toll road, power lines ----------------------------------------------------------------------
    def draw_tracks(self) -> None:
        """Field tracks filling the ways up to the target: random walks of 2-5 steps of 120 m, grade 1-5."""
        missing = max(0, self.target - len(self.osm.ways))
        starts = self.random_land_points(missing) if missing else np.zeros((0, 2))
        for (x0, y0) in starts:
            n = int(self.rng.integers(3, 7))
            h = self.rng.uniform(0, 2 * math.pi) + np.cumsum(self.rng.normal(0, 0.3, n - 1))
            x = np.r_[x0, x0 + np.cumsum(120 * np.cos(h))]
            y = np.r_[y0, y0 + np.cumsum(120 * np.sin(h))]
            ids = self.osm.nodes(x, y)
            self.osm.way(ids, _tags(highway="track", tracktype=f"grade{int(self.rng.integers(1, 6))}"), "road_track")

    def draw_toll_road_and_power_lines(self) -> None:
        """The toll road and power lines, added later, draw from their own stream (seed, 17), so that adding
        them moved none of the features above."""
        self.rng2 = np.random.default_rng([self.seed, 17])
        self.draw_toll_road()
        self.draw_power_lines()

    def _straight(self, p0, p1, step: float):
        """A straight line p0 -> p1 with vertices every ``step`` m, each jittered 15 m (from ``rng2``)."""
        n = max(2, int(np.hypot(*(p1 - p0)) / step) + 1)
        t = np.linspace(0, 1, n)[:, None]
        pts = p0 + (p1 - p0) * t
        return pts[:, 0] + self.rng2.normal(0, 15.0, n), pts[:, 1] + self.rng2.normal(0, 15.0, n)

    def draw_toll_road(self) -> None:
        """A motorway (toll, ref TOL 1) across the area from west to east at 35-45 % of its height, with
        numbered motorway_junction nodes along each on-land run of at least 6 vertices."""
        xmin, xmax, ymin, H = self.xmin, self.xmax, self.ymin, self.H
        x, y = self._straight(np.array([xmin - 500, ymin + 0.35 * H]), np.array([xmax + 500, ymin + 0.45 * H]), 300.0)
        for a, b in _runs(self.on_land(x, y)):
            if b - a < 6:
                continue
            ids = self.osm.nodes(x[a:b], y[a:b])
            for k, nid in enumerate(ids[2:-2:max(3, (b - a) // 3)], start=1):
                junction = _tags(highway="motorway_junction", ref=str(k), name=f"Simpang Susun Sintetis {k}")
                self.osm.tag_node(nid, junction, "toll_junction")
            for chunk in _split(ids, 60):
                self.osm.way(chunk, _tags(highway="motorway", toll="yes", ref="TOL 1", name="Jalan Tol Sintetis"),
                             "road_motorway")

    def draw_power_lines(self) -> None:
        """A 150 kV transmission line and a 20 kV distribution line crossing the middle 60 % of the area."""
        xmin, ymin, W, H = self.xmin, self.ymin, self.W, self.H
        for voltage, power, y0, y1 in ((150000, "line", 0.15, 0.85), (20000, "minor_line", 0.8, 0.2)):
            x, y = self._straight(np.array([xmin + 0.2 * W, ymin + y0 * H]), np.array([xmin + 0.8 * W, ymin + y1 * H]),
                                  350.0)
            self.add_line(x, y, _tags(power=power, voltage=voltage, name=f"Saluran {voltage // 1000} kV Sintetis"),
                          f"power_{power}", 40)

    # -- result ------------------------------------------------------------------------------------------------
    def summary(self, path: Path, t0: float, coastline_given: bool) -> dict:
        """The statistics :func:`write_synthetic_pbf` returns."""
        o = self.osm
        return {
            "path": str(path),
            "seed": self.seed,
            "synthetic": True,
            "note": NOTE,
            "ways": len(o.ways),
            "nodes": int(o.n_nodes),
            "relations": len(o.relations),
            "bytes": path.stat().st_size,
            "seconds": round(time.perf_counter() - t0, 2),
            "area_km2": round(self.area_km2, 1),
            "sea_side": self.sea_side,
            "coastline": "given" if coastline_given else ("generated" if self.coast_parts else None),
            "target_ways": self.target,
            "by_kind": dict(sorted(o.counts.items())),
        }


def _pbf_header(boundary, seed: int):
    """The PBF header: generator and note say SYNTHETIC; the bounding box is the boundary's."""
    import osmium

    header = osmium.io.Header()
    header.set("generator", GENERATOR)
    header.set("note", f"{NOTE}; seed {seed}; not OpenStreetMap data")
    b = boundary.bounds
    header.add_box(osmium.osm.Box(osmium.osm.Location(b[0], b[1]), osmium.osm.Location(b[2], b[3])))
    return header


def _write_objects(w, o: _Osm, frame: _Frame) -> None:
    """Nodes (lon/lat rounded to 1e-7°, OSM's precision), ways and relations, each in id order from 1."""
    from osmium.osm.mutable import Node, Relation, Way

    lon, lat = frame.to_deg(np.concatenate(o.xs), np.concatenate(o.ys))
    lon = np.round(lon, 7)
    lat = np.round(lat, 7)
    empty: dict = {}
    add_node = w.add_node
    node_tags = o.node_tags
    for i, (x, y) in enumerate(zip(lon.tolist(), lat.tolist()), start=1):
        add_node(Node(id=i, version=1, location=(x, y), tags=node_tags.get(i, empty)))
    add_way = w.add_way
    for i, (ids, t_) in enumerate(o.ways, start=1):
        add_way(Way(id=i, version=1, nodes=ids, tags=t_))
    for i, (members, t_) in enumerate(o.relations, start=1):
        w.add_relation(Relation(id=i, version=1, members=members, tags=t_))


def _write_pbf(path: Path, o: _Osm, frame: _Frame, boundary, seed: int) -> None:
    """Write to a temporary sibling and rename it over ``path`` when complete (no half-written file is left)."""
    import osmium

    header = _pbf_header(boundary, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{seed}-{int(time.time() * 1e6) % 10**8}.osm.pbf")
    try:
        with osmium.SimpleWriter(str(tmp), header=header, overwrite=True) as w:
            _write_objects(w, o, frame)
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()


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
    import osmium  # noqa: F401  (fail before drawing when the optional dependency is missing)

    t0 = time.perf_counter()
    _check_arguments(boundary, sea_side, coastline)
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(str(path))
    regency = _SyntheticRegency(boundary, seed, target_ways)
    regency.draw(sea_side, coast_fraction, coastline, boundary)
    _write_pbf(path, regency.osm, regency.frame, boundary, seed)
    return regency.summary(path, t0, coastline is not None)
