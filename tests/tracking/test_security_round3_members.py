"""Members and invitations: an invitation nobody accepted never keeps a business managed."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import UserFactory
from tracking import security, services
from tracking.models import Membership, Role

pytestmark = pytest.mark.django_db


def _invite(team, user, *, role=Role.ENTREPRENEUR, by=None):
    return services.membership_add(
        company=team.company,
        by=by or team.tracker,
        email=user.email,
        role=role,
        weekly_capacity_hours=Decimal(2),
    )


# --- The last-manager rule counts only accepted memberships --------------------------------


@pytest.fixture
def last_manager_and_an_invited_one(team, foreign_team):
    """The team's tracker is its only tracker or entrepreneur who accepted; an existing, active
    account is invited as entrepreneur and has not answered."""
    services.membership_remove(membership=team.entrepreneur, by=team.tracker)
    invited = _invite(team, foreign_team.member.user)
    assert invited.is_pending and invited.user.is_active
    return invited


def test_the_last_manager_cannot_leave_while_the_other_manager_is_only_invited(
    team, last_manager_and_an_invited_one, client
):
    """The review's steps: invite an entrepreneur, remove yourself (the rule let it through),
    the invitee declines: a business with no members. Leaving is now refused."""
    client.force_login(team.tracker.user)
    url = reverse("tracking:member_remove", args=[team.company.pk, team.tracker.pk])
    page = client.post(url, follow=True).content.decode()
    assert "last tracker or entrepreneur" in page
    assert Membership.objects.filter(pk=team.tracker.pk).exists()

    invited = last_manager_and_an_invited_one
    services.invitation_answer(membership=invited, user=invited.user, accept=False)
    assert list(Membership.objects.filter(company=team.company, role=Role.TRACKER)) == [team.tracker]


def test_the_last_manager_can_leave_once_the_invited_one_accepted(team, last_manager_and_an_invited_one):
    invited = last_manager_and_an_invited_one
    services.invitation_answer(membership=invited, user=invited.user, accept=True)
    services.membership_remove(membership=team.tracker, by=team.tracker)
    assert not Membership.objects.filter(pk=team.tracker.pk).exists()


def test_an_invitation_can_always_be_withdrawn(team):
    """Removing an invitation changes nobody who counts, even a manager's invitation when
    the remover is the last manager."""
    services.membership_remove(membership=team.entrepreneur, by=team.tracker)
    invited = _invite(team, UserFactory())
    services.membership_remove(membership=invited, by=team.tracker)
    assert not Membership.objects.filter(pk=invited.pk).exists()


def test_demoting_the_last_manager_is_refused_while_the_other_is_only_invited(team, last_manager_and_an_invited_one):
    """A demotion by someone else leaves the demoter, so only a manager whose own account is
    switched off (a membership still on record) can reach the rule; it must not count the
    invitation then either."""
    switched_off = Membership.objects.create(
        company=team.company, user=UserFactory(is_active=False), role=Role.TRACKER, accepted_at=team.tracker.accepted_at
    )
    with pytest.raises(ValidationError, match="at least one tracker or entrepreneur"):
        services.membership_update(
            membership=team.tracker, by=switched_off, role=Role.MEMBER, weekly_capacity_hours=Decimal(1)
        )
    team.tracker.refresh_from_db()
    assert team.tracker.role == Role.TRACKER


def test_deactivating_the_last_manager_is_refused_while_the_other_is_only_invited(
    team, last_manager_and_an_invited_one
):
    user = team.tracker.user
    with pytest.raises(ValidationError, match=f"last tracker or entrepreneur of “{team.company.name}”"):
        security.user_deactivate(user=user)
    user.refresh_from_db()
    assert user.is_active

    invited = last_manager_and_an_invited_one
    services.invitation_answer(membership=invited, user=invited.user, accept=True)
    security.user_deactivate(user=user)
    user.refresh_from_db()
    assert not user.is_active


def test_the_admin_is_told_why_the_last_manager_stays_active(team, last_manager_and_an_invited_one, client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    user = team.tracker.user

    changelist = reverse("admin:tracking_user_changelist")
    response = client.post(changelist, {"action": "deactivate", "_selected_action": [user.pk]}, follow=True)
    assert "last tracker or entrepreneur" in response.content.decode()

    url = reverse("admin:tracking_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update({"groups": [], "user_permissions": [], "last_login_0": "", "last_login_1": ""})
    data.update({"date_joined_0": user.date_joined.strftime("%Y-%m-%d"), "date_joined_1": "00:00:00"})
    data.pop("is_active")  # "active" unticked
    response = client.post(url, data)
    assert response.status_code == 200
    assert "last tracker or entrepreneur" in str(response.context["adminform"].form.errors["is_active"])
    user.refresh_from_db()
    assert user.is_active
