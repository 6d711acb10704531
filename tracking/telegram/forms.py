from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Channels


class ChannelsForm(forms.Form):
    channels = forms.ChoiceField(label=_("Reminders and the digest reach me by"), choices=Channels.choices)
