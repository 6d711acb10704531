"""`manage.py seed_demo`: the demo businesses with their planning data, hypotheses and
weekly sprints, safe to run again."""

import io
import itertools
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command

from hypotheses import selectors as hypothesis_selectors
from hypotheses import services as hypothesis_services
from hypotheses.models import Hypothesis, HypothesisEvent, Kind, Status, Verdict
from sprints import services as sprint_services
from sprints.capacity import sprint_capacity
from sprints.models import Action, ActionStatus, Review, SessionStep, Sprint, SprintStatus
from tests import clock
from tests.support.delivery import deliveries
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
MODELS = (
    User,
    Company,
    Membership,
    Constraint,
    WhyStep,
    ConstraintEvent,
    Metric,
    MetricValue,
    Goal,
    Hypothesis,
    HypothesisEvent,
    Sprint,
    Action,
    Review,
)
MONEY_BACK = "Гарантия возврата денег"
INTERVIEWS = "Интервью с 10 последними клиентами о критериях выбора"
PDF_OFFER = "Сверстать PDF-оффер с гарантией возврата денег"
SEND_OFFER = "Разослать оффер в мессенджере всем, кто не сделал заказ"
INTERVIEW_QUESTIONS = "Подготовить вопросы для интервью с клиентами"
CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


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
        list(
            Hypothesis.objects.order_by("pk").values_list(
                "pk", "status", "version", "created_at", "testing_started_at", "decided_at", "expected_value"
            )
        ),
        list(HypothesisEvent.objects.order_by("pk").values_list("pk", "hypothesis_id", "kind", "to_status", "at")),
        list(
            Sprint.objects.order_by("pk").values_list(
                "pk", "company_id", "number", "starts_on", "ends_on", "status", "started_at", "closed_at", "version"
            )
        ),
        list(
            Action.objects.order_by("pk").values_list(
                "pk", "sprint_id", "owner_id", "estimate_hours", "status", "carried_over_from_id", "version"
            )
        ),
        list(Review.objects.order_by("pk").values_list("pk", "sprint_id", "held_at", "what_worked", "updated_at")),
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
    assert counts["Hypothesis"] >= 14 and counts["HypothesisEvent"] > counts["Hypothesis"]
    assert counts["Sprint"] >= 3 * 5 and counts["Action"] > 3 * counts["Sprint"] and counts["Review"] >= 14


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
    assert set(metrics) == {
        "Входящие лиды в неделю",
        "Конверсия в продажу",
        "Средний чек",
        "Стоимость лида",
        "Замеры",
        "Договоры",
    }
    # The sales funnel is counts: leads → замер → договор (tests/toolkit/test_demo.py reads it).
    funnel = [m.name for m in sorted(metrics.values(), key=lambda m: m.funnel_stage or 99) if m.funnel_stage]
    assert funnel == ["Входящие лиды в неделю", "Замеры", "Договоры"]
    assert metrics["Конверсия в продажу"].unit == "%"
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
    assert 2 <= len(metrics) <= 6 and sum(m.is_key for m in metrics) == 1
    assert sum(m.funnel_stage is not None for m in metrics) == 3  # a funnel for the toolkit
    assert all(m.values.count() == 12 for m in metrics)
    _assert_goal_chain(company, [Horizon.YEAR, Horizon.QUARTER])


def _assert_history_is_real(company: Company) -> list[Hypothesis]:
    """Every hypothesis has its history, in order and in the past, and the dates on the
    hypothesis agree with its events."""
    hypotheses = list(Hypothesis.objects.filter(company=company).order_by("pk"))
    now = clock.now()
    for h in hypotheses:
        events = list(h.events.order_by("pk"))
        assert events, f"{h.title}: no history"
        assert events[0].kind == HypothesisEvent.Kind.CREATED and events[0].at == h.created_at
        assert all(a.at < b.at for a, b in itertools.pairwise(events)), h.title
        assert events[-1].at < now and events[-1].to_status == h.status
        assert all(e.actor_id == h.author_id for e in events)
        if h.testing_started_at:
            assert h.created_at < h.testing_started_at
            assert h.testing_started_at in [e.at for e in events if e.to_status == Status.TESTING]
        if h.verdict:
            assert h.learning.strip() and h.measured_value is not None
            assert h.testing_started_at < h.decided_at < now
            verdict_event = h.events.get(kind=HypothesisEvent.Kind.VERDICT)
            assert (verdict_event.to_status, verdict_event.at) == (h.verdict, h.decided_at)
        else:
            assert h.decided_at is None and h.measured_value is None
    return hypotheses


