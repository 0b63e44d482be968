"""The SYNTHETIC OSM fixture generator: valid, labelled, deterministic, dense, and readable by extract_osm."""
from __future__ import annotations

import hashlib
import math

import pytest
import shapely

osmium = pytest.importorskip("osmium")

from kawasan.errors import InputError  # noqa: E402
from kawasan.sampledata.osm_fixture import NOTE, write_synthetic_pbf  # noqa: E402
from kawasan.spatial.ingest.osm import LANDCOVER_CLASSES, extract_osm  # noqa: E402


def km_box(lon0, lat0, km_x, km_y):
    dlat = km_x * 1000 / 110_574
    dlon = km_y * 1000 / (111_320 * math.cos(math.radians(lat0)))
    return shapely.box(lon0, lat0, lon0 + dlon, lat0 + dlat)


# an irregular, non-rectangular regency-like boundary (about 15 x 12 km) south of the equator
BOUNDARY = shapely.Polygon([(113.10, -7.90), (113.24, -7.93), (113.25, -7.80), (113.18, -7.79), (113.12, -7.84)])


@pytest.fixture(scope="module")
def fixture_north(tmp_path_factory):
    path = tmp_path_factory.mktemp("osmfx") / "north.osm.pbf"
    stats = write_synthetic_pbf(path, BOUNDARY, seed=7, sea_side="north")
    return path, stats


def test_density_and_stats(fixture_north):
    path, stats = fixture_north
    assert stats["synthetic"] is True and stats["path"] == str(path)
    area_km2 = stats["area_km2"]
    assert 150 < area_km2 < 200
    assert stats["ways"] >= stats["target_ways"] >= 0.99 * 58 * area_km2
    assert stats["bytes"] == path.stat().st_size
    assert stats["by_kind"]["road_local"] > stats["by_kind"]["road_collector"] > 0
    assert stats["relations"] == 2


def test_every_object_is_labelled_synthetic(fixture_north):
    path, _ = fixture_north
    header = osmium.io.Reader(str(path), osmium.osm.NOTHING).header()
    assert "SYNTHETIC" in header.get("generator")   # the one free-text field a PBF header keeps
    unlabelled = 0
    n = 0
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node() and not len(obj.tags):
            continue      # way vertices are untagged, as in OSM
        n += 1
        if obj.tags.get("note") != NOTE:
            unlabelled += 1
    assert n > 1000 and unlabelled == 0


def test_same_seed_same_file_other_seed_other_file(tmp_path, fixture_north):
    path, _ = fixture_north
    again = tmp_path / "again.osm.pbf"
    write_synthetic_pbf(again, BOUNDARY, seed=7, sea_side="north")
    assert hashlib.sha256(again.read_bytes()).digest() == hashlib.sha256(path.read_bytes()).digest()
    other = tmp_path / "other.osm.pbf"
    write_synthetic_pbf(other, BOUNDARY, seed=8, sea_side="north")
    assert other.read_bytes() != path.read_bytes()
    assert not list(tmp_path.glob(".*tmp*")), "no temporary file left behind"


def test_extracts_into_every_layer(fixture_north):
    path, _ = fixture_north
    out = extract_osm(path, clip=BOUNDARY)
    for layer in ("roads", "railways", "waterways", "water", "coastline", "sea", "settlements", "places", "landuse",
                  "industrial", "harbours", "aerodromes", "protected"):
        assert out.counts[layer] > 0, f"no {layer} in the fixture"
    assert set(out.roads["class"]) == {"arterial", "collector", "local"}
    assert set(out.landuse["landcover"].dropna()) == set(LANDCOVER_CLASSES.values())
    assert {"river", "stream"} <= set(out.waterways["kind"])
    assert {"town", "village", "hamlet"} <= set(out.places["kind"])
    assert out.places["population"].notna().all()
    assert (out.water["osm_type"] == "relation").any() and any(
        g.geom_type == "Polygon" and len(g.interiors) == 1 for g in out.water.geometry)
    prot = out.protected[out.protected["osm_type"] == "relation"].geometry.iloc[0]
    assert len(prot.interiors) == 1
    assert out.source["synthetic"] is True and any("SYNTHETIC" in w for w in out.warnings)
    assert out.repaired == 0
    # the sea lies north of the land, and no land use is drawn in it
    sea = out.sea.geometry.iloc[0]
    assert sea.centroid.y > BOUNDARY.centroid.y
    assert 0.05 < sea.area / BOUNDARY.area < 0.3
    inside_sea = shapely.within(shapely.point_on_surface(out.landuse.geometry.values), sea)
    assert inside_sea.sum() == 0
    # everything stays close to the boundary
    assert shapely.box(*BOUNDARY.buffer(0.03).bounds).contains(shapely.box(*out.landuse.total_bounds))


