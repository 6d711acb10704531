"""The portfolio's body in the page cache (tracking/page_cache.py, issue 12): kept per version
of every business it can show (a card or an invitation), per reader and per five minutes;
whatever changes in any of them shows on the next GET."""

import re
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import clock
from tests.factories import (
    ActionFactory,
    ConstraintFactory,
    MembershipFactory,
    MetricFactory,
    MetricValueFactory,
    SprintFactory,
)
from tracking import services
from tracking.models import Role
from tracking.page_cache import TIME_BUCKET_SECONDS
from tracking.portfolio import Flag

pytestmark = pytest.mark.django_db

URL = reverse("tracking:portfolio")
HIT_QUERIES = 3  # the session, the user, the versions of the user's businesses


@pytest.fixture(autouse=True)
def _at_the_start_of_five_minutes():
    """The suite's instant moved back to the start of the key's five minutes: a test never
    crosses into the next five minutes (a new key) between two GETs."""
    now = clock.now()
    with time_machine.travel(now - timedelta(seconds=now.timestamp() % TIME_BUCKET_SECONDS), tick=True):
        yield


def _get(client, **headers) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(URL, headers=headers)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_second_get_is_the_kept_body(team, client):
    client.force_login(team.tracker.user)
    rendered, first = _get(client)
    kept, second = _get(client)
    assert kept == HIT_QUERIES < rendered, (kept, rendered)
    assert team.constraint.title in second and team.company.name in second
    assert second.count('class="card portfolio-card"') == first.count('class="card portfolio-card"') == 1


def test_show_more_by_htmx_is_never_kept(team, client):
    from tracking.portfolio import PORTFOLIO_PAGE_SIZE

    client.force_login(team.tracker.user)
    MembershipFactory.create_batch(PORTFOLIO_PAGE_SIZE, user=team.tracker.user)
    with CaptureQueriesContext(connection) as first:
        client.get(URL, {"page": 2}, headers={"HX-Request": "true"})
    with CaptureQueriesContext(connection) as second:
        body = client.get(URL, {"page": 2}, headers={"HX-Request": "true"}).content.decode()
    assert len(second) == len(first) > HIT_QUERIES
    assert "<h1" not in body and body.count('class="card portfolio-card"') == 1


@pytest.fixture
def two_businesses(team):
    """The tracker's second business (named to come after the first on the page)."""
    second = MembershipFactory(user=team.tracker.user, role=Role.TRACKER, company__name="Zulu Laundry")
    ConstraintFactory(company=second.company, title="Zulu Laundry: no repeat orders")
    metric = MetricFactory(company=second.company, name="Zulu orders", is_key=True)
    MetricValueFactory(metric=metric, value=Decimal(7))
    return [team.tracker, second], metric


@pytest.mark.parametrize("which", [0, 1])
def test_a_new_main_constraint_title_in_any_business_shows_on_the_next_get(two_businesses, client, which):
    memberships, _metric = two_businesses
    by = memberships[which]
    client.force_login(by.user)
    _get(client)
    _get(client)  # kept
    constraint = by.company.constraints.get(status="active")

    services.constraint_update(constraint=constraint, by=by, title="Prices too low for the rent", area=constraint.area)

    queries, body = _get(client)
    assert queries > HIT_QUERIES
    assert "Prices too low for the rent" in body


def test_a_key_metric_value_recorded_in_the_second_business_shows_on_the_next_get(two_businesses, client):
    """A row of a table below the business (a metric's value), written by its service."""
    (_first, second), metric = two_businesses
    client.force_login(second.user)
    _, before = _get(client)
    assert "Zulu orders</dt><dd>7" in before

    services.metric_value_record(metric=metric, by=second, value=Decimal(12))

    _, after = _get(client)
    assert "Zulu orders</dt><dd>12" in after


