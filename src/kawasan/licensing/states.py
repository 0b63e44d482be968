"""Stage states and the legal transitions between them, read from a data table.

The table is ``templates/_transitions.yaml``: for each status the statuses a stage may
move to, and which statuses need a written reason (blocked and waived). ``approved`` and
``waived`` are final. A stage leaves ``blocked`` by going back to the status it was in
(``not_started``, ``in_progress``, ``submitted`` or ``clarification``); the storage layer
knows which one from the event history.
"""
from __future__ import annotations

from enum import Enum
from functools import lru_cache
from importlib import resources

import yaml

from kawasan.errors import TransitionError
from kawasan.i18n import Message, t


class StageStatus(str, Enum):
    not_started = "not_started"
    in_progress = "in_progress"
    submitted = "submitted"
    clarification = "clarification"
    approved = "approved"
    rejected = "rejected"
    blocked = "blocked"
    waived = "waived"

    def __str__(self) -> str:  # so f-strings show "in_progress", not "StageStatus.in_progress"
        return self.value


DONE = frozenset({StageStatus.approved, StageStatus.waived})
"""Statuses in which a stage no longer holds up its successors."""


@lru_cache(maxsize=1)
def transition_table() -> dict:
    """The parsed table: {"statuses": [...], "reason_required": {...}, "transitions": {status: [status]}}."""
    raw = yaml.safe_load(resources.files("kawasan.licensing").joinpath("templates").joinpath("_transitions.yaml")
                         .read_text(encoding="utf-8"))
    names = [s.value for s in StageStatus]
    if sorted(raw["statuses"]) != sorted(names) or sorted(raw["transitions"]) != sorted(names):
        raise RuntimeError(Message("licensing.err.states.templates_transitions_yaml_does"))
    table = {StageStatus(k): tuple(StageStatus(v) for v in vs) for k, vs in raw["transitions"].items()}
    return {"statuses": [StageStatus(s) for s in raw["statuses"]],
            "reason_required": frozenset(StageStatus(s) for s in raw["reason_required"]),
            "transitions": table}


def parse_status(value: str | StageStatus, *, field: str = "status") -> StageStatus:
    """A StageStatus from its name; TransitionError listing the valid names otherwise."""
    if isinstance(value, StageStatus):
        return value
    try:
        return StageStatus(str(value).strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        raise TransitionError(Message("err.unknown_status", value=value, values=", ".join(s.value for s in StageStatus)),
                              field=field) from None


def allowed_transitions(status: str | StageStatus) -> list[StageStatus]:
    """The statuses a stage in ``status`` may move to (empty for a final status)."""
    return list(transition_table()["transitions"][parse_status(status)])


def reason_required(status: str | StageStatus) -> bool:
    """Whether entering ``status`` needs a written reason."""
    return parse_status(status) in transition_table()["reason_required"]


def check_transition(old: str | StageStatus, new: str | StageStatus, *, reason: str | None = None,
                     stage: str | None = None) -> StageStatus:
    """Refuse an illegal change of status; return the new status when it is legal.

    The TransitionError says which statuses are allowed from ``old``, and that blocked
    and waived need a reason.
    """
    o, n = parse_status(old, field="from"), parse_status(new, field="to")
    allowed = allowed_transitions(o)
    where = Message("err.transition_where", stage=stage) if stage else ""
    if n not in allowed:
        options = ", ".join(s.value for s in allowed) if allowed else Message("err.transition_final", old=o.value)
        raise TransitionError(Message("err.transition", where=where, old=_words(o), new=_words(n), options=options),
                              field="status")
    if n in transition_table()["reason_required"] and not (reason and reason.strip()):
        raise TransitionError(Message("err.transition_reason", where=where, new=_words(n)), field="reason")
    return n


def _words(status: StageStatus) -> dict:
    """A status in a message: its code in English (what --status takes), its name and code in Indonesian."""
    return {"en": status.value, "id": f"{t(f'tracker.state.{status.value}', 'id')} ({status.value})"}
