"""Seeding the demo: a tracker with three businesses, their teams and their planning. Safe to run again.

One business is the example of the method's first text (seed 000), in Russian: an earlier
main constraint (weak conversion of hot leads, resolved) and the current one (no inbound
leads) with the why-chain of the text, its metrics for the last 12 weeks and a goal tree
(year → quarter → month), and the hypotheses of both constraints: the money-back guarantee
of the text under test, the lead marking that resolved the old constraint confirmed and
adopted, a refuted discount, customer interviews for the new one. The two English businesses
get a smaller version of the same.

Each business also gets its weekly sprints: a few closed ones behind it, with their reviews,
actions mostly done, some not done with the reason, a couple carried over to the next week;
then the active sprint of the current week (for «Дубрава» the PDF offer of the money-back
guarantee, for the session to review); a planned one after it for one English business.

Planning data goes through the services, acting as the business's tracker; afterwards the
dates are moved back so the history reads like months of work. Past sprints cannot be planned
through the services (they refuse dates in the past), so their rows are written as the weeks
would have left them. A business that already has constraints, metrics, goals, hypotheses or
sprints keeps them: each part is added only once.

The businesses themselves are data, one JSON file each under sprints/demo/businesses/; this module
reads them into the typed descriptions below and seeds them.
"""

import calendar
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from hypotheses import services as hypothesis_services
from hypotheses.models import Hypothesis, HypothesisEvent, Kind, Status
from sprints import services as sprint_services
from sprints.demo.custdev import seed_custdev
from sprints.models import (
    RESOLVED_ACTION_STATUSES,
    Action,
    ActionStatus,
    Review,
    SessionStep,
    Sprint,
    SprintStatus,
)
from sprints.rollups import reports_as_sent, sprint_rollups
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
from tracking.toolkit import selectors as toolkit_selectors
from tracking.toolkit import services as toolkit_services
from tracking.weeks import current_week_start, local_today

DEMO_PASSWORD = "demo-sprints-2026"
# The tracker owns no actions: their hours in a business are the weekly session and its
# preparation, across three businesses.
TRACKER = ("tracker@demo.example", "Anna Sokolova", "en", Decimal(2))


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
class DemoHypothesis:
    """A hypothesis and the way it went: `steps` are (status reached, days ago), the first
    one ("idea") its creation; a decided status is the verdict, given with `measured`."""

    title: str
    statement: str
    steps: tuple[tuple[str, int], ...]
    constraint: str = ""  # a DemoConstraint's title
    metric: str = ""  # a DemoMetric's name
    kind: str = Kind.INNOVATION
    baseline: str | None = None
    expected: str | None = None  # a number, or a multiplier of the baseline: "×1.5"
    success_criteria: str = ""
    cheapest_test: str = ""
    ice: tuple[int, int, int] = (5, 5, 5)  # impact, confidence, ease
    expected_return: str | None = None
    budget_cap: str | None = None
    spent: str = "0"
    kill_in_days: int | None = None  # from today
    measured: str | None = None
    learning: str = ""
    drop_reason: str = ""


@dataclass(frozen=True)
class DemoAction:
    """A sprint action and what came of it. `note` is the result of a done action and the
    reason of one not done. `carry`: left unfinished and carried into the next sprint (the
    note says why); `carried`: the copy carried in from the previous sprint's action of the
    same title."""

    title: str
    owner: str  # a team member's e-mail, or "tracker"
    hours: str
    status: str = "done"
    note: str = ""
    hypothesis: str = ""  # a DemoHypothesis's title
    cost: str | None = None
    carry: bool = False
    carried: bool = False


@dataclass(frozen=True)
class DemoReview:
    what_worked: str
    what_to_fix: str
    notes: str = ""
    constraint_confirmed: bool | None = True  # False: the review named a new main constraint


