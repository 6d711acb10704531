"""Company-scoped lookups of the webhooks: another business's subscription is a 404."""

from django.utils.translation import gettext as _

from ..access import scoped_get
from ..models import Company
from .models import WebhookSubscription


def access_subscription(company: Company, subscription_id) -> WebhookSubscription:
    return scoped_get(WebhookSubscription.objects.all(), _("No such webhook."), pk=subscription_id, company=company)
