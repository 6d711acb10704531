"""Two-factor sign-in (tracking/two_factor.py): setting it up, the second step of sign-in
(counted by the sign-in throttle), recovery codes, switching it off, and the admin rule.

Codes are computed here with allauth's own TOTP function at the suite's clock. The clock is
held still in these tests (a 30-second step never turns in the middle of one), and moved on
by whole steps when a test needs a fresh code: a used code is refused for its whole window.
Throttle counters live in Redis and outlive a test, so every test uses fresh e-mails and
addresses."""

import re

import pytest
import time_machine
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests import clock
from tests.factories import UserFactory
from tests.support.people import unique_address, unique_email
from tracking.accounts import two_factor
from tracking.models import SignInEvent, SignInEventKind

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def still_clock():
    """The suite's clock, held still; `still_clock.shift(seconds)` moves it on."""
    with time_machine.travel(clock.now(), tick=False) as traveller:
        yield traveller


def _code(secret: str, *, steps: int = 0) -> str:
    """The TOTP code of `secret` at the suite's clock (`steps` periods later or earlier)."""
    counter = int(clock.now().timestamp()) // mfa_settings.TOTP_PERIOD + steps
    return format_hotp_value(hotp_value(secret, counter))


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _sign_in(client, email, password, address, next_url=""):
    data = {"username": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, REMOTE_ADDR=address)


def _send_code(client, code, address, next_url=""):
    return client.post(reverse("login_two_factor"), {"code": code, "next": next_url}, REMOTE_ADDR=address)


def _enable(user, still_clock) -> tuple[str, list[str]]:
    """Turn 2FA on for `user` through the pages; return the secret and the recovery codes.
    The clock moves on a step either side, so the codes used here are never reused."""
    client = Client()
    client.force_login(user)
    client.get(reverse("two_factor"))
    secret = client.session[two_factor.SETUP_SECRET_KEY]
    response = client.post(reverse("two_factor_enable"), {"code": _code(secret)}, REMOTE_ADDR=unique_address())
    assert response.status_code == 302, response.content.decode()
    body = client.get(reverse("two_factor")).content.decode()
    codes = re.findall(r"<li><code>(\d+)</code></li>", body)
    still_clock.shift(mfa_settings.TOTP_PERIOD * 3)
    return secret, codes


def _signed_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


# --- Setting up -------------------------------------------------------------------------


