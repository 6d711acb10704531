from functools import cache

from django import template
from django.utils import translation

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }} — a dict (or Choices enum) lookup in a template."""
    try:
        return mapping[key]
    except (KeyError, TypeError, ValueError):
        return None


@cache
def _labels(model, field_name: str, language: str | None) -> dict:
    field = model._meta.get_field(field_name)
    with translation.override(language):
        return {value: str(label) for value, label in field.flatchoices}


@register.filter
def choice_label(obj, field_name: str):
    """{{ obj|choice_label:"kind" }} — what obj.get_kind_display() says, from a table built once
    per model field and language: get_FOO_display builds the choices' dictionary again on every
    call (about 200 Python calls), which a list of cards pays per card."""
    value = getattr(obj, field_name)
    labels = _labels(type(obj)._meta.concrete_model, field_name, translation.get_language())
    return labels.get(value, value)