@dataclass(frozen=True)
class DemoSprint:
    """One week. The closed ones come first (each with its review), then the active one
    covering the current week, then at most one planned for the week after."""

    status: str
    goal: str
    actions: tuple[DemoAction, ...]
    focus: str = ""  # a DemoConstraint's title
    budget: str | None = None
    review: DemoReview | None = None


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
    hypotheses: tuple[DemoHypothesis, ...] = ()
    sprints: tuple[DemoSprint, ...] = ()  # oldest first
    unit_economics: dict | None = None  # the inputs of Toolkit → Unit economics, and a label
    custdev: dict | None = None  # customer interviews, insights (sprints/demo/custdev.py)


# --- Reading the data files (sprints/demo/businesses/*.json) ----------------------------------

BUSINESS_FILES = ("dubrava", "bluebird", "northwind")
BUSINESS_DIR = Path(__file__).resolve().parent / "businesses"


def _tuple_of(cls, items) -> tuple:
    return tuple(cls(**item) for item in items)


def _hypothesis(item: dict) -> DemoHypothesis:
    return DemoHypothesis(
        **{
            **item,
            "steps": tuple((status, days) for status, days in item["steps"]),
            "ice": tuple(item.get("ice", (5, 5, 5))),
        }
    )


def _action(item: dict) -> DemoAction:
    return DemoAction(**item)


def _sprint(item: dict) -> DemoSprint:
    review = item.get("review")
    return DemoSprint(
        **{
            **item,
            "actions": tuple(_action(action) for action in item["actions"]),
            "review": DemoReview(**review) if review else None,
        }
    )


def business(data: dict) -> DemoCompany:
    """A data file's business as the seed's typed description (its `notes` are for the people editing it)."""
    return DemoCompany(
        name=data["name"],
        timezone=data["timezone"],
        currency=data["currency"],
        review_weekday=Weekday[data["review_weekday"].upper()],
        review_time=time.fromisoformat(data["review_time"]),
        team=tuple(
            (person["email"], person["name"], person["language"], Role(person["role"]), Decimal(person["hours"]))
            for person in data["team"]
        ),
        constraints=tuple(
            DemoConstraint(**{**item, "why": tuple(item["why"])}) for item in data.get("constraints", ())
        ),
        metrics=tuple(DemoMetric(**{**item, "values": tuple(item["values"])}) for item in data.get("metrics", ())),
        goals=_tuple_of(DemoGoal, data.get("goals", ())),
        hypotheses=tuple(_hypothesis(item) for item in data.get("hypotheses", ())),
        sprints=tuple(_sprint(item) for item in data.get("sprints", ())),
        unit_economics=data.get("unit_economics"),
        custdev=data.get("custdev"),
    )


def businesses() -> tuple[DemoCompany, ...]:
    return tuple(
        business(json.loads((BUSINESS_DIR / f"{name}.json").read_text(encoding="utf-8"))) for name in BUSINESS_FILES
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
        user=user,
        company=company,
        defaults={"role": role, "weekly_capacity_hours": hours},
        create_defaults={"role": role, "weekly_capacity_hours": hours, "accepted_at": timezone.now()},
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


# --- Hypotheses (through the lifecycle services, as the tracker; then backdated) ----------

VERDICTS = frozenset({Status.CONFIRMED, Status.REFUTED, Status.INCONCLUSIVE})


def _decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _hypothesis_fields(item: DemoHypothesis, company: Company, constraints: dict, metrics: dict) -> dict:
    fields = {
        "title": item.title,
        "statement": item.statement,
        "kind": item.kind,
        "constraint": constraints[item.constraint] if item.constraint else None,
        "metric": metrics[item.metric] if item.metric else None,
        "baseline": _decimal(item.baseline),
        "success_criteria": item.success_criteria,
        "cheapest_test": item.cheapest_test,
        "impact": item.ice[0],
        "confidence": item.ice[1],
        "ease": item.ice[2],
        "expected_return": _decimal(item.expected_return),
        "budget_cap": _decimal(item.budget_cap),
        "spent": Decimal(item.spent),
        "kill_date": local_today(company) + timedelta(days=item.kill_in_days) if item.kill_in_days else None,
    }
    if item.expected is not None and item.expected.startswith("×"):
        fields["expected_multiplier"] = Decimal(item.expected.removeprefix("×"))  # the service computes the value
    else:
        fields["expected_value"] = _decimal(item.expected)
    return fields


def _seed_hypotheses(spec: DemoCompany, by: Membership) -> None:
    """Each hypothesis is created as an idea and walked through its steps by the lifecycle
    services (so the history is the one the app writes); then every event and the
    hypothesis's own dates move back to the day of its step."""
    company = by.company
    if not spec.hypotheses or Hypothesis.objects.filter(company=company).exists():
        return
    constraints = {c.title: c for c in company.constraints.all()}
    metrics = {m.name: m for m in company.metrics.all()}
    today = local_today(company)

    def at(days_ago: int) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), company.review_time, tzinfo=company.tzinfo)

    for item in spec.hypotheses:
        (first, _created), *moves = item.steps
        if first != Status.IDEA:
            raise CommandError(f"{item.title}: a hypothesis starts as an idea")
        hypothesis = hypothesis_services.hypothesis_create(
            by=by, **_hypothesis_fields(item, company, constraints, metrics)
        )
        for status, _days in moves:
            if status in VERDICTS:
                hypothesis = hypothesis_services.hypothesis_decide(
                    hypothesis=hypothesis,
                    by=by,
                    verdict=status,
                    measured=Decimal(item.measured),
                    note=item.learning,
                )
            else:
                hypothesis = hypothesis_services.hypothesis_transition(
                    hypothesis=hypothesis, by=by, to=status, reason=item.drop_reason
                )
        _backdate_hypothesis(hypothesis, item.steps, at)


