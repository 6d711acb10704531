"""The fault test: a real receiver on 127.0.0.1 answers 500, nothing in time, a redirect, 410 or
200 on demand. Deliveries back off and are tried again for about a day, are given up for good
at a 410, switch their subscription off after WEBHOOKS_MAX_FAILURES deliveries given up in a
row (its owner e-mailed, in their language), and the log keeps the last 50 attempts. Time moves
on the suite's clock only."""

from datetime import timedelta

import pytest
import time_machine

from tests import clock
from tracking.delivery.outbox import WEBHOOK_BACKOFF_MINUTES, WEBHOOK_MAX_ATTEMPTS
from tracking.models import OutboxMessage, WebhookAttempt, WebhookSubscription
from tracking.webhooks.events import webhook_emit
from tracking.webhooks.sending import webhooks_deliver, webhooks_deliver_due
from tracking.webhooks.services import webhook_test_send

pytestmark = pytest.mark.django_db


def _row(key: str) -> OutboxMessage:
    return OutboxMessage.objects.get(key=key)


def _emit(team, occurrence: str = "one") -> str:
    [key] = webhook_emit(team.company.pk, "sprint.started", {"sprint": {"id": 1}}, occurrence=occurrence)
    return key


def _subscription(subscription) -> WebhookSubscription:
    return WebhookSubscription.objects.get(pk=subscription.pk)


def test_a_delivery_answered_200_is_sent_once(team, subscription, receiver):
    key = _emit(team)
    assert webhooks_deliver([key]) == 1
    assert webhooks_deliver([key]) == 0  # sent: a second hand-over changes nothing
    assert webhooks_deliver_due() == 0

    row = _row(key)
    assert row.sent_at is not None and row.attempts == 1 and row.last_error == ""
    assert len(receiver.received) == 1
    [attempt] = WebhookAttempt.objects.filter(subscription=subscription)
    assert (attempt.event, attempt.status_code, attempt.error) == ("sprint.started", 200, "")


@pytest.mark.parametrize(
    ("answer", "error"),
    [("500", "HTTP 500"), ("silence", "No answer within 0.5 s."), ("302", "HTTP 302: A redirect")],
)
def test_a_failure_backs_off_and_the_retry_delivers(answer, error, team, subscription, receiver):
    receiver.answer(answer)
    key = _emit(team)
    failed_at = clock.now()
    assert webhooks_deliver([key]) == 0

    row = _row(key)
    assert row.sent_at is None and row.failed_at is None and row.attempts == 1
    assert row.last_error.startswith(error)
    first = timedelta(minutes=WEBHOOK_BACKOFF_MINUTES[0])
    assert failed_at + first * 0.8 - timedelta(seconds=2) <= row.next_attempt_at <= clock.now() + first * 1.2
    assert webhooks_deliver_due() == 0  # not before its back-off is over
    assert [r.path for r in receiver.received] == ["/hooks"]  # a redirect is not followed

    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
        assert webhooks_deliver_due() == 1
    assert _row(key).sent_at is not None and _row(key).attempts == 2
    assert len(receiver.received) == 2
    ids = {r.headers["webhook-id"] for r in receiver.received}
    assert len(ids) == 1  # the same message, tried again
    log = list(WebhookAttempt.objects.filter(subscription=subscription).order_by("at", "pk"))
    assert [a.delivered for a in log] == [False, True]
    assert _subscription(subscription).failures == 0


def test_the_total_time_out_holds_against_a_receiver_that_drips_its_answer(receiver):
    """Each read gets a byte in time; the exchange as a whole is still cut at the total."""
    from tracking.delivery.webhook import webhook_post

    receiver.answer("drip")
    attempt = webhook_post(receiver.url, {}, b"{}")
    assert not attempt.delivered and attempt.error == "No answer within 0.5 s."
    assert attempt.duration_ms < 1200  # the receiver drips for 1.5 s


