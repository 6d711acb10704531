from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }} — a dict (or Choices enum) lookup in a template."""
    try:
        return mapping[key]
    except (KeyError, TypeError, ValueError):
        return None
