"""The webhook pages, reached from the settings page: a tracker or an entrepreneur manages the
business's webhooks; anyone else is refused, another business's webhook is a 404, and a URL
that may not be called is a form error in the reader's language that changes nothing."""

import pytest
from django.urls import reverse

from tracking.models import OutboxMessage, WebhookAttempt, WebhookSubscription
from tracking.webhooks.services import secret_of, webhook_subscription_create

pytestmark = pytest.mark.django_db


def _list(team):
    return reverse("tracking:webhooks", args=[team.company.pk])


def _page(subscription):
    return reverse("tracking:webhook", args=[subscription.company_id, subscription.pk])


def test_the_settings_page_leads_managers_to_the_webhooks(team, client_for):
    body = client_for(team.entrepreneur).get(reverse("tracking:company_settings", args=[team.company.pk])).content
    assert _list(team).encode() in body
    body = client_for(team.member).get(reverse("tracking:company_settings", args=[team.company.pk])).content
    assert _list(team).encode() not in body


def test_an_empty_list_says_what_to_do(team, client_for):
    response = client_for(team.tracker).get(_list(team))
    assert response.status_code == 200
    assert b'id="webhooks-empty"' in response.content


def test_a_manager_adds_a_webhook_and_sees_its_secret(team, client_for):
    client = client_for(team.entrepreneur)
    data = {"url": "https://crm.example.com/in", "events": ["sprint.closed", "hypothesis.decided"]}
    response = client.post(_list(team), data, follow=True)

    subscription = WebhookSubscription.objects.get(company=team.company)
    assert subscription.events == ["sprint.closed", "hypothesis.decided"]
    assert subscription.created_by == team.entrepreneur.user
    assert response.redirect_chain[-1][0] == _page(subscription)
    body = response.content.decode()
    assert secret_of(subscription) in body
    assert b'id="webhook-log-empty"' in response.content
    assert "https://crm.example.com/in" in client.get(_list(team)).content.decode()


@pytest.mark.parametrize("role", ["team_lead", "member"])
def test_others_cannot_see_or_manage_webhooks(role, team, client_for):
    subscription = webhook_subscription_create(
        by=team.tracker, url="https://a.example.com/in", events=["sprint.closed"]
    )
    client = client_for(team.by_role(role))
    assert client.get(_list(team)).status_code == 403
    assert client.get(_page(subscription)).status_code == 403
    assert client.post(_list(team), {"url": "https://b.example.com/in", "events": ["sprint.closed"]}).status_code == 403
    assert WebhookSubscription.objects.count() == 1


def test_another_businesss_webhook_is_not_found(team, foreign_team, client_for):
    theirs = webhook_subscription_create(
        by=foreign_team.tracker, url="https://f.example.com/in", events=["sprint.closed"]
    )
    client = client_for(team.tracker)
    foreign = reverse("tracking:webhook", args=[team.company.pk, theirs.pk])
    assert client.get(foreign).status_code == 404
    for name in ("webhook_switch", "webhook_rotate", "webhook_test", "webhook_delete"):
        assert client.post(reverse(f"tracking:{name}", args=[team.company.pk, theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active and not OutboxMessage.objects.exists()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://10.0.0.1/hooks", "private"),
        ("https://169.254.169.254/latest", "metadata"),
        ("not a url", "full https://"),
        ("https://example.com/\x07bell", "one line"),
    ],
)
def test_a_bad_url_is_a_form_error_and_changes_nothing(url, words, team, client_for):
    response = client_for(team.tracker).post(_list(team), {"url": url, "events": ["sprint.closed"]})
    assert response.status_code == 200
    assert words in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_the_form_error_is_in_the_readers_language(team, client_for):
    client = client_for(team.tracker)
    client.cookies["django_language"] = "ru"
    response = client.post(_list(team), {"url": "https://10.0.0.1/hooks", "events": ["sprint.closed"]})
    assert "частный" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_no_event_chosen_is_a_form_error(team, client_for):
    response = client_for(team.tracker).post(_list(team), {"url": "https://a.example.com/in"})
    assert response.status_code == 200
    assert not WebhookSubscription.objects.exists()


def test_edit_switch_rotate_test_and_remove(team, client_for):
    subscription = webhook_subscription_create(
        by=team.tracker, url="https://a.example.com/in", events=["sprint.closed"]
    )
    client = client_for(team.tracker)
    args = [team.company.pk, subscription.pk]
    old_secret = secret_of(subscription)

    client.post(_page(subscription), {"url": "https://a.example.com/v2", "events": ["constraint.changed"]})
    subscription.refresh_from_db()
    assert (subscription.url, subscription.events) == ("https://a.example.com/v2", ["constraint.changed"])

    client.post(reverse("tracking:webhook_rotate", args=args))
    subscription.refresh_from_db()
    assert secret_of(subscription) != old_secret

    client.post(reverse("tracking:webhook_test", args=args))
    assert OutboxMessage.objects.filter(channel="webhook", subject="webhook.test").count() == 1

    client.post(reverse("tracking:webhook_switch", args=args), {"on": "0"})
    subscription.refresh_from_db()
    assert not subscription.is_active
    response = client.post(reverse("tracking:webhook_test", args=args), follow=True)
    assert "Switch the webhook on" in response.content.decode()
    assert OutboxMessage.objects.filter(channel="webhook").count() == 1

    client.post(reverse("tracking:webhook_switch", args=args), {"on": "1"})
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.failures == 0

    client.post(reverse("tracking:webhook_delete", args=args))
    assert not WebhookSubscription.objects.exists()


def test_the_page_shows_the_delivery_log(team, subscription, receiver, client_for):
    from tracking.webhooks.sending import webhooks_deliver
    from tracking.webhooks.services import webhook_test_send

    receiver.answer("500")
    webhooks_deliver(webhook_test_send(subscription=subscription, by=team.tracker))
    webhooks_deliver(webhook_test_send(subscription=subscription, by=team.tracker))
    assert WebhookAttempt.objects.count() == 2

    body = client_for(team.tracker).get(_page(subscription)).content.decode()
    assert body.count("<code>webhook.test</code>") == 2
    assert ">500<" in body and ">200<" in body
