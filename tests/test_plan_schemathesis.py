"""Property-based API checks with schemathesis: as a coach and as an athlete, generated
requests never get a 5xx and every response matches the OpenAPI document."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from plangov_app.api import create_api
from tests.plan_helpers import create_plan

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
EXAMPLES = 8


def _operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.startswith(("/api/v1/plans", "/api/v1/notifications",
                                      "/api/v1/exercises", "/api/v1/users/me")):
            yield operation


@pytest.mark.parametrize("email", ["coach1@demo.test", "athlete1@demo.test"])
def test_generated_requests_conform(client, token_for, email, app_env):
    if not app_env.startswith("sqlite"):
        pytest.skip("schemathesis runs on the embedded database")
    create_plan(client, token_for("coach1@demo.test"))
    headers = token_for(email)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", create_api())
    failures: list[str] = []
    calls: list[int] = []
    for operation in _operations(schema):

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def run(case) -> None:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            calls.append(response.status_code)

        try:
            run()
        except Exception as error:  # collect every failing operation, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {error}"[:2000])
    assert not failures, "\n\n".join(failures)
    assert len(calls) >= 50 and any(code < 300 for code in calls)  # it really exercised the API
