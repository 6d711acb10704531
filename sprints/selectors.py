"""Reads for the planning board, the results page and the weekly session."""

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from hypotheses.models import OPEN_STATUSES, Hypothesis, Verdict
from hypotheses.models import Status as HypothesisStatus
from hypotheses.selectors import Row, past_check_by
from hypotheses.verdicts import numbers_verdict
from tracking.db import aliased_columns, instance_beside
from tracking.models import (
    Company,
    Constraint,
    ConstraintStatus,
    Membership,
    Metric,
    MetricValue,
    User,
    member_name,
    member_name_order,
)
from tracking.selectors import metric_order_sql
from tracking.weeks import current_week_start

from .models import RESOLVED_ACTION_STATUSES, Action, ActionStatus, Review, Sprint, SprintStatus


def sprints_of(company: Company, limit: int = 60) -> list[Sprint]:
    return list(
        Sprint.objects.filter(company=company, archived_at__isnull=True)
        .select_related("focus")
        .order_by("-starts_on", "-pk")[:limit]
    )


# The sprint the week is about, with its focus and its review beside it: a statement of fixed
# shape, written once rather than built by the ORM on every results and session view.
_CURRENT_SQL = f"""
SELECT s.*, {aliased_columns(Constraint, "f", "focus__")}, {aliased_columns(Review, "r", "review__")}
FROM {Sprint._meta.db_table} s
LEFT JOIN {Constraint._meta.db_table} f ON f.id = s.focus_id
LEFT JOIN {Review._meta.db_table} r ON r.sprint_id = s.id
WHERE s.company_id = %s AND s.archived_at IS NULL AND s.status IN (%s, %s)
ORDER BY s.starts_on DESC
LIMIT 1
"""


def current_sprint(company: Company) -> Sprint | None:
    """The sprint the week is about: the active one, else the one in review, with its focus and
    its review (the session's step and notes; `sprint.review` raises when there is none)."""
    found = list(Sprint.objects.raw(_CURRENT_SQL, [company.pk, SprintStatus.ACTIVE, SprintStatus.REVIEW]))
    if not found:
        return None
    sprint = found[0]
    sprint.company = company
    sprint.focus = None if sprint.focus_id is None else instance_beside(sprint, Constraint, "focus__")
    review = None if sprint.review__id is None else instance_beside(sprint, Review, "review__")
    Sprint.review.related.set_cached_value(sprint, review)  # None: sprint.review raises, no query
    if review is not None:
        review.sprint = sprint
    return sprint


def next_sprint(company: Company, after: Sprint | None) -> Sprint | None:
    qs = Sprint.objects.filter(company=company, archived_at__isnull=True, status=SprintStatus.PLANNED)
    if after:
        qs = qs.filter(starts_on__gt=after.starts_on)
    return qs.order_by("starts_on").first()


def sprint_actions(sprint: Sprint) -> list[Action]:
    return list(
        sprint.actions.select_related("owner__user", "hypothesis", "carried_over_from__sprint", "carried_to").order_by(
            "owner_id", "pk"
        )
    )


def board_row(action_id: int) -> Row:
    """One action as a board row shows it (the row an edit answers with): row_actions' light
    row. One query."""
    return _light_rows(Action.objects.filter(pk=action_id).values_list(*ROW_COLUMNS))[0]


def log_row(action_id: int) -> Action:
    """One action as a results row shows it (the row a log POST answers with)."""
    return Action.objects.select_related("owner__user", "hypothesis").get(pk=action_id)


def results_tally(sprint: Sprint | None) -> tuple[int, int]:
    """(logged, total) actions of the sprint: the counters above the results. One query."""
    if sprint is None:
        return 0, 0
    counts = sprint.actions.aggregate(
        logged=Count("pk", filter=Q(status__in=RESOLVED_ACTION_STATUSES)), total=Count("pk")
    )
    return counts["logged"], counts["total"]


