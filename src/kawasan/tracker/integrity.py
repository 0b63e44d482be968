"""Verification of the licensing record (``kawasan db verify``): is the stored history the one that was written?

Four checks, each independent of the others:

1. **guard**: the append-only triggers of ``events`` exist and are enabled (:mod:`kawasan.storage.guard`).
2. **chain**: every project's events, in id order, carry the hash chain of :mod:`kawasan.storage.chain`;
   the first event whose stored hash differs from the recomputed one is the first broken link.
3. **state**: every stage row equals a replay of its status events: ``status`` = the new value of the
   last status event (``not_started`` without one), ``reason`` = its reason, ``version`` = 1 + the number
   of status events (the optimistic-lock counter goes up by one per change).
4. **documents**: every document row has its ``document.attach`` event (same project, stage, name,
   version and SHA-256) and every such event its row; the stored bytes exist and hash to the SHA-256.

A problem names the check, the project, the event or stage and what differs. The record is sound when
there is none. These are design choices of kawasan (no regulation prescribes how a record proves its
integrity); the hash and the replay rules are in docs/reference/licensing-storage.md.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy import select

from kawasan.storage import chain
from kawasan.storage.guard import guard_problems
from kawasan.storage.models import Document, Event, StageRow
from kawasan.tracker import documents as docs
from kawasan.tracker.base import TrackerBase
from kawasan.i18n import Message, joined


@dataclass(frozen=True)
class Problem:
    """One finding of :func:`verify`: which check, where (project, event, stage, document) and what differs."""

    check: str
    message: str
    project: int | None = None
    event: int | None = None
    stage: str | None = None
    document: int | None = None


def check_chains(events) -> tuple[list[Problem], dict]:
    """The first broken link of each chain, and {project: (number of events, head hash)} (events in id order)."""
    heads: dict = {}
    counts: dict = {}
    broken: set = set()
    problems = []
    for e in events:
        pid = e.project_id
        counts[pid] = counts.get(pid, 0) + 1
        if pid in broken:
            continue
        expected = chain.link(heads.get(pid, chain.GENESIS), e)
        if e.chain_hash != expected:
            broken.add(pid)
            where = Message("tracker.err.integrity.chain_of_project", project=pid) if pid is not None \
                else Message("tracker.err.integrity.chain_without_project")
            problems.append(Problem("chain", Message("tracker.err.integrity.first_broken_link_chain", where=where,
                                                     event=e.id, kind=e.kind,
                                                     chain_hash=e.chain_hash or Message('err.none'), expected=expected),
                                    project=pid, event=e.id, stage=e.stage_id))
        heads[pid] = e.chain_hash
    return problems, {pid: (counts[pid], heads[pid]) for pid in counts}


def replay_stage(status_events) -> tuple[str, str | None, int]:
    """(status, reason, version) of a stage after its status events (in id order)."""
    status, reason, version = "not_started", None, 1
    for e in status_events:
        status, reason, version = e.new_value, e.reason, version + 1
    return status, reason, version


def check_states(stages, events) -> list[Problem]:
    """Stage rows that differ from the replay of their status events."""
    by_stage: dict = {}
    for e in events:
        if e.field == "status" and e.project_id is not None:
            by_stage.setdefault((e.project_id, e.stage_id), []).append(e)
    problems = []
    for r in stages:
        want = replay_stage(by_stage.pop((r.project_id, r.stage_id), []))
        have = (r.status, r.reason, r.version)
        if have != want:
            diff = joined(Message("tracker.err.integrity.field_differs", field=k, stored=h, replayed=w)
                          for k, h, w in zip(("status", "reason", "version"), have, want) if h != w)
            problems.append(Problem("state", Message("tracker.err.integrity.stage_project_differs_from",
                                                     stage_id=r.stage_id, project=r.project_id, diff=diff),
                                    project=r.project_id,
                                    stage=r.stage_id))
    for (pid, sid), evs in sorted(by_stage.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        problems.append(Problem("state", Message("tracker.err.integrity.project_has_status_events", project=pid,
                                                 stage_id=sid),
                                project=pid, event=evs[0].id, stage=sid))
    return problems


def _sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def check_documents(documents, events, files_dir: Path, *, read_bytes: bool = True) -> list[Problem]:
    """Document rows against their attach events, and the stored bytes against their SHA-256."""
    attached = {}
    for e in events:
        if e.kind == "document.attach":
            attached[(e.project_id, e.stage_id, e.new_value, (e.detail or {}).get("sha256"))] = e
    problems, checked = [], {}
    for d in documents:
        key = (d.project_id, d.stage_id, f"{d.name} v{d.version}", d.sha256)
        if attached.pop(key, None) is None:
            problems.append(Problem("documents", Message("tracker.err.integrity.document_without_event",
                                                         document=d.id, name=d.name, version=d.version,
                                                         project=d.project_id, stage_id=d.stage_id),
                                    project=d.project_id, stage=d.stage_id, document=d.id))
        if d.sha256 not in checked:
            path = docs.blob_path(files_dir, d.sha256)
            if not path.is_file():
                checked[d.sha256] = Message("tracker.err.integrity.bytes_missing", path=str(path))
            elif read_bytes and _sha256_of(path) != d.sha256:
                checked[d.sha256] = Message("tracker.err.integrity.bytes_differ", path=str(path), sha256=d.sha256)
            else:
                checked[d.sha256] = None
        if checked[d.sha256]:
            problems.append(Problem("documents", Message("tracker.err.integrity.document_bytes", document=d.id,
                                                         name=d.name, version=d.version, project=d.project_id,
                                                         problem=checked[d.sha256]), project=d.project_id,
                                    stage=d.stage_id, document=d.id))
    for (pid, sid, what, _sha), e in attached.items():
        problems.append(Problem("documents", Message("tracker.err.integrity.event_attached_stage_project", event=e.id,
                                                     document=what, stage_id=sid, project=pid), project=pid, event=e.id,
                                stage=sid))
    return problems


class IntegrityMixin(TrackerBase):
    """``verify_record``: the four checks of this module over the whole database."""

    def verify_record(self, *, read_bytes: bool = True) -> dict:
        """The report of ``kawasan db verify``: ok, the problems (first broken link first), each chain's head."""
        with self._read() as s:
            triggers = [Problem("guard", Message("tracker.err.integrity.append_only_guard_off",
                                                 table=p)) for p in guard_problems(s.connection())]
            events = s.scalars(select(Event).order_by(Event.id)).all()
            chain_problems, heads = check_chains(events)
            stages = s.scalars(select(StageRow).order_by(StageRow.project_id, StageRow.position)).all()
            state_problems = check_states(stages, events)
            documents = s.scalars(select(Document).order_by(Document.id)).all()
            doc_problems = check_documents(documents, events, self.settings.files_dir, read_bytes=read_bytes)
            problems = [*triggers, *chain_problems, *state_problems, *doc_problems]
            return {"database": self.settings.safe_url, "ok": not problems, "events": len(events),
                    "stages": len(stages), "documents": len(documents),
                    "chains": [{"project": pid, "events": n, "head": h}
                               for pid, (n, h) in sorted(heads.items(), key=lambda kv: -1 if kv[0] is None else kv[0])],
                    "problems": [asdict(p) for p in problems]}
