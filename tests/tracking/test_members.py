"""Members: adding by e-mail, invitations, role and capacity changes, the last-manager rule."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests import clock
from tests.support.people import invite
from tracking import services
from tracking.invitations import invitation_deliver, invitation_path, invitations_unsent
from tracking.models import Membership, Role, User

pytestmark = pytest.mark.django_db


def test_adding_an_existing_user_sends_an_invitation_to_accept(team, foreign_team, django_capture_on_commit_callbacks):
    existing = foreign_team.member.user
    with django_capture_on_commit_callbacks() as callbacks:
        added = invite(team.tracker, existing.email.upper(), role=Role.TEAM_LEAD, hours=6)
    assert added.user == existing and added.is_pending  # no access until they accept
    assert len(callbacks) == 1  # their invitation e-mail, after commit


def test_a_new_address_gets_an_inactive_account_and_one_invitation(team, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        added = invite(team.entrepreneur, "Nina@Example.test", hours=4, full_name="Nina")
    user = added.user
    assert (user.email, user.is_active, user.has_usable_password()) == ("nina@example.test", False, False)
    assert len(callbacks) == 1  # the e-mail is enqueued only after commit
    assert invitations_unsent() == [added.pk]  # until sent, the sweep would pick it up

    assert invitation_deliver(membership_id=added.pk) is True
    assert invitation_deliver(membership_id=added.pk) is False  # idempotent
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nina@example.test"]
    assert team.company.name in message.subject
    link = invitation_path(added)
    assert link in message.body
    assert invitations_unsent() == []

    # The invited person sets a password and is signed in.
    page = client.get(link)
    assert page.status_code == 200 and team.company.name in page.content.decode()
    weak = client.post(link, {"full_name": "Nina K", "new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and "too short" in weak.content.decode()
    response = client.post(
        link, {"full_name": "Nina K", "new_password1": "plum-orchard-42", "new_password2": "plum-orchard-42"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.full_name == "Nina K" and user.check_password("plum-orchard-42")
    assert client.get(reverse("tracking:members", args=[team.company.pk])).status_code == 200
    # The link works once.
    client.logout()
    assert client.get(link).status_code == 404


def test_invitation_email_is_in_the_inviters_language(team):
    team.tracker.user.language = "ru"
    team.tracker.user.save()
    added = invite(team.tracker, "ivan@example.test")
    invitation_deliver(membership_id=added.pk)
    message = mail.outbox[0]
    assert message.subject == f"Вас приглашают в трекинг бизнеса «{team.company.name}»"
    assert "Задайте пароль, чтобы принять приглашение:" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "Задайте пароль" in html


def test_change_role_and_capacity(team):
    services.membership_update(
        membership=team.member, by=team.tracker, role=Role.TEAM_LEAD, weekly_capacity_hours=Decimal("7.5")
    )
    team.member.refresh_from_db()
    assert (team.member.role, team.member.weekly_capacity_hours) == (Role.TEAM_LEAD, Decimal("7.5"))


def test_services_check_the_role_themselves(team):
    with pytest.raises(PermissionDenied):
        services.membership_remove(membership=team.other_member, by=team.team_lead)
    assert Membership.objects.filter(pk=team.other_member.pk).exists()


def test_the_last_manager_can_be_neither_removed_nor_demoted(team):
    services.membership_remove(membership=team.entrepreneur, by=team.tracker)
    with pytest.raises(ValidationError, match="last tracker or entrepreneur"):
        services.membership_remove(membership=team.tracker, by=team.tracker)
    with pytest.raises(ValidationError) as excinfo:
        services.membership_update(
            membership=team.tracker, by=team.tracker, role=Role.MEMBER, weekly_capacity_hours=Decimal(1)
        )
    # The last manager could only demote themself, which nobody may do.
    assert "Nobody changes their own role" in str(excinfo.value)
    team.tracker.refresh_from_db()
    assert team.tracker.role == Role.TRACKER


def test_an_invited_manager_does_not_count_as_the_remaining_one(team):
    services.membership_remove(membership=team.entrepreneur, by=team.tracker)
    pending = invite(team.tracker, "later@example.test", role=Role.ENTREPRENEUR, hours=1)
    assert pending.is_pending
    with pytest.raises(ValidationError):
        services.membership_remove(membership=team.tracker, by=team.tracker)


def test_remove_through_the_page_shows_the_reason(team, client):
    services.membership_remove(membership=team.entrepreneur, by=team.tracker)
    client.force_login(team.tracker.user)
    url = reverse("tracking:member_remove", args=[team.company.pk, team.tracker.pk])
    response = client.post(url, follow=True)
    assert "last tracker or entrepreneur" in response.content.decode()
    assert Membership.objects.filter(pk=team.tracker.pk).exists()


def test_member_row_updates_in_place_with_htmx(team, client):
    client.force_login(team.tracker.user)
    prefix = f"m{team.member.pk}"
    response = client.post(
        reverse("tracking:member_update", args=[team.company.pk, team.member.pk]),
        {f"{prefix}-role": "team_lead", f"{prefix}-weekly_capacity_hours": "9"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<li class="member-row" id="member-{team.member.pk}"')
    assert "Saved" in body
    assert User.objects.get(pk=team.member.user_id).memberships.get().role == Role.TEAM_LEAD


def test_members_page_queries_do_not_grow_with_the_team(team, client, django_assert_max_num_queries):
    from tests.factories import MembershipFactory

    client.force_login(team.tracker.user)
    url = reverse("tracking:members", args=[team.company.pk])
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200
    MembershipFactory.create_batch(40, company=team.company)
    with django_assert_max_num_queries(8):
        assert client.get(url).status_code == 200


def test_portfolio_queries_do_not_grow_with_companies(team, client):
    """The tracker's home with one business and with eleven, each with a constraint, metrics,
    hypotheses and sprints: the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import make_team
    from tests.factories import MembershipFactory

    client.force_login(team.tracker.user)

    def count():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("tracking:portfolio"))
        assert response.status_code == 200
        return len(captured), response.content.decode()

    small, _ = count()
    for i in range(10):
        other = make_team(f"Portfolio {i}")
        MembershipFactory(company=other.company, user=team.tracker.user, role=Role.TRACKER)
    large, body = count()
    assert small == large <= 12, (small, large)
    assert body.count('class="card portfolio-card"') == 11
    assert body.count("review overdue") == 11  # every sample sprint ended days ago and is still open
    assert "Portfolio 7: no inbound leads" in body


