"""The rules of issue 10 on small hand-built study areas, each checked against an independent computation.

Setbacks: the expected excluded cells come from shapely (which cells a line touches, which cell centres a
polygon holds) and a brute-force distance between cell centres, with urban/rural taken from the land cover;
a second check against the plain geometric distance to the line bounds the cell-size error. Forest status,
LP2B, risk: the legal layer when given, the proxy (labelled so) when not. Toll roads: reachable at their
gates only. Road status: the source of each selected road's status is reported. Switches, the pre-RTRW
notice, the area options, old workspaces.
"""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from conftest import CRS, H, LEFT, RES, TOP, W, write_raster
from kawasan.cli.main import cli
from kawasan.errors import InputError, ModelError, VectorError
from kawasan.spatial.api import evaluate_model, run_suitability
from kawasan.spatial.model import model_from_dict
from kawasan.sampledata.lawlayers import KAWASAN_HUTAN
from kawasan.spatial.ingest.osm_layers import LANDCOVER_CODES
from kawasan.spatial.presets import load_preset

LC = {v: k for k, v in LANDCOVER_CODES.items()}          # the whole standard table, as data prepare writes it
URBAN_COLS = slice(0, 20)          # land cover settlement in columns 0-19: urban


def x(col: float) -> float:
    return LEFT + col * RES


def y(row: float) -> float:
    return TOP - row * RES


def _vector(root, name, records, geoms):
    gpd.GeoDataFrame(records, geometry=geoms, crs=CRS).to_file(root / f"{name}.gpkg", layer=name)


