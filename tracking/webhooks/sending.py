"""Delivering the webhook rows of the outbox: signed with the subscription's current secret, to
its current URL, each attempt logged (the last LOG_LENGTH kept). A delivery given up counts as
a failure of its subscription; WEBHOOKS_MAX_FAILURES (5) of them in a row switch it off, and
whoever made it (or, if they are gone, the business's trackers) is told by e-mail in their
language. A delivered one sets the count back to zero."""

from django.conf import settings
from django.db.models import Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..delivery.outbox import Outgoing, email_render, outbox_add, outbox_due, outbox_send
from ..delivery.webhook import Attempt, signed_headers, webhook_post
from ..models import Membership, OutboxChannel, OutboxMessage, Role
from .events import message_id, subscription_id_of
from .models import WebhookAttempt, WebhookSubscription
from .selectors import LOG_LENGTH
from .services import secret_of

SWITCHED_OFF_ABOUT = "webhook-off:"


def max_failures() -> int:
    return getattr(settings, "WEBHOOKS_MAX_FAILURES", 5)


class SubscriptionSender:
    """The outbox's WebhookSender for the business's subscriptions."""

    def __init__(self):
        self.sent_to: WebhookSubscription | None = None  # the subscription of the row being sent

    def send(self, row: OutboxMessage) -> Attempt:
        subscription = WebhookSubscription.objects.filter(pk=subscription_id_of(row.about)).first()
        self.sent_to = subscription if subscription is not None and subscription.is_active else None
        if self.sent_to is None:
            return Attempt(None, _("The webhook is switched off or removed."), 0, permanent=True)
        body = row.text.encode()
        timestamp = int(timezone.now().timestamp())
        headers = signed_headers(secret_of(subscription), message_id(row.key), timestamp, body)
        return webhook_post(subscription.url, headers, body)

    def attempted(self, row: OutboxMessage, attempt: Attempt, *, gave_up: bool) -> None:
        if self.sent_to is None:  # nothing was posted: nothing to log or count
            return
        subscription = WebhookSubscription.objects.select_for_update().get(pk=self.sent_to.pk)
        _log(subscription, row.subject, attempt)
        if attempt.delivered:
            if subscription.failures:
                subscription.failures = 0
                subscription.save(update_fields=["failures"])
        elif gave_up:
            subscription.failures += 1
            if subscription.is_active and subscription.failures >= max_failures():
                subscription.is_active = False
                subscription.switched_off_at = timezone.now()
                _tell_owners(subscription)
            subscription.save(update_fields=["failures", "is_active", "switched_off_at"])


def _log(subscription: WebhookSubscription, event: str, attempt: Attempt) -> None:
    WebhookAttempt.objects.create(
        subscription=subscription,
        at=timezone.now(),
        event=event[:40],
        status_code=attempt.status,
        error=" ".join(attempt.error.split())[:500],
        duration_ms=max(attempt.duration_ms, 0),
    )
    newest = WebhookAttempt.objects.filter(subscription=subscription).order_by("-at", "-pk")[:LOG_LENGTH]
    WebhookAttempt.objects.filter(subscription=subscription).exclude(pk__in=Subquery(newest.values("pk"))).delete()


def _owners(subscription: WebhookSubscription) -> list:
    """Whoever made the subscription while they still manage the business, else its trackers."""
    members = Membership.objects.accepted().filter(company_id=subscription.company_id).select_related("user")
    maker = members.filter(user_id=subscription.created_by_id, role__in=[Role.TRACKER, Role.ENTREPRENEUR]).first()
    if maker is not None:
        return [maker.user]
    return [m.user for m in members.filter(role=Role.TRACKER).order_by("pk")]


def _tell_owners(subscription: WebhookSubscription) -> None:
    path = reverse("tracking:webhook", args=[subscription.company_id, subscription.pk])
    stamp = int(subscription.switched_off_at.timestamp())
    about = f"{SWITCHED_OFF_ABOUT}{subscription.pk}"
    outgoing = [
        Outgoing(
            key=f"{about}:{stamp}:user:{user.pk}",
            to=user,
            message=email_render(
                "tracking/webhooks/email/switched_off",
                {
                    "company": subscription.company,
                    "subscription": subscription,
                    "failures": subscription.failures,
                    "link": settings.SITE_URL + path,
                },
                language=user.language,
            ),
        )
        for user in _owners(subscription)
        if user.email
    ]
    outbox_add(about, outgoing)


def webhooks_deliver(keys: list[str]) -> int:
    """Send these webhook rows that are due, then any switch-off e-mail they caused."""
    went = outbox_send(keys, webhooks=SubscriptionSender())
    if notices := outbox_due(OutboxChannel.EMAIL, timezone.now(), about_prefix=SWITCHED_OFF_ABOUT):
        outbox_send(notices)
    return went


def webhooks_deliver_due() -> int:
    """The sweep: every webhook row due now (first tries whose hand-over was lost, and retries)."""
    return webhooks_deliver(outbox_due(OutboxChannel.WEBHOOK, timezone.now()))
