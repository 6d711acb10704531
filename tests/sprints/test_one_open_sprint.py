"""At most one sprint per business is active or in review: the next one
starts once the last is closed. The service says so; the database holds it."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sprints import services, session
from sprints.models import Sprint, SprintStatus
from tests.support.sprints import sprint_closed

pytestmark = pytest.mark.django_db


def test_the_next_sprint_does_not_start_while_the_last_is_in_review(team):
    session.session_go_to(sprint=team.active_sprint, by=team.tracker)
    with pytest.raises(ValidationError) as refused:
        services.sprint_start(sprint=team.planned_sprint, by=team.tracker)
    assert refused.value.messages == ["Sprint 101 is in review: close it before starting the next one."]
    assert Sprint.objects.get(pk=team.planned_sprint.pk).status == SprintStatus.PLANNED


def test_nor_while_it_is_active(team):
    with pytest.raises(ValidationError, match="Sprint 101 is still active"):
        services.sprint_start(sprint=team.planned_sprint, by=team.tracker)


def test_it_starts_once_the_last_is_closed(team):
    session.session_go_to(sprint=team.active_sprint, by=team.tracker)
    sprint_closed(team)
    assert services.sprint_start(sprint=team.planned_sprint, by=team.tracker).status == SprintStatus.ACTIVE


@pytest.mark.parametrize(("running", "other"), [("review", "active"), ("review", "review"), ("active", "review")])
def test_the_database_refuses_a_second_open_sprint_whatever_writes_it(running, other, team):
    Sprint.objects.filter(pk=team.active_sprint.pk).update(status=running)
    with pytest.raises(IntegrityError, match="sprint_one_open_per_company"), transaction.atomic():
        Sprint.objects.filter(pk=team.planned_sprint.pk).update(status=other)
    # Other businesses, and closed or planned sprints, are not limited.
    Sprint.objects.filter(pk=team.planned_sprint.pk).update(status="closed")


def test_each_business_has_its_own_open_sprint(team, foreign_team):
    Sprint.objects.filter(pk__in=[team.active_sprint.pk, foreign_team.active_sprint.pk]).update(status="review")
    assert Sprint.objects.filter(status="review").count() == 2
