"""Celery tasks of the bot: thin and idempotent (an update is applied once, a message sent once)."""

import logging

from celery import shared_task
from django.db import transaction

from .updates import update_process, updates_sweep

logger = logging.getLogger(__name__)


@shared_task
def telegram_update(update_pk: int) -> int:
    return update_process(update_pk)


@shared_task
def telegram_sweep() -> int:
    return updates_sweep()


def update_enqueue(update_pk: int) -> None:
    """Hand a kept update to a worker once its row commits; with the broker down, the sweep
    (every minute) applies it."""
    transaction.on_commit(lambda: _delay(update_pk), robust=True)


def _delay(update_pk: int) -> None:
    try:
        telegram_update.delay(update_pk)
    except Exception as error:  # kombu OperationalError, connection refused, timeouts
        logger.warning("Broker unavailable, update %s is left to the sweep: %s", update_pk, error)
