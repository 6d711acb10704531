"""Reads for the backlog board, the hypothesis page and the team lead's history."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from tracking.charts import Marker
from tracking.models import Company, Constraint, ConstraintStatus, Membership, Metric, MetricValue, User
from tracking.query_params import BIGINT_MAX
from tracking.toolkit import selectors as toolkit
from tracking.weeks import week_start

from .models import Hypothesis, HypothesisEvent, Kind, Status, Verdict
from .verdicts import Suggestion, numbers_verdict

BOARD_COLUMNS = [
    Status.IDEA,
    Status.READY,
    Status.TESTING,
    Status.INCONCLUSIVE,
    Status.CONFIRMED,
    Status.REFUTED,
    Status.ADOPTED,
    Status.DROPPED,
]
# A column shows its best cards; the rest come on request ("show all N"), so the page's work
# does not grow with a backlog nobody scrolls through.
BOARD_CARDS_PER_COLUMN = 12
# What a card's price in money reads (hypothesis_prices).
PRICE_FIELDS = ("baseline", "expected_value", "expected_multiplier")


def hypotheses_of(company: Company) -> QuerySet[Hypothesis]:
    return Hypothesis.objects.live().filter(company=company).select_related("metric", "constraint", "author")


@dataclass
class Column:
    status: str
    label: str
    cards: list["Row"]
    total: int


class Row(dict):
    """A light row of a list (a board card here, the sprints' board and results rows): built
    from one query's tuples instead of model instances; `row["title"]` in a template (a plain
    key lookup, where a model instance costs a failed `[]` and a getattr per lookup),
    `row.title` in Python."""

    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value


CARD_COLUMNS = ("pk", "title", "kind", "status", "ice", "constraint_id", "metric_id", "check_by", *PRICE_FIELDS)


# The board's cards: every live hypothesis of the business (narrowed by constraint and kind)
# ranked within its status by ICE, kept while its rank is within its column's cap (the expanded
# column's cap is its total), each with its column's total. One scan, no `pk IN (subquery)`
# (without fresh statistics PostgreSQL ran that as a loop over the whole backlog). Written once:
# the ORM built the window on every view.
_H = Hypothesis._meta
_BOARD_SQL = f"""
SELECT {", ".join(f"r.{_H.get_field(name).column}" for name in ("id", *CARD_COLUMNS[1:]))}, r.metric_name, r.total
FROM (
    SELECT h.*, m.name AS metric_name,
           row_number() OVER (PARTITION BY h.status ORDER BY h.ice DESC, h.id DESC) AS rank,
           count(*) OVER (PARTITION BY h.status) AS total
    FROM {_H.db_table} h LEFT JOIN {Metric._meta.db_table} m ON m.id = h.metric_id
    WHERE h.company_id = %(company)s AND h.archived_at IS NULL
      AND (%(constraint)s::bigint IS NULL OR h.constraint_id = %(constraint)s::bigint)
      AND (%(kind)s = '' OR h.kind = %(kind)s)
) r
WHERE r.rank <= CASE WHEN r.status = %(expanded)s THEN r.total ELSE %(per_column)s END
ORDER BY r.ice DESC, r.id DESC
"""


def board(
    company: Company,
    *,
    constraint_id: int | None = None,
    kind: str | None = None,
    expanded: str | None = None,
    per_column: int = BOARD_CARDS_PER_COLUMN,
) -> list[Column]:
    """Columns by status, ICE-ranked: the top `per_column` cards of each, and every card of
    the `expanded` column. One query whatever the backlog size (_BOARD_SQL): each card comes
    with its column's total."""
    params = {
        "company": company.pk,
        "constraint": constraint_id if constraint_id and constraint_id <= BIGINT_MAX else None,
        "kind": kind if kind in Kind.values else "",
        "expanded": expanded or "",
        "per_column": per_column,
    }
    with connection.cursor() as cursor:
        cursor.execute(_BOARD_SQL, params)
        rows = cursor.fetchall()
    totals = {values[3]: values[-1] for values in rows}  # every column with a card shows its first
    cards = [values[:-1] for values in rows]
    kinds = {value: str(label) for value, label in Kind.choices}
    detail = reverse("hypotheses:detail", args=[company.pk, 0])  # a card's links: its id in these
    prefix = detail.removesuffix("0/")
    move = reverse("hypotheses:transition", args=[company.pk, 0]).removeprefix(detail)
    by_status: dict[str, list[Row]] = {s: [] for s in BOARD_COLUMNS}
    today = timezone.localdate(timezone=company.tzinfo)
    for values in cards:
        card = Row(zip(CARD_COLUMNS, values[:-1], strict=True))
        card["overdue"] = is_past_check_by(card["status"], card["check_by"], today)
        card["metric"] = None if card["metric_id"] is None else {"name": values[-1]}
        card["kind_label"] = kinds.get(card["kind"], card["kind"])
        card["url"] = url = f"{prefix}{card['pk']}/"
        card["move_url"] = url + move
        by_status[card["status"]].append(card)
    return [Column(s, Status(s).label, by_status[s], totals.get(s, 0)) for s in BOARD_COLUMNS]


