"""Per-cell and neighbourhood kernels, compiled with numba and run in parallel.

Each kernel works in place on float32 arrays where NaN means NoData. NaN in,
NaN out: no kernel turns NoData into a number. They are the hot loops of a run;
docs/performance.md records how each compares with the fastest known kernel.
"""
from __future__ import annotations

import math

import numba as nb
import numpy as np

_OPTS = dict(parallel=True, cache=True, nogil=True, fastmath=False)


# --- terrain ------------------------------------------------------------------------------
@nb.njit(**_OPTS)
def slope_percent(dem, res_x, res_y, out):
    """Slope in percent (100 * rise / run) by Horn's (1981) third-order finite difference.

    dz/dx = ((c + 2f + i) - (a + 2d + g)) / (8 * res_x),  dz/dy = ((g + 2h + i) - (a + 2b + c)) / (8 * res_y)
    for the 3x3 window a b c / d e f / g h i; slope% = 100 * sqrt(dz/dx² + dz/dy²).
    Edge cells use the nearest row/column inside the grid (edge replication). A NoData (NaN) cell or
    any NoData neighbour gives NaN.
    Horn, B.K.P. (1981) Hill shading and the reflectance map, Proc. IEEE 69(1), 14-47;
    the same operator as gdaldem slope and ArcGIS Slope.
    """
    h, w = dem.shape
    for r in nb.prange(h):
        r0 = r - 1 if r > 0 else 0
        r2 = r + 1 if r < h - 1 else h - 1
        for c in range(w):
            c0 = c - 1 if c > 0 else 0
            c2 = c + 1 if c < w - 1 else w - 1
            e = dem[r, c]
            if e != e:
                out[r, c] = np.nan
                continue
            a = dem[r0, c0]; b = dem[r0, c]; cc = dem[r0, c2]
            d = dem[r, c0]; f = dem[r, c2]
            g = dem[r2, c0]; hh = dem[r2, c]; i = dem[r2, c2]
            dzdx = ((cc + 2.0 * f + i) - (a + 2.0 * d + g)) / (8.0 * res_x)
            dzdy = ((g + 2.0 * hh + i) - (a + 2.0 * b + cc)) / (8.0 * res_y)
            out[r, c] = 100.0 * math.sqrt(dzdx * dzdx + dzdy * dzdy)
    return out


@nb.njit(**_OPTS)
def percent_to_degrees(a):
    """In place: degrees = atan(percent / 100) * 180 / pi."""
    flat = a.reshape(-1)
    for k in nb.prange(flat.size):
        flat[k] = math.degrees(math.atan(flat[k] / 100.0))
    return a


# --- standardization ----------------------------------------------------------------------
@nb.njit(**_OPTS)
def std_linear(a, lo, hi, invert):
    """In place: m = clip((x - lo) / (hi - lo), 0, 1); 1 - m when invert (cost criterion)."""
    flat = a.reshape(-1)
    span = hi - lo
    for k in nb.prange(flat.size):
        x = flat[k]
        if x != x:
            continue
        m = (x - lo) / span
        m = 0.0 if m < 0.0 else (1.0 if m > 1.0 else m)
        flat[k] = 1.0 - m if invert else m
    return a


@nb.njit(**_OPTS)
def std_sigmoid(a, lo, hi, invert):
    """In place: TerrSet FUZZY monotonically increasing sigmoid with control points lo and hi.

    m = 0 for x <= lo, 1 for x >= hi, else cos²((1 - (x - lo) / (hi - lo)) * pi / 2)
    (Eastman, IDRISI/TerrSet FUZZY module); 1 - m when invert.
    """
    flat = a.reshape(-1)
    span = hi - lo
    for k in nb.prange(flat.size):
        x = flat[k]
        if x != x:
            continue
        if x <= lo:
            m = 0.0
        elif x >= hi:
            m = 1.0
        else:
            cs = math.cos((1.0 - (x - lo) / span) * math.pi / 2.0)
            m = cs * cs
        flat[k] = 1.0 - m if invert else m
    return a


@nb.njit(**_OPTS)
def std_gaussian(a, center, width, invert):
    """In place: m = exp(-0.5 * ((x - center) / width)²); 1 - m when invert."""
    flat = a.reshape(-1)
    for k in nb.prange(flat.size):
        x = flat[k]
        if x != x:
            continue
        z = (x - center) / width
        m = math.exp(-0.5 * z * z)
        flat[k] = 1.0 - m if invert else m
    return a