def test_enable_shows_a_qr_code_and_the_key_and_confirms_with_a_first_code(client):
    user = UserFactory(email=unique_email())
    other_browser = Client()
    other_browser.force_login(user)
    client.force_login(user)

    page = client.get(reverse("two_factor"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "We recommend it to trackers" in body
    secret = client.session[two_factor.SETUP_SECRET_KEY]
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in body
    assert "otpauth://totp/" in body and f"secret={secret}" in body
    svg = re.search(r'<div class="qr"[^>]*>(.*?)</div>', body, re.S).group(1)
    assert svg.startswith("<svg") and "<path" in svg and "<?xml" not in svg
    # A strict CSP applies: no style attributes, no scripts, no outside images.
    assert "style=" not in body and "<script" not in svg and "<img" not in body
    assert "script-src" in page.headers["Content-Security-Policy"]

    address = unique_address()
    wrong = client.post(reverse("two_factor_enable"), {"code": _wrong(_code(secret))}, REMOTE_ADDR=address)
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert not Authenticator.objects.filter(user=user).exists()
    assert SignInEvent.objects.filter(user=user, kind=SignInEventKind.FAILED, ip=address).count() == 1

    right = client.post(reverse("two_factor_enable"), {"code": _code(secret)}, REMOTE_ADDR=address)
    assert right.status_code == 302 and right.url == reverse("two_factor")
    assert two_factor.two_factor_enabled(user=user)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert two_factor.SETUP_SECRET_KEY not in client.session
    assert client.session[two_factor.PASSED_KEY] is True
    # Sessions that only passed the password end; this one stays.
    assert _signed_in_as(other_browser) is None
    assert _signed_in_as(client) == str(user.pk)

    # Ten recovery codes, shown once.
    first = client.get(reverse("two_factor")).content.decode()
    codes = re.findall(r"<li><code>(\d+)</code></li>", first)
    assert len(codes) == 10 and len(set(codes)) == 10
    second = client.get(reverse("two_factor")).content.decode()
    assert not re.findall(r"<li><code>(\d+)</code></li>", second)
    assert "You have 10 unused recovery codes." in second


def test_an_empty_or_garbled_code_is_an_answer_not_an_error(client):
    user = UserFactory(email=unique_email())
    client.force_login(user)
    client.get(reverse("two_factor"))
    for code in ("", "abc", "1" * 40, "\x00"):
        response = client.post(reverse("two_factor_enable"), {"code": code}, REMOTE_ADDR=unique_address())
        assert response.status_code == 200
    assert not two_factor.two_factor_enabled(user=user)


# --- Signing in -------------------------------------------------------------------------


def test_a_right_password_asks_for_the_code_and_does_not_sign_in_yet(client, still_clock):
    user = UserFactory(email=unique_email())
    _enable(user, still_clock)
    response = _sign_in(client, user.email, PASSWORD, unique_address())
    assert response.status_code == 302 and response.url == reverse("login_two_factor")
    assert _signed_in_as(client) is None
    assert client.get(reverse("tracking:portfolio")).status_code == 302
    page = client.get(reverse("login_two_factor"))
    assert page.status_code == 200 and "Enter your code" in page.content.decode()
    assert not SignInEvent.objects.filter(user=user, kind=SignInEventKind.SIGNED_IN).exists()


def test_a_right_code_signs_in_and_is_recorded(client, still_clock):
    user = UserFactory(email=unique_email())
    secret, _codes = _enable(user, still_clock)
    address = unique_address()
    _sign_in(client, user.email, PASSWORD, address, next_url=reverse("account_activity"))
    response = _send_code(client, _code(secret), address, next_url=reverse("account_activity"))
    assert response.status_code == 302 and response.url == reverse("account_activity")
    assert _signed_in_as(client) == str(user.pk)
    assert client.session[two_factor.PASSED_KEY] is True
    assert two_factor.PENDING_KEY not in client.session
    kinds = list(SignInEvent.objects.filter(user=user, ip=address).values_list("kind", flat=True))
    assert kinds == [SignInEventKind.SIGNED_IN]
    assert client.get(reverse("tracking:portfolio")).status_code == 200


def test_a_used_code_is_refused_the_second_time(client, still_clock):
    user = UserFactory(email=unique_email())
    secret, _codes = _enable(user, still_clock)
    code = _code(secret)
    _sign_in(client, user.email, PASSWORD, unique_address())
    assert _send_code(client, code, unique_address()).status_code == 302
    client.post(reverse("logout"))
    _sign_in(client, user.email, PASSWORD, unique_address())
    assert _send_code(client, code, unique_address()).status_code == 200
    assert _signed_in_as(client) is None


def test_a_wrong_code_is_refused_and_counted_per_address(client, still_clock):
    user = UserFactory(email=unique_email())
    secret, _codes = _enable(user, still_clock)
    address = unique_address()
    assert _sign_in(client, user.email, PASSWORD, address).status_code == 302
    for _ in range(settings.LOGIN_THROTTLE_PER_ADDRESS):
        response = _send_code(client, _wrong(_code(secret)), address)
        assert response.status_code == 200
        assert "That code is not right" in response.content.decode()
    assert _signed_in_as(client) is None
    assert (
        SignInEvent.objects.filter(user=user, ip=address, kind=SignInEventKind.FAILED).count()
        == settings.LOGIN_THROTTLE_PER_ADDRESS
    )
    # The address is throttled now: even the right code is refused before it is checked.
    refused = _send_code(client, _code(secret), address)
    assert refused.status_code == 429
    assert "Too many failed sign-ins from your address" in refused.content.decode()
    assert _signed_in_as(client) is None


def test_wrong_codes_from_many_addresses_lock_the_account(client, still_clock, settings):
    settings.LOGIN_THROTTLE_PER_ACCOUNT = 3
    user = UserFactory(email=unique_email())
    secret, _codes = _enable(user, still_clock)
    _sign_in(client, user.email, PASSWORD, unique_address())
    for _ in range(3):
        assert _send_code(client, _wrong(_code(secret)), unique_address()).status_code == 200
    refused = _send_code(client, _code(secret), unique_address())
    assert refused.status_code == 429
    assert "This account is locked" in refused.content.decode()
    assert _signed_in_as(client) is None
    assert SignInEvent.objects.filter(user=user, kind=SignInEventKind.LOCKED_OUT).count() == 1


def test_the_right_password_is_not_counted_while_the_code_is(client, still_clock):
    """A right password gives its count back; only wrong passwords and wrong codes use up
    the limit."""
    user = UserFactory(email=unique_email())
    secret, _codes = _enable(user, still_clock)
    address = unique_address()
    for _ in range(settings.LOGIN_THROTTLE_PER_ADDRESS + 2):
        assert _sign_in(client, user.email, PASSWORD, address).status_code == 302
    assert _send_code(client, _code(secret), address).status_code == 302


def test_the_pending_sign_in_expires(client, still_clock):
    user = UserFactory(email=unique_email())
    secret, _codes = _enable(user, still_clock)
    _sign_in(client, user.email, PASSWORD, unique_address())
    still_clock.shift(settings.TWO_FACTOR_PENDING_SECONDS + 1)
    response = _send_code(client, _code(secret), unique_address())
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert _signed_in_as(client) is None
    assert "the time for the code ran out" in client.get(response.url).content.decode()


def test_a_password_change_in_between_voids_the_pending_sign_in(client, still_clock):
    user = UserFactory(email=unique_email())
    secret, _codes = _enable(user, still_clock)
    _sign_in(client, user.email, PASSWORD, unique_address())
    user.set_password("another-long-passphrase")
    user.save()
    response = _send_code(client, _code(secret), unique_address())
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert _signed_in_as(client) is None


def test_the_code_page_without_a_password_first_sends_to_sign_in(client):
    response = client.get(reverse("login_two_factor"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    response = client.post(reverse("login_two_factor"), {"code": "123456"}, REMOTE_ADDR=unique_address())
    assert response.status_code == 302 and _signed_in_as(client) is None


def test_users_without_two_factor_sign_in_with_the_password_alone(client):
    user = UserFactory(email=unique_email())
    response = _sign_in(client, user.email, PASSWORD, unique_address())
    assert response.status_code == 302 and response.url == reverse("tracking:portfolio")
    assert _signed_in_as(client) == str(user.pk)


# --- Recovery codes ---------------------------------------------------------------------


def test_a_recovery_code_signs_in_once(client, still_clock):
    user = UserFactory(email=unique_email())
    _secret, codes = _enable(user, still_clock)
    assert len(codes) == 10
    _sign_in(client, user.email, PASSWORD, unique_address())
    response = _send_code(client, codes[0], unique_address())
    assert response.status_code == 302
    assert _signed_in_as(client) == str(user.pk)
    assert "9 are left" in client.get(reverse("two_factor")).content.decode()
    client.post(reverse("logout"))

    _sign_in(client, user.email, PASSWORD, unique_address())
    again = _send_code(client, codes[0], unique_address())
    assert again.status_code == 200 and "That code is not right" in again.content.decode()
    assert _signed_in_as(client) is None
    assert _send_code(client, codes[1], unique_address()).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, still_clock):
    user = UserFactory(email=unique_email())
    secret, old = _enable(user, still_clock)
    client.force_login(user)
    wrong = client.post(
        reverse("two_factor_recovery_codes"), {"regenerate-code": _wrong(_code(secret))}, REMOTE_ADDR=unique_address()
    )
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    response = client.post(
        reverse("two_factor_recovery_codes"), {"regenerate-code": _code(secret)}, REMOTE_ADDR=unique_address()
    )
    assert response.status_code == 302
    new = re.findall(r"<li><code>(\d+)</code></li>", client.get(reverse("two_factor")).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    client.post(reverse("logout"))

    _sign_in(client, user.email, PASSWORD, unique_address())
    assert _send_code(client, old[2], unique_address()).status_code == 200
    assert _send_code(client, new[0], unique_address()).status_code == 302


# --- Switching it off -------------------------------------------------------------------


def test_disable_needs_a_current_code(client, still_clock):
    user = UserFactory(email=unique_email())
    secret, _codes = _enable(user, still_clock)
    client.force_login(user)
    assert client.post(reverse("two_factor_disable"), {"disable-code": ""}).status_code == 200
    wrong = client.post(
        reverse("two_factor_disable"), {"disable-code": _wrong(_code(secret))}, REMOTE_ADDR=unique_address()
    )
    assert wrong.status_code == 200 and "That code is not right" in wrong.content.decode()
    assert two_factor.two_factor_enabled(user=user)

    response = client.post(reverse("two_factor_disable"), {"disable-code": _code(secret)}, REMOTE_ADDR=unique_address())
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user).exists()
    client.post(reverse("logout"))
    response = _sign_in(client, user.email, PASSWORD, unique_address())
    assert response.status_code == 302 and response.url == reverse("tracking:portfolio")
    assert _signed_in_as(client) == str(user.pk)


# --- The admin --------------------------------------------------------------------------


def test_the_admin_asks_staff_with_two_factor_for_the_second_step(client, still_clock):
    staff = UserFactory(email=unique_email(), is_staff=True, is_superuser=True)
    secret, _codes = _enable(staff, still_clock)
    client.force_login(staff)  # a session that never passed the second step
    admin_index = reverse("admin:index")
    response = client.get(admin_index)
    assert response.status_code == 302 and response.url.startswith(reverse("login_two_factor"))
    assert client.get(reverse("admin:tracking_company_changelist")).status_code == 302

    wrong = _send_code(client, _wrong(_code(secret)), unique_address(), next_url=admin_index)
    assert wrong.status_code == 200
    assert client.get(admin_index).status_code == 302

    response = _send_code(client, _code(secret), unique_address(), next_url=admin_index)
    assert response.status_code == 302 and response.url == admin_index
    assert client.get(admin_index).status_code == 200
    assert client.get(reverse("admin:tracking_company_changelist")).status_code == 200


def test_staff_signing_in_with_the_code_reach_the_admin(client, still_clock):
    staff = UserFactory(email=unique_email(), is_staff=True, is_superuser=True)
    secret, _codes = _enable(staff, still_clock)
    address = unique_address()
    admin_index = reverse("admin:index")
    _sign_in(client, staff.email, PASSWORD, address, next_url=admin_index)
    assert client.get(admin_index).status_code == 302  # the password alone: not signed in
    assert _send_code(client, _code(secret), address, next_url=admin_index).url == admin_index
    assert client.get(admin_index).status_code == 200


def test_staff_without_two_factor_reach_the_admin_as_before(client):
    staff = UserFactory(email=unique_email(), is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_sign_in_form_is_ours(client):
    """The admin's own form would skip the throttle and the second step."""
    response = client.get(reverse("admin:login"), {"next": reverse("admin:index")})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login")) and "next=" in response.url
    staff = UserFactory(email=unique_email(), is_staff=True)
    posted = client.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD})
    assert posted.status_code == 302 and _signed_in_as(client) is None


def test_non_staff_are_still_kept_out_of_the_admin(client, still_clock):
    user = UserFactory(email=unique_email())
    _enable(user, still_clock)
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response.url
