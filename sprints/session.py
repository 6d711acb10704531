"""The weekly session, one service per step: go to a step, give a verdict, confirm the main
constraint, plan the next sprint, close (and start the next). Each checks the right, opens
its own transaction and begins the session if it has not begun (the sprint goes into
review), so a view calls exactly one of them. The metrics step writes through the shared
results row (`tracking.services.metric_value_record`), which has no session rule to add."""

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hypotheses.models import Hypothesis
from hypotheses.services import hypothesis_decide
from tracking.access import ensure_can
from tracking.models import Membership
from tracking.roles import Permission

from . import selectors
from .models import Review, SessionStep, Sprint, SprintStatus
from .services import actions_carry_over, default_dates, session_begin, sprint_close, sprint_plan, sprint_start

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
) -> Review:
    """A hypothesis under test gets its verdict, or is kept in test on purpose (`decision="keep"`)."""
    ensure_can(by, Permission.EDIT_HYPOTHESIS)
    review = session_begin(sprint=sprint, by=by)
    if hypothesis.company_id != sprint.company_id:
        raise ValidationError(_("Pick a hypothesis of this business."))
    if decision == KEEP_TESTING:
        review.kept_in_test.add(hypothesis)
        return review
    if measured is None:
        raise ValidationError({"measured": _("Enter the measured value.")})
    hypothesis_decide(hypothesis=hypothesis, by=by, verdict=decision, measured=measured, note=note)
    return review


@transaction.atomic
def session_constraint(*, sprint: Sprint, by: Membership, still_main: bool) -> Review:
    """Is the main constraint still the main one? Yes moves on to planning; no stays on this
    step while the tracker names the new one."""
    review = session_begin(sprint=sprint, by=by)
    step = SessionStep.PLAN if still_main else SessionStep.CONSTRAINT
    return _review_save(review, constraint_confirmed=still_main, step=step)


@transaction.atomic
def session_plan(*, sprint: Sprint, by: Membership, carry: Collection[int] = ()) -> Sprint:
    """Plan the next sprint (default dates, the same focus) unless one is planned, and carry
    the chosen unfinished actions into it. Returns the next sprint."""
    review = session_begin(sprint=sprint, by=by)
    upcoming = selectors.next_sprint(sprint.company, sprint)
    if upcoming is None:
        start, end = default_dates(sprint.company, after=sprint.ends_on)
        upcoming = sprint_plan(by=by, starts_on=start, ends_on=end, focus=sprint.focus)
    if carry:
        actions_carry_over(actions=list(sprint.actions.filter(pk__in=carry)), to_sprint=upcoming, by=by)
    _review_save(review, step=SessionStep.PLAN)
    return upcoming


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
