"""Optional two-factor sign-in: a TOTP authenticator app, with recovery codes.

Any user may turn it on from the account pages; it is meant for trackers, who see every
business they track. The secrets, the TOTP check (with a used code refused again for its
whole window) and the recovery codes are django-allauth's MFA pieces (`Authenticator`,
`TOTP`, `RecoveryCodes`); sign-in stays our own view (views.py):

1. a right password for a user with TOTP on does not sign in: the user id waits in the
   session for TWO_FACTOR_PENDING_SECONDS, with the password's session hash, so a password
   change or reset in between voids it;
2. the second step takes a 6-digit code or one recovery code. Every code, right or wrong,
   is counted by the sign-in throttle (security.py) against the address and the
   account before it is checked; a right one gives its count back, signs in, records
   SIGNED_IN and marks the session as having passed the second step; a wrong one records
   FAILED.

The admin (AdminTwoFactorMiddleware) asks a staff user with 2FA on for the second step
when the session has not passed it, and sends its own sign-in form to ours, so no one
reaches the admin, or the site through the admin's form, with the password alone.
"""

import contextlib
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

import qrcode
from allauth.core.internal.cryptokit import normalize_user_code
from allauth.mfa.adapter import get_adapter as mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal import auth as totp_auth
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from qrcode.image.svg import SvgPathFillImage

from . import security
from .models import User

PENDING_KEY = "two_factor_pending"
PASSED_KEY = "two_factor_passed"
SETUP_SECRET_KEY = "two_factor_setup_secret"
SHOW_CODES_KEY = "two_factor_show_codes"

TOTP = Authenticator.Type.TOTP
RECOVERY_CODES = Authenticator.Type.RECOVERY_CODES


# --- Reads ----------------------------------------------------------------------------


def two_factor_enabled(*, user) -> bool:
    return bool(user.is_authenticated and Authenticator.objects.filter(user_id=user.pk, type=TOTP).exists())


def recovery_codes_unused(*, user: User) -> list[str]:
    authenticator = Authenticator.objects.filter(user_id=user.pk, type=RECOVERY_CODES).first()
    return authenticator.wrap().get_unused_codes() if authenticator else []


def session_passed(session) -> bool:
    return bool(session.get(PASSED_KEY))


# --- Setting up -----------------------------------------------------------------------


def setup_secret(*, session) -> str:
    """The secret being set up, kept in the session until a first code confirms it."""
    secret = session.get(SETUP_SECRET_KEY)
    if not secret:
        secret = session[SETUP_SECRET_KEY] = totp_auth.generate_totp_secret()
    return secret


