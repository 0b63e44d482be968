"""Executable documentation: run the README's Use section and every guide's code blocks as written.

The rules (documented for doc writers in docs/design.md, "Executable documentation"):

- Every ```bash block of a page runs, in document order, in one working folder per page that stands
  for the user's checkout after the README's set-up: ``kawasan`` is on PATH (as after
  ``source .venv/bin/activate``), ``kawasan-demo/`` holds the demo, ``../shared/data`` is the shared
  data folder, and the input files the page names (a regency boundary, DEM tiles, an OSM extract,
  agency layers, BPS tables, a proposed site) are provided: real ones from ../shared/data, the rest
  SYNTHETIC (see FIXTURES). ```python blocks run too, with the same Python. Other blocks are text.
- Commands run one by one; shell variables set in a block stay set for the page's later blocks. A
  command must exit 0, unless the block is marked (an HTML comment right before the block):

  ``<!-- expect-exit: N -->``   the block's last command must exit N, every command before it 0;
  ``<!-- skip: REASON -->``     the block is not run (only where it cannot be: the internet);
  ``<!-- file: NAME -->``       before a non-command block: the reader has a file NAME with this
                                content (the harness writes it);
  ``<!-- long-running -->``     the block's one command keeps running (a server): it is started,
                                ready once the first http:// address it prints answers (or the
                                address given: ``<!-- long-running: http://127.0.0.1:8080/ -->``),
                                then stopped (SIGINT, then SIGTERM).

- A ```text block that follows a command block with nothing but blank lines between them is that
  block's output: each of its non-blank lines must appear, in order, as a line of what the block's
  commands printed. Runs of spaces count as one; ``...`` stands for any text; timings ("3.2 s", "150 ms")
  and timestamps are masked on both sides, and so is the working folder's path.
- ``./dev demo`` is a shim: it copies the demo built once for the test session (and prints that build's
  output); ``./dev test`` is refused (the harness is itself part of the test run).
- A plain ``kawasan ...`` command (no shell syntax) runs in-process through click, to keep the suite
  fast; anything else runs in bash.
"""
from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
VENV_BIN = Path(sys.executable).parent
MARKER = re.compile(r"^<!--\s*([a-z-]+)\s*(?::\s*(.*?))?\s*-->\s*$")
KNOWN_MARKERS = {"expect-exit", "skip", "file", "long-running"}
FENCE = re.compile(r"^```([A-Za-z0-9_+-]*)\s*$")
COMMAND_TIMEOUT = 600
READY_TIMEOUT = 90


# ---------------------------------------------------------------------------------------------- parsing
@dataclass
class Block:
    page: str
    line: int                   # line of the opening fence (1-based)
    lang: str
    text: str
    markers: dict[str, str] = field(default_factory=dict)
    follows: "Block | None" = None   # the block right before it, when only blank lines separate them

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


@dataclass
class Command:
    text: str
    line: int


