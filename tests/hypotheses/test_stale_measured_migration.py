"""Hypotheses under test that still carry an earlier test's measured value lose it (migration
hypotheses/0011); a value logged during this test, and a decided hypothesis's, stay."""

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from hypotheses import services
from hypotheses.models import Hypothesis, HypothesisEvent
from tests import clock
from tests.factories import HypothesisFactory

pytestmark = pytest.mark.django_db
CLEAR = importlib.import_module("hypotheses.migrations.0011_clear_an_earlier_tests_measured_value").CLEAR


def test_an_earlier_tests_value_is_cleared_and_this_tests_kept(team):
    earlier = services.hypothesis_transition(hypothesis=team.hypothesis, by=team.tracker, to="testing")
    # As a restart before restarts cleared it: the last test's number, no log since this test began.
    Hypothesis.objects.filter(pk=earlier.pk).update(measured_value=Decimal("2.4"))
    second = HypothesisFactory(company=team.company, constraint=team.constraint, metric=team.metric)
    logged = services.hypothesis_transition(hypothesis=second, by=team.tracker, to="testing")
    logged = services.hypothesis_measure(hypothesis=logged, by=team.tracker, measured=Decimal("3.1"))
    # A log from before this test started does not count as this test's.
    HypothesisEvent.objects.filter(hypothesis=earlier).update(at=clock.now() - timedelta(days=30))
    with connection.cursor() as cursor:
        cursor.execute(CLEAR)
    assert Hypothesis.objects.get(pk=earlier.pk).measured_value is None
    assert Hypothesis.objects.get(pk=logged.pk).measured_value == Decimal("3.1")
