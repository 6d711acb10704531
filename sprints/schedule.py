"""When each reminder is due, in the company's own time zone (DST-correct through zoneinfo).

Pure time arithmetic: no database, so it is tested with frozen clocks.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .models import ReminderKind

SESSION_LEAD = timedelta(hours=1)
OVERDUE_AFTER = timedelta(hours=24)


def review_date(ends_on: date, review_weekday: int) -> date:
    """The weekly review that closes a sprint: its review weekday on or after its last day."""
    return ends_on + timedelta(days=(review_weekday - ends_on.weekday()) % 7)


def review_at(ends_on: date, review_weekday: int, review_time: time, tz: ZoneInfo) -> datetime:
    """An aware datetime: the wall-clock review time on that day, whatever the UTC offset."""
    return datetime.combine(review_date(ends_on, review_weekday), review_time, tzinfo=tz)


def due_kinds(*, now: datetime, review: datetime, lead_hours: int) -> list[str]:
    """The reminder kinds whose window contains `now` for a sprint still open.

    results due:       from `lead_hours` before the review until the review;
    session upcoming:  from 1 h before the review until the review;
    review overdue:    from 24 h after the review on (until the sprint is closed).
    Hours are elapsed hours: across a DST change “24 h before” is not “same time yesterday”.
    """
    review = review.astimezone(UTC)
    kinds = []
    if review - timedelta(hours=lead_hours) <= now < review:
        kinds.append(ReminderKind.RESULTS_DUE)
    if review - SESSION_LEAD <= now < review:
        kinds.append(ReminderKind.SESSION_UPCOMING)
    if now >= review + OVERDUE_AFTER:
        kinds.append(ReminderKind.REVIEW_OVERDUE)
    return kinds


def digest_week(now: datetime, tz: ZoneInfo) -> date | None:
    """The Monday whose digest is due: from Monday 08:00 local time on (once per week)."""
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    if local >= datetime.combine(monday, time(8, 0), tzinfo=tz):
        return monday
    return None
