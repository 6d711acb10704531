from django import forms
from django.utils.translation import gettext_lazy as _

from ...models import Company, Metric
from ...validators import SingleLineFormField
from .models import PROVIDER_NAMES


class ConnectionForm(forms.Form):
    provider = forms.ChoiceField(label=_("CRM"), choices=list(PROVIDER_NAMES.items()), widget=forms.RadioSelect)
    secret = SingleLineFormField(
        label=_("Secret"),
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Bitrix24: the application token of the outbound webhook. HubSpot: the client secret of "
            "your app. amoCRM: leave it blank and one is made for the URL. Blank keeps the secret "
            "stored."
        ),
    )


class MappingForm(forms.Form):
    pipeline_id = SingleLineFormField(
        label=_("Pipeline id"), max_length=64, required=False, help_text=_("Blank: the stage in any pipeline.")
    )
    stage_id = SingleLineFormField(label=_("Stage id"), max_length=64)
    metric = forms.ModelChoiceField(label=_("Funnel stage"), queryset=Metric.objects.none())

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metric"].queryset = Metric.objects.filter(company=company, funnel_stage__isnull=False).order_by(
            "funnel_stage", "pk"
        )
