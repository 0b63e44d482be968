"""Setbacks (sempadan): land within a class- and place-dependent distance of a feature is excluded.

A river's setback depends on its size and on whether the land is urban (PP 38/2011 Articles 9-10: outside
urban areas at least 100 m from a river whose catchment exceeds 500 km², 50 m from a smaller one; inside
urban areas 10, 15 or 30 m by the river's depth). The model's ``setback`` block says how each feature is
classed (``classify``: the first step that matches a feature wins; each step names its basis and whether it
is a proxy), the distances of each class outside (``rural``) and inside (``urban``) urban areas, and which
cells are urban (categories of a named layer).

Computation, per class: the class's features are burned onto the grid (every touched cell) and one bounded
Euclidean distance transform (:func:`kawasan.spatial.proximity.distance_to`, reach = the class's larger
distance plus two cells) gives d; a cell is excluded when d <= the class's urban distance on an urban cell,
or d <= its rural distance elsewhere. Distances run from cell centre to the centre of the nearest burned
cell, as for ``exclude_within``: the mapped line itself (a river's centre line) is the origin, not its bank.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kawasan.errors import ModelError, VectorError
from kawasan.i18n import Message
from kawasan.spatial.model import NO_SETBACK, Constraint, Setback, SetbackClassify, label_text
from kawasan.spatial.studyarea import LayerStore, resolve_codes

UNCLASSED = ""


@dataclass
class SetbackReport:
    """How the features were classed, which distances applied, and the urban mask used."""

    classes: list[dict] = field(default_factory=list)
    unclassified: int = 0
    no_setback: int = 0                                  # features classed 'none' on purpose (a drain)
    urban: dict = field(default_factory=dict)
    features: list[dict] = field(default_factory=list)   # one row per feature (the run writes a CSV)

    def to_dict(self) -> dict:
        return {"classes": self.classes, "unclassified": self.unclassified, "no_setback": self.no_setback,
                "urban": self.urban, "features": len(self.features)}


def classify(gdf, rules: Setback) -> tuple[list[str], list[int]]:
    """Each feature's class (UNCLASSED when no step matches and there is no default) and the index of the
    classify step that decided it (-1 for the default, -2 for none)."""
    n = len(gdf)
    cls = [UNCLASSED] * n
    step = [-2] * n
    open_ = np.ones(n, dtype=bool)
    for i, rule in enumerate(rules.classify):
        if rule.attribute not in gdf.columns:
            continue
        hit = open_ & _matches(gdf[rule.attribute], rule)
        for j in np.flatnonzero(hit):
            cls[j], step[j] = rule.class_, i
        open_ &= ~hit
    if rules.default is not None:
        for j in np.flatnonzero(open_):
            cls[j], step[j] = rules.default, -1
    return cls, step


def _matches(column, rule: SetbackClassify) -> np.ndarray:
    present = column.notna().to_numpy() & (column.astype(str).str.strip() != "").to_numpy()
    if rule.values is not None:
        wanted = {str(v).strip().lower() for v in rule.values}
        return present & column.astype(str).str.strip().str.lower().isin(wanted).to_numpy()
    if rule.above is None and rule.at_most is None:
        return present
    import pandas as pd

    num = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    ok = present & np.isfinite(num)
    with np.errstate(invalid="ignore"):
        if rule.above is not None:
            ok &= num > rule.above
        if rule.at_most is not None:
            ok &= num <= rule.at_most
    return ok


def urban_mask(rules: Setback, store: LayerStore, warnings: list[str], con_id: str) -> tuple[np.ndarray | None, dict]:
    """Boolean grid of urban cells (None: every cell counts as rural) and what was used."""
    spec = rules.urban
    differs = any(r != u for r, u in map(rules.metres, rules.distances))
    if spec is None:
        return None, {"used": False, "differs": differs,
                      "why": "no urban layer named: every cell counts as outside urban areas"}
    if not store.exists(spec.layer):
        warnings.append(Message("run.note.setbacks.constraint_urban_layer_provided", con_id=con_id,
                                spec_layer=spec.layer))
        return None, {"used": False, "differs": differs, "layer": spec.layer,
                      "why": f"layer '{spec.layer}' not provided"}
    codes, nodata, legend = store.codes(spec.layer)
    src = str(store.area.path(store.model.layers[spec.layer]))
    wanted = resolve_codes(spec.values, legend, source=src, field=f"constraints.{con_id}.setback.urban.values",
                           warnings=store.warnings)
    urban = np.isin(codes, np.array([w for w in wanted if w >= 0], dtype=codes.dtype))
    info = {"used": True, "layer": spec.layer, "values": list(spec.values), "cells": int(urban[store.counted].sum()),
            "differs": any(r != u for r, u in map(rules.metres, rules.distances))}
    if spec.note is not None:
        info["note"], info["note_id"] = label_text(spec.note, "en"), label_text(spec.note, "id")
    return urban, info


def apply_setback(con: Constraint, layer: str, where: dict | None, store: LayerStore, grid, scratch: np.ndarray,
                  reason: np.ndarray, bit: int, warnings: list[str]) -> SetbackReport:
    """OR ``bit`` into ``reason`` on every cell inside the setback of a feature of ``layer``."""
    rules = con.setback
    spec = store.model.layers[layer]
    if spec.kind != "vector":
        raise ModelError(Message("run.err.setbacks.constraint_setback_measured_from", con_id=con.id,
                                 layer=layer), field=f"constraints.{con.id}.layer")
    gdf = store.vector(layer)
    if where:
        missing = [a for a in where if a not in gdf.columns]
        if missing:
            raise VectorError(Message("run.err.setbacks.attribute", attribute=missing[0]),
                              source=str(store.area.path(spec)), 
                              field=f"constraints.{con.id}.where")
        sel = np.ones(len(gdf), dtype=bool)
        for attr, vals in where.items():
            sel &= gdf[attr].astype(str).isin([str(v) for v in vals]).to_numpy()
        gdf = gdf[sel]
    report = SetbackReport()
    classes, steps = classify(gdf, rules)
    urban, report.urban = urban_mask(rules, store, warnings, con.id)
    report.features = _feature_rows(gdf, classes, steps, rules)
    report.unclassified = sum(1 for c in classes if c == UNCLASSED)
    report.no_setback = sum(1 for c in classes if c == NO_SETBACK)
    b = reason.dtype.type(bit)
    res = max(grid.res)
    cls_arr = np.array(classes, dtype=object)
    for cls in sorted(set(classes) - {UNCLASSED, NO_SETBACK}):
        rural, urb = rules.metres(cls)
        d = store.distance_to_features(gdf[cls_arr == cls], grid.res, max(rural, urb) + 2 * res, scratch)
        if urban is None:
            hit = d <= np.float32(rural)
        else:
            hit = d <= np.where(urban, np.float32(urb), np.float32(rural))
        reason[hit] |= b
        report.classes.append(_class_summary(cls, rural, urb, [r for r in report.features if r["class"] == cls],
                                             int(hit[store.counted].sum())))
    if report.unclassified:
        warnings.append(Message("run.note.setbacks.constraint_feature_s_layer", con_id=con.id,
                                report_unclassified=report.unclassified, layer=layer))
    return report


def _feature_rows(gdf, classes, steps, rules: Setback) -> list[dict]:
    names = gdf["name"].astype("string").fillna("").tolist() if "name" in gdf.columns else [""] * len(gdf)
    ids = gdf["osm_id"].tolist() if "osm_id" in gdf.columns else [None] * len(gdf)
    sizes = gdf.geometry.length.to_numpy()
    areas = gdf.geometry.area.to_numpy()
    rows = []
    for i, (cls, step) in enumerate(zip(classes, steps)):
        if step >= 0:
            rule = rules.classify[step]
            basis, basis_id, proxy = label_text(rule.basis, "en"), label_text(rule.basis, "id"), rule.proxy
            value = gdf.iloc[i][rule.attribute]
            decided_by = f"{rule.attribute}={value}"
        elif step == -1 and rules.classify:   # no classify step matched: the model's default class
            basis, basis_id, proxy, decided_by = "default class", "kelas bawaan", True, ""
        elif step == -1:                       # a rule with one class: every feature
            basis, basis_id, proxy, decided_by = "every feature", "semua fitur", False, ""
        else:
            basis, basis_id, proxy, decided_by = "not classified", "tidak terklasifikasi", False, ""
        rural, urb = rules.metres(cls) if cls not in (UNCLASSED, NO_SETBACK) else (None, None)
        rows.append({"feature": i + 1, "osm_id": None if ids[i] is None else int(ids[i]), "name": names[i],
                     "class": cls, "decided_by": decided_by, "basis": basis, "basis_id": basis_id, "proxy": proxy,
                     "rural_m": rural, "urban_m": urb, "length_m": round(float(sizes[i]), 1),
                     "area_m2": round(float(areas[i]), 1)})
    return rows


def _class_summary(cls: str, rural: float, urban: float, rows: list[dict], cells: int) -> dict:
    by_basis: dict[tuple, dict] = {}
    for r in rows:
        k = (r["basis"], r["basis_id"], r["proxy"])
        e = by_basis.setdefault(k, {"basis": k[0], "basis_id": k[1], "proxy": k[2], "features": 0, "length_km": 0.0})
        e["features"] += 1
        e["length_km"] += r["length_m"] / 1000.0
    for e in by_basis.values():
        e["length_km"] = round(e["length_km"], 3)
    return {"class": cls, "rural_m": rural, "urban_m": urban, "features": len(rows), "excluded_cells": cells,
            "length_km": round(sum(r["length_m"] for r in rows) / 1000.0, 3),
            "by_basis": sorted(by_basis.values(), key=lambda e: (e["proxy"], e["basis"]))}
