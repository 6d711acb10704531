"""The weekly session, one service per step: go to a step, the results of all actions, the
verdicts, the week's metric values, confirm the main constraint, plan the next sprint (carry
over and add actions), close (and start the next). Each checks the right, opens its own
transaction and begins the session if it has not begun (the sprint goes into review), so a
view calls exactly one of them.

A step that saves several rows saves all of them or none: every row is tried (each in its own
savepoint, so every refused row is named), and if any is refused the step raises `RowsRefused`
with each row's error and the whole step rolls back."""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DateField, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext as _

from hypotheses.models import Hypothesis, Status, Verdict
from hypotheses.selectors import past_check_by
from hypotheses.services import hypothesis_decide
from hypotheses.verdicts import numbers_verdict
from tracking.access import ensure_can
from tracking.models import Constraint, Membership, Metric, MetricValue
from tracking.roles import Permission
from tracking.toolkit.services import value_record

from . import selectors
from .capacity import available_hours
from .models import Action, ActionStatus, Review, SessionStep, Sprint, SprintStatus
from .services import (
    action_add,
    action_log,
    actions_carry_over,
    default_dates,
    session_begin,
    sprint_close,
    sprint_plan,
    sprint_start,
)

KEEP_TESTING = "keep"


def _review_save(review: Review, **fields) -> Review:
    if review.sprint.status == SprintStatus.CLOSED:
        raise ValidationError(_("This sprint is closed; its review is kept as it was."))
    if "step" in fields and fields["step"] not in SessionStep.values:
        raise ValidationError(_("Unknown step."))
    for name, value in fields.items():
        setattr(review, name, value)
    review.full_clean()
    review.save()
    return review


@transaction.atomic
def session_go_to(*, sprint: Sprint, by: Membership, step: str | None = None) -> Review:
    """Begin the session, or move to a step; the step is remembered, so coming back resumes there."""
    review = session_begin(sprint=sprint, by=by)
    if step:
        _review_save(review, step=step)
    return review


@transaction.atomic
def session_verdict(
    *,
    sprint: Sprint,
    by: Membership,
    hypothesis: Hypothesis,
    decision: str,
    measured: Decimal | None = None,
    note: str = "",
    against_reason: str = "",
) -> Review:
    """A hypothesis under test gets its verdict, or is kept in test on purpose (`decision="keep"`).
    A verdict against the numbers needs its reason (hypotheses.services.hypothesis_decide)."""
    ensure_can(by, Permission.EDIT_HYPOTHESIS)
    review = session_begin(sprint=sprint, by=by)
    if hypothesis.company_id != sprint.company_id:
        raise ValidationError(_("Pick a hypothesis of this business."))
    if decision == KEEP_TESTING:
        review.kept_in_test.add(hypothesis)
        return review
    if measured is None:
        raise ValidationError({"measured": _("Enter the measured value.")})
    hypothesis_decide(
        hypothesis=hypothesis, by=by, verdict=decision, measured=measured, note=note, against_reason=against_reason
    )
    return review


@transaction.atomic
def session_constraint(*, sprint: Sprint, by: Membership, still_main: bool) -> Review:
    """Is the main constraint still the main one? Yes moves on to planning; no stays on this
    step while the tracker names the new one."""
    review = session_begin(sprint=sprint, by=by)
    step = SessionStep.PLAN if still_main else SessionStep.CONSTRAINT
    return _review_save(review, constraint_confirmed=still_main, step=step)


class RowsRefused(ValidationError):
    """Rows of a step were refused, so nothing of the step was saved. `rows` maps each refused
    row's key (an action's, hypothesis's or metric's id, a new row's number) to its error."""

    def __init__(self, rows: dict):
        super().__init__(_("Nothing was saved: fix the rows marked below and save again."))
        self.rows = rows


def _each_row(rows: Iterable[tuple], save) -> None:
    refused = {}
    for key, row in rows:
        try:
            with transaction.atomic():
                save(row)
        except ValidationError as error:
            refused[key] = error
    if refused:
        raise RowsRefused(refused)


_ORDER = list(SessionStep.values)


