"""schemathesis' stateful test against the API's own OpenAPI schema: it follows the schema's links
(an id one answer gives is the path of the next request), so the writes reach real objects rather
than 404s: a new idea read back by its id and given a measured value; a sprint read from the list,
its first action's result logged with the version and status it answered, its report read; a
metric's week PUT and its values read back, the newest week PUT again with its own value; a new
idea against a constraint or a metric just read.

No answer is a 500, every documented answer conforms to the schema, a hypothesis just created is
not a 404 by its id, every operation of a chain is called, and every link is followed to an object
it names (not a 404): a link whose expression no longer matches the answer (a renamed field, a
wrong operationId) fails the test.

The links are declared in the served schema (tracking/api/links.py, on each operation's
`openapi_extra`), so clients see the same links the test follows.

Bounded: each chain is its own state machine of a few dozen scenarios of at most 10 steps (about
5 s a chain). Derandomized, valid requests only (the stateless test in test_schema_fuzz.py sends
each operation alone), with only the declared links (schemathesis' link inference is off)."""

import copy
from collections import Counter

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import override_settings
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    response_schema_conformance,
)

from hypotheses.models import Status
from tests.factories import HypothesisFactory, sprint_closed_before

pytestmark = pytest.mark.django_db

STEPS_PER_SCENARIO = 10
# ensure_resource_availability: a hypothesis just created (201) is not a 404 by the id it answered.
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, ensure_resource_availability]


MEASURED_ID = "hypotheses_hypothesis_measured"


@pytest.fixture
def linked_team(team):
    """The team, its sprints being the active one (its action can take a result) and a closed one
    before it (with a report), newest first; its newest hypothesis is under test (it takes a
    measured value)."""
    team.planned_sprint.delete()
    sprint_closed_before(team, weeks=1)
    HypothesisFactory(company=team.company, constraint=team.constraint, status=Status.TESTING, title="Under test")
    return team


def _schema():
    """The served schema, with its links, loaded to call the project's WSGI application."""
    app = get_wsgi_application()
    # Fetched as schemathesis fetches it (Django's test client would reconnect close_old_connections).
    raw = copy.deepcopy(schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).raw_schema)
    config = SchemathesisConfig.from_dict(
        {"seed": 25, "phases": {"stateful": {"generation": {"mode": "positive"}, "inference": {"algorithms": []}}}}
    )
    schema = schemathesis.openapi.from_dict(raw, config=config)
    schema.app = app
    return raw, schema


def _declared_links(raw: dict) -> set[tuple[str, str, str]]:
    """Every link of the schema, named as schemathesis names a transition, with the operationIds
    of its source and target."""
    labels = {
        operation["operationId"]: f"{method.upper()} {path}"
        for path, methods in raw["paths"].items()
        for method, operation in methods.items()
    }
    return {
        (
            f"{method.upper()} {path} -> [{status}] {name} -> {labels[link['operationId']]}",
            operation["operationId"],
            link["operationId"],
        )
        for path, methods in raw["paths"].items()
        for method, operation in methods.items()
        for status, response in operation["responses"].items()
        for name, link in response.get("links", {}).items()
    }


# The chains of linked operations, each run as its own state machine (its own budget): in one
# machine the short chains would take the steps the long ones need.
CHAINS = {
    "hypotheses": (
        ["hypotheses_hypotheses", "hypotheses_hypothesis_create", "hypotheses_hypothesis", MEASURED_ID],
        30,
    ),
    "sprints": (["sprints_sprints", "sprints_sprint", "sprints_sprint_report", "sprints_action_result"], 30),
    # The longest chain: a metric, its values, a week's PUT, the values again.
    "metrics": (["endpoints_metrics", "endpoints_metric", "endpoints_metric_values", "endpoints_metric_value"], 40),
    # A new idea against the constraint or the metric it was read with.
    "ideas": (
        [
            "endpoints_constraints",
            "endpoints_constraint",
            "endpoints_metrics",
            "endpoints_metric",
            "hypotheses_hypothesis_create",
        ],
        20,
    ),
}


def _in_chain(raw: dict, chain: str) -> set[str]:
    operations = {f"tracking_api_{name}" for name in CHAINS[chain][0]}
    return {link for link, source, target in _declared_links(raw) if {source, target} <= operations}


def test_every_link_is_in_a_chain(wsgi_in_the_test_transaction):
    raw, _ = _schema()
    declared = {link for link, _, _ in _declared_links(raw)}
    assert len(declared) >= 19
    assert set().union(*(_in_chain(raw, chain) for chain in CHAINS)) == declared


# Generated requests arrive faster than a minute's quota: the throttle has its own test.
@override_settings(API_THROTTLE_PER_MINUTE=1_000_000)
@pytest.mark.parametrize("chain", CHAINS)
def test_linked_calls_answer_in_their_schema_and_every_link_reaches_its_object(
    chain, linked_team, token_for, wsgi_in_the_test_transaction
):
    headers = {"Authorization": f"Bearer {token_for(linked_team.tracker)}"}
    raw, schema = _schema()
    links = _in_chain(raw, chain)
    names, scenarios = CHAINS[chain]
    schema = schema.include(operation_id=[f"tracking_api_{name}" for name in names])

    calls: Counter[str] = Counter()  # operation → calls
    followed: Counter[str] = Counter()  # link → calls with the values it gave
    found: Counter[str] = Counter()  # link → those of them that were not a 404

    class LinkedCalls(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def step(self, input):
            output = super().step(input)
            calls[input.case.operation.label] += 1
            if input.transition is not None and input.is_applied:
                followed[input.transition.id] += 1
                if output.response.status_code != 404:
                    found[input.transition.id] += 1
            return output

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None, recorder=self.recorder)

    LinkedCalls.run(
        settings=settings(
            max_examples=scenarios,
            stateful_step_count=STEPS_PER_SCENARIO,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )

    report = f"calls: {dict(calls)}; links followed (found): " + "; ".join(
        f"{link} {followed[link]} ({found[link]})" for link in sorted(links)
    )
    assert len(calls) == len(names), report
    assert set(followed) == links, f"links never followed: {sorted(links - set(followed))}; {report}"
    assert set(found) == links, f"links whose values named nothing: {sorted(links - set(found))}; {report}"
