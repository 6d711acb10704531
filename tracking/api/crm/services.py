"""Every write of the CRM feeds: the connection, its stage mapping, and the events received,
whose counts become the weekly values of the mapped metrics (through the toolkit's
`value_record`, as the pages and the API's PUT write a weekly value)."""

import logging
import secrets
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from ...access import ensure_can
from ...accounts.mfa_secrets import encrypt
from ...models import Membership, Metric
from ...roles import Permission, role_allows
from ...toolkit.services import value_record
from ...weeks import current_week_start, local_today, week_start
from .adapters import IncomingEvent
from .models import CrmConnection, CrmEvent, CrmStageMapping, Provider, Reason

logger = logging.getLogger(__name__)

SECRET_MIN_LENGTH = 8


def _secret_checked(provider: str, secret: str, connection: CrmConnection | None) -> str | None:
    """The secret to keep (None: keep the one stored). amoCRM's is made here when none is typed:
    it is part of the URL given to amoCRM."""
    secret = secret.strip()
    unchanged = connection is not None and connection.provider == provider
    if not secret:
        if unchanged:
            return None
        if provider == Provider.AMOCRM:
            return secrets.token_urlsafe(24)
        raise ValidationError({"secret": _("Paste the secret from your CRM.")})
    if len(secret) < SECRET_MIN_LENGTH:
        raise ValidationError({"secret": _("A secret this short is guessed too easily.")})
    if provider == Provider.AMOCRM and not secret.replace("-", "").replace("_", "").isalnum():
        raise ValidationError({"secret": _("In a URL the secret may hold only letters, digits, “-” and “_”.")})
    return secret


@transaction.atomic
def crm_connection_save(*, by: Membership, provider: str, secret: str) -> CrmConnection:
    """The business's CRM, connected or changed. A blank secret keeps the stored one while the
    CRM stays the same."""
    ensure_can(by, Permission.MANAGE_COMPANY)
    connection = CrmConnection.objects.select_for_update().filter(company=by.company).first()
    if provider not in Provider.values:
        raise ValidationError({"provider": _("Choose one of the CRMs offered.")})
    kept = _secret_checked(provider, secret, connection)
    if connection is None:
        connection = CrmConnection(company=by.company, key=secrets.token_urlsafe(16), created_by=by.user)
    connection.provider = provider
    if kept is not None:
        connection.secret = encrypt(kept)
    connection.full_clean()
    connection.save()
    return connection


def _mapping_checked(mapping: CrmStageMapping) -> CrmStageMapping:
    metric = mapping.metric
    if metric.company_id != mapping.connection.company_id or metric.funnel_stage is None:
        raise ValidationError({"metric": _("Choose one of this business's funnel stages.")})
    mapping.pipeline_id, mapping.stage_id = mapping.pipeline_id.strip(), mapping.stage_id.strip()
    taken = CrmStageMapping.objects.filter(
        connection=mapping.connection, pipeline_id=mapping.pipeline_id, stage_id=mapping.stage_id
    ).exclude(pk=mapping.pk)
    if taken.exists():
        raise ValidationError({"stage_id": _("This stage is already mapped.")})
    mapping.full_clean()
    mapping.save()
    return mapping


@transaction.atomic
def crm_mapping_create(*, by: Membership, pipeline_id: str, stage_id: str, metric: Metric) -> CrmStageMapping:
    ensure_can(by, Permission.MANAGE_COMPANY)
    connection = CrmConnection.objects.filter(company=by.company).first()
    if connection is None:
        raise ValidationError(_("Connect a CRM first."))
    mapping = CrmStageMapping(connection=connection, pipeline_id=pipeline_id, stage_id=stage_id, metric=metric)
    return _mapping_checked(mapping)


@transaction.atomic
def crm_mapping_update(
    *, mapping: CrmStageMapping, by: Membership, pipeline_id: str, stage_id: str, metric: Metric
) -> CrmStageMapping:
    ensure_can(by, Permission.MANAGE_COMPANY)
    mapping.pipeline_id, mapping.stage_id, mapping.metric = pipeline_id, stage_id, metric
    return _mapping_checked(mapping)