def _advance(review: Review, to: str) -> Review:
    """Move the session on to `to`, never back: saving an earlier step again keeps the place."""
    if _ORDER.index(to) > _ORDER.index(review.step):
        _review_save(review, step=to)
    return review


@dataclass(frozen=True)
class ResultRow:
    action: Action
    status: str
    result_note: str = ""
    why_not_note: str = ""
    version: int | None = None

    @property
    def changed(self) -> bool:
        action = self.action
        return (self.status, self.result_note.strip(), self.why_not_note.strip()) != (
            action.status,
            action.result_note,
            action.why_not_note,
        )


@transaction.atomic
def session_results(*, sprint: Sprint, by: Membership, rows: Sequence[ResultRow], advance: bool = True) -> Review:
    """What was done, and why not, for several actions at once; rows that did not change are
    left alone (their version stays). Then on to the verdicts."""
    review = session_begin(sprint=sprint, by=by)

    def save(row: ResultRow):
        if row.action.sprint_id != sprint.pk:
            raise ValidationError(_("This action is not in the sprint under review."))
        action_log(
            action=row.action,
            by=by,
            status=row.status,
            result_note=row.result_note,
            why_not_note=row.why_not_note,
            expected_version=row.version,
        )

    _each_row(((row.action.pk, row) for row in rows if row.changed), save)
    return _advance(review, SessionStep.VERDICTS) if advance else review


@dataclass(frozen=True)
class VerdictRow:
    hypothesis: Hypothesis
    decision: str = ""  # "" = no decision in this submit
    measured: Decimal | None = None
    note: str = ""
    against_reason: str = ""


@transaction.atomic
def session_verdicts(*, sprint: Sprint, by: Membership, rows: Sequence[VerdictRow], advance: bool = True) -> Review:
    """Verdicts (or "keep testing") for several hypotheses at once, each by the rules of
    `session_verdict`: a verdict needs the measured value. Then on to the metrics."""
    ensure_can(by, Permission.EDIT_HYPOTHESIS)
    review = session_begin(sprint=sprint, by=by)

    def save(row: VerdictRow):
        session_verdict(
            sprint=sprint,
            by=by,
            hypothesis=row.hypothesis,
            decision=row.decision,
            measured=row.measured,
            note=row.note,
            against_reason=row.against_reason,
        )

    _each_row(((row.hypothesis.pk, row) for row in rows if row.decision), save)
    return _advance(review, SessionStep.METRICS) if advance else review


@dataclass(frozen=True)
class MetricRow:
    metric: Metric
    value: Decimal | None  # None: nothing entered
    current: Decimal | None = None  # this week's value as the page showed it


@transaction.atomic
def session_metrics(*, sprint: Sprint, by: Membership, rows: Sequence[MetricRow], advance: bool = True) -> Review:
    """This week's values of several metrics at once (a blank or unchanged value is left
    alone). Then on to the main constraint."""
    ensure_can(by, Permission.EDIT_PLANNING)
    review = session_begin(sprint=sprint, by=by)

    def save(row: MetricRow):
        if row.metric.company_id != sprint.company_id:
            raise ValidationError(_("Pick a metric of this business."))
        value_record(metric=row.metric, by=by, value=row.value)

    wanted = (row for row in rows if row.value is not None and row.value != row.current)
    _each_row(((row.metric.pk, row) for row in wanted), save)
    return _advance(review, SessionStep.CONSTRAINT) if advance else review


@dataclass(frozen=True)
class NewAction:
    title: str
    owner: Membership | None
    estimate_hours: Decimal
    cost: Decimal | None = None


