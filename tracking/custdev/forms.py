"""Forms of customer development: they parse; the services decide."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from tracking.models import Constraint, Membership
from tracking.validators import MultiLineFormField, SingleLineFormField

from .models import THRESHOLD_MAX, THRESHOLD_MIN, Interview, Script
from .purposes import Purposes, found_in
from .services import CONSENT_NEEDED, INTERVIEW_FIELDS, SCRIPT_FIELDS, HighlightInput, tag_names

HIGHLIGHT_ROWS_EXTRA = 3  # blank quote rows below the saved ones


class ScriptForm(forms.ModelForm):
    class Meta:
        model = Script
        fields = SCRIPT_FIELDS
        widgets = {"goal": forms.Textarea(attrs={"rows": 2}), "questions": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args, company, purposes: Purposes = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["constraint"].queryset = Constraint.objects.filter(company=company).order_by("-started_on")
        self.company = company
        self.purposes = purposes
        self.purpose_ids: dict[str, int] = {}
        # A new script may be written for something of an app above (purposes.py), e.g. ?hypothesis=7.
        for purpose in purposes:
            self.fields[purpose.param] = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        ids = {p.param: data[p.param] for p in self.purposes if data.get(p.param)}
        if ids and found_in(self.company, ids, self.purposes).keys() != ids.keys():
            raise forms.ValidationError(_("What this script is written for is not in this business."))
        self.purpose_ids = ids
        return data

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in SCRIPT_FIELDS}


class InterviewForm(forms.ModelForm):
    # The form's sections, in order: (legend, field names). Every visible field is in one
    # (tests/custdev/test_idempotency.py checks), so a field added later is placed on purpose.
    FIELDSETS = (
        (
            _("Who and when"),
            ("held_on", "kind", "script", "interviewee_name", "segment", "interviewee_role", "interviewer", "consent"),
        ),
        (_("What they told us"), ("story", "current_solution", "tried", "decision", "commitment", "commitment_note")),
    )

    # A new interview's form carries a token made when it is first shown, kept in the
    # browser's draft (custdev.js): sent again, it gives the interview it made (the service).
    submission = forms.Field(required=False, widget=forms.HiddenInput(attrs={"data-draft-keep": ""}))

    class Meta:
        model = Interview
        fields = INTERVIEW_FIELDS
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            **{name: forms.Textarea(attrs={"rows": 3}) for name in Interview.NOTE_FIELDS},
        }

    def __init__(self, *args, company, new=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["script"].queryset = Script.objects.filter(company=company).only("pk", "title")
        self.fields["interviewer"].queryset = (
            Membership.objects.accepted().filter(company=company).select_related("user").order_by("user__full_name")
        )
        self.fields["interviewer"].label_from_instance = lambda m: m.user.get_full_name()
        self.fields["interviewer"].required = True
        if new:
            self.fields["submission"].initial = str(uuid.uuid4())
        else:
            del self.fields["submission"]

    @property
    def fieldsets(self) -> list[tuple[str, list]]:
        return [(legend, [self[name] for name in names]) for legend, names in self.FIELDSETS]

    def clean_submission(self) -> uuid.UUID | None:
        # Not a token (a hand-made request): the interview is saved without one.
        try:
            return uuid.UUID(str(self.cleaned_data["submission"]))
        except ValueError:
            return None

    def clean(self):
        # The service says the same (quotes included); here the field keeps the database's
        # rule from answering with a generic message.
        data = super().clean()
        if not data.get("consent") and any((data.get(name) or "").strip() for name in Interview.NOTE_FIELDS):
            self.add_error("consent", CONSENT_NEEDED)
        return data

    def service_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in INTERVIEW_FIELDS}
        if "submission" in self.fields:
            fields["submission"] = self.cleaned_data["submission"]
        return fields


class HighlightForm(forms.Form):
    quote = MultiLineFormField(
        label=_("Quote, word for word"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    tags = SingleLineFormField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas; a new tag is created as you save."),
    )

    def clean(self):
        data = super().clean()
        if data.get("tags") and not (data.get("quote") or "").strip():
            self.add_error("quote", _("Write the quote these tags belong to, or clear the tags."))
        return data

    def as_input(self) -> HighlightInput | None:
        quote = (self.cleaned_data.get("quote") or "").strip()
        return HighlightInput(quote, tag_names(self.cleaned_data.get("tags") or "")) if quote else None


HighlightFormSet = forms.formset_factory(HighlightForm, extra=HIGHLIGHT_ROWS_EXTRA, max_num=50, absolute_max=50)


def highlight_formset(data=None, highlights=()):
    initial = [{"quote": h.quote, "tags": ", ".join(t.name for t in h.tags.all())} for h in highlights]
    return HighlightFormSet(data, initial=initial, prefix="q")


def highlight_inputs(formset) -> list[HighlightInput]:
    return [item for form in formset.forms if (item := form.as_input())]


class InsightForm(forms.Form):
    tag = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    sentence = SingleLineFormField(label=_("Insight"), max_length=300)


class ThresholdForm(forms.Form):
    insight_threshold = forms.IntegerField(
        label=_("Interviewees needed for an insight"), min_value=THRESHOLD_MIN, max_value=THRESHOLD_MAX
    )
