"""extract_osm on small hand-built OSM files (written with osmium.SimpleWriter in the tests)."""
from __future__ import annotations

from pathlib import Path

import pytest
import shapely

osmium = pytest.importorskip("osmium")
from osmium.osm.mutable import Node, Relation, Way  # noqa: E402

from kawasan.errors import InputError, VectorError  # noqa: E402
from kawasan.spatial.ingest.osm import (  # noqa: E402
    LANDCOVER_CLASSES,
    LAYER_COLUMNS,
    LAYERS,
    OsmLayers,
    extract_osm,
    load_osm_mapping,
)
from kawasan.spatial.ingest.osm_mapping import mapping_tables_markdown  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


class OsmBuilder:
    """Collects nodes, ways and relations and writes them in id order (as an OSM file must be)."""

    def __init__(self):
        self.nodes: list[tuple[int, float, float, dict]] = []
        self.ways: list[tuple[int, list[int], dict]] = []
        self.relations: list[tuple[int, list, dict]] = []
        self._nid = 0
        self._wid = 0
        self._rid = 0

    def node(self, x, y, tags=None) -> int:
        self._nid += 1
        self.nodes.append((self._nid, x, y, tags or {}))
        return self._nid

    def line(self, coords, tags) -> int:
        ids = [self.node(x, y) for x, y in coords]
        return self.way(ids, tags)

    def polygon(self, coords, tags) -> int:
        ids = [self.node(x, y) for x, y in coords]
        return self.way(ids + [ids[0]], tags)

    def way(self, ids, tags) -> int:
        self._wid += 1
        self.ways.append((self._wid, list(ids), tags))
        return self._wid

    def relation(self, members, tags) -> int:
        self._rid += 1
        self.relations.append((self._rid, members, tags))
        return self._rid

    def write(self, path: Path) -> Path:
        with osmium.SimpleWriter(str(path), overwrite=True) as w:
            for i, x, y, t in self.nodes:
                w.add_node(Node(id=i, version=1, location=(x, y), tags=t))
            for i, ids, t in self.ways:
                w.add_way(Way(id=i, version=1, nodes=ids, tags=t))
            for i, m, t in self.relations:
                w.add_relation(Relation(id=i, version=1, members=m, tags=t))
        return path


def square(x, y, s=0.01):
    return [(x, y), (x + s, y), (x + s, y + s), (x, y + s)]


def row(layer, osm_id):
    r = layer[layer["osm_id"] == osm_id]
    assert len(r) == 1, f"expected one row with osm_id {osm_id}, got {len(r)}"
    return r.iloc[0]


def rule_tags(rule) -> dict:
    """Tags that satisfy a rule (the first listed value of each key; a wildcard becomes 'yes')."""
    return {k: ("yes" if v is None else sorted(v)[0]) for k, v in rule.match}


# -- the mapping rules, one by one ---------------------------------------------------------------

def test_every_road_value_gets_its_class_and_dropped_ones_are_dropped(tmp_path):
    m = load_osm_mapping()
    b = OsmBuilder()
    want = {}
    for i, (value, cls) in enumerate(sorted(m.roads.items())):
        want[b.line([(0.0, i * 0.001), (0.001, i * 0.001)], {"highway": value, "name": f"Jalan {value}", "ref": "R1"})] = (cls, value)
    dropped = [b.line([(1.0, i * 0.001), (1.001, i * 0.001)], {"highway": v}) for i, v in enumerate(m.roads_dropped + ("unknown_value",))]
    out = extract_osm(b.write(tmp_path / "roads.osm.pbf"))
    assert len(out.roads) == len(want)
    for wid, (cls, value) in want.items():
        r = row(out.roads, wid)
        assert (r["class"], r["highway"], r["name"], r["ref"]) == (cls, value, f"Jalan {value}", "R1")
    assert not set(dropped) & set(out.roads["osm_id"])
    assert set(out.roads["class"]) == {"arterial", "collector", "local"}
    assert {"motorway", "primary_link", "trunk"} <= set(out.roads.loc[out.roads["class"] == "arterial", "highway"])
    assert {"footway", "path", "steps"} <= set(m.roads_dropped)