@pytest.mark.parametrize("side, check", [
    ("south", lambda sea, b: sea.centroid.y < b.centroid.y),
    ("east", lambda sea, b: sea.centroid.x > b.centroid.x),
    ("west", lambda sea, b: sea.centroid.x < b.centroid.x),
])
def test_coastline_direction_for_each_side(tmp_path, side, check):
    b = km_box(110.0, 1.2, 6, 6)     # north of the equator, small
    path = tmp_path / f"{side}.osm.pbf"
    write_synthetic_pbf(path, b, seed=1, sea_side=side, target_ways=1500)
    out = extract_osm(path, clip=b)
    assert out.counts["sea"] == 1 and check(out.sea.geometry.iloc[0], b)
    assert out.counts["harbours"] == 1


def test_without_sea_there_is_no_coastline(tmp_path):
    b = km_box(120.0, -10.0, 5, 8)
    path = tmp_path / "inland.osm.pbf"
    stats = write_synthetic_pbf(path, b, seed=3, target_ways=1200)
    assert stats["ways"] >= 1200
    out = extract_osm(path, clip=b)
    assert out.counts["coastline"] == 0 and out.counts["sea"] == 0
    assert out.counts["harbours"] == 1 and out.counts["roads"] > 500


def test_bad_arguments(tmp_path):
    with pytest.raises(InputError) as info:
        write_synthetic_pbf(tmp_path / "x.osm.pbf", shapely.Point(0, 0))
    assert info.value.field == "boundary"
    with pytest.raises(InputError, match="longitude/latitude"):
        write_synthetic_pbf(tmp_path / "x.osm.pbf", shapely.box(700000, 9100000, 760000, 9160000))
    with pytest.raises(InputError) as info:
        write_synthetic_pbf(tmp_path / "x.osm.pbf", BOUNDARY, sea_side="up")
    assert info.value.field == "sea_side"
    assert not (tmp_path / "x.osm.pbf").exists()


def test_a_given_coastline(tmp_path):
    # drawn westward across the boundary: land (south) on its left, sea to the north
    coast = shapely.LineString([(113.30, -7.84), (113.17, -7.825), (113.05, -7.83)])
    path = tmp_path / "coast.osm.pbf"
    stats = write_synthetic_pbf(path, BOUNDARY, seed=2, coastline=coast, target_ways=3000)
    assert stats["coastline"] == "given" and stats["sea_side"] == "north"
    out = extract_osm(path, clip=BOUNDARY)
    sea = out.sea.geometry.iloc[0]
    assert sea.contains(shapely.Point(113.2, -7.80)) and not sea.contains(shapely.Point(113.2, -7.88))
    assert shapely.within(shapely.point_on_surface(out.landuse.geometry.values), sea).sum() == 0
    with pytest.raises(InputError) as info:
        write_synthetic_pbf(tmp_path / "x.osm.pbf", BOUNDARY, coastline=coast, sea_side="north")
    assert info.value.field == "coastline"
    with pytest.raises(InputError, match="no sea"):     # ends inside the area: cuts nothing
        write_synthetic_pbf(tmp_path / "x.osm.pbf", BOUNDARY, coastline=shapely.LineString([(113.2, -7.85), (113.15, -7.85)]))
