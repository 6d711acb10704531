"""Celery tasks of the tracking app: thin, idempotent, given ids. A failed send is not retried
by Celery: the outbox backs off in the database and the sweep hands it over again when due."""

from celery import shared_task

from .invitations import invitation_deliver, invitations_unsent


@shared_task
def invitation_send(membership_id: int) -> bool:
    return invitation_deliver(membership_id=membership_id)


@shared_task
def invitations_sweep() -> int:
    pending = invitations_unsent()
    for membership_id in pending:
        invitation_send.delay(membership_id)
    return len(pending)