def test_a_delivery_is_tried_for_about_a_day_then_given_up(team, subscription, receiver):
    receiver.default = "500"
    key = _emit(team)
    started = clock.now()
    webhooks_deliver([key])
    while (row := _row(key)).failed_at is None:
        with time_machine.travel(row.next_attempt_at + timedelta(seconds=1), tick=False):
            webhooks_deliver_due()

    assert row.attempts == WEBHOOK_MAX_ATTEMPTS and row.sent_at is None
    assert len(receiver.received) == WEBHOOK_MAX_ATTEMPTS
    assert timedelta(hours=20) <= row.failed_at - started <= timedelta(hours=34)
    assert _subscription(subscription).failures == 1  # one delivery given up
    assert _subscription(subscription).is_active


def test_410_gives_up_at_once(team, subscription, receiver):
    receiver.answer("410")
    key = _emit(team)
    webhooks_deliver([key])

    row = _row(key)
    assert row.failed_at is not None and row.next_attempt_at is None and row.attempts == 1
    assert row.last_error == "HTTP 410"
    assert _subscription(subscription).failures == 1


def test_the_receiver_down_for_a_while_loses_nothing_and_doubles_nothing(team, subscription, receiver):
    receiver.default = "503"
    keys = [_emit(team, occurrence=f"event {n}") for n in range(3)]
    webhooks_deliver(keys)
    webhooks_deliver(keys)  # handed over twice while it is down: still one attempt each
    assert len(receiver.received) == 3

    receiver.default = "200"
    latest = max(_row(key).next_attempt_at for key in keys)
    with time_machine.travel(latest + timedelta(seconds=1), tick=False):
        assert webhooks_deliver_due() == 3
        assert webhooks_deliver_due() == 0

    delivered = [r.headers["webhook-id"] for r in receiver.received[3:]]
    assert len(delivered) == len(set(delivered)) == 3
    assert all(_row(key).sent_at is not None for key in keys)


def test_failed_deliveries_in_a_row_switch_the_subscription_off_and_tell_its_owner(
    team, subscription, receiver, settings
):
    settings.WEBHOOKS_MAX_FAILURES = 3
    owner = team.entrepreneur.user
    owner.language = "ru"
    owner.save()
    receiver.default = "410"
    keys = [_emit(team, occurrence=f"event {n}") for n in range(4)]
    webhooks_deliver(keys[:2])
    assert _subscription(subscription).is_active

    webhooks_deliver(keys[2:])

    switched = _subscription(subscription)
    assert not switched.is_active and switched.switched_off_at is not None
    assert switched.failures == 3
    assert len(receiver.received) == 3  # the fourth is not posted to a switched-off webhook
    assert _row(keys[3]).failed_at is not None
    [mail] = OutboxMessage.objects.filter(channel="email", about=f"webhook-off:{subscription.pk}")
    assert mail.recipient == owner
    assert "отключ" in mail.subject  # in the owner's language
    assert receiver.url in mail.text
    assert mail.sent_at is not None  # the sender sends it after the switch-off


def test_a_delivery_resets_the_count(team, subscription, receiver, settings):
    settings.WEBHOOKS_MAX_FAILURES = 2
    receiver.answer("410", "200", "410")
    webhooks_deliver([_emit(team, occurrence=f"event {n}") for n in range(3)])
    assert _subscription(subscription).is_active
    assert _subscription(subscription).failures == 1


def test_the_owner_gone_the_trackers_are_told(team, subscription, receiver, settings):
    settings.WEBHOOKS_MAX_FAILURES = 1
    team.entrepreneur.delete()
    receiver.default = "410"
    webhooks_deliver([_emit(team)])
    recipients = set(OutboxMessage.objects.filter(channel="email").values_list("recipient", flat=True))
    assert recipients == {team.tracker.user.pk}


def test_the_log_keeps_the_last_50_attempts(team, subscription, receiver):
    keys = [key for _ in range(55) for key in webhook_test_send(subscription=subscription, by=team.tracker)]
    webhooks_deliver(keys)

    assert len(receiver.received) == 55
    assert WebhookAttempt.objects.filter(subscription=subscription).count() == 50


def test_a_test_event_goes_to_its_subscription_alone(team, subscription, receiver):
    from tracking.webhooks.services import webhook_subscription_create

    webhook_subscription_create(by=team.tracker, url=receiver.url + "/other", events=["sprint.closed"])
    webhooks_deliver(webhook_test_send(subscription=subscription, by=team.tracker))
    [got] = receiver.received
    assert got.path == "/hooks"
    assert b'"type":"webhook.test"' in got.body
