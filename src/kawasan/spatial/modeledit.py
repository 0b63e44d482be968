"""The model editor's operations: a model's editable parts, edits applied and validated by the model's schema.

The Analysis page (and any client of ``/api/v1/analysis``) starts from a model (a preset or a saved
file) and sends *edits*:

- ``weights``: the top level of the weight tree (criteria without a group, and the group names), either
  ``{"method": "direct", "values": {node: w}}`` (normalised to sum 1, as the engine does) or
  ``{"method": "ahp", "criteria": [...], "matrix": [[...]]}`` (Saaty 1-9 judgements, "1/3" allowed);
- ``off``: criterion ids switched off (removed with their weight; a group emptied this way goes too);
- ``rules``: constraint id -> on/off, the CLI's ``--rule ID=on|off`` (recorded in the run manifest);
- ``thresholds``: constraint id -> ``{"limit": x}`` or ``{"distance": x}``;
- ``allow_inconsistent``: the user says a CR above 0.1 is deliberate (the CLI's ``--allow-inconsistent``).

:func:`apply_edits` returns the edited model dict validated by :func:`kawasan.spatial.model.model_from_dict`
(its ``ModelError`` names the field, rewritten from list positions to ids, e.g.
``constraints.slope_max_15.limit``); :func:`check` resolves the weights with :mod:`kawasan.spatial.weights`
and returns the global weights and the top level's AHP numbers (λmax, CI = (λmax − n)/(n − 1),
CR = CI / RI(n), Saaty 1980), raising :class:`~kawasan.errors.InconsistentJudgementsError` for CR > 0.1
unless allowed. Nothing here reads rasters: a check takes milliseconds, so a page can call it as the
user types.
"""
from __future__ import annotations

import copy
import re

from kawasan.errors import InputError, KawasanError, ModelError
from kawasan.i18n import Message
from kawasan.spatial.model import Model, label_text, model_from_dict
from kawasan.spatial.weights import _nodes, resolve

THRESHOLD_KEYS = ("limit", "distance")
CR_LIMIT = 0.1


def editor_view(model: Model, lang: str = "en") -> dict:
    """What the editor shows: top-level nodes with their weights, criteria, constraints with thresholds."""
    top, groups = _nodes(model)
    res = resolve(model, allow_inconsistent=True)
    top_w = res.levels[0].get("weights") or {}
    w = model.weights
    labels = {c.id: label_text(c.label, lang, c.id) for c in model.criteria}   # a group has only its id
    view = {"name": model.name, "title": label_text(model.title, lang, model.name), "method": w.method,
            "nodes": [{"id": n, "label": labels.get(n, n), "group": n in groups, "members": groups.get(n, []),
                       "weight": float(top_w.get(n, 0.0))} for n in top],
            "matrix": _matrix_text(w) if w.method == "ahp" and w.matrix is not None else None,
            "matrix_order": list(w.criteria) if w.method == "ahp" and w.criteria else top,
            "ahp": _ahp_numbers(res.levels[0]),
            "criteria": [{"id": c.id, "label": label_text(c.label, lang, c.id), "group": c.group,
                          "layer": c.layer, "measure": c.measure, "direction": c.direction,
                          "weight": res.weights.get(c.id, 0.0)} for c in model.criteria],
            "constraints": []}
    for con in model.constraints:
        key = "distance" if con.distance is not None else "limit" if con.limit is not None else None
        view["constraints"].append({
            "id": con.id, "label": label_text(con.label, lang, con.id), "rule": con.rule, "enabled": con.enabled,
            "threshold_key": key, "threshold": getattr(con, key) if key else None,
            "unit": _unit(con, key), "legal_basis": label_text(con.legal_basis, lang, ""),
            "certainty": con.certainty, "optional": con.skip_if_missing})
    return view


def _matrix_text(w) -> list[list[str]]:
    return [[str(v) for v in row] for row in w.matrix]


def _unit(con, key: str | None) -> str:
    if key == "distance":
        return "m"
    if con.measure == "slope_percent":
        return "%"
    if con.measure == "slope_degrees":
        return "°"
    return ""


