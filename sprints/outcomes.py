"""Outcomes over outputs (seed 002): did the key metric move, or did we only do the actions?

Per business, over its last 12 closed sprints: the share of actions done, the key metric's
change over each sprint, hypotheses decided and confirmed, the hours spent (estimates of the
actions done). And the portfolio flag "busy, not moving": ≥ 80 % of actions done for the last
3 sprints in a row while the key metric did not move toward its target over them.

A fixed number of queries for any number of businesses, sprints or actions.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, F, FilteredRelation, OuterRef, Q, Subquery, Sum, Window
from django.db.models.functions import RowNumber

from hypotheses.models import Hypothesis, Verdict
from tracking.models import Metric, MetricValue
from tracking.portfolio import Flag

from .models import Action, ActionStatus, Sprint, SprintStatus

SPRINTS = 12
BUSY_SHARE = Decimal("0.8")
BUSY_SPRINTS = 3


@dataclass(frozen=True)
class SprintOutcome:
    sprint: Sprint
    done: int
    total: int
    hours_done: Decimal
    metric_start: Decimal | None  # the key metric's last value before the sprint
    metric_end: Decimal | None  # … and on or before its last day
    decided: int = 0
    confirmed: int = 0

    @property
    def share(self) -> Decimal | None:
        return Decimal(self.done) / self.total if self.total else None

    @property
    def percent(self) -> int | None:
        return int(self.share * 100) if self.share is not None else None

    @property
    def change(self) -> Decimal | None:
        if self.metric_start is None or self.metric_end is None:
            return None
        return self.metric_end - self.metric_start

    @property
    def busy(self) -> bool:
        return self.share is not None and self.share >= BUSY_SHARE


def moved_toward(metric: Metric | None, start: Decimal | None, end: Decimal | None) -> bool | None:
    """Whether start → end went toward the metric's target (or its better direction when it
    has none); None when there is nothing to compare."""
    if metric is None or start is None or end is None:
        return None
    if end == start:
        return False
    if metric.target is not None and start != metric.target:
        return (end > start) == (metric.target > start)
    return (end > start) == metric.higher_is_better


@dataclass(frozen=True)
class Outcomes:
    key_metric: Metric | None
    sprints: list[SprintOutcome]  # newest first
    busy_not_moving: bool


def _sprints(company_ids: list[int], limit: int, *, with_company: bool = True) -> list[Sprint]:
    """Each company's last `limit` closed sprints, newest first, with the key metric's value
    before and at the end of each: one query. The window picks the sprints' ids first, in a
    subquery, so the metric is looked up for those sprints only; the key metric is joined
    (at most one per company), so each lookup is one step back along its (metric, week)
    index, and the plan stays cheap (PostgreSQL does not compile it: no JIT)."""
    window = (
        Sprint.objects.filter(company_id__in=company_ids, status=SprintStatus.CLOSED, archived_at__isnull=True)
        .annotate(
            recency=Window(
                RowNumber(), partition_by=[F("company_id")], order_by=[F("starts_on").desc(), F("pk").desc()]
            )
        )
        .filter(recency__lte=limit)
        .values("pk")
    )
    key_values = MetricValue.objects.filter(metric_id=OuterRef("key_metric__pk")).order_by("-week_start")
    sprints = Sprint.objects.filter(pk__in=window)
    # The flag alone needs no business (its time zone places verdicts) and few columns.
    sprints = sprints.select_related("company") if with_company else sprints.only("company_id", "number", "starts_on")
    return list(
        sprints.annotate(
            key_metric=FilteredRelation("company__metrics", condition=Q(company__metrics__is_key=True)),
            metric_start=Subquery(key_values.filter(week_start__lt=OuterRef("starts_on")).values("value")[:1]),
            metric_end=Subquery(key_values.filter(week_start__lte=OuterRef("ends_on")).values("value")[:1]),
        ).order_by("company_id", "-starts_on", "-pk")
    )


def outcomes_many(company_ids: list[int], *, limit: int = SPRINTS, hypotheses: bool = True) -> dict[int, Outcomes]:
    """Each company's outcomes: 3 queries (4 with the hypotheses)."""
    sprints = _sprints(company_ids, limit, with_company=hypotheses)
    counts = {
        row["sprint_id"]: row
        for row in Action.objects.filter(sprint__in=[s.pk for s in sprints])
        .order_by()  # no join to the sprints for Action's default ordering, which a GROUP BY drops
        .values("sprint_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=ActionStatus.DONE)),
            hours=Sum("estimate_hours", filter=Q(status=ActionStatus.DONE)),
        )
    }
    decided: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    if hypotheses and sprints:
        # A day early: the filter's date is UTC's, and a business east of UTC starts its day
        # before UTC does (_within then keeps what falls in each sprint, in the business's time).
        since = min(s.starts_on for s in sprints) - timedelta(days=1)
        for company_id, at, verdict in (
            Hypothesis.objects.live()
            .filter(company_id__in=company_ids, decided_at__date__gte=since)
            .values_list("company_id", "decided_at", "verdict")
        ):
            decided[company_id].append((at, verdict))
    keys = {m.company_id: m for m in Metric.objects.filter(company_id__in=company_ids, is_key=True)}
    by_company: dict[int, list[SprintOutcome]] = defaultdict(list)
    for sprint in sprints:
        row = counts.get(sprint.pk, {})
        in_sprint = [verdict for at, verdict in decided[sprint.company_id] if _within(sprint, at)]
        by_company[sprint.company_id].append(
            SprintOutcome(
                sprint=sprint,
                done=row.get("done", 0),
                total=row.get("total", 0),
                hours_done=row.get("hours") or Decimal(0),
                metric_start=sprint.metric_start,
                metric_end=sprint.metric_end,
                decided=len(in_sprint),
                confirmed=sum(1 for v in in_sprint if v == Verdict.CONFIRMED),
            )
        )
    return {
        company_id: Outcomes(
            key_metric=keys.get(company_id),
            sprints=by_company[company_id],
            busy_not_moving=busy_not_moving(keys.get(company_id), by_company[company_id]),
        )
        for company_id in company_ids
    }


def _within(sprint: Sprint, at: datetime) -> bool:
    """A verdict counts for the sprint whose days (start to the day after its end, when the
    review closes it) contain it, in the business's time zone."""
    day = at.astimezone(sprint.company.tzinfo).date()
    return sprint.starts_on <= day <= sprint.ends_on + timedelta(days=1)


def busy_not_moving(metric: Metric | None, sprints: list[SprintOutcome]) -> bool:
    """The last BUSY_SPRINTS sprints (newest first) each ≥ 80 % done, while the key metric did
    not move toward its target from before the oldest of them to the end of the newest."""
    recent = sprints[:BUSY_SPRINTS]
    if len(recent) < BUSY_SPRINTS or not all(s.busy for s in recent) or metric is None:
        return False
    return moved_toward(metric, recent[-1].metric_start, recent[0].metric_end) is False


def outcomes_overview(company_ids: list[int], now: datetime) -> dict[int, dict]:
    """The portfolio's part (tracking.portfolio registry): the flag, for all cards at once."""
    result = {}
    for company_id, outcome in outcomes_many(company_ids, limit=BUSY_SPRINTS, hypotheses=False).items():
        if outcome.busy_not_moving:
            result[company_id] = {"flags": [Flag.BUSY_NOT_MOVING], "busy_not_moving": True}
    return result
