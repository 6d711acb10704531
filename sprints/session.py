"""The weekly session, one service per step: go to a step, the results of all actions, the
verdicts, the week's metric values, confirm the main constraint, plan the next sprint (carry
over and add actions), close (and start the next). Each checks the right, opens its own
transaction and begins the session if it has not begun (the sprint goes into review), so a
view calls exactly one of them.

A step that saves several rows saves all of them or none: every row is tried (each in its own
savepoint, so every refused row is named), and if any is refused the step raises `RowsRefused`
with each row's error and the whole step rolls back."""

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hypotheses.models import Hypothesis
from hypotheses.services import hypothesis_decide
from tracking.access import ensure_can
from tracking.db import aliased_columns, instance_beside
from tracking.models import Membership, Metric
from tracking.roles import Permission
from tracking.toolkit.services import value_record

from . import selectors
from .models import Action, Review, SessionStep, Sprint, SprintStatus
from .schedule import default_dates
from .services import (
    action_add,
    action_log,
    actions_carry_over,
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
    review.full_clean(exclude=["sprint"])  # the review's sprint is the one locked: no lookup
    review.save(update_fields=[*fields, "updated_at"])
    return review


# The sprint locked for its session, read with its review beside it: every session save asks
# this, so it is written once rather than built by the ORM on each.
_BEGIN_SQL = f"""
SELECT s.id, s.company_id, s.status, s.version, {aliased_columns(Review, "r", "review__")}
FROM {Sprint._meta.db_table} s
LEFT JOIN {Review._meta.db_table} r ON r.sprint_id = s.id
WHERE s.id = %s
FOR UPDATE OF s
"""


def _begin(sprint: Sprint, by: Membership) -> Review:
    """The weekly meeting begins, inside a step's own transaction (no savepoint of its own): an
    active sprint goes into review (again is nothing), locked and read with its review in one query."""
    ensure_can(by, Permission.PLAN_SPRINT)
    locked = next(iter(Sprint.objects.raw(_BEGIN_SQL, [sprint.pk])))
    if locked.status == SprintStatus.ACTIVE:
        locked.status = SprintStatus.REVIEW
        locked.version += 1
        locked.save(update_fields=["status", "version"])
    elif locked.status != SprintStatus.REVIEW:
        raise ValidationError(_("Only an active sprint can be reviewed."))
    if locked.review__id is None:
        return Review.objects.create(sprint=locked)
    review = instance_beside(locked, Review, "review__")
    review.sprint = locked
    return review


@transaction.atomic
def session_go_to(*, sprint: Sprint, by: Membership, step: str | None = None) -> Review:
    """Begin the session, or move to a step; the step is remembered, so coming back resumes there."""
    review = _begin(sprint, by)
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
    review = _begin(sprint, by)
    _decide(review, sprint, by, VerdictRow(hypothesis, decision, measured, note, against_reason))
    return review


def _decide(review: Review, sprint: Sprint, by: Membership, row: "VerdictRow") -> Hypothesis | str:
    """The hypothesis decided, or KEEP_TESTING."""
    if row.hypothesis.company_id != sprint.company_id:
        raise ValidationError(_("Pick a hypothesis of this business."))
    if row.decision == KEEP_TESTING:
        review.kept_in_test.add(row.hypothesis)
        return KEEP_TESTING
    if row.measured is None:
        raise ValidationError({"measured": _("Enter the measured value.")})
    return hypothesis_decide(
        hypothesis=row.hypothesis,
        by=by,
        verdict=row.decision,
        measured=row.measured,
        note=row.note,
        against_reason=row.against_reason,
    )


@transaction.atomic
def session_constraint(*, sprint: Sprint, by: Membership, still_main: bool) -> Review:
    """Is the main constraint still the main one? Yes moves on to planning; no stays on this
    step while the tracker names the new one."""
    review = _begin(sprint, by)
    step = SessionStep.PLAN if still_main else SessionStep.CONSTRAINT
    return _review_save(review, constraint_confirmed=still_main, step=step)


class RowsRefused(ValidationError):
    """Rows of a step were refused, so nothing of the step was saved. `rows` maps each refused
    row's key (an action's, hypothesis's or metric's id, a new row's number) to its error."""

    def __init__(self, rows: dict):
        super().__init__(_("Nothing was saved: fix the rows marked below and save again."))
        self.rows = rows


def _each_row(rows: Iterable[tuple], save) -> dict:
    """Save each (key, row); returns what each save returned, by key. Several rows: each in
    its own savepoint, so a refused row does not stop the others from being tried. One row
    alone needs none: refused, the whole step rolls back."""
    rows = list(rows)
    saved, refused = {}, {}
    for key, row in rows:
        try:
            if len(rows) == 1:
                saved[key] = save(row)
            else:
                with transaction.atomic():
                    saved[key] = save(row)
        except ValidationError as error:
            refused[key] = error
    if refused:
        raise RowsRefused(refused)
    return saved


_ORDER = list(SessionStep.values)


@dataclass(frozen=True)
class RowsSaved:
    """What a step of rows saved: the review, and what each saved row's save returned (an
    Action, a MetricValue, a Hypothesis or KEEP_TESTING), by the row's key."""

    review: Review
    saved: dict


def _rows_step(
    *, sprint: Sprint, by: Membership, rows: Iterable[tuple], save: Callable, then: str, advance: bool
) -> RowsSaved:
    """The body of a step of rows: begin the session, save each (key, row) to save
    (`save(review, row)`, each in its own savepoint; every refused row is named), then move on
    to the step `then` unless the rows were saved alone (`advance` False: a row's own button)."""
    review = _begin(sprint, by)
    saved = _each_row(rows, lambda row: save(review, row))
    return RowsSaved(_advance(review, then) if advance else review, saved)


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
def session_results(*, sprint: Sprint, by: Membership, rows: Sequence[ResultRow], advance: bool = True) -> RowsSaved:
    """What was done, and why not, for several actions at once; rows that did not change are
    left alone (their version stays). Then on to the verdicts."""

    def save(_review: Review, row: ResultRow):
        if row.action.sprint_id != sprint.pk:
            raise ValidationError(_("This action is not in the sprint under review."))
        return action_log(
            action=row.action,
            by=by,
            status=row.status,
            result_note=row.result_note,
            why_not_note=row.why_not_note,
            expected_version=row.version,
        )

    changed = ((row.action.pk, row) for row in rows if row.changed)
    return _rows_step(sprint=sprint, by=by, rows=changed, save=save, then=SessionStep.VERDICTS, advance=advance)


@dataclass(frozen=True)
class VerdictRow:
    hypothesis: Hypothesis
    decision: str = ""  # "" = no decision in this submit
    measured: Decimal | None = None
    note: str = ""
    against_reason: str = ""


@transaction.atomic
def session_verdicts(*, sprint: Sprint, by: Membership, rows: Sequence[VerdictRow], advance: bool = True) -> RowsSaved:
    """Verdicts (or "keep testing") for several hypotheses at once, each by the rules of
    `session_verdict`: a verdict needs the measured value. Then on to the metrics."""
    ensure_can(by, Permission.EDIT_HYPOTHESIS)

    def save(review: Review, row: VerdictRow):
        return _decide(review, sprint, by, row)

    decided = ((row.hypothesis.pk, row) for row in rows if row.decision)
    return _rows_step(sprint=sprint, by=by, rows=decided, save=save, then=SessionStep.METRICS, advance=advance)


@dataclass(frozen=True)
class MetricRow:
    metric: Metric
    value: Decimal | None  # None: nothing entered
    current: Decimal | None = None  # this week's value as the page showed it


@transaction.atomic
def session_metrics(*, sprint: Sprint, by: Membership, rows: Sequence[MetricRow], advance: bool = True) -> RowsSaved:
    """This week's values of several metrics at once (a blank or unchanged value is left
    alone). Then on to the main constraint."""
    ensure_can(by, Permission.EDIT_PLANNING)

    def save(_review: Review, row: MetricRow):
        if row.metric.company_id != sprint.company_id:
            raise ValidationError(_("Pick a metric of this business."))
        return value_record(metric=row.metric, by=by, value=row.value)

    changed = ((row.metric.pk, row) for row in rows if row.value is not None and row.value != row.current)
    return _rows_step(sprint=sprint, by=by, rows=changed, save=save, then=SessionStep.CONSTRAINT, advance=advance)


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
    review = _begin(sprint, by)
    upcoming = selectors.next_sprint(sprint.company, sprint)
    if upcoming is None:
        start, end = default_dates(sprint.company, after=sprint.ends_on)
        focus = selectors.focus_constraint(sprint.company)
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
        review = _begin(sprint, by)
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
