"""Outcomes over outputs, and the portfolio flag "busy, not moving"."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from sprints.digest import digest_lines
from sprints.outcomes import outcomes_many
from sprints.portfolio import overview
from tests import clock
from tests.factories import ActionFactory, HypothesisFactory, SprintFactory
from tracking.models import MetricValue
from tracking.portfolio import Flag

pytestmark = pytest.mark.django_db


def _closed_sprints(team, count, done_share=1.0, actions=5):
    today = clock.today()
    sprints = []
    for i in range(count):
        start = today - timedelta(days=12 + 7 * (count - i))
        sprint = SprintFactory(
            company=team.company, number=i + 1, status="closed", starts_on=start, ends_on=start + timedelta(days=6)
        )
        for a in range(actions):
            ActionFactory(
                sprint=sprint,
                owner=team.member,
                title=f"S{i} A{a}",
                estimate_hours=Decimal(2),
                status="done" if a < actions * done_share else "not_done",
            )
        sprints.append(sprint)
    return sprints


def _key_values(team, values):
    """Weekly values of the key metric (target 10, higher is better), oldest first, ending 2 weeks ago."""
    monday = clock.today() - timedelta(days=clock.today().weekday())
    MetricValue.objects.filter(metric=team.metric).delete()
    for i, value in enumerate(values):
        MetricValue.objects.create(
            metric=team.metric, week_start=monday - timedelta(weeks=len(values) + 1 - i), value=Decimal(value)
        )


def test_busy_not_moving_is_flagged_on_the_card_page_and_digest(team, client_for):
    _closed_sprints(team, 3)
    _key_values(team, [5] * 8)
    assert Flag.BUSY_NOT_MOVING in overview([team.company.pk])[team.company.pk]["flags"]
    client = client_for(team.tracker)
    assert "busy, not moving" in client.get(reverse("tracking:portfolio")).content.decode()
    company_page = client.get(reverse("tracking:company_detail", args=[team.company.pk])).content.decode()
    assert "busy, not moving" in company_page and reverse("sprints:outcomes", args=[team.company.pk]) in company_page
    line = digest_lines(team.tracker.user)[0]
    assert Flag.BUSY_NOT_MOVING in line["flags"] and line["outcomes_link"].endswith(
        reverse("sprints:outcomes", args=[team.company.pk])
    )
    page = client.get(reverse("sprints:outcomes", args=[team.company.pk])).content.decode()
    assert "Busy, not moving." in page and "100%" in page


def _flagged(team) -> bool:
    """The outcomes page's verdict, which the portfolio's flag (read as plain rows) must share."""
    busy = outcomes_many([team.company.pk])[team.company.pk].busy_not_moving
    assert (Flag.BUSY_NOT_MOVING in overview([team.company.pk], clock.now())[team.company.pk]["flags"]) == busy
    return busy


def test_moving_or_not_busy_is_not_flagged(team):
    _closed_sprints(team, 3)
    _key_values(team, [5, 5, 5, 5, 6, 7, 8, 9])
    assert not _flagged(team)
    _key_values(team, [5] * 8)
    assert _flagged(team)
    # 60 % done in the newest sprint: not busy three in a row.
    team.company.sprints.filter(number=3).first().actions.filter(title__in=["S2 A3", "S2 A4"]).update(status="todo")
    assert not _flagged(team)


def test_the_view_counts_decisions_and_hours(team, client_for):
    sprints = _closed_sprints(team, 2, done_share=0.6)
    moment = clock.now().replace(year=sprints[1].starts_on.year)
    decided_at = moment - (moment.date() - sprints[1].starts_on) + timedelta(days=2, hours=12)
    HypothesisFactory(
        company=team.company, title="Guarantee", status="confirmed", verdict="confirmed", decided_at=decided_at
    )
    HypothesisFactory(company=team.company, title="Ads", status="refuted", verdict="refuted", decided_at=decided_at)
    newest = outcomes_many([team.company.pk])[team.company.pk].sprints[0]
    assert (newest.done, newest.total, newest.percent, newest.hours_done) == (3, 5, 60, 6)
    assert (newest.decided, newest.confirmed) == (2, 1)


@pytest.mark.parametrize("count", [1, 12])
def test_fixed_queries(team, client_for, django_assert_num_queries, count):
    _closed_sprints(team, count)
    client = client_for(team.tracker)
    with django_assert_num_queries(6):
        assert client.get(reverse("sprints:outcomes", args=[team.company.pk])).status_code == 200


def test_a_verdict_early_on_the_first_day_counts_in_the_business_time_zone(team):
    """Moscow is 3 hours ahead of UTC: a verdict at 00:30 on the oldest sprint's first day is
    still the day before in UTC, and it counts for that sprint all the same."""
    from zoneinfo import ZoneInfo

    team.company.timezone = "Europe/Moscow"
    team.company.save()
    (sprint,) = _closed_sprints(team, 1)
    moscow = ZoneInfo("Europe/Moscow")
    decided_at = (
        clock.now()
        .astimezone(moscow)
        .replace(year=sprint.starts_on.year, month=sprint.starts_on.month, day=sprint.starts_on.day, hour=0, minute=30)
    )
    HypothesisFactory(
        company=team.company, title="Early", status="confirmed", verdict="confirmed", decided_at=decided_at
    )
    outcome = outcomes_many([team.company.pk])[team.company.pk].sprints[0]
    assert (outcome.decided, outcome.confirmed) == (1, 1)
