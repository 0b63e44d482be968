"""ProjectService: the licensing tracker's use cases on top of the domain and the database.

Every change goes through one method here and is written as one append-only ``events`` row in
the same transaction as the state it changes, so the event log and the current state can never
disagree. Stage updates are checked three ways: the transition rules of the domain
(:func:`kawasan.licensing.check_transition`), the acting user's role and agency
(:func:`kawasan.licensing.can_act`), and the stage's optimistic version (a caller that read
version 3 cannot overwrite version 4: :class:`~kawasan.errors.ConflictError`). A database that
is locked or unreachable raises :class:`~kawasan.errors.StorageError` and nothing is written.

Agencies, users, the calendar and templates are in :mod:`kawasan.tracker.directory`; passwords,
sessions and tokens in :mod:`kawasan.tracker.accounts`; stored forecasts, the portfolio and My work in
:mod:`kawasan.tracker.portfolio`; settings, transactions and the acting user in :mod:`kawasan.tracker.base`.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from kawasan.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from kawasan.i18n import Message
from kawasan.storage.models import Agency, Document, Event, Obstacle, Project, StageRow, User
from kawasan.tracker import documents as docs
from kawasan.tracker.accounts import AccountsMixin
from kawasan.tracker.base import LOCAL_ADMIN, _iso, _now, _utc
from kawasan.tracker.directory import AGENCY_KINDS, ROLES, DirectoryMixin
from kawasan.tracker.backup import BackupMixin
from kawasan.tracker.integrity import IntegrityMixin
from kawasan.tracker.records import RecordsMixin
from kawasan.tracker.portfolio import PortfolioMixin, refreshes_forecast
from kawasan.tracker.snapshots import StatusChange, derive


class ProjectService(PortfolioMixin, AccountsMixin, DirectoryMixin, IntegrityMixin, RecordsMixin,
                     BackupMixin):
    """The tracker's use cases. One instance per database; cheap to create."""

    # ------------------------------------------------------------------ projects

    def create_project(self, name: str, template: str, start: date, *, regency: str | None = None,
                       site_geometry: dict | None = None, actor: str | None = None,
                       options: dict[str, str] | None = None, application_date: date | None = None,
                       site_origin: dict | None = None) -> dict:
        """Create a project from a template; every stage starts ``not_started`` at version 1.

        ``site_origin`` records where a site chosen on the map came from (run id and checksum, candidate site
        id, the site check's result); it is kept with the project as given.

        The template's options are resolved here (:func:`kawasan.licensing.choose_variant`):
        ``options`` as given (others at their default) and the date-chosen ones by
        ``application_date`` (default: the start date); the project keeps the concrete copy.
        """
        name = _checked_project_name(name)
        _check_start_year(start)
        from kawasan.licensing import choose_variant

        tpl = template if hasattr(template, "stages") else self.resolve_template(template)
        tpl = choose_variant(tpl, options, application_date or start)
        _check_site(site_geometry, site_origin)
        with self._write() as s:
            user = self._actor(s, actor)
            regency = regency or user.regency
            _check_may_create_project(user, regency)
            p = Project(name=name, regency=regency, template_name=tpl.name, template_version=tpl.version,
                        template_body=tpl.model_dump(mode="json"), site_geometry=site_geometry,
                        site_origin=site_origin, start_date=start,
                        created_at=_now(), created_by=user.id)
            s.add(p)
            s.flush()
            self._add_project_stages(s, p, tpl, user)
            self._add_template_agencies(s, tpl, regency)
            chosen = {c.key: c.value for c in tpl.chosen}
            s.add(self._event(user, "project.create", project=p.id, field="project", new=name, on=start,
                              detail={"template": tpl.name, "template_version": tpl.version,
                                      "start": start.isoformat(), "regency": regency, "options": chosen,
                                      "application_date": _iso(tpl.application_date)}))
            return {"id": p.id, "name": name, "regency": regency, "template": tpl.name,
                    "template_version": tpl.version, "start": start.isoformat(), "stages": len(tpl.stages),
                    "options": chosen, "application_date": _iso(tpl.application_date)}

    @staticmethod
    def _add_project_stages(s: Session, p: Project, tpl, user: User) -> None:
        """One row per template stage, in the template's order, ``not_started`` at version 1."""
        for i, st in enumerate(tpl.stages):
            s.add(StageRow(project_id=p.id, stage_id=st.id, position=i, agency=st.agency, status="not_started",
                           updated_at=_now(), updated_by=user.id))

    @staticmethod
    def _add_template_agencies(s: Session, tpl, regency: str | None) -> None:
        """The template's agencies become known to the tracker, so officers can be assigned to them: a
        regency-level agency for the project's regency, any other level once, serving every regency."""
        known = {(code, reg) for code, reg in s.execute(select(Agency.code, Agency.regency)).all()}
        codes = {code for code, _ in known}
        for ag in getattr(tpl, "agencies", []):
            level = getattr(ag, "level", "other")
            own = regency if level == "regency" else None
            if (ag.code, own) in known or (own is None and ag.code in codes):
                continue
            s.add(Agency(code=ag.code, name=ag.name.en if hasattr(ag.name, "en") else str(ag.name),
                         kind=level, regency=own, created_at=_now()))
            known.add((ag.code, own))

    def list_projects(self) -> list[dict]:
        with self._read() as s:
            out = []
            for p in s.scalars(select(Project).order_by(Project.id)):
                counts: dict[str, int] = {}
                for st in p.stages:
                    counts[st.status] = counts.get(st.status, 0) + 1
                out.append({"id": p.id, "name": p.name, "regency": p.regency, "template": p.template_name,
                            "start": p.start_date.isoformat(), "stages": len(p.stages), "status_counts": counts})
            return out

    def _project(self, s: Session, pid: int) -> Project:
        p = s.get(Project, pid)
        if p is None:
            ids = s.scalars(select(Project.id).order_by(Project.id.desc()).limit(10)).all()
            raise NotFoundError(Message("err.no_project", id=pid, ids=", ".join(map(str, sorted(ids)))
                                        or Message("err.none")), source="projects", field="project")
        return p

    @staticmethod
    def _template_of(p: Project):
        from kawasan.licensing import validate_template

        return validate_template(p.template_body, source=Message("err.label.project_template", project=p.id,
                                                                 name=p.template_name))

    def _stage(self, s: Session, p: Project, stage_id: str) -> StageRow:
        row = s.scalar(select(StageRow).where(StageRow.project_id == p.id, StageRow.stage_id == stage_id))
        if row is None:
            ids = [r.stage_id for r in p.stages]
            raise NotFoundError(Message("err.no_stage", stage=repr(stage_id), project=p.id, template=p.template_name,
                                        stages=", ".join(ids)), source=Message("err.label.project", project=p.id), field="stage")
        return row

    def _why_cannot_act(self, user: User, p: Project, row: StageRow) -> str | None:
        from kawasan.licensing import why_not

        user_agency = user.agency.code if user.agency else None
        return why_not(user.role, user_agency, user.regency, p.regency, row.agency) or self._outside_reach(user, p)

    def actable_stages(self, pid: int, actor: str | None = None) -> set[str]:
        """The stages of a project the user may change (the pages show forms for these only)."""
        with self._read() as s:
            user = self._actor(s, actor)
            p = self._project(s, pid)
            return {r.stage_id for r in p.stages if self._why_cannot_act(user, p, r) is None}

    def project_template(self, pid: int):
        """The template a project follows (its own copy, as it was when the project was created)."""
        with self._read() as s:
            return self._template_of(self._project(s, pid))

    def _check_can_act(self, user: User, p: Project, row: StageRow) -> None:
        why = self._why_cannot_act(user, p, row)
        if why:
            raise PermissionDeniedError(
                Message("err.may_not_change", user=user.username, role=user.role, stage=row.stage_id, project=p.id,
                        agency=row.agency, regency=p.regency or "-", why=why),
                source=Message("err.label.project", project=p.id), field=Message("err.label.stage", stage=row.stage_id))

    @staticmethod
    def _outside_reach(user: User, p: Project) -> str | None:
        """Why an agency officer's agency does not serve the project's regency (None when it does).

        An agency with a regency serves that regency only; one without a regency serves every regency when
        it is national (or provincial, a system, a private party); a regency-level agency without a regency
        serves none until an administrator sets it (design: refuse rather than guess)."""
        from kawasan.licensing.roles import _norm

        if user.role != "agency_officer" or user.agency is None:
            return None
        ag = user.agency
        if ag.regency:
            if _norm(ag.regency) == _norm(p.regency):
                return None
            return (f"an agency officer acts only in their own regency: {ag.code} of {ag.regency} does not serve "
                    f"{p.regency or 'a project without a regency'}")
        if ag.kind == "regency":
            return (f"the agency {ag.code} is a regency agency without a regency; an administrator must set its "
                    "regency before its officers can act")
        return None

    def _check_date(self, p: Project, row: StageRow | None, on: date, s: Session) -> date:
        today = self.today()
        if on > today:
            raise InputError(Message("err.on_future", on=on, today=today), field="on")
        if on < p.start_date:
            raise InputError(Message("err.on_before_start", on=on, start=p.start_date), field="on")
        if row is not None:
            last = s.scalar(select(func.max(Event.effective_date)).where(
                Event.project_id == p.id, Event.stage_id == row.stage_id, Event.field == "status"))
            if last and on < last:
                raise InputError(Message("err.on_before_last", on=on, stage=row.stage_id, last=last), field="on")
        return on

    @staticmethod
    def _check_version(p: Project, row: StageRow, expected: int | None) -> None:
        if expected is not None and expected != row.version:
            raise ConflictError(Message("tracker.err.service.stage_project_was_changed", stage_id=row.stage_id,
                                        project=p.id, expected=expected, version=row.version),
                                source=Message("err.label.project", project=p.id), field=Message("err.label.stage",
                                                                                                 stage=row.stage_id))

    def _flush_versioned(self, s: Session, p: Project, row: StageRow, expected: int) -> None:
        pid, sid = p.id, row.stage_id  # the objects expire when the failed flush rolls back
        try:
            s.flush()
        except StaleDataError:
            raise ConflictError(Message("tracker.err.service.stage_changed_while_writing", stage_id=sid, project=pid,
                                        expected=expected),
                                source=Message("err.label.project", project=pid), field=Message("err.label.stage",
                                                                                                stage=sid)) from None

    def _set_status(self, s: Session, user: User, p: Project, row: StageRow, new: str, *, reason: str | None,
                    on: date, expected_version: int | None, kind: str = "stage.status",
                    detail: dict | None = None) -> dict:
        from kawasan.licensing import StageStatus, check_transition, parse_status

        new_status = parse_status(new)
        self._check_can_act(user, p, row)
        self._check_version(p, row, expected_version)
        self._check_date(p, row, on, s)
        old = row.status
        check_transition(StageStatus(old), new_status, reason=reason, stage=row.stage_id)
        read_version = row.version
        row.status = new_status.value
        row.reason = reason
        row.updated_at = _now()
        row.updated_by = user.id
        self._flush_versioned(s, p, row, read_version)
        notices = self._date_notices(s, p, on)
        s.add(self._event(user, kind, project=p.id, stage=row.stage_id, field="status", old=old,
                          new=new_status.value, reason=reason, on=on, detail=detail))
        if new_status.value in ("in_progress", "submitted"):
            tpl = self._template_of(p)
            states = {r.stage_id: r.status for r in p.stages}
            waiting = [q for q in tpl.stage(row.stage_id).requires if states.get(q) not in ("approved", "waived")]
            if waiting:
                notices.append(("tracker.warn.prerequisites", {"stage": row.stage_id, "ids": ", ".join(waiting)}))
        return {"project": p.id, "stage": row.stage_id, "from": old, "to": new_status.value,
                "version": row.version, "on": on.isoformat(), **_warnings(notices)}

    @staticmethod
    def _date_notices(s: Session, p: Project, on: date) -> list:
        """A notice when ``on`` is far from every other recorded change and the start (kawasan.licensing.recording)."""
        from kawasan.licensing.recording import isolated_date

        recorded = s.scalars(select(Event.effective_date).where(Event.project_id == p.id,
                                                                Event.field == "status")).all()
        far = isolated_date(on, [d for d in recorded if d is not None], p.start_date)
        if far is None:
            return []
        nearest, gap = far
        key = "tracker.warn.date_gap_start" if nearest == p.start_date and not recorded else "tracker.warn.date_gap"
        return [(key, {"on": on.isoformat(), "nearest": nearest.isoformat(), "days": gap})]

    @refreshes_forecast
    def update_stage(self, pid: int, stage_id: str, status: str, *, reason: str | None = None,
                     on: date | None = None, expected_version: int | None = None, actor: str | None = None) -> dict:
        """Move a stage to ``status`` (a legal transition), effective ``on`` (default today)."""
        if str(status).strip().lower() == "blocked":
            raise InputError(Message("err.use_block"), field="status")
        with self._write() as s:
            user = self._actor(s, actor)
            p = self._project(s, pid)
            row = self._stage(s, p, stage_id)
            return self._set_status(s, user, p, row, status, reason=reason, on=on or self.today(),
                                    expected_version=expected_version)

    @refreshes_forecast
    def block_stage(self, pid: int, stage_id: str, *, reason: str, on: date | None = None,
                    expected_unblock: date | None = None, obstacle: str | None = None, owner: str | None = None,
                    expected_version: int | None = None, actor: str | None = None) -> dict:
        """Block a stage with a reason; optionally record the obstacle (kendala) behind it at once."""
        if not reason or not reason.strip():
            raise InputError(Message("err.block_reason"), field="reason")
        on = on or self.today()
        if expected_unblock is not None and expected_unblock < on:
            raise InputError(Message("tracker.err.service.expected_unblock_date_before",
                                     expected_unblock=expected_unblock.isoformat(), on=on.isoformat()),
                             field="expected_unblock")
        with self._write() as s:
            user = self._actor(s, actor)
            p = self._project(s, pid)
            row = self._stage(s, p, stage_id)
            ob = None
            if obstacle:
                self._check_can_act(user, p, row)
                ob = Obstacle(project_id=p.id, stage_id=row.stage_id, description=obstacle,
                              owner=owner or row.agency, raised_on=on, expected_resolution=expected_unblock,
                              created_by=user.id)
                s.add(ob)
                s.flush()
            res = self._set_status(s, user, p, row, "blocked", reason=reason, on=on,
                                   expected_version=expected_version, kind="stage.block",
                                   detail={"expected_unblock": expected_unblock.isoformat() if expected_unblock
                                           else None, "obstacle_id": ob.id if ob else None})
            if ob is not None:
                s.add(self._event(user, "obstacle.add", project=p.id, stage=row.stage_id, field="obstacle",
                                  new=obstacle, on=on, detail={"obstacle_id": ob.id, "owner": ob.owner}))
                res["obstacle_id"] = ob.id
            return res

    @refreshes_forecast
    def unblock_stage(self, pid: int, stage_id: str, *, reason: str | None = None, on: date | None = None,
                      to: str | None = None, expected_version: int | None = None, actor: str | None = None) -> dict:
        """Unblock a stage: back to the state it had before the block (or ``to``)."""
        with self._write() as s:
            user = self._actor(s, actor)
            p = self._project(s, pid)
            row = self._stage(s, p, stage_id)
            self._check_version(p, row, expected_version)  # a stale copy is a conflict, whatever the state now
            if row.status != "blocked":
                raise InputError(Message("err.not_blocked", stage=stage_id, project=pid,
                                         status=_status_words(row.status)),
                                 source=Message("err.label.project", project=pid), field=Message("err.label.stage",
                                                                                                 stage=stage_id))
            if to is None:
                last = s.scalars(select(Event).where(Event.project_id == p.id, Event.stage_id == row.stage_id,
                                                     Event.new_value == "blocked", Event.field == "status")
                                 .order_by(Event.id.desc())).first()
                to = (last.old_value if last and last.old_value and last.old_value != "blocked" else "in_progress")
            return self._set_status(s, user, p, row, to, reason=reason or "unblocked", on=on or self.today(),
                                    expected_version=expected_version, kind="stage.unblock")

    # ------------------------------------------------------------------ obstacles

    @refreshes_forecast
    def add_obstacle(self, pid: int, stage_id: str, description: str, *, owner: str, on: date | None = None,
                     expected_resolution: date | None = None, actor: str | None = None) -> dict:
        if not description or not description.strip():
            raise InputError(Message("err.obstacle_description"), field="description")
        if not owner or not owner.strip():
            raise InputError(Message("err.obstacle_owner"), field="owner")
        with self._write() as s:
            user = self._actor(s, actor)
            p = self._project(s, pid)
            row = self._stage(s, p, stage_id)
            self._check_can_act(user, p, row)
            on = self._check_date(p, None, on or self.today(), s)
            if expected_resolution is not None and expected_resolution < on:
                raise InputError(Message("tracker.err.service.expected_resolution_date_before",
                                         expected_resolution=expected_resolution.isoformat(), on=on.isoformat()),
                                 field="expected_resolution")
            ob = Obstacle(project_id=p.id, stage_id=row.stage_id, description=description, owner=owner,
                          raised_on=on, expected_resolution=expected_resolution, created_by=user.id)
            s.add(ob)
            s.flush()
            s.add(self._event(user, "obstacle.add", project=p.id, stage=row.stage_id, field="obstacle",
                              new=description, on=on, detail={"obstacle_id": ob.id, "owner": owner}))
            return _obstacle_dict(ob)

    @refreshes_forecast
    def resolve_obstacle(self, obstacle_id: int, resolution: str, *, on: date | None = None,
                         expected_version: int | None = None, actor: str | None = None) -> dict:
        if not resolution or not resolution.strip():
            raise InputError(Message("err.resolution"), field="resolution")
        with self._write() as s:
            user = self._actor(s, actor)
            ob = s.get(Obstacle, obstacle_id)
            if ob is None:
                raise NotFoundError(Message("err.no_obstacle", id=obstacle_id), source="obstacles", field="obstacle")
            p = self._project(s, ob.project_id)
            row = self._stage(s, p, ob.stage_id)
            self._check_can_act(user, p, row)
            if ob.resolved_on is not None:
                raise InputError(Message("err.obstacle_resolved", id=obstacle_id, on=ob.resolved_on),
                                 source="obstacles", field="obstacle")
            if expected_version is not None and expected_version != ob.version:
                raise ConflictError(Message("tracker.err.service.obstacle_was_changed_someone", obstacle_id=obstacle_id,
                                            expected_version=expected_version, version=ob.version),
                                    source="obstacles", field="obstacle")
            on = on or self.today()
            if on < ob.raised_on or on > self.today():
                raise InputError(Message("tracker.err.service.resolution_date_must_lie", on=on.isoformat(),
                                         raised_on=ob.raised_on.isoformat()), field="on")
            ob.resolution, ob.resolved_on = resolution, on
            try:  # the obstacle row's version column makes a concurrent resolution fail here
                s.flush()
            except StaleDataError:
                raise ConflictError(Message("tracker.err.service.obstacle_changed_while_writing",
                                            obstacle_id=obstacle_id), source="obstacles",
                                    field="obstacle") from None
            s.add(self._event(user, "obstacle.resolve", project=p.id, stage=ob.stage_id, field="obstacle",
                              old=ob.description, new=resolution, on=on, detail={"obstacle_id": ob.id}))
            return _obstacle_dict(ob)

    def obstacles(self, pid: int, stage_id: str | None = None, *, open_only: bool = False) -> list[dict]:
        with self._read() as s:
            p = self._project(s, pid)
            q = select(Obstacle).where(Obstacle.project_id == p.id)
            if stage_id:
                self._stage(s, p, stage_id)
                q = q.where(Obstacle.stage_id == stage_id)
            if open_only:
                q = q.where(Obstacle.resolved_on.is_(None))
            return [_obstacle_dict(o) for o in s.scalars(q.order_by(Obstacle.id))]

    # ------------------------------------------------------------------ documents

    @refreshes_forecast
    def attach(self, pid: int, stage_id: str, path: Path, *, name: str | None = None,
               actor: str | None = None) -> dict:
        """Attach a file to a stage as the next version of the document ``name`` (default: the file name)."""
        checked = docs.check_file(Path(path), self.settings.max_upload_bytes)
        name = (name or Path(path).stem).strip()
        with self._write() as s:
            user = self._actor(s, actor)
            p = self._project(s, pid)
            row = self._stage(s, p, stage_id)
            self._check_can_act(user, p, row)
            self._hold_store(s, exclusive=False)  # the garbage collector waits until this attach commits
            version = (s.scalar(select(func.max(Document.version)).where(
                Document.project_id == p.id, Document.stage_id == row.stage_id, Document.name == name)) or 0) + 1
            # write-once: a failed attach leaves the file for the garbage collector, never deletes it (defect 1)
            blob = docs.store(checked, self.settings.files_dir)
            d = Document(project_id=p.id, stage_id=row.stage_id, name=name, version=version,
                         filename=checked.filename, media_type=checked.media_type, size_bytes=checked.size_bytes,
                         sha256=checked.sha256, uploaded_at=_now(), uploaded_by=user.id)
            s.add(d)
            s.flush()
            s.add(self._event(user, "document.attach", project=p.id, stage=row.stage_id, field="document",
                              new=f"{name} v{version}", detail={"sha256": checked.sha256,
                                                                "size_bytes": checked.size_bytes,
                                                                "filename": checked.filename}))
            out = _document_dict(d)
        out["stored_at"] = str(blob)
        return out

    def documents(self, pid: int, stage_id: str | None = None) -> list[dict]:
        with self._read() as s:
            p = self._project(s, pid)
            q = select(Document).where(Document.project_id == p.id)
            if stage_id:
                self._stage(s, p, stage_id)
                q = q.where(Document.stage_id == stage_id)
            return [_document_dict(d) for d in s.scalars(q.order_by(Document.stage_id, Document.name,
                                                                    Document.version))]

    def document(self, pid: int, document_id: int) -> tuple[dict, Path]:
        """One stored document of a project and the path of its bytes (for a download route that checked
        the reader). The stored file name is never used as a path: the bytes live under their SHA-256."""
        with self._read() as s:
            p = self._project(s, pid)
            d = s.get(Document, document_id)
            if d is None or d.project_id != p.id:
                raise NotFoundError(Message("tracker.err.service.no_document_in_project", document_id=document_id,
                                            project=p.id), source="documents",
                                    field="document")
            out = _document_dict(d)
        path = docs.blob_path(self.settings.files_dir, out["sha256"])
        if not path.is_file():
            raise NotFoundError(Message("tracker.err.service.bytes_document_missing_from", document_id=document_id,
                                        files_dir=self.settings.files_dir), source="documents",
                                field="document")
        return out, path

    def document_path(self, sha256: str) -> Path:
        return docs.blob_path(self.settings.files_dir, sha256)

    # ------------------------------------------------------------------ history, state, forecast

    def history(self, pid: int, stage_id: str | None = None) -> list[dict]:
        with self._read() as s:
            p = self._project(s, pid)
            q = select(Event).where(Event.project_id == p.id)
            if stage_id:
                self._stage(s, p, stage_id)
                q = q.where(Event.stage_id == stage_id)
            return [_event_dict(e) for e in s.scalars(q.order_by(Event.id))]

    def _snapshots(self, s: Session, p: Project, tpl, calendar, today: date) -> dict:
        events = s.scalars(select(Event).where(Event.project_id == p.id, Event.field == "status")
                           .order_by(Event.effective_date, Event.id)).all()
        by_stage: dict[str, list[StatusChange]] = {}
        for e in events:
            unblock = (e.detail or {}).get("expected_unblock")
            by_stage.setdefault(e.stage_id, []).append(StatusChange(
                on=e.effective_date, old=e.old_value, new=e.new_value,
                expected_unblock=date.fromisoformat(unblock) if unblock else None))
        return {r.stage_id: derive(by_stage.get(r.stage_id, []), r.status, tpl.stage(r.stage_id).clarification,
                                   calendar, today) for r in p.stages}

    def state(self, pid: int, *, today: date | None = None) -> dict:
        """The project with each stage's state, agency, clock (due, deemed approved, overdue) and obstacles."""
        today = today or self.today()
        with self._read() as s:
            p = self._project(s, pid)
            tpl = self._template_of(p)
            cal = self.calendar(s)
            return self._state_dict(s, p, tpl, cal, self._snapshots(s, p, tpl, cal, today), today)

    def state_and_forecast(self, pid: int, *, today: date | None = None, runs: int = 10000,
                           seed: int = 0) -> tuple[dict, dict]:
        """:meth:`state` and :meth:`forecast` from one reading of the project (what a stored forecast keeps)."""
        from kawasan.licensing import forecast

        today = today or self.today()
        with self._read() as s:
            p = self._project(s, pid)
            tpl = self._template_of(p)
            cal = self.calendar(s)
            snaps = self._snapshots(s, p, tpl, cal, today)
            state = self._state_dict(s, p, tpl, cal, snaps, today)
            start, name = p.start_date, p.name
        out = forecast(tpl, snaps, start, today, cal, runs=runs, seed=seed).to_dict()
        return state, {"project": pid, "name": name, "start": start.isoformat(), "today": today.isoformat(),
                       "runs": runs, "seed": seed, **out}

    def _state_dict(self, s: Session, p: Project, tpl, cal, snaps: dict, today: date) -> dict:
        from kawasan.licensing import stage_clock, text_dict

        obs = s.scalars(select(Obstacle).where(Obstacle.project_id == p.id).order_by(Obstacle.id)).all()
        ndocs = dict(s.execute(select(Document.stage_id, func.count()).where(Document.project_id == p.id)
                               .group_by(Document.stage_id)).all())
        stages = []
        for r in p.stages:
            st = tpl.stage(r.stage_id)
            clock = stage_clock(st, snaps[r.stage_id], cal, today)
            snap = snaps[r.stage_id]
            stages.append({
                "id": r.stage_id, "name": {"id": st.name.id, "en": st.name.en}, "agency": r.agency,
                "status": r.status, "reason": r.reason, "version": r.version,
                "requires": list(st.requires),
                "started": _iso(snap.started), "submitted": _iso(snap.submitted), "finished": _iso(snap.finished),
                "due": _iso(clock.due), "deemed_approved": _iso(clock.deemed_approved),
                "overdue_days": clock.overdue_days, "paused_days": clock.paused_days,
                "days_left": (cal.working_days_between(today, clock.due)
                              if clock.due and clock.due >= today and r.status not in ("approved", "waived")
                              else None),
                "statutory": clock.statutory,
                "duration_days": st.duration.statutory_days if st.duration.statutory_days is not None
                else {"min": st.duration.min, "likely": st.duration.likely, "max": st.duration.max},
                "estimate": st.duration.is_estimate,
                "legal_basis": {"citation": st.legal_basis.text("en"), "tag": st.legal_basis.tag,
                                "citation_text": text_dict(st.legal_basis.citation),
                                "tag_note": text_dict(st.legal_basis.tag_note)},
                "blocked_since": _iso(snap.blocked_since), "expected_unblock": _iso(snap.expected_unblock),
                "obstacles": [_obstacle_dict(o) for o in obs if o.stage_id == r.stage_id],
                "documents": ndocs.get(r.stage_id, 0),
            })
        return {"id": p.id, "name": p.name, "regency": p.regency, "template": p.template_name,
                "template_version": p.template_version, "start": p.start_date.isoformat(),
                "today": today.isoformat(), "synthetic": bool(p.template_body.get("synthetic")),
                "options": [{"key": c.key, "value": c.value, "label": text_dict(c.label),
                             "choice": text_dict(c.choice_label), "chosen_by": c.chosen_by,
                             "legal_basis": {"citation": c.legal_basis.text("en"), "tag": c.legal_basis.tag,
                                             "citation_text": text_dict(c.legal_basis.citation)}}
                            for c in tpl.chosen],
                "application_date": _iso(tpl.application_date),
                "site_geometry": p.site_geometry, "site_origin": p.site_origin, "stages": stages}

    def _plan_inputs(self, pid: int, today: date):
        with self._read() as s:
            p = self._project(s, pid)
            tpl = self._template_of(p)
            cal = self.calendar(s)
            return p.id, p.name, p.start_date, tpl, cal, self._snapshots(s, p, tpl, cal, today)

    def forecast(self, pid: int, *, today: date | None = None, runs: int = 10000, seed: int = 0) -> dict:
        """CPM from today's real states plus the PERT Monte Carlo P50/P80 (fixed seed)."""
        from kawasan.licensing import forecast

        today = today or self.today()
        pid, pname, start, tpl, cal, snaps = self._plan_inputs(pid, today)
        out = forecast(tpl, snaps, start, today, cal, runs=runs, seed=seed).to_dict()
        return {"project": pid, "name": pname, "start": start.isoformat(), "today": today.isoformat(),
                "runs": runs, "seed": seed, **out}

    def whatif(self, pid: int, scenario, *, today: date | None = None, runs: int = 10000, seed: int = 0) -> dict:
        """The forecast with a scenario (parallel stages, shortened stages, blockers resolved by a date)."""
        from kawasan.licensing import whatif

        today = today or self.today()
        pid, pname, start, tpl, cal, snaps = self._plan_inputs(pid, today)
        for sid in [*(x for pair in scenario.parallel for x in pair), *scenario.shorten, *scenario.resolve]:
            tpl.stage(sid)
        w = whatif(tpl, snaps, start, today, cal, scenario, runs=runs, seed=seed)
        d = w.to_dict() if hasattr(w, "to_dict") else {
            "base": w.base.to_dict(), "variant": w.variant.to_dict(), "days_saved": w.days_saved,
            "newly_critical": list(w.newly_critical), "no_longer_critical": list(w.no_longer_critical),
            "notes": list(w.notes)}
        return {"project": pid, "name": pname, "today": today.isoformat(), **d}


