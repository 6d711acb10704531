"""Numbers as people write and read them, in the reader's language, through Babel: 3.1 rather
than the stored 3.1000, «350 000» and "350,000", «320 000 ₽» and "£1,234.50", and a count with
its unit in the right plural form («21 лид», «22 лида», «25 лидов»).

Pages, e-mails and the report show numbers through `plain(…, localize=True)`, `money` and
`with_unit`; CSV keeps the machine form (`plain` without localize: a dot, no grouping)."""

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import cache, partial

from babel import Locale
from babel.numbers import NumberPattern, format_currency, parse_pattern
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, MaxValueValidator, MinValueValidator
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, to_locale

from .markup import esc


def as_decimal(value) -> Decimal | None:
    """A Decimal for a Decimal, int, float or numeric text; None for anything else."""
    if isinstance(value, Decimal):  # what the database gives: first, without comparing it to ""
        return value if value.is_finite() else None
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _normalized(number: Decimal) -> Decimal:
    """Without trailing zeros; any zero (0.00, -0) as 0."""
    return number.normalize() if number else Decimal(0)


def plain(value, *, localize: bool = False) -> str:
    """A number without trailing zeros and without an exponent; "" for None.

    3.1000 → "3.1", 10 → "10", 1E+1 → "10". With localize, the decimal separator
    is the active language's (3,1 in Russian), as the pages show numbers; CSV keeps
    the dot so a spreadsheet reads it as a number. Text that is not a number comes back as it was.
    """
    return _plain(value, reader_locale() if localize else None)


def localized_plain() -> Callable[[object], str]:
    """plain(value, localize=True) for the many numbers of one page part (a chart's points):
    the reader's locale asked once, not once a number."""
    return partial(_plain, locale_name=reader_locale())


def _plain(value, locale_name: str | None) -> str:
    number = as_decimal(value)
    if number is None:
        return "" if value is None else str(value)
    number = _normalized(number)
    return format(number, "f") if locale_name is None else _localized(number, locale_name)


def _localized(number: Decimal, locale_name: str) -> str:
    """What Babel's `format_decimal(number, locale=…, decimal_quantization=False)` gives; for a
    locale that writes numbers as "#,##0.###" (English, Russian) without asking Babel each time."""
    style = _grouping_style(locale_name)
    if style is None:
        locale = _babel_locale(locale_name)
        return locale.decimal_formats[None].apply(number, locale, decimal_quantization=False)
    group, point, first, then = style
    whole, _, fraction = format(abs(number), "f").partition(".")
    if len(whole) > first:
        groups = [whole[-first:]]
        whole = whole[:-first]
        while len(whole) > then:
            groups.append(whole[-then:])
            whole = whole[:-then]
        groups.append(whole)
        whole = group.join(reversed(groups))
    text = f"{whole}{point}{fraction}" if fraction else whole
    return f"-{text}" if number < 0 else text


def reader_locale() -> str:
    """The Babel locale of the language the request (or e-mail) is rendered in."""
    return _babel_name(get_language() or "en")


_babel_name = cache(to_locale)


def reader_babel_locale() -> Locale:
    """The reader's locale as Babel's object, parsed once per language: what a formatting call
    in a loop passes to Babel (given the name, Babel parses it again each time)."""
    return _babel_locale(reader_locale())


@cache
def _babel_locale(name: str) -> Locale:
    """Babel's locale parsed once per language, not once per number (what Babel's formatting
    functions do when given its name)."""
    return Locale.parse(name)


