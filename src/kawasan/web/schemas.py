"""Request bodies of the API (pydantic); the OpenAPI description at /openapi.json comes from them."""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["not_started", "in_progress", "submitted", "clarification", "approved", "rejected", "waived"]
RoleName = Literal["administrator", "coordinator", "agency_officer", "viewer"]
AgencyKind = Literal["regency", "province", "national", "system", "private", "other"]
Text = Field(default=None, max_length=2000)


class _In(BaseModel):
    #: unknown fields are refused, and so are NaN and Infinity (Python's JSON reader accepts them)
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class StageStatusIn(_In):
    status: Status
    reason: str | None = Text
    on: date | None = None
    expected_version: int | None = Field(default=None, ge=1, le=2**31 - 1)


class StageBlockIn(_In):
    reason: str = Field(min_length=1, max_length=2000)
    obstacle: str | None = Text
    owner: str | None = Field(default=None, max_length=255)
    expected_unblock: date | None = None
    on: date | None = None
    expected_version: int | None = Field(default=None, ge=1, le=2**31 - 1)


class StageUnblockIn(_In):
    reason: str | None = Text
    to: Status | None = None
    on: date | None = None
    expected_version: int | None = Field(default=None, ge=1, le=2**31 - 1)


class ObstacleIn(_In):
    description: str = Field(min_length=1, max_length=2000)
    owner: str = Field(min_length=1, max_length=255)
    expected_resolution: date | None = None
    on: date | None = None


class ObstacleResolveIn(_In):
    resolution: str = Field(min_length=1, max_length=2000)
    on: date | None = None


class WhatIfIn(_In):
    parallel: list[tuple[str, str]] = Field(default_factory=list, max_length=100)
    shorten: dict[str, float] = Field(default_factory=dict)
    resolve: dict[str, date] = Field(default_factory=dict)
    runs: int = Field(default=10000, ge=100, le=20000)


class ProjectIn(_In):
    name: str = Field(min_length=1, max_length=255)
    template: str = Field(min_length=1, max_length=128)
    start: date
    regency: str | None = Field(default=None, max_length=128)
    site_geometry: dict | None = None


class TargetIn(_In):
    target: date | None


class UserIn(_In):
    username: str = Field(min_length=1, max_length=64)
    role: RoleName
    agency: str | None = Field(default=None, max_length=64)
    regency: str | None = Field(default=None, max_length=128)
    full_name: str | None = Field(default=None, max_length=255)
    password: str | None = Field(default=None, max_length=1024)


class UserUpdateIn(_In):
    role: RoleName | None = None
    agency: str | None = Field(default=None, max_length=64)
    regency: str | None = Field(default=None, max_length=128)
    full_name: str | None = Field(default=None, max_length=255)
    disabled: bool | None = None


class PasswordIn(_In):
    password: str = Field(max_length=1024)


class PasswordChangeIn(_In):
    old_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


class AgencyIn(_In):
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=255)
    kind: AgencyKind = "regency"
    regency: str | None = Field(default=None, max_length=128)


class AgencyUpdateIn(_In):
    name: str | None = Field(default=None, max_length=255)
    kind: AgencyKind | None = None
    regency: str | None = Field(default=None, max_length=128)


class CalendarDayIn(_In):
    day: date
    kind: Literal["holiday", "workday"] = "holiday"
    description: str | None = Field(default=None, max_length=255)


class TokenIn(_In):
    name: str = Field(min_length=1, max_length=128)


class ErrorDetail(BaseModel):
    """What went wrong: a code (``input``, ``not_found``, ``conflict``, ...), the message and the field."""

    code: str
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    """The one error shape of every 4xx and 5xx answer of the API (kawasan.web.errors)."""

    error: ErrorDetail


#: the error answers every API operation may give, each in the one error shape (listed in /openapi.json so a
#: client, and schemathesis, know them)
ERROR_RESPONSES = {status: {"model": ErrorOut, "description": text} for status, text in (
    (400, "Bad request"), (401, "Not signed in, or an unknown or revoked API token"),
    (403, "Outside the caller's role or agency"), (404, "No such project, stage, document, user or agency"),
    (409, "A conflict: the record changed since it was read, or the change is not allowed in this state"),
    (413, "Upload too large"), (415, "Unsupported media type"), (422, "Invalid input (the field is named)"),
    (429, "Too many sign-in attempts"), (503, "The database is unavailable; nothing was changed"))}
