"""kawasan data prepare: build a study area from a regency's own files."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kawasan.cli.main import cli
from kawasan.cli.output import Table, console
from kawasan.cli.ranges import METRES, Finite
from kawasan.i18n import fmt_number, t, text_in


@cli.group("data")
def data_group():
    """Build a study area from real files (boundary, DEM, OpenStreetMap, agency layers), or fetch them."""


@data_group.command("prepare")
@click.option("--boundary", required=True, type=click.Path(path_type=Path),
              help="Boundary file (GeoJSON, GeoPackage, Shapefile) in any CRS; FILE.gpkg|LAYER picks a layer.")
@click.option("--where", default=None,
              help="Pick one feature with an OGR SQL filter, e.g. \"nama = 'Kabupaten Probolinggo'\".")
@click.option("--dissolve", is_flag=True, help="Merge all matching features (e.g. every kecamatan) into one boundary.")
@click.option("--dem", "dem", multiple=True, type=click.Path(path_type=Path),
              help="DEM tile (SRTM .hgt, .hgt.zip, GeoTIFF: SRTM, Copernicus GLO-30, DEMNAS), or a folder of "
                   "tiles; repeatable (--dem a.hgt --dem b.hgt).")
@click.option("--osm", type=click.Path(path_type=Path), default=None, help="OpenStreetMap extract (.osm.pbf).")
@click.option("--osm-mapping", type=click.Path(path_type=Path), default=None,
              help="YAML overriding the OSM tag mapping (docs/reference/osm-mapping.md).")
@click.option("--layer", "layer", multiple=True, metavar="NAME=PATH[:ATTRIBUTE]",
              help="Agency layer, e.g. zoning=rtrw.shp:POLA_RUANG, hazard_flood=banjir.shp:KELAS, "
                   "protected_forest=hutan_lindung.shp, zoning=rtrw.gpkg|pola_ruang:KODE; repeatable.")
@click.option("--map", "maps", multiple=True, metavar="NAME=FILE.csv",
              help="Category mapping for a layer (CSV columns value,category); repeatable.")
@click.option("--resolution", type=Finite(1.0, 10_000.0), default=30.0, show_default=True, help="Cell size in metres.")
@click.option("--buffer", "buffer_m", type=METRES, default=5000.0, show_default=True,
              help="Metres added around the boundary so distances near the edge are right.")
@click.option("--crs", default=None, help="Grid CRS, projected in metres with an EPSG code (default: the UTM zone of "
                                         "the boundary, e.g. EPSG:32749; across zones, one equal-area CRS).")
@click.option("--assume-crs", default=None, help="CRS for input files that have none (e.g. EPSG:4326).")
@click.option("--max-memory-gb", type=Finite(0.0, 1e6, min_open=True), default=None,
              help="Memory the preparation may use (default: the memory available now); layers are written by "
                   "windows that fit it.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Workspace folder to write.")
@click.option("--json", "as_json", is_flag=True, help="Print the workspace manifest as JSON.")
@click.pass_context
def prepare_cmd(ctx, boundary, where, dissolve, dem, osm, osm_mapping, layer, maps, resolution, buffer_m, crs,
                assume_crs, max_memory_gb, out, as_json):
    """Build an aligned study area (workspace) from a boundary, DEM tiles, an OSM extract and agency layers.

    Every input but the boundary is optional; what is missing is reported with the preset criteria
    it affects. The workspace (GeoTIFFs, GeoPackages, manifest.json) is what `kawasan suitability run
    --data` and `kawasan sites` read.

    Example: kawasan data prepare --boundary jatim_kabkota.geojson --where "nama = 'Kabupaten Probolinggo'"
    --dem S08E113.hgt --osm java.osm.pbf --layer zoning=rtrw.shp:POLA_RUANG --out probolinggo
    """
    from kawasan.spatial.ingest.agency import parse_layer_arg, parse_map_arg
    from kawasan.spatial.ingest.prepare import PrepareRequest, check_inputs_exist, prepare

    lang = ctx.obj["lang"]
    check_inputs_exist(boundary=boundary, dem=dem, osm=osm, osm_mapping=osm_mapping, layers=layer, maps=maps)
    req = PrepareRequest(
        boundary=boundary, out=out, where=where, dissolve=dissolve, assume_crs=assume_crs, crs=crs,
        resolution=resolution, buffer_m=buffer_m, dem=list(dem), osm=osm, osm_mapping=osm_mapping,
        layers=[parse_layer_arg(x) for x in layer], maps=dict(parse_map_arg(x) for x in maps),
        max_memory_bytes=int(max_memory_gb * 2**30) if max_memory_gb else None)
    con = console()
    if as_json:
        res = prepare(req)
        click.echo(json.dumps(res.manifest, ensure_ascii=False))
        return
    with con.status(t("prepare.working", lang)) as status:
        res = prepare(req, progress=lambda step: status.update(t("prepare.step", lang, step=step)))
    print_prepare_summary(res.manifest, res.out, lang, boundary=boundary, where=where, assume_crs=assume_crs,
                          dissolve=dissolve)


def print_prepare_summary(man: dict, out: Path, lang: str, *, boundary=None, where=None, assume_crs=None,
                          dissolve=False) -> None:
    con = console()
    if man.get("synthetic"):
        con.print(text_in(man.get("notice", ""), lang), markup=False, style="bold yellow")
    g = man["grid"]
    b = man["boundary"]
    con.print(t("prepare.summary", lang, name=b["name"], area=b["area_km2"], crs=_crs_label(man["crs"]),
                width=g["width"], height=g["height"], res=man["resolution_m"], buffer=man["buffer_m"]), markup=False)
    proj = man.get("projection") or {}
    if proj.get("scheme") == "equal_area":
        zones = proj.get("utm_zones") or []
        con.print(t("prepare.summary_equal_area", lang, first=zones[0] if zones else "", last=zones[-1] if zones else "",
                    percent=proj.get("max_distance_scale_error", 0.0) * 100), markup=False)
    mem = man.get("memory_estimate") or {}
    if mem.get("windows", 1) > 1:
        con.print(t("prepare.summary_windows", lang, windows=mem["windows"], side=mem["window"]), markup=False)
    table = Table(title=t("prepare.layers_title", lang))
    for key in ("prepare.col_layer", "prepare.col_kind", "prepare.col_origin", "prepare.col_detail"):
        table.add_column(t(key, lang))
    for name, e in man["layers"].items():
        if e["kind"] == "vector":
            detail = t("prepare.features", lang, count=e["feature_count"])
        elif e.get("categories"):
            detail = ", ".join(f"{k} {fmt_number(v, lang, 0)} ha" for k, v in list(e.get("area_ha_in_boundary", {}).items())[:6])
        else:
            detail = e.get("unit", "")
        table.add_row(name, t(f"prepare.kind.{e['kind']}", lang), e.get("origin", ""), detail)
    con.print(table)
    for w in man["warnings"]:
        con.print(f"! {text_in(w, lang)}", markup=False, style="yellow")
    click.echo(t("prepare.written", lang, out=str(out)))
    for line in next_steps(out, lang, boundary=boundary, where=where, assume_crs=assume_crs, dissolve=dissolve):
        click.echo(line)


def _crs_label(crs: str) -> str:
    """``EPSG:nnnnn`` as it is; a CRS recorded as WKT (the equal-area CRS across UTM zones) by its name."""
    if crs.startswith("EPSG:"):
        return crs
    from pyproj import CRS

    return CRS.from_user_input(crs).name


def next_steps(out: Path, lang: str, *, boundary=None, where=None, assume_crs=None, dissolve=False) -> list[str]:
    """What to run next, as commands that run as printed (paths quoted): a preset run when the workspace has
    every layer some preset needs, else the download of what it lacks."""
    from kawasan.spatial.ingest.fetch import boundary_arguments, quote_argument as q
    from kawasan.spatial.presets import load_preset, missing_layers

    needs = {}
    for preset in ("apht", "kawasan-industri"):
        lacking = missing_layers(load_preset(preset), out)
        if not lacking:
            return [t("prepare.next", lang, cmd=f"kawasan suitability run {preset} --data {q(str(out))} "
                                               f"--out {q(str(Path(out) / 'runs' / preset))}")]
        needs[preset] = lacking
    lacking = sorted({layer for v in needs.values() for layer in v})
    lines = [t("prepare.next_missing", lang, layers=", ".join(lacking))]
    if boundary is not None:
        parts = ["kawasan", "data", "fetch", *boundary_arguments(boundary, where=where, assume_crs=assume_crs,
                                                                 dissolve=dissolve)]
        parts += ["--out", q(str(Path(str(out) + "-inputs")))]
        lines.append(t("prepare.next_fetch", lang, cmd=" ".join(parts)))
    return lines
