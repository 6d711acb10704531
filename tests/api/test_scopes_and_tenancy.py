"""Every route of /api/v1/ × every scope (the table below, written apart from the code), and
every route with another business's ids → 404 and none of its data (the tenant walker's API
half: tests/url_samples.py gives each route its sample)."""

import pytest
from django.urls import reverse

from hypotheses.models import Hypothesis
from sprints.models import Action
from tests.url_samples import SAMPLES, Scope, all_url_names
from tracking.models import MetricValue

pytestmark = pytest.mark.django_db

API_ROUTES = sorted(name for name, sample in SAMPLES.items() if sample.scope is Scope.API)
# The schema, its docs page, the API's root and any path it does not have (404s) need no token.
OPEN_ROUTES = {"api:openapi-json", "api:openapi-view", "api:api-root", "api:unknown_path"}
BODY = {"value": "7"}
# The body each write takes; other routes get BODY (which they ignore or refuse).
BODIES = {
    "api:hypothesis_create": {"title": "An idea from the API", "statement": "If we call, then leads grow."},
    "api:hypothesis_measured": {"measured": "7"},
    "api:action_result": {"status": "done", "result_note": "7 calls", "version": 1},
}

# route → (method, the scope it needs). `write` covers `metrics:write`; reading needs `read`.
SCOPE_TABLE = {
    "api:company": ("get", "read"),
    "api:members": ("get", "read"),
    "api:constraints": ("get", "read"),
    "api:constraint": ("get", "read"),
    "api:metrics": ("get", "read"),
    "api:metric": ("get", "read"),
    "api:metric_values": ("get", "read"),
    "api:metric_value": ("put", "metrics:write"),
    "api:goals": ("get", "read"),
    "api:hypotheses": ("get", "read"),
    "api:hypothesis": ("get", "read"),
    "api:hypothesis_create": ("post", "write"),
    "api:hypothesis_measured": ("put", "write"),
    "api:sprints": ("get", "read"),
    "api:sprint": ("get", "read"),
    "api:sprint_report": ("get", "read"),
    "api:action_result": ("put", "write"),
}
COVERS = {"read": {"read"}, "metrics:write": {"metrics:write"}, "write": {"write", "metrics:write"}}


def test_every_api_route_has_a_sample_and_a_scope():
    routes = {name for name in all_url_names() if name.startswith("api:")}
    assert routes - OPEN_ROUTES == set(API_ROUTES) == set(SCOPE_TABLE)


def _written() -> tuple:
    """What a refused write must leave as it was."""
    return (
        list(MetricValue.objects.order_by("pk").values_list("week_start", "value")),
        list(Hypothesis.objects.order_by("pk").values_list("pk", "measured_value")),
        list(Action.objects.order_by("pk").values_list("pk", "status", "version")),
    )


def _path(name, team) -> str:
    return reverse(name, kwargs=SAMPLES[name].kwargs(team)).removeprefix("/api/v1/")


@pytest.mark.parametrize("granted", sorted(COVERS))
@pytest.mark.parametrize("route", sorted(SCOPE_TABLE))
def test_scope_table(route, granted, team, token_for, api):
    method, needed = SCOPE_TABLE[route]
    token = token_for(team.tracker, scopes=[granted])
    path = _path(route, team)
    before = _written()

    response = api(method, path, token, BODIES.get(route, BODY) if method != "get" else None)

    if needed in COVERS[granted]:
        assert response.status_code in {200, 201}, response.content
    else:
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "scope_missing"
        assert f"“{needed}”" in response.json()["error"]["message"]
        assert _written() == before


@pytest.mark.parametrize("route", API_ROUTES)
def test_foreign_ids_are_404_without_their_data(route, team, foreign_team, token_for, api):
    token = token_for(team.tracker)
    kwargs = SAMPLES[route].kwargs(foreign_team)
    path = reverse(route, kwargs=kwargs).removeprefix("/api/v1/")
    statuses = set()
    for method in ("get", "put", "post", "patch", "delete"):
        response = api(method, path, token, BODIES.get(route, BODY))
        body = response.content.decode()
        for secret in foreign_team.names:
            assert secret not in body, f"{route} {method} shows {secret!r}"
        statuses.add(response.status_code)
        if kwargs:  # another business's object: not found, whatever the method
            assert response.status_code in {404, 405}, (method, response.status_code)
    if kwargs:
        assert 404 in statuses, "the endpoint was never reached"
    else:  # the token's own business: its data, never the other's
        assert 200 in statuses
    assert not MetricValue.objects.filter(metric__company=foreign_team.company, value=7).exists()
    assert not Hypothesis.objects.filter(company=foreign_team.company, measured_value=7).exists()
    assert not Action.objects.filter(sprint__company=foreign_team.company, result_note="7 calls").exists()


@pytest.mark.parametrize("route", API_ROUTES)
def test_own_ids_are_reachable(route, team, token_for, api):
    """The control for the walker above: the same route with the token's own objects."""
    method, _scope = SCOPE_TABLE[route]
    response = api(method, _path(route, team), token_for(team.tracker), BODIES.get(route, BODY))
    assert response.status_code in {200, 201}, response.content


@pytest.mark.parametrize("path", ["", "nothing/here", "metrics/1/values/2026-11-02/extra"])
def test_a_path_the_api_does_not_have_is_a_404_in_its_shape(path, client):
    response = client.get(f"/api/v1/{path}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_method_a_path_does_not_take_is_a_405_in_the_shape(team, token_for, api):
    response = api("get", _path("api:metric_value", team), token_for(team.tracker))
    assert response.status_code == 405
    assert response["Allow"] == "PUT"
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert response.json()["error"]["message"] == "This path does not take GET requests."
