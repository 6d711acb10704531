"""Every write of the weekly loop: planning, capacity, logging results, the review."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hypotheses.models import Hypothesis
from hypotheses.models import Status as HypothesisStatus
from hypotheses.services import hypotheses_start_testing
from tracking.access import ensure_can
from tracking.db import aliased_columns, instance_beside
from tracking.i18n import in_business_language
from tracking.models import Company, Constraint, Membership
from tracking.roles import Permission, denial_message, role_allows
from tracking.webhooks.events import webhook_emit
from tracking.webhooks.models import WebhookEvent
from tracking.weeks import local_today

from . import tasks
from .access import ensure_can_log_results
from .capacity import capacity_problems
from .models import (
    SPRINT_MAX_DAYS,
    Action,
    ActionStatus,
    Review,
    SessionStep,
    Sprint,
    SprintStatus,
)
from .rollups import report_numbers, sprint_rollups
from .selectors import closing_problems

PLAN_AHEAD_DAYS = 366


class StaleAction(ValidationError):
    def __init__(self, current: Action):
        super().__init__(_("Someone else saved this action a moment ago. Look at their version and save again."))
        self.current = current


def _sprint_event(sprint: Sprint) -> dict:
    """What a sprint webhook event says of the sprint."""
    fields = ("number", "goal", "starts_on", "ends_on", "status", "started_at", "closed_at")
    return {"sprint": {"id": sprint.pk, **{name: getattr(sprint, name) for name in fields}}}


def _lock_company(company: Company) -> None:
    Company.objects.select_for_update().filter(pk=company.pk).first()


def _validate_period(company: Company, starts_on: date, ends_on: date, *, exclude_pk=None, check_past=True):
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The sprint must end on or after its start.")})
    if (ends_on - starts_on).days + 1 > SPRINT_MAX_DAYS:
        raise ValidationError(
            {
                "ends_on": _("A sprint lasts at most %(days)s days: plan only what fits in one, at most two weeks.")
                % {"days": SPRINT_MAX_DAYS}
            }
        )
    if check_past and starts_on < local_today(company):
        raise ValidationError({"starts_on": _("A new sprint cannot start in the past.")})
    if starts_on > local_today(company) + timedelta(days=PLAN_AHEAD_DAYS):
        raise ValidationError({"starts_on": _("Plan at most a year ahead: sprints are for the weeks to come.")})
    overlapping = (
        Sprint.objects.filter(company=company, archived_at__isnull=True, starts_on__lte=ends_on, ends_on__gte=starts_on)
        .exclude(pk=exclude_pk)
        .order_by("starts_on")
        .first()
    )
    if overlapping:
        raise ValidationError(
            {
                "starts_on": _("These dates overlap %(sprint)s (%(start)s – %(end)s).")
                % {
                    "sprint": overlapping,
                    "start": overlapping.starts_on.isoformat(),
                    "end": overlapping.ends_on.isoformat(),
                }
            }
        )


def _check_focus(company: Company, focus: Constraint | None) -> None:
    if focus is not None and focus.company_id != company.pk:
        raise ValidationError({"focus": _("Pick a constraint of this business.")})


def sprint_plan(
    *,
    by: Membership,
    starts_on: date,
    ends_on: date,
    focus: Constraint | None = None,
    goal: str = "",
    budget: Decimal | None = None,
) -> Sprint:
    ensure_can(by, Permission.PLAN_SPRINT)
    company = by.company
    _check_focus(company, focus)
    try:
        with transaction.atomic():
            _lock_company(company)
            _validate_period(company, starts_on, ends_on)
            number = (Sprint.objects.filter(company=company).aggregate(n=Max("number"))["n"] or 0) + 1
            sprint = Sprint(
                company=company,
                number=number,
                starts_on=starts_on,
                ends_on=ends_on,
                focus=focus,
                goal=goal.strip(),
                budget=budget,
            )
            sprint.full_clean(validate_constraints=False)
            sprint.save()
    except IntegrityError:  # the exclusion constraint, when a race slipped past the check
        raise ValidationError(
            {"starts_on": _("Another sprint was planned for these dates at the same moment.")}
        ) from None
    return sprint


@transaction.atomic
def sprint_update(*, sprint: Sprint, by: Membership, **fields) -> Sprint:
    ensure_can(by, Permission.PLAN_SPRINT)
    if sprint.status == SprintStatus.CLOSED:
        raise ValidationError(_("A closed sprint is kept as it was."))
    _lock_company(sprint.company)
    _check_focus(sprint.company, fields.get("focus", sprint.focus))
    new_start, new_end = fields.get("starts_on", sprint.starts_on), fields.get("ends_on", sprint.ends_on)
    # A sprint that already started keeps its start; only a planned one may not start in the past.
    _validate_period(
        sprint.company,
        new_start,
        new_end,
        exclude_pk=sprint.pk,
        check_past=sprint.status == SprintStatus.PLANNED and new_start != sprint.starts_on,
    )
    for name in ("starts_on", "ends_on", "focus", "goal", "budget"):
        if name in fields:
            setattr(sprint, name, fields[name])
    sprint.version += 1
    sprint.full_clean(validate_constraints=False)
    sprint.save()
    return sprint


@transaction.atomic
def sprint_start(*, sprint: Sprint, by: Membership, override_reason: str = "") -> Sprint:
    """Start a planned sprint. With an overbooked owner or over budget it does not start,
    unless the tracker overrides with a written reason, which is kept for the report."""
    ensure_can(by, Permission.START_SPRINT)
    _lock_company(sprint.company)
    sprint = Sprint.objects.select_for_update().get(pk=sprint.pk)
    if sprint.status != SprintStatus.PLANNED:
        raise ValidationError(_("Only a planned sprint can be started."))
    # One sprint at a time is active or in review (the sprint_one_open_per_company index holds it).
    running = Sprint.objects.filter(company=sprint.company, status__in=(SprintStatus.ACTIVE, SprintStatus.REVIEW))
    if running := running.first():
        if running.status == SprintStatus.REVIEW:
            message = _("%(sprint)s is in review: close it before starting the next one.")
        else:
            message = _("%(sprint)s is still active: review and close it first.")
        raise ValidationError(message % {"sprint": running})
    if not sprint.actions.exists():
        raise ValidationError(_("Plan at least one action before starting the sprint."))
    problems = capacity_problems(sprint)
    if problems:
        reason = override_reason.strip()
        if not reason:
            raise ValidationError(
                _(
                    "The sprint does not fit: %(problems)s. Move or shrink actions, or (tracker) start anyway with a "
                    "written reason."
                )
                % {"problems": "; ".join(problems)}
            )
        if not role_allows(by.role, Permission.OVERRIDE_CAPACITY):
            raise PermissionDenied(denial_message(Permission.OVERRIDE_CAPACITY))
        sprint.override_reason = reason
        sprint.override_by = by.user
    sprint.status = SprintStatus.ACTIVE
    sprint.started_at = timezone.now()
    sprint.version += 1
    try:
        with transaction.atomic():
            sprint.save()
    except IntegrityError:
        raise ValidationError(_("Another sprint was started at the same moment.")) from None
    # The sprint tests its Ready hypotheses: they go under test with it, so the session asks
    # for their verdicts (each hypothesis's history says which sprint started it).
    hypotheses_start_testing(
        hypothesis_ids=sprint.actions.filter(hypothesis__status=HypothesisStatus.READY).values_list(
            "hypothesis_id", flat=True
        ),
        by=by,
        note=in_business_language(sprint.company, gettext_lazy("Testing started with %(sprint)s."), sprint=sprint),
        sprint_ends_on=sprint.ends_on,
    )
    occurrence = f"sprint:{sprint.pk}:{sprint.version}"
    webhook_emit(sprint.company_id, WebhookEvent.SPRINT_STARTED, lambda: _sprint_event(sprint), occurrence=occurrence)
    return sprint


@transaction.atomic
def sprint_close(
    *,
    sprint: Sprint,
    by: Membership,
    notes: str = "",
    what_worked: str = "",
    what_to_fix: str = "",
    held_at=None,
) -> Sprint:
    """Close after the review: every action resolved, every hypothesis under test decided or
    kept in test on purpose. People close sprints; nothing closes one on its end date."""
    ensure_can(by, Permission.CLOSE_SPRINT)
    sprint = Sprint.objects.select_for_update().get(pk=sprint.pk)
    if sprint.status not in (SprintStatus.ACTIVE, SprintStatus.REVIEW):
        raise ValidationError(_("Only an active sprint or one in review can be closed."))
    review, _created = Review.objects.get_or_create(sprint=sprint)
    problems = closing_problems(sprint)
    if problems:
        raise ValidationError(_("Not yet: %(problems)s.") % {"problems": "; ".join(problems)})
    review.held_at = held_at or timezone.now()
    review.notes, review.what_worked, review.what_to_fix = notes.strip(), what_worked.strip(), what_to_fix.strip()
    review.step = SessionStep.CLOSE
    review.save()
    sprint.status = SprintStatus.CLOSED
    sprint.closed_at = timezone.now()
    sprint.version += 1
    sprint.save(update_fields=["status", "closed_at", "version"])
    # The report is computed with the close, so it is there whether a worker runs or not; the
    # job enqueued after commit computes it again (the same numbers) and e-mails it, and the
    # periodic dispatch does if Redis was down. A rolled-back close leaves no report, enqueues nothing.
    sprint_rollups([sprint.pk])
    tasks.enqueue_rollup(sprint)
    webhook_emit(
        sprint.company_id,
        WebhookEvent.SPRINT_CLOSED,
        lambda: _sprint_event(sprint) | {"report": report_numbers(sprint).to_json()},  # the API's report numbers
        occurrence=f"sprint:{sprint.pk}:{sprint.version}",
    )
    return sprint


# --- Actions -----------------------------------------------------------------------------------


def _check_action_links(sprint: Sprint, owner: Membership | None, hypothesis: Hypothesis | None) -> None:
    if owner is not None and owner.company_id != sprint.company_id:
        raise ValidationError({"owner": _("The owner must be a member of this business.")})
    if hypothesis is not None and hypothesis.company_id != sprint.company_id:
        raise ValidationError({"hypothesis": _("Pick a hypothesis of this business.")})


def _require_plannable(sprint: Sprint) -> None:
    if sprint.status in (SprintStatus.CLOSED,) or sprint.archived_at:
        raise ValidationError(_("This sprint is closed; plan the action in the next one."))


@transaction.atomic
def action_add(
    *,
    sprint: Sprint,
    by: Membership,
    title: str,
    owner: Membership | None,
    estimate_hours: Decimal,
    cost: Decimal | None = None,
    hypothesis: Hypothesis | None = None,
) -> Action:
    ensure_can(by, Permission.PLAN_SPRINT)
    _require_plannable(sprint)
    _check_action_links(sprint, owner, hypothesis)
    action = Action(
        sprint=sprint, title=title.strip(), owner=owner, estimate_hours=estimate_hours, cost=cost, hypothesis=hypothesis
    )
    action.full_clean()
    action.save()
    return action


def _save_changed(action: Action, fields: list[str]) -> None:
    """Validate and write these fields of a stored action only (and its version and update
    time): its other foreign keys are not looked up again, nor its other constraints checked."""
    fields = [*fields, "version", "updated_at"]
    action.full_clean(exclude=[f.name for f in Action._meta.concrete_fields if f.name not in fields])
    action.save(update_fields=fields)


# An action locked for a write, read with its sprint and its owner beside it: every action save
# asks this, so it is written once rather than built by the ORM on each.
_LOCK_ACTION_SQL = f"""
SELECT a.*, {aliased_columns(Sprint, "s", "sprint__")}, {aliased_columns(Membership, "m", "owner__")}
FROM {Action._meta.db_table} a
JOIN {Sprint._meta.db_table} s ON s.id = a.sprint_id
LEFT JOIN {Membership._meta.db_table} m ON m.id = a.owner_id
WHERE a.id = %s
FOR UPDATE OF a
"""


def _lock_action(action: Action, expected_version: int | None) -> Action:
    found = list(Action.objects.raw(_LOCK_ACTION_SQL, [action.pk]))
    if not found:
        raise Action.DoesNotExist
    current = found[0]
    current.sprint = instance_beside(current, Sprint, "sprint__")
    current.owner = None if current.owner_id is None else instance_beside(current, Membership, "owner__")
    if expected_version is not None and current.version != expected_version:
        raise StaleAction(current)
    return current


@transaction.atomic
def action_update(*, action: Action, by: Membership, expected_version: int | None = None, **fields) -> Action:
    ensure_can(by, Permission.PLAN_SPRINT)
    current = _lock_action(action, expected_version)
    _require_plannable(current.sprint)
    _check_action_links(current.sprint, _link(fields, current, "owner"), _link(fields, current, "hypothesis"))
    # Only what differs from the stored action is validated and written: an unchanged owner or
    # hypothesis is not looked up again, an unchanged estimate or cost not checked again.
    if "title" in fields:
        fields = {**fields, "title": fields["title"].strip()}
    posted = [name for name in ("title", "owner", "estimate_hours", "cost", "hypothesis") if name in fields]
    changed = [name for name in posted if _stored(current, name) != _stored_value(fields[name])]
    # Every posted value is set (an unchanged link as the form read it: the answer shows it
    # without reading it again), the changed ones written.
    for name in posted:
        setattr(current, name, fields[name])
    if not changed:
        return current
    current.version += 1
    _save_changed(current, changed)
    return current


def _link(fields: dict, action: Action, name: str):
    """A link as posted, else as stored (read from the database only then)."""
    if name in fields:
        return fields[name]
    return getattr(action, name)


def _stored(action: Action, name: str):
    """A field's stored value as compared with a new one: a link by its id."""
    return getattr(action, f"{name}_id") if name in ("owner", "hypothesis") else getattr(action, name)


