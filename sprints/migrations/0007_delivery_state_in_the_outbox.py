"""Reminders, digests and reports read what happened to their messages from the outbox alone.
A row whose own columns say its message went out or was given up, but that has no message in
the outbox, gets one standing for it (empty, never sent), so it does not go out again."""

from django.db import migrations

# (what the messages are about, table, its column for sent)
THINGS = [
    ("reminder", "sprints_reminder", "sent_at"),
    ("digest", "sprints_digest", "sent_at"),
    ("report", "sprints_sprintreport", "emailed_at"),
]
RECIPIENT = {"reminder": "t.recipient_id", "digest": "t.recipient_id", "report": "NULL"}


def _keep(kind: str, table: str, sent: str) -> str:
    recipient = RECIPIENT[kind]
    return f"""
        INSERT INTO tracking_outboxmessage (key, about, channel, recipient_id, address, subject, text, html,
                                            created_at, sent_at, attempts, next_attempt_at, failed_at, last_error)
        SELECT '{kind}:' || t.id, '{kind}:' || t.id, 'email', {recipient}, COALESCE(u.email, ''), '', '', '',
               t.created_at, t.{sent}, t.attempts, NULL, t.failed_at, t.last_error
        FROM {table} t LEFT JOIN tracking_user u ON u.id = {recipient}
        WHERE (t.{sent} IS NOT NULL OR t.failed_at IS NOT NULL)
          AND NOT EXISTS (SELECT 1 FROM tracking_outboxmessage o WHERE o.about = '{kind}:' || t.id)
        ON CONFLICT (key) DO NOTHING
    """


COPIED = {
    "reminder": ["sent_at", "attempts", "next_attempt_at", "failed_at", "last_error"],
    "digest": ["sent_at", "attempts", "next_attempt_at", "failed_at", "last_error"],
    "sprintreport": ["emailed_at", "attempts", "next_attempt_at", "failed_at", "last_error"],
}


class Migration(migrations.Migration):
    dependencies = [
        ("sprints", "0006_text_without_control_characters"),
        ("tracking", "0006_outbox"),
    ]

    operations = [
        *(migrations.RunSQL(_keep(*thing), migrations.RunSQL.noop) for thing in THINGS),
        migrations.RemoveIndex(model_name="reminder", name="reminder_unsent"),
        *(migrations.RemoveField(model_name=model, name=name) for model, names in COPIED.items() for name in names),
    ]
