from django import template

from tracking.roles import Permission, role_allows

register = template.Library()


@register.filter
def allows(role: str, permission: str) -> bool:
    """{% if row.my_role|allows:"start_sprint" %}: the role table (tracking.roles) read in a
    template that shows several businesses, each with the reader's own role."""
    return role_allows(role, Permission(permission))
