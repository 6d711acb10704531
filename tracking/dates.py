"""Dates as the pages write them, made once per page in Python rather than by a filter per row."""

from collections.abc import Callable
from datetime import date, datetime

from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.timezone import localtime


def day_month_year() -> Callable[[date], str]:
    """What `{{ day|date:"j M Y" }}` writes ("5 Jan 2026", «5 Янв 2026»), as a function for a
    page's rows: the month names are read once, in the active language. A moment is written as
    its day in the reader's time zone."""
    months = {month: str(MONTHS_3[month]).title() for month in range(1, 13)}

    def write(day: date) -> str:
        if isinstance(day, datetime):
            day = localtime(day)
        return f"{day.day} {months[day.month]} {day.year}"

    return write


def weekday_day_month_time() -> Callable[[datetime], str]:
    """What `date_format(moment, "D j M, H:i")` writes ("Mon 7 Dec, 10:00", «Пн 7 Дек, 10:00»)
    of a moment in its own time zone, as a function for a page's cards: the names are read once."""
    days = {day: str(WEEKDAYS_ABBR[day]) for day in range(7)}
    months = {month: str(MONTHS_3[month]).title() for month in range(1, 13)}
    return lambda at: f"{days[at.weekday()]} {at.day} {months[at.month]}, {at.hour:02d}:{at.minute:02d}"
