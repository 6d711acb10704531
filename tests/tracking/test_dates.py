"""The pages' date writers (tracking/dates.py) write what Django's date format writes, in
either language, with the names read once per page."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from tests import clock
from tracking.dates import day_month_year, weekday_day_month_time

MOMENTS = [clock.now().astimezone(ZoneInfo("Europe/Moscow")) + timedelta(days=n, hours=5 * n) for n in range(40)]


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_writers_write_what_the_date_format_writes(language):
    with translation.override(language):
        written, day = weekday_day_month_time(), day_month_year()
        for moment in [*MOMENTS, datetime(2027, 5, 3, 9, 5, tzinfo=ZoneInfo("Asia/Tokyo"))]:
            assert written(moment) == date_format(moment, "D j M, H:i")
            assert day(moment.date()) == date_format(moment.date(), "j M Y")
        assert day(date(2027, 1, 5)) == {"en": "5 Jan 2027", "ru": "5 Янв 2027"}[language]


def test_a_moment_is_written_as_its_day_where_the_reader_is():
    late = datetime(2027, 1, 31, 22, 30, tzinfo=ZoneInfo("UTC"))  # 1 February in Moscow
    with translation.override("en"), timezone.override(ZoneInfo("Europe/Moscow")):
        assert day_month_year()(late) == "1 Feb 2027" == date_format(timezone.localtime(late), "j M Y")
