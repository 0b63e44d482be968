"""Fluvial erosion of the raw landforms on a coarse grid.

Fractal noise alone makes hills full of closed basins, which a filled DEM shows as
flat facets and lakes. A short run of the *stream-power law*
``dh/dt = -K A^m S`` (implicit scheme of Braun & Willett 2013) on a coarse grid
(about 240 cells across the extent) cuts dendritic valleys, breaches the basins
and gives the drainage a realistic shape. Each iteration routes flow over the
depression-filled surface (priority flood), accumulates drainage area, then
lowers every cell towards its D8 receiver, downstream first. Only the erosion
(the difference to the input) is used: it is interpolated onto the fine grid.
"""
from __future__ import annotations

import numba
import numpy as np

from kawasan.sampledata.hydro import priority_flood, d8_receivers


@numba.njit(cache=False)
def _stream_power(h, zf, recv, order, width, cell, kdt, m):  # pragma: no cover - compiled
    """One implicit stream-power step; ``order`` lists cells downstream-first."""
    n_all = h.size
    area = np.zeros(n_all)
    for i in range(order.size - 1, -1, -1):
        c = order[i]
        area[c] += cell * cell
        p = recv[c]
        if p >= 0:
            area[p] += area[c]
    out = h.copy()
    for i in range(order.size):
        c = order[i]
        p = recv[c]
        if p < 0 or h[c] < zf[c] - 1e-6:  # outlets and lake floors do not erode
            continue
        dr = abs(c // width - p // width)
        dc = abs(c % width - p % width)
        dist = cell * (1.4142135623730951 if dr + dc == 2 else 1.0)
        f = kdt * area[c] ** m / dist
        new = (h[c] + f * out[p]) / (1.0 + f)
        if new < out[c] and new > out[p]:
            out[c] = new
    return out


def erode(elev: np.ndarray, sea: np.ndarray, cell: float, *, iterations: int = 40,
          kdt: float = 0.012, m: float = 0.5) -> np.ndarray:
    """Eroded copy of ``elev``; sea cells and the land edges are the base level."""
    h, w = elev.shape
    edge = np.zeros_like(sea)
    edge[:, 0] = edge[:, -1] = True
    edge[-1, :] = True
    edge &= ~sea
    shore = sea.copy()  # every sea cell is an outlet (the coarse grid is small)
    seed = (shore | edge).ravel()
    z = elev.astype(np.float64).ravel().copy()
    for _ in range(iterations):
        zf = priority_flood(z, seed, seed.copy(), 1e-3, w)
        recv = d8_receivers(zf.reshape(h, w), cell)
        recv[seed] = -1
        order = np.argsort(zf, kind="stable")
        z = _stream_power(z, zf, recv, order, w, float(cell), kdt, m)
    return z.reshape(h, w)
