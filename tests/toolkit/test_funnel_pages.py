"""The funnel page: the leak in words and numbers, bad data, the two actions from the leak."""

from decimal import Decimal
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from tests.toolkit.conftest import build_funnel, last_monday
from tracking.models import Constraint, Metric, MetricValue
from tracking.toolkit.models import ConversionMetric
from tracking.toolkit.services import value_record

pytestmark = pytest.mark.django_db


def _url(team, name="toolkit:funnel"):
    return reverse(name, args=[team.company.pk])


def test_the_page_names_the_leak_in_words_and_numbers(team, funnel, client_for):
    page = client_for(team.member).get(_url(team)).content.decode()
    assert "The funnel leaks at “contracts”: 20% step conversion against a reference of 40%." in page
    assert "would give 16 more “contracts” (16 now)" in page
    assert "Make this the main constraint" not in page  # members read


def test_windows_and_previous_window(team, funnel, client_for):
    client = client_for(team.tracker)
    page = client.get(_url(team) + "?window=12").content.decode()
    assert "Counts summed over 12 weeks" in page
    week = client.get(_url(team) + "?window=1").content.decode()
    assert "Counts of the week of" in week
    assert client.get(_url(team) + "?window=x%00").status_code == 200


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({"leads": [10] * 4}, "A funnel needs at least two stages"),
        ({"leads": [0] * 4, "paid": [0] * 4}, "“leads” has a count of zero"),
        ({"leads": [10, None, 10, 10], "paid": [2] * 4}, "“leads” has no value for the week of"),
        ({"leads": [10] * 4, "paid": [20] * 4}, "“paid” is larger than “leads” before it"),
    ],
    ids=["one stage", "zero", "missing week", "larger"],
)
def test_bad_data_gets_a_message_not_an_error(team, client_for, counts, message):
    build_funnel(team.company, counts)
    response = client_for(team.tracker).get(_url(team))
    assert response.status_code == 200
    assert message in response.content.decode()


def test_make_the_leak_the_main_constraint(team, funnel, client_for):
    client = client_for(team.tracker)
    response = client.post(
        _url(team, "toolkit:leak_constraint"), {"window": 4, "expected_previous": team.constraint.pk}
    )
    assert response.status_code == 302
    active = Constraint.objects.get(company=team.company, status="active")
    assert active.title == "Weak conversion measurements → contracts"
    why = active.why_steps.get().answer
    assert "converts 20% against 40%" in why and "16 more contracts" in why
    assert Constraint.objects.get(pk=team.constraint.pk).status == "resolved"


def test_a_stale_constraint_is_refused(team, funnel, client_for):
    client = client_for(team.tracker)
    client.post(_url(team, "toolkit:leak_constraint"), {"window": 4, "expected_previous": ""})
    assert Constraint.objects.get(company=team.company, status="active").pk == team.constraint.pk


def test_new_hypothesis_on_the_stage_makes_a_derived_metric(team, funnel, client_for):
    client = client_for(team.tracker)
    response = client.post(_url(team, "toolkit:leak_hypothesis"), {"stage": funnel[2].pk, "window": 4})
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert target.path == reverse("hypotheses:new", args=[team.company.pk])
    query = parse_qs(target.query)
    conversion = ConversionMetric.objects.get(lower=funnel[2])
    assert query == {"metric": [str(conversion.metric_id)], "baseline": ["20.00"]}
    series = dict(MetricValue.objects.filter(metric=conversion.metric).values_list("week_start", "value"))
    assert len(series) == 12 and series[last_monday()] == Decimal(20)
    # Its weekly series follows the stage counts.
    value_record(metric=funnel[2], by=team.tracker, value=Decimal(10), week=last_monday())
    assert MetricValue.objects.get(metric=conversion.metric, week_start=last_monday()).value == 50
    # The same stage again reuses the metric.
    client.post(_url(team, "toolkit:leak_hypothesis"), {"stage": funnel[2].pk})
    assert ConversionMetric.objects.filter(company=team.company).count() == 1


def test_the_first_stage_has_no_conversion(team, funnel, client_for):
    response = client_for(team.tracker).post(_url(team, "toolkit:leak_hypothesis"), {"stage": funnel[0].pk})
    assert response.status_code == 302 and response["Location"].startswith(_url(team))
    assert not ConversionMetric.objects.exists()


