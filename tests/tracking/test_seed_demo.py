"""`manage.py seed_demo`: the demo businesses with their planning data, safe to run again."""

import io
import itertools
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command

from tracking import services
from tracking.models import (
    Company,
    Constraint,
    ConstraintEvent,
    ConstraintStatus,
    Goal,
    Horizon,
    Membership,
    Metric,
    MetricValue,
    Role,
    User,
    WhyStep,
)
from tracking.weeks import current_week_start, local_today

pytestmark = pytest.mark.django_db

RU_COMPANY = "Кухни на заказ «Дубрава»"
EN_COMPANIES = ("Bluebird Coffee Roasters", "Northwind Dental Studio")
RU_WHY_CHAIN = [
    "Плохо настроена рекламная кампания",
    "Маркетолог проводит много экспериментов с неудачными результатами",
    "ТЗ маркетологу слишком размытое и не даёт точной информации",
    "Мы сами не знаем, почему клиенты покупают именно у нас и какие у них критерии выбора",
]
MODELS = (User, Company, Membership, Constraint, WhyStep, ConstraintEvent, Metric, MetricValue, Goal)


def _seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _snapshot() -> list:
    """What a second run could change by mistake: dates, statuses, order, values."""
    return [
        list(Constraint.objects.order_by("pk").values_list("pk", "title", "status", "started_on", "closed_on")),
        list(WhyStep.objects.order_by("pk").values_list("pk", "constraint_id", "position", "answer", "is_root_cause")),
        list(MetricValue.objects.order_by("pk").values_list("pk", "metric_id", "week_start", "value")),
        list(Goal.objects.order_by("pk").values_list("pk", "parent_id", "horizon", "starts_on", "due_on")),
    ]


def _assert_goal_chain(company: Company, horizons: list[str]) -> list[Goal]:
    """The goals form one chain (year → quarter → month) whose periods nest and hold today."""
    roots = list(Goal.objects.filter(company=company, parent=None))
    assert len(roots) == 1
    chain, node = [], roots[0]
    while node is not None:
        chain.append(node)
        children = list(node.children.all())
        assert len(children) <= 1
        node = children[0] if children else None
    assert [g.horizon for g in chain] == horizons
    today = local_today(company)
    for parent, child in itertools.pairwise(chain):
        assert parent.starts_on <= child.starts_on <= child.due_on <= parent.due_on
    for goal in chain:
        assert goal.starts_on <= today <= goal.due_on
        assert goal.metric is not None and goal.metric.company_id == company.pk and goal.target is not None
    return chain


def test_running_twice_changes_nothing():
    first_output = _seed()
    counts, snapshot = _counts(), _snapshot()
    second_output = _seed()
    assert _counts() == counts
    assert _snapshot() == snapshot
    assert first_output == second_output
    assert "tracker@demo.example" in second_output and "demo-sprints-2026" in second_output
    assert counts["Company"] == 3 and counts["Constraint"] == 4


