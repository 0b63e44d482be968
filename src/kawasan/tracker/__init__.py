"""The licensing tracker's application service: the domain (kawasan.licensing) on a database (kawasan.storage).

:class:`~kawasan.tracker.service.ProjectService` is the one entry point for the CLI (and later the
web app): projects, stages, events, obstacles (kendala), documents, agencies, users and roles.
"""
from kawasan.tracker.service import ProjectService

__all__ = ["ProjectService"]
