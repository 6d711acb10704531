"""Raising an event writes one outbox row per event and subscription, in the transaction of the
change, and nothing (for one query) when nobody subscribes."""

import json
from decimal import Decimal

import pytest
from django.db import transaction

from tests.support.sprints import sprint_closed
from tracking.models import OutboxMessage
from tracking.services import constraint_update, metric_value_record
from tracking.webhooks.events import webhook_emit
from tracking.webhooks.services import webhook_subscription_create, webhook_subscription_switch

pytestmark = pytest.mark.django_db


def _webhook_rows():
    return OutboxMessage.objects.filter(channel="webhook").order_by("pk")


def test_nobody_subscribed_costs_one_query_and_writes_nothing(team, django_assert_num_queries):
    webhook_subscription_create(by=team.tracker, url="https://a.example.com/in", events=["sprint.closed"])
    with django_assert_num_queries(1):
        assert webhook_emit(team.company.pk, "metric.value_recorded", lambda: 1 / 0, occurrence="x") == []
    assert not _webhook_rows().exists()


def test_the_same_event_raised_twice_is_one_row_per_subscription(team):
    first = webhook_subscription_create(by=team.tracker, url="https://a.example.com/in", events=["sprint.closed"])
    second = webhook_subscription_create(
        by=team.tracker, url="https://b.example.com/in", events=["sprint.closed", "sprint.started"]
    )
    keys = webhook_emit(team.company.pk, "sprint.closed", {"n": 1}, occurrence="sprint:7:3")
    again = webhook_emit(team.company.pk, "sprint.closed", {"n": 1}, occurrence="sprint:7:3")

    assert keys == again and len(keys) == 2
    rows = list(_webhook_rows())
    assert [(r.about, r.address, r.subject) for r in rows] == [
        (f"webhook:{first.pk}", "https://a.example.com/in", "sprint.closed"),
        (f"webhook:{second.pk}", "https://b.example.com/in", "sprint.closed"),
    ]
    assert all(r.key.endswith(f":{s.pk}") for r, s in zip(rows, [first, second], strict=True))


def test_another_occurrence_is_another_event(team):
    webhook_subscription_create(by=team.tracker, url="https://a.example.com/in", events=["sprint.closed"])
    webhook_emit(team.company.pk, "sprint.closed", {}, occurrence="sprint:7:3")
    webhook_emit(team.company.pk, "sprint.closed", {}, occurrence="sprint:8:3")
    assert _webhook_rows().count() == 2


def test_a_switched_off_or_other_businesss_subscription_gets_nothing(team, foreign_team):
    url = "https://a.example.com/in"
    subscription = webhook_subscription_create(by=team.tracker, url=url, events=["sprint.closed"])
    webhook_subscription_switch(subscription=subscription, by=team.tracker, on=False)
    webhook_subscription_create(by=foreign_team.tracker, url="https://f.example.com/in", events=["sprint.closed"])
    assert webhook_emit(team.company.pk, "sprint.closed", {}, occurrence="s") == []
    assert not _webhook_rows().exists()


def test_a_rolled_back_change_leaves_no_row(team):
    webhook_subscription_create(by=team.tracker, url="https://a.example.com/in", events=["metric.value_recorded"])
    with pytest.raises(RuntimeError), transaction.atomic():
        metric_value_record(metric=team.metric, by=team.tracker, value=Decimal(3))
        raise RuntimeError("the future refused it")
    assert not _webhook_rows().exists()


def test_recording_a_metric_value_raises_its_event(team):
    webhook_subscription_create(by=team.tracker, url="https://a.example.com/in", events=["metric.value_recorded"])
    record = metric_value_record(metric=team.metric, by=team.tracker, value=Decimal("41.5"))

    [row] = _webhook_rows()
    data = json.loads(row.text)["data"]
    assert data["metric"]["id"] == team.metric.pk
    assert data["value"] == "41.5" or Decimal(data["value"]) == Decimal("41.5")
    assert data["week_start"] == record.week_start.isoformat()


def test_editing_the_constraint_raises_its_event(team):
    webhook_subscription_create(by=team.tracker, url="https://a.example.com/in", events=["constraint.changed"])
    constraint_update(constraint=team.constraint, by=team.tracker, title="No repeat sales", area=team.constraint.area)

    [row] = _webhook_rows()
    data = json.loads(row.text)["data"]
    assert data["change"] == "edited"
    assert data["constraint"]["title"] == "No repeat sales"


def test_closing_a_sprint_sends_its_report_numbers(team):
    webhook_subscription_create(by=team.tracker, url="https://a.example.com/in", events=["sprint.closed"])
    sprint = sprint_closed(team)

    [row] = _webhook_rows()
    envelope = json.loads(row.text)
    assert envelope["type"] == "sprint.closed"
    assert envelope["data"]["sprint"]["id"] == sprint.pk
    assert envelope["data"]["sprint"]["status"] == "closed"
    report = envelope["data"]["report"]
    assert report["actions"][0]["status"] == "done"
