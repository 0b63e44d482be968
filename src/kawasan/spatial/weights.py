"""Resolve a model's weight tree into one global weight per criterion.

The tree has two levels: top-level nodes are the criteria without a ``group`` and
the group names; each group weighs its member criteria. A criterion's global weight
is the product of its group's top-level weight and its weight inside the group
(Saaty 1980, hierarchic composition). Each level is weighted directly (normalised
to sum 1) or by AHP (principal eigenvector of a pairwise matrix on Saaty's 1-9
scale, CR <= 0.1 unless allowed), or by group AHP (element-wise geometric mean of
several agencies' matrices, Aczél & Saaty 1983).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kawasan.errors import WeightsError
from kawasan.i18n import Message
from kawasan.spatial import ahp
from kawasan.spatial.model import Model, WeightSpec


@dataclass
class ResolvedWeights:
    weights: dict[str, float]                       # criterion id -> global weight (sums to 1)
    levels: list[dict] = field(default_factory=list)  # per node: local weights, method, AHP numbers
    skipped: dict[str, float] = field(default_factory=dict)  # criteria skipped (optional layer missing): weight before

    def to_dict(self) -> dict:
        out = {"global": self.weights, "levels": self.levels}
        if self.skipped:
            out["skipped"] = self.skipped
        return out


def _nodes(model: Model) -> tuple[list[str], dict[str, list[str]]]:
    top, groups = [], {}
    for c in model.criteria:
        if c.group:
            if c.group not in groups:
                groups[c.group] = []
                top.append(c.group)
            groups[c.group].append(c.id)
        else:
            top.append(c.id)
    return top, groups


def _matrix_rows(rows, names, source):
    n = len(names)
    if len(rows) != n or any(len(r) != n for r in rows):
        raise WeightsError(
            Message("run.err.weights.pairwise_matrix_must_square", size=n, criteria=', '.join(names), n_rows=len(rows),
                    lengths=sorted({len(r) for r in rows})),
            source=source,
        )
    return np.array([[ahp.parse_judgement(v, source=source) for v in r] for r in rows], dtype=float)


def _resolve_level(spec: WeightSpec, nodes: list[str], *, where: str, base_dir: Path, allow_inconsistent: bool,
                   source: str) -> tuple[dict[str, float], dict]:
    label = f"{source}: weights{'' if where == 'top' else '.groups.' + where}"
    if spec.method == "direct":
        vals = {str(k): float(v) for k, v in spec.values.items()}
        _same_nodes(set(vals), nodes, label)
        neg = {k: v for k, v in vals.items() if v < 0 or not np.isfinite(v)}
        if neg:
            raise WeightsError(Message("run.err.weights.weights_must_finite_non", neg=neg), source=label)
        total = sum(vals.values())
        if total <= 0:
            raise WeightsError(Message("run.err.weights.all_weights_are_zero"), source=label)
        local = {k: vals[k] / total for k in nodes}
        return local, {"level": where, "method": "direct", "weights": local, "given": vals}

    # AHP
    if spec.file is not None:
        path = (base_dir / spec.file) if not Path(spec.file).is_absolute() else Path(spec.file)
        mats = [(str(path), *ahp.read_matrix_csv(path))]
    elif spec.matrix is not None:
        names = tuple(spec.criteria)
        mats = [(label, _matrix_rows(spec.matrix, names, label), names)]
    else:
        mats = []
        for i, pm in enumerate(spec.matrices):
            who = pm.name or f"matrix {i + 1}"
            if pm.file is not None:
                path = (base_dir / pm.file) if not Path(pm.file).is_absolute() else Path(pm.file)
                mats.append((f"{path} ({who})", *ahp.read_matrix_csv(path)))
            else:
                if not spec.criteria:
                    raise WeightsError(Message("run.err.weights.group_ahp_with_inline"), source=label)
                names = tuple(spec.criteria)
                mats.append((f"{label} ({who})", _matrix_rows(pm.matrix, names, f"{label} ({who})"), names))
    ref_names = mats[0][2]
    _same_nodes(set(ref_names), nodes, mats[0][0])
    aligned, per_member = [], []
    for src, m, names in mats:
        if set(names) != set(ref_names):
            raise WeightsError(Message("run.err.weights.criteria_differ_from_other", criteria=sorted(names),
                                       expected=sorted(ref_names)), source=src)
        m = ahp.validate_matrix(m, names, source=src)
        order = [names.index(n) for n in ref_names]
        m = m[np.ix_(order, order)]
        member = ahp.ahp_weights(m, ref_names, method=spec.ahp_method, source=src)
        per_member.append({"source": src, **member.to_dict()})
        aligned.append(m)
    combined = ahp.group_matrix(aligned) if len(aligned) > 1 else aligned[0]
    res = ahp.ahp_weights(combined, ref_names, method=spec.ahp_method, source=label)
    ahp.check_consistency(res, allow_inconsistent=allow_inconsistent, source=label)
    local = {n: float(w) for n, w in zip(ref_names, res.weights)}
    info = {"level": where, **res.to_dict(), "ahp_method": res.method,
            "method": "group_ahp" if len(aligned) > 1 else "ahp", "weights": local}
    if len(aligned) > 1:
        info["members"] = per_member
    return {k: local[k] for k in nodes}, info


def _same_nodes(given: set[str], nodes: list[str], label: str) -> None:
    missing = [n for n in nodes if n not in given]
    extra = sorted(given - set(nodes))
    if missing or extra:
        raise WeightsError(Message("run.err.weights.cover_exactly", nodes=nodes,
                                   missing=Message("run.err.weights.missing", names=missing) if missing else "",
                                   sep="; " if missing and extra else "",
                                   extra=Message("run.err.weights.unknown", names=extra) if extra else ""),
                           source=label)


def resolve(model: Model, *, base_dir: Path = Path("."), allow_inconsistent: bool = False,
            source: str = "<model>") -> ResolvedWeights:
    top, groups = _nodes(model)
    for g in model.weights.groups:
        if g not in groups:
            raise WeightsError(Message("run.err.weights.weights_groups_but_criterion", group=g), source=source)
    top_local, info = _resolve_level(model.weights, top, where="top", base_dir=base_dir,
                                     allow_inconsistent=allow_inconsistent, source=source)
    levels = [info]
    glob: dict[str, float] = {}
    for node, w in top_local.items():
        if node in groups:
            members = groups[node]
            spec = model.weights.groups.get(node)
            if spec is None:
                if len(members) > 1:
                    raise WeightsError(
                        Message("run.err.weights.group_criteria_but_entry", node=node, n_members=len(members),
                                members=members),
                        source=source,
                    )
                local = {members[0]: 1.0}
            else:
                local, ginfo = _resolve_level(spec, members, where=node, base_dir=base_dir,
                                              allow_inconsistent=allow_inconsistent, source=source)
                levels.append(ginfo)
            for m, lw in local.items():
                glob[m] = w * lw
        else:
            glob[node] = w
    total = sum(glob.values())
    glob = {k: v / total for k, v in sorted(glob.items())}
    return ResolvedWeights(glob, levels)
