"""Every read a view or another app needs, already joined: a page costs the same number of
queries for 5 rows or 5,000."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache

from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from .charts import Chart, MarkerProvider, line_chart, markers_for
from .db import aliased_columns, instance_beside
from .delivery import outbox
from .models import (
    Company,
    Constraint,
    ConstraintEvent,
    ConstraintStatus,
    Goal,
    Membership,
    Metric,
    MetricValue,
    User,
    WhyStep,
    member_name_order,
)
from .weeks import current_week_start


def next_review_at(company: Company, now: datetime | None = None) -> datetime:
    """The next weekly review as an aware datetime in the company's time zone."""
    tz = company.tzinfo
    local_now = (now or timezone.now()).astimezone(tz)
    days_ahead = (company.review_weekday - local_now.weekday()) % 7
    candidate_date = local_now.date() + timedelta(days=days_ahead)
    candidate = datetime.combine(candidate_date, company.review_time, tzinfo=tz)
    if candidate <= local_now:
        candidate = datetime.combine(candidate_date + timedelta(days=7), company.review_time, tzinfo=tz)
    return candidate


def _invitation_refusal() -> Subquery:
    """What the mail server answered to the invitation e-mail that was given up (the outbox
    keeps a reply as "its words (550 5.1.1)", under tracking.invitations' key); a failure of our
    own, such as the network, has no words for the inviter."""
    return Subquery(
        outbox.messages_of("invitation")
        .filter(failed_at__isnull=False, last_error__regex=r"\([245][0-9][0-9]( [0-9.]+)?\)$")
        .values("last_error")[:1]
    )


@cache
def _members() -> QuerySet[Membership]:
    """Every business's members with their invitation's state, built once per process: the
    outbox's predicate and the name order take longer to build than the page's own work, and
    depend on nothing but the models. Never evaluated itself: members_of filters a copy."""
    failed = Q(accepted_at__isnull=True) & outbox.given_up("invitation")
    return (
        Membership.objects.select_related("user")
        .annotate(
            invitation_failed=ExpressionWrapper(failed, output_field=BooleanField()),
            invitation_error=_invitation_refusal(),
        )
        .order_by(
            ExpressionWrapper(Q(accepted_at__isnull=True), output_field=BooleanField()),  # invitations last
            "role",
            member_name_order(),
            "user__email",
        )
    )


def members_of(company: Company) -> QuerySet[Membership]:
    """The members, then the invitations (`invitation_failed`: its e-mail was given up;
    `invitation_error`: the mail server's refusal of its e-mail, if any, which the page shows
    with the failure; read for every row rather than guarded by the failure again in SQL,
    which would repeat the outbox's predicate)."""
    return _members().filter(company=company)


def invitations_for_user(user: User) -> list[Membership]:
    """The invitations waiting for this user's answer, oldest first."""
    return list(
        Membership.objects.pending()
        .filter(user=user)
        .select_related("company", "invited_by")
        .order_by("created_at", "pk")
    )


# --- Constraint, metrics, goals ---------------------------------------------------------


def active_constraint(company: Company) -> Constraint | None:
    return Constraint.objects.filter(company=company, status=ConstraintStatus.ACTIVE).first()


# The business's main constraint with its why-steps in their order, in one statement (a step's
# columns, "step_" and its field's name, beside each row of the constraint's; none without steps).
_STEP_COLUMNS = ("id", "position", "answer", "is_root_cause")
_CHAIN_SQL = f"""
SELECT k.*, w.id AS step_id, w.position AS step_position, w.answer AS step_answer,
       w.is_root_cause AS step_is_root_cause
FROM {Constraint._meta.db_table} k LEFT JOIN {WhyStep._meta.db_table} w ON w.constraint_id = k.id
WHERE k.company_id = %s AND k.status = %s
ORDER BY w.position, w.id
"""


def active_constraint_and_chain(company: Company) -> tuple[Constraint | None, list[WhyStep]]:
    """The main constraint (None) and its why-steps in their order (why_chain's): one query."""
    rows = list(Constraint.objects.raw(_CHAIN_SQL, [company.pk, ConstraintStatus.ACTIVE]))
    if not rows:
        return None, []
    constraint = rows[0]
    steps = [
        WhyStep(constraint=constraint, **{name: getattr(row, f"step_{name}") for name in _STEP_COLUMNS})
        for row in rows
        if row.step_id is not None
    ]
    return constraint, steps


