import re
from contextlib import suppress
from decimal import Decimal

from django import forms
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from tracking.models import Constraint, Metric
from tracking.numbers import NumberField, input_value, parse_number
from tracking.query_params import int_param, number_param
from tracking.validators import MultiLineFormField, SingleLineFormField

from .models import ICE_MAX, ICE_MIN, Hypothesis, Kind, Status, Verdict
from .selectors import HistoryFilters, history_authors, history_constraints
from .services import HYPOTHESIS_FIELDS

MULTIPLIER = re.compile(r"^\s*[x×*]\s*(?P<number>[0-9]+(?:[.,][0-9]+)?)\s*$", re.IGNORECASE)
MAX_VALUE = Decimal("1e14")
# The service's fields as the form shows them: the expected value and the multiplier are one
# field, "expected" (a number, or ×1.5).
EXPECTED_PARTS = ("expected_value", "expected_multiplier")
HYPOTHESIS_FORM_FIELDS = tuple(
    dict.fromkeys("expected" if name in EXPECTED_PARTS else name for name in HYPOTHESIS_FIELDS)
)
# Fields whose initial value is not the attribute itself (ids, or the expected value's text).
_NOT_VERBATIM = frozenset({"constraint", "metric", "expected"})
# What the return hint prices (hypotheses/return_hint.py), and the "Use this figure" button.
PRICED_FIELDS = ("kind", "metric", "baseline", "expected")
USE_RETURN = "use_return"


def _decimal(text: str, places: int) -> Decimal:
    value = parse_number(text)
    if value is None or abs(value) >= MAX_VALUE:
        raise forms.ValidationError(_("Enter a number, or a multiplier such as ×1.5."))
    if value != value.quantize(Decimal(1).scaleb(-places), rounding="ROUND_DOWN"):
        raise forms.ValidationError(_("Use at most %(places)s digits after the decimal point.") % {"places": places})
    return value


class ExpectedField(forms.CharField):
    """The expected value: absolute (“3”, «1 234,5»: read as the number field reads a number) or
    a multiplier of the baseline (“×1.5”, “x1,5”)."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        if len(text) > self.max_length:
            raise forms.ValidationError(_("That is too long for a number."))
        match = MULTIPLIER.match(text)
        if match:
            multiplier = _decimal(match["number"], places=3)
            if multiplier <= 0 or multiplier >= 1000:
                raise forms.ValidationError(_("A multiplier is between 0 and 1000, such as ×1.5."))
            return ("multiplier", multiplier)
        return ("absolute", _decimal(text, places=4))


def _number(label, **kwargs):
    return NumberField(label=label, required=False, max_digits=18, decimal_places=4, **kwargs)


def _money(label, help_text=""):
    return NumberField(label=label, help_text=help_text, required=False, min_value=0, max_digits=14, decimal_places=2)


def _ice(label, help_text):
    return forms.IntegerField(
        label=label,
        min_value=ICE_MIN,
        max_value=ICE_MAX,
        initial=5,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"min": ICE_MIN, "max": ICE_MAX}),
    )


class HypothesisForm(forms.Form):
    title = SingleLineFormField(label=_("Title"), max_length=200)
    statement = MultiLineFormField(
        label=_("Hypothesis"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("If we …, then … will change by …, because …")}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Kind.choices,
        initial=Kind.INNOVATION,
        help_text=_(
            "An innovation improves the business and must pay back; a breakthrough is a long shot with a "
            "budget cap and a kill date."
        ),
    )
    constraint = forms.ModelChoiceField(label=_("Main constraint"), queryset=Constraint.objects.none(), required=False)
    metric = forms.ModelChoiceField(label=_("Metric that must move"), queryset=Metric.objects.none(), required=False)
    baseline = _number(_("Baseline"))
    expected = ExpectedField(
        label=_("Expected value"),
        required=False,
        max_length=30,
        help_text=_("A number, or a multiplier of the baseline such as ×1.5."),
    )
    success_criteria = MultiLineFormField(
        label=_("How we will know it worked"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cheapest_test = MultiLineFormField(
        label=_("Cheapest test"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A PDF offer sent by messenger, not a new website."),
    )
    impact = _ice(_("Impact"), _("1–10: how much it moves the metric"))
    confidence = _ice(_("Confidence"), _("1–10: how sure we are"))
    ease = _ice(_("Ease"), _("1–10: how cheap and quick the test is"))
    expected_return = _money(
        _("Expected return per month"),
        _("In money. No figure known yet? Leave it blank: the expected change of the metric is then the return."),
    )
    budget_cap = _money(_("Budget cap"))
    spent = _money(_("Spent so far"))
    kill_date = forms.DateField(
        label=_("Kill date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    check_by = forms.DateField(
        label=_("Check by"),
        help_text=_("Under test, the date by which it must show a result. Set when testing starts."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["constraint"].queryset = Constraint.objects.filter(company=company)
        self.fields["constraint"].empty_label = _("— not linked —")
        self.fields["metric"].queryset = Metric.objects.filter(company=company)
        self.fields["metric"].empty_label = _("— choose later —")

    @classmethod
    def initial_from(cls, hypothesis: Hypothesis) -> dict:
        initial = {name: getattr(hypothesis, name) for name in HYPOTHESIS_FORM_FIELDS if name not in _NOT_VERBATIM}
        initial["version"] = hypothesis.version
        initial["constraint"] = hypothesis.constraint_id
        initial["metric"] = hypothesis.metric_id
        # As typed: ×1.5 and 10, not ×1.500 and 1E+1.
        if hypothesis.expected_multiplier is not None:
            initial["expected"] = f"×{input_value(hypothesis.expected_multiplier)}"
        elif hypothesis.expected_value is not None:
            initial["expected"] = input_value(hypothesis.expected_value)
        return initial

    def clean(self):
        data = super().clean()
        expected = data.pop("expected", None)
        data["expected_multiplier"] = None
        data["expected_value"] = None
        if expected:
            mode, number = expected
            if mode == "multiplier":
                if data.get("baseline") is None:
                    self.add_error("baseline", _("A multiplier needs the baseline it multiplies."))
                data["expected_multiplier"] = number
            else:
                data["expected_value"] = number
        if data.get("spent") is None:
            data["spent"] = Decimal(0)
        return data

    def service_fields(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}

    @classmethod
    def from_post(cls, data, *, company, initial=None) -> "HypothesisForm":
        """The form for a request. "Use this figure" without JavaScript posts the form with
        the suggested return: the same form comes back, everything typed kept, the figure in
        the field, nothing saved and no error shown yet (`filling`)."""
        figure = money_param(data.get(USE_RETURN)) if data else None
        if figure is None:
            form = cls(data, company=company, initial=initial)
            form.filling = False
            return form
        typed = {name: data.get(name) for name in cls.base_fields if name in data}
        form = cls(company=company, initial={**(initial or {}), **typed, "expected_return": figure})
        form.filling = True
        return form

    def priced_values(self) -> dict:
        """The metric, baseline and expected value as they stand (typed or initial), for the
        return hint; what is not a number yet counts as missing."""
        return priced_values({name: self[name].value() for name in PRICED_FIELDS})


def money_param(value) -> Decimal | None:
    """A money figure from a request (the hint's button), or None."""
    return number_param(value, HypothesisForm.base_fields["expected_return"])


def priced_values(values) -> dict:
    """metric id, baseline, expected value and multiplier from the form's fields as typed
    (a query or the form's data), each None when missing or not a number."""
    fields = HypothesisForm.base_fields
    baseline = expected = None
    with suppress(forms.ValidationError):
        baseline = fields["baseline"].clean(str(values.get("baseline") or "").strip() or None)
    with suppress(forms.ValidationError):
        expected = fields["expected"].clean(str(values.get("expected") or "")[:30])
    mode, number = expected or (None, None)
    return {
        "breakthrough": values.get("kind") == Kind.BREAKTHROUGH,
        "metric_id": int_param(values.get("metric"), minimum=1),
        "baseline": baseline,
        "expected_value": number if mode == "absolute" else None,
        "expected_multiplier": number if mode == "multiplier" else None,
    }


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Status.choices)
    reason = SingleLineFormField(required=False, max_length=2000, label=_("Why is it dropped?"))


