"""The business's webhooks, reached from its settings page: listed and added, one webhook's
page (its events, its secret, its delivery log), switched on or off, its secret rotated, a test
event sent, removed. A tracker or an entrepreneur manages them; anyone else gets a 403, and
another business's webhook is a 404."""

from functools import partial

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ..access import access_company
from ..form_flow import attempt, done, submit
from ..roles import Permission
from . import selectors, services
from .access import access_subscription
from .forms import SubscriptionForm
from .models import WebhookEvent


def _managed(request, company_id: int, subscription_id: int | None = None):
    company, membership = access_company(request.user, company_id, action=Permission.MANAGE_COMPANY)
    subscription = access_subscription(company, subscription_id) if subscription_id is not None else None
    return company, membership, subscription


@require_http_methods(["GET", "POST"])
def webhooks(request, company_id: int):
    company, membership, _none = _managed(request, company_id)
    form = SubscriptionForm(request.POST or None)
    create = partial(services.webhook_subscription_create, by=membership)
    if request.method == "POST" and (subscription := submit(form, create)):
        added = _("The webhook is added. Its signing secret is below.")
        return done(request, added, "tracking:webhook", company.pk, subscription.pk)
    context = {"company": company, "subscriptions": selectors.subscriptions_of(company), "form": form}
    return render(request, "tracking/webhooks/list.html", context)


@never_cache  # the page shows the signing secret
@require_http_methods(["GET", "POST"])
def webhook(request, company_id: int, subscription_id: int):
    company, membership, subscription = _managed(request, company_id, subscription_id)
    form = SubscriptionForm(request.POST or None, initial={"url": subscription.url, "events": subscription.events})
    update = partial(services.webhook_subscription_update, subscription=subscription, by=membership)
    if request.method == "POST" and submit(form, update):
        return done(request, _("The webhook is saved."), "tracking:webhook", company.pk, subscription.pk)
    context = {
        "company": company,
        "subscription": subscription,
        "form": form,
        "secret": services.secret_of(subscription),
        "event_labels": [label for value, label in WebhookEvent.choices if value in subscription.events],
        "attempts": selectors.attempts_of(subscription),
        "log_length": selectors.LOG_LENGTH,
    }
    return render(request, "tracking/webhooks/detail.html", context)


@require_POST
def webhook_switch(request, company_id: int, subscription_id: int):
    company, membership, subscription = _managed(request, company_id, subscription_id)
    on = request.POST.get("on") == "1"
    services.webhook_subscription_switch(subscription=subscription, by=membership, on=on)
    said = _("The webhook is switched on.") if on else _("The webhook is switched off.")
    return done(request, said, "tracking:webhook", company.pk, subscription.pk)


@require_POST
def webhook_rotate(request, company_id: int, subscription_id: int):
    company, membership, subscription = _managed(request, company_id, subscription_id)
    services.webhook_secret_rotate(subscription=subscription, by=membership)
    rotated = _("The secret is rotated: put the new one in your tool. Deliveries are signed with it from now on.")
    return done(request, rotated, "tracking:webhook", company.pk, subscription.pk)


@require_POST
def webhook_test(request, company_id: int, subscription_id: int):
    company, membership, subscription = _managed(request, company_id, subscription_id)
    if attempt(request, lambda: services.webhook_test_send(subscription=subscription, by=membership)):
        sent = _("A test event is on its way: its attempt shows in the log below in a moment.")
        return done(request, sent, "tracking:webhook", company.pk, subscription.pk)
    return redirect("tracking:webhook", company.pk, subscription.pk)  # the refusal is said


@require_POST
def webhook_delete(request, company_id: int, subscription_id: int):
    company, membership, subscription = _managed(request, company_id, subscription_id)
    services.webhook_subscription_delete(subscription=subscription, by=membership)
    return done(request, _("The webhook is removed."), "tracking:webhooks", company.pk)