@transaction.atomic
def session_plan(
    *,
    sprint: Sprint,
    by: Membership,
    carry: Collection[int] = (),
    new_actions: Sequence[tuple[int, NewAction]] = (),
) -> Sprint:
    """Plan the next sprint unless one is planned (default dates; its focus is the business's
    active main constraint, not this sprint's, which may have been resolved since), carry the
    chosen unfinished actions into it and add the new actions (keyed by their row). Returns
    the next sprint."""
    review = session_begin(sprint=sprint, by=by)
    upcoming = selectors.next_sprint(sprint.company, sprint)
    if upcoming is None:
        start, end = default_dates(sprint.company, after=sprint.ends_on)
        focus = Constraint.objects.filter(company_id=sprint.company_id, status="active").first()
        upcoming = sprint_plan(by=by, starts_on=start, ends_on=end, focus=focus)
    if carry:
        actions_carry_over(actions=list(sprint.actions.filter(pk__in=carry)), to_sprint=upcoming, by=by)

    def add(row: NewAction):
        action_add(
            sprint=upcoming, by=by, title=row.title, owner=row.owner, estimate_hours=row.estimate_hours, cost=row.cost
        )

    _each_row(new_actions, add)
    _review_save(review, step=SessionStep.PLAN)
    return upcoming


@transaction.atomic
def session_start_next(*, closed: Sprint, by: Membership, override_reason: str = "") -> Sprint:
    """After the close: start the sprint planned after the closed one (with the tracker's
    written reason when it does not fit)."""
    if closed.status != SprintStatus.CLOSED:
        raise ValidationError(_("Close the sprint under review first."))
    upcoming = selectors.next_sprint(closed.company, closed)
    if upcoming is None:
        raise ValidationError(_("No sprint is planned after %(sprint)s.") % {"sprint": closed})
    return sprint_start(sprint=upcoming, by=by, override_reason=override_reason)


# --- Reads for the session page: only the columns its rows show, so cost follows the rows shown ---

# What a session row, the capacity bars and the carry-over read of an action: its owner's name
# comes from the page's members, so neither the membership nor the user is joined. The row's own
# columns (selectors.ROW_OWN) and where it was carried over from.
SESSION_ACTION_FIELDS = (*(name for name in selectors.ROW_OWN if name != "pk"), "carried_over_from_id")


def session_actions(
    sprint: Sprint, *, only: int | None = None, statuses: Collection[str] | None = None
) -> list[Action]:
    """The sprint's actions as the session page shows them (sprint_actions' order), each with
    `hypothesis_title`, `is_carried` (carried over to a later sprint already) and
    `carried_why_not` (why the action it was carried over from was not done); `only`: that
    action (a row answered alone); `statuses`: those not carried over yet with these statuses
    (what may be carried over). One query."""
    carried = Action.objects.filter(carried_over_from=OuterRef("pk"))
    actions = sprint.actions.only(*SESSION_ACTION_FIELDS).annotate(
        hypothesis_title=F("hypothesis__title"),
        is_carried=Exists(carried),
        carried_why_not=F("carried_over_from__why_not_note"),
    )
    if only is not None:
        actions = actions.filter(pk=only)
    if statuses is not None:
        actions = actions.filter(status__in=statuses, is_carried=False)
    return list(actions.order_by("owner_id", "pk"))


def session_hypotheses(company, sprint: Sprint, only: int | None = None) -> list[Hypothesis]:
    """The hypotheses under test as the verdict step shows them (`only`: that one, a row
    answered alone), each with `measured_shown` (the metric's newest value in the test window
    up to the sprint's end, else the value logged during the week: `measured_source` says
    which), `suggested` (the verdict the pre-registered numbers give, by the code of the
    hypothesis page), `overdue` (past its check date) and `kept` (kept in test at this
    sprint's review). One query."""
    tz = company.tzinfo
    kept = Review.kept_in_test.through.objects.filter(review__sprint=sprint, hypothesis_id=OuterRef("pk"))
    under_test = Hypothesis.objects.live().filter(company=company, status=Status.TESTING)
    if only is not None:
        under_test = under_test.filter(pk=only)
    window = MetricValue.objects.filter(
        metric_id=OuterRef("metric_id"),
        week_start__gte=OuterRef("test_week"),
        week_start__lte=sprint.ends_on,
    ).order_by("-week_start")
    hypotheses = list(
        under_test.select_related("metric")
        .only(
            "company_id",
            "title",
            "metric_id",
            "metric__name",
            "metric__higher_is_better",
            "baseline",
            "expected_value",
            "measured_value",
            "success_criteria",
            "status",
            "check_by",
        )
        .annotate(test_week=TruncWeek("testing_started_at", output_field=DateField(), tzinfo=tz))
        .annotate(
            metric_name=F("metric__name"),
            window_value=Subquery(window.values("value")[:1]),
            window_week=Subquery(window.values("week_start")[:1]),
            kept=Exists(kept),
        )
        .order_by("-ice", "-pk")[:100]
    )
    today = timezone.localdate(timezone=tz)
    for h in hypotheses:
        if h.window_value is not None:
            h.measured_shown, h.measured_source = h.window_value, "metric"
        else:
            h.measured_shown, h.measured_source = h.measured_value, "logged" if h.measured_value is not None else ""
        h.suggested = numbers_verdict(h, h.measured_shown)
        h.overdue = past_check_by(h, today)
    return hypotheses


