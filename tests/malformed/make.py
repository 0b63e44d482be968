"""Write the malformed-input corpus of this folder (issue 14, "Bad input"): ``python tests/malformed/make.py``.

Every file is small and made here from fixed bytes, so the corpus is reproducible; ``cases.csv`` says, for
each file, the command that reads it, the exit code expected (2) and a part of the message. Files that
would be large (a 10,000-stage plan, a 50 MB description) are made at their real size by this script
only where they stay under 1 MB; larger ones are reached by lowering a limit in the case's ``env``.
"""
from __future__ import annotations

import json
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
GARBAGE = bytes((i * 37 + 11) % 256 for i in range(4096))
DEEP = 100_000       # the depth, for one file of each format
DEEP_SMALL = 5_000   # far past any parser's recursion limit, for the others (keeps the corpus small)

AHP_OK = ",slope,road,flood\nslope,1,3,5\nroad,1/3,1,2\nflood,1/5,1/2,1\n"
SECTORS = ["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M,N", "O", "P", "Q", "R,S,T,U"]
MODEL_OK = """name: corpus-model
layers:
  dem: {path: dem.tif}
  landcover: {path: landcover.tif, type: categorical}
  roads: {path: roads.gpkg}
criteria:
  - {id: road, layer: roads, measure: distance, max_distance: MAXD, direction: cost,
     transform: {type: linear, low: 0, high: 600}}
  - {id: slope, layer: dem, measure: slope_percent, direction: cost, transform: {type: linear, low: 0, high: 30}}
constraints:
  - {id: slope15, layer: dem, rule: max_value, measure: slope_percent, limit: 15, legal_basis: test, certainty: V}
weights: {method: direct, values: {road: WROAD, slope: 1}}
"""
TEMPLATE_OK = """name: corpus
title: {id: Korpus, en: Corpus}
agencies:
  - {code: DPM, name: {id: DPMPTSP, en: One-stop service}, level: regency}
stages:
  - id: S1
    name: {id: Tahap satu, en: Stage one}
    agency: DPM
    duration: {min: LIKELY, likely: LIKELY, max: LIKELY}
    legal_basis: {citation: test, tag: U}
REQUIRES"""
PLAN_HEADER = "id,name,agency,duration_days,requires\n"


def model(maxd="600", wroad="2") -> str:
    return MODEL_OK.replace("MAXD", maxd).replace("WROAD", wroad)


def template(likely="5", requires="") -> str:
    return TEMPLATE_OK.replace("LIKELY", likely).replace("REQUIRES", requires)


def pdrb_long(value="10.0", region="Kabupaten X", sector_override=None, year="2023") -> str:
    rows = ["region,sector,year,value"]
    for r in (region, "Provinsi P"):
        for s in SECTORS:
            v = value if r == region and s == "C" else "10.0"
            rows.append(f'"{r}","{sector_override if (sector_override and s == "C") else s}",{year},{v}')
    return "\n".join(rows) + "\n"


