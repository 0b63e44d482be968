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
        raise ValueError(f"{what} {value:g} exceeds the limit max_distance_m = {allowed:,.0f} metres; "
                         f"set {LIMITS['max_distance_m'].env} to raise it")
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
            raise ValueError(f"'high' ({self.high}) must be greater than 'low' ({self.low})")
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
            raise ValueError(f"need low <= peak <= high and low < high; got {self.low}, {self.peak}, {self.high}")
        return self


class Piecewise(_Strict):
    type: Literal["piecewise"]
    points: list[tuple[float, float]] = Field(min_length=2)

    @field_validator("points")
    @classmethod
    def _points(cls, pts):
        xs = [p[0] for p in pts]
        if any(b <= a for a, b in zip(xs, xs[1:])):
            raise ValueError(f"control point x values must be strictly ascending; got {xs}")
        bad = [p[1] for p in pts if not 0.0 <= p[1] <= 1.0]
        if bad:
            raise ValueError(f"control point y values must lie in [0, 1]; got {bad}")
        return pts


def _check_scale(scale):
    if not scale[1] > scale[0]:
        raise ValueError(f"scale must be [min, max] with max > min; got {list(scale)}")
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
            raise ValueError(f"scores {bad} lie outside scale {list(self.scale)}")
        if self.unlisted != "nodata" and not lo <= float(self.unlisted) <= hi:
            raise ValueError(f"'unlisted' score {self.unlisted} lies outside scale {list(self.scale)}")
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
                raise ValueError(f"range min {r.min} must be below max {r.max}")
            if not lo <= r.score <= hi:
                raise ValueError(f"score {r.score} lies outside scale {list(self.scale)}")
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
            raise ValueError("'also' adds features to a distance; it needs measure: distance")
        for f in self.fallback:
            if f.layer == self.layer and f.where == self.where and f.values is None:
                raise ValueError(f"fallback layer '{f.layer}' is the rule's own layer with the same filter")

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
            raise ValueError("a distance criterion needs a finite 'max_distance' (map units, e.g. metres)")
        if self.measure != "distance" and self.max_distance is not None:
            raise ValueError("'max_distance' applies only to measure: distance")
        if isinstance(self.transform, Categories) and self.measure != "value":
            raise ValueError("a 'categories' transform needs measure: value on a categorical layer")
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
            raise ValueError("give 'values' or a numeric range ('above', 'at_most'), not both")
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
                raise ValueError(f"setback class '{k}' must be an identifier (a-z0-9_) other than '{NO_SETBACK}'")
            if isinstance(v, (int, float)) and not v > 0:
                raise ValueError(f"setback distance of class '{k}' must be positive; got {v}")
            if isinstance(v, (int, float)):
                _bounded_distance(v, f"setback distance of class '{k}'")
        names = set(self.distances)
        for i, c in enumerate(self.classify):
            if c.class_ not in names and c.class_ != NO_SETBACK:
                raise ValueError(f"classify[{i}] gives class '{c.class_}', which 'distances' does not list "
                                 f"(classes: {', '.join(sorted(names))})")
        if self.default is not None and self.default not in names:
            raise ValueError(f"default class '{self.default}' is not in 'distances' ({', '.join(sorted(names))})")
        if not self.classify and self.default is None and len(names) > 1:
            raise ValueError("with several classes, give 'classify' steps or a 'default' class")
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
            raise ValueError("'setback' belongs to rule: setback")
        if r in ("exclude_categories", "require_categories"):
            if not self.values:
                raise ValueError(f"rule '{r}' needs a non-empty 'values' list")
        elif r in ("exclude_within", "exclude_beyond"):
            if self.distance is None:
                raise ValueError(f"rule '{r}' needs 'distance' (map units, e.g. metres)")
            self.measure = "distance"
        elif r == "setback":
            if self.setback is None:
                raise ValueError("rule 'setback' needs 'setback' (distances by class, and how features are classed)")
            if self.distance is not None:
                raise ValueError("rule 'setback' takes its distances from 'setback.distances', not 'distance'")
            self.measure = "distance"
        else:
            if self.limit is None:
                raise ValueError(f"rule '{r}' needs 'limit'")
            if self.measure == "distance":
                raise ValueError(f"rule '{r}' takes measure value, slope_percent or slope_degrees; use exclude_within/exclude_beyond for distances")
        if r == "setback" and self.also:
            raise ValueError("a setback is drawn around the features of its own layer; 'also' is not taken")
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
            raise ValueError("give exactly one of 'file' (CSV) or 'matrix' (rows)")
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
                raise ValueError("method 'direct' needs 'values' (node -> weight)")
            for k in ("matrix", "file", "matrices"):
                if getattr(self, k) is not None:
                    raise ValueError(f"'{k}' belongs to method 'ahp', not 'direct'")
        else:
            given = [k for k in ("matrix", "file", "matrices") if getattr(self, k) is not None]
            if len(given) != 1:
                raise ValueError("method 'ahp' needs exactly one of 'matrix', 'file' or 'matrices' (group AHP)")
            if self.values is not None:
                raise ValueError("'values' belongs to method 'direct', not 'ahp'")
            if given[0] != "file" and not self.criteria:
                raise ValueError("method 'ahp' with an inline matrix needs 'criteria' (the row/column order)")
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
                raise ValueError("method 'owa' needs exactly one of 'order_weights' or 'risk' (RIM quantifier exponent)")
            if self.order_weights is not None:
                if any(v < 0 for v in self.order_weights) or sum(self.order_weights) <= 0:
                    raise ValueError("order_weights must be non-negative and not all zero")
        elif self.method == "fuzzy":
            if self.operator is None:
                raise ValueError("method 'fuzzy' needs 'operator' (and, or, product, sum, gamma)")
            if self.operator == "gamma" and self.gamma is None:
                raise ValueError("operator 'gamma' needs 'gamma' in [0, 1]")
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
            raise ValueError(f"breaks must be 4 strictly descending values in (0, 1) for S1/S2/S3/N1; got {b}")
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
            raise ValueError(f"plots_target ({self.plots_target}) is above plots_max ({self.plots_max})")
        if self.plots_target + self.green_min + self.roads_min > 1 + 1e-9:
            raise ValueError("plots_target + green_min + roads_min exceed the whole site (1.0)")
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
            raise ValueError(f"site option ids must be unique; repeated: {dup}")
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
            raise ValueError(f"criterion ids must be unique; repeated: {dup}")
        cids = [c.id for c in self.constraints]
        dup = sorted({i for i in cids if cids.count(i) > 1})
        if dup:
            raise ValueError(f"constraint ids must be unique; repeated: {dup}")
        for where, items in (("criteria", self.criteria), ("constraints", self.constraints)):
            for i, item in enumerate(items):
                for layer in item.layers_read():
                    if layer not in self.layers:
                        raise ValueError(
                            f"{where}[{i}] ('{item.id}') refers to layer '{layer}', which is not declared in "
                            f"'layers' (declared: {', '.join(sorted(self.layers))})"
                        )
                spec = self.layers[item.layer]
                if item.measure.startswith("slope") and spec.type != "continuous":
                    raise ValueError(f"{where}[{i}] ('{item.id}'): slope needs a continuous DEM layer, '{item.layer}' is {spec.type}")
        for i, c in enumerate(self.criteria):
            spec = self.layers[c.layer]
            if isinstance(c.transform, Categories) and spec.type != "categorical":
                raise ValueError(f"criteria[{i}] ('{c.id}'): a 'categories' transform needs a categorical layer; '{c.layer}' is {spec.type}")
        if self.aggregation.method == "owa" and self.aggregation.order_weights is not None:
            if len(self.aggregation.order_weights) != len(self.criteria):
                raise ValueError(
                    f"aggregation.order_weights has {len(self.aggregation.order_weights)} values for {len(self.criteria)} criteria"
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


def _explain(err: dict) -> str:
    kind = err.get("type")
    if kind == "extra_forbidden":
        return "unknown key (not part of the model schema; see docs/reference/model.md)"
    if kind == "missing":
        return "required key is missing"
    msg = err.get("msg", "")
    msg = re.sub(r"^Value error, ", "", msg)
    inp = err.get("input")
    if kind and ("type" in kind or "parsing" in kind) and not isinstance(inp, (dict, list)):
        return f"{msg}; got {inp!r}"
    return msg


def model_from_dict(data: dict, *, source: str = "<model>") -> Model:
    """Validate a model dictionary; raise ModelError naming the field on the first problem(s)."""
    if not isinstance(data, dict):
        raise ModelError(f"expected a mapping at the top level, got {type(data).__name__}", source=source)
    _check_text_sizes(data, source)
    try:
        return Model.model_validate(data)
    except ValidationError as exc:
        errs = exc.errors()
        first = errs[0]
        field = _format_loc(first["loc"]) or None
        more = f" (and {len(errs) - 1} more problem(s): " + "; ".join(
            f"{_format_loc(e['loc']) or '<top>'}: {_explain(e)}" for e in errs[1:4]
        ) + ")" if len(errs) > 1 else ""
        raise ModelError(_explain(first) + more, source=source, field=field) from None


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
        from kawasan.i18n import Message

        raise ModelError(Message("err.model_not_found"), source=str(p))
    text = guarded.read_text(p, error=ModelError, what="model file", limit="model_file_bytes")
    fmt = "toml" if p.suffix.lower() == ".toml" else "yaml"
    return guarded.parse_mapping(text, fmt, source=str(p), error=ModelError), p


def load_model(path: str | Path) -> Model:
    data, p = read_model_file(path)
    return model_from_dict(data, source=str(p))
