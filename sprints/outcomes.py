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
from operator import itemgetter
from zoneinfo import ZoneInfo

from django.db import connection

from hypotheses.models import Hypothesis, Verdict
from tracking.models import Company, Metric, MetricValue
from tracking.portfolio import Flag

from .models import Action, ActionStatus, Sprint, SprintStatus

SPRINTS = 12
BUSY_SHARE = Decimal("0.8")
BUSY_SPRINTS = 3


@dataclass(frozen=True)
class SprintOutcome:
    sprint: Sprint | None  # None where only the portfolio's flag is asked (outcomes_overview)
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


# Each company's last closed sprints with what the outcomes read of them, in one statement
# written out once: the ORM's version of it (three correlated subqueries, a filtered join) cost
# more Python to build than the page's own work. Each company's few come from the top of its
# closed sprints' index (sprint_closed_recent), not from a window over every sprint it had.
_TABLES = {"sprint": Sprint, "action": Action, "company": Company, "metric": Metric, "value": MetricValue}
_SPRINTS_SQL = """
WITH recent AS (
    SELECT s.id, s.company_id, s.number, s.starts_on, s.ends_on
    FROM unnest(%(companies)s::bigint[]) AS co(id)
    CROSS JOIN LATERAL (
        SELECT s.id, s.company_id, s.number, s.starts_on, s.ends_on FROM {sprint} s
        WHERE s.company_id = co.id AND s.status = %(closed)s AND s.archived_at IS NULL
        ORDER BY s.starts_on DESC, s.id DESC LIMIT %(limit)s
    ) s
)
SELECT r.id, r.company_id, r.number, r.starts_on, r.ends_on, c.timezone AS company_timezone,
       m.id AS key_id, m.target AS key_target, m.higher_is_better AS key_higher,
       (SELECT v.value FROM {value} v WHERE v.metric_id = m.id AND v.week_start < r.starts_on
        ORDER BY v.week_start DESC LIMIT 1) AS metric_start,
       (SELECT v.value FROM {value} v WHERE v.metric_id = m.id AND v.week_start <= r.ends_on
        ORDER BY v.week_start DESC LIMIT 1) AS metric_end,
       a.total, a.done, a.hours_done
FROM recent r
JOIN {company} c ON c.id = r.company_id
LEFT JOIN {metric} m ON m.company_id = r.company_id AND m.is_key
CROSS JOIN LATERAL (
    SELECT count(*) AS total, count(*) FILTER (WHERE x.status = %(done)s) AS done,
           coalesce(sum(x.estimate_hours) FILTER (WHERE x.status = %(done)s), 0) AS hours_done
    FROM {action} x WHERE x.sprint_id = r.id
) a
ORDER BY r.company_id, r.starts_on DESC, r.id DESC
""".format(**{name: model._meta.db_table for name, model in _TABLES.items()})


def _sprints(company_ids: list[int], limit: int) -> list[Sprint]:
    """Each company's last `limit` closed sprints, newest first, with their actions counted
    (`total`, `done`, `hours_done`), the key metric's value before and at the end of each
    (`metric_start`, `metric_end`), the key metric's own id, target and direction and the
    business's time zone: one query. The window picks the sprints first, so the metric is
    looked up for those sprints only, each lookup one step back along its (metric, week)
    index (PostgreSQL does not compile the plan: no JIT)."""
    return list(Sprint.objects.raw(_SPRINTS_SQL, _params(company_ids, limit)))


def _params(company_ids: list[int], limit: int) -> dict:
    return {"companies": list(company_ids), "closed": SprintStatus.CLOSED, "done": ActionStatus.DONE, "limit": limit}


def outcomes_many(company_ids: list[int], *, limit: int = SPRINTS) -> dict[int, Outcomes]:
    """Each company's outcomes: 3 queries (the sprints, the hypotheses decided, the key metrics)."""
    sprints = _sprints(company_ids, limit)
    decided: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    if sprints:
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
        in_sprint = [verdict for at, verdict in decided[sprint.company_id] if _within(sprint, at)]
        by_company[sprint.company_id].append(
            SprintOutcome(
                sprint=sprint,
                done=sprint.done,
                total=sprint.total,
                hours_done=sprint.hours_done,
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
    day = at.astimezone(ZoneInfo(sprint.company_timezone)).date()
    return sprint.starts_on <= day <= sprint.ends_on + timedelta(days=1)


def busy_not_moving(metric: Metric | None, sprints: list[SprintOutcome]) -> bool:
    """The last BUSY_SPRINTS sprints (newest first) each ≥ 80 % done, while the key metric did
    not move toward its target from before the oldest of them to the end of the newest."""
    recent = sprints[:BUSY_SPRINTS]
    if len(recent) < BUSY_SPRINTS or not all(s.busy for s in recent) or metric is None:
        return False
    return moved_toward(metric, recent[-1].metric_start, recent[0].metric_end) is False


_OVERVIEW_COLUMNS = (
    "company_id",
    "key_id",
    "key_target",
    "key_higher",
    "done",
    "total",
    "hours_done",
    "metric_start",
    "metric_end",
)


def outcomes_overview(company_ids: list[int], now: datetime) -> dict[int, dict]:
    """The portfolio's part: the flag, for all cards at once (one query). Read as plain rows:
    the flag needs no sprint as a model, and each key metric once."""
    with connection.cursor() as cursor:
        cursor.execute(_SPRINTS_SQL, _params(company_ids, BUSY_SPRINTS))
        columns = {column.name: i for i, column in enumerate(cursor.description)}
        rows = cursor.fetchall()
    at = itemgetter(*(columns[name] for name in _OVERVIEW_COLUMNS))
    keys, recent = {}, defaultdict(list)
    for row in rows:  # newest first
        company_id, key_id, target, higher, done, total, hours_done, start, end = at(row)
        if key_id is not None and company_id not in keys:
            keys[company_id] = Metric(pk=key_id, target=target, higher_is_better=higher)
        recent[company_id].append(SprintOutcome(None, done, total, hours_done, start, end))
    return {
        company_id: {"flags": [Flag.BUSY_NOT_MOVING], "busy_not_moving": True}
        for company_id, sprints in recent.items()
        if busy_not_moving(keys.get(company_id), sprints)
    }
