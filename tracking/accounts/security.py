"""Sign-in throttling, the sign-in audit and ending sessions.

Throttling (why this shape)
---------------------------
Two counters, each a fixed window that starts at its first failure:

- per address, across accounts: LOGIN_THROTTLE_PER_ADDRESS failures (5) in
  LOGIN_THROTTLE_ADDRESS_WINDOW_SECONDS (15 min). One address guessing at one account, or
  spraying one password over 30 accounts, gets 5 tries and is then refused.
- per account, across addresses: LOGIN_THROTTLE_PER_ACCOUNT failures (20) in
  LOGIN_THROTTLE_ACCOUNT_WINDOW_SECONDS (15 min), then the account is locked for
  LOGIN_LOCKOUT_SECONDS (30 min) with a message that says so and points to the password
  reset, which lifts the lock (it proves the mailbox). This stops guessing from many
  addresses.

The account limit is four times the address limit on purpose: an attacker at one address
is refused after 5 failures and never reaches 20, so the real owner still signs in from
their own address while the attacker is throttled. Only an attack from five or more
addresses locks the account, and then everybody sees why and how to get back in.
Unknown e-mail addresses are counted and locked like real ones, so neither the answers nor
the lock tell whether an account exists.

Counting is atomic: every attempt is counted *before* the password is checked, with Redis
INCR (Django's `cache.add(key, 0, timeout)` then `cache.incr(key)`), and the decision uses
the value that increment returned. Forty parallel tries therefore get exactly the limit
evaluated, never "everybody read 4 and went ahead". A right password gives its count back,
so only failures use up the limit. The first increment also sets the expiry (`touch`), so a
key recreated by a race can never live forever. A dead cache fails open: the sign-in works
and the outage is logged, nobody is locked out by it. Without Redis (the embedded default)
the cache is a PostgreSQL table whose increment is one UPDATE … RETURNING
(tracking/accounts/counter_cache.py): just as atomic.

Why not django-axes: it counts failures after the password was checked (so parallel tries
overshoot, the finding this module fixes), keeps its counters in the database by default,
and its lockout parameters combine address and account into one key or lock either one
outright, not "a low per-address limit plus a higher per-account lock". This is about 150
lines we can test end to end.

Password-reset requests are throttled the same way, per address and per e-mail typed.

The audit (`SignInEvent`) records sign-ins, failures (also for unknown e-mails, with no
user), lockouts, password changes and resets, with address and browser. Failures and
locks also go to the `tracking.accounts.security` logger. Each attempt writes at most one row and
refused attempts write none (except the one that sets a lock), so the table grows no
faster than the throttle lets attempts through.
"""

import contextlib
import hashlib
import ipaddress
import logging
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.http import base36_to_int
from django.utils.translation import ngettext_lazy

from .models import SignInEvent, SignInEventKind, User

logger = logging.getLogger(__name__)

AUDIT_PAGE_SIZE = 50


# --- Request facts --------------------------------------------------------------------


@dataclass(frozen=True)
class Client:
    """Who is knocking: the address (None when it is not an IP) and the browser."""

    ip: str | None
    user_agent: str

    @classmethod
    def of(cls, request) -> "Client":
        address = request.META.get("REMOTE_ADDR", "")
        try:
            ip = str(ipaddress.ip_address(address))
        except ValueError:
            ip = None
        return cls(ip=ip, user_agent=_printable(request.META.get("HTTP_USER_AGENT", ""))[:200])


def _printable(text: str) -> str:
    """No NUL or other control characters (PostgreSQL refuses NUL in text)."""
    return "".join(ch for ch in text if ch.isprintable())


def normalize_email(email: str) -> str:
    return _printable((email or "").strip().lower())[:254]


