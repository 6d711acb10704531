"""Synthesis: per tag the distinct interviewees, quotes and segments; a tag heard
from the business's threshold of people is offered as an insight; insight → hypothesis in
one step, with "based on N interviews" and a suggested ICE confidence."""

import pytest
from django.urls import reverse

from hypotheses.evidence import hypothesis_from_insight, suggested_confidence
from hypotheses.models import Hypothesis, HypothesisEvent
from tests.custdev.factories import InterviewFactory, TagFactory, quote
from tracking.custdev import selectors
from tracking.custdev.models import CustdevSettings, Insight

pytestmark = pytest.mark.django_db


def _heard(team, tag, people, *, name=None, segment="Families"):
    for n in range(people):
        interview = InterviewFactory(company=team.company, interviewee_name=name or f"Person {n}", segment=segment)
        quote(interview, f"Same day, please ({n})", tag)


def test_people_are_counted_once_however_many_quotes_they_gave(team):
    tag = TagFactory(company=team.company, name="measure same day")
    _heard(team, tag, 2)
    # The same person interviewed twice, and one anonymous interview with two quotes.
    _heard(team, tag, 2, name="Olga", segment="Designers")
    anonymous = InterviewFactory(company=team.company, interviewee_name="", segment="Families")
    quote(anonymous, "First", tag)
    quote(anonymous, "Second", tag)
    [summary] = selectors.synthesis(team.company, threshold=3)
    assert summary.people == 4  # Person 0, Person 1, Olga, the anonymous one
    assert summary.quote_count == 6
    assert summary.segments == ["Designers", "Families"]
    assert summary.offered


@pytest.mark.parametrize(("threshold", "offered"), [(3, True), (4, False)])
def test_a_tag_is_offered_at_the_business_threshold(team, client_for, threshold, offered):
    CustdevSettings.objects.create(company=team.company, insight_threshold=threshold)
    tag = TagFactory(company=team.company, name="measure same day")
    _heard(team, tag, 3)
    page = client_for(team.member).get(reverse("custdev:synthesis", args=[team.company.pk])).content.decode()
    assert ("Make the insight" in page) is offered
    response = client_for(team.member).post(
        reverse("custdev:insight_new", args=[team.company.pk]), {"tag": tag.pk, "sentence": "They choose by speed"}
    )
    assert Insight.objects.filter(tag=tag).exists() is offered
    if not offered:
        assert response.status_code == 200
        body = response.content.decode()
        assert "Heard from 3 of the 4 people an insight needs" in body
        assert "They choose by speed" in body  # what was typed stays


def test_the_threshold_is_a_setting_of_the_business(team, client_for):
    url = reverse("custdev:threshold", args=[team.company.pk])
    assert client_for(team.member).post(url, {"insight_threshold": 5}).status_code == 403
    assert client_for(team.team_lead).post(url, {"insight_threshold": 0}).status_code == 200
    assert client_for(team.team_lead).post(url, {"insight_threshold": 5}).status_code == 302
    assert selectors.insight_threshold(team.company) == 5


def test_insight_becomes_a_hypothesis_in_one_step_with_its_evidence(team, client_for):
    tag = TagFactory(company=team.company, name="measure same day")
    _heard(team, tag, 3)
    client = client_for(team.member)
    client.post(
        reverse("custdev:insight_new", args=[team.company.pk]), {"tag": tag.pk, "sentence": "Measure the same day"}
    )
    insight = Insight.objects.get()
    assert insight.people == 3 and insight.highlights.count() == 3

    response = client.post(reverse("hypotheses:from_insight", args=[team.company.pk, insight.pk]))

    hypothesis = Hypothesis.objects.get(insight=insight)
    assert response.url == reverse("hypotheses:detail", args=[team.company.pk, hypothesis.pk])
    assert hypothesis.title == "Measure the same day"
    assert hypothesis.status == "idea" and hypothesis.constraint == team.constraint
    assert hypothesis.confidence == suggested_confidence(3) == 5
    assert HypothesisEvent.objects.filter(hypothesis=hypothesis, kind="created").exists()
    page = client.get(response.url).content.decode()
    assert "Based on 3 interviews" in page
    synthesis = client.get(reverse("custdev:synthesis", args=[team.company.pk])).content.decode()
    assert "Make a hypothesis of it" not in synthesis
    assert reverse("hypotheses:detail", args=[team.company.pk, hypothesis.pk]) in synthesis
    assert "Same day, please (2)" in page