def law_area(root, *, with_legal=True):
    """60 x 40 cells of 30 m. Rivers run west-east across the urban west and the rural east."""
    root.mkdir(parents=True, exist_ok=True)
    yy, xx = np.mgrid[0:H, 0:W]
    write_raster(root / "dem.tif", (10 + 0.01 * xx).astype(np.float32), nodata=-9999.0)
    lc = np.full((H, W), 7, np.uint8)
    lc[:, URBAN_COLS] = 8
    lc[30:34, 25:35] = 4                   # rice fields
    lc[0:6, 40:60] = 3                     # forest land cover
    write_raster(root / "landcover.tif", lc, nodata=0)
    layers = {"landcover": {"path": "landcover.tif", "kind": "raster", "type": "categorical",
                            "categories": {str(k): v for k, v in LC.items()}}}
    if with_legal:
        kh = np.full((H, W), 6, np.uint8)
        kh[0:3, 40:60] = 4                 # production forest in law, over half the forest land cover
        kh[36:40, 50:60] = 2               # protection forest with no trees (the proxy misses it)
        write_raster(root / "kawasan_hutan.tif", kh, nodata=0)
        lp2b = np.zeros((H, W), np.uint8)
        lp2b[30:34, 25:30] = 1             # half the rice fields are LP2B
        write_raster(root / "lp2b.tif", lp2b, nodata=255)
        risk = np.zeros((H, W), np.uint8)
        risk[10:12, :] = 3
        write_raster(root / "risk_flood.tif", risk, nodata=255)
        layers["kawasan_hutan"] = {"path": "kawasan_hutan.tif", "kind": "raster", "type": "categorical",
                                   "categories": {str(k): v for k, v in KAWASAN_HUTAN.items()}}
        layers["lp2b"] = {"path": "lp2b.tif", "kind": "raster", "type": "categorical",
                          "categories": {"0": "outside", "1": "lp2b"}}
        layers["risk_flood"] = {"path": "risk_flood.tif", "kind": "raster", "type": "categorical",
                                "categories": {"0": "none", "1": "low", "2": "medium", "3": "high"}}
    hz = np.zeros((H, W), np.uint8)
    hz[10:14, :] = 3                       # the hazard is wider than the risk
    write_raster(root / "hazard_flood.tif", hz, nodata=255)
    layers["hazard_flood"] = {"path": "hazard_flood.tif", "kind": "raster", "type": "categorical",
                              "categories": {"0": "none", "1": "low", "2": "medium", "3": "high"}}
    # rivers: a large one by catchment, a small one by catchment, an OSM 'river' (proxy: large), a drain
    _vector(root, "rivers", {"catchment_km2": [812.0, 120.0, None, None], "kind": ["river", "river", "river", "drain"],
                             "name": ["Kali Besar", "Kali Kecil", "Kali OSM", "Selokan"]},
            [LineString([(x(0), y(17.37)), (x(60), y(17.63))]), LineString([(x(0), y(25.41)), (x(60), y(25.41))]),
             LineString([(x(32.3), y(0)), (x(32.7), y(40))]), LineString([(x(45.45), y(0)), (x(45.45), y(40))])])
    _vector(root, "lakes", {"kind": ["lake"]},
            [Polygon([(x(5.2), y(30.1)), (x(9.8), y(30.3)), (x(9.6), y(34.8)), (x(5.1), y(34.6))])])
    _vector(root, "coastline", {"name": ["pantai"]}, [LineString([(x(0), y(0.41)), (x(60), y(0.63))])])
    _vector(root, "power_lines", {"voltage_kv": [500.0, 20.0], "name": ["SUTET", "distribusi"]},
            [LineString([(x(52.3), y(0)), (x(54.1), y(40))]), LineString([(x(0), y(37.3)), (x(60), y(37.3))])])
    _vector(root, "railways", {"railway": ["rail"]}, [LineString([(x(0), y(6.45)), (x(60), y(6.55))])])
    # roads: a national arterial in the west, a toll road across the south-east with one gate, a regency road
    _vector(root, "roads", {"class": ["arterial", "arterial", "local"], "status": ["national", "national", "regency"],
                            "status_source": ["ref", "OSM highway class (proxy)", "OSM highway class (proxy)"],
                            "entry": ["any", "gates", "any"]},
            [LineString([(x(3.3), y(0)), (x(3.3), y(40))]), LineString([(x(20), y(38.4)), (x(60), y(38.4))]),
             LineString([(x(0), y(20.2)), (x(60), y(20.2))])])
    _vector(root, "toll_gates", {"name": ["gerbang"]}, [Point(x(55.5), y(38.4))])
    _vector(root, "settlements", {"kind": ["town"], "name": ["Kota"]}, [box(x(0), y(40), x(20), y(0))])
    _vector(root, "ports", {"name": ["Pelabuhan"]}, [Point(x(10.5), y(1.5))])
    manifest = {"kind": "kawasan.study_area", "format_version": 1, "name": "Law test area (synthetic)",
                "synthetic": True, "grid": {"crs": CRS, "transform": [RES, 0, LEFT, 0, -RES, TOP], "width": W,
                                            "height": H}, "layers": layers}
    (root / "manifest.json").write_text(json.dumps(manifest))
    return root


# -- an independent oracle for distances ---------------------------------------------------------
CX, CY = np.meshgrid(LEFT + (np.arange(W) + 0.5) * RES, TOP - (np.arange(H) + 0.5) * RES)
CELLS = shapely.box(CX - RES / 2, CY - RES / 2, CX + RES / 2, CY + RES / 2)


def touched(geoms) -> np.ndarray:
    """Cells a line touches (what burning with all_touched does), or whose centre a polygon holds."""
    out = np.zeros((H, W), bool)
    for g in geoms:
        if g.geom_type in ("Polygon", "MultiPolygon"):
            out |= shapely.contains_xy(g, CX, CY)
        else:
            out |= shapely.intersects(CELLS, g)
    return out


def cell_distance(mask: np.ndarray) -> np.ndarray:
    """Distance from every cell centre to the nearest centre of a cell in ``mask``, by brute force."""
    fx, fy = CX[mask], CY[mask]
    d = np.hypot(CX[..., None] - fx, CY[..., None] - fy)
    return d.min(axis=-1)


def geometric_distance(geoms) -> np.ndarray:
    return np.min([shapely.distance(shapely.points(CX, CY), g) for g in geoms], axis=0)


