"""Each endpoint runs the same number of queries for a few rows as for many."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import clock
from tests.factories import (
    ActionFactory,
    ConstraintFactory,
    GoalFactory,
    HypothesisFactory,
    MembershipFactory,
    MetricFactory,
    MetricValueFactory,
    SprintFactory,
    WhyStepFactory,
)
from tracking.models import ConstraintStatus
from tracking.weeks import current_week_start

pytestmark = pytest.mark.django_db

ROUTES = ["company", "members", "constraints", "metrics", "metrics/{metric}", "metrics/{metric}/values", "goals"]
ROUTES += ["hypotheses", "hypotheses?status=ready&constraint={constraint}", "hypotheses/{hypothesis}"]
ROUTES += ["sprints", "sprints/{sprint}"]


def _grow(team, rows: int) -> None:
    monday = current_week_start(team.company)
    for n in range(rows):
        MembershipFactory(company=team.company)
        metric = MetricFactory(company=team.company)
        MetricValueFactory(metric=metric, week_start=monday - timedelta(weeks=1))
        GoalFactory(company=team.company, parent=team.goal, metric=metric, target=n + 1)
        MetricValueFactory(metric=team.metric, week_start=monday - timedelta(weeks=2 + n))
        old = ConstraintFactory(company=team.company, status=ConstraintStatus.RESOLVED, closed_on=monday)
        WhyStepFactory(constraint=old, position=1)
        WhyStepFactory(constraint=old, position=2)
        ActionFactory(sprint=team.active_sprint, owner=MembershipFactory(company=team.company))
        later = monday + timedelta(weeks=20 + n)
        SprintFactory(company=team.company, number=1000 + n, starts_on=later, ends_on=later + timedelta(days=6))
        HypothesisFactory(
            company=team.company,
            constraint=team.constraint,
            metric=metric,
            author=MembershipFactory(company=team.company).user,
        )


def _queries(api, token, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api("get", path, token)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.mark.parametrize("route", ROUTES)
def test_queries_do_not_grow_with_rows(route, team, token_for, api):
    token = token_for(team.tracker)
    path = route.format(
        metric=team.metric.pk,
        constraint=team.constraint.pk,
        hypothesis=team.hypothesis.pk,
        sprint=team.active_sprint.pk,
    )
    _queries(api, token, path)  # the token's last-used mark, written once a minute, is behind us
    few = _queries(api, token, path)
    _grow(team, 40)
    many = _queries(api, token, path)

    assert few == many <= 5, (few, many)


def _closed_sprint(team, number: int, actions: int):
    starts_on = team.active_sprint.starts_on - timedelta(weeks=2 * (number - 98))
    ends_on = starts_on + timedelta(days=6)
    closed = SprintFactory(company=team.company, number=number, status="closed", starts_on=starts_on, ends_on=ends_on)
    for _ in range(actions):
        ActionFactory(sprint=closed, owner=MembershipFactory(company=team.company), status="done")
    return closed


def test_a_reports_queries_do_not_grow_with_its_actions(team, token_for, api):
    token = token_for(team.tracker)
    small, large = _closed_sprint(team, 100, 2), _closed_sprint(team, 99, 40)
    for sprint in (small, large):  # the first read of a sprint closed before computes its report
        _queries(api, token, f"sprints/{sprint.pk}/report")

    few = _queries(api, token, f"sprints/{small.pk}/report")
    many = _queries(api, token, f"sprints/{large.pk}/report")

    assert few == many <= 5, (few, many)


def _last_week(team):
    return current_week_start(team.company) - timedelta(weeks=1)


def _version(action) -> int:
    action.refresh_from_db(fields=["version"])
    return action.version


def _hypothesis_under_test(team):
    from hypotheses.models import Hypothesis

    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(status="testing", testing_started_at=clock.now())
    return team.hypothesis.pk


# name: (method, the path and the body for the team, the pinned queries)
WRITES = {
    "a weekly value": ("put", lambda t, n: (f"metrics/{t.metric.pk}/values/{_last_week(t)}", {"value": n}), 6),
    "an idea": ("post", lambda t, n: ("hypotheses", {"title": f"Idea {n}", "statement": "If we call, they buy"}), 16),
    "a measured value": (
        "put",
        lambda t, n: (f"hypotheses/{_hypothesis_under_test(t)}/measured", {"measured": 10 + n}),
        7,
    ),
    "an action's result": (
        "put",
        lambda t, n: (
            f"actions/{t.action.pk}/result",
            {"status": "done", "result_note": f"Done {n}", "version": _version(t.action)},
        ),
        6,
    ),
}


@pytest.mark.parametrize("name", WRITES)
def test_writes_run_the_same_queries_for_few_rows_and_many(name, team, token_for, api):
    """Each write is pinned: the same queries with a few rows as with 40 of everything."""
    method, request, pinned = WRITES[name]
    token = token_for(team.tracker)
    counts = []
    for n in range(3):
        if n == 2:
            _grow(team, 40)
        path, body = request(team, n)
        with CaptureQueriesContext(connection) as queries:
            response = api(method, path, token, body)
        assert response.status_code in (200, 201), response.content
        counts.append(len(queries))
    assert counts[1:] == [pinned, pinned], counts  # the first also marks the token as used
