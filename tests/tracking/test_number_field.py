"""The one number field (tracking.numbers.NumberField): what people type in either language is
read as the number, anything else is refused with a message in the reader's language and kept as
typed, the limits hold, and the field is a text box pre-filled as the reader writes the number.
Every number a form takes goes through it."""

import inspect
from decimal import Decimal

import pytest
from babel.numbers import format_decimal, format_percent
from django import forms
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

import hypotheses.forms
import sprints.forms
import tracking.custdev.forms
import tracking.forms
import tracking.toolkit.forms
from tracking.numbers import NumberField, NumberTextInput, input_value, plain

NBSP, THIN, NARROW = "\u00a0", "\u2009", "\u202f"


def _field(**limits):
    return NumberField(**{"max_digits": 18, "decimal_places": 4, "required": False, **limits})


def _clean(field, typed, language):
    with translation.override(language):
        return field.clean(typed)


def _refusal(field, typed, language) -> list[str]:
    with translation.override(language):
        with pytest.raises(forms.ValidationError) as refused:
            field.clean(typed)
        return refused.value.messages


# --- What is read, in either language ----------------------------------------------------------

READ_ALIKE = [
    ("2,3", Decimal("2.3")),
    ("2.3", Decimal("2.3")),
    ("1 234,5", Decimal("1234.5")),
    (f"1{NBSP}234,5", Decimal("1234.5")),
    (f"1{THIN}234,5", Decimal("1234.5")),
    (f"1{NARROW}234,5", Decimal("1234.5")),
    (f"12{NBSP}345{NBSP}678,9", Decimal("12345678.9")),
    ("1 234.5", Decimal("1234.5")),
    ("1234.5", Decimal("1234.5")),
    ("1234,5", Decimal("1234.5")),
    ("1,234.5", Decimal("1234.5")),
    ("12,345,678.25", Decimal("12345678.25")),
    ("12,345,678", Decimal("12345678")),
    ("0,125", Decimal("0.125")),
    ("-2,3", Decimal("-2.3")),
    ("\u22122,3", Decimal("-2.3")),  # the minus sign, as some formatting writes it
    ("-1 234,5", Decimal("-1234.5")),
    ("  7 ", Decimal(7)),
    ("3.10", Decimal("3.1")),
    (",5", Decimal("0.5")),
    ("0", Decimal(0)),
]


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize(("typed", "number"), READ_ALIKE, ids=[repr(t) for t, _n in READ_ALIKE])
def test_what_people_type_in_either_language_is_read_as_the_number(language, typed, number):
    assert _clean(_field(), typed, language) == number


def test_a_comma_before_three_digits_alone_is_what_the_reader_means():
    """In English "1,234" is a thousand and some; in Russian, one and a bit."""
    assert _clean(_field(), "1,234", "en") == Decimal(1234)
    assert _clean(_field(), "1,234", "ru") == Decimal("1.234")
    # Read alike wherever it cannot be a thousand: a leading zero, other than three digits after it.
    for language in ("en", "ru"):
        assert _clean(_field(), "0,234", language) == Decimal("0.234")
        assert _clean(_field(), "1,2345", language) == Decimal("1.2345")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_blank_is_no_number(language):
    assert _clean(_field(), "", language) is None
    assert _clean(_field(), f" {NBSP} ", language) is None
    assert _refusal(_field(required=True), " ", language) == [
        {"en": "This field is required.", "ru": "Обязательное поле."}[language]
    ]


# --- What is refused, with a message in the reader's language, kept as typed ---------------------

REFUSED = [
    "abc",
    "2,3,4",
    "1,234,5",
    "1.234,5",
    "1 23",
    "1 2 3",
    "1  234",
    "12abc",
    "1e3",
    "NaN",
    "Infinity",
    "-inf",
    "1_000",
    "١٢٣",  # Arabic-Indic digits
    "３",  # a fullwidth digit
    "1\x00",
    "- 5",
    "--5",
    "12 %",  # a percentage only where one is asked
    "×1.5",
    ".",
    "-",
    "9" * 500,
]


