"""Metrics, weekly values in the company's local calendar, the chart, bounded queries."""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests import clock
from tests.factories import MetricFactory, MetricValueFactory
from tracking import services
from tracking.models import Metric, MetricValue

pytestmark = pytest.mark.django_db


def _record_url(team):
    return reverse("tracking:metric_value_record", args=[team.company.pk, team.metric.pk])


def test_the_same_week_twice_updates_never_duplicates(team):
    monday = clock.today() - timedelta(days=clock.today().weekday() + 14)
    services.metric_value_record(metric=team.metric, by=team.entrepreneur, value=Decimal(3), week=monday)
    services.metric_value_record(
        metric=team.metric, by=team.tracker, value=Decimal("3.5"), week=monday + timedelta(days=6)
    )
    rows = MetricValue.objects.filter(metric=team.metric, week_start=monday)
    assert [(r.value, r.recorded_by) for r in rows] == [(Decimal("3.5"), team.tracker.user)]


def test_the_database_refuses_two_values_for_one_week(team):
    existing = team.metric.values.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        MetricValue.objects.create(metric=team.metric, week_start=existing.week_start, value=1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "Enter a number."),
        ("", "This field is required."),
        ("NaN", "Enter a number."),
        ("Infinity", "Enter a number."),
        ("1e30", "Enter a number."),
        ("1" * 15, "Ensure that there are no more than 14 digits before the decimal point."),
        ("2,34567", "Ensure that there are no more than 4 decimal places."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_bad_values_are_refused_with_a_clear_error(value, message, htmx, team, client):
    client.force_login(team.entrepreneur.user)
    before = list(MetricValue.objects.values_list("pk", "value"))
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(_record_url(team), {"value": value}, headers=headers)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert 'id="id_value_error"' in body
    if value:
        assert f'value="{value}"' in body  # what was typed is still there
    assert list(MetricValue.objects.values_list("pk", "value")) == before


def test_a_future_week_is_refused(team, client):
    client.force_login(team.entrepreneur.user)
    next_week = clock.today() + timedelta(days=8)
    response = client.post(_record_url(team), {"value": "7", "week": next_week.isoformat()})
    assert "has not started yet" in response.content.decode()
    assert not MetricValue.objects.filter(value=7).exists()


def test_sunday_night_lands_in_the_local_week_even_when_utc_is_monday(team):
    team.company.timezone = "America/Los_Angeles"
    team.company.save()
    # Sunday 2026-03-01 23:30 in Los Angeles is Monday 2026-03-02 07:30 UTC.
    with time_machine.travel(datetime(2026, 3, 2, 7, 30, tzinfo=UTC), tick=False):
        record = services.metric_value_record(metric=team.metric, by=team.tracker, value=Decimal(9))
    assert record.week_start == date(2026, 2, 23)  # the Monday of the local week


def test_monday_morning_in_moscow_is_already_the_new_week(team):
    team.company.timezone = "Europe/Moscow"
    team.company.save()
    # Sunday 2026-03-01 22:30 UTC is Monday 01:30 in Moscow.
    with time_machine.travel(datetime(2026, 3, 1, 22, 30, tzinfo=UTC), tick=False):
        record = services.metric_value_record(metric=team.metric, by=team.tracker, value=Decimal(9))
    assert record.week_start == date(2026, 3, 2)


def test_value_entry_through_htmx_answers_its_form_and_the_chart_and_table_fetch_themselves(team, client):
    """The save answers with the form alone ("Saved", empty again) and says metric-values-changed;
    the chart and the values table, each fetched alone, show the new value."""
    client.force_login(team.team_lead.user)
    response = client.post(_record_url(team), {"value": "12.5"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<form id="metric-value-form"')
    assert "Saved" in body and "<svg" not in body and "<table" not in body
    assert json.loads(response.headers["HX-Trigger"]) == {"metric-values-changed": {}}
    detail = reverse("tracking:metric_detail", args=[team.company.pk, team.metric.pk])
    chart = client.get(detail, {"partial": "chart"}, headers={"HX-Request": "true"}).content.decode()
    assert chart.startswith('<section class="card" id="metric-chart"') and "<svg" in chart
    table = client.get(detail, {"partial": "table"}, headers={"HX-Request": "true"}).content.decode()
    assert table.startswith('<div id="metric-table"') and "12.5" in table and "<svg" not in table
    page = client.get(detail).content.decode()
    for part in (
        'id="metric-chart"',
        'id="metric-value-form"',
        'id="metric-table"',
        'hx-trigger="metric-values-changed',
    ):
        assert part in page


def test_the_edit_form_is_drawn_only_when_asked(team, client):
    """The page holds an "Edit the metric" button; htmx fetches the form alone, ?edit=metric
    without JavaScript draws the page with it, and a refused save shows what was typed."""
    client.force_login(team.tracker.user)
    detail = reverse("tracking:metric_detail", args=[team.company.pk, team.metric.pk])
    edit_url = reverse("tracking:metric_edit", args=[team.company.pk, team.metric.pk])
    page = client.get(detail).content.decode()
    assert 'hx-get="?edit=metric"' in page and f'action="{edit_url}"' not in page
    alone = client.get(detail, {"edit": "metric"}, headers={"HX-Request": "true"}).content.decode()
    assert alone.startswith('<section class="card narrow" id="metric-edit"') and f'action="{edit_url}"' in alone
    assert "<svg" not in alone and "<html" not in alone
    full = client.get(detail, {"edit": "metric"}).content.decode()
    assert f'action="{edit_url}"' in full and 'id="metric-chart"' in full
    refused = client.post(edit_url, {"name": "", "unit": "typed unit"}).content.decode()
    assert f'action="{edit_url}"' in refused and 'value="typed unit"' in refused
    client.force_login(team.member.user)
    for response in (client.get(detail), client.get(detail, {"edit": "metric"})):
        assert 'id="metric-edit"' not in response.content.decode()


def test_the_add_form_is_drawn_only_when_asked(team, client):
    client.force_login(team.tracker.user)
    url = reverse("tracking:metrics", args=[team.company.pk])
    add_url = reverse("tracking:metric_add", args=[team.company.pk])
    page = client.get(url).content.decode()
    assert 'hx-get="?edit=add"' in page and f'action="{add_url}"' not in page
    alone = client.get(url, {"edit": "add"}, headers={"HX-Request": "true"}).content.decode()
    assert alone.startswith('<section class="card narrow" id="add-metric"') and f'action="{add_url}"' in alone
    assert f'action="{add_url}"' in client.get(url, {"edit": "add"}).content.decode()
    refused = client.post(add_url, {"name": team.metric.name, "unit": "typed unit"}).content.decode()
    assert f'action="{add_url}"' in refused and 'value="typed unit"' in refused


def test_one_key_metric_per_company(team):
    other = services.metric_create(by=team.tracker, name="Conversion", unit="%", is_key=True)
    assert list(Metric.objects.filter(company=team.company, is_key=True)) == [other]
    with pytest.raises(IntegrityError), transaction.atomic():
        Metric.objects.filter(pk=team.metric.pk).update(is_key=True)


def test_a_duplicate_metric_name_is_a_clear_error(team, client):
    client.force_login(team.tracker.user)
    response = client.post(
        reverse("tracking:metric_add", args=[team.company.pk]), {"name": team.metric.name, "unit": "x"}
    )
    assert response.status_code == 200
    assert "already has a metric with that name" in response.content.decode()
    with pytest.raises(ValidationError):
        services.metric_create(by=team.tracker, name=team.metric.name)


def _weeks_of_values(metric, count):
    monday = clock.today() - timedelta(days=clock.today().weekday())
    MetricValue.objects.filter(metric=metric).delete()
    MetricValue.objects.bulk_create(
        MetricValue(metric=metric, week_start=monday - timedelta(weeks=i + 1), value=Decimal(i % 17))
        for i in range(count)
    )


@pytest.mark.parametrize(
    "url_name", ["tracking:company_detail", "tracking:metric_detail", "tracking:metrics", "tracking:goals"]
)
def test_pages_run_the_same_queries_with_3_and_150_weeks(url_name, team, client, django_assert_num_queries):
    client.force_login(team.tracker.user)
    kwargs = {"company_id": team.company.pk}
    if url_name == "tracking:metric_detail":
        kwargs["metric_id"] = team.metric.pk
    url = reverse(url_name, kwargs=kwargs)
    extra = MetricFactory(company=team.company, name="Second metric")
    counts = []
    for weeks in (3, 150):
        _weeks_of_values(team.metric, weeks)
        _weeks_of_values(extra, weeks)
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 15, counts


def test_the_metrics_page_queries_do_not_grow_with_metrics(team, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(team.tracker.user)
    url = reverse("tracking:metrics", args=[team.company.pk])
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.append(len(captured))
        for _ in range(10):
            MetricValueFactory(metric=MetricFactory(company=team.company))
    assert counts[0] == counts[1], counts
    body = client.get(url).content.decode()
    for metric in team.company.metrics.all():  # each card links to its metric
        assert f'<a href="{reverse("tracking:metric_detail", args=[team.company.pk, metric.pk])}">' in body


def test_the_chart_is_drawn_against_the_target(team, client):
    _weeks_of_values(team.metric, 12)
    client.force_login(team.member.user)
    body = client.get(reverse("tracking:metric_detail", args=[team.company.pk, team.metric.pk])).content.decode()
    assert body.count('<circle class="dot"') == 12
    assert '<line class="target"' in body
    assert "<polyline" in body


def test_a_refused_value_leaves_the_callers_transaction_usable(team):
    """The toolkit's value_record holds its own savepoint: a refusal inside someone's
    transaction rolls back to it, and the transaction goes on (a page then reads its chart)."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from tracking.toolkit.services import value_record

    with transaction.atomic():
        with pytest.raises(ValidationError):
            value_record(metric=team.metric, by=team.tracker, value=Decimal(7), week=clock.today() + timedelta(days=8))
        # The same transaction goes on: the next value is written (no "error in the current transaction").
        value_record(metric=team.metric, by=team.tracker, value=Decimal(5))
    assert MetricValue.objects.filter(metric=team.metric, value=5).exists()
    assert not MetricValue.objects.filter(metric=team.metric, value=7).exists()


def test_the_fixed_statements_list_metrics_in_the_models_own_order(team):
    """metric_order_sql (the metrics, unit economics and session reads) is Metric.Meta.ordering:
    the key metric first, then funnel stages in order, the rest by name, ties by id."""
    from sprints.selectors import metrics_with_this_week
    from tracking.selectors import metrics_of

    for name, stage in [("b", None), ("a stage", 3), ("a", None), ("c stage", 1), ("b stage", 2), ("A", None)]:
        MetricFactory(company=team.company, name=name, funnel_stage=stage)
    expected = list(Metric.objects.filter(company=team.company).values_list("pk", flat=True))
    assert [m.pk for m in metrics_of(team.company)] == expected
    assert [m.pk for m in metrics_with_this_week(team.company)] == expected