def test_an_insight_of_another_business_is_not_found(team, foreign_team, client_for):
    tag = TagFactory(company=foreign_team.company, name="secret")
    insight = Insight.objects.create(company=foreign_team.company, tag=tag, sentence="Zeta secret", people=3)
    response = client_for(team.tracker).post(reverse("hypotheses:from_insight", args=[team.company.pk, insight.pk]))
    assert response.status_code == 404
    assert not Hypothesis.objects.filter(insight=insight).exists()


@pytest.mark.parametrize(("people", "confidence"), [(0, 3), (1, 4), (3, 5), (5, 6), (8, 7), (12, 8), (400, 8)])
def test_confidence_grows_with_evidence_but_never_past_eight(people, confidence):
    assert suggested_confidence(people) == confidence


def test_the_constraint_counts_interviews_since_it_became_active(team):
    from datetime import timedelta

    InterviewFactory(company=team.company, held_on=team.constraint.started_on - timedelta(days=1))
    InterviewFactory(company=team.company, held_on=team.constraint.started_on)
    InterviewFactory(company=team.company, held_on=team.constraint.started_on + timedelta(days=3))
    assert selectors.interviews_since(team.constraint) == 2


def test_the_constraint_page_shows_the_interviews_since(team, client_for):
    from datetime import timedelta

    InterviewFactory(company=team.company, held_on=team.constraint.started_on + timedelta(days=1))
    page = client_for(team.member).get(reverse("tracking:company_detail", args=[team.company.pk])).content.decode()
    assert "1 customer interview since it became the main constraint" in page


def test_an_insight_sent_twice_makes_one_hypothesis(team, client_for):
    """A double tap on "Make a hypothesis of it" (or two people at once) opens the hypothesis
    the insight already became instead of making a second one."""
    tag = TagFactory(company=team.company, name="measure same day")
    _heard(team, tag, 3)
    insight = Insight.objects.create(company=team.company, tag=tag, sentence="Measure the same day", people=3)
    client = client_for(team.member)
    url = reverse("hypotheses:from_insight", args=[team.company.pk, insight.pk])

    first, second = client.post(url), client.post(url)

    hypothesis = Hypothesis.objects.get(insight=insight)
    assert first.url == second.url == reverse("hypotheses:detail", args=[team.company.pk, hypothesis.pk])
    assert "already a hypothesis" in client.get(second.url).content.decode()
    # The service says the same when the view's check is passed by a request at the same moment.
    assert hypothesis_from_insight(insight=insight, by=team.tracker) == hypothesis
    assert Hypothesis.objects.filter(insight=insight).count() == 1


def test_an_insight_sent_twice_is_one_insight(team, client_for):
    tag = TagFactory(company=team.company, name="measure same day")
    _heard(team, tag, 3)
    client = client_for(team.member)
    url = reverse("custdev:insight_new", args=[team.company.pk])
    for _ in range(2):
        assert client.post(url, {"tag": tag.pk, "sentence": "Measure the same day "}).status_code == 302
    assert list(Insight.objects.values_list("sentence", flat=True)) == ["Measure the same day"]
    # Another sentence on the same tag is another insight.
    client.post(url, {"tag": tag.pk, "sentence": "They hate waiting"})
    assert Insight.objects.count() == 2


@pytest.mark.parametrize(
    "junk", ["", "0", "-1", "51", "1.5", "1e3", "NaN", "9" * 5000, "\x00", "３", " 4 ", "4\x00"], ids=repr
)
def test_junk_threshold_and_insight_are_refused_next_to_the_field(team, client_for, junk):
    """No 500; the threshold stays; no insight is made; the page says why."""
    tag = TagFactory(company=team.company, name="measure same day")
    _heard(team, tag, 3)
    client = client_for(team.tracker)
    threshold = client.post(reverse("custdev:threshold", args=[team.company.pk]), {"insight_threshold": junk})
    assert threshold.status_code in {200, 302}
    if threshold.status_code == 200:
        assert threshold.context["threshold_form"].errors["insight_threshold"]
        assert selectors.insight_threshold(team.company) == 3
    for data in ({"tag": junk, "sentence": "Same day"}, {"tag": tag.pk, "sentence": junk or "\x00"}):
        response = client.post(reverse("custdev:insight_new", args=[team.company.pk]), data)
        assert response.status_code in {200, 302, 404}
    sentences = list(Insight.objects.values_list("sentence", flat=True))
    assert all(s.strip() and "\x00" not in s for s in sentences)
