"""Sprints: dates, no overlap (PostgreSQL holds it), one active, capacity on concrete numbers."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from sprints import schedule, services
from sprints.capacity import PAST_HOURS, available_hours, sprint_capacity
from sprints.models import Sprint
from tests import clock
from tests.factories import ActionFactory, SprintFactory
from tracking.access import access_company_team
from tracking.weeks import local_today

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(db):
    """A team with no sprints yet: these tests plan them."""
    from tests.conftest import make_team

    return make_team("Alpha Bakery", sprints=False)


def _today(team):
    return local_today(team.company)


def test_postgres_refuses_an_overlapping_sprint(team):
    first = SprintFactory(company=team.company, number=1)
    with pytest.raises(IntegrityError, match="sprint_no_overlap"), transaction.atomic():
        Sprint.objects.create(company=team.company, number=2, starts_on=first.ends_on, ends_on=first.ends_on)


def test_postgres_refuses_a_second_active_sprint(team):
    SprintFactory(company=team.company, number=1, status="active")
    later = SprintFactory(company=team.company, number=2, starts_on=clock.today() + timedelta(days=60))
    with pytest.raises(IntegrityError, match="sprint_one_open_per_company"), transaction.atomic():
        Sprint.objects.filter(pk=later.pk).update(status="active")


def test_postgres_refuses_a_sprint_longer_than_14_days(team):
    with pytest.raises(IntegrityError, match="sprint_at_most_14_days"), transaction.atomic():
        Sprint.objects.create(company=team.company, number=1, starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 20))


def test_the_service_says_so_first(team):
    start = _today(team) + timedelta(days=1)
    first = services.sprint_plan(by=team.tracker, starts_on=start, ends_on=start + timedelta(days=6))
    with pytest.raises(ValidationError) as excinfo:
        services.sprint_plan(by=team.tracker, starts_on=start + timedelta(days=3), ends_on=start + timedelta(days=9))
    assert "overlap Sprint 1" in str(excinfo.value)
    with pytest.raises(ValidationError, match="at most 14 days"):
        services.sprint_plan(by=team.tracker, starts_on=start + timedelta(days=7), ends_on=start + timedelta(days=26))
    with pytest.raises(ValidationError, match="cannot start in the past"):
        services.sprint_plan(by=team.tracker, starts_on=_today(team) - timedelta(days=2), ends_on=_today(team))
    assert list(Sprint.objects.filter(company=team.company)) == [first]


@pytest.mark.parametrize(
    ("after", "length", "start", "end"),
    [
        # Reviews on Fridays. After a sprint ending on its review day: Saturday → Friday, 7 days.
        (date(2030, 1, 4), 7, date(2030, 1, 5), date(2030, 1, 11)),
        # Starting on the review day itself: not a 1-day sprint, nor 8 days: Saturday → Friday.
        (date(2030, 1, 3), 7, date(2030, 1, 5), date(2030, 1, 11)),
        # Starting on a Monday: the Friday that fits (5 days).
        (date(2030, 1, 6), 7, date(2030, 1, 7), date(2030, 1, 11)),
        # Two-week sprints end on the second Friday.
        (date(2030, 1, 4), 14, date(2030, 1, 5), date(2030, 1, 18)),
    ],
)
def test_default_dates_end_on_the_review_day(after, length, start, end, team):
    team.company.review_weekday = 4  # Friday
    team.company.sprint_length_days = length
    assert schedule.default_dates(team.company, after=after) == (start, end)
    assert end.weekday() == 4 and (end - start).days + 1 <= 14


def test_every_start_weekday_and_length_gives_a_sprint_of_at_most_14_days_ending_on_the_review_day(team):
    team.company.review_weekday = 3
    for length in range(1, 15):
        team.company.sprint_length_days = length
        for offset in range(7):
            start, end = schedule.default_dates(team.company, after=date(2030, 1, 1) + timedelta(days=offset))
            assert end.weekday() == 3 and 1 <= (end - start).days + 1 <= 14, (length, offset, start, end)
            assert (end - start).days + 1 >= (length + 1) // 2
            if length >= 7:
                assert (end - start).days + 1 <= length, (length, offset, start, end)


def test_a_sprint_more_than_a_year_ahead_is_refused(team):
    far = _today(team) + timedelta(days=400)
    with pytest.raises(ValidationError, match="at most a year ahead"):
        services.sprint_plan(by=team.tracker, starts_on=far, ends_on=far + timedelta(days=6))


def test_capacity_on_concrete_numbers(team):
    # An owner with 8 h a week in a 14-day sprint has 16 h.
    team.member.weekly_capacity_hours = Decimal(8)
    team.member.save()
    start = _today(team) + timedelta(days=1)
    sprint = services.sprint_plan(by=team.tracker, starts_on=start, ends_on=start + timedelta(days=13))
    assert available_hours(Decimal(8), 14) == Decimal(16)
    for title in ("Write the PDF offer", "Send it by messenger", "Call back the replies"):
        services.action_add(sprint=sprint, by=team.tracker, title=title, owner=team.member, estimate_hours=Decimal(6))
    report = sprint_capacity(sprint)
    (row,) = [r for r in report.owners if r.membership == team.member]
    assert (row.load, row.available, row.over) == (Decimal(18), Decimal(16), Decimal(2))

    # Start refused, saying who and by how much.
    with pytest.raises(ValidationError) as excinfo:
        services.sprint_start(sprint=sprint, by=team.entrepreneur)
    assert "overbooked by 2" in str(excinfo.value)
    # Only the tracker can override, and only with a written reason.
    with pytest.raises(PermissionDenied):
        services.sprint_start(sprint=sprint, by=team.entrepreneur, override_reason="We will manage")
    with pytest.raises(ValidationError):
        services.sprint_start(sprint=sprint, by=team.tracker, override_reason="   ")
    assert Sprint.objects.get(pk=sprint.pk).status == "planned"
    started = services.sprint_start(
        sprint=sprint, by=team.tracker, override_reason="The owner takes a day off elsewhere this fortnight"
    )
    assert started.status == "active"
    assert started.override_reason == "The owner takes a day off elsewhere this fortnight"
    assert started.override_by == team.tracker.user


def test_a_sprint_over_its_budget_does_not_start(team):
    start = _today(team) + timedelta(days=1)
    sprint = services.sprint_plan(
        by=team.tracker, starts_on=start, ends_on=start + timedelta(days=6), budget=Decimal(1000)
    )
    services.action_add(
        sprint=sprint, by=team.tracker, title="Ads", owner=team.tracker, estimate_hours=Decimal(1), cost=Decimal(1500)
    )
    with pytest.raises(ValidationError, match="over its budget by 500"):
        services.sprint_start(sprint=sprint, by=team.tracker)


def test_past_planned_versus_done_ratio(team):
    closed = SprintFactory(
        company=team.company, number=1, status="closed", starts_on=date(2025, 1, 6), ends_on=date(2025, 1, 12)
    )
    ActionFactory(sprint=closed, owner=team.member, estimate_hours=Decimal(6), status="done")
    ActionFactory(sprint=closed, owner=team.member, estimate_hours=Decimal(2), status="not_done")
    planned = SprintFactory(company=team.company, number=2)
    (row,) = [r for r in sprint_capacity(planned).owners if r.membership == team.member]
    assert row.past_ratio == 75


@pytest.mark.parametrize("read", ["by its own query", "beside the team"])
def test_the_ratio_is_judged_on_the_last_twelve_closed_sprints(team, read, django_assert_num_queries):
    """Three years of sprints are not read for it: the oldest of 13 closed sprints, all its
    hours not done, no longer counts. The board reads the same hours beside the team its access
    check reads (sprints/capacity.py PAST_HOURS), the session by a query of their own: the same."""
    monday = date(2025, 1, 6)
    for number in range(1, 14):
        closed = SprintFactory(
            company=team.company,
            number=number,
            status="closed",
            starts_on=monday + timedelta(weeks=number),
            ends_on=monday + timedelta(weeks=number, days=6),
        )
        status = "not_done" if number == 1 else "done"
        ActionFactory(sprint=closed, owner=team.member, estimate_hours=Decimal(4), status=status)
    planned = SprintFactory(company=team.company, number=14)
    members = None
    if read == "beside the team":
        _company, _membership, members = access_company_team(team.tracker.user, team.company.pk, beside=PAST_HOURS)
    # The actions; without the team: the members and their past hours too.
    with django_assert_num_queries(1 if members else 3):
        report = sprint_capacity(planned, members=members)
    (row,) = [r for r in report.owners if r.membership == team.member]
    assert row.past_ratio == 100
    assert (row.past_planned, row.past_done) == (Decimal(48), Decimal(48))


def test_bad_estimates_are_refused(team):
    sprint = SprintFactory(company=team.company, number=1)
    for hours in (Decimal(0), Decimal(-1), Decimal(1000)):
        with pytest.raises(ValidationError):
            services.action_add(sprint=sprint, by=team.tracker, title="x", owner=team.member, estimate_hours=hours)
    assert not sprint.actions.exists()


def test_an_owner_or_hypothesis_of_another_company_is_refused(team, foreign_team):
    sprint = SprintFactory(company=team.company, number=1)
    with pytest.raises(ValidationError, match="member of this business"):
        services.action_add(
            sprint=sprint, by=team.tracker, title="x", owner=foreign_team.member, estimate_hours=Decimal(1)
        )
    with pytest.raises(ValidationError, match="hypothesis of this business"):
        services.action_add(
            sprint=sprint,
            by=team.tracker,
            title="x",
            owner=team.member,
            estimate_hours=Decimal(1),
            hypothesis=foreign_team.hypothesis,
        )
