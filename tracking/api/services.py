"""Every write of API tokens: made, revoked, marked as used."""

import hashlib
import secrets
import string
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.utils import timezone

from ..access import ensure_can
from ..models import Membership
from ..roles import Permission
from .models import PREFIX_START, ApiToken

PREFIX_ALPHABET = string.ascii_lowercase + string.digits
# A request marks its token as used only when the mark is older than this: one write a minute
# at most, not one per request.
LAST_USED_PRECISION = timedelta(minutes=1)


class IssuedToken(NamedTuple):
    token: ApiToken
    plaintext: str  # shown once, never stored


def token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, by: Membership, name: str, scopes: list[str], expires_at: datetime | None = None
) -> IssuedToken:
    """A new token of `by`'s business acting as `by`: `spt_` and 8 characters, the prefix shown
    in lists, then `_` and a 32-byte random secret (43 characters)."""
    ensure_can(by, Permission.MANAGE_COMPANY)
    prefix = PREFIX_START + "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(8))
    plaintext = f"{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        company=by.company,
        name=name.strip(),
        prefix=prefix,
        secret_hash=token_hash(plaintext),
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
        created_by=by.user,
    )
    token.full_clean()
    token.save()
    return IssuedToken(token, plaintext)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: Membership) -> ApiToken:
    """Revoked at once and for good; revoking it again changes nothing."""
    ensure_can(by, Permission.MANAGE_COMPANY)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_mark_used(*, token: ApiToken, now: datetime) -> None:
    """The last-used time, to the minute. One conditional UPDATE (no transaction of its own:
    parallel requests of the same minute update it once)."""
    stale = now - LAST_USED_PRECISION
    if token.last_used_at is not None and token.last_used_at > stale:
        return
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gt=stale).update(last_used_at=now)
    token.last_used_at = now
