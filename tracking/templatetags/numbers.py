from django import template

from tracking.numbers import plain as plain_number

register = template.Library()


@register.filter
def plain(value):
    """{{ value|plain }} — a number as typed: 3.1000 → 3.1, 1E+1 → 10, None → "".

    The decimal separator follows the page's language, as floatformat does.
    """
    return plain_number(value, localize=True)
