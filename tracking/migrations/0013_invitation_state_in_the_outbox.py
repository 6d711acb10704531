"""An invitation's e-mail state is read from the outbox alone. A pending membership whose own
columns say its invitation went out or was given up, but that has no message in the outbox,
gets one standing for it (empty, never sent), so it does not go out again."""

from django.db import migrations

KEEP = """
    INSERT INTO tracking_outboxmessage (key, about, channel, recipient_id, address, subject, text, html,
                                        created_at, sent_at, attempts, next_attempt_at, failed_at, last_error)
    SELECT 'invitation:' || m.id, 'invitation:' || m.id, 'email', m.user_id, u.email, '', '', '',
           m.created_at, m.invitation_sent_at, m.invitation_attempts, NULL, m.invitation_failed_at, ''
    FROM tracking_membership m JOIN tracking_user u ON u.id = m.user_id
    WHERE (m.invitation_sent_at IS NOT NULL OR m.invitation_failed_at IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM tracking_outboxmessage o WHERE o.about = 'invitation:' || m.id)
    ON CONFLICT (key) DO NOTHING
"""


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0012_counter_cache"),
    ]

    operations = [
        migrations.RunSQL(KEEP, migrations.RunSQL.noop),
        migrations.RemoveField(model_name="membership", name="invitation_sent_at"),
        migrations.RemoveField(model_name="membership", name="invitation_attempts"),
        migrations.RemoveField(model_name="membership", name="invitation_failed_at"),
    ]
