"""Celery tasks of the weekly loop: thin, idempotent, given ids (DESIGN.md §7). Each calls one
function of reminders.py, rollups.py or digest.py."""

import functools
import logging

from celery import shared_task
from celery.contrib.django.task import DjangoTask
from django.db import transaction

from . import digest, reminders, rollups
from .models import Sprint

logger = logging.getLogger(__name__)


def _enqueue(task, batches) -> int:
    """Hand work to the broker; if it is down, stop quietly: the rows wait in the database and
    the next dispatch (every 5 minutes) tries again."""
    sent = 0
    for batch in batches:
        try:
            task.delay(batch)
        except Exception as error:  # kombu OperationalError, connection refused, timeouts
            logger.warning("Broker unavailable, %s will be retried by the next dispatch: %s", task.name, error)
            break
        sent += 1
    return sent


def _chunks(ids: list[int], size: int):
    return [ids[i : i + size] for i in range(0, len(ids), size)]


@shared_task
def dispatch() -> dict:
    """Every 5 minutes (beat): write due reminders and digests, then enqueue everything unsent,
    including roll-ups whose enqueue was lost."""
    planned = reminders.reminders_plan()
    digests = digest.digests_plan()
    return {
        "reminders_planned": planned,
        "digests_planned": digests,
        "reminder_batches": _enqueue(reminders_send, _chunks(reminders.unsent_reminder_ids(), reminders.SEND_BATCH)),
        "digests": _enqueue(digests_send, [[pk] for pk in digest.unsent_digest_ids()]),
        "rollups": _enqueue(sprint_rollup, _chunks(rollups.pending_report_ids(), rollups.ROLLUP_BATCH)),
    }


@shared_task
def reminders_send(reminder_ids: list[int]) -> int:
    return reminders.reminders_deliver(reminder_ids)


@shared_task
def digests_send(digest_ids: list[int]) -> int:
    return digest.digests_deliver(digest_ids)


class EnqueuedAfterCommit(DjangoTask):
    """A task handed to the broker once the transaction that wrote its rows commits
    (`delay_on_commit`). A broker that is down then does not fail the request that committed
    (the error is logged): the rows wait in the database, and the next dispatch enqueues them."""

    def delay_on_commit(self, *args, **kwargs) -> None:
        transaction.on_commit(functools.partial(self.delay, *args, **kwargs), robust=True)


def enqueue_rollup(sprint: Sprint) -> None:
    """Once the close of `sprint` commits: compute its report again (the same numbers) and
    e-mail it. A close that rolls back enqueues nothing."""
    sprint_rollup.delay_on_commit([sprint.pk])


@shared_task(base=EnqueuedAfterCommit)
def sprint_rollup(sprint_ids: list[int]) -> int:
    """Compute the reports of a batch of closed sprints (a fixed number of queries), then hand
    the e-mails to their own task, so the numbers are up before the members' mail goes out."""
    done = rollups.sprint_rollups(sprint_ids)
    if done:
        _enqueue(report_emails_send, [done])
    return len(done)


@shared_task
def report_emails_send(sprint_ids: list[int]) -> int:
    return rollups.reports_email(sprint_ids)
