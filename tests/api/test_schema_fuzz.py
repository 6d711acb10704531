"""schemathesis against the API's own OpenAPI schema: for every operation, a few generated
requests (a token with every scope) never reach the catch-all 500, and every answer the schema
documents conforms to it. Bounded and derandomized, so it is quick and gives the same answer on
every run."""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 6
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    return [result.ok() for result in schema.get_all_operations()]


# Generated requests arrive faster than a minute's quota: the throttle has its own test.
@override_settings(API_THROTTLE_PER_MINUTE=1_000_000)
def test_every_operation_answers_in_its_schema_and_never_500(team, token_for, wsgi_in_the_test_transaction):
    headers = {"Authorization": f"Bearer {token_for(team.tracker)}"}
    operations = _operations()
    assert len(operations) >= 17

    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def call(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        call()
