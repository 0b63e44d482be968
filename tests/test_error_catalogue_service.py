"""Issue 11 item 9 (service side): no error of the service, storage, web, jobs and CLI layers is plain English.

A static check over the source (AST): an exception built with a plain string, an f-string, a concatenation,
``"...".format(...)`` or ``"..." % ...`` (directly or through a local variable), or a record problem
(``Problem(check, message)``) with such a message, fails the test naming the file and line. Such a message
reads English only, whatever ``--lang`` or the web app's language says; it belongs in a catalogue
(``kawasan.i18n.Message``). The few exceptions are in ALLOWED, each with its reason.

The other half, the messages shown in Indonesian for real, is tested through the CLI and the web API in
tests/test_error_language_service.py.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "kawasan"
PACKAGES = ("tracker", "storage", "web", "jobs", "cli")
#: cli/demo.py belongs to the demo (its own branch of the work); the domain packages (spatial, licensing,
#: economics) have their own test.
NOT_HERE = {"cli/demo.py"}

#: (file, exception, reason): text messages that never reach a user.
ALLOWED = {
    ("i18n.py", "RuntimeError"): "a message key defined in two catalogue files: a packaging fault of kawasan "
                                 "itself, raised when the catalogues load, before any language is known",
    ("web/errors.py", "render_error"): "the 422 of a request that does not fit its model: the field name (an "
                                       "identifier) before a validation text already in the request's language",
}

#: Exceptions of Python used inside a module as signals, caught before a user sees them (no text check).
SIGNALS = {"ValueError", "KeyError", "OSError", "StopIteration"}
ERROR_NAMES = ("Error", "Exception", "BadParameter", "UsageError", "Abort")


def service_files() -> list[Path]:
    files = [p for pkg in PACKAGES for p in sorted((SRC / pkg).rglob("*.py"))] + sorted(SRC.glob("*.py"))
    return [p for p in files if str(p.relative_to(SRC)) not in NOT_HERE and "migrations" not in p.parts]


def _is_text(node: ast.AST, texts: dict[str, list[ast.AST]]) -> bool:
    """Whether ``node`` builds plain text: a literal, an f-string, a concatenation or formatting of one, or a
    local name assigned one."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _is_text(node.left, texts) or (isinstance(node.op, ast.Add) and _is_text(node.right, texts))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
        return isinstance(node.func.value, (ast.Constant, ast.JoinedStr))
    if isinstance(node, ast.IfExp):
        return _is_text(node.body, texts) or _is_text(node.orelse, texts)
    if isinstance(node, ast.Name):
        return any(_is_text(v, {}) for v in texts.get(node.id, []))
    return False


def _message_args(call: ast.Call) -> list[ast.AST]:
    name = ast.unparse(call.func)
    if name == "Problem" or name.endswith("error_body"):
        args = call.args[1:2]
    elif name.endswith("render_error"):      # (request, status, code, message, ...)
        args = call.args[3:4]
    elif name.endswith("HTTPException"):
        args = call.args[1:2]
    else:
        args = call.args[:1]
    return args + [k.value for k in call.keywords if k.arg in ("message", "detail", "msg")]


def _builds_error(call: ast.Call, raised: bool) -> bool:
    if ast.unparse(call.func) == "self.fail":      # a click parameter type refusing a value
        return True
    name = ast.unparse(call.func).split(".")[-1]
    if name in SIGNALS:
        return False
    return raised or name in ("Problem", "render_error", "error_body") or name.endswith(ERROR_NAMES)


def plain_messages(path: Path) -> list[tuple[int, str]]:
    """(line, call) of every error or problem of ``path`` built with a plain-text message."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = str(path.relative_to(SRC)) if path.is_relative_to(SRC) else path.name
    found = set()
    for scope in ast.walk(tree):
        if not isinstance(scope, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        texts: dict[str, list[ast.AST]] = {}
        for node in ast.walk(scope):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        texts.setdefault(target.id, []).append(node.value)
        raised = {id(n.exc) for n in ast.walk(scope) if isinstance(n, ast.Raise) and n.exc is not None}
        for node in ast.walk(scope):
            if isinstance(node, ast.Call) and _builds_error(node, id(node) in raised) \
                    and any(_is_text(a, texts) for a in _message_args(node)):
                name = ast.unparse(node.func).split(".")[-1]
                if (where, name) not in ALLOWED:
                    found.add((node.lineno, ast.unparse(node)[:120]))
    return sorted(found)


def test_the_scan_covers_the_service_packages():
    names = {str(p.relative_to(SRC)) for p in service_files()}
    assert {"tracker/service.py", "storage/db.py", "web/errors.py", "jobs/queue.py", "cli/licensing.py",
            "guarded.py", "limits.py", "fileio.py"} <= names
    assert "cli/demo.py" not in names and not any(n.startswith(("spatial/", "licensing/", "economics/"))
                                                   for n in names)


@pytest.mark.parametrize("path", service_files(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_error_is_raised_with_a_plain_text_message(path):
    bad = plain_messages(path)
    assert not bad, (f"{path.relative_to(SRC)}: errors with a plain-text message (English only; use "
                     f"kawasan.i18n.Message with a catalogue key):\n" +
                     "\n".join(f"  line {line}: {call}" for line, call in bad))


@pytest.mark.parametrize("snippet", [
    'raise InputError("no such thing", field="x")',
    'raise NotFoundError(f"no project {pid}")',
    'raise StorageError("cannot " + what)',
    'msg = f"bad {x}"\nraise InputError(msg)',
    'return ConflictError("changed by someone else")',
    'raise click.BadParameter("{} is wrong".format(v))',
    'problems.append(Problem("chain", f"broken at {e}"))',
    'raise error(f"{what} not found", source=src)',
    'raise HTTPException(404, "nothing here")',
    'return render_error(request, 500, "internal", f"an unexpected error {ref}")',
    'self.fail(f"{v} is not a finite number.", x, e)',
])
def test_the_scan_finds_each_shape_of_plain_message(snippet, tmp_path):
    """The check itself can fail: each shape of a plain-text message is found."""
    body = "\n".join("    " + line for line in snippet.splitlines())
    f = tmp_path / "probe.py"
    f.write_text(f"def probe(self, x, v, e, pid, what, src, problems, request, ref):\n{body}\n", encoding="utf-8")
    assert plain_messages(f), snippet


@pytest.mark.parametrize("snippet", [
    'raise InputError(Message("tracker.err.service.project_needs_name"), field="name")',
    'raise ValueError(text)',
    'raise type(e)(e.message, source=e.source)',
])
def test_catalogue_messages_and_internal_signals_pass(snippet, tmp_path):
    f = tmp_path / "probe.py"
    f.write_text(f"def probe(e, text):\n    {snippet}\n", encoding="utf-8")
    assert not plain_messages(f), snippet