def test_railways_waterways_coastline(tmp_path):
    m = load_osm_mapping()
    b = OsmBuilder()
    rails = {b.line([(0, i * 0.01), (0.01, i * 0.01)], {"railway": v, "name": "KA"}): v for i, v in enumerate(sorted(m.railways))}
    gone = b.line([(0, 1), (0.01, 1)], {"railway": "abandoned"})
    wws = {b.line([(1, i * 0.01), (1.01, i * 0.01)], {"waterway": v}): (k, v) for i, (v, k) in enumerate(sorted(m.waterways.items()))}
    coast = b.line([(2, 0), (2.01, 0)], {"natural": "coastline"})
    out = extract_osm(b.write(tmp_path / "lines.osm.pbf"))
    assert dict(zip(out.railways["osm_id"], out.railways["railway"])) == rails
    assert gone not in set(out.railways["osm_id"])
    for wid, (kind, value) in wws.items():
        r = row(out.waterways, wid)
        assert (r["kind"], r["waterway"]) == (kind, value)
    assert {"river", "stream", "canal", "drain"} <= set(out.waterways["kind"])
    assert list(out.coastline["osm_id"]) == [coast]
    assert all(g.geom_type == "LineString" for g in out.roads.geometry) if len(out.roads) else True


@pytest.mark.parametrize("section", ["water", "settlements", "industrial", "protected"])
def test_every_polygon_rule_gives_its_kind(tmp_path, section):
    m = load_osm_mapping()
    rules = getattr(m, section)
    b = OsmBuilder()
    want = {}
    for i, rule in enumerate(rules):
        want[b.polygon(square(i * 0.1, 0), {**rule_tags(rule), "name": f"P{i}"})] = rule.value
    out = getattr(extract_osm(b.write(tmp_path / f"{section}.osm.pbf")), section)
    for wid, kind in want.items():
        r = row(out, wid)
        assert r["kind"] == kind and r["name"].startswith("P")
        assert r["osm_type"] == "way"


def test_every_landuse_rule_gives_its_landcover(tmp_path):
    m = load_osm_mapping()
    b = OsmBuilder()
    want = {}
    for i, rule in enumerate(m.landuse_rules):
        want[b.polygon(square(i * 0.1, 0), rule_tags(rule))] = rule.value
    unmapped = b.polygon(square(5, 5), {"landuse": "cemetery"})
    excluded = b.polygon(square(6, 6), {"natural": "coastline"})
    out = extract_osm(b.write(tmp_path / "landuse.osm.pbf")).landuse
    for wid, lc in want.items():
        assert row(out, wid)["landcover"] == lc
    assert set(want.values()) == set(LANDCOVER_CLASSES.values())
    assert row(out, unmapped)["tag"] == "landuse=cemetery" and row(out, unmapped)["landcover"] is None
    assert excluded not in set(out["osm_id"])
    # the specific Indonesian rules of the brief
    assert _landcover(tmp_path, {"landuse": "paddy"}) == "rice_field"
    assert _landcover(tmp_path, {"landuse": "farmland", "crop": "rice"}) == "rice_field"
    assert _landcover(tmp_path, {"landuse": "farmland", "crop": "sugarcane"}) == "plantation"
    assert _landcover(tmp_path, {"landuse": "farmland"}) == "dry_fields"
    assert _landcover(tmp_path, {"natural": "wood"}) == "production_forest"
    assert _landcover(tmp_path, {"landuse": "quarry"}) == "industry"
    assert _landcover(tmp_path, {"landuse": "farmland", "crop": "maize;rice"}) == "rice_field"


def _landcover(tmp_path, tags):
    b = OsmBuilder()
    wid = b.polygon(square(0, 0), tags)
    return row(extract_osm(b.write(tmp_path / "one.osm.pbf")).landuse, wid)["landcover"]


def test_forest_inside_a_protected_area_is_protected_forest(tmp_path):
    b = OsmBuilder()
    b.polygon([(0, 0), (1, 0), (1, 1), (0, 1)], {"boundary": "protected_area", "protect_class": "6", "name": "Hutan Lindung X"})
    inside = b.polygon(square(0.4, 0.4, 0.1), {"landuse": "forest"})
    outside = b.polygon(square(2, 2, 0.1), {"landuse": "forest"})
    out = extract_osm(b.write(tmp_path / "prot.osm.pbf"))
    assert row(out.landuse, inside)["landcover"] == "protected_forest"
    assert row(out.landuse, outside)["landcover"] == "production_forest"
    assert out.protected.iloc[0]["protect_class"] == "6"


