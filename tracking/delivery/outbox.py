"""The outbox: every message the product delivers, and the one path that sends it.

A message is written first, rendered as it will go out: an OutboxMessage row under a unique
key such as "reminder:42", "invitation:17", "report:9:user:3", "digest:5" or
"password-reset:3:<uuid>". Sending locks the messages of one thing (a report's, one per
member; SKIP LOCKED: a second worker moves on), sends those due, and marks them in the same
transaction. A batch (outbox_deliver) sends on one connection to the mail server. A failure
backs off (1, 2, 4 … minutes with jitter) and the sender itself waits for next_attempt_at,
whoever asks it to send; after MAX_ATTEMPTS, or at once for a message the channel refuses
outright, the row is given up (failed_at).

A refusal for good is told apart from a failure worth retrying: a 5xx reply about the message
itself (its recipient, its content, its size) gives the message up at its first attempt, with
the server's words kept in last_error, so the sender learns of it at once. A 4xx, a broken
connection or a 5xx about the connection (a refused login, "530 authentication required")
backs off: someone may fix the server or its settings in the meantime.

The one window left: the process dies after the mail server accepted a thing's messages and
before the commit, and those messages go out again on the next try.

A second channel, webhooks: a row per event and subscription ("webhook:<event id>:<subscription
id>", about "webhook:<subscription id>"), its URL in `address`, its event type in `subject`
and its JSON body in `text`. The sender dispatches by channel: e-mail rows as above, webhook
rows one at a time, each in its own transaction, through the WebhookSender the caller passes
(the core's subscriptions sign it, post it with webhook.py and keep the delivery log). Each
channel has its own attempts and back-off (CHANNEL_RETRIES): a webhook is retried for about a
day (1 and 5 minutes, then half an hour, 2, 5 and 10 hours).

A third, Telegram: a row per message to a linked chat (its id in `address`, the Bot API method
in `subject`, the method's JSON parameters in `text`), under the same keys discipline as
e-mail: a reminder's Telegram message is "reminder:<id>:telegram", about "reminder:<id>" like
its e-mail, so `undelivered` waits for both. Rows go one at a time like webhooks, through the
TelegramSender the caller passes (tracking/telegram: the chats, and what to do when one blocked
the bot). A 429 waits for the `retry_after` Telegram gives, a 403 gives the row up at once.

Telegram's rows are claimed before they are sent, unlike e-mail's: Telegram takes a message as
soon as the request arrives and answers afterwards, so most of a call's time is after the
message went out, and the Bot API has no idempotency key nor a way to ask whether a message
arrived. A row is claimed in a transaction of its own (marked in flight, not due for the
call's longest time), then called, then marked in another. A row found still in flight once
its claim ran out lost its sender mid-call: it is not sent again but marked sent, its note
saying it is in doubt. So a Telegram message goes at most once, and exactly once unless the
sender dies between committing its claim and Telegram receiving the request (then it is lost,
its row says so).

What happened to the messages of a thing of the product (a Reminder, a Digest, a SprintReport,
a pending Membership's invitation) is read here and nowhere else: `undelivered` for which
things are still to go, `delivered` for those that went, `given_up` for those that never will.
"""

import json
import logging
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from smtplib import SMTPDataError, SMTPException, SMTPRecipientsRefused, SMTPResponseException, SMTPSenderRefused
from typing import Protocol

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import models, transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import OutboxChannel, OutboxMessage
from .telegram import BotAnswer
from .webhook import Attempt

logger = logging.getLogger(__name__)

# 1 + 2 + 4 … minutes: about four hours of retries before a message is given up.
MAX_ATTEMPTS = 8
# The server or the network: try again later, unless the server refused the message for good
# (_refused_for_good).
TRANSIENT_ERRORS = (SMTPException, OSError)
PERMANENT_ERRORS = (ValueError,)  # BadHeaderError, an address or text that cannot be encoded


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Outgoing:
    key: str
    to: AbstractBaseUser  # the project's user: its e-mail address is where the message goes
    message: Rendered


@dataclass(frozen=True)
class OutgoingWebhook:
    key: str
    about: str
    url: str
    event: str
    body: str  # JSON, the same bytes on every attempt


@dataclass(frozen=True)
class OutgoingTelegram:
    key: str
    to: AbstractBaseUser  # the chat's user
    chat_id: int
    method: str  # a Bot API method: sendMessage …
    params: dict  # its JSON parameters but the chat, the same on every attempt


