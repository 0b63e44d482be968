"""SYNTHETIC agency layers (hazard, spatial-plan zoning, soil) inside a real boundary, for tests and benchmarks.

Regencies hold these as Shapefiles from BPBD/InaRISK (hazard), Bappeda (RTRW pola ruang) and the
agriculture office (soil); none is public offline, so the real-data cases generate stand-ins from the
synthetic terrain of :mod:`kawasan.sampledata.dem_tiles`, with the attribute names and Indonesian
values such files carry (``KELAS``: Tinggi/Sedang/Rendah; ``POLA_RUANG``: Kawasan Peruntukan Industri,
Hutan Lindung, ...; ``JENIS_TANAH``: Aluvial, Latosol, ...). Every feature has ``KETERANGAN`` =
"SINTETIS / SYNTHETIC". Files are written in assorted CRSs (EPSG:4326 GeoJSON, UTM GeoPackage,
EPSG:4326 Shapefile) as a regency's would be.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely
from affine import Affine
from rasterio import features
from shapely.geometry import shape

from kawasan.geopackage import write_layer
from kawasan.sampledata.dem_tiles import elevation

LABEL = "SINTETIS / SYNTHETIC"


def _polygons(classes: np.ndarray, transform: Affine, names: dict[int, str], clip) -> tuple[list, list]:
    geoms, values = [], []
    for g, v in features.shapes(classes.astype(np.int32), transform=transform):
        v = int(v)
        if v not in names:
            continue
        poly = shape(g).intersection(clip)
        if poly.is_empty or poly.area == 0:
            continue
        geoms.append(poly)
        values.append(names[v])
    return geoms, values


_HAZARD_CLASSES = {1: "Rendah", 2: "Sedang", 3: "Tinggi"}
_ZONE_NAMES = {1: "Hutan Lindung", 2: "Pertanian Tanaman Pangan", 4: "Kawasan Peruntukan Industri", 5: "Perkebunan"}
_SOIL_NAMES = {1: "Aluvial", 2: "Latosol", 3: "Mediteran", 4: "Andosol", 5: "Regosol"}


def write_agency_layers(out_dir: Path, boundary_wgs84, *, coast_lat: float, cones, seed: int = 0,
                        kpi_windows: tuple[tuple[float, float], ...] = (), corridors=None,
                        corridor_m: float = 1500.0, cell_deg: float = 0.004,
                        utm: str = "EPSG:32749") -> dict[str, Path]:
    """Write hazard_flood.geojson, hazard_landslide.shp, zoning.gpkg and soil.geojson; returns name -> path.

    kpi_windows: longitude ranges where the plain between 5 and 80 m is zoned Kawasan Peruntukan Industri.
    corridors: lines (EPSG:4326, e.g. the arterial roads) along which the plain (5 to 150 m) within
        ``corridor_m`` is zoned KPI too, as spatial plans commonly place industry along national roads.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    lons, lats, tr = _cell_grid(boundary_wgs84.bounds, cell_deg)
    z = elevation(lons[None, :], lats[:, None], coast_lat=coast_lat, cones=list(cones), seed=seed)
    gy, gx = np.gradient(z, cell_deg * 110_600.0)
    slope = 100.0 * np.hypot(gx, gy)
    rng = np.random.default_rng(seed + 11)
    layer = partial(_labelled_layer, tr=tr, clip=boundary_wgs84.buffer(0))
    paths = {"hazard_flood": out_dir / "rawan_banjir_synthetic.geojson",
             "hazard_landslide": out_dir / "rawan_longsor_synthetic.shp",
             "zoning": out_dir / "rtrw_pola_ruang_synthetic.gpkg",
             "soil": out_dir / "jenis_tanah_synthetic.geojson"}
    layer(_flood_classes(z), _HAZARD_CLASSES, "KELAS").to_file(paths["hazard_flood"], driver="GeoJSON")
    layer(_landslide_classes(z, slope), _HAZARD_CLASSES, "KELAS").to_file(paths["hazard_landslide"],
                                                                         driver="ESRI Shapefile")
    zone = _zoning(z, lons, kpi_windows, _corridor_cells(corridors, corridor_m, utm, z.shape, tr))
    # no clock time in the GeoPackage: the same seed writes the same bytes
    write_layer(layer(zone, _ZONE_NAMES, "POLA_RUANG").to_crs(utm), paths["zoning"], "pola_ruang")
    layer(_soil_classes(rng, z), _SOIL_NAMES, "JENIS_TANAH").to_file(paths["soil"], driver="GeoJSON")
    return paths


