"""Roads and railway of Kabupaten Contoh as least-cost paths.

Routes are shortest paths (:func:`scipy.sparse.csgraph.dijkstra`) on an 8-connected
routing grid of about 150 m cells. The cost of a metre grows with the square of
the slope, bridges over rivers cost extra, and sea, lakes and very steep ground
(mean slope above 45 %) cannot be crossed; so roads keep to land and wind around
steep ground. Paths are smoothed with Chaikin corner cutting, except at junction nodes, which
stay exact so the network is connected.

* **arterial** (national): west edge -> town -> east edge, with an extra cost for
  straying from a band about 3 km inland (the "Pantura" coast road).
* **railway**: west edge -> east edge in a band a little further inland, with a
  much stronger slope penalty.
* **toll road** (national, entered only at its gates): west edge -> east edge in a band
  about 10 km inland with a strong slope penalty; three gates, at the toll nodes nearest
  the town and the two estates, each joined to the network by a national access road.
* **collectors**: the port and every village joined to the network by one
  multi-source shortest-path tree (paths merge where they meet); the two longest
  are provincial roads, the others regency roads.
* **local** roads (regency): each village to its two nearest villages, each hamlet
  to its nearest neighbour, then hamlets still cut off joined to the network;
  stretches already on the network are dropped.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra


@dataclass
class Route:
    kind: str  # arterial | toll | collector | local | railway
    status: str  # national | provincial | regency | ""
    nodes: list[int]  # routing-grid nodes along the route
    head: tuple[float, float] | None = None  # exact start point before the first node (a village...)
    tail: tuple[float, float] | None = None  # exact end point after the last node
    xy: np.ndarray | None = None  # (n, 2) smoothed local coordinates (x east, y south), metres
    gates: list[tuple[float, float]] | None = None  # toll road: local (x, y) of its gates (exact nodes)


class RoutingGrid:
    """Coarse grid for path finding; node ``i`` is the cell ``divmod(i, w)``."""

    def __init__(self, res: float, shape: tuple[int, int], target_cell: float = 150.0):
        self.f = max(1, int(round(target_cell / res)))
        self.cell = self.f * res
        self.h = -(-shape[0] // self.f)
        self.w = -(-shape[1] // self.f)

    def block(self, a: np.ndarray, how: str = "mean") -> np.ndarray:
        """Aggregate a fine raster onto the routing grid (edge blocks padded by copying)."""
        f = self.f
        ph, pw = self.h * f - a.shape[0], self.w * f - a.shape[1]
        a = np.pad(a.astype(float), ((0, ph), (0, pw)), mode="edge").reshape(self.h, f, self.w, f)
        return a.max(axis=(1, 3)) if how == "max" else a.mean(axis=(1, 3))

    def node(self, x: float, y: float) -> int:
        r = min(max(int(y // self.cell), 0), self.h - 1)
        c = min(max(int(x // self.cell), 0), self.w - 1)
        return r * self.w + c

    def xy(self, nodes) -> np.ndarray:
        r, c = np.divmod(np.asarray(nodes), self.w)
        return np.column_stack([(c + 0.5) * self.cell, (r + 0.5) * self.cell])

    def graph(self, cost: np.ndarray):
        """Undirected graph: edge weight = step length x mean cost of its two nodes."""
        h, w = cost.shape
        idx = np.arange(h * w).reshape(h, w)
        rows, cols, vals = [], [], []
        for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
            a = idx[0:h - dr, max(0, -dc):w - max(0, dc)]
            b = idx[dr:h, max(0, dc):w - max(0, -dc)]
            ca, cb = cost.ravel()[a.ravel()], cost.ravel()[b.ravel()]
            ok = np.isfinite(ca) & np.isfinite(cb)
            rows.append(a.ravel()[ok])
            cols.append(b.ravel()[ok])
            vals.append(self.cell * np.hypot(dr, dc) * 0.5 * (ca[ok] + cb[ok]))
        n = h * w
        return coo_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(n, n)).tocsr()


def _trace(pred: np.ndarray, target: int) -> list[int]:
    path = [target]
    while pred[path[-1]] >= 0:
        path.append(int(pred[path[-1]]))
    return path


def _nearest_passable(cost: np.ndarray, r: int, c: int) -> int:
    rr, cc = np.nonzero(np.isfinite(cost))
    k = int(np.argmin((rr - r) ** 2 + (cc - c) ** 2))
    return int(rr[k] * cost.shape[1] + cc[k])


def chaikin(xy: np.ndarray, iterations: int = 2) -> np.ndarray:
    """Corner-cutting smoothing that keeps both end points."""
    for _ in range(iterations):
        if len(xy) < 3:
            return xy
        q = 0.75 * xy[:-1] + 0.25 * xy[1:]
        r = 0.25 * xy[:-1] + 0.75 * xy[1:]
        mid = np.empty((2 * len(q), 2))
        mid[0::2], mid[1::2] = q, r
        xy = np.vstack([xy[:1], mid[1:-1], xy[-1:]])
    return xy


def _new_runs(path: list[int], on_net: np.ndarray) -> list[list[int]]:
    """Pieces of ``path`` not yet on the network, each with its joining nodes."""
    runs, i, n = [], 0, len(path)
    while i < n:
        if on_net[path[i]]:
            i += 1
            continue
        j = i
        while j + 1 < n and not on_net[path[j + 1]]:
            j += 1
        run = path[max(i - 1, 0):min(j + 2, n)]
        if len(run) >= 2:
            runs.append(run)
        i = j + 1
    return runs


def make_network(*, res, slope, water, river_order, dist_sea, dem, layout,
                 extent) -> list[Route]:
    """Every route of the module docstring, in this order (each later route joins the ones before), smoothed."""
    lx, ly = extent
    net = _Network(res, slope, water, river_order, dist_sea, dem)
    target = min(0.075 * ly, 3000.0)
    net.arterial(target, layout.town.centre)
    net.railway(target + min(0.035 * ly, 1400.0))
    graph = net.g.graph(net.base)
    _toll_road(net.g, graph, net.base, net.band_route, target, ly, layout, net.on_net, net.add)
    ends = net.collectors(graph, layout)
    net.local_roads(graph, layout, ends, lx)
    _shape(net.routes, net.g)
    return net.routes


class _Network:
    """The routing grid and its costs, the routes so far, and which grid nodes are already on the road network."""

    def __init__(self, res, slope, water, river_order, dist_sea, dem):
        g = self.g = RoutingGrid(res, slope.shape)
        self.s = g.block(slope) / 100.0
        wet = g.block(water) > 0.5
        self.riv = g.block(river_order, "max")
        self.dsea = g.block(dist_sea)
        self.base = self._base_cost(g.block(dem), wet)
        self.routes: list[Route] = []
        self.on_net = np.zeros(g.h * g.w, bool)

    def _base_cost(self, dem, wet) -> np.ndarray:
        """Cost per metre: 1 + (slope / 7 %)², a river crossing 80 m (stream) or 300 m (order >= 2) extra per cell,
        3 more above 1,200 m; impassable on slopes over 45 %, water and the shore's half cell."""
        s, riv, g = self.s, self.riv, self.g
        base = 1.0 + (s / 0.07) ** 2 + np.where(riv >= 2, 300.0, np.where(riv >= 1, 80.0, 0.0)) / g.cell
        base += np.where(dem > 1200, 3.0, 0.0)
        base[(s > 0.45) | wet | (self.dsea < 0.5 * g.cell)] = np.inf
        return base

    def add(self, kind, status, nodes, head=None, tail=None) -> Route:
        """Append a route; its nodes join the network unless it is a railway or a toll road."""
        self.routes.append(Route(kind, status, list(nodes), head, tail))
        if kind not in ("railway", "toll"):   # nothing joins a railway or a toll road between its gates
            self.on_net[nodes] = True
        return self.routes[-1]

    def band_route(self, target, slope_scale, width):
        """Cost for a route keeping ``target`` m from the sea (quadratic penalty over ``width``, slope penalty over
        ``slope_scale``, 200 m extra per river), and its passable west and east end nodes nearest that band."""
        s, dsea, g = self.s, self.dsea, self.g
        cost = 1.0 + (s / slope_scale) ** 2 + 2.0 * ((dsea - target) / width) ** 2
        cost += np.where(self.riv >= 1, 200.0, 0.0) / g.cell
        cost[~np.isfinite(self.base)] = np.inf
        ends = []
        for col in (0, g.w - 1):
            miss = np.abs(dsea[:, col] - target) + 1e9 * ~np.isfinite(cost[:, col])
            ends.append(_nearest_passable(cost, int(np.argmin(miss)), col))
        return cost, ends[0], ends[1]

    def arterial(self, target: float, town_centre) -> None:
        """The national arterial: west edge -> town centre -> east edge, its eastern half not doubling back."""
        g = self.g
        cost, start, end = self.band_route(target, 0.05, 1500.0)
        town = _nearest_passable(cost, *divmod(g.node(*town_centre), g.w))
        _, pred = dijkstra(g.graph(cost), directed=False, indices=town, return_predecessors=True)
        west = _trace(pred, start)  # west edge ... town
        blocked = cost.copy()
        blocked.ravel()[west[:-1]] = np.inf  # the eastern half may not double back on the western one
        dist, pred2 = dijkstra(g.graph(blocked), directed=False, indices=town, return_predecessors=True)
        east = _trace(pred2 if np.isfinite(dist[end]) else pred, end)[::-1]  # town ... east edge
        self.add("arterial", "national", west + east[1:])

    def railway(self, target: float) -> None:
        """The railway edge to edge in its band (a strong slope penalty: 2 % scale)."""
        cost, start, end = self.band_route(target, 0.02, 1000.0)
        _, pred = dijkstra(self.g.graph(cost), directed=False, indices=start, return_predecessors=True)
        self.add("railway", "", _trace(pred, end)[::-1])

    def passable_node(self, xy) -> int:
        """The passable routing node nearest to local (x, y)."""
        return _nearest_passable(self.base, *divmod(self.g.node(*xy), self.g.w))

    def tree_from_network(self, graph):
        """Distances and predecessors of the shortest paths from the nearest node on the network."""
        dist, pred, _src = dijkstra(graph, directed=False, indices=np.nonzero(self.on_net)[0],
                                    return_predecessors=True, min_only=True)
        return dist, pred

    def path_to_network(self, pred, node) -> list[int]:
        """The path from ``node`` up to (and including) its first node on the network."""
        path = _trace(pred, node)
        cut = next(i for i, n in enumerate(path) if self.on_net[n])
        return path[:cut + 1]

    def collectors(self, graph, layout) -> list:
        """The port, then every village, joined by one shortest-path tree (nearest first, paths merge); the two
        longest village collectors are provincial. Returns the villages with their routing nodes."""
        port = self.passable_node(layout.port)
        _, pred = self.tree_from_network(graph)
        self.add("collector", "provincial", _trace(pred, port), head=layout.port)
        ends = [(v, self.passable_node(v.centre)) for v in layout.villages]
        dist_tree, pred = self.tree_from_network(graph)
        collectors = []
        for v, node in sorted(ends, key=lambda e: dist_tree[e[1]]):
            if not np.isfinite(dist_tree[node]) or self.on_net[node]:
                continue
            path = self.path_to_network(pred, node)
            if len(path) >= 2:
                collectors.append((len(path), v, path))
                self.on_net[path] = True
        longest = {id(v) for _, v, _ in sorted(collectors, key=lambda t: -t[0])[:2]}
        for _, v, path in collectors:
            self.add("collector", "provincial" if id(v) in longest else "regency", path, head=v.centre)
        return ends

    def local_roads(self, graph, layout, ends, lx: float) -> None:
        """Villages to their two nearest villages (within 12 % of the width); hamlets joined to the network by a
        shortest-path tree, then each hamlet to its nearest neighbour (within 7 %)."""
        vpts = [(np.asarray(v.centre), n, 2) for v, n in ends]
        hnodes = [self.passable_node(p) for p in layout.hamlets]
        hpts = [(np.asarray(p), n, 1) for p, n in zip(layout.hamlets, hnodes)]
        _link_neighbours(self.g, graph, vpts, 0.12 * lx, self.on_net, self.add)
        dist_tree, pred = self.tree_from_network(graph)
        for p, node in sorted(zip(layout.hamlets, hnodes), key=lambda e: dist_tree[e[1]]):
            if not np.isfinite(dist_tree[node]) or self.on_net[node]:
                continue
            path = self.path_to_network(pred, node)
            if len(path) >= 2:
                self.add("local", "regency", path[::-1], tail=p)
        _link_neighbours(self.g, graph, vpts + hpts, 0.07 * lx, self.on_net, self.add, only_from=len(vpts))


