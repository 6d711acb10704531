"""Measured and metric values show as typed everywhere — not "3.1000", not "3.10",
not 1E+1 — on the metric pages, the goal tree, the pre-filled metric form and the e-mails."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from sprints import digest, rollups
from sprints.models import Digest
from tests import clock
from tests.support.sprints import report_emailed, sprint_closed
from tracking.models import Metric, MetricValue
from tracking.weeks import week_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def typed(team):
    """The key metric at 2.5, then 3.1 in the active sprint's last week, its target 10; stored
    as 2.5000, 3.1000, 1E+1 (the weeks follow the sprint, so the report has both, whatever the day)."""
    this_week = week_start(team.active_sprint.ends_on)
    MetricValue.objects.filter(metric=team.metric).delete()
    MetricValue.objects.create(metric=team.metric, week_start=this_week - timedelta(days=7), value=Decimal("2.5"))
    MetricValue.objects.create(metric=team.metric, week_start=this_week, value=Decimal("3.1"))
    Metric.objects.filter(pk=team.metric.pk).update(target=Decimal("1E+1"))
    team.metric.refresh_from_db()
    mail.outbox.clear()
    return team


def _no_padding(text):
    assert "3.1000" not in text and "3.10" not in text and "2.5000" not in text and "2.50" not in text, text
    assert "1E+1" not in text and "10.00" not in text


def test_the_metric_page_and_its_chart(typed, client):
    client.force_login(typed.tracker.user)
    body = client.get(reverse("tracking:metric_detail", args=[typed.company.pk, typed.metric.pk])).content.decode()
    assert '<td class="num">3.1</td>' in body and '<td class="num">2.5</td>' in body
    assert re.search(r"<strong>3\.1(</strong>| |\xa0)", body)  # the chart's latest value
    assert "last week 2.5" in body and "target 10" in body
    _no_padding(body)
    # The edit form, drawn when asked, is pre-filled as typed.
    url = reverse("tracking:metric_detail", args=[typed.company.pk, typed.metric.pk])
    assert re.search(r'name="target"[^>]*value="10"', client.get(url, {"edit": "metric"}).content.decode())


def test_the_metric_page_in_russian_uses_the_decimal_comma(typed, client):
    client.force_login(typed.tracker.user)
    url = reverse("tracking:metric_detail", args=[typed.company.pk, typed.metric.pk])
    body = client.get(url, headers={"Accept-Language": "ru"}).content.decode()
    assert '<td class="num">3,1</td>' in body
    body = client.get(url, {"edit": "metric"}, headers={"Accept-Language": "ru"}).content.decode()
    assert re.search(r'name="target"[^>]*value="10"', body)  # the edit form, drawn when asked


def test_the_goal_tree(typed, client):
    client.force_login(typed.tracker.user)
    body = client.get(reverse("tracking:goals", args=[typed.company.pk])).content.decode()
    assert re.search(rf"{re.escape(typed.metric.name)}: 3\.1 / 20[ \xa0]", body), body  # the goal's target, 20.0000
    _no_padding(body)


def test_the_weekly_digest(typed):
    weekly = Digest.objects.create(recipient=typed.tracker.user, week_start=clock.today())
    assert digest.digests_deliver([weekly.pk]) == 1
    (message,) = mail.outbox
    ((html, _mimetype),) = message.alternatives
    for text in (message.body, html):
        assert "2.5 → 3.1" in text, text
        _no_padding(text)


def test_the_sprint_report_e_mail(typed):
    report_emailed(typed)
    message = mail.outbox[0]
    assert f"{typed.metric.name}: 3.1 (0.6 week over week), target 10" in message.body, message.body
    _no_padding(message.body)


def test_the_results_page_the_portfolio_and_the_report_page(typed, client):
    from hypotheses.models import Hypothesis

    Hypothesis.objects.filter(pk=typed.hypothesis.pk).update(
        status="testing", baseline=Decimal("2.5000"), expected_value=Decimal("1E+1"), measured_value=Decimal("3.1")
    )
    client.force_login(typed.tracker.user)
    results = client.get(reverse("sprints:results", args=[typed.company.pk]))
    body = results.content.decode()
    assert f"{typed.metric.name}: 2.5 → 10" in body
    assert "target 10" in body
    _no_padding(body)

    portfolio = client.get(reverse("tracking:portfolio")).content.decode()
    assert re.search(r"<dd>3\.1( |\xa0|<)", portfolio) and "last week 2.5" in portfolio
    _no_padding(portfolio)

    Hypothesis.objects.filter(pk=typed.hypothesis.pk).update(
        status="confirmed", verdict="confirmed", decided_at=clock.now(), measured_value=Decimal("3.1000")
    )
    sprint_closed(typed)
    rollups.sprint_rollups([typed.active_sprint.pk])
    report = client.get(reverse("sprints:report", args=[typed.company.pk, typed.active_sprint.pk])).content.decode()
    assert re.search("measured 3.1 against 2.5 → 10( |\xa0|<)", report) and "target 10" in report
    _no_padding(report)
    in_russian = client.get(
        reverse("sprints:report", args=[typed.company.pk, typed.active_sprint.pk]), headers={"Accept-Language": "ru"}
    ).content.decode()
    assert "3,1" in in_russian and "2,5 → 10" in in_russian
