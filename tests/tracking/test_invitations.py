"""Invitations across businesses: nobody can take over an invitee, nobody joins without consent,
adding an address does not tell whether it has an account, and a failing e-mail gives up."""

import re
import subprocess
from datetime import timedelta
from decimal import Decimal
from smtplib import SMTPException

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse

from tests import clock
from tests.conftest import make_team
from tests.support.delivery import delivery
from tracking import services
from tracking.delivery.outbox import MAX_ATTEMPTS
from tracking.invitations import invitation_deliver, invitations_unsent
from tracking.models import Membership, Role, User

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://\S+")


def invite(team, email, *, by=None, role=Role.MEMBER):
    return services.membership_add(
        company=team.company, by=by or team.tracker, email=email, role=role, weekly_capacity_hours=Decimal(3)
    )


def delivered_link(membership) -> str:
    """The link in the e-mail this invitation sent (the only place it exists)."""
    mail.outbox.clear()
    assert invitation_deliver(membership_id=membership.pk) is True
    (message,) = mail.outbox
    (link,) = LINK.findall(message.body)
    assert link.startswith(django_settings.SITE_URL)
    return link.removeprefix(django_settings.SITE_URL)


def test_a_manager_of_another_business_cannot_take_over_an_invitee(client):
    """The takeover, step by step: B invites newhire@x, A (no access to B)
    invites the same address. A sees no link, and nothing A can do opens the account or B."""
    alpha, beta = make_team("Alpha Ltd"), make_team("Beta Secret Ltd")
    from_beta = invite(beta, "newhire@example.test")
    from_alpha = invite(alpha, "NewHire@example.test")
    assert from_alpha.user_id == from_beta.user_id

    beta_link = delivered_link(from_beta)
    alpha_link = delivered_link(from_alpha)
    assert alpha_link != beta_link

    # A's members page shows the pending invitee, never a link to their account.
    client.force_login(alpha.tracker.user)
    page = client.get(reverse("tracking:members", args=[alpha.company.pk])).content.decode()
    assert "newhire@example.test" in page and "invitation pending" in page
    assert "/invite/" not in page and beta_link not in page and alpha_link not in page

    # A cannot answer the invitee's invitations as if they were A's.
    for name in ("tracking:invitation_accept_existing", "tracking:invitation_decline"):
        for membership in (from_alpha, from_beta):
            assert client.post(reverse(name, args=[membership.pk])).status_code == 404
    assert Membership.objects.filter(pk__in=[from_alpha.pk, from_beta.pk], accepted_at__isnull=True).count() == 2
    # B's data stays out of reach.
    assert client.get(reverse("tracking:company_detail", args=[beta.company.pk])).status_code == 404
    client.logout()

    # The real invitee opens A's link: a password for the account, A's business only.
    response = client.post(
        alpha_link, {"full_name": "New Hire", "new_password1": "plum-orchard-42", "new_password2": "plum-orchard-42"}
    )
    assert response.status_code == 302
    user = User.objects.get(email="newhire@example.test")
    assert user.is_active and user.check_password("plum-orchard-42")
    from_alpha.refresh_from_db()
    from_beta.refresh_from_db()
    assert from_alpha.accepted_at is not None and from_beta.accepted_at is None
    assert client.get(reverse("tracking:company_detail", args=[alpha.company.pk])).status_code == 200
    assert client.get(reverse("tracking:company_detail", args=[beta.company.pk])).status_code == 404
    # B's link cannot set the password again: the account has one now.
    client.logout()
    assert client.get(beta_link).status_code == 404
    takeover = {"new_password1": "x-taken-over-9", "new_password2": "x-taken-over-9"}
    assert client.post(beta_link, takeover).status_code == 404
    user.refresh_from_db()
    assert user.check_password("plum-orchard-42")


def test_an_invitation_link_sets_a_password_only_once_and_only_for_its_own_business(client):
    team = make_team("Gamma Ltd")
    added = invite(team, "nina@example.test")
    link = delivered_link(added)
    assert client.get(link).status_code == 200
    client.post(link, {"new_password1": "plum-orchard-42", "new_password2": "plum-orchard-42"})
    client.logout()
    assert client.get(link).status_code == 404
    assert client.post(link, {"new_password1": "other-pass-77", "new_password2": "other-pass-77"}).status_code == 404
    assert User.objects.get(email="nina@example.test").check_password("plum-orchard-42")
    # A forged or mangled link is refused the same way.
    assert client.get(link.replace("/invite/", "/invite/x")).status_code == 404


