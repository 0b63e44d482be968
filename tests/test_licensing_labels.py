"""User-facing licensing labels exist in Bahasa Indonesia and English for every status, role and tag."""
from __future__ import annotations

import pytest

from kawasan.licensing import Role, StageStatus, builtin_template
from kawasan.licensing.labels import certainty_label, duration_label, role_label, status_label


@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_status_and_role_has_a_label(lang):
    labels = [status_label(s, lang) for s in StageStatus]
    assert len(set(labels)) == len(StageStatus) and all(labels)
    assert len({role_label(r, lang) for r in Role}) == len(Role)


def test_languages_differ_and_tags_resolve():
    assert status_label("blocked", "id") == "Terhambat" and status_label("blocked", "en") == "Blocked"
    for name in ("apht", "kawasan-industri"):
        for s in builtin_template(name).stages:
            assert certainty_label(s.legal_basis, "id") and certainty_label(s.legal_basis, "en")
            assert "hari kerja" in duration_label(s.duration, "id")
            assert "working days" in duration_label(s.duration, "en")