@nb.njit(**_OPTS)
def std_triangular(a, lo, peak, hi, invert):
    """In place: 0 outside [lo, hi], rising linearly to 1 at peak; 1 - m when invert."""
    flat = a.reshape(-1)
    for k in nb.prange(flat.size):
        x = flat[k]
        if x != x:
            continue
        if x <= lo or x >= hi:
            m = 1.0 if x == peak else 0.0
        elif x <= peak:
            m = (x - lo) / (peak - lo) if peak > lo else 1.0
        else:
            m = (hi - x) / (hi - peak) if hi > peak else 1.0
        flat[k] = 1.0 - m if invert else m
    return a


@nb.njit(**_OPTS)
def std_piecewise(a, xs, ys, invert):
    """In place: piecewise-linear interpolation through control points (xs ascending, ys in [0, 1]),
    constant beyond the first and last point; 1 - m when invert."""
    flat = a.reshape(-1)
    n = xs.size
    for k in nb.prange(flat.size):
        x = flat[k]
        if x != x:
            continue
        if x <= xs[0]:
            m = ys[0]
        elif x >= xs[n - 1]:
            m = ys[n - 1]
        else:
            j = np.searchsorted(xs, x, side="right") - 1
            t = (x - xs[j]) / (xs[j + 1] - xs[j])
            m = ys[j] + t * (ys[j + 1] - ys[j])
        flat[k] = 1.0 - m if invert else m
    return a


@nb.njit(**_OPTS)
def std_ranges(a, lows, highs, scores, invert):
    """In place: score of the first range with low <= x < high (NaN when no range holds x)."""
    flat = a.reshape(-1)
    n = lows.size
    for k in nb.prange(flat.size):
        x = flat[k]
        if x != x:
            continue
        m = np.nan
        for j in range(n):
            if x >= lows[j] and x < highs[j]:
                m = scores[j]
                break
        if m == m and invert:
            m = 1.0 - m
        flat[k] = m
    return a


@nb.njit(**_OPTS)
def lookup(codes, lut, out):
    """out = lut[code]; codes outside the table give NaN (lut holds NaN for NoData and unlisted codes)."""
    fc = codes.reshape(-1)
    fo = out.reshape(-1)
    n = lut.size
    for k in nb.prange(fc.size):
        c = np.int64(fc[k])
        fo[k] = lut[c] if 0 <= c < n else np.nan
    return out


# --- combination -----------------------------------------------------------------------------
@nb.njit(**_OPTS)
def accumulate(score, s, w, mode):
    """Fold one standardized criterion into the running score, in place.

    mode 0 WLC: score += w * s (start from 0); 1 fuzzy AND: min; 2 fuzzy OR: max;
    3 fuzzy product: score *= s (start 1); 4 complement product: score *= (1 - s) (start 1).
    NaN propagates.
    """
    fs = score.reshape(-1)
    fx = s.reshape(-1)
    for k in nb.prange(fs.size):
        x = fx[k]
        if mode == 0:
            fs[k] += w * x
        elif mode == 1:
            y = fs[k]
            fs[k] = x if (x != x or x < y) else y
        elif mode == 2:
            y = fs[k]
            fs[k] = x if (x != x or x > y) else y
        elif mode == 3:
            fs[k] *= x
        else:
            fs[k] *= 1.0 - x
    return score


@nb.njit(**_OPTS)
def weighted_sum(stack, weights, out):
    """out = sum_i weights[i] * stack[i] over a (n, rows, cols) float32 stack (WLC on layers in memory)."""
    n = stack.shape[0]
    h = stack.shape[1]
    w = stack.shape[2]
    for r in nb.prange(h):
        for c in range(w):
            acc = np.float32(0.0)
            for i in range(n):
                acc += weights[i] * stack[i, r, c]
            out[r, c] = acc
    return out


