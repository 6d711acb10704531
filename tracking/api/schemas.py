"""What the API answers and accepts. Decimal numbers are answered as strings (exact); they
are accepted as JSON numbers or strings."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field, create_model

from sprints.report_numbers import ReportNumbers

from ..models import VALUE_DECIMALS
from ..selectors import goal_progress
from ..weeks import current_week_start
from .pagination import LIMIT_DEFAULT, LIMIT_MAX

STORED_VALUE = Decimal(10) ** -VALUE_DECIMALS


class CompanyOut(Schema):
    id: int
    name: str
    timezone: str
    currency: str
    language: str
    review_weekday: int  # 0 = Monday
    # "10:00:00", on the clock of the business's time zone: a local time has no UTC offset, which
    # JSON Schema's "time" format requires.
    review_time: str
    sprint_length_days: int
    current_week_start: date  # the Monday of the business's week under way, in its time zone

    @staticmethod
    def resolve_review_time(company) -> str:
        return company.review_time.isoformat()

    @staticmethod
    def resolve_current_week_start(company) -> date:
        return current_week_start(company)


class MemberOut(Schema):
    id: int
    name: str
    email: str
    role: str
    weekly_capacity_hours: Decimal

    @staticmethod
    def resolve_email(membership) -> str:
        return membership.user.email


class WhyStepOut(Schema):
    position: int
    answer: str
    is_root_cause: bool


class ConstraintOut(Schema):
    id: int
    title: str
    area: str
    status: str
    started_on: date
    closed_on: date | None
    why_steps: list[WhyStepOut]

    @staticmethod
    def resolve_why_steps(constraint) -> list:
        return list(constraint.why_steps.all())  # prefetched in order by the selector


class MetricOut(Schema):
    id: int
    name: str
    unit: str
    higher_is_better: bool
    target: Decimal | None
    target_date: date | None
    funnel_stage: int | None
    is_key: bool


class GoalOut(Schema):
    id: int
    title: str
    horizon: str  # year, quarter or month
    starts_on: date
    due_on: date
    parent_id: int | None  # the goal this one is part of
    metric_id: int | None
    target: Decimal | None
    latest: Decimal | None  # the metric's newest weekly value
    progress: int | None  # percent of the target, at most 100; null without a metric, target or value

    @staticmethod
    def resolve_progress(goal) -> int | None:
        return goal_progress(goal, goal.latest)


class ValueOut(Schema):
    metric_id: int
    week: date  # the Monday of the week
    value: Decimal
    updated_at: datetime

    @staticmethod
    def resolve_week(value) -> date:
        return value.week_start

    @staticmethod
    def resolve_value(value) -> Decimal:
        """As stored, whatever was sent: 2.3 is "2.3000" in the PUT's answer as in a GET."""
        return Decimal(value.value).quantize(STORED_VALUE)


class ValueIn(Schema):
    value: Decimal


class HypothesisOut(Schema):
    id: int
    title: str
    statement: str
    kind: str  # innovation or breakthrough
    status: str  # idea, ready, testing, confirmed, refuted, inconclusive, adopted or dropped
    constraint_id: int | None
    metric_id: int | None
    baseline: Decimal | None
    expected_value: Decimal | None
    success_criteria: str
    cheapest_test: str
    impact: int
    confidence: int
    ease: int
    ice: int
    check_by: date | None
    testing_started_at: datetime | None
    measured_value: Decimal | None
    verdict: str  # empty until decided
    decided_at: datetime | None
    author: str | None  # the name, or else the e-mail; null when the author's account is gone
    created_at: datetime
    version: int

    @staticmethod
    def resolve_author(hypothesis) -> str | None:
        author = hypothesis.author
        return (author.full_name or author.email) if author else None


class HypothesisIn(Schema):
    """An idea: a title and the hypothesis itself; the rest may come later, as on the page."""

    title: str
    statement: str
    kind: str | None = None
    constraint_id: int | None = None
    metric_id: int | None = None
    baseline: Decimal | None = None
    expected_value: Decimal | None = None
    success_criteria: str | None = None
    cheapest_test: str | None = None
    impact: int | None = None
    confidence: int | None = None
    ease: int | None = None


class MeasuredIn(Schema):
    measured: Decimal


class HistoryQuery(Schema):
    """The history page's filters: each one left out narrows nothing."""

    status: str | None = None
    kind: str | None = None
    constraint: int | None = None  # a constraint's id
    author: int | None = None  # a user's id
    since: date | None = None  # created on or after
    until: date | None = None  # created on or before


class SprintOut(Schema):
    id: int
    number: int
    starts_on: date
    ends_on: date
    status: str  # planned, active, review or closed
    goal: str
    focus_id: int | None  # the constraint the sprint works on
    budget: Decimal | None
    started_at: datetime | None
    closed_at: datetime | None


class ActionOut(Schema):
    id: int
    title: str
    owner_id: int | None  # a member's id
    hypothesis_id: int | None
    estimate_hours: Decimal
    cost: Decimal | None  # as planned
    spent: Decimal | None  # what it actually cost, logged with its result
    status: str  # todo, doing, done or not_done
    result_note: str
    why_not_note: str
    version: int  # send it back with a result: a newer one means someone else saved meanwhile


class SprintWithActionsOut(SprintOut):
    actions: list[ActionOut]

    @staticmethod
    def resolve_actions(sprint) -> list:
        return sprint.listed_actions  # read by the access helper, in one query


class ActionResultIn(Schema):
    """An action's result, as the results page logs it; `cost` is what it actually cost (the
    action's `spent`; its planned cost stays). Without `cost` what was spent stays as it was."""

    status: str  # todo, doing, done or not_done (which needs why_not_note)
    result_note: str = ""
    why_not_note: str = ""
    cost: Decimal | None = None
    version: int  # the action's version this result was written against


class ReportOut(Schema):
    sprint_id: int
    numbers: ReportNumbers


class PageQuery(Schema):
    cursor: str | None = None  # the `next_cursor` of the page before
    limit: int = Field(LIMIT_DEFAULT, ge=1, le=LIMIT_MAX)


def page_of(item: type[Schema]) -> type[Schema]:
    """A page of `item`s and the cursor of the next page (null on the last one)."""
    return create_model(
        f"{item.__name__.removesuffix('Out')}Page",
        __base__=Schema,
        items=(list[item], ...),
        next_cursor=(str | None, None),
    )


MemberPage = page_of(MemberOut)
ConstraintPage = page_of(ConstraintOut)
MetricPage = page_of(MetricOut)
GoalPage = page_of(GoalOut)
HypothesisPage = page_of(HypothesisOut)
SprintPage = page_of(SprintOut)
ValuePage = page_of(ValueOut)
