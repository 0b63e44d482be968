"""Issue 14, "Fuzzing" of the web API: schemathesis generates requests from the app's own ``/openapi.json``
and checks every answer: no 5xx, and each response conforms to the schema (status code documented, body
and content type as declared).

Every default check of schemathesis applies except ``positive_data_acceptance``: the API refuses some
schema-valid values with a 422 in the one error shape (a date outside 1900-2200, an unblock date before the
block date, an unknown list filter, a file type not allowed), rules the OpenAPI description does not spell
out; docs/reliability.md lists them.

Requests carry an administrator's personal API token (``Authorization: Bearer``), so they reach the handlers
rather than stopping at the sign-in check. The budget is fixed for CI (``KAWASAN_FUZZ_EXAMPLES``, default 40
per property in tests/test_fuzz.py, a quarter of it per operation here); docs/reliability.md has the longer run.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from web_fixtures import World

EXAMPLES = max(5, int(os.environ.get("KAWASAN_FUZZ_EXAMPLES", "40")) // 4)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World("sqlite", tmp_path_factory.mktemp("schemathesis"))
    w.token = w.svc.create_token("admin", "schemathesis", actor="admin")["token"]
    yield w
    w.close()


def test_the_api_answers_every_generated_request_within_its_schema(world):
    """Each operation of /openapi.json, EXAMPLES generated requests (schemathesis strategies driven by Hypothesis
    here rather than by schemathesis' pytest plugin); all failures are gathered before the test fails."""
    from hypothesis import given
    from schemathesis.checks import positive_data_acceptance

    api = schemathesis.openapi.from_asgi("/openapi.json", world.app)
    headers = {"Authorization": f"Bearer {world.token}"}
    failures: list[str] = []
    operations = 0
    for result in api.get_all_operations():
        op = result.ok()
        operations += 1

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(op.as_strategy())
        def check(case):
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - one operation's failure, gathered
            failures.append(f"{op.label}: {type(exc).__name__}: {str(exc)[:600]}")
    assert operations > 10
    assert not failures, "\n\n".join(failures)
