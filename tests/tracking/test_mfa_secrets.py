"""Two-factor secrets are encrypted in the database (tracking/mfa_secrets.py): a copy of the
database gives no code to sign in with, and the key rotates.

The clock is held still (see tests/tracking/test_two_factor.py) and moved on by whole steps
when a fresh code is needed; throttle counters live in Redis, so every test uses fresh
e-mails and addresses."""

import base64
import binascii
import io
import json

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, generate_totp_secret, hotp_value
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests import clock
from tests.factories import UserFactory
from tests.support.people import unique_address, unique_email
from tracking.accounts import mfa_secrets, two_factor

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"
KEY_A = "the-first-key-of-this-test-" + "a" * 30
KEY_B = "the-second-key-of-this-test-" + "b" * 30


@pytest.fixture(autouse=True)
def still_clock():
    with time_machine.travel(clock.now(), tick=False) as traveller:
        yield traveller


def _code(secret: str) -> str:
    counter = int(clock.now().timestamp()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def _next_step(still_clock) -> None:
    """Past the tolerance window: the next code is a fresh one."""
    still_clock.shift(mfa_settings.TOTP_PERIOD * 3)


def _stored(user, kind: str) -> tuple[dict, str]:
    """The authenticator's data as the database holds it (what a dump shows), and as text."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CAST(data AS text) FROM mfa_authenticator WHERE user_id = %s AND type = %s", [user.pk, kind]
        )
        (text,) = cursor.fetchone()
    return json.loads(text), text


def _as_totp_secret(value: str) -> str:
    """What someone holding a copy of the database would try: the stored value as the key."""
    try:
        base64.b32decode(value, casefold=True)
        return value
    except (binascii.Error, ValueError):
        return base64.b32encode(value.encode()).decode()


def _signs_in(user, code: str) -> bool:
    """Password, then `code`, through the sign-in pages of a fresh browser."""
    browser, address = Client(), unique_address()
    browser.post(reverse("login"), {"username": user.email, "password": PASSWORD}, REMOTE_ADDR=address)
    response = browser.post(reverse("login_two_factor"), {"code": code, "next": ""}, REMOTE_ADDR=address)
    return response.status_code == 302 and browser.session.get("_auth_user_id") == str(user.pk)


def _totp_accepts(user, secret: str) -> bool:
    return Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).wrap().validate_code(_code(secret))


def test_a_copy_of_the_database_gives_no_code_to_sign_in_with(still_clock):
    user = UserFactory(email=unique_email())
    secret = generate_totp_secret()
    recovery_codes = two_factor.two_factor_enable(user=user, secret=secret, session_key=None)
    _next_step(still_clock)

    totp, totp_text = _stored(user, "totp")
    assert totp["secret"] != secret and secret not in totp_text
    assert totp["secret"].startswith(mfa_secrets.PREFIX)
    recovery, recovery_text = _stored(user, "recovery_codes")
    assert recovery["seed"].startswith(mfa_secrets.PREFIX)
    assert mfa_secrets.decrypt(recovery["seed"]) not in recovery_text

    assert not _signs_in(user, _code(_as_totp_secret(totp["secret"])))
    assert _signs_in(user, _code(secret))
    assert _signs_in(user, recovery_codes[0])


def test_the_key_rotates_with_the_old_key_kept_until_every_secret_is_re_encrypted(settings, still_clock):
    settings.MFA_ENCRYPTION_KEY, settings.MFA_ENCRYPTION_OLD_KEYS = KEY_A, []
    user = UserFactory(email=unique_email())
    secret = generate_totp_secret()
    two_factor.two_factor_enable(user=user, secret=secret, session_key=None)
    under_a = _stored(user, "totp")[0]["secret"]

    # The new key alone reads nothing yet: a configuration error that says what to set.
    settings.MFA_ENCRYPTION_KEY = KEY_B
    with pytest.raises(mfa_secrets.SecretUnreadable, match="MFA_ENCRYPTION_OLD_KEYS"):
        _totp_accepts(user, secret)
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("rotate_mfa_key", stdout=io.StringIO())
    assert _stored(user, "totp")[0]["secret"] == under_a

    settings.MFA_ENCRYPTION_OLD_KEYS = [KEY_A]
    assert _totp_accepts(user, secret)
    out = io.StringIO()
    call_command("rotate_mfa_key", stdout=out)
    assert "of 2 authenticator(s)" in out.getvalue()
    assert _stored(user, "totp")[0]["secret"] != under_a

    settings.MFA_ENCRYPTION_OLD_KEYS = []
    _next_step(still_clock)
    assert _totp_accepts(user, secret)
    assert len(Authenticator.objects.get(user=user, type="recovery_codes").wrap().get_unused_codes()) == 10
    settings.MFA_ENCRYPTION_KEY = KEY_A
    with pytest.raises(mfa_secrets.SecretUnreadable):
        _totp_accepts(user, secret)
