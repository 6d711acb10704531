"""Sign in and out, the sign-in audit and its page, sessions that end, the language switch.

Throttling has its own file (test_throttling.py); passwords too (test_passwords.py)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests import clock
from tests.factories import UserFactory
from tests.support.people import unique_address, unique_email
from tracking import services
from tracking.models import SignInEvent, SignInEventKind

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


def _sign_in(client, email, password, address):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def _sessions_of(user) -> int:
    return sum(
        1
        for s in Session.objects.filter(expire_date__gt=clock.now())
        if s.get_decoded().get("_auth_user_id") == str(user.pk)
    )


def test_sign_in_and_out(client):
    user = UserFactory(email=unique_email())
    response = _sign_in(client, user.email, PASSWORD, unique_address())
    assert response.status_code == 302 and response.url == reverse("tracking:portfolio")
    assert client.get(reverse("tracking:portfolio")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("tracking:portfolio")).status_code == 302


def test_sign_in_is_throttled_after_repeated_failures(client):
    user = UserFactory(email=unique_email())
    address = unique_address()
    for _ in range(settings.LOGIN_THROTTLE_PER_ADDRESS):
        assert _sign_in(client, user.email, "wrong", address).status_code == 200
    # Even the right password is refused from that address until the window passes.
    response = _sign_in(client, user.email, PASSWORD, address)
    assert response.status_code == 429
    assert "Too many failed sign-ins from your address" in response.content.decode()
    assert "_auth_user_id" not in client.session


# --- The audit ---------------------------------------------------------------------------


def test_sign_ins_and_failures_are_in_the_audit_with_address_and_time(client):
    user = UserFactory(email=unique_email())
    address = unique_address()
    _sign_in(client, user.email.upper(), "wrong", address)
    _sign_in(client, user.email, PASSWORD, address)
    unknown = unique_email()
    _sign_in(client, unknown, "wrong", address)

    failed, signed_in = SignInEvent.objects.filter(user=user).order_by("pk")
    assert (failed.kind, failed.email, failed.ip) == (SignInEventKind.FAILED, user.email, address)
    assert signed_in.kind == SignInEventKind.SIGNED_IN and signed_in.at >= failed.at
    assert abs(signed_in.at - clock.now()) < timedelta(minutes=1)
    # An unknown address is recorded too, with no user.
    stranger = SignInEvent.objects.get(email=unknown)
    assert stranger.user is None and stranger.kind == SignInEventKind.FAILED


def test_failures_and_locks_are_logged(client, caplog):
    user = UserFactory(email=unique_email())
    address = unique_address()
    with caplog.at_level("INFO", logger="tracking.accounts.security"):
        for _ in range(settings.LOGIN_THROTTLE_PER_ADDRESS + 1):
            _sign_in(client, user.email, "wrong", address)
    messages = [r.getMessage() for r in caplog.records if r.name == "tracking.accounts.security"]
    assert f"sign-in failed: {user.email} from {address}" in messages
    assert any(m.startswith(f"sign-in throttled: address {address}") for m in messages)


def test_the_activity_page_lists_own_events_newest_first_and_at_most_50(client, django_assert_max_num_queries):
    user, other = UserFactory(email=unique_email()), UserFactory(email=unique_email())
    start = clock.now() - timedelta(days=3)
    SignInEvent.objects.bulk_create(
        [
            SignInEvent(
                user=user,
                email=user.email,
                kind=SignInEventKind.FAILED,
                ip=f"192.0.2.{i}",
                at=start + timedelta(minutes=i),
            )
            for i in range(1, 56)
        ]
        + [SignInEvent(user=other, email=other.email, kind=SignInEventKind.SIGNED_IN, ip="198.51.100.99", at=start)]
    )
    client.force_login(user)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("account_activity"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<tr>") == 1 + 50  # the header and the last 50
    assert body.index("192.0.2.55") < body.index("192.0.2.54")  # newest first
    assert "192.0.2.5<" not in body  # the oldest are left out
    assert "198.51.100.99" not in body  # nobody else's
    assert reverse("password_change") in body


def test_the_account_menu_links_to_the_activity_page(client):
    client.force_login(UserFactory(email=unique_email()))
    assert reverse("account_activity") in client.get(reverse("tracking:portfolio")).content.decode()


def test_the_activity_page_needs_a_sign_in(client):
    response = client.get(reverse("account_activity"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- Sessions end -------------------------------------------------------------------------


def test_a_deactivated_user_is_signed_out(client):
    user = UserFactory(email=unique_email())
    client.force_login(user)
    user.is_active = False
    user.save()
    assert client.get(reverse("tracking:portfolio")).status_code == 302


def test_deactivating_a_user_ends_all_their_sessions():
    user, bystander = UserFactory(email=unique_email()), UserFactory(email=unique_email())
    phone, laptop, other = Client(), Client(), Client()
    phone.force_login(user)
    laptop.force_login(user)
    other.force_login(bystander)
    assert _sessions_of(user) == 2

    services.user_deactivate(user=user)

    assert _sessions_of(user) == 0
    assert _sessions_of(bystander) == 1
    assert phone.get(reverse("tracking:portfolio")).status_code == 302


def test_deactivating_in_the_admin_ends_all_their_sessions(client):
    admin = UserFactory(email=unique_email(), is_staff=True, is_superuser=True)
    user = UserFactory(email=unique_email())
    browser = Client()
    browser.force_login(user)
    client.force_login(admin)

    # The change form, as the admin submits it with "active" unticked.
    url = reverse("admin:tracking_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    data.update({"is_active": "", "groups": [], "user_permissions": [], "last_login_0": "", "last_login_1": ""})
    data.update({"date_joined_0": user.date_joined.strftime("%Y-%m-%d"), "date_joined_1": "00:00:00"})
    data.pop("is_active")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert not user.is_active
    assert _sessions_of(user) == 0
    assert browser.get(reverse("tracking:portfolio")).status_code == 302


def test_the_admin_action_deactivates_and_signs_out(client):
    admin = UserFactory(email=unique_email(), is_staff=True, is_superuser=True)
    user = UserFactory(email=unique_email())
    Client().force_login(user)
    client.force_login(admin)
    response = client.post(
        reverse("admin:tracking_user_changelist"), {"action": "deactivate", "_selected_action": [user.pk]}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active and _sessions_of(user) == 0


def test_language_switch_changes_the_labels_and_remembers_the_choice(client):
    user = UserFactory(email=unique_email())
    client.force_login(user)
    assert "My businesses" in client.get(reverse("tracking:portfolio")).content.decode()

    response = client.post(reverse("language_set"), {"language": "ru", "next": "/"})
    assert response.status_code == 302 and response.url == "/"

    body = client.get(reverse("tracking:portfolio")).content.decode()
    assert "Мои бизнесы" in body and '<html lang="ru">' in body
    user.refresh_from_db()
    assert user.language == "ru"  # e-mails follow the choice


def test_language_switch_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.post(reverse("language_set"), {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302 and response.url == "/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_signing_in_speaks_the_saved_language_whatever_the_browser_asks(client):
    """owner@dubrava.demo has Russian saved; her browser asks for English. Signing in keeps
    Russian (the interface and her e-mails), and only the switch changes it."""
    user = UserFactory(email=unique_email(), password=PASSWORD, language="ru")
    english = {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}
    response = client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD}, REMOTE_ADDR=unique_address(), **english
    )
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    body = client.get(reverse("tracking:portfolio"), **english).content.decode()
    assert '<html lang="ru">' in body and "Мои бизнесы" in body
    user.refresh_from_db()
    assert user.language == "ru"

    client.post(reverse("language_set"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    assert '<html lang="en">' in client.get(reverse("tracking:portfolio")).content.decode()


def test_signing_in_does_not_overwrite_the_saved_language_with_the_browsers(client):
    user = UserFactory(email=unique_email(), password=PASSWORD, language="en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"  # someone else's choice on this browser
    response = _sign_in(client, user.email, PASSWORD, unique_address())
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    user.refresh_from_db()
    assert user.language == "en"
