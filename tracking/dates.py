"""Dates as the pages write them, made once per page in Python rather than by a filter per row."""

from collections.abc import Callable
from datetime import date

from django.utils.dates import MONTHS_3


def day_month_year() -> Callable[[date], str]:
    """What `{{ day|date:"j M Y" }}` writes ("5 Jan 2026", «5 Янв 2026»), as a function for a
    page's rows: the month names are read once, in the active language."""
    months = {month: str(MONTHS_3[month]).title() for month in range(1, 13)}
    return lambda day: f"{day.day} {months[day.month]} {day.year}"
