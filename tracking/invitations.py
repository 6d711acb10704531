"""Invitation links for people added by e-mail who have no account yet.

The link carries Django's password-reset token: it stops working once the person has set a
password (the token hashes the password) or after PASSWORD_RESET_TIMEOUT.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from .models import Membership, User


def invitation_path(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("invitation_accept", kwargs={"uidb64": uidb64, "token": token})


def invitation_user(uidb64: str, token: str) -> User | None:
    """The invited, not yet active user the link belongs to, or None for a bad/old link."""
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)), is_active=False)
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        return None
    return user if default_token_generator.check_token(user, token) else None


@transaction.atomic
def invitation_deliver(*, membership_id: int) -> bool:
    """Send the invitation e-mail once. The row lock makes a second, concurrent run wait and
    then find it sent; returns whether this call sent it."""
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "company", "invited_by")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None or membership.invitation_sent_at or membership.user.is_active:
        return False
    user = membership.user
    context = {
        "membership": membership,
        "company": membership.company,
        "inviter": membership.invited_by,
        "link": settings.SITE_URL + invitation_path(user),
    }
    with translation.override(user.language):
        subject = render_to_string("tracking/email/invitation_subject.txt", context).strip()
        text = render_to_string("tracking/email/invitation.txt", context)
        html = render_to_string("tracking/email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()
    membership.invitation_sent_at = timezone.now()
    membership.save(update_fields=["invitation_sent_at"])
    return True


def invitations_unsent() -> list[int]:
    """Pending invitations whose e-mail has not gone out (their enqueue was lost)."""
    horizon = timezone.now() - timezone.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    return list(
        Membership.objects.filter(
            invitation_sent_at__isnull=True, user__is_active=False, created_at__gte=horizon
        ).values_list("pk", flat=True)
    )
