"""Which layer a rule or criterion actually reads: its own, or a fallback (a proxy) when its own is missing.

A rule names the layer the law means (``layer``, e.g. the KLHK forest-area map ``kawasan_hutan``) and, in
``fallback``, layers that stand in for it when it is not in the study area (the land cover's forest
classes). The first candidate the study area can serve is read: its file exists and, for a vector layer,
it has every attribute the filter names. A fallback is a proxy and every output says so, with its note.
``also`` adds features of other layers to a distance (toll-road gates beside the roads) when the rule
reads its own layer.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from kawasan.errors import InputError, VectorError
from kawasan.i18n import LANGUAGES, Message, text_in
from kawasan.spatial.model import Constraint, Criterion, Label, label_text
from kawasan.spatial.studyarea import LayerStore

OWN = "source"
PROXY = "proxy"


@dataclass
class Source:
    """The layer one rule or criterion reads in this run."""

    layer: str
    where: dict | None
    values: list | None
    role: str                              # OWN or PROXY
    note: Label | None = None
    also: list[tuple[str, dict | None]] = field(default_factory=list)
    missing_also: list[str] = field(default_factory=list)
    tried: list[str] = field(default_factory=list)   # candidates passed over, and why

    def features(self) -> list[tuple[str, dict | None]]:
        """(layer, where) of every feature set a distance is measured to."""
        return [(self.layer, self.where), *self.also]

    def key(self, measure: str) -> tuple:
        """Sources with the same key measure the same thing."""
        def frozen(where):
            return tuple(sorted((k, tuple(map(str, v))) for k, v in where.items())) if where else None
        return (measure, tuple((layer, frozen(w)) for layer, w in self.features()))

    def record(self, store: LayerStore) -> dict:
        """What the manifest says about it."""
        out = {"layer": self.layer, "role": self.role}
        if self.where:
            out["where"] = self.where
        if self.note is not None:
            out["note"] = label_text(self.note, "en")
            out["note_id"] = label_text(self.note, "id")
        if self.also:
            out["also"] = [layer for layer, _ in self.also]
        if self.missing_also:
            out["also_missing"] = self.missing_also
        if self.tried:
            out["passed_over"] = self.tried
        basis = store.basis_of(self.layer, self.where)
        if basis:
            out["basis"] = basis
        return out


def resolve(item: Criterion | Constraint, store: LayerStore) -> Source | None:
    """The first candidate layer of ``item`` the study area can serve, or None when none can.

    Raises VectorError when a candidate's file exists but lacks an attribute the filter needs and no other
    candidate can serve (an earlier workspace: the message says to re-run kawasan data prepare).
    """
    own_values = getattr(item, "values", None)
    candidates = [(item.layer, item.where, own_values, OWN, None)]
    candidates += [(f.layer, f.where if f.where is not None else item.where,
                    f.values if f.values is not None else own_values, PROXY, f.note) for f in item.fallback]
    tried: list[str] = []
    lacking: list[str] = []
    for layer, where, values, role, note in candidates:
        why = store.unavailable(layer, where)
        if why is None:
            src = Source(layer, where, values, role, note, tried=tried)
            if role == OWN:
                for extra in item.also:
                    extra_where = extra.where
                    if store.unavailable(extra.layer, extra_where) is None:
                        src.also.append((extra.layer, extra_where))
                    else:
                        src.missing_also.append(extra.layer)
            return src
        tried.append(Message("run.note.sources.tried", layer=layer, why=why))
        if why != "not provided":
            lacking.append(Message("run.note.sources.layer_why", layer=layer, why=why))
    if lacking:
        raise VectorError(Message("run.err.sources.no_layer_readable", item_id=item.id,
                                  tried={lang: "; ".join(text_in(x, lang) for x in tried) for lang in LANGUAGES}),
                          source=str(store.area.root), field=item.id)
    return None


def missing_error(item: Criterion | Constraint, store: LayerStore, kind: str) -> InputError:
    """The error for a required item none of whose layers exists."""
    spec = store.model.layers[item.layer]
    alt = (Message("run.err.sources.nor_fallback", layers=", ".join(f.layer for f in item.fallback))
           if item.fallback else "")
    return InputError(Message("run.err.sources.needs_layer_but_file", kind=kind, item_id=item.id,
                              item_layer=item.layer, alt=alt),
                      source=str(store.area.path(spec)), field=f"layers.{item.layer}.path")
