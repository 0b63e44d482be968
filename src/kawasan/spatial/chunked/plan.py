"""The block plan of a chunked run: the grid cut into square chunks, each read with a halo.

A chunk of ``size`` x ``size`` cells (its *core*) is evaluated on a window grown by ``halo`` cells on every
side (clipped to the grid), and only its core is kept. The halo is what makes a chunk's result equal to the
whole grid's:

* a bounded distance reaches ``reach`` map units at most (a criterion's ``max_distance``; a constraint's
  distance plus two cells, see ``engine._reach``; a setback's larger distance plus two cells), so a feature
  farther than ``reach`` from every core cell cannot change the core; ``halo = ceil(reach / cell) + 1``;
* slope (Horn's 3 x 3 operator) needs one cell.

A halo wider than the neighbouring chunk is fine: the window simply spans several chunks (a thin coastal
regency, a small island); a chunk at the grid's edge has its window clipped there, exactly as the grid's own
edge clips the in-memory run.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from kawasan.spatial.model import Model


@dataclass(frozen=True)
class Block:
    """One chunk: its core and its haloed window, as (row, col) offsets and sizes on the whole grid."""

    index: int
    row: int            # core's first row
    col: int            # core's first column
    height: int
    width: int
    win_row: int        # window's first row (core minus halo, clipped at 0)
    win_col: int
    win_height: int
    win_width: int

    @property
    def core_in_window(self) -> tuple[slice, slice]:
        """The core's cells inside the window's arrays."""
        r, c = self.row - self.win_row, self.col - self.win_col
        return slice(r, r + self.height), slice(c, c + self.width)

    @property
    def core(self) -> tuple[slice, slice]:
        """The core's cells on the whole grid."""
        return slice(self.row, self.row + self.height), slice(self.col, self.col + self.width)


def model_reach(model: Model, res: float) -> float:
    """The farthest any rule or criterion of ``model`` measures, in map units (0 for none)."""
    reach = 0.0
    for c in model.criteria:
        if c.measure == "distance":
            reach = max(reach, float(c.max_distance or 0.0))
    for con in model.constraints:
        if con.rule == "setback" and con.setback is not None:
            for cls in con.setback.distances:
                reach = max(reach, max(con.setback.metres(cls)) + 2 * res)
        elif con.measure == "distance" and con.distance is not None:
            reach = max(reach, float(con.distance) + 2 * res)
    return reach


def halo_cells(model: Model, res: tuple[float, float]) -> int:
    """Cells of halo a chunk needs: ceil(reach / smaller cell side) + 1, and at least 1 (slope's 3 x 3)."""
    cell = min(res)
    return max(1, math.ceil(model_reach(model, max(res)) / cell - 1e-9) + 1)


def plan_blocks(shape: tuple[int, int], size: int, halo: int) -> list[Block]:
    """The chunks of a ``shape`` (rows, cols) grid, in row-major order."""
    h, w = shape
    out = []
    for r in range(0, h, size):
        for c in range(0, w, size):
            bh, bw = min(size, h - r), min(size, w - c)
            wr, wc = max(0, r - halo), max(0, c - halo)
            out.append(Block(len(out), r, c, bh, bw, wr, wc, min(h, r + bh + halo) - wr, min(w, c + bw + halo) - wc))
    return out
