"""Register the bot's webhook with Telegram: setWebhook to SITE_URL/telegram/webhook/ with the
installation's secret, which Telegram then sends back in every update's header."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from tracking.delivery.telegram import bot_call, telegram_configured


class Command(BaseCommand):
    help = "Register the Telegram bot's webhook (setWebhook with the secret token)."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="The webhook's public URL (default: SITE_URL + /telegram/webhook/).")

    def handle(self, *args, url=None, **options):
        if not telegram_configured():
            raise CommandError("Set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET first.")
        url = url or settings.SITE_URL + reverse("telegram_webhook")
        if not url.startswith("https://"):
            raise CommandError(f"Telegram sends updates to an https:// address only, not {url}.")
        answer = bot_call(
            "setWebhook",
            {
                "url": url,
                "secret_token": settings.TELEGRAM_WEBHOOK_SECRET,
                "allowed_updates": ["message", "callback_query"],
                "drop_pending_updates": False,
            },
        )
        if not answer.delivered:
            raise CommandError(f"Telegram refused the webhook: {answer.status or ''} {answer.error}".strip())
        self.stdout.write(f"Webhook registered: {url}")
