"""The interview log: consent before notes, quotes with tags created inline, who
may edit, a refused save keeps what was typed, tenancy."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import clock
from tests.custdev.factories import InterviewFactory, ScriptFactory
from tests.factories import MembershipFactory
from tracking.custdev.models import Highlight, Interview, Tag

pytestmark = pytest.mark.django_db


def _data(team, **overrides):
    data = {
        "held_on": clock.today().isoformat(),
        "kind": "problem",
        "interviewee_name": "Olga",
        "segment": "Families renovating a flat",
        "interviewee_role": "Homeowner",
        "interviewer": team.member.pk,
        "consent": "on",
        "story": "The measurer came a week after my call.",
        "q-TOTAL_FORMS": "3",
        "q-INITIAL_FORMS": "0",
        "q-0-quote": "I went with the ones who came the same day",
        "q-0-tags": "measure same day, Speed",
        "q-1-quote": "",
        "q-1-tags": "",
        "q-2-quote": "Price mattered less than the wait",
        "q-2-tags": "speed",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_any_member_logs_an_interview_with_quotes_and_new_tags(team, client_for):
    client = client_for(team.member)
    response = client.post(reverse("custdev:interview_new", args=[team.company.pk]), _data(team))
    assert response.status_code == 302
    interview = Interview.objects.get(company=team.company)
    assert interview.author == team.member.user
    assert "saved=1" in response.url
    quotes = list(Highlight.objects.filter(interview=interview).order_by("position"))
    assert [q.quote for q in quotes] == [
        "I went with the ones who came the same day",
        "Price mattered less than the wait",
    ]
    # "Speed" and "speed" are one tag, created inline, the first spelling kept.
    assert sorted(Tag.objects.filter(company=team.company).values_list("name", flat=True)) == [
        "Speed",
        "measure same day",
    ]
    assert [t.name for t in quotes[1].tags.all()] == ["Speed"]


def test_notes_need_consent_and_nothing_typed_is_lost(team, client_for):
    client = client_for(team.member)
    response = client.post(reverse("custdev:interview_new", args=[team.company.pk]), _data(team, consent=None))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ask for consent before saving notes" in body
    assert "The measurer came a week after my call." in body
    assert "I went with the ones who came the same day" in body
    assert 'data-draft-restore="no"' in body
    assert not Interview.objects.exists() and not Tag.objects.exists()


def test_without_consent_only_who_and_when_is_kept(team, client_for):
    data = _data(team, consent=None, story="", **{"q-0-quote": "", "q-0-tags": "", "q-2-quote": "", "q-2-tags": ""})
    response = client_for(team.member).post(reverse("custdev:interview_new", args=[team.company.pk]), data)
    assert response.status_code == 302
    assert Interview.objects.get().consent is False


def test_the_database_refuses_notes_without_consent(team):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        InterviewFactory(company=team.company, consent=False, story="kept anyway")


def test_tags_without_a_quote_are_refused_next_to_the_field(team, client_for):
    data = _data(team, **{"q-1-tags": "orphan"})
    response = client_for(team.member).post(reverse("custdev:interview_new", args=[team.company.pk]), data)
    assert response.status_code == 200
    assert "Write the quote these tags belong to" in response.content.decode()
    assert not Interview.objects.exists()


@pytest.mark.parametrize(
    ("editor", "allowed"),
    [("author", True), ("tracker", True), ("entrepreneur", True), ("team_lead", False), ("other_member", False)],
)
def test_an_interview_is_edited_by_its_author_the_tracker_and_the_entrepreneur(team, client_for, editor, allowed):
    interview = InterviewFactory(company=team.company, author=team.member.user, interviewer=team.member)
    who = team.member if editor == "author" else team.by_role(editor)
    url = reverse("custdev:interview_edit", args=[team.company.pk, interview.pk])
    response = client_for(who).post(url, _data(team, interviewee_name="Irina"))
    interview.refresh_from_db()
    if allowed:
        assert response.status_code == 302 and interview.interviewee_name == "Irina"
    else:
        assert response.status_code == 403
        assert (
            "Only a tracker or entrepreneur can edit an interview logged by another member" in response.content.decode()
        )
        assert interview.interviewee_name == ""


def test_editing_keeps_quotes_in_place(team, client_for):
    client = client_for(team.tracker)
    client.post(reverse("custdev:interview_new", args=[team.company.pk]), _data(team))
    interview = Interview.objects.get()
    first = interview.highlights.get(position=0)
    page = client.get(reverse("custdev:interview_edit", args=[team.company.pk, interview.pk]))
    assert "measure same day" in page.content.decode()
    data = _data(team, **{"q-TOTAL_FORMS": "2", "q-0-quote": "Came the same day, so I signed", "q-2-quote": None})
    data.pop("q-2-tags")
    client.post(reverse("custdev:interview_edit", args=[team.company.pk, interview.pk]), data)
    assert list(interview.highlights.values_list("pk", "quote")) == [(first.pk, "Came the same day, so I signed")]


def test_same_email_in_two_businesses_sees_each_business_own_interviews(team, foreign_team, client_for):
    """One person, two businesses: each business's pages show only its own interviews."""
    both = MembershipFactory(company=foreign_team.company, user=team.member.user, role="member")
    InterviewFactory(company=team.company, interviewee_role="Alpha customer")
    theirs = InterviewFactory(company=foreign_team.company, interviewee_role="Zeta customer")
    client = client_for(both)
    alpha = client.get(reverse("custdev:interviews", args=[team.company.pk])).content.decode()
    zeta = client.get(reverse("custdev:interviews", args=[foreign_team.company.pk])).content.decode()
    assert "Alpha customer" in alpha and "Zeta customer" not in alpha
    assert "Zeta customer" in zeta and "Alpha customer" not in zeta
    # An id of the other business under this business's URL is not found.
    assert client.get(reverse("custdev:interview_detail", args=[team.company.pk, theirs.pk])).status_code == 404


