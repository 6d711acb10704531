"""Numbers as people typed them: 3.1 rather than the stored 3.1000, 10 rather than 1E+1."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.formats import number_format


def as_decimal(value) -> Decimal | None:
    """A Decimal for a Decimal, int, float or numeric text; None for anything else."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    else:
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
    return number if number.is_finite() else None


def _normalized(number: Decimal) -> Decimal:
    if number == 0:
        return Decimal(0)
    return number.normalize()


def plain(value, *, localize: bool = False) -> str:
    """A number without trailing zeros and without an exponent; "" for None.

    3.1000 → "3.1", 10 → "10", 1E+1 → "10". With localize, the decimal separator
    is the active language's (3,1 in Russian), as the pages show numbers; CSV keeps
    the dot so a spreadsheet reads it as a number. Text that is not a number comes back as it was.
    """
    number = as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    number = _normalized(number)
    if localize:
        return number_format(number, use_l10n=True)
    return format(number, "f")


def input_value(value):
    """The value a number input is pre-filled with: as typed, with a dot (what the input accepts)."""
    number = as_decimal(value)
    if number is None:
        return value
    return format(_normalized(number), "f")


class PlainNumberInput(forms.NumberInput):
    """A number input pre-filled as typed (3.1, not the stored 3.1000); what the person typed
    into a refused form comes back untouched."""

    def format_value(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return input_value(value)
        return super().format_value(value)