def test_an_invitation_from_another_business_shows_on_the_next_get_and_can_be_accepted(team, foreign_team):
    client = Client(enforce_csrf_checks=True)
    client.force_login(team.tracker.user)
    _get(client)
    _, kept = _get(client)
    assert "invites you to" not in kept

    invitation = services.membership_add(
        company=foreign_team.company,
        by=foreign_team.tracker,
        email=team.tracker.user.email,
        role=Role.MEMBER,
        weekly_capacity_hours=Decimal(2),
    )

    _, first = _get(client)
    queries, body = _get(client)
    assert queries == HIT_QUERIES  # the invitation's body is kept in turn
    assert f"invites you to “{foreign_team.company.name}” as Member." in body and first.count("invites you to") == 1
    # The kept form carries this request's CSRF token: accepting from it works.
    accept = reverse("tracking:invitation_accept_existing", args=[invitation.pk])
    form = re.search(rf'action="{accept}">\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert form, body
    response = client.post(accept, {"csrfmiddlewaretoken": form.group(1)})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    _, joined = _get(client)
    assert "invites you to" not in joined and joined.count('class="card portfolio-card"') == 2


def test_the_review_overdue_flag_turns_on_with_the_clock_within_five_minutes(client):
    """A flag that follows the time: the business's data does not change, the key's
    five minutes do. Its review was 24 hours less 10 minutes ago: overdue in 10 minutes."""
    overdue_at = (clock.now() + timedelta(minutes=10)).replace(second=0, microsecond=0)
    review = overdue_at - timedelta(hours=24)
    tracker = MembershipFactory(
        role=Role.TRACKER,
        company__timezone="UTC",
        company__review_weekday=review.weekday(),
        company__review_time=review.astimezone(UTC).time(),
    )
    ends_on = review.astimezone(UTC).date()
    SprintFactory(company=tracker.company, status="active", starts_on=ends_on - timedelta(days=6), ends_on=ends_on)
    flag = f'<span class="badge danger">{Flag.REVIEW_OVERDUE.label}</span>'
    client.force_login(tracker.user)

    _, before = _get(client)
    queries, kept = _get(client)
    assert queries == HIT_QUERIES and flag not in before and flag not in kept

    with time_machine.travel(overdue_at + timedelta(minutes=1), tick=False):
        _, after = _get(client)
    assert flag in after


def test_two_people_of_one_business_never_share_a_body(team, client):
    client.force_login(team.tracker.user)
    _get(client)
    _, tracker_body = _get(client)
    client.force_login(team.member.user)
    queries, member_body = _get(client)

    assert queries > HIT_QUERIES  # the member's own body, rendered for them
    assert '<span class="muted">Tracker</span>' in tracker_body
    assert '<span class="muted">Member</span>' in member_body
    assert '<span class="muted">Tracker</span>' not in member_body


def test_a_business_the_person_left_is_gone_from_the_next_get(team, client):
    other = MembershipFactory(user=team.member.user, role=Role.MEMBER, company__name="Yankee Print")
    manager = MembershipFactory(company=other.company, role=Role.TRACKER)
    client.force_login(team.member.user)
    _get(client)
    _, kept = _get(client)
    assert "Yankee Print" in kept

    services.membership_remove(membership=other, by=manager)

    _, body = _get(client)
    assert "Yankee Print" not in body and team.company.name in body


def test_owner_overbooked_follows_the_owners_weekly_capacity(team, client):
    """The sprint section reads each owner's capacity with their actions (one query): 1 + 8 h
    in a 7-day sprint is over 8 h a week, within 10 h a week."""
    ActionFactory(sprint=team.active_sprint, owner=team.member, title="Rebuild the site", estimate_hours=Decimal(8))
    flag = f'<span class="badge danger">{Flag.OWNER_OVERBOOKED.label}</span>'
    client.force_login(team.tracker.user)
    _, before = _get(client)
    assert flag in before and "1 owner overbooked" in before

    services.membership_update(membership=team.member, by=team.tracker, role=Role.MEMBER, weekly_capacity_hours=10)

    _, after = _get(client)
    assert flag not in after and "overbooked" not in after and "fits" in after