_CONSTRAINTS_SQL = f"SELECT * FROM {Constraint._meta.db_table} WHERE company_id = %s ORDER BY started_on DESC, id DESC"


def constraints_newest_first(company: Company) -> list[Constraint]:
    """Every main constraint the business has had, newest first: what the board filters by
    (a fixed statement: the board asks it on every view)."""
    constraints = list(Constraint.objects.raw(_CONSTRAINTS_SQL, [company.pk]))
    for constraint in constraints:
        constraint.company = company
    return constraints


def active_constraint_id(company: Company) -> int | None:
    return (
        Constraint.objects.filter(company=company, status=ConstraintStatus.ACTIVE).values_list("pk", flat=True).first()
    )


NUMERIC = re.compile(r"^-?\d+(\.\d+)?$")


def _readable(value):
    """“33.0000” → “33”: stored decimals read as people wrote them."""
    if isinstance(value, str) and NUMERIC.match(value):
        return format(Decimal(value).normalize(), "f")
    return value


def timeline(hypothesis: Hypothesis) -> list[HypothesisEvent]:
    """The events, newest first, each with `.diff`: (field label, old, new) for people."""
    events = list(hypothesis.events.select_related("actor").order_by("-at", "-pk"))
    for event in events:
        event.diff = []
        for name, pair in (event.changes or {}).items():
            try:
                label = Hypothesis._meta.get_field(name).verbose_name
            except Exception:
                label = name
            old, new = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
            event.diff.append((str(label).capitalize(), _readable(old), _readable(new)))
    return events


def test_window_values(hypothesis: Hypothesis, today: date | None = None) -> list[tuple[date, Decimal]]:
    """The metric's weekly values from the week testing started to the verdict (or now)."""
    if not (hypothesis.metric_id and hypothesis.testing_started_at):
        return []
    tz = hypothesis.company.tzinfo
    start = week_start(hypothesis.testing_started_at.astimezone(tz).date())
    end = (hypothesis.decided_at or timezone.now()).astimezone(tz).date()
    return list(
        MetricValue.objects.filter(metric_id=hypothesis.metric_id, week_start__gte=start, week_start__lte=end)
        .order_by("week_start")
        .values_list("week_start", "value")
    )


def verdict_suggestion(hypothesis: Hypothesis, measured: Decimal | None = None) -> Suggestion | None:
    """The suggested verdict from the pre-registered numbers and the test's measured value: the
    one logged for this test (results page, API), else the newest value of the metric in the test
    window (or a measured value the person typed). The session's verdict step reads the same."""
    if hypothesis.baseline is None or hypothesis.expected_value is None or hypothesis.metric is None:
        return None
    if measured is None:
        measured = hypothesis.measured_value
    if measured is None:
        values = test_window_values(hypothesis)
        measured = values[-1][1] if values else None
        if measured is None:
            return None
    return Suggestion(verdict=numbers_verdict(hypothesis, measured), measured=measured)


# --- History (screen 8) ------------------------------------------------------------------------


