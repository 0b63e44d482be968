"""``--rule ID=on|off``: switch a model's constraint for one run."""
from __future__ import annotations

from kawasan.errors import InputError
from kawasan.i18n import Message

ON = ("on", "true", "yes", "1", "aktif", "ya")
OFF = ("off", "false", "no", "0", "nonaktif", "tidak")


def parse_rule_switches(items) -> dict[str, bool]:
    """["nuisance_buffer=on", "settlement_buffer_2km=off"] -> {"nuisance_buffer": True, ...}."""
    out: dict[str, bool] = {}
    for text in items or ():
        rid, sep, state = str(text).partition("=")
        rid, state = rid.strip(), state.strip().lower()
        if not sep or not rid:
            raise InputError(Message("cli.err.switches.expected_id_id_off", text=text),
                             field="--rule")
        if state not in ON + OFF:
            raise InputError(Message("cli.err.switches.expected_off_got", rule=rid, state=state), field="--rule")
        if rid in out and out[rid] != (state in ON):
            raise InputError(Message("cli.err.switches.rule_switched_both_off", rule=rid), field="--rule")
        out[rid] = state in ON
    return out
