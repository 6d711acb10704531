"""The plan step's carry-over offers every unfinished action: to do, doing and also "not done".
A carried "not done" action keeps its history (the copy links to it) and its reason, which the
carry list and the new sprint's row (in the session and on its board) show; closing still finds
every action resolved."""

from decimal import Decimal

import pytest
from django.urls import reverse

from sprints import selectors, services
from sprints import session as steps
from sprints.models import Action, ActionStatus, Sprint, SprintStatus
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
REASON = "The supplier sent the leaflets a week late"


def _url(team, name, *args):
    return reverse(f"sprints:{name}", args=[team.company.pk, *args])


def _not_done(team, hours=1, why=REASON, title="Hand out leaflets at the market"):
    action = ActionFactory(sprint=team.active_sprint, owner=team.member, title=title, estimate_hours=Decimal(hours))
    return services.action_log(action=action, by=team.tracker, status=ActionStatus.NOT_DONE, why_not_note=why)


def _carry_label(body, action):
    start = body.index(f'name="carry" value="{action.pk}"')
    return body[start : body.index("</label>", start)]


def test_a_not_done_action_is_offered_with_its_reason_and_ticked_when_it_fits(team, client_for):
    fits = _not_done(team, hours=1)
    too_big = _not_done(team, hours=30, why="Nobody had the time", title="Film a video for the site")
    # The plan step, folded at the results step, opened as a page without JavaScript opens it.
    body = client_for(team.tracker).get(_url(team, "session"), {"open": "plan"}).content.decode()

    assert f'name="carry" value="{fits.pk}" checked' in body
    assert REASON in _carry_label(body, fits) and "Not done" in _carry_label(body, fits)
    assert f'name="carry" value="{too_big.pk}">' in body  # offered, not ticked: it would overbook
    assert "Nobody had the time" in _carry_label(body, too_big) and "would overbook" in _carry_label(body, too_big)
    # To do and doing are still offered, without a reason.
    assert f'name="carry" value="{team.action.pk}" checked' in body
    assert "Not done" not in _carry_label(body, team.action)


def test_carrying_a_not_done_action_keeps_its_link_and_reason_and_the_sprint_still_closes(team, client_for):
    action = _not_done(team)
    client = client_for(team.tracker)
    Action.objects.filter(pk=team.action.pk).update(status=ActionStatus.DONE)

    response = client.post(_url(team, "session_plan"), {"carry": [action.pk]}, headers=HTMX)

    assert response.status_code == 200
    copy = Action.objects.get(carried_over_from=action)
    assert copy.sprint_id == team.planned_sprint.pk and copy.status == ActionStatus.TODO
    assert (copy.title, copy.owner_id, copy.estimate_hours) == (action.title, team.member.pk, Decimal(1))
    original = Action.objects.get(pk=action.pk)
    assert original.status == ActionStatus.NOT_DONE and original.why_not_note == REASON
    body = response.content.decode()
    assert f'name="carry" value="{action.pk}"' not in body  # carried once, not offered again
    plan = body[body.index('id="session-plan"') :]
    assert f"Not done: {REASON}" in plan[: plan.index('id="plan-form"')]  # the next sprint's row
    board = client.get(_url(team, "board", team.planned_sprint.pk)).content.decode()
    row = board[board.index(f'id="action-{copy.pk}"') :]
    row = row[: row.index("</li>")]
    assert f"carried over from {team.active_sprint}" in row and f"Not done: {REASON}" in row

    assert selectors.closing_problems(team.active_sprint) == []
    closed = steps.session_close(sprint=team.active_sprint, by=team.tracker)
    assert Sprint.objects.get(pk=closed.sprint.pk).status == SprintStatus.CLOSED


def test_the_plan_service_carries_not_done_actions_with_to_do_and_doing(team):
    not_done = _not_done(team)
    doing = ActionFactory(sprint=team.active_sprint, owner=team.member, status=ActionStatus.DOING)
    done = ActionFactory(sprint=team.active_sprint, owner=team.member, status=ActionStatus.DONE)

    upcoming = steps.session_plan(
        sprint=team.active_sprint, by=team.tracker, carry=[not_done.pk, doing.pk, done.pk, team.action.pk]
    )

    carried = dict(upcoming.actions.exclude(carried_over_from=None).values_list("carried_over_from_id", "status"))
    assert carried == {not_done.pk: "todo", doing.pk: "todo", team.action.pk: "todo"}  # done stays behind
    assert Action.objects.get(pk=doing.pk).status == ActionStatus.NOT_DONE
    assert Action.objects.get(pk=not_done.pk).why_not_note == REASON