def test_russian_business_has_the_hypotheses_of_the_method():
    _seed()
    _seed()
    company = Company.objects.get(name=RU_COMPANY)
    hypotheses = _assert_history_is_real(company)
    by_title = {h.title: h for h in hypotheses}
    active = Constraint.objects.get(company=company, status=ConstraintStatus.ACTIVE)
    resolved = Constraint.objects.get(company=company, status=ConstraintStatus.RESOLVED)

    # The text's example: a money-back guarantee, conversion ×1.5 from 2 %, tested by a PDF offer.
    money_back = by_title[MONEY_BACK]
    assert money_back.status == Status.TESTING and money_back.kind == Kind.INNOVATION
    assert money_back.metric.name == "Конверсия в продажу"
    assert money_back.baseline == 2 and money_back.expected_multiplier == Decimal("1.5")
    assert money_back.expected_value == 3
    assert "PDF" in money_back.cheapest_test and "1 час дизайнера" in money_back.cheapest_test
    assert money_back.success_criteria and money_back.expected_return > 0
    assert money_back.testing_started_at is not None and not money_back.verdict
    assert money_back.constraint in (active, resolved)
    assert [e.to_status for e in money_back.events.order_by("pk")] == [Status.IDEA, Status.READY, Status.TESTING]

    # Decided ones: a confirmed one (measured beyond the expected value) and a refuted one, with learnings.
    confirmed = [h for h in hypotheses if h.verdict == Verdict.CONFIRMED]
    refuted = [h for h in hypotheses if h.verdict == Verdict.REFUTED]
    assert confirmed and refuted
    assert all(h.learning.strip() for h in confirmed + refuted)
    marking = next(h for h in confirmed if h.title.startswith("Маркировать лиды по источнику трафика"))
    assert marking.status == Status.ADOPTED and marking.constraint == resolved
    assert marking.measured_value > marking.expected_value > marking.baseline
    assert any(h.measured_value <= h.baseline for h in refuted)

    # The active constraint has hypotheses of its own, among them the customer interviews.
    on_active = [h for h in hypotheses if h.constraint == active]
    assert len(on_active) >= 2
    assert any("Интервью" in h.title and h.metric and h.metric.is_key for h in on_active)

    statuses = {h.status for h in hypotheses}
    assert {Status.IDEA, Status.READY, Status.TESTING, Status.REFUTED, Status.ADOPTED, Status.DROPPED} <= statuses
    idea = next(h for h in hypotheses if h.status == Status.IDEA)
    assert idea.statement and idea.metric is None and idea.baseline is None and idea.expected_value is None
    dropped = next(h for h in hypotheses if h.status == Status.DROPPED)
    assert dropped.drop_reason and dropped.events.order_by("pk").last().note == dropped.drop_reason

    breakthrough = next(h for h in hypotheses if h.kind == Kind.BREAKTHROUGH)
    assert breakthrough.budget_cap > breakthrough.spent > 0
    assert breakthrough.kill_date > local_today(company)
    assert hypothesis_selectors.test_warning(breakthrough) is None

    for h in hypotheses:
        assert h.archived_at is None
        if h.status != Status.IDEA and h.status != Status.DROPPED:
            assert not hypothesis_services.missing_for_testing(h), h.title
    # The board ranks them: no two share an ICE score.
    assert len({h.ice for h in hypotheses}) == len(hypotheses)
    stats = hypothesis_selectors.history_stats(Hypothesis.objects.filter(company=company))
    assert stats.median_days_to_verdict is not None and stats.median_days_to_verdict >= 7
    assert stats.win_rate is not None and 0 < stats.win_rate < 100


