"""Celery tasks of the webhooks: thin and idempotent (the outbox sends a row once). A failed
delivery is not retried by Celery: the outbox backs off in the database and the sweep hands it
over again when due."""

from celery import shared_task

from .sending import webhooks_deliver, webhooks_deliver_due


@shared_task
def webhooks_send(keys: list[str]) -> int:
    return webhooks_deliver(keys)


@shared_task
def webhooks_sweep() -> int:
    return webhooks_deliver_due()
