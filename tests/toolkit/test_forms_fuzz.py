"""Random input to the unit-economics forms (inputs, "what if", metrics mapping), through the
test client, in English and Russian.

Whatever is typed: never a 500; a refused form changes nothing in the database, says what is
wrong next to a field and gives back what was typed; a saved one is valid (`full_clean()`) and
stays inside its company. Another team supplies foreign metric ids.

FUZZ_EXAMPLES=500 runs more examples per test.
"""

import os
from decimal import Decimal

from django.urls import reverse
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from tests.conftest import make_team
from tests.hypotheses.test_forms_fuzz import junk_text, numbers
from tracking.toolkit.models import Snapshot, UnitEconomics

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NUMBER_FIELDS = ("ua", "c1", "avg_price", "cogs", "apc", "cpa", "budget", "fixed_costs", "one_off")
VALID = {
    "period": "month",
    "ua": "1000",
    "c1": "5",
    "avg_price": "2000",
    "cogs": "800",
    "apc": "1.5",
    "cpa": "30",
    "budget": "",
    "fixed_costs": "10000",
    "one_off": "",
}
# The way people type numbers: a comma for the decimal point, spaces between thousands
# (a Russian keyboard's and Russian formatting's), a dot.
TYPED = st.sampled_from(["1 234,5", "1\xa0234,5", "1\u202f234,50", "2 000", "2000,00", "0,5", "1.5", "1,5"])
number_or_junk = st.one_of(numbers, TYPED)
junk_inputs = st.fixed_dictionaries(
    {
        "period": st.one_of(st.sampled_from(["month", "week", "quarter", "", "year", "month\x00"]), junk_text),
        **{name: number_or_junk for name in NUMBER_FIELDS},
    }
)
form_data = st.builds(
    lambda junk, spoiled: {name: junk[name] if name in spoiled else value for name, value in VALID.items()},
    junk_inputs,
    st.sets(st.sampled_from(tuple(VALID))),
)
languages = st.sampled_from(["en", "ru"])


def _rows():
    return (list(UnitEconomics.objects.values()), list(Snapshot.objects.values()))