def model(constraints, layers=None, **over):
    m = {
        "name": "law-test",
        "layers": {"landcover": {"path": "landcover.tif", "type": "categorical"},
                   "rivers": {"path": "rivers.gpkg"}, "lakes": {"path": "lakes.gpkg", "optional": True},
                   "coastline": {"path": "coastline.gpkg", "optional": True},
                   "power_lines": {"path": "power_lines.gpkg", "optional": True},
                   "railways": {"path": "railways.gpkg", "optional": True},
                   "roads": {"path": "roads.gpkg"}, "toll_gates": {"path": "toll_gates.gpkg", "optional": True},
                   "kawasan_hutan": {"path": "kawasan_hutan.tif", "type": "categorical", "optional": True},
                   "lp2b": {"path": "lp2b.tif", "type": "categorical", "optional": True},
                   "risk_flood": {"path": "risk_flood.tif", "type": "categorical", "optional": True},
                   "hazard_flood": {"path": "hazard_flood.tif", "type": "categorical", "optional": True},
                   "zoning": {"path": "zoning.tif", "type": "categorical", "optional": True},
                   "settlements": {"path": "settlements.gpkg"}, **(layers or {})},
        "criteria": [{"id": "land", "layer": "landcover", "transform": {"type": "categories", "unlisted": 0.5,
                                                                          "values": {"shrub": 1.0}}}],
        "constraints": constraints,
        "weights": {"method": "direct", "values": {"land": 1}},
    }
    m.update(over)
    return model_from_dict(m)


def preset_rule(rule_id: str, preset: str = "kawasan-industri") -> dict:
    return next(c for c in load_preset(preset).to_dict()["constraints"] if c["id"] == rule_id)


def bit_of(ev, cid):
    o = next(o for o in ev.constraints if o.id == cid)
    return (ev.reason & ev.reason.dtype.type(o.bit)) != 0, o


# -- setbacks ------------------------------------------------------------------------------------
def test_river_setback_by_class_and_urban_rural_matches_an_independent_computation(tmp_path):
    area = law_area(tmp_path / "a")
    ev = evaluate_model(model([preset_rule("river_setback")]), area)
    got, outcome = bit_of(ev, "river_setback")
    rivers = gpd.read_file(area / "rivers.gpkg")
    urban = np.zeros((H, W), bool)
    urban[:, URBAN_COLS] = True
    # PP 38/2011: large 100 m rural / 15 m urban, small 50 / 10; the OSM river is a proxy for large; no drain
    expected = np.zeros((H, W), bool)
    for names, rural, urb in ((["Kali Besar", "Kali OSM"], 100.0, 15.0), (["Kali Kecil"], 50.0, 10.0)):
        geoms = list(rivers[rivers["name"].isin(names)].geometry)
        thr = np.where(urban, urb, rural)
        of_class = cell_distance(touched(geoms)) <= thr
        expected |= of_class
        # the geometry itself: well inside the setback is excluded, well outside is not (beyond the cells the
        # line crosses, which are excluded whatever the distance of their centre)
        g = geometric_distance(geoms)
        band = RES * np.sqrt(2) / 2 + 1e-6
        assert np.all(got[g <= thr - band]) and not np.any((of_class & ~touched(geoms))[g > thr + band])
    assert np.array_equal(got, expected)
    # the drain got no setback, and the report says how every river was classed
    classes = {c["class"]: c for c in outcome.setback.classes}
    assert classes["large"]["by_basis"][0]["basis"] == "catchment (DAS) over 500 km²"
    assert {b["proxy"] for b in classes["large"]["by_basis"]} == {False, True}
    rows = {r["name"]: r for r in outcome.setback.features}
    assert rows["Selokan"]["class"] == "none" and rows["Kali OSM"]["proxy"] is True
    assert rows["Kali Besar"]["decided_by"] == "catchment_km2=812.0"
    assert outcome.setback.no_setback == 1 and outcome.setback.unclassified == 0