class VerdictForm(forms.Form):
    verdict = forms.ChoiceField(label=_("Verdict"), choices=Verdict.choices, widget=forms.RadioSelect)
    measured = NumberField(label=_("Measured value"), max_digits=18, decimal_places=4)
    note = MultiLineFormField(
        label=_("Why it worked, or why not"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    against_reason = MultiLineFormField(
        label=_("Against the numbers, because…"),
        help_text=_("Only when the verdict differs from what the numbers say."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _attrs(attrs: dict) -> str:
    """What django/forms/widgets/attrs.html writes."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """A select without optgroups written in Python: the HTML of Django's select.html, without
    a template include per option."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = "".join(
            f'\n  <option value="{escape(o["value"])}"{_attrs(o["attrs"])}>{escape(o["label"])}</option>\n'
            for _group, group, _index in widget["optgroups"]
            for o in group
        )
        return mark_safe(f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>{options}\n</select>')


class HistoryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Status.choices], widget=PlainSelect
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *Kind.choices], widget=PlainSelect
    )
    constraint = forms.TypedChoiceField(
        label=_("Main constraint"), required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    author = forms.TypedChoiceField(label=_("Author"), required=False, coerce=int, empty_value=None, widget=PlainSelect)
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, constraints, authors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["constraint"].choices = [("", _("Any constraint")), *constraints]
        self.fields["author"].choices = [("", _("Anyone")), *authors]

    def filters(self) -> HistoryFilters:
        """What the valid form asks for; no filter at all when it is not valid."""
        if not self.is_valid():
            return HistoryFilters()
        data = self.cleaned_data
        return HistoryFilters(
            status=data["status"],
            kind=data["kind"],
            constraint_id=data["constraint"],
            author_id=data["author"],
            since=data["since"],
            until=data["until"],
        )


def history_filter_form(company, data, *, shown: bool = True) -> HistoryFilterForm:
    """The history's filter form for `data` (None: unbound). A form that is not `shown` (the CSV,
    the API) reads the constraints and the authors only to check one that was asked for."""
    data = data or None
    constraints = history_constraints(company) if shown or (data and data.get("constraint")) else []
    authors = history_authors(company) if shown or (data and data.get("author")) else []
    return HistoryFilterForm(data, constraints=constraints, authors=authors)