def files() -> dict[str, bytes | str]:
    out: dict[str, bytes | str] = {}
    # --- model files (suitability run)
    out["model_binary.yaml"] = GARBAGE
    out["model_latin1.yaml"] = "name: kawasan caf\u00e9\n".encode("latin-1")
    out["model_utf16_no_bom.yaml"] = model().encode("utf-16-le")
    out["model_empty.yaml"] = b""
    out["model_nested.yaml"] = "a: " + "[" * DEEP + "]" * DEEP + "\n"
    out["model_nested_maps.json"] = '{"a":' * DEEP + "1" + "}" * DEEP
    out["model_syntax.yaml"] = "name: [unclosed\ncriteria: {\n"
    out["model_syntax.toml"] = "name = \"x\"\n[criteria\n"
    out["model_toplevel_list.yaml"] = "- a\n- b\n"
    out["model_unknown_key.yaml"] = model() + "colour: blue\n"
    out["model_inf_weight.yaml"] = model(wroad=".inf")
    out["model_nan_distance.yaml"] = model(maxd=".nan")
    out["model_huge_distance.yaml"] = model(maxd="1e308")
    out["model_negative_distance.yaml"] = model(maxd="-5")
    out["model_text_number.yaml"] = model(maxd="far")
    out["model_injection_id.yaml"] = model().replace("id: road", "id: \"=cmd|' /C calc'!A0\"").replace(
        "road: WROAD", "road: 2")
    out["model_script_id.yaml"] = model().replace("id: slope,", "id: \"<script>alert(1)</script>\",")
    out["model_yaml_bomb.yaml"] = ("a: &a [x, x, x, x, x, x, x, x, x]\n"
                                   + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                                             for p, c in zip("abcdefgh", "bcdefghi")) + "name: *i\n")
    out["model_huge_description.yaml"] = model() + "description: " + "x" * 30_000 + "\n"
    out["model_python_tag.yaml"] = "name: !!python/object/apply:os.system ['echo pwned']\n"
    # --- templates (template validate)
    out["template_binary.yaml"] = GARBAGE
    out["template_nested.yaml"] = "a: " + "[" * DEEP + "]" * DEEP + "\n"
    out["template_nested.json"] = "[" * DEEP_SMALL + "]" * DEEP_SMALL
    out["template_latin1.yaml"] = template().replace("Korpus", "Korpus \u00e9").encode("latin-1")
    out["template_empty.yaml"] = b""
    out["template_syntax.json"] = '{"name": "x", "stages": ['
    out["template_cycle.yaml"] = template(requires="").replace(
        "    legal_basis: {citation: test, tag: U}\n",
        "    requires: [S2]\n    legal_basis: {citation: test, tag: U}\n"
        "  - id: S2\n    name: {id: Dua, en: Two}\n    agency: DPM\n    duration: {min: 3, likely: 3, max: 3}\n"
        "    requires: [S1]\n    legal_basis: {citation: test, tag: U}\n")
    out["template_unknown_requires.yaml"] = template().replace(
        "    legal_basis: {citation: test, tag: U}\n", "    requires: [NOPE]\n    legal_basis: {citation: test, tag: U}\n")
    out["template_negative_duration.yaml"] = template(likely="-3")
    out["template_nan_duration.yaml"] = template(likely=".nan")
    out["template_huge_duration.yaml"] = template(likely="1e308")
    out["template_unknown_agency.yaml"] = template().replace("agency: DPM", "agency: XYZ")
    out["template_toplevel_string.yaml"] = "just a string\n"
    out["template_wrong_suffix.txt"] = template()
    # --- plan CSVs (template import)
    out["plan_binary.csv"] = b"SQLite format 3\x00" + GARBAGE[:512]
    out["plan_empty.csv"] = b""
    out["plan_header_only.csv"] = PLAN_HEADER
    out["plan_missing_columns.csv"] = "id,name\nS1,One\n"
    out["plan_bad_number.csv"] = PLAN_HEADER + "S1,One,DPM,five,\n"
    out["plan_nan_duration.csv"] = PLAN_HEADER + "S1,One,DPM,nan,\n"
    out["plan_inf_duration.csv"] = PLAN_HEADER + "S1,One,DPM,inf,\n"
    out["plan_negative_duration.csv"] = PLAN_HEADER + "S1,One,DPM,-4,\n"
    out["plan_duplicate_id.csv"] = PLAN_HEADER + "S1,One,DPM,4,\nS1,Again,DPM,4,\n"
    out["plan_cycle.csv"] = PLAN_HEADER + "S1,One,DPM,4,S2\nS2,Two,DPM,4,S1\n"
    out["plan_unknown_requires.csv"] = PLAN_HEADER + "S1,One,DPM,4,S9\n"
    out["plan_too_many_columns.csv"] = PLAN_HEADER + "S1,One,DPM,4,,extra,more\n"
    out["plan_10000_stages.csv"] = PLAN_HEADER + "".join(f"S{i},Stage {i},DPM,5,{f'S{i - 1}' if i else ''}\n"
                                                         for i in range(10_000))
    # --- AHP matrices (ahp)
    out["ahp_binary.csv"] = GARBAGE
    out["ahp_empty.csv"] = b""
    out["ahp_utf16_no_bom.csv"] = AHP_OK.encode("utf-16-le")
    out["ahp_not_reciprocal.csv"] = AHP_OK.replace("road,1/3,1,2", "road,3,1,2")
    out["ahp_zero.csv"] = AHP_OK.replace("slope,1,3,5", "slope,1,0,5")
    out["ahp_negative.csv"] = AHP_OK.replace("slope,1,3,5", "slope,1,-3,5")
    out["ahp_nan.csv"] = AHP_OK.replace("slope,1,3,5", "slope,1,nan,5")
    out["ahp_inf.csv"] = AHP_OK.replace("slope,1,3,5", "slope,1,inf,5")
    out["ahp_not_square.csv"] = ",slope,road\nslope,1,3\nroad,1/3,1\nflood,1,1\n"
    out["ahp_text.csv"] = AHP_OK.replace("slope,1,3,5", "slope,1,three,5")
    out["ahp_injection.csv"] = AHP_OK.replace("slope,1,3,5", "slope,1,=cmd|' /C calc'!A0,5")
    # --- PDRB tables (economy lq)
    out["pdrb_binary.csv"] = GARBAGE
    out["pdrb_empty.csv"] = b""
    out["pdrb_negative.csv"] = pdrb_long(value="-5")
    out["pdrb_nan.csv"] = pdrb_long(value="nan")
    out["pdrb_inf.csv"] = pdrb_long(value="inf")
    out["pdrb_text_value.csv"] = pdrb_long(value="abc")
    out["pdrb_unknown_sector.csv"] = pdrb_long(sector_override="Pariwisata")
    out["pdrb_year_out_of_range.csv"] = pdrb_long(year="99999")
    out["pdrb_missing_columns.csv"] = "wilayah,nilai\nX,1\n"
    out["pdrb_header_no_rows.csv"] = "d,[m[ml0), l0),g"   # found by atheris (scripts/fuzz_readers.py): a KeyError
    out["pdrb_fake.xlsx"] = b"PK\x03\x04" + GARBAGE[:300]
    out["pdrb_old.xls"] = GARBAGE[:200]
    # --- weights (economy potential --weights)
    out["weights_binary.json"] = GARBAGE
    out["weights_binary.yaml"] = GARBAGE
    out["weights_binary.csv"] = GARBAGE
    out["weights_nested.json"] = "[" * DEEP_SMALL + "]" * DEEP_SMALL
    out["weights_negative.json"] = json.dumps({"gdp": -1, "gdp_growth": 2})
    out["weights_all_zero.json"] = json.dumps({"gdp": 0, "gdp_growth": 0})
    out["weights_nan.yaml"] = "gdp: .nan\ngdp_growth: 1\n"
    out["weights_list.json"] = "[1, 2, 3]"
    # --- IPM / population tables (economy potential --ipm / --population)
    out["ipm_binary.csv"] = GARBAGE
    out["ipm_empty.csv"] = b""
    out["population_binary.csv"] = GARBAGE
    # --- rasters (data prepare --dem)
    out["dem_text.tif"] = "this is not a GeoTIFF\n"
    out["dem_empty.tif"] = b""
    out["dem_tiff_header_only.tif"] = b"II*\x00" + struct.pack("<I", 8) + b"\x00" * 8
    out["dem_binary.hgt"] = GARBAGE[:1000]
    # --- vectors (data prepare --boundary, sites check)
    out["boundary_empty.geojson"] = json.dumps({"type": "FeatureCollection", "features": []})
    out["boundary_invalid_json.geojson"] = '{"type": "FeatureCollection", "features": ['
    out["boundary_binary.gpkg"] = GARBAGE
    out["boundary_points.geojson"] = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [113.1, -7.8]}}]})
    out["boundary_nan_coords.geojson"] = ('{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
                                          '"geometry":{"type":"Polygon","coordinates":[[[NaN,0],[1,0],[1,1],[NaN,0]]]}}]}')
    out["site_binary.geojson"] = GARBAGE
    out["site_empty.geojson"] = json.dumps({"type": "FeatureCollection", "features": []})
    out["site_line.geojson"] = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "LineString",
                                                             "coordinates": [[700100, 9149900], [700900, 9149500]]}}],
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32749"}}})
    out["site_far_away.geojson"] = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
            [[10.0, 50.0], [10.01, 50.0], [10.01, 50.01], [10.0, 50.0]]]}}]})
    # --- OSM extracts (data prepare --osm)
    out["osm_text.osm.pbf"] = "not a protocol buffer\n"
    out["osm_truncated.osm.pbf"] = b"\x00\x00\x00\x0d\n\tOSMHeader\x18" + GARBAGE[:50]
    out["osm_empty.osm.pbf"] = b""
    # --- the site of a licensing project (project create --site)
    out["project_site_binary.geojson"] = GARBAGE
    out["project_site_nested.geojson"] = '{"a":' * DEEP_SMALL + "1" + "}" * DEEP_SMALL
    out["project_site_two_features.geojson"] = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [113.1, -7.8]}}] * 2})
    return out


def main() -> None:
    for name, data in files().items():
        (HERE / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    print(f"wrote {len(files())} files to {HERE}")


if __name__ == "__main__":
    main()
