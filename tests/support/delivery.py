"""What happened to the messages of a thing of the product (a reminder, a digest, a report to
every member, an invitation), read from the outbox the way the tests check it."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from tracking.models import OutboxMessage


@dataclass(frozen=True)
class Delivery:
    """What happened to the messages of one thing (a report goes to every member)."""

    sent_at: datetime | None  # when the last went out, once all did
    failed_at: datetime | None  # when the last was given up, once none is waiting
    attempts: int
    next_attempt_at: datetime | None  # the latest back-off: by then every message may go again
    last_error: str


def _delivery(rows: list[OutboxMessage]) -> Delivery:
    waiting = [r for r in rows if r.sent_at is None and r.failed_at is None]
    unsent = [r for r in rows if r.sent_at is None]
    return Delivery(
        sent_at=max(r.sent_at for r in rows) if rows and not unsent else None,
        failed_at=max(r.failed_at for r in unsent) if unsent and not waiting else None,
        attempts=max((r.attempts for r in rows), default=0),
        next_attempt_at=max((r.next_attempt_at for r in waiting if r.next_attempt_at), default=None),
        last_error=next((r.last_error for r in reversed(rows) if r.last_error), ""),
    )


def deliveries(abouts: Iterable[str]) -> dict[str, Delivery]:
    """What happened to the messages of each of these things (nothing written yet: nothing
    sent, no attempt), in one query."""
    abouts = list(abouts)
    rows = defaultdict(list)
    for row in OutboxMessage.objects.filter(about__in=abouts).order_by("pk"):
        rows[row.about].append(row)
    return {about: _delivery(rows[about]) for about in abouts}


def delivery(about: str) -> Delivery:
    return deliveries([about])[about]
