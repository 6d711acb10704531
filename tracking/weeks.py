"""Weeks of a company's local calendar: Monday to Sunday in the company's time zone."""

from datetime import date, datetime, timedelta

from django.utils import timezone

from .models import Company


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_today(company: Company, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(company.tzinfo).date()


def current_week_start(company: Company, now: datetime | None = None) -> date:
    """The Monday of the company's current week. Sunday 23:30 in Los Angeles is already
    Monday in UTC, yet it belongs to the local week that is ending."""
    return week_start(local_today(company, now))
