"""Reading a finished run folder back: manifest, rasters, grid and the study area it came from."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import rasterio

from kawasan.errors import InputError
from kawasan.fileio import recover
from kawasan.i18n import Message
from kawasan.spatial.grid import Grid
from kawasan.spatial.runs.folder import RUN_KIND


@dataclass
class Run:
    folder: Path
    manifest: dict
    grid: Grid
    _cache: dict = field(default_factory=dict)

    def output(self, role: str, criterion: str | None = None) -> Path | None:
        for o in self.manifest.get("outputs", []):
            if o.get("role") == role and (criterion is None or o.get("criterion") == criterion):
                return self.folder / o["path"]
        return None

    def raster(self, role: str) -> np.ndarray:
        if role not in self._cache:
            path = self.output(role)
            if path is None or not path.exists():
                raise InputError(Message("run.err.runs.run_raster", role=role), source=str(self.folder))
            with rasterio.open(path) as ds:
                self._cache[role] = ds.read(1)
        return self._cache[role]

    def criteria_paths(self) -> dict[str, Path]:
        return {o["criterion"]: self.folder / o["path"] for o in self.manifest.get("outputs", [])
                if o.get("role") == "criterion" and (self.folder / o["path"]).exists()}

    @property
    def weights(self) -> dict[str, float]:
        return self.manifest["weights"]["global"]

    @property
    def study_area(self) -> Path:
        return Path(self.manifest["study_area"]["path"])

    @property
    def constraint_bits(self) -> list[dict]:
        return self.manifest.get("constraints", [])

    @property
    def site_rules(self) -> dict:
        return self.manifest.get("sites") or {}


def open_run(folder: str | Path) -> Run:
    folder = Path(folder)
    recover(folder)              # a run folder a killed --overwrite left set aside is put back
    recover(folder / "sites")
    man = folder / "manifest.json"
    if not man.exists():
        raise InputError(Message("err.not_run_folder"), source=str(folder))
    try:
        manifest = json.loads(man.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(Message("run.err.runs.manifest_json_valid_json", error=str(exc)), source=str(man)) from exc
    if manifest.get("kind") != RUN_KIND:
        raise InputError(Message("run.err.runs.manifest_json_kawasan_run", kind=manifest.get('kind'),
                                 expected=RUN_KIND),
                         source=str(man))
    return Run(folder, manifest, Grid.from_dict(manifest["study_area"]["grid"]))
