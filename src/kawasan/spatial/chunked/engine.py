"""The chunked engine: the in-memory engine applied chunk by chunk, on Dask workers, with the same results.

Flow: the grid is cut into chunks (:mod:`.plan`); each chunk is one Dask task that opens the study area
through its haloed window (:mod:`.window`), runs ``engine.evaluate`` there (the same model, weights, kernels,
burning and classification) and returns its core; the coordinator writes each core into the outputs as it
arrives and merges what the chunks report (cells excluded per rule, setback classes, warnings). One task per
chunk reads its own inputs by windows: the task graph stays small (chunks, not cells) and a worker holds one
window of each layer at a time, so its peak memory depends on the chunk size, not on the grid.

Outputs that do not fit in memory go to memory-mapped files in a spill folder beside the run (the operating
system pages them out; no worker holds the grid), and are written as COGs from there.

Equality with the in-memory path is by construction (each rule's halo is its reach, see :mod:`.plan`) and is
the acceptance test (tests/test_chunked.py).
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kawasan.errors import InputError, KawasanError, ModelError, VectorError
from kawasan.i18n import Message
from kawasan.spatial.chunked.cluster import ChunkOptions, open_executor
from kawasan.spatial.chunked.outputs import PATCH_CODE, Patches, TiledOutputs, chunk_patches
from kawasan.spatial.chunked.plan import Block, halo_cells, plan_blocks
from kawasan.spatial.chunked.window import WindowArea
from kawasan.spatial.engine import (ConstraintOutcome, Evaluation, Progress, _noop, bitmask_dtype, evaluate,
                                    with_switches)
from kawasan.spatial.grid import Grid
from kawasan.spatial.model import Model
from kawasan.spatial.model import NO_SETBACK
from kawasan.spatial.setbacks import UNCLASSED, SetbackReport, _class_summary, _feature_rows, classify
from kawasan.spatial.sources import resolve as resolve_source
from kawasan.spatial.studyarea import LayerStore, StudyArea

DEFAULT_CHUNK = 2048
MIN_CHUNK = 8
#: bytes per cell of one in-memory run: the inputs (float32 each) plus score, scratch, bitmask and classes
_RUN_BYTES = 4


@dataclass
class BlockJob:
    """Everything one chunk's task needs (picklable: it travels to the worker)."""

    model: Model
    root: str
    manifest: dict
    grid: dict
    block: Block
    base_dir: str
    allow_inconsistent: bool
    keep_criteria: bool
    model_source: str
    switches: dict
    threads: int
    halo: int = 0                   # the plan's halo: how far around the chunk a rule may measure from
    patch_code: int | None = None   # label the core's patches of this class (outputs.chunk_patches)


@dataclass
class BlockResult:
    block: Block
    score: np.ndarray
    classes: np.ndarray
    reason: np.ndarray
    criteria: dict[str, np.ndarray]
    excluded: dict[str, int]                    # constraint id -> cells of the core it excludes
    setback_cells: dict[str, dict[str, int]]    # constraint id -> class -> cells of the core
    urban_cells: dict[str, int]
    warnings: list[str]
    evaluation: Evaluation | None = None        # metadata (weights, outcomes, reads) of the first chunk only
    inputs: dict = field(default_factory=dict)
    seconds: float = 0.0
    peak_rss_mb: float = 0.0                    # the worker process's peak resident memory so far
    patches: Patches | None = None              # the core's patches of the job's patch_code


def run_block(job: BlockJob) -> BlockResult | KawasanError:
    """Evaluate one chunk: the in-memory engine on its haloed window, cut back to its core.

    A user's error (a corrupt file, a bad value) is returned, not raised: the coordinator raises it as it is,
    with its file and field, instead of the worker logging a traceback."""
    try:
        return _run_block(job)
    except KawasanError as exc:
        return exc