@pytest.mark.parametrize("name", EN_COMPANIES)
def test_english_businesses_have_hypotheses_across_the_lifecycle(name):
    _seed()
    company = Company.objects.get(name=name)
    hypotheses = _assert_history_is_real(company)
    assert 3 <= len(hypotheses) <= 4
    statuses = {h.status for h in hypotheses}
    assert {Status.CONFIRMED, Status.REFUTED, Status.TESTING, Status.IDEA} <= statuses
    active = Constraint.objects.get(company=company, status=ConstraintStatus.ACTIVE)
    assert all(h.constraint == active for h in hypotheses)
    assert all(h.created_at.date() >= active.started_on for h in hypotheses)
    for h in hypotheses:
        text = " ".join([h.title, h.statement, h.success_criteria, h.cheapest_test, h.learning])
        assert not CYRILLIC.search(text), f"{h.title}: not in English"
    assert len({h.ice for h in hypotheses}) == len(hypotheses)


def test_a_second_run_keeps_what_people_changed():
    _seed()
    company = Company.objects.get(name=RU_COMPANY)
    tracker = Membership.objects.get(company=company, role=Role.TRACKER)
    active = Constraint.objects.get(company=company, status=ConstraintStatus.ACTIVE)
    services.why_step_add(constraint=active, by=tracker, answer="Нет времени на касдев")
    key = Metric.objects.get(company=company, is_key=True)
    services.metric_value_record(metric=key, by=tracker, value=key.values.last().value + 5)
    money_back = Hypothesis.objects.get(company=company, title=MONEY_BACK)
    hypothesis_services.hypothesis_update(
        hypothesis=money_back, by=tracker, expected_version=money_back.version, ease=10
    )
    hypothesis_services.hypothesis_create(by=tracker, title="Отзывы клиентов на сайте", statement="Если …")
    pdf_offer = Action.objects.get(sprint__company=company, title=PDF_OFFER)
    sprint_services.action_log(action=pdf_offer, by=tracker, status=ActionStatus.DONE, result_note="Готово")
    counts = _counts()

    _seed()

    assert _counts() == counts
    assert list(active.why_steps.values_list("answer", flat=True))[-1] == "Нет времени на касдев"
    assert not active.why_steps.filter(is_root_cause=True).exists()
    assert key.values.count() == 13
    assert Hypothesis.objects.get(pk=money_back.pk).ease == 10
    assert Hypothesis.objects.filter(company=company, title="Отзывы клиентов на сайте").count() == 1
    assert Action.objects.get(pk=pdf_offer.pk).status == ActionStatus.DONE


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


# --- Sprints -------------------------------------------------------------------------------


def _sprints(company: Company) -> list[Sprint]:
    return list(Sprint.objects.filter(company=company).order_by("number"))


def _assert_weeks(company: Company) -> list[Sprint]:
    """Numbers 1..n, weekly periods ending on the review day, one after another, no two
    overlapping; closed ones first, then exactly one active sprint covering today, then at
    most one planned."""
    sprints = _sprints(company)
    assert [s.number for s in sprints] == list(range(1, len(sprints) + 1))
    for sprint in sprints:
        assert sprint.days == 7 and sprint.ends_on.weekday() == company.review_weekday, sprint
        assert sprint.archived_at is None
    for a, b in itertools.pairwise(sprints):
        assert b.starts_on == a.ends_on + timedelta(days=1)
    for a, b in itertools.combinations(sprints, 2):
        assert a.ends_on < b.starts_on or b.ends_on < a.starts_on, f"{a} overlaps {b}"
    statuses = "".join({"closed": "c", "active": "a", "planned": "p"}[s.status] for s in sprints)
    assert re.fullmatch("c{4,}ap?", statuses), statuses
    active = Sprint.objects.get(company=company, status=SprintStatus.ACTIVE)
    assert active.starts_on <= local_today(company) <= active.ends_on
    assert active.started_at is not None and active.started_at < clock.now() and active.closed_at is None
    return sprints


