import zoneinfo
from functools import cache

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from .models import (
    CAPACITY_MAX_HOURS,
    MANAGING_ROLES,
    VALUE_DECIMALS,
    VALUE_MAX_DIGITS,
    Company,
    ConstraintArea,
    ConstraintStatus,
    Goal,
    Horizon,
    Metric,
    Role,
)
from .numbers import NumberField
from .services.companies import COMPANY_SETTINGS_FIELDS
from .services.metrics import GOAL_FIELDS, METRIC_FIELDS
from .validators import MultiLineFormField, SingleLineFormField, validate_known_currency


@cache
def posted_version(value) -> int | None:
    """The version an edit form opened with, from its hidden field: None when none was posted;
    one that is not a whole number is stale (0), never an error on a field nobody sees."""
    if value in (None, ""):
        return None
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() else 0


class VersionField(forms.Field):
    """The hidden version of optimistic locking (see `posted_version`)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def to_python(self, value) -> int | None:
        return posted_version(value)


def timezone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = list(COMPANY_SETTINGS_FIELDS)
        widgets = {
            "timezone": forms.TextInput(attrs={"list": "timezones", "autocomplete": "off"}),
            "currency": forms.TextInput(attrs={"size": 3, "autocapitalize": "characters"}),
            "review_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "sprint_length_days": forms.NumberInput(attrs={"min": 1, "max": 14}),
            "reminder_lead_hours": forms.NumberInput(attrs={"min": 1, "max": 168}),
        }

    def clean_currency(self) -> str:
        code = self.cleaned_data["currency"].strip().upper()
        validate_known_currency(code)  # the model's own check says what is not three letters
        return code

    def clean_timezone(self) -> str:
        return self.cleaned_data["timezone"].strip()


class CompanyCreateForm(CompanyForm):
    role = forms.ChoiceField(
        label=_("Your role in this business"),
        choices=[(r.value, r.label) for r in Role if r in MANAGING_ROLES],
        initial=Role.TRACKER,
    )
    weekly_capacity_hours = NumberField(
        label=_("Your weekly capacity, hours"),
        min_value=0,
        max_value=CAPACITY_MAX_HOURS,
        max_digits=4,
        decimal_places=1,
        initial=0,
    )


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
    weekly_capacity_hours = NumberField(
        label=_("Weekly capacity, hours"), min_value=0, max_value=CAPACITY_MAX_HOURS, max_digits=4, decimal_places=1
    )


class MemberAddForm(MembershipForm):
    email = forms.EmailField(label=_("E-mail"))
    full_name = SingleLineFormField(label=_("Name"), max_length=150, required=False)
    field_order = ["email", "full_name", "role", "weekly_capacity_hours"]


class InvitationAcceptForm(SetPasswordForm):
    full_name = SingleLineFormField(label=_("Your name"), max_length=150, required=False)
    field_order = ["full_name", "new_password1", "new_password2"]


# --- Constraint, metrics, goals ------------------------------------------------------------


class ConstraintForm(forms.Form):
    title = SingleLineFormField(
        label=_("Main constraint"),
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. No inbound leads")}),
    )
    area = forms.ChoiceField(label=_("Area"), choices=ConstraintArea.choices)


class ConstraintReplaceForm(ConstraintForm):
    previous_outcome = forms.ChoiceField(
        label=_("The current constraint was"),
        choices=[(ConstraintStatus.RESOLVED, _("resolved")), (ConstraintStatus.DROPPED, _("dropped"))],
        initial=ConstraintStatus.RESOLVED,
        required=False,
    )
    previous_note = MultiLineFormField(
        label=_("What happened to it"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    # The active constraint the person saw when the form was opened (a race becomes a message).
    expected_previous = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        # Replacing a constraint says what happened to it (the first one replaces nothing).
        if data.get("expected_previous") and not data.get("previous_note", "").strip() and "previous_note" in data:
            self.add_error(
                "previous_note", _("Say what happened to it: the constraint history keeps why it was closed.")
            )
        return data


class WhyStepForm(forms.Form):
    answer = MultiLineFormField(
        label=_("Because…"),
        max_length=1000,
        widget=forms.Textarea(attrs={"placeholder": _("Why? — because…"), "rows": 2}),
    )


class MetricForm(forms.ModelForm):
    class Meta:
        model = Metric
        fields = list(METRIC_FIELDS)
        field_classes = {"target": NumberField}
        widgets = {"target_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def _post_clean(self):
        # Company-level rules (unique name, one key metric) are the service's to decide.
        pass


class MetricValueForm(forms.Form):
    value = NumberField(label=_("Value"), max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMALS)
    week = forms.DateField(
        label=_("Week"),
        required=False,
        help_text=_("Any day of the week; empty means this week."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class GoalForm(forms.ModelForm):
    class Meta:
        model = Goal
        fields = list(GOAL_FIELDS)
        field_classes = {"target": NumberField}
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this company's goals and metrics can be chosen.
        self.fields["parent"].queryset = Goal.objects.filter(company=company).exclude(horizon=Horizon.MONTH)
        self.fields["metric"].queryset = Metric.objects.filter(company=company)
        self.fields["parent"].empty_label = _("— none: a top-level goal —")
        self.fields["metric"].empty_label = _("— no metric —")

    def _post_clean(self):
        # Tree rules (horizons, periods, loops) are the service's to decide.
        pass
