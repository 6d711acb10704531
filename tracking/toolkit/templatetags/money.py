"""{% load money %}{{ value|money:company.currency }}: Babel, in the user's language."""

from django import template

from ..formatting import money as format_money

register = template.Library()


@register.filter
def money(value, currency):
    return format_money(value, currency)
