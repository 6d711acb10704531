"""Members and invitations: until the person accepts, their business sees only what the
inviter typed (never whether the address has an account, nor its name), and an invitation
nobody accepted never keeps a business managed."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.factories import ActionFactory, MembershipFactory, UserFactory
from tests.support.people import invite
from tests.url_samples import SAMPLES, Scope
from tracking import services
from tracking.invitations import invitation_path
from tracking.models import Membership, Role, User

pytestmark = pytest.mark.django_db


def _invite(team, user, *, role=Role.ENTREPRENEUR, by=None):
    return invite(by or team.tracker, user.email, role=role)


# --- No name before consent ----------------------------------------------------------------

REAL_NAME = "Dr. Maya Collins"


@pytest.fixture
def maya(db):
    """An existing account with its own name, in no business of the team."""
    return UserFactory(email="maya@northwind.test", full_name=REAL_NAME)


def _add_through_the_page(client, team, *, email, typed):
    form = {"email": email, "full_name": typed, "role": Role.MEMBER, "weekly_capacity_hours": "2"}
    response = client.post(reverse("tracking:member_add", args=[team.company.pk]), form, follow=True)
    assert response.status_code == 200
    added = Membership.objects.get(company=team.company, user__email=email)
    return added, response.content.decode()


def _members_page(client, team) -> str:
    return client.get(reverse("tracking:members", args=[team.company.pk])).content.decode()


def test_a_pending_row_shows_what_the_inviter_typed_until_the_person_accepts(team, maya, client):
    """The review's steps: a manager adds an existing account's address as "Typed Name"."""
    client.force_login(team.tracker.user)
    invited, page = _add_through_the_page(client, team, email=maya.email, typed="Typed Name")
    assert "<strong>Typed Name</strong>" in page and REAL_NAME not in page
    assert REAL_NAME not in _members_page(client, team)

    services.invitation_answer(membership=invited, user=maya, accept=True)
    page = _members_page(client, team)
    assert f"<strong>{REAL_NAME}</strong>" in page and "Typed Name" not in page


def test_a_pending_row_with_nothing_typed_shows_the_address_alone(team, maya, client):
    client.force_login(team.tracker.user)
    _, page = _add_through_the_page(client, team, email=maya.email, typed="")
    assert f"<strong>{maya.email}</strong>" in page and REAL_NAME not in page


def _normalised(page: str, *, email: str, typed: str, membership_id: int) -> str:
    page = page.replace(email, "EMAIL").replace(typed, "TYPED")
    page = re.sub(rf'(member-|/members/|m|edit=){membership_id}(?=[-/"#])', r"\1ID", page)
    return re.sub(r'(name="csrfmiddlewaretoken" value=|nonce=|"X-CSRFToken": )"[^"]*"', r'\1"TOKEN"', page)


def test_the_members_page_is_the_same_for_an_existing_and_a_new_address(team, maya, client):
    """Byte for byte, apart from what the inviter typed (the address, the name) and the row's id."""
    client.force_login(team.tracker.user)
    pages = []
    for email, typed in ((maya.email, "Typed Name"), ("nobody-yet@example.test", "Someone Else")):
        invited, after_adding = _add_through_the_page(client, team, email=email, typed=typed)
        shown = [after_adding, _members_page(client, team)]
        pages.append([_normalised(page, email=email, typed=typed, membership_id=invited.pk) for page in shown])
        services.membership_remove(membership=invited, by=team.tracker)  # withdrawn: the same team again
    existing, new = pages
    assert existing == new
    assert "<strong>TYPED</strong>" in existing[1] and "EMAIL" in existing[1]


def test_a_new_account_chooses_its_own_name_starting_from_the_typed_one(team, client):
    added = invite(team.tracker, "nina@example.test", full_name="Typed Name")
    assert added.user.full_name == ""  # the inviter's words stay on the invitation
    link = invitation_path(added)
    form = client.get(link).context["form"]
    assert form["full_name"].value() == "Typed Name"
    password = {"new_password1": "plum-orchard-42", "new_password2": "plum-orchard-42"}
    assert client.post(link, {"full_name": "Nina K", **password}).status_code == 302
    assert User.objects.get(email="nina@example.test").full_name == "Nina K"
    client.force_login(team.tracker.user)
    page = _members_page(client, team)
    assert "<strong>Nina K</strong>" in page and "Typed Name" not in page


def test_no_page_of_the_business_shows_a_pending_persons_own_name(team, maya, client):
    """Owner lists (board, session, results, capacity, report), the history's filter and every
    other page of the business: an invited owner shows as typed, never by their own name."""
    invited = invite(team.tracker, maya.email, hours=4, full_name="Typed Name")
    ActionFactory(sprint=team.active_sprint, owner=invited, title="Invited owner's action", estimate_hours=Decimal(2))
    ActionFactory(sprint=team.planned_sprint, owner=invited, title="Invited owner's plan", estimate_hours=Decimal(2))
    client.force_login(team.tracker.user)
    shown_as_typed = set()
    for name, sample in SAMPLES.items():
        if sample.scope is not Scope.COMPANY:
            continue
        response = client.get(reverse(name, kwargs=sample.kwargs(team)), headers={"Accept-Language": "en"})
        if response.status_code != 200:
            continue
        body = b"".join(response.streaming_content if response.streaming else [response.content]).decode()
        assert REAL_NAME not in body, name
        if "Typed Name" in body:
            shown_as_typed.add(name)
    # The owner lists do list the invited person, under the typed name.
    assert {"sprints:board", "sprints:session", "tracking:members"} <= shown_as_typed, shown_as_typed


def test_the_sprint_report_names_an_invited_owner_as_typed(team, maya):
    from sprints.rollups import rollups_data

    invited = MembershipFactory(company=team.company, user=maya, accepted_at=None, invited_name="Typed Name")
    ActionFactory(sprint=team.active_sprint, owner=invited, title="Invited owner's action", estimate_hours=Decimal(2))
    numbers = rollups_data([team.active_sprint])[team.active_sprint.pk]
    assert "Typed Name" in str(numbers) and REAL_NAME not in str(numbers)


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
        services.user_deactivate(user=user)
    user.refresh_from_db()
    assert user.is_active

    invited = last_manager_and_an_invited_one
    services.invitation_answer(membership=invited, user=invited.user, accept=True)
    services.user_deactivate(user=user)
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
