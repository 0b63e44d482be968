"""Drainage of the synthetic terrain: conditioning, rivers and carving.

1. **Priority flood** (Barnes et al. 2014, "Priority-Flood+epsilon"): starting from
   the sea shore and the land cells on the west, east and south edges, cells are
   visited lowest-first; each newly reached cell is raised to at least its
   neighbour's level + 1 cm. The filled surface has no pits, so every land cell
   has a strictly lower neighbour.
2. **Flow routing**: D8 steepest descent (drop / distance) on the filled surface;
   flow accumulation from the highest cell down; cells draining at least
   ``min_catchment`` are river cells, with their **Strahler order**. Only networks
   that reach the sea are kept (water leaving over the grid edge is not a river of
   this regency).
3. **Carving**: the river bed is the filled elevation minus a depth growing with
   the order (but never below half the filled elevation), which decreases from
   source to mouth by construction; a valley with a low floodplain and sloping
   sides is cut around each river. Deep filled depressions in the lowlands become
   lakes (their DEM surface is the filled level, with the river channel cut in).
4. **Vectorising**: each maximal run of cells of one Strahler order becomes one
   line from its head to its confluence (or to the first sea cell at the mouth).
"""
from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from scipy import ndimage

_DR = np.array([-1, 0, 0, 1, -1, -1, 1, 1], dtype=np.int64)
_DC = np.array([0, -1, 1, 0, -1, 1, -1, 1], dtype=np.int64)


@numba.njit(cache=False)
def _push(hk, hv, hs, n, key, val, stamp):  # pragma: no cover - compiled
    """Insert into the binary min-heap (key, then insertion stamp); returns the new size."""
    j = n
    while j > 0:
        p = (j - 1) >> 1
        if hk[p] < key or (hk[p] == key and hs[p] < stamp):
            break
        hk[j] = hk[p]
        hv[j] = hv[p]
        hs[j] = hs[p]
        j = p
    hk[j] = key
    hv[j] = val
    hs[j] = stamp
    return n + 1


@numba.njit(cache=False)
def _pop(hk, hv, hs, n):  # pragma: no cover - compiled
    """Remove the minimum of the heap of size ``n``; returns its value."""
    top = hv[0]
    n -= 1
    lk, lv, ls = hk[n], hv[n], hs[n]
    j = 0
    while True:
        a = 2 * j + 1
        if a >= n:
            break
        b = a + 1
        if b < n and (hk[b] < hk[a] or (hk[b] == hk[a] and hs[b] < hs[a])):
            a = b
        if hk[a] < lk or (hk[a] == lk and hs[a] < ls):
            hk[j] = hk[a]
            hv[j] = hv[a]
            hs[j] = hs[a]
            j = a
        else:
            break
    hk[j] = lk
    hv[j] = lv
    hs[j] = ls
    return top


@numba.njit(cache=False)
def priority_flood(z, seed, closed, eps, width):  # pragma: no cover - compiled
    """Depression-filled copy of the flat array ``z`` (Priority-Flood+epsilon).

    ``seed`` marks the outlets the flood starts from, ``closed`` the cells never
    visited (seeds and cells outside the land, such as open sea).
    """
    n_all = z.size
    height = n_all // width
    zf = z.copy()
    closed = closed.copy()
    hk = np.empty(n_all, np.float64)
    hv = np.empty(n_all, np.int64)
    hs = np.empty(n_all, np.int64)  # insertion stamp: ties leave first-in first-out
    n = 0
    stamp = 0
    for i in range(n_all):
        if seed[i]:
            n = _push(hk, hv, hs, n, zf[i], i, stamp)
            stamp += 1
    while n > 0:
        c = _pop(hk, hv, hs, n)
        n -= 1
        r = c // width
        q = c - r * width
        for k in range(8):
            rr = r + _DR[k]
            qq = q + _DC[k]
            if rr < 0 or rr >= height or qq < 0 or qq >= width:
                continue
            nb = rr * width + qq
            if closed[nb]:
                continue
            closed[nb] = True
            if zf[nb] < zf[c] + eps:
                zf[nb] = zf[c] + eps
            n = _push(hk, hv, hs, n, zf[nb], nb, stamp)
            stamp += 1
    return zf


def d8_receivers(zf: np.ndarray, res: float) -> np.ndarray:
    """D8 steepest-descent receiver (flat index) of every cell, -1 where none is lower."""
    h, w = zf.shape
    pad = np.pad(zf, 1, mode="constant", constant_values=np.inf)
    best = np.zeros((h, w))
    recv = np.full((h, w), -1, np.int64)
    rows, cols = np.indices((h, w))
    for dr, dc in ((-1, 0), (0, -1), (0, 1), (1, 0), (-1, -1), (-1, 1), (1, -1), (1, 1)):
        nb = pad[1 + dr:1 + dr + h, 1 + dc:1 + dc + w]
        drop = (zf - nb) / (res * np.hypot(dr, dc))
        better = drop > best
        best = np.where(better, drop, best)
        recv = np.where(better, (rows + dr) * w + (cols + dc), recv)
    return recv.ravel()