def why_chain(constraint: Constraint | None) -> list[WhyStep]:
    """The constraint's why-steps in their order (none without a constraint): one query."""
    if constraint is None:
        return []
    return list(WhyStep.objects.filter(constraint=constraint).order_by("position", "pk"))


def constraint_timeline(company: Company, limit: int = 50) -> list[Constraint]:
    """How the main constraint moved over time, newest first."""
    return list(
        Constraint.objects.filter(company=company)
        .select_related("created_by")
        .prefetch_related(Prefetch("why_steps", queryset=WhyStep.objects.order_by("position", "pk")))
        .order_by("-started_on", "-pk")[:limit]
    )


def constraint_events(constraint: Constraint, limit: int = 100) -> list[ConstraintEvent]:
    return list(constraint.events.select_related("actor").order_by("-at", "-pk")[:limit])


# Metric's own order (Meta.ordering) as the fixed statements write it, for the table aliased
# `alias` (tests/tracking/test_metrics.py holds the two to the same order).
def metric_order_sql(alias: str) -> str:
    return f"{alias}.is_key DESC, {alias}.funnel_stage, {alias}.name, {alias}.id"


# The business's metrics, written once: the metrics, unit economics and goal pages list them.
_METRICS_SQL = f"SELECT * FROM {Metric._meta.db_table} m WHERE m.company_id = %s ORDER BY {metric_order_sql('m')}"


def metrics_of(company: Company) -> list[Metric]:
    """The business's metrics, each with this company as its own (not read again)."""
    metrics = list(Metric.objects.raw(_METRICS_SQL, [company.pk]))
    for metric in metrics:
        metric.company = company
    return metrics


def metric_series(metric: Metric, weeks: int = 26) -> list[tuple]:
    """The last `weeks` weekly values, oldest first: one query whatever the history."""
    rows = list(
        MetricValue.objects.filter(metric=metric).order_by("-week_start").values_list("week_start", "value")[:weeks]
    )
    rows.reverse()
    return rows


def metric_chart(
    metric: Metric, weeks: int = 26, *, markers: MarkerProvider | None = None, series: list[tuple] | None = None
) -> Chart:
    """The metric's chart with the weeks `markers` knows of marked (the weeks its hypotheses
    were under test, from the caller that knows them). `series`: its values, when the caller
    read them with the metric (key_metric_and_series)."""
    series = metric_series(metric, weeks) if series is None else series
    since = series[0][0] if series else current_week_start(metric.company)
    return line_chart(series, metric.target, markers_for([metric.pk], since, markers)[metric.pk])


def key_metric(company: Company) -> Metric | None:
    return Metric.objects.filter(company=company, is_key=True).first()


# The key metric (one at most: metric_one_key_per_company) with its last weekly values beside it.
_KEY_SERIES_SQL = f"""
SELECT m.*, v.week_start AS series_week, v.value AS series_value
FROM {Metric._meta.db_table} m LEFT JOIN LATERAL (
    SELECT week_start, value FROM {MetricValue._meta.db_table} WHERE metric_id = m.id ORDER BY week_start DESC LIMIT %s
) v ON true
WHERE m.company_id = %s AND m.is_key
ORDER BY v.week_start
"""


def key_metric_and_series(company: Company, weeks: int = 26) -> tuple[Metric | None, list[tuple]]:
    """The key metric (None) and its last `weeks` values, oldest first (metric_series'): one query."""
    rows = list(Metric.objects.raw(_KEY_SERIES_SQL, [weeks, company.pk]))
    if not rows:
        return None, []
    metric = rows[0]
    metric.company = company
    return metric, [(row.series_week, row.series_value) for row in rows if row.series_week is not None]


