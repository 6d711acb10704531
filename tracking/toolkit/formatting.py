"""Percentages and numbers of the toolkit in the user's language (Babel); money is the app's
one helper (tracking.numbers.money): "1 234,50 ₽" in Russian."""

from decimal import Decimal
from functools import cache

from babel.numbers import NumberPattern, parse_pattern

from tracking.numbers import money, reader_babel_locale

__all__ = ["money", "number", "percent"]


def percent(fraction: Decimal | None) -> str:
    """0.1234 → "12.3%" (English), "12,3 %" (Russian)."""
    if fraction is None:
        return "—"
    locale = reader_babel_locale()
    value = Decimal(fraction).quantize(Decimal("0.001"))
    return locale.percent_formats[None].apply(value, locale, decimal_quantization=False)


@cache
def _places(places: int) -> NumberPattern:
    return parse_pattern("#,##0." + "#" * places if places else "#,##0")


def number(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "—"
    return _places(places).apply(value, reader_babel_locale())