def _warnings(notices: list) -> dict:
    """``warnings`` (English sentences, as before) and ``warning_codes`` (catalogue key and values, for translation)."""
    from kawasan.i18n import t

    return {"warnings": [t(key, "en", **params) for key, params in notices],
            "warning_codes": [{"key": key, "params": params} for key, params in notices]}


def _obstacle_dict(o: Obstacle) -> dict:
    return {"id": o.id, "project": o.project_id, "stage": o.stage_id, "description": o.description, "owner": o.owner,
            "raised_on": _iso(o.raised_on), "expected_resolution": _iso(o.expected_resolution),
            "resolution": o.resolution, "resolved_on": _iso(o.resolved_on), "version": o.version}


def _document_dict(d: Document) -> dict:
    return {"id": d.id, "project": d.project_id, "stage": d.stage_id, "name": d.name, "version": d.version,
            "filename": d.filename, "media_type": d.media_type, "size_bytes": d.size_bytes, "sha256": d.sha256,
            "uploaded_at": _utc(d.uploaded_at)}


def _event_dict(e: Event) -> dict:
    return {"id": e.id, "recorded_at": _utc(e.recorded_at),
            "effective_date": _iso(e.effective_date), "actor": e.actor, "project": e.project_id, "stage": e.stage_id,
            "kind": e.kind, "field": e.field, "from": e.old_value, "to": e.new_value, "reason": e.reason,
            "detail": e.detail}


