"""A message by the channels its recipient chose: e-mail, Telegram or both, each under its own
outbox key ("<about>" and "<about>:telegram"), and the e-mail standing in for a chat that
blocked the bot. What reminders and the digest share."""

from collections.abc import Callable, Sequence

from django.db import models

from tracking.delivery import outbox
from tracking.models import User
from tracking.telegram.models import TelegramChat
from tracking.telegram.selectors import chats_for, wants_email, wants_telegram
from tracking.telegram.sending import ChatSender

from .messages import in_language, outgoing

Render = Callable[[models.Model, dict | None], list]


def by_their_channels(
    about: str,
    user: User,
    chat: TelegramChat | None,
    *,
    telegram: Callable[[], dict],
    email: Callable[[], outbox.Rendered],
) -> list[outbox.Outgoing | outbox.OutgoingTelegram]:
    """The e-mail, the chat message (`telegram` rendered in the user's language), or both."""
    messages = []
    if wants_telegram(chat):
        with in_language(user):
            messages.append(outgoing(f"{about}:telegram", user, chat.chat_id, telegram()))
    if wants_email(chat):
        messages.append(outbox.Outgoing(key=about, to=user, message=email()))
    return messages


def deliver_by_their_channels(
    objects: Sequence[models.Model], *, about: Callable[[models.Model], str], render: Render, loaded: models.QuerySet
) -> int:
    """outbox_deliver for things each of one `recipient`, read from `loaded` (with what their
    messages read beside them): `render(thing, chats)` writes their messages by the recipient's
    chats; a chat that blocked the bot gets the e-mail instead (the thing read again from
    `loaded` by the pk its about names, rendered with no chat)."""
    chats = chats_for(obj.recipient_id for obj in objects)

    def email_instead(row) -> None:
        outbox.outbox_add(row.about, render(loaded.get(pk=int(row.about.rsplit(":", 1)[1])), None))

    return outbox.outbox_deliver(
        objects,
        about=about,
        render=lambda obj: render(obj, chats),
        telegram=ChatSender(on_blocked=email_instead) if chats else None,
    )
