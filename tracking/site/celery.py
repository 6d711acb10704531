"""The Celery app. Periodic jobs are one beat_schedule in code; run exactly one beat."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracking.site.settings")

app = Celery("tracking")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["tracking.webhooks"])  # a package of the core, not an app of its own
app.autodiscover_tasks(["sprints.telegram"])  # the bot's conversation, a package of sprints


def _every(minute: str, task: str) -> dict:
    """A periodic job: `task` run at the minutes crontab's `minute` names."""
    return {"task": task, "schedule": crontab(minute=minute)}


app.conf.beat_schedule = {
    # Reminders before each weekly review, overdue-review flags, the Monday digest and any
    # roll-up whose enqueue was lost: all written to the database first, then sent.
    "sprints-dispatch": _every("*/5", "sprints.tasks.dispatch"),
    # Invitations are written to the database first; this sweep sends any whose
    # enqueue was lost (Redis down when the member was added).
    "invitations-sweep": _every("*/5", "tracking.tasks.invitations_sweep"),
    # Webhook deliveries whose enqueue was lost, and the retries whose back-off is over (the first
    # comes a minute after a failure).
    "webhooks-sweep": _every("*", "tracking.webhooks.tasks.webhooks_sweep"),
    # Telegram updates whose hand-over to a worker was lost, and the bot's answers to retry.
    "telegram-sweep": _every("*", "sprints.telegram.tasks.telegram_sweep"),
}
