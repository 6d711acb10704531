"""No delivery to an address that is not public, checked after DNS resolution, and the
connection goes to the address that was checked. WEBHOOKS_ALLOW_LOOPBACK (on in the tests)
lets 127.0.0.1 and ::1 through and nothing else."""

import ipaddress

import pytest
from django.core.exceptions import ValidationError

from tracking.delivery import webhook
from tracking.delivery.webhook import address_refusal, url_refusal, webhook_post
from tracking.models import OutboxMessage, WebhookAttempt
from tracking.webhooks.events import webhook_emit
from tracking.webhooks.sending import webhooks_deliver
from tracking.webhooks.services import webhook_subscription_create, webhook_subscription_update

pytestmark = pytest.mark.django_db

REFUSED = ["10.0.0.7", "192.168.1.20", "172.16.5.4", "169.254.169.254", "fd00:ec2::254", "224.0.0.1", "0.0.0.0"]
REFUSED += ["100.64.0.1", "fe80::1", "::ffff:10.0.0.7", "240.0.0.1"]


@pytest.mark.parametrize("address", REFUSED)
def test_private_link_local_multicast_reserved_and_metadata_addresses_are_refused(address):
    assert address_refusal(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2e"])
def test_a_public_address_is_allowed(address):
    assert address_refusal(ipaddress.ip_address(address)) == ""


def test_loopback_only_with_the_tests_setting(settings):
    assert address_refusal(ipaddress.ip_address("127.0.0.1")) == ""
    assert address_refusal(ipaddress.ip_address("::1")) == ""
    assert address_refusal(ipaddress.ip_address("127.0.0.2"))  # loopback, but not the one allowed
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    assert address_refusal(ipaddress.ip_address("127.0.0.1"))
    assert address_refusal(ipaddress.ip_address("::1"))
    assert url_refusal("https://[::1]/hooks")
    assert url_refusal("http://example.com/hooks")  # and plain http only for the loopback receiver


@pytest.mark.parametrize(
    "url",
    ["https://10.0.0.7/in", "https://192.168.1.1/in", "https://169.254.169.254/latest", "ftp://example.com/x"],
)
def test_a_url_naming_a_refused_address_is_refused_at_once(url):
    assert url_refusal(url)
    attempt = webhook_post(url, {}, b"{}")
    assert attempt.permanent and attempt.status is None and attempt.error


def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch, team):
    monkeypatch.setattr(webhook, "resolve", lambda host, port: ["10.1.2.3"])
    subscription = webhook_subscription_create(
        by=team.tracker, url="https://hooks.example.com/in", events=["sprint.started"]
    )
    keys = webhook_emit(team.company.pk, "sprint.started", {}, occurrence="one")
    webhooks_deliver(keys)

    row = OutboxMessage.objects.get(key=keys[0])
    assert row.failed_at is not None and row.attempts == 1  # for good: not retried
    assert "10.1.2.3" in row.last_error
    [logged] = WebhookAttempt.objects.filter(subscription=subscription)
    assert logged.status_code is None and "10.1.2.3" in logged.error


def test_one_private_address_among_public_ones_is_enough_to_refuse(monkeypatch):
    monkeypatch.setattr(webhook, "resolve", lambda host, port: ["93.184.215.14", "169.254.169.254"])
    attempt = webhook_post("https://hooks.example.com/in", {}, b"{}")
    assert attempt.permanent and "169.254.169.254" in attempt.error


def test_the_connection_goes_to_the_address_checked(monkeypatch, team, receiver):
    """The name is resolved once, by the check; the POST goes to that address with the name in
    Host: a second lookup (which a rebinding DNS would answer differently) never happens."""
    lookups = []

    def resolve(host, port):
        lookups.append((host, port))
        return ["127.0.0.1"]

    monkeypatch.setattr(webhook, "resolve", resolve)
    url = f"http://hooks.example.com:{receiver.port}/hooks"
    attempt = webhook_post(url, {"webhook-id": "msg_1"}, b"{}")

    assert attempt.delivered
    assert lookups == [("hooks.example.com", receiver.port)]
    [got] = receiver.received
    assert got.headers["host"] == f"hooks.example.com:{receiver.port}"


def test_a_refused_url_is_a_form_error_and_changes_nothing(team):

    subscription = webhook_subscription_create(
        by=team.tracker, url="https://a.example.com/in", events=["sprint.closed"]
    )
    with pytest.raises(ValidationError) as refused:
        webhook_subscription_update(subscription=subscription, by=team.tracker, url="https://10.0.0.1/", events=[])
    assert "url" in refused.value.message_dict
    subscription.refresh_from_db()
    assert subscription.url == "https://a.example.com/in"