class UnitEconomicsFormFuzz(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.team = make_team("Fuzz Kitchens")
        cls.foreign = make_team("Fuzz Foreign Ltd")

    def _post(self, name, data, language, **headers):
        self.client.force_login(self.team.tracker.user)
        self.client.cookies["django_language"] = language
        note(f"posted ({language}): {data!r}")
        return self.client.post(reverse(name, args=[self.team.company.pk]), data, headers=headers)

    def _assert_refused(self, response, before, data):
        assert response.status_code in {200, 400}, response.status_code
        form = response.context["form"]
        assert form.errors
        assert _rows() == before
        # What was typed comes back as typed (the period is a choice: it comes back as posted).
        for name, value in data.items():
            assert form[name].value() == value, name

    @FUZZ
    @given(data=form_data, language=languages, htmx=st.booleans())
    @example(data=VALID, language="en", htmx=False)
    @example(data={**VALID, "avg_price": "1 234,5", "cogs": "800,25"}, language="ru", htmx=False)
    @example(data={**VALID, "avg_price": "1\xa0234,5"}, language="ru", htmx=False)
    @example(data={**VALID, "avg_price": "2000,5"}, language="en", htmx=False)
    @example(data={**VALID, "ua": "NaN"}, language="en", htmx=False)
    @example(data={**VALID, "c1": "Infinity"}, language="ru", htmx=True)
    @example(data={**VALID, "ua": "1e30"}, language="en", htmx=False)
    @example(data={**VALID, "avg_price": "-1"}, language="en", htmx=False)
    @example(data={**VALID, "ua": "0", "c1": "0"}, language="en", htmx=False)
    @example(data={**VALID, "cogs": "2500"}, language="en", htmx=False)
    @example(data={**VALID, "cpa": "", "budget": ""}, language="en", htmx=False)
    @example(data={**VALID, "cpa": "", "budget": "99999999999999"}, language="en", htmx=False)
    @example(data={**VALID, "period": "month\x00"}, language="en", htmx=False)
    @example(data={**VALID, "apc": "9" * 5000}, language="ru", htmx=False)
    def test_inputs(self, data, language, htmx):
        before = _rows()
        plainly_valid = data == VALID

        response = self._post("toolkit:inputs_save", data, language, **({"HX-Request": "true"} if htmx else {}))

        event(f"HTTP {response.status_code}")
        assert response.status_code in {200, 302, 400}, response.status_code
        saved = response.status_code == 302 or (htmx and not response.context["form"].errors)
        assert saved or not plainly_valid
        if not saved:
            self._assert_refused(response, before, data)
            return
        row = UnitEconomics.objects.get(company=self.team.company)
        row.full_clean()
        assert row.cogs <= row.avg_price
        assert Snapshot.objects.count() == len(before[1])

    @FUZZ
    @given(data=form_data, language=languages, label=st.one_of(st.just("Price +10 %"), junk_text))
    @example(data=VALID, language="en", label="Price +10 %")
    @example(data={**VALID, "avg_price": "2 200,50"}, language="ru", label="Цена +10 %")
    @example(data=VALID, language="en", label="Null\x00byte")
    @example(data=VALID, language="en", label="я" * 121)
    def test_what_if(self, data, language, label):
        before = _rows()
        plainly_valid = data == VALID and label == "Price +10 %"

        response = self._post("toolkit:snapshot_add", {**data, "kind": "what_if", "label": label}, language)

        event(f"HTTP {response.status_code}")
        assert response.status_code in {302, 400}, response.status_code
        assert response.status_code == 302 or not plainly_valid
        if response.status_code == 400:
            assert response.context["form"].errors or response.context["snapshot_form"].errors
            assert _rows() == before
            return
        # The working inputs are left as they were; one "what if" more, valid, of this business.
        assert _rows()[0] == before[0]
        snapshot = Snapshot.objects.exclude(pk__in=[s["id"] for s in before[1]]).get()
        snapshot.full_clean()
        assert (snapshot.company_id, snapshot.kind) == (self.team.company.pk, "what_if")

    @FUZZ
    @given(
        ids=st.fixed_dictionaries(
            {
                f"{name}_metric": st.one_of(
                    st.sampled_from(["<own>", "<foreign>", "", "0", "-1", "1.0", "9223372036854775808", "1\x00"]),
                    st.integers(-(2**63), 2**70).map(str),
                    st.text(max_size=6),
                )
                for name in ("ua", "c1", "avg_price", "cogs", "apc", "cpa")
            }
        )
    )
    @example(ids={"ua_metric": "<foreign>"})
    def test_mapping(self, ids):
        self._post("toolkit:inputs_save", VALID, "en")
        own, foreign = str(self.team.metric.pk), str(self.foreign.metric.pk)
        data = {k: {"<own>": own, "<foreign>": foreign}.get(v, v) for k, v in ids.items()}
        before = _rows()

        response = self._post("toolkit:mapping_save", data, "en")

        assert response.status_code in {302, 400}, response.status_code
        if response.status_code == 400:
            assert response.context["mapping_form"].errors
            assert _rows() == before
            return
        row = UnitEconomics.objects.get(company=self.team.company)
        for name in ("ua", "c1", "avg_price", "cogs", "apc", "cpa"):
            metric_id = getattr(row, f"{name}_metric_id")
            assert metric_id in (None, self.team.metric.pk)
            assert (metric_id is not None) == (data.get(f"{name}_metric") == own)


def test_a_number_as_people_type_it_is_read_in_either_language():
    """A comma for the decimal point and spaces between thousands ("1 234,5", as Russian
    formatting writes it), and commas between thousands before a decimal point ("1,234.5", as
    English writes it), are read as the number in either language; text is still refused."""
    from django.utils import translation

    from tracking.toolkit.forms import InputsForm

    for language in ("en", "ru"):
        with translation.override(language):
            for typed, number in [
                ("1 234,5", Decimal("1234.5")),
                ("1\xa0234,5", Decimal("1234.5")),
                ("1\u202f234,50", Decimal("1234.5")),
                ("2000,5", Decimal("2000.5")),
                ("2000.5", Decimal("2000.5")),
                ("1,234.5", Decimal("1234.5")),
            ]:
                form = InputsForm({**VALID, "avg_price": typed, "cogs": "1"})
                assert form.is_valid(), (language, typed, form.errors)
                assert form.cleaned_data["avg_price"] == number
            for junk in ("1,234,5", "1 2 3,4,5", "NaN", "-Infinity", "12abc", "1\x00"):
                form = InputsForm({**VALID, "avg_price": junk, "cogs": "1"})
                assert not form.is_valid() and form.errors["avg_price"], (language, junk)
