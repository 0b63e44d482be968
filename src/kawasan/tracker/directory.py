"""Agencies, users, the working calendar and registered templates: the tracker's directory data."""
from __future__ import annotations

import re
import threading
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kawasan.errors import InputError, NotFoundError, PermissionDeniedError
from kawasan.storage.models import Agency, CalendarDay, StoredTemplate, User
from kawasan.tracker.base import LOCAL_ADMIN, TrackerBase, _now
from kawasan.i18n import Message, joined

ROLES = ("administrator", "coordinator", "agency_officer", "viewer")
AGENCY_KINDS = ("regency", "province", "national", "system", "private", "other")  # as the template agency levels


class DirectoryMixin(TrackerBase):
    """Use cases on agencies, users, calendar days and templates (administrators change them)."""

    # ------------------------------------------------------------------ agencies and users

    def add_agency(self, code: str, name: str, *, kind: str = "regency", regency: str | None = None,
                   actor: str | None = None) -> dict:
        """Add an agency; the same code may exist once per regency (and once without a regency)."""
        code = (code or "").strip()
        regency = (regency or "").strip() or None
        if not code:
            raise InputError(Message("tracker.err.directory.agency_needs_code"), field="code")
        if kind not in AGENCY_KINDS:
            raise InputError(Message("tracker.err.directory.unknown_agency_kind_expected", kind=kind,
                                     kinds=', '.join(AGENCY_KINDS)), field="kind")
        with self._write() as s:
            user = self._actor(s, actor)
            self._require_admin(user, "add agencies")
            if s.scalar(select(Agency).where(Agency.code == code, _same_regency(regency))):
                raise InputError(Message("tracker.err.directory.agency_already_exists", code=code, regency=regency)
                                 if regency else Message("tracker.err.directory.agency_already_exists_everywhere",
                                                         code=code), source="agencies", field="code")
            a = Agency(code=code, name=name or code, kind=kind, regency=regency, created_at=_now())
            s.add(a)
            s.add(self._event(user, "agency.add", field="agency", new=code, reason=name,
                              detail={"kind": kind, "regency": regency}))
            s.flush()
            return _agency_dict(a)

    def update_agency(self, agency_id: int, *, name: str | None = None, kind: str | None = None,
                      regency: str | None = None, actor: str | None = None) -> dict:
        """Change an agency's name, level or regency (``regency=""`` makes it serve every regency)."""
        if kind is not None and kind not in AGENCY_KINDS:
            raise InputError(Message("tracker.err.directory.unknown_agency_kind_expected", kind=kind,
                                     kinds=', '.join(AGENCY_KINDS)), field="kind")
        with self._write() as s:
            user = self._actor(s, actor)
            self._require_admin(user, "change agencies")
            a = s.get(Agency, agency_id)
            if a is None:
                raise NotFoundError(Message("tracker.err.directory.no_agency_with_id", agency_id=agency_id),
                                    source="agencies", field="agency")
            before = _agency_dict(a)
            if name is not None and name.strip():
                a.name = name.strip()
            if kind is not None:
                a.kind = kind
            if regency is not None:
                new_reg = regency.strip() or None
                if s.scalar(select(Agency).where(Agency.code == a.code, _same_regency(new_reg), Agency.id != a.id)):
                    raise InputError(Message("tracker.err.directory.agency_already_exists_in", code=a.code,
                                             regency=new_reg or Message('tracker.err.directory.no_regency')),
                                     source="agencies", field="regency")
                a.regency = new_reg
            s.add(self._event(user, "agency.update", field="agency", old=_agency_text(before), new=_agency_text(
                _agency_dict(a)), detail={"agency_id": a.id}))
            s.flush()
            return _agency_dict(a)

    def list_agencies(self) -> list[dict]:
        with self._read() as s:
            return [_agency_dict(a) for a in s.scalars(select(Agency).order_by(Agency.code, Agency.regency))]

    def add_user(self, username: str, role: str, *, agency: str | None = None, regency: str | None = None,
                 full_name: str | None = None, actor: str | None = None) -> dict:
        username = (username or "").strip()
        if not username or any(c.isspace() for c in username):
            raise InputError(Message("tracker.err.directory.username_must_one_word", username=username),
                             field="username")
        if role not in ROLES:
            raise InputError(Message("tracker.err.directory.unknown_role_expected_one", role=role,
                                     roles=', '.join(ROLES)), field="role")
        if role == "agency_officer" and not agency:
            raise InputError(Message("tracker.err.directory.agency_officer_needs_agency"),
                             field="agency")
        if role == "coordinator" and not regency:
            raise InputError(Message("tracker.err.directory.coordinator_needs_regency_name"),
                             field="regency")
        with self._write() as s:
            first = s.scalar(select(func.count()).select_from(User)) == 0
            if first:
                if role != "administrator":
                    raise PermissionDeniedError(Message("tracker.err.directory.database_has_users_yet"), field="role")
                user = None
            else:
                user = self._actor(s, actor)
                self._require_admin(user, "add users")
            if s.scalar(select(User).where(User.username == username)):
                raise InputError(Message("tracker.err.directory.user_already_exists", username=username),
                                 source="users", field="username")
            ag = self._find_agency(s, agency, regency) if agency else None
            u = User(username=username, role=role, agency_id=ag.id if ag else None, regency=regency,
                     full_name=full_name, created_at=_now())
            s.add(u)
            s.flush()
            s.add(self._event(user, "user.add", field="role", new=f"{username}:{role}",
                              detail={"agency": agency, "regency": regency},
                              actor_name=None if user else username))
            return _user_dict(u)

    def list_users(self) -> list[dict]:
        with self._read() as s:
            return [_user_dict(u) for u in s.scalars(select(User).order_by(User.username))]

    @staticmethod
    def _find_agency(s: Session, code: str, regency: str | None) -> Agency:
        """The agency row of ``code`` for a user of ``regency``: that regency's own, else one without a regency;
        without a regency given, the only row of that code."""
        rows = s.scalars(select(Agency).where(Agency.code == code).order_by(Agency.id)).all()
        if not rows:
            codes = sorted(set(s.scalars(select(Agency.code)).all()))
            raise NotFoundError(Message("tracker.err.directory.unknown_agency_known_agencies", code=code,
                                        codes=', '.join(codes) or Message('err.none')), source="agencies",
                                field="agency")
        if regency:
            own = [a for a in rows if a.regency and _norm(a.regency) == _norm(regency)] or \
                  [a for a in rows if a.regency is None]
            if own:
                return own[0]
            raise NotFoundError(Message("tracker.err.directory.agency_has_row_exists", code=code, regency=regency,
                                        regencies=joined(a.regency or Message('tracker.err.directory.every_regency') for a in rows)),
                                source="agencies", field="agency")
        if len(rows) > 1:
            raise InputError(Message("tracker.err.directory.agency_exists_several_regencies", code=code,
                                     regencies=joined(a.regency or Message('err.none') for a in rows)),
                             source="agencies", field="regency")
        return rows[0]

    def update_user(self, username: str, *, role: str | None = None, agency: str | None = None,
                    regency: str | None = None, full_name: str | None = None, disabled: bool | None = None,
                    actor: str | None = None) -> dict:
        """Change a user's role, agency, regency, name or whether the account is disabled (administrators).

        Disabling an account also ends its sessions (it can no longer sign in or use its tokens)."""
        from kawasan.storage.models import WebSession

        if role is not None and role not in ROLES:
            raise InputError(Message("tracker.err.directory.unknown_role_expected_one", role=role,
                                     roles=', '.join(ROLES)), field="role")
        with self._write() as s:
            user = self._actor(s, actor)
            self._require_admin(user, "change users")
            u = s.scalar(select(User).where(User.username == username))
            if u is None:
                raise NotFoundError(Message("tracker.err.directory.unknown_user", username=username), source="users",
                                    field="username")
            before = _user_dict(u)
            if regency is not None:
                u.regency = regency.strip() or None
            if role is not None:
                u.role = role
            if agency is not None:
                u.agency_id = self._find_agency(s, agency, u.regency).id if agency.strip() else None
            if full_name is not None:
                u.full_name = full_name.strip() or None
            if disabled is not None:
                u.disabled = bool(disabled)
                if disabled:
                    s.query(WebSession).filter(WebSession.user_id == u.id).delete()
            if u.id == user.id and (u.role != "administrator" or u.disabled):
                raise InputError(Message("tracker.err.directory.administrator_cannot_take_away"), field="role")
            if u.role == "agency_officer" and u.agency_id is None:
                raise InputError(Message("tracker.err.directory.agency_officer_needs_an_agency"),
                                 field="agency")
            if u.role == "coordinator" and not u.regency:
                raise InputError(Message("tracker.err.directory.coordinator_needs_regency_regency"),
                                 field="regency")
            s.flush()
            s.refresh(u)
            after = _user_dict(u)
            changed = {k: after[k] for k in after if after[k] != before[k]}
            s.add(self._event(user, "user.update", field="user", old=username, new=username,
                              detail={"changed": changed}))
            return after

    # ------------------------------------------------------------------ calendar

    def add_calendar_day(self, day: date, *, kind: str = "holiday", description: str | None = None,
                         actor: str | None = None) -> dict:
        if kind not in ("holiday", "workday"):
            raise InputError(Message("tracker.err.directory.unknown_calendar_day_kind", kind=kind), field="kind")
        with self._write() as s:
            user = self._actor(s, actor)
            self._require_admin(user, "change the calendar")
            if s.scalar(select(CalendarDay).where(CalendarDay.day == day)):
                raise InputError(Message("tracker.err.directory.already_calendar", day=day.isoformat()),
                                 source="calendar", field="day")
            d = CalendarDay(day=day, kind=kind, description=description, created_at=_now(), created_by=user.id)
            s.add(d)
            s.add(self._event(user, "calendar.add", field=kind, new=day.isoformat(), reason=description))
            return {"day": day.isoformat(), "kind": kind, "description": description}

    def calendar_days(self) -> list[dict]:
        with self._read() as s:
            return [{"day": d.day.isoformat(), "kind": d.kind, "description": d.description}
                    for d in s.scalars(select(CalendarDay).order_by(CalendarDay.day))]

    def calendar(self, s: Session | None = None):
        """The working calendar: Indonesian national holidays and joint leave plus the administrators' days."""
        from kawasan.licensing import WorkingCalendar

        if s is None:
            with self._read() as s2:
                return self.calendar(s2)
        rows = s.execute(select(CalendarDay.day, CalendarDay.kind).order_by(CalendarDay.day)).all()
        key = tuple((d, k) for d, k in rows)
        local = self.__dict__.setdefault("_calendar_local", threading.local())  # a calendar is not thread-safe
        cached = getattr(local, "cached", None)
        if cached is None or cached[0] != key:  # one calendar (with its computed years) while the days are unchanged
            cached = local.cached = (key, WorkingCalendar(
                extra_holidays=tuple(d for d, k in key if k == "holiday"),
                extra_workdays=tuple(d for d, k in key if k == "workday")))
        return cached[1]

    # ------------------------------------------------------------------ templates

    def resolve_template(self, name: str):
        """A template by name: one registered in the database (latest), a built-in one, or a file path."""
        from kawasan.licensing import builtin_names, builtin_template, load_template, validate_template

        with self._read() as s:
            row = s.scalars(select(StoredTemplate).where(StoredTemplate.name == name)
                            .order_by(StoredTemplate.id.desc())).first()
            if row is not None:
                return validate_template(row.body, source=Message("err.label.template_database", name=name))
            stored = s.scalars(select(StoredTemplate.name).distinct()).all()
        if name in builtin_names():
            return builtin_template(name)
        p = Path(name)
        if p.suffix.lower() in (".yaml", ".yml", ".json", ".csv") or p.exists():
            return load_template(p)
        raise NotFoundError(Message("tracker.err.directory.unknown_template_built_registered", name=name,
                                    builtin=', '.join(builtin_names()),
                                    registered=', '.join(sorted(stored)) or Message('err.none')),
                            source="templates", field="template")

    def register_template(self, template, *, source: str | None = None, actor: str | None = None) -> dict:
        """Store a validated template in the database so projects can use it by name (and version) that are
        :data:`SAFE_NAME`: they appear in pages, file names and commands, so no markup, path or space."""
        from kawasan.licensing import builtin_names

        for field, value in (("name", template.name), ("version", template.version)):
            if not SAFE_NAME.fullmatch(str(value)):
                raise InputError(Message("tracker.err.directory.template_allowed_expected_letters", field=field,
                                         value=str(value)[:80]), source="templates", field=field)

        clash = next((b for b in builtin_names() if b.casefold() == template.name.strip().casefold()), None)
        if clash:  # a registered template wins over a built-in one by name: it would silently replace it
            raise InputError(Message("tracker.err.directory.name_belongs_built_template", name=template.name,
                                     clash=clash), source="templates", field="name")
        with self._write() as s:
            user = self._actor(s, actor)
            if user.role not in ("administrator", "coordinator"):
                raise PermissionDeniedError(Message("tracker.err.directory.user_may_register_templates",
                                                    username=user.username, role=user.role), field="user")
            if s.scalar(select(StoredTemplate).where(StoredTemplate.name == template.name,
                                                     StoredTemplate.version == template.version)):
                raise InputError(Message("tracker.err.directory.template_version_already_registered",
                                         name=template.name, version=template.version), source="templates",
                                 field="version")
            s.add(StoredTemplate(name=template.name, version=template.version, body=template.model_dump(mode="json"),
                                 source=source, created_at=_now(), created_by=user.id))
            s.add(self._event(user, "template.add", field="template", new=f"{template.name}:{template.version}",
                              detail={"source": source, "stages": len(template.stages)}))
        return {"name": template.name, "version": template.version, "stages": len(template.stages)}

    def list_templates(self) -> list[dict]:
        from kawasan.licensing import builtin_names, builtin_template

        out = []
        for n in builtin_names():
            t = builtin_template(n)
            out.append({"name": t.name, "version": t.version, "stages": len(t.stages), "origin": "built-in"})
        with self._read() as s:
            for r in s.scalars(select(StoredTemplate).order_by(StoredTemplate.name, StoredTemplate.id)):
                out.append({"name": r.name, "version": r.version, "stages": len(r.body.get("stages", [])),
                            "origin": "database"})
        return out


#: what a registered template's name and version may be (design choice: safe in HTML, paths and shells)
SAFE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_+-]|\.(?!\.)){0,63}")


def _same_regency(regency: str | None):
    return Agency.regency.is_(None) if regency is None else Agency.regency == regency


def _norm(x: str | None) -> str:
    return " ".join(str(x).split()).casefold() if x else ""


def _agency_dict(a: Agency) -> dict:
    return {"id": a.id, "code": a.code, "name": a.name, "kind": a.kind, "regency": a.regency}


def _agency_text(a: dict) -> str:
    return f"{a['code']} ({a['kind']}, {a['regency'] or 'every regency'}): {a['name']}"


def _user_dict(u: User) -> dict:
    return {"username": u.username, "full_name": u.full_name, "role": u.role,
            "agency": u.agency.code if u.agency else None,
            "agency_regency": u.agency.regency if u.agency else None, "regency": u.regency,
            "disabled": bool(u.disabled), "has_password": bool(u.password_hash)}


__all__ = ["DirectoryMixin", "ROLES", "AGENCY_KINDS", "LOCAL_ADMIN"]
