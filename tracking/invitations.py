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

import logging

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from .models import Membership

logger = logging.getLogger(__name__)

# A send that fails this many times (a bad address, a name the mail header refuses, a mail
# server that stays down) is given up and shown as failed to the people who manage the business.
MAX_ATTEMPTS = 5


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


def _message(membership: Membership) -> EmailMultiAlternatives:
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
    with translation.override(user.language):
        subject = render_to_string("tracking/email/invitation_subject.txt", context).strip()
        text = render_to_string("tracking/email/invitation.txt", context)
        html = render_to_string("tracking/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    return message


def invitation_deliver(*, membership_id: int) -> bool:
    """Send the invitation e-mail once. The row lock makes a second, concurrent run wait and
    then find it sent; returns whether this call sent it.

    A failed send counts as an attempt (committed) and is raised again so the task backs
    off and retries; after MAX_ATTEMPTS the invitation is marked failed and never retried."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update(of=("self",))
            .select_related("user", "company", "invited_by")
            .filter(pk=membership_id)
            .first()
        )
        if (
            membership is None
            or membership.accepted_at
            or membership.invitation_sent_at
            or membership.invitation_failed_at
        ):
            return False
        membership.invitation_attempts += 1
        fields = ["invitation_attempts"]
        try:
            _message(membership).send()
        except Exception as error:
            failure = error
            if membership.invitation_attempts >= MAX_ATTEMPTS:
                membership.invitation_failed_at = timezone.now()
                fields.append("invitation_failed_at")
                logger.error("Invitation %s failed %s times, given up: %s", membership.pk, MAX_ATTEMPTS, error)
        else:
            membership.invitation_sent_at = timezone.now()
            fields.append("invitation_sent_at")
            failure = None
        membership.save(update_fields=fields)
    if failure is not None and membership.invitation_failed_at is None:
        raise failure
    return failure is None


def invitations_unsent() -> list[int]:
    """Pending invitations whose e-mail has not gone out (their enqueue was lost, or the
    last try failed), and that are neither given up nor too old for their link."""
    horizon = timezone.now() - timezone.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    return list(
        Membership.objects.pending()
        .filter(invitation_sent_at__isnull=True, invitation_failed_at__isnull=True, created_at__gte=horizon)
        .values_list("pk", flat=True)
    )