def _toll_road(g, graph, base, band_route, target, ly, layout, on_net, add) -> None:
    """A toll road further inland, entered only at three gates joined to the network by access roads."""
    cost, start, end = band_route(target + min(0.2 * ly, 8000.0), 0.03, 1500.0)
    dist, pred = dijkstra(g.graph(cost), directed=False, indices=start, return_predecessors=True)
    if not np.isfinite(dist[end]):
        return
    nodes = _trace(pred, end)[::-1]
    xy = g.xy(nodes)
    rr, cc = np.nonzero(layout.estates)
    aims = [np.asarray(layout.town.centre)]
    if rr.size:
        cols = cc * (g.cell / g.f)
        for half in (cols < np.median(cols), cols >= np.median(cols)):
            aims.append(np.array([cols[half].mean(), (rr[half] * (g.cell / g.f)).mean()]))
    gates = []
    for aim in aims:
        k = int(np.argmin(np.hypot(*(xy - aim).T)))
        k = min(max(k, 1), len(nodes) - 2)
        if nodes[k] not in gates:
            gates.append(nodes[k])
    toll = add("toll", "national", nodes)
    toll.gates = [tuple(map(float, xy)) for xy in g.xy(gates)]
    _, pred_net, _src = dijkstra(graph, directed=False, indices=np.nonzero(on_net)[0], return_predecessors=True,
                                 min_only=True)
    for gate in gates:
        path = _trace(pred_net, gate)
        if len(path) >= 2:
            add("collector", "national", path)


