"""Rows are text until edited: the board's size does not grow with the number of
open hypotheses, and a row's form comes one at a time."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hypotheses.models import Hypothesis
from sprints.models import Action
from tests.factories import ActionFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _open_hypotheses(team, count, start=0):
    Hypothesis.objects.bulk_create(
        Hypothesis(
            company=team.company,
            constraint=team.constraint if i % 2 else None,
            title=f"Open hypothesis {i:03d}",
            statement="If we call back within an hour, more leads buy.",
            metric=team.metric,
            baseline=Decimal(2),
            expected_value=Decimal(3),
            success_criteria="3 %",
            cheapest_test="Call back",
            status="ready",
        )
        for i in range(start, start + count)
    )


def _board(client, team):
    url = reverse("sprints:board", args=[team.company.pk, team.planned_sprint.pk])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(response.content), len(captured)


def test_the_board_does_not_grow_with_open_hypotheses(team, client):
    owners = [*MembershipFactory.create_batch(3, company=team.company), team.member]
    Action.objects.bulk_create(
        Action(sprint=team.planned_sprint, title=f"Action {i}", owner=owners[i % 4], estimate_hours=Decimal(1))
        for i in range(59)
    )
    client.force_login(team.tracker.user)
    open_now = Hypothesis.objects.filter(company=team.company, status__in=["idea", "ready", "testing", "inconclusive"])
    _open_hypotheses(team, 10 - open_now.count())
    small_size, small_queries = _board(client, team)
    _open_hypotheses(team, 110, start=100)
    large_size, large_queries = _board(client, team)
    print(f"board at 60 actions: {small_size} bytes with 10 open hypotheses, {large_size} with 120")
    assert small_queries == large_queries
    assert large_size - small_size < 2_000, (small_size, large_size)
    assert large_size < 150_000, large_size


HX = {"HX-Request": "true"}


def _edit_data(action, **overrides):
    prefix = f"a{action.pk}"
    data = {"title": action.title, "owner": action.owner_id, "estimate_hours": "2", "version": action.version}
    return {f"{prefix}-{k}": v for k, v in {**data, **overrides}.items()}


def test_edit_fetches_one_rows_form_and_cancel_brings_the_text_back(team, client):
    client.force_login(team.tracker.user)
    action = team.planned_action
    board = client.get(reverse("sprints:board", args=[team.company.pk, team.planned_sprint.pk])).content.decode()
    assert 'class="action-edit"' not in board  # every row is text
    assert f'hx-get="/b/{team.company.pk}/actions/{action.pk}/edit/"' in board
    edit = reverse("sprints:action_form", args=[team.company.pk, action.pk])
    body = client.get(edit, headers=HX).content.decode()
    assert body.lstrip().startswith(f'<li class="action-row status-todo editing" id="action-{action.pk}">')
    assert body.count("<form") == 1 and f'name="a{action.pk}-title"' in body and "<select" in body  # the owner
    assert f'name="a{action.pk}-hypothesis" value="{action.hypothesis_id or ""}"' in body
    assert "<noscript>" not in body  # with htmx, the hypothesis is searched
    # Without JavaScript: the board with that row's form open, the hypothesis a bounded select.
    page = client.get(edit).content.decode()
    assert page.count('class="action-edit"') == 1 and "<noscript>" in page
    cancel = client.get(reverse("sprints:action_row", args=[team.company.pk, action.pk]), headers=HX).content.decode()
    assert "<form" not in cancel.split("</li>")[0].split("row-actions")[0] and action.title in cancel


def test_the_add_forms_plain_select_of_hypotheses_comes_when_asked_for(team, client):
    """Without JavaScript the picker cannot search: the board links to itself with the select
    (?choose=hypothesis), and only that page reads the hypotheses for it."""
    client.force_login(team.tracker.user)
    board = reverse("sprints:board", args=[team.company.pk, team.planned_sprint.pk])
    with CaptureQueriesContext(connection) as plain:
        page = client.get(board).content.decode()
    assert '<a href="?choose=hypothesis#add">' in page and "<noscript>\n    <select" not in page
    with CaptureQueriesContext(connection) as asked:
        chosen = client.get(board + "?choose=hypothesis").content.decode()
    assert "<noscript>\n    <select" in chosen and f'<option value="{team.hypothesis.pk}"' in chosen
    assert len(asked) == len(plain) + 1


def test_a_member_gets_the_row_as_text_not_a_form(team, client):
    client.force_login(team.member.user)
    edit = reverse("sprints:action_form", args=[team.company.pk, team.planned_action.pk])
    body = client.get(edit, headers=HX).content.decode()
    assert "<form" not in body and team.planned_action.title in body


def test_a_refused_save_returns_the_form_with_what_was_typed_and_the_error(team, client):
    client.force_login(team.tracker.user)
    action = team.planned_action
    url = reverse("sprints:action_edit", args=[team.company.pk, action.pk])
    data = _edit_data(action, title="Typed title", estimate_hours="1000", hypothesis=team.hypothesis.pk)
    body = client.post(url, data, headers=HX).content.decode()
    assert body.lstrip().startswith(f'<li class="action-row status-todo editing" id="action-{action.pk}">')
    assert 'value="Typed title"' in body and 'value="1000"' in body and "less than or equal to 168" in body
    assert f'name="a{action.pk}-hypothesis" value="{team.hypothesis.pk}"' in body  # the pick survives too
    assert Action.objects.get(pk=action.pk).title != "Typed title"
    # A plain post: the board with that row's form and the same.
    page = client.post(url, data).content.decode()
    assert 'value="Typed title"' in page and "less than or equal to 168" in page


def test_a_saved_row_comes_back_as_text_alone_and_the_capacity_card_fetches_itself(team, client):
    client.force_login(team.tracker.user)
    action = team.planned_action
    url = reverse("sprints:action_edit", args=[team.company.pk, action.pk])
    response = client.post(url, _edit_data(action, title="Call them", hypothesis=team.hypothesis.pk), headers=HX)
    body = response.content.decode()
    assert body.lstrip().startswith(f'<li class="action-row status-todo" id="action-{action.pk}">')
    assert "<form" not in body.split("row-actions")[0] and body.rstrip().endswith("</li>")
    assert "Call them" in body and team.hypothesis.title in body and "Saved" in body
    assert 'id="capacity-card"' not in body and json.loads(response.headers["HX-Trigger"]) == {"plan-changed": {}}
    saved = Action.objects.get(pk=action.pk)
    assert (saved.title, saved.hypothesis_id) == ("Call them", team.hypothesis.pk)
    # The card listens for the event and asks the board for itself alone.
    board = reverse("sprints:board", args=[team.company.pk, team.planned_sprint.pk])
    page = client.get(board).content.decode()
    assert f'id="capacity-card" hx-get="{board}?fragment=capacity" hx-trigger="plan-changed from:body"' in page
    with CaptureQueriesContext(connection) as captured:
        card = client.get(board + "?fragment=capacity", headers=HX).content.decode()
    assert card.startswith('<section class="card" id="capacity-card"') and 'id="capacity"' in card
    assert "<li" not in card and len(captured) <= 8


def test_a_results_row_is_text_and_its_form_comes_on_demand(team, client):
    client.force_login(team.member.user)
    action = team.action
    page = client.get(reverse("sprints:results", args=[team.company.pk])).content.decode()
    assert 'class="log-form"' not in page and f"/actions/{action.pk}/log/edit/" in page
    form = reverse("sprints:action_log_form", args=[team.company.pk, action.pk])
    body = client.get(form, headers=HX).content.decode()
    assert body.count('class="log-form"') == 1 and f'name="l{action.pk}-status"' in body
    assert client.get(form).content.decode().count('class="log-form"') == 1  # the page, that row open
    # Not done without a reason: refused, the typed note kept, the error next to the field.
    url = reverse("sprints:action_log", args=[team.company.pk, action.pk])
    data = {f"l{action.pk}-status": "not_done", f"l{action.pk}-result_note": "Half of it"}
    body = client.post(url, data, headers=HX).content.decode()
    assert "Say why it was not done" in body and "Half of it" in body and 'class="log-form"' in body
    cancel = reverse("sprints:action_log_row", args=[team.company.pk, action.pk])
    body = client.get(cancel, headers=HX).content.decode()
    assert 'class="log-form"' not in body and "Log the result" in body


def test_someone_who_may_not_log_a_row_gets_no_form(team, client):
    theirs = ActionFactory(sprint=team.active_sprint, owner=team.team_lead)
    client.force_login(team.member.user)
    body = client.get(reverse("sprints:action_log_form", args=[team.company.pk, theirs.pk]), headers=HX)
    assert "<form" not in body.content.decode()


def _search(client, team, **params):
    url = reverse("sprints:hypothesis_search", args=[team.company.pk])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params, headers=HX)
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def test_the_search_offers_the_active_constraint_first_ten_at_a_time(team, client):
    _open_hypotheses(team, 25)  # odd ones on the active constraint
    client.force_login(team.entrepreneur.user)
    body, queries = _search(client, team, field="hypothesis")
    titles = re.findall(r">(Open hypothesis \d+|[^<]*money-back guarantee)</button>", body)
    assert len(titles) == 10 and "Load more" in body and queries <= 6
    on_focus = {h.title for h in Hypothesis.objects.filter(company=team.company, constraint=team.constraint)}
    assert all(t in on_focus for t in titles), titles  # 13 of them on the constraint: all ten come first
    more = re.search(r'hx-get="([^"]*offset=10)"', body).group(1).replace("&amp;", "&")
    rest = client.get(more, headers=HX).content.decode()
    assert rest.count("<button") == 11 and "Load more" in rest and "— none —" not in rest
    body, _ = _search(client, team, field="a1-hypothesis", q="hypothesis 007")
    assert body.count("pick=") == 2 and "Open hypothesis 007" in body and 'hx-target="#pick-a1-hypothesis"' in body


def test_a_pick_fills_the_hidden_field(team, client):
    client.force_login(team.tracker.user)
    field = f"a{team.planned_action.pk}-hypothesis"
    body, _ = _search(client, team, field=field, pick=team.hypothesis.pk)
    assert f'<input type="hidden" name="{field}" value="{team.hypothesis.pk}">' in body
    assert team.hypothesis.title in body
    body, _ = _search(client, team, field="<script>", pick="")
    assert '<input type="hidden" name="hypothesis" value="">' in body  # an odd field name is not echoed


def test_the_search_is_scoped_to_the_company(team, foreign_team, client):
    client.force_login(team.tracker.user)
    url = reverse("sprints:hypothesis_search", args=[foreign_team.company.pk])
    assert client.get(url, {"q": "guarantee"}, headers=HX).status_code == 404
    own = reverse("sprints:hypothesis_search", args=[team.company.pk])
    assert client.get(own, {"pick": foreign_team.hypothesis.pk}, headers=HX).status_code == 404
    body = client.get(own, {"q": "guarantee"}, headers=HX).content.decode()
    assert foreign_team.hypothesis.title not in body and team.hypothesis.title in body


def test_an_actions_access_reads_of_its_hypothesis_only_what_a_row_shows(team, django_assert_num_queries):
    """sprints/access.py: the action's hypothesis comes with its title in the one statement;
    anything else of it is read when asked for (the right value, one query more)."""
    from sprints.access import access_action

    hypothesis = Hypothesis.objects.filter(company=team.company).first()
    action = ActionFactory(sprint=team.planned_sprint, owner=team.member, hypothesis=hypothesis)
    with django_assert_num_queries(1):
        got = access_action(team.company, action.pk)
        assert (got.hypothesis.pk, got.hypothesis.title) == (hypothesis.pk, hypothesis.title)
        assert got.owner.name == team.member.name and got.sprint.pk == team.planned_sprint.pk
    with django_assert_num_queries(1):
        assert got.hypothesis.statement == hypothesis.statement
