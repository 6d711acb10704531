"""What the webhook pages read."""

from django.db.models import QuerySet

from ..models import Company
from .models import WebhookAttempt, WebhookSubscription

LOG_LENGTH = 50  # attempts kept and shown per subscription


def subscriptions_of(company: Company) -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.filter(company=company).order_by("created_at", "pk")


def attempts_of(subscription: WebhookSubscription) -> list[WebhookAttempt]:
    return list(WebhookAttempt.objects.filter(subscription=subscription).order_by("-at", "-pk")[:LOG_LENGTH])
