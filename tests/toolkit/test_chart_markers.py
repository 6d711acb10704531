"""Metric charts mark the weeks a hypothesis on the metric was under test, with its verdict."""

from datetime import timedelta

import pytest
from django.urls import reverse

from tests import clock
from tests.factories import HypothesisFactory, MetricValueFactory

pytestmark = pytest.mark.django_db


def _weeks_of_values(team, weeks):
    monday = clock.today() - timedelta(days=clock.today().weekday())
    team.metric.values.all().delete()
    for i in range(weeks):
        MetricValueFactory(metric=team.metric, week_start=monday - timedelta(weeks=weeks - i))


def _tested(team, title, verdict, weeks_ago, decided_weeks_ago):
    return HypothesisFactory(
        company=team.company,
        metric=team.metric,
        title=title,
        status=verdict or "testing",
        verdict=verdict,
        testing_started_at=clock.now() - timedelta(weeks=weeks_ago),
        decided_at=clock.now() - timedelta(weeks=decided_weeks_ago) if verdict else None,
    )


def test_the_chart_marks_tests_with_verdict_and_link(team, client_for):
    _weeks_of_values(team, 12)
    confirmed = _tested(team, "Money-back guarantee", "confirmed", 6, 4)
    testing = _tested(team, "Call hot leads first", "", 2, 0)
    _tested(team, "Long ago", "refuted", 80, 78)
    client = client_for(team.member)
    for url in (
        reverse("tracking:metric_detail", args=[team.company.pk, team.metric.pk]),
        reverse("tracking:metrics", args=[team.company.pk]),
        reverse("tracking:company_detail", args=[team.company.pk]),
    ):
        page = client.get(url).content.decode()
        assert page.count('class="test-marker verdict-confirmed"') == 1, url
        assert page.count('class="test-marker verdict-testing"') == 1, url
        assert reverse("hypotheses:detail", args=[team.company.pk, confirmed.pk]) in page
        assert reverse("hypotheses:detail", args=[team.company.pk, testing.pk]) in page
        assert "Money-back guarantee</a> — Confirmed" in page
        assert "Long ago" not in page


@pytest.mark.parametrize("tests", [1, 15])
def test_fixed_queries(team, client_for, django_assert_num_queries, tests):
    _weeks_of_values(team, 26)
    for i in range(tests):
        _tested(team, f"H{i}", "refuted", 20 - i, 19 - i)
    client = client_for(team.member)
    with django_assert_num_queries(7):
        client.get(reverse("tracking:metric_detail", args=[team.company.pk, team.metric.pk]))