@pytest.mark.parametrize("typed", REFUSED, ids=repr)
def test_anything_else_is_refused_in_the_readers_language(typed):
    assert _refusal(_field(), typed, "en") == ["Enter a number."]
    assert _refusal(_field(), typed, "ru") == ["Введите число."]


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_refused_number_comes_back_as_typed_in_a_text_box(language):
    class Form(forms.Form):
        value = _field()

    with translation.override(language):
        form = Form({"value": "2,3,4"})
        assert not form.is_valid()
        html = str(form["value"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html and 'value="2,3,4"' in html


# --- Limits ------------------------------------------------------------------------------------------


def test_negatives_are_read_where_they_are_allowed_and_refused_below_the_lowest():
    assert _clean(_field(), "-12,5", "ru") == Decimal("-12.5")
    hours = _field(min_value=Decimal("0.1"), max_value=168, max_digits=4, decimal_places=1)
    assert _refusal(hours, "-1", "en") == ["Ensure this value is greater than or equal to 0.1."]
    assert _refusal(hours, "0", "ru") == ["Убедитесь, что это значение больше либо равно 0,1."]
    assert _refusal(_field(min_value=0), "-5", "en") == ["Ensure this value is greater than or equal to 0."]


def test_the_limits_hold_with_one_clear_message():
    hours = _field(min_value=Decimal("0.1"), max_value=168, max_digits=4, decimal_places=1)
    assert _clean(hours, "167,5", "ru") == Decimal("167.5")
    # One message: the limit broken first, not also how many digits that is.
    assert _refusal(hours, "1 000", "en") == ["Ensure this value is less than or equal to 168."]
    assert _refusal(hours, "2,25", "en") == ["Ensure that there are no more than 1 decimal place."]
    assert _refusal(hours, "2,25", "ru") == ["Убедитесь, что вы ввели не более 1 цифры после запятой."]
    value = _field()
    assert _clean(value, "99 999 999 999 999,9999", "ru") == Decimal("99999999999999.9999")
    assert _refusal(value, "100 000 000 000 000", "en") == [
        "Ensure that there are no more than 14 digits before the decimal point."
    ]
    assert _refusal(value, "1,23456", "en") == ["Ensure that there are no more than 4 decimal places."]
    # Trailing zeros after the point are no extra digits: 1,50 is 1,5.
    assert _clean(hours, "1,50", "ru") == Decimal("1.5")
    whole = _field(max_digits=12, decimal_places=0)
    assert _refusal(whole, "2,5", "en") == ["Enter a whole number."]
    assert _refusal(whole, "2,5", "ru") == ["Введите целое число."]


def test_a_fields_own_messages_say_it_in_its_words():
    cost = sprints.forms.cost_field()
    assert _refusal(cost, "1500,555", "en") == ["At most two digits after the decimal point."]
    assert _refusal(cost, "-1", "en") == ["A cost cannot be negative."]
    assert _refusal(cost, "lots", "ru") == ["Введите сумму, например 1500 или 1500,50."]


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_percentage_is_read_with_its_sign_where_one_is_asked(language):
    share = _field(percent=True, max_digits=6, decimal_places=3, min_value=Decimal("0.001"), max_value=100)
    for typed, number in [("12 %", 12), ("12%", 12), ("12,5 %", "12.5"), (f"12.5{NBSP}%", "12.5"), ("7", 7)]:
        assert _clean(share, typed, language) == Decimal(number), typed
    for typed in ("%", "12 %%", "% 12", "12 % 5"):
        assert _refusal(share, typed, language) == [{"en": "Enter a number.", "ru": "Введите число."}[language]]
    c1 = tracking.toolkit.forms.InputsForm.base_fields["c1"]
    assert _clean(c1, "4,5 %", language) == Decimal("4.5")


# --- Shown as the reader writes it -------------------------------------------------------------------


def test_the_field_is_a_text_box_pre_filled_as_the_reader_writes_the_number():
    class Form(forms.Form):
        value = _field()

    for language, shown in (("ru", "2,3"), ("en", "2.3")):
        with translation.override(language):
            html = str(Form(initial={"value": Decimal("2.3000")})["value"])
        assert 'type="text"' in html and 'inputmode="decimal"' in html and f'value="{shown}"' in html, html
        assert 'type="number"' not in html and "step=" not in html
    with translation.override("ru"):
        assert 'value="1234,5"' in str(Form(initial={"value": Decimal("1234.5")})["value"])
        assert 'value="10"' in str(Form(initial={"value": Decimal("1E+1")})["value"])


# --- Property: what the reader sees is read back as the same number ----------------------------------

FIELDS = {
    "a metric's value": (_field(), st.decimals(-(10**14) + 1, 10**14 - 1, places=4)),
    "money": (
        _field(min_value=0, max_digits=14, decimal_places=2),
        st.decimals(0, Decimal(10**12) - Decimal("0.01"), places=2),
    ),
    "hours": (
        _field(min_value=Decimal("0.1"), max_value=168, max_digits=4, decimal_places=1),
        st.decimals(Decimal("0.1"), 168, places=1),
    ),
    "users": (_field(min_value=1, max_digits=12, decimal_places=0), st.decimals(1, 10**12 - 1, places=0)),
}


def _as_the_reader_sees_it(number: Decimal, language: str) -> list[str]:
    """The number as pages show it (the app's Babel helper, grouped: «1 234,5», "1,234.5"),
    as a field is pre-filled («1234,5»), and, in Russian, with the other spaces people paste."""
    grouped = format_decimal(number, locale=language, decimal_quantization=False)
    seen = [grouped, plain(number, localize=True), input_value(number)]
    if language == "ru":
        seen += [grouped.replace(NBSP, space) for space in (" ", THIN, NARROW)]
    return seen


@settings(max_examples=300, deadline=None)
@given(data=st.data(), kind=st.sampled_from(sorted(FIELDS)), language=st.sampled_from(["ru", "en"]))
def test_any_number_within_the_limits_shown_as_the_reader_sees_it_is_read_back_the_same(data, kind, language):
    field, numbers = FIELDS[kind]
    number = data.draw(numbers.filter(lambda n: n.is_finite()), label="number")
    with translation.override(language):
        for shown in _as_the_reader_sees_it(number, language):
            assert field.clean(shown) == number, (shown, number)


@settings(max_examples=200, deadline=None)
@given(number=st.decimals(Decimal("0.001"), 100, places=3), language=st.sampled_from(["ru", "en"]))
def test_any_percentage_shown_as_the_reader_sees_it_is_read_back_the_same(number, language):
    c1 = tracking.toolkit.forms.InputsForm.base_fields["c1"]
    shown = format_percent(number / 100, locale=language, decimal_quantization=False)  # «12,5 %», "12.5%"
    with translation.override(language):
        assert c1.clean(shown) == number, shown


# --- One field for every number ----------------------------------------------------------------------

FORM_MODULES = (tracking.forms, tracking.toolkit.forms, tracking.custdev.forms, hypotheses.forms, sprints.forms)


def _form_fields():
    for module in FORM_MODULES:
        for name, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == module.__name__:
                for field_name, field in form.base_fields.items():
                    yield f"{module.__name__}.{name}.{field_name}", field


def test_every_number_of_every_form_is_the_one_number_field():
    numbers = {
        name: field for name, field in _form_fields() if isinstance(field, forms.DecimalField | forms.FloatField)
    }
    assert len(numbers) >= 25, sorted(numbers)
    others = sorted(name for name, field in numbers.items() if not isinstance(field, NumberField))
    assert not others, others
    number_inputs = sorted(
        name
        for name, field in _form_fields()
        if isinstance(field.widget, forms.NumberInput) and not isinstance(field, forms.IntegerField)
    )
    assert not number_inputs, number_inputs


class _Form(forms.Form):
    hours = NumberField(max_digits=6, decimal_places=1, min_value=0, label="Hours")
    cost = NumberField(max_digits=14, decimal_places=2, required=False, label="Cost")


@pytest.mark.parametrize(
    "data",
    [
        None,  # unbound: the initial values, as the reader writes them
        {"hours": "7,5", "cost": ""},
        {"hours": 'x"><script>', "cost": "1 234,5"},  # refused, kept as typed, escaped
    ],
)
@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_box_is_the_markup_djangos_input_template_gives(data, language, monkeypatch):
    """The box is made without a template; what it gives is what Django's input.html gives for
    the same widget, value and attributes (an id, aria-invalid and aria-describedby of a refused
    field, inputmode, required)."""
    with translation.override(language):
        form = _Form(data, initial={"hours": Decimal("12.5"), "cost": Decimal("1234.50")})
        form.is_valid()
        made = [str(bound) for bound in form]
        monkeypatch.setattr(NumberTextInput, "render", forms.TextInput.render)
        assert made == [str(bound) for bound in form]
    refused = data is not None and data["hours"].startswith("x")
    assert 'inputmode="decimal"' in made[0] and ("aria-invalid" in made[0]) == refused
