"""User-facing labels of the licensing domain in Bahasa Indonesia and English (kawasan/locales/*.licensing.json)."""
from __future__ import annotations

from kawasan.i18n import t
from kawasan.licensing.roles import Role, parse_role
from kawasan.licensing.states import StageStatus, parse_status
from kawasan.licensing.templates import Duration, LegalBasis


def status_label(status: str | StageStatus, lang: str = "en") -> str:
    return t(f"licensing.status.{parse_status(status).value}", lang)


def role_label(role: str | Role, lang: str = "en") -> str:
    return t(f"licensing.role.{parse_role(role).value}", lang)


def certainty_label(basis: LegalBasis | str, lang: str = "en") -> str:
    tag = basis.certainty if isinstance(basis, LegalBasis) else str(basis)
    return t(f"licensing.certainty.{tag}", lang)


def duration_label(d: Duration, lang: str = "en") -> str:
    if d.statutory_days is not None:
        return t("licensing.duration.statutory", lang, days=d.statutory_days)
    return t("licensing.duration.estimate", lang, min=d.min, likely=d.likely, max=d.max)