def _backdate_hypothesis(hypothesis: Hypothesis, steps, at: Callable[[int], datetime]) -> None:
    """Each event gets the moment of its step; created, testing and decided dates follow."""
    moments = [at(days) for _status, days in steps]
    events = list(hypothesis.events.order_by("pk").values_list("pk", flat=True))
    if len(events) != len(moments):  # the services write one event per step
        raise CommandError(f"{hypothesis.title}: {len(events)} events for {len(moments)} steps")
    HypothesisEvent.objects.filter(pk__in=events).update(
        at=Case(*(When(pk=pk, then=Value(moment)) for pk, moment in zip(events, moments, strict=True)))
    )
    dates = {"created_at": moments[0], "updated_at": moments[-1]}
    for (status, _days), moment in zip(steps, moments, strict=True):
        if status == Status.TESTING:
            dates["testing_started_at"] = moment
            company = hypothesis.company
            started = moment.astimezone(company.tzinfo).date()
            dates["check_by"] = (
                hypothesis.check_by
                if hypothesis.is_breakthrough
                else started + 2 * timedelta(days=company.sprint_length_days)
            )
        elif status in VERDICTS:
            dates["decided_at"] = moment
    Hypothesis.objects.filter(pk=hypothesis.pk).update(**dates)


# --- Sprints (rows for the weeks behind, as they would have been left; carry-overs through the service)


def _check_sprints(spec: DemoCompany, members: dict[str, Membership]) -> None:
    """The spec itself: closed weeks, then the active one, then at most one planned; every
    owner a member with the hours for their actions; every carried action has a source."""
    statuses = "".join({"closed": "c", "active": "a", "planned": "p"}[item.status] for item in spec.sprints)
    if not re.fullmatch("c*ap?", statuses):
        raise CommandError(f"{spec.name}: closed sprints, one active, at most one planned ({statuses})")
    previous: DemoSprint | None = None
    for item in spec.sprints:
        if (item.review is not None) != (item.status == SprintStatus.CLOSED):
            raise CommandError(f"{spec.name}: a closed sprint has a review, an open one none")
        load: dict[str, Decimal] = {}
        for action in item.actions:
            if action.owner not in members:
                raise CommandError(f"{action.title}: {action.owner} is not a member of {spec.name}")
            if action.status not in ActionStatus.values:
                raise CommandError(f"{action.title}: unknown status {action.status}")
            if item.status == SprintStatus.CLOSED and action.status not in RESOLVED_ACTION_STATUSES:
                raise CommandError(f"{action.title}: a closed sprint keeps no unfinished action")
            if action.carry and item is spec.sprints[-1]:
                raise CommandError(f"{action.title}: carried over, but there is no sprint after")
            if action.carried:
                sources = [a for a in previous.actions if a.carry] if previous else []
                if not any(a.title == action.title and a.hours == action.hours for a in sources):
                    raise CommandError(f"{action.title}: carried, but not carried from the sprint before")
            load[action.owner] = load.get(action.owner, Decimal(0)) + Decimal(action.hours)
        for email, hours in load.items():
            if hours > members[email].weekly_capacity_hours:
                raise CommandError(f"{spec.name}: {email} has {hours} h in one sprint, more than their capacity")
        previous = item


