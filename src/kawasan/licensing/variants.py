"""Template options: from a template with choices to the concrete path of one project.

A template may offer options (``Template.options``): the land route, the licensing
authority, the regulation regime. Each has a few values, each value its legal basis. An
option is either chosen by the user (``--option land=public_interest``; otherwise its
``default``) or by the application date (the regime: the choice whose
``applies_from``..``applies_until`` covers the date).

Resolution, for one set of values:

1. a stage is kept when its ``when`` holds: for every option key it names, the chosen value
   is one of the listed values (a stage without ``when`` is always kept);
2. each of the stage's ``overrides`` whose ``when`` holds replaces the fields it gives, in
   the order written (a later override wins);
3. the concrete template has no options left; ``chosen`` records each value with how it
   was chosen and its legal basis, and ``application_date`` the date used.

:func:`choose_variant` does this for a project; :func:`combinations` lists every set of
values so that :func:`~kawasan.licensing.templates.validate_template` can check them all.
"""
from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import date

from kawasan.errors import InputError
from kawasan.i18n import Message
from kawasan.licensing.templates import ChosenOption, Stage, Template, TemplateOption


def holds(condition: Mapping[str, list[str]], values: Mapping[str, str]) -> bool:
    """True when every option named in ``condition`` has one of its listed values."""
    return all(values.get(key) in allowed for key, allowed in condition.items())


def concrete_stage(stage: Stage, values: Mapping[str, str]) -> Stage:
    """The stage with the overrides that apply to ``values``, without its ``when`` and ``overrides``."""
    fields: dict = {"when": {}, "overrides": []}
    for change in stage.overrides:
        if holds(change.when, values):
            fields.update(change.changes())
    return stage.model_copy(update=fields)


def concrete_stages(template: Template, values: Mapping[str, str]) -> list[Stage]:
    """The stages kept for ``values``, each with its overrides applied."""
    return [concrete_stage(s, values) for s in template.stages if holds(s.when, values)]


def combinations(template: Template) -> list[dict[str, str]]:
    """Every set of option values (one dict per combination; ``[{}]`` for a template without options)."""
    keys = [o.key for o in template.options]
    return [dict(zip(keys, vals)) for vals in itertools.product(*(o.values for o in template.options))]


def by_date(option: TemplateOption, day: date | None) -> str:
    """The value of a date-chosen option for an application on ``day`` (None: the rules in force now, the last)."""
    if day is None:
        return option.choices[-1].value
    return next(c.value for c in option.choices if c.covers(day))


def _selection(template: Template, options: Mapping[str, str], application_date: date | None
               ) -> list[tuple[TemplateOption, str, str]]:
    """(option, value, how it was chosen) for every option; unknown keys and values are refused."""
    known = {o.key: o for o in template.options}
    for key, value in options.items():
        if key not in known:
            raise InputError(Message("licensing.err.no_option", template=template.name, option=key,
                                     options=", ".join(known) or Message("licensing.err.none")),
                             source=f"template {template.name}", field="option")
        opt = known[key]
        if opt.chosen_by == "application_date":
            raise InputError(Message("licensing.err.option_by_date", option=key, template=template.name),
                             source=f"template {template.name}", field="option")
        if value not in opt.values:
            raise InputError(Message("licensing.err.no_value", option=key, value=value, values=", ".join(opt.values)),
                             source=f"template {template.name}", field="option")
    out = []
    for opt in template.options:
        if opt.chosen_by == "application_date":
            out.append((opt, by_date(opt, application_date), "application_date"))
        elif opt.key in options:
            out.append((opt, options[opt.key], "user"))
        else:
            out.append((opt, opt.default, "default"))
    return out


def choose_variant(template: Template, options: Mapping[str, str] | None = None,
                   application_date: date | None = None) -> Template:
    """The concrete template for these option values and application date (rules in the module doc).

    A template without options is returned as it is (with ``application_date`` recorded);
    giving options to it is refused, naming the options it has (none).
    """
    options = dict(options or {})
    if not template.options:
        if options:
            raise InputError(Message("licensing.err.no_options", template=template.name, options=", ".join(options)),
                             source=f"template {template.name}", field="option")
        if application_date is None or template.application_date is not None:
            return template
        return template.model_copy(update={"application_date": application_date})
    picked = _selection(template, options, application_date)
    values = {opt.key: value for opt, value, _ in picked}
    chosen = [ChosenOption(key=opt.key, value=value, label=opt.label, choice_label=opt.choice(value).label,
                           chosen_by=how, legal_basis=opt.choice(value).legal_basis) for opt, value, how in picked]
    return template.model_copy(update={"stages": concrete_stages(template, values), "options": [],
                                       "chosen": chosen, "application_date": application_date})


def defaults(template: Template) -> dict[str, str]:
    """The value every option takes when nothing is chosen (date options: the rules in force now)."""
    return {opt.key: value for opt, value, _ in _selection(template, {}, None)}
