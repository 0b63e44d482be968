"""Issue 14, "Fuzzing": Hypothesis strategies against the model loader, the table readers, the AHP reader,
the template validator, and a stateful test of stage transitions against the event log.

Each property: whatever the input, the reader either returns or raises the reader's own
:class:`kawasan.errors.InputError` subclass; any other exception (a traceback for the user) fails the test.
The budget is fixed for CI (``KAWASAN_FUZZ_EXAMPLES``, default 40 per property; the longer documented run
in docs/reliability.md sets it to 2,000).
"""
from __future__ import annotations

import copy
import os
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from conftest import small_model

from kawasan.errors import InputError, ModelError, TableError, TemplateError, TransitionError, WeightsError

EXAMPLES = int(os.environ.get("KAWASAN_FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                             HealthCheck.function_scoped_fixture])

leaf = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                 st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
                 st.sampled_from(["=cmd|' /C calc'!A0", "<script>alert(1)</script>", "../../etc/passwd", "\x00",
                                  "1e308", "-0", "NaN", "slope_percent", "distance", "categorical"]))
value = st.recursive(leaf, lambda children: st.one_of(st.lists(children, max_size=4),
                                                      st.dictionaries(st.text(max_size=12), children, max_size=4)),
                     max_leaves=12)


def _paths(doc, prefix=()):
    """Every path to a value inside a nested dict/list."""
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, prefix + (i,))


@st.composite
def mutated(draw, base: dict):
    """``base`` with one to three values replaced by arbitrary ones (or removed)."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        if draw(st.booleans()) and isinstance(parent, dict):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = draw(value)
    return doc


@FUZZ
@given(mutated(small_model()))
def test_the_model_validator_returns_or_raises_model_error(doc):
    from kawasan.spatial.model import model_from_dict

    try:
        model_from_dict(doc)
    except ModelError:
        pass


@FUZZ
@given(st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(str.encode)),
       st.sampled_from([".yaml", ".toml", ".yml"]))
def test_the_model_loader_returns_or_raises_model_error_on_any_bytes(tmp_path_factory, data, suffix):
    from kawasan.spatial.model import load_model

    p = tmp_path_factory.mktemp("fz") / f"m{suffix}"
    p.write_bytes(data)
    try:
        load_model(p)
    except ModelError:
        pass


csv_cell = st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
                     st.floats(allow_nan=True, allow_infinity=True).map(str), st.integers(-10**6, 10**6).map(str),
                     st.sampled_from(["A", "C", "M,N", "R,S,T,U", "PDRB", "2023", "-", "(12,5)", "1.234,5"]))
csv_text = st.lists(st.lists(csv_cell, min_size=1, max_size=6), max_size=30).map(
    lambda rows: "region,sector,year,value\n" + "\n".join(",".join(f'"{c}"' for c in r) for r in rows))


@FUZZ
@given(st.one_of(csv_text, st.text(max_size=1500)), st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_the_table_reader_returns_or_raises_table_error(tmp_path_factory, text, encoding):
    from kawasan.economics.readers import read_table

    p = tmp_path_factory.mktemp("fz") / "t.csv"
    p.write_bytes(text.encode(encoding, errors="replace"))
    try:
        read_table(p)
    except TableError:
        pass


ahp_cell = st.one_of(st.sampled_from(["1", "3", "1/3", "9", "1/9", "0", "-1", "nan", "inf", "", "x", "2/0"]),
                     st.floats(allow_nan=True, allow_infinity=True).map(str))


@FUZZ
@given(st.integers(1, 5).flatmap(lambda n: st.lists(st.lists(ahp_cell, min_size=n, max_size=n + 1),
                                                    min_size=n - 1, max_size=n + 1).map(lambda rows: (n, rows))))
def test_the_ahp_reader_returns_or_raises_weights_error(tmp_path_factory, shape):
    from kawasan.spatial.ahp import read_matrix_csv

    n, rows = shape
    names = [f"c{i}" for i in range(n)]
    text = "," + ",".join(names) + "\n" + "\n".join(f"{names[i % n]}," + ",".join(r) for i, r in enumerate(rows))
    p = tmp_path_factory.mktemp("fz") / "ahp.csv"
    p.write_text(text)
    try:
        read_matrix_csv(p)
    except WeightsError:
        pass


def _builtin_template_dict() -> dict:
    from kawasan.licensing.templates import builtin_template

    return builtin_template("apht").model_dump(mode="json")


@FUZZ
@given(mutated(_builtin_template_dict()))
def test_the_template_validator_returns_or_raises_template_error(doc):
    from kawasan.licensing.templates import validate_template

    try:
        validate_template(doc, source="fuzz")
    except TemplateError:
        pass


# ------------------------------------------------------------------------------ stage transitions, stateful
STATUSES = ["not_started", "in_progress", "submitted", "clarification", "approved", "rejected", "waived"]


class StageTransitions(RuleBasedStateMachine):
    """Random status changes of random stages through the tracker service (SQLite): an allowed change is
    stored and logged as exactly one event, a refused one changes nothing; the event log replayed gives the
    stored state at every step."""

    @initialize()
    def start(self):
        import tempfile
        from pathlib import Path

        from kawasan.storage.db import Settings
        from kawasan.tracker import ProjectService

        self.dir = tempfile.TemporaryDirectory()
        root = Path(self.dir.name)
        self.svc = ProjectService(Settings(database_url=f"sqlite:///{root / 'k.db'}", files_dir=root / "files", home=root),
                                  today=date(2026, 6, 1), user="admin")
        self.pid = self.svc.create_project("Fuzz (synthetic)", "apht", date(2026, 1, 5),
                                           regency="Kabupaten Contoh")["id"]
        self.expected = {s["id"]: s["status"] for s in self.svc.state(self.pid)["stages"]}
        self.events = len(self.svc.history(self.pid))
        self.day = date(2026, 1, 5)

    @rule(stage=st.integers(0, 13), status=st.sampled_from(STATUSES), reason=st.sampled_from([None, "fuzz reason"]))
    def change(self, stage, status, reason):
        from kawasan.licensing.states import allowed_transitions, reason_required

        sid = sorted(self.expected)[stage % len(self.expected)]
        old = self.expected[sid]
        self.day += timedelta(days=1)
        legal = status in [s.value for s in allowed_transitions(old)] and (reason or not reason_required(status))
        try:
            self.svc.update_stage(self.pid, sid, status, reason=reason, on=min(self.day, date(2026, 6, 1)))
        except TransitionError:
            assert not legal, (sid, old, status, reason)
            return
        except InputError:
            assert not legal, (sid, old, status, reason)
            return
        assert legal, (sid, old, status, reason)
        self.expected[sid] = status
        self.events += 1

    @invariant()
    def state_matches_and_log_replays(self):
        if not hasattr(self, "svc"):
            return
        stages = {s["id"]: s["status"] for s in self.svc.state(self.pid)["stages"]}
        assert stages == self.expected
        history = self.svc.history(self.pid)
        assert len(history) == self.events
        replay = {}
        for e in history:
            if e["field"] == "status":
                replay[e["stage"]] = e["to"]
        for sid, status in stages.items():
            assert replay.get(sid, "not_started") == status, sid

    def teardown(self):
        if hasattr(self, "svc"):
            self.svc.close()
            self.dir.cleanup()


TestStageTransitions = StageTransitions.TestCase
TestStageTransitions.settings = settings(max_examples=max(5, EXAMPLES // 4), stateful_step_count=20, deadline=None,
                                         suppress_health_check=[HealthCheck.too_slow])