ARCHIVE_LIMIT = 200


def archived_hypotheses(company: Company) -> QuerySet[Hypothesis]:
    """The archive page: the most recently archived first."""
    return Hypothesis.objects.filter(company=company, archived_at__isnull=False).order_by("-archived_at")[
        :ARCHIVE_LIMIT
    ]


def history_constraints(company: Company) -> list[tuple[int, str]]:
    """The company's constraints, newest first, as (id, title) choices for the history filter."""
    return list(Constraint.objects.filter(company=company).values_list("pk", "title"))


_AUTHORS_SQL = f"""
SELECT u.id, u.full_name, u.email FROM {User._meta.db_table} u
WHERE u.id IN (
    SELECT m.user_id FROM {Membership._meta.db_table} m WHERE m.company_id = %s AND m.accepted_at IS NOT NULL
    UNION SELECT h.author_id FROM {Hypothesis._meta.db_table} h WHERE h.company_id = %s
)
ORDER BY u.full_name, u.email
"""


def history_authors(company: Company) -> list[tuple[int, str]]:
    """Everyone who could have written a hypothesis of the company (members who accepted, and
    former members who did), as (user id, name or e-mail) choices for the history filter."""
    with connection.cursor() as cursor:
        cursor.execute(_AUTHORS_SQL, [company.pk, company.pk])
        return [(pk, name or email) for pk, name, email in cursor.fetchall()]


@dataclass(frozen=True)
class HistoryFilters:
    status: str = ""
    kind: str = ""
    constraint_id: int | None = None
    author_id: int | None = None
    since: date | None = None
    until: date | None = None


def narrowed(queryset: QuerySet, **lookups) -> QuerySet:
    """The queryset filtered by each lookup a filter form was given a value for (an empty
    choice, no date: that lookup is left out)."""
    return queryset.filter(**{lookup: value for lookup, value in lookups.items() if value})


# The history's filters are lookups by their own names, but for the dates.
HISTORY_LOOKUPS = {"since": "created_at__date__gte", "until": "created_at__date__lte"}


def history(company: Company, filters: HistoryFilters) -> QuerySet[Hypothesis]:
    given = {HISTORY_LOOKUPS.get(name, name): value for name, value in vars(filters).items()}
    return narrowed(hypotheses_of(company).order_by("-created_at", "-pk"), **given)


@dataclass(frozen=True)
class HistoryStats:
    total: int
    decided: int
    confirmed: int
    win_rate: int | None  # percent of decided innovations that were confirmed
    against_numbers: int  # decided innovations whose verdict went against their numbers
    median_days_to_verdict: float | None


# The history's numbers over the filtered hypotheses (the statement the filters make, as its
# rows): win rate over decided innovations (breakthroughs are long shots: kept out), and the
# median time from the start of testing to the verdict, interpolated as statistics.median.
_STATS_SQL = """
SELECT count(*),
       count(*) FILTER (WHERE verdict = ANY(%s) AND kind = %s),
       count(*) FILTER (WHERE verdict = %s AND kind = %s),
       count(*) FILTER (WHERE verdict = ANY(%s) AND kind = %s AND against_numbers_reason <> ''),
       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY decided_at - testing_started_at)
           FILTER (WHERE verdict = ANY(%s) AND decided_at IS NOT NULL AND testing_started_at IS NOT NULL)
FROM ({rows}) AS h
"""


def history_stats(queryset: QuerySet[Hypothesis]) -> HistoryStats:
    """The numbers above the history (_STATS_SQL) of the hypotheses `queryset` filters. One
    query: the filters' statement is built by the ORM, the numbers over it are written once."""
    rows = queryset.order_by().values("kind", "verdict", "against_numbers_reason", "decided_at", "testing_started_at")
    rows_sql, rows_params = rows.query.sql_with_params()
    decided, innovation = list(Verdict.values), Kind.INNOVATION.value
    numbers = [decided, innovation, Verdict.CONFIRMED.value, innovation, decided, innovation, decided]
    with connection.cursor() as cursor:
        cursor.execute(_STATS_SQL.format(rows=rows_sql), [*numbers, *rows_params])
        total, decided_count, confirmed, against, median = cursor.fetchone()
    win_rate = round(100 * confirmed / decided_count) if decided_count else None
    return HistoryStats(
        total=total,
        decided=decided_count,
        confirmed=confirmed,
        win_rate=win_rate,
        against_numbers=against,
        median_days_to_verdict=None if median is None else round(median.total_seconds() / 86400, 1),
    )


