"""Sending the Telegram rows of the outbox: each a Bot API call with its stored parameters. A
chat that blocked the bot (403) is unlinked, and whoever wrote the message may stand an e-mail
in for it (`on_blocked`, in the transaction that gives the row up)."""

import json
from collections.abc import Callable

from django.utils import timezone

from ..delivery.outbox import OutgoingTelegram, outbox_add, outbox_due, outbox_send
from ..delivery.telegram import BotAnswer, bot_call, telegram_configured
from ..delivery.webhook import Attempt
from ..models import OutboxChannel, OutboxMessage
from .services import chat_unlink

REPLY_ABOUT = "telegram-update:"


class ChatSender:
    """The outbox's TelegramSender."""

    def __init__(self, on_blocked: Callable[[OutboxMessage], None] | None = None):
        self.on_blocked = on_blocked

    def send(self, row: OutboxMessage) -> BotAnswer:
        if not telegram_configured():
            return BotAnswer(None, "Telegram is not configured.", 0)
        return bot_call(row.subject, json.loads(row.text))

    def attempted(self, row: OutboxMessage, attempt: Attempt, *, gave_up: bool) -> None:
        if isinstance(attempt, BotAnswer) and attempt.blocked:
            chat_unlink(chat_id=int(row.address))
            if self.on_blocked is not None:
                self.on_blocked(row)


def replies_add(update_id: int, replies: list[OutgoingTelegram]) -> list[str]:
    """Write the bot's answers to one update (each once: keyed by the update and its place)."""
    about = f"{REPLY_ABOUT}{update_id}"
    outbox_add(about, replies)
    return [reply.key for reply in replies]


def telegram_deliver(keys: list[str]) -> int:
    return outbox_send(keys, telegram=ChatSender())


def replies_deliver_due() -> int:
    """The sweep: the bot's answers whose first try was lost, and the retries due now."""
    return telegram_deliver(outbox_due(OutboxChannel.TELEGRAM, timezone.now(), about_prefix=REPLY_ABOUT))
