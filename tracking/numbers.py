"""Numbers as people write and read them, in the reader's language, through Babel: 3.1 rather
than the stored 3.1000, «350 000» and "350,000", «320 000 ₽» and "£1,234.50", and a count with
its unit in the right plural form («21 лид», «22 лида», «25 лидов»).

Pages, e-mails and the report show numbers through `plain(…, localize=True)`, `money` and
`with_unit`; CSV keeps the machine form (`plain` without localize: a dot, no grouping)."""

from decimal import Decimal, InvalidOperation

from babel import Locale
from babel.numbers import format_currency, format_decimal
from django import forms
from django.utils.translation import get_language, to_locale


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
        return format_decimal(number, locale=reader_locale(), decimal_quantization=False)
    return format(number, "f")


def reader_locale() -> str:
    """The Babel locale of the language the request (or e-mail) is rendered in."""
    return to_locale(get_language() or "en")


def money(value, currency: str) -> str:
    """An amount with its currency in the reader's locale: «320 000 ₽», "£1,234.50"; whole
    amounts without kopecks or pence; "—" for none."""
    number = as_decimal(value)
    if number is None:
        return "—"
    locale = reader_locale()
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    if number == number.to_integral():
        pattern, number = pattern.replace("0.00", "0"), number.to_integral()
    try:
        return format_currency(number, currency, format=pattern, locale=locale, currency_digits=False)
    except (ValueError, KeyError):  # an unknown code still shows the number
        return f"{plain(number, localize=True)} {currency}"


def unit_forms(unit: str) -> list[str]:
    """A unit as its plural forms: “лид, лида, лидов” → three forms; “%” → one."""
    return [form.strip() for form in (unit or "").split(",") if form.strip()]


# A unit's forms are data in the business's language, so their plural rules go by how many
# forms were given, not by the reader's language: three are Russian's (one, few, many: “лид,
# лида, лидов”; a fraction reads like “few”: 2,5 лида), two are English's (one, other).
_FORM_RULES = {
    3: ("ru", {"one": 0, "few": 1, "many": 2, "other": 1}),
    2: ("en", {"one": 0, "other": 1}),
}


def unit_for(value, unit: str) -> str:
    """The form of `unit` that goes with `value` ("" when the unit is a word given in one form
    only: “лидов” would be wrong after 21, so it is left out)."""
    forms_ = unit_forms(unit)
    if len(forms_) <= 1:
        single = forms_[0] if forms_ else ""
        return "" if single.isalpha() and len(single) > 1 else single
    language, order = _FORM_RULES.get(len(forms_), _FORM_RULES[2])
    number = as_decimal(value)
    # 19.0000 as stored is 19 to the plural rules (visible zeros would make it a fraction).
    category = Locale.parse(language).plural_form(abs(_normalized(number))) if number is not None else "other"
    return forms_[min(order.get(category, len(forms_) - 1), len(forms_) - 1)]


def unit_label(unit: str) -> str:
    """A unit beside a metric's name in a label or heading: a symbol (“%”, “₽”, “h”) as it is,
    a word's many-form (“лидов”, “leads”) — never the list of forms."""
    forms_ = unit_forms(unit)
    return forms_[-1] if forms_ else ""


def with_unit(value, unit: str) -> str:
    """A value as read with its unit: «21 лид», «3,1 %», «350 000 ₽», “21” for a unit given as
    one word (a name beside it says what is counted)."""
    shown = plain(value, localize=True)
    if not shown:
        return "—"
    form = unit_for(value, unit)
    return f"{shown}\N{NO-BREAK SPACE}{form}" if form else shown


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