# --- Reads for the plan step ----------------------------------------------------------------------


@dataclass
class CarryChoice:
    """An unfinished action offered for carrying over, with what it does to its owner's hours
    in the next sprint. Ticked in advance only when it still fits with those ticked before it."""

    action: Action
    load_before: Decimal
    load_after: Decimal
    available: Decimal | None  # None: no owner
    fits: bool
    ticked: bool = False


def carry_choices(
    unfinished: list[Action],
    *,
    members: list[Membership],
    loads: dict[int, Decimal],
    days: int,
    budget_left: Decimal | None = None,
    ticked: Collection[int] | None = None,
) -> list[CarryChoice]:
    """`loads`: the hours each owner already has in the next sprint. `ticked`: what the person
    ticked (a refused submit keeps it); by default only what fits is ticked."""
    capacity = {m.pk: available_hours(m.weekly_capacity_hours, days) for m in members}
    running = dict(loads)
    money = budget_left
    choices = []
    for action in unfinished:
        before = running.get(action.owner_id, Decimal(0))
        after = before + action.estimate_hours
        available = capacity.get(action.owner_id) if action.owner_id else None
        fits = (available is None or after <= available) and (money is None or (action.cost or 0) <= money)
        tick = action.pk in ticked if ticked is not None else fits
        if tick and action.owner_id:
            running[action.owner_id] = after
        if tick and money is not None:
            money -= action.cost or 0
        choices.append(CarryChoice(action, before, after, available, fits, tick))
    return choices


@dataclass(frozen=True)
class SessionClosed:
    sprint: Sprint
    upcoming: Sprint | None = None  # the next sprint, when starting it was asked for
    not_started: ValidationError | None = None  # why the next sprint did not start


def session_close(
    *,
    sprint: Sprint,
    by: Membership,
    notes: str = "",
    what_worked: str = "",
    what_to_fix: str = "",
    start_next: bool = False,
    override_reason: str = "",
) -> SessionClosed:
    """Close the reviewed sprint with the review's notes (the review is written once) and, if
    asked, start the next one. A refused close still keeps what was typed, for the next try;
    a refused start leaves the close standing and says why."""
    ensure_can(by, Permission.CLOSE_SPRINT)
    typed = {"notes": notes.strip(), "what_worked": what_worked.strip(), "what_to_fix": what_to_fix.strip()}
    refusal = None
    with transaction.atomic():
        review = session_begin(sprint=sprint, by=by)
        try:
            closed = sprint_close(sprint=sprint, by=by, **typed)  # a savepoint
        except ValidationError as error:
            refusal = error
            _review_save(review, step=SessionStep.CLOSE, **typed)
        else:
            outcome = _start_next(closed, by, override_reason) if start_next else SessionClosed(closed)
    if refusal is not None:
        raise refusal
    return outcome


def _start_next(closed: Sprint, by: Membership, override_reason: str) -> SessionClosed:
    upcoming = selectors.next_sprint(closed.company, closed)
    if upcoming is None:
        return SessionClosed(closed)
    try:
        sprint_start(sprint=upcoming, by=by, override_reason=override_reason)  # a savepoint
    except ValidationError as error:
        return SessionClosed(closed, upcoming, not_started=error)
    return SessionClosed(closed, upcoming)


# --- Reads for the page after the close ------------------------------------------------------------


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
