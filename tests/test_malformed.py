"""Issue 14, "Bad input": every file of tests/malformed/ through the entry point that reads it.

``tests/malformed/cases.csv`` is the table: the file, the command (``{f}`` is the file; ``{out}`` a fresh
output path; ``{area}``, ``{run}``, ``{pdrb}``, ``{boundary}``, ``{dem}``, ``{site}``, ``{project}`` the
good inputs below), the exit code expected, a part of the message and any environment setting. Each case
must end with that exit code and message, no traceback, nothing written (neither the output path nor any
change to the inputs' folder) and the stored licensing record unchanged (an SQLite dump compared before
and after). ``tests/malformed/make.py`` writes the files.
"""
from __future__ import annotations

import csv
import json
import shlex
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import make_area, small_model, write_raster

from kawasan.cli.main import cli

HERE = Path(__file__).resolve().parent / "malformed"
CASES = list(csv.DictReader((HERE / "cases.csv").open(encoding="utf-8")))


def test_the_corpus_is_complete():
    files = {p.name for p in HERE.iterdir() if p.name not in ("cases.csv", "make.py", "README.md", "__pycache__")}
    listed = {c["file"] for c in CASES if c["file"] != "-"}
    assert files == listed, (files - listed, listed - files)
    assert len(files) >= 80
    assert all(c["message"] for c in CASES), [c["file"] for c in CASES if not c["message"]]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    import geopandas as gpd
    import numpy as np
    from affine import Affine
    from shapely.geometry import Point, box

    from kawasan.spatial.api import run_suitability
    from kawasan.spatial.model import model_from_dict

    root = tmp_path_factory.mktemp("malformed")
    area = make_area(root / "area")
    run = root / "run"
    run_suitability(model_from_dict(small_model()), area, run)
    gpd.GeoDataFrame({"n": [1]}, geometry=[Point(700600, 9149400)], crs="EPSG:32749").to_file(
        root / "site.geojson", driver="GeoJSON")
    gpd.GeoDataFrame({"nama": ["Uji (synthetic)"]}, geometry=[box(113.10, -7.82, 113.14, -7.79)],
                     crs="EPSG:4326").to_file(root / "boundary.geojson", driver="GeoJSON")
    yy, xx = np.mgrid[0:400, 0:400]
    write_raster(root / "dem.tif", (10 + xx * 0.1 + yy * 0.05).astype(np.float32), crs="EPSG:4326",
                 transform=Affine(0.0002, 0, 113.08, 0, -0.0002, -7.77))
    rows = ["kode_bps,nama,tahun,harga,komponen,nilai_juta_rp"]
    for code, name, a, b in ((3501, "Pacitan", 100, 130), (3502, "Ponorogo", 200, 220), (3571, "Kota Kediri", 50, 80)):
        rows += [f"{code},{name},2018,ADHK2010,PDRB,{a}", f"{code},{name},2023,ADHK2010,PDRB,{b}"]
    (root / "pdrb.csv").write_text("\n".join(rows) + "\n")
    (root / "model.yaml").write_text(yaml.safe_dump(small_model()))
    db = root / "db" / "kawasan.db"
    env = {"KAWASAN_HOME": str(root / "db"), "KAWASAN_DATABASE_URL": f"sqlite:///{db}"}
    res = CliRunner().invoke(cli, ["project", "create", "--template", "apht", "--name", "Korpus (synthetic)",
                                   "--start", "2026-01-05", "--regency", "Kabupaten Contoh", "--json"], env=env)
    assert res.exit_code == 0, res.output
    return {"root": root, "area": area, "run": run, "site": root / "site.geojson", "boundary": root / "boundary.geojson",
            "dem": root / "dem.tif", "pdrb": root / "pdrb.csv", "db": db, "env": env,
            "project": json.loads(res.stdout)["id"]}


def _snapshot(root: Path) -> dict:
    """Every file under ``root`` (the database apart) with its size and modification time."""
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))
            if p.is_file() and "db" not in p.relative_to(root).parts[:1]}


def _dump(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return list(con.iterdump())
    finally:
        con.close()


@pytest.mark.parametrize("case", CASES, ids=[f"{c['file']}|{c['command'].split()[0]}" if c["file"] != "-"
                                             else c["command"][:50] for c in CASES])
def test_a_malformed_input_is_refused_cleanly(world, tmp_path, case):
    out = tmp_path / "out" / "result"
    values = {k: str(v) for k, v in world.items() if k not in ("env", "root", "db")}
    values.update(f=str(HERE / case["file"]), out=str(out))
    args = [a.format(**values) for a in shlex.split(case["command"])]
    env = dict(world["env"])
    for item in filter(None, case["env"].split(";")):
        k, _, v = item.partition("=")
        env[k] = v
    before_files, before_db = _snapshot(world["root"]), _dump(world["db"])
    res = CliRunner().invoke(cli, args, env=env)
    text = res.output
    assert res.exit_code == int(case["exit"]), f"{args}\n{text}\n{res.exception!r}"
    assert isinstance(res.exception, SystemExit) and "Traceback" not in text, text
    assert case["message"] in " ".join(text.split()), (case["message"], text)
    assert not out.exists() and not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert _snapshot(world["root"]) == before_files
    assert _dump(world["db"]) == before_db
