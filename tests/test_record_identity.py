"""Who acts through the CLI on a shared database is proven (issue 14 defect 2), with the web app's credentials.

Before: any user passed ``--as admin`` (or ``KAWASAN_USER=admin``) and the history recorded ``admin``.
Now a shared database (PostgreSQL, or SQLite marked with ``KAWASAN_SHARED=1``) needs a personal API token in
``KAWASAN_TOKEN`` or ``--as USER`` with that user's password; ``--as`` alone stays for the local embedded mode.
"""
from __future__ import annotations

import json

import pytest

from kawasan.cli.main import cli
from test_licensing_store_fixtures import pg_schema_url  # noqa: F401 (fixture)

PASSWORD = "correct-horse-battery"


@pytest.fixture(params=["postgresql", "sqlite-shared"])
def shared(request, tmp_path, monkeypatch, runner):
    """A shared database with an administrator 'admin' and a viewer 'v', both with passwords; no token set."""
    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "home"))
    for k in ("KAWASAN_USER", "KAWASAN_TOKEN", "KAWASAN_FILES_DIR"):
        monkeypatch.delenv(k, raising=False)
    if request.param == "postgresql":
        monkeypatch.setenv("KAWASAN_DATABASE_URL", request.getfixturevalue("pg_schema_url")[0])
        monkeypatch.delenv("KAWASAN_SHARED", raising=False)
    else:
        monkeypatch.setenv("KAWASAN_DATABASE_URL", f"sqlite:///{tmp_path / 'home' / 'kawasan.db'}")
        monkeypatch.setenv("KAWASAN_SHARED", "1")

    def run(*args, env=None, input=None):
        return runner.invoke(cli, [str(a) for a in args], env=env, input=input)

    from kawasan.tracker import ProjectService

    svc = ProjectService()
    if svc.embedded:  # the embedded database creates its local 'admin' on first use; give it a password
        svc.set_password("admin", PASSWORD, actor="admin")
    else:  # a fresh server: the first administrator needs no proof (there is nobody to prove it to)
        r = run("user", "create", "admin", "--admin", "--password-stdin", input=PASSWORD + "\n")
        assert r.exit_code == 0, r.output
    svc.add_user("v", "viewer", actor="admin")
    svc.set_password("v", PASSWORD, actor="admin")
    run.svc = svc
    yield run
    svc.close()


def test_a_bare_name_is_not_enough(shared):
    r = shared("agency", "add", "DLH", "--name", "DLH", "--as", "admin")  # no terminal, no password
    assert r.exit_code == 2 and "shared" in r.output and "KAWASAN_TOKEN" in r.output
    r = shared("agency", "add", "DLH", "--name", "DLH", env={"KAWASAN_USER": "admin"})
    assert r.exit_code == 2 and "KAWASAN_TOKEN" in r.output
    r = shared("agency", "add", "DLH", "--name", "DLH")
    assert r.exit_code == 2 and "KAWASAN_TOKEN" in r.output
    r = shared("agency", "add", "DLH", "--name", "DLH", "--as", "admin", input="guess\n")
    assert r.exit_code == 2 and "wrong user name or password" in r.output
    assert "DLH" not in shared("agency", "list").output.split("Code")[-1]


def test_the_password_proves_who_acts_and_is_what_history_records(shared):
    r = shared("agency", "add", "DLH", "--name", "DLH", "--as", "admin", input=PASSWORD + "\n")
    assert r.exit_code == 0, r.output
    assert "Password of admin" in r.output and PASSWORD not in r.output
    r = shared("--lang", "id", "agency", "add", "BPN", "--name", "BPN", "--as", "v", input=PASSWORD + "\n")
    assert r.exit_code == 2 and "Kata sandi v" in r.output  # proven, but a viewer may not


def test_an_api_token_proves_who_acts(shared):
    token = shared.svc.create_token("v", "laptop")
    r = shared("agency", "add", "DLH", "--name", "DLH", env={"KAWASAN_TOKEN": token["token"]})
    assert r.exit_code == 2 and "'v' (viewer)" in r.output  # the token's owner acts, whoever the name claims
    r = shared("agency", "add", "DLH", "--name", "DLH", "--as", "admin", env={"KAWASAN_TOKEN": token["token"]})
    assert r.exit_code == 2 and "belongs to 'v', not to 'admin'" in r.output
    admin = shared.svc.create_token("admin", "ops")["token"]
    r = shared("agency", "add", "DLH", "--name", "DLH", "--json", env={"KAWASAN_TOKEN": admin})
    assert r.exit_code == 0, r.output
    shared.svc.revoke_token(shared.svc.list_tokens("admin")[0]["id"], actor="admin")
    r = shared("agency", "add", "BPN", "--name", "BPN", env={"KAWASAN_TOKEN": admin})
    assert r.exit_code == 2 and "not a live API token" in r.output
    r = shared("agency", "add", "BPN", "--name", "BPN", env={"KAWASAN_TOKEN": "kwt_made-up"})
    assert r.exit_code == 2 and "not a live API token" in r.output
    events = [e for e in shared.svc.verify_record()["chains"]]
    assert events and shared.svc.verify_record()["ok"]


def test_the_local_embedded_mode_keeps_as(tmp_path, monkeypatch, runner):
    monkeypatch.setenv("KAWASAN_HOME", str(tmp_path / "home"))
    for k in ("KAWASAN_USER", "KAWASAN_TOKEN", "KAWASAN_DATABASE_URL", "KAWASAN_SHARED"):
        monkeypatch.delenv(k, raising=False)
    r = runner.invoke(cli, ["agency", "add", "DLH", "--name", "DLH", "--as", "admin", "--json"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["agency", "add", "BPN", "--name", "BPN", "--as", "ghost"])
    assert r.exit_code == 2 and "unknown user 'ghost'" in r.output and "known users" not in r.output
    r = runner.invoke(cli, ["agency", "list"], env={"KAWASAN_SHARED": "perhaps"})
    assert r.exit_code == 1 and "KAWASAN_SHARED" in r.output and "perhaps" in r.output


def test_the_history_shows_the_proven_user(shared):
    admin = shared.svc.create_token("admin", "ops")["token"]
    r = shared("agency", "add", "DLH", "--name", "DLH", env={"KAWASAN_TOKEN": admin})
    assert r.exit_code == 0, r.output
    from sqlalchemy import text

    with shared.svc.engine.connect() as c:
        actor = c.execute(text("SELECT actor FROM events WHERE kind = 'agency.add'")).scalar()
    assert actor == "admin"
    assert json.loads(shared("db", "verify", "--json").stdout)["ok"]