def test_setback_without_urban_layer_uses_the_rural_distance_and_says_so(tmp_path):
    area = law_area(tmp_path / "a")
    rule = preset_rule("river_setback")
    rule["setback"]["urban"]["layer"] = "zoning"        # declared but absent
    ev = evaluate_model(model([rule]), area)
    got, outcome = bit_of(ev, "river_setback")
    d = cell_distance(touched(list(gpd.read_file(area / "rivers.gpkg").query("name == 'Kali Kecil'").geometry)))
    assert np.all(got[d <= 50.0])                      # 50 m rural everywhere, the town included
    assert outcome.setback.urban["used"] is False
    assert any("urban layer 'zoning' not provided" in w for w in ev.warnings)


@pytest.mark.parametrize("rule_id, layer, metres", [("lake_setback", "lakes", 50.0), ("coast_setback", "coastline", 100.0),
                                                    ("railway_row", "railways", 6.0)])
def test_lake_coast_and_railway_setbacks(tmp_path, rule_id, layer, metres):
    area = law_area(tmp_path / "a")
    ev = evaluate_model(model([preset_rule(rule_id)]), area)
    got, _ = bit_of(ev, rule_id)
    expected = cell_distance(touched(list(gpd.read_file(area / f"{layer}.gpkg").geometry))) <= metres
    assert np.array_equal(got, expected)


def test_power_line_corridor_by_voltage(tmp_path):
    area = law_area(tmp_path / "a")
    ev = evaluate_model(model([preset_rule("power_line_corridor")]), area)
    got, outcome = bit_of(ev, "power_line_corridor")
    lines = gpd.read_file(area / "power_lines.gpkg")
    expected = cell_distance(touched([lines.geometry[0]])) <= 22.0      # SUTET 500 kV; the 20 kV line: none
    assert np.array_equal(got, expected)
    assert [c["class"] for c in outcome.setback.classes] == ["sutet_500"]


# -- legal status: the agency layer, else a labelled proxy ---------------------------------------
def _rows_cols(r0, r1, c0, c1):
    m = np.zeros((H, W), bool)
    m[r0:r1, c0:c1] = True
    return m


@pytest.mark.parametrize("rule_id, legal, proxy_cells", [
    ("not_state_forest", lambda: _rows_cols(0, 3, 40, 60) | _rows_cols(36, 40, 50, 60), _rows_cols(0, 6, 40, 60)),
    ("not_lp2b", lambda: _rows_cols(30, 34, 25, 30), _rows_cols(30, 34, 25, 35)),
    ("not_high_flood", lambda: _rows_cols(10, 12, 0, 60), _rows_cols(10, 14, 0, 60)),
])
def test_the_legal_layer_is_read_when_given_and_the_proxy_is_labelled_when_not(tmp_path, rule_id, legal, proxy_cells):
    rule = preset_rule(rule_id)
    ev = evaluate_model(model([rule]), law_area(tmp_path / "legal"))
    got, outcome = bit_of(ev, rule_id)
    assert np.array_equal(got, legal()) and outcome.read["role"] == "source"
    ev = evaluate_model(model([rule]), law_area(tmp_path / "osm", with_legal=False))
    got, outcome = bit_of(ev, rule_id)
    assert np.array_equal(got, proxy_cells)
    assert outcome.read["role"] == "proxy" and outcome.read["layer"] != rule["layer"] and outcome.read["note"]
    assert outcome.read["passed_over"] == [f"{rule['layer']}: not provided"]


def test_a_study_area_using_the_old_rice_name_is_read_with_a_warning(tmp_path):
    area = law_area(tmp_path / "a", with_legal=False)
    man = json.loads((area / "manifest.json").read_text())
    man["layers"]["landcover"]["categories"]["4"] = "irrigated_rice"      # made by an earlier kawasan
    (area / "manifest.json").write_text(json.dumps(man))
    ev = evaluate_model(model([preset_rule("not_lp2b")]), area)
    got, _ = bit_of(ev, "not_lp2b")
    assert np.array_equal(got, _rows_cols(30, 34, 25, 35))
    assert any("'irrigated_rice' is now called 'rice_field'" in w for w in ev.warnings)


