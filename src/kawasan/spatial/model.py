"""The suitability model: a validated, serialisable description of one analysis.

A model file (YAML or TOML) declares input layers, criteria (layer, measure,
transform, direction), constraints (rule, legal basis, certainty), weights (direct,
AHP, group AHP, hierarchy), aggregation and output classes. The schema is enforced
with pydantic; every error names the file and the field path. docs/reference/model.md
is checked against this module by tests/test_docs.py.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Annotated, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kawasan.errors import ModelError
from kawasan.i18n import Message

IDENT = r"^[a-z][a-z0-9_]*$"
Certainty = Literal["V", "P", "U", "NOT FOUND", "design"]
CERTAINTY_MEANING = {
    "V": "verified in the cited source",
    "P": "partly corroborated",
    "U": "unverified: check the official text before relying on it",
    "NOT FOUND": "no source located",
    "design": "kawasan design default, not a legal rule",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, allow_inf_nan=False)


def _bounded_distance(value: float | None, what: str) -> float | None:
    """A distance no larger than the limit ``max_distance_m`` (:mod:`kawasan.limits`): a larger one is a typo
    and would make the distance transforms scan the whole grid for nothing."""
    from kawasan.limits import LIMITS, limit

    allowed = limit("max_distance_m")
    if value is not None and value > allowed:
        raise ValueError(Message("model.err.exceeds_limit_max_distance",
                                 setting=what, value=value, allowed=allowed, variable=LIMITS['max_distance_m'].env))
    return value


Label = Union[str, dict[str, str]]


def label_text(label: Label | None, lang: str = "en", fallback: str = "") -> str:
    if label is None:
        return fallback
    if isinstance(label, str):
        return label
    return label.get(lang) or label.get("en") or next(iter(label.values()), fallback)


# --- layers -----------------------------------------------------------------------------------
class LayerSpec(_Strict):
    path: str
    kind: Literal["raster", "vector"] | None = None
    type: Literal["continuous", "categorical"] = "continuous"
    band: int = Field(1, ge=1)
    layer: str | None = None
    attribute: str | None = None
    categories: dict[int, str] | None = None
    optional: bool = False

    @model_validator(mode="after")
    def _infer_kind(self):
        if self.kind is None:
            suffix = Path(self.path).suffix.lower()
            self.kind = "vector" if suffix in {".gpkg", ".geojson", ".json", ".shp", ".fgb", ".parquet"} else "raster"
        return self


# --- transforms ---------------------------------------------------------------------------------
class Linear(_Strict):
    type: Literal["linear"]
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self):
        if not self.high > self.low:
            raise ValueError(Message("model.err.high_must_greater_than",
                                     high=self.high, low=self.low))
        return self


class Sigmoid(Linear):
    type: Literal["sigmoid"]


class Gaussian(_Strict):
    type: Literal["gaussian"]
    center: float
    width: float = Field(gt=0)


class Triangular(_Strict):
    type: Literal["triangular"]
    low: float
    peak: float
    high: float

    @model_validator(mode="after")
    def _order(self):
        if not (self.low <= self.peak <= self.high and self.low < self.high):
            raise ValueError(Message("model.err.need_low_peak_high",
                                     low=self.low, peak=self.peak, high=self.high))
        return self


class Piecewise(_Strict):
    type: Literal["piecewise"]
    points: list[tuple[float, float]] = Field(min_length=2)

    @field_validator("points")
    @classmethod
    def _points(cls, pts):
        xs = [p[0] for p in pts]
        if any(b <= a for a, b in zip(xs, xs[1:])):
            raise ValueError(Message("model.err.control_points_x_ascending", values=xs))
        bad = [p[1] for p in pts if not 0.0 <= p[1] <= 1.0]
        if bad:
            raise ValueError(Message("model.err.control_points_y_range", values=bad))
        return pts


def _check_scale(scale):
    if not scale[1] > scale[0]:
        raise ValueError(Message("model.err.scale_must_min_max", scale=list(scale)))
    return scale


class Categories(_Strict):
    type: Literal["categories"]
    values: dict[Union[int, str], float] = Field(min_length=1)
    scale: tuple[float, float] = (0.0, 1.0)
    unlisted: Union[Literal["nodata"], float] = "nodata"

    @model_validator(mode="after")
    def _scale(self):
        _check_scale(self.scale)
        lo, hi = self.scale
        bad = {k: v for k, v in self.values.items() if not lo <= v <= hi}
        if bad:
            raise ValueError(Message("model.err.scores_lie_outside_scale",
                                     scores=bad, scale=list(self.scale)))
        if self.unlisted != "nodata" and not lo <= float(self.unlisted) <= hi:
            raise ValueError(Message("model.err.unlisted_score_lies_outside",
                                     unlisted=self.unlisted, scale=list(self.scale)))
        return self


class Range(_Strict):
    min: float | None = None
    max: float | None = None
    score: float


class Ranges(_Strict):
    type: Literal["ranges"]
    ranges: list[Range] = Field(min_length=1)
    scale: tuple[float, float] = (0.0, 1.0)

    @model_validator(mode="after")
    def _check(self):
        _check_scale(self.scale)
        lo, hi = self.scale
        for r in self.ranges:
            if r.min is not None and r.max is not None and not r.max > r.min:
                raise ValueError(Message("model.err.range_min_must_below",
                                         min=r.min, max=r.max))
            if not lo <= r.score <= hi:
                raise ValueError(Message("model.err.score_lies_outside_scale",
                                         score=r.score, scale=list(self.scale)))
        return self


Transform = Annotated[
    Union[Linear, Sigmoid, Gaussian, Triangular, Piecewise, Categories, Ranges], Field(discriminator="type")
]
Measure = Literal["value", "distance", "slope_percent", "slope_degrees"]


class _Cited(_Strict):
    """The citation every rule carries: legal basis and note are text or {en, id}."""

    legal_basis: Label | None = None
    certainty: Certainty = "design"
    source: str | None = None
    note: Label | None = None


Where = dict[str, list[Union[str, int]]]


class FeatureSource(_Strict):
    """Another layer a rule reads: a fallback when the rule's own layer is missing (``fallback``), or
    more features for a distance (``also``). ``where`` and ``values`` default to the rule's own."""

    layer: str
    where: Where | None = None
    values: list[Union[str, int]] | None = None
    note: Label | None = None


