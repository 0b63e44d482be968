"""Stored forecasts, the portfolio, My work and the deadline feed: what the web app reads many times a minute.

A forecast (CPM + Monte Carlo, :func:`kawasan.licensing.forecast`) depends on two things only: the
project's event log and the day it is computed for. So it is stored per project with ``as_of`` (the day)
and ``state_key`` (the id of the project's latest event), together with the project's state (stages and
their clocks) and a summary. A stored forecast is current while both still match; a page reads it as
is, and only a change (a new event) or a new day makes it stale. Stale forecasts are recomputed on the
next read (the web app also refreshes them in the background), and old rows are kept: the history gives
the "change since last week" (P80 now against the latest forecast at least 7 days old).

Portfolio status of a project, first match wins (design, not law):
``blocked`` (a stage is blocked), ``overdue`` (a stage is past its due date), ``at_risk`` (P80 is after
the target date: the date the team set, else the P80 of the project's first stored forecast, its
baseline, so "at risk" means "slipped since the plan was first forecast") and ``on_track``.
"""
from __future__ import annotations

import functools
import logging
import threading
from datetime import date, timedelta

from sqlalchemy import func, select

from kawasan.errors import ConflictError, InputError, PermissionDeniedError
from kawasan.storage.models import Event, ForecastRecord, Project
from kawasan.tracker.base import TrackerBase, _now
from kawasan.i18n import Message

FORECAST_RUNS = 10_000
FORECAST_SEED = 0
STATUSES = ("on_track", "at_risk", "overdue", "blocked")
FINAL = ("approved", "waived")
ACTION_STATES = ("in_progress", "submitted", "clarification", "rejected", "blocked")


log = logging.getLogger("kawasan.tracker")


