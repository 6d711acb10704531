"""The main constraint and its why-chain. Every write records a ConstraintEvent."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import ensure_can
from ..models import Constraint, ConstraintEvent, ConstraintStatus, Membership, WhyStep
from ..roles import Permission
from ..webhooks.events import webhook_emit
from ..webhooks.models import WebhookEvent

CLOSED_STATUSES = (ConstraintStatus.RESOLVED, ConstraintStatus.DROPPED)


def _record(constraint: Constraint, by: Membership, kind: str, changes: dict | None = None) -> ConstraintEvent:
    return ConstraintEvent.objects.create(constraint=constraint, actor=by.user, kind=kind, changes=changes or {})


def _changed(constraint: Constraint, event: ConstraintEvent, previous: Constraint | None = None) -> None:
    """The `constraint.changed` webhook event: a new main constraint, or its title or area edited."""

    def payload() -> dict:
        fields = ("title", "area", "status", "started_on")
        data = {"change": event.kind, "constraint": {"id": constraint.pk} | {f: getattr(constraint, f) for f in fields}}
        if previous is not None:
            data["previous"] = {"id": previous.pk, "title": previous.title, "status": previous.status}
        return data

    webhook_emit(constraint.company_id, WebhookEvent.CONSTRAINT_CHANGED, payload, occurrence=f"event:{event.pk}")


def _local_today(membership: Membership):
    return timezone.now().astimezone(membership.company.tzinfo).date()


def constraint_replace(
    *,
    by: Membership,
    title: str,
    area: str,
    previous_outcome: str = ConstraintStatus.RESOLVED,
    previous_note: str = "",
    expected_previous_id: int | None = None,
) -> Constraint:
    """Name a new main constraint, closing the active one (resolved or dropped, with what
    happened to it: the note is required) in the same transaction. `expected_previous_id` is
    the active constraint the person saw: if someone replaced it meanwhile, they are told
    instead of closing a constraint they never saw."""
    ensure_can(by, Permission.EDIT_PLANNING)
    if previous_outcome not in CLOSED_STATUSES:
        raise ValidationError({"previous_outcome": _("Say whether the old constraint was resolved or dropped.")})
    company = by.company
    try:
        with transaction.atomic():
            current = (
                Constraint.objects.select_for_update().filter(company=company, status=ConstraintStatus.ACTIVE).first()
            )
            current_id = current.pk if current else None
            if current_id != expected_previous_id:
                raise ValidationError(
                    _(
                        "Someone changed the main constraint while you were editing. "
                        "Look at the current one below and try again."
                    )
                )
            if current is not None and not previous_note.strip():
                raise ValidationError(
                    {
                        "previous_note": _(
                            "Say what happened to “%(title)s”: the constraint history keeps why it was closed."
                        )
                        % {"title": current.title}
                    }
                )
            today = _local_today(by)
            if current is not None:
                current.status = previous_outcome
                current.closed_on = today
                current.closing_note = previous_note.strip()
                current.full_clean()
                current.save(update_fields=["status", "closed_on", "closing_note"])
                _record(current, by, previous_outcome, {"note": current.closing_note})
            constraint = Constraint(
                company=company, title=title.strip(), area=area, started_on=today, created_by=by.user
            )
            constraint.full_clean(validate_constraints=False)
            constraint.save()  # the partial unique index has the last word on a race
            created = _record(constraint, by, ConstraintEvent.Kind.CREATED, {"title": constraint.title})
            _changed(constraint, created, previous=current)
    except IntegrityError:
        raise ValidationError(
            _("Someone else named a new main constraint at the same moment. Look at the current one and try again.")
        ) from None
    return constraint


@transaction.atomic
def constraint_update(*, constraint: Constraint, by: Membership, title: str, area: str) -> Constraint:
    ensure_can(by, Permission.EDIT_PLANNING)
    changes = {
        name: [getattr(constraint, name), new]
        for name, new in (("title", title.strip()), ("area", area))
        if getattr(constraint, name) != new
    }
    if not changes:
        return constraint
    for name, (_old, new) in changes.items():
        setattr(constraint, name, new)
    constraint.full_clean()
    constraint.save(update_fields=list(changes))
    _changed(constraint, _record(constraint, by, ConstraintEvent.Kind.EDITED, changes))
    return constraint


def _require_active(constraint: Constraint) -> None:
    if not constraint.is_active:
        raise ValidationError(_("This constraint is closed; its why-chain is kept as it was."))


def _lock_chain(constraint: Constraint) -> list[WhyStep]:
    Constraint.objects.select_for_update().filter(pk=constraint.pk).first()
    return list(constraint.why_steps.order_by("position", "pk"))


def _renumber(steps: list[WhyStep]) -> None:
    for index, step in enumerate(steps, start=1):
        step.position = index
    WhyStep.objects.bulk_update(steps, ["position"])


@transaction.atomic
def why_step_add(*, constraint: Constraint, by: Membership, answer: str) -> WhyStep:
    """Append a “why? — because…” step. A step after the root cause means the chain goes
    deeper, so the old root cause is no longer the root."""
    ensure_can(by, Permission.EDIT_PLANNING)
    _require_active(constraint)
    steps = _lock_chain(constraint)
    if any(s.is_root_cause for s in steps):
        WhyStep.objects.filter(constraint=constraint, is_root_cause=True).update(is_root_cause=False)
    position = (constraint.why_steps.aggregate(m=Max("position"))["m"] or 0) + 1
    step = WhyStep(constraint=constraint, position=position, answer=answer.strip())
    step.full_clean()
    step.save()
    _record(constraint, by, ConstraintEvent.Kind.WHY_ADDED, {"text": step.answer})
    return step


@transaction.atomic
def why_step_update(*, step: WhyStep, by: Membership, answer: str) -> WhyStep:
    ensure_can(by, Permission.EDIT_PLANNING)
    _require_active(step.constraint)
    old = step.answer
    step.answer = answer.strip()
    # Only the answer is validated: the step's constraint is not looked up again, nor its other
    # rules (one root cause a chain) checked, since neither changes.
    step.full_clean(exclude=[f.name for f in WhyStep._meta.concrete_fields if f.name != "answer"])
    if step.answer != old:
        step.save(update_fields=["answer"])
        changes = {"answer": [old, step.answer], "text": step.answer}
        _record(step.constraint, by, ConstraintEvent.Kind.WHY_EDITED, changes)
    return step


@transaction.atomic
def why_step_move(*, step: WhyStep, by: Membership, to_position: int) -> WhyStep:
    """Move a step to a 1-based position; a root cause moved off the end stops being one."""
    ensure_can(by, Permission.EDIT_PLANNING)
    _require_active(step.constraint)
    steps = _lock_chain(step.constraint)
    current = next(s for s in steps if s.pk == step.pk)
    to_index = min(max(to_position, 1), len(steps)) - 1
    old_index = steps.index(current)
    if to_index == old_index:
        return current
    steps.insert(to_index, steps.pop(old_index))
    _renumber(steps)
    if steps[-1].is_root_cause is False:
        WhyStep.objects.filter(constraint=step.constraint, is_root_cause=True).update(is_root_cause=False)
    _record(
        step.constraint,
        by,
        ConstraintEvent.Kind.WHY_MOVED,
        {"text": current.answer, "position": [old_index + 1, to_index + 1]},
    )
    current.refresh_from_db()
    return current


@transaction.atomic
def why_step_delete(*, step: WhyStep, by: Membership) -> None:
    ensure_can(by, Permission.EDIT_PLANNING)
    _require_active(step.constraint)
    steps = _lock_chain(step.constraint)
    step.delete()
    _renumber([s for s in steps if s.pk != step.pk])
    _record(step.constraint, by, ConstraintEvent.Kind.WHY_DELETED, {"text": step.answer})


@transaction.atomic
def why_step_mark_root_cause(*, step: WhyStep, by: Membership) -> WhyStep:
    """The last answer of the chain is actionable: it is the root cause."""
    ensure_can(by, Permission.EDIT_PLANNING)
    _require_active(step.constraint)
    steps = _lock_chain(step.constraint)
    if steps[-1].pk != step.pk:
        raise ValidationError(_("Only the last answer of the chain can be the root cause: move it to the end first."))
    WhyStep.objects.filter(constraint=step.constraint, is_root_cause=True).exclude(pk=step.pk).update(
        is_root_cause=False
    )
    step.is_root_cause = True
    step.save(update_fields=["is_root_cause"])
    _record(step.constraint, by, ConstraintEvent.Kind.ROOT_CAUSE, {"text": step.answer})
    return step
