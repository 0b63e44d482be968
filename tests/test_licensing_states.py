"""Stage state machine: every pair of statuses is allowed or refused exactly as the data table says."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

import kawasan.licensing as lic
from kawasan.errors import TransitionError
from kawasan.licensing import StageStatus, allowed_transitions, check_transition

TABLE = yaml.safe_load((Path(lic.__file__).parent / "templates" / "_transitions.yaml").read_text())
ALL = [s.value for s in StageStatus]


def test_table_lists_every_status():
    assert sorted(TABLE["statuses"]) == sorted(ALL) == sorted(TABLE["transitions"])
    assert set(TABLE["reason_required"]) == {"blocked", "waived"}


@pytest.mark.parametrize("old,new", list(itertools.product(ALL, ALL)))
def test_every_pair(old, new):
    allowed = new in TABLE["transitions"][old]
    reason = "a written reason"
    if allowed:
        assert check_transition(old, new, reason=reason) == StageStatus(new)
        assert StageStatus(new) in allowed_transitions(old)
        if new in TABLE["reason_required"]:
            with pytest.raises(TransitionError, match=f"change to {new} needs a reason"):
                check_transition(old, new)
            with pytest.raises(TransitionError, match="needs a reason"):
                check_transition(old, new, reason="   ")
        else:
            assert check_transition(old, new) == StageStatus(new)
    else:
        with pytest.raises(TransitionError) as ei:
            check_transition(old, new, reason=reason, stage="G3")
        msg = str(ei.value)
        assert f"stage G3: cannot change status from {old} to {new}" in msg
        for ok in TABLE["transitions"][old]:
            assert ok in msg.split("allowed from")[1]
        if not TABLE["transitions"][old]:
            assert f"{old} is final" in msg


def test_domain_expectations():
    # the legal shape of the path, independent of the table file
    assert allowed_transitions("approved") == [] and allowed_transitions("waived") == []
    assert StageStatus.clarification in allowed_transitions("submitted")
    assert StageStatus.submitted in allowed_transitions("clarification")
    assert StageStatus.approved not in allowed_transitions("not_started")
    assert StageStatus.in_progress in allowed_transitions(StageStatus.blocked)


def test_unknown_status():
    with pytest.raises(TransitionError, match="unknown stage status 'done'; expected one of not_started"):
        check_transition("in_progress", "done")
    assert check_transition("Not Started", "in-progress") == StageStatus.in_progress
    assert str(StageStatus.in_progress) == "in_progress"
