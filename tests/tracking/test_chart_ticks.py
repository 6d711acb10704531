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