def test_points_places_harbours_aerodromes(tmp_path):
    b = OsmBuilder()
    town = b.node(113.2, -7.7, {"place": "town", "name": "Kraksaan", "population": "67,000"})
    vil = b.node(113.3, -7.7, {"place": "village", "name": "Desa A", "population": "about many"})
    b.node(113.4, -7.7, {"place": "locality", "name": "dropped"})
    hb = b.node(113.25, -7.6, {"harbour": "yes", "name": "Pelabuhan X"})
    b.node(113.26, -7.6, {"harbour": "no"})
    port = b.polygon(square(113.5, -7.6), {"landuse": "port", "name": "Port Y"})
    aero = b.polygon(square(113.6, -7.6), {"aeroway": "aerodrome", "name": "Bandara Z", "iata": "ZZZ", "icao": "ZZZZ"})
    out = extract_osm(b.write(tmp_path / "points.osm.pbf"))
    assert row(out.places, town)["population"] == 67000
    assert row(out.places, town)["kind"] == "town"
    assert row(out.places, vil)["population"] is pd_na()
    assert len(out.places) == 2
    assert any("population" in w for w in out.warnings)
    assert row(out.harbours, hb)["kind"] == "harbour"
    assert row(out.harbours, port)["kind"] == "port"
    assert len(out.harbours) == 2
    r = row(out.aerodromes, aero)
    assert (r["iata"], r["icao"], r["osm_type"]) == ("ZZZ", "ZZZZ", "way")
    assert shapely.box(113.6, -7.6, 113.61, -7.59).contains(r.geometry)
    assert all(g.geom_type == "Point" for g in out.harbours.geometry)


def pd_na():
    import pandas as pd

    return pd.NA


# -- geometry: multipolygons, repair, clip --------------------------------------------------------

def test_multipolygon_relation_with_hole(tmp_path):
    b = OsmBuilder()
    outer = b.polygon([(0, 0), (1, 0), (1, 1), (0, 1)], {})
    inner = b.polygon([(0.4, 0.4), (0.6, 0.4), (0.6, 0.6), (0.4, 0.6)], {})
    rid = b.relation([("w", outer, "outer"), ("w", inner, "inner")],
                     {"type": "multipolygon", "natural": "water", "water": "lake", "name": "Ranu"})
    out = extract_osm(b.write(tmp_path / "mp.osm.pbf"))
    r = row(out.water, rid)
    assert r["osm_type"] == "relation" and r["kind"] == "lake" and r["name"] == "Ranu"
    g = r.geometry
    assert g.geom_type == "Polygon" and len(g.interiors) == 1
    assert g.area == pytest.approx(1 - 0.04)
    assert not g.contains(shapely.Point(0.5, 0.5))
    # the untagged member ways are not features of their own
    assert len(out.water) == 1 and len(out.landuse) == 1 and out.landuse.iloc[0]["landcover"] == "water"


def test_invalid_polygon_is_repaired_and_counted(tmp_path):
    b = OsmBuilder()
    bow = b.polygon([(0, 0), (1, 1), (1, 0), (0, 1)], {"landuse": "farmland", "crop": "rice"})   # a bow-tie
    ok = b.polygon(square(3, 3), {"landuse": "farmland"})
    out = extract_osm(b.write(tmp_path / "bad.osm.pbf"))
    assert out.repaired == 1
    g = row(out.landuse, bow).geometry
    assert g.is_valid and g.geom_type == "MultiPolygon" and len(g.geoms) == 2
    assert g.area == pytest.approx(0.5)
    assert row(out.landuse, bow)["landcover"] == "rice_field"
    assert row(out.landuse, ok).geometry.is_valid
    assert any("repaired" in w for w in out.warnings)
    assert ("osm.warn.repaired", {"count": 1, "lost": 0}) in out.notes