def parse_page(path: Path, *, section: str | None = None, page: str | None = None) -> list[Block]:
    """The fenced blocks of a markdown page (only under the ``## section`` heading when given), each with
    the markers written right before it (blank lines may separate them, nothing else)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    page = page or str(path.relative_to(ROOT))
    blocks: list[Block] = []
    pending: dict[str, str] = {}
    in_section = section is None
    last_end = None        # index of the line closing the previous block
    i = 0
    while i < len(lines):
        line = lines[i]
        heading = re.match(r"^(#{1,2}) (.*)$", line)
        if section is not None and heading:
            in_section = heading.group(2).strip() == section
        marker = MARKER.match(line.strip())
        fence = FENCE.match(line)
        if marker:
            pending[marker.group(1)] = (marker.group(2) or "").strip()
        elif fence:
            start = i
            body = []
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                body.append(lines[i])
                i += 1
            block = Block(page, start + 1, fence.group(1).lower(), "\n".join(body) + "\n", pending)
            if last_end is not None and blocks and blocks[-1].line == last_start + 1 and \
                    not any(x.strip() for x in lines[last_end + 1:start]):
                block.follows = blocks[-1]
            if in_section:
                blocks.append(block)
            pending = {}
            last_start, last_end = start, i
        elif line.strip():
            pending = {}
        i += 1
    return blocks


HEREDOC = re.compile(r"<<-?\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\1")


def split_commands(block: Block) -> list[Command]:
    """The commands of a shell block: backslash continuations joined, heredocs kept whole, comment and
    blank lines dropped. Each command remembers its first line in the page."""
    lines = block.text.splitlines()
    out: list[Command] = []
    i = 0
    while i < len(lines):
        start = i
        text = lines[i]
        if not text.strip() or text.strip().startswith("#"):
            i += 1
            continue
        while text.endswith("\\") and i + 1 < len(lines):
            i += 1
            text = text + "\n" + lines[i]
        m = HEREDOC.search(text)
        if m:
            word = m.group(2)
            while i + 1 < len(lines):
                i += 1
                text += "\n" + lines[i]
                if lines[i].strip() == word:
                    break
        out.append(Command(text, block.line + 1 + start))
        i += 1
    return out


# ---------------------------------------------------------------------------------------------- output
TIMING = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:ms|s|sec|seconds|detik)\b")
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2}| UTC)?")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def normalise(text: str, folder: Path | None = None) -> list[str]:
    if folder is not None:
        for spelling in {str(folder.resolve()), str(folder)}:
            text = text.replace(spelling + os.sep, "").replace(spelling, ".")
    text = ANSI.sub("", text)
    text = TIMESTAMP.sub("<timestamp>", text)
    text = TIMING.sub("<time>", text)
    return [" ".join(line.split("\r")[-1].split()) for line in text.splitlines()]


def output_mismatch(quoted: str, printed: str, folder: Path) -> str | None:
    """None when every non-blank quoted line appears, in order, as a whole line of the printed output."""
    want = [q for q in normalise(quoted, folder) if q]
    got = normalise(printed, folder)
    pos = 0
    for q in want:
        rx = re.compile(".*".join(re.escape(part) for part in q.split("...")))
        while pos < len(got) and not rx.fullmatch(got[pos]):
            pos += 1
        if pos == len(got):
            return f"quoted line {q!r} is not printed (in this order)"
        pos += 1
    return None


# ---------------------------------------------------------------------------------------------- running
@dataclass
class Result:
    code: int
    output: str


SHELL_SYNTAX = set("|&;<>()$`*?[]{}~!\\\n=")


def in_process(cmd: str) -> list[str] | None:
    """argv after 'kawasan' when the command is a plain kawasan call that needs no shell, else None."""
    try:
        words = shlex.split(cmd, comments=True)
    except ValueError:
        return None
    if not words or words[0] != "kawasan":
        return None
    raw = cmd.split("#", 1)[0]
    if any(ch in raw for ch in "|&;<>()$`\n") or any(set(w) & set("*?[]{}~") for w in words):
        return None
    return words[1:]


class Page:
    """One page's working folder, its environment, and the runner of its commands."""

    def __init__(self, name: str, work: Path, env: dict[str, str]):
        self.name = name
        self.folder = work
        self.env = env
        self.state = work.parent / f".{work.name}.shell-state"
        self.state.write_text("")

    def run(self, cmd: Command) -> Result:
        argv = in_process(cmd.text)
        if argv is not None:
            return self._run_click(argv)
        return self._run_bash(cmd.text)

    def _run_click(self, argv: list[str]) -> Result:
        from click.testing import CliRunner

        from kawasan.cli.main import cli

        here = os.getcwd()
        os.chdir(self.folder)
        try:
            r = CliRunner().invoke(cli, argv, env=self.env, prog_name="kawasan")
        finally:
            os.chdir(here)
        out = r.output
        if r.exception is not None and not isinstance(r.exception, SystemExit):
            import traceback

            out += "".join(traceback.format_exception(r.exception))
            return Result(1 if r.exit_code == 0 else r.exit_code, out)
        return Result(r.exit_code, out)

    def _script(self, text: str) -> str:
        keep = "declare -p $(comm -13 <(printf '%s\\n' $__doctest_vars | sort) <(compgen -v | sort)) " \
               "2>/dev/null | grep -v '^declare -[a-zA-Z]*r' > " + shlex.quote(str(self.state))
        return "\n".join([
            "__doctest_vars=$(compgen -v)",
            f"source {shlex.quote(str(self.state))}",
            text,
            "__doctest_rc=$?",
            keep,
            "exit $__doctest_rc",
        ]) + "\n"

    def _run_bash(self, text: str) -> Result:
        try:
            p = subprocess.run(["bash", "-c", self._script(text)], cwd=self.folder, env=self.env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            return Result(124, (exc.output or b"").decode(errors="replace") + f"\n[timed out after {COMMAND_TIMEOUT} s]")
        return Result(p.returncode, p.stdout.decode(errors="replace"))

    def run_python(self, code: str) -> Result:
        p = subprocess.run([sys.executable, "-c", code], cwd=self.folder, env=self.env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=COMMAND_TIMEOUT)
        return Result(p.returncode, p.stdout.decode(errors="replace"))

    def run_long(self, cmd: Command, url: str | None) -> tuple[bool, str]:
        """Start a command that keeps running, wait until its address answers, stop it. (ready, output)."""
        p = subprocess.Popen(["bash", "-c", f"source {shlex.quote(str(self.state))}\nexec {cmd.text}"],
                             cwd=self.folder, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             start_new_session=True)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: [lines.append(b.decode(errors="replace")) for b in p.stdout],
                                  daemon=True)
        reader.start()
        deadline = time.monotonic() + READY_TIMEOUT
        ready = False
        try:
            while time.monotonic() < deadline and p.poll() is None:
                target = url or next((m.group(0) for ln in list(lines)
                                      for m in [re.search(r"https?://[^\s\"'<>)]+", ln)] if m), None)
                if target and _answers(target):
                    ready = True
                    break
                time.sleep(0.3)
        finally:
            _stop(p)
            reader.join(timeout=5)
        return ready, "".join(lines)


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True                      # an HTTP answer, even an error status: the server is up
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _stop(p: subprocess.Popen) -> None:
    if p.poll() is not None:
        return
    for sig, wait in ((signal.SIGINT, 10), (signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(p.pid, sig)
        except ProcessLookupError:
            return
        try:
            p.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


# ---------------------------------------------------------------------------------------------- a page
@dataclass
class Failure(Exception):
    message: str

    def __str__(self) -> str:
        return self.message


def tail(text: str, n: int = 25) -> str:
    lines = text.rstrip().splitlines()
    return "\n".join(("    " + ln) for ln in lines[-n:]) or "    (no output)"


def run_page(page: Page, blocks: list[Block]) -> list[str]:
    """Run the blocks in order; raise Failure with the doc line, command, exit code and output tail.
    Returns the notes (skipped blocks with their reasons)."""
    notes = []
    last: dict[int, tuple[Command, Result]] = {}
    for block in blocks:
        if "file" in block.markers:
            name = block.markers["file"]
            (page.folder / name).parent.mkdir(parents=True, exist_ok=True)
            (page.folder / name).write_text(block.text, encoding="utf-8")
            continue
        if block.lang == "text" and block.follows is not None and id(block.follows) in last:
            cmd, res = last[id(block.follows)]
            why = output_mismatch(block.text, res.output, page.folder)
            if why:
                raise Failure(f"{block.where}: the output quoted here no longer matches what the block at "
                              f"line {block.follows.line} prints: {why}\n  it printed:\n{tail(res.output, 40)}")
            continue
        if block.lang not in ("bash", "sh", "shell", "python"):
            continue
        if "skip" in block.markers:
            notes.append(f"{block.where}: skipped: {block.markers['skip']}")
            continue
        if block.lang == "python":
            res = page.run_python(block.text)
            if res.code != 0:
                raise Failure(f"{block.where}: the Python block exited {res.code}\n  output:\n{tail(res.output)}")
            continue
        commands = split_commands(block)
        if not commands:
            continue
        if "long-running" in block.markers:
            ready, out = page.run_long(commands[-1], block.markers["long-running"] or None)
            if not ready:
                raise Failure(f"{commands[-1].line and block.page}:{commands[-1].line}: `{commands[-1].text}` was "
                              f"not ready within {READY_TIMEOUT} s (no answer on the address it printed)\n"
                              f"  output:\n{tail(out)}")
            continue
        expect = int(block.markers.get("expect-exit") or 0)
        printed = []
        for k, cmd in enumerate(commands):
            res = page.run(cmd)
            printed.append(res.output)
            want = expect if k == len(commands) - 1 else 0
            if res.code != want:
                what = "expected exit 0" if want == 0 else f"expected exit {want} (marked expect-exit)"
                raise Failure(f"{block.page}:{cmd.line}: `{cmd.text}` exited {res.code}, {what}\n"
                              f"  output (last lines):\n{tail(res.output)}")
        last[id(block)] = (commands[0], Result(0, "".join(printed)))
    return notes


# ---------------------------------------------------------------------------------------------- fixtures
# Files the pages name that a reader would have: provided by the harness, real where ../shared/data
# has them, SYNTHETIC otherwise. name -> (function(dest: Path, cache: Path) -> None, needs shared data)
FIXTURES: dict[str, tuple] = {}


def fixture(*names: str, shared: bool = True):
    def deco(fn):
        for n in names:
            FIXTURES[n] = (fn, shared)
        return fn
    return deco


# Pages name these files of ../shared/data by a shorter name; the harness copies them in as they are.
SHARED_COPIES = {
    "jatim_kabkota.geojson": "boundaries/jatim_kabkota.geojson",
    "kabkota.geojson": "boundaries/jatim_kabkota.geojson",
    "kecamatan.geojson": "boundaries/probolinggo_kab_kecamatan.geojson",
    "desa.geojson": "boundaries/probolinggo_kab_desa.geojson",
    "pelabuhan.geojson": "places/ports_kemenhub_2017.geojson",
    "pdrb.csv": "economy/pdrb_17sector_2023_long.csv",
    "pdrb_total.csv": "economy/pdrb_total_jatim_2010_2023.csv",
    "ipm.csv": "economy/ipm_jatim_long.csv",
    "population.csv": "economy/population_jatim_2010_2023_long.csv",
}


def _copy_shared(relative: str):
    def copy(dest: Path, cache: Path) -> None:
        shutil.copy(SHARED / "data" / relative, dest)
    return copy


for _name, _relative in SHARED_COPIES.items():
    FIXTURES[_name] = (_copy_shared(_relative), True)


def _boundary_wgs84():
    from kawasan.spatial.ingest.boundary import read_boundary

    return read_boundary(SHARED / "data" / "boundaries" / "jatim_kabkota.geojson",
                         "nama = 'Kabupaten Probolinggo'").to_wgs84()


CONES = [(112.95, -7.94, 2100.0), (113.57, -7.97, 2600.0)]   # Tengger (Bromo) and Argopuro, roughly
COAST = -7.70


def _cached(cache: Path, key: str, build) -> Path:
    """A folder built once per session under ``cache``."""
    folder = cache / key
    if not (folder / ".done").exists():
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        build(folder)
        (folder / ".done").write_text("")
    return folder


@fixture("batas_kabupaten.shp")
def _batas(dest: Path, cache: Path) -> None:
    import geopandas as gpd

    gpd.read_file(SHARED / "data" / "boundaries" / "jatim_kabkota.geojson")[["kode", "nama", "geometry"]].to_file(dest)


@fixture("S08E112.hgt", "S08E113.hgt", "S09E112.hgt", "S09E113.hgt")
def _dem(dest: Path, cache: Path) -> None:
    from kawasan.sampledata.dem_tiles import write_tiles

    names = ("S08E112", "S08E113", "S09E112", "S09E113")
    folder = _cached(cache, "dem", lambda d: write_tiles(d, _boundary_wgs84().bounds, arcsec=3, seed=1,
                                                         coast_lat=COAST, cones=CONES, hgt=names))
    shutil.copy(folder / dest.name, dest)


@fixture("jawa-timur.osm.pbf")
def _osm(dest: Path, cache: Path) -> None:
    from kawasan.sampledata.osm_fixture import write_synthetic_pbf

    folder = _cached(cache, "osm", lambda d: write_synthetic_pbf(d / "synthetic.osm.pbf", _boundary_wgs84(), seed=1,
                                                               target_ways=15000, sea_side="north"))
    shutil.copy(folder / "synthetic.osm.pbf", dest)


def _agency(cache: Path) -> Path:
    def build(d: Path) -> None:
        import geopandas as gpd
        import shapely

        from kawasan.sampledata.agency_fixture import write_agency_layers
        from kawasan.spatial.ingest.osm import extract_osm

        wgs = _boundary_wgs84()
        osm = extract_osm(cache / "osm" / "synthetic.osm.pbf", clip=wgs) if (cache / "osm").exists() else None
        corridors = shapely.union_all(list(osm.roads[osm.roads["class"] == "arterial"].geometry)) if osm else None
        paths = write_agency_layers(d / "raw", wgs, coast_lat=COAST, cones=CONES, kpi_windows=((113.05, 113.2),),
                                    corridors=corridors)
        gpd.read_file(paths["zoning"]).to_file(d / "rtrw_pola_ruang.shp")
        gpd.read_file(paths["hazard_flood"]).to_file(d / "inarisk_banjir.shp")
        gpd.read_file(paths["hazard_landslide"]).to_file(d / "inarisk_longsor.shp")
        zoning = gpd.read_file(paths["zoning"])
        zoning[zoning["POLA_RUANG"] == "Hutan Lindung"][["geometry"]].assign(
            KETERANGAN="SYNTHETIC protected forest for the docs test").to_file(d / "kawasan_hutan_lindung.shp")
        farm = zoning[zoning["POLA_RUANG"] == "Pertanian Tanaman Pangan"]
        lp2b = farm.iloc[::3][["geometry"]].assign(KETERANGAN="SYNTHETIC LP2B for the docs test")
        lp2b.to_file(d / "lp2b.shp")
        lp2b.to_file(d / "lp2b_rtrw.shp")
    return _cached(cache, "agency", build)


@fixture("rtrw_pola_ruang.shp", "inarisk_banjir.shp", "inarisk_longsor.shp", "kawasan_hutan_lindung.shp", "lp2b.shp",
         "lp2b_rtrw.shp")
def _agency_file(dest: Path, cache: Path) -> None:
    _osm(cache / "unused.osm.pbf", cache)     # the zoning follows the synthetic arterial roads
    folder = _agency(cache)
    for f in folder.glob(Path(dest.name).stem + ".*"):
        shutil.copy(f, dest.parent / f.name)


def _terrain(margin: float = 0.05, cell: float = 0.004):
    """The synthetic elevation of the DEM tiles on a lon/lat grid over the boundary (plus a margin)."""
    import numpy as np
    from affine import Affine

    from kawasan.sampledata.dem_tiles import elevation

    minx, miny, maxx, maxy = _boundary_wgs84().bounds
    minx, miny, maxx, maxy = minx - margin, miny - margin, maxx + margin, maxy + margin
    w, h = int(np.ceil((maxx - minx) / cell)), int(np.ceil((maxy - miny) / cell))
    lons = minx + (np.arange(w) + 0.5) * cell
    lats = maxy - (np.arange(h) + 0.5) * cell
    z = elevation(lons[None, :], lats[:, None], coast_lat=COAST, cones=CONES, seed=1)
    return z, Affine(cell, 0, minx, 0, -cell, maxy)


def _class_raster(dest: Path, classes, transform) -> None:
    import rasterio

    with rasterio.open(dest, "w", driver="GTiff", width=classes.shape[1], height=classes.shape[0], count=1,
                       dtype="uint8", crs="EPSG:4326", transform=transform, nodata=255) as ds:
        ds.write(classes.astype("uint8"), 1)
        ds.update_tags(SYNTHETIC="yes: InaRISK-style risk classes 1 low, 2 medium, 3 high for the docs test")


def _class_polygons(dest: Path, classes, transform, names: dict[int, str], field: str) -> None:
    import geopandas as gpd
    from rasterio import features
    from shapely.geometry import shape

    geoms, values = [], []
    for geom, v in features.shapes(classes.astype("int32"), transform=transform):
        if int(v) in names:
            geoms.append(shape(geom))
            values.append(names[int(v)])
    gpd.GeoDataFrame({field: values, "KETERANGAN": "SYNTHETIC for the docs test"}, geometry=geoms,
                     crs="EPSG:4326").to_file(dest)


@fixture("inarisk_risiko_banjir.tif")
def _risk_flood(dest: Path, cache: Path) -> None:
    import numpy as np

    z, tr = _terrain()
    _class_raster(dest, np.where(z < 12, 3, np.where(z < 35, 2, 1)), tr)


@fixture("inarisk_risiko_longsor.tif")
def _risk_landslide(dest: Path, cache: Path) -> None:
    import numpy as np

    z, tr = _terrain()
    gy, gx = np.gradient(z, 0.004 * 110_600.0)
    slope = 100.0 * np.hypot(gx, gy)
    _class_raster(dest, np.where((slope > 40) | (z > 1500), 3, np.where((slope > 20) | (z > 700), 2, 1)), tr)


@fixture("kawasan_hutan_klhk.shp")
def _forest_area(dest: Path, cache: Path) -> None:
    """KLHK forest function (FUNGSI): national park on the summits, protection and production forest below."""
    import numpy as np

    z, tr = _terrain(margin=0.0)
    fn = np.where(z > 1800, 1, np.where(z > 1200, 2, np.where(z > 800, 4, 0)))
    _class_polygons(dest, fn, tr, {1: "TN", 2: "HL", 4: "HP"}, "FUNGSI")


@fixture("krb_bromo.shp")
def _krb(dest: Path, cache: Path) -> None:
    """Volcanic danger zones (KRB) in rings around the synthetic Bromo cone."""
    import geopandas as gpd
    from shapely.geometry import Point

    lon, lat, _ = CONES[0]
    centre = gpd.GeoSeries([Point(lon, lat)], crs="EPSG:4326").to_crs("EPSG:32749").iloc[0]
    rings = [("KRB III", centre.buffer(3000)), ("KRB II", centre.buffer(6000).difference(centre.buffer(3000))),
             ("KRB I", centre.buffer(10000).difference(centre.buffer(6000)))]
    gpd.GeoDataFrame({"KRB": [r[0] for r in rings], "KETERANGAN": "SYNTHETIC for the docs test"},
                     geometry=[r[1] for r in rings], crs="EPSG:32749").to_file(dest)


def _site_square(side_m: float):
    import geopandas as gpd

    desa = gpd.read_file(SHARED / "data" / "boundaries" / "probolinggo_kab_desa.geojson")
    village = desa[desa["nama"] == "Sumberrejo"].to_crs("EPSG:32749")
    c = village.geometry.iloc[0].representative_point()
    from shapely.geometry import box

    return gpd.GeoDataFrame({"nama": ["SYNTHETIC proposed site, Desa Sumberrejo"]},
                            geometry=[box(c.x - side_m / 2, c.y - side_m / 2, c.x + side_m / 2, c.y + side_m / 2)],
                            crs="EPSG:32749")


@fixture("paiton.gpkg")
def _paiton(dest: Path, cache: Path) -> None:
    _site_square(158.0).to_file(dest, layer="site")          # about 2.5 ha


@fixture("paiton-centre.geojson")
def _paiton_centre(dest: Path, cache: Path) -> None:
    g = _site_square(158.0)
    g.assign(geometry=g.geometry.centroid).to_crs("EPSG:4326").to_file(dest)


@fixture("pdrb_probolinggo_jatim_2018_2023.csv")
def _pdrb_series(dest: Path, cache: Path) -> None:
    """SYNTHETIC 2018-2022 figures back-cast from the real 2023 values (seeded growth per sector)."""
    import numpy as np
    import pandas as pd

    real = pd.read_csv(SHARED / "data" / "economy" / "pdrb_17sector_2023_long.csv")
    rng = np.random.default_rng(2018)
    rows = []
    for (region, sector), g in real.groupby(["region", "sector"], sort=False):
        rate = rng.uniform(0.0, 0.08)
        v2023 = float(g["value"].iloc[0])
        for year in range(2018, 2024):
            rows.append({**g.iloc[0].to_dict(), "year": year, "value": round(v2023 / (1 + rate) ** (2023 - year), 2),
                         "note": "SYNTHETIC before 2023: back-cast for the docs test"})
    pd.DataFrame(rows).to_csv(dest, index=False)


@fixture("pkkpr.pdf", shared=False)
def _pdf(dest: Path, cache: Path) -> None:
    dest.write_bytes(b"%PDF-1.4\n% SYNTHETIC example for the docs test\n%%EOF\n")


@fixture("rencana.csv", shared=False)
def _plan(dest: Path, cache: Path) -> None:
    dest.write_text("id,name,agency,duration_days,requires\nS1,Survey,BAPPEDA,10,\n"
                    "S2,KKPR,DPMPTSP,25,S1\nS3,Building approval,DPMPTSP,40,S1;S2\n")


def needed_fixtures(text: str) -> list[str]:
    return [n for n in FIXTURES if re.search(r"(?<![\w./-])" + re.escape(n) + r"(?![\w-])", text)]


def needs_shared(text: str) -> bool:
    return "../shared" in text or any(FIXTURES[n][1] for n in needed_fixtures(text))


DEV_SHIM = """#!/usr/bin/env bash
# docs harness: ./dev as a reader runs it, without installing anything again
case "${1:-}" in
  demo)
    shift
    if [ $# -eq 0 ]; then
      rm -rf kawasan-demo && cp -r "$KAWASAN_DOCTEST_DEMO" kawasan-demo && cat "$KAWASAN_DOCTEST_DEMO_OUTPUT"
    else
      exec kawasan demo --no-serve "$@"
    fi ;;
  test) echo "./dev test is not run inside the docs harness (it is part of the test run)" >&2; exit 2 ;;
  *) echo "usage: ./dev demo|test|bench [args]" >&2; exit 2 ;;
esac
"""


def prepare_page(name: str, text: str, base: Path, cache: Path, demo: Path, demo_output: Path) -> Page:
    """The working folder of one page: the demo, ../shared, the ./dev shim, the files the page names."""
    work = base / "work" / re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
    work.mkdir(parents=True)
    shared_link = base / "work" / "shared"
    if not shared_link.exists() and SHARED.is_dir():
        shared_link.symlink_to(SHARED, target_is_directory=True)
    shutil.copytree(demo, work / "kawasan-demo")
    (work / "tests").mkdir()
    (work / "tests" / "data").symlink_to(ROOT / "tests" / "data", target_is_directory=True)  # in every checkout
    (work / "dev").write_text(DEV_SHIM)
    (work / "dev").chmod(0o755)
    activate = work / ".venv" / "bin" / "activate"   # the README's `source .venv/bin/activate`:
    activate.parent.mkdir(parents=True)               # kawasan is already on the page's PATH
    activate.write_text("# docs harness: kawasan is already on PATH\n")
    for n in needed_fixtures(text):
        if not (work / n).exists():
            FIXTURES[n][0](work / n, cache)
    home = base / "home" / work.name
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAWASAN_") and k != "COLUMNS"}
    env.update({"PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}", "VIRTUAL_ENV": str(VENV_BIN.parent),
                "KAWASAN_HOME": str(home), "XDG_DATA_HOME": str(home / "xdg"), "KAWASAN_CACHE_DIR": str(home / "cache"),
                "KAWASAN_DOCTEST_DEMO": str(demo), "KAWASAN_DOCTEST_DEMO_OUTPUT": str(demo_output),
                "PYTHONUNBUFFERED": "1"})
    return Page(name, work, env)
