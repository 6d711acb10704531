"""Money, percentages and numbers in the user's language (Babel): "1 234,50 ₽" in Russian."""

from decimal import Decimal

from babel.numbers import format_currency, format_decimal, format_percent
from django.utils.translation import get_language, to_locale


def _locale() -> str:
    return to_locale(get_language() or "en")


def money(value: Decimal | None, currency: str) -> str:
    if value is None:
        return "—"
    try:
        return format_currency(value, currency, locale=_locale())
    except (ValueError, KeyError):  # an unknown code still shows the number
        return f"{format_decimal(value, '#,##0.00', locale=_locale())} {currency}"


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