class WebhookSender(Protocol):
    """What the outbox needs of the webhooks' owner to send one of their rows."""

    def send(self, row: OutboxMessage) -> Attempt:
        """Sign and post the row once (never raises for what the network does)."""

    def attempted(self, row: OutboxMessage, attempt: Attempt, *, gave_up: bool) -> None:
        """After an attempt, in the transaction that marks the row."""


class TelegramSender(Protocol):
    """What the outbox needs of the chats' owner to send one of their rows."""

    def send(self, row: OutboxMessage) -> BotAnswer:
        """Call the Bot API once (never raises for what the network does)."""

    def attempted(self, row: OutboxMessage, attempt: Attempt, *, gave_up: bool) -> None:
        """After an attempt, in the transaction that marks the row."""


def email_render(template: str, context: dict, *, language: str) -> Rendered:
    """`template`_subject.txt, `template`.txt and `template`.html in the reader's language."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return Rendered(
            subject=render_to_string(f"{template}_subject.txt", context).strip(),
            text=render_to_string(f"{template}.txt", context),
            html=render_to_string(f"{template}.html", context),
        )


def outbox_add(about: str, outgoing: Iterable[Outgoing]) -> None:
    """Write messages to send; a key written before is left as it is (two writers, one row)."""
    _add_many([(about, outgoing)])


def outbox_add_sent(about: str, outgoing: Iterable[Outgoing], *, sent_at: datetime) -> None:
    """Write messages as sent at `sent_at`, without sending them: a past the product did not
    live through (the demo's weeks) mails nobody."""
    _add_many([(about, outgoing)])
    OutboxMessage.objects.filter(about=about, sent_at__isnull=True).update(sent_at=sent_at)


def outbox_add_webhooks(outgoing: Iterable[OutgoingWebhook]) -> list[str]:
    """Write webhook deliveries; a key written before is left as it is. Returns the keys."""
    rows = [
        OutboxMessage(
            key=item.key,
            about=item.about,
            channel=OutboxChannel.WEBHOOK,
            address=item.url,
            subject=item.event,
            text=item.body,
        )
        for item in outgoing
    ]
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    return [row.key for row in rows]


def outbox_due(channel: str, now: datetime, *, about_prefix: str = "", limit: int = 500) -> list[str]:
    """The keys of this channel's messages due now (the sweeps hand them to the sender)."""
    due = OutboxMessage.objects.filter(_due(now), channel=channel, about__startswith=about_prefix)
    return list(due.order_by("pk").values_list("key", flat=True)[:limit])


def _row(about: str, item: Outgoing | OutgoingTelegram) -> OutboxMessage:
    if isinstance(item, OutgoingTelegram):
        params = {"chat_id": item.chat_id, **item.params}
        return OutboxMessage(
            key=item.key,
            about=about,
            channel=OutboxChannel.TELEGRAM,
            recipient=item.to,
            address=str(item.chat_id),
            subject=item.method,
            text=json.dumps(params, ensure_ascii=False),
        )
    return OutboxMessage(
        key=item.key,
        about=about,
        channel=OutboxChannel.EMAIL,
        recipient=item.to,
        address=item.to.email,
        subject=item.message.subject,
        text=item.message.text,
        html=item.message.html,
    )


def _add_many(batches: Iterable[tuple[str, Iterable[Outgoing | OutgoingTelegram]]]) -> None:
    """outbox_add for the messages of many things in one INSERT (e-mails and Telegram's)."""
    rows = [_row(about, item) for about, outgoing in batches for item in outgoing]
    if rows:
        OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)


_WAITING = Q(sent_at__isnull=True, failed_at__isnull=True)  # neither sent nor given up


def _due(now: datetime) -> Q:
    """A message to send now: waiting, and not backing off past `now`."""
    return _WAITING & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))


def messages_of(kind: str) -> QuerySet[OutboxMessage]:
    """The messages of the outer query's row, a thing whose messages are about "`kind`:<pk>"."""
    return OutboxMessage.objects.filter(about=Concat(Value(f"{kind}:"), Cast(OuterRef("pk"), output_field=CharField())))


def undelivered(kind: str, now: datetime) -> Q:
    """For a queryset of things whose messages are about "`kind`:<pk>": those whose messages
    are still to go now. None written yet, or some due and none backing off past `now` (a
    report's messages wait for the last one's back-off and go together)."""
    messages = messages_of(kind)
    backing_off = messages.filter(_WAITING, next_attempt_at__gt=now)
    return (~Exists(messages) | Exists(messages.filter(_due(now)))) & ~Exists(backing_off)


