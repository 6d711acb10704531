"""Percentages and numbers of the toolkit in the user's language (Babel); money is the app's
one helper (tracking.numbers.money): "1 234,50 ₽" in Russian."""

from decimal import Decimal

from babel.numbers import format_decimal, format_percent

from tracking.numbers import money, reader_locale

__all__ = ["money", "number", "percent"]


def _locale() -> str:
    return reader_locale()


def percent(fraction: Decimal | None) -> str:
    """0.1234 → "12.3%" (English), "12,3 %" (Russian)."""
    if fraction is None:
        return "—"
    return format_percent(Decimal(fraction).quantize(Decimal("0.001")), locale=_locale(), decimal_quantization=False)


def number(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "—"
    pattern = "#,##0." + "#" * places if places else "#,##0"
    return format_decimal(value, pattern, locale=_locale())
