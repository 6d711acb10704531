from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelegramConfig(AppConfig):
    """The installation's Telegram bot: linked chats, one-time link tokens, the updates received
    and each user's channels. On the core; the conversation that logs results is the sprints'
    (sprints/telegram/), handed to the webhook by the root URLconf."""

    name = "tracking.telegram"
    label = "telegram"
    verbose_name = _("Telegram")
