"""Markup made in Python for long lists (a portfolio's cards, a session's rows): the same
escaping as Django's format_html, for the many small values such rows are made of."""

from html import escape as escape_text

from django.utils.safestring import SafeString, mark_safe


def esc(value) -> str:
    """conditional_escape, made for many small values: what is safe stays as it is, anything
    else is escaped as Django escapes it (the same five characters), without the check for
    lazy strings that django.utils.html.escape makes on every call."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape_text(str(value))


def html(format_string: str, *args, **kwargs) -> SafeString:
    """format_html with esc."""
    return mark_safe(format_string.format(*map(esc, args), **{name: esc(v) for name, v in kwargs.items()}))


def html_join(separator: str, format_string: str, args_generator) -> SafeString:
    """format_html_join with esc."""
    return mark_safe(separator.join(format_string.format(*map(esc, args)) for args in args_generator))
