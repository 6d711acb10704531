"""A new interview's form sent twice (a double tap, or a re-send after the connection dropped
while the server had saved: the browser's draft still holds it) is one interview. The form
carries a token made when it is first shown; the second send answers with the interview the
first made. Tokens are per business."""

import uuid

import pytest
from django.urls import reverse

from tests import clock
from tracking.custdev import selectors, services
from tracking.custdev.forms import InterviewForm
from tracking.custdev.models import Interview

pytestmark = pytest.mark.django_db

QUOTE = "I went with the ones who came the same day"


def _data(team, submission, **overrides):
    data = {
        "submission": str(submission),
        "held_on": clock.today().isoformat(),
        "kind": "problem",
        "interviewee_name": "",  # unnamed: synthesis counts each interview as a person
        "segment": "Families renovating a flat",
        "interviewee_role": "Homeowner",
        "interviewer": team.member.pk,
        "consent": "on",
        "story": "The measurer came a week after my call.",
        "q-TOTAL_FORMS": "1",
        "q-INITIAL_FORMS": "0",
        "q-0-quote": QUOTE,
        "q-0-tags": "measure same day",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _url(company):
    return reverse("custdev:interview_new", args=[company.pk])


def _people(company) -> int:
    (summary,) = selectors.synthesis(company, threshold=3)
    return summary.people


def test_the_new_form_carries_a_fresh_token_and_the_edit_form_none(team, client_for):
    client = client_for(team.member)
    first, second = (client.get(_url(team.company)).context["form"] for _ in range(2))
    tokens = {uuid.UUID(form["submission"].value()) for form in (first, second)}
    assert len(tokens) == 2
    assert 'name="submission"' in client.get(_url(team.company)).content.decode()
    assert "submission" not in InterviewForm(company=team.company).fields


def test_the_same_form_sent_twice_makes_one_interview_and_answers_with_it(team, client_for):
    client = client_for(team.member)
    token = uuid.uuid4()
    first = client.post(_url(team.company), _data(team, token), follow=True)
    assert "The interview is saved." in first.content.decode()
    interview = Interview.objects.get(company=team.company)
    assert interview.submission == token
    assert _people(team.company) == 1

    second = client.post(_url(team.company), _data(team, token), follow=True)
    assert second.redirect_chain[0][0] == first.redirect_chain[0][0]
    assert Interview.objects.filter(company=team.company).count() == 1
    assert interview.highlights.count() == 1
    body = second.content.decode()
    assert "This interview was already saved" in body
    assert "The interview is saved." not in body
    # Synthesis still hears the tag from one person.
    assert _people(team.company) == 1


def test_another_token_is_another_interview(team, client_for):
    client = client_for(team.member)
    client.post(_url(team.company), _data(team, uuid.uuid4()), follow=True)
    response = client.post(_url(team.company), _data(team, uuid.uuid4()), follow=True)
    assert "The interview is saved." in response.content.decode()
    assert Interview.objects.filter(company=team.company).count() == 2
    assert _people(team.company) == 2


def test_a_token_of_one_business_neither_collides_nor_leaks_in_another(team, foreign_team, client_for):
    token = uuid.uuid4()
    client_for(foreign_team.member).post(_url(foreign_team.company), _data(foreign_team, token), follow=True)
    theirs = Interview.objects.get(company=foreign_team.company)

    client = client_for(team.member)
    response = client.post(_url(team.company), _data(team, token, story="Ours, not theirs."), follow=True)
    ours = Interview.objects.get(company=team.company)
    assert ours.pk != theirs.pk and ours.submission == theirs.submission == token
    assert response.redirect_chain[0][0].startswith(
        reverse("custdev:interview_detail", args=[team.company.pk, ours.pk])
    )
    body = response.content.decode()
    assert "The interview is saved." in body and "already saved" not in body
    assert "The measurer came a week after my call." not in body
    # The service given the other business's token makes ours, never returns theirs.
    again = services.interview_create(
        by=team.member, submission=token, held_on=clock.today(), segment="S", interviewee_role="R"
    )
    assert again.pk == ours.pk and again.already_saved


def test_a_refused_send_then_the_corrected_one_with_the_same_token_saves_once(team, client_for):
    client = client_for(team.member)
    token = uuid.uuid4()
    refused = client.post(_url(team.company), _data(team, token, consent=None))
    assert refused.status_code == 200
    assert not Interview.objects.exists()
    # The refused page carries the same token on (the draft keeps it too).
    assert refused.context["form"]["submission"].value() == str(token)
    assert f'value="{token}"' in refused.content.decode()

    saved = client.post(_url(team.company), _data(team, token), follow=True)
    assert "The interview is saved." in saved.content.decode()
    client.post(_url(team.company), _data(team, token))
    assert Interview.objects.filter(company=team.company).count() == 1


def test_a_send_racing_the_first_finds_its_interview(team, monkeypatch):
    """Two sends at once: both miss the other's row before saving; the database's unique
    token refuses the second's insert, which then gives the first's interview."""
    token = uuid.uuid4()
    fields = {"held_on": clock.today(), "segment": "S", "interviewee_role": "R"}
    first = services.interview_create(by=team.member, submission=token, **fields)
    real = services._already_saved
    calls = []

    def missed_once(company, submission):
        calls.append(submission)
        return None if len(calls) == 1 else real(company, submission)

    monkeypatch.setattr(services, "_already_saved", missed_once)
    second = services.interview_create(by=team.member, submission=token, **fields)
    assert len(calls) == 2
    assert second.pk == first.pk and second.already_saved
    assert Interview.objects.filter(company=team.company).count() == 1


def test_a_malformed_token_saves_without_one(team, client_for):
    client = client_for(team.member)
    response = client.post(_url(team.company), _data(team, "not-a-token\x00"))
    assert response.status_code == 302
    assert Interview.objects.get(company=team.company).submission is None


def test_interviews_without_a_token_do_not_collide(team):
    fields = {"held_on": clock.today(), "segment": "S", "interviewee_role": "R"}
    services.interview_create(by=team.member, **fields)
    services.interview_create(by=team.member, submission=None, **fields)
    assert Interview.objects.filter(company=team.company, submission__isnull=True).count() == 2


def test_every_visible_field_of_the_interview_form_is_in_exactly_one_fieldset(team):
    form = InterviewForm(company=team.company, new=True)
    placed = [field.name for _legend, fields in form.fieldsets for field in fields]
    visible = [field.name for field in form.visible_fields()]
    assert sorted(placed) == sorted(visible)
    assert len(placed) == len(set(placed))
    assert [field.name for field in form.hidden_fields()] == ["submission"]
