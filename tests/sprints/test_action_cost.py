"""An action's cost is entered where the action is: on the planning board (add and edit), in
the session's new plan rows, and on the results page when its result is logged (what it
actually cost). Money is read as typed in either language; a bad cost is refused next to the
field, keeps what was typed and changes nothing."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from sprints import session as steps
from sprints.models import Action, ActionStatus
from tracking.numbers import money

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}

BAD_COSTS = [("-5", "A cost cannot be negative."), ("lots", "Enter an amount of money")]


def _url(team, name, *args):
    return reverse(f"sprints:{name}", args=[team.company.pk, *args])


# --- The planning board ----------------------------------------------------------------------------


def _add(team, cost):
    return {"title": "Print the flyers", "owner": team.member.pk, "estimate_hours": "1", "cost": cost}


@pytest.mark.parametrize(("typed", "stored"), [("1500", "1500"), ("1 500,50", "1500.50"), ("99.9", "99.90")])
def test_a_cost_added_on_the_board_is_saved(typed, stored, team, client):
    client.force_login(team.tracker.user)
    response = client.post(_url(team, "action_add", team.planned_sprint.pk), _add(team, typed))
    assert response.status_code == 302
    assert Action.objects.get(title="Print the flyers").cost == Decimal(stored)


@pytest.mark.parametrize(("typed", "message"), BAD_COSTS)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_bad_cost_on_the_board_adds_nothing(typed, message, htmx, team, client):
    client.force_login(team.tracker.user)
    before = Action.objects.count()
    response = client.post(
        _url(team, "action_add", team.planned_sprint.pk), _add(team, typed), headers=HTMX if htmx else {}
    )
    body = response.content.decode()
    assert response.status_code == 200 and message in body and f'value="{typed}"' in body
    assert Action.objects.count() == before


def _edit(action, **fields):
    data = {"title": action.title, "owner": action.owner_id, "estimate_hours": "2", "version": action.version}
    return {f"a{action.pk}-{name}": value for name, value in (data | fields).items()}


def test_a_cost_edited_on_the_board_is_saved_and_can_be_cleared(team, client):
    client.force_login(team.tracker.user)
    action = team.planned_action
    url = _url(team, "action_edit", action.pk)
    assert client.post(url, _edit(action, cost="2 000"), headers=HTMX).status_code == 200
    action.refresh_from_db()
    assert action.cost == Decimal(2000)
    body = client.get(_url(team, "action_form", action.pk), headers=HTMX).content.decode()
    assert f'name="a{action.pk}-cost" value="2000"' in body  # pre-filled as typed, not 2000.00
    client.post(url, _edit(action, cost=""), headers=HTMX)
    action.refresh_from_db()
    assert action.cost is None


def _costing_300(action):
    """The action with a cost of 300 saved: what a refused cost must leave as it was."""
    Action.objects.filter(pk=action.pk).update(cost=Decimal(300))
    action.refresh_from_db()
    return action


@pytest.mark.parametrize(("typed", "message"), BAD_COSTS)
def test_a_bad_cost_on_an_edited_row_changes_nothing(typed, message, team, client):
    client.force_login(team.tracker.user)
    action = _costing_300(team.planned_action)
    body = client.post(
        _url(team, "action_edit", action.pk), _edit(action, title="Renamed", cost=typed), headers=HTMX
    ).content.decode()
    assert message in body and f'value="{typed}"' in body
    action.refresh_from_db()
    assert (action.title, action.cost) != ("Renamed", None) and action.cost == Decimal(300)


# --- The session's plan rows ------------------------------------------------------------------------


def _plan(team, *rows):
    data = {}
    for i, (title, cost) in enumerate(rows):
        data |= {f"n{i}-title": title, f"n{i}-owner": team.member.pk, f"n{i}-estimate_hours": "1", f"n{i}-cost": cost}
    return data


def test_a_cost_typed_in_a_new_plan_row_is_saved_and_shown_in_the_next_sprints_list(team, client):
    client.force_login(team.tracker.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    body = client.post(
        _url(team, "session_plan"), _plan(team, ("Ads in the chat", "1 200,5"), ("Call Anna", "")), headers=HTMX
    ).content.decode()
    costs = dict(Action.objects.filter(sprint=team.planned_sprint).values_list("title", "cost"))
    assert costs["Ads in the chat"] == Decimal("1200.50") and costs["Call Anna"] is None
    planned = body.split('<ul class="plan-list">', 1)[1].split("</ul>", 1)[0]
    ads = next(item for item in planned.split("<li>") if item.startswith("Ads in the chat"))
    call = next(item for item in planned.split("<li>") if item.startswith("Call Anna"))
    assert ads.endswith("· 1\xa0200,50\xa0₽</span></li>"), ads
    assert "·" in call and "200" not in call  # no cost typed: none shown


def test_the_plan_rows_have_a_cost_field(team, client):
    client.force_login(team.tracker.user)
    # The plan step, folded on the page at the results step, opened: its card.
    body = client.get(_url(team, "session"), {"fragment": "card", "card": "plan"}, headers=HTMX).content.decode()
    assert 'name="n0-cost" id="n0-cost" value=""' in body and 'name="n4-cost"' in body


@pytest.mark.parametrize(("typed", "message"), BAD_COSTS)
def test_a_bad_cost_in_a_plan_row_adds_nothing(typed, message, team, client):
    client.force_login(team.tracker.user)
    before = Action.objects.count()
    body = client.post(
        _url(team, "session_plan"), _plan(team, ("Ads in the chat", "100"), ("Call Anna", typed)), headers=HTMX
    ).content.decode()
    assert "Nothing was saved" in body and message in body and f'value="{typed}"' in body
    assert 'value="Ads in the chat"' in body
    assert Action.objects.count() == before


def test_the_plan_steps_capacity_preview_counts_the_typed_cost(team, client):
    from sprints.models import Sprint

    Sprint.objects.filter(pk=team.planned_sprint.pk).update(budget=Decimal(100))
    client.force_login(team.tracker.user)
    response = client.get(_url(team, "session_plan_capacity"), _plan(team, ("Ads in the chat", "250")), headers=HTMX)
    body, currency = response.content.decode(), team.company.currency
    assert f"{money(Decimal(250), currency)} / {money(Decimal(100), currency)}" in body
    assert f"over by {money(Decimal(150), currency)}" in body
    assert not Action.objects.filter(title="Ads in the chat").exists()  # a preview saves nothing


# --- The results page --------------------------------------------------------------------------------


def _log(action, **fields):
    data = {"status": "done", "result_note": "", "why_not_note": "", "version": action.version} | fields
    return {f"l{action.pk}-{name}": value for name, value in data.items()}


def test_what_an_action_actually_cost_is_logged_with_its_result_and_the_plan_stays(team, client):
    action = _costing_300(team.action)
    client.force_login(team.member.user)
    form = client.get(_url(team, "action_log_form", action.pk), headers=HTMX).content.decode()
    assert f'name="l{action.pk}-spent" value="300"' in form  # as planned, until logged
    url = _url(team, "action_log", action.pk)
    response = client.post(url, _log(action, spent="1 250,75", result_note="Sent"), headers=HTMX)
    assert response.status_code == 200
    assert f" · {money(Decimal('1250.75'), team.company.currency)}" in response.content.decode()  # the row
    action.refresh_from_db()
    assert (action.status, action.cost, action.spent) == (ActionStatus.DONE, Decimal(300), Decimal("1250.75"))
    form = client.get(_url(team, "action_log_form", action.pk), headers=HTMX).content.decode()
    assert f'name="l{action.pk}-spent" value="1250.75"' in form


@pytest.mark.parametrize(("typed", "message"), BAD_COSTS)
def test_a_bad_cost_when_logging_changes_nothing(typed, message, team, client):
    client.force_login(team.member.user)
    action = _costing_300(team.action)
    body = client.post(_url(team, "action_log", action.pk), _log(action, spent=typed), headers=HTMX).content.decode()
    assert message in body and f'value="{typed}"' in body
    action.refresh_from_db()
    assert (action.status, action.cost, action.spent) == (ActionStatus.TODO, Decimal(300), None)


def test_logging_without_the_spent_field_keeps_what_was_spent(team, client):
    """A post from a page of before (no spent field) and the session's results step, which logs
    no spending, leave the cost and what was spent as they were."""
    Action.objects.filter(pk=team.action.pk).update(cost=Decimal(300), spent=Decimal(280))
    client.force_login(team.member.user)
    client.post(_url(team, "action_log", team.action.pk), {f"l{team.action.pk}-status": "doing"})
    team.action.refresh_from_db()
    assert (team.action.status, team.action.cost, team.action.spent) == (ActionStatus.DOING, 300, 280)
    row = steps.ResultRow(action=team.action, status=ActionStatus.DONE, result_note="Sent")
    steps.session_results(sprint=team.active_sprint, by=team.tracker, rows=[row])
    team.action.refresh_from_db()
    assert (team.action.status, team.action.cost, team.action.spent) == (ActionStatus.DONE, 300, 280)
