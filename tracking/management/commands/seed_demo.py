"""Demo data: a tracker with three businesses, their teams and their planning. Safe to run again.

One business is the example of the method's first text (seed 000), in Russian: an earlier
main constraint (weak conversion of hot leads, resolved) and the current one (no inbound
leads) with the why-chain of the text, its metrics for the last 12 weeks and a goal tree
(year → quarter → month). The two English businesses get a smaller version of the same.

Planning data goes through the services, acting as the business's tracker. A business that
already has constraints, metrics or goals keeps them: each part is added only once.
"""

import calendar
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from tracking import services
from tracking.models import (
    Company,
    Constraint,
    ConstraintEvent,
    ConstraintStatus,
    Horizon,
    Membership,
    MetricValue,
    Role,
    User,
    Weekday,
)
from tracking.weeks import current_week_start, local_today

DEMO_PASSWORD = "demo-sprints-2026"
TRACKER = ("tracker@demo.example", "Anna Sokolova", "en", Decimal(12))


@dataclass(frozen=True)
class DemoConstraint:
    title: str
    area: str
    why: tuple[str, ...]  # top to bottom; the last answer is the root cause
    since_days: int  # named this many days ago; a later constraint closes it on its own start
    closing_note: str = ""  # why it was resolved, when a later constraint replaces it


@dataclass(frozen=True)
class DemoMetric:
    name: str
    unit: str
    target: str
    values: tuple  # one per week, oldest first, ending last week
    is_key: bool = False
    higher_is_better: bool = True
    funnel_stage: int | None = None


@dataclass(frozen=True)
class DemoGoal:
    horizon: str  # the goals of a business form a chain: each is part of the one before
    title: str
    metric: str  # a DemoMetric's name
    target: str


@dataclass(frozen=True)
class DemoCompany:
    name: str
    timezone: str
    currency: str
    review_weekday: int
    review_time: time
    team: tuple  # (email, full name, language, role, weekly hours)
    constraints: tuple[DemoConstraint, ...] = ()  # oldest first; all but the last are resolved
    metrics: tuple[DemoMetric, ...] = ()
    goals: tuple[DemoGoal, ...] = ()