def focus_constraint(company: Company) -> Constraint | None:
    """The business's main constraint (the active one) alone, without its why-chain."""
    return Constraint.objects.filter(company=company, status=ConstraintStatus.ACTIVE).first()


def session_review(sprint: Sprint | None) -> Review | None:
    if sprint is None:
        return None
    return Review.objects.filter(sprint=sprint).first()


def closing_problems(
    sprint: Sprint, *, open_actions: int | None = None, undecided_titles: list[str] | None = None
) -> list[str]:
    """What stops the sprint from closing. Pages that already loaded the actions and the
    hypotheses pass the numbers in, so no extra queries are made."""
    if open_actions is None:
        open_actions = sprint.actions.exclude(status__in=[ActionStatus.DONE, ActionStatus.NOT_DONE]).count()
    if undecided_titles is None:
        kept = Review.kept_in_test.through.objects.filter(review__sprint=sprint).values("hypothesis_id")
        undecided_titles = list(
            Hypothesis.objects.live()
            .filter(company_id=sprint.company_id, status=HypothesisStatus.TESTING)
            .exclude(pk__in=kept)
            .values_list("title", flat=True)
        )
    problems = []
    if open_actions:
        problems.append(
            _("%(count)s action(s) still to resolve: done, not done, or carried over") % {"count": open_actions}
        )
    if undecided_titles:
        problems.append(
            _("hypotheses under test need a verdict or “keep testing”: %(titles)s")
            % {"titles": ", ".join(f"“{t}”" for t in undecided_titles[:5])}
        )
    return problems


def members(company: Company, *, only: list[int] | None = None) -> list[Membership]:
    """The company's members with their users (`only`: these of them)."""
    memberships = Membership.objects.filter(company=company)
    if only is not None:
        memberships = memberships.filter(pk__in=only)
    return list(memberships.select_related("user").order_by(member_name_order(), "pk"))


HYPOTHESIS_PAGE = 10


def _open_hypotheses_focus_first(company: Company):
    """Open, live hypotheses of the company, those on its active constraint first, then by ICE."""
    on_focus = Case(When(constraint__status="active", then=Value(1)), default=Value(0), output_field=IntegerField())
    return (
        Hypothesis.objects.live()
        .filter(company=company, status__in=[s.value for s in OPEN_STATUSES])
        .annotate(on_focus=on_focus)
        .order_by("-on_focus", "-ice", "-pk")
    )


def hypothesis_search(company: Company, *, query: str = "", offset: int = 0) -> tuple[list[Hypothesis], bool]:
    """One page of open hypotheses matching `query` for the "tests the hypothesis" field, and
    whether there are more. One query."""
    qs = _open_hypotheses_focus_first(company)
    if query:
        qs = qs.filter(title__icontains=query)
    rows = list(qs[offset : offset + HYPOTHESIS_PAGE + 1])
    return rows[:HYPOTHESIS_PAGE], len(rows) > HYPOTHESIS_PAGE


def hypothesis_fallback(company: Company) -> list[Hypothesis]:
    """The choices of the plain select (no JavaScript): the open hypotheses of the active
    constraint, a bounded few. One query."""
    return list(_open_hypotheses_focus_first(company).filter(constraint__status="active")[:HYPOTHESIS_PAGE])


def open_hypothesis(company: Company, hypothesis_id) -> Hypothesis | None:
    return _open_hypotheses_focus_first(company).filter(pk=hypothesis_id).first()


TESTING_COLUMNS = ("pk", "title", "metric_id", "baseline", "expected_value", "measured_value")


# The hypotheses under test (the first 100 by ICE) with the columns the results rows read and
# their metric's name: a statement of fixed shape, written once.
_TESTING_SQL = f"""
SELECT h.id, {", ".join(f"h.{Hypothesis._meta.get_field(name).column}" for name in TESTING_COLUMNS[1:])}, m.name
FROM {Hypothesis._meta.db_table} h LEFT JOIN {Metric._meta.db_table} m ON m.id = h.metric_id
WHERE h.company_id = %s AND h.status = %s AND h.archived_at IS NULL
ORDER BY h.ice DESC, h.id DESC
LIMIT 100
"""


