"""How a view posts, in every app: the service runs on the form's cleaned data and its refusal
lands on the form, or a write with no form says its refusal as a message; a success is said
and redirected. A leaf: it knows no model."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from .form_errors import apply_errors, error_text


def submit[Saved](form, save: Callable[..., Saved], *, fields: Callable[[Any], dict] | None = None) -> Saved | None:
    """What `save` returns for the form's data as keywords (its cleaned data, or what `fields`
    makes of the form), or None: the form is invalid, or the service refused and its reasons
    now stand on the form."""
    if not form.is_valid():
        return None
    try:
        return save(**(fields(form) if fields else form.cleaned_data))
    except ValidationError as error:
        apply_errors(form, error)
        return None


def done(request, text: str, to: str, *args, **kwargs):
    """Say the success and go to the page (a URL name with its arguments, or a URL)."""
    messages.success(request, text)
    return redirect(to, *args, **kwargs)


def attempt(request, write: Callable[[], object]) -> bool:
    """Run a write that has no form (delete, archive, …); a refusal is said as an error
    message. Whether it went through."""
    try:
        write()
    except ValidationError as error:
        messages.error(request, error_text(error))
        return False
    return True
