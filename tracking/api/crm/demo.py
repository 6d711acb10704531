"""The demo's integrations on «Дубрава»: an amoCRM feed whose won deals count as contracts, and
one read-only API token. Safe to run again: one connection, one mapping, and one live demo
token (the one before is revoked, since a token's secret is shown only when it is made)."""

from django.urls import reverse

from ...accounts.mfa_secrets import decrypt
from ...models import Company, Membership, Metric, Role
from ..models import ApiToken, Scope
from ..services import api_token_create, api_token_revoke
from .models import CrmConnection, CrmStageMapping
from .services import crm_connection_save, crm_mapping_create

DUBRAVA = "Кухни на заказ «Дубрава»"
PIPELINE, WON = "7581206", "142"  # amoCRM's "Успешно реализовано" in the sales pipeline
CONTRACTS = "Договоры"
TOKEN_NAME = "Demo (read only)"


def seed_integrations() -> list[str]:
    """What to print: the inbound URL of the feed and the token, or nothing without the demo."""
    company = Company.objects.filter(name=DUBRAVA).first()
    tracker = (
        Membership.objects.accepted()
        .select_related("user", "company")
        .filter(company=company, role=Role.TRACKER)
        .first()
    )
    contracts = Metric.objects.filter(company=company, name=CONTRACTS, funnel_stage__isnull=False).first()
    if company is None or tracker is None or contracts is None:
        return []
    connection = CrmConnection.objects.filter(company=company).first()
    connection = connection or crm_connection_save(by=tracker, provider="amocrm", secret="")
    if not CrmStageMapping.objects.filter(connection=connection, pipeline_id=PIPELINE, stage_id=WON).exists():
        crm_mapping_create(by=tracker, pipeline_id=PIPELINE, stage_id=WON, metric=contracts)
    for token in ApiToken.objects.filter(company=company, name=TOKEN_NAME, revoked_at__isnull=True):
        api_token_revoke(token=token, by=tracker)
    issued = api_token_create(by=tracker, name=TOKEN_NAME, scopes=[Scope.READ])
    inbound = reverse("crm:inbound_amocrm", args=[connection.key, decrypt(connection.secret)])
    return [
        f"amoCRM feed of {DUBRAVA}: POST to {inbound} (status {WON} of pipeline {PIPELINE} counts {CONTRACTS})",
        f"Read-only API token of {DUBRAVA}: {issued.plaintext}",
    ]