def test_only_a_manager_gets_the_add_form_and_the_row_forms(team, client):
    url = reverse("tracking:members", args=[team.company.pk])
    client.force_login(team.tracker.user)
    page = client.get(url).content.decode()
    assert 'id="add-member"' in page and f'href="{url}?edit={team.member.pk}#member-{team.member.pk}"' in page
    assert 'class="member-edit"' in client.get(f"{url}?edit={team.member.pk}").content.decode()
    client.force_login(team.member.user)
    page = client.get(url).content.decode()
    assert f'id="member-{team.tracker.pk}"' in page
    assert 'id="add-member"' not in page and "?edit=" not in page
    assert 'class="member-edit"' not in client.get(f"{url}?edit={team.tracker.pk}").content.decode()


def test_member_rows_are_text_until_edited(team, client):
    """Each row shows the role and hours; "Edit" brings that row's form alone (by htmx the row,
    without JavaScript the page with that one form); a save answers with the row as text."""
    client.force_login(team.tracker.user)
    url = reverse("tracking:members", args=[team.company.pk])
    page = client.get(url).content.decode()
    assert 'class="member-edit"' not in page and "<select" not in page.split('id="add-member"')[0]
    assert page.count('class="member-facts"') == team.company.memberships.count()
    row = client.get(f"{url}?edit={team.member.pk}", headers={"HX-Request": "true"}).content.decode()
    assert row.lstrip().startswith(f'<li class="member-row" id="member-{team.member.pk}"')
    assert row.count('class="member-edit"') == 1 and f'name="m{team.member.pk}-role"' in row
    page = client.get(f"{url}?edit={team.member.pk}").content.decode()
    assert page.count('class="member-edit"') == 1 and f'name="m{team.member.pk}-role"' in page
    prefix = f"m{team.member.pk}"
    saved = client.post(
        reverse("tracking:member_update", args=[team.company.pk, team.member.pk]),
        {f"{prefix}-role": "team_lead", f"{prefix}-weekly_capacity_hours": "9"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert 'class="member-edit"' not in saved and "Team lead · 9 h a week" in saved and "Saved" in saved


def test_the_boards_team_is_in_the_order_member_name_order_gives(team):
    """The board reads the team with its access check by a statement of its own; its order is
    the one member_name_order gives (names, e-mails where there is no name, invitations by the
    name they were invited under)."""
    from tests.factories import MembershipFactory
    from tracking.access import access_company_team
    from tracking.models import member_name_order

    for full_name, invited_name, accepted in [
        ("Яна", "", True),
        ("", "", True),
        ("anna", "", True),
        ("Zed", "Bob", False),
        ("", "", False),
        ("Ärzte", "", True),
    ]:
        MembershipFactory(
            company=team.company,
            user__full_name=full_name,
            invited_name=invited_name,
            accepted_at=clock.now() if accepted else None,
        )
    _company, membership, members = access_company_team(team.tracker.user, team.company.pk)
    expected = Membership.objects.filter(company=team.company).order_by(member_name_order(), "pk")
    assert [m.pk for m in members] == list(expected.values_list("pk", flat=True))
    assert membership.pk == team.tracker.pk and {m.company for m in members} == {team.company}
    assert [m.name for m in members] == [m.name for m in expected.select_related("user")]


def test_a_members_weekly_hours_are_written_in_the_readers_language(team, client):
    team.member.weekly_capacity_hours = Decimal("7.5")
    team.member.save()
    client.force_login(team.tracker.user)
    client.post(reverse("language_set"), {"language": "ru"})
    body = client.get(reverse("tracking:members", args=[team.company.pk])).content.decode()
    assert "7,5 ч в неделю" in body and "7.5 ч" not in body
