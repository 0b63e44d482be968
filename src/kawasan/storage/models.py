"""The tables of the licensing tracker (SQLAlchemy 2 declarative models).

docs/reference/licensing-storage.md documents every table and column here; a test checks that
the two agree, and another that the Alembic migrations create exactly these tables.

The event log (``events``) is append-only: the application never updates or deletes a row, and
the initial migration installs database triggers (SQLite and PostgreSQL) that refuse it
(:mod:`kawasan.storage.guard`). Each event carries a hash chained to the previous event of its
project (:mod:`kawasan.storage.chain`), so a rewrite by someone who bypasses the triggers is evident.
The current state of a stage (``stages.status``) is a cache of its event log, written in the same
transaction as the event that changed it; ``stages.version`` is the optimistic-lock counter.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData, String,
                        Text, UniqueConstraint, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Agency(Base):
    """An agency: an OPD of the regency, a ministry, Customs (DJBC), the OSS system, the operator, ...

    ``kind`` is its level as in the templates: regency, province, national, system, private, other.
    ``regency`` is the regency the agency serves; empty for an agency that is national (or
    provincial, a system, a private party) and acts wherever its stages are. The same code may
    exist once per regency (the DLH of each regency on a shared server).
    """

    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("code", "regency"),
                      # NULLs are distinct in a unique constraint: one row per code without a regency too
                      Index("uq_agencies_code_no_regency", "code", unique=True,
                            sqlite_where=text("regency IS NULL"), postgresql_where=text("regency IS NULL")))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32), default="regency")
    regency: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class User(Base):
    """A person who reads or changes the plan, with a role (administrator, coordinator, agency_officer, viewer)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    regency: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    language: Mapped[str | None] = mapped_column(String(8))
    agency: Mapped[Agency | None] = relationship(lazy="joined")


class WebSession(Base):
    """A signed-in browser: the SHA-256 of the session cookie (never the cookie itself), its CSRF token,
    when it started (absolute timeout) and when it was last used (idle timeout)."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiToken(Base):
    """A personal secret of a user, stored as its SHA-256: an API token for scripts (``purpose`` api)
    or the key of the user's deadline calendar feed (``purpose`` feed). Revoked tokens stay, marked."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(128))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ForecastRecord(Base):
    """A project's forecast and summary as of one day and one state of its event log (``state_key``: the
    id of its latest event). Kept, not replaced, so the history gives the change since last week."""

    __tablename__ = "forecasts"
    __table_args__ = (UniqueConstraint("project_id", "as_of", "state_key"),
                      Index("ix_forecasts_project_as_of", "project_id", "as_of"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    as_of: Mapped[date] = mapped_column(Date)
    state_key: Mapped[str] = mapped_column(String(32))
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finish: Mapped[date] = mapped_column(Date)
    p50: Mapped[date] = mapped_column(Date)
    p80: Mapped[date] = mapped_column(Date)
    summary: Mapped[dict] = mapped_column(JSON)
    actions: Mapped[list] = mapped_column(JSON)
    state: Mapped[dict] = mapped_column(JSON)
    forecast: Mapped[dict] = mapped_column(JSON)


class StoredTemplate(Base):
    """A workflow template registered in the database (imported from CSV or added from YAML/JSON)."""

    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("name", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    version: Mapped[str] = mapped_column(String(64))
    body: Mapped[dict] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Project(Base):
    """An estate following a template from a start date; the template is copied in, so it never drifts."""

    __tablename__ = "projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    regency: Mapped[str | None] = mapped_column(String(128))
    template_name: Mapped[str] = mapped_column(String(128))
    template_version: Mapped[str] = mapped_column(String(64))
    template_body: Mapped[dict] = mapped_column(JSON)
    site_geometry: Mapped[dict | None] = mapped_column(JSON)
    site_origin: Mapped[dict | None] = mapped_column(JSON)   # run id, candidate site, site check (from the map)
    start_date: Mapped[date] = mapped_column(Date)
    target_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    stages: Mapped[list["StageRow"]] = relationship(back_populates="project", order_by="StageRow.position")


class StageRow(Base):
    """The current state of one stage of one project (a cache of its events) with its optimistic version."""

    __tablename__ = "stages"
    __table_args__ = (UniqueConstraint("project_id", "stage_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    stage_id: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer)
    agency: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    project: Mapped[Project] = relationship(back_populates="stages")

    __mapper_args__ = {"version_id_col": version}


class Event(Base):
    """One append-only change: who, when (recorded and effective), what changed from what to what, why."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_project_stage", "project_id", "stage_id"),)
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    effective_date: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor: Mapped[str] = mapped_column(String(64))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    stage_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict | None] = mapped_column(JSON)
    #: SHA-256 linking this event to the previous one of its project (kawasan.storage.chain), set on insert
    chain_hash: Mapped[str] = mapped_column(String(64))


class Obstacle(Base):
    """A kendala recorded against a stage: what, who owns solving it, since when, and how it was resolved."""

    __tablename__ = "obstacles"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    stage_id: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(255))
    raised_on: Mapped[date] = mapped_column(Date)
    expected_resolution: Mapped[date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(Text)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer)

    __mapper_args__ = {"version_id_col": version}


class Document(Base):
    """One version of a named document attached to a stage; the bytes live in the file store by SHA-256."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("project_id", "stage_id", "name", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    stage_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(128))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CalendarDay(Base):
    """A day an administrator added to the calendar: an extra holiday, or a working day that is usually not."""

    __tablename__ = "calendar_days"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Job(Base):
    """An analysis job (a suitability run, a study-area preparation) queued for a worker process.

    ``status``: queued → running → finished | failed | cancelled | interrupted (a queued job may also be
    cancelled before it starts). ``params`` is what the worker needs to do it again; ``result`` what it
    made (the run folder's name, warnings). ``worker`` is ``host:pid`` of the process running it, so a
    restarted server can tell a job whose process is gone (interrupted) from one still running.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status", "status"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(255))
    params: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    step: Mapped[str | None] = mapped_column(String(255))
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    worker: Mapped[str | None] = mapped_column(String(128))
    queue_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
