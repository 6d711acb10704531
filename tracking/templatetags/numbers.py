from django import template

from tracking.numbers import money as format_money
from tracking.numbers import plain as plain_number
from tracking.numbers import unit_label as format_unit_label
from tracking.numbers import with_unit as format_with_unit

register = template.Library()


@register.filter
def plain(value):
    """{{ value|plain }} — a number as typed: 3.1000 → 3.1, 1E+1 → 10, None → "".

    The decimal separator follows the page's language, as floatformat does.
    """
    return plain_number(value, localize=True)


@register.filter
def money(value, currency):
    """{{ value|money:company.currency }} — «320 000 ₽», "£1,234.50"."""
    return format_money(value, currency)


@register.filter
def with_unit(value, unit):
    """{{ value|with_unit:metric.unit }} — «21 лид», «3,1 %», «21» for a one-word unit."""
    return format_with_unit(value, unit)


@register.filter
def unit_label(unit):
    """{{ metric.unit|unit_label }} — the unit beside a name: “%”, “лидов”, never its list of forms."""
    return format_unit_label(unit)