COMPANIES = (
    DemoCompany(
        name="Кухни на заказ «Дубрава»",
        timezone="Europe/Moscow",
        currency="RUB",
        review_weekday=Weekday.THURSDAY,
        review_time=time(10, 0),
        team=(
            ("owner@dubrava.demo", "Игорь Петров", "ru", Role.ENTREPRENEUR, Decimal(10)),
            ("sales@dubrava.demo", "Мария Кузнецова", "ru", Role.TEAM_LEAD, Decimal(8)),
            ("marketing@dubrava.demo", "Олег Смирнов", "ru", Role.MEMBER, Decimal(6)),
            ("design@dubrava.demo", "Светлана Орлова", "ru", Role.MEMBER, Decimal(4)),
        ),
        constraints=(
            DemoConstraint(
                title="Слабая конверсия горячих лидов в продажи",
                area="conversion",
                # Asked from the symptom down: hot clients leave because sales treat every
                # lead alike; the latter is what the team could act on.
                why=(
                    "Клиенты, у которых „горит“, уходят к конкурентам, которые реагируют быстрее",
                    "Продажники тратят на холодные лиды столько же времени, сколько на горячие",
                ),
                since_days=150,
                closing_note="Лиды маркируем по источнику трафика, горячие обрабатываются первыми.",
            ),
            DemoConstraint(
                title="Нет входящих лидов",
                area="leads",
                why=(
                    "Плохо настроена рекламная кампания",
                    "Маркетолог проводит много экспериментов с неудачными результатами",
                    "ТЗ маркетологу слишком размытое и не даёт точной информации",
                    "Мы сами не знаем, почему клиенты покупают именно у нас и какие у них критерии выбора",
                ),
                since_days=42,
            ),
        ),
        metrics=(
            DemoMetric(
                "Входящие лиды в неделю",
                "лидов",
                "40",
                (11, 13, 12, 14, 13, 15, 16, 15, 17, 18, 17, 19),
                is_key=True,
                funnel_stage=1,
            ),
            DemoMetric(
                "Конверсия в продажу",
                "%",
                "3",
                (1.6, 1.7, 1.5, 1.8, 1.9, 1.8, 2.1, 2.2, 2.0, 2.3, 2.1, 2.2),
                funnel_stage=2,
            ),
            DemoMetric(
                "Средний чек",
                "₽",
                "350000",
                (310000, 295000, 330000, 305000, 320000, 290000, 335000, 315000, 300000, 325000, 340000, 318000),
            ),
            DemoMetric(
                "Стоимость лида",
                "₽",
                "1500",
                (2600, 2750, 2900, 2500, 2700, 2450, 2550, 2350, 2400, 2250, 2300, 2150),
                higher_is_better=False,
            ),
        ),
        # 40 leads a week at 3 % conversion is about 60 kitchens a year.
        goals=(
            DemoGoal(Horizon.YEAR, "60 заказов кухонь за год", "Входящие лиды в неделю", "40"),
            DemoGoal(Horizon.QUARTER, "Поток лидов — 30 в неделю к концу квартала", "Входящие лиды в неделю", "30"),
            DemoGoal(
                Horizon.MONTH,
                "10 интервью с клиентами и новое ТЗ маркетологу: 22 лида в неделю",
                "Входящие лиды в неделю",
                "22",
            ),
        ),
    ),
    DemoCompany(
        name="Bluebird Coffee Roasters",
        timezone="Europe/London",
        currency="GBP",
        review_weekday=Weekday.MONDAY,
        review_time=time(9, 30),
        team=(
            ("owner@bluebird.demo", "Tom Fletcher", "en", Role.ENTREPRENEUR, Decimal(8)),
            ("ops@bluebird.demo", "Priya Shah", "en", Role.TEAM_LEAD, Decimal(6)),
            ("barista@bluebird.demo", "Lucas Moreau", "en", Role.MEMBER, Decimal(4)),
        ),
        constraints=(
            DemoConstraint(
                title="No repeat sales",
                area="repeat_sales",
                why=(
                    "Most customers buy one bag of beans and never come back",
                    "After the first order we never contact them again",
                    "We collect no e-mail addresses and offer no subscription at checkout",
                ),
                since_days=35,
            ),
        ),
        metrics=(
            DemoMetric(
                "Returning customers per week",
                "customers",
                "60",
                (31, 29, 33, 30, 32, 34, 31, 35, 33, 36, 35, 37),
                is_key=True,
            ),
            DemoMetric(
                "Repeat orders",
                "%",
                "35",
                (18, 17, 19, 18, 20, 19, 21, 20, 22, 21, 23, 22),
            ),
            DemoMetric(
                "Average order value",
                "£",
                "28",
                (21.5, 22.0, 21.8, 22.4, 23.1, 22.7, 23.0, 23.6, 23.2, 24.1, 23.8, 24.3),
            ),
        ),
        goals=(
            DemoGoal(Horizon.YEAR, "A third of the orders are repeat orders", "Repeat orders", "35"),
            DemoGoal(Horizon.QUARTER, "Bean subscription live: 28 % repeat orders", "Repeat orders", "28"),
        ),
    ),
    DemoCompany(
        name="Northwind Dental Studio",
        timezone="America/New_York",
        currency="USD",
        review_weekday=Weekday.WEDNESDAY,
        review_time=time(16, 0),
        team=(
            ("owner@northwind.demo", "Dr. Maya Collins", "en", Role.ENTREPRENEUR, Decimal(5)),
            ("frontdesk@northwind.demo", "Jordan Lee", "en", Role.MEMBER, Decimal(10)),
        ),
        constraints=(
            DemoConstraint(
                title="Owner drowning in routine",
                area="owner_routine",
                why=(
                    "Dr. Collins spends her lunch breaks and evenings on scheduling and insurance paperwork",
                    "The front desk passes every non-standard request to her",
                    "There are no written rules for reschedules, refunds and insurance claims",
                ),
                since_days=21,
            ),
        ),
        metrics=(
            DemoMetric(
                "Owner's admin hours per week",
                "h",
                "4",
                (14, 15, 13, 16, 14, 15, 13, 14, 12, 13, 12, 11),
                is_key=True,
                higher_is_better=False,
            ),
            DemoMetric("New patients per week", "patients", "12", (8, 7, 9, 8, 6, 9, 8, 10, 9, 8, 10, 9)),
            DemoMetric("Chair utilisation", "%", "85", (68, 71, 66, 70, 72, 69, 73, 70, 74, 72, 75, 73)),
        ),
        goals=(
            DemoGoal(Horizon.YEAR, "The owner treats patients, not paperwork", "Owner's admin hours per week", "4"),
            DemoGoal(
                Horizon.QUARTER,
                "Front-desk playbook in use: owner's admin under 8 h a week",
                "Owner's admin hours per week",
                "8",
            ),
        ),
    ),
)


def _demo_user(email: str, full_name: str, language: str, password_hash: Callable[[], str]) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name, "language": language})
    if created or not user.has_usable_password():
        user.password = password_hash()
        user.is_active = True
        user.save()
    return user


def _membership(user: User, company: Company, role: str, hours: Decimal) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, company=company, defaults={"role": role, "weekly_capacity_hours": hours}
    )
    membership.full_clean()
    return membership


# --- Planning: constraints, metrics, goals (through the services, as the tracker) ----------


