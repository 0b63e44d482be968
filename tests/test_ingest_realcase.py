"""Real case: Kabupaten Probolinggo from the real boundaries, ports and towns in ../shared/data.

No DEM, OpenStreetMap extract or agency layers are available offline, so SYNTHETIC terrain, OSM and
hazard/zoning/soil layers are generated inside the real boundary (labelled synthetic in the files and
in the workspace manifest). Both presets run end to end; the sites must land in the kecamatan that an
independent overlay of the site polygons with the real kecamatan boundaries gives.
"""
from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from kawasan.cli.main import cli

pytestmark = pytest.mark.shared_data

CONES = [(112.95, -7.94, 2100.0), (113.57, -7.97, 2600.0)]   # Tengger (Bromo) and Argopuro, roughly
COAST = -7.70


@pytest.fixture(scope="module")
def probolinggo(shared_data, tmp_path_factory):
    from click.testing import CliRunner

    from kawasan.sampledata.agency_fixture import write_agency_layers
    from kawasan.sampledata.dem_tiles import write_tiles
    from kawasan.sampledata.osm_fixture import write_synthetic_pbf
    from kawasan.spatial.ingest.boundary import read_boundary
    from kawasan.spatial.ingest.osm import extract_osm

    root = tmp_path_factory.mktemp("probolinggo")
    bfile = shared_data / "boundaries" / "jatim_kabkota.geojson"
    wgs = read_boundary(bfile, "nama = 'Kabupaten Probolinggo'").to_wgs84()
    write_synthetic_pbf(root / "probolinggo_synthetic.osm.pbf", wgs, seed=1, target_ways=15000, sea_side="north")
    dem = write_tiles(root / "dem", wgs.bounds, arcsec=3, seed=1, coast_lat=COAST, cones=CONES, hgt=("S08E113",),
                      void=(113.2, -7.8, 0.01))
    osm = extract_osm(root / "probolinggo_synthetic.osm.pbf", clip=wgs)
    arterials = shapely.union_all(list(osm.roads[osm.roads["class"] == "arterial"].geometry))
    agency = write_agency_layers(root / "agency", wgs, coast_lat=COAST, cones=CONES, kpi_windows=((113.05, 113.2),),
                                 corridors=arterials)
    ws = root / "workspace"
    args = ["data", "prepare", "--boundary", str(bfile), "--where", "nama = 'Kabupaten Probolinggo'",
            "--osm", str(root / "probolinggo_synthetic.osm.pbf"), "--resolution", "60", "--out", str(ws), "--json",
            "--layer", f"zoning={agency['zoning']}:POLA_RUANG",
            "--layer", f"hazard_flood={agency['hazard_flood']}:KELAS",
            "--layer", f"hazard_landslide={agency['hazard_landslide']}:KELAS",
            "--layer", f"soil={agency['soil']}:JENIS_TANAH",
            "--layer", f"ports={shared_data / 'places' / 'ports_kemenhub_2017.geojson'}",
            "--layer", f"town_centres={shared_data / 'places' / 'towns_naturalearth_indonesia.geojson'}"]
    for p in dem:
        args += ["--dem", str(p)]
    runner = CliRunner()
    res = runner.invoke(cli, args)
    assert res.exit_code == 0, res.output
    runs = {}
    for preset in ("kawasan-industri", "apht"):
        out = ws / "runs" / preset
        r = runner.invoke(cli, ["suitability", "run", preset, "--data", str(ws), "--out", str(out), "--json"])
        assert r.exit_code == 0, r.output
        r = runner.invoke(cli, ["sites", "extract", str(out), "--json",
                                "--admin", str(shared_data / "boundaries" / "probolinggo_kab_kecamatan.geojson"),
                                "--admin", str(shared_data / "boundaries" / "probolinggo_kab_desa.geojson")])
        assert r.exit_code == 0, r.output
        runs[preset] = (out, json.loads(r.stdout))
    return {"ws": ws, "manifest": json.loads(res.output), "runs": runs, "data": shared_data}