def _run_block(job: BlockJob) -> BlockResult:
    import numba

    t = time.perf_counter()
    keep_freed_memory()
    numba.set_num_threads(max(1, min(job.threads, numba.config.NUMBA_NUM_THREADS)))
    b = job.block
    # The chunk is evaluated on its core only: value and category criteria need no neighbour; the distances
    # and the slope grow their own window by their own reach (WindowStore.distance / .slope).
    core = (slice(None), slice(None))
    area = WindowArea(Path(job.root), Grid.from_dict(job.grid), job.manifest, b.row, b.col, b.height, b.width,
                      core, reach=job.halo)
    ev = evaluate(job.model, area, base_dir=Path(job.base_dir), allow_inconsistent=job.allow_inconsistent,
                  keep_criteria=job.keep_criteria, model_source=job.model_source, switches=job.switches)
    reason = np.ascontiguousarray(ev.reason[core])
    excluded = {o.id: int(np.count_nonzero(reason & reason.dtype.type(o.bit)))
                for o in ev.constraints if o.status == "applied"}
    setback_cells = {o.id: {c["class"]: c["excluded_cells"] for c in o.setback.classes}
                     for o in ev.constraints if o.setback is not None}
    urban_cells = {o.id: o.setback.urban.get("cells", 0) for o in ev.constraints if o.setback is not None}
    first = b.index == 0
    score = np.ascontiguousarray(ev.score[core])
    classes = np.ascontiguousarray(ev.classes[core])
    out = BlockResult(b, score, classes, reason,
                      {k: np.ascontiguousarray(v[core]) for k, v in ev.criteria.items()}, excluded, setback_cells,
                      urban_cells, list(ev.warnings), inputs=dict(ev.store._inputs))
    if first:
        ev.score = ev.classes = ev.reason = None
        ev.criteria = {}
        ev.store = None
        out.evaluation = ev
    if job.patch_code is not None:
        out.patches = chunk_patches(classes, score, b, job.patch_code)
    out.seconds = time.perf_counter() - t
    out.peak_rss_mb = _peak_rss_mb()
    return out


_MALLOC_SET = False
#: glibc mallopt parameters (malloc.h): M_TRIM_THRESHOLD, M_MMAP_THRESHOLD
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3


def keep_freed_memory() -> None:
    """Let this worker process reuse the memory of its previous chunk instead of faulting in fresh pages.

    A worker evaluates chunk after chunk with arrays of the same sizes. By default glibc serves arrays above
    its mmap threshold with fresh mappings and Dask's nanny sets MALLOC_TRIM_THRESHOLD_=65536, so every chunk
    touches new memory: about 2 s of system time per GB on a VM that hands freed memory back to its host
    (docs/performance.md). Raising the mmap threshold to glibc's limit (32 MiB: a chunk of 2,048 cells is
    16 MiB a float32 grid) and the trim threshold to 1 GiB keeps freed pages in the process for the next
    chunk; the process's memory stays that of one chunk. Nothing happens off glibc (macOS, Windows, musl)."""
    global _MALLOC_SET
    if _MALLOC_SET:
        return
    _MALLOC_SET = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 32 << 20)
        libc.mallopt(_M_TRIM_THRESHOLD, 1 << 30)
    except (OSError, AttributeError):
        return


