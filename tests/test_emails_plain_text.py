"""Every e-mail the product sends carries a name as typed in its subject and text part, and
escaped in its HTML part."""

import pytest
from django.core import mail

from sprints import digest, reminders
from sprints.models import Digest, Reminder, ReminderKind
from tests import clock
from tests.support.people import invite
from tests.support.sprints import report_emailed
from tracking.invitations import invitation_deliver
from tracking.models import Company

pytestmark = pytest.mark.django_db

NAME = "O'Brien & Sons <Ltd>"
ESCAPED = "O&#x27;Brien &amp; Sons &lt;Ltd&gt;"


@pytest.fixture
def obrien(team):
    Company.objects.filter(pk=team.company.pk).update(name=NAME)
    team.company.refresh_from_db()
    mail.outbox.clear()
    return team


def _only_message():
    (message,) = mail.outbox
    return message


def _assert_plain_and_html(message, *, in_subject=True):
    if in_subject:
        assert NAME in message.subject, message.subject
    assert NAME in message.body, message.body
    assert "&amp;" not in message.body and "&#x27;" not in message.body and "&lt;" not in message.body
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    assert ESCAPED in html
    assert "<Ltd>" not in html


@pytest.mark.parametrize("kind", ReminderKind.values)
def test_reminders(kind, obrien):
    reminder = Reminder.objects.create(sprint=obrien.active_sprint, kind=kind, recipient=obrien.tracker.user)
    assert reminders.reminders_deliver([reminder.pk]) == 1
    _assert_plain_and_html(_only_message())


def test_the_sprint_report(obrien):
    report_emailed(obrien)
    assert len(mail.outbox) == obrien.company.memberships.count()
    _assert_plain_and_html(mail.outbox[0])


def test_the_weekly_digest(obrien):
    weekly = Digest.objects.create(recipient=obrien.tracker.user, week_start=clock.today())
    assert digest.digests_deliver([weekly.pk]) == 1
    _assert_plain_and_html(_only_message(), in_subject=False)  # the subject names the week, not a business


def test_the_invitation(obrien):
    membership = invite(obrien.tracker, "newhire@example.test", hours=3)
    mail.outbox.clear()
    assert invitation_deliver(membership_id=membership.pk) is True
    _assert_plain_and_html(_only_message())


def test_every_plain_text_e_mail_template_turns_autoescape_off():
    """A template added later is plain text too: an included fragment follows its includer."""
    from django.conf import settings

    templates = settings.BASE_DIR / "templates"
    texts = [p for p in templates.glob("*/email/*.txt") if not p.name.startswith("_")]
    texts += list(templates.glob("registration/*.txt"))
    assert len(texts) >= 12
    assert [p.name for p in texts if "{% autoescape off %}" not in p.read_text()] == []