# -- roads: toll roads at their gates, status and its source -------------------------------------
def test_a_toll_road_counts_only_at_its_gates_and_status_sources_are_reported(tmp_path):
    area = law_area(tmp_path / "a")
    rule = dict(preset_rule("on_national_arterial", "apht"), distance=300.0)
    ev = evaluate_model(model([rule]), area)
    got, outcome = bit_of(ev, "on_national_arterial")
    roads = gpd.read_file(area / "roads.gpkg")
    open_road = touched([roads.geometry[0]])
    gate = touched([Point(x(55.5), y(38.4))])
    d = cell_distance(open_road | gate)
    assert np.array_equal(got, d > 300.0)
    # on the toll road but far from its gate: out of reach; at the gate: within reach
    assert got[38, 30] and not got[38, 55]
    assert outcome.read["also"] == ["toll_gates"]
    assert outcome.read["basis"] == {"status": {"ref": 1}}


def test_an_earlier_workspace_without_entry_or_status_falls_back_and_says_so(tmp_path):
    area = law_area(tmp_path / "a")
    roads = gpd.read_file(area / "roads.gpkg").drop(columns=["entry", "status", "status_source"])
    (area / "roads.gpkg").unlink()
    roads.to_file(area / "roads.gpkg", layer="roads")
    ev = evaluate_model(model([preset_rule("on_national_arterial", "apht")]), area)
    _, outcome = bit_of(ev, "on_national_arterial")
    assert outcome.read["role"] == "proxy" and outcome.read["where"] == {"class": ["arterial"]}
    assert "no road status" in outcome.read["note"]
    # a rule with no fallback names the missing attribute and says what to re-run
    rule = preset_rule("on_national_arterial", "apht")
    rule["fallback"] = []
    with pytest.raises(VectorError, match="re-run kawasan data prepare"):
        evaluate_model(model([rule]), area)


# -- switches, the pre-RTRW notice, site-area options ---------------------------------------------
def test_rules_are_switched_for_one_run_and_the_run_records_it(tmp_path, runner):
    area = law_area(tmp_path / "a")
    rules = [preset_rule("nuisance_buffer", "apht"), preset_rule("coast_setback")]
    m = model(rules)
    ev = evaluate_model(m, area)
    assert bit_of(ev, "nuisance_buffer")[1].status == "off"
    ev = evaluate_model(m, area, rules={"nuisance_buffer": True, "coast_setback": False})
    assert bit_of(ev, "nuisance_buffer")[1].status == "applied" and bit_of(ev, "coast_setback")[1].status == "off"
    with pytest.raises(ModelError, match="no constraint called 'nuisance'"):
        evaluate_model(m, area, rules={"nuisance": True})
    out = tmp_path / "run"
    r = runner.invoke(cli, ["suitability", "run", "apht", "--data", str(area), "--out", str(out), "--rule",
                            "nuisance_buffer=on", "--rule", "railway_row=off", "--json"])
    assert r.exit_code == 0, r.output
    man = json.loads(r.output)
    assert man["rule_switches"] == {"nuisance_buffer": "on", "railway_row": "off"}
    for bad, words in (("nuisance_buffer", "ID=on or ID=off"), ("nuisance_buffer=maybe", "on or off"),
                       ("nope=on", "no constraint called 'nope'")):
        r = runner.invoke(cli, ["suitability", "run", "apht", "--data", str(area), "--out", str(tmp_path / "r2"),
                                "--rule", bad])
        assert r.exit_code == 2 and words in r.output, (bad, r.output)


