"""The outbox's rows: every message the product delivers. A model of the `tracking` app (its
migrations hold it), defined here and imported by tracking/models.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..validators import MultiLineTextField, SingleLineCharField


class OutboxChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")
    TELEGRAM = "telegram", _("Telegram")


class OutboxMessage(models.Model):
    """One message to one person, written before it is sent under a key that names what it is
    about ("reminder:42", "invitation:17", "report:9:user:3"), so each goes out once.
    The outbox (outbox.py) writes, sends and retries them; nothing else sends."""

    key = SingleLineCharField(max_length=120, unique=True)
    # What the message is about ("report:9" for each member's "report:9:user:3"): how the
    # product finds the messages of a reminder, a report or an invitation.
    about = SingleLineCharField(max_length=100, db_index=True)
    channel = models.CharField(max_length=16, choices=OutboxChannel.choices, default=OutboxChannel.EMAIL)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where it goes on its channel: an e-mail address, a webhook's URL or a Telegram chat's id
    # when it was written.
    address = SingleLineCharField(max_length=254)
    # Rendered when written, in the recipient's language: a retry sends the same message. A
    # webhook's subject is its event type and its text the JSON body, signed when it is sent; a
    # Telegram message's subject is its Bot API method and its text the method's JSON parameters.
    subject = MultiLineTextField()
    text = MultiLineTextField()
    html = MultiLineTextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # not tried again before
    failed_at = models.DateTimeField(null=True, blank=True)  # given up after the last attempt
    last_error = MultiLineTextField(blank=True)

    class Meta:
        app_label = "tracking"
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outbox_unsent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.address}"
