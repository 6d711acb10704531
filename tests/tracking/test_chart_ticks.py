"""Chart axes step by 1, 2 or 5 × 10ⁿ and cover the values: 0 / 10 / … / 50, not 9,55 / 25,5 / 41,45."""

from decimal import Decimal as D

import pytest

from tracking.charts import line_chart, nice_ticks


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        ("9.55", "41.45", ["0", "10", "20", "30", "40", "50"]),
        ("16.1", "35.9", ["15", "20", "25", "30", "35", "40"]),
        ("287000", "353000", ["280000", "300000", "320000", "340000", "360000"]),
        ("1.8", "3.2", ["1.5", "2", "2.5", "3", "3.5"]),
        ("-5", "5", ["-5", "0", "5"]),
        ("0.02", "0.09", ["0.02", "0.04", "0.06", "0.08", "0.1"]),
    ],
)
def test_ticks_are_round_steps_covering_the_values(low, high, ticks):
    got = nice_ticks(D(low), D(high))
    assert [format(t, "f") for t in got] == ticks
    steps = {got[i + 1] - got[i] for i in range(len(got) - 1)}
    assert len(steps) == 1
    (step,) = steps
    assert step.normalize().as_tuple().digits[0] in (1, 2, 5) and len(step.normalize().as_tuple().digits) == 1


def test_the_chart_labels_its_axis_with_them():
    values = [(None, D("9.55")), (None, D("41.45"))]
    chart = line_chart(values)
    assert [label for _y, label in chart.y_labels] == [D(50), D(40), D(30), D(20), D(10), D(0)]


def test_the_chart_block_in_russian_says_last_week_and_the_target_by_its_date():
    from datetime import date

    from django.utils import translation

    from tracking.charts import chart_html

    values = [(date(2026, 1, 5), D("1250.5")), (date(2026, 1, 12), D("1300"))]
    with translation.override("ru"):
        html = chart_html(
            line_chart(values, D("2000")), name="Выручка <b>", unit="₽", target=D("2000"), target_date=date(2026, 3, 31)
        )
        empty = chart_html(line_chart([]), name="Выручка", unit="₽", target=None, target_date=None)
    assert 'aria-label="Выручка &lt;b&gt; по неделям"' in html
    assert "<title>2026-01-05: 1\xa0250,5</title>" in html
    assert "<strong>1\xa0300\xa0₽</strong>" in html
    assert '<span class="muted">на прошлой неделе 1\xa0250,5</span>' in html
    assert '<span class="muted">· целевое значение 2\xa0000 к 31 Мар 2026</span>' in html
    assert '<text class="axis" x="80.0" y="212" text-anchor="start">5 Янв</text>' in html
    assert empty == '<p class="empty">Значений пока нет. Внесите значение за эту неделю — и появится график.</p>'
