"""Licensing domain: workflow templates, stage states, Indonesian working-day clocks,
CPM/PERT forecast, what-if acceleration and roles.

Plain Python (pydantic, numpy, the ``holidays`` package); no database, CLI or web imports.
The storage layer and the CLI build on the names exported here.
"""
from kawasan.licensing.calendar import WorkingCalendar
from kawasan.licensing.clocks import StageClock, StageSnapshot, stage_clock
from kawasan.licensing.csvimport import import_csv
from kawasan.licensing.forecast import DEFAULT_UNBLOCK_DAYS, Forecast, StageForecast, forecast
from kawasan.licensing.roles import Role, can_act, can_read, parse_role, require_can_act, why_not
from kawasan.licensing.states import (
    StageStatus,
    allowed_transitions,
    check_transition,
    parse_status,
    reason_required,
)
from kawasan.licensing.templates import (
    Agency,
    ChosenOption,
    Duration,
    LegalBasis,
    LocalText,
    OptionChoice,
    Overlap,
    Stage,
    StageChange,
    Template,
    TemplateOption,
    as_text,
    builtin_names,
    builtin_template,
    load_template,
    text_dict,
    validate_template,
)
from kawasan.licensing.variants import choose_variant
from kawasan.licensing.whatif import Scenario, WhatIf, whatif

__all__ = [
    "Agency", "ChosenOption", "DEFAULT_UNBLOCK_DAYS", "Duration", "Forecast", "LegalBasis", "LocalText",
    "OptionChoice", "Overlap", "Role", "Scenario", "Stage", "StageChange", "StageClock", "StageForecast",
    "StageSnapshot", "StageStatus", "Template", "TemplateOption", "WhatIf", "WorkingCalendar",
    "allowed_transitions", "as_text", "builtin_names", "builtin_template", "can_act", "can_read",
    "check_transition", "choose_variant", "forecast", "import_csv", "load_template", "parse_role", "parse_status",
    "reason_required", "require_can_act", "stage_clock", "text_dict", "validate_template", "whatif", "why_not",
]
