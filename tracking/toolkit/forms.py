"""The toolkit's forms: they parse and say what is wrong next to the field; services decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import VersionField
from ..models import Metric
from ..numbers import NumberField
from ..validators import SingleLineFormField
from .models import MAPPABLE, Period, SnapshotKind


def _decimal(
    label, *, max_digits, places, minimum=None, maximum=None, required=True, help_text="", messages=None, percent=False
):
    return NumberField(
        label=label,
        required=required,
        max_digits=max_digits,
        decimal_places=places,
        min_value=minimum,
        max_value=maximum,
        help_text=help_text,
        percent=percent,
        error_messages={
            "invalid": _("Enter a number."),
            "max_digits": _("That is above this field's limit."),
            "max_whole_digits": _("That is above this field's limit."),
            "max_decimal_places": _("Too many digits after the decimal point."),
            **(messages or {}),
        },
    )


def _money(label, required=True, help_text=""):
    return _decimal(
        label,
        max_digits=14,
        places=2,
        minimum=Decimal(0),
        required=required,
        help_text=help_text,
        messages={"min_value": _("Cannot be negative.")},
    )


class InputsForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=Period.choices, initial=Period.MONTH)
    ua = _decimal(
        _("Users acquired (UA)"),
        max_digits=12,
        places=0,
        minimum=Decimal(1),
        messages={"min_value": _("Needs at least one user: with no users there is nothing to compute.")},
    )
    c1 = _decimal(
        _("Conversion to first purchase (C1), %"),
        max_digits=6,
        places=3,
        minimum=Decimal("0.001"),
        maximum=Decimal(100),
        percent=True,
        messages={
            "min_value": _("C1 must be above zero: with no buyers there is nothing to compute."),
            "max_value": _("A conversion is at most %(limit_value)s %%."),
        },
    )
    avg_price = _money(_("Average check (AvPrice)"))
    cogs = _money(_("Variable cost per purchase (COGS)"))
    apc = _decimal(
        _("Purchases per buyer in the period (APC)"),
        max_digits=8,
        places=3,
        minimum=Decimal("0.001"),
        messages={"min_value": _("A buyer makes at least some purchase: above zero.")},
    )
    cpa = _money(_("Cost per acquired user (CPA)"), required=False, help_text=_("Or give the acquisition budget."))
    budget = _money(_("Acquisition budget (AC)"), required=False, help_text=_("CPA = AC / UA when CPA is empty."))
    fixed_costs = _money(_("Fixed costs (FC)"), required=False)
    one_off = _money(_("One-off cost per new buyer"), required=False)
    # The saved inputs' version the form opened with: a save made since by someone else is
    # refused once instead of overwritten.
    version = VersionField()

    def clean(self):
        data = super().clean()
        ua, cpa, budget = data.get("ua"), data.get("cpa"), data.get("budget")
        if cpa is None and "cpa" not in self.errors and "budget" not in self.errors:
            if budget is None:
                self.add_error("cpa", _("Give CPA, or the acquisition budget to divide by UA."))
            elif ua:
                data["cpa"] = (budget / ua).quantize(Decimal("0.01"))
        price, cogs = data.get("avg_price"), data.get("cogs")
        if price is not None and cogs is not None and cogs > price:
            self.add_error("cogs", _("The variable cost is above the average check: every sale loses money."))
        return data

    def inputs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("budget", None)
        data.pop("version", None)
        data["fixed_costs"] = data.get("fixed_costs") or Decimal(0)
        data["one_off"] = data.get("one_off") or Decimal(0)
        return data


MAPPING_LABELS = {
    "ua": _("UA from"),
    "c1": _("C1 (%) from"),
    "avg_price": _("AvPrice from"),
    "cogs": _("COGS from"),
    "apc": _("APC from"),
    "cpa": _("CPA from"),
}


class MappingForm(forms.Form):
    """Which metric feeds each input; the company's metrics are read once for all six."""

    def __init__(self, *args, metrics: list[Metric], **kwargs):
        super().__init__(*args, **kwargs)
        self.metrics = {str(m.pk): m for m in metrics}
        choices = [("", _("typed in"))] + [(str(m.pk), m.name) for m in metrics]
        for name in MAPPABLE:
            self.fields[f"{name}_metric"] = forms.ChoiceField(
                label=MAPPING_LABELS[name], choices=choices, required=False
            )

    def clean(self):
        data = super().clean()
        return {key: self.metrics.get(value) if value else None for key, value in data.items()}


class SnapshotForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SnapshotKind.choices, initial=SnapshotKind.SNAPSHOT)
    label = SingleLineFormField(label=_("Label"), max_length=120, required=False)
