"""Every write of webhook subscriptions: made, changed, switched on or off, its secret rotated,
a test event sent, removed. A tracker or an entrepreneur does them."""

import base64
import secrets
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import ensure_can
from ..accounts.mfa_secrets import decrypt, encrypt
from ..delivery.webhook import SECRET_PREFIX, url_refusal
from ..models import Membership
from ..roles import Permission
from .events import webhook_write
from .models import TEST_EVENT, WebhookEvent, WebhookSubscription


def secret_new() -> str:
    """`whsec_` and 32 random bytes in base64, as Standard Webhooks writes a secret."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def secret_of(subscription: WebhookSubscription) -> str:
    return decrypt(subscription.secret)


def _save(subscription: WebhookSubscription, url: str, events: list[str]) -> WebhookSubscription:
    url, events = url.strip(), [event for event in WebhookEvent.values if event in set(events)]
    if refusal := url_refusal(url):
        raise ValidationError({"url": refusal})
    if not events:
        raise ValidationError({"events": _("Choose at least one event.")})
    subscription.url, subscription.events = url, events
    subscription.full_clean()
    subscription.save()
    return subscription


@transaction.atomic
def webhook_subscription_create(*, by: Membership, url: str, events: list[str]) -> WebhookSubscription:
    ensure_can(by, Permission.MANAGE_COMPANY)
    subscription = WebhookSubscription(company=by.company, secret=encrypt(secret_new()), created_by=by.user)
    return _save(subscription, url, events)


@transaction.atomic
def webhook_subscription_update(
    *, subscription: WebhookSubscription, by: Membership, url: str, events: list[str]
) -> WebhookSubscription:
    """Deliveries still waiting go to the new URL."""
    ensure_can(by, Permission.MANAGE_COMPANY)
    return _save(subscription, url, events)


@transaction.atomic
def webhook_subscription_switch(*, subscription: WebhookSubscription, by: Membership, on: bool) -> WebhookSubscription:
    """Switched on, it starts again with no failures counted; switched off, deliveries still
    waiting are given up when their turn comes."""
    ensure_can(by, Permission.MANAGE_COMPANY)
    subscription.is_active = on
    if on:
        subscription.failures, subscription.switched_off_at = 0, None
    subscription.save(update_fields=["is_active", "failures", "switched_off_at"])
    return subscription


@transaction.atomic
def webhook_secret_rotate(*, subscription: WebhookSubscription, by: Membership) -> WebhookSubscription:
    """A new secret at once: deliveries still waiting are signed with it."""
    ensure_can(by, Permission.MANAGE_COMPANY)
    subscription.secret = encrypt(secret_new())
    subscription.secret_rotated_at = timezone.now()
    subscription.save(update_fields=["secret", "secret_rotated_at"])
    return subscription


@transaction.atomic
def webhook_test_send(*, subscription: WebhookSubscription, by: Membership) -> list[str]:
    """A `webhook.test` event to this subscription alone, delivered like any other."""
    ensure_can(by, Permission.MANAGE_COMPANY)
    if not subscription.is_active:
        raise ValidationError(_("Switch the webhook on before sending it a test event."))
    data = {"company_id": subscription.company_id, "message": "A test event from the sprint tracker."}
    return webhook_write(uuid.uuid4(), TEST_EVENT, data, [(subscription.pk, subscription.url)])


@transaction.atomic
def webhook_subscription_delete(*, subscription: WebhookSubscription, by: Membership) -> None:
    """Removed with its log; deliveries still waiting are given up when their turn comes."""
    ensure_can(by, Permission.MANAGE_COMPANY)
    subscription.delete()