def test_workspace_is_probolinggo_in_utm_49s(probolinggo):
    man = probolinggo["manifest"]
    assert man["name"] == "Kabupaten Probolinggo" and man["crs"] == "EPSG:32749"
    assert 1650 < man["boundary"]["area_km2"] < 1800          # 1,723 km² in UTM 49S (data README)
    assert man["synthetic"] is True and "OpenStreetMap" in man["notice"] and "DEM" in man["notice"]
    assert man["layers"]["ports"]["origin"] == "agency" and man["layers"]["ports"]["feature_count"] >= 1
    assert any("impossible coordinates" in w for w in man["warnings"])   # the kemenhub file's bad points
    assert man["layers"]["town_centres"]["feature_count"] >= 1     # the real towns: the town-distance criterion


@pytest.mark.parametrize("preset", ["kawasan-industri", "apht"])
def test_sites_land_in_the_right_kecamatan(probolinggo, preset):
    out, sites = probolinggo["runs"][preset]
    assert sites, f"{preset}: no candidate site on the Probolinggo case"
    data = probolinggo["data"]
    kec = gpd.read_file(data / "boundaries" / "probolinggo_kab_kecamatan.geojson").to_crs("EPSG:32749")
    regency = gpd.read_file(data / "boundaries" / "jatim_kabkota.geojson")
    regency = regency[regency["nama"] == "Kabupaten Probolinggo"].to_crs("EPSG:32749").geometry.iloc[0]
    kota = gpd.read_file(data / "boundaries" / "jatim_kabkota.geojson")
    kota = kota[kota["nama"] == "Kota Probolinggo"].to_crs("EPSG:32749").geometry.iloc[0]
    polys = gpd.read_file(out / "sites" / "sites.gpkg").to_crs("EPSG:32749")
    by_id = {int(r["id"]): r.geometry for _, r in polys.iterrows()}
    for s in sites:
        geom = by_id[s["id"]]
        assert geom.intersection(regency).area / geom.area > 0.97, f"site {s['id']} outside the regency"
        # no cell of the site lies in Kota Probolinggo (a cell belongs to the regency when its centre does;
        # along the shared border the cells' squares may reach half a cell over it, and the two source
        # polygons overlap by about 39 ha, which belongs to both)
        assert not _cell_centres_in(geom, kota.difference(regency)), f"site {s['id']} in Kota Probolinggo"
        overlap = kec.geometry.intersection(geom).area
        expected = kec["nama"].iloc[int(overlap.values.argmax())]
        reported = [a for a in s["admin"] if a["layer"] == "probolinggo_kab_kecamatan"][0]
        assert reported["main"] == expected, (preset, s["id"], reported, expected)
        desa = [a for a in s["admin"] if a["layer"] == "probolinggo_kab_desa"][0]
        assert desa["main"], "the site's desa must be named"
        assert abs(s["area_ha"] - geom.area / 1e4) / s["area_ha"] < 0.01


def _cell_centres_in(site, other, res: float = 60.0) -> bool:
    """Whether a cell centre of ``site`` (cells of ``res`` on a grid snapped to ``res``) lies in ``other``."""
    import numpy as np

    l, b, r, t = site.bounds
    xs = np.arange(np.floor(l / res) * res + res / 2, r, res)
    ys = np.arange(np.floor(b / res) * res + res / 2, t, res)
    gx, gy = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(site, gx, gy)
    return bool(np.any(shapely.contains_xy(other, gx[inside], gy[inside])))


def test_apht_sites_are_next_to_the_arterial_road_with_no_settlement_buffer(probolinggo):
    """PMK 22/2023 sets no distance from settlements: the APHT preset has none (issue 10.1), so sites may lie
    next to villages; they stay within 1 km of a national arterial road (by status: ref or class proxy)."""
    out, sites = probolinggo["runs"]["apht"]
    man = json.loads((out / "manifest.json").read_text())
    ids = {c["id"]: c for c in man["constraints"]}
    assert "settlement_buffer_2km" not in ids and ids["nuisance_buffer"]["status"] == "off"
    assert set(ids["on_national_arterial"]["read"]["basis"]["status"]) <= {"ref", "OSM highway class (proxy)"}
    trade = next(c for c in json.loads((probolinggo["runs"]["kawasan-industri"][0] / "manifest.json").read_text())
                 ["criteria"] if c["id"] == "trade_centre")
    assert trade["read"]["layer"] == "town_centres"
    for s in sites:
        assert s["area_ha"] >= 2.0
        assert s["distance_m"]["arterial_road"] <= 1000.0
        assert s["slope_percent"]["max"] <= 15.0 + 1e-6 or s["slope_percent"]["mean"] <= 15.0
