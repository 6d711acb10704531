"""Password reset by e-mail (throttled, the same answer for unknown addresses) and password
change (other sessions end)."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests import clock
from tests.factories import UserFactory
from tests.support.people import unique_address, unique_email
from tracking.models import SignInEvent, SignInEventKind

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "a-new-and-long-passphrase-42"


def _ask_reset(client, email, address):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_the_login_page_offers_a_reset(client):
    body = client.get(reverse("login")).content.decode()
    assert "Forgot your password?" in body and reverse("password_reset") in body


def test_a_known_and_an_unknown_address_get_the_same_answer(client):
    user = UserFactory(email=unique_email())
    known = _ask_reset(client, user.email, unique_address())
    unknown = _ask_reset(client, unique_email(), unique_address())
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    assert "Check your e-mail" in client.get(known.url).content.decode()


def test_the_reset_link_sets_a_new_password_ends_sessions_and_is_audited(client):
    user = UserFactory(email=unique_email())
    stolen = Client()
    stolen.force_login(user)
    _ask_reset(client, user.email, unique_address())
    (message,) = mail.outbox
    link = _link(message)
    assert link.startswith(settings.SITE_URL + "/accounts/password/reset/")  # not the Host header
    assert "&#x27;" not in message.body and "&amp;" not in message.body  # a plain-text e-mail

    path = link.removeprefix(settings.SITE_URL)
    form_page = client.get(path, follow=True)  # Django moves the token into the session
    assert "Choose a new password" in form_page.content.decode()
    address = unique_address()
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR=address,
    )
    assert response.status_code == 302 and response.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert stolen.get(reverse("tracking:portfolio")).status_code == 302  # signed out
    event = SignInEvent.objects.get(user=user, kind=SignInEventKind.PASSWORD_RESET)
    assert event.ip == address
    # The link works once.
    assert "This link does not work" in client.get(path, follow=True).content.decode()


def test_a_bad_reset_link_is_explained(client):
    response = client.get(reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "nope"}))
    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()


def test_bad_reset_input_gets_a_clear_message(client):
    for email in ("", "not-an-address", "x" * 300 + "@example.test", "a\x00@example.test"):
        response = client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=unique_address())
        assert response.status_code == 200
        assert 'class="error"' in response.content.decode()
    assert mail.outbox == []


def test_reset_requests_are_throttled_per_address(client):
    address = unique_address()
    for _ in range(settings.PASSWORD_RESET_THROTTLE_PER_ADDRESS):
        assert _ask_reset(client, unique_email(), address).status_code == 302
    response = _ask_reset(client, unique_email(), address)
    assert response.status_code == 429
    assert "Too many reset requests" in response.content.decode()


@pytest.mark.parametrize("known", [True, False])
def test_reset_requests_are_throttled_per_email_known_or_not(client, known):
    email = UserFactory(email=unique_email()).email if known else unique_email()
    for _ in range(settings.PASSWORD_RESET_THROTTLE_PER_EMAIL):
        assert _ask_reset(client, email, unique_address()).status_code == 302
    assert _ask_reset(client, email, unique_address()).status_code == 429
    assert len(mail.outbox) == (settings.PASSWORD_RESET_THROTTLE_PER_EMAIL if known else 0)


def test_a_password_change_signs_out_every_other_session(client):
    user = UserFactory(email=unique_email())
    other = Client()
    other.force_login(user)
    client.force_login(user)
    assert other.get(reverse("tracking:portfolio")).status_code == 200

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 302 and response.url == reverse("password_change_done")
    assert client.get(reverse("tracking:portfolio")).status_code == 200  # this one stays
    assert other.get(reverse("tracking:portfolio")).status_code == 302  # the other is signed out
    event = SignInEvent.objects.get(user=user, kind=SignInEventKind.PASSWORD_CHANGED)
    assert event.ip == "192.0.2.7"


def test_a_wrong_old_password_changes_nothing(client):
    user = UserFactory(email=unique_email())
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200 and 'class="error"' in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not SignInEvent.objects.filter(user=user).exists()


def test_a_reset_link_expires_after_an_hour(client):
    user = UserFactory(email=unique_email())
    _ask_reset(client, user.email, unique_address())
    path = _link(mail.outbox[0]).removeprefix(settings.SITE_URL)
    with time_machine.travel(clock.now() + timedelta(seconds=settings.PASSWORD_RESET_LINK_SECONDS - 60)):
        assert "Choose a new password" in client.get(path, follow=True).content.decode()
    with time_machine.travel(clock.now() + timedelta(seconds=settings.PASSWORD_RESET_LINK_SECONDS + 60)):
        assert "This link does not work" in client.get(path, follow=True).content.decode()
