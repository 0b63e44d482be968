"""Workflow templates: the licensing path of an estate as versioned data.

A template lists the responsible agencies and the stages of the path. Each stage has
Indonesian and English names, one lead agency, prerequisites, a legal basis with the
certainty tag of docs REGULATIONS.md (V verified, P partly corroborated, U unverified,
NOT FOUND, or "–" for a stage that is not a legal procedure), a duration in working days
(statutory where the law gives one, otherwise a min/likely/max estimate marked as such),
required documents, whether silence past the statutory deadline counts as approval (OSS
"fiktif positif"), what a clarification request does to the clock (pause or restart) and
which prerequisites the law allows it to overlap with (used by what-if).

A template may offer *options*: choices the law leaves to the case (the land route, the
licensing authority) or that the law makes by date (the regulation regime, chosen by the
application date). Each choice carries its legal basis; stages say ``when`` they apply and
``overrides`` change a stage's fields for some choices. :mod:`kawasan.licensing.variants`
turns a template and the chosen values into the concrete template a project copies.

Texts a user reads (citations, notes, the basis of a duration or overlap) are either one
text or ``{id, en}`` in Bahasa Indonesia and English; the shipped templates give both.

Templates are YAML or JSON files; two ship with kawasan (``builtin_names()``). Every
template passes :func:`validate_template`, which refuses duplicate ids, unknown
prerequisites, unknown or missing agencies, cycles (reporting the cycle itself), bad
durations, unknown keys and unknown option values, always naming the offending stage and
field; a template with options is checked in every combination of its choices.
"""
from __future__ import annotations

import functools
import heapq
import json
import re
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kawasan.errors import NotFoundError, TemplateError
from kawasan.i18n import Message

CERTAINTY_TAGS = ("V", "P", "U", "NOT FOUND", "–")
"""Certainty tags of REGULATIONS.md; "–" marks a stage that is not a legal procedure."""

MAX_STAGE_DAYS = 10_000
"""Longest duration a stage may have, in working days (about 40 years): more is a typo."""

