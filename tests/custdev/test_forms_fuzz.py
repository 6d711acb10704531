"""Random input to the interview form (who, when, notes, quotes with tags), new and edited,
through the test client, in English and Russian.

Whatever is typed: never a 500; a refused form changes nothing (interviews, quotes, tags) and
gives back what was typed; a saved interview is valid (`full_clean()`), of its company, with
its tags of its company. Another team supplies foreign script and interviewer ids.

FUZZ_EXAMPLES=500 runs more examples per test.
"""

import os

from django.urls import reverse
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from tests import clock
from tests.conftest import make_team
from tests.custdev.factories import InterviewFactory, ScriptFactory, TagFactory
from tests.hypotheses.test_forms_fuzz import dates, ids, junk_text
from tracking.custdev.models import Highlight, Interview, Tag

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

OWN, FOREIGN = "<own>", "<foreign>"
VALID = {
    "held_on": "<today>",
    "kind": "problem",
    "script": "",
    "interviewee_name": "Olga",
    "segment": "Families renovating a flat",
    "interviewee_role": "Homeowner",
    "interviewer": OWN,
    "consent": "on",
    "story": "The measurer came a week after my call.",
    "current_solution": "",
    "tried": "",
    "decision": "",
    "commitment": "",
    "commitment_note": "",
    "q-TOTAL_FORMS": "2",
    "q-INITIAL_FORMS": "0",
    "q-0-quote": "I went with the ones who came the same day",
    "q-0-tags": "measure same day, Speed",
    "q-1-quote": "",
    "q-1-tags": "",
}
TEXT = ("interviewee_name", "segment", "interviewee_role", "story", "current_solution", "tried", "decision")
TAGS = st.one_of(
    st.sampled_from(["speed", "Speed, SPEED", "ΟΔΟΣ", "İstanbul", "Цена, цена", ";;,", "x" * 70, "a,\x00b"]),
    junk_text,
)
junk = st.fixed_dictionaries(
    {
        "held_on": dates,
        "kind": st.one_of(st.sampled_from(["problem", "solution", "", "other"]), junk_text),
        "script": ids,
        "interviewer": ids,
        "consent": st.sampled_from(["on", "", "off", "false", "1", "\x00"]),
        "commitment": st.one_of(st.sampled_from(["nothing", "prepayment", "", "cash"]), junk_text),
        "commitment_note": junk_text,
        **{name: junk_text for name in TEXT},
        "q-TOTAL_FORMS": st.sampled_from(["0", "2", "1", "-1", "51", "1000", "x", ""]),
        "q-INITIAL_FORMS": st.sampled_from(["0", "5", "-1", "x"]),
        "q-0-quote": junk_text,
        "q-0-tags": TAGS,
        "q-1-quote": junk_text,
        "q-1-tags": TAGS,
    }
)
form_data = st.builds(
    lambda junk, spoiled: {name: junk[name] if name in spoiled else value for name, value in VALID.items()},
    junk,
    st.sets(st.sampled_from(tuple(VALID))),
)


def _state():
    return (
        list(Interview.objects.order_by("pk").values()),
        list(Highlight.objects.order_by("pk").values()),
        list(Tag.objects.order_by("pk").values()),
        list(Highlight.tags.through.objects.order_by("pk").values()),
    )