def totp_uri(*, user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return mfa_adapter().build_totp_url(user, secret)


def qr_svg(*, text: str) -> str:
    """`text` as a QR code in inline SVG (one path on white, no styles or scripts)."""
    image = qrcode.make(text, image_factory=SvgPathFillImage, border=2)
    return image.to_string(encoding="unicode")


# --- Codes, counted by the sign-in throttle -------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    """The answer to one code: right or not, or `refusal` when the throttle refused it."""

    ok: bool
    refusal: str = ""
    recovery_code_used: bool = False


def _clean(code: str) -> str:
    return normalize_user_code(code or "")[:32]


def _code_verify(*, user: User, code: str) -> Authenticator | None:
    """The authenticator `code` is right for (each code works once), or None."""
    totp = Authenticator.objects.filter(user_id=user.pk, type=TOTP).first()
    if totp is None:
        return None
    if totp.wrap().validate_code(code):
        return totp
    recovery = Authenticator.objects.filter(user_id=user.pk, type=RECOVERY_CODES).first()
    if recovery is not None and recovery.wrap().validate_code(code):
        return recovery
    return None


def _counted(*, client: security.Client, user: User, verify, signing_in: bool) -> CodeCheck:
    attempt = security.login_attempt_start(client=client, email=user.email)
    if not attempt.allowed:
        return CodeCheck(ok=False, refusal=attempt.refusal)
    authenticator = verify()
    if authenticator is None:
        security.login_failed(attempt=attempt)
        return CodeCheck(ok=False)
    if signing_in:
        security.login_succeeded(attempt=attempt, user=user)
    else:
        _give_back(attempt)
    if isinstance(authenticator, Authenticator):
        authenticator.record_usage()
        return CodeCheck(ok=True, recovery_code_used=authenticator.type == RECOVERY_CODES)
    return CodeCheck(ok=True)


def _give_back(attempt: security.LoginAttempt) -> None:
    with contextlib.suppress(Exception):
        for key in attempt.counted_keys:
            security.counter_give_back(key)


def code_check(*, client: security.Client, user: User, code: str, signing_in: bool = False) -> CodeCheck:
    """Check a current code or a recovery code of a user with 2FA on, counted by the
    throttle. `signing_in` records the sign-in in the audit when the code is right."""
    return _counted(
        client=client, user=user, verify=lambda: _code_verify(user=user, code=_clean(code)), signing_in=signing_in
    )


# --- The pending sign-in (between the password and the code) --------------------------


def sign_in_pending_start(*, session, user: User, backend: str, attempt: security.LoginAttempt) -> None:
    """A right password for a user with 2FA on: no sign-in yet, the user waits for a code.
    The password's count is given back; the code is counted on its own."""
    _give_back(attempt)
    until = timezone.now() + timedelta(seconds=settings.TWO_FACTOR_PENDING_SECONDS)
    session[PENDING_KEY] = {
        "user_id": user.pk,
        "backend": backend,
        "hash": user.get_session_auth_hash(),
        "until": until.timestamp(),
    }


def sign_in_pending(*, session) -> tuple[User, str] | None:
    """The user waiting for a code and their backend, or None (none, expired, or the
    password changed since)."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if timezone.now().timestamp() > pending.get("until", 0):
        sign_in_pending_clear(session=session)
        return None
    user = User.objects.filter(pk=pending.get("user_id"), is_active=True).first()
    if user is None or user.get_session_auth_hash() != pending.get("hash"):
        sign_in_pending_clear(session=session)
        return None
    return user, pending["backend"]


def sign_in_pending_clear(*, session) -> None:
    session.pop(PENDING_KEY, None)


def session_mark_passed(*, session) -> None:
    """This session passed the second step (after `login()`, which may start a new one)."""
    sign_in_pending_clear(session=session)
    session[PASSED_KEY] = True


def setup_done(*, session) -> None:
    """2FA just went on in this session: the secret leaves the session, which has proved a
    code, and the recovery codes are shown on the next page."""
    session.pop(SETUP_SECRET_KEY, None)
    session_mark_passed(session=session)
    recovery_codes_show_next(session=session)


def recovery_codes_show_next(*, session) -> None:
    session[SHOW_CODES_KEY] = True


def recovery_codes_to_show(*, session) -> bool:
    """True once after new recovery codes were made: they are shown that one time."""
    return bool(session.pop(SHOW_CODES_KEY, False))


# --- Writes ---------------------------------------------------------------------------


@transaction.atomic
def two_factor_enable(*, user: User, secret: str, session_key: str | None) -> list[str]:
    """Turn TOTP on with `secret` (its first code already checked), with fresh recovery
    codes, and end the user's other sessions (they only passed the password). Returns the
    recovery codes, to show once."""
    User.objects.select_for_update().get(pk=user.pk)
    if Authenticator.objects.filter(user_id=user.pk, type=TOTP).exists():
        raise ValidationError(_("Two-factor sign-in is already on."))
    totp_auth.TOTP.activate(user, secret)
    Authenticator.objects.filter(user_id=user.pk, type=RECOVERY_CODES).delete()
    codes = RecoveryCodes.activate(user).generate_codes()
    security.user_sessions_end(user=user, keep_session_key=session_key)
    return codes


def setup_code_check(*, client: security.Client, user: User, secret: str, code: str) -> CodeCheck:
    """The first code from the app, for the secret being set up, counted by the throttle."""
    return _counted(
        client=client,
        user=user,
        verify=lambda: True if totp_auth.validate_totp_code(secret, _clean(code)) else None,
        signing_in=False,
    )


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    """Turn 2FA off: the TOTP secret and the recovery codes are deleted."""
    User.objects.select_for_update().get(pk=user.pk)
    Authenticator.objects.filter(user_id=user.pk, type__in=[TOTP, RECOVERY_CODES]).delete()


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """A new set of recovery codes; the old ones stop working. Returns them, to show once."""
    User.objects.select_for_update().get(pk=user.pk)
    if not Authenticator.objects.filter(user_id=user.pk, type=TOTP).exists():
        raise ValidationError(_("Two-factor sign-in is off."))
    Authenticator.objects.filter(user_id=user.pk, type=RECOVERY_CODES).delete()
    return RecoveryCodes.activate(user).generate_codes()


# --- The admin ------------------------------------------------------------------------


class AdminTwoFactorMiddleware:
    """The admin (at settings.ADMIN_URL) wants the second step from staff with 2FA on, and
    its own sign-in form is ours (throttled, with the second step)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/" + settings.ADMIN_URL):
            redirect = self._redirect(request)
            if redirect is not None:
                return redirect
        return self.get_response(request)

    def _redirect(self, request) -> HttpResponseRedirect | None:
        user = request.user
        if not user.is_authenticated:
            if request.path_info == reverse("admin:login"):
                next_url = request.GET.get("next") or reverse("admin:index")
                return HttpResponseRedirect(f"{reverse('login')}?{urlencode({'next': next_url})}")
            return None
        if user.is_staff and not session_passed(request.session) and two_factor_enabled(user=user):
            return HttpResponseRedirect(f"{reverse('login_two_factor')}?{urlencode({'next': request.path})}")
        return None