AGENCY_LEVELS = ("national", "province", "regency", "system", "private", "other")
CLOCK_RULES = ("pause", "restart")

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_TAG_RE = re.compile(r"^(V|P|U|NOT FOUND|–)(\b|\s|$)")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LocalText(_Frozen):
    """A text in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: str = "en") -> str:
        return self.id if lang == "id" else self.en


Text = Union[LocalText, str]
"""A text a user reads: bilingual ``{id, en}`` or one text (user templates, spreadsheet imports)."""


def as_text(value: Text | None, lang: str = "en") -> str:
    """The text in ``lang`` (a plain text is the same in both languages)."""
    if isinstance(value, LocalText):
        return value.get(lang)
    return str(value or "")


def text_dict(value: Text | None) -> dict:
    """``{"id": ..., "en": ...}`` of a text (a plain text fills both)."""
    return {"id": as_text(value, "id"), "en": as_text(value, "en")}


def _not_blank(v):
    if isinstance(v, str) and not v.strip():
        raise ValueError(Message("licensing.err.templates.not_blank"))
    return v


def _numbers_as_text(v):
    """YAML reads ``version: 2`` or ``id: 3`` as numbers; accept them as the text they look like."""
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, list):
        return [str(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x for x in v]
    return v


def _check_tag(v: str) -> str:
    v = v.strip()
    if not _TAG_RE.match(v):
        raise ValueError(Message("licensing.err.templates.certainty_tag_must_start",
                                 value=v, certainty_tags=', '.join(CERTAINTY_TAGS)))
    return v


class LegalBasis(_Frozen):
    """The instrument a stage rests on (regulation and article), with its certainty tag."""

    citation: Text
    tag: str
    tag_note: Text = ""
    sources: list[str] = []
    note: Text = ""

    _tag = field_validator("tag")(lambda cls, v: _check_tag(v))
    _citation = field_validator("citation")(lambda cls, v: _not_blank(v))

    def text(self, lang: str = "en") -> str:
        """The citation in ``lang``."""
        return as_text(self.citation, lang)

    def tag_text(self, lang: str = "en") -> str:
        """The tag with what its codes cover: ``V; P (V: the articles; P: the cut-off date)``, or ``P: unclear``."""
        note = as_text(self.tag_note, lang)
        if not note:
            return self.tag
        if ";" not in self.tag and note.startswith(f"{self.tag}: "):
            return note
        return f"{self.tag} ({note})"

    @property
    def certainty(self) -> str:
        """The bare tag (V, P, U, NOT FOUND or –) without its qualifier."""
        return _TAG_RE.match(self.tag).group(1)


class Duration(_Frozen):
    """How long a stage takes, in working days.

    Either ``statutory_days`` (the deadline the law sets; fixed in the forecast) or an
    estimate ``min`` <= ``likely`` <= ``max`` (all >= 0; drawn from a Beta-PERT
    distribution in the Monte Carlo forecast). ``basis`` says where the number comes from,
    ``tag`` how certain it is.
    """

    statutory_days: int | None = Field(default=None, ge=0, le=MAX_STAGE_DAYS)
    min: float | None = Field(default=None, ge=0, le=MAX_STAGE_DAYS)
    likely: float | None = Field(default=None, ge=0, le=MAX_STAGE_DAYS)
    max: float | None = Field(default=None, ge=0, le=MAX_STAGE_DAYS)
    basis: Text = ""
    tag: str = "U"

    _tag = field_validator("tag")(lambda cls, v: _check_tag(v))

    @model_validator(mode="after")
    def _consistent(self):
        est = (self.min, self.likely, self.max)
        if self.statutory_days is not None:
            if any(v is not None for v in est):
                raise ValueError(Message("licensing.err.templates.give_either_statutory_days"))
            return self
        if any(v is None for v in est):
            missing = [n for n, v in zip(("min", "likely", "max"), est) if v is None]
            raise ValueError(Message("licensing.err.templates.estimate_needs_min_likely",
                                     missing=', '.join(missing)))
        if not (self.min <= self.likely <= self.max):
            raise ValueError(Message("licensing.err.templates.expected_min_likely_max",
                                     min=self.min, likely=self.likely, max=self.max))
        return self

    @property
    def is_estimate(self) -> bool:
        return self.statutory_days is None

    @property
    def low(self) -> float:
        return float(self.statutory_days if self.statutory_days is not None else self.min)

    @property
    def planned(self) -> float:
        """The duration used by the deterministic CPM: the statutory days or the likely estimate."""
        return float(self.statutory_days if self.statutory_days is not None else self.likely)

    @property
    def high(self) -> float:
        return float(self.statutory_days if self.statutory_days is not None else self.max)


class Overlap(_Frozen):
    """Permission to start a stage before one of its prerequisites is finished."""

    stage: str
    basis: Text
    tag: str

    _tag = field_validator("tag")(lambda cls, v: _check_tag(v))
    _text = field_validator("stage", mode="before")(lambda cls, v: _numbers_as_text(v))
    _basis = field_validator("basis")(lambda cls, v: _not_blank(v))


class Agency(_Frozen):
    """A responsible agency: an OPD, a ministry, Customs, the OSS system or a private party."""

    code: str = Field(min_length=1)
    name: LocalText
    level: Literal["national", "province", "regency", "system", "private", "other"] = "other"

    _text = field_validator("code", mode="before")(lambda cls, v: _numbers_as_text(v))


def _condition(v):
    """``when: {land: public_interest}`` or ``{land: [public_interest, small_scale]}``: values as a list of text."""
    if not isinstance(v, dict):
        return v
    return {str(k): _numbers_as_text(val if isinstance(val, list) else [val]) for k, val in v.items()}


class StageChange(_Frozen):
    """New values of some fields of a stage, for the option choices in ``when`` (``overrides`` of a stage).

    ``when`` maps option keys to the values it applies to; every key must match. Fields left
    out keep the stage's own value; a later override wins over an earlier one.
    """

    when: dict[str, list[str]] = Field(min_length=1)
    name: LocalText | None = None
    agency: str | None = Field(default=None, min_length=1)
    supporting_agencies: list[str] | None = None
    requires: list[str] | None = None
    legal_basis: LegalBasis | None = None
    duration: Duration | None = None
    documents: list[str] | None = None
    deemed_approval: bool | None = None
    clarification: Literal["pause", "restart"] | None = None
    may_overlap: list[Overlap] | None = None
    notes: Text | None = None

    _when = field_validator("when", mode="before")(lambda cls, v: _condition(v))
    _text = field_validator("agency", "requires", "supporting_agencies", mode="before")(
        lambda cls, v: _numbers_as_text(v))

    def changes(self) -> dict:
        """The fields this override sets (without ``when``)."""
        return {k: getattr(self, k) for k in type(self).model_fields if k != "when" and getattr(self, k) is not None}


class Stage(_Frozen):
    """One step of the licensing path."""

    id: str
    name: LocalText
    agency: str = Field(min_length=1)
    supporting_agencies: list[str] = []
    requires: list[str] = []
    legal_basis: LegalBasis
    duration: Duration
    documents: list[str] = []
    deemed_approval: bool = False
    clarification: Literal["pause", "restart"] = "pause"
    may_overlap: list[Overlap] = []
    notes: Text = ""
    when: dict[str, list[str]] = {}
    overrides: list[StageChange] = []

    _text = field_validator("id", "agency", "requires", "supporting_agencies", mode="before")(
        lambda cls, v: _numbers_as_text(v))
    _when = field_validator("when", mode="before")(lambda cls, v: _condition(v))

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID_RE.match(v):
            raise ValueError(Message("licensing.err.templates.stage_must_letters_digits",
                                     value=v))
        return v

    @model_validator(mode="after")
    def _deemed(self):
        if self.deemed_approval and self.duration.statutory_days is None:
            raise ValueError(Message("licensing.err.templates.deemed_approval_needs_duration"))
        return self


class OptionChoice(_Frozen):
    """One value of a template option, with the legal basis that makes it apply.

    For an option chosen by the application date, ``applies_from`` and ``applies_until``
    (inclusive) give the application dates the choice covers.
    """

    value: str
    label: LocalText
    legal_basis: LegalBasis
    applies_from: date | None = None
    applies_until: date | None = None

    _text = field_validator("value", mode="before")(lambda cls, v: _numbers_as_text(v))

    @field_validator("value")
    @classmethod
    def _value(cls, v: str) -> str:
        if not _ID_RE.match(v):
            raise ValueError(Message("licensing.err.templates.option_value_must_letters",
                                     value=v))
        return v

    def covers(self, day: date) -> bool:
        return (self.applies_from is None or day >= self.applies_from) and \
            (self.applies_until is None or day <= self.applies_until)


class TemplateOption(_Frozen):
    """A choice the template leaves open: made by the user (``default`` if not given) or by the application date."""

    key: str
    label: LocalText
    chosen_by: Literal["user", "application_date"] = "user"
    default: str | None = None
    choices: list[OptionChoice] = Field(min_length=1)
    note: Text = ""

    _text = field_validator("key", "default", mode="before")(lambda cls, v: _numbers_as_text(v))

    @field_validator("key")
    @classmethod
    def _key(cls, v: str) -> str:
        if not _ID_RE.match(v):
            raise ValueError(Message("licensing.err.templates.option_key_must_letters",
                                     value=v))
        return v

    @property
    def values(self) -> list[str]:
        return [c.value for c in self.choices]

    def choice(self, value: str) -> OptionChoice:
        for c in self.choices:
            if c.value == value:
                return c
        raise KeyError(value)


class ChosenOption(_Frozen):
    """An option value a concrete (project) template was made with, and why it applies."""

    key: str
    value: str
    label: LocalText
    choice_label: LocalText
    chosen_by: Literal["user", "default", "application_date"]
    legal_basis: LegalBasis


class Template(_Frozen):
    """A versioned licensing workflow: agencies, stages and the options that shape them."""

    name: str = Field(min_length=1)
    version: str = "1"
    title: LocalText
    description: Text = ""
    synthetic: bool = False
    agencies: list[Agency]
    stages: list[Stage]
    options: list[TemplateOption] = []
    chosen: list[ChosenOption] = []
    application_date: date | None = None

    _text = field_validator("name", "version", mode="before")(lambda cls, v: _numbers_as_text(v))

    def stage(self, stage_id: str) -> Stage:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise NotFoundError(Message("licensing.err.templates.unknown_stage_template", stage=stage_id,
                                    template=self.name, stages=', '.join(s.id for s in self.stages)),
                            source=f"template {self.name}", field="stage")

    def agency(self, code: str) -> Agency:
        for a in self.agencies:
            if a.code == code:
                return a
        raise NotFoundError(Message("licensing.err.templates.unknown_agency_template", agency=code, template=self.name,
                                    agencies=', '.join(a.code for a in self.agencies)), source=f"template {self.name}",
                            field="agency")

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.stages]

    def successors(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {s.id: [] for s in self.stages}
        for s in self.stages:
            for p in s.requires:
                out[p].append(s.id)
        return out

    def topological_order(self) -> list[str]:
        """Stage ids with every prerequisite before its dependants (template order breaks ties)."""
        return _topo(self.stages)

    def to_dict(self) -> dict:
        return self.model_dump(mode="json", exclude_defaults=False)


# --------------------------------------------------------------------------- validation

def _topo(stages) -> list[str]:
    indeg = {s.id: len(set(s.requires)) for s in stages}
    succ: dict[str, list[str]] = {s.id: [] for s in stages}
    for s in stages:
        for p in dict.fromkeys(s.requires):
            succ[p].append(s.id)
    pos = {s.id: i for i, s in enumerate(stages)}
    ready = [(pos[i], i) for i, d in indeg.items() if d == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        _, sid = heapq.heappop(ready)
        order.append(sid)
        for n in succ[sid]:
            indeg[n] -= 1
            if indeg[n] == 0:
                heapq.heappush(ready, (pos[n], n))
    return order


def find_cycle(requires: dict[str, list[str]]) -> list[str] | None:
    """A cycle in the prerequisite graph as a closed list of ids (``[a, b, a]``), or None.

    Iterative depth-first search with three colours; the cycle is read off the DFS stack.
    Each stage in the list is followed by a stage that requires it (prerequisite first).
    """
    succ: dict[str, list[str]] = {k: [] for k in requires}
    for sid, reqs in requires.items():
        for p in reqs:
            if p in succ:
                succ[p].append(sid)
    colour = dict.fromkeys(requires, 0)
    for root in requires:
        if colour[root]:
            continue
        stack = [(root, iter(succ[root]))]
        path = [root]
        colour[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = 2
                stack.pop()
                path.pop()
                continue
            if colour[nxt] == 1:
                return path[path.index(nxt):] + [nxt]
            if colour[nxt] == 0:
                colour[nxt] = 1
                stack.append((nxt, iter(succ[nxt])))
                path.append(nxt)
    return None


def _problem(source: str, stage: str | None, field: str, message: Message, context: str = "") -> TemplateError:
    """A TemplateError about one stage: "<option values>: stage <id>: <message>", in either language."""
    fld = f"stages[{stage}].{field}" if stage else field
    if stage:
        message = Message("licensing.err.templates.in_stage", stage=stage, message=message)
    if context:
        message = Message("licensing.err.templates.with_options", options=context, message=message)
    return TemplateError(message, source=source, field=fld)


def _loc_text(loc) -> str:
    return ".".join(str(x) for x in loc)


def _parse(data: dict, source: str) -> Template:
    """The pydantic model of a mapping; its first error as a TemplateError naming the stage and field."""
    raw_stages = data.get("stages")

    def stage_label(i) -> str:
        if isinstance(i, int) and i < len(raw_stages) and isinstance(raw_stages[i], dict) and raw_stages[i].get("id"):
            return str(raw_stages[i]["id"])
        return f"#{i + 1}" if isinstance(i, int) else str(i)

    try:
        return Template.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(x for x in err["loc"] if x not in ("LocalText", "str", "date"))  # union branches
        msg = _pydantic_message(err, loc)
        if loc and loc[0] == "stages" and len(loc) >= 2:
            raise _problem(source, stage_label(loc[1]), _loc_text(loc[2:]) or "stage", msg) from None
        if loc and loc[0] in ("agencies", "options") and len(loc) >= 2:
            kind = Message("licensing.err.templates.kind_agency" if loc[0] == "agencies"
                           else "licensing.err.templates.kind_option")
            raise TemplateError(Message("licensing.err.templates.list_item", kind=kind,
                                        number=loc[1] + 1 if isinstance(loc[1], int) else loc[1], message=msg),
                                source=source, field=_loc_text(loc)) from None
        raise TemplateError(msg, source=source, field=_loc_text(loc) or None) from None


def _pydantic_message(err: dict, loc: tuple) -> Message | str:
    """The message of one pydantic error: an unknown or missing key, a validator's own :class:`Message` (raised as
    ValueError) or pydantic's text (from the catalogue when it has the error's type), with the value it got."""
    from kawasan.spatial.model import pydantic_message   # the same texts as the model files' errors

    if err["type"] == "extra_forbidden":
        return Message("licensing.err.templates.unknown_key", key_name=loc[-1])
    if err["type"] == "missing":
        return Message("licensing.err.templates.missing_key", key_name=loc[-1])
    msg = pydantic_message(err)
    if "input" in err and err["type"] not in ("value_error",):
        return Message("licensing.err.templates.pydantic_got", message=msg, value=err["input"])
    return msg


def _check_options(tpl: Template, source: str) -> None:
    """Option keys and values unique, defaults among the values, date-chosen choices in order without gaps,
    and every ``when`` (of a stage or an override) naming known options and values."""
    keys: dict[str, TemplateOption] = {}
    for o in tpl.options:
        if o.key in keys:
            raise TemplateError(Message("licensing.err.templates.duplicate_option_key",
                                        option=o.key), source=source, field="options")
        keys[o.key] = o
        if len(set(o.values)) != len(o.values):
            dup = sorted({v for v in o.values if o.values.count(v) > 1})
            raise TemplateError(Message("licensing.err.templates.option_value_listed_twice",
                                        option=o.key, values=', '.join(dup)), source=source,
                                field=f"options[{o.key}].choices")
        if o.chosen_by == "user":
            if o.default not in o.values:
                raise TemplateError(Message("licensing.err.templates.option_default_one_values", option=o.key,
                                            default=o.default, values=', '.join(o.values)),
                                    source=source, field=f"options[{o.key}].default")
            if any(c.applies_from or c.applies_until for c in o.choices):
                raise TemplateError(Message("licensing.err.templates.option_applies_applies_until",
                                            option=o.key), source=source, field=f"options[{o.key}].choices")
        else:
            _check_date_ranges(o, source)
    for st in tpl.stages:
        conditions = [("when", st.when)] + [(f"overrides[{i}].when", ov.when) for i, ov in enumerate(st.overrides)]
        for field, cond in conditions:
            for key, values in cond.items():
                if key not in keys:
                    raise _problem(source, st.id, field, Message(
                        "licensing.err.templates.unknown_option", option=key,
                        options=", ".join(keys) or Message("licensing.err.templates.none")))
                bad = [v for v in values if v not in keys[key].values]
                if bad or not values:
                    raise _problem(source, st.id, field, Message(
                        "licensing.err.templates.option_has_no_value", option=key, value=(bad or [""])[0],
                        values=", ".join(keys[key].values)))


def _check_date_ranges(o: TemplateOption, source: str) -> None:
    """The choices of a date-chosen option cover every date once: sorted, the first open at the start, the last
    open at the end, each ``applies_from`` the day after the previous ``applies_until``."""
    field = f"options[{o.key}].choices"
    if o.default is not None:
        raise TemplateError(Message("licensing.err.templates.option_chosen_application_date",
                                    option=o.key),
                            source=source, field=f"options[{o.key}].default")
    first, last = o.choices[0], o.choices[-1]
    if first.applies_from is not None or last.applies_until is not None:
        raise TemplateError(Message("licensing.err.templates.option_first_choice_must",
                                    option=o.key), source=source, field=field)
    for prev, nxt in zip(o.choices, o.choices[1:]):
        if prev.applies_until is None or nxt.applies_from is None or \
                nxt.applies_from.toordinal() != prev.applies_until.toordinal() + 1:
            raise TemplateError(Message("licensing.err.templates.option_must_apply_day", option=o.key,
                                        next_value=nxt.value, previous_value=prev.value,
                                        applies_until=prev.applies_until, applies_from=nxt.applies_from),
                                source=source, field=field)


def _check_structure(agencies: list[Agency], stages: list[Stage], source: str, context: str = "") -> None:
    """Agencies, stage ids, prerequisites, overlaps and cycles of one concrete set of stages."""
    codes = {a.code for a in agencies}
    seen: set[str] = set()
    for s in stages:
        if s.id in seen:
            raise _problem(source, s.id, "id", Message("licensing.err.templates.duplicate_stage", stage=s.id),
                           context)
        seen.add(s.id)
    for s in stages:
        if s.agency not in codes:
            raise _problem(source, s.id, "agency", Message("licensing.err.templates.agency_not_listed",
                                                           agency=s.agency, agencies=", ".join(sorted(codes))),
                           context)
        for a in s.supporting_agencies:
            if a not in codes:
                raise _problem(source, s.id, "supporting_agencies", Message(
                    "licensing.err.templates.agency_not_listed", agency=a, agencies=", ".join(sorted(codes))),
                    context)
        for p in s.requires:
            if p == s.id:
                raise _problem(source, s.id, "requires",
                               Message("licensing.err.templates.requires_itself", stage=s.id), context)
            if p not in seen:
                raise _problem(source, s.id, "requires", Message(
                    "licensing.err.templates.unknown_prerequisite", prerequisite=p,
                    stages=", ".join(x.id for x in stages)), context)
        if len(set(s.requires)) != len(s.requires):
            dup = sorted({p for p in s.requires if s.requires.count(p) > 1})
            raise _problem(source, s.id, "requires",
                           Message("licensing.err.templates.prerequisite_twice", prerequisites=", ".join(dup)),
                           context)
        for o in s.may_overlap:
            if o.stage not in s.requires:
                raise _problem(source, s.id, "may_overlap", Message(
                    "licensing.err.templates.overlap_not_prerequisite", overlap=o.stage, stage=s.id,
                    requires=", ".join(s.requires) or Message("licensing.err.templates.none")), context)
    cycle = find_cycle({s.id: list(s.requires) for s in stages})
    if cycle:
        raise _problem(source, cycle[0], "requires",
                       Message("licensing.err.templates.cycle", cycle=" -> ".join(cycle)), context)


def validate_template(data: dict | Template, source: str = "template") -> Template:
    """Validate a template given as a mapping (or re-check a model) and return the model.

    Raises :class:`TemplateError` naming the stage and field: unknown keys, missing or
    malformed fields, bad durations (negative, or not min <= likely <= max), duplicate
    stage or agency codes, a stage agency not in the template's agency list, unknown
    prerequisites or overlap targets, and cycles (the message shows the cycle, e.g.
    ``G3 -> G5 -> G3``). Options: unknown option keys or values in ``when``, a default that
    is not a value, date-chosen choices with gaps or overlaps; and every combination of
    the choices must give a valid concrete template (the message names the combination).
    """
    from kawasan.licensing.variants import combinations, concrete_stages

    if isinstance(data, Template):
        data = data.model_dump(mode="json")
    if not isinstance(data, dict):
        raise TemplateError(Message("licensing.err.templates.template_must_mapping_name",
                                    type=type(data).__name__), source=source)
    if not isinstance(data.get("stages"), list) or not data.get("stages"):
        raise TemplateError(Message("licensing.err.templates.needs_stages"), source=source, field="stages")
    from kawasan.limits import check_limit

    check_limit("plan_stages", len(data["stages"]), source=source, field="stages", error=TemplateError)
    if not isinstance(data.get("agencies"), list) or not data.get("agencies"):
        raise TemplateError(Message("licensing.err.templates.needs_agencies"),
                            source=source, field="agencies")
    tpl = _parse(data, source)
    codes: set[str] = set()
    for a in tpl.agencies:
        if a.code in codes:
            raise TemplateError(Message("licensing.err.templates.duplicate_agency_code",
                                        agency=a.code), source=source, field="agencies")
        codes.add(a.code)
    _check_options(tpl, source)
    for values in combinations(tpl):
        context = ", ".join(f"{k}={v}" for k, v in values.items())
        _check_structure(tpl.agencies, concrete_stages(tpl, values), source, context)
    return tpl


# --------------------------------------------------------------------------- loading

def _read_mapping(path: Path) -> Any:
    """A template file parsed through :mod:`kawasan.guarded` (encoding, nesting, size: a TemplateError)."""
    from kawasan import guarded

    return guarded.read_mapping(path, error=TemplateError, what="template")


def load_template(path: str | Path) -> Template:
    """Read and validate a template from a YAML (.yaml/.yml) or JSON (.json) file.

    A .csv path is imported with :func:`kawasan.licensing.csvimport.import_csv` (name = file stem).
    """
    p = Path(path)
    if not p.is_file():
        raise TemplateError(Message("licensing.err.templates.file_found_expected_template"), source=str(p))
    if p.suffix.lower() == ".csv":
        from kawasan.licensing.csvimport import import_csv
        return import_csv(p, p.stem)
    if p.suffix.lower() not in (".yaml", ".yml", ".json"):
        raise TemplateError(Message("licensing.err.templates.unsupported_file_type_expected",
                                    suffix=p.suffix),
                            source=str(p))
    return validate_template(_read_mapping(p), source=str(p))


def _builtin_folder():
    return resources.files("kawasan.licensing").joinpath("templates")


def builtin_names() -> list[str]:
    """Names of the templates shipped with kawasan."""
    return sorted(f.name[:-5] for f in _builtin_folder().iterdir()
                  if f.name.endswith(".yaml") and not f.name.startswith("_"))


def builtin_template(name: str) -> Template:
    """A shipped template by name (``kawasan-industri``, ``apht``); read and checked once per process
    (templates are immutable, so the same object can be shared)."""
    names = builtin_names()
    if name not in names:
        raise NotFoundError(Message("licensing.err.templates.unknown_template_built_templates",
                                    template=name, templates=', '.join(names)),
                            source="templates", field="template")
    return _load_builtin(name)


@functools.lru_cache(maxsize=None)
def _load_builtin(name: str) -> Template:
    f = _builtin_folder().joinpath(f"{name}.yaml")
    data = yaml.load(f.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return validate_template(data, source=f"built-in template {name}")
