"""kawasan data fetch: download an OSM extract and DEM tiles for a boundary (needs internet)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kawasan.cli.data import data_group
from kawasan.cli.ranges import METRES
from kawasan.i18n import t, text_in


@data_group.command("fetch")
@click.option("--boundary", required=True, type=click.Path(path_type=Path),
              help="Boundary file (GeoJSON, GeoPackage, Shapefile).")
@click.option("--where", default=None, help="Pick one feature: OGR SQL filter, e.g. \"nama = 'Probolinggo'\".")
@click.option("--assume-crs", default=None, help="CRS of a boundary file that has none (e.g. EPSG:4326).")
@click.option("--dissolve", is_flag=True, help="Merge all matching features into one boundary.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Folder that receives osm/, dem/ and fetch.json.")
@click.option("--sources", type=click.Path(path_type=Path), default=None,
              help="Sources file (YAML) replacing the packaged one (docs/reference/data-sources.md).")
@click.option("--dem", "dem", default=None, metavar="copernicus|srtm|none",
              help="DEM source from the sources file, or none (default: its default_dem, copernicus).")
@click.option("--buffer", "buffer_m", type=METRES, default=None,
              help="Metres around the boundary to cover (default: the sources file's buffer_m, 5000, the same as "
                   "kawasan data prepare --buffer).")
@click.option("--osm/--no-osm", default=True, show_default=True, help="Fetch the OpenStreetMap extract.")
@click.option("--cache", type=click.Path(path_type=Path), default=None,
              help="Download cache (default: KAWASAN_CACHE_DIR or ~/.cache/kawasan/downloads).")
@click.option("--refresh", is_flag=True, help="Download again even when the cache holds a verified copy.")
@click.option("--json", "as_json", is_flag=True, help="Print the fetch record (fetch.json) as JSON.")
@click.pass_context
def fetch_cmd(ctx, boundary, where, assume_crs, dissolve, out, sources, dem, buffer_m, osm, cache, refresh,
              as_json):
    """Download the OpenStreetMap extract and DEM tiles covering the boundary into --out (needs internet).

    Downloads are resumable (run the command again after a broken connection), checked against
    published checksums, and kept in a cache so a second run downloads nothing. DEM tiles over
    open sea do not exist and are reported. Ends by printing the `kawasan data prepare` command
    to run next.

    Example: kawasan data fetch --boundary jatim_kabkota.geojson --where "nama = 'Kabupaten Probolinggo'"
    --out probolinggo-data
    """
    from kawasan.spatial.ingest.fetch import fetch_area

    lang = (ctx.obj or {}).get("lang", "en")
    try:
        with _progress() as progress:
            summary = fetch_area(boundary, out, where=where, assume_crs=assume_crs, dissolve=dissolve,
                                 sources=sources, dem=dem, osm=osm, cache=cache, refresh=refresh, buffer_m=buffer_m,
                                 progress=progress)
    except KeyboardInterrupt:
        click.echo(t("fetch.interrupted", lang), err=True)
        ctx.exit(130)
    if as_json:
        click.echo(json.dumps({**summary, "out": str(out)}, ensure_ascii=False))
        return
    _print_summary(summary, out, lang)


def _size(n) -> str:
    n = n or 0
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n} B"


def _reason(tile: dict, lang: str) -> str:
    if tile.get("http_status") is None:
        return t("fetch.reason_list", lang)
    return t("fetch.reason_http", lang, status=tile["http_status"])


def _print_summary(s: dict, out: Path, lang: str) -> None:
    from kawasan.cli.output import console

    con = console()
    o = s.get("osm")
    if o:
        verdict = t("fetch.checksum_ok", lang, kind=o["checksum"]["kind"]) if o["checksum"].get("verified") \
            else t("fetch.checksum_none", lang)
        con.print(t("fetch.osm_line", lang, extract=o["extract"]["id"], name=o["extract"]["name"],
                    size=_size(o["bytes"]),
                    status=t(f"fetch.status_{o['status']}", lang), checksum=verdict, path=o["path"]), markup=False)
        con.print("  " + t("fetch.attribution", lang, text=o["attribution"], licence=o["licence"]), markup=False)
    d = s.get("dem")
    if d:
        con.print(t("fetch.dem_title", lang, title=d["title"], tile_count=len(d["tiles"])), markup=False)
        for tile in d["tiles"]:
            if tile["status"] == "missing":
                con.print("  " + t("fetch.tile_missing", lang, name=tile["name"], reason=_reason(tile, lang)),
                          markup=False)
            else:
                con.print("  " + t("fetch.tile_line", lang, name=tile["name"], size=_size(tile["bytes"]),
                                   status=t(f"fetch.status_{tile['status']}", lang), path=tile["path"]), markup=False)
        con.print("  " + t("fetch.attribution", lang, text=d["attribution"], licence=d["licence"]), markup=False)
    for w in s.get("warnings", []):
        con.print(t("fetch.warning", lang, text=text_in(w, lang)), style="yellow", markup=False)
    click.echo(t("fetch.written", lang, path=out, record=Path(out) / "fetch.json"))
    click.echo(t("fetch.next", lang))
    click.echo("  " + s["next_command"])


class _progress:
    """A rich download display on stderr (bytes, speed, time left); silent when stderr is not a terminal."""

    def __enter__(self):
        from rich.console import Console
        from rich.progress import (
            BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn,
        )

        console = Console(stderr=True)
        self.tasks = {}
        self.prog = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                             TimeRemainingColumn(), console=console, disable=not console.is_terminal)
        self.prog.__enter__()
        return self.update

    def update(self, label: str, done: int, total: int | None) -> None:
        task = self.tasks.get(label)
        if task is None:
            task = self.tasks[label] = self.prog.add_task(label, total=total)
        self.prog.update(task, completed=done, total=total)

    def __exit__(self, *exc):
        return self.prog.__exit__(*exc)
