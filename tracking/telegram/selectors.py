"""What the pages and the senders read of the Telegram links."""

import hashlib
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache

from ..delivery.telegram import bot_call, telegram_configured
from ..models import User
from .models import Channels, TelegramChat

BOT_USERNAME_SECONDS = 24 * 60 * 60


def chat_of(user: User) -> TelegramChat | None:
    return TelegramChat.objects.filter(user=user).first()


def chat_by_id(chat_id: int) -> TelegramChat | None:
    return TelegramChat.objects.filter(chat_id=chat_id).select_related("user").first()


def chats_for(user_ids: Iterable[int]) -> dict[int, TelegramChat]:
    """The linked chats of these users, by user id (none when the bot is off)."""
    if not telegram_configured():
        return {}
    return {chat.user_id: chat for chat in TelegramChat.objects.filter(user_id__in=set(user_ids))}


def wants_email(chat: TelegramChat | None) -> bool:
    return chat is None or chat.channels != Channels.TELEGRAM


def wants_telegram(chat: TelegramChat | None) -> bool:
    return chat is not None and chat.channels != Channels.EMAIL


def bot_username() -> str:
    """The bot's @username from getMe, cached a day under the token's own key ("" when
    Telegram does not answer: the page says so and asks again on the next visit)."""
    if not telegram_configured():
        return ""
    key = "telegram:bot-username:" + hashlib.sha256(settings.TELEGRAM_BOT_TOKEN.encode()).hexdigest()[:16]
    if username := cache.get(key):
        return username
    answer = bot_call("getMe", {})
    username = (answer.result or {}).get("username", "") if isinstance(answer.result, dict) else ""
    if username:
        cache.set(key, username, BOT_USERNAME_SECONDS)
    return username
