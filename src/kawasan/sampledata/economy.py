"""A SYNTHETIC regional-potential table set for the demo: Kabupaten Contoh and its eight neighbours.

``kawasan demo`` writes it to ``DIR/economics`` so that ``kawasan serve --data DIR`` opens the Regional
potential page with a choropleth on a fresh machine (no real statistics needed). Every number is invented
from the seed; the table set says so (``synthetic: true`` in ``tableset.yaml``, "SYNTHETIC" in its title
and source), and the pages that show it label it synthetic.

Layout (the files :class:`kawasan.economics.tableset.TableSet` reads, in the BPS shapes of the East Java
example data)::

    tableset.yaml
    boundaries/regions.geojson   nine regencies, WGS 84, kode (99.01..99.09) and nama
    economy/pdrb_total.csv       kode_bps,nama,tahun,harga,komponen,nilai_juta_rp   2015..2023, ADHK2010
    economy/population.csv       wilayah,tahun,jenis_kelamin,jiwa                    2015..2023, L and P
    economy/ipm.csv              Wilayah,tahun,ipm,metode                            2015..2023
    economy/sectors.csv          region,sector,sector_name,year,value,unit,price_basis   2019 and 2023
    places/ports.geojson         the study area's ports (when the study area is given)

The regions: Kabupaten Contoh is the study area's boundary (or, without a study area, a 60 x 40 km
rectangle where the synthetic study area lies); the neighbours are the eight cells of a 3 x 3 grid of its
bounding box around it. The province (the reference of LQ and shift-share) is "Contoh Raya": its rows are
the sums of the nine regencies.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from kawasan.fileio import publish, recover, temp_sibling

PROVINCE = "Contoh Raya"
YEARS = tuple(range(2015, 2024))
SECTOR_YEARS = (2019, 2023)
#: (row, column) of each region in the 3 x 3 grid (row 0 north), its name and BPS-like code (province 99).
REGIONS = (
    ((1, 1), "Kabupaten Contoh", "99.01"), ((0, 1), "Kabupaten Contoh Utara", "99.02"),
    ((2, 1), "Kabupaten Contoh Selatan", "99.03"), ((1, 0), "Kabupaten Contoh Barat", "99.04"),
    ((1, 2), "Kabupaten Contoh Timur", "99.05"), ((0, 0), "Kabupaten Contoh Barat Laut", "99.06"),
    ((0, 2), "Kabupaten Contoh Timur Laut", "99.07"), ((2, 0), "Kabupaten Contoh Barat Daya", "99.08"),
    ((2, 2), "Kabupaten Contoh Tenggara", "99.09"),
)
#: The BPS 17 categories as the East Java sector table writes them, with a typical share of a regency's PDRB.
SECTORS = (
    ("A", "Pertanian, Kehutanan, dan Perikanan", 0.22), ("B", "Pertambangan dan Penggalian", 0.04),
    ("C", "Industri Pengolahan", 0.20), ("D", "Pengadaan Listrik dan Gas", 0.005),
    ("E", "Pengadaan Air, Pengelolaan Sampah, Limbah dan Daur Ulang", 0.002), ("F", "Konstruksi", 0.09),
    ("G", "Perdagangan Besar dan Eceran; Reparasi Mobil dan Sepeda Motor", 0.16),
    ("H", "Transportasi dan Pergudangan", 0.03), ("I", "Penyediaan Akomodasi dan Makan Minum", 0.05),
    ("J", "Informasi dan Komunikasi", 0.05), ("K", "Jasa Keuangan dan Asuransi", 0.025), ("L", "Real Estat", 0.02),
    ("M,N", "Jasa Perusahaan", 0.005), ("O", "Administrasi Pemerintahan, Pertahanan dan Jaminan Sosial Wajib", 0.03),
    ("P", "Jasa Pendidikan", 0.03), ("Q", "Jasa Kesehatan dan Kegiatan Sosial", 0.008),
    ("R,S,T,U", "Jasa Lainnya", 0.02),
)
#: Where the synthetic study area lies (kawasan.sampledata.contoh): UTM 49S, 60 x 40 km from its top left.
DEFAULT_BOX = ("EPSG:32749", 700000.0, 9110000.0, 760000.0, 9150000.0)


def build_tableset(out_dir: Path, *, seed: int = 7, study_area: Path | None = None) -> Path:
    """Write the SYNTHETIC table set to ``out_dir`` (replaced whole: written beside it, then swapped in) and
    return ``out_dir / "tableset.yaml"``. Same seed and study area, same bytes."""
    out_dir = Path(out_dir).absolute()
    _check_target(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    recover(out_dir)
    tmp = temp_sibling(out_dir)
    try:
        _write(tmp, np.random.default_rng([int(seed), 2024]), study_area)
        publish(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out_dir / "tableset.yaml"


def _check_target(out_dir: Path) -> None:
    """Only an empty folder or an earlier synthetic table set is replaced (OutputError otherwise)."""
    from kawasan.errors import OutputError
    from kawasan.i18n import Message

    if not out_dir.exists() or (out_dir.is_dir() and not any(out_dir.iterdir())):
        return
    spec = out_dir / "tableset.yaml"
    if not (spec.is_file() and "synthetic: true" in spec.read_text(encoding="utf-8", errors="replace")):
        raise OutputError(Message("demo.err.economy.not_a_demo_table_set"), source=str(out_dir))


def _write(folder: Path, rng: np.random.Generator, study_area: Path | None) -> None:
    for sub in ("boundaries", "economy", "places"):
        (folder / sub).mkdir(parents=True)
    regions = _regions(study_area)
    (folder / "boundaries" / "regions.geojson").write_text(regions.to_json(drop_id=True), encoding="utf-8")
    pdrb = _pdrb(rng)
    _write_csv(folder / "economy" / "pdrb_total.csv", ["kode_bps", "nama", "tahun", "harga", "komponen",
                                                       "nilai_juta_rp"], _pdrb_rows(pdrb))
    _write_csv(folder / "economy" / "population.csv", ["wilayah", "tahun", "jenis_kelamin", "jiwa"],
               _population_rows(rng))
    _write_csv(folder / "economy" / "ipm.csv", ["Wilayah", "tahun", "ipm", "metode"], _ipm_rows(rng))
    _write_csv(folder / "economy" / "sectors.csv", ["region", "sector", "sector_name", "year", "value", "unit",
                                                    "price_basis"], _sector_rows(rng, pdrb))
    spec = {"title": {"en": "Contoh Raya (SYNTHETIC)", "id": "Contoh Raya (SINTETIS)"}, "reference": PROVINCE,
            "source": {"en": "SYNTHETIC: generated by kawasan demo (kawasan.sampledata.economy), not BPS data",
                       "id": "SINTETIS: dibuat oleh kawasan demo (kawasan.sampledata.economy), bukan data BPS"},
            "synthetic": True, "boundaries": "boundaries/regions.geojson", "pdrb": "economy/pdrb_total.csv",
            "population": "economy/population.csv", "ipm": "economy/ipm.csv", "sectors": "economy/sectors.csv"}
    if _write_ports(folder / "places" / "ports.geojson", study_area):
        spec["ports"] = "places/ports.geojson"
    import yaml

    (folder / "tableset.yaml").write_text("# SYNTHETIC table set of the kawasan demo: invented numbers.\n"
                                          + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True),
                                          encoding="utf-8")


def _write_csv(path: Path, header: list[str], rows) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _regions(study_area: Path | None):
    """The nine regencies (WGS 84): Kabupaten Contoh's own boundary in the middle of a 3 x 3 grid of its
    bounding box; each neighbour is one outer cell."""
    import geopandas as gpd
    from shapely.geometry import box

    centre = None
    if study_area is not None and (Path(study_area) / "boundary.gpkg").is_file():
        b = gpd.read_file(Path(study_area) / "boundary.gpkg")
        crs, centre = b.crs, b.geometry.union_all()
    if centre is None:
        crs, *bounds = DEFAULT_BOX
        centre = box(*bounds)
    x0, y0, x1, y1 = centre.bounds
    w, h = x1 - x0, y1 - y0
    geoms = []
    for (row, col), _name, _code in REGIONS:
        if (row, col) == (1, 1):
            geoms.append(centre)
        else:
            geoms.append(box(x0 + (col - 1) * w, y1 - row * h, x0 + col * w, y1 - (row - 1) * h))
    gdf = gpd.GeoDataFrame({"kode": [c for *_, c in REGIONS], "nama": [n for _, n, _ in REGIONS]},
                           geometry=geoms, crs=crs).to_crs("EPSG:4326")
    gdf["geometry"] = gdf.geometry.simplify(0.0005, preserve_topology=True)
    return gdf


def _pdrb(rng: np.random.Generator) -> dict[str, dict[int, float]]:
    """PDRB at constant 2010 prices (million rupiah) per regency and year: a base of 6..40 trillion rupiah
    and a growth of 2..7 % a year, with a dip in 2020."""
    out = {}
    for _, name, _ in REGIONS:
        level, growth = rng.uniform(6e6, 4e7), rng.uniform(0.02, 0.07)
        series = {}
        for y in YEARS:
            series[y] = level
            level *= (1 + growth + rng.normal(0, 0.005)) * (0.95 if y + 1 == 2020 else 1.0)
        out[name] = series
    return out


def _pdrb_rows(pdrb):
    for (_, name, code) in REGIONS:
        for y in YEARS:
            yield [code.replace(".", ""), name.removeprefix("Kabupaten "), y, "ADHK2010", "PDRB",
                   f"{pdrb[name][y]:.2f}"]


def _population_rows(rng: np.random.Generator):
    people = {name: rng.uniform(3e5, 1.6e6) for _, name, _ in REGIONS}
    growth = {name: rng.uniform(0.003, 0.012) for _, name, _ in REGIONS}
    rows = []
    for y in YEARS:
        total = {"L": 0, "P": 0}
        for _, name, _ in REGIONS:
            n = people[name] * (1 + growth[name]) ** (y - YEARS[0])
            for sex, share in (("L", 0.497), ("P", 0.503)):
                v = int(round(n * share))
                total[sex] += v
                rows.append([name, y, sex, v])
        rows += [[PROVINCE, y, sex, total[sex]] for sex in ("L", "P")]
    return rows


def _ipm_rows(rng: np.random.Generator):
    start = {name: rng.uniform(63.0, 74.0) for _, name, _ in REGIONS}
    rows = []
    for y in YEARS:
        vals = [round(start[name] + 0.55 * (y - YEARS[0]) + rng.normal(0, 0.1), 2) for _, name, _ in REGIONS]
        rows += [[name, y, v, "IPM metode baru (SYNTHETIC)"] for (_, name, _), v in zip(REGIONS, vals)]
        rows.append([PROVINCE, y, round(float(np.mean(vals)), 2), "IPM metode baru (SYNTHETIC)"])
    return rows


def _sector_rows(rng: np.random.Generator, pdrb):
    """The 17 categories of each regency (shares around the typical ones, manufacturing from 8 to 35 %) for
    2019 and 2023, in billion rupiah; the province's rows are the sums."""
    shares = {}
    for _, name, _ in REGIONS:
        s = np.array([share for *_, share in SECTORS]) * rng.uniform(0.6, 1.4, len(SECTORS))
        s[2] = rng.uniform(0.08, 0.35)
        shares[name] = s / s.sum()
    rows = []
    for year in SECTOR_YEARS:
        province = np.zeros(len(SECTORS))
        for _, name, _ in REGIONS:
            drift = rng.uniform(0.9, 1.1, len(SECTORS)) if year != SECTOR_YEARS[0] else np.ones(len(SECTORS))
            s = shares[name] * drift
            values = pdrb[name][year] / 1000.0 * s / s.sum()
            province += values
            rows += [[name, code, label, year, f"{v:.2f}", "billion IDR", "ADHK2010"]
                     for (code, label, _), v in zip(SECTORS, values)]
        rows += [[PROVINCE, code, label, year, f"{v:.2f}", "billion IDR", "ADHK2010"]
                 for (code, label, _), v in zip(SECTORS, province)]
    return rows


def _write_ports(path: Path, study_area: Path | None) -> bool:
    """The study area's ports as points (WGS 84); False when there is no study area with ports."""
    import geopandas as gpd

    src = Path(study_area) / "ports.gpkg" if study_area is not None else None
    if src is None or not src.is_file():
        return False
    ports = gpd.read_file(src)
    if ports.empty:
        return False
    pts = ports.to_crs("EPSG:4326")
    pts["geometry"] = pts.geometry.representative_point()
    out = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"nama": f"Pelabuhan Contoh {i + 1} (SYNTHETIC)"},
         "geometry": {"type": "Point", "coordinates": [round(g.x, 6), round(g.y, 6)]}}
        for i, g in enumerate(pts.geometry)]}
    path.write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
    return True