def test_an_existing_account_is_invited_not_added_and_the_message_does_not_tell(team, foreign_team, client):
    """Finding 2: an account that exists gets an invitation to accept or decline, and the
    manager reads the same words as for an address with no account."""
    client.force_login(team.tracker.user)
    url = reverse("tracking:member_add", args=[team.company.pk])
    messages = []
    for email in (foreign_team.member.user.email, "nobody-yet@example.test"):
        form = {"email": email, "role": Role.MEMBER, "weekly_capacity_hours": "2"}
        response = client.post(url, form, follow=True)
        assert response.status_code == 200
        messages.append(response.content.decode().replace(email, "EMAIL"))
    message = "An invitation is on its way to EMAIL. They join the team once they accept it."
    assert all(message in page for page in messages)

    invited = Membership.objects.get(company=team.company, user=foreign_team.member.user)
    assert invited.is_pending
    # The e-mail to an existing account points to the portfolio, with no password link.
    delivered = delivered_link(invited)
    assert delivered == reverse("tracking:portfolio") + "#invitations"

    # No access until accepted.
    client.force_login(foreign_team.member.user)
    assert client.get(reverse("tracking:company_detail", args=[team.company.pk])).status_code == 404
    portfolio = client.get(reverse("tracking:portfolio")).content.decode()
    assert team.company.name in portfolio and "Accept" in portfolio and "Decline" in portfolio

    response = client.post(reverse("tracking:invitation_accept_existing", args=[invited.pk]), follow=True)
    assert f"You joined “{team.company.name}”." in response.content.decode()
    assert client.get(reverse("tracking:company_detail", args=[team.company.pk])).status_code == 200
    # Answered: it cannot be answered again.
    assert client.post(reverse("tracking:invitation_decline", args=[invited.pk])).status_code == 404


def test_declining_removes_the_invitation_and_gives_no_access(team, foreign_team, client):
    invited = invite(team, foreign_team.entrepreneur.user.email)
    client.force_login(foreign_team.entrepreneur.user)
    response = client.post(reverse("tracking:invitation_decline", args=[invited.pk]), follow=True)
    assert "You declined the invitation" in response.content.decode()
    assert not Membership.objects.filter(pk=invited.pk).exists()
    assert client.get(reverse("tracking:company_detail", args=[team.company.pk])).status_code == 404
    # Nobody is told it was declined by an error; the manager may invite again.
    assert invite(team, foreign_team.entrepreneur.user.email).is_pending


def test_the_same_person_in_two_roles_in_two_businesses(client):
    """One e-mail invited by two businesses in two roles: each invitation is answered on its own."""
    north, south = make_team("North Ltd"), make_team("South Ltd")
    person = north.member.user
    as_lead = invite(south, person.email, role=Role.TEAM_LEAD)
    client.force_login(person)
    client.post(reverse("tracking:invitation_accept_existing", args=[as_lead.pk]))
    as_lead.refresh_from_db()
    assert as_lead.accepted_at is not None and as_lead.role == Role.TEAM_LEAD
    roles = dict(Membership.objects.filter(user=person).values_list("company__name", "role"))
    assert roles == {"North Ltd": Role.MEMBER, "South Ltd": Role.TEAM_LEAD}


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise SMTPException("550 mailbox unavailable")


def test_a_failing_invitation_stops_after_a_bounded_number_of_attempts(team, client, settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.FailingBackend"}}
    import time_machine

    added = invite(team, "bounces@example.test")
    at = clock.now()
    for attempt in range(1, MAX_ATTEMPTS):
        with time_machine.travel(at, tick=False):
            assert invitation_deliver(membership_id=added.pk) is False
            state = delivery(f"invitation:{added.pk}")
            assert (state.attempts, state.failed_at) == (attempt, None)
            assert invitations_unsent() == []  # backing off: the sweep leaves it alone for now
            assert invitation_deliver(membership_id=added.pk) is False  # and so does the sender
        at += timedelta(minutes=2**attempt)
        with time_machine.travel(at, tick=False):
            assert invitations_unsent() == [added.pk]  # the sweep tries again later
    with time_machine.travel(at, tick=False):
        assert invitation_deliver(membership_id=added.pk) is False  # the last attempt: given up
    state = delivery(f"invitation:{added.pk}")
    assert state.attempts == MAX_ATTEMPTS and state.failed_at is not None
    assert invitations_unsent() == []
    assert invitation_deliver(membership_id=added.pk) is False  # never tried again
    assert delivery(f"invitation:{added.pk}").attempts == MAX_ATTEMPTS

    client.force_login(team.tracker.user)
    page = client.get(reverse("tracking:members", args=[team.company.pk])).content.decode()
    assert "invitation failed" in page and "could not be sent" in page


def test_the_links_in_e_mails_follow_the_address_the_app_runs_on(team, settings):
    """Finding 10: the site address in e-mails is a setting (SITE_URL), and `make run PORT=…`
    passes the address it starts on."""
    settings.SITE_URL = "http://127.0.0.1:8104"
    added = invite(team, "port@example.test")
    invitation_deliver(membership_id=added.pk)
    (link,) = LINK.findall(mail.outbox[-1].body)
    assert link.startswith("http://127.0.0.1:8104/invite/")

    from tests.support.processes import ROOT

    dry_run = subprocess.run(["make", "-n", "run", "PORT=8104"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert dry_run.returncode == 0, dry_run.stderr
    # One command starts both (in a shell with the embedded database up around it), with the address.
    command = dry_run.stdout[dry_run.stdout.index("SITE_URL=http://127.0.0.1:8104") :]
    assert "bash -c" in command and "celery -A tracking worker" in command and "runserver 127.0.0.1:8104" in command
    assert "SITE_URL=" not in command[len("SITE_URL=") :], "one address for both"