def test_clip_keeps_intersecting_features_whole(tmp_path):
    b = OsmBuilder()
    inside = b.line([(0.1, 0.1), (0.2, 0.2)], {"highway": "primary"})
    crossing = b.line([(0.5, 0.5), (2.0, 0.5)], {"highway": "secondary"})
    outside = b.line([(3, 3), (3.1, 3.1)], {"highway": "primary"})
    bbox_only = b.line([(0.95, 1.5), (1.5, 0.95)], {"highway": "primary"})   # bounding boxes overlap, lines do not
    poly_out = b.polygon(square(5, 5), {"landuse": "forest"})
    poly_in = b.polygon(square(0.3, 0.3), {"landuse": "forest"})
    place_out = b.node(4, 4, {"place": "village", "name": "far"})
    clip = shapely.Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    out = extract_osm(b.write(tmp_path / "clip.osm.pbf"), clip=clip)
    assert set(out.roads["osm_id"]) == {inside, crossing}
    assert row(out.roads, crossing).geometry.length == pytest.approx(1.5)   # not cut
    assert outside not in set(out.roads["osm_id"]) and bbox_only not in set(out.roads["osm_id"])
    assert set(out.landuse["osm_id"]) == {poly_in} and poly_out not in set(out.landuse["osm_id"])
    assert place_out not in set(out.places["osm_id"]) and out.counts["places"] == 0
    full = extract_osm(tmp_path / "clip.osm.pbf")
    assert full.counts["roads"] == 4


def test_clip_must_be_a_polygon_in_lonlat(tmp_path):
    path = OsmBuilder().write(tmp_path / "e.osm.pbf")
    with pytest.raises(InputError, match="Polygon"):
        extract_osm(path, clip=shapely.Point(0, 0))
    with pytest.raises(InputError, match="EPSG:4326"):
        extract_osm(path, clip=shapely.box(700000, 9100000, 710000, 9110000))


def test_missing_nodes_are_reported(tmp_path):
    b = OsmBuilder()
    ok = b.line([(0, 0), (0.1, 0)], {"highway": "primary"})
    n1 = b.node(0, 1)
    broken = b.way([n1, 99999], {"highway": "primary"})
    out = extract_osm(b.write(tmp_path / "cut.osm.pbf"))
    assert list(out.roads["osm_id"]) == [ok] and broken not in set(out.roads["osm_id"])
    assert any("nodes are not in the file" in w for w in out.warnings)


# -- the sea from the coastline --------------------------------------------------------------------

@pytest.mark.parametrize("westward", [True, False])
def test_sea_is_on_the_right_of_the_coastline(tmp_path, westward):
    b = OsmBuilder()
    pts = [(-0.5, 0.5), (0.3, 0.55), (0.7, 0.45), (1.5, 0.5)]
    b.line(pts[::-1] if westward else pts, {"natural": "coastline"})
    clip = shapely.box(0, 0, 1, 1)
    out = extract_osm(b.write(tmp_path / "coast.osm.pbf"), clip=clip)
    assert out.counts["sea"] == 1
    sea = out.sea.geometry.iloc[0]
    # walking west the land is on the left (south), so the sea is north; walking east, the other way
    north = shapely.Point(0.5, 0.9)
    south = shapely.Point(0.5, 0.1)
    assert sea.contains(north if westward else south)
    assert not sea.contains(south if westward else north)
    assert sea.area == pytest.approx(0.5, abs=0.02)
    assert clip.buffer(1e-9).contains(sea)


def test_island_coastline_ring_gives_sea_around_it(tmp_path):
    b = OsmBuilder()
    # an island: a closed coastline ring drawn counter-clockwise (land on the left = inside)
    b.polygon([(0.4, 0.4), (0.6, 0.4), (0.6, 0.6), (0.4, 0.6)], {"natural": "coastline"})
    out = extract_osm(b.write(tmp_path / "island.osm.pbf"), clip=shapely.box(0, 0, 1, 1))
    sea = out.sea.geometry.iloc[0]
    assert sea.contains(shapely.Point(0.1, 0.1)) and not sea.contains(shapely.Point(0.5, 0.5))
    assert sea.area == pytest.approx(1 - 0.04)
    assert out.counts["landuse"] == 0   # a coastline ring is not land use


