"""The portfolio card: its flags (one list with their labels, tracking.portfolio.Flag) and the
sprint part that sprints gathers with the core's (sprints/portfolio.py `overview`, passed to
the page by the project's urls.py)."""

import pytest
from django.urls import reverse

from sprints.portfolio import overview
from tracking.portfolio import Flag

pytestmark = pytest.mark.django_db


def test_the_card_gathers_the_facts_and_the_sprint_part(team):
    from tests import clock

    card = overview([team.company.pk], clock.now())[team.company.pk]
    assert card["constraint"] == team.constraint.title
    assert card["sprint"] == team.active_sprint and card["sprint"].number == team.active_sprint.number


def test_flags_are_strings_with_one_label_each():
    assert Flag.REVIEW_OVERDUE == "review_overdue" and Flag.REVIEW_OVERDUE.label == "review overdue"
    assert [flag for flag in Flag if flag.is_warning] == [Flag.NOTHING_UNDER_TEST, Flag.BUSY_NOT_MOVING]


def test_a_card_shows_its_flags_by_label_and_links_to_the_sprint_screens(team, client):
    client.force_login(team.tracker.user)
    flags = overview([team.company.pk])[team.company.pk]["flags"]
    assert flags and all(isinstance(flag, Flag) for flag in flags)

    body = client.get(reverse("tracking:portfolio")).content.decode()

    for flag in flags:
        tone = "warn" if flag.is_warning else "danger"
        assert f'<span class="badge {tone}">{flag.label}</span>' in body
    assert reverse("sprints:session", args=[team.company.pk]) in body
    assert reverse("hypotheses:board", args=[team.company.pk]) in body


def _portfolio(client, **params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("tracking:portfolio"), params, **params.pop("_headers", {}))
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_portfolio_shows_twenty_businesses_a_page_in_the_same_queries_for_one_page_or_three(team, client):
    from tests.factories import ConstraintFactory, MembershipFactory
    from tracking.models import Role
    from tracking.portfolio import PORTFOLIO_PAGE_SIZE

    client.force_login(team.tracker.user)
    one_page, _ = _portfolio(client)
    for i in range(2 * PORTFOLIO_PAGE_SIZE + 5):  # 46 businesses in all: three pages
        membership = MembershipFactory(user=team.tracker.user, role=Role.TRACKER, company__name=f"Business {i:02}")
        ConstraintFactory(company=membership.company, title=f"Business {i:02}: slow")

    first, body = _portfolio(client)
    assert body.count('class="card portfolio-card"') == PORTFOLIO_PAGE_SIZE
    assert 'href="?page=2"' in body and 'hx-get="?page=2"' in body
    second, _ = _portfolio(client, page=2)
    last, last_body = _portfolio(client, page=3)
    # The later pages' businesses have no sprints, which the sprint section skips: never more.
    assert one_page == first and max(second, last) <= one_page, (one_page, first, second, last)
    assert last_body.count('class="card portfolio-card"') == 6 and "?page=4" not in last_body
    assert "Back to the first businesses" in last_body


def test_show_more_by_htmx_returns_only_the_next_cards_and_the_next_button(team, client):
    from tests.factories import MembershipFactory
    from tracking.portfolio import PORTFOLIO_PAGE_SIZE

    client.force_login(team.tracker.user)
    MembershipFactory.create_batch(PORTFOLIO_PAGE_SIZE + 1, user=team.tracker.user)
    _, body = _portfolio(client, page=2, _headers={"headers": {"HX-Request": "true"}})
    assert "<html" not in body and "<h1" not in body
    assert body.count('class="card portfolio-card"') == 2  # 22 businesses: 20, then 2
    assert "portfolio-more" not in body