def testing_rows(company: Company) -> list[Row]:
    """The hypotheses under test (the first 100 by ICE) as the results page's rows: light rows
    (Row) of the columns they read, `metric` being {"name": …} or None. One query."""
    rows = []
    with connection.cursor() as cursor:
        cursor.execute(_TESTING_SQL, [company.pk, HypothesisStatus.TESTING.value])
        for values in cursor.fetchall():
            row = Row(zip(TESTING_COLUMNS, values[:-1], strict=True))
            row["metric"] = None if row["metric_id"] is None else Row(name=values[-1])
            rows.append(row)
    return rows


# The business's metrics in their order (Metric.Meta.ordering), each with its value of one week.
_METRICS_WEEK_SQL = f"""
SELECT m.*, (
    SELECT v.value FROM {MetricValue._meta.db_table} v WHERE v.metric_id = m.id AND v.week_start = %s
) AS this_week
FROM {Metric._meta.db_table} m
WHERE m.company_id = %s {{only}}
ORDER BY {metric_order_sql("m")}
"""


def metrics_with_this_week(company: Company, *, only: int | None = None) -> list[Metric]:
    """The company's metrics (`only`: that one), each with `.this_week`: the value for the
    current local week, or None. One query."""
    params = [current_week_start(company), company.pk]
    sql = _METRICS_WEEK_SQL.format(only="AND m.id = %s" if only is not None else "")
    metrics = list(Metric.objects.raw(sql, [*params, only] if only is not None else params))
    for metric in metrics:
        metric.company = company  # each metric's company is this one, not read again
    return metrics


# --- Rows as the board and the results page show them -----------------------------------------
# Rows are light (Row): a dictionary per action built from one query's tuples, not three or four
# model instances per row, under the names an Action has; as_row makes one of an Action (a row
# answered alone). The views add the words a row shows (sprints/views/results.py dressed).
ROW_COLUMNS = (
    "pk",
    "sprint_id",
    "title",
    "owner_id",
    "estimate_hours",
    "cost",
    "spent",
    "hypothesis_id",
    "status",
    "result_note",
    "why_not_note",
    "version",
    "owner__user__full_name",
    "owner__user__email",
    "owner__accepted_at",
    "owner__invited_name",
    "hypothesis__title",
    "carried_over_from__sprint__number",
    "carried_over_from__why_not_note",
)
ROW_OWN = ROW_COLUMNS[:12]  # the action's own columns, kept under their names

# ROW_COLUMNS of a sprint's actions in sprint_actions' order: the statement the ORM would build
# from them on every board and results view, written once. The owner and the action carried
# over are each a lateral lookup and the hypothesis's title a subquery, rather than five joins:
# the planner then weighs one join order, not dozens (planning 0.49 → 0.30 ms, longer than the
# execution at a board's size).
_ROWS_SQL = f"""
SELECT a.id, {", ".join(f"a.{Action._meta.get_field(name).column}" for name in ROW_OWN[1:])},
       o.full_name, o.email, o.accepted_at, o.invited_name,
       (SELECT h.title FROM {Hypothesis._meta.db_table} h WHERE h.id = a.hypothesis_id),
       c.number, c.why_not_note
FROM {Action._meta.db_table} a
LEFT JOIN LATERAL (
    SELECT u.full_name, u.email, m.accepted_at, m.invited_name
    FROM {Membership._meta.db_table} m LEFT JOIN {User._meta.db_table} u ON u.id = m.user_id
    WHERE m.id = a.owner_id
) o ON true
LEFT JOIN LATERAL (
    SELECT cs.number, x.why_not_note
    FROM {Action._meta.db_table} x JOIN {Sprint._meta.db_table} cs ON cs.id = x.sprint_id
    WHERE x.id = a.carried_over_from_id
) c ON true
WHERE a.sprint_id = %s
ORDER BY a.owner_id, a.id
"""


