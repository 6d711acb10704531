"""Sign in and out, throttling, the language switch."""

import uuid

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _email():
    return f"{uuid.uuid4().hex[:10]}@example.test"  # throttle keys live in Redis: keep them unique


def test_sign_in_and_out(client):
    user = UserFactory(email=_email())
    response = client.post(reverse("login"), {"username": user.email, "password": "correct-horse-battery"})
    assert response.status_code == 302 and response.url == reverse("tracking:portfolio")
    assert client.get(reverse("tracking:portfolio")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("tracking:portfolio")).status_code == 302


def test_sign_in_is_throttled_after_repeated_failures(client):
    user = UserFactory(email=_email())
    url = reverse("login")
    for _ in range(settings.LOGIN_THROTTLE_ATTEMPTS):
        assert client.post(url, {"username": user.email, "password": "wrong"}).status_code == 200
    # Even the right password is refused until the window passes.
    response = client.post(url, {"username": user.email, "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_deactivated_user_is_signed_out(client):
    user = UserFactory(email=_email())
    client.force_login(user)
    user.is_active = False
    user.save()
    assert client.get(reverse("tracking:portfolio")).status_code == 302


def test_language_switch_changes_the_labels_and_remembers_the_choice(client):
    user = UserFactory(email=_email())
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