def test_the_floor_is_a_signed_in_page_with_only_the_base_layout(team, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("tracking:floor")
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    client.force_login(team.tracker.user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert [t.name for t in response.templates] == ["base.html"]
    assert '<main class="page">' in response.content.decode()
    assert len(captured) <= 2  # the session and the user: the layout itself asks nothing


def test_the_layout_links_are_the_reversed_urls(team, client):
    """The base layout builds its links once per process (tracking/templatetags/layout.py):
    they must still be exactly what `reverse` gives, for any business."""
    client.force_login(team.tracker.user)
    body = client.get(reverse("tracking:members", args=[team.company.pk])).content.decode()
    for name in ("sprints:list", "sprints:results", "sprints:session", "hypotheses:board", "hypotheses:history"):
        assert f'href="{reverse(name, args=[team.company.pk])}"' in body, name
    for name in ("tracking:metrics", "tracking:goals", "tracking:members", "tracking:company_settings"):
        assert f'href="{reverse(name, args=[team.company.pk])}"' in body, name
    assert f'href="{reverse("tracking:company_detail", args=[team.company.pk])}"' in body
    for name in ("tracking:portfolio", "account_activity"):
        assert f'href="{reverse(name)}"' in body, name
    assert f'action="{reverse("language_set")}"' in body and f'action="{reverse("logout")}"' in body


def test_each_person_sees_their_own_role_on_the_card(team, client):
    client.force_login(team.tracker.user)
    tracker_page = client.get(reverse("tracking:portfolio")).content.decode()
    client.force_login(team.member.user)
    member_page = client.get(reverse("tracking:portfolio")).content.decode()
    assert '<span class="muted">Tracker</span>' in tracker_page
    assert '<span class="muted">Member</span>' in member_page
    assert '<span class="muted">Tracker</span>' not in member_page


def test_owner_overbooked_follows_the_owners_weekly_capacity(team, client):
    """The sprint section reads each owner's capacity with their actions (one query): 1 + 8 h
    in a 7-day sprint is over 8 h a week, within 10 h a week."""
    from decimal import Decimal

    from tests.factories import ActionFactory
    from tracking import services
    from tracking.models import Role

    ActionFactory(sprint=team.active_sprint, owner=team.member, title="Rebuild the site", estimate_hours=Decimal(8))
    flag = f'<span class="badge danger">{Flag.OWNER_OVERBOOKED.label}</span>'
    client.force_login(team.tracker.user)
    before = client.get(reverse("tracking:portfolio")).content.decode()
    assert flag in before and "1 owner overbooked" in before

    services.membership_update(membership=team.member, by=team.tracker, role=Role.MEMBER, weekly_capacity_hours=10)

    after = client.get(reverse("tracking:portfolio")).content.decode()
    assert flag not in after and "overbooked" not in after and "fits" in after


def test_an_invitation_waiting_beside_the_businesses_is_listed_and_none_costs_no_query(team, client):
    """The page's rows say whether an invitation waits: a tracker with none is not asked for
    them (one query fewer); one that waits is listed above the cards."""
    from tests.factories import CompanyFactory, MembershipFactory

    client.force_login(team.tracker.user)
    without, body = _portfolio(client)
    assert 'id="invitations"' not in body
    shop = CompanyFactory(name="Second shop")
    MembershipFactory(user=team.tracker.user, company=shop, accepted_at=None, invited_by=team.entrepreneur.user)
    with_one, body = _portfolio(client)
    assert 'id="invitations"' in body and "Second shop" in body
    assert with_one == without + 1, (without, with_one)


def test_a_card_escapes_every_value_it_shows(team, client):
    """The card is made in Python (sprints/portfolio.py): the business's name, its constraint,
    and its key metric's name and unit reach the page escaped."""
    marked = '<b class="x">&'
    team.company.name = f"Company {marked}"
    team.company.save(update_fields=["name"])
    team.constraint.title = f"Constraint {marked}"
    team.constraint.save(update_fields=["title"])
    team.metric.name, team.metric.unit = f"Metric {marked}", "<i>"
    team.metric.save(update_fields=["name", "unit"])
    client.force_login(team.tracker.user)

    body = client.get(reverse("tracking:portfolio")).content.decode()

    escaped = "&lt;b class=&quot;x&quot;&gt;&amp;"
    for shown in (f"Company {escaped}", f"Constraint {escaped}", f"Metric {escaped}", "&lt;i&gt;"):
        assert shown in body
    assert marked not in body and "<i>" not in body
