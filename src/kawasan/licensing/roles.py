"""Who may change what: the four roles of the licensing tracker.

* ``administrator``: every project and stage; manages agencies, users and calendars.
* ``coordinator`` (the investment team's secretariat, Tim Investasi Daerah): every stage
  of the projects in their own regency.
* ``agency_officer``: only the stages whose lead agency is their agency (any regency; an
  agency's reach is given by the stages the template assigns to it).
* ``viewer`` (e.g. a ministry): reads everything, changes nothing.

Everyone may read. Agency codes and regency names are compared without regard to case
and surrounding spaces.
"""
from __future__ import annotations

from enum import Enum

from kawasan.errors import InputError, PermissionDeniedError
from kawasan.i18n import Message


class Role(str, Enum):
    administrator = "administrator"
    coordinator = "coordinator"
    agency_officer = "agency_officer"
    viewer = "viewer"

    def __str__(self) -> str:
        return self.value


def parse_role(value: str | Role) -> Role:
    if isinstance(value, Role):
        return value
    try:
        return Role(str(value).strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        raise InputError(Message("licensing.err.unknown_role", value=value, roles=", ".join(r.value for r in Role)),
                         field="role") from None


def _norm(x: str | None) -> str:
    return " ".join(str(x).split()).casefold() if x else ""


def can_read(role: str | Role) -> bool:
    parse_role(role)
    return True


def can_act(role: str | Role, user_agency: str | None, user_regency: str | None, project_regency: str | None,
            stage_agency: str | None) -> bool:
    """Whether a user may change a stage (status, blocker, document) of a project."""
    r = parse_role(role)
    if r is Role.administrator:
        return True
    if r is Role.coordinator:
        return bool(_norm(user_regency)) and _norm(user_regency) == _norm(project_regency)
    if r is Role.agency_officer:
        return bool(_norm(user_agency)) and _norm(user_agency) == _norm(stage_agency)
    return False


def why_not(role: str | Role, user_agency: str | None, user_regency: str | None, project_regency: str | None,
            stage_agency: str | None) -> str | None:
    """The reason a user may not act, or None when they may."""
    if can_act(role, user_agency, user_regency, project_regency, stage_agency):
        return None
    r = parse_role(role)
    if r is Role.viewer:
        return Message("licensing.why.viewer")
    if r is Role.coordinator:
        if not _norm(user_regency):
            return Message("licensing.why.no_regency")
        return Message("licensing.why.other_regency", own=user_regency,
                       other=project_regency or Message("licensing.why.no_regency_project"))
    if not _norm(user_agency):
        return Message("licensing.why.no_agency")
    return Message("licensing.why.other_agency", own=user_agency,
                   other=stage_agency or Message("licensing.why.no_agency_stage"))


def require_can_act(role: str | Role, user_agency: str | None, user_regency: str | None,
                    project_regency: str | None, stage_agency: str | None, *, user: str | None = None,
                    stage: str | None = None) -> None:
    """Raise :class:`PermissionDeniedError` with a clear message when the user may not act."""
    reason = why_not(role, user_agency, user_regency, project_regency, stage_agency)
    if reason:
        role_name = parse_role(role).value
        who = Message("licensing.err.who_user", user=user, role=role_name) if user else role_name
        what = Message("licensing.err.on_stage", stage=stage) if stage else ""
        raise PermissionDeniedError(Message("licensing.err.may_not_act", who=who, what=what, reason=reason),
                                    field="user")
