"""Python API for notebooks and scripts: the same operations as the CLI.

>>> from kawasan.spatial.api import run_suitability  # doctest: +SKIP
>>> result = run_suitability("kawasan-industri", "kawasan-demo/data", "out/ki")  # doctest: +SKIP
>>> result.dataset["score"].plot()  # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kawasan.spatial.engine import Evaluation, Progress, _noop, evaluate
from kawasan.spatial.model import CLASS_CODES, Model
from kawasan.spatial.presets import resolve_model
from kawasan.spatial.runfolder import write_run
from kawasan.spatial.studyarea import memory_study_area, open_study_area


@dataclass
class RunResult:
    folder: Path | None
    manifest: dict | None
    evaluation: Evaluation
    replaced: dict | None = None   # the earlier run this one replaced (runfolder.previous_run), if any

    @property
    def dataset(self):
        return to_xarray(self.evaluation)


def to_xarray(ev: Evaluation):
    """An xarray Dataset (y, x) with score, classes, exclusion bitmask and any kept criteria; CRS in attrs."""
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
    return xr.Dataset(data, coords=coords, attrs={"crs": ev.area.grid.crs.to_string(), "model": ev.model.name,
                                                  "weights": str(ev.weights.weights),
                                                  "synthetic": int(ev.area.synthetic)})


def evaluate_model(model: str | Path | Model, data: str | Path | dict, *, allow_inconsistent: bool = False,
                   keep_criteria: bool = False, progress: Progress = _noop, grid=None,
                   rules: dict[str, bool] | None = None) -> Evaluation:
    """Evaluate a model on a study-area folder, or on in-memory layers.

    ``data`` is a folder, or a dict of layer name -> xarray.DataArray / numpy array (rasters on one grid)
    or GeoDataFrame (vectors); the grid comes from ``grid`` or the first DataArray's x/y coordinates and
    ``attrs['crs']``. Layer names are the model's ``layers`` keys. ``rules`` switches constraints on
    (True) or off (False) for this evaluation, by id (``{"nuisance_buffer": True}``).
    """
    if isinstance(model, Model):
        m, source, base = model, f"model:{model.name}", Path(".")
    else:
        m, source, base = resolve_model(model)
    area = memory_study_area(data, grid=grid) if isinstance(data, dict) else open_study_area(data, m)
    return evaluate(m, area, base_dir=base, allow_inconsistent=allow_inconsistent, keep_criteria=keep_criteria,
                    progress=progress, model_source=source, switches=rules)


def run_suitability(model: str | Path | Model, data_dir: str | Path, out_dir: str | Path | None = None, *,
                    allow_inconsistent: bool = False, write_criteria: bool = False, compress: str = "ZSTD",
                    progress: Progress = _noop, rules: dict[str, bool] | None = None,
                    overwrite: bool = False) -> RunResult:
    """Evaluate ``model`` (a file, a preset name or a Model) on ``data_dir``; write a run folder if ``out_dir``.

    ``rules`` switches constraints on or off for this run (recorded in the manifest's ``rule_switches``).
    An earlier run in ``out_dir`` is refused (OutputError, naming what it holds) unless ``overwrite``;
    then it is replaced whole, its sites and reports included, and ``RunResult.replaced`` describes it.
    """
    if isinstance(model, Model):
        source = f"model:{model.name}"
    else:
        source = str(model) if Path(str(model)).exists() else f"preset:{model}"
    replaced = None
    if out_dir is not None:
        from kawasan.spatial.runfolder import check_target

        replaced = check_target(Path(out_dir), overwrite=overwrite)  # refuse before spending time on the analysis
    ev = evaluate_model(model, data_dir, allow_inconsistent=allow_inconsistent, keep_criteria=write_criteria,
                        progress=progress, rules=rules)
    manifest = None
    if out_dir is not None:
        manifest = write_run(ev, out_dir, model_source=source, write_criteria=write_criteria, compress=compress,
                             overwrite=overwrite)
    return RunResult(Path(out_dir) if out_dir else None, manifest, ev, replaced)


__all__ = ["run_suitability", "evaluate_model", "to_xarray", "RunResult"]