class InterviewFormFuzz(HypothesisTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.team = make_team("Fuzz Kitchens")
        cls.foreign = make_team("Fuzz Foreign Ltd")
        cls.script = ScriptFactory(company=cls.team.company)
        cls.foreign_script = ScriptFactory(company=cls.foreign.company)
        # Tags saved before, the way their names were first written.
        for name in ("ΟΔΟΣ", "İstanbul", "Цена"):
            TagFactory(company=cls.team.company, name=name)

    def _resolve(self, data):
        data = dict(data)
        data["held_on"] = clock.today().isoformat() if data["held_on"] == "<today>" else data["held_on"]
        data["interviewer"] = {OWN: self.team.member.pk, FOREIGN: self.foreign.member.pk}.get(
            data["interviewer"], data["interviewer"]
        )
        data["script"] = {OWN: self.script.pk, FOREIGN: self.foreign_script.pk}.get(data["script"], data["script"])
        return data

    def _check(self, response, before, data, plainly_valid):
        event(f"HTTP {response.status_code}")
        assert response.status_code in {200, 302}, response.status_code
        assert response.status_code == 302 or not plainly_valid
        if response.status_code == 200:  # refused: nothing changed, what was typed kept
            assert (
                response.context["form"].errors
                or response.context["formset"].errors
                or (response.context["formset"].non_form_errors())
            )
            assert _state() == before
            for name in TEXT:
                assert response.context["form"][name].value() == data[name], name
            return None
        company = self.team.company
        interview = Interview.objects.filter(company=company).latest("updated_at", "pk")
        interview.full_clean()
        assert interview.script_id in (None, self.script.pk)
        assert interview.interviewer.company_id == company.pk
        assert not Tag.objects.exclude(company__in=[company, self.foreign.company]).exists()
        for highlight in interview.highlights.prefetch_related("tags"):
            highlight.full_clean()
            assert {t.company_id for t in highlight.tags.all()} <= {company.pk}
        return interview

    @FUZZ
    @given(data=form_data, language=st.sampled_from(["en", "ru"]))
    @example(data=VALID, language="en")
    @example(data={**VALID, "q-0-tags": "ΟΔΟΣ"}, language="en")
    @example(data={**VALID, "q-0-tags": "İstanbul"}, language="ru")
    @example(data={**VALID, "q-0-tags": "цена"}, language="ru")
    @example(data={**VALID, "script": FOREIGN}, language="en")
    @example(data={**VALID, "interviewer": FOREIGN}, language="en")
    @example(data={**VALID, "interviewee_role": "Home\x00owner"}, language="en")
    @example(data={**VALID, "segment": "я" * 201}, language="ru")
    @example(data={**VALID, "held_on": "2026-02-30"}, language="en")
    @example(data={**VALID, "q-TOTAL_FORMS": "1000"}, language="en")
    @example(data={**VALID, "consent": ""}, language="en")
    def test_new(self, data, language):
        self.client.force_login(self.team.member.user)
        self.client.cookies["django_language"] = language
        plainly_valid = {**data, "q-0-tags": VALID["q-0-tags"]} == VALID and data["q-0-tags"] in (
            VALID["q-0-tags"],
            "ΟΔΟΣ",
            "İstanbul",
            "цена",
        )
        data = self._resolve(data)
        note(f"posted ({language}): {data!r}")
        before = _state()

        response = self.client.post(reverse("custdev:interview_new", args=[self.team.company.pk]), data)

        interview = self._check(response, before, data, plainly_valid)
        if interview is not None:
            assert interview.author_id == self.team.member.user_id
            assert len(_state()[0]) == len(before[0]) + 1

    @FUZZ
    @given(data=form_data)
    @example(data=VALID)
    @example(data={**VALID, "q-0-tags": "ΟΔΟΣ, İstanbul"})
    def test_edit(self, data):
        interview = InterviewFactory(company=self.team.company, author=self.team.member.user)
        self.client.force_login(self.team.tracker.user)
        plainly_valid = {**data, "q-0-tags": VALID["q-0-tags"]} == VALID and data["q-0-tags"] in (
            VALID["q-0-tags"],
            "ΟΔΟΣ, İstanbul",
        )
        data = self._resolve(data)
        note(f"posted: {data!r}")
        before = _state()

        url = reverse("custdev:interview_edit", args=[self.team.company.pk, interview.pk])
        response = self.client.post(url, data)

        saved = self._check(response, before, data, plainly_valid)
        if saved is not None:
            assert saved.pk == interview.pk and len(_state()[0]) == len(before[0])
