"""Roles: who may act on which stage."""
from __future__ import annotations

import pytest

from kawasan.errors import InputError, PermissionDeniedError
from kawasan.licensing import Role, can_act, require_can_act
from kawasan.licensing.roles import can_read, why_not


@pytest.mark.parametrize("role,agency,regency,project_regency,stage_agency,ok", [
    ("administrator", None, None, "Probolinggo", "DLH", True),
    ("coordinator", None, "Probolinggo", "Probolinggo", "DLH", True),
    ("coordinator", None, " probolinggo ", "Probolinggo", "KPPBC", True),
    ("coordinator", None, "Lumajang", "Probolinggo", "DLH", False),
    ("coordinator", None, None, "Probolinggo", "DLH", False),
    ("agency_officer", "DLH", "Lumajang", "Probolinggo", "DLH", True),
    ("agency_officer", "dlh", None, "Probolinggo", "DLH", True),
    ("agency_officer", "DLH", "Probolinggo", "Probolinggo", "DPMPTSP", False),
    ("agency_officer", None, "Probolinggo", "Probolinggo", "DLH", False),
    ("viewer", "DLH", "Probolinggo", "Probolinggo", "DLH", False),
    (Role.viewer, None, None, None, None, False),
])
def test_can_act(role, agency, regency, project_regency, stage_agency, ok):
    assert can_act(role, agency, regency, project_regency, stage_agency) is ok
    assert (why_not(role, agency, regency, project_regency, stage_agency) is None) is ok
    assert can_read(role)


def test_messages():
    with pytest.raises(PermissionDeniedError, match="user 'sari' .agency_officer. may not act on stage G5: an "
                                                    "agency officer may act only on stages of their own agency "
                                                    ".DPMPTSP.; this stage belongs to DLH"):
        require_can_act("agency_officer", "DPMPTSP", None, "Probolinggo", "DLH", user="sari", stage="G5")
    with pytest.raises(PermissionDeniedError, match="viewer can read projects but not change them"):
        require_can_act("viewer", None, None, "Probolinggo", "DLH")
    with pytest.raises(PermissionDeniedError, match="own regency .Lumajang.; this project is in Probolinggo"):
        require_can_act("coordinator", None, "Lumajang", "Probolinggo", "DLH")
    require_can_act("administrator", None, None, None, None)


def test_unknown_role():
    with pytest.raises(InputError, match="unknown role 'boss'; expected one of administrator"):
        can_act("boss", None, None, None, None)