def _ahp_numbers(level: dict) -> dict | None:
    if level.get("method") not in ("ahp", "group_ahp") or "cr" not in level:
        return None
    return {"lambda_max": level["lambda_max"], "ci": level["ci"], "cr": level["cr"],
            "consistent": level["cr"] <= CR_LIMIT, "n": len(level.get("criteria") or [])}


def apply_edits(base: dict, edits: dict, *, source: str = "<model>") -> dict:
    """``base`` (a model dict) with ``edits`` applied; validated by the model schema (ModelError naming the field)."""
    if not isinstance(edits, dict):
        raise InputError(Message("model.err.modeledit.expected_object_edits",
                                 type=type(edits).__name__), field="edits")
    unknown = sorted(set(edits) - {"weights", "off", "rules", "thresholds", "allow_inconsistent", "name"})
    if unknown:
        raise InputError(Message("model.err.modeledit.unknown_edit_expected_weights",
                                 unknown=unknown), field="edits")
    m = copy.deepcopy(base)
    if edits.get("name"):
        m["name"] = edits["name"]
    _switch_off(m, edits.get("off") or [])
    _thresholds(m, edits.get("thresholds") or {})
    if edits.get("weights") is not None:
        _top_weights(m, edits["weights"])
    _rules_known(m, edits.get("rules") or {})
    try:
        model_from_dict(m, source=source)
    except ModelError as e:
        raise ModelError(e.message, source=e.source, field=_field_by_id(e.field, m)) from None
    return m


def _switch_off(m: dict, off: list) -> None:
    if not isinstance(off, list) or not all(isinstance(x, str) for x in off):
        raise InputError(Message("model.err.modeledit.expected_list_criterion_ids"), field="off")
    ids = [c.get("id") for c in m.get("criteria", [])]
    for cid in off:
        if cid not in ids:
            raise InputError(Message("model.err.modeledit.criterion_criteria",
                                     criterion=cid, criteria=', '.join(ids)), field=f"off.{cid}")
    if len(set(off)) >= len(ids):
        raise InputError(Message("model.err.modeledit.least_one_criterion_must"), field="off")
    removed = [c for c in m["criteria"] if c["id"] in off]
    m["criteria"] = [c for c in m["criteria"] if c["id"] not in off]
    still_grouped = {c.get("group") for c in m["criteria"] if c.get("group")}
    gone_nodes = [c["id"] for c in removed if not c.get("group")]
    for c in removed:
        g = c.get("group")
        spec = (m["weights"].get("groups") or {}).get(g)
        if g and spec is not None:
            if g not in still_grouped:
                del m["weights"]["groups"][g]
                gone_nodes.append(g)
            else:
                _drop_nodes(spec, [c["id"]])
        elif g and g not in still_grouped:
            gone_nodes.append(g)
    _drop_nodes(m["weights"], gone_nodes)


def _drop_nodes(spec: dict, nodes: list[str]) -> None:
    """Remove ``nodes`` from one level of the weight tree (direct values, or the AHP matrix's rows and columns)."""
    if not nodes:
        return
    if spec.get("method") == "direct":
        spec["values"] = {k: v for k, v in spec["values"].items() if k not in nodes}
    elif spec.get("matrix") is not None and spec.get("criteria"):
        keep = [i for i, n in enumerate(spec["criteria"]) if n not in nodes]
        spec["matrix"] = [[spec["matrix"][i][j] for j in keep] for i in keep]
        spec["criteria"] = [spec["criteria"][i] for i in keep]
    else:
        raise InputError(Message("model.err.modeledit.model_weights_come_file"), field="off")