def _digest(value: str) -> str:
    """Keys carry a hash, not the typed text: any length, any character, no PII in Redis."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]


# --- Atomic counters ------------------------------------------------------------------


def counter_hit(key: str, window: int) -> int:
    """Count one event under `key` in a window of `window` seconds, and return the new
    count. Atomic in the store (Redis, or the embedded default's table), one round trip: the
    caller decides on the returned value, never on a read."""
    return cache.hit(key, window)


def counter_give_back(key: str) -> None:
    with contextlib.suppress(ValueError):
        cache.decr(key)


def _address_key(ip: str | None) -> str:
    return f"signin:addr:{ip or 'unknown'}"


def _account_key(email: str) -> str:
    return f"signin:acct:{_digest(email)}"


def _lock_key(email: str) -> str:
    return f"signin:lock:{_digest(email)}"


# --- Sign-in throttle -----------------------------------------------------------------


@dataclass
class LoginAttempt:
    """One sign-in attempt, counted before the password is checked.

    `refusal` is the message to show when it is refused (the password is then not checked)."""

    client: Client
    email: str
    counted_keys: tuple[str, ...] = ()
    refusal: str = ""

    @property
    def allowed(self) -> bool:
        return not self.refusal


def _wait_refusal(message, seconds: int) -> str:
    """A refusal that says how long to wait: `message` is counted by "minutes" (ngettext_lazy),
    here the `seconds` in whole minutes, one at least."""
    return message % {"minutes": max(1, (seconds + 59) // 60)}


_ADDRESS_REFUSAL = ngettext_lazy(
    "Too many failed sign-ins from your address. Wait %(minutes)d minute and try again.",
    "Too many failed sign-ins from your address. Wait %(minutes)d minutes and try again.",
    "minutes",
)
_ACCOUNT_REFUSAL = ngettext_lazy(
    "This account is locked for %(minutes)d minute after too many failed sign-ins. "
    "Wait, or reset your password by e-mail to unlock it now.",
    "This account is locked for %(minutes)d minutes after too many failed sign-ins. "
    "Wait, or reset your password by e-mail to unlock it now.",
    "minutes",
)


def login_attempt_start(*, client: Client, email: str) -> LoginAttempt:
    """Count an attempt against its address and its account; refuse it when either is over
    its limit or the account is locked. Fails open when the cache is down."""
    email = normalize_email(email)
    attempt = LoginAttempt(client=client, email=email)
    try:
        address_key = _address_key(client.ip)
        address_count = counter_hit(address_key, settings.LOGIN_THROTTLE_ADDRESS_WINDOW_SECONDS)
        attempt.counted_keys = (address_key,)
        if address_count > settings.LOGIN_THROTTLE_PER_ADDRESS:
            attempt.refusal = _wait_refusal(_ADDRESS_REFUSAL, settings.LOGIN_THROTTLE_ADDRESS_WINDOW_SECONDS)
            if address_count == settings.LOGIN_THROTTLE_PER_ADDRESS + 1:  # log once per window
                logger.warning("sign-in throttled: address %s after %d failures", client.ip, address_count - 1)
                sign_in_event_record(kind=SignInEventKind.LOCKED_OUT, client=client, email=email)
            return attempt
        if not email:
            return attempt  # nothing to check against an account: the form refuses it
        if cache.get(_lock_key(email)):
            attempt.refusal = _wait_refusal(_ACCOUNT_REFUSAL, settings.LOGIN_LOCKOUT_SECONDS)
            return attempt
        account_key = _account_key(email)
        account_count = counter_hit(account_key, settings.LOGIN_THROTTLE_ACCOUNT_WINDOW_SECONDS)
        attempt.counted_keys = (address_key, account_key)
        if account_count > settings.LOGIN_THROTTLE_PER_ACCOUNT:
            attempt.refusal = _wait_refusal(_ACCOUNT_REFUSAL, settings.LOGIN_LOCKOUT_SECONDS)
            if cache.add(_lock_key(email), 1, settings.LOGIN_LOCKOUT_SECONDS):
                logger.warning("sign-in locked: account %s after %d failures", email, account_count - 1)
                sign_in_event_record(kind=SignInEventKind.LOCKED_OUT, client=client, email=email)
    except Exception:
        logger.exception("sign-in throttle unavailable: letting the attempt through")
        attempt.refusal = ""
    return attempt


def login_succeeded(*, attempt: LoginAttempt, user: User) -> None:
    """A right password: its count is given back (only failures use up the limits)."""
    with contextlib.suppress(Exception):
        for key in attempt.counted_keys:
            counter_give_back(key)
    sign_in_event_record(kind=SignInEventKind.SIGNED_IN, client=attempt.client, email=user.email, user=user)


def login_failed(*, attempt: LoginAttempt) -> None:
    """A wrong password or an unknown account: the count stays, the audit gets a line."""
    logger.info("sign-in failed: %s from %s", attempt.email, attempt.client.ip)
    sign_in_event_record(kind=SignInEventKind.FAILED, client=attempt.client, email=attempt.email)


def account_unlock(*, email: str) -> None:
    """The owner proved the mailbox (a password reset): lift the lock and its count."""
    email = normalize_email(email)
    with contextlib.suppress(Exception):
        cache.delete_many([_lock_key(email), _account_key(email)])


# --- Password-reset throttle ----------------------------------------------------------


def password_reset_allowed(*, client: Client, email: str) -> bool:
    """Count a reset request against its address and the e-mail typed (known or not, so the
    answer never tells). Fails open when the cache is down."""
    window = settings.PASSWORD_RESET_THROTTLE_WINDOW_SECONDS
    try:
        by_address = counter_hit(f"reset:addr:{client.ip or 'unknown'}", window)
        if by_address > settings.PASSWORD_RESET_THROTTLE_PER_ADDRESS:
            return False
        by_email = counter_hit(f"reset:email:{_digest(normalize_email(email))}", window)
        if by_email > settings.PASSWORD_RESET_THROTTLE_PER_EMAIL:
            logger.warning("password reset throttled: %s from %s", normalize_email(email), client.ip)
            return False
    except Exception:
        logger.exception("password-reset throttle unavailable: letting the request through")
    return True


_PASSWORD_RESET_REFUSAL = ngettext_lazy(
    "Too many reset requests. Wait %(minutes)d minute and try again.",
    "Too many reset requests. Wait %(minutes)d minutes and try again.",
    "minutes",
)


def password_reset_refusal() -> str:
    return _wait_refusal(_PASSWORD_RESET_REFUSAL, settings.PASSWORD_RESET_THROTTLE_WINDOW_SECONDS)


class PasswordResetTokens(PasswordResetTokenGenerator):
    """Django's reset token with its own lifetime, PASSWORD_RESET_LINK_SECONDS (an hour):
    PASSWORD_RESET_TIMEOUT is the week an invitation link lives."""

    def check_token(self, user, token) -> bool:
        if not super().check_token(user, token):
            return False
        issued = base36_to_int(token.split("-")[0])
        return self._num_seconds(self._now()) - issued <= settings.PASSWORD_RESET_LINK_SECONDS


password_reset_tokens = PasswordResetTokens()


# --- Audit (writes and the one read) --------------------------------------------------


def sign_in_event_record(*, kind: SignInEventKind, client: Client, email: str, user: User | None = None) -> SignInEvent:
    """One line of the audit. `user` is looked up from the e-mail when not given (and stays
    empty for an unknown address)."""
    email = normalize_email(email)
    if user is None and email:
        user = User.objects.filter(email__iexact=email).first()
    event = SignInEvent(
        user=user,
        email=email,
        kind=kind,
        ip=client.ip,
        user_agent=client.user_agent,
        at=timezone.now(),
    )
    event.full_clean()
    event.save()
    return event


def sign_in_events_recent(*, user: User) -> QuerySet[SignInEvent]:
    """The user's own audit, newest first, the last AUDIT_PAGE_SIZE lines."""
    return SignInEvent.objects.filter(user=user).order_by("-at", "-pk")[:AUDIT_PAGE_SIZE]


# --- Passwords and sessions -----------------------------------------------------------


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """Delete every session of the user except `keep_session_key`; return how many.

    Sessions live in the database (SESSION_ENGINE is Django's default), which has no index
    by user, so the unexpired ones are decoded in batches. That is a scan of live sessions,
    fine for deactivations and password changes, which are rare."""
    store = _session_store()
    model = store.get_model_class()
    doomed = []
    live = model.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
    for session in live.iterator(chunk_size=2000):
        if session.session_key == keep_session_key:
            continue
        data = store().decode(session.session_data)
        if str(data.get("_auth_user_id")) == str(user.pk):
            doomed.append(session.session_key)
    model.objects.filter(session_key__in=doomed).delete()
    return len(doomed)


def password_changed(*, user: User, client: Client, current_session_key: str | None) -> None:
    """After a password change: every other session ends, the audit gets a line."""
    user_sessions_end(user=user, keep_session_key=current_session_key)
    sign_in_event_record(kind=SignInEventKind.PASSWORD_CHANGED, client=client, email=user.email, user=user)


def password_was_reset(*, user: User, client: Client) -> None:
    """After a reset by e-mail: all sessions end, the lock is lifted, the audit gets a line."""
    user_sessions_end(user=user)
    account_unlock(email=user.email)
    sign_in_event_record(kind=SignInEventKind.PASSWORD_RESET, client=client, email=user.email, user=user)
