"""What a run's map page needs to know about a run, in the reader's language: its model and weights, its
rules with their legal basis and certainty tag, its layers and legends, and its extent in WGS 84."""
from __future__ import annotations

from rasterio.warp import transform_bounds

from kawasan.spatial.runs.catalog import DataFolder, Entry
from kawasan.spatial.grid import Grid
from kawasan.web.map import layers
from kawasan.web.map.vectors import vector_names


def _text(item: dict, key: str, lang: str) -> str | None:
    return (item.get(f"{key}_id") if lang == "id" else None) or item.get(key)


def bounds_wgs84(run: Entry) -> list[float]:
    """[west, south, east, north] of the run's grid in degrees."""
    grid_dict = run.manifest.get("grid") if run.kind == "study_area" else run.manifest["study_area"]["grid"]
    grid = Grid.from_dict(grid_dict)
    return [round(v, 7) for v in transform_bounds(grid.crs, "EPSG:4326", *grid.bounds, densify_pts=21)]


def rules(run: Entry, lang: str) -> list[dict]:
    """Each constraint: id, bit, label, status, excluded hectares, legal basis and certainty tag."""
    colours = layers.rule_colours(run)
    return [{"id": c["id"], "bit": c.get("bit"), "label": _text(c, "label", lang) or c["id"], "status": c.get("status"),
             "excluded_ha": c.get("excluded_ha"), "legal_basis": _text(c, "legal_basis", lang),
             "certainty": c.get("certainty"), "certainty_meaning": c.get("certainty_meaning"),
             "source": c.get("source"), "colour": colours.get(int(c.get("bit") or 0)),
             "skipped_because": c.get("skipped_because")}
            for c in run.manifest.get("constraints", [])]


def criteria(run: Entry, lang: str) -> list[dict]:
    return [{"id": c["id"], "label": _text(c, "label", lang) or c["id"], "weight": c.get("weight"),
             "measure": c.get("measure"), "layer": c.get("layer"), "direction": c.get("direction"),
             "transform": c.get("transform"), "legal_basis": _text(c, "legal_basis", lang),
             "certainty": c.get("certainty")}
            for c in run.manifest.get("criteria", [])]


def describe(run: Entry, data: DataFolder, lang: str) -> dict:
    m = run.manifest
    area = data.study_area_of(run)
    return {
        "id": run.id, "name": run.name, "synthetic": run.synthetic, "notice": m.get("notice"),
        "created": run.created, "checksum": run.checksum,
        "model": (m.get("model") or {}).get("name"), "study_area": (m.get("study_area") or {}).get("name"),
        "study_area_id": area.id if area else None,
        "bounds": bounds_wgs84(run),
        "criteria": criteria(run, lang),
        "skipped_criteria": m.get("skipped_criteria") or [],
        "constraints": rules(run, lang),
        "classes": m.get("classes"),
        "class_labels": {k: (v or {}).get(lang, k) for k, v in (m.get("class_labels") or {}).items()},
        "rule_switches": m.get("rule_switches") or {},
        "screening": m.get("screening") or [],
        "layers": layers.layer_list(run, lang),
        "vectors": vector_names(run),
        "has_sites": (run.path / "sites" / "sites.json").is_file(),
    }


def localise_point(out: dict, lang: str, class_labels: dict | None = None) -> dict:
    """A cell query with its labels and legal bases in the reader's language."""
    from kawasan.web.render import certainty_of

    label = (class_labels or {}).get(out["class"]) or {}
    out["class_label"] = f"{out['class']} · {label.get(lang)}" if label.get(lang) and out["class"] not in (
        "excluded", "nodata") else label.get(lang, out["class"])
    for item in out["criteria"] + out["excluded_by"]:
        item["label"] = _text(item, "label", lang) or item["id"]
        item.pop("label_id", None)
    for item in out["excluded_by"]:
        item["legal_basis"] = _text(item, "legal_basis", lang)
        item["certainty_tag"] = certainty_of(item.get("certainty"))
        item.pop("legal_basis_id", None)
    return out


def describe_area(area: Entry, lang: str) -> dict:
    """A study area for a map: its name, extent, tile layers with legends and vector layers."""
    return {"id": area.id, "name": area.name, "synthetic": area.synthetic, "notice": area.manifest.get("notice"),
            "created": area.created, "checksum": area.checksum, "bounds": bounds_wgs84(area),
            "layers": layers.layer_list(area, lang), "vectors": vector_names(area)}