def _thresholds(m: dict, th: dict) -> None:
    if not isinstance(th, dict):
        raise InputError(Message("model.err.modeledit.expected_constraint"), field="thresholds")
    by_id = {c.get("id"): c for c in m.get("constraints", [])}
    for cid, change in th.items():
        con = by_id.get(cid)
        if con is None:
            raise InputError(Message("model.err.modeledit.constraint_constraints",
                                     constraint=cid, constraints=', '.join(by_id)), field=f"thresholds.{cid}")
        if not isinstance(change, dict) or len(change) != 1 or next(iter(change)) not in THRESHOLD_KEYS:
            raise InputError(Message("model.err.modeledit.expected_threshold_edit"), field=f"thresholds.{cid}")
        key, value = next(iter(change.items()))
        if key not in con:
            have = next((k for k in THRESHOLD_KEYS if k in con), None)
            raise InputError(Message("model.err.modeledit.no_threshold_has", constraint=cid, threshold=key,
                                     has=have) if have else
                             Message("model.err.modeledit.no_threshold", constraint=cid, threshold=key),
                             field=f"constraints.{cid}.{key}")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(Message("model.err.modeledit.expected_number", value=value),
                             field=f"constraints.{cid}.{key}")
        con[key] = value


def _top_weights(m: dict, w: dict) -> None:
    if not isinstance(w, dict) or w.get("method") not in ("direct", "ahp"):
        raise InputError(Message("model.err.modeledit.expected_weights_edit"), field="weights")
    keep = {k: v for k, v in m["weights"].items() if k in ("groups", "source", "ahp_method")}
    if w["method"] == "direct":
        values = w.get("values")
        if not isinstance(values, dict):
            raise InputError(Message("model.err.modeledit.expected_node_weight"), field="weights.values")
        for k, v in values.items():
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise InputError(Message("model.err.modeledit.expected_number",
                                         value=v), field=f"weights.values.{k}")
        m["weights"] = {"method": "direct", "values": values, **keep}
    else:
        m["weights"] = {"method": "ahp", "criteria": w.get("criteria"), "matrix": w.get("matrix"), **keep}


def _rules_known(m: dict, rules: dict) -> None:
    if not isinstance(rules, dict):
        raise InputError(Message("model.err.modeledit.expected_constraint_true_false"), field="rules")
    ids = [c.get("id") for c in m.get("constraints", [])]
    for cid, on in rules.items():
        if cid not in ids:
            raise InputError(Message("model.err.modeledit.constraint_constraints",
                                     constraint=cid, constraints=', '.join(ids)), field=f"rules.{cid}")
        if not isinstance(on, bool):
            raise InputError(Message("model.err.modeledit.expected_true_false", value=on), field=f"rules.{cid}")


def _field_by_id(field: str | None, m: dict) -> str | None:
    """``constraints[3].limit`` -> ``constraints.slope_max_15.limit`` (the editor knows rules by id)."""
    if not field:
        return field
    hit = re.match(r"^(criteria|constraints)\[(\d+)\](.*)$", field)
    if not hit:
        return field
    kind, i, rest = hit.group(1), int(hit.group(2)), hit.group(3)
    items = m.get(kind) or []
    if i < len(items) and items[i].get("id"):
        return f"{kind}.{items[i]['id']}{rest}"
    return field


def check(model_dict: dict, *, allow_inconsistent: bool = False, source: str = "<model>") -> dict:
    """Global weights and the top level's AHP numbers of a validated model dict.

    Raises WeightsError (field ``weights``) for a bad matrix, InconsistentJudgementsError for CR > 0.1
    unless ``allow_inconsistent``."""
    model = model_from_dict(model_dict, source=source)
    try:
        res = resolve(model, allow_inconsistent=allow_inconsistent, source=source)
    except KawasanError as e:
        if e.field is None:
            e.field = "weights"
        raise
    top = res.levels[0]
    ahp = _ahp_numbers(top)
    if ahp is None and model.weights.method == "ahp":  # a single-node level has no consistency numbers
        ahp = {"lambda_max": 1.0, "ci": 0.0, "cr": 0.0, "consistent": True, "n": 1}
    return {"weights": res.weights, "top": top.get("weights") or {}, "ahp": ahp}


__all__ = ["editor_view", "apply_edits", "check", "CR_LIMIT"]
