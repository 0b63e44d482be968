"""Python API for notebooks and scripts: the same operations as the CLI.

>>> from kawasan.spatial.api import run_suitability  # doctest: +SKIP
>>> result = run_suitability("kawasan-industri", "kawasan-demo/data", "out/ki")  # doctest: +SKIP
>>> result.dataset["score"].plot()  # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kawasan.i18n import Message
from kawasan.spatial.chunked import ChunkOptions, evaluate_chunked, fits_in_memory
from kawasan.spatial.chunked.engine import chunked_entry, chunks_pay_off, release_spill
from kawasan.spatial.engine import Evaluation, Progress, _noop, evaluate
from kawasan.spatial.model import CLASS_CODES, Model
from kawasan.spatial.presets import resolve_model
from kawasan.spatial.runs.folder import write_run
from kawasan.spatial.studyarea import memory_study_area, open_study_area


@dataclass
class RunResult:
    folder: Path | None
    manifest: dict | None
    evaluation: Evaluation
    replaced: dict | None = None   # the earlier run this one replaced (runfolder.previous_run), if any

    @property
    def dataset(self):
        """The run as an xarray Dataset (see :func:`to_xarray`); a run too large for memory is opened from its
        folder as Dask arrays (lazily, by COG tiles)."""
        if self.evaluation.score is None and self.folder is not None:
            return open_run_dataset(self.folder)
        return to_xarray(self.evaluation)


def open_run_dataset(folder: str | Path, chunks: int | str = "auto"):
    """A run folder's score, classes and exclusion bitmask as one Dataset of Dask arrays read from its COGs
    (rioxarray), with the CF ``spatial_ref`` grid mapping; nothing is read until computed."""
    import rioxarray
    import xarray as xr

    from kawasan.spatial.runs.read import open_run

    run = open_run(folder)
    layers = {}
    for name, role in (("score", "score"), ("classes", "classes"), ("excluded_by", "constraints")):
        da = rioxarray.open_rasterio(run.output(role), chunks=chunks, masked=False).squeeze("band", drop=True)
        layers[name] = da
    ds = xr.Dataset(layers)
    ds.attrs.update({"model": run.manifest["model"]["name"], "synthetic": int(bool(run.manifest.get("synthetic")))})
    return ds


def to_xarray(ev: Evaluation):
    """An xarray Dataset (y, x) with score, classes, exclusion bitmask and any kept criteria.

    The grid is carried the CF way notebook tools read: a ``spatial_ref`` grid-mapping coordinate (CRS as WKT
    and the GDAL geotransform, written by rioxarray), so ``ds.rio.crs``, ``ds.rio.to_raster()`` and odc-geo
    work on it directly; ``attrs['crs']`` keeps the CRS string as before.
    """
    import rioxarray  # noqa: F401  (registers the .rio accessor)
    import xarray as xr

    xs, ys = ev.area.grid.coords()
    coords = {"y": ys, "x": xs}
    data = {
        "score": (("y", "x"), ev.score, {"long_name": "suitability score", "range": "0..1"}),
        "classes": (("y", "x"), ev.classes, {"long_name": "suitability class",
                                              "codes": {str(k): v for k, v in CLASS_CODES.items()}}),
        "excluded_by": (("y", "x"), ev.reason, {"long_name": "constraint bitmask",
                                                 "bits": {str(o.bit): o.id for o in ev.constraints}}),
    }
    for cid, arr in ev.criteria.items():
        data[f"criterion_{cid}"] = (("y", "x"), arr, {"long_name": f"standardized {cid}"})
    ds = xr.Dataset(data, coords=coords, attrs={"crs": ev.area.grid.crs.to_string(), "model": ev.model.name,
                                                "weights": str(ev.weights.weights),
                                                "synthetic": int(ev.area.synthetic)})
    ds = ds.rio.write_crs(ev.area.grid.crs, grid_mapping_name="spatial_ref")
    ds = ds.rio.write_transform(ev.area.grid.transform, grid_mapping_name="spatial_ref")
    ds.attrs["crs"] = ev.area.grid.crs.to_string()   # write_crs drops it; earlier notebooks read it
    return ds


def evaluate_model(model: str | Path | Model, data: str | Path | dict, *, allow_inconsistent: bool = False,
                   keep_criteria: bool = False, progress: Progress = _noop, grid=None,
                   rules: dict[str, bool] | None = None, scheduler: str | None = None, workers: int | None = None,
                   chunks: int | None = None, spill_dir: Path | None = None, tiled: bool = False) -> Evaluation:
    """Evaluate a model on a study-area folder, or on in-memory layers.

    ``data`` is a folder, or a dict of layer name -> xarray.DataArray / numpy array (rasters on one grid)
    or GeoDataFrame (vectors); the grid comes from ``grid`` or the first DataArray's x/y coordinates and
    ``attrs['crs']``. Layer names are the model's ``layers`` keys. ``rules`` switches constraints on
    (True) or off (False) for this evaluation, by id (``{"nuisance_buffer": True}``).

    ``scheduler`` ("threads", "processes" or a Dask scheduler address), ``workers`` and ``chunks`` (cells per
    chunk side) run the chunked path (:mod:`kawasan.spatial.chunked`) on Dask; giving ``scheduler`` or
    ``chunks`` runs it even on a grid that fits in memory. Without them a folder whose grid does not fit in
    memory is evaluated in chunks on local threads, with a warning saying so, and so is a run folder's grid
    from ``chunked.engine.CHUNKED_FROM_CELLS`` cells, where chunks are faster (:func:`chunked_reason`). The
    results are the same.
    ``tiled`` (chunked path only): the outputs go window by window to tiled GeoTIFFs in ``spill_dir`` instead
    of whole grids in memory (``ev.tiled``; what :func:`run_suitability` uses to write a run folder).
    """
    if isinstance(model, Model):
        m, source, base = model, f"model:{model.name}", Path(".")
    else:
        m, source, base = resolve_model(model)
    area = memory_study_area(data, grid=grid) if isinstance(data, dict) else open_study_area(data, m)
    options = ChunkOptions(chunks=chunks, scheduler=scheduler, workers=workers)
    options.check()
    reason = chunked_reason(m, area, options, tiled)
    if reason is not None:
        ev = evaluate_chunked(m, area, options, base_dir=base, allow_inconsistent=allow_inconsistent,
                              keep_criteria=keep_criteria, progress=progress, model_source=source, switches=rules,
                              spill_dir=spill_dir, tiled=tiled)
        ev.chunked_reason = reason
        if reason == "memory":
            ev.warnings.insert(0, Message("chunked.note.auto_local_threads", width=area.grid.width,
                                          height=area.grid.height))
        return ev
    return evaluate(m, area, base_dir=base, allow_inconsistent=allow_inconsistent, keep_criteria=keep_criteria,
                    progress=progress, model_source=source, switches=rules)


def chunked_reason(model: Model, area, options: ChunkOptions, tiled: bool) -> str | None:
    """Why an evaluation runs on the chunked path, or None for the in-memory one: ``asked`` (``--chunks`` or
    ``--scheduler``), ``memory`` (the grid does not fit in the memory available) or ``faster`` (a run folder
    of a grid from ``CHUNKED_FROM_CELLS`` cells, written faster in chunks; the same results)."""
    if options.requested:
        return "asked"
    if area.memory:
        return None
    if not fits_in_memory(model, area.grid):
        return "memory"
    return "faster" if tiled and chunks_pay_off(model, area.grid) else None


def run_suitability(model: str | Path | Model, data_dir: str | Path, out_dir: str | Path | None = None, *,
                    allow_inconsistent: bool = False, write_criteria: bool = False, compress: str = "ZSTD",
                    progress: Progress = _noop, rules: dict[str, bool] | None = None,
                    overwrite: bool = False, scheduler: str | None = None, workers: int | None = None,
                    chunks: int | None = None) -> RunResult:
    """Evaluate ``model`` (a file, a preset name or a Model) on ``data_dir``; write a run folder if ``out_dir``.

    ``rules`` switches constraints on or off for this run (recorded in the manifest's ``rule_switches``).
    An earlier run in ``out_dir`` is refused (OutputError, naming what it holds) unless ``overwrite``;
    then it is replaced whole, its sites and reports included, and ``RunResult.replaced`` describes it.
    ``scheduler``, ``workers`` and ``chunks``: the chunked path on Dask, as in :func:`evaluate_model`; the
    manifest's ``chunked`` entry records how the run was cut and why. A run on the chunked path holds no grid
    in memory (``RunResult.evaluation.score`` is None): ``RunResult.dataset`` reads the folder.
    """
    if isinstance(model, Model):
        source = f"model:{model.name}"
    else:
        source = str(model) if Path(str(model)).exists() else f"preset:{model}"
    replaced = None
    if out_dir is not None:
        from kawasan.spatial.runs.folder import check_target

        replaced = check_target(Path(out_dir), overwrite=overwrite)  # refuse before spending time on the analysis
    spill = Path(out_dir).resolve().parent if out_dir is not None else None
    if spill is not None:
        spill.mkdir(parents=True, exist_ok=True)
    ev = evaluate_model(model, data_dir, allow_inconsistent=allow_inconsistent, keep_criteria=write_criteria,
                        progress=progress, rules=rules, scheduler=scheduler, workers=workers, chunks=chunks,
                        spill_dir=spill, tiled=out_dir is not None)
    manifest = None
    try:
        if out_dir is not None:
            extra = {"chunked": chunked_entry(ev, scheduler, workers)} if "chunks" in ev.timings else {}
            manifest = write_run(ev, out_dir, model_source=source, write_criteria=write_criteria, compress=compress,
                                 overwrite=overwrite, extra=extra)
    finally:
        release_spill(ev)
    return RunResult(Path(out_dir) if out_dir else None, manifest, ev, replaced)


__all__ = ["run_suitability", "evaluate_model", "to_xarray", "open_run_dataset", "RunResult"]