def _stored_value(value):
    return value.pk if hasattr(value, "_meta") else value


@transaction.atomic
def action_delete(*, action: Action, by: Membership) -> None:
    ensure_can(by, Permission.PLAN_SPRINT)
    if action.sprint.status != SprintStatus.PLANNED:
        raise ValidationError(_("Only actions of a planned sprint can be deleted; mark it “not done” instead."))
    action.delete()


# action_log's spent when the caller does not touch it (the session's results step).
SPENT_KEPT = object()


@transaction.atomic
def action_log(
    *,
    action: Action,
    by: Membership,
    status: str,
    result_note: str = "",
    why_not_note: str = "",
    spent: Decimal | object | None = SPENT_KEPT,
    expected_version: int | None = None,
) -> Action:
    """Log what came of an action and, if given, what it actually cost (`spent`; None: nothing;
    the planned cost stays). A member logs only their own actions."""
    ensure_can_log_results(by, action)
    current = _lock_action(action, expected_version)
    if current.sprint.status not in (SprintStatus.ACTIVE, SprintStatus.REVIEW):
        raise ValidationError(_("Results are logged while the sprint runs and at its review."))
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status == ActionStatus.NOT_DONE and not why_not_note.strip():
        raise ValidationError({"why_not_note": _("Say why it was not done: that is what the review looks at.")})
    current.status = status
    current.result_note = result_note.strip()
    current.why_not_note = why_not_note.strip()
    changed = ["status", "result_note", "why_not_note"]
    if spent is not SPENT_KEPT:
        current.spent = spent
        changed.append("spent")
    current.version += 1
    _save_changed(current, changed)
    return current


