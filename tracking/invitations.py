"""Invitations: a membership that waits for the invited person to accept it.

An invitation belongs to one business and one inviter (the pending `Membership` row) and
gives no access until it is accepted:
- a person with no account gets an e-mail with a link to choose a password; the link is
  only ever e-mailed, never shown on a page. Its token is bound to that one membership and
  to the account's password hash, so it stops working once any password is set (by this
  link or another business's), once the invitation is answered, or after
  PASSWORD_RESET_TIMEOUT. The link sets a password only for an account that has none.
- a person with an account gets an e-mail that points to their portfolio, where they accept
  or decline it. Nobody is added to a business without their consent.

The inviter sees the same message in both cases, so adding an address does not tell
whether it has an account.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from .delivery import outbox
from .models import Membership


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's password-reset token, bound to one membership instead of one user."""

    key_salt = "tracking.invitations.InvitationTokenGenerator"

    def _make_hash_value(self, membership: Membership, timestamp: int) -> str:
        user = membership.user
        return f"{membership.pk}:{membership.company_id}:{user.pk}:{user.password}:{membership.accepted_at}:{timestamp}"


invitation_tokens = InvitationTokenGenerator()


def invitation_path(membership: Membership) -> str:
    """The link that lets the invited person of a new account choose a password."""
    idb64 = urlsafe_base64_encode(force_bytes(membership.pk))
    token = invitation_tokens.make_token(membership)
    return reverse("invitation_accept", kwargs={"uidb64": idb64, "token": token})


def invitation_by_link(idb64: str, token: str) -> Membership | None:
    """The pending invitation of an account without a password the link belongs to, or None
    for a bad, old or used link."""
    try:
        membership = Membership.objects.select_related("user", "company", "invited_by").get(
            pk=force_str(urlsafe_base64_decode(idb64)), accepted_at__isnull=True
        )
    except (Membership.DoesNotExist, ValueError, TypeError, OverflowError):
        return None
    if membership.user.has_usable_password() or not invitation_tokens.check_token(membership, token):
        return None
    return membership


def _about(membership: Membership) -> str:  # outbox.undelivered("invitation", …) reads the same key
    return f"invitation:{membership.pk}"


def _messages(membership: Membership) -> list[outbox.Outgoing]:
    user = membership.user
    new_account = not user.has_usable_password()
    path = invitation_path(membership) if new_account else reverse("tracking:portfolio") + "#invitations"
    context = {
        "membership": membership,
        "company": membership.company,
        "inviter": membership.invited_by,
        "new_account": new_account,
        "link": settings.SITE_URL + path,
    }
    rendered = outbox.email_render("tracking/email/invitation", context, language=user.language)
    return [outbox.Outgoing(key=_about(membership), to=user, message=rendered)]


def invitation_deliver(*, membership_id: int) -> bool:
    """Send the invitation e-mail once, through the outbox (which backs off after a failure
    and gives up after its last attempt); returns whether this call sent it."""
    pending = list(
        Membership.objects.pending()
        .filter(outbox.undelivered("invitation", timezone.now()), pk=membership_id)
        .select_related("user", "company", "invited_by")
    )
    return outbox.outbox_deliver(pending, about=_about, render=_messages) == 1


def invitations_unsent() -> list[int]:
    """Pending invitations whose e-mail has not gone out (their enqueue was lost, or the
    last try failed and its back-off has passed), and that are neither given up nor too old
    for their link."""
    horizon = timezone.now() - timezone.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    return list(
        Membership.objects.pending()
        .filter(outbox.undelivered("invitation", timezone.now()), created_at__gte=horizon)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
