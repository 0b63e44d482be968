"""What-if scenarios from the API body or the page form, checked against the project's template."""
from __future__ import annotations

from datetime import date

from kawasan.errors import InputError
from kawasan.licensing import Scenario
from kawasan.licensing.templates import text_dict
from kawasan.i18n import Message


def overlap_options(state: dict, template) -> list[dict]:
    """The pairs the template allows to run in parallel (stage, the prerequisite it may overlap, basis)."""
    out = []
    done = {s["id"] for s in state["stages"] if s["status"] in ("approved", "waived")}
    for st in template.stages:
        for o in st.may_overlap:
            if st.id in done or o.stage in done:
                continue
            out.append({"first": o.stage, "second": st.id, "basis": text_dict(o.basis), "tag": o.tag})
    return out


def from_form(form, stage_ids: list[str]) -> Scenario:
    """parallel=A,B (checkboxes), shorten_<stage>=days, resolve_<stage>=YYYY-MM-DD."""
    parallel = []
    for v in form.getlist("parallel"):
        a, _, b = str(v).partition(",")
        if not a or not b:
            raise InputError(Message("web.err.scenario.expected_two_stage_ids", value=v), field="parallel")
        parallel.append((a, b))
    shorten, resolve = {}, {}
    for sid in stage_ids:
        raw = str(form.get(f"shorten_{sid}") or "").strip()
        if raw:
            try:
                days = float(raw.replace(",", "."))
            except ValueError:
                raise InputError(Message("web.err.scenario.number_working_days", raw=raw),
                                 field=f"shorten_{sid}") from None
            if not 0 <= days <= 10000:
                raise InputError(Message("web.err.scenario.expected_working_days", raw=raw), field=f"shorten_{sid}")
            if days:
                shorten[sid] = days
        raw = str(form.get(f"resolve_{sid}") or "").strip()
        if raw:
            try:
                resolve[sid] = date.fromisoformat(raw)
            except ValueError:
                raise InputError(Message("web.err.scenario.date_yyyy_mm_dd", raw=raw), field=f"resolve_{sid}") from None
    return Scenario(parallel=parallel, shorten=shorten, resolve=resolve)