def test_coastline_ending_inside_the_area_gives_no_sea(tmp_path):
    b = OsmBuilder()
    b.line([(-0.5, 0.5), (0.5, 0.5)], {"natural": "coastline"})
    out = extract_osm(b.write(tmp_path / "dangling.osm.pbf"), clip=shapely.box(0, 0, 1, 1))
    assert out.counts["sea"] == 0 and out.counts["coastline"] == 1
    assert any("does not cut" in w for w in out.warnings)


# -- bad and empty files ---------------------------------------------------------------------------

def test_corrupt_truncated_empty_and_missing_files(tmp_path):
    good = OsmBuilder()
    for i in range(300):
        good.line([(i * 0.001, 0), (i * 0.001, 0.001)], {"highway": "residential", "name": "x" * 40})
    path = good.write(tmp_path / "good.osm.pbf")
    data = path.read_bytes()
    cases = {
        "truncated.osm.pbf": data[: len(data) - 40],
        "garbage.osm.pbf": b"this is not a pbf file at all" * 10,
        "empty.osm.pbf": b"",
        "shapefile.osm.pbf": b"\x00\x00\x27\x0a" + b"\x00" * 96,
    }
    for name, content in cases.items():
        p = tmp_path / name
        p.write_bytes(content)
        with pytest.raises(VectorError) as info:
            extract_osm(p)
        assert info.value.source == str(p)
        assert info.value.exit_code == 2
        assert "expected" in info.value.message
    with pytest.raises(VectorError, match="not found"):
        extract_osm(tmp_path / "nope.osm.pbf")
    corrupt = bytearray(data)
    mid = len(corrupt) // 2
    corrupt[mid:mid + 64] = b"\xff" * 64
    (tmp_path / "corrupt.osm.pbf").write_bytes(bytes(corrupt))
    with pytest.raises(VectorError):
        extract_osm(tmp_path / "corrupt.osm.pbf")


def test_a_file_with_nothing_relevant_is_not_an_error(tmp_path):
    b = OsmBuilder()
    for i in range(5):
        b.node(i * 0.01, 0)
    b.line([(0, 0), (0.1, 0)], {"highway": "footway"})
    out = extract_osm(b.write(tmp_path / "nothing.osm.pbf"))
    assert isinstance(out, OsmLayers) and out.empty
    assert out.counts == {name: 0 for name in LAYERS}
    assert any("no roads" in w for w in out.warnings)
    for name, gdf in out.layers().items():
        assert list(gdf.columns) == list(LAYER_COLUMNS[name][1]) + ["geometry"]
        assert gdf.crs.to_epsg() == 4326


def test_clip_outside_the_file_says_so(tmp_path):
    b = OsmBuilder()
    b.line([(0, 0), (0.1, 0)], {"highway": "primary"})
    path = tmp_path / "bbox.osm.pbf"
    h = osmium.io.Header()
    h.add_box(osmium.osm.Box(osmium.osm.Location(0, 0), osmium.osm.Location(0.1, 0.1)))
    with osmium.SimpleWriter(str(path), header=h) as w:
        for i, x, y, t in b.nodes:
            w.add_node(Node(id=i, location=(x, y), tags=t))
        for i, ids, t in b.ways:
            w.add_way(Way(id=i, nodes=ids, tags=t))
    out = extract_osm(path, clip=shapely.box(10, 10, 11, 11))
    assert out.empty and any("do not overlap" in w for w in out.warnings)
    assert out.source["bbox"] == pytest.approx((0, 0, 0.1, 0.1))


def test_source_progress_and_xml_input(tmp_path):
    b = OsmBuilder()
    b.line([(0, 0), (0.1, 0)], {"highway": "primary"})
    pbf = b.write(tmp_path / "src.osm.pbf")
    stages = []
    out = extract_osm(pbf, progress=lambda s, d, t: stages.append(s))
    import hashlib

    assert out.source["sha256"] == hashlib.sha256(pbf.read_bytes()).hexdigest()
    assert out.source["size_bytes"] == pbf.stat().st_size and out.source["format"] == "pbf"
    assert stages[0] == "read" and stages[-1] == "done" and "build" in stages
    xml = b.write(tmp_path / "src.osm")
    assert extract_osm(xml).counts["roads"] == 1


# -- a user mapping ---------------------------------------------------------------------------------