@transaction.atomic
def crm_mapping_delete(*, mapping: CrmStageMapping, by: Membership) -> None:
    """The stage counts no more; what it counted stays in the weekly values."""
    ensure_can(by, Permission.MANAGE_COMPANY)
    mapping.delete()


def _mapped(event: IncomingEvent, mappings: list[CrmStageMapping]) -> tuple[Metric | None, str]:
    """The metric an event counts for, or the reason it counts for none. A mapping for the
    event's pipeline comes before one for any pipeline."""
    if event.reason:
        return None, event.reason
    same_stage = [m for m in mappings if m.stage_id == event.stage_id]
    for mapping in sorted(same_stage, key=lambda m: m.pipeline_id == ""):
        if mapping.pipeline_id in {"", event.pipeline_id}:
            return mapping.metric, ""
    return None, Reason.UNKNOWN_PIPELINE if same_stage else Reason.UNKNOWN_STAGE


def _acting_membership(connection: CrmConnection) -> Membership | None:
    """The weekly values are recorded as the member who connected the CRM, while they may enter them."""
    membership = (
        Membership.objects.accepted()
        .select_related("user", "company")
        .filter(company_id=connection.company_id, user_id=connection.created_by_id)
        .first()
    )
    return membership if membership and role_allows(membership.role, Permission.EDIT_PLANNING) else None


def _rows(connection: CrmConnection, events: Iterable[IncomingEvent], received_at: datetime) -> list[CrmEvent]:
    company = connection.company
    mappings = list(connection.mappings.select_related("metric"))
    this_week = current_week_start(company, received_at)
    rows = []
    for event in events:
        metric, reason = _mapped(event, mappings)
        week = week_start(local_today(company, event.occurred_at))
        if metric is not None and week > this_week:
            metric, reason = None, Reason.FUTURE_WEEK
        rows.append(
            CrmEvent(
                connection=connection,
                event_id=event.event_id,
                deal_id=event.deal_id,
                pipeline_id=event.pipeline_id,
                stage_id=event.stage_id,
                occurred_at=event.occurred_at,
                received_at=received_at,
                metric=metric,
                week_start=week if metric is not None else None,
                reason=reason,
            )
        )
    return rows


def _deals_reaching(metric: Metric, week: date) -> int:
    return CrmEvent.objects.filter(metric=metric, week_start=week, reason="").aggregate(
        deals=Count("deal_id", distinct=True)
    )["deals"]


@transaction.atomic
def crm_events_receive(
    *, connection: CrmConnection, events: list[IncomingEvent], received_at: datetime
) -> list[CrmEvent]:
    """The events kept once each (a replay is not stored again), and each week they fall in
    recounted from the stored events: the mapped metric's value for a week of the business's
    calendar is the number of deals that reached its stage in that week, however often or in
    whatever order the CRM sent them. What cannot count is kept with its reason for review."""
    rows = _rows(connection, events, received_at)
    membership = _acting_membership(connection) if any(r.metric_id for r in rows) else None
    if membership is None:
        for row in rows:
            if row.metric_id:
                row.metric, row.week_start, row.reason = None, None, Reason.NO_MEMBER
    CrmEvent.objects.bulk_create(rows, ignore_conflicts=True, unique_fields=["connection", "event_id"])
    weeks = sorted({(row.metric_id, row.week_start) for row in rows if row.metric_id})
    # Two deliveries at once wait for each other here, so that the second counts the first's events.
    metrics = {m.pk: m for m in Metric.objects.select_for_update().filter(pk__in={m for m, _w in weeks}).order_by("pk")}
    for metric_id, week in weeks:
        value_record(
            metric=metrics[metric_id],
            by=membership,
            value=Decimal(_deals_reaching(metrics[metric_id], week)),
            week=week,
        )
    for row in rows:
        if row.reason:
            logger.info(
                "CRM event %s of business %s kept for review: %s", row.event_id, connection.company_id, row.reason
            )
    return rows