def test_a_conversion_target_is_the_reference(team, funnel, client_for):
    client = client_for(team.tracker)
    client.post(_url(team, "toolkit:leak_hypothesis"), {"stage": funnel[1].pk})
    conversion = ConversionMetric.objects.get(lower=funnel[1])
    conversion.metric.target = Decimal(100)  # leads → measurements should be 100 %: 40 extra
    conversion.metric.save()
    page = client.get(_url(team)).content.decode()
    assert "The funnel leaks at “measurements”" in page


@pytest.mark.parametrize(("stages", "weeks"), [(2, 3), (10, 3), (2, 156), (10, 156)])
def test_fixed_queries(team, client_for, django_assert_num_queries, stages, weeks):
    metrics = build_funnel(team.company, {f"stage {i}": [100 - i] * weeks for i in range(stages)})
    client = client_for(team.tracker)
    for metric in metrics[1:]:
        client.post(_url(team, "toolkit:leak_hypothesis"), {"stage": metric.pk})
    assert ConversionMetric.objects.count() == stages - 1
    # session, user, membership, stages, their values, their conversion metrics, the active
    # constraint (not its why-steps), the messages' session write… the same 7 for 2 or 10
    # stages, 3 or 156 weeks.
    with django_assert_num_queries(7):
        assert client.get(_url(team)).status_code == 200


def test_a_hand_typed_metric_of_the_same_name_is_left_alone(team, funnel, client_for):
    typed = Metric.objects.create(company=team.company, name="Conversion measurements → contracts", unit="%")
    MetricValue.objects.create(metric=typed, week_start=last_monday(), value=Decimal(99))
    client_for(team.tracker).post(_url(team, "toolkit:leak_hypothesis"), {"stage": funnel[2].pk})
    conversion = ConversionMetric.objects.get(lower=funnel[2])
    assert conversion.metric.name == "Conversion measurements → contracts (funnel)"
    assert typed.values.get().value == 99


def test_a_stage_count_whose_conversion_is_beyond_a_metric_value_is_recorded(team, client_for):
    """Recording a tiny upper stage (0.0001) under a huge lower one (10¹³) makes a conversion of
    10¹⁹ %, beyond what a metric value holds: the count is still recorded (no 500) and that week's
    derived conversion is left empty, as for any undefined week."""
    upper, lower = build_funnel(team.company, {"leads": [10] * 4, "paid": [5] * 4})
    client = client_for(team.tracker)
    client.post(_url(team, "toolkit:leak_hypothesis"), {"stage": lower.pk})
    conversion = ConversionMetric.objects.get(company=team.company).metric
    week = last_monday().isoformat()

    for metric, value in ((upper, "0.0001"), (lower, "9999999999999")):
        url = reverse("tracking:metric_value_record", args=[team.company.pk, metric.pk])
        response = client.post(url, {"value": value, "week": week})
        assert response.status_code in {200, 302}, response.status_code

    assert MetricValue.objects.get(metric=lower, week_start=last_monday()).value == Decimal("9999999999999")
    assert not MetricValue.objects.filter(metric=conversion, week_start=last_monday()).exists()
    assert MetricValue.objects.filter(metric=conversion).count() == 3  # the other weeks: 50 %


def test_the_stage_is_locked_before_its_conversion_metric_is_looked_up(team, funnel):
    """Two "New hypothesis on this stage" at the same moment: the second must wait for the
    first's conversion metric and reuse it (without the lock both missed it and the second
    insert hit the pair's unique index, a 500). The lock comes before the lookup."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracking.toolkit.services import conversion_metric_ensure

    with CaptureQueriesContext(connection) as captured:
        metric = conversion_metric_ensure(by=team.tracker, lower_id=funnel[2].pk)
    sql = [q["sql"] for q in captured.captured_queries]
    lock = next(i for i, q in enumerate(sql) if "FOR UPDATE" in q and f'"id" = {funnel[1].pk}' in q)
    lookup = next(i for i, q in enumerate(sql) if "toolkit_conversionmetric" in q)
    assert lock < lookup
    assert conversion_metric_ensure(by=team.tracker, lower_id=funnel[2].pk) == metric
    assert ConversionMetric.objects.count() == 1