@cache
def _grouping_style(name: str) -> tuple[str, str, int, int] | None:
    """(group symbol, decimal symbol, first group, next groups) of a locale whose decimal
    pattern is the plain kind ("#,##0.###": no prefix, suffix, scale or exponent; a minus
    sign for negatives); None for any other, which Babel then formats."""
    locale = _babel_locale(name)
    pattern = locale.decimal_formats[None]
    plain_kind = (
        pattern.prefix == ("", "-")
        and pattern.suffix == ("", "")
        and pattern.scale == 0
        and not pattern.exp_prec
        and "@" not in pattern.pattern
        and pattern.int_prec[0] == 1
        and pattern.frac_prec[0] == 0
    )
    if not plain_kind:
        return None
    symbols = locale.number_symbols["latn"]
    return symbols["group"], symbols["decimal"], pattern.grouping[0], pattern.grouping[1]


@cache
def _currency_patterns(name: str) -> tuple[NumberPattern, NumberPattern]:
    """The locale's currency pattern for amounts with kopecks or pence and for whole ones."""
    pattern = _babel_locale(name).currency_formats["standard"].pattern
    return parse_pattern(pattern), parse_pattern(pattern.replace("0.00", "0"))


def money(value, currency: str) -> str:
    """An amount with its currency in the reader's locale: «320 000 ₽», "£1,234.50"; whole
    amounts without kopecks or pence; "—" for none."""
    number = as_decimal(value)
    if number is None:
        return "—"
    locale = reader_locale()
    pattern, whole = _currency_patterns(locale)
    if number == number.to_integral():
        pattern, number = whole, number.to_integral()
    try:
        return format_currency(number, currency, format=pattern, locale=_babel_locale(locale), currency_digits=False)
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
    """The value a number field is pre-filled with: as the reader writes it, without grouping
    (3,1 in Russian, 3.1 in English; 10 rather than 1E+1). Text that is not a number (what was
    typed into a refused form) comes back as it was."""
    number = as_decimal(value)
    if number is None:
        return value
    return format(_normalized(number), "f").replace(".", get_format("DECIMAL_SEPARATOR"))


# --- Reading a number as people type it: the one form field for numbers ------------------------

# After a sign, the whole part: digits, or groups of three after a first group of one to three
# digits (not starting with 0), set apart by a space (as Russian writes «1 234,5») or a comma
# (as English writes "1,234.5"), the same separator throughout; then a decimal point or comma.
_TYPED = re.compile(
    r"(?P<sign>[-+]?)"
    r"(?P<whole>[1-9][0-9]{0,2}(?P<group>[ ,])[0-9]{3}(?:(?P=group)[0-9]{3})*|[0-9]*)"
    r"(?:(?P<point>[.,])(?P<fraction>[0-9]*))?"
)
# No-break, thin and narrow no-break spaces (what formatting puts between groups) read as a
# space; the minus sign (U+2212) as a hyphen-minus.
_AS_TYPED = str.maketrans({"\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2212": "-"})
TYPED_MAX_LENGTH = 60


def parse_number(text, *, percent: bool = False) -> Decimal | None:
    """A number as people type it in either language, or None for anything else: «2,3», "2.3",
    «1 234,5» (a plain, no-break, thin or narrow no-break space between groups), "1,234.5",
    "-5", and with `percent` «12 %». "1,234" is a thousand and some in English and one and a
    bit in Russian: the reader's language decides what only it can."""
    text = str(text).translate(_AS_TYPED).strip()
    if percent:
        text = text.removesuffix("%").rstrip()
    if len(text) > TYPED_MAX_LENGTH:
        return None
    match = _TYPED.fullmatch(text)
    if match is None:
        return None
    sign, whole, group, point, fraction = match.group("sign", "whole", "group", "point", "fraction")
    fraction = fraction or ""
    if (not whole and not fraction) or group == point == ",":
        return None
    if group == "," and point is None and whole.count(",") == 1 and get_format("DECIMAL_SEPARATOR") == ",":
        whole, fraction = whole.split(",")
    whole = whole.replace(group, "") if group else whole
    fraction = fraction.rstrip("0")
    number = Decimal(f"{whole or 0}.{fraction}" if fraction else whole)
    return -number if sign == "-" and number else number


