"""Deterministic smooth noise for the synthetic landscape.

A noise *octave* is a coarse lattice of standard-normal values, one value every
``wavelength`` metres, drawn from a seeded :class:`numpy.random.Generator` and
interpolated onto the cell centres with a bicubic spline
(:class:`scipy.interpolate.RectBivariateSpline`). Summing octaves whose wavelength
halves while their amplitude falls by ``persistence`` gives fractal (fBm) noise.

The lattice depends only on the extent in metres, never on the cell size, so a
coarse test grid and the full-resolution grid of the same extent show the same
landscape.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.interpolate import CubicSpline, RectBivariateSpline

_PAD = 3  # lattice nodes beyond the extent on every side (avoids spline edge effects)
_OCTAVE_SD = 0.88  # standard deviation of a cubic spline through standard-normal knots


def octave(rng: np.random.Generator, xs: np.ndarray, ys: np.ndarray, extent: tuple[float, float],
           wavelength: float, stretch: float = 1.0) -> np.ndarray:
    """One octave: a (len(ys), len(xs)) field with values of order 1.

    ``stretch`` > 1 makes features longer north-south than east-west.
    """
    lx, ly = extent
    wx, wy = wavelength, wavelength * stretch
    nx = int(math.ceil(lx / wx)) + 1 + 2 * _PAD
    ny = int(math.ceil(ly / wy)) + 1 + 2 * _PAD
    lattice = rng.standard_normal((ny, nx))
    gx = (np.arange(nx) - _PAD) * wx
    gy = (np.arange(ny) - _PAD) * wy
    return RectBivariateSpline(gy, gx, lattice, kx=3, ky=3, s=0)(ys, xs)


def fbm(rng: np.random.Generator, xs: np.ndarray, ys: np.ndarray, extent: tuple[float, float],
        wavelength: float, octaves: int = 4, persistence: float = 0.5, stretch: float = 1.0) -> np.ndarray:
    """Fractal noise with mean about 0 and standard deviation about 1.

    The normalisation is a constant (not the sample statistics), so the same
    extent gives the same values whatever the cell size.
    """
    out = np.zeros((len(ys), len(xs)))
    amp, wl, norm = 1.0, float(wavelength), 0.0
    for _ in range(octaves):
        out += amp * octave(rng, xs, ys, extent, wl, stretch)
        norm += amp * amp
        amp *= persistence
        wl /= 2.0
    return out / (_OCTAVE_SD * math.sqrt(norm))


def fbm1d(rng: np.random.Generator, xs: np.ndarray, length: float, wavelength: float,
          octaves: int = 3, persistence: float = 0.5) -> np.ndarray:
    """One-dimensional fractal noise along ``xs`` (mean about 0, standard deviation about 1)."""
    out = np.zeros(len(xs))
    amp, wl, norm = 1.0, float(wavelength), 0.0
    for _ in range(octaves):
        n = int(math.ceil(length / wl)) + 1 + 2 * _PAD
        knots = (np.arange(n) - _PAD) * wl
        out += amp * CubicSpline(knots, rng.standard_normal(n))(xs)
        norm += amp * amp
        amp *= persistence
        wl /= 2.0
    return out / (_OCTAVE_SD * math.sqrt(norm))


def smoothstep(e0: float, e1: float, x):
    """Hermite step from 0 at ``e0`` to 1 at ``e1``."""
    t = np.clip((np.asarray(x, dtype=float) - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)