def row_actions(sprint: Sprint) -> list[Row]:
    """The sprint's actions as board and results rows show them (sprint_actions' order, only
    the columns the rows and the capacity card read), as light rows. One query."""
    with connection.cursor() as cursor:
        cursor.execute(_ROWS_SQL, [sprint.pk])
        return _light_rows(cursor.fetchall())


def _light_rows(values_of_rows) -> list[Row]:
    """Light rows of tuples of ROW_COLUMNS."""
    rows = []
    resolved = RESOLVED_ACTION_STATUSES
    carried_label = {}
    for values in values_of_rows:
        own = len(ROW_OWN)
        row = Row(zip(ROW_OWN, values[:own], strict=True))
        full_name, email, accepted_at, invited_name, hypothesis_title, carried_number, carried_why_not = values[own:]
        if row["owner_id"] is None:
            row["owner"] = None
        else:
            accepted = accepted_at is not None
            name = member_name(accepted=accepted, invited_name=invited_name, full_name=full_name, email=email)
            row["owner"] = {"user": name}
        row["hypothesis"] = None if row["hypothesis_id"] is None else {"title": hypothesis_title}
        if carried_number is None:
            row["carried_over_from"] = None
        else:
            label = carried_label.get(carried_number)
            if label is None:
                label = carried_label[carried_number] = str(Sprint(number=carried_number))
            row["carried_over_from"] = {"sprint": label, "why_not_note": carried_why_not}
        row["is_resolved"] = row["status"] in resolved
        row["form"] = None
        row["can_log"] = False
        rows.append(row)
    return rows


def capacity_rows(sprint: Sprint) -> list[Row]:
    """The sprint's actions with only what the capacity card adds up (owner, hours, cost), as
    light rows. One query, no join."""
    columns = ("owner_id", "estimate_hours", "cost")
    return [Row(zip(columns, values, strict=True)) for values in sprint.actions.values_list(*columns)]


def as_row(action: Action) -> Row:
    """An Action instance as a light row (a row answered alone): what row_actions gives, read
    from the instance and what its selector loaded (a sprint it was carried over from only when
    that was loaded: the results row does not show it)."""
    row = Row(zip(ROW_OWN, (getattr(action, name) for name in ROW_OWN), strict=True))
    row["owner"] = None if action.owner_id is None else {"user": action.owner.name}
    row["hypothesis"] = None if action.hypothesis_id is None else {"title": action.hypothesis.title}
    carried = action.carried_over_from_id is not None and Action.carried_over_from.is_cached(action)
    row["carried_over_from"] = (
        {"sprint": str(action.carried_over_from.sprint), "why_not_note": action.carried_over_from.why_not_note}
        if carried
        else None
    )
    row["is_resolved"] = action.is_resolved
    row["form"] = None
    row["can_log"] = False
    return row


def hypothesis_fallback_titles(company: Company) -> list[Hypothesis]:
    """hypothesis_fallback's choices (the active constraint's open hypotheses, by ICE) with
    only what the plain select shows: no ordering expression, the id and title. One query."""
    return list(
        Hypothesis.objects.live()
        .filter(company=company, status__in=[s.value for s in OPEN_STATUSES], constraint__status="active")
        .only("pk", "title")
        .order_by("-ice", "-pk")[:HYPOTHESIS_PAGE]
    )


# --- The weekly session: only the columns its rows show, so cost follows the rows shown -------

# What a session row, the capacity bars and the carry-over read of an action: its owner's name
# comes from the page's members, so neither the membership nor the user is joined. The row's own
# columns (ROW_OWN) and where it was carried over from.
SESSION_ACTION_FIELDS = (*(name for name in ROW_OWN if name != "pk"), "carried_over_from_id")