def _cell_grid(bounds, cell_deg: float) -> tuple[np.ndarray, np.ndarray, Affine]:
    """Cell-centre longitudes (west to east) and latitudes (north to south) over ``bounds``, and the transform."""
    minx, miny, maxx, maxy = bounds
    w = int(np.ceil((maxx - minx) / cell_deg))
    h = int(np.ceil((maxy - miny) / cell_deg))
    lons = minx + (np.arange(w) + 0.5) * cell_deg
    lats = maxy - (np.arange(h) + 0.5) * cell_deg
    return lons, lats, Affine(cell_deg, 0, minx, 0, -cell_deg, maxy)


def _labelled_layer(classes: np.ndarray, names: dict[int, str], column: str, tr: Affine, clip) -> gpd.GeoDataFrame:
    """The class polygons inside ``clip`` (EPSG:4326), the class name in ``column`` and KETERANGAN = SYNTHETIC."""
    g, v = _polygons(classes, tr, names, clip)
    return gpd.GeoDataFrame({column: v, "KETERANGAN": LABEL}, geometry=g, crs="EPSG:4326")


def _flood_classes(z: np.ndarray) -> np.ndarray:
    """Flood hazard by elevation: Tinggi (3) below 12 m, Sedang (2) below 35 m, else Rendah (1)."""
    return np.where(z < 12, 3, np.where(z < 35, 2, 1))


def _landslide_classes(z: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Landslide hazard: Tinggi (3) on slopes over 40 % or above 1,500 m, Sedang (2) over 20 % or above 700 m,
    else Rendah (1)."""
    return np.where((slope > 40) | (z > 1500), 3, np.where((slope > 20) | (z > 700), 2, 1))


def _corridor_cells(corridors, corridor_m: float, utm: str, shape_: tuple[int, int], tr: Affine):
    """Cells within ``corridor_m`` of the corridor lines (buffered in ``utm``), or None without corridors."""
    if corridors is None or corridors.is_empty:
        return None
    from pyproj import Transformer

    fwd = Transformer.from_crs("EPSG:4326", utm, always_xy=True)
    back = Transformer.from_crs(utm, "EPSG:4326", always_xy=True)
    to = lambda tr: (lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))  # noqa: E731
    band = shapely.transform(shapely.transform(corridors, to(fwd)).buffer(corridor_m), to(back))
    return features.rasterize([(band, 1)], out_shape=shape_, transform=tr, dtype="uint8").astype(bool)


def _zoning(z: np.ndarray, lons: np.ndarray, kpi_windows, near) -> np.ndarray:
    """RTRW pola ruang: agriculture (2), plantation (5) from 250 m, protected forest (1) above 1,000 m, sea 0;
    Kawasan Peruntukan Industri (4) on the 5-80 m plain inside ``kpi_windows`` and the 5-150 m plain ``near``
    the corridors."""
    zone = np.full(z.shape, 2)                                        # agriculture
    zone[(z > 250) & (z <= 1000)] = 5                                 # plantation
    zone[z > 1000] = 1                                                # protected
    zone[z < 0] = 0
    lon2d = np.broadcast_to(lons[None, :], z.shape)
    for a, b in kpi_windows:
        zone[(lon2d >= a) & (lon2d <= b) & (z > 5) & (z < 80)] = 4
    if near is not None:
        zone[near & (z > 5) & (z < 150) & (zone != 0)] = 4
    return zone


def _soil_classes(rng: np.random.Generator, z: np.ndarray) -> np.ndarray:
    """Soil by elevation with 60 m of noise: Aluvial below 40 m, Latosol to 300, Mediteran to 700, Andosol to
    1,400, Regosol above."""
    noise = rng.normal(0, 60, z.shape)
    return np.where(z + noise < 40, 1, np.where(z + noise < 300, 2, np.where(z + noise < 700, 3,
                    np.where(z + noise < 1400, 4, 5))))


def bowtie(center_lon: float, center_lat: float, size: float = 0.01):
    """A self-intersecting polygon (for repair tests)."""
    c, s = center_lon, size
    return shapely.Polygon([(c - s, center_lat - s), (c + s, center_lat + s), (c + s, center_lat - s),
                            (c - s, center_lat + s)])
