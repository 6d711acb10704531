"""The layout's question to the bot: is one set up here (its menu link shows only then)."""

from django import template

from ...delivery.telegram import telegram_configured

register = template.Library()


@register.simple_tag
def telegram_on() -> bool:
    return telegram_configured()