def latest_values(metric_ids: list[int]) -> dict[int, Decimal]:
    """The newest value of each metric, in one query."""
    if not metric_ids:
        return {}
    newest = MetricValue.objects.filter(metric_id=OuterRef("metric_id")).order_by("-week_start").values("pk")[:1]
    rows = MetricValue.objects.filter(metric_id__in=metric_ids, pk=Subquery(newest))
    return dict(rows.values_list("metric_id", "value"))


@dataclass
class GoalNode:
    goal: Goal
    latest: Decimal | None
    progress: int | None  # percent, capped at 100
    children: list["GoalNode"]


def goal_progress(goal: Goal, latest: Decimal | None) -> int | None:
    if goal.metric is None or goal.target is None or latest is None:
        return None
    if goal.metric.higher_is_better:
        if goal.target <= 0:
            return 100 if latest >= goal.target else 0
        ratio = latest / goal.target
    else:
        if latest <= 0:
            return 100
        ratio = goal.target / latest
    return max(0, min(100, int(ratio * 100)))


def goals_with_latest(company: Company) -> QuerySet[Goal]:
    """The company's goals with their metric and its newest value (`latest`), in one query."""
    newest = MetricValue.objects.filter(metric_id=OuterRef("metric_id")).order_by("-week_start").values("value")[:1]
    return Goal.objects.filter(company=company).select_related("metric").annotate(latest=Subquery(newest))


# goals_with_latest as the goal tree reads it, written once (the business page shows the tree on
# every view): {running} narrows it to the goals whose period holds a day.
_GOALS_SQL = f"""
SELECT g.*, {aliased_columns(Metric, "m", "metric__")},
       (SELECT v.value FROM {MetricValue._meta.db_table} v
        WHERE v.metric_id = g.metric_id ORDER BY v.week_start DESC LIMIT 1) AS latest
FROM {Goal._meta.db_table} g LEFT JOIN {Metric._meta.db_table} m ON m.id = g.metric_id
WHERE g.company_id = %s {{running}}
ORDER BY g.starts_on, g.id
"""


def goal_tree(company: Company, *, current_on: date | None = None) -> list[GoalNode]:
    """The company's goals as a forest, each with its metric's newest value: one query whatever
    the size. With `current_on`, only the goals whose period holds that day (the year's, the
    quarter's and the month's that are running), as the business page shows them; the goals
    page shows them all."""
    if current_on is None:
        goals = list(Goal.objects.raw(_GOALS_SQL.format(running=""), [company.pk]))
    else:
        running = "AND g.starts_on <= %s AND g.due_on >= %s"
        goals = list(Goal.objects.raw(_GOALS_SQL.format(running=running), [company.pk, current_on, current_on]))
    for g in goals:
        g.company = company
        g.metric = None if g.metric_id is None else instance_beside(g, Metric, "metric__")
        if g.metric is not None:
            g.metric.company = company
    nodes = {g.pk: GoalNode(g, g.latest, goal_progress(g, g.latest), []) for g in goals}
    roots = []
    for g in goals:
        parent = nodes.get(g.parent_id)
        (parent.children if parent else roots).append(nodes[g.pk])
    return roots


def metric_series_many(metrics: list[Metric], weeks: int = 26) -> dict[int, list[tuple]]:
    """The last `weeks` weekly values of several metrics in one query, oldest first."""
    if not metrics:
        return {}
    company = metrics[0].company
    cutoff = current_week_start(company) - timedelta(weeks=weeks - 1)
    series: dict[int, list[tuple]] = {m.pk: [] for m in metrics}
    rows = (
        MetricValue.objects.filter(metric__in=metrics, week_start__gte=cutoff)
        .order_by("metric_id", "week_start")
        .values_list("metric_id", "week_start", "value")
    )
    for metric_id, week, value in rows:
        series[metric_id].append((week, value))
    return series


def metric_values_table(metric: Metric, limit: int = 104) -> list[tuple]:
    """The newest `limit` weekly values, newest first: (week, value, who entered it: the name
    or else the e-mail, "" for nobody), one query."""
    rows = metric.values.order_by("-week_start").values_list(
        "week_start", "value", "recorded_by__full_name", "recorded_by__email"
    )[:limit]
    return [(week, value, name or email or "") for week, value, name, email in rows]
