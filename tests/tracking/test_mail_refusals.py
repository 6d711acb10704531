"""A mail server's refusal for good fails a message at its first attempt; a refusal for now backs off.

A real SMTP server (aiosmtpd, in this process, on a free port) answers each recipient as the
test tells it: 550 (no such mailbox) and 552 (mailbox full) give the message up at once, with
the server's words kept on the outbox row and shown to the inviter; 451 (try again later)
backs off and the message goes out once the server takes it.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.urls import reverse

from tests import clock
from tests.factories import UserFactory
from tests.support.delivery import delivery
from tests.support.processes import free_port
from tracking import services
from tracking.delivery import outbox
from tracking.invitations import invitation_deliver, invitations_unsent
from tracking.models import OutboxMessage, Role

pytestmark = pytest.mark.django_db

NO_SUCH_MAILBOX = "550 5.1.1 no such mailbox"
MAILBOX_FULL = "552 5.2.2 mailbox full"
TRY_LATER = "451 4.3.0 try again later"


class Handler:
    """Answers RCPT TO for each address in `answers` with that reply (others are taken), DATA
    for each address in `data_answers`, and MAIL FROM with `mail_answer` if set; keeps the
    recipients of each message taken."""

    def __init__(self):
        self.answers: dict[str, str] = {}
        self.data_answers: dict[str, str] = {}
        self.mail_answer = ""  # a reply to MAIL FROM, for every message
        self.delivered: list[str] = []
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.mail_answer:
            return self.mail_answer
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.answers:
            return self.answers[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        for address in envelope.rcpt_tos:
            if address in self.data_answers:
                return self.data_answers[address]
        self.delivered.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5},
        }
    }
    try:
        yield handler
    finally:
        controller.stop()


def invite(team, email):
    return services.membership_add(
        company=team.company, by=team.tracker, email=email, role=Role.MEMBER, weekly_capacity_hours=Decimal(3)
    )


def members_page(client, team) -> str:
    client.force_login(team.tracker.user)
    return client.get(reverse("tracking:members", args=[team.company.pk])).content.decode()


@pytest.mark.parametrize(
    ("reply", "words"),
    [(NO_SUCH_MAILBOX, "no such mailbox (550 5.1.1)"), (MAILBOX_FULL, "mailbox full (552 5.2.2)")],
    ids=["550", "552"],
)
def test_a_refused_recipient_fails_the_invitation_at_its_first_attempt(smtp, team, client, reply, words):
    added = invite(team, "gone@example.test")
    smtp.answers["gone@example.test"] = reply

    assert invitation_deliver(membership_id=added.pk) is False

    row = OutboxMessage.objects.get(about=f"invitation:{added.pk}")
    assert row.attempts == 1 and row.failed_at is not None and row.next_attempt_at is None
    assert row.sent_at is None and row.last_error == words
    state = delivery(f"invitation:{added.pk}")
    assert state.attempts == 1 and state.failed_at is not None
    assert invitations_unsent() == []  # the sweep never tries it again
    assert invitation_deliver(membership_id=added.pk) is False
    assert OutboxMessage.objects.get(pk=row.pk).attempts == 1 and smtp.delivered == []

    page = members_page(client, team)
    assert f"invitation failed: {words}" in page and "could not be sent" in page


def test_the_reason_is_in_the_outbox_list_of_the_admin(smtp, team, client):
    added = invite(team, "gone@example.test")
    smtp.answers["gone@example.test"] = NO_SUCH_MAILBOX
    invitation_deliver(membership_id=added.pk)

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse("admin:tracking_outboxmessage_changelist")
    page = client.get(changelist, {"failed_at__isempty": "0"}).content.decode()
    assert "gone@example.test" in page and "no such mailbox (550 5.1.1)" in page


def test_a_recipient_refused_for_now_backs_off_and_goes_out_later(smtp, team, client):
    added = invite(team, "busy@example.test")
    smtp.answers["busy@example.test"] = TRY_LATER
    at = clock.now()

    with time_machine.travel(at, tick=False):
        assert invitation_deliver(membership_id=added.pk) is False
    row = OutboxMessage.objects.get(about=f"invitation:{added.pk}")
    assert row.attempts == 1 and row.failed_at is None and row.last_error == "try again later (451 4.3.0)"
    assert at + timedelta(seconds=40) <= row.next_attempt_at <= at + timedelta(seconds=80)  # 1 min ± jitter
    with time_machine.travel(at, tick=False):
        assert invitations_unsent() == []  # backing off
    assert delivery(f"invitation:{added.pk}").failed_at is None
    assert "invitation failed" not in members_page(client, team)

    del smtp.answers["busy@example.test"]  # the server takes it now
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
        assert invitations_unsent() == [added.pk]
        assert invitation_deliver(membership_id=added.pk) is True
        assert invitation_deliver(membership_id=added.pk) is False  # once
    row.refresh_from_db()
    assert row.attempts == 2 and row.sent_at is not None and row.failed_at is None
    assert smtp.delivered == ["busy@example.test"]


def _message(email: str, key: str) -> outbox.Outgoing:
    user = UserFactory(email=email)
    return outbox.Outgoing(key=key, to=user, message=outbox.Rendered(subject="Hello", text="Hi", html=""))


def test_a_refusal_in_a_batch_fails_only_its_message_and_keeps_the_connection(smtp, db):
    """The server answers each recipient; the messages around a refused one go out on the same
    connection, each once."""
    addresses = ["a@example.test", "gone@example.test", "b@example.test", "rejected@example.test"]
    smtp.answers["gone@example.test"] = NO_SUCH_MAILBOX
    smtp.data_answers["rejected@example.test"] = "554 5.6.0 message content rejected"
    keys = [f"batch:{i}" for i in range(len(addresses))]
    outbox.outbox_add("batch", [_message(email, key) for email, key in zip(addresses, keys, strict=True)])

    assert outbox.outbox_send(keys) == 2
    assert outbox.outbox_send(keys) == 0  # nothing is due any more: given up or sent
    rows = {row.address: row for row in OutboxMessage.objects.filter(key__in=keys)}
    assert smtp.delivered == ["a@example.test", "b@example.test"] and smtp.connections == 1
    assert {a for a, r in rows.items() if r.sent_at} == {"a@example.test", "b@example.test"}
    assert rows["gone@example.test"].failed_at and rows["gone@example.test"].attempts == 1
    assert rows["rejected@example.test"].failed_at and rows["rejected@example.test"].attempts == 1
    assert rows["rejected@example.test"].last_error == "message content rejected (554 5.6.0)"


def test_a_refusal_of_our_sender_is_not_the_messages_fault(smtp, db):
    """A 5xx to MAIL FROM about the connection ("530 authentication required": the server's
    settings, not the message) backs off like a 4xx; once fixed, the message goes out."""
    smtp.mail_answer = "530 5.7.0 Authentication required"
    outbox.outbox_add("login", [_message("c@example.test", "login:1")])
    at = clock.now()
    with time_machine.travel(at, tick=False):
        assert outbox.outbox_send(["login:1"]) == 0
    row = OutboxMessage.objects.get(key="login:1")
    assert row.failed_at is None and row.next_attempt_at is not None and row.attempts == 1
    smtp.mail_answer = ""
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
        assert outbox.outbox_send(["login:1"]) == 1
    assert smtp.delivered == ["c@example.test"]
