import zoneinfo
from functools import cache

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from .models import CAPACITY_MAX_HOURS, MANAGING_ROLES, Company, Role


@cache
def timezone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = [
            "name",
            "timezone",
            "currency",
            "review_weekday",
            "review_time",
            "sprint_length_days",
            "reminder_lead_hours",
        ]
        widgets = {
            "timezone": forms.TextInput(attrs={"list": "timezones", "autocomplete": "off"}),
            "currency": forms.TextInput(attrs={"size": 3, "autocapitalize": "characters"}),
            "review_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "sprint_length_days": forms.NumberInput(attrs={"min": 1, "max": 14}),
            "reminder_lead_hours": forms.NumberInput(attrs={"min": 1, "max": 168}),
        }

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean_timezone(self) -> str:
        return self.cleaned_data["timezone"].strip()


class CompanyCreateForm(CompanyForm):
    role = forms.ChoiceField(
        label=_("Your role in this business"),
        choices=[(r.value, r.label) for r in Role if r in MANAGING_ROLES],
        initial=Role.TRACKER,
    )
    weekly_capacity_hours = forms.DecimalField(
        label=_("Your weekly capacity, hours"),
        min_value=0,
        max_value=CAPACITY_MAX_HOURS,
        decimal_places=1,
        initial=0,
    )


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    weekly_capacity_hours = forms.DecimalField(
        label=_("Weekly capacity, hours"),
        min_value=0,
        max_value=CAPACITY_MAX_HOURS,
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"min": 0, "max": 168, "step": "0.5"}),
    )


class MemberAddForm(MembershipForm):
    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    field_order = ["email", "full_name", "role", "weekly_capacity_hours"]


class InvitationAcceptForm(SetPasswordForm):
    full_name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    field_order = ["full_name", "new_password1", "new_password2"]
