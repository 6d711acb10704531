"""The reads of the CRM feeds: the settings pages' and the metric page's line."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Subquery

from ...models import Company, Metric
from .models import PROVIDER_NAMES, CrmConnection, CrmEvent, CrmStageMapping

REVIEW_LENGTH = 50


def connection_of(company: Company) -> CrmConnection | None:
    return CrmConnection.objects.filter(company=company).first()


def connection_by_key(key: str) -> CrmConnection | None:
    return CrmConnection.objects.select_related("company").filter(key=key).first()


def mappings_of(connection: CrmConnection) -> list[CrmStageMapping]:
    return list(connection.mappings.select_related("metric"))


def review_list(connection: CrmConnection) -> list[CrmEvent]:
    """The latest events that count for no metric, with their reasons."""
    return list(connection.events.exclude(reason="")[:REVIEW_LENGTH])


@dataclass(frozen=True)
class Feed:
    provider: str  # its name, in the reader's language
    last_event_at: datetime | None


def feed_of(metric: Metric) -> Feed | None:
    """The CRM that feeds a metric and when its last counted event came, in one query; None
    for a metric no CRM stage is mapped to."""
    latest = CrmEvent.objects.filter(metric=OuterRef("metric"), reason="").order_by("-received_at")
    mapping = (
        CrmStageMapping.objects.filter(metric=metric)
        .select_related("connection")
        .annotate(last_event_at=Subquery(latest.values("received_at")[:1]))
        .first()
    )
    if mapping is None:
        return None
    return Feed(provider=str(PROVIDER_NAMES[mapping.connection.provider]), last_event_at=mapping.last_event_at)
