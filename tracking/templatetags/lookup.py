from functools import cache

from django import template
from django.utils import translation
from django.utils.safestring import mark_safe

from tracking.markup import esc

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


@register.simple_tag
def options(choices, selected) -> str:
    """A select's <option>s of `choices` ((value, label) pairs), the one equal to `selected`
    marked: one node for a list of filters, not a loop with an `if` and two values per option."""
    return mark_safe(
        "".join(
            f'<option value="{esc(value)}"{" selected" if value == selected else ""}>{esc(label)}</option>'
            for value, label in choices
        )
    )
