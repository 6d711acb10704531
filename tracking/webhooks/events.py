"""Raising a webhook event: the one function the services call, inside their transaction.

`webhook_emit` costs one query when the business has no active subscription to the event and
writes nothing then. Otherwise it writes an outbox row per subscription, keyed by the event's
id and the subscription's: the event's id is derived from what happened (`occurrence`, e.g. the
sprint's id), so raising the same event again writes nothing more. The rows are written in the
caller's transaction (a rolled-back change sends nothing) and handed to a worker after commit;
the sweep sends any whose hand-over was lost.
"""

import json
import logging
import uuid
from collections.abc import Callable, Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from ..delivery.outbox import OutgoingWebhook, outbox_add_webhooks
from .models import WebhookSubscription

logger = logging.getLogger(__name__)

EVENT_NAMESPACE = uuid.UUID("5b0c7f5e-2f0e-4d39-9a57-6f1f1b8c3e21")
ABOUT_PREFIX = "webhook:"


def subscription_about(subscription_id: int) -> str:
    """What the outbox rows of a subscription are about (the sender finds it by this)."""
    return f"{ABOUT_PREFIX}{subscription_id}"


def subscription_id_of(about: str) -> int:
    return int(about.removeprefix(ABOUT_PREFIX))


def message_id(key: str) -> str:
    """The `webhook-id` of an outbox row "webhook:<event id>:<subscription id>": the same on every
    attempt, unique per event and subscription."""
    _prefix, event_hex, subscription_id = key.split(":")
    return f"msg_{event_hex}_{subscription_id}"


# The business's active subscriptions to an event, (id, URL): asked by every write that raises
# an event, so written once rather than built by the ORM on each.
_LISTENING_SQL = f"""
SELECT id, url FROM {WebhookSubscription._meta.db_table}
WHERE company_id = %s AND is_active AND events @> %s::jsonb
"""


def webhook_emit(company_id: int, event: str, payload: dict | Callable[[], dict], *, occurrence: str) -> list[str]:
    """Raise `event` of the business to its active subscriptions to it; `payload` is the event's
    data (a callable is called only when someone subscribes). Returns the outbox keys."""
    with connection.cursor() as cursor:
        cursor.execute(_LISTENING_SQL, [company_id, json.dumps([event])])
        subscriptions = cursor.fetchall()
    if not subscriptions:
        return []
    event_id = uuid.uuid5(EVENT_NAMESPACE, f"{company_id}:{event}:{occurrence}")
    return webhook_write(event_id, event, payload() if callable(payload) else payload, subscriptions)


def webhook_body(event_id: uuid.UUID, event: str, data: dict) -> str:
    envelope = {"id": f"evt_{event_id.hex}", "type": event, "timestamp": timezone.now().isoformat(), "data": data}
    return json.dumps(envelope, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def webhook_write(event_id: uuid.UUID, event: str, data: dict, subscriptions: Iterable[tuple[int, str]]) -> list[str]:
    """The outbox rows of one event for these (subscription id, URL), enqueued after commit."""
    body = webhook_body(event_id, event, data)
    keys = outbox_add_webhooks(
        OutgoingWebhook(
            key=f"{ABOUT_PREFIX}{event_id.hex}:{pk}", about=subscription_about(pk), url=url, event=event, body=body
        )
        for pk, url in subscriptions
    )
    transaction.on_commit(lambda: _enqueue(keys))
    return keys


def _enqueue(keys: list[str]) -> None:
    from .tasks import webhooks_send

    try:
        webhooks_send.delay(keys)
    except Exception:  # a dead broker must not fail the request; the sweep sends them
        logger.warning("Could not enqueue webhooks %s; the sweep will send them", keys)
