from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hypotheses.forms import history_filter_form
from hypotheses.selectors import HistoryFilters

from ..validators import SingleLineFormField
from .models import Scope

LIFETIMES = [
    ("", _("Never")),
    ("30", _("In 30 days")),
    ("90", _("In 90 days")),
    ("365", _("In a year")),
]


class TokenForm(forms.Form):
    name = SingleLineFormField(label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “CRM sync”."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple, initial=[Scope.READ]
    )
    expires_in = forms.TypedChoiceField(
        label=_("Expires"), choices=LIFETIMES, coerce=int, empty_value=None, required=False
    )

    def token_fields(self) -> dict:
        """The service's keywords: the lifetime chosen becomes an instant."""
        days = self.cleaned_data["expires_in"]
        expires_at = timezone.now() + timedelta(days=days) if days else None
        return {"name": self.cleaned_data["name"], "scopes": self.cleaned_data["scopes"], "expires_at": expires_at}


def history_filters(company, query: dict) -> HistoryFilters:
    """The history page's filters from the query, checked by the page's own form: a status,
    constraint or author the business does not have is a field error (422), not an empty list."""
    form = history_filter_form(company, {name: value for name, value in query.items() if value is not None})
    if form.is_bound and not form.is_valid():
        raise ValidationError(form.errors.as_data())
    return form.filters()
