"""Each endpoint runs the same number of queries for a few rows as for many."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import (
    ConstraintFactory,
    GoalFactory,
    HypothesisFactory,
    MembershipFactory,
    MetricFactory,
    MetricValueFactory,
    WhyStepFactory,
)
from tracking.models import ConstraintStatus
from tracking.weeks import current_week_start

pytestmark = pytest.mark.django_db

ROUTES = ["company", "members", "constraints", "metrics", "metrics/{metric}", "metrics/{metric}/values", "goals"]
ROUTES += ["hypotheses", "hypotheses?status=ready&constraint={constraint}", "hypotheses/{hypothesis}"]


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
    path = route.format(metric=team.metric.pk, constraint=team.constraint.pk, hypothesis=team.hypothesis.pk)
    _queries(api, token, path)  # the token's last-used mark, written once a minute, is behind us
    few = _queries(api, token, path)
    _grow(team, 40)
    many = _queries(api, token, path)

    assert few == many <= 5, (few, many)
