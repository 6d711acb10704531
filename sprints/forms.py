from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hypotheses.models import OPEN_STATUSES, Hypothesis, Verdict
from tracking.models import VALUE_DECIMALS, VALUE_MAX_DIGITS, Constraint, Membership
from tracking.numbers import NumberField
from tracking.validators import MultiLineFormField, SingleLineFormField

from .models import ESTIMATE_MAX_HOURS, ActionStatus


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _note_field(label, *, max_length: int):
    """An optional note of a few lines."""
    return MultiLineFormField(
        label=label, required=False, max_length=max_length, widget=forms.Textarea(attrs={"rows": 2})
    )


def cost_field(help_text="", label=None):
    """An action's optional cost in the business's currency, read as people type money in either
    language: "1500", "1 500", "1500,50" or "1500.50"."""
    return NumberField(
        label=label or _("Cost"),
        help_text=help_text,
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
        error_messages={
            "invalid": _("Enter an amount of money, such as 1500 or 1500.50."),
            "min_value": _("A cost cannot be negative."),
            "max_digits": _("That is more than a cost can be."),
            "max_whole_digits": _("That is more than a cost can be."),
            "max_decimal_places": _("At most two digits after the decimal point."),
        },
    )


class SprintForm(forms.Form):
    starts_on = forms.DateField(label=_("Starts"), widget=_date_widget())
    ends_on = forms.DateField(label=_("Ends"), widget=_date_widget())
    goal = SingleLineFormField(label=_("Sprint goal"), max_length=300, required=False)
    focus = forms.ModelChoiceField(label=_("Focus constraint"), queryset=Constraint.objects.none(), required=False)
    budget = NumberField(label=_("Money budget"), required=False, min_value=0, max_digits=14, decimal_places=2)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["focus"].queryset = Constraint.objects.filter(company=company, status="active")
        self.fields["focus"].empty_label = _("— none —")


class MemberChoiceField(forms.ModelChoiceField):
    """A member of the business. Given the business's `members` (a view read them with its
    access check), a choice is one of them, found without asking the database again."""

    members: dict[int, Membership] | None = None

    def to_python(self, value):
        if self.members is None or value in self.empty_values:
            return super().to_python(value)
        try:
            return self.members[int(value)]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None


class ActionForm(forms.Form):
    title = SingleLineFormField(label=_("Action"), max_length=300)
    owner = MemberChoiceField(label=_("Owner"), queryset=Membership.objects.none())
    estimate_hours = NumberField(
        label=_("Hours"), min_value=Decimal("0.1"), max_value=ESTIMATE_MAX_HOURS, max_digits=4, decimal_places=1
    )
    cost = cost_field()
    hypothesis = forms.ModelChoiceField(
        label=_("Tests the hypothesis"), queryset=Hypothesis.objects.none(), required=False
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, company, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Querysets, so a choice outside the company is refused as an invalid choice.
        self.fields["owner"].queryset = Membership.objects.filter(company=company).select_related("user")
        self.fields["owner"].label_from_instance = lambda m: m.name
        # Of the hypothesis chosen, what the service checks and the row shows (3 columns of 36).
        self.fields["hypothesis"].queryset = (
            Hypothesis.objects.live()
            .filter(company=company, status__in=[s.value for s in OPEN_STATUSES])
            .only("id", "company_id", "title")
        )
        self.fields["hypothesis"].empty_label = _("— none —")
        self.fields["owner"].empty_label = _("— choose the owner —")
        # The owners fetched once per page. The hypothesis is never rendered as a select of
        # every open one: templates/sprints/_hypothesis_picker.html searches instead.
        if members is not None:
            self.fields["owner"].members = {m.pk: m for m in members}
            self.fields["owner"].choices = [
                ("", self.fields["owner"].empty_label),
                *[(m.pk, m.name) for m in members],
            ]

    def chosen_hypothesis(self) -> Hypothesis | None:
        """The hypothesis the picker shows: what was posted (if it was a valid choice), else the
        initial one."""
        if self.is_bound:
            return getattr(self, "cleaned_data", {}).get("hypothesis")
        return self.initial.get("hypothesis")


class ActionLogForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    result_note = _note_field(_("Result"), max_length=2000)
    why_not_note = _note_field(_("Why not"), max_length=2000)
    spent = cost_field(label=_("Spent"), help_text=_("What it actually cost; blank if nothing."))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class StartForm(forms.Form):
    override_reason = _note_field(_("Start anyway, because…"), max_length=2000)


class MeasuredForm(forms.Form):
    measured = NumberField(label=_("Measured value"), max_digits=18, decimal_places=4)


class SessionVerdictForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Verdict"), choices=[*Verdict.choices, ("keep", _("Keep testing"))], widget=forms.RadioSelect
    )
    measured = NumberField(label=_("Measured value"), required=False, max_digits=18, decimal_places=4)
    note = _note_field(_("Why"), max_length=4000)
    against_reason = _note_field(_("Against the numbers, because…"), max_length=2000)


class CloseForm(forms.Form):
    what_worked = _note_field(_("What worked"), max_length=4000)
    what_to_fix = _note_field(_("What to fix"), max_length=4000)
    notes = _note_field(_("Notes"), max_length=4000)
    start_next = forms.BooleanField(label=_("Start the next sprint now"), required=False, initial=True)
    override_reason = _note_field(_("If the next sprint does not fit: start anyway, because…"), max_length=2000)


# --- The weekly session's rows: parsed one row at a time, rendered by hand (no widgets) ----------


class SessionMetricForm(forms.Form):
    """One metric's value in the session's metrics step; blank leaves the metric alone."""

    value = NumberField(label=_("Value"), required=False, max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMALS)


class SessionNewActionForm(forms.Form):
    """One of the blank rows of the plan step. A row without a title is ignored."""

    title = SingleLineFormField(label=_("Action"), max_length=300, required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    estimate_hours = NumberField(
        label=_("Hours"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=ESTIMATE_MAX_HOURS,
        max_digits=4,
        decimal_places=1,
    )
    cost = cost_field()

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *[(m.pk, m.name) for m in members]]

    def clean(self):
        data = super().clean()
        if data.get("title") and data.get("estimate_hours") is None and "estimate_hours" not in self.errors:
            self.add_error("estimate_hours", _("How many hours?"))
        return data