def _kept_in_test(hypotheses: list[Hypothesis], moment: datetime) -> list[Hypothesis]:
    """What was under test at a review and got no verdict there: kept in test on purpose."""
    return [
        h
        for h in hypotheses
        if h.testing_started_at is not None
        and h.testing_started_at <= moment
        and (h.decided_at is None or h.decided_at > moment)
    ]


def _seed_sprints(spec: DemoCompany, by: Membership) -> None:
    """Weekly sprints ending on the review day: the closed ones behind (reviewed at the review
    time, the next one started right after), the active one covering the current week and
    maybe a planned one after it. The services refuse dates in the past, so the rows are
    written as the weeks would have left them; carrying unfinished actions over goes through
    the service, which links each copy to where it came from."""
    company = by.company
    if not spec.sprints or Sprint.objects.filter(company=company).exists():
        return
    members = {m.user.email: m for m in Membership.objects.filter(company=company).select_related("user")}
    _check_sprints(spec, members)
    constraints = {c.title: c for c in company.constraints.all()}
    hypotheses = list(Hypothesis.objects.filter(company=company))
    by_title = {h.title: h for h in hypotheses}

    today = local_today(company)
    active_ends = today + timedelta(days=(company.review_weekday - today.weekday()) % 7)
    closed_count = sum(1 for item in spec.sprints if item.status == SprintStatus.CLOSED)
    first_starts = active_ends - timedelta(weeks=closed_count + 1) + timedelta(days=1)

    def at(day: date, hours: float = 0) -> datetime:
        return datetime.combine(day, company.review_time, tzinfo=company.tzinfo) + timedelta(hours=hours)

    made: list[tuple[Sprint, DemoSprint]] = []
    to_carry: list[Action] = []
    for number, item in enumerate(spec.sprints, start=1):
        starts_on = first_starts + timedelta(weeks=number - 1)
        sprint = Sprint(
            company=company,
            number=number,
            starts_on=starts_on,
            ends_on=starts_on + timedelta(days=6),
            focus=constraints[item.focus] if item.focus else None,
            goal=item.goal,
            budget=_decimal(item.budget),
            status=SprintStatus.PLANNED,  # open while the actions go in
        )
        sprint.clean_fields(exclude=["company", "focus", "override_by"])
        sprint.save()
        carried = {
            copy.title: copy for copy in sprint_services.actions_carry_over(actions=to_carry, to_sprint=sprint, by=by)
        }
        new, copies = [], []
        for spec_action in item.actions:
            if spec_action.carried:
                action = carried.pop(spec_action.title)
                copies.append(action)
            else:
                action = Action(
                    sprint=sprint,
                    title=spec_action.title,
                    owner=members[spec_action.owner],
                    estimate_hours=Decimal(spec_action.hours),
                    cost=_decimal(spec_action.cost),
                    hypothesis=by_title[spec_action.hypothesis] if spec_action.hypothesis else None,
                )
                new.append(action)
            unfinished = spec_action.carry or spec_action.status == ActionStatus.NOT_DONE
            action.status = ActionStatus.TODO if spec_action.carry else spec_action.status
            action.result_note = "" if unfinished else spec_action.note
            action.why_not_note = spec_action.note if unfinished else ""
            # The links were picked from this business above; the rest is checked here
            # (one full_clean per action would cost seven queries each).
            action.clean_fields(exclude=["sprint", "owner", "hypothesis", "carried_over_from"])
        if carried:
            raise CommandError(f"{spec.name}, sprint {number}: carried over but not listed: {sorted(carried)}")
        Action.objects.bulk_create(new)
        Action.objects.bulk_update(copies, ["status", "result_note", "why_not_note"])
        to_carry = [
            action
            for action, spec_action in zip(new, [a for a in item.actions if not a.carried], strict=True)
            if spec_action.carry
        ]
        if item.status != SprintStatus.PLANNED:
            sprint.status, sprint.started_at = item.status, at(starts_on - timedelta(days=1), 1)
        if item.status == SprintStatus.CLOSED:
            sprint.closed_at = at(sprint.ends_on, 1)
        sprint.save(update_fields=["status", "started_at", "closed_at"])
        made.append((sprint, item))

    # The dates the rows would have had: planned at the review before, closed at their own.
    for sprint, item in made:
        if item.status == SprintStatus.PLANNED:
            continue
        planned_at = at(sprint.starts_on - timedelta(days=1), 0.5)
        Sprint.objects.filter(pk=sprint.pk).update(created_at=planned_at)
        actions = Action.objects.filter(sprint=sprint)
        if item.status == SprintStatus.CLOSED:
            actions.update(created_at=planned_at, updated_at=sprint.closed_at)
            held_at = at(sprint.ends_on)
            review = Review(
                sprint=sprint,
                step=SessionStep.CLOSE,
                held_at=held_at,
                what_worked=item.review.what_worked,
                what_to_fix=item.review.what_to_fix,
                notes=item.review.notes,
                constraint_confirmed=item.review.constraint_confirmed,
            )
            review.clean_fields(exclude=["sprint"])
            review.save()
            review.kept_in_test.set(_kept_in_test(hypotheses, held_at))
            Review.objects.filter(pk=review.pk).update(created_at=held_at, updated_at=sprint.closed_at)
        else:
            actions.update(created_at=planned_at)