# What a carried-over action keeps of the one it continues; its status and result start anew.
_CARRIED_FIELDS = ("title", "owner", "estimate_hours", "cost", "hypothesis")


@transaction.atomic
def actions_carry_over(*, actions: list[Action], to_sprint: Sprint, by: Membership) -> list[Action]:
    """Unfinished actions (to do, doing, or not done) move to the next sprint, linked to where
    they came from; the old ones are resolved as “not done — carried over”, and one already
    not done keeps the reason it was given, which its copy shows."""
    ensure_can(by, Permission.PLAN_SPRINT)
    _require_plannable(to_sprint)
    carried = []
    for action in actions:
        current = _lock_action(action, None)
        if current.sprint.company_id != to_sprint.company_id or current.sprint_id == to_sprint.pk:
            raise ValidationError(_("Only unfinished actions of this business's previous sprint can be carried over."))
        if hasattr(current, "carried_to") or current.status == ActionStatus.DONE:
            continue
        kept = {name: getattr(current, name) for name in _CARRIED_FIELDS}
        copy = Action.objects.create(sprint=to_sprint, carried_over_from=current, **kept)
        current.status = ActionStatus.NOT_DONE
        current.why_not_note = current.why_not_note or in_business_language(
            to_sprint.company, gettext_lazy("Carried over to %(sprint)s."), sprint=to_sprint
        )
        current.version += 1
        current.save(update_fields=["status", "why_not_note", "version", "updated_at"])
        carried.append(copy)
    return carried


@transaction.atomic
def sprint_archive(*, sprint: Sprint, by: Membership) -> Sprint:
    """Deleting a sprint archives it (restorable); only a planned one."""
    ensure_can(by, Permission.PLAN_SPRINT)
    if sprint.status != SprintStatus.PLANNED:
        raise ValidationError(_("Only a planned sprint can be deleted."))
    sprint.archived_at = timezone.now()
    sprint.save(update_fields=["archived_at"])
    return sprint
