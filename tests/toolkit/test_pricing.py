"""A hypothesis on a metric mapped to a unit-economics input shows what it is worth."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import HypothesisFactory

pytestmark = pytest.mark.django_db


def test_detail_shows_the_money_and_a_suggested_impact(team, economics, client_for):
    # Baseline 2, expected 3 on the C1 metric: C1 5 % → 7.5 %; ARPU 135, CM 105 000: +45 000,
    # 75 % of CM → impact 10.
    h = team.hypothesis
    h.baseline, h.expected_value, h.expected_multiplier, h.impact = Decimal(2), Decimal(3), None, 4
    h.save()
    page = client_for(team.member).get(reverse("hypotheses:detail", args=[team.company.pk, h.pk])).content.decode()
    assert "$45,000 of contribution margin a period" in page
    assert "suggested impact 10" in page and "now 4" in page


def test_a_multiplier_and_the_board(team, economics, client_for):
    # ×1.1 on C1: +10 % of C1 = 0.1·B·ARPPU = 0.1·50·1800 = 9 000, 15 % of CM → impact 4.
    h = team.hypothesis
    h.expected_multiplier, h.expected_value = Decimal("1.1"), Decimal("2.2")
    h.save()
    for i in range(5):
        HypothesisFactory(company=team.company, metric=team.metric, title=f"More {i}", expected_multiplier=2)
    client = client_for(team.tracker)
    page = client.get(reverse("hypotheses:board", args=[team.company.pk])).content.decode()
    assert "$9,000 · impact 4" in page


def test_no_mapping_no_price(team, client_for):
    page = client_for(team.tracker).get(reverse("hypotheses:detail", args=[team.company.pk, team.hypothesis.pk]))
    assert "Worth, if it comes true" not in page.content.decode()


def test_the_board_costs_the_same_with_prices(team, economics, client_for, django_assert_num_queries):
    client = client_for(team.tracker)
    url = reverse("hypotheses:board", args=[team.company.pk])
    with CaptureQueriesContext(connection) as few:  # rendered: nothing kept yet
        client.get(url)
    for i in range(20):  # a new version of the business's data: rendered again
        HypothesisFactory(company=team.company, metric=team.metric, title=f"More {i}", expected_multiplier=2)
    with django_assert_num_queries(len(few.captured_queries)):
        assert "· impact" in client.get(url).content.decode()


def test_the_form_is_prefilled_from_the_query(team, client_for):
    url = reverse("hypotheses:new", args=[team.company.pk])
    page = client_for(team.tracker).get(f"{url}?metric={team.metric.pk}&baseline=20.00").content.decode()
    assert f'<option value="{team.metric.pk}" selected>' in page
    assert 'value="20.00"' in page or 'value="20"' in page
    assert client_for(team.tracker).get(f"{url}?metric=x&baseline=NaN%00").status_code == 200