def test_russian_business_has_the_method_example():
    _seed()
    _seed()
    company = Company.objects.get(name=RU_COMPANY)

    active = Constraint.objects.get(company=company, status=ConstraintStatus.ACTIVE)
    assert active.title == "Нет входящих лидов" and active.area == "leads"
    steps = list(active.why_steps.order_by("position"))
    assert [s.answer for s in steps] == RU_WHY_CHAIN
    assert [s.position for s in steps] == [1, 2, 3, 4]
    assert [s.is_root_cause for s in steps] == [False, False, False, True]

    resolved = Constraint.objects.get(company=company, status=ConstraintStatus.RESOLVED)
    assert resolved.area == "conversion" and "конверсия" in resolved.title.lower()
    assert "горячие обрабатываются первыми" in resolved.closing_note
    old_steps = list(resolved.why_steps.order_by("position"))
    assert len(old_steps) == 2 and old_steps[-1].is_root_cause and not old_steps[0].is_root_cause
    assert Constraint.objects.filter(company=company).count() == 2
    # A real-looking timeline: the old one ran for months and closed the day the new one started.
    today = local_today(company)
    assert resolved.started_on < resolved.closed_on == active.started_on < today - timedelta(weeks=4)
    assert resolved.started_on < today - timedelta(days=120)

    key = Metric.objects.get(company=company, is_key=True)
    assert key.name == "Входящие лиды в неделю" and key.target == 40
    weeks = list(key.values.order_by("week_start").values_list("week_start", flat=True))
    assert len(weeks) == 12
    assert all(b - a == timedelta(weeks=1) for a, b in itertools.pairwise(weeks))
    assert weeks[-1] < current_week_start(company)
    values = list(key.values.order_by("week_start").values_list("value", flat=True))
    assert values[-1] > values[0]  # the leads trend up slowly

    metrics = {m.name: m for m in Metric.objects.filter(company=company)}
    assert set(metrics) == {"Входящие лиды в неделю", "Конверсия в продажу", "Средний чек", "Стоимость лида"}
    assert metrics["Конверсия в продажу"].funnel_stage == 2 and metrics["Конверсия в продажу"].unit == "%"
    assert not metrics["Стоимость лида"].higher_is_better
    conversion = list(metrics["Конверсия в продажу"].values.values_list("value", flat=True))
    assert 1.5 <= sum(conversion) / len(conversion) <= 2.5
    assert all(m.values.count() == 12 for m in metrics.values())

    _assert_goal_chain(company, [Horizon.YEAR, Horizon.QUARTER, Horizon.MONTH])


@pytest.mark.parametrize("name", EN_COMPANIES)
def test_english_businesses_have_a_constraint_metrics_and_goals(name):
    _seed()
    company = Company.objects.get(name=name)
    active = Constraint.objects.get(company=company, status=ConstraintStatus.ACTIVE)
    steps = list(active.why_steps.order_by("position"))
    assert 2 <= len(steps) <= 3
    assert [s.is_root_cause for s in steps] == [False] * (len(steps) - 1) + [True]
    metrics = list(Metric.objects.filter(company=company))
    assert 2 <= len(metrics) <= 3 and sum(m.is_key for m in metrics) == 1
    assert all(m.values.count() == 12 for m in metrics)
    _assert_goal_chain(company, [Horizon.YEAR, Horizon.QUARTER])


def test_a_second_run_keeps_what_people_changed():
    _seed()
    company = Company.objects.get(name=RU_COMPANY)
    tracker = Membership.objects.get(company=company, role=Role.TRACKER)
    active = Constraint.objects.get(company=company, status=ConstraintStatus.ACTIVE)
    services.why_step_add(constraint=active, by=tracker, answer="Нет времени на касдев")
    key = Metric.objects.get(company=company, is_key=True)
    services.metric_value_record(metric=key, by=tracker, value=key.values.last().value + 5)
    counts = _counts()

    _seed()

    assert _counts() == counts
    assert list(active.why_steps.values_list("answer", flat=True))[-1] == "Нет времени на касдев"
    assert not active.why_steps.filter(is_root_cause=True).exists()
    assert key.values.count() == 13


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2027, 3, 31, 21, 30, tzinfo=UTC),  # already 1 April in Moscow: a new quarter and month
        datetime(2026, 12, 31, 23, 30, tzinfo=UTC),  # New Year in Moscow and London, not yet in New York
    ],
)
def test_goal_periods_follow_each_business_calendar(moment):
    with time_machine.travel(moment, tick=False):
        _seed()
        ru = _assert_goal_chain(Company.objects.get(name=RU_COMPANY), [Horizon.YEAR, Horizon.QUARTER, Horizon.MONTH])
        month_start = local_today(ru[0].company).replace(day=1)
        assert ru[2].starts_on == month_start
        for name in EN_COMPANIES:
            _assert_goal_chain(Company.objects.get(name=name), [Horizon.YEAR, Horizon.QUARTER])