def _peak_rss_mb() -> float:
    """This process's peak resident set size (getrusage; kilobytes on Linux), in MiB."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def grid_bytes(model: Model, grid: Grid) -> int:
    """Rough bytes an in-memory run of ``model`` needs on ``grid``: every layer it reads plus four grids."""
    layers = {layer for item in [*model.criteria, *model.constraints] for layer in item.layers_read()}
    return grid.width * grid.height * _RUN_BYTES * (len(layers) + 4)


#: from this many cells a run folder is written on the chunked path by default (threads): on the 2-core
#: machine of docs/performance.md ("In chunks by default") the chunked path measured 0.93x the in-memory
#: path's speed at 4,096^2 cells, 1.25x at 6,144^2 and 1.45x at 10,000^2, with less memory; the results are
#: the same cell for cell
CHUNKED_FROM_CELLS = 6 * DEFAULT_CHUNK * DEFAULT_CHUNK


def chunks_pay_off(model: Model, grid: Grid) -> bool:
    """Whether a run of ``model`` on ``grid`` is faster on the chunked path (:data:`CHUNKED_FROM_CELLS`) and
    the chunked path takes the model (at most 32 constraints: its exclusion bitmask is 32 bits at most)."""
    return grid.width * grid.height >= CHUNKED_FROM_CELLS and len(model.constraints) <= 32


def fits_in_memory(model: Model, grid: Grid) -> bool:
    """Whether an in-memory run fits in half the memory available now (psutil)."""
    import psutil

    return grid_bytes(model, grid) <= psutil.virtual_memory().available // 2


def evaluate_chunked(model: Model, area: StudyArea, options: ChunkOptions, *, base_dir: Path = Path("."),
                     allow_inconsistent: bool = False, keep_criteria: bool = False, progress: Progress = _noop,
                     model_source: str = "<model>", switches: dict[str, bool] | None = None,
                     spill_dir: Path | None = None, tiled: bool = False) -> Evaluation:
    """``engine.evaluate`` chunk by chunk on Dask; the same :class:`Evaluation` (see the module docstring).

    ``spill_dir``: where outputs too large for memory are memory-mapped (a temporary folder by default).
    ``tiled``: write the outputs window by window into tiled GeoTIFFs in the spill folder as the chunks
    arrive (:mod:`.outputs`) instead of holding them: the Evaluation's ``score``, ``classes``, ``reason`` and
    ``criteria`` are then None/empty and ``ev.tiled`` holds the files and the cells per class (for
    ``runfolder.write_run``, which makes the COGs from the files).

    Three steps: the plan and the checks on whole layers (:func:`_chunk_size`, :func:`_check_layers`,
    :func:`_reason_dtype`), the chunks run into the outputs (:func:`_run_chunks`), and what they report merged
    into one Evaluation (:func:`_merged`).
    """
    t_all = time.perf_counter()
    size = _chunk_size(area, options)
    switched = with_switches(model, dict(switches or {}), source=model_source)
    coordinator = LayerStore(area, switched)
    _check_layers(switched, coordinator)
    halo = halo_cells(switched, area.grid.res)
    blocks = plan_blocks(area.grid.shape, size, halo)
    rdtype = _reason_dtype(model, model_source)
    outs = _Outputs.open(model, area.grid, rdtype, size, spill_dir, tiled)
    jobs = [BlockJob(model, str(area.root), area.manifest, area.grid.to_dict(), b, str(base_dir), allow_inconsistent,
                     keep_criteria, model_source, dict(switches or {}), 1, halo,
                     PATCH_CODE if outs.sink is not None else None) for b in blocks]
    progress(Message("chunked.progress.chunks", chunks=len(blocks), size=size, halo=halo), 0, len(blocks))
    results, first, chunk_seconds = _run_chunks(jobs, options, outs, progress)
    timings = {"chunks": float(len(blocks)), "chunk_cells": float(size), "halo_cells": float(halo),
               "chunk_seconds": chunk_seconds, "worker_peak_rss_mb": max(r.peak_rss_mb for r in results)}
    return _merged(area, first, results, coordinator, switched, outs, timings, t_all)


def _chunk_size(area: StudyArea, options: ChunkOptions) -> int:
    """The chunk size in cells (``--chunks``, :data:`DEFAULT_CHUNK` by default); refuses a study area held in
    memory (the workers read its files) and chunks under :data:`MIN_CHUNK` cells."""
    if area.memory:
        raise InputError(Message("chunked.err.memory_layers"), source=area.name, field="chunks")
    size = options.chunks or DEFAULT_CHUNK
    if size < MIN_CHUNK:
        raise InputError(Message("chunked.err.chunk_too_small", minimum=MIN_CHUNK, size=size), field="--chunks")
    return size


def _reason_dtype(model: Model, model_source: str) -> type:
    """The exclusion bitmask's type (``engine.bitmask_dtype``), refused before any chunk runs beyond 32
    constraints."""
    nbits = len(model.constraints)
    if nbits > 32:
        raise ModelError(Message("chunked.err.too_many_constraints", count=nbits), source=model_source,
                         field="constraints")
    return bitmask_dtype(nbits)


@dataclass
class _Outputs:
    """Where the chunks' cores go: whole-grid arrays (memory-mapped in ``spill`` when they would not fit in
    memory), or, for a tiled run, the tiled GeoTIFFs of ``sink`` in ``spill``."""

    spill: Path | None
    sink: TiledOutputs | None
    score: np.ndarray | None = None
    classes: np.ndarray | None = None
    reason: np.ndarray | None = None
    criteria: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def open(cls, model: Model, grid: Grid, rdtype, size: int, spill_dir: Path | None, tiled: bool) -> "_Outputs":
        """The outputs of a run of ``model`` on ``grid``: a spill folder when they are tiled or too large for
        memory (:func:`fits_in_memory`), the whole-grid arrays unless tiled."""
        big = not fits_in_memory(model, grid)
        spill = Path(tempfile.mkdtemp(prefix="kawasan-chunks-", dir=spill_dir)) if big or tiled else None
        outs = cls(spill, TiledOutputs(spill, grid, rdtype, size) if tiled else None)
        if outs.sink is None:
            outs.score = _allocate(grid.shape, np.float32, spill, "score")
            outs.classes = _allocate(grid.shape, np.uint8, spill, "classes")
            outs.reason = _allocate(grid.shape, rdtype, spill, "reason")
        return outs

    def write(self, res: BlockResult) -> None:
        """One chunk's core into the outputs."""
        if self.sink is not None:
            self.sink.write(res.block, res.score, res.classes, res.reason, res.criteria, res.patches)
        else:
            _place(res, self.score, self.classes, self.reason, self.criteria, self.spill)

    def discard(self) -> None:
        """Close the tiled files and remove the spill folder (a run that failed leaves nothing behind)."""
        if self.sink is not None:
            self.sink.close()
        if self.spill is not None:
            import shutil

            shutil.rmtree(self.spill, ignore_errors=True)


