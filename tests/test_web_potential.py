"""The Regional potential pages on the East Java example table set (../shared/data; skipped without it),
and the table-set rules on small folders."""
from __future__ import annotations

import dataclasses

import pytest

from web_fixtures import World


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from conftest import SHARED

    if not (SHARED / "data" / "economy").is_dir():
        pytest.skip("../shared/data is not present (a fresh clone has no shared folder); these pages read the East "
                    "Java tables from it")
    w = World("sqlite", tmp_path_factory.mktemp("web-potential"))
    w.app.state.web = dataclasses.replace(w.app.state.web, economics_dir=SHARED / "data")
    yield w
    w.close()


def test_the_page_ranks_the_regencies_with_their_stress_test(world):
    r = world.clients["viewer"].get("/potential?stress=200")
    assert r.status_code == 200
    html = r.text
    assert 'id="potential-map"' in html and "/api/v1/potential/map.geojson?" in html
    first = html.index('<tr data-code="')
    assert "Kabupaten Sidoarjo" in html[first:first + 400]  # the guide's result: Sidoarjo leads the regencies
    assert "P(5" in html and 'name="w_ipm"' in html


def test_the_map_has_every_region_with_its_score_and_colour(world):
    gj = world.clients["viewer"].get("/api/v1/potential/map.geojson?stress=0").json()
    props = {f["properties"]["code"]: f["properties"] for f in gj["features"]}
    assert len(props) == 38 and props["3515"]["rank"] == 1 and props["3515"]["colour"] == gj["legend"][-1]["colour"]
    assert props["3578"]["rank"] is None and props["3578"]["colour"] == gj["no_data"]  # Surabaya: a city, unranked
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in gj["features"])


def test_weights_change_the_ranking(world):
    c = world.clients["viewer"]
    base = c.get("/api/v1/potential?stress=0").json()
    ports = c.get("/api/v1/potential?stress=0&w_port_distance=1").json()
    assert ports["weights"]["method"] == "direct"
    assert [r["code"] for r in base["records"]] != [r["code"] for r in ports["records"]]
    scored = {x["id"]: x["weight"] for x in ports["components"]}
    assert scored["port_distance"] == 1.0 and scored["gdp"] == 0.0


@pytest.mark.parametrize("query, field", [("w_gdp=abc", "w_gdp"), ("w_gdp=-1", "w_gdp"), ("kind=moon", "kind"),
                                          ("stress=99999", "stress"), ("year=x", "year"), ("w_gdp=0", "weights")])
def test_bad_options_are_a_422_naming_the_parameter(world, query, field):
    r = world.clients["viewer"].get(f"/api/v1/potential?{query}")
    assert r.status_code == 422 and r.json()["error"]["field"] == field
    page = world.clients["viewer"].get(f"/potential?{query}")
    assert page.status_code == 422 and 'id="potential-error"' in page.text


def test_a_region_page_has_its_lq_chart_and_tables(world):
    r = world.clients["viewer"].get("/potential/regions/3513?stress=100")  # Kabupaten Probolinggo
    assert r.status_code == 200
    assert 'id="lq-chart"><svg' in r.text and "id=\"single-year\"" in r.text  # one year: LQ only, said why
    other = world.clients["viewer"].get("/potential/regions/3509")
    assert other.status_code == 200 and 'id="no-sector"' in other.text
    assert world.clients["viewer"].get("/potential/regions/9999").status_code == 404


def test_the_economics_report_downloads(world):
    r = world.clients["viewer"].get("/potential/report.html?stress=100&region=Kabupaten%20Probolinggo")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert r.text.startswith("<!doctype html>") or r.text.lower().startswith("<!doctype html>")


def test_without_a_table_set_the_page_says_how_to_configure_one(tmp_path):
    w = World("sqlite", tmp_path)
    try:
        w.app.state.web = dataclasses.replace(w.app.state.web, economics_dir=None)
        assert 'id="no-tableset"' in w.clients["viewer"].get("/potential").text
        r = w.clients["viewer"].get("/api/v1/potential")
        assert r.status_code == 404 and r.json()["error"]["field"] == "economics_dir"
    finally:
        w.close()


def test_a_table_set_file_names_its_files_and_missing_ones_are_refused(tmp_path):
    from kawasan.economics.tableset import TableSet
    from kawasan.errors import InputError

    with pytest.raises(InputError, match="does not exist"):
        TableSet.from_dir(tmp_path / "nowhere")
    (tmp_path / "tableset.yaml").write_text("boundaries: b.geojson\npdrb: p.csv\ncolour: red\n")
    with pytest.raises(InputError, match="unknown key"):
        TableSet.from_dir(tmp_path)
    (tmp_path / "tableset.yaml").write_text("boundaries: b.geojson\npdrb: p.csv\n")
    with pytest.raises(InputError) as e:
        TableSet.from_dir(tmp_path)
    assert e.value.field == "boundaries"
    (tmp_path / "b.geojson").write_text("{}")
    (tmp_path / "p.csv").write_text("x")
    ts = TableSet.from_dir(tmp_path)
    assert set(ts.files) == {"boundaries", "pdrb"} and ts.reference == "Jawa Timur"


AHP_OK = ",ipm,gdp_growth,port_distance\nipm,1,2,3\ngdp_growth,1/2,1,2\nport_distance,1/3,1/2,1\n"
AHP_BAD = ",ipm,gdp_growth,port_distance\nipm,1,9,1/9\ngdp_growth,1/9,1,9\nport_distance,9,1/9,1\n"


def test_ahp_weights_with_their_cr_and_an_inconsistent_matrix_refused_unless_deliberate(world):
    from urllib.parse import quote

    c = world.clients["viewer"]
    r = c.get(f"/api/v1/potential?stress=0&ahp={quote(AHP_OK)}")
    assert r.status_code == 200, r.text
    w = r.json()["weights"]
    assert w["method"] == "ahp" and w["ahp"]["cr"] < 0.1 and w["given"]["ipm"] > w["given"]["port_distance"]
    bad = c.get(f"/api/v1/potential?stress=0&ahp={quote(AHP_BAD)}")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "ahp" and "CR" in bad.json()["error"]["message"]
    page = c.get(f"/potential?stress=0&ahp={quote(AHP_BAD)}")
    assert page.status_code == 422 and 'id="ahp-error"' in page.text
    ok = c.get(f"/api/v1/potential?stress=0&allow_inconsistent=1&ahp={quote(AHP_BAD)}")
    assert ok.status_code == 200 and ok.json()["weights"]["ahp"]["cr"] > 0.1
    both = c.get(f"/api/v1/potential?stress=0&w_ipm=1&ahp={quote(AHP_OK)}")
    assert both.status_code == 422 and both.json()["error"]["field"] == "ahp"
    assert "λmax" in c.get(f"/potential?stress=0&ahp={quote(AHP_OK)}").text