class _Sourced(_Cited):
    """A rule or criterion reading one layer, with fallbacks and extra features."""

    id: str = Field(pattern=IDENT)
    label: Label | None = None
    layer: str
    measure: Measure = "value"
    where: Where | None = None
    fallback: list[FeatureSource] = Field(default_factory=list)
    also: list[FeatureSource] = Field(default_factory=list)

    def _check_sources(self) -> None:
        """Called by the subclasses once ``measure`` is final."""
        if self.also and self.measure != "distance":
            raise ValueError(Message("model.err.also_adds_features_distance"))
        for f in self.fallback:
            if f.layer == self.layer and f.where == self.where and f.values is None:
                raise ValueError(Message("model.err.fallback_layer_rule_own",
                                         layer=f.layer))

    def layers_read(self) -> list[str]:
        return [self.layer, *(f.layer for f in self.fallback), *(f.layer for f in self.also)]


class Criterion(_Sourced):
    max_distance: float | None = Field(None, gt=0)
    transform: Transform
    direction: Literal["benefit", "cost"] = "benefit"
    group: str | None = Field(None, pattern=IDENT)

    @field_validator("max_distance")
    @classmethod
    def _max_distance_bounded(cls, v):
        return _bounded_distance(v, "max_distance")

    @model_validator(mode="after")
    def _distance(self):
        if self.measure == "distance" and self.max_distance is None:
            raise ValueError(Message("model.err.distance_criterion_needs_finite"))
        if self.measure != "distance" and self.max_distance is not None:
            raise ValueError(Message("model.err.max_distance_applies_only"))
        if isinstance(self.transform, Categories) and self.measure != "value":
            raise ValueError(Message("model.err.categories_transform_needs_measure"))
        self._check_sources()
        return self


class SetbackDistance(_Strict):
    """A setback in metres that differs inside and outside urban areas."""

    rural: float = Field(gt=0)
    urban: float = Field(gt=0)

    @field_validator("rural", "urban")
    @classmethod
    def _bounded(cls, v, info):
        return _bounded_distance(v, f"setback distance ({info.field_name})")


