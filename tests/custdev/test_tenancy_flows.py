"""Tenancy as people live it, across the toolkit, customer interviews and the library: one
person in two businesses with two roles, an invitation not accepted yet, tags and insights
that belong to one business only."""

import pytest
from django.urls import reverse

from tests import clock
from tests.custdev.factories import InterviewFactory, TagFactory, quote
from tests.factories import HypothesisFactory, MembershipFactory
from tests.test_roles import UE_INPUTS, _company_state
from tracking.custdev.models import Insight, Interview, Tag
from tracking.toolkit.models import UnitEconomics

pytestmark = pytest.mark.django_db


def _decided(company, title):
    return HypothesisFactory(
        company=company, title=title, status="refuted", verdict="refuted", decided_at=clock.now(), learning="learned"
    )


def test_tracker_here_member_there_cannot_plan_there(team, foreign_team, client_for):
    """The tracker of one business who is a plain member of another may change the toolkit of
    the first and not of the second: each business asks its own role."""
    there = MembershipFactory(company=foreign_team.company, user=team.tracker.user, role="member")
    client = client_for(team.tracker)
    before = _company_state(foreign_team)
    for name, data in [
        ("toolkit:inputs_save", UE_INPUTS),
        ("toolkit:snapshot_add", {**UE_INPUTS, "kind": "what_if", "label": "x"}),
        ("toolkit:mapping_save", {"c1_metric": foreign_team.metric.pk}),
        ("toolkit:inputs_pull", {}),
        ("toolkit:leak_constraint", {"window": 4}),
        ("toolkit:leak_hypothesis", {"stage": foreign_team.metric.pk}),
        ("custdev:threshold", {"insight_threshold": 4}),
        ("custdev:script_new", {"title": "x", "kind": "problem", "goal": "g", "segment": "s", "questions": "q"}),
    ]:
        response = client.post(reverse(name, args=[foreign_team.company.pk]), data)
        assert response.status_code == 403, (name, response.status_code)
    assert _company_state(foreign_team) == before
    # Here, the same person plans.
    assert client.post(reverse("toolkit:inputs_save", args=[team.company.pk]), UE_INPUTS).status_code == 302
    assert UnitEconomics.objects.filter(company=team.company).exists()
    assert not UnitEconomics.objects.filter(company=there.company).exists()


def test_an_interview_of_one_business_cannot_be_edited_through_another(team, foreign_team, client_for):
    """Tracker of both: an interview id of business B under business A's URL is not found,
    whatever the person may do in B."""
    MembershipFactory(company=foreign_team.company, user=team.tracker.user, role="tracker")
    theirs = InterviewFactory(company=foreign_team.company, interviewee_name="Zeta")
    client = client_for(team.tracker)
    url = reverse("custdev:interview_edit", args=[team.company.pk, theirs.pk])
    assert client.get(url).status_code == 404
    data = {"held_on": clock.today().isoformat(), "kind": "problem", "segment": "s", "interviewee_role": "r"}
    assert client.post(url, {**data, "interviewer": team.tracker.pk, "q-TOTAL_FORMS": "0"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.company_id, theirs.interviewee_name) == (foreign_team.company.pk, "Zeta")


def test_an_invitation_not_accepted_opens_nothing(team, foreign_team, client_for):
    """Invited to business B but not accepted yet: B's decided hypotheses stay out of the
    library and of "tried before", and its toolkit and interview pages are not found."""
    MembershipFactory(company=foreign_team.company, user=team.member.user, role="tracker", accepted_at=None)
    _decided(foreign_team.company, "Zeta money-back guarantee")
    _decided(team.company, "Alpha money-back guarantee")
    client = client_for(team.member)
    library = client.get(reverse("hypotheses:library")).content.decode()
    assert "Alpha money-back guarantee" in library and "Zeta" not in library
    business_filter = client.get(reverse("hypotheses:library"), {"business": foreign_team.company.pk})
    assert "Zeta" not in business_filter.content.decode()
    csv = client.get(reverse("hypotheses:library_csv")).content.decode("utf-8-sig")
    assert "Alpha money-back guarantee" in csv and "Zeta" not in csv
    alike = client.get(reverse("hypotheses:tried_before"), {"title": "money-back guarantee"}).content.decode()
    assert "Alpha money-back guarantee" in alike and "Zeta" not in alike
    for name in ("toolkit:funnel", "toolkit:unit_economics", "custdev:interviews", "custdev:synthesis"):
        assert client.get(reverse(name, args=[foreign_team.company.pk])).status_code == 404, name


def test_tags_of_one_business_are_never_offered_or_reused_in_another(team, foreign_team, client_for):
    """A person in both businesses: B's tags are not listed on A's interview form, and the
    same tag name typed in A makes A's own tag (B's quotes and synthesis stay B's)."""
    MembershipFactory(company=foreign_team.company, user=team.tracker.user, role="tracker")
    secret = TagFactory(company=foreign_team.company, name="zeta secret tag")
    quote(InterviewFactory(company=foreign_team.company), "Zeta quote", secret)
    client = client_for(team.tracker)
    form = client.get(reverse("custdev:interview_new", args=[team.company.pk])).content.decode()
    assert "zeta secret tag" not in form
    data = {
        "held_on": clock.today().isoformat(),
        "kind": "problem",
        "segment": "Families",
        "interviewee_role": "Homeowner",
        "interviewer": team.tracker.pk,
        "consent": "on",
        "q-TOTAL_FORMS": "1",
        "q-INITIAL_FORMS": "0",
        "q-0-quote": "Same day or nothing",
        "q-0-tags": "Zeta secret tag",
    }
    assert client.post(reverse("custdev:interview_new", args=[team.company.pk]), data).status_code == 302
    ours = Tag.objects.get(company=team.company)
    assert ours.pk != secret.pk and ours.name == "Zeta secret tag"
    interview = Interview.objects.get(company=team.company)
    assert list(interview.highlights.get().tags.all()) == [ours]
    assert list(secret.highlights.values_list("quote", flat=True)) == ["Zeta quote"]
    synthesis = client.get(reverse("custdev:synthesis", args=[team.company.pk])).content.decode()
    assert "Zeta quote" not in synthesis and "Same day or nothing" in synthesis
    # An insight on B's tag cannot be made in A.
    response = client.post(
        reverse("custdev:insight_new", args=[team.company.pk]), {"tag": secret.pk, "sentence": "Zeta insight"}
    )
    assert response.status_code == 404
    assert not Insight.objects.exists()
