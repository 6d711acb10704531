"""Numbers shown as typed: the `plain` filter and its plain-python twin."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from tracking.numbers import input_value, plain


def render(value, language="en"):
    with translation.override(language):
        return Template("{% load numbers %}{{ value|plain }}").render(Context({"value": value}))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("3.1000"), "3.1"),
        (Decimal("10"), "10"),
        (Decimal("10.0000"), "10"),
        (Decimal("1E+1"), "10"),
        (Decimal("1.5E+3"), "1,500"),
        (Decimal("0.0500"), "0.05"),
        (Decimal("-2.50"), "-2.5"),
        (Decimal("0.0000"), "0"),
        (Decimal("-0.00"), "0"),
        (Decimal("1234567.8900"), "1,234,567.89"),
        (7, "7"),
        (None, ""),
    ],
)
def test_filter_shows_the_number_as_typed(value, shown):
    assert render(value) == shown


def test_filter_uses_the_russian_decimal_separator():
    assert render(Decimal("3.1000"), "ru") == "3,1"
    assert render(Decimal("1E+1"), "ru") == "10"


def test_filter_leaves_text_that_is_not_a_number():
    assert render("n/a") == "n/a"


def test_python_function_keeps_the_dot_for_csv_and_text():
    with translation.override("ru"):
        assert plain(Decimal("3.1000")) == "3.1"
        assert plain(Decimal("3.1000"), localize=True) == "3,1"
    assert plain(None) == ""
    assert plain(Decimal("2E+2")) == "200"


def test_input_value_is_the_number_as_the_reader_writes_it_without_grouping():
    with translation.override("ru"):
        assert input_value(Decimal("3.1000")) == "3,1"
        assert input_value(Decimal("1234.5")) == "1234,5"
    with translation.override("en"):
        assert input_value(Decimal("3.1000")) == "3.1"
    assert input_value(Decimal("1E+1")) == "10"
    assert input_value(None) is None
    assert input_value("3,1x") == "3,1x"  # what was typed into a refused form stays as typed


def test_filter_groups_thousands_the_russian_way():
    assert render(Decimal("350000.00"), "ru") == "350\N{NO-BREAK SPACE}000"
    assert render(Decimal("1234567.89"), "ru") == "1\N{NO-BREAK SPACE}234\N{NO-BREAK SPACE}567,89"


@pytest.mark.parametrize("language", ["en", "ru", "de", "hi", "es"])
def test_plain_writes_what_babel_writes(language):
    """`plain` groups digits itself for a locale of the plain kind ("#,##0.###", Indian
    grouping too) and leaves others to Babel: either way the text is Babel's."""
    from babel.numbers import format_decimal
    from django.utils.translation import to_locale

    values = [
        Decimal(sign * whole).scaleb(-places)
        for sign in (1, -1)
        for whole in (0, 7, 999, 1000, 12345, 1234567890123)
        for places in (0, 1, 4)
    ]
    with translation.override(language):
        for value in values:
            expected = format_decimal(
                value.normalize() if value else Decimal(0), locale=to_locale(language), decimal_quantization=False
            )
            assert plain(value, localize=True) == expected, value
