"""Celery tasks of the weekly loop: thin, idempotent, given ids (DESIGN.md §7)."""

import logging

from celery import shared_task

from . import jobs

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
    planned = jobs.reminders_plan()
    digests = jobs.digests_plan()
    return {
        "reminders_planned": planned,
        "digests_planned": digests,
        "reminder_batches": _enqueue(reminders_send, _chunks(jobs.unsent_reminder_ids(), jobs.SEND_BATCH)),
        "digests": _enqueue(digest_send, [[pk] for pk in jobs.unsent_digest_ids()]),
        "rollups": _enqueue(sprint_rollup, _chunks(jobs.pending_report_ids(), jobs.ROLLUP_BATCH)),
    }


@shared_task
def reminders_send(reminder_ids: list[int]) -> int:
    return sum(jobs.reminder_deliver(pk) for pk in reminder_ids)


@shared_task
def digest_send(digest_ids: list[int]) -> int:
    return sum(jobs.digest_deliver(pk) for pk in digest_ids)


@shared_task
def sprint_rollup(sprint_ids: list[int]) -> int:
    """Compute the reports of a batch of closed sprints (a fixed number of queries), then hand
    the e-mails to their own task, so the numbers are up before the members' mail goes out."""
    done = jobs.sprint_rollups(sprint_ids)
    if done:
        _enqueue(reports_email, [done])
    return len(done)


@shared_task
def reports_email(sprint_ids: list[int]) -> int:
    return jobs.reports_email(sprint_ids)
