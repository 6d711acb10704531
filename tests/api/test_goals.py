"""GET /api/v1/goals: every goal of the business with its metric's newest value and progress."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.factories import GoalFactory, MetricValueFactory
from tracking.models import Horizon
from tracking.weeks import current_week_start

pytestmark = pytest.mark.django_db


def test_goals_with_parent_newest_value_and_progress(team, token_for, api):
    MetricValueFactory(metric=team.metric, week_start=current_week_start(team.company), value=Decimal(5))
    quarter = GoalFactory(
        company=team.company,
        parent=team.goal,
        horizon=Horizon.QUARTER,
        title="Quarter: 10 leads a week",
        metric=team.metric,
        target=Decimal(10),
        starts_on=team.goal.starts_on,
        due_on=team.goal.starts_on + timedelta(days=80),
    )
    no_metric = GoalFactory(company=team.company, parent=quarter, horizon=Horizon.MONTH, metric=None, target=None)

    response = api("get", "goals", token_for(team.tracker))

    assert response.status_code == 200, response.content
    rows = {row["id"]: row for row in response.json()["items"]}
    assert list(rows) == sorted([team.goal.pk, quarter.pk, no_metric.pk])
    assert (rows[quarter.pk]["parent_id"], rows[quarter.pk]["horizon"]) == (team.goal.pk, "quarter")
    assert (rows[quarter.pk]["latest"], rows[quarter.pk]["target"], rows[quarter.pk]["progress"]) == (
        "5.0000",
        "10.0000",
        50,
    )
    assert rows[team.goal.pk]["parent_id"] is None
    assert (rows[no_metric.pk]["metric_id"], rows[no_metric.pk]["latest"], rows[no_metric.pk]["progress"]) == (
        None,
        None,
        None,
    )
    assert response.json()["next_cursor"] is None


def test_goals_come_in_pages(team, token_for, api):
    GoalFactory.create_batch(2, company=team.company)
    token = token_for(team.tracker)

    first = api("get", "goals?limit=2", token).json()
    second = api("get", f"goals?limit=2&cursor={first['next_cursor']}", token).json()

    assert len(first["items"]) == 2 and len(second["items"]) == 1
    assert second["next_cursor"] is None


def test_a_bad_limit_is_a_422_in_the_shape(team, token_for, api):
    response = api("get", "goals?limit=0", token_for(team.tracker))
    assert response.status_code == 422
    assert "limit" in response.json()["error"]["fields"]
