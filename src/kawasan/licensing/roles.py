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
        raise InputError(f"unknown role {value!r}; expected one of {', '.join(r.value for r in Role)}",
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
        return "a viewer can read projects but not change them"
    if r is Role.coordinator:
        if not _norm(user_regency):
            return "this coordinator has no regency assigned"
        return (f"a coordinator may act only on projects of their own regency ({user_regency}); this project is in "
                f"{project_regency or 'no regency'}")
    if not _norm(user_agency):
        return "this agency officer has no agency assigned"
    return (f"an agency officer may act only on stages of their own agency ({user_agency}); this stage belongs to "
            f"{stage_agency or 'no agency'}")


def require_can_act(role: str | Role, user_agency: str | None, user_regency: str | None,
                    project_regency: str | None, stage_agency: str | None, *, user: str | None = None,
                    stage: str | None = None) -> None:
    """Raise :class:`PermissionDeniedError` with a clear message when the user may not act."""
    reason = why_not(role, user_agency, user_regency, project_regency, stage_agency)
    if reason:
        who = f"user {user!r} ({parse_role(role).value})" if user else parse_role(role).value
        what = f" on stage {stage}" if stage else ""
        raise PermissionDeniedError(f"{who} may not act{what}: {reason}", field="user")