def session_actions(
    sprint: Sprint, *, only: int | None = None, statuses: Collection[str] | None = None
) -> list[Action]:
    """The sprint's actions as the session page shows them (sprint_actions' order), each with
    `hypothesis_title`, `is_carried` (carried over to a later sprint already) and
    `carried_why_not` (why the action it was carried over from was not done); `only`: that
    action as a results row shows it alone (with its owner, without what carrying over reads);
    `statuses`: those not carried over yet with these statuses (what may be carried over). One
    query."""
    if only is not None:  # a results row alone: its owner named from it, nothing of carrying over
        return _session_action(sprint, only)
    actions = sprint.actions.only(*SESSION_ACTION_FIELDS).annotate(hypothesis_title=F("hypothesis__title"))
    carried = Action.objects.filter(carried_over_from=OuterRef("pk"))
    actions = actions.annotate(is_carried=Exists(carried), carried_why_not=F("carried_over_from__why_not_note"))
    if statuses is not None:
        actions = actions.filter(status__in=statuses, is_carried=False)
    return list(actions.order_by("owner_id", "pk"))


# One action as a results row of the session shows it alone (session_actions' `only`), with
# its hypothesis's title and its owner (membership and user) beside it: written once.
_SESSION_ACTION_SQL = f"""
SELECT a.id, {", ".join(f"a.{Action._meta.get_field(name).column}" for name in SESSION_ACTION_FIELDS)},
       h.title AS hypothesis_title,
       {aliased_columns(Membership, "m", "owner__")}, {aliased_columns(User, "u", "owner__user__")}
FROM {Action._meta.db_table} a
LEFT JOIN {Hypothesis._meta.db_table} h ON h.id = a.hypothesis_id
LEFT JOIN {Membership._meta.db_table} m ON m.id = a.owner_id
LEFT JOIN {User._meta.db_table} u ON u.id = m.user_id
WHERE a.sprint_id = %s AND a.id = %s
"""


def _session_action(sprint: Sprint, pk: int) -> list[Action]:
    actions = list(Action.objects.raw(_SESSION_ACTION_SQL, [sprint.pk, pk]))
    for action in actions:
        action.sprint = sprint
        if action.owner_id is not None:
            action.owner = instance_beside(action, Membership, "owner__")
            action.owner.user = instance_beside(action, User, "owner__user__")
        else:
            action.owner = None
    return actions


_SESSION_HYPOTHESIS_FIELDS = (
    "id",
    "company_id",
    "title",
    "metric_id",
    "baseline",
    "expected_value",
    "measured_value",
    "success_criteria",
    "status",
    "check_by",
)

# The hypotheses under test as the verdict step reads them, with the metric's newest weekly value
# from the week the test started (in the business's time zone) to the sprint's end, and whether
# this sprint's review kept each in test. A statement of fixed shape, written once: the ORM's
# (two subqueries, a week truncated in a time zone) cost more to build than the step's rows.
_SESSION_HYPOTHESES_SQL = f"""
SELECT {", ".join(f"h.{Hypothesis._meta.get_field(name).column}" for name in _SESSION_HYPOTHESIS_FIELDS)},
       m.name AS metric_name, m.higher_is_better AS metric_higher_is_better,
       (SELECT v.value FROM {MetricValue._meta.db_table} v
        WHERE v.metric_id = h.metric_id
          AND v.week_start >= date_trunc('week', h.testing_started_at AT TIME ZONE %(zone)s)::date
          AND v.week_start <= %(ends_on)s
        ORDER BY v.week_start DESC LIMIT 1) AS window_value,
       EXISTS (SELECT 1 FROM {Review.kept_in_test.through._meta.db_table} k
               JOIN {Review._meta.db_table} r ON r.id = k.review_id
               WHERE r.sprint_id = %(sprint)s AND k.hypothesis_id = h.id) AS kept
FROM {Hypothesis._meta.db_table} h LEFT JOIN {Metric._meta.db_table} m ON m.id = h.metric_id
WHERE h.company_id = %(company)s AND h.archived_at IS NULL AND h.status = %(testing)s
  AND (%(only)s::bigint IS NULL OR h.id = %(only)s::bigint)
ORDER BY h.ice DESC, h.id DESC
LIMIT 100
"""