def test_custom_mapping_yaml(tmp_path):
    (tmp_path / "m.yaml").write_text(
        "roads:\n"
        "  arterial: [motorway, trunk, primary]\n"
        "  collector: [secondary]\n"
        "  local: [tertiary, residential, path]\n"
        "landuse:\n"
        "  keys: [landuse]\n"
        "  rules:\n"
        "    - {match: {landuse: farmland}, landcover: irrigated_rice}\n"
        "    - {match: {landuse: cemetery}, landcover: settlement}\n",
        encoding="utf-8")
    b = OsmBuilder()
    tert = b.line([(0, 0), (0.1, 0)], {"highway": "tertiary"})
    path_ = b.line([(0, 1), (0.1, 1)], {"highway": "path"})
    service = b.line([(0, 2), (0.1, 2)], {"highway": "service"})
    farm = b.polygon(square(1, 1), {"landuse": "farmland"})
    cem = b.polygon(square(2, 2), {"landuse": "cemetery"})
    wood = b.polygon(square(3, 3), {"natural": "wood"})
    pbf = b.write(tmp_path / "custom.osm.pbf")
    out = extract_osm(pbf, mapping=tmp_path / "m.yaml")
    assert row(out.roads, tert)["class"] == "local" and row(out.roads, path_)["class"] == "local"
    assert service not in set(out.roads["osm_id"])
    assert row(out.landuse, farm)["landcover"] == "rice_field"
    assert row(out.landuse, cem)["landcover"] == "settlement"
    assert wood not in set(out.landuse["osm_id"])          # natural is no longer a land-use key
    assert out.source["mapping"] == str(tmp_path / "m.yaml")
    # sections not given keep the default (the railways, the water rules)
    assert load_osm_mapping(tmp_path / "m.yaml").railways == load_osm_mapping().railways


@pytest.mark.parametrize("text, field", [
    ("landuse:\n  rules:\n    - {match: {landuse: farmland}, landcover: rice_fields}\n", "landuse.rules[0].landcover"),
    ("roads:\n  arterial: [primary]\n  fast: [motorway]\n", "roads"),
    ("roads:\n  arterial: [primary]\n  local: [primary]\n", "roads.local"),
    ("water:\n  - {kind: lake}\n", "water[0]"),
    ("waterway_lines: [river]\n", "waterway_lines"),
    ("places: []\n", "places"),
    ("version: 2\n", "version"),
])
def test_bad_mapping_names_the_field(tmp_path, text, field):
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_osm_mapping(p)
    assert info.value.source == str(p) and info.value.field == field