def test_saved_page_tells_the_browser_to_forget_the_draft(team, client_for):
    interview = InterviewFactory(company=team.company)
    client = client_for(team.member)
    url = reverse("custdev:interview_detail", args=[team.company.pk, interview.pk])
    assert "data-draft-clear" not in client.get(url).content.decode()
    saved = client.get(url + "?saved=1").content.decode()
    assert f'data-draft-clear="custdev-interview-new-{team.company.pk}-{team.member.user.pk}"' in saved


def test_script_from_a_template_flags_leading_questions_and_prints(team, client_for):
    client = client_for(team.tracker)
    page = client.get(reverse("custdev:script_new", args=[team.company.pk]) + "?template=problem-ru")
    assert "Расскажите про последний раз" in page.content.decode()
    hints = client.get(reverse("custdev:mom_test", args=[team.company.pk]), {"questions": "Вам было бы удобно?"})
    assert "Future or hypothetical" in hints.content.decode()
    data = {
        "title": "Kitchens",
        "kind": "problem",
        "goal": "Why they buy",
        "segment": "Families",
        "questions": "Would you buy a kitchen online?\nWhen did you last buy furniture?",
        "constraint": team.constraint.pk,
    }
    response = client.post(reverse("custdev:script_new", args=[team.company.pk]), data)
    assert response.status_code == 302
    script = team.company.scripts.get()
    sheet = client.get(reverse("custdev:script_detail", args=[team.company.pk, script.pk])).content.decode()
    assert sheet.count('class="notes-space"') == 2
    assert 'data-rule="future"' in sheet


def test_a_member_reads_scripts_but_cannot_write_one(team, client_for):
    script = ScriptFactory(company=team.company)
    client = client_for(team.member)
    assert client.get(reverse("custdev:script_detail", args=[team.company.pk, script.pk])).status_code == 200
    response = client.post(reverse("custdev:script_new", args=[team.company.pk]), {"title": "x"})
    assert response.status_code == 403


def test_an_edit_opened_before_someone_else_saved_is_refused_once_and_keeps_what_was_typed(team, client_for):
    """The entrepreneur adds a quote while the tracker's edit form is open: the tracker's save
    would have deleted that quote. It is refused with what the tracker typed kept; their next
    save (having been told) goes through."""
    interview = InterviewFactory(company=team.company, author=team.entrepreneur.user, interviewer=team.member)
    url = reverse("custdev:interview_edit", args=[team.company.pk, interview.pk])
    tracker = client_for(team.tracker)
    form = tracker.get(url)
    opened = form.context["version"]
    assert opened == interview.version == 1 and 'name="version" value="1"' in form.content.decode()

    entrepreneur = Client()  # a second browser
    entrepreneur.force_login(team.entrepreneur.user)
    data = _data(team, **{"q-0-quote": "Theirs: the measurer was late", "q-2-quote": "", "q-2-tags": ""})
    assert entrepreneur.post(url, {**data, "version": opened}).status_code == 302
    before = list(Highlight.objects.filter(interview=interview).values_list("quote", flat=True))

    mine = _data(team, interviewee_name="Mine", **{"q-0-quote": "Mine only", "q-2-quote": "", "q-2-tags": ""})
    refused = tracker.post(url, {**mine, "version": opened})

    assert refused.status_code == 200
    body = refused.content.decode()
    assert "Someone saved this interview after you opened it" in body
    assert "Mine only" in body and 'value="Mine"' in body
    interview.refresh_from_db()
    assert interview.interviewee_name == "Olga"
    assert list(Highlight.objects.filter(interview=interview).values_list("quote", flat=True)) == before
    assert refused.context["version"] == 2  # the entrepreneur's save
    # Told once: the refused page carries the current version, so saving again goes through.
    again = tracker.post(url, {**mine, "version": refused.context["version"]})
    assert again.status_code == 302
    interview.refresh_from_db()
    assert interview.interviewee_name == "Mine" and interview.version == 3


def test_an_edit_refused_for_its_input_keeps_the_version_it_opened_with(team, client_for):
    interview = InterviewFactory(company=team.company, author=team.member.user)
    url = reverse("custdev:interview_edit", args=[team.company.pk, interview.pk])
    client = client_for(team.tracker)
    opened = client.get(url).context["version"]
    refused = client.post(url, {**_data(team, segment=""), "version": opened})
    assert refused.status_code == 200 and refused.context["version"] == opened


def test_an_interview_in_the_future_is_refused_next_to_its_date(team, client_for):
    from datetime import timedelta

    later = (clock.today() + timedelta(days=400)).isoformat()
    response = client_for(team.member).post(
        reverse("custdev:interview_new", args=[team.company.pk]), _data(team, held_on=later)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["held_on"] == [
        "An interview is logged after it happened: pick today or an earlier day."
    ]
    assert response.context["form"]["held_on"].value() == later
    assert not Interview.objects.exists() and not Tag.objects.exists()


def test_the_log_counts_each_interviews_quotes_none_as_zero(team):
    from tests.custdev.factories import quote
    from tracking.custdev import selectors

    none = InterviewFactory(company=team.company, interviewee_name="Quiet one")
    three = InterviewFactory(company=team.company, interviewee_name="Talker")
    for n in range(3):
        quote(three, f"Quote {n}")
    counts = {pk: count for pk, _held, _name, _role, _segment, _kind, count, *_ in selectors.interviews(team.company)}
    assert counts[none.pk] == 0 and counts[three.pk] == 3
