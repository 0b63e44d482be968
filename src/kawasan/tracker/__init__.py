"""The licensing tracker's application service: the domain (kawasan.licensing) on a database (kawasan.storage).

:class:`~kawasan.tracker.service.ProjectService` is the one entry point for the CLI and the web app:
projects, stages, events, obstacles (kendala), documents, agencies, users and roles, sign-in, stored
forecasts. :func:`upgrade_database` applies the migrations; :class:`Settings` says where the data is.
Nothing outside the tracker imports :mod:`kawasan.storage`.
"""
from kawasan.storage.db import Settings
from kawasan.tracker.service import ProjectService


def upgrade_database(settings: Settings | None = None,
                     repairs: list[str] | None = None) -> tuple[str | None, str, str]:
    """Apply the database migrations; returns (revision before, revision after, the URL without password).

    Append-only triggers of the event log found missing or disabled are put back; what was done is appended to
    ``repairs`` (one sentence each)."""
    from kawasan.storage.db import make_engine, upgrade

    settings = settings or Settings.from_env()
    engine = make_engine(settings)
    try:
        before, after = upgrade(engine, settings, repairs=repairs)
    finally:
        engine.dispose()
    return before, after, settings.safe_url


__all__ = ["ProjectService", "Settings", "upgrade_database"]
