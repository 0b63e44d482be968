"""Issue 14, defect 4: the nine inputs that ended in a traceback (exit 1) now end in a clear error (exit 2).

Each case is the reproduction from the issue: a model file of binary garbage or in latin-1, a model or
template nested 100,000 deep, a truncated DEM GeoTIFF in ``data prepare``, ``sites check --radius inf``
and ``--radius 1e308``, ``economy potential --weights`` on a binary file, ``project forecast --runs
1000000`` on a plan far too large for memory. Also the pieces of :mod:`kawasan.guarded` and
:mod:`kawasan.limits` they rely on.
"""
from __future__ import annotations

import json

import pytest
from conftest import make_area, small_model

from kawasan import guarded
from kawasan.cli.main import cli
from kawasan.errors import InputError, ModelError, TemplateError, WeightsError
from kawasan.limits import LIMITS, check_limit, limit

GARBAGE = bytes(range(256)) * 12


def _deep(depth: int = 100_000) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


def _refused(res, *words):
    """Exit 2, no traceback, and each of ``words`` in the message."""
    out = res.output
    assert res.exit_code == 2, out
    assert "Traceback" not in out and not isinstance(res.exception, (RecursionError, MemoryError)), out
    for w in words:
        assert w in out, (w, out)


@pytest.fixture
def study(tmp_path):
    return make_area(tmp_path / "area")


@pytest.mark.parametrize("content, words", [
    (GARBAGE, ("model.yaml", "not UTF-8 text", "0x80")),
    ("name: Kawasan caf\u00e9\n".encode("latin-1"), ("model.yaml", "not UTF-8 text", "0xe9")),
    (_deep().encode(), ("model.yaml", "nested too deeply")),
], ids=["binary", "latin-1", "nested-100000"])
def test_a_bad_model_file_is_exit_2_naming_it(runner, study, tmp_path, content, words):
    p = tmp_path / "model.yaml"
    p.write_bytes(content)
    out = tmp_path / "run"
    res = runner.invoke(cli, ["suitability", "run", str(p), "--data", str(study), "--out", str(out)])
    _refused(res, *words)
    assert not out.exists()


def test_a_template_nested_100000_deep_is_exit_2(runner, tmp_path):
    p = tmp_path / "deep.yaml"
    p.write_text(_deep())
    _refused(runner.invoke(cli, ["template", "validate", str(p)]), "deep.yaml", "nested too deeply")


