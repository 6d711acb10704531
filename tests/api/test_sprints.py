"""The sprints of /api/v1/: the list, one sprint with its actions, an action's result through
action_log (a stale version is a 409 with the action as it is now; a member logs only their
own) and a closed sprint's report."""

from decimal import Decimal

import pytest

from sprints.models import Action, ActionStatus
from tests.factories import ActionFactory, sprint_closed_before
from tracking.models import Role

pytestmark = pytest.mark.django_db


def _closed(team):
    closed = sprint_closed_before(team, weeks=2)
    ActionFactory(sprint=closed, owner=team.member, title="Not done before", status=ActionStatus.NOT_DONE)
    return closed


def test_sprints_newest_first_in_pages(team, token_for, api):
    closed = _closed(team)
    token = token_for(team.tracker)

    first = api("get", "sprints?limit=2", token).json()
    second = api("get", f"sprints?limit=2&cursor={first['next_cursor']}", token).json()

    assert [row["id"] for row in first["items"]] == [team.planned_sprint.pk, team.active_sprint.pk]
    assert [row["id"] for row in second["items"]] == [closed.pk] and second["next_cursor"] is None


def test_one_sprint_with_its_actions(team, token_for, api):
    response = api("get", f"sprints/{team.active_sprint.pk}", token_for(team.tracker))

    assert response.status_code == 200
    body = response.json()
    assert (body["number"], body["status"]) == (101, "active")
    [action] = body["actions"]
    assert (action["id"], action["owner_id"], action["status"], action["version"]) == (
        team.action.pk,
        team.member.pk,
        "todo",
        team.action.version,
    )


def test_a_result_is_logged_through_the_service(team, token_for, api):
    body = {"status": "done", "result_note": "Sent to 12 clients", "cost": "15.5", "version": team.action.version}

    response = api("put", f"actions/{team.action.pk}/result", token_for(team.tracker), body)

    assert response.status_code == 200, response.content
    team.action.refresh_from_db()
    assert (team.action.status, team.action.result_note, str(team.action.spent)) == (
        "done",
        "Sent to 12 clients",
        "15.50",
    )
    assert team.action.cost is None and Decimal(response.json()["spent"]) == Decimal("15.5")  # no cost was planned
    assert response.json()["version"] == team.action.version == 2


def test_a_stale_version_is_a_409_with_the_action_as_it_is_now(team, token_for, api):
    token = token_for(team.tracker)
    path = f"actions/{team.action.pk}/result"
    api("put", path, token, {"status": "doing", "result_note": "Half sent", "version": 1})

    response = api("put", path, token, {"status": "done", "version": 1})

    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "conflict"
    assert error["current"] == {"version": 2, "status": "doing", "result_note": "Half sent", "why_not_note": ""}
    assert Action.objects.get(pk=team.action.pk).status == ActionStatus.DOING


def test_a_member_token_logs_only_the_members_own_actions(team, token_for, api):
    token = token_for(team.entrepreneur, scopes=["write"])
    team.entrepreneur.role = Role.MEMBER  # the token's maker became a plain member since
    team.entrepreneur.save()
    own = ActionFactory(sprint=team.active_sprint, owner=team.entrepreneur)

    others = api("put", f"actions/{team.action.pk}/result", token, {"status": "done", "version": 1})
    mine = api("put", f"actions/{own.pk}/result", token, {"status": "done", "version": 1})

    assert others.status_code == 403
    assert others.json()["error"]["message"] == "A member logs only their own actions."
    assert mine.status_code == 200, mine.content
    assert Action.objects.get(pk=team.action.pk).status == ActionStatus.TODO


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "not_done", "version": 1}, "why_not_note"),
        ({"status": "finished", "version": 1}, "status"),
        ({"status": "done"}, "version"),
        ({"status": "done", "version": "one"}, "version"),
    ],
)
def test_a_result_the_service_refuses_is_a_422(body, field, team, token_for, api):
    response = api("put", f"actions/{team.action.pk}/result", token_for(team.tracker), body)

    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]


def test_no_result_in_a_planned_sprint(team, token_for, api):
    body = {"status": "done", "version": 1}

    response = api("put", f"actions/{team.planned_action.pk}/result", token_for(team.tracker), body)

    assert response.status_code == 422
    assert "__all__" in response.json()["error"]["fields"]


def test_a_closed_sprints_report(team, token_for, api):
    closed = _closed(team)

    response = api("get", f"sprints/{closed.pk}/report", token_for(team.tracker))

    assert response.status_code == 200, response.content
    numbers = response.json()["numbers"]
    assert (numbers["actions_planned"], numbers["actions_done"], numbers["actions_not_done"]) == (2, 1, 1)
    assert {line["title"] for line in numbers["actions"]} == {"Done before", "Not done before"}


def test_an_open_sprint_has_no_report_yet(team, token_for, api):
    response = api("get", f"sprints/{team.active_sprint.pk}/report", token_for(team.tracker))

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "This sprint is not closed yet: its report is not final."


@pytest.mark.parametrize("query", ["cursor=not-a-date", "limit=0", "limit=x"])
def test_a_bad_page_of_sprints_is_a_422_in_the_shape(query, team, token_for, api):
    response = api("get", f"sprints?{query}", token_for(team.tracker))

    assert response.status_code == 422, response.content
    assert set(response.json()["error"]["fields"]) in ({"cursor"}, {"limit"})
