"""An invitation link opened while someone else is signed in: they are asked, nothing switches
accounts on its own, and the page works without JavaScript (a form and a link)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.support.people import invite
from tracking.invitations import invitation_path
from tracking.models import User

pytestmark = pytest.mark.django_db

PASSWORD = {"full_name": "Nina K", "new_password1": "plum-orchard-42", "new_password2": "plum-orchard-42"}


@pytest.fixture
def link(team):
    invited = invite(team.tracker, "nina@example.test")
    return invitation_path(invited)


def _signed_in(client):
    return client.session.session_key, client.session.get(SESSION_KEY)


def test_the_link_asks_whoever_is_signed_in_and_changes_nothing(team, link, client_for):
    client = client_for(team.entrepreneur)
    before = _signed_in(client)
    assert before[1] == str(team.entrepreneur.user.pk)

    page = client.get(link)
    body = page.content.decode()
    assert page.status_code == 200
    assert f"You are signed in as <strong>{team.entrepreneur.user.email}</strong>" in body
    assert team.company.name in body
    # "Sign out and continue" is a plain POST to sign-out that comes back to the link;
    # "Cancel" a plain link to their portfolio.
    assert f'<form method="post" action="{reverse("logout")}">' in body
    assert f'<input type="hidden" name="next" value="{link}">' in body
    assert f'<a class="button secondary" href="{reverse("tracking:portfolio")}">Cancel</a>' in body
    assert "new_password1" not in body
    assert _signed_in(client) == before

    # A posted password (a stale form, a forged one) switches nothing either.
    refused = client.post(link, PASSWORD)
    assert refused.status_code == 409 and "You are signed in as" in refused.content.decode()
    assert _signed_in(client) == before
    invitee = User.objects.get(email="nina@example.test")
    assert not invitee.is_active and not invitee.has_usable_password()
    assert invitee.memberships.get().is_pending

    # Cancel: still themselves, on their own portfolio.
    assert client.get(reverse("tracking:portfolio")).status_code == 200
    assert _signed_in(client) == before


def test_sign_out_and_continue_comes_back_to_the_link(team, link, client_for):
    client = client_for(team.entrepreneur)
    response = client.post(reverse("logout"), {"next": link})
    assert response.status_code == 302 and response.url == link
    assert SESSION_KEY not in client.session

    page = client.get(link)
    assert page.status_code == 200 and "new_password1" in page.content.decode()
    assert client.post(link, PASSWORD).status_code == 302
    invitee = User.objects.get(email="nina@example.test")
    assert client.session[SESSION_KEY] == str(invitee.pk)
    assert invitee.is_active and invitee.check_password("plum-orchard-42")
