"""Outcomes' sprint window (sprints/outcomes.py `_sprints`): the last N closed sprints of each
business and the key metric before and at the end of each, checked against a plain Python
computation over several businesses with more than 12 closed sprints each."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest

from sprints.models import Action, Sprint
from sprints.outcomes import BUSY_SPRINTS, SPRINTS, outcomes_many
from tests import clock
from tests.factories import ActionFactory, CompanyFactory, MetricFactory, SprintFactory
from tracking.models import Metric, MetricValue

pytestmark = pytest.mark.django_db

WEEKS = 40


def _business(rng: random.Random, name: str, *, weekday: int, key: bool, closed: int) -> int:
    """A business with `closed` live closed sprints (some two weeks long, some without actions),
    an archived closed one among the newest, a planned one; weekly values of a key metric with gaps (or none: no key
    metric) and of another metric every week."""
    company = CompanyFactory(name=name)
    monday = clock.today() - timedelta(days=clock.today().weekday())
    start = monday - timedelta(weeks=WEEKS) + timedelta(days=weekday)
    for number in range(1, closed + 2):
        length = 14 if number % 5 == 0 else 7
        sprint = SprintFactory(
            company=company,
            number=number,
            status="closed",
            starts_on=start,
            ends_on=start + timedelta(days=length - 1),
            # One closed sprint, among the newest, is archived: never in the window.
            archived_at=clock.now() if number == closed - 1 else None,
        )
        start += timedelta(days=length)
        for a in range(rng.choice([0, 2, 3, 5])):
            ActionFactory(
                sprint=sprint,
                title=f"{name} {number}.{a}",
                estimate_hours=Decimal(rng.choice([1, 2, 3])),
                status=rng.choice(["done", "done", "not_done", "todo"]),
            )
    SprintFactory(company=company, number=closed + 2, status="planned", starts_on=start, ends_on=start + timedelta(6))
    other = MetricFactory(company=company, name=f"{name} calls")
    metric = MetricFactory(company=company, name=f"{name} leads", is_key=True) if key else None
    values = []
    for week in range(WEEKS + 2):
        week_start = monday - timedelta(weeks=WEEKS + 1 - week)
        values.append(MetricValue(metric=other, week_start=week_start, value=Decimal(rng.randint(100, 200))))
        # The key metric: nothing in its first 3 weeks, then a value in about 2 weeks of 3.
        if metric is not None and week >= 3 and rng.random() < 0.65:
            values.append(MetricValue(metric=metric, week_start=week_start, value=Decimal(rng.randint(0, 20))))
    MetricValue.objects.bulk_create(values)
    return company.pk


def _expected(company_id: int, limit: int) -> list[tuple]:
    """The same outcomes, computed the plain way."""
    sprints = sorted(
        (s for s in Sprint.objects.filter(company_id=company_id) if s.status == "closed" and s.archived_at is None),
        key=lambda s: (s.starts_on, s.pk),
        reverse=True,
    )[:limit]
    key = Metric.objects.filter(company_id=company_id, is_key=True).first()
    values = sorted(MetricValue.objects.filter(metric=key), key=lambda v: v.week_start) if key else []
    rows = []
    for sprint in sprints:
        before = [v.value for v in values if v.week_start < sprint.starts_on]
        through = [v.value for v in values if v.week_start <= sprint.ends_on]
        actions = list(Action.objects.filter(sprint=sprint))
        done = [a for a in actions if a.status == "done"]
        rows.append(
            (
                sprint.pk,
                len(done),
                len(actions),
                sum((a.estimate_hours or Decimal(0) for a in done), Decimal(0)),
                before[-1] if before else None,
                through[-1] if through else None,
            )
        )
    return rows


def _actual(outcome) -> list[tuple]:
    return [(s.sprint.pk, s.done, s.total, s.hours_done, s.metric_start, s.metric_end) for s in outcome.sprints]


def test_the_window_matches_a_plain_computation(django_assert_num_queries):
    rng = random.Random(14)
    companies = [
        _business(rng, "Monday starts", weekday=0, key=True, closed=16),
        _business(rng, "Wednesday starts", weekday=2, key=True, closed=14),
        _business(rng, "Sunday starts", weekday=6, key=True, closed=20),
        _business(rng, "No key metric", weekday=1, key=False, closed=15),
    ]
    outsider = _business(rng, "Not asked for", weekday=3, key=True, closed=13)
    for limit in (SPRINTS, BUSY_SPRINTS, 1):
        with django_assert_num_queries(3):  # the sprints with their counts and values, decided, key metrics
            result = outcomes_many(companies, limit=limit)
        assert set(result) == set(companies)
        for company_id in companies:
            expected = _expected(company_id, limit)
            assert len(expected) == limit
            assert _actual(result[company_id]) == expected, (company_id, limit)
    # The test data covers what it means to: gaps, a metric before the first value, none at all.
    twelve = outcomes_many(companies)
    keyed = [s for c in companies[:3] for s in twelve[c].sprints]
    assert all(s.metric_start is None and s.metric_end is None for s in twelve[companies[3]].sprints)
    assert twelve[companies[3]].key_metric is None and not twelve[companies[3]].busy_not_moving
    assert any(s.metric_start == s.metric_end for s in keyed) and any(s.change for s in keyed)
    assert outcomes_many([outsider], limit=SPRINTS)[outsider].sprints
    assert outcomes_many([]) == {}


def test_a_business_with_fewer_closed_sprints_than_the_window(django_assert_num_queries):
    rng = random.Random(2)
    few = _business(rng, "Young", weekday=4, key=True, closed=2)
    many = _business(rng, "Old", weekday=0, key=True, closed=13)
    result = outcomes_many([few, many])
    assert _actual(result[few]) == _expected(few, SPRINTS) and len(result[few].sprints) == 2
    assert _actual(result[many]) == _expected(many, SPRINTS) and len(result[many].sprints) == SPRINTS