def _assert_closed_sprints(company: Company) -> list[Sprint]:
    closed = list(Sprint.objects.filter(company=company, status=SprintStatus.CLOSED).order_by("number"))
    for sprint in closed:
        review = Review.objects.get(sprint=sprint)
        assert review.what_worked.strip() and review.what_to_fix.strip(), sprint
        assert review.step == SessionStep.CLOSE
        local = review.held_at.astimezone(company.tzinfo)
        assert (local.date(), local.time()) == (sprint.ends_on, company.review_time)
        assert sprint.started_at < review.held_at < sprint.closed_at < clock.now()
        actions = list(sprint.actions.all())
        assert actions and all(a.is_resolved for a in actions), sprint
        assert all(a.why_not_note.strip() for a in actions if a.status == ActionStatus.NOT_DONE)
        assert all(a.result_note.strip() for a in actions if a.status == ActionStatus.DONE)
        # What was under test at the review and got no verdict there was kept in test on purpose.
        for h in review.kept_in_test.all():
            assert h.testing_started_at <= review.held_at and (h.decided_at is None or h.decided_at > review.held_at)
    return closed


def _assert_actions_fit(company: Company) -> None:
    """Owners are the business's members, each with no more hours in a sprint than they have."""
    for sprint in _sprints(company):
        report = sprint_capacity(sprint)
        assert report.fits, f"{sprint}: {[(o.name, o.load, o.available) for o in report.overbooked]}"
        assert not report.unassigned_hours
        for action in sprint.actions.select_related("owner", "hypothesis"):
            assert action.owner.company_id == company.pk and action.owner.role != Role.TRACKER
            assert action.hypothesis is None or action.hypothesis.company_id == company.pk


def _assert_carried_over(company: Company) -> None:
    """Unfinished actions went on into the next sprint, linked to where they came from."""
    copies = list(
        Action.objects.filter(sprint__company=company, carried_over_from__isnull=False).select_related(
            "sprint", "carried_over_from__sprint"
        )
    )
    assert copies, company
    for copy in copies:
        source = copy.carried_over_from
        assert source.status == ActionStatus.NOT_DONE and source.why_not_note.strip()
        assert source.sprint.status == SprintStatus.CLOSED and copy.sprint.number == source.sprint.number + 1
        assert (copy.title, copy.owner_id, copy.estimate_hours) == (
            source.title,
            source.owner_id,
            source.estimate_hours,
        )


@pytest.mark.parametrize("name", [RU_COMPANY, *EN_COMPANIES])
def test_each_business_has_reviewed_weeks_and_one_active_sprint(name):
    _seed()
    company = Company.objects.get(name=name)
    sprints = _assert_weeks(company)
    closed = _assert_closed_sprints(company)
    assert len(closed) == (6 if name == RU_COMPANY else 4)
    _assert_actions_fit(company)
    _assert_carried_over(company)
    done = Action.objects.filter(sprint__in=closed, status=ActionStatus.DONE).count()
    not_done = Action.objects.filter(sprint__in=closed, status=ActionStatus.NOT_DONE).count()
    assert done > 2 * not_done > 0  # mostly done
    # Each business in its own language.
    texts = [s.goal for s in sprints]
    texts += [a.title + a.result_note + a.why_not_note for a in Action.objects.filter(sprint__in=sprints)]
    texts += [r.what_worked + r.what_to_fix + r.notes for r in Review.objects.filter(sprint__in=sprints)]
    if name == RU_COMPANY:
        assert all(CYRILLIC.search(text) for text in texts if text)
    else:
        assert not any(CYRILLIC.search(text) for text in texts)


