"""How a view posts a form, in every app: the service runs on the form's cleaned data, its
refusal lands on the form, and a success is said and redirected. A leaf: it knows no model."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from .form_errors import apply_errors


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
