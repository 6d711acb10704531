"""Rows are text until edited (issue 12): the board's size does not grow with the number of
open hypotheses, and a row's form comes one at a time."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hypotheses.models import Hypothesis
from sprints.models import Action
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _open_hypotheses(team, count, start=0):
    Hypothesis.objects.bulk_create(
        Hypothesis(
            company=team.company,
            constraint=team.constraint if i % 2 else None,
            title=f"Open hypothesis {i:03d}",
            statement="If we call back within an hour, more leads buy.",
            metric=team.metric,
            baseline=Decimal(2),
            expected_value=Decimal(3),
            success_criteria="3 %",
            cheapest_test="Call back",
            status="ready",
        )
        for i in range(start, start + count)
    )


def _board(client, team):
    url = reverse("sprints:board", args=[team.company.pk, team.planned_sprint.pk])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(response.content), len(captured)


def test_the_board_does_not_grow_with_open_hypotheses(team, client):
    owners = [*MembershipFactory.create_batch(3, company=team.company), team.member]
    Action.objects.bulk_create(
        Action(sprint=team.planned_sprint, title=f"Action {i}", owner=owners[i % 4], estimate_hours=Decimal(1))
        for i in range(59)
    )
    client.force_login(team.tracker.user)
    open_now = Hypothesis.objects.filter(company=team.company, status__in=["idea", "ready", "testing", "inconclusive"])
    _open_hypotheses(team, 10 - open_now.count())
    small_size, small_queries = _board(client, team)
    _open_hypotheses(team, 110, start=100)
    large_size, large_queries = _board(client, team)
    print(f"board at 60 actions: {small_size} bytes with 10 open hypotheses, {large_size} with 120")
    assert small_queries == large_queries
    assert large_size - small_size < 2_000, (small_size, large_size)
    assert large_size < 150_000, large_size