def refreshes_forecast(method):
    """After a change to a project is committed, store its new forecast at once (so pages read a current
    one instead of computing it). A failure to refresh is logged and leaves the forecast stale; the next
    read recomputes it. The change itself is already committed either way."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        result = method(self, *args, **kwargs)
        pid = result.get("project") if isinstance(result, dict) else None
        if pid is not None and self.refresh_on_change:
            try:
                self.current(pid)
            except Exception:  # noqa: BLE001 - see the docstring: the committed change must not look failed
                log.exception("could not refresh the stored forecast of project %s", pid)
        return result
    return wrapper


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _norm(x: str | None) -> str:
    return " ".join(str(x).split()).casefold() if x else ""


def action_items(state: dict, fc: dict) -> list[dict]:
    """The stages of a project that need action (My work): in progress, submitted, in clarification,
    rejected or blocked, or not started with every prerequisite approved or waived (ready to start);
    each with its forecast finish."""
    status_of = {st["id"]: st["status"] for st in state["stages"]}
    finish_of = {f["id"]: f["finish_date"] for f in fc["stages"]}
    items = []
    for st in state["stages"]:
        ready = st["status"] == "not_started" and all(status_of.get(q) in FINAL for q in st["requires"])
        if st["status"] in ACTION_STATES or ready:
            items.append({**st, "ready_to_start": ready, "forecast_finish": finish_of.get(st["id"])})
    return items


def summarize(state: dict, fc: dict, target: date | None) -> dict:
    """Progress, blocked/overdue counts, open obstacles, P50/P80 and the portfolio status of one project."""
    stages = state["stages"]
    blocked = sum(1 for s in stages if s["status"] == "blocked")
    overdue = sum(1 for s in stages if (s["overdue_days"] or 0) > 0 and s["status"] not in FINAL)
    p80 = _d(fc["p80"])
    if blocked:
        status = "blocked"
    elif overdue:
        status = "overdue"
    elif target is not None and p80 > target:
        status = "at_risk"
    else:
        status = "on_track"
    return {"id": state["id"], "name": state["name"], "regency": state["regency"], "template": state["template"],
            "start": state["start"], "has_site": state.get("site_geometry") is not None,
            "done": sum(1 for s in stages if s["status"] in FINAL), "total": len(stages), "blocked": blocked,
            "overdue": overdue, "open_obstacles": sum(1 for s in stages for o in s["obstacles"]
                                                      if not o["resolved_on"]),
            "finish": fc["finish"], "p50": fc["p50"], "p80": fc["p80"],
            "target": target.isoformat() if target else None, "status": status}


class PortfolioMixin(TrackerBase):
    """Stored forecasts and the views built on them."""

    #: store a project's new forecast right after each change (the CLI and the web app do; bulk imports may not)
    refresh_on_change = True

    # ------------------------------------------------------------------ stored forecasts

    def _state_keys(self, pids: list[int] | None = None) -> dict[int, str]:
        with self._read() as s:
            q = select(Event.project_id, func.max(Event.id)).where(Event.project_id.is_not(None))
            if pids is not None:
                q = q.where(Event.project_id.in_(pids))
            return {pid: str(eid) for pid, eid in s.execute(q.group_by(Event.project_id)).all()}

    def _latest_records(self, pids: list[int] | None, on_or_before: date | None = None,
                        parts: tuple[str, ...] = ()) -> dict[int, dict]:
        """The newest stored record of each project (newest row), optionally as of a day: ``id``, ``as_of``,
        ``state_key``, ``p80`` and the JSON ``parts`` asked for (summary, state, forecast)."""
        with self._read() as s:
            q = select(func.max(ForecastRecord.id)).group_by(ForecastRecord.project_id)
            if on_or_before is not None:
                q = q.where(ForecastRecord.as_of <= on_or_before)
            if pids is not None:
                q = q.where(ForecastRecord.project_id.in_(pids))
            ids = s.scalars(q).all()
            if not ids:
                return {}
            cols = [ForecastRecord.project_id, ForecastRecord.as_of, ForecastRecord.state_key, ForecastRecord.p80,
                    *(getattr(ForecastRecord, part) for part in parts)]
            rows = s.execute(select(*cols).where(ForecastRecord.id.in_(ids))).all()
        keys = ("project_id", "as_of", "state_key", "p80", *parts)
        return {r[0]: dict(zip(keys, r)) for r in rows}

    def _compute_record(self, pid: int, today: date, key: str) -> dict:
        state, fc = self.state_and_forecast(pid, today=today, runs=FORECAST_RUNS, seed=FORECAST_SEED)
        with self._read() as s:
            target = s.scalar(select(Project.target_date).where(Project.id == pid))
            if target is None:  # the baseline: the P80 of the project's first stored forecast
                target = s.scalars(select(ForecastRecord.p80).where(ForecastRecord.project_id == pid)
                                   .order_by(ForecastRecord.id).limit(1)).first() or _d(fc["p80"])
        record = {"state": state, "forecast": fc, "summary": summarize(state, fc, target),
                  "actions": action_items(state, fc)}
        try:
            with self._write() as s:
                s.add(ForecastRecord(project_id=pid, as_of=today, state_key=key, computed_at=_now(),
                                     finish=_d(fc["finish"]), p50=_d(fc["p50"]), p80=_d(fc["p80"]), **record))
        except ConflictError:
            pass  # another worker stored the same forecast at the same moment: same inputs, same answer
        return record

    def summaries(self, pids: list[int] | None = None, parts: tuple[str, ...] = ("summary", "state", "forecast")
                  ) -> dict[int, dict]:
        """The current stored record of each project with the ``parts`` asked for (summary, actions, state,
        forecast), recomputed where the project changed or the day moved on since it was stored.

        Summaries and action items, which the portfolio and My work read for every project, come through a
        per-process cache that re-reads only the projects whose event log moved (see :class:`_Current`)."""
        if set(parts) <= {"summary", "actions"}:
            current = self._current_cache().get(self, pids)
            return {pid: {part: rec[part] for part in parts} for pid, rec in current.items()}
        today = self.today()
        keys = self._state_keys(pids)
        latest = self._latest_records(list(keys), parts=parts)
        out = {}
        for pid in sorted(keys):
            rec = latest.get(pid)
            if rec is not None and rec["as_of"] == today and rec["state_key"] == keys[pid]:
                out[pid] = {part: rec[part] for part in parts}
            else:
                out[pid] = self._compute_record(pid, today, keys[pid])
        return out

    def _current_cache(self) -> "_Current":
        cache = getattr(self, "_current", None)
        if cache is None:
            cache = self._current = _Current()
        return cache

    def current(self, pid: int, parts: tuple[str, ...] = ("summary", "state", "forecast")) -> dict:
        """The current stored record of one project with the ``parts`` asked for."""
        with self._read() as s:
            self._project(s, pid)
        return self.summaries([pid], parts=parts)[pid]

    def refresh_forecasts(self) -> int:
        """Recompute every stale stored forecast now (e.g. at the start of a day); returns how many."""
        today = self.today()
        keys = self._state_keys()
        latest = self._latest_records(list(keys))
        n = 0
        for pid in sorted(keys):
            rec = latest.get(pid)
            if rec is None or rec["as_of"] != today or rec["state_key"] != keys[pid]:
                self._compute_record(pid, today, keys[pid])
                n += 1
        return n

    def forecast_history(self, pid: int) -> list[dict]:
        """Every stored forecast of a project: as_of, finish, P50, P80 (oldest first)."""
        with self._read() as s:
            self._project(s, pid)
            rows = s.execute(select(ForecastRecord.as_of, ForecastRecord.finish, ForecastRecord.p50,
                                    ForecastRecord.p80).where(ForecastRecord.project_id == pid)
                             .order_by(ForecastRecord.id)).all()
        return [{"as_of": a.isoformat(), "finish": f.isoformat(), "p50": p5.isoformat(), "p80": p8.isoformat()}
                for a, f, p5, p8 in rows]

    @refreshes_forecast
    def set_target(self, pid: int, target: date | None, *, actor: str | None = None) -> dict:
        """Set (or clear) the date the team commits to; administrators and the project's coordinators."""
        if target is not None and not 1900 <= target.year <= 2200:
            raise InputError(Message("tracker.err.portfolio.outside_years", target=target.isoformat()), field="target")
        with self._write() as s:
            user = self._actor(s, actor)
            p = self._project(s, pid)
            if not (user.role == "administrator" or (user.role == "coordinator"
                                                     and _norm(user.regency) == _norm(p.regency))):
                raise PermissionDeniedError(Message("tracker.err.portfolio.user_may_set_target", username=user.username,
                                                    role=user.role, project=p.id), field="user")
            old = p.target_date
            p.target_date = target
            s.add(self._event(user, "project.target", project=p.id, field="target_date",
                              old=old.isoformat() if old else None, new=target.isoformat() if target else None))
            return {"project": p.id, "target": target.isoformat() if target else None}

    # ------------------------------------------------------------------ portfolio

    def portfolio(self, *, regency: str | None = None, template: str | None = None,
                  status: str | None = None) -> dict:
        """Every project with progress, blocked/overdue stages, open obstacles, P50/P80, the change of P80 since
        last week and its status; filtered by regency, template and status; with the counts per status."""
        if status and status not in STATUSES:
            raise InputError(Message("tracker.err.portfolio.unknown_status_expected_one", status=status,
                                     statuses=', '.join(STATUSES)), field="status")
        summaries = [r["summary"] for _, r in sorted(self.summaries(parts=("summary",)).items())]
        chosen = [p for p in summaries if (not regency or _norm(p["regency"]) == _norm(regency))
                  and (not template or p["template"] == template)]
        week_ago = self._p80_on(self.today() - timedelta(days=7))
        rows = []
        for summ in chosen:
            before = week_ago.get(summ["id"])
            change = (_d(summ["p80"]) - before).days if before is not None else None
            rows.append({**summ, "p80_change_days": change})
        counts = {k: sum(1 for r in rows if r["status"] == k) for k in STATUSES}
        if status:
            rows = [r for r in rows if r["status"] == status]
        return {"today": self.today().isoformat(), "counts": counts, "projects": rows,
                "regencies": sorted({p["regency"] for p in summaries if p["regency"]}),
                "templates": sorted({p["template"] for p in summaries})}

    def _p80_on(self, day: date) -> dict[int, date]:
        """The P80 of each project's latest stored forecast as of ``day`` (for the change since last week)."""
        latest = (select(func.max(ForecastRecord.id).label("rid")).where(ForecastRecord.as_of <= day)
                  .group_by(ForecastRecord.project_id).subquery())
        with self._read() as s:
            return dict(s.execute(select(ForecastRecord.project_id, ForecastRecord.p80)
                                  .join(latest, ForecastRecord.id == latest.c.rid)).all())

    def sites(self) -> dict:
        """A GeoJSON FeatureCollection of the projects' site geometries with id, name and status."""
        with self._read() as s:
            rows = s.execute(select(Project.id, Project.name, Project.site_geometry)
                             .where(Project.site_geometry.is_not(None)).order_by(Project.id)).all()
        bodies = self.summaries([r[0] for r in rows], parts=("summary",)) if rows else {}
        feats = [{"type": "Feature", "geometry": g, "properties": {"id": pid, "name": name,
                                                                     "status": bodies[pid]["summary"]["status"]}}
                 for pid, name, g in rows if pid in bodies]
        return {"type": "FeatureCollection", "features": feats}

    # ------------------------------------------------------------------ my work and deadlines

    def my_work(self, username: str) -> list[dict]:
        """The stages that need the user's action, overdue first, then by due date.

        Needs action: a stage the user may act on that is in progress, submitted, in clarification, rejected
        or blocked, or not started with every prerequisite approved or waived (ready to start). An agency
        officer: their agency's stages in the regencies it serves; a coordinator: every stage of their
        regency's projects; an administrator: every stage; a viewer: none."""
        with self._read() as s:
            user = self._actor(s, username)
            role, regency = user.role, user.regency
            agency = user.agency.code if user.agency else None
            agency_reg = user.agency.regency if user.agency else None
            agency_kind = user.agency.kind if user.agency else None
        if role == "viewer":
            return []

        def project_in_reach(p_regency) -> bool:
            if role == "administrator":
                return True
            if role == "coordinator":
                return bool(_norm(regency)) and _norm(regency) == _norm(p_regency)
            if agency_reg:
                return _norm(agency_reg) == _norm(p_regency)
            return agency_kind != "regency"

        items = []
        for _pid, rec in sorted(self.summaries(parts=("summary", "actions")).items()):
            summ = rec["summary"]
            if not project_in_reach(summ["regency"]):
                continue
            for st in rec["actions"]:
                if role == "agency_officer" and _norm(st["agency"]) != _norm(agency):
                    continue
                items.append({"project": summ["id"], "project_name": summ["name"], "regency": summ["regency"],
                              **st})
        items.sort(key=lambda i: (-(i["overdue_days"] or 0), i["due"] or "9999-12-31", i["project"], i["id"]))
        return items

    def deadlines(self, username: str) -> list[dict]:
        """The due and deemed-approved dates of the user's work (for the calendar feed); a stage without a
        statutory due date gets its forecast finish instead (kind ``expected``, an estimate)."""
        out = []
        for it in self.my_work(username):
            if not it.get("due"):
                it = {**it, "expected": it.get("forecast_finish")}
            for kind in ("due", "deemed_approved", "expected"):
                if it.get(kind):
                    out.append({"kind": kind, "date": it[kind], "project": it["project"],
                                "project_name": it["project_name"], "stage": it["id"], "name": it["name"],
                                "agency": it["agency"], "status": it["status"],
                                "legal_basis": it["legal_basis"]})
        return out