def test_mapping_file_missing_or_not_yaml(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_osm_mapping(tmp_path / "none.yaml")
    p = tmp_path / "x.yaml"
    p.write_text("roads: [unclosed\n", encoding="utf-8")
    with pytest.raises(InputError, match="YAML"):
        load_osm_mapping(p)
    p.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(InputError, match="sections"):
        load_osm_mapping(p)


def test_reference_doc_tables_match_the_mapping():
    doc = (ROOT / "docs" / "reference" / "osm-mapping.md").read_text(encoding="utf-8")
    start, end = "<!-- mapping-tables:start -->", "<!-- mapping-tables:end -->"
    assert start in doc and end in doc, "docs/reference/osm-mapping.md lost its generated-table markers"
    block = doc.split(start, 1)[1].split(end, 1)[0].strip()
    assert block == mapping_tables_markdown().strip(), (
        "docs/reference/osm-mapping.md is out of date with osm_mapping.yaml; regenerate the block with "
        "python -c 'from kawasan.spatial.ingest.osm_mapping import mapping_tables_markdown as m; print(m())'")


def test_osm_messages_exist_in_both_languages(tmp_path):
    from kawasan.i18n import catalogue

    en, id_ = catalogue("en"), catalogue("id")
    b = OsmBuilder()
    b.polygon([(0, 0), (1, 1), (1, 0), (0, 1)], {"landuse": "farmland"})
    b.way([b.node(0, 1), 99999], {"highway": "primary"})
    out = extract_osm(b.write(tmp_path / "n.osm.pbf"))
    assert out.notes
    for key, params in out.notes:
        assert key in en and key in id_
        en[key].format(**params)
        id_[key].format(**params)
    assert {k for k in en if k.startswith("osm.")} == {k for k in id_ if k.startswith("osm.")}


def test_only_relations_a_layer_takes_are_assembled(tmp_path):
    b = OsmBuilder()
    admin_ring = b.polygon([(0, 0), (1, 0), (1, 1), (0, 1)], {})
    prot_ring = b.polygon([(2, 0), (3, 0), (3, 1), (2, 1)], {})
    admin = b.relation([("w", admin_ring, "outer")], {"type": "boundary", "boundary": "administrative", "admin_level": "5",
                                                      "name": "Kabupaten X"})
    prot = b.relation([("w", prot_ring, "outer")], {"type": "boundary", "boundary": "protected_area", "name": "Taman Nasional"})
    out = extract_osm(b.write(tmp_path / "rel.osm.pbf"))
    assert list(out.protected["osm_id"]) == [prot] and out.protected.iloc[0]["osm_type"] == "relation"
    relations = {i for g in out.layers().values() if "osm_type" in g.columns for i in g.loc[g["osm_type"] == "relation", "osm_id"]}
    assert relations == {prot} and admin not in relations


def test_degenerate_ways_and_a_bad_index_name(tmp_path):
    b = OsmBuilder()
    n1, n2 = b.node(0, 0), b.node(0, 0)
    b.way([n1, n2], {"highway": "primary"})               # two nodes at one spot: no line
    ok = b.line([(1, 1), (1.1, 1)], {"highway": "primary"})
    path = b.write(tmp_path / "deg.osm.pbf")
    out = extract_osm(path)
    assert list(out.roads["osm_id"]) == [ok]
    assert any("fewer than two distinct points" in w for w in out.warnings)
    with pytest.raises(InputError) as info:
        extract_osm(path, index="bogus")
    assert info.value.field == "index" and "flex_mem" in info.value.message
    assert extract_osm(path, index=f"sparse_file_array,{tmp_path / 'nodes.idx'}").counts["roads"] == 1


def test_layers_write_to_a_geopackage_even_when_empty(tmp_path):
    pyogrio = pytest.importorskip("pyogrio")
    from kawasan.spatial.ingest.osm import gpkg_options

    b = OsmBuilder()
    b.line([(0, 0), (0.1, 0)], {"highway": "primary", "name": "Jl. Raya"})
    b.polygon([(1, 1), (2, 2), (2, 1), (1, 2)], {"landuse": "farmland"})      # repaired into a MultiPolygon
    b.polygon(square(3, 3), {"landuse": "forest"})
    b.node(5, 5, {"place": "town", "name": "T", "population": "1000"})
    out = extract_osm(b.write(tmp_path / "g.osm.pbf"))
    gpkg = tmp_path / "osm.gpkg"
    for name, gdf in out.layers().items():
        gdf.to_file(gpkg, layer=name, engine="pyogrio", **gpkg_options(name))
    listed = dict(pyogrio.list_layers(gpkg))
    assert listed["roads"] == "LineString" and listed["landuse"] == "MultiPolygon" and listed["railways"] == "LineString"
    assert listed["places"] == "Point" and listed["sea"] == "MultiPolygon"
    back = pyogrio.read_dataframe(gpkg, layer="places")
    assert int(back["population"].iloc[0]) == 1000 and back["name"].iloc[0] == "T"
    assert len(pyogrio.read_dataframe(gpkg, layer="landuse")) == 2


def test_coastlines_of_opposite_direction_are_reported(tmp_path):
    b = OsmBuilder()
    b.line([(1.5, 0.3), (-0.5, 0.3)], {"natural": "coastline"})   # westward: sea to the north
    b.line([(1.5, 0.7), (-0.5, 0.7)], {"natural": "coastline"})   # westward too: its land (south) is the strip
    out = extract_osm(b.write(tmp_path / "two.osm.pbf"), clip=shapely.box(0, 0, 1, 1))
    sea = out.sea.geometry.iloc[0]
    assert sea.contains(shapely.Point(0.5, 0.9)) and not sea.contains(shapely.Point(0.5, 0.1))
    assert not sea.contains(shapely.Point(0.5, 0.5))          # the strip between them is not called sea
    assert any(key == "osm.warn.sea_ambiguous" for key, _ in out.notes)
