"""How every app's views show a service's refusal: next to the form's fields, or as one
sentence for a message or an alert. Public, so that hypotheses and sprints use it too."""

from django.core.exceptions import ValidationError


def apply_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the form's fields (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def error_text(error: ValidationError) -> str:
    """A service's refusal as one sentence for a message or an alert."""
    return " ".join(error.messages)
