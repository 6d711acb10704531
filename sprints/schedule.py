"""When each reminder is due, in the company's own time zone (DST-correct through zoneinfo).

Pure time arithmetic: no database, so it is tested with frozen clocks.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tracking.models import Company
from tracking.weeks import local_today

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


def default_dates(company: Company, after: date | None = None) -> tuple[date, date]:
    """At most the company's sprint length, ending on its review day: the next sprint starts
    the day after the last one (or today) and ends on the last review day that fits; when that
    would leave less than half the length (the start falls just before or on a review day), on
    the review day after it, and then it starts later rather than run longer than the sprint
    length (a first sprint planned on the review day starts the next morning: 7 days, not 8)."""
    start = max(after + timedelta(days=1), local_today(company)) if after else local_today(company)
    length = company.sprint_length_days
    last_day = start + timedelta(days=length - 1)
    end = last_day - timedelta(days=(last_day.weekday() - company.review_weekday) % 7)
    if (end - start).days + 1 < (length + 1) // 2:
        end += timedelta(days=7)
        start = max(start, end - timedelta(days=length - 1))
    return start, end
