"""kawasan.geopackage: the one GeoPackage writer; the same content gives the same bytes."""
from __future__ import annotations

import ast
import sqlite3
import time
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from kawasan.geopackage import FIXED_LAST_CHANGE, gpkg_time, write_layer

SRC = Path(__file__).resolve().parents[1] / "src" / "kawasan"


def _two_layers(path: Path, last_change: str | None) -> bytes:
    a = gpd.GeoDataFrame({"kode": ["35.01", "35.02"], "ha": [1.5, 2.25]},
                         geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:32749")
    b = gpd.GeoDataFrame({"id": [1]}, geometry=[Point(0.5, 0.5)], crs="EPSG:32749")
    write_layer(a, path, "regencies", last_change=last_change)
    write_layer(b, path, "sites", last_change=last_change)
    return path.read_bytes()


def _last_changes(path: Path) -> list[str]:
    with sqlite3.connect(path) as con:
        return [r[0] for r in con.execute("SELECT last_change FROM gpkg_contents ORDER BY table_name")]


@pytest.mark.parametrize("when, stored", [(None, FIXED_LAST_CHANGE),
                                          ("2026-03-04T05:06:07+07:00", "2026-03-03T22:06:07.000Z")])
def test_same_layers_written_later_give_the_same_bytes(tmp_path, when, stored):
    first = _two_layers(tmp_path / "a.gpkg", when)
    time.sleep(1.1)        # GDAL's clock would write another second into last_change
    assert _two_layers(tmp_path / "b.gpkg", when) == first
    assert _last_changes(tmp_path / "a.gpkg") == [stored, stored]


def test_gpkg_time_reads_iso_times_as_gdal_writes_them():
    assert gpkg_time("2024-01-01T00:00:00Z") == "2024-01-01T00:00:00.000Z"
    assert gpkg_time("2026-12-05T09:58:10.123456+07:00") == "2026-12-05T02:58:10.123Z"
    assert gpkg_time("2026-12-05T09:58:10") == "2026-12-05T09:58:10.000Z"      # no zone: UTC


def _gpkg_writes(tree: ast.AST):
    """Calls that write a GeoPackage past kawasan.geopackage: ``x.to_file(..., driver="GPKG")`` and
    ``pyogrio.write_dataframe(..., driver="GPKG")``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("to_file", "write_dataframe"):
            if any(k.arg == "driver" and isinstance(k.value, ast.Constant) and k.value.value == "GPKG"
                   for k in node.keywords):
                yield node.lineno


def test_every_geopackage_is_written_through_the_one_writer():
    """A GeoPackage written elsewhere would carry GDAL's clock in last_change (or set GDAL's process-wide
    OGR_CURRENT_DATE from a thread)."""
    found = [f"{p.relative_to(SRC)}:{line}" for p in sorted(SRC.rglob("*.py")) if p.name != "geopackage.py"
             for line in _gpkg_writes(ast.parse(p.read_text(encoding="utf-8")))]
    assert found == []
    assert not [p for p in SRC.rglob("*.py") if "OGR_CURRENT_DATE" in p.read_text(encoding="utf-8")
                and p.name != "geopackage.py"]