@numba.njit(cache=False)
def _tree_stats(recv, order, seed_kind, min_cells):  # pragma: no cover - compiled
    """Accumulation, outlet kind and Strahler order; ``order`` lists cells downstream-first."""
    n_all = recv.size
    acc = np.zeros(n_all, np.int64)
    outlet = np.zeros(n_all, np.int8)
    for i in range(order.size):  # receivers come before their donors
        c = order[i]
        p = recv[c]
        outlet[c] = seed_kind[c] if p < 0 else outlet[p]
    for i in range(order.size - 1, -1, -1):  # donors before receivers
        c = order[i]
        acc[c] += 1
        p = recv[c]
        if p >= 0:
            acc[p] += acc[c]
    strahler = np.zeros(n_all, np.int8)
    maxo = np.zeros(n_all, np.int8)
    nmax = np.zeros(n_all, np.int8)
    same_child = np.zeros(n_all, np.bool_)
    for i in range(order.size - 1, -1, -1):
        c = order[i]
        if acc[c] < min_cells or outlet[c] != 1 or seed_kind[c] != 0:
            continue
        o = 1 if maxo[c] == 0 else maxo[c] + (1 if nmax[c] >= 2 else 0)
        strahler[c] = o
        p = recv[c]
        if p >= 0:
            if o > maxo[p]:
                maxo[p] = o
                nmax[p] = 1
            elif o == maxo[p]:
                nmax[p] += 1
    for i in range(order.size):
        c = order[i]
        p = recv[c]
        if strahler[c] > 0 and p >= 0 and strahler[p] == strahler[c]:
            same_child[p] = True
    return acc, outlet, strahler, same_child


@dataclass
class Drainage:
    dem: np.ndarray  # conditioned and carved elevation (float64)
    order: np.ndarray  # Strahler order of river cells (0 elsewhere), int8
    bed: np.ndarray  # river-bed elevation at the nearest river cell (m)
    dist_river: np.ndarray  # metres to the nearest river cell
    near_order: np.ndarray  # Strahler order of the nearest river cell
    lakes: np.ndarray  # bool
    rivers: list  # [(order, [(row, col), ...]), ...] from source to mouth
    acc: np.ndarray | None = None  # cells draining through each cell (flow accumulation), int64


def river_depth(order):
    """Channel depth below the filled surface (m) by Strahler order."""
    return 1.5 + 1.5 * np.asarray(order, dtype=float)


def drain(elev: np.ndarray, sea: np.ndarray, res: float, *, cone: np.ndarray,
          min_catchment: float | None = None) -> Drainage:
    """Condition ``elev``, find the rivers and carve them; ``min_catchment`` in m².

    By default a river drains at least 6 km² (less on a small extent: 0.25 % of it).
    """
    h, w = elev.shape
    if min_catchment is None:
        min_catchment = min(6e6, 0.0025 * h * w * res * res)
    edge = np.zeros_like(sea)
    edge[:, 0] = edge[:, -1] = True
    edge[-1, :] = True
    edge &= ~sea
    shore = sea & ndimage.binary_dilation(~sea, structure=np.ones((3, 3), bool))
    seed = shore | edge
    seed_kind = np.where(shore, 1, np.where(edge, 2, 0)).astype(np.int8).ravel()
    zf = priority_flood(elev.ravel().astype(np.float64), seed.ravel(), (sea | edge).ravel(), 0.01, w)
    zf = zf.reshape(h, w)
    recv = d8_receivers(zf, res)
    recv[seed.ravel() | sea.ravel()] = -1
    seed_kind[sea.ravel()] = 1
    order = np.argsort(zf.ravel(), kind="stable")  # downstream (low) first
    min_cells = max(int(round(min_catchment / (res * res))), 8)
    acc, outlet, strahler, same_child = _tree_stats(recv, order, seed_kind, min_cells)
    strahler = strahler.reshape(h, w)
    river = strahler > 0

    # lakes: deep filled depressions in the lowlands (not on the volcano)
    fill = zf - elev
    lakes = (fill > 3.0) & ~sea & (elev < 600)
    lab, n = ndimage.label(lakes)
    if n:
        sizes = ndimage.sum_labels(np.ones_like(lab), lab, np.arange(1, n + 1)) * res * res
        lakes = np.isin(lab, np.nonzero(sizes >= 25e4)[0] + 1)

    # zf - depth is non-increasing downstream and zf / 2 strictly decreasing: so is the bed,
    # and it stays above sea level on land
    bed = np.where(river, np.maximum(zf - river_depth(strahler), 0.5 * zf), zf)
    dist, (ir, ic) = ndimage.distance_transform_edt(~river, sampling=res, return_indices=True)
    bed_near = bed[ir, ic]
    near_order = strahler[ir, ic]
    plain_w = 12.0 * near_order.astype(float) ** 1.6  # floodplain half-width (m)
    side = 0.04 + 0.25 * cone  # valley-side gradient
    outside = np.maximum(dist - plain_w, 0.0)
    valley = bed_near + 0.01 * dist + side * outside
    # the cut is at most the channel depth and fades out a few hundred metres away
    depth_near = np.where(near_order > 0, river_depth(near_order), 0.0)
    limit = zf - depth_near * np.exp(-((outside / 250.0) ** 2))
    dem = np.where(sea, elev, np.minimum(zf, np.maximum(valley, limit)))

    rivers = _vectorise(recv, strahler.ravel(), same_child, w)
    return Drainage(dem, strahler, bed_near, dist, near_order, lakes, rivers, acc.reshape(h, w))


def _vectorise(parent, strahler, same_child, width):
    heads = np.nonzero((strahler > 0) & ~same_child)[0]
    out = []
    for c in heads.tolist():
        o = int(strahler[c])
        path = [c]
        while True:
            p = int(parent[c])
            if p < 0:
                break
            path.append(p)
            if strahler[p] != o:
                break
            c = p
        if len(path) >= 2:
            out.append((o, [divmod(i, width) for i in path]))
    return out
