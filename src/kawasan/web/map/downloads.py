"""Downloads of a run: its report (HTML, and PDF where one was written), rasters, sites and model.

Only files the run folder lists or holds under known names are served, by a name from :func:`downloads`
(never a path from the request). The model is offered as the run wrote it (``model.json``) and as YAML, the
file ``kawasan suitability --model`` reads.
"""
from __future__ import annotations

from pathlib import Path

from kawasan.errors import NotFoundError
from kawasan.spatial.runs.catalog import Entry
from kawasan.i18n import Message

MEDIA = {".tif": "image/tiff; application=geotiff; profile=cloud-optimized", ".html": "text/html; charset=utf-8",
         ".pdf": "application/pdf", ".gpkg": "application/geopackage+sqlite3", ".geojson": "application/geo+json",
         ".json": "application/json", ".yaml": "application/yaml", ".csv": "text/csv; charset=utf-8"}


def downloads(run: Entry) -> dict[str, Path | None]:
    """Download name -> file (None for the generated model.yaml) for everything the run has."""
    out: dict[str, Path | None] = {}
    for p in sorted(run.path.glob("report-*.html")) + sorted(run.path.glob("report*.pdf")):
        out[p.name] = p
    for o in run.manifest.get("outputs", []):
        p = run.path / o["path"]
        if o.get("role") in ("score", "classes", "constraints") and p.is_file():
            out[p.name] = p
        elif o.get("role") == "criterion" and p.is_file():
            out[f"criterion-{o['criterion']}.tif"] = p
    sites = run.path / "sites"
    for name in ("sites.gpkg", "sites.geojson", "sites.json", "sensitivity.json", "score_spread.tif"):
        if (sites / name).is_file():
            out[name] = sites / name
    if (run.path / "model.json").is_file():
        out["model.json"] = run.path / "model.json"
        out["model.yaml"] = None
    return out


def download_body(run: Entry, name: str) -> tuple[Path | bytes, str]:
    files = downloads(run)
    if name not in files:
        raise NotFoundError(Message("web.err.downloads.run_has_download_has", name=name, files=', '.join(files)),
                            field="name")
    media = MEDIA.get(Path(name).suffix, "application/octet-stream")
    if files[name] is None:  # model.yaml from model.json
        import json

        import yaml

        model = json.loads((run.path / "model.json").read_text(encoding="utf-8"))
        text = yaml.safe_dump(model, allow_unicode=True, sort_keys=False)
        return text.encode("utf-8"), media
    return files[name], media
