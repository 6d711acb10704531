"""The constraint page's line about interviews, included there with one tag."""

from django import template

from tracking.custdev.selectors import interviews_since as count_since

register = template.Library()


@register.inclusion_tag("custdev/_since.html", takes_context=True)
def interviews_since(context, constraint):
    """How many interviews were held since the constraint became the main one (one query)."""
    return {"company": context.get("company"), "constraint": constraint, "count": count_since(constraint)}