class NumberTextInput(forms.TextInput):
    """A text box for a number: a number input refuses «2,3» in the browser. A phone shows its
    digits keyboard; the value is pre-filled as the reader writes it, and what was typed into a
    refused form comes back as typed."""

    def __init__(self, attrs=None):
        super().__init__({"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return input_value(value)
        return super().format_value(value)

    def render(self, name, value, attrs=None, renderer=None):
        """The markup Django's input.html gives, made without a template: a page of number
        boxes (a calculator's inputs, a table of weekly values) renders none per box."""
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<input type="{esc(widget["type"])}" name="{esc(name)}"']
        if widget["value"] is not None:
            parts.append(f' value="{esc(widget["value"])}"')
        for key, item in widget["attrs"].items():
            if item is not False:
                parts.append(f" {esc(key)}" if item is True else f' {esc(key)}="{esc(item)}"')
        parts.append(">")
        return mark_safe("".join(parts))


class _Digits:
    """The field's limits, the digits after the point first: 12,345 in a field of one decimal
    is told about its decimals, not about how many digits it has in all."""

    def __init__(self, max_digits: int, decimal_places: int):
        self.max_digits, self.decimal_places = max_digits, decimal_places

    def __call__(self, value: Decimal):
        _sign, digits, exponent = value.as_tuple()
        decimals = max(-exponent, 0)
        whole = max(len(digits) + exponent, 0) if digits != (0,) else 0
        if decimals > self.decimal_places:
            if self.decimal_places == 0:
                raise ValidationError(forms.IntegerField.default_error_messages["invalid"], code="max_decimal_places")
            raise ValidationError(
                DecimalValidator.messages["max_decimal_places"],
                code="max_decimal_places",
                params={"max": self.decimal_places, "value": value},
            )
        if whole > self.max_digits - self.decimal_places:
            raise ValidationError(
                DecimalValidator.messages["max_whole_digits"],
                code="max_whole_digits",
                params={"max": self.max_digits - self.decimal_places, "value": value},
            )


class _Limit:
    """A lowest or highest value, said as the reader writes it (0,1 in Russian)."""

    def __init__(self, limit: Decimal, validator):
        self.limit, self.validator = limit, validator

    def __call__(self, value: Decimal):
        if self.validator.compare(value, self.limit):
            raise ValidationError(
                self.validator.message,
                code=self.validator.code,
                params={"limit_value": input_value(self.limit), "show_value": input_value(value), "value": value},
            )


class NumberField(forms.DecimalField):
    """The one form field for a number, whatever the form, row or query: reads what people type
    in either language (`parse_number`), refuses anything else with a message in the reader's
    language, keeps its limits (`max_digits`, `decimal_places`, `min_value`, `max_value`) and
    is shown as a text box pre-filled as the reader writes (`NumberTextInput`). `percent`
    takes «12 %» where a percentage is asked (the value is 12)."""

    widget = NumberTextInput

    def __init__(
        self, *, max_digits: int, decimal_places: int, min_value=None, max_value=None, percent=False, **kwargs
    ):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places, **kwargs)
        self.percent = percent
        self.min_value, self.max_value = min_value, max_value
        self.validators = [v for v in self.validators if not isinstance(v, DecimalValidator)]
        if min_value is not None:
            self.validators.append(_Limit(Decimal(min_value), MinValueValidator(min_value)))
        if max_value is not None:
            self.validators.append(_Limit(Decimal(max_value), MaxValueValidator(max_value)))
        self.validators.append(_Digits(max_digits, decimal_places))

    def to_python(self, value):
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return Decimal(value)
        if value in self.empty_values or not str(value).strip():
            return None
        number = parse_number(value, percent=self.percent)
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def run_validators(self, value):
        """One message, for the first limit the value breaks: 1000 hours is told it is above
        168, not also how many digits that is."""
        try:
            super().run_validators(value)
        except ValidationError as error:
            raise ValidationError(error.error_list[:1]) from None