def test_without_zoning_the_run_and_every_site_are_screening_before_the_rtrw_check(tmp_path, runner):
    area = law_area(tmp_path / "a")
    out = tmp_path / "run"
    r = runner.invoke(cli, ["suitability", "run", "kawasan-industri", "--data", str(area), "--out", str(out),
                            "--rule", "settlement_buffer_2km=off"])   # the 2 km would exclude this small area
    assert r.exit_code == 0, r.output
    assert "SCREENING BEFORE THE SPATIAL-PLAN CHECK (pre-RTRW)" in r.output
    man = json.loads((out / "manifest.json").read_text())
    assert man["screening"][0]["rule"] == "inside_kpi" and man["screening"][0]["cause"] == "layer_missing"
    r = runner.invoke(cli, ["sites", "extract", str(out), "--area-rule", "sentra_ikm", "--json"])
    assert r.exit_code == 0, r.output
    sites = json.loads(r.output)
    assert sites and all(s["screening"][0]["rule"] == "inside_kpi" for s in sites)
    doc = json.loads((out / "sites" / "sites.json").read_text())
    assert doc["area_rule"] == "sentra_ikm" and doc["rules"]["min_area_ha"] == 0.5
    assert "Article 95" in doc["legal_basis"]["legal_basis"]
    r = runner.invoke(cli, ["sites", "extract", str(out), "--area-rule", "tiny"])
    assert r.exit_code == 2 and "thematic, kpi_shortage, national_policy, sentra_ikm" in r.output
    r = runner.invoke(cli, ["report", str(out), "--lang", "id"])
    assert r.exit_code == 0, r.output
    html = (out / "report-id.html").read_text()
    assert "PENYARINGAN SEBELUM PEMERIKSAAN KESESUAIAN TATA RUANG" in html and "Luas kotor" in html


# -- the schema ----------------------------------------------------------------------------------
@pytest.mark.parametrize("change, words", [
    (lambda c: c["setback"]["classify"][0].update({"class": "huge"}), "'huge'"),
    (lambda c: c["setback"].update(default="tiny"), "default class 'tiny'"),
    (lambda c: c["setback"]["distances"].update(large=-5), "positive"),
    (lambda c: c.update(distance=10), "setback.distances"),
    (lambda c: c["setback"]["urban"].update(layer="nowhere"), "layer 'nowhere'"),
    (lambda c: c.update(also=[{"layer": "roads"}]), "also"),
    (lambda c: c["setback"]["classify"][0].update(values=["a"]), "not both"),
])
def test_setback_schema_errors_name_the_problem(change, words):
    rule = preset_rule("river_setback")
    change(rule)
    with pytest.raises(ModelError, match=words):
        model([rule])


def test_a_workspace_made_by_the_previous_version_still_runs_and_says_what_to_rerun(tmp_path, runner):
    """The previous demo's study area: no legal-status layers, no toll gates or town centres, roads without
    entry/status_source, rivers with only their order, and rice fields still called irrigated_rice."""
    from kawasan.sampledata.contoh import build_study_area

    area = tmp_path / "old"
    build_study_area(area, width=300, height=200, res=200.0)
    for name in ("risk_flood.tif", "risk_landslide.tif", "volcano_krb.tif", "kawasan_hutan.tif", "lp2b.tif",
                 "lsd.tif", "toll_gates.gpkg", "lakes.gpkg", "coastline.gpkg", "power_lines.gpkg",
                 "town_centres.gpkg"):
        (area / name).unlink()
    for name, keep in (("roads", ["class", "status"]), ("rivers", ["order"])):
        gdf = gpd.read_file(area / f"{name}.gpkg")
        (area / f"{name}.gpkg").unlink()
        gdf[keep + ["geometry"]].to_file(area / f"{name}.gpkg", layer=name)
    man = json.loads((area / "manifest.json").read_text())
    man["layers"] = {k: v for k, v in man["layers"].items() if (area / v["path"]).exists()}
    man["layers"]["landcover"]["categories"]["4"] = "irrigated_rice"
    (area / "manifest.json").write_text(json.dumps(man))
    for preset in ("kawasan-industri", "apht"):
        r = runner.invoke(cli, ["suitability", "run", preset, "--data", str(area), "--out", str(tmp_path / preset),
                                "--json"])
        assert r.exit_code == 0, r.output
        run = json.loads(r.output)
        proxied = {p["id"] for p in run["proxies"]}
        assert {"not_state_forest", "not_lp2b", "not_high_flood", "river_setback"} <= proxied
        assert any("'irrigated_rice' is now called 'rice_field'" in w and "re-run" in w for w in run["warnings"])
        road_rule = "main_road" if preset == "kawasan-industri" else "arterial_road"
        assert "re-run kawasan data prepare" in next(p for p in run["proxies"] if p["id"] == road_rule)["note"]
