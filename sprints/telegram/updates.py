"""Telegram's updates, each applied once: the webhook keeps it (its update_id unique) and hands
its id to the worker after the commit; the worker locks it, answers it in the transaction that
marks it processed (the answers are outbox rows), then sends the answers."""

import logging

from django.db import transaction
from django.utils import timezone

from tracking.telegram.models import TelegramUpdate
from tracking.telegram.sending import replies_add, replies_deliver_due, telegram_deliver

from . import conversation
from .messages import outgoing

logger = logging.getLogger(__name__)


def update_process(update_pk: int) -> int:
    """Apply one update unless it was applied before; returns how many answers went out."""
    with transaction.atomic():
        update = (
            TelegramUpdate.objects.select_for_update(skip_locked=True)
            .filter(pk=update_pk, processed_at__isnull=True)
            .first()
        )
        if update is None:
            return 0
        try:
            with transaction.atomic():
                chat_id, user, reply = conversation.handle(update.payload)
        except Exception:  # an update that cannot be applied is marked, never tried again
            logger.exception("Telegram update %s could not be applied", update.update_id)
            chat_id, user, reply = None, None, []
        keys = []
        if chat_id is not None and reply:
            replies = [
                outgoing(f"telegram-update:{update.update_id}:{n}", user, chat_id, params, method=method)
                for n, (method, params) in enumerate(reply)
            ]
            keys = replies_add(update.update_id, replies)
        update.processed_at = timezone.now()
        update.save(update_fields=["processed_at"])
    return telegram_deliver(keys) if keys else 0


def updates_sweep() -> int:
    """Updates whose hand-over was lost, then the answers due (first tries lost, retries)."""
    pending = TelegramUpdate.objects.filter(processed_at__isnull=True).order_by("update_id")
    for pk in list(pending.values_list("pk", flat=True)[:200]):
        update_process(pk)
    return replies_deliver_due()
