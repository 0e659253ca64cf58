"""Property-based run of schemathesis against our own OpenAPI document: no input makes a 5xx.

In-process (ASGI), bounded (a few examples per operation, no deadline), authenticated as an
administrator so the generated requests reach the handlers instead of stopping at 401, and
with a real Open311 API key so POST requests get past the key check. Both generation modes
run: schema-valid inputs (positive) and schema-violating ones (negative).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

if TYPE_CHECKING:
    from tests.web.api.conftest import Api

EXAMPLES = 6
PATHS = r"^/(api|open311)/"


def _run(operation: Any, mode: GenerationMode, headers: dict[str, str], api_key: str) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        if isinstance(case.body, dict) and "api_key" in case.body and mode is GenerationMode.POSITIVE:
            case.body["api_key"] = api_key
        response = case.call(headers=headers)
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"

    try:
        check()
    except Unsatisfiable:
        # An operation without parameters (e.g. GET services.{fmt} has only a free string) may have
        # no schema-violating input at all; positive mode always runs it.
        assert mode is GenerationMode.NEGATIVE, operation.label


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
def test_when_schemathesis_generates_requests_then_no_server_error(staff: Api, mode: GenerationMode) -> None:
    headers = staff.login("admin")
    app = staff.client.app
    # Logout would end the administrator's token and turn every later operation into a 401.
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex=PATHS).exclude(
        operation_id="auth-logout")
    staff.post_request()  # one real case, so ids 1.. exist for some generated paths
    results = list(schema.get_all_operations())
    assert all(isinstance(r, Ok) for r in results), [r for r in results if not isinstance(r, Ok)]
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert len(operations) >= 20
    for operation in operations:
        _run(operation, mode, headers, staff.api_key)
