"""Candidate sites across chunks: the rule of ``kawasan.spatial.sites.candidates.extract``, chunk by chunk, with the same sites.

Per chunk (one Dask task, reading the run's COGs by windows): the suitable mask, the opening and the filling
of small holes on the haloed window, then 8-connected components (OpenCV) of the chunk's core. The halo is
``min_width_cells + fill_cells + 2``: a hole that may be filled (at most ``fill_cells`` cells) lies entirely in
the window, and the opening is exact wherever such a hole can reach (see the proof in docs/design.md).

Across chunks (the coordinator): each chunk's labels get a global offset; labels that touch across a chunk
border (8-connectivity: the cell beside it and the two diagonal ones) are merged by connected components on
the graph of touching labels (scipy.sparse.csgraph) - the union-find merge. A merged site's area is the sum
of its parts; only sites of legal size are polygonized, each in its own window of the label raster, exactly
as the in-memory step does.

Site numbering follows OpenCV's in-memory labelling (Spaghetti/BBDT: 2 x 2 blocks visited in raster order),
so the site a run calls 3 is site 3 here too: a component's place is the first 2 x 2 block it touches.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import rasterio
from rasterio.windows import Window

from kawasan.errors import InputError, KawasanError
from kawasan.i18n import Message
from kawasan.spatial.chunked.cluster import ChunkOptions, open_executor
from kawasan.spatial.chunked.engine import DEFAULT_CHUNK, MIN_CHUNK
from kawasan.spatial.chunked.outputs import first_blocks
from kawasan.spatial.chunked.plan import Block, plan_blocks
from kawasan.spatial.runs.read import Run
from kawasan.spatial.sites.candidates import (CLASS_BY_NAME, ExtractRules, Site, _fill_small_holes, area_limits,
                                             compact_site)


@dataclass
class SiteJob:
    paths: dict[str, str]          # role -> COG path (classes, score, constraints)
    block: Block
    rules: ExtractRules
    fill_cells: int


@dataclass
class SiteBlock:
    block: Block
    labels: np.ndarray             # int32 labels of the core (0 = no site cell)
    n: int                         # labels 1..n-1
    areas: np.ndarray              # cells per label (index 0 unused)
    bbox: np.ndarray               # (n, 4) row0, col0, row1, col1 on the whole grid (exclusive ends)
    first: np.ndarray              # (n, 2) the first 2 x 2 block each label touches (block row, block col)


def suitable(classes: np.ndarray, score: np.ndarray | None, rules: ExtractRules) -> np.ndarray:
    """uint8 mask of suitable cells (``sites.suitable_mask`` on arrays)."""
    if rules.min_score is not None:
        return ((score >= rules.min_score) & (classes >= 1) & (classes <= 5)).view(np.uint8)
    return ((classes >= 1) & (classes <= CLASS_BY_NAME[rules.min_class])).view(np.uint8)


def site_block(job: SiteJob) -> SiteBlock | KawasanError:
    try:
        return _site_block(job)
    except KawasanError as exc:
        return exc


def _site_block(job: SiteJob) -> SiteBlock:
    b, rules = job.block, job.rules
    win = Window(b.win_col, b.win_row, b.win_width, b.win_height)
    with rasterio.open(job.paths["classes"]) as ds:
        classes = ds.read(1, window=win)
    score = None
    if rules.min_score is not None:
        with rasterio.open(job.paths["score"]) as ds:
            score = ds.read(1, window=win)
    mask = suitable(classes, score, rules)
    if rules.min_width_cells > 1:
        k = np.ones((rules.min_width_cells, rules.min_width_cells), np.uint8)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, k)
    if job.fill_cells >= 1:
        with rasterio.open(job.paths["constraints"]) as ds:
            reason = ds.read(1, window=win)
        mask = _fill_small_holes(mask, reason, job.fill_cells)
    core = np.ascontiguousarray(mask[b.core_in_window])
    n, labels, stats, _ = cv2.connectedComponentsWithStats(core, connectivity=8, ltype=cv2.CV_32S)
    x, y, w, h, area = (stats[:, i] for i in range(5))
    bbox = np.stack([y + b.row, x + b.col, y + h + b.row, x + w + b.col], axis=1)
    first = first_blocks(labels, n, b.row, b.col)
    return SiteBlock(b, labels, n, area.astype(np.int64), bbox, first)


def extract_chunked(run: Run, rules: ExtractRules, options: ChunkOptions,
                    spill_dir: Path | None = None) -> tuple[list[Site], list[str]]:
    """``sites.extract`` chunk by chunk on Dask (see the module docstring); the same sites and notes."""
    grid = run.grid
    cell_ha = grid.cell_area / 10_000.0
    notes: list[str] = []
    min_cells, max_cells = area_limits(rules, cell_ha, notes)
    if rules.min_score is not None and not 0.0 <= rules.min_score <= 1.0:
        raise InputError(Message("run.err.sites.min_score_must_lie", rules_min_score=rules.min_score),
                         field="min_score")
    if rules.min_score is None and rules.min_class not in CLASS_BY_NAME:
        raise InputError(Message("run.err.sites.unknown_class_expected_one", rules_min_class=rules.min_class),
                         field="min_class")
    size = options.chunks or DEFAULT_CHUNK
    if size < MIN_CHUNK:
        raise InputError(Message("chunked.err.chunk_too_small", minimum=MIN_CHUNK, size=size), field="--chunks")
    fill_cells = int(min(rules.fill_holes_ha, rules.min_area_ha / 10.0) / cell_ha)
    halo = max(1, rules.min_width_cells) + max(0, fill_cells) + 2
    paths = {}
    for role in ("classes", "score", "constraints"):
        p = run.output(role)
        if p is None or not p.exists():
            raise InputError(Message("run.err.runs.run_raster", role=role), source=str(run.folder))
        paths[role] = str(p)
    blocks = plan_blocks(grid.shape, size, halo)
    from kawasan.spatial.chunked.engine import _allocate

    big = not sites_fit_in_memory(grid)
    spill = Path(tempfile.mkdtemp(prefix="kawasan-sites-", dir=spill_dir)) if big else None
    try:
        labels = _allocate(grid.shape, np.int64 if len(blocks) * size * size > 2**31 - 1 else np.int32, spill,
                           "labels")
        parts: list[SiteBlock] = []
        offset = {}
        jobs = [SiteJob(paths, b, rules, fill_cells) for b in blocks]
        with open_executor(options) as (run_all, _threads):
            for res in run_all(site_block, jobs):
                if isinstance(res, KawasanError):
                    raise res
                parts.append(res)
        parts.sort(key=lambda p: p.block.index)
        base = 0
        for p in parts:
            offset[p.block.index] = base
            lab = p.labels.astype(labels.dtype)
            lab[lab > 0] += base
            labels[p.block.core] = lab
            base += p.n - 1
            p.labels = None
        sites = _merge(labels, parts, offset, base, blocks, grid, min_cells, max_cells, rules, notes)
    finally:
        if spill is not None:
            import shutil

            shutil.rmtree(spill, ignore_errors=True)
    return sites, notes


def sites_fit_in_memory(grid) -> bool:
    """Whether the in-memory site step (a mask, its opening, int32 labels: about 16 bytes a cell) fits in half
    the memory available now."""
    import psutil

    return grid.width * grid.height * 16 <= psutil.virtual_memory().available // 2


def _merge(labels, parts, offset, total, blocks, grid, min_cells, max_cells, rules, notes) -> list[Site]:
    """Merge labels touching across chunk borders; keep, order, polygonize and number the sites."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = total + 1
    area = np.zeros(n, dtype=np.int64)
    bbox = np.zeros((n, 4), dtype=np.int64)
    first = np.zeros((n, 2), dtype=np.int64)
    for p in parts:
        o = offset[p.block.index]
        area[o + 1:o + p.n] = p.areas[1:]
        bbox[o + 1:o + p.n] = p.bbox[1:]
        first[o + 1:o + p.n] = p.first[1:]
    a, b = _touching(labels, blocks, grid)
    graph = coo_matrix((np.ones(a.size, dtype=np.int8), (a, b)), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    comp_of = comp[1:]
    ids = np.arange(1, n)
    order = np.lexsort((ids, comp_of))
    comp_s, ids_s = comp_of[order], ids[order]
    starts = np.flatnonzero(np.r_[True, comp_s[1:] != comp_s[:-1]]) if comp_s.size else np.array([], int)
    groups = np.split(ids_s, starts[1:]) if comp_s.size else []
    merged = []
    for g in groups:
        cells = int(area[g].sum())
        key = tuple(min(map(tuple, first[g])))
        box = (int(bbox[g, 0].min()), int(bbox[g, 1].min()), int(bbox[g, 2].max()), int(bbox[g, 3].max()))
        merged.append((key, cells, box, g))
    merged.sort(key=lambda m: m[0])
    keep = [m for m in merged if m[1] >= min_cells and (m[1] <= max_cells if max_cells else True)]
    if not keep:
        notes.append(Message("run.note.sites.contiguous_area_suitable_cells", min_area_ha=rules.min_area_ha,
                             n_more=len(merged)))
    sites = []
    for _, cells, (r0, c0, r1, c1), g in keep:
        win = Window(c0, r0, c1 - c0, r1 - r0)
        sub = np.isin(np.asarray(labels[r0:r1, c0:c1]), g)
        site = compact_site(len(sites) + 1, cells, win, sub, grid, rules)
        if site is not None:
            sites.append(site)
    return sites


def _touching(labels, blocks, grid) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of labels that touch across a chunk border (8-connectivity)."""
    rows = sorted({b.row for b in blocks} - {0})
    cols = sorted({b.col for b in blocks} - {0})
    pa, pb = [], []
    for c in cols:
        left, right = np.asarray(labels[:, c - 1]), np.asarray(labels[:, c])
        for d in (-1, 0, 1):
            x = left[max(0, -d):len(left) - max(0, d)]
            y = right[max(0, d):len(right) - max(0, -d)]
            ok = (x > 0) & (y > 0)
            pa.append(x[ok]); pb.append(y[ok])
    for r in rows:
        up, down = np.asarray(labels[r - 1, :]), np.asarray(labels[r, :])
        for d in (-1, 0, 1):
            x = up[max(0, -d):len(up) - max(0, d)]
            y = down[max(0, d):len(down) - max(0, -d)]
            ok = (x > 0) & (y > 0)
            pa.append(x[ok]); pb.append(y[ok])
    if not pa:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(pa).astype(np.int64), np.concatenate(pb).astype(np.int64)
