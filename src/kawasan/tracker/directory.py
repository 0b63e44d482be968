"""Agencies, users, the working calendar and registered templates: the tracker's directory data."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kawasan.errors import InputError, NotFoundError, PermissionDeniedError
from kawasan.storage.models import Agency, CalendarDay, StoredTemplate, User
from kawasan.tracker.base import LOCAL_ADMIN, TrackerBase, _now

ROLES = ("administrator", "coordinator", "agency_officer", "viewer")
AGENCY_KINDS = ("regency", "province", "national", "system", "private", "other")  # as the template agency levels


class DirectoryMixin(TrackerBase):
    """Use cases on agencies, users, calendar days and templates (administrators change them)."""

    # ------------------------------------------------------------------ agencies and users

    def add_agency(self, code: str, name: str, *, kind: str = "regency", regency: str | None = None,
                   actor: str | None = None) -> dict:
        code = (code or "").strip()
        if not code:
            raise InputError("an agency needs a code (e.g. DPMPTSP, DLH, DJBC)", field="code")
        if kind not in AGENCY_KINDS:
            raise InputError(f"unknown agency kind {kind!r}; expected one of {', '.join(AGENCY_KINDS)}", field="kind")
        with self._write() as s:
            user = self._actor(s, actor)
            self._require_admin(user, "add agencies")
            if s.scalar(select(Agency).where(Agency.code == code)):
                raise InputError(f"agency {code!r} already exists", source="agencies", field="code")
            a = Agency(code=code, name=name or code, kind=kind, regency=regency, created_at=_now())
            s.add(a)
            s.add(self._event(user, "agency.add", field="agency", new=code, reason=name))
            s.flush()
            return _agency_dict(a)

    def list_agencies(self) -> list[dict]:
        with self._read() as s:
            return [_agency_dict(a) for a in s.scalars(select(Agency).order_by(Agency.code))]

    def add_user(self, username: str, role: str, *, agency: str | None = None, regency: str | None = None,
                 full_name: str | None = None, actor: str | None = None) -> dict:
        username = (username or "").strip()
        if not username or any(c.isspace() for c in username):
            raise InputError(f"a username must be one word without spaces, got {username!r}", field="username")
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}", field="role")
        if role == "agency_officer" and not agency:
            raise InputError("an agency officer needs --agency CODE (the agency whose stages they act on)",
                             field="agency")
        if role == "coordinator" and not regency:
            raise InputError("a coordinator needs --regency NAME (the regency whose projects they coordinate)",
                             field="regency")
        with self._write() as s:
            first = s.scalar(select(func.count()).select_from(User)) == 0
            if first:
                if role != "administrator":
                    raise PermissionDeniedError("the database has no users yet: the first user must be an "
                                                "administrator (--role administrator)", field="role")
                user = None
            else:
                user = self._actor(s, actor)
                self._require_admin(user, "add users")
            if s.scalar(select(User).where(User.username == username)):
                raise InputError(f"user {username!r} already exists", source="users", field="username")
            ag = None
            if agency:
                ag = s.scalar(select(Agency).where(Agency.code == agency))
                if ag is None:
                    codes = s.scalars(select(Agency.code).order_by(Agency.code)).all()
                    raise NotFoundError(f"unknown agency {agency!r}; known agencies: {', '.join(codes) or 'none'} "
                                        "(add it with 'kawasan agency add')", source="agencies", field="agency")
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

    # ------------------------------------------------------------------ calendar

    def add_calendar_day(self, day: date, *, kind: str = "holiday", description: str | None = None,
                         actor: str | None = None) -> dict:
        if kind not in ("holiday", "workday"):
            raise InputError(f"unknown calendar day kind {kind!r}; expected holiday or workday", field="kind")
        with self._write() as s:
            user = self._actor(s, actor)
            self._require_admin(user, "change the calendar")
            if s.scalar(select(CalendarDay).where(CalendarDay.day == day)):
                raise InputError(f"{day.isoformat()} is already in the calendar", source="calendar", field="day")
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
        rows = s.scalars(select(CalendarDay)).all()
        return WorkingCalendar(extra_holidays=tuple(r.day for r in rows if r.kind == "holiday"),
                               extra_workdays=tuple(r.day for r in rows if r.kind == "workday"))

    # ------------------------------------------------------------------ templates

    def resolve_template(self, name: str):
        """A template by name: one registered in the database (latest), a built-in one, or a file path."""
        from kawasan.licensing import builtin_names, builtin_template, load_template, validate_template

        with self._read() as s:
            row = s.scalars(select(StoredTemplate).where(StoredTemplate.name == name)
                            .order_by(StoredTemplate.id.desc())).first()
            if row is not None:
                return validate_template(row.body, source=f"template {name} (database)")
            stored = s.scalars(select(StoredTemplate.name).distinct()).all()
        if name in builtin_names():
            return builtin_template(name)
        p = Path(name)
        if p.suffix.lower() in (".yaml", ".yml", ".json", ".csv") or p.exists():
            return load_template(p)
        raise NotFoundError(f"unknown template {name!r}; built-in: {', '.join(builtin_names())}; registered: "
                            f"{', '.join(sorted(stored)) or 'none'}; or give a .yaml/.json file",
                            source="templates", field="template")

    def register_template(self, template, *, source: str | None = None, actor: str | None = None) -> dict:
        """Store a validated template in the database so projects can use it by name."""
        from kawasan.licensing import builtin_names

        clash = next((b for b in builtin_names() if b.casefold() == template.name.strip().casefold()), None)
        if clash:  # a registered template wins over a built-in one by name: it would silently replace it
            raise InputError(f"the name {template.name!r} belongs to the built-in template {clash!r}; registering "
                             f"it would replace the built-in path for every new project. Choose another name "
                             f"(e.g. {clash}-custom)", source="templates", field="name")
        with self._write() as s:
            user = self._actor(s, actor)
            if user.role not in ("administrator", "coordinator"):
                raise PermissionDeniedError(f"user {user.username!r} ({user.role}) may not register templates: "
                                            "only an administrator or a coordinator may", field="user")
            if s.scalar(select(StoredTemplate).where(StoredTemplate.name == template.name,
                                                     StoredTemplate.version == template.version)):
                raise InputError(f"template {template.name!r} version {template.version!r} is already registered; "
                                 "raise its version or choose another name", source="templates", field="version")
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


def _agency_dict(a: Agency) -> dict:
    return {"code": a.code, "name": a.name, "kind": a.kind, "regency": a.regency}


def _user_dict(u: User) -> dict:
    return {"username": u.username, "full_name": u.full_name, "role": u.role,
            "agency": u.agency.code if u.agency else None, "regency": u.regency}


__all__ = ["DirectoryMixin", "ROLES", "AGENCY_KINDS", "LOCAL_ADMIN"]
