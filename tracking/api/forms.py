from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