def test_the_active_sprint_of_dubrava_tests_the_money_back_guarantee():
    _seed()
    company = Company.objects.get(name=RU_COMPANY)
    active = Sprint.objects.get(company=company, status=SprintStatus.ACTIVE)
    assert active.number == 7
    assert not Sprint.objects.filter(company=company, status=SprintStatus.PLANNED).exists()  # the session plans it
    actions = {a.title: a for a in active.actions.select_related("owner__user", "hypothesis")}
    expected = {
        PDF_OFFER: ("design@dubrava.demo", "Светлана Орлова", Decimal(1), MONEY_BACK),
        SEND_OFFER: ("marketing@dubrava.demo", "Олег Смирнов", Decimal(1), MONEY_BACK),
        INTERVIEW_QUESTIONS: ("sales@dubrava.demo", "Мария Кузнецова", Decimal(2), INTERVIEWS),
    }
    for title, (email, full_name, hours, hypothesis) in expected.items():
        action = actions[title]
        assert (action.owner.user.email, action.owner.user.full_name) == (email, full_name)
        assert action.estimate_hours == hours and action.hypothesis.title == hypothesis
        assert action.hypothesis.status == Status.TESTING
        assert action.status == ActionStatus.TODO and not action.result_note
    assert actions[PDF_OFFER].owner.weekly_capacity_hours == 4
    assert actions[SEND_OFFER].owner.weekly_capacity_hours == 6
    # A team of part-timers next to their day jobs; the tracker's hours are the session.
    capacity = dict(Membership.objects.filter(company=company).values_list("user__email", "weekly_capacity_hours"))
    assert capacity["tracker@demo.example"] <= 2 and all(0 < hours <= 12 for hours in capacity.values())
    # The interview questions are the one action left unfinished for the session to carry over.
    unfinished = [a for a in actions.values() if a.status in (ActionStatus.TODO, ActionStatus.DOING)]
    assert {a.title for a in unfinished} == set(expected)
    assert all(a.status == ActionStatus.DONE for a in actions.values() if a.title not in expected)
    # The last closed week prepared the offer: the guarantee's terms and its text.
    previous = Sprint.objects.get(company=company, number=6)
    assert previous.actions.filter(hypothesis__title=MONEY_BACK, status=ActionStatus.DONE).count() == 2


def test_a_planned_next_sprint_in_one_english_business():
    _seed()
    planned = list(Sprint.objects.filter(status=SprintStatus.PLANNED).select_related("company"))
    assert [s.company.name for s in planned] == ["Bluebird Coffee Roasters"]
    sprint = planned[0]
    assert sprint.started_at is None and sprint.actions.count() >= 2
    assert all(a.status == ActionStatus.TODO for a in sprint.actions.all())
    assert sprint.starts_on > local_today(sprint.company)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 26, 6, 0, tzinfo=UTC),  # Thursday 09:00 in Moscow: Дубрава's review day
        datetime(2026, 11, 27, 4, 0, tzinfo=UTC),  # Friday in Moscow, still Thursday in New York
        datetime(2027, 3, 29, 0, 30, tzinfo=UTC),  # Monday in London, after Europe moved its clocks
    ],
)
def test_sprint_weeks_follow_each_business_calendar(moment):
    with time_machine.travel(moment, tick=False):
        _seed()
        for company in Company.objects.all():
            _assert_weeks(company)
            _assert_closed_sprints(company)


@pytest.mark.parametrize("days", range(7), ids=["+0d", "+1d", "+2d", "+3d", "+4d", "+5d", "+6d"])
def test_the_demo_has_the_same_shape_and_every_report_on_any_day_of_the_week(days):
    """Seeded on any day of the week: one active sprint per business ending on its review
    day, a computed report for every closed sprint, and nothing left for the worker to
    e-mail about weeks that closed before the demo existed."""
    from django.core import mail

    from sprints.rollups import pending_report_ids, reports_email

    with time_machine.travel(clock.now() + timedelta(days=days), tick=True):
        _seed()
        for company in Company.objects.all():
            active = Sprint.objects.get(company=company, status=SprintStatus.ACTIVE)
            assert active.ends_on.weekday() == company.review_weekday
            assert active.starts_on <= local_today(company) <= active.ends_on
        closed = Sprint.objects.filter(status=SprintStatus.CLOSED)
        assert closed.count() == 6 + 4 + 4
        reports = {s.pk: s.report for s in closed.select_related("report")}
        sent = deliveries(f"report:{r.pk}" for r in reports.values())
        assert all(
            r.computed_at is not None and sent[f"report:{r.pk}"].sent_at == s.closed_at
            for s in closed
            for r in [reports[s.pk]]
        )
        assert all(r.data.get("actions_planned") for r in reports.values())
        assert pending_report_ids() == []
        assert reports_email(list(reports)) == 0 and mail.outbox == []