def _run_chunks(jobs: list[BlockJob], options: ChunkOptions, outs: _Outputs,
                progress: Progress) -> tuple[list[BlockResult], BlockResult, float]:
    """Run every chunk's job on the executor and write each core into ``outs`` as it arrives; returns the
    chunks' results (without their grids), the first chunk's (which carries the metadata) and the seconds
    the chunks worked. A chunk's user error is raised as it is; on any failure the outputs are discarded."""
    results: list[BlockResult] = []
    first: BlockResult | None = None
    chunk_seconds = 0.0
    try:
        with open_executor(options) as (submit_all, threads):
            for job in jobs:
                job.threads = threads
            for done, res in enumerate(submit_all(run_block, jobs), 1):
                if isinstance(res, KawasanError):
                    raise res
                outs.write(res)
                chunk_seconds += _received(res, results)
                if res.evaluation is not None:
                    first = res
                progress(Message("chunked.progress.chunk", done=done, total=len(jobs)), done, len(jobs))
    except BaseException:
        outs.discard()
        raise
    if outs.sink is not None:
        outs.sink.close()
    assert first is not None and first.evaluation is not None
    return results, first, chunk_seconds


def _merged(area: StudyArea, first: BlockResult, results: list[BlockResult], coordinator: LayerStore,
            switched: Model, outs: _Outputs, timings: dict, t_all: float) -> Evaluation:
    """One Evaluation from the chunks: the first chunk's metadata, the warnings of all (in chunk order, once
    each), the constraint outcomes summed over the chunks, the layers read recorded once, the outputs; the
    run's total seconds (since ``t_all``) close ``timings``."""
    ev = first.evaluation
    results.sort(key=lambda r: r.block.index)     # completion order varies; the merge does not
    warnings: list[str] = []
    for r in results:
        warnings.extend(w for w in r.warnings if w not in warnings)
    outcomes = _merge_outcomes(ev.constraints, results, coordinator, switched)
    for name, entry in sorted({k: v for r in results for k, v in r.inputs.items()}.items()):
        spec = switched.layers[name]
        coordinator._record(name, spec, Path(entry["path"]))
    timings["total"] = time.perf_counter() - t_all
    out = Evaluation(ev.model, area, ev.weights, outs.score, outs.classes, outs.reason, outcomes, outs.criteria,
                     coordinator, timings, warnings, ev.criteria_read, ev.notices, ev.switches)
    out.spill = outs.spill
    out.tiled = outs.sink
    return out


def _place(res: BlockResult, score, classes, reason, criteria: dict, spill: Path | None) -> None:
    """Copy one chunk's core into the whole-grid outputs held by the coordinator."""
    sl = res.block.core
    score[sl], classes[sl], reason[sl] = res.score, res.classes, res.reason
    for cid, arr in res.criteria.items():
        if cid not in criteria:
            criteria[cid] = _allocate(score.shape, np.float32, spill, f"criterion-{cid}")
        criteria[cid][sl] = arr


def _received(res: BlockResult, results: list[BlockResult]) -> float:
    """Keep what the merge needs of a placed chunk (not its grids); its seconds of work."""
    res.score = res.classes = res.reason = res.patches = None
    res.criteria = {}
    results.append(res)
    return res.seconds


def _allocate(shape, dtype, spill: Path | None, name: str) -> np.ndarray:
    if spill is None:
        return np.empty(shape, dtype=dtype)
    return np.lib.format.open_memmap(spill / f"{name}.npy", mode="w+", dtype=dtype, shape=shape)


