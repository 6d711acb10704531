"""The session's result and verdict rows are text until their button opens them: the page
renders no field per row, an htmx GET of `?fragment=result|verdict&row=` answers with that one
row and its fields, and without JavaScript `?edit=` / `?decide=` shows the page with that row
open. A row that is not this session's, or that the reader may not change, is a 404."""

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


def test_the_page_shows_rows_as_text_with_the_button_that_opens_each(team, client):
    _testing(team.hypothesis)
    client.force_login(team.tracker.user)
    body = client.get(_session(team)).content.decode()
    assert f'id="result-{team.action.pk}"' in body and f'name="l{team.action.pk}-status"' not in body
    assert f'hx-get="{_session(team)}?fragment=result&amp;row={team.action.pk}"' in body
    assert f'href="?edit={team.action.pk}#result-{team.action.pk}"' in body and ">Log the result<" in body
    assert f'id="verdict-{team.hypothesis.pk}"' in body and f'name="v{team.hypothesis.pk}-decision"' not in body
    assert f'hx-get="{_session(team)}?fragment=verdict&amp;row={team.hypothesis.pk}"' in body and ">Decide<" in body


def test_a_rows_button_answers_with_that_row_and_its_fields(team, client):
    _testing(team.hypothesis)
    client.force_login(team.tracker.user)
    row = client.get(_session(team), {"fragment": "result", "row": team.action.pk}, headers=HTMX).content.decode()
    assert row.count("<li") == 1 and f'<select name="l{team.action.pk}-status"' in row
    assert "data-row-save" in row and f'name="l{team.action.pk}-version" value="{team.action.version}"' in row
    verdict = client.get(_session(team), {"fragment": "verdict", "row": team.hypothesis.pk}, headers=HTMX)
    body = verdict.content.decode()
    assert body.count('class="verdict-block') == 1 and f'name="v{team.hypothesis.pk}-decision"' in body
    assert f'id="v{team.hypothesis.pk}-against_reason"' in body


def test_without_javascript_the_page_opens_the_row_asked_for_and_no_other(team, client):
    other = ActionFactory(sprint=team.active_sprint, owner=team.team_lead)
    client.force_login(team.tracker.user)
    body = client.get(_session(team), {"edit": other.pk}).content.decode()
    assert f'name="l{other.pk}-status"' in body and f'name="l{team.action.pk}-status"' not in body
    assert client.get(_session(team), {"edit": "junk", "decide": "-1"}).status_code == 200  # ignored


def test_a_row_of_another_business_or_not_a_row_is_a_404_and_shows_nothing(team, foreign_team, client):
    client.force_login(team.tracker.user)
    for params in (
        {"fragment": "result", "row": foreign_team.action.pk},
        {"fragment": "verdict", "row": foreign_team.hypothesis.pk},
        {"fragment": "result", "row": "x"},
        {"fragment": "result"},
        {"fragment": "verdict", "row": team.hypothesis.pk},  # not under test
    ):
        response = client.get(_session(team), params, headers=HTMX)
        assert response.status_code == 404, params
        assert foreign_team.action.title not in response.content.decode()


def test_a_reader_who_may_not_change_a_row_gets_no_button_and_no_fields(team, client):
    _testing(team.hypothesis)
    client.force_login(team.member.user)
    body = client.get(_session(team)).content.decode()
    assert f'id="result-{team.action.pk}"' in body and "?fragment=result&amp;row=" not in body
    assert "?fragment=verdict&amp;row=" not in body
    for fragment, pk in (("result", team.action.pk), ("verdict", team.hypothesis.pk)):
        assert client.get(_session(team), {"fragment": fragment, "row": pk}, headers=HTMX).status_code == 404
