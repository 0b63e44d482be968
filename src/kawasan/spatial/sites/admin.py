"""Do the administrative boundaries given to `sites extract --admin` belong to the run's study area?

A site is named after the administrative units (kecamatan, desa) it overlaps. Units of another region
would name sites after places they are not in, so before naming anything the units are compared with
the study area (its boundary layer, or the grid's extent when it has none):

    coverage = area(study area ∩ union of the units) / area(study area)

No overlap at all is refused (InputError, with both extents); partial coverage is a warning that names
the share, since sites outside the units get no name. Real names on a SYNTHETIC study area are a
warning too: they only say which real place lies at the same coordinates.
"""
from __future__ import annotations

from pathlib import Path

import shapely
from pyproj import Transformer

from kawasan.errors import InputError, VectorError
from kawasan.i18n import Message
from kawasan.spatial import vectors
from kawasan.spatial.runs.read import Run

FULL = 0.95   # units covering at least this share raise no warning (real boundaries from two sources differ by a few %)


def study_geometry(run: Run):
    """The study area as one geometry in the grid CRS: its boundary layer, else the grid's extent."""
    root = run.study_area
    manifest_layers = {}
    man = root / "manifest.json"
    if man.is_file():
        import json

        try:
            manifest_layers = json.loads(man.read_text(encoding="utf-8")).get("layers", {}) or {}
        except ValueError:
            manifest_layers = {}
    entry = manifest_layers.get("boundary") or {}
    path = root / entry["path"] if entry.get("path") else None
    if path is not None and path.exists():
        try:
            gdf = vectors.read_features(path, grid=run.grid)
            return shapely.union_all(gdf.geometry.make_valid().values), Message("run.note.admincheck.boundary")
        except VectorError:
            pass
    return shapely.box(*run.grid.bounds), Message("run.note.admincheck.grid_extent")


def check_admin(run: Run, path: Path, gdf) -> list[str]:
    """Warnings about admin units ``gdf`` (in the grid CRS) read from ``path``; InputError when they miss the area."""
    study, what = study_geometry(run)
    units = gdf.geometry.make_valid()
    near = units[units.intersects(study)]
    covered = shapely.intersection(shapely.union_all(near.values), study).area if len(near) else 0.0
    share = covered / study.area if study.area else 0.0
    if share <= 1e-9:
        raise InputError(
            Message("run.err.admincheck.administrative_units_do_overlap", units_extent=_extent(gdf.total_bounds, run),
                    what=what, area_extent=_extent(study.bounds, run)), source=str(path))
    warnings = []
    if share < FULL:
        warnings.append(Message("run.note.admincheck.warning_administrative_units_cover", path=path,
                                percent=share * 100, what=what,
                                units_extent=_extent(gdf.total_bounds, run),
                                area_extent=_extent(study.bounds, run)))
    if run.manifest.get("synthetic") and not _inside(path, run.study_area):
        warnings.append(Message("run.note.admincheck.warning_study_area_synthetic", path=path))
    return warnings


def _inside(path: Path, folder: Path) -> bool:
    try:
        Path(path).resolve().relative_to(Path(folder).resolve())
        return True
    except ValueError:
        return False


def _extent(bounds, run: Run) -> Message:
    """Bounds in the grid CRS and in longitude/latitude."""
    x0, y0, x1, y1 = (float(v) for v in bounds)
    to_ll = Transformer.from_crs(run.grid.crs, "EPSG:4326", always_xy=True)
    lon0, lat0 = to_ll.transform(x0, y0)
    lon1, lat1 = to_ll.transform(x1, y1)
    return Message("run.note.admincheck.extent", x0=x0, x1=x1, y0=y0, y1=y1, crs=run.grid.crs.to_string(),
                   lon0=lon0, lon1=lon1, lat0=lat0, lat1=lat1)
