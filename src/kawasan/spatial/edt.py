"""Bounded exact Euclidean distance transform, computed only for a core rectangle of a haloed mask.

Separable algorithm of Felzenszwalb & Huttenlocher (2012), "Distance transforms of sampled functions",
Theory of Computing 8, section 3 (the lower envelope of parabolas), the algorithm behind OpenCV's
``distanceTransform(DIST_L2, DIST_MASK_PRECISE)``, restricted to what a bounded distance needs:

* pass 1 (:func:`_vertical`), along columns: ``g(i, j)``, the distance in cells from (i, j) to the nearest
  feature of column j, for the core's rows only but for every column of the halo, looking at most ``reach``
  rows up and down (beyond that a feature cannot be within reach; such a column gets ``reach + 1``);
* pass 2 (:func:`_horizontal`), along rows: ``d^2(i, q) = min_p (q - p)^2 + g(i, p)^2``, the lower envelope
  of the parabolas of the columns p with ``g <= reach``, evaluated only at the core's columns.

Equal to OpenCV's own F&H code cell for cell (tests/test_distance_kernel.py): the envelope is built with
exact integer arithmetic, so the minimum is the exact squared distance in cells, and the distance is then
formed as OpenCV forms it, ``sqrt(float32(dx^2) + float32(dy^2))`` in float32, times the cell size in
float32, clamped at ``max_distance``. (OpenCV hands images under 2**14 cells, and every image when it runs
one thread, to Intel IPP, whose square root can be 1 ulp off: its value depends on the window's size and
the thread count; this kernel's does not.) A cell whose nearest feature is beyond ``reach`` cells gets
``max_distance`` (``reach`` >= max_distance / cell size + 1, so the float32 value would be clamped anyway).

Work: pass 1 reads the haloed mask once; pass 2 touches core rows x halo columns; the square roots are
taken for the core only. OpenCV on the haloed window does both passes and the roots on every haloed cell.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

_OPTS = dict(parallel=True, cache=True, nogil=True, fastmath=False)
#: columns per task of pass 1 (each task sweeps its columns down then up, row by row)
_COLUMN_BLOCK = 256
#: rows per task of pass 2 (each task allocates its envelope buffers once)
_ROW_BLOCK = 16


@nb.njit(**_OPTS)
def _vertical(mask, r0, r1, c_lo, c_hi, reach, g):
    """Pass 1: ``g[i - r0, j - c_lo]`` = rows from (i, j) to the nearest non-zero ``mask`` cell of column j
    within ``reach`` rows, else ``reach + 1``; for rows r0 <= i < r1 and columns c_lo <= j < c_hi.

    A forward sweep keeps each column's last feature row above, a backward sweep its next one below:
    g = min(i - last, next - i) (F&H 2012, the one-dimensional transform of a 0/inf function)."""
    h = mask.shape[0]
    top, bottom = max(0, r0 - reach), min(h, r1 + reach)
    far = reach + 1
    n = c_hi - c_lo
    nblocks = (n + _COLUMN_BLOCK - 1) // _COLUMN_BLOCK
    for b in nb.prange(nblocks):
        j0 = c_lo + b * _COLUMN_BLOCK
        j1 = min(c_hi, j0 + _COLUMN_BLOCK)
        mark = np.full(j1 - j0, -2 * far - h, dtype=np.int64)
        for i in range(top, r1):
            row = mask[i, j0:j1]
            for j in range(j1 - j0):
                mark[j] = i if row[j] != 0 else mark[j]
            if i >= r0:
                grow = g[i - r0, j0 - c_lo:j1 - c_lo]
                for j in range(j1 - j0):
                    grow[j] = min(i - mark[j], far)
        mark[:] = 2 * far + h
        for i in range(bottom - 1, r0 - 1, -1):
            row = mask[i, j0:j1]
            for j in range(j1 - j0):
                mark[j] = i if row[j] != 0 else mark[j]
            if i < r1:
                grow = g[i - r0, j0 - c_lo:j1 - c_lo]
                for j in range(j1 - j0):
                    grow[j] = min(grow[j], mark[j] - i)


@nb.njit(cache=True, nogil=True)
def _envelope(grow, q0, q1, reach, v, fv, zn, zd):
    """Lower envelope of the parabolas ``(q - p)^2 + grow[p]^2`` of the columns p within ``reach`` of a
    column q0 <= q < q1 (F&H 2012, algorithm DT(f)); a parabola farther from all of them can only be the
    lowest where the distance is clamped anyway. Returns k, the number of parabolas kept; v[0:k] are their
    columns, fv[0:k] their ``grow[p]^2 + p^2``, and zn[t] / zd[t] (t >= 1, zd[t] > 0) where parabola t starts
    to be the lowest, as exact integer fractions."""
    k = 0
    r2 = reach * reach
    for q in range(grow.shape[0]):
        gq = np.int64(grow[q])
        dq = q0 - q if q < q0 else (q - q1 + 1 if q >= q1 else 0)
        g2 = gq * gq
        if g2 + dq * dq > r2:
            continue
        fq = g2 + q * q
        while k > 0:
            num = fq - fv[k - 1]             # the two parabolas meet at s = num / den
            den = 2 * (q - v[k - 1])
            if k > 1 and num * zd[k - 1] <= zn[k - 1] * den:
                k -= 1                        # s <= start of parabola k-1: it is never the lowest
            else:
                zn[k], zd[k] = num, den
                break
        v[k] = q
        fv[k] = fq
        k += 1
    return k


@nb.njit(cache=True, nogil=True)
def _row_distances(k, v, fv, zn, zd, q0, q1, scale, cap, dx2, dy2, out_row):
    """The envelope of :func:`_envelope` evaluated at columns q0 <= q < q1, written to ``out_row[q - q0]``:
    ``sqrt(float32(dx^2) + float32(dy^2)) * scale`` in float32 (as OpenCV forms it), clamped at ``cap``;
    ``cap`` without any parabola.

    Parabola t is the lowest for z[t] < q <= z[t + 1] (F&H's evaluation walk), with z[t] = zn[t] / zd[t] and
    zd[t] > 0, so "z[t + 1] < q" is tested as ``zn[t + 1] < q * zd[t + 1]``: exact, without a division. The
    squares are found first (a scalar walk along the envelope), the roots then in a separate loop that the
    compiler vectorizes."""
    if k == 0:
        out_row[:] = cap
        return
    t = 0
    for q in range(q0, q1):
        while t < k - 1 and zn[t + 1] < q * zd[t + 1]:
            t += 1
        p = v[t]
        dx2[q - q0] = np.float32((q - p) * (q - p))
        dy2[q - q0] = np.float32(fv[t] - p * p)
    for j in range(q1 - q0):
        out_row[j] = min(np.sqrt(dx2[j] + dy2[j]) * scale, cap)


@nb.njit(**_OPTS)
def _horizontal(g, q0, q1, reach, scale, cap, out):
    """Pass 2: for each row of ``g`` (core rows x halo columns) the envelope over its columns, evaluated at the
    core's columns q0 <= q < q1 (indices into g's columns) into the same row of ``out``. A row of ``g`` is
    read whole before its row of ``out`` is written: ``out`` may be ``g`` itself."""
    rows, n = g.shape
    nblocks = (rows + _ROW_BLOCK - 1) // _ROW_BLOCK
    for b in nb.prange(nblocks):
        v = np.empty(n, dtype=np.int64)
        fv = np.empty(n, dtype=np.int64)
        zn = np.empty(n + 1, dtype=np.int64)
        zd = np.empty(n + 1, dtype=np.int64)
        dx2 = np.empty(q1 - q0, dtype=np.float32)
        dy2 = np.empty(q1 - q0, dtype=np.float32)
        for i in range(b * _ROW_BLOCK, min(rows, (b + 1) * _ROW_BLOCK)):
            k = _envelope(g[i], q0, q1, reach, v, fv, zn, zd)
            _row_distances(k, v, fv, zn, zd, q0, q1, scale, cap, dx2, dy2, out[i])


def reach_of(max_distance: float, cell: float) -> int:
    """Cells a bounded distance can reach: ceil(max_distance / cell) + 1 (``chunked.window.reach_cells``)."""
    return max(1, math.ceil(float(max_distance) / cell - 1e-9) + 1)


def bounded_distance(mask: np.ndarray, core: tuple[slice, slice], cell: float, max_distance: float,
                     out: np.ndarray, scratch: np.ndarray | None = None) -> np.ndarray:
    """Distance (map units) from each cell of ``mask[core]`` to the nearest non-zero cell of ``mask``, clamped
    at ``max_distance``, into ``out`` (float32, the core's shape).

    ``mask`` (uint8, C-contiguous) is the core grown by the reach (:func:`reach_of`) on every side where the
    grid allows; features farther out cannot be within reach of the core. ``cell`` is the (square) cell
    side. ``scratch`` is a C-contiguous float32 buffer for pass 1 (used when it holds core rows x halo
    columns cells); without it, ``out`` holds pass 1 when the core spans all of ``mask``'s columns, else a
    new array is allocated.
    """
    rows, cols = core
    r0, r1, _ = rows.indices(mask.shape[0])
    c0, c1, _ = cols.indices(mask.shape[1])
    reach = reach_of(max_distance, cell)
    c_lo, c_hi = max(0, c0 - reach), min(mask.shape[1], c1 + reach)
    shape = (r1 - r0, c_hi - c_lo)
    if scratch is not None and scratch.size >= shape[0] * shape[1]:
        g = scratch.reshape(-1)[: shape[0] * shape[1]].reshape(shape)
    elif (c_lo, c_hi) == (c0, c1):
        g = out
    else:
        g = np.empty(shape, dtype=np.float32)
    _vertical(mask, r0, r1, c_lo, c_hi, reach, g)
    _horizontal(g, c0 - c_lo, c1 - c_lo, reach, np.float32(cell), np.float32(max_distance), out)
    return out