def delivered(kind: str) -> Q:
    """For a queryset of things: those whose messages were written and all went out."""
    messages = messages_of(kind)
    return Exists(messages) & ~Exists(messages.filter(sent_at__isnull=True))


def given_up(kind: str) -> Q:
    """For a queryset of things: those some of whose messages were given up, none waiting."""
    messages = messages_of(kind)
    return Exists(messages.filter(sent_at__isnull=True, failed_at__isnull=False)) & ~Exists(messages.filter(_WAITING))


def _email(row: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(row.subject, row.text, to=[row.address])
    if row.html:
        email.attach_alternative(row.html, "text/html")
    return email


def _backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes (at most 2 h), with jitter so retries do not arrive together."""
    base = min(60 * 2 ** max(attempts - 1, 0), 7200)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


# A webhook: retried for about a day (27 hours and a half in all), then given up.
WEBHOOK_BACKOFF_MINUTES = (1, 5, 30, 120, 300, 600, 600)
WEBHOOK_MAX_ATTEMPTS = len(WEBHOOK_BACKOFF_MINUTES) + 1


def _webhook_backoff(attempts: int) -> timedelta:
    minutes = WEBHOOK_BACKOFF_MINUTES[min(max(attempts - 1, 0), len(WEBHOOK_BACKOFF_MINUTES) - 1)]
    return timedelta(seconds=60 * minutes * random.uniform(0.8, 1.2))


@dataclass(frozen=True)
class Retries:
    max_attempts: int
    backoff: Callable[[int], timedelta]


CHANNEL_RETRIES = {
    OutboxChannel.EMAIL: Retries(MAX_ATTEMPTS, _backoff),
    OutboxChannel.WEBHOOK: Retries(WEBHOOK_MAX_ATTEMPTS, _webhook_backoff),
    OutboxChannel.TELEGRAM: Retries(MAX_ATTEMPTS, _backoff),
}


def _refused_for_good(error: Exception) -> bool:
    """A 5xx reply about this message: every recipient refused (RCPT), the content refused
    (DATA), or its size ("552" to MAIL FROM … SIZE=). Sending it again gets the same answer."""
    if isinstance(error, SMTPRecipientsRefused):
        codes = [code for code, _words in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(error, SMTPSenderRefused):  # otherwise about our sender address or account
        return error.smtp_code == 552
    if isinstance(error, SMTPDataError):
        return 500 <= error.smtp_code < 600
    return False


ENHANCED_STATUS = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}\b")


def _reply_text(code: int, reply: bytes | str) -> str:
    """A mail server's reply as people read it: its words, then its codes in brackets
    ("550 5.1.1 no such mailbox" → "no such mailbox (550 5.1.1)")."""
    words = " ".join((reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)).split())
    enhanced = ENHANCED_STATUS.match(words)
    if enhanced:
        words = words[enhanced.end() :].strip()
    words = words[:400]  # the codes stay whole, whatever the length of the words
    codes = f"{code} {enhanced.group()}" if enhanced else str(code)
    return f"{words} ({codes})" if words else f"({codes})"


def _error_text(error: Exception) -> str:
    if isinstance(error, SMTPRecipientsRefused):
        return "; ".join(_reply_text(code, reply) for code, reply in error.recipients.values())
    if isinstance(error, SMTPResponseException):
        return _reply_text(error.smtp_code, error.smtp_error)
    return str(error)


def _failed(
    row: OutboxMessage, error: Exception | str, now: datetime, *, permanent: bool = False, wait: int | None = None
) -> bool:
    """Mark a failed attempt: backing off (`wait` seconds when the receiver said how long), or
    given up (returned)."""
    retries = CHANNEL_RETRIES[row.channel]
    gave_up = wait is None and (
        permanent
        or row.attempts >= retries.max_attempts
        or isinstance(error, PERMANENT_ERRORS)
        or (isinstance(error, Exception) and _refused_for_good(error))
    )
    backoff = timedelta(seconds=wait) if wait is not None else retries.backoff(row.attempts)
    row.next_attempt_at = None if gave_up else now + backoff
    row.failed_at = now if gave_up else None
    row.last_error = (error if isinstance(error, str) else _error_text(error))[:500]
    if gave_up:
        logger.error("%s not sent, given up after attempt %s: %s", row.key, row.attempts, error)
    else:
        logger.warning("%s not sent (attempt %s): %s", row.key, row.attempts, error)
    return gave_up


def _open(mailer) -> bool:
    try:
        mailer.open()
    except TRANSIENT_ERRORS:
        return False
    return True


class MailConnection:
    """One connection to the mail server for a batch of messages: opened at the first message
    that goes out, opened again after a transient error (the server may have dropped it), and
    closed by `mail_connection` at the end of the batch."""

    def __init__(self):
        self.mailer = mailers.default
        self.opened = False
        self.opens = 0  # how many times a connection was opened (the tests count them)

    def send(self, email: EmailMultiAlternatives) -> None:
        if not self.opened:  # a refusal to open counts at the send, against the message
            self.opens += 1
            self.opened = _open(self.mailer)
        self.mailer.send_messages([email])

    def reset(self) -> None:
        self.mailer.close()
        self.opened = False


@contextmanager
def mail_connection():
    connection = MailConnection()
    try:
        yield connection
    finally:
        connection.mailer.close()


_SEND_COLUMNS = ["attempts", "sent_at", "next_attempt_at", "failed_at", "last_error"]


def _send_rows(keys: Sequence[str], connection: MailConnection) -> int:
    """Lock these messages that are due (SKIP LOCKED: those another worker holds are left to
    it), send them on `connection`, and mark them in the same transaction: one SELECT and one
    UPDATE for those sent instead of a transaction per message (each commit waits for the
    disk). Returns how many went out now."""
    if not keys:
        return 0
    with transaction.atomic():
        due = OutboxMessage.objects.select_for_update(skip_locked=True).filter(_due(timezone.now()))
        rows = list(due.filter(key__in=list(keys), channel=OutboxChannel.EMAIL).order_by("pk"))
        went, failed = [], []
        for row in rows:
            row.attempts += 1
            try:
                connection.send(_email(row))
            except (*TRANSIENT_ERRORS, *PERMANENT_ERRORS) as error:
                _failed(row, error, timezone.now())
                failed.append(row)
                if isinstance(error, TRANSIENT_ERRORS) and not _refused_for_good(error):
                    connection.reset()  # the next message opens a fresh connection
            else:
                went.append(row)
        if went:  # one instant for the lot; attempts + 1 each (they are locked: as counted above)
            OutboxMessage.objects.filter(pk__in=[row.pk for row in went]).update(
                attempts=F("attempts") + 1, sent_at=timezone.now(), next_attempt_at=None
            )
        for row in failed:  # rare: each its own backoff and error
            row.save(update_fields=_SEND_COLUMNS)
    return len(went)


def _send_one(key: str, channel: str, sender: WebhookSender) -> bool:
    """Lock this webhook row if it is due (SKIP LOCKED), send it through `sender` and mark it,
    all in one transaction of its own. Whether it was delivered now."""
    with transaction.atomic():
        due = OutboxMessage.objects.select_for_update(skip_locked=True).filter(_due(timezone.now()))
        row = due.filter(key=key, channel=channel).first()
        if row is None:
            return False
        row.attempts += 1
        attempt = sender.send(row)
        _attempted(row, attempt, sender)
    return attempt.delivered


def _attempted(row: OutboxMessage, attempt: Attempt, sender: WebhookSender | TelegramSender) -> None:
    """Mark the row after one attempt (sent, backing off or given up) and tell its sender."""
    gave_up = False
    if attempt.delivered:
        row.sent_at, row.next_attempt_at, row.last_error = timezone.now(), None, ""
    else:
        status = f"HTTP {attempt.status}" if attempt.status else ""
        error = ": ".join(part for part in (status, attempt.error) if part)
        wait = attempt.retry_after if isinstance(attempt, BotAnswer) else None
        gave_up = _failed(row, error, timezone.now(), permanent=attempt.permanent, wait=wait)
    row.save(update_fields=_SEND_COLUMNS)
    sender.attempted(row, attempt, gave_up=gave_up)


# A Telegram row between its claim and its mark, and one whose sender died in between.
TELEGRAM_IN_FLIGHT = "In flight: handed to the Bot API, its answer not recorded yet."
TELEGRAM_IN_DOUBT = (
    "In doubt: the sender stopped while this call was in flight. Telegram may have delivered it "
    "and cannot be asked, so it is not sent again."
)


def _telegram_claim_lease() -> timedelta:
    """Longer than any one Bot API call can take (bot_call's connect, write and read time-outs)."""
    total = float(getattr(settings, "TELEGRAM_TIMEOUT", 10))
    connect = min(float(getattr(settings, "TELEGRAM_CONNECT_TIMEOUT", 3)), total)
    return timedelta(seconds=connect + 2 * total + 5)


def _send_telegram(key: str, sender: TelegramSender) -> bool:
    """Claim this Telegram row if it is due (SKIP LOCKED; committed before the call), call the
    Bot API through `sender`, then mark it. A due row still in flight is in doubt: marked sent,
    not called again. Whether it was delivered now."""
    with transaction.atomic():
        now = timezone.now()
        due = OutboxMessage.objects.select_for_update(skip_locked=True).filter(_due(now))
        row = due.filter(key=key, channel=OutboxChannel.TELEGRAM).first()
        if row is None:
            return False
        if row.last_error == TELEGRAM_IN_FLIGHT:
            row.sent_at, row.next_attempt_at, row.last_error = now, None, TELEGRAM_IN_DOUBT
            row.save(update_fields=_SEND_COLUMNS)
            logger.error("%s: %s", row.key, TELEGRAM_IN_DOUBT)
            return False
        row.attempts += 1
        row.next_attempt_at, row.last_error = now + _telegram_claim_lease(), TELEGRAM_IN_FLIGHT
        row.save(update_fields=_SEND_COLUMNS)
    attempt = sender.send(row)
    with transaction.atomic():
        claimed = OutboxMessage.objects.select_for_update().filter(
            _WAITING, pk=row.pk, attempts=row.attempts, last_error=TELEGRAM_IN_FLIGHT
        )
        if claimed.first() is None:  # the call outlived its claim and the row was settled meanwhile
            return False
        _attempted(row, attempt, sender)
    return attempt.delivered


def outbox_send(
    keys: Sequence[str],
    *,
    connection: MailConnection | None = None,
    webhooks: WebhookSender | None = None,
    telegram: TelegramSender | None = None,
) -> int:
    """Send those of these messages that are due, by channel: e-mails on one connection
    (`connection`, or one of its own), webhooks and Telegram messages (given `webhooks` or
    `telegram`, their sender) one at a time; returns how many went out now. A message sent,
    given up, backing off, or locked by another worker is skipped."""
    for channel, sender in ((OutboxChannel.WEBHOOK, webhooks), (OutboxChannel.TELEGRAM, telegram)):
        if sender is not None:
            theirs = OutboxMessage.objects.filter(key__in=list(keys), channel=channel)
            their_keys = set(theirs.values_list("key", flat=True))
            if channel == OutboxChannel.WEBHOOK:
                went = sum(_send_one(key, channel, sender) for key in keys if key in their_keys)
            else:
                went = sum(_send_telegram(key, sender) for key in keys if key in their_keys)
            rest = [key for key in keys if key not in their_keys]
            others = {"telegram": telegram if channel == OutboxChannel.WEBHOOK else None}
            return went + (outbox_send(rest, connection=connection, **others) if rest else 0)
    if connection is None:
        with mail_connection() as connection:
            return _send_rows(keys, connection)
    return _send_rows(keys, connection)


def outbox_deliver(
    objects: Sequence[models.Model],
    *,
    about: Callable[[models.Model], str],
    render: Callable[[models.Model], list[Outgoing | OutgoingTelegram]],
    telegram: TelegramSender | None = None,
) -> int:
    """Deliver the messages of these objects (reminders, reports, invitations …): write those
    not written yet (`render` gives an object's messages, each keyed under `about(object)`) and
    send every one that is due. Returns how many messages went out now. Telegram's go first
    (given `telegram`, their sender), so an e-mail that stands in for a chat that blocked the
    bot goes out in the same run."""
    abouts = {obj.pk: about(obj) for obj in objects}
    written = set(OutboxMessage.objects.filter(about__in=abouts.values()).values_list("about", flat=True))
    _add_many((abouts[obj.pk], render(obj)) for obj in objects if abouts[obj.pk] not in written)
    went = 0
    if telegram is not None:
        chats = OutboxMessage.objects.filter(about__in=abouts.values(), channel=OutboxChannel.TELEGRAM)
        went = sum(_send_telegram(key, telegram) for key in chats.order_by("pk").values_list("key", flat=True))
    keys = defaultdict(list)
    for about_, key in (
        OutboxMessage.objects.filter(about__in=abouts.values()).order_by("pk").values_list("about", "key")
    ):
        keys[about_].append(key)
    with mail_connection() as connection:  # one connection for the whole batch
        # A thing at a time: its messages are marked as soon as they are sent.
        return went + sum(_send_rows(keys[abouts[obj.pk]], connection) for obj in objects)