def _report_past_sprints(companies: list[Company]) -> None:
    """The demo's closed sprints have their reports from the start (rolled up here, not on the
    worker's first tick), and those reports count as e-mailed back when the sprints closed:
    a fresh demo sends no mail about weeks that never happened."""
    closed = Sprint.objects.filter(company__in=companies, status=SprintStatus.CLOSED)
    missing = list(closed.filter(report__computed_at__isnull=True).values_list("pk", flat=True))
    sprint_rollups(missing)
    reports_as_sent(list(closed.values_list("pk", flat=True)))


@transaction.atomic
def _seed_unit_economics(spec: DemoCompany, by: Membership) -> None:
    """The toolkit's inputs and one dated snapshot of them (once)."""
    if not spec.unit_economics or toolkit_selectors.unit_economics_of(by.company):
        return
    inputs = {k: v for k, v in spec.unit_economics.items() if k != "label"}
    toolkit_services.unit_economics_save(by=by, **{k: Decimal(v) for k, v in inputs.items()})
    toolkit_services.snapshot_save(by=by, kind="snapshot", label=spec.unit_economics.get("label", ""))


def seed_demo() -> list[tuple[str, str]]:
    """Create (or refresh) the demo; returns the (e-mail, who) of every demo account."""
    # One hash for all the demo accounts (their password is printed below anyway):
    # hashing it for each of them would take most of the command's time.
    password_hash = functools.cache(lambda: make_password(DEMO_PASSWORD))
    tracker = _demo_user(*TRACKER[:3], password_hash)
    logins = [(tracker.email, "Tracker, all three businesses")]
    companies = []
    for spec in businesses():
        company, _ = Company.objects.update_or_create(
            name=spec.name,
            defaults={
                "timezone": spec.timezone,
                "currency": spec.currency,
                "language": spec.team[0][2],  # the owner's: «Дубрава» writes in Russian
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
        _seed_hypotheses(spec, tracker_membership)
        _seed_sprints(spec, tracker_membership)
        _seed_unit_economics(spec, tracker_membership)
        seed_custdev(spec.custdev, tracker_membership)
        companies.append(company)
    _report_past_sprints(companies)
    return logins
