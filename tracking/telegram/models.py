from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..validators import SingleLineCharField


class Channels(models.TextChoices):
    EMAIL = "email", _("E-mail only")
    TELEGRAM = "telegram", _("Telegram only")
    BOTH = "both", _("E-mail and Telegram")


class TelegramChat(models.Model):
    """A user's linked chat with the bot: one chat per user, one user per chat. Unlinking (the
    page, /stop, or the bot blocked) deletes the row."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="telegram_chat")
    chat_id = models.BigIntegerField(unique=True)
    linked_at = models.DateTimeField()
    channels = models.CharField(_("reminders by"), max_length=8, choices=Channels.choices, default=Channels.BOTH)
    # What the chat was last asked and is waiting for ({"step": "result", "action": 7, …}).
    pending = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("Telegram chat")
        verbose_name_plural = _("Telegram chats")

    def __str__(self) -> str:
        return f"{self.user} ↔ {self.chat_id}"


class TelegramLinkToken(models.Model):
    """A one-time link t.me/<bot>?start=<token>: only its SHA-256 is kept; it links once, within
    LINK_TOKEN_MINUTES."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = SingleLineCharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Telegram link")
        verbose_name_plural = _("Telegram links")

    def __str__(self) -> str:
        return f"{self.user} until {self.expires_at:%Y-%m-%d %H:%M}"


class TelegramUpdate(models.Model):
    """Each update Telegram sent, once (its update_id is unique): a replay is not applied again."""

    update_id = models.BigIntegerField(unique=True)
    payload = models.JSONField()
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Telegram update")
        verbose_name_plural = _("Telegram updates")
        indexes = [
            models.Index(
                fields=["update_id"], condition=models.Q(processed_at__isnull=True), name="telegram_update_unprocessed"
            )
        ]

    def __str__(self) -> str:
        return str(self.update_id)