def test_a_truncated_dem_geotiff_is_exit_2_naming_it(runner, tmp_path):
    """A DEM GeoTIFF cut in half: GDAL opens the header but the read fails (RasterioIOError: Read failed)."""
    import geopandas as gpd
    import numpy as np
    from shapely.geometry import box

    from conftest import write_raster

    box_ll = (113.10, -7.82, 113.14, -7.79)
    gpd.GeoDataFrame({"nama": ["Uji"]}, geometry=[box(*box_ll)], crs="EPSG:4326").to_file(
        tmp_path / "b.geojson", driver="GeoJSON")
    from affine import Affine
    full = tmp_path / "full.tif"
    write_raster(full, np.random.default_rng(0).uniform(0, 100, (400, 400)).astype(np.float32), crs="EPSG:4326",
                 transform=Affine(0.0002, 0, 113.08, 0, -0.0002, -7.77))
    data = full.read_bytes()
    cut = tmp_path / "dem.tif"
    cut.write_bytes(data[: len(data) // 2])
    out = tmp_path / "ws"
    res = runner.invoke(cli, ["data", "prepare", "--boundary", str(tmp_path / "b.geojson"), "--dem", str(cut),
                              "--resolution", "60", "--buffer", "500", "--out", str(out)])
    _refused(res, "dem.tif")
    assert not out.exists()


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    from kawasan.spatial.api import run_suitability
    from kawasan.spatial.model import model_from_dict

    root = tmp_path_factory.mktemp("guarded-run")
    area = make_area(root / "area")
    out = root / "run"
    run_suitability(model_from_dict(small_model()), area, out)
    return out


@pytest.fixture
def point_site(tmp_path):
    import geopandas as gpd
    from shapely.geometry import Point

    from conftest import CRS, LEFT, TOP

    p = tmp_path / "site.geojson"
    gpd.GeoDataFrame({"n": [1]}, geometry=[Point(LEFT + 600, TOP - 600)], crs=CRS).to_file(p, driver="GeoJSON")
    return p


@pytest.mark.parametrize("radius, words", [
    ("inf", ("--radius", "inf is not a finite number")),
    ("nan", ("--radius", "nan is not a finite number")),
    ("-5", ("--radius", "-5")),
    ("1e308", ("radius", "site_radius_m", "KAWASAN_LIMIT_SITE_RADIUS_M")),
])
def test_sites_check_radius_is_finite_and_bounded(runner, run_dir, point_site, radius, words):
    _refused(runner.invoke(cli, ["sites", "check", str(point_site), "--run", str(run_dir), "--radius", radius]),
             *words)


def test_sites_check_with_a_sensible_radius_still_works(runner, run_dir, point_site):
    res = runner.invoke(cli, ["sites", "check", str(point_site), "--run", str(run_dir), "--radius", "200", "--json"])
    assert res.exit_code == 0, res.output


def test_economy_potential_weights_on_a_binary_file_is_exit_2(runner, tmp_path):
    pdrb = tmp_path / "pdrb.csv"
    rows = ["kode_bps,nama,tahun,harga,komponen,nilai_juta_rp"]
    for code, name, a, b in ((3501, "Pacitan", 100, 130), (3502, "Ponorogo", 200, 220)):
        rows += [f"{code},{name},2018,ADHK2010,PDRB,{a}", f"{code},{name},2023,ADHK2010,PDRB,{b}"]
    pdrb.write_text("\n".join(rows) + "\n")
    for suffix in (".json", ".yaml", ".csv"):
        w = tmp_path / f"w{suffix}"
        w.write_bytes(GARBAGE)
        _refused(runner.invoke(cli, ["economy", "potential", "--pdrb", str(pdrb), "--weights", str(w)]),
                 f"w{suffix}", "weights file")


@pytest.fixture
def sqlite_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("KAWASAN_DATABASE_URL", f"sqlite:///{tmp_path / 'home' / 'kawasan.db'}")
    for k in ("KAWASAN_USER", "KAWASAN_FILES_DIR"):
        monkeypatch.delenv(k, raising=False)
    return tmp_path


def _plan(path, stages: int):
    lines = ["id,name,agency,duration_days,requires"]
    lines += [f"S{i},Stage {i},DPM,5,{f'S{i - 1}' if i else ''}" for i in range(stages)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_10000_stage_plan_is_refused_naming_the_limit(runner, sqlite_home):
    plan = _plan(sqlite_home / "plan.csv", 10_000)
    res = runner.invoke(cli, ["template", "import", str(plan), "--name", "huge"])
    _refused(res, "plan.csv", "10,000 stages exceeds the limit plan_stages = 2,000 stages", "KAWASAN_LIMIT_PLAN_STAGES")


def test_project_forecast_over_the_memory_limit_is_refused_before_it_starts(runner, sqlite_home, monkeypatch):
    """The issue's case (1,000,000 runs over 10,000 stages: 298 GiB by this module's count) is refused by the
    arithmetic alone; through the CLI the limit is lowered so a small built-in plan shows the same path."""
    from kawasan.licensing.forecast import check_forecast_memory, forecast_memory

    with pytest.raises(InputError, match=r"1,000,000 runs x 10,000 stages need 298\.0 GiB .*forecast_memory_bytes"):
        check_forecast_memory(10_000, 1_000_000)
    res = runner.invoke(cli, ["project", "create", "--template", "apht", "--name", "X (synthetic)", "--start",
                              "2026-01-05", "--regency", "Kabupaten Contoh", "--json"])
    assert res.exit_code == 0, res.output
    pid = json.loads(res.stdout)["id"]
    monkeypatch.setenv("KAWASAN_LIMIT_FORECAST_MEMORY_BYTES", str(forecast_memory(10, 1000)))
    _refused(runner.invoke(cli, ["project", "forecast", str(pid), "--runs", "1000000"]),
             "runs x", "forecast_memory_bytes", "KAWASAN_LIMIT_FORECAST_MEMORY_BYTES")
    monkeypatch.delenv("KAWASAN_LIMIT_FORECAST_MEMORY_BYTES")
    assert runner.invoke(cli, ["project", "forecast", str(pid), "--runs", "1000"]).exit_code == 0


# ---------------------------------------------------------------------------------------------- the module
def test_decode_honours_byte_order_marks_and_refuses_binary():
    for enc in ("utf-8-sig", "utf-16-le", "utf-16-be"):
        data = "a,b\n1,2\n".encode(enc)
        if enc.startswith("utf-16"):
            data = ("\ufeff" + "a,b\n1,2\n").encode(enc)
        assert guarded.decode(data, source="x") == "a,b\n1,2\n"
    with pytest.raises(InputError, match="binary data"):
        guarded.decode(b"ab\x00cd", source="x")
    assert guarded.decode("caf\u00e9".encode("cp1252"), source="x", fallback="cp1252") == "caf\u00e9"


@pytest.mark.parametrize("fmt, text", [("json", "[" * 100_000), ("yaml", _deep()), ("toml", "a = " + "[" * 100_000)])
def test_parse_mapping_turns_every_failure_into_the_callers_error(fmt, text):
    with pytest.raises(TemplateError) as ei:
        guarded.parse_mapping(text, fmt, source="t." + fmt, error=TemplateError)
    assert str(ei.value).startswith("t." + fmt)


def test_read_bytes_refuses_missing_folder_and_too_large(tmp_path, monkeypatch):
    with pytest.raises(WeightsError, match="not found"):
        guarded.read_bytes(tmp_path / "nope.csv", error=WeightsError)
    with pytest.raises(InputError, match="folder"):
        guarded.read_bytes(tmp_path)
    p = tmp_path / "big.yaml"
    p.write_bytes(b"a: 1\n" * 1000)
    monkeypatch.setenv("KAWASAN_LIMIT_INPUT_FILE_BYTES", "100")
    with pytest.raises(InputError, match="exceeds the limit input_file_bytes"):
        guarded.read_bytes(p)


def test_guard_maps_library_errors_and_lets_kawasan_errors_through():
    from shapely.errors import GEOSException

    with pytest.raises(ModelError, match="cannot read the file"):
        with guarded.guard("f", ModelError):
            raise GEOSException("IllegalArgumentException: bad")
    with pytest.raises(ModelError, match="too large"):
        with guarded.guard("f", ModelError):
            raise MemoryError
    with pytest.raises(TemplateError, match="kept"):
        with guarded.guard("f", ModelError):
            raise TemplateError("kept")


def test_limits_are_configurable_and_a_bad_setting_is_named(monkeypatch):
    assert limit("plan_stages") == LIMITS["plan_stages"].default
    monkeypatch.setenv("KAWASAN_LIMIT_PLAN_STAGES", "5000")
    assert limit("plan_stages") == 5000
    check_limit("plan_stages", 4000)
    for bad in ("-1", "inf", "lots"):
        monkeypatch.setenv("KAWASAN_LIMIT_PLAN_STAGES", bad)
        with pytest.raises(InputError, match="KAWASAN_LIMIT_PLAN_STAGES"):
            limit("plan_stages")


def test_a_model_with_a_huge_description_or_distance_is_refused(tmp_path):
    from kawasan.spatial.model import load_model, model_from_dict

    with pytest.raises(ModelError, match="model_text_chars") as ei:
        model_from_dict(small_model(description="x" * 50_000))
    assert ei.value.field == "description"
    crit = small_model()["criteria"]
    crit[0] = {**crit[0], "max_distance": 1e308}
    with pytest.raises(ModelError, match="max_distance_m"):
        model_from_dict(small_model(criteria=crit))
    crit[0] = {**crit[0], "max_distance": float("inf")}
    with pytest.raises(ModelError, match="finite"):
        model_from_dict(small_model(criteria=crit))
    big = tmp_path / "big.yaml"
    big.write_text("name: x\ndescription: |\n" + ("  " + "y" * 99 + "\n") * 20_000)
    with pytest.raises(ModelError, match="model_file_bytes"):
        load_model(big)


def test_a_dem_entirely_infinite_is_refused(runner, tmp_path):
    import geopandas as gpd
    import numpy as np
    from affine import Affine
    from shapely.geometry import box

    from conftest import write_raster

    gpd.GeoDataFrame({"nama": ["Uji"]}, geometry=[box(113.10, -7.82, 113.14, -7.79)], crs="EPSG:4326").to_file(
        tmp_path / "b.geojson", driver="GeoJSON")
    dem = tmp_path / "inf.tif"
    write_raster(dem, np.full((400, 400), np.inf, np.float32), crs="EPSG:4326",
                 transform=Affine(0.0002, 0, 113.08, 0, -0.0002, -7.77))
    out = tmp_path / "ws"
    res = runner.invoke(cli, ["data", "prepare", "--boundary", str(tmp_path / "b.geojson"), "--dem", str(dem),
                              "--resolution", "60", "--buffer", "500", "--out", str(out)])
    _refused(res, "inf.tif", "no finite elevation")
    assert not out.exists()


def test_every_numeric_cli_option_has_a_finite_range():
    """No option of any command is a bare float or int: each has bounds (and floats refuse inf and nan)."""
    import click

    from kawasan.cli.ranges import Finite

    def walk(cmd, path):
        for p in cmd.params:
            if isinstance(p.type, (click.types.FloatParamType, click.types.IntParamType)):
                assert isinstance(p.type, (click.IntRange, Finite)), f"{path} {p.name}: {p.type!r}"
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(cli, "kawasan")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"])
def test_ahp_accepts_utf16_with_a_byte_order_mark_like_the_other_readers(runner, tmp_path, encoding):
    text = ",slope,road,flood\nslope,1,3,5\nroad,1/3,1,2\nflood,1/5,1/2,1\n"
    p = tmp_path / "ahp.csv"
    data = text.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):   # the mark written explicitly, as Excel's "Unicode text" does
        data = ("\ufeff" + text).encode(encoding)
    p.write_bytes(data)
    res = runner.invoke(cli, ["ahp", str(p), "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["criteria"] == ["slope", "road", "flood"]
    p.write_bytes(text.encode("utf-16-le"))          # UTF-16 without its mark: binary to a reader, refused
    _refused(runner.invoke(cli, ["ahp", str(p)]), "ahp.csv")


def test_the_limits_page_lists_every_limit_with_its_default():
    from pathlib import Path

    from kawasan.limits import _amount

    page = (Path(__file__).resolve().parents[1] / "docs" / "reference" / "limits.md").read_text(encoding="utf-8")
    rows = [ln for ln in page.splitlines() if ln.startswith("| `")]
    assert len(rows) == len(LIMITS)
    for lim in LIMITS.values():
        assert f"| `{lim.name}` | {_amount(lim.default, lim.unit)} | `{lim.env}` |" in page, lim.name
