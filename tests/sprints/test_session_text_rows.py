"""The session's result and verdict rows are text until a button opens them: the page renders
no field per row. "Done" / "Not done" (a result row still open), "Edit" (one resolved) and a
button per decision (a verdict row) are an htmx GET of `?fragment=result&edit=` or
`?fragment=verdict&decide=` with `as=` what the button chose, answered with that one row and
its fields, that choice made and the cursor in what it still needs; without JavaScript the
same query shows the page with that row open. A row that is not this session's, or that the
reader may not change, is a 404."""

import pytest
from django.urls import reverse

from hypotheses.models import Hypothesis
from tests import clock
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _session(team):
    return reverse("sprints:session", args=[team.company.pk])


def _testing(hypothesis):
    Hypothesis.objects.filter(pk=hypothesis.pk).update(status="testing", testing_started_at=clock.now())


def test_the_page_shows_rows_as_text_with_the_buttons_that_open_each(team, client):
    _testing(team.hypothesis)
    client.force_login(team.tracker.user)
    body = client.get(_session(team)).content.decode()
    pk, h = team.action.pk, team.hypothesis.pk
    assert f'id="result-{pk}"' in body and f'name="l{pk}-status"' not in body
    for status, word in (("done", ">Done<"), ("not_done", ">Not done<")):
        assert f'hx-get="?fragment=result&amp;edit={pk}&amp;as={status}"' in body and word in body
    assert f'href="?edit={pk}&amp;as=done#result-{pk}"' in body
    # The buttons share their row as the target; the group is named after the row.
    assert f'role="group" aria-label="{team.action.title}" hx-target="#result-{pk}" hx-swap="outerHTML"' in body
    # The verdicts step, folded at the results step, opened: its card.
    body = client.get(_session(team), {"fragment": "card", "card": "verdicts"}, headers=HTMX).content.decode()
    assert f'id="verdict-{h}"' in body and f'name="v{h}-decision"' not in body
    for decision, word in (("confirmed", ">Confirmed<"), ("refuted", ">Refuted<"), ("keep", ">Keep testing<")):
        assert f'hx-get="?fragment=verdict&amp;decide={h}&amp;as={decision}"' in body and word in body


def test_a_rows_button_answers_with_that_row_its_choice_made_and_the_cursor_in_what_it_needs(team, client):
    _testing(team.hypothesis)
    client.force_login(team.tracker.user)
    pk, h = team.action.pk, team.hypothesis.pk
    row = client.get(_session(team), {"fragment": "result", "edit": pk, "as": "not_done"}, headers=HTMX)
    row = row.content.decode()
    assert row.count("<li") == 1 and f'<select name="l{pk}-status"' in row
    assert '<option value="not_done" selected>' in row
    assert f'id="l{pk}-why_not_note" value="" maxlength="2000" autofocus>' in row and row.count("autofocus") == 1
    assert "data-row-save" in row and f'name="l{pk}-version" value="{team.action.version}"' in row
    body = client.get(_session(team), {"fragment": "verdict", "decide": h, "as": "refuted"}, headers=HTMX)
    body = body.content.decode()
    assert body.count('class="verdict-block') == 1 and f'name="v{h}-decision" value="refuted" checked>' in body
    assert f'id="v{h}-against_reason"' in body and body.count("autofocus") == 1
    # A choice that is not one opens the row as it is.
    row = client.get(_session(team), {"fragment": "result", "edit": pk, "as": "junk"}, headers=HTMX)
    assert f'<option value="{team.action.status}" selected>' in row.content.decode()


def test_without_javascript_the_page_opens_the_row_asked_for_and_no_other(team, client):
    other = ActionFactory(sprint=team.active_sprint, owner=team.team_lead)
    client.force_login(team.tracker.user)
    body = client.get(_session(team), {"edit": other.pk, "as": "done"}).content.decode()
    assert f'name="l{other.pk}-status"' in body and f'name="l{team.action.pk}-status"' not in body
    assert '<option value="done" selected>' in body
    assert client.get(_session(team), {"edit": "junk", "decide": "-1"}).status_code == 200  # ignored


def test_a_row_of_another_business_or_not_a_row_is_a_404_and_shows_nothing(team, foreign_team, client):
    client.force_login(team.tracker.user)
    for params in (
        {"fragment": "result", "edit": foreign_team.action.pk},
        {"fragment": "verdict", "decide": foreign_team.hypothesis.pk},
        {"fragment": "result", "edit": "x"},
        {"fragment": "result"},
        {"fragment": "verdict", "decide": team.hypothesis.pk},  # not under test
    ):
        response = client.get(_session(team), params, headers=HTMX)
        assert response.status_code == 404, params
        assert foreign_team.action.title not in response.content.decode()


def test_a_reader_who_may_not_change_a_row_gets_no_button_and_no_fields(team, client):
    _testing(team.hypothesis)
    client.force_login(team.member.user)
    body = client.get(_session(team)).content.decode()
    assert f'id="result-{team.action.pk}"' in body and "?fragment=result" not in body
    assert "?fragment=verdict" not in body
    for params in (
        {"fragment": "result", "edit": team.action.pk},
        {"fragment": "verdict", "decide": team.hypothesis.pk},
    ):
        assert client.get(_session(team), params, headers=HTMX).status_code == 404
