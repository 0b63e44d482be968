"""Every error the domain packages (spatial, licensing, economics) raise reaches the user in both languages.

A message written as a plain string literal, an f-string, a ``"..." + ...`` concatenation or ``"...".format()``
is English only; such messages must be catalogue :class:`kawasan.i18n.Message` objects instead
(``raise ModelError(Message("model.err.<what>", name=...), source=..., field=...)``). This test reads the source
with :mod:`ast`, so it also finds multi-line raises and messages first built into a variable
(``msg = f"..."; raise TableError(msg)``), and the warnings and notes these packages hand back to the user
(``warnings.append(f"...")``).

An exception may keep a plain message only when it is listed in ``ALLOWED`` with the reason.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "kawasan"
DOMAINS = ("spatial", "licensing", "economics")

#: Lists whose items are shown to the user (a run's warnings, the notes of an economics table or score).
USER_LISTS = {"warnings", "notes", "synthetic", "changes", "reason"}

#: Files another branch converts (a temporary entry each, dropped when that branch is merged).
ALLOWED_FILES: dict[str, str] = {}

#: Single plain messages that never reach a user: (file, exception, start of the message) -> why.
ALLOWED: dict[tuple[str, str, str], str] = {
    ("spatial/ingest/prepare.py", "synthetic.append", "DEM {"): "a data kind and a file name, not a sentence",
    ("spatial/ingest/prepare.py", "synthetic.append", "OpenStreetMap {"): "a data kind and a file name, not a sentence",
    ("spatial/ingest/windows.py", "ValueError", "window size must"): "a programming guard: the window size comes "
                                                                     "from the memory plan, never from the user",
}


def _is_plain_text(node: ast.AST) -> bool:
    """A message that can only be English: a literal, an f-string, or text glued or formatted from them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)):
        return _is_plain_text(node.left) or _is_plain_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _is_plain_text(node.func.value)
    if isinstance(node, ast.IfExp):
        return _is_plain_text(node.body) or _is_plain_text(node.orelse)
    return False


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_exception(call: ast.Call) -> bool:
    name = _name(call.func)
    return name.endswith(("Error", "Exception")) or name in ("NotAvailable",)


def _string_variables(func: ast.AST) -> set[str]:
    """Names a function assigns a plain text to (``msg = f"..."``, ``msg += "..."``)."""
    out = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and _is_plain_text(node.value):
            out |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name) and _is_plain_text(node.value):
            out.add(node.target.id)
    return out


def _message_arg(call: ast.Call) -> ast.AST | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg in ("message", "msg")), None)


def plain_messages(path: Path) -> list[tuple[int, str, str]]:
    """(line, exception or list, message source) for every user-facing plain-text message in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    scopes = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))] + [tree]
    seen: set[int] = set()
    for scope in scopes:
        texts = _string_variables(scope)
        for node in ast.walk(scope):
            if id(node) in seen:
                continue
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and _is_exception(node.exc):
                arg = _message_arg(node.exc)
                if arg is not None and (_is_plain_text(arg) or (isinstance(arg, ast.Name) and arg.id in texts)):
                    seen.add(id(node))
                    found.append((node.lineno, _name(node.exc.func), ast.unparse(arg)))
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr in ("append", "extend") and _name(node.func.value) in USER_LISTS
                  and node.args and _is_plain_text(node.args[0])):
                seen.add(id(node))
                found.append((node.lineno, f"{_name(node.func.value)}.{node.func.attr}", ast.unparse(node.args[0])))
    return sorted(found)


def domain_files() -> list[Path]:
    return sorted(p for d in DOMAINS for p in (PACKAGE / d).rglob("*.py"))


@pytest.mark.parametrize("path", domain_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_plain_text_error_messages(path):
    rel = path.relative_to(PACKAGE).as_posix()
    if rel in ALLOWED_FILES:
        pytest.skip(ALLOWED_FILES[rel])
    bad = [f"{rel}:{line}: {what}({text[:90]})" for line, what, text in plain_messages(path)
           if not any(rel == f and what == e and text.lstrip("f'\"").startswith(start)
                      for (f, e, start) in ALLOWED)]
    assert not bad, ("English-only messages; use Message('<domain>.err.<what>', ...) from the catalogues "
                     "(src/kawasan/locales/<lang>.<domain>.json):\n" + "\n".join(bad))


def test_allowed_files_still_have_plain_messages():
    """An allow-list entry goes once its file is converted (so the list does not outlive its reason)."""
    stale = [rel for rel in ALLOWED_FILES if (PACKAGE / rel).exists() and not plain_messages(PACKAGE / rel)]
    assert not stale, f"converted now, drop from ALLOWED_FILES: {stale}"


def test_every_allowed_message_still_exists():
    """An ALLOWED entry names a message that is still there (else it would silently allow a future one)."""
    stale = [key for key in ALLOWED
             if not any(what == key[1] and text.lstrip("f'\"").startswith(key[2])
                        for _, what, text in plain_messages(PACKAGE / key[0]))]
    assert not stale, f"no longer in the code, drop from ALLOWED: {stale}"


@pytest.mark.parametrize("source, expected", [
    ('raise ModelError(f"bad {x}")', 1),
    ('raise ModelError("bad " + x)', 1),
    ('raise ModelError("bad {}".format(x))', 1),
    ('raise ModelError(\n    "bad"\n    " value")', 1),
    ('def f():\n    msg = f"bad {x}"\n    raise TableError(msg, source=s)', 1),
    ('warnings.append(f"layer {x} skipped")', 1),
    ('raise ModelError(Message("model.err.x", x=x), field="weights")', 0),
    ('raise ModelError(message=Message("model.err.x"))', 0),
    ('raise KeyError(stage_id)', 0),
    ('raise _problem(source, s.id, "requires", Message("licensing.err.templates.cycle", cycle=c))', 0),
])
def test_the_walker_finds_plain_messages(tmp_path, source, expected):
    """The checker itself: it flags each way of writing an English-only message and passes a Message."""
    f = tmp_path / "m.py"
    f.write_text(source + "\n", encoding="utf-8")
    assert len(plain_messages(f)) == expected