__all__ = ["ProjectService", "ROLES", "AGENCY_KINDS", "LOCAL_ADMIN"]


def _status_words(status: str) -> dict:
    """A stage state for a message: its code in English (what --status takes), its name and code in Indonesian."""
    from kawasan.i18n import t

    return {"en": status, "id": f"{t(f'tracker.state.{status}', 'id')} ({status})"}


def _checked_project_name(name: str | None) -> str:
    """The project's name without surrounding blanks; an InputError when nothing is left."""
    name = (name or "").strip()
    if not name:
        raise InputError(Message("tracker.err.service.project_needs_name"), field="name")
    return name


def _check_start_year(start: date) -> None:
    """The start date lies in 1900..2200: outside it is a typo of the year, and the working-day calendar has no
    use for it."""
    if not 1900 <= start.year <= 2200:
        raise InputError(Message("tracker.err.service.start_outside_years_check", start=start.isoformat()),
                         field="start")


def _check_site(site_geometry: dict | None, site_origin: dict | None) -> None:
    """The site's geometry, when given, passes :func:`kawasan.tracker.sitegeometry.checked_site`; its origin, when
    given, is an object."""
    if site_geometry is not None:
        from kawasan.tracker.sitegeometry import checked_site

        checked_site(site_geometry)
    if site_origin is not None and not isinstance(site_origin, dict):
        raise InputError(Message("tracker.err.service.site_origin_must_object"), field="site_origin")


def _check_may_create_project(user: User, regency: str | None) -> None:
    """An administrator may create any project, a coordinator one in their own regency; PermissionDeniedError
    otherwise (regencies compared as :func:`kawasan.licensing.can_act` does when acting later)."""
    if user.role == "coordinator":
        from kawasan.licensing.roles import _norm  # the comparison can_act uses for acting later

        if regency and user.regency and _norm(regency) != _norm(user.regency):
            raise PermissionDeniedError(Message("tracker.err.service.coordinator_may_create_project",
                                                username=user.username, regency=user.regency,
                                                target_regency=regency), field="regency")
    elif user.role != "administrator":
        raise PermissionDeniedError(Message("tracker.err.service.user_may_create_projects",
                                            username=user.username, role=user.role), field="user")
