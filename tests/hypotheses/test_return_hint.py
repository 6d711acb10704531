"""Once unit economics exists, the hypothesis form suggests the
expected return per month in money, and "Use this figure" puts it in the field."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hypotheses.models import Hypothesis
from hypotheses.return_hint import State, per_month, return_hint
from tests.factories import HypothesisFactory, MetricFactory
from tracking.toolkit.models import Snapshot

pytestmark = pytest.mark.django_db


def _hint_url(team, **query):
    url = reverse("hypotheses:return_hint", args=[team.company.pk])
    return url + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_the_figure_from_a_hand_computed_case(team, economics):
    # C1 metric from 2 to 3: C1 5 % → 7.5 %, ARPU 0.075·1800 = 135, CM 1000·(135−30) = 105 000:
    # +45 000 a month.
    hint = return_hint(
        team.company, metric_id=team.metric.pk, baseline=Decimal(2), expected_value=Decimal(3), expected_multiplier=None
    )
    assert hint.state == State.PRICED
    assert hint.per_month == Decimal("45000.00") and hint.period == "month"
    # The same as a multiplier ×1.5 with no baseline.
    by_multiplier = return_hint(
        team.company, metric_id=team.metric.pk, baseline=None, expected_value=None, expected_multiplier=Decimal("1.5")
    )
    assert by_multiplier.per_month == Decimal("45000.00")


def test_a_week_of_unit_economics_becomes_a_month_and_says_so(team, economics, client_for):
    economics.period = "week"
    economics.save()
    assert per_month(Decimal(45000), "week") == Decimal("195000.00")  # 45 000 · 52 / 12
    assert per_month(Decimal(45000), "quarter") == Decimal("15000.00")
    page = client_for(team.tracker).get(_hint_url(team, metric=team.metric.pk, baseline=2, expected=3))
    text = page.content.decode()
    assert "<strong>$195,000</strong> a month" in text
    assert "$45,000 a week, the period of the unit economics" in text
    assert 'value="195000.00"' in text and "Use this figure" in text


def test_the_form_shows_the_suggestion_beside_the_return_field(team, economics, client_for):
    h = team.hypothesis
    h.metric, h.baseline, h.expected_value, h.expected_multiplier = team.metric, Decimal(2), Decimal(3), None
    h.save()
    client = client_for(team.tracker)
    edit = client.get(reverse("hypotheses:edit", args=[team.company.pk, h.pk])).content.decode()
    field_at = edit.index('name="expected_return"')
    hint_at = edit.index('id="return-hint"')
    assert field_at < hint_at < edit.index('name="budget_cap"')
    assert "<strong>$45,000</strong> a month" in edit
    new = client.get(reverse("hypotheses:new", args=[team.company.pk]) + f"?metric={team.metric.pk}&baseline=2")
    assert "Give the expected value" in new.content.decode()


def test_as_the_fields_change_the_hint_follows(team, economics, client_for):
    client = client_for(team.tracker)
    assert "$45,000" in client.get(_hint_url(team, metric=team.metric.pk, baseline=2, expected=3)).content.decode()
    # ×1.1: +10 % of C1 = 0.1·B·ARPPU = 0.1·50·1800 = 9 000.
    text = client.get(_hint_url(team, metric=team.metric.pk, baseline=2, expected="%C3%971.1")).content.decode()
    assert "$9,000" in text
    # Worse than the baseline: nothing to use.
    text = client.get(_hint_url(team, metric=team.metric.pk, baseline=3, expected=2)).content.decode()
    assert "Use this figure" not in text and "earns no money" in text
    # Not a number yet: no figure, no error.
    response = client.get(_hint_url(team, metric=team.metric.pk, baseline="abc", expected="x"))
    assert response.status_code == 200 and "Give the expected value" in response.content.decode()


def test_no_suggestion_for_a_breakthrough(team, economics, client_for):
    url = _hint_url(team, kind="breakthrough", metric=team.metric.pk, baseline=2, expected=3)
    text = client_for(team.tracker).get(url).content.decode()
    assert "Use this figure" not in text and "budget cap and a kill date instead of a return" in text
    assert "$45,000" in client_for(team.tracker).get(url.replace("breakthrough", "innovation")).content.decode()


def test_no_suggestion_when_the_metric_feeds_no_input(team, economics, client_for):
    other = MetricFactory(company=team.company, name="Calls")
    text = client_for(team.tracker).get(_hint_url(team, metric=other.pk, baseline=2, expected=3)).content.decode()
    assert "Use this figure" not in text
    assert "Map this metric to a unit-economics input to get a money suggestion." in text
    assert reverse("toolkit:unit_economics", args=[team.company.pk]) in text


def test_no_suggestion_without_unit_economics(team, client_for):
    Snapshot.objects.filter(company=team.company).delete()
    text = client_for(team.tracker).get(_hint_url(team, metric=team.metric.pk, baseline=2, expected=3)).content.decode()
    assert "Use this figure" not in text and "Enter the unit economics to get a money suggestion." in text
    assert reverse("toolkit:unit_economics", args=[team.company.pk]) in text
    assert "Choose the metric" in client_for(team.tracker).get(_hint_url(team, metric="")).content.decode()


def test_use_this_figure_with_htmx_fills_the_field(team, economics, client_for):
    response = client_for(team.tracker).get(_hint_url(team, use_return="45000.00"), headers={"HX-Request": "true"})
    text = response.content.decode()
    assert 'name="expected_return"' in text and 'id="id_expected_return"' in text and 'value="45000"' in text
    assert "return-hint" not in text


def test_use_this_figure_without_javascript_keeps_what_was_typed_and_saves_nothing(team, economics, client_for):
    client = client_for(team.tracker)
    data = {
        "title": "Call back within the hour",
        "statement": "If we call back within the hour, more leads buy",
        "kind": "innovation",
        "metric": team.metric.pk,
        "baseline": "2",
        "expected": "3",
        "impact": 7,
        "confidence": 6,
        "ease": 8,
        "expected_return": "",
        "use_return": "45000.00",
    }
    before = Hypothesis.objects.count()
    page = client.post(reverse("hypotheses:new", args=[team.company.pk]), data)
    assert page.status_code == 200 and Hypothesis.objects.count() == before
    text = page.content.decode()
    assert 'name="expected_return" value="45000"' in text and 'value="Call back within the hour"' in text
    assert 'class="error"' not in text
    # The tracker may still type their own figure: the save takes what is in the field.
    data.pop("use_return")
    data["expected_return"] = "30000"
    client.post(reverse("hypotheses:new", args=[team.company.pk]), data)
    assert Hypothesis.objects.get(title="Call back within the hour").expected_return == Decimal(30000)


def test_use_this_figure_on_the_edit_form_saves_nothing(team, economics, client_for):
    h = team.hypothesis
    data = {
        "title": "Renamed but not saved",
        "statement": h.statement,
        "kind": "innovation",
        "metric": team.metric.pk,
        "baseline": "2",
        "expected": "3",
        "impact": 5,
        "confidence": 5,
        "ease": 5,
        "version": h.version,
        "use_return": "45000.00",
    }
    page = client_for(team.tracker).post(reverse("hypotheses:edit", args=[team.company.pk, h.pk]), data)
    assert page.status_code == 200 and 'name="expected_return" value="45000"' in page.content.decode()
    assert Hypothesis.objects.get(pk=h.pk).title == h.title


def test_another_business_gets_404_and_never_its_figures(team, foreign_team, economics, client_for):
    outsider = client_for(foreign_team.tracker)
    assert outsider.get(_hint_url(team, metric=team.metric.pk, baseline=2, expected=3)).status_code == 404
    # Their own endpoint with our metric: our unit economics is not theirs.
    url = reverse("hypotheses:return_hint", args=[foreign_team.company.pk]) + f"?metric={team.metric.pk}&expected=3"
    text = outsider.get(url).content.decode()
    assert "$" not in text and "Use this figure" not in text


def test_the_hint_costs_the_same_whatever_the_data(team, economics, client_for, django_assert_num_queries):
    client = client_for(team.tracker)
    url = _hint_url(team, metric=team.metric.pk, baseline=2, expected=3)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(30):
        metric = MetricFactory(company=team.company, name=f"Metric {i}")
        HypothesisFactory(company=team.company, metric=metric, title=f"More {i}")
        Snapshot.objects.create(
            company=team.company, taken_on=team.company.created_at.date(), **economics.input_values()
        )
    with django_assert_num_queries(len(few.captured_queries)):
        assert "$45,000" in client.get(url).content.decode()
    assert len(few.captured_queries) <= 4