@nb.njit(**_OPTS)
def owa(stack, crit_weights, order_weights, out):
    """Ordered weighted averaging with criterion weights (Malczewski 2006, IJGIS 20(2) 131-154, eq. 4):

    OWA = sum_j (u_j v_j / sum_k u_k v_k) z_j with z_1 >= z_2 >= ... the cell's standardized values
    sorted in descending order, u_j the criterion weight of the j-th largest and v_j the order weight.
    Equal order weights (1/n) give WLC. NaN in any criterion gives NaN.
    """
    n = stack.shape[0]
    h = stack.shape[1]
    w = stack.shape[2]
    for r in nb.prange(h):
        vals = np.empty(n, dtype=np.float64)
        for c in range(w):
            bad = False
            for i in range(n):
                vals[i] = stack[i, r, c]
                if vals[i] != vals[i]:
                    bad = True
            if bad:
                out[r, c] = np.nan
                continue
            order = np.argsort(-vals, kind="mergesort")
            num = 0.0
            den = 0.0
            for j in range(n):
                i = order[j]
                uv = crit_weights[i] * order_weights[j]
                num += uv * vals[i]
                den += uv
            out[r, c] = num / den if den > 0 else np.nan
    return out


# --- constraints and classes ------------------------------------------------------------------
@nb.njit(**_OPTS)
def mark_outside(values, lo, hi, reason, bit):
    """reason |= bit where values < lo or values > hi (NaN never marks)."""
    fv = values.reshape(-1)
    fr = reason.reshape(-1)
    for k in nb.prange(fv.size):
        x = fv[k]
        if x < lo or x > hi:
            fr[k] |= bit
    return reason


@nb.njit(**_OPTS)
def mark_codes(codes, flags, reason, bit):
    """reason |= bit where flags[code] is true (flags is a boolean table over codes)."""
    fc = codes.reshape(-1)
    fr = reason.reshape(-1)
    n = flags.size
    for k in nb.prange(fc.size):
        c = np.int64(fc[k])
        if 0 <= c < n and flags[c]:
            fr[k] |= bit
    return reason


@nb.njit(**_OPTS)
def finalize(score, reason, breaks, classes):
    """Mask excluded cells and classify.

    score is set to 0 where reason != 0 (excluded by law: unsuitable whatever the score);
    classes: 0 NoData, 1 S1 (score >= breaks[0]), 2 S2 (>= breaks[1]), 3 S3 (>= breaks[2]),
    4 N1 (>= breaks[3]), 5 N2 (below), 6 excluded by law.
    """
    fs = score.reshape(-1)
    fr = reason.reshape(-1)
    fc = classes.reshape(-1)
    nb_ = breaks.size
    for k in nb.prange(fs.size):
        if fr[k] != 0:
            fs[k] = 0.0
            fc[k] = 6
            continue
        x = fs[k]
        if x != x:
            fc[k] = 0
            continue
        cls = nb_ + 1
        for j in range(nb_):
            if x >= breaks[j]:
                cls = j + 1
                break
        fc[k] = cls
    return classes


# --- burning lines and points ----------------------------------------------------------------
@nb.njit(cache=True, nogil=True)
def burn_segments(u0, v0, u1, v1, out, row0=0, col0=0):
    """out[r, c] = 1 for every cell that holds a point of a segment (an exact "supercover").

    Segments run from (u0[k], v0[k]) to (u1[k], v1[k]) in pixel coordinates (u = column, v = row,
    both growing from the grid's upper-left corner). Cells are half-open, [c, c+1) x [r, r+1), so
    every point of a line lies in exactly one cell: a line along a cell edge burns the cells on one
    side, a line through a corner burns the one cell that holds the corner, and no cell a line
    passes through is missed. Row by row: the part of the segment with r <= v < r + 1 (the end
    point itself included) spans u from u(v=lo) to u(v=hi), and burns columns floor(u_min) to
    floor(u_max), or ceil(u_max) - 1 when u_max is only approached (the part leaves the row there).
    Same segments, same cells: the result does not depend on chunking, threads or any setting.
    ``out`` may be a window of a larger grid whose upper-left cell is (``row0``, ``col0``): the coordinates
    stay those of the whole grid (so every decision is the same float arithmetic) and only the cells
    inside the window are written, at out[r - row0, c - col0].
    """
    h = out.shape[0] + row0
    w = out.shape[1] + col0
    for k in range(u0.size):
        ua, va, ub, vb = u0[k], v0[k], u1[k], v1[k]
        if not (ua == ua and va == va and ub == ub and vb == vb):
            continue
        if va == vb:
            r = math.floor(va)
            if row0 <= r < h:
                c_lo = max(math.floor(min(ua, ub)), col0)
                c_hi = min(math.floor(max(ua, ub)), w - 1)
                for c in range(c_lo, c_hi + 1):
                    out[r - row0, c - col0] = 1
            continue
        vmin, vmax = min(va, vb), max(va, vb)
        slope = (ub - ua) / (vb - va)
        r_lo = max(math.floor(vmin), row0)
        r_hi = min(math.floor(vmax), h - 1)
        for r in range(r_lo, r_hi + 1):
            lo = max(float(r), vmin)
            hi = min(float(r + 1), vmax)
            hi_open = hi == r + 1.0      # that point belongs to the next row
            u_lo = ua + (lo - va) * slope
            u_hi = ua + (hi - va) * slope
            if u_lo == u_hi:
                c_lo = c_hi = math.floor(u_lo)
            elif u_lo < u_hi:
                c_lo = math.floor(u_lo)
                c_hi = math.ceil(u_hi) - 1 if hi_open else math.floor(u_hi)
            else:
                c_lo = math.floor(u_hi)   # approached from above: floor is the same whether or not reached
                c_hi = math.floor(u_lo)
            c_lo = max(c_lo, col0)
            c_hi = min(c_hi, w - 1)
            for c in range(c_lo, c_hi + 1):
                out[r - row0, c - col0] = 1
    return out


