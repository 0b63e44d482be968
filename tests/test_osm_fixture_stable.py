"""The SYNTHETIC OSM fixture is pinned: the same arguments give the same file, byte for byte, release after release.

WHY: the demo, the docs' example commands, the ingest tests and the OSM benchmark all read files made by
``write_synthetic_pbf``; their expected counts and timings hold for these exact files. The generator draws
everything from one random stream, in the order its steps run, so reordering two steps or adding one draw
silently changes every fixture. When such a change is DELIBERATE, regenerate the pins below (run this file;
the failure message prints the new values) and say in the commit why the fixture changed. When it is not
deliberate (a refactor), the change is a bug: the refactor must keep the draws in their order.

Three small cases cover the three ways the sea is drawn: a generated coast, a given coastline, no sea.
Two pins per case:
- ``content``: sha256 of a canonical listing of every node (id, lon/lat in 1e-7 degrees, tags), way (id,
  node ids, tags) and relation (id, members, tags), read back with osmium. It does not depend on how the
  PBF is encoded, so it must hold on any pyosmium.
- ``file``: sha256 of the file's bytes. The PBF encoding (block layout, zlib) belongs to libosmium, so it is
  checked only with the pyosmium release in constraints.txt; after upgrading pyosmium, re-pin it once the
  ``content`` pins still hold.
"""
from __future__ import annotations

import hashlib
import math

import pytest
import shapely

osmium = pytest.importorskip("osmium")

from kawasan.sampledata.osm_fixture import write_synthetic_pbf  # noqa: E402

PINNED_PYOSMIUM = "4.3.2"      # as in constraints.txt; the ``file`` pins were made with it


def _km_box(lon0, lat0, km_x, km_y):
    dlat = km_x * 1000 / 110_574
    dlon = km_y * 1000 / (111_320 * math.cos(math.radians(lat0)))
    return shapely.box(lon0, lat0, lon0 + dlon, lat0 + dlat)


# an irregular regency-like boundary (about 15 x 12 km, as in test_osm_fixture.py) and a coast drawn westward
# across it: land (south) on its left, sea to the north
_BOUNDARY = shapely.Polygon([(113.10, -7.90), (113.24, -7.93), (113.25, -7.80), (113.18, -7.79), (113.12, -7.84)])
_COAST = shapely.LineString([(113.30, -7.84), (113.17, -7.825), (113.05, -7.83)])

CASES = {
    "generated_coast": (shapely.box(113.10, -7.82, 113.18, -7.765), dict(seed=2, sea_side="north", target_ways=800)),
    "given_coastline": (_BOUNDARY, dict(seed=2, coastline=_COAST, target_ways=800)),
    "inland": (_km_box(120.0, -10.0, 5, 8), dict(seed=3, target_ways=1200)),
}

PINS = {
    "generated_coast": {
        "content": "dfff7849b0f0500f36a98907b91803eda9a50040595ffff0496eaba18247e73c",
        "file": "8a0c09b4ae61f4784286f46ae9e2a19b4e97bc9cbac9f403a1a9e48b12fafe4f",
    },
    "given_coastline": {
        "content": "85a716fb89e02c36b0333b8a02b48ad48239cd54c2be531b55c724e1224bed71",
        "file": "2f9f73d5f03203e511dea00b0292f5a4e5dd4e47b21ef156db87691e7dbfe5ff",
    },
    "inland": {
        "content": "7602605e384fc6c9b5300aaf2dd2b85ee27e914b612d5f56501290dc8949a0c7",
        "file": "2d34a25b6c00ad7c934265c5cd721ff72bb912f5f5874449dcc74b9b14c27c72",
    },
}


def _tags(obj) -> str:
    return ",".join(f"{t.k}={t.v}" for t in obj.tags)


def content_digest(path) -> str:
    """sha256 of a canonical text listing of the file's objects (independent of the PBF encoding)."""
    h = hashlib.sha256()
    for obj in osmium.FileProcessor(str(path)):
        if obj.is_node():
            line = f"n{obj.id} {obj.location.x} {obj.location.y} {_tags(obj)}"
        elif obj.is_way():
            line = f"w{obj.id} {' '.join(str(n.ref) for n in obj.nodes)} {_tags(obj)}"
        else:
            members = " ".join(f"{m.type}{m.ref}:{m.role}" for m in obj.members)
            line = f"r{obj.id} {members} {_tags(obj)}"
        h.update(line.encode() + b"\n")
    return h.hexdigest()


def file_digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    root = tmp_path_factory.mktemp("osm-stable")
    out = {}
    for name, (boundary, kw) in CASES.items():
        path = root / f"{name}.osm.pbf"
        write_synthetic_pbf(path, boundary, **kw)
        out[name] = path
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_content_is_pinned(written, name):
    got = content_digest(written[name])
    assert got == PINS[name]["content"], (
        f"the SYNTHETIC OSM fixture {name!r} changed (content sha256 {got}). If deliberate, re-pin it in "
        f"{__file__} and say why in the commit; a refactor must not change it (keep the random draws in order).")


@pytest.mark.parametrize("name", sorted(CASES))
def test_file_bytes_are_pinned(written, name):
    from osmium.version import pyosmium_release

    if pyosmium_release != PINNED_PYOSMIUM:
        pytest.skip(f"file pins made with pyosmium {PINNED_PYOSMIUM}, this is {pyosmium_release}: the PBF "
                    "encoding may differ (the content pins still apply)")
    got = file_digest(written[name])
    assert got == PINS[name]["file"], (
        f"the bytes of the SYNTHETIC OSM fixture {name!r} changed (sha256 {got}) with the same pyosmium. If "
        f"deliberate, re-pin it in {__file__} and say why in the commit.")


def test_the_pins_see_a_change(written, tmp_path):
    """Another seed gives another content digest: the pins above can fail."""
    boundary, kw = CASES["inland"]
    other = tmp_path / "other.osm.pbf"
    write_synthetic_pbf(other, boundary, **{**kw, "seed": kw["seed"] + 1})
    assert content_digest(other) != content_digest(written["inland"])
    assert file_digest(other) != file_digest(written["inland"])
