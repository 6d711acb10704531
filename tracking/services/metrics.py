"""Metrics, their weekly values, and goals."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import ensure_can
from ..models import HORIZON_RANK, Goal, Membership, Metric, MetricValue
from ..roles import Permission
from ..webhooks.events import webhook_emit
from ..webhooks.models import WebhookEvent
from ..weeks import current_week_start, week_start
from .fields import assign

METRIC_FIELDS = ("name", "unit", "higher_is_better", "target", "target_date", "funnel_stage", "is_key")
GOAL_FIELDS = ("title", "horizon", "parent", "metric", "target", "starts_on", "due_on")


def _planning_edit[Edited: (Metric, Goal)](
    instance: Edited, by: Membership, fields: dict, allowed: tuple[str, ...], save: Callable[[Edited], Edited]
) -> Edited:
    """A new or changed metric or goal: the `allowed` of `fields` set on it, then `save` (which
    checks it), by someone who may edit the business's planning."""
    ensure_can(by, Permission.EDIT_PLANNING)
    assign(instance, fields, allowed)
    return save(instance)


def _save_metric(metric: Metric) -> Metric:
    metric.name = metric.name.strip()
    metric.full_clean(validate_constraints=False)  # the indexes below have the last word
    if Metric.objects.filter(company=metric.company, name__iexact=metric.name).exclude(pk=metric.pk).exists():
        raise ValidationError({"name": _("This business already has a metric with that name.")})
    if metric.is_key:
        # One key metric per company: the new one takes over (the index backs this up).
        Metric.objects.filter(company=metric.company, is_key=True).exclude(pk=metric.pk).update(is_key=False)
    try:
        with transaction.atomic():
            metric.save()
    except IntegrityError:
        raise ValidationError({"name": _("This business already has a metric with that name.")}) from None
    return metric


@transaction.atomic
def metric_create(*, by: Membership, **fields) -> Metric:
    return _planning_edit(Metric(company=by.company), by, fields, METRIC_FIELDS, _save_metric)


@transaction.atomic
def metric_update(*, metric: Metric, by: Membership, **fields) -> Metric:
    return _planning_edit(metric, by, fields, METRIC_FIELDS, _save_metric)


# A week's value written whether the week had one or not, written once (every weekly value a
# page, the API or a CRM feed saves runs it).
_VALUE_UPSERT_SQL = f"""
INSERT INTO {MetricValue._meta.db_table} (metric_id, week_start, value, recorded_by_id, updated_at)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (metric_id, week_start) DO UPDATE
SET value = EXCLUDED.value, recorded_by_id = EXCLUDED.recorded_by_id, updated_at = EXCLUDED.updated_at
RETURNING id
"""


@transaction.atomic(savepoint=False)  # its one caller, the toolkit's value_record, is the rollback point
def metric_value_record(*, metric: Metric, by: Membership, value: Decimal, week: date | None = None) -> MetricValue:
    """The value for the week that contains `week` (default: the company's current local
    week). Entering the same week again updates it; a future week is refused. Pages call the
    toolkit's `value_record`, which also refreshes a funnel stage's conversions."""
    ensure_can(by, Permission.EDIT_PLANNING)
    company = metric.company
    this_week = current_week_start(company)
    monday = week_start(week) if week else this_week
    if monday > this_week:
        raise ValidationError({"week": _("That week has not started yet; values are entered for past weeks.")})
    if not value.is_finite():
        raise ValidationError({"value": _("Enter a number.")})
    # The number is checked before it is written (its size); the metric and the person are given.
    record = MetricValue(metric=metric, week_start=monday, value=value, recorded_by=by.user)
    record.clean_fields(exclude=["metric", "recorded_by"])
    # One statement whether the week had a value or not (INSERT … ON CONFLICT DO UPDATE): two
    # people entering the same week at once leave one value, the later one.
    record.updated_at = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_VALUE_UPSERT_SQL, [metric.pk, monday, value, by.user.pk, record.updated_at])
        record.pk = cursor.fetchone()[0]
    webhook_emit(
        company.pk,
        WebhookEvent.METRIC_VALUE_RECORDED,
        lambda: {
            "metric": {"id": metric.pk, "name": metric.name, "unit": metric.unit},
            "week_start": monday,
            "value": record.value,
            "recorded_by": by.user.email,
        },
        occurrence=f"metric-value:{record.pk}:{record.updated_at.isoformat()}",
    )
    return record


def _validate_goal_tree(goal: Goal) -> None:
    parent = goal.parent
    if parent is None:
        return
    if parent.company_id != goal.company_id:
        raise ValidationError({"parent": _("The parent goal belongs to another business.")})
    seen = {goal.pk} if goal.pk else set()
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk in seen:
            raise ValidationError({"parent": _("A goal cannot be part of itself or of its own sub-goal.")})
        seen.add(ancestor.pk)
        ancestor = ancestor.parent
    if HORIZON_RANK[parent.horizon] <= HORIZON_RANK[goal.horizon]:
        raise ValidationError(
            {
                "horizon": _("A %(child)s goal cannot be part of a %(parent)s goal: year → quarter → month.")
                % {
                    "child": goal.get_horizon_display().lower(),
                    "parent": parent.get_horizon_display().lower(),
                }
            }
        )
    if goal.starts_on < parent.starts_on or goal.due_on > parent.due_on:
        raise ValidationError(
            {
                "due_on": _("The goal must fall inside its parent's period, %(start)s – %(due)s.")
                % {"start": parent.starts_on.isoformat(), "due": parent.due_on.isoformat()}
            }
        )


def _validate_children_fit(goal: Goal) -> None:
    if not goal.pk:
        return
    for child in goal.children.all():
        if child.starts_on < goal.starts_on or child.due_on > goal.due_on:
            raise ValidationError(
                {"due_on": _("A sub-goal (“%(title)s”) would fall outside this period.") % {"title": child.title}}
            )
        if HORIZON_RANK[child.horizon] >= HORIZON_RANK[goal.horizon]:
            raise ValidationError(
                {"horizon": _("A sub-goal (“%(title)s”) needs a shorter horizon than this.") % {"title": child.title}}
            )


def _save_goal(goal: Goal) -> Goal:
    if goal.metric_id and goal.metric.company_id != goal.company_id:
        raise ValidationError({"metric": _("Pick a metric of this business.")})
    goal.full_clean()
    _validate_goal_tree(goal)
    _validate_children_fit(goal)
    goal.save()
    return goal


@transaction.atomic
def goal_create(*, by: Membership, **fields) -> Goal:
    return _planning_edit(Goal(company=by.company), by, fields, GOAL_FIELDS, _save_goal)


@transaction.atomic
def goal_update(*, goal: Goal, by: Membership, **fields) -> Goal:
    return _planning_edit(goal, by, fields, GOAL_FIELDS, _save_goal)


@transaction.atomic
def goal_delete(*, goal: Goal, by: Membership) -> None:
    ensure_can(by, Permission.EDIT_PLANNING)
    goal.delete()