def session_hypotheses(company, sprint: Sprint, only: int | None = None) -> list[Hypothesis]:
    """The hypotheses under test as the verdict step shows them (`only`: that one, a row
    answered alone), each with `measured_shown` (the value logged for this test, else the
    metric's newest value in the test window up to the sprint's end: `measured_source` says
    which; hypotheses.selectors.verdict_suggestion reads the same), `suggested` (the verdict
    the pre-registered numbers give, by the code of the hypothesis page), `overdue` (past its
    check date) and `kept` (kept in test at this sprint's review). One query."""
    params = {
        "zone": company.timezone,
        "ends_on": sprint.ends_on,
        "sprint": sprint.pk,
        "company": company.pk,
        "testing": HypothesisStatus.TESTING.value,
        "only": only,
    }
    hypotheses = list(Hypothesis.objects.raw(_SESSION_HYPOTHESES_SQL, params))
    today = timezone.localdate(timezone=company.tzinfo)
    for h in hypotheses:
        if h.metric_id is not None:  # the metric as .only() would have read it, for numbers_verdict
            names = ["id", "name", "higher_is_better"]
            h.metric = Metric.from_db(h._state.db, names, [h.metric_id, h.metric_name, h.metric_higher_is_better])
        if h.measured_value is not None:
            h.measured_shown, h.measured_source = h.measured_value, "logged"
        else:
            h.measured_shown, h.measured_source = h.window_value, "metric" if h.window_value is not None else ""
        h.suggested = numbers_verdict(h, h.measured_shown)
        h.overdue = past_check_by(h, today)
    return hypotheses


# --- The session's page after the close ---------------------------------------------------------


def closed_sprint(company: Company, sprint_id: int | None) -> Sprint | None:
    """A closed sprint of this business, or None."""
    if sprint_id is None:
        return None
    return (
        Sprint.objects.select_related("company", "review")
        .filter(pk=sprint_id, company=company, status=SprintStatus.CLOSED)
        .first()
    )


def sprint_after(sprint: Sprint) -> Sprint | None:
    """The sprint that follows `sprint`, whatever its status (planned, or started already)."""
    return (
        Sprint.objects.filter(company_id=sprint.company_id, archived_at__isnull=True, starts_on__gt=sprint.starts_on)
        .order_by("starts_on")
        .first()
    )


@dataclass(frozen=True)
class ClosedSummary:
    actions: int
    done: int
    hours: Decimal
    hours_done: Decimal
    verdicts: list  # (the verdict's label, how many hypotheses got it), while it ran and at its review


def closed_summary(sprint: Sprint) -> ClosedSummary:
    """What the closed sprint gave: actions and hours done, the verdicts given while it ran
    and at its review. Two queries."""
    numbers = sprint.actions.aggregate(
        actions=Count("pk"),
        done=Count("pk", filter=Q(status=ActionStatus.DONE)),
        hours=Sum("estimate_hours"),
        hours_done=Sum("estimate_hours", filter=Q(status=ActionStatus.DONE)),
    )
    since = sprint.started_at or sprint.created_at
    until = sprint.closed_at or timezone.now()
    decided = (
        Hypothesis.objects.filter(company_id=sprint.company_id, decided_at__gte=since, decided_at__lte=until)
        .values("verdict")
        .annotate(n=Count("pk"))
    )
    return ClosedSummary(
        actions=numbers["actions"],
        done=numbers["done"],
        hours=numbers["hours"] or Decimal(0),
        hours_done=numbers["hours_done"] or Decimal(0),
        verdicts=[(Verdict(row["verdict"]).label, row["n"]) for row in decided if row["verdict"]],
    )