class SetbackClassify(_Strict):
    """One step of sorting features into setback classes; the first step that matches a feature wins.

    It matches a feature whose ``attribute`` is one of ``values``, or lies above ``above`` / at most
    ``at_most`` (numbers), or, with none of these, holds any value. ``basis`` says where the class comes
    from (a catchment area, an agency class, an OpenStreetMap class); ``proxy`` marks a basis that is
    not the one the law names.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    attribute: str
    values: list[Union[str, int]] | None = None
    above: float | None = None
    at_most: float | None = None
    class_: str = Field(alias="class", pattern=IDENT)
    basis: Label
    proxy: bool = False

    @model_validator(mode="after")
    def _one_test(self):
        if self.values is not None and (self.above is not None or self.at_most is not None):
            raise ValueError(Message("model.err.give_values_numeric_range"))
        return self


class UrbanArea(_Strict):
    """Where the urban setbacks apply: the cells of ``layer`` in the categories ``values``."""

    layer: str
    values: list[Union[str, int]] = Field(min_length=1)
    note: Label | None = None


NO_SETBACK = "none"


class Setback(_Strict):
    """A setback (sempadan) whose width depends on the feature's class and on urban/rural land.

    A classify step may give the class ``none``: features that are not what the rule is about (a drain
    in a rivers layer) get no setback, and are counted as such.
    """

    distances: dict[str, Union[float, SetbackDistance]] = Field(min_length=1)
    classify: list[SetbackClassify] = Field(default_factory=list)
    default: str | None = None
    urban: UrbanArea | None = None

    @model_validator(mode="after")
    def _classes(self):
        for k, v in self.distances.items():
            if not re.match(IDENT, k) or k == NO_SETBACK:
                raise ValueError(Message("model.err.setback_class_must_identifier",
                                         setback_class=k, reserved=NO_SETBACK))
            if isinstance(v, (int, float)) and not v > 0:
                raise ValueError(Message("model.err.setback_distance_class_must",
                                         setback_class=k, value=v))
            if isinstance(v, (int, float)):
                _bounded_distance(v, f"setback distance of class '{k}'")
        names = set(self.distances)
        for i, c in enumerate(self.classify):
            if c.class_ not in names and c.class_ != NO_SETBACK:
                raise ValueError(Message("model.err.classify_gives_class_which",
                                         number=i, setback_class=c.class_, classes=', '.join(sorted(names))))
        if self.default is not None and self.default not in names:
            raise ValueError(Message("model.err.default_class_distances",
                                     default=self.default, classes=', '.join(sorted(names))))
        if not self.classify and self.default is None and len(names) > 1:
            raise ValueError(Message("model.err.several_classes_give_classify"))
        return self

    def metres(self, cls: str) -> tuple[float, float]:
        """(rural, urban) metres of one class."""
        d = self.distances[cls]
        return (float(d), float(d)) if isinstance(d, (int, float)) else (d.rural, d.urban)


ConstraintRule = Literal["exclude_categories", "require_categories", "exclude_within", "exclude_beyond",
                         "max_value", "min_value", "setback"]


class Constraint(_Sourced):
    rule: ConstraintRule
    values: list[Union[str, int]] | None = None
    distance: float | None = Field(None, gt=0)
    limit: float | None = None
    setback: Setback | None = None

    @field_validator("distance")
    @classmethod
    def _distance_bounded(cls, v):
        return _bounded_distance(v, "distance")
    skip_if_missing: bool = False
    enabled: bool = True
    skipped_notice: Label | None = None

    @model_validator(mode="after")
    def _params(self):
        r = self.rule
        if r != "setback" and self.setback is not None:
            raise ValueError(Message("model.err.setback_belongs_rule_setback"))
        if r in ("exclude_categories", "require_categories"):
            if not self.values:
                raise ValueError(Message("model.err.rule_needs_non_empty", rule=r))
        elif r in ("exclude_within", "exclude_beyond"):
            if self.distance is None:
                raise ValueError(Message("model.err.rule_needs_distance_map", rule=r))
            self.measure = "distance"
        elif r == "setback":
            if self.setback is None:
                raise ValueError(Message("model.err.rule_setback_needs_setback"))
            if self.distance is not None:
                raise ValueError(Message("model.err.rule_setback_takes_distances"))
            self.measure = "distance"
        else:
            if self.limit is None:
                raise ValueError(Message("model.err.rule_needs_limit", rule=r))
            if self.measure == "distance":
                raise ValueError(Message("model.err.rule_takes_measure_value", rule=r))
        if r == "setback" and self.also:
            raise ValueError(Message("model.err.setback_drawn_around_features"))
        self._check_sources()
        return self

    def layers_read(self) -> list[str]:
        urban = [self.setback.urban.layer] if self.setback is not None and self.setback.urban else []
        return [*super().layers_read(), *urban]


# --- weights --------------------------------------------------------------------------------------
class PairwiseMatrix(_Strict):
    name: str | None = None
    file: str | None = None
    matrix: list[list[Union[float, str]]] | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.file is None) == (self.matrix is None):
            raise ValueError(Message("model.err.give_exactly_one_file"))
        return self


class WeightSpec(_Strict):
    method: Literal["direct", "ahp"]
    values: dict[str, float] | None = None
    criteria: list[str] | None = None
    matrix: list[list[Union[float, str]]] | None = None
    file: str | None = None
    matrices: list[PairwiseMatrix] | None = None
    ahp_method: Literal["eigenvector", "geometric_mean"] = "eigenvector"
    source: Label | None = None

    @model_validator(mode="after")
    def _shape(self):
        if self.method == "direct":
            if not self.values:
                raise ValueError(Message("model.err.method_direct_needs_values"))
            for k in ("matrix", "file", "matrices"):
                if getattr(self, k) is not None:
                    raise ValueError(Message("model.err.belongs_method_ahp_direct",
                                             setting=k))
        else:
            given = [k for k in ("matrix", "file", "matrices") if getattr(self, k) is not None]
            if len(given) != 1:
                raise ValueError(Message("model.err.method_ahp_needs_exactly"))
            if self.values is not None:
                raise ValueError(Message("model.err.values_belongs_method_direct"))
            if given[0] != "file" and not self.criteria:
                raise ValueError(Message("model.err.method_ahp_inline_matrix"))
        return self


class Weights(WeightSpec):
    groups: dict[str, WeightSpec] = Field(default_factory=dict)


class Aggregation(_Strict):
    method: Literal["wlc", "owa", "fuzzy"] = "wlc"
    order_weights: list[float] | None = None
    risk: float | None = Field(None, gt=0)
    operator: Literal["and", "or", "product", "sum", "gamma"] | None = None
    gamma: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _check(self):
        if self.method == "owa":
            if (self.order_weights is None) == (self.risk is None):
                raise ValueError(Message("model.err.method_owa_needs_exactly"))
            if self.order_weights is not None:
                if any(v < 0 for v in self.order_weights) or sum(self.order_weights) <= 0:
                    raise ValueError(Message("model.err.order_weights_must_non"))
        elif self.method == "fuzzy":
            if self.operator is None:
                raise ValueError(Message("model.err.method_fuzzy_needs_operator"))
            if self.operator == "gamma" and self.gamma is None:
                raise ValueError(Message("model.err.operator_gamma_needs_gamma"))
        return self


#: Class words of the Undip weighted-overlay studies (see docs/glossary.md, "Suitability classes").
CLASS_CODES = {1: "S1", 2: "S2", 3: "S3", 4: "N1", 5: "N2", 6: "excluded", 0: "nodata"}
CLASS_LABELS = {
    "S1": {"en": "highly suitable", "id": "sangat sesuai"},
    "S2": {"en": "suitable", "id": "sesuai"},
    "S3": {"en": "fairly suitable", "id": "cukup sesuai"},
    "N1": {"en": "poorly suitable", "id": "kurang sesuai"},
    "N2": {"en": "not suitable", "id": "tidak sesuai"},
    "excluded": {"en": "excluded by a rule", "id": "dikecualikan oleh aturan"},
    "nodata": {"en": "no data", "id": "tidak ada data"},
}


class Classes(_Strict):
    breaks: list[float] = Field(default_factory=lambda: [0.8, 0.6, 0.4, 0.2], min_length=4, max_length=4)

    @field_validator("breaks")
    @classmethod
    def _desc(cls, b):
        if any(not 0.0 < x < 1.0 for x in b) or any(y >= x for x, y in zip(b, b[1:])):
            raise ValueError(Message("model.err.breaks_must_strictly_descending", breaks=b))
        return b


class AreaOption(_Cited):
    """Another minimum area the law allows in stated conditions, chosen for one site extraction."""

    id: str = Field(pattern=IDENT)
    label: Label
    min_area_ha: float = Field(gt=0)
    max_area_ha: float | None = Field(None, gt=0)


class LandBudget(_Cited):
    """How a site's gross area divides (shares of the gross area): plots at most ``plots_max`` (better at
    most ``plots_target``), green space at least ``green_min``, roads and drains at least ``roads_min``."""

    plots_target: float = Field(gt=0, le=1)
    plots_max: float = Field(gt=0, le=1)
    green_min: float = Field(ge=0, le=1)
    roads_min: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _shares(self):
        if self.plots_target > self.plots_max:
            raise ValueError(Message("model.err.plots_target_above_plots",
                                     plots_target=self.plots_target, plots_max=self.plots_max))
        if self.plots_target + self.green_min + self.roads_min > 1 + 1e-9:
            raise ValueError(Message("model.err.plots_target_green_min"))
        return self


class SiteRules(_Cited):
    min_area_ha: float = Field(gt=0)
    max_area_ha: float | None = Field(None, gt=0)
    options: list[AreaOption] = Field(default_factory=list)
    land_budget: LandBudget | None = None

    @model_validator(mode="after")
    def _options(self):
        ids = [o.id for o in self.options]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(Message("model.err.site_option_ids_must", ids=dup))
        return self

    def option(self, oid: str) -> AreaOption | None:
        return next((o for o in self.options if o.id == oid), None)


class Model(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    title: Label | None = None
    description: str | None = None
    version: int = 1
    align: bool = False
    layers: dict[str, LayerSpec] = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)
    constraints: list[Constraint] = Field(default_factory=list)
    weights: Weights
    aggregation: Aggregation = Field(default_factory=Aggregation)
    classes: Classes = Field(default_factory=Classes)
    sites: SiteRules | None = None

    @model_validator(mode="after")
    def _references(self):
        ids = [c.id for c in self.criteria]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(Message("model.err.criterion_ids_must_unique", ids=dup))
        cids = [c.id for c in self.constraints]
        dup = sorted({i for i in cids if cids.count(i) > 1})
        if dup:
            raise ValueError(Message("model.err.constraint_ids_must_unique", ids=dup))
        for where, items in (("criteria", self.criteria), ("constraints", self.constraints)):
            for i, item in enumerate(items):
                for layer in item.layers_read():
                    if layer not in self.layers:
                        raise ValueError(
                            Message("model.err.refers_layer_which_declared", where=where, number=i, item_id=item.id,
                                    layer=layer, layers=', '.join(sorted(self.layers)))
                        )
                spec = self.layers[item.layer]
                if item.measure.startswith("slope") and spec.type != "continuous":
                    raise ValueError(Message("model.err.slope_needs_continuous_dem", where=where, number=i,
                                             item_id=item.id, layer=item.layer, layer_type=spec.type))
        for i, c in enumerate(self.criteria):
            spec = self.layers[c.layer]
            if isinstance(c.transform, Categories) and spec.type != "categorical":
                raise ValueError(Message("model.err.criteria_categories_transform_needs",
                                         number=i, criterion=c.id, layer=c.layer, layer_type=spec.type))
        if self.aggregation.method == "owa" and self.aggregation.order_weights is not None:
            if len(self.aggregation.order_weights) != len(self.criteria):
                raise ValueError(
                    Message("model.err.aggregation_order_weights_values",
                            n_order_weights=len(self.aggregation.order_weights), n_criteria=len(self.criteria))
                )
        return self

    # -- convenience -----------------------------------------------------------------------------
    def criterion(self, cid: str) -> Criterion:
        return next(c for c in self.criteria if c.id == cid)

    def constraint(self, cid: str) -> Constraint:
        return next(c for c in self.constraints if c.id == cid)

    def to_dict(self) -> dict:
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


# --- loading ------------------------------------------------------------------------------------
def _format_loc(loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("linear", "sigmoid", "gaussian", "triangular", "piecewise", "categories", "ranges", "str", "int",
                      "float", "literal['nodata']", "SetbackDistance") or "[" in str(part):
            continue  # discriminator or union-member tag in the path: not a key the user wrote
        else:
            out += ("." if out else "") + str(part)
    return out


def _explain(err: dict) -> Message | str:
    """One pydantic error as the user reads it: the model's own message (a validator's :class:`Message`), or
    pydantic's, from the catalogue when it has the error's type (English as pydantic writes it otherwise)."""
    kind = err.get("type")
    if kind == "extra_forbidden":
        return Message("model.err.unknown_key")
    if kind == "missing":
        return Message("model.err.missing_key")
    msg = pydantic_message(err)
    inp = err.get("input")
    if kind and ("type" in kind or "parsing" in kind) and not isinstance(inp, (dict, list)):
        return Message("model.err.got", message=msg, value=inp)
    return msg


def pydantic_message(err: dict) -> Message | str:
    """The message of one pydantic error (``ValidationError.errors()[i]``) in both languages.

    A validator that raised ``ValueError(Message(...))`` keeps its Message (pydantic's ``msg`` holds only its
    English); a pydantic error type the catalogue knows (``model.pydantic.<type>``, the texts of pydantic-core
    2.x) is filled with its context; any other stays pydantic's English.
    """
    from kawasan.i18n import has

    own = (err.get("ctx") or {}).get("error")
    if isinstance(own, Exception) and own.args and isinstance(own.args[0], Message):
        return own.args[0]
    key = f"model.pydantic.{err.get('type')}"
    if has(key):
        ctx = {k: v if isinstance(v, (int, float)) else str(v) for k, v in (err.get("ctx") or {}).items()}
        kind = f"model.pydantic.kind.{str(ctx.get('field_type', '')).lower()}"
        if has(kind):               # "Dictionary", "List": the kind of value pydantic names
            ctx["field_type"] = Message(kind)
        n = ctx.get("min_length", ctx.get("max_length"))
        items = Message("model.pydantic.word_item" if n == 1 else "model.pydantic.word_items")
        return Message(key, **{**ctx, "items": items})
    return re.sub(r"^Value error, ", "", err.get("msg", ""))


def _more_problems(errs: list[dict]) -> Message | str:
    """" (and 2 more problem(s): a.b: ...; c: ...)" for the errors after the first (at most three shown)."""
    if len(errs) < 2:
        return ""
    shown = None
    for e in reversed(errs[1:4]):
        one = Message("model.err.problem_at", field=_format_loc(e["loc"]) or "<top>", message=_explain(e))
        shown = one if shown is None else Message("model.err.problems_then", first=one, rest=shown)
    return Message("model.err.more_problems", count=len(errs) - 1, problems=shown)


def model_from_dict(data: dict, *, source: str = "<model>") -> Model:
    """Validate a model dictionary; raise ModelError naming the field on the first problem(s)."""
    if not isinstance(data, dict):
        raise ModelError(Message("model.err.expected_mapping_top_level",
                                 type=type(data).__name__), source=source)
    _check_text_sizes(data, source)
    try:
        return Model.model_validate(data)
    except ValidationError as exc:
        errs = exc.errors()
        first = errs[0]
        field = _format_loc(first["loc"]) or None
        raise ModelError(Message("model.err.first_problem", message=_explain(first), more=_more_problems(errs)),
                         source=source, field=field) from None


def _check_text_sizes(data, source: str, where: str = "") -> None:
    """Refuse any text in the model longer than the limit ``model_text_chars`` (a run folder copies the model)."""
    from kawasan.limits import check_limit

    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        field = f"{where}.{key}" if where and not isinstance(key, int) else f"{where}[{key}]" if where else str(key)
        if isinstance(value, str):
            check_limit("model_text_chars", len(value), source=source, field=field, error=ModelError)
        elif isinstance(value, (dict, list)):
            _check_text_sizes(value, source, field)


def read_model_file(path: str | Path) -> tuple[dict, Path]:
    """Parse a YAML (.yaml/.yml) or TOML (.toml) model file into a dict, through :mod:`kawasan.guarded`
    (binary, wrongly encoded, too deeply nested or too large files are a :class:`ModelError`)."""
    from kawasan import guarded

    p = Path(path)
    if not p.exists():
        raise ModelError(Message("err.model_not_found"), source=str(p))
    text = guarded.read_text(p, error=ModelError, what="model file", limit="model_file_bytes")
    fmt = "toml" if p.suffix.lower() == ".toml" else "yaml"
    return guarded.parse_mapping(text, fmt, source=str(p), error=ModelError), p


def load_model(path: str | Path) -> Model:
    data, p = read_model_file(path)
    return model_from_dict(data, source=str(p))