# --- masks and reductions (one pass, no temporaries) ------------------------------------------
@nb.njit(**_OPTS)
def nodata_to_nan(a, nodata):
    """In place: cells equal to ``nodata`` become NaN; returns the number of valid (finite) cells."""
    flat = a.reshape(-1)
    n = 0
    for k in nb.prange(flat.size):
        x = flat[k]
        if x == nodata:
            flat[k] = np.nan
        elif x == x and abs(x) != np.inf:
            n += 1
    return n


@nb.njit(**_OPTS)
def count_finite(a):
    flat = a.reshape(-1)
    n = 0
    for k in nb.prange(flat.size):
        x = flat[k]
        if x == x and abs(x) != np.inf:
            n += 1
    return n


@nb.njit(**_OPTS)
def codes_to_mask(codes, flags, out):
    """out = 1 where flags[code] (a feature), else 0; codes outside the table are not features."""
    fc = codes.reshape(-1)
    fo = out.reshape(-1)
    n = flags.size
    for k in nb.prange(fc.size):
        c = np.int64(fc[k])
        fo[k] = 1 if (0 <= c < n and flags[c]) else 0
    return out


@nb.njit(**_OPTS)
def nonzero_finite_mask(a, out):
    """out = 1 where a is finite and non-zero (features of a continuous raster)."""
    fa = a.reshape(-1)
    fo = out.reshape(-1)
    for k in nb.prange(fa.size):
        x = fa[k]
        fo[k] = 1 if (x == x and x != 0) else 0
    return out


@nb.njit(cache=True, nogil=True)
def label_sums(labels, values, n):
    """Sum of finite ``values`` per label 1..n-1 (float64), without copying the arrays; label 0, the
    background, is left at 0 (adding every background cell into one sum chained each addition to the one
    before: most of the time went there, for a sum nobody reads)."""
    out = np.zeros(n, dtype=np.float64)
    fl = labels.reshape(-1)
    fv = values.reshape(-1)
    for k in range(fl.size):
        lab = fl[k]
        v = fv[k]
        if lab != 0 and v == v:
            out[lab] += v
    return out


@nb.njit(cache=True, nogil=True)
def histogram_u8(a):
    """Counts of each value 0..255 in a uint8 array (no int64 copy of the array, unlike np.bincount)."""
    out = np.zeros(256, dtype=np.int64)
    flat = a.reshape(-1)
    for k in range(flat.size):
        out[flat[k]] += 1
    return out


@nb.njit(cache=True, nogil=True)
def label_any(labels, flags, n):
    """For labels 0..n-1: True where any cell of the label has a non-zero flag (uint8)."""
    out = np.zeros(n, dtype=np.bool_)
    fl = labels.reshape(-1)
    ff = flags.reshape(-1)
    for k in range(fl.size):
        if ff[k] != 0:
            out[fl[k]] = True
    return out