def _check_layers(model: Model, store: LayerStore) -> None:
    """What the in-memory run checks on whole layers, checked once here: every vector layer a rule reads is
    readable, has a CRS, features and overlaps the grid; a feature filter that selects nothing in the whole
    layer is refused unless the layer's declared vocabulary knows the values (then every cell is beyond reach,
    with a warning, as in memory)."""
    items = [*model.criteria, *[c for c in model.constraints if c.enabled]]
    for item in items:
        src = resolve_source(item, store)
        if src is None:
            continue
        for name, where in src.features():
            spec = model.layers[name]
            if spec.kind != "vector" or not store.exists(name):
                continue
            gdf = store.vector(name)
            if not where or any(a not in gdf.columns for a in where):
                continue
            sel = np.ones(len(gdf), dtype=bool)
            for attr, vals in where.items():
                sel &= gdf[attr].astype(str).isin([str(v) for v in vals]).to_numpy()
            if sel.any():
                continue
            vocab = store.area.manifest_entry(spec).get("vocabulary") or {}
            known = all(a in vocab and {str(v) for v in vals} <= {str(x) for x in vocab[a]} for a, vals in where.items())
            if not known:
                raise VectorError(Message("run.err.studyarea.features_matching", where=where),
                                  source=str(store.area.path(spec)))


def _merge_outcomes(first: list[ConstraintOutcome], results: list[BlockResult], store: LayerStore,
                    model: Model) -> list[ConstraintOutcome]:
    """The first chunk's outcomes with the cell counts of every chunk's core, setback tables of whole layers."""
    out = []
    for o in first:
        o.excluded_cells = sum(r.excluded.get(o.id, 0) for r in results)
        if o.setback is not None:
            o.setback = _whole_setback(o, model, store, results)
        out.append(o)
    return out


def _whole_setback(o: ConstraintOutcome, model: Model, store: LayerStore, results: list[BlockResult]) -> SetbackReport:
    """A setback's report on the whole layer: every feature once, the cells it excludes summed over chunks."""
    con = model.constraint(o.id)
    rules = con.setback
    gdf = store.vector(o.read["layer"])
    where = o.read.get("where")
    if where:
        sel = np.ones(len(gdf), dtype=bool)
        for attr, vals in where.items():
            sel &= gdf[attr].astype(str).isin([str(v) for v in vals]).to_numpy()
        gdf = gdf[sel]
    report = SetbackReport(urban=dict(o.setback.urban), unclassified=0, no_setback=0)
    if "cells" in report.urban:
        report.urban["cells"] = sum(r.urban_cells.get(o.id, 0) for r in results)
    classes, steps = classify(gdf, rules)
    report.features = _feature_rows(gdf, classes, steps, rules)
    report.unclassified = sum(1 for c in classes if c == UNCLASSED)
    report.no_setback = sum(1 for c in classes if c == NO_SETBACK)
    for cls in sorted(set(classes) - {UNCLASSED, NO_SETBACK}):
        rural, urb = rules.metres(cls)
        cells = sum(r.setback_cells.get(o.id, {}).get(cls, 0) for r in results)
        report.classes.append(_class_summary(cls, rural, urb, [f for f in report.features if f["class"] == cls], cells))
    return report


def chunked_entry(ev: Evaluation, scheduler: str | None, workers: int | None) -> dict:
    """What a run manifest records about a chunked run (how it was cut; the results do not depend on it)."""
    t = ev.timings
    return {"chunk_cells": int(t["chunk_cells"]), "chunks": int(t["chunks"]), "halo_cells": int(t["halo_cells"]),
            "scheduler": "threads" if scheduler is None else ("address" if "://" in scheduler or ":" in scheduler
                                                                 and scheduler not in ("threads", "processes")
                                                                 else scheduler),
            "workers": workers,
            "reason": getattr(ev, "chunked_reason", "asked"),
            "spilled_to_disk": getattr(ev, "spill", None) is not None and getattr(ev, "tiled", None) is None,
            "written_by_windows": getattr(ev, "tiled", None) is not None}


def release_spill(ev: Evaluation) -> None:
    """Remove the memory-mapped outputs of a chunked run once they are written (nothing if none)."""
    import shutil

    spill = getattr(ev, "spill", None)
    if spill is not None:
        ev.score = ev.classes = ev.reason = None
        ev.criteria = {}
        ev.tiled = None
        shutil.rmtree(spill, ignore_errors=True)
        ev.spill = None


__all__ = ["evaluate_chunked", "fits_in_memory", "grid_bytes", "ChunkOptions", "run_block", "DEFAULT_CHUNK"]
