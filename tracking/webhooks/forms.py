from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..delivery.webhook import url_refusal
from ..validators import SingleLineFormField
from .models import URL_MAX_LENGTH, WebhookEvent


class SubscriptionForm(forms.Form):
    url = SingleLineFormField(
        label=_("URL"),
        max_length=URL_MAX_LENGTH,
        help_text=_("Where your tool receives the events: an https:// address reachable from the internet."),
        widget=forms.URLInput(attrs={"inputmode": "url"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"].strip()
        if refusal := url_refusal(url):
            raise ValidationError(refusal)
        return url
