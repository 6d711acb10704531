"""Who is calling: `Authorization: Bearer spt_…`. A token acts as the member who made it, in
their business only, in their language; each request is counted by the throttle."""

import hmac
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from ..models import Company, Membership
from . import selectors, services
from .errors import ApiError
from .models import PREFIX_LENGTH, PREFIX_START, ApiToken, Scope
from .throttle import rate_hit

# Compared against when no token has the prefix, so a miss takes as long as a wrong secret.
_NO_HASH = "0" * 64


@dataclass(frozen=True)
class Caller:
    token: ApiToken
    membership: Membership

    @property
    def company(self) -> Company:
        return self.membership.company


def _invalid() -> ApiError:
    return ApiError(401, "token_invalid", _("This API token is not valid."))


def token_authenticate(plaintext: str) -> Caller:
    """The caller a token stands for, or a 401 that says why (bad, revoked, expired, or its
    maker is no longer a member)."""
    if not plaintext.startswith(PREFIX_START) or plaintext[PREFIX_LENGTH : PREFIX_LENGTH + 1] != "_":
        raise _invalid()
    token, membership = selectors.token_by_prefix(plaintext[:PREFIX_LENGTH])
    matches = hmac.compare_digest(services.token_hash(plaintext), token.secret_hash if token else _NO_HASH)
    if token is None or not matches:
        raise _invalid()
    if token.revoked_at is not None:
        raise ApiError(401, "token_revoked", _("This API token is revoked."))
    if token.expires_at is not None and token.expires_at <= timezone.now():
        raise ApiError(401, "token_expired", _("This API token has expired."))
    if membership is None:
        raise ApiError(401, "token_invalid", _("The person who made this API token is no longer a member."))
    return Caller(token=token, membership=membership)


class TokenAuth(HttpBearer):
    def __call__(self, request):
        if not request.headers.get("Authorization"):
            return None  # ninja answers 401 "token_missing" (errors.py)
        scheme, _space, plaintext = request.headers["Authorization"].partition(" ")
        if scheme.lower() != "bearer":
            raise _invalid()
        return self.authenticate(request, plaintext.strip())

    def authenticate(self, request, token: str) -> Caller:
        caller = token_authenticate(token)
        # A page speaks its reader's language; an answer of the API, its token maker's.
        translation.activate(caller.membership.user.language or caller.company.language)
        request.api_rate = rate_hit(caller.token.pk)
        services.api_token_mark_used(token=caller.token, now=timezone.now())
        return caller


def scoped(request, scope: Scope) -> Caller:
    """The caller, if its token has `scope` (or one that covers it); else a 403."""
    caller: Caller = request.auth
    if not caller.token.allows(scope):
        raise ApiError(403, "scope_missing", _("This API token lacks the “%(scope)s” scope.") % {"scope": scope})
    return caller