class _Current:
    """Per-process cache of every project's current summary and action items.

    On each use it asks the database only for the events added since it last looked (plus a window of
    :data:`WINDOW` ids back, so an event of a transaction that committed late on PostgreSQL is not
    missed), and reads (or computes) only the projects whose latest event moved. A new day empties it.
    Each cached record carries the state key it was made for and is used only while that key is current."""

    WINDOW = 500

    def __init__(self):
        self.lock = threading.Lock()
        self.today: date | None = None
        self.seen = 0  # the highest event id looked at
        self.keys: dict[int, int] = {}  # project -> id of its latest event
        self.records: dict[int, tuple[int, dict]] = {}  # project -> (the key it was made for, record)

    def _advance(self, svc: "PortfolioMixin", today: date) -> None:
        if today != self.today:
            self.today, self.seen, self.keys, self.records = today, 0, {}, {}
        with svc._read() as s:
            moved = s.execute(select(Event.project_id, func.max(Event.id))
                              .where(Event.id > max(self.seen - self.WINDOW, 0), Event.project_id.is_not(None))
                              .group_by(Event.project_id)).all()
        for pid, eid in moved:
            self.keys[pid] = max(eid, self.keys.get(pid, 0))
            self.seen = max(self.seen, eid)

    def get(self, svc: "PortfolioMixin", pids: list[int] | None) -> dict[int, dict]:
        today = svc.today()
        with self.lock:
            self._advance(svc, today)
            keys = dict(self.keys)
            wanted = sorted(keys) if pids is None else [p for p in pids if p in keys]
            out = {p: self.records[p][1] for p in wanted if p in self.records and self.records[p][0] == keys[p]}
        missing = [p for p in wanted if p not in out]
        if missing:
            found = svc._latest_records(missing, parts=("summary", "actions"))
            for pid in missing:
                rec = found.get(pid)
                if rec is not None and rec["as_of"] == today and rec["state_key"] == str(keys[pid]):
                    out[pid] = {"summary": rec["summary"], "actions": rec["actions"]}
                else:
                    full = svc._compute_record(pid, today, str(keys[pid]))
                    out[pid] = {"summary": full["summary"], "actions": full["actions"]}
            with self.lock:
                if self.today == today:
                    for pid in missing:
                        self.records[pid] = (keys[pid], out[pid])
        return out


__all__ = ["PortfolioMixin", "FORECAST_RUNS", "STATUSES", "summarize", "action_items"]