def is_past_check_by(status: str, check_by: date | None, today: date) -> bool:
    """Under test past the date by which it had to show a result."""
    return status == Status.TESTING and check_by is not None and today > check_by


def past_check_by(hypothesis: Hypothesis, today: date) -> bool:
    return is_past_check_by(hypothesis.status, hypothesis.check_by, today)


def test_warning(hypothesis: Hypothesis, today: date | None = None) -> str | None:
    """What the hypothesis page warns of: a breakthrough past its kill date or over its budget
    cap, then any test past its check date."""
    today = today or timezone.localdate(timezone=hypothesis.company.tzinfo)
    if hypothesis.kind == Kind.BREAKTHROUGH and hypothesis.status in {Status.READY, Status.TESTING}:
        if hypothesis.kill_date and today > hypothesis.kill_date:
            return "past_kill_date"
        if hypothesis.budget_cap is not None and hypothesis.spent > hypothesis.budget_cap:
            return "over_budget"
    if past_check_by(hypothesis, today):
        return "past_check_by"
    return None


def hypothesis_prices(company: Company, hypotheses) -> dict[int, toolkit.Price]:
    """Each hypothesis's ΔCM per period if it comes true, for those whose metric is mapped
    to a unit-economics input: one query whatever the count (the business's inputs)."""
    candidates = [h for h in hypotheses if h.metric_id]
    if not candidates:
        return {}
    mapped = toolkit.mapped_inputs(company)
    prices = {}
    for h in candidates:
        price = toolkit.price_of(
            mapped,
            metric_id=h.metric_id,
            baseline=h.baseline,
            expected_value=h.expected_value,
            expected_multiplier=h.expected_multiplier,
        )
        if price is not None:
            prices[h.pk] = price
    return prices


# The hypotheses (not archived) on some metrics that were under test, and still are or were
# decided from an instant on, in the order their tests started.
_MARKERS_SQL = f"""
SELECT id, company_id, metric_id, title, verdict, testing_started_at, decided_at
FROM {Hypothesis._meta.db_table}
WHERE metric_id = ANY(%s) AND archived_at IS NULL AND testing_started_at IS NOT NULL
  AND (decided_at IS NULL OR decided_at >= %s)
ORDER BY testing_started_at
"""


def markers_of_tests(metric_ids: list[int], since: date) -> dict[int, list[Marker]]:
    """Chart markers (passed to the core's charts by the pages that show them): the weeks each
    hypothesis on these metrics was under test, with its verdict and page. One query."""
    # Decided on `since` or later, in the current time zone: compared with the instant the day
    # starts, not by converting each row's time to a date.
    day_start = datetime.combine(since, time.min, tzinfo=timezone.get_current_timezone())
    with connection.cursor() as cursor:
        cursor.execute(_MARKERS_SQL, [list(metric_ids), day_start])
        rows = cursor.fetchall()
    today = timezone.now().date()
    labels = {"": str(Status.TESTING.label)} | {value: str(label) for value, label in Verdict.choices}  # once
    prefixes: dict[int, str] = {}
    markers: dict[int, list[Marker]] = {}
    for pk, company_id, metric_id, title, verdict, started, decided in rows:
        if company_id not in prefixes:
            prefixes[company_id] = reverse("hypotheses:detail", args=[company_id, 0]).removesuffix("0/")
        markers.setdefault(metric_id, []).append(
            Marker(
                start=started.date(),
                end=decided.date() if decided else today,
                verdict=verdict,
                verdict_label=labels[verdict],
                title=title,
                url=f"{prefixes[company_id]}{pk}/",
            )
        )
    return markers