def _seed_constraints(spec: DemoCompany, by: Membership) -> None:
    """Name each constraint in turn (the next one resolves the previous), ask its whys,
    mark the root cause; then move the dates back so the history reads like months of work."""
    company = by.company
    if not spec.constraints or company.constraints.exists():
        return
    made: list[Constraint] = []
    previous, previous_note = None, ""
    for item in spec.constraints:
        constraint = services.constraint_replace(
            by=by,
            title=item.title,
            area=item.area,
            previous_outcome=ConstraintStatus.RESOLVED,
            previous_note=previous_note,
            expected_previous_id=previous.pk if previous else None,
        )
        step = None
        for answer in item.why:
            step = services.why_step_add(constraint=constraint, by=by, answer=answer)
        if step is not None:
            services.why_step_mark_root_cause(step=step, by=by)
        made.append(constraint)
        previous, previous_note = constraint, item.closing_note

    today = local_today(company)
    starts = [today - timedelta(days=item.since_days) for item in spec.constraints]
    for index, constraint in enumerate(made):
        started_on = starts[index]
        closed_on = starts[index + 1] if index + 1 < len(made) else None
        _backdate(constraint, company, started_on, closed_on)


def _backdate(constraint: Constraint, company: Company, started_on: date, closed_on: date | None) -> None:
    Constraint.objects.filter(pk=constraint.pk).update(started_on=started_on, closed_on=closed_on)

    def at(day: date) -> datetime:
        return datetime.combine(day, company.review_time, tzinfo=company.tzinfo)

    closing = (ConstraintEvent.Kind.RESOLVED, ConstraintEvent.Kind.DROPPED)
    constraint.events.exclude(kind__in=closing).update(at=at(started_on))
    if closed_on is not None:
        constraint.events.filter(kind__in=closing).update(at=at(closed_on))


def _seed_metrics(spec: DemoCompany, by: Membership) -> None:
    """Each metric with one value a week for the weeks before the current one.

    The values are past Mondays by construction, so they go in with one insert per metric:
    metric_value_record would take ten queries for each of them."""
    if not spec.metrics or by.company.metrics.exists():
        return
    this_week = current_week_start(by.company)
    for item in spec.metrics:
        metric = services.metric_create(
            by=by,
            name=item.name,
            unit=item.unit,
            target=Decimal(item.target),
            higher_is_better=item.higher_is_better,
            funnel_stage=item.funnel_stage,
            is_key=item.is_key,
        )
        weeks = len(item.values)
        MetricValue.objects.bulk_create(
            MetricValue(
                metric=metric,
                week_start=this_week - timedelta(weeks=weeks - index),
                value=Decimal(str(value)),
                recorded_by=by.user,
            )
            for index, value in enumerate(item.values)
        )


def _period(horizon: str, today: date) -> tuple[date, date]:
    """The calendar year, quarter or month that contains `today`."""
    if horizon == Horizon.YEAR:
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if horizon == Horizon.QUARTER:
        first, last = 3 * ((today.month - 1) // 3) + 1, 3 * ((today.month - 1) // 3) + 3
    else:
        first = last = today.month
    return date(today.year, first, 1), date(today.year, last, calendar.monthrange(today.year, last)[1])


def _seed_goals(spec: DemoCompany, by: Membership) -> None:
    company = by.company
    if not spec.goals or company.goals.exists():
        return
    metrics = {metric.name: metric for metric in company.metrics.all()}
    today = local_today(company)
    parent = None
    for item in spec.goals:
        starts_on, due_on = _period(item.horizon, today)
        parent = services.goal_create(
            by=by,
            parent=parent,
            horizon=item.horizon,
            title=item.title,
            metric=metrics.get(item.metric),
            target=Decimal(item.target),
            starts_on=starts_on,
            due_on=due_on,
        )


class Command(BaseCommand):
    help = "Create (or refresh) the demo tracker, three businesses, their teams and planning data."

    @transaction.atomic
    def handle(self, *args, **options):
        # One hash for all the demo accounts (their password is printed below anyway):
        # hashing it for each of them would take most of the command's time.
        password_hash = functools.cache(lambda: make_password(DEMO_PASSWORD))
        tracker = _demo_user(*TRACKER[:3], password_hash)
        logins = [(tracker.email, "Tracker, all three businesses")]
        for spec in COMPANIES:
            company, _ = Company.objects.update_or_create(
                name=spec.name,
                defaults={
                    "timezone": spec.timezone,
                    "currency": spec.currency,
                    "review_weekday": spec.review_weekday,
                    "review_time": spec.review_time,
                },
            )
            company.full_clean()
            tracker_membership = _membership(tracker, company, Role.TRACKER, TRACKER[3])
            for email, full_name, language, role, hours in spec.team:
                _membership(_demo_user(email, full_name, language, password_hash), company, role, hours)
                logins.append((email, f"{Role(role).label} of {spec.name}"))
            _seed_constraints(spec, tracker_membership)
            _seed_metrics(spec, tracker_membership)
            _seed_goals(spec, tracker_membership)
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with any of:"))
        for email, what in logins:
            self.stdout.write(f"  {email:<28} {DEMO_PASSWORD}   ({what})")
