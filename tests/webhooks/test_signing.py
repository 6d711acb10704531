"""Deliveries are signed per Standard Webhooks: checked here by computing the signature the way
the specification says, not with the project's own function."""

import base64
import hashlib
import hmac
import json

import pytest

from tracking.accounts.mfa_secrets import decrypt
from tracking.delivery.webhook import signature
from tracking.models import WebhookSubscription
from tracking.webhooks.events import webhook_emit
from tracking.webhooks.sending import webhooks_deliver
from tracking.webhooks.services import secret_of, webhook_secret_rotate

pytestmark = pytest.mark.django_db


def _expected(secret: str, message_id: str, timestamp: str, body: bytes) -> str:
    """Standard Webhooks: HMAC-SHA256 of "{id}.{timestamp}.{body}" under the base64-decoded part
    of the secret after `whsec_`, base64-encoded, prefixed with `v1,`."""
    key = base64.b64decode(secret.split("_", 1)[1])
    content = message_id.encode() + b"." + timestamp.encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def test_the_signature_is_the_specifications():
    secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    body = '{"type":"sprint.closed","data":{"n":"2,5 €"}}'.encode()
    assert signature(secret, "msg_1", 1764000000, body) == _expected(secret, "msg_1", "1764000000", body)


def test_the_specifications_example():
    """The example of the Standard Webhooks reference libraries."""
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_the_receiver_verifies_a_delivery(team, subscription, receiver):
    keys = webhook_emit(team.company.pk, "metric.value_recorded", {"value": "12.5"}, occurrence="one")
    assert webhooks_deliver(keys) == 1

    [got] = receiver.received
    headers = got.headers
    secret = secret_of(subscription)
    assert secret.startswith("whsec_") and len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    expected = _expected(secret, headers["webhook-id"], headers["webhook-timestamp"], got.body)
    assert headers["webhook-signature"] == expected
    assert headers["webhook-id"].startswith("msg_")
    assert headers["content-type"] == "application/json"
    envelope = json.loads(got.body)
    assert envelope["type"] == "metric.value_recorded"
    assert envelope["data"] == {"value": "12.5"}


def test_a_rotated_secret_signs_what_is_still_waiting(team, subscription, receiver):
    keys = webhook_emit(team.company.pk, "constraint.changed", {}, occurrence="one")
    old = secret_of(subscription)
    webhook_secret_rotate(subscription=subscription, by=team.tracker)
    webhooks_deliver(keys)

    [got] = receiver.received
    new = secret_of(WebhookSubscription.objects.get(pk=subscription.pk))
    assert new != old
    headers = got.headers
    assert headers["webhook-signature"] == _expected(new, headers["webhook-id"], headers["webhook-timestamp"], got.body)


def test_the_secret_is_not_in_the_database_in_the_clear(team, subscription):
    stored = WebhookSubscription.objects.values_list("secret", flat=True).get(pk=subscription.pk)
    plaintext = decrypt(stored)
    assert stored.startswith("fernet:")
    assert plaintext.startswith("whsec_") and plaintext not in stored
