"""Every write of the Telegram link: one-time link tokens, linking and unlinking a chat, a
user's channels, and each update received once."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import User
from .models import Channels, TelegramChat, TelegramLinkToken, TelegramUpdate

LINK_TOKEN_MINUTES = 15


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def link_token_create(*, user: User) -> str:
    """A new one-time token for `user`'s link (its hash is kept, the token shown once)."""
    now = timezone.now()
    token = secrets.token_urlsafe(24)  # 32 characters: within /start's 64
    TelegramLinkToken.objects.create(
        user=user, token_hash=token_hash(token), created_at=now, expires_at=now + timedelta(minutes=LINK_TOKEN_MINUTES)
    )
    return token


@transaction.atomic
def chat_link(*, token: str, chat_id: int) -> TelegramChat | None:
    """Link the chat to the token's user, if the token is unused and not expired (it is used
    up); None otherwise. A chat linked to someone else before is theirs no more."""
    now = timezone.now()
    found = (
        TelegramLinkToken.objects.select_for_update()
        .filter(token_hash=token_hash(token), used_at__isnull=True, expires_at__gt=now)
        .select_related("user")
        .first()
    )
    if found is None or not found.user.is_active:
        return None
    found.used_at = now
    found.save(update_fields=["used_at"])
    TelegramChat.objects.filter(chat_id=chat_id).exclude(user=found.user).delete()
    chat, _created = TelegramChat.objects.update_or_create(
        user=found.user, defaults={"chat_id": chat_id, "linked_at": now, "pending": {}}
    )
    return chat


@transaction.atomic
def chat_unlink(*, user: User | None = None, chat_id: int | None = None) -> bool:
    """Unlink `user`'s chat, or the chat `chat_id`: reminders go by e-mail again."""
    chats = TelegramChat.objects.filter(user=user) if user is not None else TelegramChat.objects.filter(chat_id=chat_id)
    deleted, _rows = chats.delete()
    return bool(deleted)


@transaction.atomic
def channels_set(*, user: User, channels: str) -> TelegramChat:
    if channels not in Channels.values:
        raise ValidationError({"channels": _("Choose how reminders reach you.")})
    chat = TelegramChat.objects.select_for_update().filter(user=user).first()
    if chat is None:
        raise ValidationError(_("Link a Telegram chat first."))
    chat.channels = channels
    chat.save(update_fields=["channels"])
    return chat


@transaction.atomic
def chat_pending_set(*, chat: TelegramChat, pending: dict) -> TelegramChat:
    """What the chat is asked now and waits for ({} for nothing)."""
    chat.pending = pending
    TelegramChat.objects.filter(pk=chat.pk).update(pending=pending)
    return chat


def update_receive(*, payload: dict) -> TelegramUpdate | None:
    """Keep an update once; None when its update_id came before (a replay) or it has none."""
    update_id = payload.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or not 0 <= update_id < 2**63:
        return None
    try:
        with transaction.atomic():
            return TelegramUpdate.objects.create(update_id=update_id, payload=payload, received_at=timezone.now())
    except IntegrityError:
        return None
