"""The role table of DESIGN.md §4, written out here independently of tracking/roles.py,
drives every unsafe view × every role → allowed, or 403 with a message and no change."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.url_samples import SAMPLES, Scope
from tracking.models import Company, Membership

pytestmark = pytest.mark.django_db

ROLES = ("tracker", "entrepreneur", "team_lead", "member")
MANAGERS = {"tracker", "entrepreneur"}  # "company settings, members, invitations"


def _settings_data(team):
    return {
        "name": "Renamed",
        "timezone": "Europe/Berlin",
        "currency": "EUR",
        "review_weekday": 2,
        "review_time": "11:00",
        "sprint_length_days": 7,
        "reminder_lead_hours": 24,
    }


def _member_add_data(team):
    return {"email": "new.person@example.test", "role": "member", "weekly_capacity_hours": "5"}


def _member_update_data(team):
    prefix = f"m{team.other_member.pk}"
    return {f"{prefix}-role": "team_lead", f"{prefix}-weekly_capacity_hours": "12.5"}


def _company_state(team):
    company = Company.objects.get(pk=team.company.pk)
    members = list(
        Membership.objects.filter(company=team.company)
        .order_by("pk")
        .values_list("user__email", "role", "weekly_capacity_hours")
    )
    return (company.name, company.timezone, members)


# url name → (who may, POST data, what an allowed request must have changed)
ROLE_TABLE = {
    "tracking:company_settings": (
        MANAGERS,
        _settings_data,
        lambda team: Company.objects.get(pk=team.company.pk).name == "Renamed",
    ),
    "tracking:member_add": (
        MANAGERS,
        _member_add_data,
        lambda team: team.company.memberships.filter(user__email="new.person@example.test").exists(),
    ),
    "tracking:member_update": (
        MANAGERS,
        _member_update_data,
        lambda team: Membership.objects.get(pk=team.other_member.pk).weekly_capacity_hours == Decimal("12.5"),
    ),
    "tracking:member_remove": (
        MANAGERS,
        lambda team: {},
        lambda team: not Membership.objects.filter(pk=team.other_member.pk).exists(),
    ),
}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(ROLE_TABLE))
def test_role_table(url_name, role, htmx, team, client):
    allowed_roles, data, changed = ROLE_TABLE[url_name]
    client.force_login(team.by_role(role).user)
    url = reverse(url_name, kwargs=SAMPLES[url_name].kwargs(team))
    before = _company_state(team)
    headers = {"HX-Request": "true"} if htmx else {}

    response = client.post(url, data(team), headers=headers)

    if role in allowed_roles:
        assert response.status_code in {200, 302}, response.content[:500]
        assert changed(team), f"{role} was allowed {url_name} but nothing changed"
    else:
        assert response.status_code == 403
        assert "Only a tracker or entrepreneur can" in response.content.decode()
        assert _company_state(team) == before


def test_every_unsafe_company_view_is_in_the_role_table(team, client):
    """A company view that accepts POST and is not in ROLE_TABLE fails here."""
    client.force_login(team.tracker.user)
    unsafe = set()
    for name, sample in SAMPLES.items():
        if sample.scope is not Scope.COMPANY:
            continue
        if client.post(reverse(name, kwargs=sample.kwargs(team))).status_code != 405:
            unsafe.add(name)
        team.other_member.save()  # a POST may have removed the sample member: bring it back
    assert unsafe == set(ROLE_TABLE), unsafe ^ set(ROLE_TABLE)


def test_reading_pages_is_open_to_every_role(team, client):
    for role in ROLES:
        client.force_login(team.by_role(role).user)
        for name in ("tracking:company_detail", "tracking:members", "tracking:company_settings"):
            url = reverse(name, kwargs={"company_id": team.company.pk})
            assert client.get(url).status_code == 200, (role, name)
