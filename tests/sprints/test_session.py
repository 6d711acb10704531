"""The weekly session's steps, one service each (sprints/session.py), against PostgreSQL."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hypotheses.models import Hypothesis
from sprints import services
from sprints import session as steps
from sprints.models import Action, Review, Sprint, SprintStatus
from tests import clock
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db


def _testing(team):
    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(status="testing", testing_started_at=clock.now())
    team.hypothesis.refresh_from_db()


def _review_writes(captured):
    return [
        q["sql"] for q in captured if q["sql"].startswith(('UPDATE "sprints_review"', 'INSERT INTO "sprints_review"'))
    ]


def test_close_writes_the_review_once_and_starts_the_next(team):
    steps.session_go_to(sprint=team.active_sprint, by=team.tracker, step="close")
    Action.objects.filter(pk=team.action.pk).update(status="done")
    with CaptureQueriesContext(connection) as captured:
        closed = steps.session_close(
            sprint=team.active_sprint, by=team.tracker, what_worked=" The offer ", start_next=True
        )
    assert len(_review_writes(captured)) == 1
    review = Review.objects.get(sprint=team.active_sprint)
    assert review.what_worked == "The offer" and review.held_at and review.step == "close"
    assert closed.upcoming == team.planned_sprint and closed.not_started is None
    statuses = dict(Sprint.objects.filter(company=team.company).values_list("pk", "status"))
    assert statuses[team.active_sprint.pk] == SprintStatus.CLOSED
    assert statuses[team.planned_sprint.pk] == SprintStatus.ACTIVE


def test_a_refused_close_keeps_what_was_typed_and_closes_nothing(team):
    with pytest.raises(ValidationError, match="still to resolve"):
        steps.session_close(sprint=team.active_sprint, by=team.tracker, what_worked="The offer", notes="Call Anna")
    review = Review.objects.get(sprint=team.active_sprint)
    assert (review.what_worked, review.notes, review.step, review.held_at) == ("The offer", "Call Anna", "close", None)
    assert Sprint.objects.get(pk=team.active_sprint.pk).status == SprintStatus.REVIEW


def test_a_refused_start_leaves_the_close_standing(team):
    Action.objects.filter(pk=team.action.pk).update(status="done")
    Action.objects.filter(sprint=team.planned_sprint).delete()  # nothing planned: it cannot start
    closed = steps.session_close(sprint=team.active_sprint, by=team.tracker, start_next=True)
    assert closed.upcoming == team.planned_sprint
    assert "at least one action" in " ".join(closed.not_started.messages)
    assert Sprint.objects.get(pk=team.active_sprint.pk).status == SprintStatus.CLOSED
    assert Sprint.objects.get(pk=team.planned_sprint.pk).status == SprintStatus.PLANNED


def test_a_verdict_needs_the_measured_value_and_keeping_in_test_is_remembered(team):
    _testing(team)
    with pytest.raises(ValidationError) as refused:
        steps.session_verdict(
            sprint=team.active_sprint, by=team.tracker, hypothesis=team.hypothesis, decision="confirmed"
        )
    assert "measured" in refused.value.message_dict
    # The refusal rolled the whole step back: the session did not even begin.
    assert Sprint.objects.get(pk=team.active_sprint.pk).status == SprintStatus.ACTIVE
    review = steps.session_verdict(
        sprint=team.active_sprint, by=team.tracker, hypothesis=team.hypothesis, decision="keep"
    )
    assert list(review.kept_in_test.all()) == [team.hypothesis]


def test_the_constraint_step_moves_on_only_when_it_is_still_the_main_one(team):
    review = steps.session_constraint(sprint=team.active_sprint, by=team.tracker, still_main=False)
    assert (review.constraint_confirmed, review.step) == (False, "constraint")
    review = steps.session_constraint(sprint=team.active_sprint, by=team.tracker, still_main=True)
    assert (review.constraint_confirmed, review.step) == (True, "plan")


def test_plan_carries_the_chosen_actions_into_the_next_sprint_in_one_transaction(team):
    upcoming = steps.session_plan(sprint=team.active_sprint, by=team.tracker, carry=[team.action.pk])
    assert upcoming == team.planned_sprint
    assert Action.objects.get(carried_over_from=team.action).sprint == upcoming
    assert Review.objects.get(sprint=team.active_sprint).step == "plan"
    # A member may not plan: nothing of the step is left behind.
    other = ActionFactory(sprint=team.active_sprint, owner=team.member)
    with pytest.raises(PermissionDenied):
        steps.session_plan(sprint=team.active_sprint, by=team.member, carry=[other.pk])
    assert not Action.objects.filter(carried_over_from=other).exists()


def test_an_unknown_step_is_refused(team):
    with pytest.raises(ValidationError, match="Unknown step"):
        steps.session_go_to(sprint=team.active_sprint, by=team.tracker, step="dance")
    assert not Review.objects.filter(sprint=team.active_sprint).exists()


def test_the_service_says_a_member_logs_only_their_own_actions(team):
    theirs = ActionFactory(sprint=team.active_sprint, owner=team.team_lead)
    with pytest.raises(PermissionDenied, match="own actions"):
        services.action_log(action=theirs, by=team.member, status="done")
    assert services.action_log(action=team.action, by=team.member, status="done").status == "done"
    assert services.action_log(action=theirs, by=team.team_lead, status="doing").status == "doing"
