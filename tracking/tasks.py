"""Celery tasks of the tracking app: thin, idempotent, given ids."""

from smtplib import SMTPException

from celery import shared_task

from .invitations import invitation_deliver, invitations_unsent


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    retry_jitter=True,
    max_retries=8,
)
def invitation_send(membership_id: int) -> bool:
    return invitation_deliver(membership_id=membership_id)


@shared_task
def invitations_sweep() -> int:
    pending = invitations_unsent()
    for membership_id in pending:
        invitation_send.delay(membership_id)
    return len(pending)