def _shape(routes: list[Route], g: RoutingGrid) -> None:
    """Smooth every route, keeping junction nodes exact so that roads stay connected."""
    fixed = {n for r in routes if r.kind != "railway" for n in (r.nodes[0], r.nodes[-1])}
    for r in routes:
        xy = g.xy(r.nodes)
        keep = [i for i, n in enumerate(r.nodes) if i in (0, len(r.nodes) - 1) or n in fixed]
        pieces = [chaikin(xy[a:b + 1]) for a, b in zip(keep[:-1], keep[1:])]
        xy = np.vstack([pieces[0]] + [p[1:] for p in pieces[1:]]) if pieces else xy
        if r.head is not None and np.hypot(*(xy[0] - r.head)) > 1e-6:
            xy = np.vstack([np.asarray(r.head)[None], xy])
        if r.tail is not None and np.hypot(*(xy[-1] - r.tail)) > 1e-6:
            xy = np.vstack([xy, np.asarray(r.tail)[None]])
        r.xy = xy


def _link_neighbours(g, graph, pts, max_dist, on_net, add, only_from=0):
    """Local roads from each point (from index ``only_from`` on) to its ``k`` nearest points."""
    if len(pts) < 2:
        return
    cx = np.array([p for p, _, _ in pts])
    done = set()
    for i in range(only_from, len(pts)):
        p, node, k = pts[i]
        d = np.hypot(*(cx - p).T)
        d[i] = np.inf
        for j in np.argsort(d, kind="stable")[:k]:
            key = (min(i, j), max(i, j))
            if d[j] > max_dist or key in done:
                continue
            done.add(key)
            _, pred = dijkstra(graph, directed=False, indices=node, return_predecessors=True,
                               limit=4.0 * d[j] + 4.0 * g.cell)
            if pred[pts[j][1]] < 0:
                continue
            for run in _new_runs(_trace(pred, int(pts[j][1])), on_net):
                add("local", "regency", run)
