"""Rough edges on the sprint side: starting a sprint puts its Ready hypotheses
under test (recorded in their history), and the first sprint's default dates."""

from datetime import timedelta

import pytest

from hypotheses.models import HypothesisEvent, Status
from sprints import schedule, selectors, services
from sprints.models import SprintStatus
from tests.factories import ActionFactory, HypothesisFactory, SprintFactory
from tests.support.sprints import sprint_closed

pytestmark = pytest.mark.django_db


def test_starting_a_sprint_puts_its_ready_hypotheses_under_test_with_a_history_entry(team):
    sprint_closed(team)
    idea = HypothesisFactory(company=team.company, metric=team.metric, status=Status.IDEA, title="Only an idea")
    ActionFactory(sprint=team.planned_sprint, owner=team.team_lead, hypothesis=team.hypothesis)
    ActionFactory(sprint=team.planned_sprint, owner=team.team_lead, hypothesis=team.hypothesis)
    ActionFactory(sprint=team.planned_sprint, owner=team.team_lead, hypothesis=idea)
    assert team.hypothesis.status == Status.READY

    services.sprint_start(sprint=team.planned_sprint, by=team.tracker)

    team.hypothesis.refresh_from_db()
    assert team.hypothesis.status == Status.TESTING
    assert team.hypothesis.testing_started_at is not None
    event = team.hypothesis.events.get(kind=HypothesisEvent.Kind.TRANSITION)
    assert (event.from_status, event.to_status, event.actor) == (Status.READY, Status.TESTING, team.tracker.user)
    assert event.note == "Testing started with Sprint 102."
    # An idea linked to an action is not ready: it stays an idea, with no entry.
    idea.refresh_from_db()
    assert idea.status == Status.IDEA and not idea.events.filter(kind=HypothesisEvent.Kind.TRANSITION).exists()


def test_the_hypothesis_then_waits_for_its_verdict_in_the_session(team):
    sprint_closed(team)
    ActionFactory(sprint=team.planned_sprint, owner=team.team_lead, hypothesis=team.hypothesis)
    sprint = services.sprint_start(sprint=team.planned_sprint, by=team.tracker)
    for action in sprint.actions.all():
        action.status = "done"
        action.save()
    problems = selectors.closing_problems(sprint)
    assert any(team.hypothesis.title in problem for problem in problems)


def test_a_refused_start_leaves_the_hypothesis_ready(team):
    ActionFactory(sprint=team.planned_sprint, owner=team.team_lead, hypothesis=team.hypothesis)
    with pytest.raises(Exception, match="still active"):
        services.sprint_start(sprint=team.planned_sprint, by=team.tracker)
    team.hypothesis.refresh_from_db()
    assert team.hypothesis.status == Status.READY
    assert not team.hypothesis.events.exists()


def test_other_businesses_hypotheses_are_never_touched(team, db):
    from tests.conftest import make_team

    other = make_team("Beta Dairy", sprints=False)
    sprint_closed(team)
    sprint = SprintFactory(company=team.company, number=7, starts_on=team.planned_sprint.ends_on + timedelta(days=1))
    ActionFactory(sprint=sprint, owner=team.team_lead, hypothesis=team.hypothesis)
    from hypotheses.services import hypotheses_start_testing

    started = hypotheses_start_testing(hypothesis_ids=[other.hypothesis.pk], by=team.tracker, note="x")
    assert started == []
    other.hypothesis.refresh_from_db()
    assert other.hypothesis.status == Status.READY
    assert services.sprint_start(sprint=sprint, by=team.tracker).status == SprintStatus.ACTIVE


def test_the_first_sprint_of_a_new_business_defaults_to_the_sprint_length_not_one_day_more(client):
    """Planned on its review day (a Friday, by default), the first sprint ran Friday → next
    Friday: 8 days, and 8/7 of everyone's week. Now it runs the sprint length and ends on the
    review day, as the next sprint from the session does."""
    from django.urls import reverse

    from sprints.capacity import sprint_capacity
    from tests.factories import CompanyFactory, MembershipFactory
    from tracking.weeks import local_today

    company = CompanyFactory(name="New bakery", sprint_length_days=7)
    today = local_today(company)
    company.review_weekday = today.weekday()  # the business is set up on its review day
    company.save()
    tracker = MembershipFactory(company=company, role="tracker", weekly_capacity_hours=14)
    client.force_login(tracker.user)

    form = client.get(reverse("sprints:list", args=[company.pk])).context["form"]
    starts, ends = form.initial["starts_on"], form.initial["ends_on"]
    assert (ends - starts).days + 1 == 7
    assert ends.weekday() == company.review_weekday and starts >= today

    sprint = services.sprint_plan(by=tracker, starts_on=starts, ends_on=ends)
    assert sprint.days == 7
    assert sprint_capacity(sprint).owners[0].available == 14  # the week, not 8/7 of it
    # The next one follows with the same length.
    after = schedule.default_dates(company, after=sprint.ends_on)
    assert (after[1] - after[0]).days + 1 == 7 and after[0] == ends + timedelta(days=1)
